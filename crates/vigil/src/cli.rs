//! The command-line interface, as data.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

/// vigil: find vulnerable open-source components, leaked secrets and
/// misconfigurations, from the developer's lockfile to production.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Where the advisory database lives [default: the platform cache
    /// directory, e.g. ~/.cache/vigil]
    #[arg(long, global = true, env = "VIGIL_CACHE_DIR", value_name = "DIR")]
    pub(crate) cache_dir: Option<PathBuf>,

    /// Fetch advisories from this mirror (a directory or base URL laid out
    /// as `<Ecosystem>/all.zip`) instead of the public OSV bucket
    #[arg(
        long,
        global = true,
        env = "VIGIL_DB_MIRROR",
        value_name = "DIR|URL",
        value_hint = ValueHint::AnyPath
    )]
    pub(crate) db_mirror: Option<String>,

    /// Never touch the network; fail when there is no local database
    #[arg(long, global = true)]
    pub(crate) offline: bool,

    /// More logging (-v info, -vv debug, -vvv trace); VIGIL_LOG takes
    /// a full filter
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    /// Only errors on stderr (no progress bars, notes or warnings)
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,

    /// Read options from this file instead of the vigil.toml found upward
    /// from the scan target (docs/config.md)
    #[arg(long, global = true, env = "VIGIL_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Do not read any vigil.toml
    #[arg(long, global = true, conflicts_with = "config")]
    pub(crate) no_config: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan a target for vulnerable components (default: the directory
    /// given, or `.`)
    Scan(Box<ScanCommand>),
    /// Manage the advisory database
    #[command(subcommand)]
    Db(DbCommand),
    /// The misconfiguration rules (built in, and those of --rules-dir) and
    /// the secret rules (--secrets)
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write an SBOM (CycloneDX or SPDX) of a directory, root filesystem
    /// or container image: the inventory alone, without the advisory
    /// database
    Sbom(SbomCommand),
    /// Observe this host: its processes, their containers, what they
    /// expose on the network and which data stores they reach, read from
    /// /proc (docs/agent.md)
    Agent(AgentArgs),
    /// Run the organisation-wide server: scan and agent uploads, assets,
    /// findings with a history, re-matching when advisories change, the
    /// REST API (docs/server.md)
    Server(Box<ServerCommand>),
    /// Work with versions by each ecosystem's rules
    #[command(subcommand)]
    Versions(VersionsCommand),
    /// Show the effective configuration (vigil.toml, environment, command
    /// line)
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script to stdout
    Completions(CompletionsArgs),
    /// Print the man page to stdout, or write one page per command to a
    /// directory
    Man(ManArgs),
}

/// `vigil config ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print every option a scan of PATH would use, and where its value
    /// comes from: default, vigil.toml (with the line), environment or
    /// command line
    Show(ConfigShowArgs),
}

/// `vigil config show [PATH]`.
#[derive(Debug, Args)]
pub(crate) struct ConfigShowArgs {
    /// The scan target whose configuration to show
    #[arg(default_value = ".", value_name = "PATH")]
    pub(crate) path: PathBuf,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = ConfigFormat::Table)]
    pub(crate) format: ConfigFormat,
}

/// `vigil config show` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ConfigFormat {
    /// A table
    Table,
    /// JSON
    Json,
}

/// `vigil completions SHELL`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// `vigil man [--dir DIR]`.
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// Write `vigil.1` and one page per subcommand (`vigil-scan.1`, ...)
    /// into this directory instead of printing `vigil.1`
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) dir: Option<PathBuf>,
}

/// `vigil scan [PATH]` or `vigil scan <target> ...`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ScanCommand {
    #[command(subcommand)]
    pub(crate) target: Option<ScanTarget>,
    #[command(flatten)]
    pub(crate) args: ScanArgs,
}

