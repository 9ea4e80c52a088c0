//! `vigil server` and `vigil server init` (docs/server.md).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::cli::{ServerAction, ServerCommand, ServerInitArgs, ServerStateArgs};
use crate::Outcome;

/// Runs the server, or initializes it.
pub(crate) fn run(cmd: &ServerCommand) -> Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("vigil-server")
        .build()
        .context("starting the async runtime")?;
    match &cmd.action {
        Some(ServerAction::Init(args)) => runtime.block_on(init(args)),
        None => {
            let args = &cmd.run;
            let mut config = vigil_server::Config::new(args.listen, data_dir(&args.state)?);
            config.database_url = args.state.database_url.clone();
            config.advisory_mirror = args.advisory_mirror.clone();
            config.kev_source = args.kev_source.clone();
            config.update_interval = parse_interval(&args.update_interval)?;
            config.max_upload_bytes = args.max_upload_mib.max(1) * 1024 * 1024;
            config.rate_limit = args.rate_limit;
            if args.admission {
                let severity = args.admission_deny_severity.to_ascii_uppercase();
                config.admission = Some(vigil_server::admission::AdmissionPolicy {
                    deny_severity: (severity != "NONE").then_some(severity),
                    deny_kev: !args.admission_allow_kev,
                    deny_unknown: args.admission_deny_unknown,
                    exempt_namespaces: args.admission_exempt_namespace.clone(),
                });
            }
            if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
                config.tls = Some(vigil_server::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                });
            }
            runtime.block_on(vigil_server::serve(config))?;
            Ok(Outcome::Done)
        }
    }
}

async fn init(args: &ServerInitArgs) -> Result<Outcome> {
    let (password, generated) = match &args.password_file {
        Some(path) => {
            let text = fs_err::read_to_string(path)?;
            (text.trim_end_matches(['\n', '\r']).to_string(), false)
        }
        None => (vigil_server::db::random_id(), true),
    };
    let dir = data_dir(&args.state)?;
    let done = vigil_server::init(
        &dir,
        args.state.database_url.as_deref(),
        &args.admin,
        &password,
    )
    .await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Created the admin user {:?}.", done.username)?;
    if generated {
        writeln!(out, "Password (shown once): {password}")?;
    }
    writeln!(
        out,
        "API token (shown once; keep it secret): {}\n\nUse it as `Authorization: Bearer <token>`.",
        done.token
    )?;
    Ok(Outcome::Done)
}

/// The data directory: as given, else /var/lib/vigil-server for root, else
/// the user's data directory.
fn data_dir(state: &ServerStateArgs) -> Result<PathBuf> {
    if let Some(d) = &state.data_dir {
        return Ok(d.clone());
    }
    if is_root() {
        return Ok(PathBuf::from("/var/lib/vigil-server"));
    }
    dirs::data_dir()
        .map(|d| d.join("vigil").join("server"))
        .context("no data directory for this user: give --data-dir")
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| {
        use std::os::unix::fs::MetadataExt;
        m.uid() == 0
    })
}

/// `30s`, `15m`, `6h`, `1d`; `off` or `0` for none.
pub(crate) fn parse_interval(s: &str) -> Result<Option<Duration>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("off") || s == "0" {
        return Ok(None);
    }
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .with_context(|| format!("{s:?} is not a duration like 30s, 15m, 6h or 1d"))?;
    let secs = match unit {
        "s" | "" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => bail!("{s:?} is not a duration like 30s, 15m, 6h or 1d"),
    };
    if secs == 0 {
        return Ok(None);
    }
    Ok(Some(Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        assert_eq!(
            parse_interval("6h").ok().flatten(),
            Some(Duration::from_secs(21_600))
        );
        assert_eq!(
            parse_interval("90").ok().flatten(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(parse_interval("off").ok().flatten(), None);
        assert!(parse_interval("soon").is_err());
        assert!(parse_interval("5y").is_err());
    }
}
