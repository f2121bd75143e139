//! `faqbot export`: writes faq/ to standard output (or a file) as JSON Lines that `faqbot import` turns back into the same files, or as CSV.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use faqbot::curate::exchange::{self, Format};
use faqbot::curate::write_atomically;

use super::curation::explain;
use super::{EXIT_OK, Settings};

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// jsonl: every file, byte for byte; csv: one row per entry with its fields
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Write to this file instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

pub fn run(settings: &Settings, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let mut bytes = Vec::new();
    match args.format {
        Format::Jsonl => {
            let records = exchange::export_records(&settings.faq).map_err(explain)?;
            for record in &records {
                serde_json::to_writer(&mut bytes, record)?;
                bytes.push(b'\n');
            }
        }
        Format::Csv => exchange::export_csv(&settings.faq, &mut bytes).map_err(explain)?,
    }
    match &args.output {
        Some(path) => {
            let text = String::from_utf8(bytes).context("the export is not UTF-8")?;
            write_atomically(&[(path.clone(), text)])?;
            eprintln!("Exported {} to {}", settings.faq.display(), path.display());
        }
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
