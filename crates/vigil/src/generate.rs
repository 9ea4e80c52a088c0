//! `vigil completions SHELL` and `vigil man`: generated from the CLI
//! definition (with its environment variables), so they never drift.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::{CompletionsArgs, ManArgs};

/// Prints a completion script for the shell.
pub(crate) fn completions(args: &CompletionsArgs) -> Result<()> {
    let mut cmd = crate::config::command();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    clap_complete::generate(args.shell, &mut cmd, "vigil", &mut out);
    out.flush()?;
    Ok(())
}

/// Prints `vigil.1`, or writes every page into `--dir`.
pub(crate) fn man(args: &ManArgs) -> Result<()> {
    let cmd = crate::config::command();
    match &args.dir {
        Some(dir) => {
            fs_err::create_dir_all(dir)?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))?;
            crate::note(format!("Man pages written to {}", dir.display()));
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            clap_mangen::Man::new(cmd).render(&mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
