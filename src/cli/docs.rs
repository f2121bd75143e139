//! `faqbot completions SHELL` and `faqbot man`: shell completions and a man page generated from the clap
//! definitions themselves (clap_complete, clap_mangen), so they never drift from `--help`.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::{Args, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = Args::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "faqbot", &mut out);
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}

/// The man page in roff, for `faqbot man > faqbot.1` or `faqbot man | man -l -`.
pub fn man(_args: ManArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(Args::command()).render(&mut out)?;
    out.flush()?;
    Ok(ExitCode::from(EXIT_OK))
}
