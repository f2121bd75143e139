//! faqbot: answers questions about WeChat Official Accounts from a curated knowledge base, citing the rules behind every answer.
//!
//! The module map, from the bottom layer up (nothing points back up; ARCHITECTURE.md explains the why):
//!
//! | module | what it is |
//! |---|---|
//! | [`faq`] | The knowledge base in `faq/`: entries, rules, synonyms and out-of-scope topics, loaded and validated into problems with a path and line. |
//! | [`lang`] | Which language a question is in. |
//! | [`search`] | Text normalisation, the tantivy indexes of `faq/`, the scoring data compiled from them at open, the entry records (held, or read from the store for a large knowledge base), retrieval as a pipeline (words and typos, concepts and synonyms, exact ranking with bounds, semantic reordering from embeddings stored in the index, coverage), which out-of-scope topic a question names (and the check that a term names only its topic), and `index/` as a cache with atomic generation swaps. |
//! | [`answer`] | The [`Engine`]: a message becomes a [`Reply`] (answer, calibrated confidence, cited rules, suggestions; one per part of a message that asks several things; an out-of-scope pointer; small talk) or a decline. |
//! | [`live`] | An engine that follows `faq/`: rebuilds aside and swaps in, for the bot, `faqbot chat` and `faqbot serve`. |
//! | [`present`] | How faqbot says things: the interface texts (English and Chinese), the Markdown walker, the reply layout, and a sink per output format (Telegram HTML, terminal ANSI, plain text, a web page's HTML). |
//! | [`telegram`] | The bot: the conversation core shared with `faqbot chat` and the web channels (with its buttons by number, for the frontends that have none), the teloxide handlers, running it. |
//! | [`web`] | The web channel (`faqbot serve`): the JSON API, the chat page and the embeddable widget, and the WeChat Official Account channel (`web::wechat`: signatures, safe mode's AES, the XML, plain-text replies), on the same conversation core. |
//! | [`curate`] | Changing `faq/` safely: new entries and phrasings, review of what users asked, stale entries, export and import. |
//! | [`feedback`] | The logs of declined questions and votes that curation reads. |
//! | [`eval`] | Answer quality on a question set, per class: accuracy, decline rate, precision, multi-part completeness, confusions, the threshold sweep and the calibration fit. |
//! | [`settings`] | `faqbot.toml`, environment and flags. |
//! | [`error_chain`], [`digest`] | Small shared helpers: an error with its causes on one line; short SHA-256 hex digests. |
//!
//! The `faqbot` binary (`src/main.rs`, `src/cli/`) parses arguments and presents what these return; the
//! benchmark tooling lives outside it, in `crates/faqbot-synth`.

pub mod answer;
pub mod curate;
pub mod digest;
pub mod error_chain;
pub mod eval;
pub mod faq;
pub mod feedback;
pub mod lang;
pub mod live;
pub mod present;
pub mod search;
pub mod settings;
pub mod telegram;
pub mod web;

pub use answer::{Ask, Engine, Reply};
