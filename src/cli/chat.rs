//! `faqbot chat`: the bot's conversation in a terminal, no token needed; buttons become numbered choices.
//!
//! It runs the same conversation core as `faqbot telegram`, so what it prints is what the bot would send.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use faqbot::feedback::FeedbackLog;
use faqbot::lang::Language;
use faqbot::live::LiveEngine;
use faqbot::telegram::commands::{AdminCommand, Command};
use faqbot::telegram::conversation::reload_report;
use faqbot::telegram::picks::{Pick, Picks, number_rows};
use faqbot::telegram::{Asker, Conversation, Outgoing};
use inquire::ui::{RenderConfig, Styled};
use teloxide::utils::command::BotCommands;

use super::render::{BOLD, DIM, HIGHLIGHT};
use super::{EXIT_OK, Settings};

/// The terminal is one private chat; its user is the operator, who may use the admin commands.
const TERMINAL: Asker = Asker { chat: 0, user: None };

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// Write nothing to the curation logs (by default declined questions and votes go to the data dir, as the bot's do)
    #[arg(long)]
    no_log: bool,
}

/// Lines that end the chat instead of being asked.
const LEAVE: &[&str] = &["quit", "exit", "/quit", "/exit", "退出"];

fn is_leave(line: &str) -> bool {
    let line = line.trim();
    LEAVE.iter().any(|word| line.eq_ignore_ascii_case(word))
}

/// The conversation, and what the user can type next besides a question: the buttons last shown, by number.
struct Session {
    conversation: Conversation,
    picks: Picks,
}

pub fn run(settings: &Settings, args: ChatArgs) -> anyhow::Result<ExitCode> {
    let engine = settings.open_engine()?;
    let live = Arc::new(LiveEngine::new(engine, &settings.faq, &settings.index));
    // Edits to faq/ show up in the next answer, as they do in the bot; problems are printed.
    let _watcher = live
        .watch(|outcome| {
            if outcome.is_problem() {
                eprintln!("\n{}", reload_report(outcome).plain());
            }
        })
        .map_err(|error| tracing::warn!(error = %faqbot::error_chain::error_chain(&error), "faq/ changes will not be picked up"))
        .ok();
    // Declines and votes go to the same logs as the bot's, so that `faqbot review` can be tried without Telegram.
    let feedback = if args.no_log {
        None
    } else {
        Some(FeedbackLog::open(&settings.data_dir)?)
    };
    let mut session = Session {
        conversation: Conversation::new(live, feedback, Default::default()),
        picks: Picks::default(),
    };
    let mut out = anstream::stdout().lock();
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        let greeting = session.conversation.command(Command::Start, Language::En, TERMINAL);
        session.show(&mut out, &greeting)?;
        writeln!(
            out,
            "{DIM}Type a question, a number to press a button, /help for commands; quit, exit or Ctrl-D to leave.{DIM:#}"
        )?;
        // Leaving with Ctrl-D or Esc is not a cancelled question: no `<canceled>` under the prompt.
        let quiet = RenderConfig::default().with_canceled_prompt_indicator(Styled::new(""));
        loop {
            out.flush()?;
            match inquire::Text::new("›").with_render_config(quiet).prompt() {
                Ok(line) if is_leave(&line) => break,
                Ok(line) => session.respond(&mut out, &line)?,
                Err(inquire::InquireError::OperationCanceled | inquire::InquireError::OperationInterrupted) => break,
                Err(error) => return Err(error.into()),
            }
        }
    } else {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            if is_leave(&text) {
                break;
            }
            writeln!(out, "{HIGHLIGHT}› {}{HIGHLIGHT:#}", text.trim_end())?;
            session.respond(&mut out, &text)?;
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

impl Session {
    fn respond(&mut self, out: &mut impl Write, line: &str) -> anyhow::Result<()> {
        let line = line.trim();
        if line.is_empty() {
            return Ok(());
        }
        match self.picks.pick(line) {
            Pick::Press(button) => {
                let pressed = self.picks.press(&self.conversation, &button, TERMINAL);
                if let Some(notice) = &pressed.notice {
                    writeln!(out, "{DIM}({notice}){DIM:#}\n")?;
                }
                if !pressed.messages.is_empty() {
                    self.show(out, &pressed.messages)?;
                }
                return Ok(());
            }
            Pick::OutOfRange(count) => {
                writeln!(out, "{DIM}Pick a number from 1 to {count}.{DIM:#}\n")?;
                return Ok(());
            }
            Pick::Other => {}
        }
        if line.starts_with('/') {
            let messages = if let Ok(command) = Command::parse(line, "") {
                if let Command::Ask(question) = &command {
                    self.picks.asked(question);
                }
                self.conversation.command(command, self.picks.language(), TERMINAL)
            } else if let Ok(command) = AdminCommand::parse(line, "") {
                self.conversation.admin(command)
            } else {
                self.conversation.unknown_command(self.picks.language())
            };
            return self.show(out, &messages);
        }
        self.ask(out, line)
    }

    fn ask(&mut self, out: &mut impl Write, question: &str) -> anyhow::Result<()> {
        self.picks.asked(question);
        let messages = self.conversation.question(question, TERMINAL);
        self.show(out, &messages)
    }

    /// Prints messages as the bot would send them; their buttons, numbered, replace the previous ones.
    fn show(&mut self, out: &mut impl Write, messages: &[Outgoing]) -> anyhow::Result<()> {
        let mut number = 0;
        for message in messages {
            writeln!(out, "{}\n", message.doc.ansi())?;
            for line in number_rows(message, &mut number, |n, label| format!("{BOLD}[{n}]{BOLD:#} {label}")) {
                writeln!(out, "  {line}")?;
            }
            if !message.keyboard.is_empty() {
                writeln!(out)?;
            }
        }
        self.picks.shown(messages);
        Ok(())
    }
}
