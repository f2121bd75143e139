//! `faqbot add`: a new entry (and any new rule) from flags or, in a terminal, from prompts, as the terminal
//! shows it. The rules of adding (ids, rule checks, duplicates) are the library's [`faqbot::curate::draft`];
//! here are the flags, the prompts and what is printed.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use faqbot::curate::draft::{self, Duplicate, suggest_id};
use faqbot::curate::{Draft, DraftRule, read_utf8, today};
use faqbot::faq::{AccountKind, KnowledgeBase, RULES_FILE};
use faqbot::lang::is_han;

use super::curation::{commit, explain, finish};
use super::{EXIT_OK, Settings, add_question};

#[derive(Debug, Default, clap::Args)]
pub struct AddArgs {
    /// The entry id and file name [default: kebab-case words of the first question]
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// A question; repeat for alternate phrasings. The first is the canonical question
    #[arg(long = "question", value_name = "TEXT")]
    questions: Vec<String>,
    /// The English answer, Markdown
    #[arg(long, value_name = "TEXT", conflicts_with = "answer_file")]
    answer: Option<String>,
    /// Read the English answer from this Markdown file
    #[arg(long, value_name = "PATH")]
    answer_file: Option<PathBuf>,
    /// The Chinese answer, Markdown
    #[arg(long, value_name = "TEXT")]
    answer_zh: Option<String>,
    /// A rule id from rules.toml the answer rests on; repeatable
    #[arg(long = "rule", value_name = "ID")]
    rules: Vec<String>,
    /// Create a rule in rules.toml and cite it; repeatable. Needs --applies-to
    #[arg(long = "new-rule", num_args = 2, value_names = ["ID", "STATEMENT"])]
    new_rules: Vec<String>,
    /// The Chinese statement of each --new-rule, in the same order
    #[arg(long = "new-rule-zh", value_name = "STATEMENT")]
    new_rules_zh: Vec<String>,
    /// Account kinds the new rules apply to; repeatable
    #[arg(long = "applies-to", value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(AccountKind::NAMES))]
    applies_to: Vec<String>,
    /// A short keyword; repeatable
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Where in the thread the answer comes from
    #[arg(long, value_name = "TEXT")]
    source: Option<String>,
    /// Add the entry even when an existing entry already answers its questions confidently
    #[arg(long)]
    force: bool,
}

impl AddArgs {
    /// A draft for a new entry from these questions, as `faqbot review` starts one.
    pub fn with_questions(questions: Vec<String>) -> Self {
        Self {
            questions,
            ..Self::default()
        }
    }

    /// The draft these flags (and prompts) describe.
    fn draft(&self) -> Draft {
        let mut statements_zh = self.new_rules_zh.iter();
        Draft {
            id: self.id.clone(),
            questions: self.questions.clone(),
            answer: self.answer.clone().unwrap_or_default(),
            answer_zh: self.answer_zh.clone(),
            rules: self.rules.clone(),
            new_rules: self
                .new_rules
                .chunks(2)
                .filter_map(|pair| match pair {
                    [id, statement] => Some(DraftRule {
                        id: id.clone(),
                        statement: statement.clone(),
                        statement_zh: statements_zh.next().cloned(),
                    }),
                    _ => None,
                })
                .collect(),
            applies_to: self.applies_to.clone(),
            tags: self.tags.clone(),
            source: self.source.clone().unwrap_or_default(),
        }
    }
}

/// What `add` did: a new entry, or (chosen at the duplicate prompt) new phrasings of an existing one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    Entry(String),
    Phrasings(String),
}

pub fn run(settings: &Settings, args: AddArgs) -> anyhow::Result<ExitCode> {
    add(settings, args)?;
    Ok(ExitCode::from(EXIT_OK))
}

