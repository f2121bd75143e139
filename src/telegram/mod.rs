//! The Telegram bot: a conversation core shared with `faqbot chat`, the teloxide handler tree that presents it, and running the bot.

pub mod callback;
pub mod commands;
pub mod conversation;
pub mod handlers;
pub mod html;
pub mod picks;
pub mod redact;
pub mod run;
pub mod token;
pub mod updates;

pub use conversation::{Asker, Button, Conversation, Outgoing, Pressed};
