//! `faqbot search`: the entries that match a query, ranked, with scores and highlighted snippets, for operators.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use faqbot::lang::Language;

use faqbot::present::markdown;

use super::render::{BOLD, DIM, HIGHLIGHT};
use super::{EXIT_OK, Settings};

/// Snippets are about two lines of a terminal.
const SNIPPET_CHARS: usize = 160;

#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// What to search for (quotes optional); read as words, never as query syntax
    #[arg(required = true, value_parser = words)]
    query: Vec<String>,
    /// How many hits to show
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    top: usize,
    /// Print JSON Lines, one hit per line
    #[arg(long)]
    json: bool,
}

/// A piece of the query: blank text is a usage error (exit 2), not a search that finds nothing.
fn words(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("the query is empty: give the words to search for, e.g. `faqbot search verification fee`".to_string())
    } else {
        Ok(text.to_string())
    }
}

#[derive(serde::Serialize)]
struct Hit<'a> {
    rank: usize,
    id: &'a str,
    score: f32,
    coverage: f32,
    question: &'a str,
    snippet: String,
    highlights: Vec<std::ops::Range<usize>>,
}

pub fn run(settings: &Settings, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let engine = settings.open_engine()?;
    let query = args.query.join(" ");
    let language = Language::of(&query);
    let retrieval = engine.index().retrieve(&query, args.top)?;
    let mut out = anstream::stdout().lock();
    if retrieval.candidates.is_empty() && !args.json {
        writeln!(out, "No entry matches \"{query}\".")?;
    }
    for (rank, candidate) in retrieval.candidates.iter().enumerate() {
        let entry = &candidate.entry;
        // Snippets come from the answer as a terminal shows it without styles, so Markdown marks never mix with
        // the highlight marks; it ends its line like printed text.
        let plain_answer = markdown::plain_with_link_addresses(entry.answer_in(language)) + "\n";
        let highlight = engine
            .index()
            .highlight(&retrieval.concepts, &plain_answer, SNIPPET_CHARS)?;
        if args.json {
            let hit = Hit {
                rank: rank + 1,
                id: &entry.id,
                score: candidate.score,
                coverage: candidate.coverage,
                question: entry.canonical_question(language),
                snippet: highlight.fragment.clone(),
                highlights: highlight.ranges.clone(),
            };
            serde_json::to_writer(&mut out, &hit)?;
            writeln!(out)?;
            continue;
        }
        writeln!(
            out,
            "{:>2}. {BOLD}{}{BOLD:#}  {DIM}score {:.2} · coverage {:.2}{DIM:#}",
            rank + 1,
            entry.id,
            candidate.score,
            candidate.coverage
        )?;
        writeln!(out, "    {}", entry.canonical_question(language))?;
        writeln!(out, "    {}\n", highlighted(&highlight.fragment, &highlight.ranges))?;
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// The fragment on one line with its matches styled (or, when not a terminal, marked with **…**).
fn highlighted(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let styled = anstream::stdout().current_choice() != anstream::ColorChoice::Never;
    let (open, close) = if styled {
        (HIGHLIGHT.render().to_string(), HIGHLIGHT.render_reset().to_string())
    } else {
        ("**".to_string(), "**".to_string())
    };
    let mut out = String::new();
    let mut last = 0;
    for range in ranges {
        if range.start < last || range.end > fragment.len() {
            continue;
        }
        out.push_str(&fragment[last..range.start]);
        let _ = write!(out, "{open}{}{close}", &fragment[range.clone()]);
        last = range.end;
    }
    out.push_str(&fragment[last..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