/// Adds the entry (or, if the curator chooses so at the duplicate prompt, its questions to an existing one).
pub fn add(settings: &Settings, mut args: AddArgs) -> anyhow::Result<Added> {
    let loaded = KnowledgeBase::load(&settings.faq)?;
    if let Some(path) = &args.answer_file {
        args.answer = Some(read_utf8(path).context("cannot read --answer-file")?);
    }
    if args.new_rules_zh.len() > args.new_rules.len() / 2 {
        bail!("more --new-rule-zh than --new-rule: give one Chinese statement per new rule, in the same order");
    }
    let missing = missing_flags(&args);
    if !missing.is_empty() {
        if !std::io::stdin().is_terminal() {
            bail!(
                "missing {}: pass them as flags, or run `faqbot add` in a terminal to be asked (see `faqbot help add`)",
                missing.join(", ")
            );
        }
        loop {
            if args.questions.iter().all(|q| q.trim().is_empty()) {
                args.questions = prompt_questions().context("nothing was written")?;
            }
            let questions = draft::clean_questions(&args.questions)?;
            if args.force {
                break;
            }
            // Before the other prompts, so that a duplicate costs the curator nothing typed in vain.
            let found = draft::duplicates(&settings.open_engine()?, &questions)?;
            let Some(first) = found.first() else { break };
            warn_duplicates(&found);
            match prompt_duplicate(&first.entry).context("nothing was written")? {
                DuplicateChoice::Phrasings => {
                    let entry = first.entry.clone();
                    add_question::add(settings, &entry, &questions)?;
                    return Ok(Added::Phrasings(entry));
                }
                DuplicateChoice::AddAnyway => {
                    args.force = true;
                    break;
                }
                DuplicateChoice::ChangeQuestions => args.questions.clear(),
            }
        }
        prompt_missing(settings, &mut args, &loaded.knowledge_base).context("nothing was written")?;
    }
    // From here to the index rebuild no other writer comes between: faq/ is read again under its lock.
    let _lock = faqbot::faq::lock::FaqLock::exclusive(&settings.faq)?;
    let loaded = KnowledgeBase::load(&settings.faq)?;

    let new = args
        .draft()
        .prepare(&settings.faq, &loaded.knowledge_base, today())
        .map_err(explain)?;
    if !args.force {
        let found = draft::duplicates(&settings.open_engine()?, &new.entry.questions)?;
        warn_duplicates(&found);
        draft::refuse_duplicates(&found)?;
    }
    let written = commit(new.changes)?;
    let id = new.entry.id;
    println!(
        "Added {} ({} question(s), rules: {})",
        settings.faq.join(format!("{id}.md")).display(),
        new.entry.questions.len(),
        new.entry.rules.join(", ")
    );
    for rule in &new.new_rules {
        println!(
            "Added rule `{}` to {}",
            rule.id,
            settings.faq.join(RULES_FILE).display()
        );
    }
    finish(settings, &written)?;
    Ok(Added::Entry(id))
}

fn warn_duplicates(found: &[Duplicate]) {
    for duplicate in found {
        eprintln!(
            "warning: \"{}\" is already answered by `{}` (confidence {:.2})",
            duplicate.question, duplicate.entry, duplicate.confidence
        );
    }
}

/// The required flags that were not given, as the user would type them.
fn missing_flags(args: &AddArgs) -> Vec<&'static str> {
    let mut missing = Vec::new();
    if args.questions.iter().all(|q| q.trim().is_empty()) {
        missing.push("--question");
    }
    if args.answer.is_none() {
        missing.push("--answer (or --answer-file)");
    }
    if args.rules.is_empty() && args.new_rules.is_empty() {
        missing.push("--rule (or --new-rule)");
    }
    if !args.new_rules.is_empty() && args.applies_to.is_empty() {
        missing.push("--applies-to");
    }
    if args.source.is_none() {
        missing.push("--source");
    }
    missing
}

/// The three ways on from questions that an entry already answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DuplicateChoice {
    Phrasings,
    AddAnyway,
    ChangeQuestions,
}

fn prompt_duplicate(entry: &str) -> anyhow::Result<DuplicateChoice> {
    let phrasings = format!("Add these as phrasings of `{entry}`");
    let anyway = "Add a new entry anyway".to_string();
    let change = "Change the questions".to_string();
    let choice = inquire::Select::new(
        &format!("These questions look like `{entry}`. What now?"),
        vec![phrasings.clone(), anyway.clone(), change],
    )
    .prompt()?;
    Ok(if choice == phrasings {
        DuplicateChoice::Phrasings
    } else if choice == anyway {
        DuplicateChoice::AddAnyway
    } else {
        DuplicateChoice::ChangeQuestions
    })
}

