//! `faqbot index`: rebuilds index/ from faq/ on demand and reports what went in and how long it took.

use std::io::Write;
use std::process::ExitCode;

use faqbot::search::{Freshness, open_or_build};

use super::{EXIT_ERROR, EXIT_OK, Settings, explain_index_error};

#[derive(Debug, clap::Args)]
pub struct IndexArgs {}

pub fn run(settings: &Settings, _args: IndexArgs) -> anyhow::Result<ExitCode> {
    let opened = open_or_build(&settings.faq, &settings.index, true)
        .map_err(|error| explain_index_error(error, &settings.faq))?;
    for problem in opened.problems.iter() {
        eprintln!("{problem}");
    }
    if let Freshness::Stale(why) = &opened.freshness {
        eprintln!("error: {why}; {} was kept as it was", settings.index.display());
        return Ok(ExitCode::from(EXIT_ERROR));
    }
    let manifest = opened.index.manifest();
    writeln!(
        std::io::stdout(),
        "Built {} from {}: {} entries ({} questions), {} rules, {} synonym groups in {} ms",
        settings.index.display(),
        settings.faq.display(),
        manifest.entries,
        manifest.questions,
        manifest.rules.len(),
        manifest.synonyms.len(),
        manifest.build_millis
    )?;
    Ok(ExitCode::from(EXIT_OK))
}
