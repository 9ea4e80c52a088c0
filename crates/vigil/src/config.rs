//! Options from `vigil.toml`, the environment and the command line, merged
//! with this precedence: command line > environment (`VIGIL_…`) >
//! `vigil.toml` > defaults.
//!
//! Nothing here lists options one by one: every option of the CLI
//! definition gets an environment variable (`env_names`), and a key of
//! `vigil.toml` is the long name of an option of the command its table
//! names. The command line is parsed once to learn which values are still
//! defaults and where the scan target is; the configuration file's values
//! for those are then appended as `--long=value` arguments and the whole
//! line parsed again, so every value goes through the same parser and
//! checks as if it had been typed.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Result};
use clap::parser::ValueSource;
use clap::{Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches, ValueHint};
use toml::de::{DeTable, DeValue};

use crate::cli::Cli;

/// The configuration file's name, looked for upward from the scan target.
pub(crate) const FILE_NAME: &str = "vigil.toml";

/// Top-level commands whose options can be configured (and have
/// environment variables). The others (`config`, `completions`, `man`,
/// `versions`) are tools around vigil, not scans.
const CONFIGURABLE: &[&str] = &["scan", "sbom", "db", "agent", "server"];

/// Options that choose the configuration, or are not options at all.
const NEVER: &[&str] = &["help", "version", "config", "no_config"];

/// The command-line definition with an environment variable for every
/// option: `VIGIL_<LONG>` for global and `scan` options,
/// `VIGIL_<COMMAND>_<LONG>` for the other configurable commands' options
/// (`VIGIL_SBOM_FORMAT`). Options that name their own variable keep it.
/// Flags read from the environment accept `true`/`false`, `1`/`0`,
/// `yes`/`no`, `on`/`off`.
pub(crate) fn command() -> clap::Command {
    let cmd = Cli::command().mut_args(|a| with_env(a, ""));
    cmd.mut_subcommands(|sub| {
        let name = sub.get_name().to_string();
        if !CONFIGURABLE.contains(&name.as_str()) {
            return sub;
        }
        let prefix = if name == "scan" {
            String::new()
        } else {
            format!("{}_", name.to_ascii_uppercase())
        };
        with_env_recursive(sub, &prefix)
    })
}

fn with_env_recursive(cmd: clap::Command, prefix: &str) -> clap::Command {
    cmd.mut_args(|a| with_env(a, prefix))
        .mut_subcommands(|sub| with_env_recursive(sub, prefix))
}

/// The environment variable an option is read from, when it has one.
pub(crate) fn env_name(prefix: &str, long: &str) -> String {
    format!(
        "VIGIL_{prefix}{}",
        long.to_ascii_uppercase().replace('-', "_")
    )
}

fn with_env(arg: Arg, prefix: &str) -> Arg {
    let Some(long) = arg.get_long().map(str::to_string) else {
        return arg;
    };
    if NEVER.contains(&arg.get_id().as_str()) {
        return arg;
    }
    let arg = match arg.get_action() {
        // A flag read from the environment: `VIGIL_OFFLINE=1` as well as
        // `=true`.
        ArgAction::SetTrue => arg.value_parser(clap::builder::BoolishValueParser::new()),
        ArgAction::Set | ArgAction::Append => arg,
        // Counts (-v) have VIGIL_LOG.
        _ => return arg,
    };
    if arg.get_env().is_some() {
        return arg;
    }
    arg.env(env_name(prefix, &long))
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The option's default (or unset).
    Default,
    /// A line of the configuration file.
    File {
        /// The file.
        path: PathBuf,
        /// 1-based line of the key.
        line: usize,
    },
    /// An environment variable.
    Env(String),
    /// The command line.
    CommandLine,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::File { path, line } => {
                let name = path.file_name().unwrap_or(path.as_os_str());
                write!(f, "{}:{line}", name.to_string_lossy())
            }
            Origin::Env(name) => write!(f, "env {name}"),
            Origin::CommandLine => f.write_str("command line"),
        }
    }
}

/// A scalar value of the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scalar {
    Str(String),
    Int(i64),
    Bool(bool),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Str(s) => f.write_str(s),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// One `key = value` of the configuration file.
#[derive(Debug, Clone)]
struct Entry {
    /// The table path: `[]`, `["scan"]`, `["scan", "image"]`.
    table: Vec<String>,
    /// The long name of the option it sets.
    long: String,
    /// The key as written (for messages).
    key: String,
    values: Vec<Scalar>,
    /// Whether the value was an array.
    array: bool,
    line: usize,
}

