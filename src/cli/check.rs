//! `faqbot check`: validates faq/ and prints every problem with its path and line, for curators and CI.

use std::io::Write;
use std::process::ExitCode;

use faqbot::faq::{KnowledgeBase, Severity};

use super::{EXIT_OK, EXIT_PROBLEMS, Settings};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Print the problems as JSON Lines
    #[arg(long)]
    json: bool,
}

pub fn run(settings: &Settings, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let loaded = KnowledgeBase::load(&settings.faq)?;
    let mut out = anstream::stdout().lock();
    for problem in loaded.problems.iter() {
        if args.json {
            serde_json::to_writer(&mut out, problem)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{problem}")?;
        }
    }
    let kb = &loaded.knowledge_base;
    let errors = loaded.problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = loaded.problems.len() - errors;
    let summary = format!(
        "{} entries, {} rules, {} synonym groups",
        kb.entries.len(),
        kb.rules.len(),
        kb.synonyms.len()
    );
    if loaded.problems.is_empty() {
        eprintln!("{} is valid: {summary}", settings.faq.display());
        Ok(ExitCode::from(EXIT_OK))
    } else {
        eprintln!(
            "{}: {errors} error(s), {warnings} warning(s); loaded {summary}",
            settings.faq.display()
        );
        Ok(ExitCode::from(EXIT_PROBLEMS))
    }
}
