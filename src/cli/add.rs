//! `faqbot add`: writes a new entry (and any new rule) from flags or, in a terminal, from prompts; refuses likely duplicates; validates and reindexes.
//!
//! Also the steps every curation command ends with: show faq/'s problems, rebuild the index, say what changed.

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use faqbot::curate::edit::{NewRule, append_rules};
use faqbot::curate::entry_file::{id_from_questions, render};
use faqbot::curate::{Changes, CurateError, read_utf8, today};
use faqbot::faq::AccountKind;
use faqbot::faq::{Entry, KnowledgeBase, Problems, RULES_FILE, is_kebab_case};
use faqbot::search::{Freshness, open_or_build};
use faqbot::{Ask, Engine};

use super::{EXIT_OK, Settings, explain_index_error};

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
}

pub fn run(settings: &Settings, args: AddArgs) -> anyhow::Result<ExitCode> {
    add(settings, args)?;
    Ok(ExitCode::from(EXIT_OK))
}

/// Adds the entry and returns its id.
pub fn add(settings: &Settings, mut args: AddArgs) -> anyhow::Result<String> {
    let loaded = KnowledgeBase::load(&settings.faq)?;
    if let Some(path) = &args.answer_file {
        args.answer = Some(read_utf8(path).context("cannot read --answer-file")?);
    }
    let missing = missing_flags(&args);
    if !missing.is_empty() {
        if std::io::stdin().is_terminal() {
            prompt_missing(&mut args, &loaded.knowledge_base).context("nothing was written")?;
        } else {
            bail!(
                "missing {}: pass them as flags, or run `faqbot add` in a terminal to be asked (see `faqbot help add`)",
                missing.join(", ")
            );
        }
    }
    // From here to the index rebuild no other writer comes between: faq/ is read again under its lock.
    let _lock = faqbot::faq::lock::FaqLock::exclusive(&settings.faq)?;
    let loaded = KnowledgeBase::load(&settings.faq)?;
    let known_rules: HashSet<String> = loaded.knowledge_base.rules.iter().map(|r| r.id.clone()).collect();

    let questions: Vec<String> = args
        .questions
        .iter()
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty())
        .collect();
    if questions.is_empty() {
        bail!("the question is empty: pass --question \"…\" with the question users ask");
    }
    let answer = args.answer.as_deref().unwrap_or_default().trim().to_string();
    if answer.is_empty() {
        bail!("the answer is empty: pass --answer \"…\" or --answer-file PATH with the English answer");
    }
    let new_rules = new_rules(&args, &known_rules)?;
    let mut rules: Vec<String> = args.rules.iter().map(|r| r.trim().to_string()).collect();
    for rule in &new_rules {
        if !rules.contains(&rule.id) {
            rules.push(rule.id.clone());
        }
    }
    for rule in &rules {
        if !known_rules.contains(rule) && !new_rules.iter().any(|n| &n.id == rule) {
            bail!(
                "rule `{rule}` is not in {}: cite an existing rule id, or create it with --new-rule {rule} \"statement\" --applies-to KIND",
                settings.faq.join(RULES_FILE).display()
            );
        }
    }
    let id = choose_id(settings, &args, &questions, &loaded.knowledge_base)?;
    let entry = Entry {
        id: id.clone(),
        questions,
        rules,
        tags: args
            .tags
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        source: args.source.as_deref().unwrap_or_default().trim().to_string(),
        reviewed: today().to_string(),
        answer,
        answer_zh: args
            .answer_zh
            .as_deref()
            .map(str::trim)
            .filter(|zh| !zh.is_empty())
            .map(str::to_string),
        lines: Default::default(),
    };

    let mut changes = Changes::new(&settings.faq);
    changes.write(&format!("{id}.md"), render(&entry));
    if !new_rules.is_empty() {
        let rules_path = settings.faq.join(RULES_FILE);
        let rules_text = read_utf8(&rules_path)?;
        changes.write(RULES_FILE, append_rules(&rules_text, &new_rules));
    }
    // Problems in faq/ come first: asking the engine about duplicates means little while faq/ is broken.
    let preview = changes.preview()?;
    if preview.problems.has_errors() {
        return Err(explain(CurateError::Invalid {
            faq: settings.faq.clone(),
            problems: preview.problems,
        }));
    }
    if !args.force {
        refuse_duplicates(settings, &entry.questions)?;
    }
    let written = commit(changes)?;
    println!(
        "Added {} ({} question(s), rules: {})",
        settings.faq.join(format!("{id}.md")).display(),
        entry.questions.len(),
        entry.rules.join(", ")
    );
    for rule in &new_rules {
        println!(
            "Added rule `{}` to {}",
            rule.id,
            settings.faq.join(RULES_FILE).display()
        );
    }
    finish(settings, &written)?;
    Ok(id)
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

