//! What the bot says, independent of Telegram: a question, command or button press becomes messages with buttons.
//!
//! Messages are [`Doc`]s, not yet in any format: the teloxide handlers send them as Telegram HTML and `faqbot chat`
//! prints them for a terminal, so the terminal shows exactly what the bot would send. Every answer comes from the
//! one engine ([`LiveEngine`]), is laid out by [`crate::present::layout`] and cites its rules.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::{error, warn};

use super::callback::{Action, EntryRef, MAX_CALLBACK_BYTES};
use super::commands::{AdminCommand, Command};
use super::html::{self, MAX_MESSAGE_LEN};
use crate::answer::{Ask, ReplyEntry};
use crate::answer::{ReplyKind, Social};
use crate::error_chain::error_chain;
use crate::faq::Entry;
use crate::feedback::{self, Declined, FeedbackLog, Vote, VoteRecord};
use crate::lang::Language;
use crate::live::{LiveEngine, Reloaded};
use crate::present::text::EN;
use crate::present::{Answered, Doc, Layout, Style, texts};
use crate::search::IndexError;

/// Related questions under an answer.
const MAX_RELATED: usize = 3;
/// "Did you mean…" choices under a decline.
const MAX_DID_YOU_MEAN: usize = 4;
/// Example questions under the greeting.
const EXAMPLES: usize = 3;
/// Telegram's limit on inline query results.
pub const MAX_INLINE_RESULTS: usize = 10;
/// Declined questions /stats and /unanswered show.
const TOP_DECLINED: usize = 5;
const LATEST_UNANSWERED: usize = 10;

/// One button: what it says and the callback data it sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub label: String,
    pub data: String,
}

/// One message and rows of buttons under it. Telegram sends a text over [`MAX_MESSAGE_LEN`] as several messages,
/// the buttons under the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub doc: Doc,
    pub keyboard: Vec<Vec<Button>>,
}

impl From<Doc> for Outgoing {
    fn from(doc: Doc) -> Self {
        Self {
            doc,
            keyboard: Vec::new(),
        }
    }
}

/// The answer to a button press: a short notice on the button (always given, so the button stops spinning) and
/// any messages to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pressed {
    pub notice: Option<String>,
    pub messages: Vec<Outgoing>,
}

/// One result of inline mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAnswer {
    /// Unique among the results, at most 64 bytes.
    pub id: String,
    pub title: String,
    pub description: String,
    pub html: String,
}

/// Who is talking: the chat (hashed before it is logged) and the user (for admin rights).
#[derive(Debug, Clone, Copy)]
pub struct Asker {
    pub chat: i64,
    pub user: Option<u64>,
}

/// The conversation core, shared by all chats.
pub struct Conversation {
    live: Arc<LiveEngine>,
    feedback: Option<FeedbackLog>,
    admins: HashSet<u64>,
    answered: AtomicU64,
    declined: AtomicU64,
}

impl Conversation {
    /// `feedback` is `None` when the data dir could not be opened: the bot still answers, it just logs nothing.
    pub fn new(live: Arc<LiveEngine>, feedback: Option<FeedbackLog>, admins: HashSet<u64>) -> Self {
        Self {
            live,
            feedback,
            admins,
            answered: AtomicU64::new(0),
            declined: AtomicU64::new(0),
        }
    }

    pub fn live(&self) -> &Arc<LiveEngine> {
        &self.live
    }