/// Explicit scan targets. A target name wins over a directory of the same
/// name: `vigil scan fs DIR` or `vigil scan ./DIR` names a directory.
#[derive(Debug, Subcommand)]
pub(crate) enum ScanTarget {
    /// Scan a directory (or one lockfile)
    Fs(ScanArgs),
    /// Scan a root filesystem (a host's `/`, or an unpacked image): its OS
    /// packages (dpkg, apk, rpm) in the distribution's own advisories, and
    /// every language package in it. .gitignore files are not obeyed; on
    /// `/`, pseudo filesystems (/proc, /sys, /dev, /run, ...) are skipped
    #[command(mut_arg("path", |a| a
        .required(true)
        .default_value(None::<&'static str>)
        .value_name("PATH")
        .help("The root of the filesystem to scan")))]
    Rootfs(ScanArgs),
    /// Scan an SBOM: a CycloneDX or SPDX 2 JSON file, told by its content
    /// whatever its name
    #[command(mut_arg("path", |a| a
        .required(true)
        .default_value(None::<&'static str>)
        .value_name("FILE")
        .help("The SBOM file to scan")))]
    Sbom(ScanArgs),
    /// Scan a container image from a registry, a `docker save` or OCI
    /// archive, or an OCI image layout directory, without a container
    /// daemon
    Image(ImageArgs),
    /// Check infrastructure as code (Kubernetes manifests, Dockerfiles,
    /// Terraform, CloudFormation, Docker Compose, GitHub Actions workflows)
    /// for misconfigurations, without the advisory database (docs/iac.md)
    Config(ScanArgs),
    /// Find secrets (tokens, keys, passwords) written in files, in git
    /// history (--git) or in staged changes (--staged), without the
    /// advisory database (docs/secrets.md)
    Secrets(SecretsArgs),
    /// Scan the packages running processes have loaded (or those of a
    /// snapshot file written by `vigil agent --once -f json`), each finding
    /// with the processes that load it, their exposure and the data stores
    /// they reach (docs/agent.md)
    Host(HostArgs),
}

/// `vigil scan host`: where the snapshot comes from, and the report.
#[derive(Debug, Args, Clone)]
pub(crate) struct HostArgs {
    /// Scan this snapshot (`vigil agent --once -f json`) instead of the
    /// running host
    #[arg(long, value_name = "SNAPSHOT", value_hint = ValueHint::FilePath, conflicts_with_all = ["proc_dir", "host_root"])]
    pub(crate) input: Option<PathBuf>,

    /// The proc filesystem to read (the host's, mounted elsewhere when
    /// vigil runs in a container)
    #[arg(long = "proc", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) proc_dir: Option<PathBuf>,

    /// The host's root filesystem, for package databases, /etc/passwd
    /// and /etc/os-release
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) host_root: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

/// `vigil rules ...`.
#[derive(Debug, Subcommand)]
pub(crate) enum RulesCommand {
    /// List the rules: ID, severity, formats, title
    List(RulesListArgs),
    /// Show one rule: its metadata and its Rego source
    Show(RulesShowArgs),
}

/// `vigil rules list`.
#[derive(Debug, Args)]
pub(crate) struct RulesListArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = ConfigFormat::Table)]
    pub(crate) format: ConfigFormat,

    /// Also the rules of this directory (repeatable; docs/iac.md)
    #[arg(long = "rules-dir", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) rules_dir: Vec<PathBuf>,

    /// List the secret rules instead (docs/secrets.md)
    #[arg(long)]
    pub(crate) secrets: bool,

    /// Also the secret rules of this TOML file (repeatable)
    #[arg(long = "secret-rules", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) secret_rules: Vec<PathBuf>,
}

/// `vigil rules show ID`.
#[derive(Debug, Args)]
pub(crate) struct RulesShowArgs {
    /// The rule ID (`VIGIL-K8S-001`, or a secret rule's: `github-pat-classic`)
    pub(crate) id: String,

    /// Also the rules of this directory (repeatable)
    #[arg(long = "rules-dir", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) rules_dir: Vec<PathBuf>,

    /// Also the secret rules of this TOML file (repeatable)
    #[arg(long = "secret-rules", value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) secret_rules: Vec<PathBuf>,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table grouped by manifest
    Table,
    /// The JSON report (schema in docs/report-json.md)
    Json,
    /// SARIF 2.1.0, for code scanning
    Sarif,
    /// CycloneDX 1.6 JSON: components and vulnerabilities
    Cyclonedx,
    /// SPDX 2.3 JSON: packages and relationships
    Spdx,
    /// JUnit XML, for CI test reports
    Junit,
    /// Markdown, for a pull-request comment
    Markdown,
}

/// Where a report goes: `FILE` (the `--format` report) or `FORMAT=FILE`
/// (a report in another format, beside it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OutputTarget {
    /// The `--format` report to this file.
    File(PathBuf),
    /// A report in this format to this file.
    Format(Format, PathBuf),
}

/// Reads `--output`: `FORMAT=FILE` when the text before the first `=` is
/// a format name, else a file name.
pub(crate) fn parse_output(value: &str) -> Result<OutputTarget, String> {
    if let Some((name, file)) = value.split_once('=') {
        if let Ok(format) = Format::from_str(name, true) {
            if file.is_empty() {
                return Err(format!("`{value}`: no file after `{name}=`"));
            }
            return Ok(OutputTarget::Format(format, PathBuf::from(file)));
        }
    }
    if value.is_empty() {
        return Err("an empty file name".to_string());
    }
    Ok(OutputTarget::File(PathBuf::from(value)))
}