/// The canonical question and alternate phrasings, one per prompt, with a Chinese one asked for if none is given.
fn prompt_questions() -> anyhow::Result<Vec<String>> {
    use inquire::Text;
    let mut questions = vec![Text::new("Question (the canonical one):").prompt()?];
    loop {
        let more = Text::new("Another phrasing (Enter to finish):").prompt()?;
        if more.trim().is_empty() {
            break;
        }
        questions.push(more);
    }
    if !questions.iter().any(|q| q.chars().any(is_han)) {
        loop {
            let zh = Text::new("A Chinese phrasing (Enter to finish):").prompt()?;
            if zh.trim().is_empty() {
                break;
            }
            questions.push(zh);
        }
    }
    Ok(questions)
}

/// Asks in the terminal for whatever the flags left out (the questions are known by now).
fn prompt_missing(settings: &Settings, args: &mut AddArgs, knowledge_base: &KnowledgeBase) -> anyhow::Result<()> {
    use inquire::{MultiSelect, Text};
    if args.id.is_none() {
        let suggested = suggest_id(&settings.faq, knowledge_base, &args.questions).unwrap_or_default();
        let id = Text::new("Id (file name):").with_default(&suggested).prompt()?;
        args.id = Some(id);
    }
    if args.answer.is_none() {
        args.answer = Some(prompt_paragraphs("Answer in English")?);
    }
    if args.answer_zh.is_none() {
        let zh = prompt_paragraphs("Chinese answer (Enter to skip)")?;
        args.answer_zh = Some(zh).filter(|zh| !zh.trim().is_empty());
    }
    if args.rules.is_empty() && args.new_rules.is_empty() {
        let choices: Vec<String> = knowledge_base
            .rules
            .iter()
            .map(|rule| format!("{}  {}", rule.id, rule.statement))
            .collect();
        let chosen =
            MultiSelect::new("Rules the answer rests on (space to pick, Enter when done):", choices).prompt()?;
        args.rules = chosen
            .iter()
            .filter_map(|choice| choice.split_whitespace().next().map(str::to_string))
            .collect();
        if inquire::Confirm::new("Create a new rule too?")
            .with_default(args.rules.is_empty())
            .prompt()?
        {
            let id = Text::new("New rule id (kebab-case):").prompt()?;
            let statement = Text::new("The rule, in one sentence:").prompt()?;
            let statement_zh = Text::new("The rule in Chinese (Enter to skip):").prompt()?;
            args.new_rules.extend([id, statement]);
            args.new_rules_zh.push(statement_zh);
        }
    }
    if !args.new_rules.is_empty() && args.applies_to.is_empty() {
        args.applies_to = MultiSelect::new("The new rule applies to:", AccountKind::NAMES.to_vec())
            .prompt()?
            .into_iter()
            .map(str::to_string)
            .collect();
    }
    if args.tags.is_empty() {
        let tags = Text::new("Tags, comma-separated (Enter for none):").prompt()?;
        args.tags = tags
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
    }
    if args.source.is_none() {
        args.source = Some(Text::new("Source (where in the thread the answer comes from):").prompt()?);
    }
    Ok(())
}

/// Markdown typed one paragraph per prompt, as a terminal line cannot hold a blank line.
fn prompt_paragraphs(label: &str) -> anyhow::Result<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    loop {
        let prompt = if paragraphs.is_empty() {
            format!("{label}, first paragraph (Markdown):")
        } else {
            "Next paragraph (Enter to finish):".to_string()
        };
        let paragraph = inquire::Text::new(&prompt).prompt()?;
        if paragraph.trim().is_empty() {
            break;
        }
        paragraphs.push(paragraph.trim().to_string());
    }
    Ok(paragraphs.join("\n\n"))
}
