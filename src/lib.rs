//! faqbot: answers questions about WeChat Official Accounts from a curated knowledge base, citing the rules behind every answer.
//!
//! `faq` loads and validates the knowledge base, `search` indexes it with tantivy, `answer` turns a
//! question into a [`answer::Reply`]; the binary's CLI (and later the Telegram bot) only present replies.

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

pub use answer::{Ask, Engine, Reply};
