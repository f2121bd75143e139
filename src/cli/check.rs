//! `faqbot check`: validates faq/ and prints every problem with its path and line, for curators and CI.

use std::io::Write;
use std::process::ExitCode;

use faqbot::faq::{KnowledgeBase, Loaded, Severity};
use faqbot::search;

use super::{EXIT_OK, EXIT_PROBLEMS, Settings};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Print the problems as JSON Lines
    #[arg(long)]
    json: bool,
}

pub fn run(settings: &Settings, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let Loaded {
        knowledge_base: kb,
        mut problems,
    } = KnowledgeBase::load(&settings.faq)?;
    // Whether an out-of-scope term catches an entry's phrasing is decided on analysed words: the search layer's.
    for problem in search::scope::check(&kb, &settings.faq) {
        problems.push(problem);
    }
    problems.sort();
    let mut out = anstream::stdout().lock();
    for problem in problems.iter() {
        if args.json {
            serde_json::to_writer(&mut out, problem)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{problem}")?;
        }
    }
    let count = |severity| problems.iter().filter(|p| p.severity == severity).count();
    let (errors, warnings, notices) = (
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Notice),
    );
    let summary = format!(
        "{} entries, {} rules, {} synonym groups",
        kb.entries.len(),
        kb.rules.len(),
        kb.synonyms.len()
    );
    // Notices (gaps in coverage) are shown but never fail the check: a new entry starts small.
    if errors + warnings == 0 {
        let notes = if notices == 0 {
            String::new()
        } else {
            format!("; {notices} notice(s) above")
        };
        eprintln!("{} is valid: {summary}{notes}", settings.faq.display());
        Ok(ExitCode::from(EXIT_OK))
    } else {
        eprintln!(
            "{}: {errors} error(s), {warnings} warning(s), {notices} notice(s); loaded {summary}",
            settings.faq.display()
        );
        Ok(ExitCode::from(EXIT_PROBLEMS))
    }
}
