//! What the bot says, independent of Telegram: a question, command or button press becomes messages of Telegram HTML with buttons.
//!
//! Both the teloxide handlers and `faqbot chat` present these messages, so the terminal shows exactly what the
//! bot would send. Every answer comes from the one engine ([`LiveEngine`]) and cites its rules.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::{error, warn};

use super::callback::{Action, EntryRef, MAX_CALLBACK_BYTES};
use super::commands::{AdminCommand, Command};
use super::html::{self, MAX_MESSAGE_LEN, escape};
use super::text::{Texts, texts};
use crate::answer::{Ask, Language, ReplyEntry};
use crate::faq::Entry;
use crate::feedback::{self, Declined, FeedbackLog, Vote, VoteRecord};
use crate::live::{LiveEngine, Reloaded};
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

/// One message: Telegram HTML within [`MAX_MESSAGE_LEN`], and rows of buttons under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub html: String,
    pub keyboard: Vec<Vec<Button>>,
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
        let language = Language::of(question);
        let texts = texts(language);
        let engine = self.live.current();
        let reply = match engine.ask(question, Ask::default()) {
            Ok(reply) => reply,
            Err(error) => return trouble(&error, language),
        };
        let mut html = String::new();
        if !reply.corrections.is_empty() {
            let fixes: Vec<String> = reply
                .corrections
                .iter()
                .map(|c| format!("{} → {}", escape(&c.from), escape(&c.to)))
                .collect();
            html.push_str(&format!("<i>{}: {}</i>\n\n", texts.corrected, fixes.join(", ")));
        }
        if let Some(entry) = reply.answer() {
            self.answered.fetch_add(1, Ordering::Relaxed);
            html.push_str(&entry_html(entry, language));
            let mut keyboard = vec![vote_row(entry, language, reply.confidence)];
            keyboard.extend(
                reply
                    .suggestions()
                    .iter()
                    .take(MAX_RELATED)
                    .map(|related| vec![answer_button(related, language)]),
            );
            return with_keyboard(&html, keyboard);
        }
        self.declined.fetch_add(1, Ordering::Relaxed);
        self.log_declined(question, &reply, asker);
        html.push_str(texts.declined);
        let choices: Vec<Vec<Button>> = reply
            .suggestions()
            .iter()
            .take(MAX_DID_YOU_MEAN)
            .map(|candidate| vec![answer_button(candidate, language)])
            .collect();
        if choices.is_empty() {
            html.push_str("\n\n");
            html.push_str(texts.try_topics);
        } else {
            html.push_str(&format!("\n\n<b>{}</b>", texts.did_you_mean));
        }
        with_keyboard(&html, choices)
    }

    fn log_declined(&self, question: &str, reply: &crate::Reply, asker: Asker) {
        let Some(log) = &self.feedback else { return };
        let record = Declined::of(question, reply, log.chat_hash(asker.chat));
        if let Err(error) = log.record_declined(&record) {
            error!(error = %crate::search::store::error_chain(&error), "cannot log a declined question");
        }
    }

    /// A public command. `/ask` and the rest answer in the language of the user's app, or of the question.
    pub fn command(&self, command: Command, language: Language, asker: Asker) -> Vec<Outgoing> {
        match command {
            Command::Start => self.start(language),
            Command::Help => plain(texts(language).help),
            Command::Topics => self.topics(language),
            Command::Rules => self.rules(language),
            Command::Rule(id) if id.trim().is_empty() => plain(texts(language).rule_usage),
            // Ids are kebab-case; `/rule Registration-Free` means the same rule.
            Command::Rule(id) => self.rule(&id.trim().to_ascii_lowercase(), language),
            Command::Ask(question) if question.trim().is_empty() => plain(texts(language).ask_usage),
            Command::Ask(question) => self.question(question.trim(), asker),
        }
    }

    fn start(&self, language: Language) -> Vec<Outgoing> {
        let texts = texts(language);
        let examples = self
            .entries()
            .iter()
            .take(EXAMPLES)
            .map(|entry| vec![self.entry_button(entry, language)])
            .collect();
        with_keyboard(&format!("{}\n\n{}", texts.greeting, texts.examples), examples)
    }

    fn topics(&self, language: Language) -> Vec<Outgoing> {
        with_keyboard(
            texts(language).topics,
            self.entries()
                .iter()
                .map(|entry| vec![self.entry_button(entry, language)])
                .collect(),
        )
    }

    fn rules(&self, language: Language) -> Vec<Outgoing> {
        let engine = self.live.current();
        let mut html = format!("<b>{}</b>\n", texts(language).all_rules);
        for rule in &engine.index().manifest().rules {
            html.push_str(&format!(
                "\n• <b>{}</b> – {}",
                escape(&rule.id),
                escape(rule.statement_in(language.is_chinese()))
            ));
        }
        with_keyboard(&html, Vec::new())
    }

    fn rule(&self, id: &str, language: Language) -> Vec<Outgoing> {
        let engine = self.live.current();
        let texts = texts(language);
        let Some(rule) = engine.rule(id) else {
            return plain(texts.no_such_rule);
        };
        let applies: Vec<String> = rule
            .applies_to
            .iter()
            .map(|kind| {
                serde_json::to_value(kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect();
        let mut html = format!(
            "<b>{}</b>\n{}\n\n{}: {}",
            escape(&rule.id),
            escape(rule.statement_in(language.is_chinese())),
            texts.applies_to,
            escape(&applies.join(", "))
        );
        if let Some(since) = &rule.since {
            html.push_str(&format!(" ({} {})", texts.since, escape(since)));
        }
        html.push_str(&format!("\n<b>{}:</b> {}", texts.source, escape(&rule.source)));
        with_keyboard(&html, Vec::new())
    }

    pub fn unknown_command(&self, language: Language) -> Vec<Outgoing> {
        plain(texts(language).unknown_command)
    }

    pub fn not_text(&self, language: Language) -> Vec<Outgoing> {
        plain(texts(language).not_text)
    }

    /// A button press. `question` is what the user asked, when the pressed message still shows it.
    pub fn press(&self, data: &str, question: Option<&str>, asker: Asker, fallback: Language) -> Pressed {
        let stale = |language: Language| Pressed {
            notice: Some(texts(language).stale_button.to_string()),
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
                let shown = engine.entry_in(&entry, language);
                Pressed {
                    notice: None,
                    messages: with_keyboard(&entry_html(&shown, language), vec![vote_row(&shown, language, 1.0)]),
                }
            }
            Action::Vote { vote, confidence, .. } => {
                if let Some(log) = &self.feedback {
                    let record = VoteRecord {
                        time: jiff::Timestamp::now(),
                        question: question
                            .map(str::to_string)
                            .unwrap_or_else(|| entry.canonical_question(language.is_chinese()).to_string()),
                        entry: entry.id.clone(),
                        confidence: f32::from(confidence) / 100.0,
                        vote,
                        chat: log.chat_hash(asker.chat),
                    };
                    if let Err(error) = log.record_vote(&record) {
                        error!(error = %crate::search::store::error_chain(&error), "cannot log a vote");
                    }
                }
                let texts = texts(language);
                Pressed {
                    notice: Some(
                        match vote {
                            Vote::Up => texts.thanks_up,
                            Vote::Down => texts.thanks_down,
                        }
                        .to_string(),
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
            self.entries()
                .iter()
                .take(MAX_INLINE_RESULTS)
                .map(|entry| engine.entry_in(entry, language))
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
                let summary = html::plain(&html::markdown(&entry.answer));
                InlineAnswer {
                    id: inline_id(&entry.id),
                    title: entry.question.clone(),
                    description: summary.chars().take(120).collect(),
                    html: entry_in_one_message(entry, language),
                }
            })
            .collect()
    }

    /// An admin command. The caller has checked [`Self::is_admin`].
    pub fn admin(&self, command: AdminCommand) -> Vec<Outgoing> {
        match command {
            AdminCommand::Reload => plain(&reload_report(&self.live.reload())),
            AdminCommand::Stats => self.stats(),
            AdminCommand::Unanswered => self.unanswered(),
        }
    }

    fn stats(&self) -> Vec<Outgoing> {
        let mut html = format!(
            "<b>Since start</b>\nanswered {}, declined {}",
            self.answered.load(Ordering::Relaxed),
            self.declined.load(Ordering::Relaxed)
        );
        let Some(log) = &self.feedback else {
            html.push_str("\n\nDeclined questions and votes are not logged in this session.");
            return with_keyboard(&html, Vec::new());
        };
        match feedback::read_declined(log.dir()) {
            Ok(declined) => {
                html.push_str(&format!("\n\n<b>Declined, all time</b>: {}", declined.records.len()));
                let mut counts: HashMap<String, (usize, &str)> = HashMap::new();
                for record in &declined.records {
                    let key = record.question.trim().to_lowercase();
                    counts.entry(key).or_insert((0, &record.question)).0 += 1;
                }
                let mut top: Vec<(usize, &str)> = counts.into_values().collect();
                top.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
                for (count, question) in top.iter().take(TOP_DECLINED) {
                    html.push_str(&format!("\n{count} × {}", escape(question)));
                }
            }
            Err(error) => html.push_str(&format!("\n\n{}", escape(&crate::search::store::error_chain(&error)))),
        }
        match feedback::read_votes(log.dir()) {
            Ok(votes) => {
                let up = votes.records.iter().filter(|v| v.vote == Vote::Up).count();
                let down = votes.records.len() - up;
                html.push_str(&format!("\n\n<b>Votes</b>: 👍 {up}, 👎 {down}"));
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
                    html.push_str(&format!("\n{} 👍 {up} 👎 {down}", escape(entry)));
                }
            }
            Err(error) => html.push_str(&format!("\n\n{}", escape(&crate::search::store::error_chain(&error)))),
        }
        with_keyboard(&html, Vec::new())
    }

    fn unanswered(&self) -> Vec<Outgoing> {
        let Some(log) = &self.feedback else {
            return plain("Declined questions are not logged in this session.");
        };
        let declined = match feedback::read_declined(log.dir()) {
            Ok(declined) => declined,
            Err(error) => return plain(&escape(&crate::search::store::error_chain(&error))),
        };
        if declined.records.is_empty() {
            return plain("No declined questions yet.");
        }
        let mut html = format!("<b>Latest {LATEST_UNANSWERED} declined questions</b>");
        for record in declined.records.iter().rev().take(LATEST_UNANSWERED) {
            html.push_str(&format!(
                "\n\n{}\n<i>{} · nearest {} · confidence {:.2}</i>",
                escape(&record.question),
                record.time.strftime("%Y-%m-%d %H:%M"),
                escape(record.nearest.as_deref().unwrap_or("none")),
                record.confidence
            ));
        }
        with_keyboard(&html, Vec::new())
    }

    fn entries(&self) -> Vec<Entry> {
        self.live.current().index().entries()
    }

    fn find_entry(&self, wanted: &EntryRef) -> Option<Entry> {
        self.entries().into_iter().find(|entry| wanted.matches(&entry.id))
    }

    fn entry_button(&self, entry: &Entry, language: Language) -> Button {
        Button {
            label: entry.canonical_question(language.is_chinese()).to_string(),
            data: Action::answer(&entry.id, language).encode(),
        }
    }
}

/// What admins are told after a reload, as HTML.
pub fn reload_report(outcome: &Reloaded) -> String {
    match outcome {
        Reloaded::Swapped(reason) => format!("Reloaded: a new index is serving ({}).", escape(&reason.to_string())),
        Reloaded::Unchanged => "faq/ has not changed; the index serving is up to date.".to_string(),
        Reloaded::KeptLastGood { why, problems } => {
            let mut html = format!(
                "⚠️ <b>faq/ could not be loaded</b>: {}. The last good index keeps serving.",
                escape(why)
            );
            for problem in problems.errors().take(10) {
                html.push_str(&format!("\n• {}", escape(&problem.to_string())));
            }
            html
        }
        Reloaded::Failed(error) => format!(
            "⚠️ <b>Reload failed</b>: {}. The last good index keeps serving.",
            escape(&crate::search::store::error_chain(error))
        ),
    }
}

/// An entry's answer, its rules and its source.
fn entry_html(entry: &ReplyEntry, language: Language) -> String {
    format!("{}\n\n{}", entry_body(entry), entry_citation(entry, language))
}

/// An entry in one message however long its answer: the answer is cut, never its rules and source.
fn entry_in_one_message(entry: &ReplyEntry, language: Language) -> String {
    let whole = entry_html(entry, language);
    if whole.encode_utf16().count() <= MAX_MESSAGE_LEN {
        return whole;
    }
    let citation = entry_citation(entry, language);
    let room = MAX_MESSAGE_LEN.saturating_sub(citation.encode_utf16().count() + "…\n\n".len());
    let first_part = html::split(&entry_body(entry), room)
        .into_iter()
        .next()
        .unwrap_or_default();
    format!("{first_part}…\n\n{citation}")
}

/// The question and its answer.
fn entry_body(entry: &ReplyEntry) -> String {
    format!(
        "<b>{}</b>\n\n{}",
        escape(&entry.question),
        html::markdown(&entry.answer)
    )
}

/// The rules the answer cites, and its source.
fn entry_citation(entry: &ReplyEntry, language: Language) -> String {
    let texts: &Texts = texts(language);
    let mut html = String::new();
    if !entry.rules.is_empty() {
        html.push_str(&format!("<b>{}</b>", texts.rules));
        for rule in &entry.rules {
            html.push_str(&format!(
                "\n• <b>{}</b> – {}",
                escape(&rule.id),
                escape(rule.statement_in(language.is_chinese()))
            ));
        }
        html.push_str("\n\n");
    }
    html.push_str(&format!("<b>{}:</b> {}", texts.source, escape(&entry.source)));
    html
}

fn vote_row(entry: &ReplyEntry, language: Language, confidence: f32) -> Vec<Button> {
    let texts = texts(language);
    vec![
        Button {
            label: texts.vote_up.to_string(),
            data: Action::vote(Vote::Up, &entry.id, language, confidence).encode(),
        },
        Button {
            label: texts.vote_down.to_string(),
            data: Action::vote(Vote::Down, &entry.id, language, confidence).encode(),
        },
    ]
}

fn answer_button(entry: &ReplyEntry, language: Language) -> Button {
    Button {
        label: entry.question.clone(),
        data: Action::answer(&entry.id, language).encode(),
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

/// Splits the HTML into messages; the buttons go under the last one.
fn with_keyboard(html: &str, keyboard: Vec<Vec<Button>>) -> Vec<Outgoing> {
    let mut messages: Vec<Outgoing> = html::split(html, MAX_MESSAGE_LEN)
        .into_iter()
        .map(|html| Outgoing {
            html,
            keyboard: Vec::new(),
        })
        .collect();
    match messages.last_mut() {
        Some(last) => last.keyboard = keyboard,
        None if !keyboard.is_empty() => messages.push(Outgoing {
            html: String::new(),
            keyboard,
        }),
        None => {}
    }
    messages
}

fn plain(html: &str) -> Vec<Outgoing> {
    with_keyboard(html, Vec::new())
}

fn log_engine_error(error: &IndexError) {
    warn!(error = %crate::search::store::error_chain(error), "the engine could not answer");
}

fn trouble(error: &IndexError, language: Language) -> Vec<Outgoing> {
    log_engine_error(error);
    plain(texts(language).trouble)
}
