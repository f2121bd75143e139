//! `faqbot list`: what faq/ holds, the entries with their canonical questions and the rules, so that curators
//! see what exists without Telegram or an export.

use std::io::Write;
use std::process::ExitCode;

use faqbot::faq::{KnowledgeBase, Severity};
use faqbot::lang::Language;
use faqbot::present::listing;
use serde_json::{Value, json};

use super::render::{BOLD, DIM};
use super::{EXIT_OK, Settings};

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// What to list
    #[arg(value_enum, default_value = "all")]
    what: What,
    /// Print JSON Lines: one {"kind": "entry", …} or {"kind": "rule", …} object per line
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum What {
    All,
    Entries,
    Rules,
}

pub fn run(settings: &Settings, args: ListArgs) -> anyhow::Result<ExitCode> {
    let loaded = KnowledgeBase::load(&settings.faq)?;
    let errors = loaded.problems.iter().filter(|p| p.severity == Severity::Error).count();
    if errors > 0 {
        eprintln!(
            "warning: {} has {errors} error(s) (`faqbot check` lists them); the entries and rules they affect are left out",
            settings.faq.display()
        );
    }
    let kb = &loaded.knowledge_base;
    let entries = matches!(args.what, What::All | What::Entries);
    let rules = matches!(args.what, What::All | What::Rules);
    if args.json {
        let mut out = std::io::stdout().lock();
        for entry in kb.entries.iter().filter(|_| entries) {
            let mut line = json!({"kind": "entry"});
            if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), listing::entry(entry)) {
                line.extend(fields);
            }
            writeln!(out, "{line}")?;
        }
        for rule in kb.rules.iter().filter(|_| rules) {
            let mut line = json!({"kind": "rule"});
            if let (Some(line), serde_json::Value::Object(fields)) = (line.as_object_mut(), serde_json::to_value(rule)?)
            {
                line.extend(fields);
            }
            writeln!(out, "{line}")?;
        }
        return Ok(ExitCode::from(EXIT_OK));
    }
    let mut out = anstream::stdout().lock();
    if entries {
        let width = kb.entries.iter().map(|e| e.id.chars().count()).max().unwrap_or(0);
        writeln!(out, "{BOLD}Entries ({}){BOLD:#}", kb.entries.len())?;
        for entry in &kb.entries {
            writeln!(
                out,
                "  {:width$}  {}  {DIM}({} question(s), rules: {}){DIM:#}",
                entry.id,
                entry.canonical_question(Language::En),
                entry.questions.len(),
                entry.rules.join(", ")
            )?;
        }
    }
    if entries && rules {
        writeln!(out)?;
    }
    if rules {
        let width = kb.rules.iter().map(|r| r.id.chars().count()).max().unwrap_or(0);
        writeln!(out, "{BOLD}Rules ({}){BOLD:#}", kb.rules.len())?;
        for rule in &kb.rules {
            let since = rule
                .since
                .as_deref()
                .map(|since| format!(" (since {since})"))
                .unwrap_or_default();
            writeln!(out, "  {:width$}  {}{DIM}{since}{DIM:#}", rule.id, rule.statement)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
