//! `faqbot import`: adds entries from a CSV file (question, answer, optional alternates/rules/… columns) or a faqbot JSON Lines export, all or nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use faqbot::curate::exchange::{self, Format};
use faqbot::curate::today;

use super::curation::{explain, finish};
use super::{EXIT_OK, Settings};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A .csv file, or a .jsonl export
    file: PathBuf,
    /// The file's format [default: from its extension]
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Overwrite entries (and rules.toml, synonyms.toml, README.md) that exist with other contents; without
    /// it such an import is refused and nothing is written
    #[arg(long)]
    replace: bool,
}

pub fn run(settings: &Settings, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        Some(format) => format,
        None => match args
            .file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("csv") => Format::Csv,
            Some("jsonl" | "json" | "ndjson") => Format::Jsonl,
            _ => bail!(
                "{}: cannot tell the format from the file name: pass --format csv or --format jsonl",
                args.file.display()
            ),
        },
    };
    let plan = exchange::plan_import(&args.file, format, today())?;
    for column in &plan.ignored_columns {
        eprintln!(
            "warning: {}: column `{column}` is not one faqbot knows; it was left out",
            args.file.display()
        );
    }
    let lines: Vec<(String, u64)> = plan.files.iter().map(|f| (f.name.clone(), f.line)).collect();
    let imported = exchange::import(&settings.faq, &args.file, plan, args.replace).map_err(|error| {
        // Problems name the files in faq/; say which line of the import each came from.
        if let faqbot::curate::CurateError::Invalid { problems, .. } = &error {
            for problem in problems.iter() {
                let from = problem
                    .path
                    .file_name()
                    .and_then(|name| lines.iter().find(|(file, _)| name.to_string_lossy() == *file))
                    .map(|(_, line)| format!(" (from {} line {line})", args.file.display()))
                    .unwrap_or_default();
                eprintln!("{problem}{from}");
            }
            return anyhow::Error::new(error);
        }
        explain(error)
    })?;
    println!(
        "Imported {} into {}: {} new, {} replaced, {} unchanged",
        args.file.display(),
        settings.faq.display(),
        imported.written.len(),
        imported.replaced.len(),
        imported.unchanged.len()
    );
    if imported.written.is_empty() && imported.replaced.is_empty() {
        return Ok(ExitCode::from(EXIT_OK));
    }
    finish(settings, &imported.warnings)?;
    Ok(ExitCode::from(EXIT_OK))
}
