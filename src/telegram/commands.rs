//! The bot's commands: the public ones, registered with Telegram's menu, and the admins' ones, never advertised.
//!
//! The enums are what the bot parses; what the commands are called in the menu and in /help is in the text table
//! ([`crate::present::text::CommandText`]), one row per public command.

use teloxide::types::BotCommand;
use teloxide::utils::command::BotCommands;

use crate::present::text::EN;

/// Commands everyone sees in Telegram's menu, in menu order (the rows of [`crate::present::Texts::commands`]).
#[derive(BotCommands, Clone, Debug, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    Start,
    Help,
    Topics,
    Rules,
    /// `/rule ID`
    Rule(String),
    /// `/ask QUESTION`
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

/// Telegram's command menu, with the English descriptions from the text table.
pub fn menu() -> Vec<BotCommand> {
    EN.commands
        .iter()
        .map(|command| BotCommand::new(format!("/{}", command.command), command.menu))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A command added to the enum without its row in the text table (or the reverse) fails here.
    #[test]
    fn every_public_command_has_its_texts() {
        let parsed: Vec<String> = Command::bot_commands()
            .into_iter()
            .map(|command| command.command.trim_start_matches('/').to_string())
            .collect();
        let listed: Vec<String> = menu()
            .into_iter()
            .map(|command| command.command.trim_start_matches('/').to_string())
            .collect();
        assert_eq!(parsed, listed);
    }
}