    pub fn admins(&self) -> impl Iterator<Item = u64> + '_ {
        self.admins.iter().copied()
    }

    pub fn is_admin(&self, user: Option<u64>) -> bool {
        user.is_some_and(|user| self.admins.contains(&user))
    }

    /// A question typed by a user.
    pub fn question(&self, question: &str, asker: Asker) -> Vec<Outgoing> {
        self.reply_to(question, asker).0
    }

    /// A question typed by a user, and the kind of reply the engine gave (`None` when it could not answer at
    /// all), for a frontend that counts them (the web channel's metrics).
    pub fn reply_to(&self, question: &str, asker: Asker) -> (Vec<Outgoing>, Option<ReplyKind>) {
        let language = Language::of(question);
        let engine = self.live.current();
        let reply = match engine.ask(question, Ask::default()) {
            Ok(reply) => reply,
            Err(error) => return (trouble(&error, language), None),
        };
        let kind = Some(reply.kind);
        if matches!(reply.social, Some(Social::Greeting | Social::Help)) {
            return (self.start(language), kind);
        }
        let layout = Layout::of(&reply);
        if reply.kind != ReplyKind::Declined && reply.answer().is_none() {
            // Small talk and out-of-scope questions are answered by the text itself: nothing to vote on or pick.
            return (with_keyboard(layout.message(), Vec::new()), kind);
        }
        if let Some(entry) = reply.answer() {
            self.answered.fetch_add(1, Ordering::Relaxed);
            let mut keyboard = vec![vote_row(&entry.id, language, reply.confidence)];
            keyboard.extend(layout.sections.iter().flat_map(|section| {
                section
                    .suggestions
                    .iter()
                    .take(MAX_RELATED)
                    .map(|related| vec![answer_button(&related.id, &related.question, language)])
            }));
            return (with_keyboard(layout.message(), keyboard), kind);
        }
        self.declined.fetch_add(1, Ordering::Relaxed);
        self.log_declined(question, &reply, asker);
        let choices: Vec<Vec<Button>> = layout
            .sections
            .iter()
            .flat_map(|section| {
                section
                    .suggestions
                    .iter()
                    .take(MAX_DID_YOU_MEAN)
                    .map(|candidate| vec![answer_button(&candidate.id, &candidate.question, language)])
            })
            .collect();
        (with_keyboard(layout.message(), choices), kind)
    }

    fn log_declined(&self, question: &str, reply: &crate::Reply, asker: Asker) {
        let Some(log) = &self.feedback else { return };
        let record = Declined::of(question, reply, log.chat_hash(asker.chat));
        if let Err(error) = log.record_declined(&record) {
            error!(error = %error_chain(&error), "cannot log a declined question");
        }
    }

    /// A public command. `/ask` and the rest answer in the language of the user's app, or of the question.
    pub fn command(&self, command: Command, language: Language, asker: Asker) -> Vec<Outgoing> {
        match command {
            Command::Start => self.start(language),
            Command::Help => plain(texts(language).help()),
            Command::Topics => self.topics(language),
            Command::Rules => self.rules(language),
            Command::Rule(id) if id.trim().is_empty() => markdown(texts(language).rule_usage),
            // Ids are kebab-case; `/rule Registration-Free` means the same rule.
            Command::Rule(id) => self.rule(&id.trim().to_ascii_lowercase(), language),
            Command::Ask(question) if question.trim().is_empty() => markdown(texts(language).ask_usage),
            Command::Ask(question) => self.question(question.trim(), asker),
        }
    }

    fn start(&self, language: Language) -> Vec<Outgoing> {
        let texts = texts(language);
        let engine = self.live.current();
        let examples = engine
            .index()
            .entry_list()
            .take(EXAMPLES)
            .map(|entry| vec![self.entry_button(&entry, language)])
            .collect();
        let mut doc = Doc::from_markdown(texts.greeting);
        doc.text("\n\n").markdown(texts.examples);
        with_keyboard(doc, examples)
    }

    fn topics(&self, language: Language) -> Vec<Outgoing> {
        let engine = self.live.current();
        with_keyboard(
            Doc::from_markdown(texts(language).topics),
            engine
                .index()
                .entry_list()
                .map(|entry| vec![self.entry_button(&entry, language)])
                .collect(),
        )
    }

    fn rules(&self, language: Language) -> Vec<Outgoing> {
        let engine = self.live.current();
        let mut doc = Doc::new();
        doc.styled_markdown(Style::Strong, texts(language).all_rules).text("\n");
        for rule in &engine.index().manifest().rules {
            doc.text("\n• ")
                .styled(Style::Strong, rule.id.as_str())
                .text(format!(" – {}", rule.statement_in(language)));
        }
        plain(doc)
    }

    fn rule(&self, id: &str, language: Language) -> Vec<Outgoing> {
        let engine = self.live.current();
        let texts = texts(language);
        let Some(rule) = engine.rule(id) else {
            return markdown(texts.no_such_rule);
        };
        let applies: Vec<&str> = rule.applies_to.iter().map(|kind| kind.name()).collect();
        let mut doc = Doc::new();
        doc.styled(Style::Strong, rule.id.as_str())
            .text(format!("\n{}\n\n", rule.statement_in(language)))
            .markdown(texts.applies_to)
            .text(format!(": {}", applies.join(", ")));
        if let Some(since) = &rule.since {
            doc.text(" (").markdown(texts.since).text(format!(" {since})"));
        }
        doc.text("\n")
            .start(Style::Strong)
            .markdown(texts.source)
            .text(":")
            .end(Style::Strong)
            .text(format!(" {}", rule.source));
        plain(doc)
    }

    pub fn unknown_command(&self, language: Language) -> Vec<Outgoing> {
        markdown(texts(language).unknown_command)
    }

    pub fn not_text(&self, language: Language) -> Vec<Outgoing> {
        markdown(texts(language).not_text)
    }

    /// A button press. `question` is what the user asked, when the pressed message still shows it.
    pub fn press(&self, data: &str, question: Option<&str>, asker: Asker, fallback: Language) -> Pressed {
        let stale = |language: Language| Pressed {
            notice: Some(Doc::from_markdown(texts(language).stale_button).plain()),
            messages: Vec::new(),
        };
        let Some(action) = Action::decode(data) else {
            return stale(fallback);
        };
        let (entry_ref, language) = match &action {
            Action::Answer { entry, language } | Action::Vote { entry, language, .. } => (entry, *language),
        };
        let engine = self.live.current();
        let Some(entry) = self.find_entry(entry_ref) else {
            // The entry was removed or renamed since the button was sent.
            return stale(language);
        };
        match action {
            Action::Answer { .. } => {
                self.answered.fetch_add(1, Ordering::Relaxed);
                let shown = Answered::of(&engine.entry_in(&entry, language), language);
                Pressed {
                    notice: None,
                    messages: with_keyboard(shown.message(), vec![vote_row(&shown.id, language, 1.0)]),
                }
            }
            Action::Vote { vote, confidence, .. } => {
                if let Some(log) = &self.feedback {
                    let record = VoteRecord {
                        time: jiff::Timestamp::now(),
                        question: question
                            .map(str::to_string)
                            .unwrap_or_else(|| entry.canonical_question(language).to_string()),
                        entry: entry.id.clone(),
                        confidence: f32::from(confidence) / 100.0,
                        vote,
                        chat: log.chat_hash(asker.chat),
                    };
                    if let Err(error) = log.record_vote(&record) {
                        error!(error = %error_chain(&error), "cannot log a vote");
                    }
                }
                let texts = texts(language);
                Pressed {
                    notice: Some(
                        Doc::from_markdown(match vote {
                            Vote::Up => texts.thanks_up,
                            Vote::Down => texts.thanks_down,
                        })
                        .plain(),
                    ),
                    messages: Vec::new(),
                }
            }
        }
    }

    /// Inline mode: the best entries for the query (every entry, in order, for an empty one), as articles.
    pub fn inline(&self, query: &str) -> Vec<InlineAnswer> {
        let language = Language::of(query);
        let engine = self.live.current();
        let shown: Vec<ReplyEntry> = if query.trim().is_empty() {
            engine
                .index()
                .entry_list()
                .take(MAX_INLINE_RESULTS)
                .map(|entry| engine.entry_in(&entry, language))
                .collect()
        } else {
            let options = Ask {
                results: MAX_INLINE_RESULTS,
                explain: false,
            };
            match engine.ask(query, options) {
                Ok(reply) => reply.results,
                Err(error) => {
                    log_engine_error(&error);
                    return Vec::new();
                }
            }
        };
        shown
            .iter()
            .map(|entry| {
                let summary = Doc::from_markdown(&entry.answer).plain();
                InlineAnswer {
                    id: inline_id(&entry.id),
                    title: entry.question.clone(),
                    description: summary.chars().take(120).collect(),
                    html: in_one_message(&Answered::of(entry, language)),
                }
            })
            .collect()
    }

    /// An admin command. The caller has checked [`Self::is_admin`].
    pub fn admin(&self, command: AdminCommand) -> Vec<Outgoing> {
        match command {
            AdminCommand::Reload => plain(reload_report(&self.live.reload())),
            AdminCommand::Stats => self.stats(),
            AdminCommand::Unanswered => self.unanswered(),
        }
    }

    /// Admin replies are in English: the admins are the operators.
    fn stats(&self) -> Vec<Outgoing> {
        let texts = &EN;
        let mut doc = Doc::from_markdown(texts.stats_since_start);
        doc.text("\n").filled(
            texts.stats_counts,
            &[
                ("answered", &self.answered.load(Ordering::Relaxed).to_string()),
                ("declined", &self.declined.load(Ordering::Relaxed).to_string()),
            ],
        );
        let Some(log) = &self.feedback else {
            doc.text("\n\n").markdown(texts.stats_not_logged);
            return plain(doc);
        };
        match feedback::read_declined(log.dir()) {
            Ok(declined) => {
                doc.text("\n\n")
                    .filled(texts.stats_declined, &[("count", &declined.records.len().to_string())]);
                let mut counts: HashMap<String, (usize, &str)> = HashMap::new();
                for record in &declined.records {
                    let key = record.question.trim().to_lowercase();
                    counts.entry(key).or_insert((0, &record.question)).0 += 1;
                }
                let mut top: Vec<(usize, &str)> = counts.into_values().collect();
                top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                for (count, question) in top.iter().take(TOP_DECLINED) {
                    doc.text("\n").filled(
                        texts.stats_declined_question,
                        &[("count", &count.to_string()), ("question", question)],
                    );
                }
            }
            Err(error) => {
                doc.text(format!("\n\n{}", error_chain(&error)));
            }
        }
        match feedback::read_votes(log.dir()) {
            Ok(votes) => {
                let up = votes.records.iter().filter(|v| v.vote == Vote::Up).count();
                let down = votes.records.len() - up;
                doc.text("\n\n").filled(
                    texts.stats_votes,
                    &[("up", &up.to_string()), ("down", &down.to_string())],
                );
                let mut per_entry: HashMap<&str, (usize, usize)> = HashMap::new();
                for vote in &votes.records {
                    let counts = per_entry.entry(&vote.entry).or_default();
                    match vote.vote {
                        Vote::Up => counts.0 += 1,
                        Vote::Down => counts.1 += 1,
                    }
                }
                let mut entries: Vec<(&str, (usize, usize))> = per_entry.into_iter().collect();
                entries.sort_by(|a, b| (b.1.1).cmp(&a.1.1).then(a.0.cmp(b.0)));
                for (entry, (up, down)) in entries.iter().take(TOP_DECLINED) {
                    doc.text("\n").filled(
                        texts.stats_entry_votes,
                        &[("entry", entry), ("up", &up.to_string()), ("down", &down.to_string())],
                    );
                }
            }
            Err(error) => {
                doc.text(format!("\n\n{}", error_chain(&error)));
            }
        }
        plain(doc)
    }

    fn unanswered(&self) -> Vec<Outgoing> {
        let texts = &EN;
        let Some(log) = &self.feedback else {
            return markdown(texts.unanswered_not_logged);
        };
        let declined = match feedback::read_declined(log.dir()) {
            Ok(declined) => declined,
            Err(error) => return plain(verbatim(error_chain(&error))),
        };
        if declined.records.is_empty() {
            return markdown(texts.unanswered_none);
        }
        let mut doc = Doc::new();
        doc.filled(texts.unanswered_latest, &[("count", &LATEST_UNANSWERED.to_string())]);
        for record in declined.records.iter().rev().take(LATEST_UNANSWERED) {
            doc.text(format!("\n\n{}\n", record.question))
                .start(Style::Note)
                .filled(
                    texts.unanswered_detail,
                    &[
                        ("time", &record.time.strftime("%Y-%m-%d %H:%M").to_string()),
                        (
                            "nearest",
                            record.nearest.as_deref().unwrap_or(texts.unanswered_no_nearest),
                        ),
                        ("confidence", &format!("{:.2}", record.confidence)),
                    ],
                )
                .end(Style::Note);
        }
        plain(doc)
    }

    /// The entry a button names, by id, or by the hash that stands for an id too long for the button.
    fn find_entry(&self, wanted: &EntryRef) -> Option<Entry> {
        let engine = self.live.current();
        let index = engine.index();
        let found = match wanted {
            EntryRef::Id(id) => index.entry(id),
            EntryRef::Hash(_) => index
                .entry_ids()
                .find(|id| wanted.matches(id))
                .and_then(|id| index.entry(id)),
        };
        found.map(|entry| Entry::clone(&entry))
    }

    fn entry_button(&self, entry: &Entry, language: Language) -> Button {
        Button {
            label: entry.canonical_question(language).to_string(),
            data: Action::answer(&entry.id, language).encode(),
        }
    }
}