/// `--fail-on-risk`: a risk score from 0 to 10.
pub(crate) fn parse_risk_score(value: &str) -> Result<f64, String> {
    match value.trim().parse::<f64>() {
        Ok(x) if (0.0..=10.0).contains(&x) => Ok(x),
        _ => Err(format!("`{value}` is not a risk score from 0 to 10")),
    }
}

/// SBOM formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SbomFormat {
    /// CycloneDX 1.6 JSON
    Cyclonedx,
    /// SPDX 2.3 JSON
    Spdx,
}

/// Severity thresholds for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Any finding
    Low,
    /// MEDIUM and above
    Medium,
    /// HIGH and above
    High,
    /// CRITICAL only
    Critical,
}

impl FailOn {
    pub(crate) fn severity(self) -> vigil_model::Severity {
        match self {
            FailOn::Low => vigil_model::Severity::Low,
            FailOn::Medium => vigil_model::Severity::Medium,
            FailOn::High => vigil_model::Severity::High,
            FailOn::Critical => vigil_model::Severity::Critical,
        }
    }
}

/// What and how to scan.
#[derive(Debug, Args, Clone)]
pub(crate) struct ScanArgs {
    /// The directory (or lockfile) to scan
    #[arg(default_value = ".", value_name = "PATH")]
    pub(crate) path: PathBuf,

    /// Walk everything, ignoring .gitignore files
    #[arg(long)]
    pub(crate) no_ignore: bool,

    /// Also check misconfigurations with the rules of this directory
    /// (repeatable; the rule package layout is in docs/iac.md)
    #[arg(long = "rules-dir", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) rules_dir: Vec<PathBuf>,

    /// Do not check infrastructure as code (Kubernetes, Dockerfiles,
    /// Terraform, CloudFormation, Compose, workflows) in a directory scan
    #[arg(long)]
    pub(crate) no_misconfig: bool,

    /// Also find secrets with the rules of this TOML file (repeatable; a
    /// rule with a built-in rule's ID replaces it; the format is in
    /// docs/secrets.md)
    #[arg(
        long = "secret-rules",
        visible_alias = "rules",
        value_name = "FILE",
        value_hint = ValueHint::FilePath
    )]
    pub(crate) secret_rules: Vec<PathBuf>,

    /// Do not look for secrets in a directory, root filesystem or image
    /// scan
    #[arg(long)]
    pub(crate) no_secrets: bool,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

/// `vigil scan secrets`: the scan options, and where to look.
#[derive(Debug, Args, Clone)]
pub(crate) struct SecretsArgs {
    #[command(flatten)]
    pub(crate) scan: ScanArgs,

    /// Scan the git history of the repository holding PATH: every blob
    /// reachable from any reference, each secret reported at the commit
    /// that introduced it
    #[arg(long, conflicts_with = "staged")]
    pub(crate) git: bool,

    /// With --git: only the commits not reachable from this revision
    /// (a branch, tag or commit id), for incremental scans
    #[arg(long, value_name = "REV", requires = "git")]
    pub(crate) since: Option<String>,

    /// Scan the changes staged in the index of the repository holding
    /// PATH (added or modified against HEAD), for a pre-commit hook
    #[arg(long)]
    pub(crate) staged: bool,
}

/// `vigil scan image`: a registry reference, or an archive or layout.
#[derive(Debug, Args, Clone)]
pub(crate) struct ImageArgs {
    #[command(flatten)]
    pub(crate) image: ImageSourceArgs,

    /// Also find secrets with the rules of this TOML file (repeatable; a
    /// rule with a built-in rule's ID replaces it; the format is in
    /// docs/secrets.md)
    #[arg(
        long = "secret-rules",
        visible_alias = "rules",
        value_name = "FILE",
        value_hint = ValueHint::FilePath
    )]
    pub(crate) secret_rules: Vec<PathBuf>,

    /// Do not look for secrets in the image's layers and configuration
    #[arg(long)]
    pub(crate) no_secrets: bool,

    #[command(flatten)]
    pub(crate) report: ReportArgs,
}

/// Which image, and how to get it.
#[derive(Debug, Args, Clone)]
pub(crate) struct ImageSourceArgs {
    /// The image: a registry reference (`registry.example.com/team/app:1.4`),
    /// or with --input, which image of several the archive holds
    #[arg(value_name = "REF", required_unless_present = "input")]
    pub(crate) reference: Option<String>,

