//! `faqbot add-question`: appends alternate phrasings to an existing entry, the usual fix after a miss, keeping the file's formatting and comments.

use std::process::ExitCode;

use anyhow::bail;
use faqbot::curate::edit::add_questions;
use faqbot::curate::{Changes, CurateError, read_utf8};
use faqbot::faq::entry::normalize_question;
use faqbot::faq::lock::FaqLock;
use faqbot::faq::{KnowledgeBase, Problems};

use super::curation::{commit, finish};
use super::{EXIT_OK, Settings};

#[derive(Debug, clap::Args)]
pub struct AddQuestionArgs {
    /// The entry's id (its file name without .md)
    id: String,
    /// The new phrasing; give several to add them all
    #[arg(required = true, value_name = "QUESTION")]
    questions: Vec<String>,
}

pub fn run(settings: &Settings, args: AddQuestionArgs) -> anyhow::Result<ExitCode> {
    add(settings, &args.id, &args.questions)?;
    Ok(ExitCode::from(EXIT_OK))
}

/// Appends `questions` to entry `id`, validates, writes and reindexes.
pub fn add(settings: &Settings, id: &str, questions: &[String]) -> anyhow::Result<()> {
    // From reading the entry to rebuilding the index, no other writer comes between.
    let _lock = FaqLock::exclusive(&settings.faq)?;
    let warnings = write(settings, id, questions)?;
    println!(
        "Added {} question(s) to {}",
        questions.len(),
        settings.faq.join(format!("{id}.md")).display()
    );
    finish(settings, &warnings)
}

fn write(settings: &Settings, id: &str, questions: &[String]) -> anyhow::Result<Problems> {
    let path = settings.faq.join(format!("{id}.md"));
    if !path.is_file() {
        return Err(CurateError::UnknownEntry {
            id: id.to_string(),
            faq: settings.faq.clone(),
        }
        .into());
    }
    let questions: Vec<String> = questions.iter().map(|q| q.trim().to_string()).collect();
    if questions.iter().any(String::is_empty) {
        bail!("a question is empty: write the phrasing users ask");
    }
    let text = read_utf8(&path)?;
    let loaded = KnowledgeBase::load(&settings.faq)?;
    if let Some(entry) = loaded.knowledge_base.entries.iter().find(|e| e.id == id) {
        for question in &questions {
            if entry
                .questions
                .iter()
                .any(|q| normalize_question(q) == normalize_question(question))
            {
                bail!("\"{question}\" is already a question of `{id}`: nothing to add");
            }
        }
    }
    let mut changes = Changes::new(&settings.faq);
    changes.write(&format!("{id}.md"), add_questions(&path, &text, &questions)?);
    commit(changes)
}
