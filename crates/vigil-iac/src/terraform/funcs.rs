//! The Terraform functions vigil evaluates (those whose result depends
//! only on their arguments); a call of any other function stays unknown.

use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::Value;

/// Declares the functions in `ctx`.
pub(super) fn declare(ctx: &mut Context<'_>) {
    let any = || FuncDef::builder().param(ParamType::Any);
    let string = || FuncDef::builder().param(ParamType::String);
    ctx.declare_func("jsonencode", any().build(jsonencode));
    ctx.declare_func("jsondecode", string().build(jsondecode));
    ctx.declare_func("lower", string().build(lower));
    ctx.declare_func("upper", string().build(upper));
    ctx.declare_func("trimspace", string().build(trimspace));
    ctx.declare_func("tostring", any().build(tostring));
    ctx.declare_func("tobool", any().build(tobool));
    ctx.declare_func("tonumber", any().build(tonumber));
    ctx.declare_func("tolist", any().build(identity));
    ctx.declare_func("toset", any().build(identity));
    ctx.declare_func("tomap", any().build(identity));
    ctx.declare_func("length", any().build(length));
    ctx.declare_func(
        "concat",
        FuncDef::builder()
            .variadic_param(ParamType::array_of(ParamType::Any))
            .build(concat),
    );
    ctx.declare_func(
        "merge",
        FuncDef::builder()
            .variadic_param(ParamType::nullable(ParamType::object_of(ParamType::Any)))
            .build(merge),
    );
    ctx.declare_func(
        "coalesce",
        FuncDef::builder()
            .variadic_param(ParamType::Any)
            .build(coalesce),
    );
    ctx.declare_func(
        "join",
        FuncDef::builder()
            .param(ParamType::String)
            .variadic_param(ParamType::array_of(ParamType::String))
            .build(join),
    );
    ctx.declare_func(
        "contains",
        FuncDef::builder()
            .param(ParamType::array_of(ParamType::Any))
            .param(ParamType::Any)
            .build(contains),
    );
    ctx.declare_func(
        "lookup",
        FuncDef::builder()
            .param(ParamType::object_of(ParamType::Any))
            .param(ParamType::String)
            .variadic_param(ParamType::Any)
            .build(lookup),
    );
}

fn first(args: &FuncArgs) -> Result<&Value, String> {
    args.first().ok_or_else(|| "missing argument".to_string())
}

fn jsonencode(args: FuncArgs) -> Result<Value, String> {
    serde_json::to_string(first(&args)?)
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn jsondecode(args: FuncArgs) -> Result<Value, String> {
    let s = first(&args)?.as_str().unwrap_or_default();
    serde_json::from_str::<Value>(s).map_err(|e| e.to_string())
}

fn str_arg(args: &FuncArgs) -> Result<&str, String> {
    first(args)?
        .as_str()
        .ok_or_else(|| "not a string".to_string())
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args)?.to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args)?.to_uppercase()))
}

fn trimspace(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args)?.trim().to_string()))
}

fn tostring(args: FuncArgs) -> Result<Value, String> {
    match first(&args)? {
        Value::String(s) => Ok(Value::String(s.clone())),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        Value::Null => Ok(Value::Null),
        _ => Err("not a primitive value".to_string()),
    }
}

fn tobool(args: FuncArgs) -> Result<Value, String> {
    match first(&args)? {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::Null => Ok(Value::Null),
        _ => Err("not a bool".to_string()),
    }
}

fn tonumber(args: FuncArgs) -> Result<Value, String> {
    match first(&args)? {
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(s) => s
            .parse::<serde_json::Number>()
            .map_err(|e| e.to_string())
            .and_then(|n| serde_json::from_str::<Value>(&n.to_string()).map_err(|e| e.to_string())),
        Value::Null => Ok(Value::Null),
        _ => Err("not a number".to_string()),
    }
}

fn identity(args: FuncArgs) -> Result<Value, String> {
    first(&args).cloned()
}

fn length(args: FuncArgs) -> Result<Value, String> {
    let n = match first(&args)? {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        _ => return Err("no length".to_string()),
    };
    Ok(Value::from(n as u64))
}

fn concat(args: FuncArgs) -> Result<Value, String> {
    let mut out = Vec::new();
    for a in args.iter() {
        if let Value::Array(items) = a {
            out.extend(items.iter().cloned());
        }
    }
    Ok(Value::Array(out))
}

fn merge(args: FuncArgs) -> Result<Value, String> {
    let mut out = hcl::Map::new();
    for a in args.iter() {
        if let Value::Object(o) = a {
            for (k, v) in o {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(Value::Object(out))
}

fn coalesce(args: FuncArgs) -> Result<Value, String> {
    args.iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| "no non-null argument".to_string())
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = str_arg(&args)?.to_string();
    let mut parts = Vec::new();
    for a in args.iter().skip(1) {
        if let Value::Array(items) = a {
            parts.extend(items.iter().filter_map(Value::as_str).map(str::to_string));
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn contains(args: FuncArgs) -> Result<Value, String> {
    let list = first(&args)?;
    let item = args.get(1).ok_or_else(|| "missing argument".to_string())?;
    Ok(Value::Bool(
        list.as_array().is_some_and(|a| a.iter().any(|v| v == item)),
    ))
}

fn lookup(args: FuncArgs) -> Result<Value, String> {
    let map = first(&args)?;
    let key = args
        .get(1)
        .and_then(Value::as_str)
        .ok_or_else(|| "missing key".to_string())?;
    match map.as_object().and_then(|o| o.get(key)) {
        Some(v) => Ok(v.clone()),
        None => args.get(2).cloned().ok_or_else(|| format!("no key {key}")),
    }
}