    /// Read the image from a `docker save` archive, an OCI archive tar or
    /// an OCI image layout directory instead of a registry
    #[arg(long, value_name = "PATH")]
    pub(crate) input: Option<PathBuf>,

    /// The platform to pick from a multi-platform image
    #[arg(long, default_value = "linux/amd64", value_name = "OS/ARCH[/VARIANT]")]
    pub(crate) platform: String,

    /// Registry user name (the password is read from stdin with
    /// --password-stdin) [default: the credentials `docker login` stored]
    #[arg(long, requires = "password_stdin")]
    pub(crate) username: Option<String>,

    /// Read the registry password (or token) from stdin
    #[arg(long, requires = "username")]
    pub(crate) password_stdin: bool,

    /// Do not verify the registry's TLS certificate, and fall back to
    /// plain HTTP when HTTPS fails, even for a registry that is not on this
    /// machine (one on this machine falls back to plain HTTP anyway)
    #[arg(long)]
    pub(crate) insecure: bool,

    /// Also trust the certificate authorities of this PEM file for the
    /// registry and its token service (repeatable; the file named by
    /// SSL_CERT_FILE is trusted too)
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_file: Vec<PathBuf>,
}

/// How to report, and the limits of what is read.
#[derive(Debug, Args, Clone)]
pub(crate) struct ReportArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,

    /// The order of the vulnerabilities within each file of the table:
    /// highest risk score first (docs/risk.md), or by package
    #[arg(long, value_enum, default_value_t = SortOrder::Risk)]
    pub(crate) sort: SortOrder,

    /// Write the --format report to FILE instead of stdout; with
    /// FORMAT=FILE, also write a report in FORMAT to FILE (repeatable:
    /// `-o sarif=vigil.sarif -o cyclonedx=bom.json`)
    #[arg(
        long,
        short = 'o',
        value_name = "FILE|FORMAT=FILE",
        value_parser = parse_output,
        value_hint = ValueHint::FilePath
    )]
    pub(crate) output: Vec<OutputTarget>,

    /// Exit 1 when a finding at or above this severity is present
    /// (findings of UNKNOWN severity count too, unless
    /// --ignore-unknown-severity)
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<FailOn>,

    /// Exit 1 when an open vulnerability has a risk score (docs/risk.md)
    /// at or above SCORE (0-10; one without a risk score counts by its
    /// CVSS base score, if any)
    #[arg(long, value_name = "SCORE", value_parser = parse_risk_score)]
    pub(crate) fail_on_risk: Option<f64>,

    /// Exit 1 when a misconfiguration at or above this severity is
    /// present (--fail-on counts vulnerabilities only)
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub(crate) fail_on_misconfig: Option<FailOn>,

    /// Exit 1 when an open (not suppressed) secret is found
    #[arg(long)]
    pub(crate) fail_on_secrets: bool,

    /// With --fail-on: do not fail on findings of UNKNOWN severity
    #[arg(long)]
    pub(crate) ignore_unknown_severity: bool,

    /// With --fail-on: informational notices (unmaintained, unsound) fail
    /// the gate too
    #[arg(long)]
    pub(crate) fail_on_informational: bool,

    /// Leave out findings that no fixed version resolves yet
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,

    /// The ignore file (docs/ignore.md) [default: .vigilignore.yaml at the
    /// scan root, when there is one]
    #[arg(long, value_name = "FILE", help_heading = "Gates and triage")]
    pub(crate) ignorefile: Option<PathBuf>,

    /// A VEX document (OpenVEX or CycloneDX): its not_affected and fixed
    /// statements suppress findings (repeatable)
    #[arg(long = "vex", value_name = "FILE", help_heading = "Gates and triage")]
    pub(crate) vex: Vec<PathBuf>,

    /// A previous JSON report: findings it has are suppressed, so only new
    /// ones are open and can fail the gate
    #[arg(long, value_name = "REPORT", help_heading = "Gates and triage")]
    pub(crate) baseline: Option<PathBuf>,

    /// Fail on components whose declared license needs this license: an
    /// SPDX identifier or expression (repeatable). `MIT OR GPL-3.0-only`
    /// passes a denial of GPL-3.0-only
    #[arg(
        long = "deny-license",
        value_name = "EXPR",
        help_heading = "Gates and triage"
    )]
    pub(crate) deny_license: Vec<String>,

    /// Fail on components whose declared license needs a license not
    /// allowed here (repeatable)
    #[arg(
        long = "allow-license",
        value_name = "EXPR",
        help_heading = "Gates and triage"
    )]
    pub(crate) allow_license: Vec<String>,

    /// A Rego policy file, or a directory of them, evaluated over the JSON
    /// report: `deny` and `violation` rules fail the gate, `warn` rules
    /// warn (repeatable; docs/policies.md)
    #[arg(
        long = "policy",
        value_name = "FILE|DIR",
        help_heading = "Gates and triage"
    )]
    pub(crate) policy: Vec<PathBuf>,

    /// The Rego package holding the policies' rules
    #[arg(
        long,
        default_value = "main",
        value_name = "NAME",
        help_heading = "Gates and triage"
    )]
    pub(crate) namespace: String,

    #[command(flatten)]
    pub(crate) limits: LimitArgs,

    #[command(flatten)]
    pub(crate) upload: UploadArgs,
}