/// A configuration file, read and checked against the CLI definition.
#[derive(Debug, Clone)]
pub(crate) struct ConfigFile {
    /// The file.
    pub(crate) path: PathBuf,
    entries: Vec<Entry>,
}

/// How the configuration file was found, for `vigil config show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// `--config FILE`.
    Flag(PathBuf),
    /// `VIGIL_CONFIG`.
    Env(PathBuf),
    /// Found upward from the scan target.
    Discovered(PathBuf),
    /// None found; the search started at `from` and stopped at `stopped`.
    Missing {
        /// Where the search started.
        from: PathBuf,
        /// The last directory searched.
        stopped: PathBuf,
    },
    /// `--no-config`.
    Disabled,
}

/// Looks for `vigil.toml` in `start` (a directory, or a file's directory)
/// and its parents, stopping after the first directory that holds `.git`
/// or at the filesystem root. Returns the file, or the last directory
/// searched.
pub(crate) fn discover(start: &Path) -> std::result::Result<PathBuf, PathBuf> {
    let start = if start.is_dir() {
        start.to_path_buf()
    } else {
        match start.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let mut dir = std::path::absolute(&start).unwrap_or(start);
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
        if dir.join(".git").exists() {
            return Err(dir);
        }
        match dir.parent() {
            Some(parent) => dir = parent.to_path_buf(),
            None => return Err(dir),
        }
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The options of `cmd` and every command below it that a file can set,
/// by long name.
fn settable_longs(cmd: &clap::Command, out: &mut Vec<String>) {
    for a in cmd.get_arguments() {
        if let Some(long) = a.get_long() {
            if !NEVER.contains(&a.get_id().as_str()) && !out.iter().any(|l| l == long) {
                out.push(long.to_string());
            }
        }
    }
    for sub in cmd.get_subcommands() {
        settable_longs(sub, out);
    }
}

fn global_longs(root: &clap::Command) -> Vec<String> {
    root.get_arguments()
        .filter(|a| a.is_global_set() && !NEVER.contains(&a.get_id().as_str()))
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect()
}

fn did_you_mean(key: &str, candidates: &[String]) -> String {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(key, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

impl ConfigFile {
    /// Reads and checks a configuration file: every table must name a
    /// command, every key an option of it (or a global option), every
    /// value be a string, integer, boolean or an array of them. Paths are
    /// resolved against the file's directory when the file is applied.
    pub(crate) fn load(path: &Path) -> Result<ConfigFile> {
        let text = fs_err::read_to_string(path)?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<ConfigFile> {
        let table = DeTable::parse(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            let at = line.map(|l| format!(":{l}")).unwrap_or_default();
            anyhow!(
                "{}{at}: not valid TOML: {}",
                path.display(),
                e.message().trim_end()
            )
        })?;
        let root = command();
        let mut file = ConfigFile {
            path: path.to_path_buf(),
            entries: Vec::new(),
        };
        file.walk(&root, &root, Vec::new(), table.get_ref(), text)?;
        Ok(file)
    }

    fn walk(
        &mut self,
        root: &clap::Command,
        cmd: &clap::Command,
        table_path: Vec<String>,
        table: &DeTable<'_>,
        text: &str,
    ) -> Result<()> {
        let shown_table = if table_path.is_empty() {
            "the top level".to_string()
        } else {
            format!("[{}]", table_path.join("."))
        };
        let mut settable = Vec::new();
        settable_longs(cmd, &mut settable);
        let globals = global_longs(root);
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let line = line_of(text, key.span().start);
            let at = format!("{}:{line}", self.path.display());
            if let DeValue::Table(inner) = value.get_ref() {
                let sub = cmd
                    .get_subcommands()
                    .find(|s| s.get_name() == name)
                    .filter(|s| !table_path.is_empty() || CONFIGURABLE.contains(&s.get_name()));
                let Some(sub) = sub else {
                    let names: Vec<String> = cmd
                        .get_subcommands()
                        .map(|s| s.get_name().to_string())
                        .filter(|n| !table_path.is_empty() || CONFIGURABLE.contains(&n.as_str()))
                        .collect();
                    bail!(
                        "{at}: unknown table `{name}` in {shown_table}{}; tables name commands: {}",
                        did_you_mean(name, &names),
                        names.join(", ")
                    );
                };
                let mut path = table_path.clone();
                path.push(name.to_string());
                self.walk(root, sub, path, inner, text)?;
                continue;
            }
            // A key names an option of this command or one below it, or a
            // global option, also as `[db] mirror` for `--db-mirror`.
            let prefixed = table_path.last().map(|t| format!("{t}-{name}"));
            let long = if settable.iter().any(|l| l == name) || globals.iter().any(|l| l == name) {
                name.to_string()
            } else if let Some(p) = prefixed.filter(|p| globals.contains(p)) {
                p
            } else {
                let mut candidates = settable.clone();
                candidates.extend(globals.iter().cloned());
                bail!(
                    "{at}: unknown key `{name}` in {shown_table}{}",
                    did_you_mean(name, &candidates)
                );
            };
            let (values, array) = match value.get_ref() {
                DeValue::Array(items) => {
                    let values = items
                        .iter()
                        .map(|v| scalar(v.get_ref()))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| {
                            anyhow!("{at}: `{name}`: an array of strings, integers or booleans expected")
                        })?;
                    (values, true)
                }
                v => (
                    vec![scalar(v).ok_or_else(|| {
                        anyhow!(
                            "{at}: `{name}`: a string, integer, boolean or array expected, not a {}",
                            v.type_str()
                        )
                    })?],
                    false,
                ),
            };
            self.entries.push(Entry {
                table: table_path.clone(),
                long,
                key: name.to_string(),
                values,
                array,
                line,
            });
        }
        Ok(())
    }

    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }
}

fn scalar(v: &DeValue<'_>) -> Option<Scalar> {
    match v {
        DeValue::String(s) => Some(Scalar::Str(s.to_string())),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .ok()
            .map(Scalar::Int),
        DeValue::Boolean(b) => Some(Scalar::Bool(*b)),
        _ => None,
    }
}

/// The command line, parsed with the configuration applied, and where each
/// value came from.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The parsed command line.
    pub(crate) cli: Cli,
    /// The final matches.
    pub(crate) matches: ArgMatches,
    /// The configuration file, and how it was found (`None` for commands
    /// that take no configuration).
    pub(crate) found: Option<Found>,
    /// Options set from the file: arg id → origin.
    pub(crate) from_file: BTreeMap<String, Origin>,
}

