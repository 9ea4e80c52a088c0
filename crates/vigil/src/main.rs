//! The `vigil` binary: command-line definition and glue. Everything else
//! lives in the library crates.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod agent;
mod cli;
mod config;
mod daemon;
mod db;
mod gates;
mod generate;
mod host;
mod iac;
mod image;
mod progress;
mod rootfs;
mod scan;
mod secrets;
mod server;
mod source;
mod spool;
mod upload;
mod versions;
mod vulncode;

use std::process::ExitCode;

use crate::cli::{Command, ConfigCommand};

// The scan allocates many small strings across threads; mimalloc is markedly
// faster than the system allocator at that (see bench/run.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How a command ended, beyond plain success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Done (findings or not).
    Done,
    /// A gate failed: `--fail-on`, the license policy or a Rego policy.
    PolicyViolated,
}

/// Set by `--quiet`: progress notes and warnings are not printed.
static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

fn main() -> ExitCode {
    let resolved = match config::parse_args() {
        Ok(r) => r,
        Err(e) => return report_error(&e),
    };
    let cli = &resolved.cli;
    QUIET.store(cli.global.quiet, std::sync::atomic::Ordering::Relaxed);
    // A server logs what it does (requests stored, updates) by default,
    // and so does the agent daemon (each send).
    let verbose = match &cli.command {
        Command::Server(_) => cli.global.verbose.max(1),
        Command::Agent(a) if !a.once => cli.global.verbose.max(1),
        _ => cli.global.verbose,
    };
    init_tracing(verbose, cli.global.quiet);
    if let Some(found) = &resolved.found {
        tracing::debug!(?found, options = ?resolved.from_file, "configuration");
    }
    let result = match &cli.command {
        Command::Scan(cmd) => scan::run(&cli.global, cmd),
        Command::Db(cmd) => db::run(&cli.global, cmd),
        Command::Rules(cmd) => iac::rules(cmd),
        Command::Sbom(cmd) => scan::sbom(&cli.global, cmd),
        Command::Agent(args) => agent::run(args),
        Command::Server(cmd) => server::run(cmd),
        Command::Versions(cmd) => versions::run(cmd),
        Command::Config(ConfigCommand::Show(args)) => {
            config::show(&resolved, args).map(|()| Outcome::Done)
        }
        Command::Completions(args) => generate::completions(args).map(|()| Outcome::Done),
        Command::Man(args) => generate::man(args).map(|()| Outcome::Done),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::PolicyViolated) => ExitCode::from(1),
        Err(e) => report_error(&e),
    }
}

/// Prints an error and gives exit code 2 (0 for a closed stdout).
fn report_error(e: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    let mut stderr = anstream::stderr();
    let red = anstyle::AnsiColor::Red.on_default().bold();
    let _ = std::io::Write::write_fmt(
        &mut stderr,
        format_args!("{}error{}: {e:#}\n", red.render(), red.render_reset()),
    );
    ExitCode::from(2)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_tracing(verbose: u8, quiet: bool) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_env("VIGIL_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never)
        .without_time()
        .with_target(false)
        .init();
}

/// Prints a warning line to stderr (`warning: ...`).
pub(crate) fn warn_user(message: impl std::fmt::Display) {
    if quiet() {
        return;
    }
    warn_always(message);
}

/// Prints a warning line to stderr even with `--quiet` (a failed gate).
pub(crate) fn warn_always(message: impl std::fmt::Display) {
    let mut stderr = anstream::stderr();
    let y = anstyle::AnsiColor::Yellow.on_default().bold();
    let _ = std::io::Write::write_fmt(
        &mut stderr,
        format_args!("{}warning{}: {message}\n", y.render(), y.render_reset()),
    );
}

/// Prints a progress or information line to stderr.
pub(crate) fn note(message: impl std::fmt::Display) {
    if quiet() {
        return;
    }
    let mut stderr = anstream::stderr();
    let _ = std::io::Write::write_fmt(&mut stderr, format_args!("{message}\n"));
}