/// Where to send the JSON report (docs/server-protocol.md).
#[derive(Debug, Args, Clone)]
pub(crate) struct UploadArgs {
    /// Also upload the JSON report to this vigil server (an http:// or
    /// https:// URL), whatever --format prints; the token comes from
    /// --token-file or the VIGIL_TOKEN environment variable
    #[arg(long, value_name = "URL", help_heading = "Upload")]
    pub(crate) server: Option<String>,

    /// The file holding the server's token
    #[arg(
        long,
        value_name = "FILE",
        value_hint = ValueHint::FilePath,
        help_heading = "Upload"
    )]
    pub(crate) token_file: Option<PathBuf>,

    /// Trust the certificate authorities of this PEM file for the server,
    /// besides the public roots
    #[arg(
        long,
        value_name = "FILE",
        value_hint = ValueHint::FilePath,
        help_heading = "Upload"
    )]
    pub(crate) ca_cert: Option<PathBuf>,
}

/// The limits of what is read.
#[derive(Debug, Args, Clone)]
pub(crate) struct LimitArgs {
    /// Refuse lockfiles larger than this many MiB (and do not search
    /// larger files for secrets)
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub(crate) max_file_size: u64,

    /// Refuse executables and archives larger than this many MiB
    #[arg(long, default_value_t = 512, value_name = "MIB")]
    pub(crate) max_binary_size: u64,
}

/// `vigil sbom [PATH]` or `vigil sbom <target> ...`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct SbomCommand {
    #[command(subcommand)]
    pub(crate) target: Option<SbomTarget>,
    #[command(flatten)]
    pub(crate) args: SbomArgs,
}

/// What to write an SBOM of.
#[derive(Debug, Subcommand)]
pub(crate) enum SbomTarget {
    /// A directory (or one lockfile)
    Fs(SbomArgs),
    /// A root filesystem (a host's `/`, or an unpacked image), OS packages
    /// included
    #[command(mut_arg("path", |a| a
        .required(true)
        .default_value(None::<&'static str>)
        .value_name("PATH")
        .help("The root of the filesystem")))]
    Rootfs(SbomArgs),
    /// A container image from a registry, a `docker save` or OCI archive,
    /// or an OCI image layout directory
    Image(SbomImageArgs),
}

/// `vigil sbom [fs|rootfs] PATH`.
#[derive(Debug, Args, Clone)]
pub(crate) struct SbomArgs {
    /// The directory (or lockfile)
    #[arg(default_value = ".", value_name = "PATH")]
    pub(crate) path: PathBuf,

    /// Walk everything, ignoring .gitignore files
    #[arg(long)]
    pub(crate) no_ignore: bool,

    #[command(flatten)]
    pub(crate) output: SbomOutputArgs,
}

/// `vigil sbom image`.
#[derive(Debug, Args, Clone)]
pub(crate) struct SbomImageArgs {
    #[command(flatten)]
    pub(crate) image: ImageSourceArgs,

    #[command(flatten)]
    pub(crate) output: SbomOutputArgs,
}

/// How to write an SBOM.
#[derive(Debug, Args, Clone)]
pub(crate) struct SbomOutputArgs {
    /// SBOM format
    #[arg(long, short = 'f', value_enum, default_value_t = SbomFormat::Cyclonedx)]
    pub(crate) format: SbomFormat,

    /// Write the SBOM to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Fetch OSV advisories, the KEV catalogue and EPSS scores
    Update(DbUpdateArgs),
    /// Import OSV archives, mirror directories, OSV .json/.yaml files, the
    /// KEV catalogue and EPSS scores (FIRST's CSV, plain or .gz)
    Import(DbImportArgs),
    /// Show what the database holds and when it was updated
    Status,
}