/// Parses the process's command line with the configuration applied;
/// a usage error exits as clap does (code 2).
pub(crate) fn parse_args() -> Result<Resolved> {
    resolve(std::env::args_os().collect())
}

/// The path of subcommand names down to the deepest one invoked, and its
/// matches.
fn leaf(matches: &ArgMatches) -> (Vec<String>, &ArgMatches) {
    let mut path = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        path.push(name.to_string());
        m = sub;
    }
    (path, m)
}

fn find_command<'a>(root: &'a clap::Command, path: &[String]) -> Option<&'a clap::Command> {
    let mut cmd = root;
    for name in path {
        cmd = cmd.find_subcommand(name)?;
    }
    Some(cmd)
}

/// Parses `argv` with the configuration applied; a usage error exits as
/// clap does (code 2).
pub(crate) fn resolve(argv: Vec<OsString>) -> Result<Resolved> {
    resolve_with(argv, true)
}

/// Parses `argv` again with the configuration file read anew (the agent
/// daemon's SIGHUP); a usage error is an error, not an exit.
pub(crate) fn reload(argv: Vec<OsString>) -> Result<Resolved> {
    resolve_with(argv, false)
}

fn resolve_with(argv: Vec<OsString>, exit: bool) -> Result<Resolved> {
    let mut first = command().ignore_errors(true);
    let Ok(matches) = first.try_get_matches_from_mut(argv.clone()) else {
        // --help, --version, a usage error: the real parse below says it.
        return finish(argv, Vec::new(), None, BTreeMap::new(), exit);
    };
    first.build();
    let (path, leaf_matches) = leaf(&matches);
    if !path
        .first()
        .is_some_and(|c| CONFIGURABLE.contains(&c.as_str()))
    {
        return finish(argv, Vec::new(), None, BTreeMap::new(), exit);
    }
    let found = locate(&matches, leaf_matches)?;
    let file = match &found {
        Found::Flag(p) | Found::Env(p) | Found::Discovered(p) => Some(ConfigFile::load(p)?),
        Found::Missing { .. } | Found::Disabled => None,
    };
    let Some(leaf_cmd) = find_command(&first, &path) else {
        return finish(argv, Vec::new(), Some(found), BTreeMap::new(), exit);
    };
    let (extra, from_file) = match &file {
        Some(file) => apply(file, &path, leaf_cmd, leaf_matches)?,
        None => (Vec::new(), BTreeMap::new()),
    };
    finish(argv, extra, Some(found), from_file, exit)
}

