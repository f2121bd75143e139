//! `faqbot stale`: the entries to review again, because their review is old or a rule they cite changed after it.

use std::io::Write;
use std::process::ExitCode;

use faqbot::curate::stale::{self, StaleReason};
use faqbot::curate::{CurateError, today};
use faqbot::faq::KnowledgeBase;

use super::curation::explain;
use super::{EXIT_OK, EXIT_PROBLEMS, Settings};

#[derive(Debug, clap::Args)]
pub struct StaleArgs {
    /// An entry is old when its `reviewed` date is more than this many days ago
    #[arg(long, value_name = "N", default_value_t = 365)]
    days: u32,
    /// Print JSON Lines, one stale entry per line
    #[arg(long)]
    json: bool,
    /// Count days up to this date (YYYY-MM-DD) instead of today, for a report that reads the same every day
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<jiff::civil::Date>,
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not a date: write it as YYYY-MM-DD"))
}

pub fn run(settings: &Settings, args: StaleArgs) -> anyhow::Result<ExitCode> {
    let loaded = KnowledgeBase::load(&settings.faq)?;
    if loaded.problems.has_errors() {
        // Entries with errors are left out of the load, so they could not be listed here.
        return Err(explain(CurateError::Invalid {
            faq: settings.faq.clone(),
            problems: loaded.problems,
        }));
    }
    let found = stale::find(
        &loaded.knowledge_base,
        args.today.unwrap_or_else(today),
        i64::from(args.days),
    );
    let mut out = std::io::stdout().lock();
    for entry in &found {
        if args.json {
            serde_json::to_writer(&mut out, entry)?;
            writeln!(out)?;
            continue;
        }
        writeln!(out, "{}  reviewed {}", entry.id, entry.reviewed)?;
        for reason in &entry.reasons {
            match reason {
                StaleReason::Old { days } => {
                    writeln!(out, "  reviewed {days} days ago (more than {})", args.days)?;
                }
                StaleReason::RuleChanged { rule, since } => {
                    writeln!(out, "  cites rule `{rule}`, which changed on {since}, after the review")?;
                }
            }
        }
    }
    let total = loaded.knowledge_base.entries.len();
    if found.is_empty() {
        eprintln!(
            "No stale entries among {total} (reviewed within {} days, after every rule they cite)",
            args.days
        );
        Ok(ExitCode::from(EXIT_OK))
    } else {
        eprintln!("{} of {total} entries need a review", found.len());
        Ok(ExitCode::from(EXIT_PROBLEMS))
    }
}