#[derive(Debug, Args)]
pub(crate) struct DbUpdateArgs {
    /// Only these ecosystems (OSV names, repeatable) [default: all that
    /// vigil supports]
    #[arg(long = "ecosystem", value_name = "ECOSYSTEM")]
    pub(crate) ecosystems: Vec<String>,

    /// Where to fetch the KEV catalogue (file or URL) [default: the
    /// mirror's, else CISA's feed]
    #[arg(
        long,
        env = "VIGIL_KEV_SOURCE",
        value_name = "FILE|URL",
        value_hint = ValueHint::AnyPath
    )]
    pub(crate) kev_source: Option<String>,

    /// Do not fetch the KEV catalogue
    #[arg(long)]
    pub(crate) skip_kev: bool,

    /// Where to fetch the EPSS scores (FIRST's CSV, plain or .gz; file or
    /// URL) [default: the mirror's epss_scores-current.csv.gz, else
    /// FIRST's current scores]
    #[arg(
        long,
        env = "VIGIL_EPSS_SOURCE",
        value_name = "FILE|URL",
        value_hint = ValueHint::AnyPath
    )]
    pub(crate) epss_source: Option<String>,

    /// Do not fetch the EPSS scores
    #[arg(long)]
    pub(crate) skip_epss: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DbImportArgs {
    /// Files and directories to import
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum VersionsCommand {
    /// Compare two versions: prints -1, 0 or 1. Without A and B, reads
    /// lines "A B" from stdin and answers one line each.
    Compare(CompareArgs),
}

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The ecosystem, by its OSV name (`PyPI`, `npm`, `Debian:12`, ...)
    #[arg(long, short = 'e')]
    pub(crate) ecosystem: String,
    /// The first version
    #[arg(requires = "b")]
    pub(crate) a: Option<String>,
    /// The second version
    pub(crate) b: Option<String>,
}

/// `vigil agent --once`, or the daemon: `vigil agent --server URL`.
#[derive(Debug, Args, Clone)]
pub(crate) struct AgentArgs {
    /// Take one snapshot, print it and exit (without it, the agent runs as
    /// a daemon sending snapshots to --server; with it, the daemon's
    /// options are not used)
    #[arg(long)]
    pub(crate) once: bool,

    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = AgentFormat::Table)]
    pub(crate) format: AgentFormat,

    /// Write the snapshot to this file instead of stdout
    #[arg(long, short = 'o', value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) output: Option<PathBuf>,

    /// The proc filesystem to read (the host's, mounted elsewhere when the
    /// agent runs in a container)
    #[arg(long = "proc", default_value = "/proc", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) proc_dir: PathBuf,

    /// The host's root filesystem, for /etc/passwd, /etc/machine-id and
    /// /etc/os-release
    #[arg(long, default_value = "/", value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) host_root: PathBuf,

    /// Run as a daemon sending a snapshot to this vigil server (an
    /// http:// or https:// URL) every --interval
    #[arg(long, value_name = "URL", help_heading = "Daemon")]
    pub(crate) server: Option<String>,

    /// The file holding the server's token (read again on SIGHUP)
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, help_heading = "Daemon")]
    pub(crate) token_file: Option<PathBuf>,

    /// Trust the certificate authorities of this PEM file for the server,
    /// besides the public roots
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, help_heading = "Daemon")]
    pub(crate) ca_cert: Option<PathBuf>,

    /// How often to take a snapshot (`30s`, `5m`, `1h`)
    #[arg(long, default_value = "60s", value_name = "DURATION", value_parser = parse_duration, help_heading = "Daemon")]
    pub(crate) interval: std::time::Duration,

    /// Send a full snapshot at least this often (and always at start);
    /// in between, only what changed
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = parse_duration, help_heading = "Daemon")]
    pub(crate) full_every: std::time::Duration,

    /// Where documents wait while the server cannot be reached
    /// [default: /var/lib/vigil/spool as root, else the user cache
    /// directory's vigil/spool]
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, help_heading = "Daemon")]
    pub(crate) spool_dir: Option<PathBuf>,

    /// The most the spool may hold (`64MiB`, `512KiB`, bytes); past it the
    /// oldest documents are dropped
    #[arg(long, default_value = "64MiB", value_name = "SIZE", value_parser = parse_size, help_heading = "Daemon")]
    pub(crate) spool_max: u64,
}