fn finish(
    mut argv: Vec<OsString>,
    extra: Vec<OsString>,
    found: Option<Found>,
    from_file: BTreeMap<String, Origin>,
    exit: bool,
) -> Result<Resolved> {
    argv.extend(extra);
    let usage = |e: clap::Error| {
        if exit {
            e.exit()
        }
        let text = e.to_string();
        let first = text.lines().next().unwrap_or("").trim();
        anyhow!("{}", first.strip_prefix("error: ").unwrap_or(first))
    };
    let matches = command().try_get_matches_from(argv).map_err(usage)?;
    let cli = Cli::from_arg_matches(&matches).map_err(usage)?;
    Ok(Resolved {
        cli,
        matches,
        found,
        from_file,
    })
}

/// Which configuration file applies: `--no-config`, `--config FILE`,
/// `VIGIL_CONFIG`, else the one found upward from the scan target.
fn locate(matches: &ArgMatches, leaf: &ArgMatches) -> Result<Found> {
    if matches.get_flag("no_config") {
        return Ok(Found::Disabled);
    }
    if let Some(p) = matches.get_one::<PathBuf>("config") {
        if !p.is_file() {
            bail!("--config {}: no such file", p.display());
        }
        return Ok(match matches.value_source("config") {
            Some(ValueSource::EnvVariable) => Found::Env(p.clone()),
            _ => Found::Flag(p.clone()),
        });
    }
    let has_path = leaf.ids().any(|id| id.as_str() == "path");
    let start = if has_path {
        leaf.get_one::<PathBuf>("path")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."))
    } else {
        PathBuf::from(".")
    };
    Ok(match discover(&start) {
        Ok(p) => Found::Discovered(p),
        Err(stopped) => Found::Missing {
            from: std::path::absolute(&start).unwrap_or(start),
            stopped,
        },
    })
}

/// The arguments the file adds to a command line invoking `path` (the
/// subcommand names): values for the options still at their defaults,
/// from the deepest table that sets them.
fn apply(
    file: &ConfigFile,
    path: &[String],
    leaf_cmd: &clap::Command,
    leaf_matches: &ArgMatches,
) -> Result<(Vec<OsString>, BTreeMap<String, Origin>)> {
    // The tables on the path to the command apply, a deeper one over a
    // shallower one. A global option named with its table's prefix
    // (`[db] mirror` for `--db-mirror`) applies to every command, below
    // any table on the path.
    let rank = |e: &Entry| -> Option<usize> {
        if e.table.len() <= path.len() && path[..e.table.len()] == e.table[..] {
            Some(e.table.len() + 1)
        } else if e.key != e.long {
            Some(0)
        } else {
            None
        }
    };
    let mut chosen: BTreeMap<String, (usize, &Entry)> = BTreeMap::new();
    for e in &file.entries {
        let Some(r) = rank(e) else { continue };
        if chosen.get(&e.long).is_none_or(|(prev, _)| *prev <= r) {
            chosen.insert(e.long.clone(), (r, e));
        }
    }
    let chosen = chosen.into_iter().map(|(long, (_, e))| (long, e));
    let mut extra = Vec::new();
    let mut from_file = BTreeMap::new();
    for (long, entry) in chosen {
        let Some(arg) = leaf_cmd
            .get_arguments()
            .find(|a| a.get_long() == Some(&long))
        else {
            // Set for another command under this table.
            continue;
        };
        let id = arg.get_id().as_str();
        if let Some(ValueSource::CommandLine | ValueSource::EnvVariable) =
            leaf_matches.value_source(id)
        {
            continue;
        }
        let args = arguments(file, entry, arg)?;
        if args.is_empty() {
            continue;
        }
        extra.extend(args);
        from_file.insert(
            id.to_string(),
            Origin::File {
                path: file.path.clone(),
                line: entry.line,
            },
        );
    }
    Ok((extra, from_file))
}