/// What admins are told after a reload, in English.
pub fn reload_report(outcome: &Reloaded) -> Doc {
    let texts = &EN;
    let mut doc = Doc::new();
    match outcome {
        Reloaded::Swapped(reason) => {
            doc.filled(texts.reload_swapped, &[("reason", &reason.to_string())]);
        }
        Reloaded::Unchanged => {
            doc.markdown(texts.reload_unchanged);
        }
        Reloaded::KeptLastGood { why, problems } => {
            doc.filled(texts.reload_kept_last_good, &[("why", why)]);
            for problem in problems.errors().take(10) {
                doc.text(format!("\n• {problem}"));
            }
        }
        Reloaded::Failed(error) => {
            doc.filled(texts.reload_failed, &[("why", &error_chain(error))]);
        }
    }
    doc
}

/// An entry in one message however long its answer: the answer is cut, never its rules and source.
fn in_one_message(entry: &Answered) -> String {
    let whole = entry.message().html();
    if whole.encode_utf16().count() <= MAX_MESSAGE_LEN {
        return whole;
    }
    let citation = entry.citation().html();
    let room = MAX_MESSAGE_LEN.saturating_sub(citation.encode_utf16().count() + "…\n\n".len());
    let first_part = html::split(&entry.body().html(), room)
        .into_iter()
        .next()
        .unwrap_or_default();
    format!("{first_part}…\n\n{citation}")
}