/// Reads a duration: a number and a unit (`ms`, `s`, `m`, `h`, `d`;
/// seconds without one), or several (`1m30s`).
pub(crate) fn parse_duration(value: &str) -> Result<std::time::Duration, String> {
    let text = value.trim();
    if text.is_empty() {
        return Err("an empty duration".to_string());
    }
    let mut total = std::time::Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("`{value}`: a number expected (`30s`, `5m`, `1h`)"));
        }
        let n: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("`{value}`: the number is too large"))?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = rest[..unit_len].trim();
        rest = &rest[unit_len..];
        let part = match unit {
            "ms" => std::time::Duration::from_millis(n),
            "" | "s" | "sec" => std::time::Duration::from_secs(n),
            "m" | "min" => std::time::Duration::from_secs(n.saturating_mul(60)),
            "h" => std::time::Duration::from_secs(n.saturating_mul(3600)),
            "d" => std::time::Duration::from_secs(n.saturating_mul(86_400)),
            other => {
                return Err(format!(
                    "`{value}`: unknown unit `{other}` (ms, s, m, h or d)"
                ))
            }
        };
        total = total.saturating_add(part);
    }
    if total.is_zero() {
        return Err(format!("`{value}`: must be more than zero"));
    }
    Ok(total)
}

/// Reads a size: bytes, or a number with `KiB`, `MiB`, `GiB` (also `K`,
/// `M`, `G`, `KB`, `MB`, `GB`, all powers of 1024).
pub(crate) fn parse_size(value: &str) -> Result<u64, String> {
    let text = value.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if digits == 0 {
        return Err(format!("`{value}`: a number expected (`64MiB`)"));
    }
    let n: u64 = text[..digits]
        .parse()
        .map_err(|_| format!("`{value}`: the number is too large"))?;
    let shift = match text[digits..].trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => {
            return Err(format!(
                "`{value}`: unknown unit `{other}` (KiB, MiB or GiB)"
            ))
        }
    };
    n.checked_mul(1u64 << shift)
        .ok_or_else(|| format!("`{value}`: too large"))
}

/// `vigil agent` output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AgentFormat {
    /// A summary: the processes that listen, run in a container or reach
    /// a data store, and what could not be seen
    Table,
    /// The snapshot document (docs/agent.md)
    Json,
}

/// `vigil server [OPTIONS]` runs the server; `vigil server init` creates
/// its first admin.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct ServerCommand {
    #[command(subcommand)]
    pub(crate) action: Option<ServerAction>,

    #[command(flatten)]
    pub(crate) run: ServerRunArgs,
}

/// `vigil server` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum ServerAction {
    /// Create the first admin user and print its API token (once)
    Init(ServerInitArgs),
}

/// Where the server keeps its state.
#[derive(Debug, Args, Clone)]
pub(crate) struct ServerStateArgs {
    /// The server's state: its SQLite database (unless --database-url)
    /// and its advisory store [default: /var/lib/vigil-server as root,
    /// else the user's data directory]
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath)]
    pub(crate) data_dir: Option<PathBuf>,

    /// Use this PostgreSQL database instead of SQLite
    /// (postgres://user:password@host:port/db); several servers may share
    /// it
    #[arg(long, value_name = "URL")]
    pub(crate) database_url: Option<String>,
}

/// `vigil server` options.
#[derive(Debug, Args)]
pub(crate) struct ServerRunArgs {
    /// The address and port to listen on
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,

    #[command(flatten)]
    pub(crate) state: ServerStateArgs,

    /// Where advisories come from: a mirror directory or base URL holding
    /// <Ecosystem>/all.zip [default: the OSV bucket]
    #[arg(long, value_name = "DIR|URL")]
    pub(crate) advisory_mirror: Option<String>,

    /// The known-exploited catalogue (a file or URL) [default: the
    /// mirror's, else CISA's feed]
    #[arg(long, value_name = "FILE|URL")]
    pub(crate) kev_source: Option<String>,

    /// The EPSS scores (FIRST's CSV, a file or URL) [default: the
    /// mirror's, else FIRST's current scores]
    #[arg(long, value_name = "FILE|URL")]
    pub(crate) epss_source: Option<String>,

    /// How often to update the advisories and re-match (`30m`, `6h`, `1d`;
    /// `off`: only on demand, POST /api/v1/advisories/update)
    #[arg(long, value_name = "DURATION", default_value = "6h")]
    pub(crate) update_interval: String,

    /// The largest upload accepted, in MiB (after decompression)
    #[arg(long, value_name = "MIB", default_value_t = 256)]
    pub(crate) max_upload_mib: usize,

    /// Requests per second allowed per token (or client address)
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub(crate) rate_limit: u32,