/// `--long=value` arguments for one entry, each value checked by the
/// option's own parser so a bad one is reported at its line.
fn arguments(file: &ConfigFile, entry: &Entry, arg: &Arg) -> Result<Vec<OsString>> {
    let at = format!("{}:{}", file.path.display(), entry.line);
    let key = &entry.key;
    let long = arg.get_long().unwrap_or(key);
    match arg.get_action() {
        ArgAction::SetTrue => match entry.values.as_slice() {
            [Scalar::Bool(true)] if !entry.array => Ok(vec![format!("--{long}").into()]),
            [Scalar::Bool(false)] if !entry.array => Ok(Vec::new()),
            _ => bail!("{at}: `{key}` is a flag: true or false expected"),
        },
        ArgAction::Count => match entry.values.as_slice() {
            [Scalar::Int(n)] if !entry.array && (0..=u8::MAX.into()).contains(n) => {
                Ok((0..*n).map(|_| format!("--{long}").into()).collect())
            }
            _ => bail!("{at}: `{key}` is a count: a small integer expected"),
        },
        ArgAction::Set | ArgAction::Append => {
            if entry.array && !matches!(arg.get_action(), ArgAction::Append) {
                bail!("{at}: `{key}` takes one value, not an array");
            }
            let mut out = Vec::new();
            for v in &entry.values {
                if let Scalar::Bool(_) = v {
                    bail!("{at}: `{key}`: a value expected, not true or false");
                }
                let value = relative_to(&file.dir(), arg, &v.to_string());
                check_value(arg, &value).map_err(|message| anyhow!("{at}: `{key}`: {message}"))?;
                let mut a = OsString::from(format!("--{long}="));
                a.push(&value);
                out.push(a);
            }
            Ok(out)
        }
        _ => bail!("{at}: `{key}` cannot be set in a configuration file"),
    }
}

/// Runs one value through the option's parser alone.
fn check_value(arg: &Arg, value: &OsString) -> std::result::Result<(), String> {
    let probe = Arg::new("probe")
        .long("probe")
        .value_parser(arg.get_value_parser().clone())
        .action(ArgAction::Set);
    let mut with = OsString::from("--probe=");
    with.push(value);
    clap::Command::new("vigil")
        .arg(probe)
        .try_get_matches_from([OsString::from("vigil"), with])
        .map(|_| ())
        .map_err(|e| {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("").trim();
            let first = first.strip_prefix("error: ").unwrap_or(first);
            let first = first.replace(" for '--probe <probe>'", "");
            let possible: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|p| !p.is_hide_set())
                .map(|p| p.get_name().to_string())
                .collect();
            if possible.is_empty() {
                first
            } else {
                format!("{first} (one of: {})", possible.join(", "))
            }
        })
}

/// A path-valued option's relative value, taken as relative to the
/// configuration file's directory. URLs, absolute paths and values of
/// other options are left as they are; `--output FORMAT=FILE` has its
/// file resolved.
fn relative_to(dir: &Path, arg: &Arg, value: &str) -> OsString {
    let pathish = matches!(
        arg.get_value_hint(),
        ValueHint::AnyPath | ValueHint::FilePath | ValueHint::DirPath
    );
    if !pathish || value.contains("://") {
        return value.into();
    }
    if arg.get_id() == "output" {
        if let Ok(crate::cli::OutputTarget::Format(_, file)) = crate::cli::parse_output(value) {
            if let Some((name, _)) = value.split_once('=') {
                let mut s = OsString::from(format!("{name}="));
                s.push(join(dir, &file));
                return s;
            }
        }
    }
    join(dir, Path::new(value)).into_os_string()
}

