//! The bot's commands: the public ones, registered with Telegram from their doc comments, and the admins' ones, never advertised.

use teloxide::utils::command::BotCommands;

/// Commands everyone sees in Telegram's menu; each doc comment is its description there and in /help.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// What I know about, with example questions
    Start,
    /// How to ask me things
    Help,
    /// Every question I can answer
    Topics,
    /// The account rules my answers cite
    Rules,
    /// One account rule: /rule ID
    Rule(String),
    /// Ask a question (in groups): /ask QUESTION
    Ask(String),
}

/// Commands for the user ids in `FAQBOT_ADMINS`. Not registered with Telegram, and to anyone else they are
/// unknown commands like any other.
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum AdminCommand {
    /// Rebuild the index from faq/ now
    Reload,
    /// Answered and declined questions, top declined questions, votes
    Stats,
    /// The latest questions I could not answer
    Unanswered,
}