fn new_rules(args: &AddArgs, known_rules: &HashSet<String>) -> anyhow::Result<Vec<NewRule>> {
    let mut rules = Vec::new();
    for pair in args.new_rules.chunks(2) {
        let [id, statement] = pair else { continue };
        let id = id.trim();
        if !is_kebab_case(id) {
            bail!("new rule id `{id}` must be kebab-case (lowercase letters, digits and single dashes)");
        }
        if known_rules.contains(id) {
            bail!("rule `{id}` already exists in {RULES_FILE}: cite it with --rule {id} instead of --new-rule");
        }
        if statement.trim().is_empty() {
            bail!("the statement of new rule `{id}` is empty: say the rule in one sentence");
        }
        rules.push(NewRule {
            id: id.to_string(),
            statement: statement.trim().to_string(),
            applies_to: args.applies_to.clone(),
            source: args.source.as_deref().unwrap_or_default().trim().to_string(),
        });
    }
    Ok(rules)
}

/// The given id, checked; or one made from the questions, numbered if taken.
fn choose_id(
    settings: &Settings,
    args: &AddArgs,
    questions: &[String],
    knowledge_base: &KnowledgeBase,
) -> anyhow::Result<String> {
    let taken =
        |id: &str| settings.faq.join(format!("{id}.md")).exists() || knowledge_base.entries.iter().any(|e| e.id == id);
    if let Some(id) = &args.id {
        let id = id.trim();
        if !is_kebab_case(id) {
            bail!("id `{id}` must be kebab-case (lowercase letters, digits and single dashes)");
        }
        if taken(id) {
            return Err(CurateError::IdExists {
                id: id.to_string(),
                path: settings.faq.join(format!("{id}.md")),
            }
            .into());
        }
        return Ok(id.to_string());
    }
    let base = id_from_questions(questions)
        .context("no question has Latin letters or digits to make an id from: pass --id")?;
    Ok((1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|id| !taken(id))
        .unwrap_or(base))
}

/// Refuses questions that an existing entry already answers confidently: the curator most likely wants
/// `add-question` on that entry.
fn refuse_duplicates(settings: &Settings, questions: &[String]) -> anyhow::Result<()> {
    let engine = settings.open_engine()?;
    let duplicates = confident_answers(&engine, questions)?;
    if duplicates.is_empty() {
        return Ok(());
    }
    for (question, id, confidence) in &duplicates {
        eprintln!("warning: \"{question}\" is already answered by `{id}` (confidence {confidence:.2})");
    }
    let (_, id, _) = &duplicates[0];
    bail!(
        "likely a duplicate of `{id}`: add the phrasing there with `faqbot add-question {id} \"…\"`, or pass --force to add a new entry anyway; nothing was written"
    )
}

/// The questions the engine answers, with the entry and confidence.
pub fn confident_answers(engine: &Engine, questions: &[String]) -> anyhow::Result<Vec<(String, String, f32)>> {
    let mut answered = Vec::new();
    for question in questions {
        let reply = engine.ask(question, Ask::default())?;
        if let Some(answer) = reply.answer() {
            answered.push((question.clone(), answer.id.clone(), reply.confidence));
        }
    }
    Ok(answered)
}

/// Writes the change, or prints the problems it would cause and writes nothing.
pub fn commit(changes: Changes) -> anyhow::Result<Problems> {
    match changes.commit() {
        Ok(loaded) => Ok(loaded.problems),
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

/// Asks in the terminal for whatever the flags left out.
fn prompt_missing(args: &mut AddArgs, knowledge_base: &KnowledgeBase) -> anyhow::Result<()> {
    use inquire::{MultiSelect, Text};
    if args.questions.iter().all(|q| q.trim().is_empty()) {
        args.questions = vec![Text::new("Question (the canonical one):").prompt()?];
        loop {
            let more = Text::new("Another phrasing (Enter to finish):").prompt()?;
            if more.trim().is_empty() {
                break;
            }
            args.questions.push(more);
        }
    }
    if args.id.is_none() {
        let suggested = id_from_questions(&args.questions).unwrap_or_default();
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
            args.new_rules.extend([id, statement]);
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