    /// Serve HTTPS with this certificate chain (PEM, leaf first)
    #[arg(long, value_name = "FILE", requires = "tls_key", value_hint = ValueHint::FilePath)]
    pub(crate) tls_cert: Option<PathBuf>,

    /// The certificate's private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert", value_hint = ValueHint::FilePath)]
    pub(crate) tls_key: Option<PathBuf>,

    /// Days to fix a finding of each severity, for the SLA figures
    /// (GET /api/v1/stats)
    #[arg(
        long,
        value_name = "critical=D,high=D,medium=D,low=D",
        default_value = "critical=7,high=30,medium=90,low=180"
    )]
    pub(crate) sla: String,

    /// Answer Kubernetes admission reviews at /api/v1/admission/review
    /// (a ValidatingAdmissionWebhook; serve it over HTTPS)
    #[arg(long)]
    pub(crate) admission: bool,

    /// Admission: deny images with open findings at or above this
    /// severity (`none`: severity alone denies nothing)
    #[arg(long, value_name = "SEVERITY", default_value = "CRITICAL", value_parser = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "none"], ignore_case = true)]
    pub(crate) admission_deny_severity: String,

    /// Admission: deny images with an open vulnerability whose risk score
    /// (0–10, docs/risk.md) is at or above this
    #[arg(long, value_name = "SCORE", value_parser = parse_risk_score)]
    pub(crate) admission_deny_risk: Option<f64>,

    /// Admission: do not deny images for a known-exploited vulnerability
    /// below the severity threshold
    #[arg(long)]
    pub(crate) admission_allow_kev: bool,

    /// Admission: deny images the server has never seen a scan of (default:
    /// allow them with a warning)
    #[arg(long)]
    pub(crate) admission_deny_unknown: bool,

    /// Admission: namespaces never checked (repeatable)
    #[arg(long, value_name = "NAMESPACE", default_value = "kube-system")]
    pub(crate) admission_exempt_namespace: Vec<String>,

    /// The server's public base URL, linked from notifications
    #[arg(long, value_name = "URL")]
    pub(crate) public_url: Option<String>,

    /// Send every finding event to a syslog server as RFC 5424 messages
    /// with CEF payloads: udp://HOST:PORT, tcp://HOST:PORT or
    /// tls://HOST:PORT
    #[arg(long, value_name = "URL")]
    pub(crate) syslog: Option<String>,

    /// Certificate authorities (PEM) trusted for --syslog tls://, next to
    /// the public web roots
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) syslog_ca: Option<PathBuf>,

    /// The syslog facility: local0 … local7, or a number (0-23)
    #[arg(long, value_name = "FACILITY", default_value = "local0")]
    pub(crate) syslog_facility: String,

    /// Append vulnerability findings' events as OCSF JSON lines
    /// (Vulnerability Finding, class 2002) to this file
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub(crate) ocsf_file: Option<PathBuf>,

    /// POST vulnerability findings' events as OCSF JSON lines
    /// (newline-delimited batches) to this URL
    #[arg(long, value_name = "URL")]
    pub(crate) ocsf_url: Option<String>,

    /// Keep finding events and webhook deliveries this long (`90d`, `36h`;
    /// at least a day; `off`: forever); events a notification or SIEM
    /// reader has not read are always kept
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "90d",
        help_heading = "Retention"
    )]
    pub(crate) retention_events: String,

    /// Keep upload records this long: a retried upload (same
    /// Idempotency-Key) within it is answered as a duplicate; the latest
    /// upload of each asset is always kept (`off`: forever)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "180d",
        help_heading = "Retention"
    )]
    pub(crate) retention_uploads: String,

    /// Keep audit log entries this long (`off`: forever)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "400d",
        help_heading = "Retention"
    )]
    pub(crate) retention_audit: String,

    /// Keep findings fixed this long ago (`off`: forever); triaged ones
    /// (accepted, false positive) are always kept
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "365d",
        help_heading = "Retention"
    )]
    pub(crate) retention_fixed: String,
}

/// `vigil server init` options.
#[derive(Debug, Args)]
pub(crate) struct ServerInitArgs {
    #[command(flatten)]
    pub(crate) state: ServerStateArgs,

    /// The admin's user name
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub(crate) admin: String,

    /// Read the admin's password from this file (at least 12 characters);
    /// without it, a random password is generated and printed once
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub(crate) password_file: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 weeks").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("3 TB").is_err());
        assert!(parse_size("99999999999999999999").is_err());
    }
}

/// `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SortOrder {
    /// Highest risk score first (docs/risk.md), then package and ID
    Risk,
    /// By package, version and ID
    Package,
}
