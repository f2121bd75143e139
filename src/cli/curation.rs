//! The steps every curation command ends with, as the terminal shows them: the problems a refused change would
//! cause, faq/'s warnings after a write, and the rebuilt index.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use faqbot::curate::{Changes, CurateError};
use faqbot::faq::{Problems, Severity};
use faqbot::search::{Freshness, open_or_build};

use super::{Settings, explain_index_error};

/// Writes the change, or prints the problems it would cause and writes nothing.
/// Notices (gaps in coverage) are kept for the files written only, so that a change shows what it left to do
/// without repeating every other entry's.
pub fn commit(changes: Changes) -> anyhow::Result<Problems> {
    let written: Vec<PathBuf> = changes.paths().map(Path::to_path_buf).collect();
    match changes.commit() {
        Ok(loaded) => {
            let mut problems = loaded.problems;
            problems.retain(|problem| problem.severity != Severity::Notice || written.contains(&problem.path));
            Ok(problems)
        }
        Err(error) => Err(explain(error)),
    }
}

/// Prints the problems behind an invalid change before the error that sums them up.
pub fn explain(error: CurateError) -> anyhow::Error {
    if let CurateError::Invalid { problems, .. } = &error {
        for problem in problems.iter() {
            eprintln!("{problem}");
        }
    }
    error.into()
}

/// After a write: show faq/'s warnings and rebuild the index so that the next `faqbot ask` sees the change.
pub fn finish(settings: &Settings, warnings: &Problems) -> anyhow::Result<()> {
    for problem in warnings.iter() {
        eprintln!("{problem}");
    }
    let opened = open_or_build(&settings.faq, &settings.index, true)
        .map_err(|error| explain_index_error(error, &settings.faq))
        .context("faq/ was written, but the index was not rebuilt; run `faqbot index`")?;
    if let Freshness::Stale(why) = &opened.freshness {
        bail!("faq/ was written, but the index was not rebuilt ({why}); run `faqbot index`");
    }
    let manifest = opened.index.manifest();
    println!(
        "Rebuilt {}: {} entries, {} questions",
        settings.index.display(),
        manifest.entries,
        manifest.questions
    );
    Ok(())
}
