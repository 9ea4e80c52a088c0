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
            config.epss_source = args.epss_source.clone();
            config.update_interval = parse_interval(&args.update_interval)?;
            config.max_upload_bytes = args.max_upload_mib.max(1) * 1024 * 1024;
            config.rate_limit = args.rate_limit;
            config.sla = parse_sla(&args.sla)?;
            if args.admission {
                let severity = args.admission_deny_severity.to_ascii_uppercase();
                config.admission = Some(vigil_server::admission::AdmissionPolicy {
                    deny_severity: (severity != "NONE").then_some(severity),
                    deny_risk: args.admission_deny_risk,
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
            config.notify.public_url = args.public_url.clone();
            config.siem.syslog = args.syslog.clone();
            config.siem.syslog_ca = args.syslog_ca.clone();
            config.siem.syslog_facility = parse_facility(&args.syslog_facility)?;
            config.siem.ocsf_file = args.ocsf_file.clone();
            config.siem.ocsf_url = args.ocsf_url.clone();
            config.retention.events =
                parse_retention("--retention-events", &args.retention_events)?;
            config.retention.uploads =
                parse_retention("--retention-uploads", &args.retention_uploads)?;
            config.retention.audit = parse_retention("--retention-audit", &args.retention_audit)?;
            config.retention.fixed = parse_retention("--retention-fixed", &args.retention_fixed)?;
            if let Some(s) = &config.siem.syslog {
                // A wrong destination is a usage error, found before the
                // server starts.
                vigil_server::siem::SyslogTarget::parse(s)?;
            }
            runtime.block_on(vigil_server::serve(config))?;
            Ok(Outcome::Done)
        }
    }
}

/// `local0` … `local7` (16–23) or a facility number (0–23).
fn parse_facility(s: &str) -> Result<u8> {
    let n = match s.strip_prefix("local") {
        Some(d) => d.parse::<u8>().ok().filter(|d| *d <= 7).map(|d| 16 + d),
        None => s.parse::<u8>().ok(),
    };
    match n {
        Some(n) if n <= 23 => Ok(n),
        _ => bail!("--syslog-facility {s:?}: give local0 … local7 or a number from 0 to 23"),
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

/// `critical=7,high=30,medium=90,low=180` (any subset; the rest default).
fn parse_sla(s: &str) -> Result<vigil_server::query::SlaDays> {
    let mut sla = vigil_server::query::SlaDays::default();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (sev, days) = part
            .split_once('=')
            .with_context(|| format!("--sla: {part:?} is not SEVERITY=DAYS"))?;
        let days: i64 = days
            .trim()
            .parse()
            .ok()
            .filter(|d| *d > 0)
            .with_context(|| format!("--sla: {days:?} is not a number of days"))?;
        match sev.trim().to_ascii_lowercase().as_str() {
            "critical" => sla.critical = days,
            "high" => sla.high = days,
            "medium" => sla.medium = days,
            "low" => sla.low = days,
            other => bail!("--sla: unknown severity {other:?} (critical, high, medium, low)"),
        }
    }
    Ok(sla)
}

/// A duration as the other options read it (`30s`, `15m`, `6h`, `1d`,
/// `1h30m`: `cli::parse_duration`); `off` or `0` for none.
pub(crate) fn parse_interval(s: &str) -> Result<Option<Duration>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("off") || s == "0" {
        return Ok(None);
    }
    crate::cli::parse_duration(s)
        .map(Some)
        .map_err(|e| anyhow::anyhow!("--update-interval: {e}"))
}

/// A retention: `off` (kept forever) or a duration of at least a day (a
/// bare number would be seconds: almost certainly a mistake).
pub(crate) fn parse_retention(flag: &str, s: &str) -> Result<Option<Duration>> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let d = crate::cli::parse_duration(s).map_err(|e| anyhow::anyhow!("{flag}: {e}"))?;
    if d < Duration::from_secs(86_400) {
        bail!("{flag} {s}: keep rows at least a day (`1d`), or give `off` to keep them forever");
    }
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retentions() {
        assert_eq!(
            parse_retention("--retention-events", "90d").unwrap(),
            Some(Duration::from_secs(90 * 86_400))
        );
        assert_eq!(
            parse_retention("--retention-audit", "36h").unwrap(),
            Some(Duration::from_secs(36 * 3_600))
        );
        assert_eq!(parse_retention("--retention-fixed", "OFF").unwrap(), None);
        let e = parse_retention("--retention-uploads", "90").unwrap_err();
        assert!(e.to_string().contains("at least a day"), "{e}");
        assert!(parse_retention("--retention-events", "90 weeks").is_err());
    }

    #[test]
    fn service_levels() {
        let s = parse_sla("high=14, critical=3").unwrap();
        assert_eq!((s.critical, s.high, s.medium, s.low), (3, 14, 90, 180));
        assert!(parse_sla("urgent=1").is_err());
        assert!(parse_sla("high=soon").is_err());
    }

    #[test]
    fn facilities() {
        assert_eq!(parse_facility("local0").unwrap(), 16);
        assert_eq!(parse_facility("local7").unwrap(), 23);
        assert_eq!(parse_facility("4").unwrap(), 4);
        assert!(parse_facility("local8").is_err());
        assert!(parse_facility("24").is_err());
        assert!(parse_facility("kern").is_err());
    }

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