fn vote_row(entry_id: &str, language: Language, confidence: f32) -> Vec<Button> {
    let texts = texts(language);
    vec![
        Button {
            label: Doc::from_markdown(texts.vote_up).plain(),
            data: Action::vote(Vote::Up, entry_id, language, confidence).encode(),
        },
        Button {
            label: Doc::from_markdown(texts.vote_down).plain(),
            data: Action::vote(Vote::Down, entry_id, language, confidence).encode(),
        },
    ]
}

fn answer_button(entry_id: &str, question: &str, language: Language) -> Button {
    Button {
        label: question.to_string(),
        data: Action::answer(entry_id, language).encode(),
    }
}

fn inline_id(entry_id: &str) -> String {
    if entry_id.len() <= MAX_CALLBACK_BYTES {
        entry_id.to_string()
    } else {
        // Ids are kebab-case ASCII, so the cut falls on a character boundary.
        entry_id[..MAX_CALLBACK_BYTES].to_string()
    }
}

/// One message with buttons under it.
fn with_keyboard(doc: Doc, keyboard: Vec<Vec<Button>>) -> Vec<Outgoing> {
    vec![Outgoing { doc, keyboard }]
}

/// One message without buttons.
fn plain(doc: Doc) -> Vec<Outgoing> {
    with_keyboard(doc, Vec::new())
}

/// One message of an interface text.
fn markdown(text: &str) -> Vec<Outgoing> {
    plain(Doc::from_markdown(text))
}

/// One message of text shown as it is.
fn verbatim(text: String) -> Doc {
    let mut doc = Doc::new();
    doc.text(text);
    doc
}

fn log_engine_error(error: &IndexError) {
    warn!(error = %error_chain(error), "the engine could not answer");
}

fn trouble(error: &IndexError, language: Language) -> Vec<Outgoing> {
    log_engine_error(error);
    markdown(texts(language).trouble)
}