fn join(dir: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// One row of `vigil config show`.
#[derive(Debug)]
pub(crate) struct Row {
    /// `--long`.
    pub(crate) long: String,
    /// The environment variable.
    pub(crate) env: Option<String>,
    /// The values (none when unset).
    pub(crate) values: Vec<String>,
    /// Whether the option is a flag (values are `true`/`false`).
    pub(crate) flag: bool,
    /// Whether the option is repeatable.
    pub(crate) repeatable: bool,
    /// Where the value came from.
    pub(crate) origin: Origin,
}

/// The effective value of every configurable option of the deepest
/// command invoked, and where it came from.
pub(crate) fn rows(resolved: &Resolved) -> Vec<Row> {
    let mut cmd = command();
    cmd.build();
    let (path, m) = leaf(&resolved.matches);
    let Some(leaf_cmd) = find_command(&cmd, &path) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for arg in leaf_cmd.get_arguments() {
        let id = arg.get_id().as_str();
        let Some(long) = arg.get_long() else { continue };
        if NEVER.contains(&id) {
            continue;
        }
        let flag = matches!(arg.get_action(), ArgAction::SetTrue);
        let values: Vec<String> = match arg.get_action() {
            ArgAction::SetTrue => vec![m.get_flag(id).to_string()],
            ArgAction::Count => vec![m.get_count(id).to_string()],
            _ => m
                .get_raw(id)
                .map(|vs| vs.map(|v| v.to_string_lossy().into_owned()).collect())
                .unwrap_or_default(),
        };
        let origin = match (m.value_source(id), resolved.from_file.get(id)) {
            (Some(ValueSource::CommandLine), Some(o)) => o.clone(),
            (Some(ValueSource::CommandLine), None) => Origin::CommandLine,
            (Some(ValueSource::EnvVariable), _) => Origin::Env(
                arg.get_env()
                    .map(|e| e.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
            _ => Origin::Default,
        };
        rows.push(Row {
            long: long.to_string(),
            env: arg.get_env().map(|e| e.to_string_lossy().into_owned()),
            values,
            flag,
            repeatable: matches!(arg.get_action(), ArgAction::Append),
            origin,
        });
    }
    rows.sort_by(|a, b| a.long.cmp(&b.long));
    rows
}

#[cfg(test)]
mod tests;

/// `vigil config show [PATH]`: the options `vigil scan PATH` would run
/// with (global options given here included), and their origins.
pub(crate) fn show(resolved: &Resolved, args: &crate::cli::ConfigShowArgs) -> Result<()> {
    use std::io::Write;
    let mut argv: Vec<OsString> = vec!["vigil".into()];
    let (_, m) = leaf(&resolved.matches);
    for arg in command().get_arguments().filter(|a| a.is_global_set()) {
        let id = arg.get_id().as_str();
        let Some(long) = arg.get_long() else { continue };
        if m.value_source(id) != Some(ValueSource::CommandLine) {
            continue;
        }
        match arg.get_action() {
            ArgAction::SetTrue => argv.push(format!("--{long}").into()),
            ArgAction::Count => {
                argv.extend((0..m.get_count(id)).map(|_| OsString::from(format!("--{long}"))))
            }
            _ => {
                for v in m.get_raw(id).into_iter().flatten() {
                    let mut a = OsString::from(format!("--{long}="));
                    a.push(v);
                    argv.push(a);
                }
            }
        }
    }
    argv.push("scan".into());
    argv.push(args.path.clone().into_os_string());
    let scan = resolve(argv)?;
    let rows = rows(&scan);
    let file = match &scan.found {
        Some(Found::Flag(p)) => format!("{} (--config)", p.display()),
        Some(Found::Env(p)) => format!("{} (VIGIL_CONFIG)", p.display()),
        Some(Found::Discovered(p)) => p.display().to_string(),
        Some(Found::Missing { from, stopped }) => format!(
            "none (no {FILE_NAME} from {} up to {})",
            from.display(),
            stopped.display()
        ),
        Some(Found::Disabled) => "none (--no-config)".to_string(),
        None => "none".to_string(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        crate::cli::ConfigFormat::Json => {
            let file_path = match &scan.found {
                Some(Found::Flag(p) | Found::Env(p) | Found::Discovered(p)) => {
                    serde_json::Value::String(p.display().to_string())
                }
                _ => serde_json::Value::Null,
            };
            let options: Vec<serde_json::Value> = rows
                .iter()
                .map(|r| {
                    let value = if r.flag {
                        serde_json::Value::Bool(r.values.first().is_some_and(|v| v == "true"))
                    } else if r.repeatable {
                        serde_json::Value::from(r.values.clone())
                    } else {
                        r.values
                            .first()
                            .map(|v| serde_json::Value::String(v.clone()))
                            .unwrap_or(serde_json::Value::Null)
                    };
                    serde_json::json!({
                        "option": r.long,
                        "env": r.env,
                        "value": value,
                        "source": r.origin.to_string(),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "target": args.path.display().to_string(),
                "config_file": file_path,
                "options": options,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        crate::cli::ConfigFormat::Table => {
            writeln!(out, "Configuration file: {file}")?;
            writeln!(out)?;
            let shown: Vec<(String, String, String)> = rows
                .iter()
                .map(|r| {
                    let value = if r.values.is_empty() {
                        "-".to_string()
                    } else {
                        r.values.join(", ")
                    };
                    (format!("--{}", r.long), value, r.origin.to_string())
                })
                .collect();
            let w0 = shown.iter().map(|r| r.0.len()).max().unwrap_or(6).max(6);
            let w1 = shown.iter().map(|r| r.1.len()).max().unwrap_or(5).max(5);
            writeln!(out, "{:<w0$}  {:<w1$}  SOURCE", "OPTION", "VALUE")?;
            for (o, v, s) in shown {
                writeln!(out, "{o:<w0$}  {v:<w1$}  {s}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
