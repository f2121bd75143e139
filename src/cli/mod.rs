//! The command line: global options, one module per subcommand, and the shared way of opening the engine and reporting errors.

mod add;
mod add_question;
mod ask;
mod chat;
mod check;
mod curation;
mod docs;
mod eval;
mod export;
mod import;
mod index;
mod list;
mod render;
mod review;
mod search;
mod serve;
mod stale;
mod telegram;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use faqbot::Engine;
use faqbot::answer::DEFAULT_THRESHOLD;
use faqbot::faq::Severity;
use faqbot::search::{Freshness, IndexError, open_or_build};
use faqbot::settings::Config;

/// Exit code for success, including a declined question.
pub const EXIT_OK: u8 = 0;
/// Exit code when the command ran but found problems: faq/ invalid, eval under its minimum.
pub const EXIT_PROBLEMS: u8 = 1;
/// Exit code when the command could not run: missing faq/, unreadable files, bad TOML with no index to fall back on.
pub const EXIT_ERROR: u8 = 2;

/// Answers questions about WeChat Official Accounts from a curated FAQ, citing the account rules behind every answer.
#[derive(Debug, Parser)]
#[command(name = "faqbot", version, about, max_term_width = 100)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    /// The knowledge base folder [default: from faqbot.toml, else ./faq]
    #[arg(long, global = true, env = "FAQBOT_FAQ", value_name = "DIR")]
    faq: Option<PathBuf>,
    /// The index folder, a rebuildable cache of faq/ [default: from faqbot.toml, else ./index]
    #[arg(long, global = true, env = "FAQBOT_INDEX", value_name = "DIR")]
    index: Option<PathBuf>,
    /// Logs of declined questions and votes, and review state [default: from faqbot.toml, else ./data]
    #[arg(long, global = true, env = "FAQBOT_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Decline below this confidence, 0 to 1 [default: from faqbot.toml, else the shipped calibration's]
    #[arg(long, global = true, env = "FAQBOT_THRESHOLD", value_name = "CONFIDENCE", value_parser = parse_threshold)]
    threshold: Option<f32>,
    /// Settings file [default: ./faqbot.toml if it exists]
    #[arg(long, global = true, env = "FAQBOT_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Log more (-v: info, -vv: debug); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour and styles: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorWhen,
}

/// When output is styled, as `--color` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Applies the choice to everything written through anstream (stdout and stderr alike).
    pub fn apply(self) {
        let choice = match self {
            Self::Auto => anstream::ColorChoice::Auto,
            Self::Always => anstream::ColorChoice::Always,
            Self::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
    }

    /// Whether log lines on stderr get colours: never when stderr is a file or a pipe (unless `always`).
    fn for_stderr(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Self::Always => true,
            Self::Never => false,
            Self::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer a question (or one question per line from standard input)
    Ask(ask::AskArgs),
    /// Show the entries that match a query, with scores and highlighted snippets
    Search(search::SearchArgs),
    /// Validate faq/: front matter, ids, rule references, shared questions, empty fields
    Check(check::CheckArgs),
    /// Measure answer quality on a JSON Lines file of questions and expected entries
    Eval(eval::EvalArgs),
    /// Rebuild index/ from faq/ now
    Index(index::IndexArgs),
    /// Add a new entry from flags, or from prompts in a terminal
    Add(add::AddArgs),
    /// Add alternate phrasings to an existing entry, keeping its file's formatting
    AddQuestion(add_question::AddQuestionArgs),
    /// Group declined and down-voted questions and decide what to do with each group
    Review(review::ReviewArgs),
    /// List entries reviewed too long ago or older than a rule they cite
    Stale(stale::StaleArgs),
    /// Write faq/ as JSON Lines (byte-exact) or CSV
    Export(export::ExportArgs),
    /// Add entries from a CSV file or a JSON Lines export, all or nothing
    Import(import::ImportArgs),
    /// Run the Telegram bot (token from TELOXIDE_TOKEN or --token-file)
    #[command(after_help = telegram::ENVIRONMENT_HELP)]
    Telegram(telegram::TelegramArgs),
    /// Talk to the bot in this terminal, no token needed: buttons become numbered choices
    Chat(chat::ChatArgs),
    /// Serve the web channel: a JSON API, a chat page and a widget any site embeds with one script tag
    Serve(serve::ServeArgs),
    /// List the entries (id and canonical question) and the rules, as a table or JSON Lines
    List(list::ListArgs),
    /// Print shell completions: `faqbot completions bash > /etc/bash_completion.d/faqbot`
    Completions(docs::CompletionsArgs),
    /// Print the man page (roff): `faqbot man > faqbot.1`
    Man(docs::ManArgs),
}

fn parse_threshold(text: &str) -> Result<f32, String> {
    let value: f32 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0 and 1"))
    }
}

/// Paths and threshold after flags, environment and faqbot.toml are combined.
pub struct Settings {
    pub faq: PathBuf,
    pub index: PathBuf,
    pub data_dir: PathBuf,
    pub threshold: f32,
}

impl Settings {
    fn resolve(args: &Args) -> anyhow::Result<Self> {
        let config = Config::load(args.config.as_deref())?;
        Ok(Self {
            faq: args.faq.clone().or(config.faq).unwrap_or_else(|| PathBuf::from("faq")),
            index: args
                .index
                .clone()
                .or(config.index)
                .unwrap_or_else(|| PathBuf::from("index")),
            data_dir: args
                .data_dir
                .clone()
                .or(config.data_dir)
                .unwrap_or_else(|| PathBuf::from("data")),
            threshold: args.threshold.or(config.threshold).unwrap_or(DEFAULT_THRESHOLD),
        })
    }

    /// Opens (building or rebuilding as needed) the index and wraps it in an engine, telling the user what happened on stderr.
    pub fn open_engine(&self) -> anyhow::Result<Engine> {
        let opened =
            open_or_build(&self.faq, &self.index, false).map_err(|error| explain_index_error(error, &self.faq))?;
        match &opened.freshness {
            Freshness::Stale(why) => {
                // What keeps faq/ from loading; coverage notices are for `faqbot check`.
                for problem in opened.problems.iter().filter(|p| p.severity != Severity::Notice) {
                    eprintln!("{problem}");
                }
                eprintln!("warning: {why}; answering from the last good index until that is fixed");
            }
            Freshness::Rebuilt(reason) => tracing::info!(%reason, "rebuilt {}", self.index.display()),
            Freshness::Fresh => {}
        }
        Ok(Engine::new(opened.index, self.threshold))
    }

    /// The curation logs in the data dir, for a long-running frontend: one that cannot be opened is logged, and
    /// the frontend answers all the same without logging.
    pub fn feedback_log(&self) -> Option<faqbot::feedback::FeedbackLog> {
        match faqbot::feedback::FeedbackLog::open(&self.data_dir) {
            Ok(log) => Some(log),
            Err(error) => {
                tracing::error!(
                    error = %faqbot::error_chain::error_chain(&error),
                    "declined questions and votes will not be logged; fix --data-dir"
                );
                None
            }
        }
    }
}

/// Prints faq/ problems before the error that summarizes them.
fn explain_index_error(error: IndexError, faq: &Path) -> anyhow::Error {
    if let IndexError::InvalidFaq(problems) = &error {
        for problem in problems.iter().filter(|p| p.severity != Severity::Notice) {
            eprintln!("{problem}");
        }
        return anyhow::Error::new(error).context(format!(
            "cannot build the index: fix the errors in {} listed above",
            faq.display()
        ));
    }
    anyhow::Error::new(error)
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // Generated from the definitions alone: they work anywhere, whatever faqbot.toml says.
    match args.command {
        Command::Completions(command) => return docs::completions(command),
        Command::Man(command) => return docs::man(command),
        _ => {}
    }
    let settings = Settings::resolve(&args).context("cannot read the settings")?;
    match args.command {
        Command::Ask(command) => ask::run(&settings, command),
        Command::Search(command) => search::run(&settings, command),
        Command::Check(command) => check::run(&settings, command),
        Command::Eval(command) => eval::run(&settings, command),
        Command::Index(command) => index::run(&settings, command),
        Command::Add(command) => add::run(&settings, command),
        Command::AddQuestion(command) => add_question::run(&settings, command),
        Command::Review(command) => review::run(&settings, command),
        Command::Stale(command) => stale::run(&settings, command),
        Command::Export(command) => export::run(&settings, command),
        Command::Import(command) => import::run(&settings, command),
        Command::Telegram(command) => telegram::run(&settings, command),
        Command::Chat(command) => chat::run(&settings, command),
        Command::Serve(command) => serve::run(&settings, command),
        Command::List(command) => list::run(&settings, command),
        Command::Completions(command) => docs::completions(command),
        Command::Man(command) => docs::man(command),
    }
}

pub fn init_tracing(verbose: u8, color: ColorWhen) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    use tracing_subscriber::prelude::*;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let output = tracing_subscriber::fmt::layer()
        .with_writer(faqbot::telegram::redact::RedactedStderr)
        .with_ansi(color.for_stderr())
        .with_target(false)
        .with_filter(tracing_subscriber::filter::filter_fn(|metadata| {
            !is_reported_by_the_caller(metadata)
        }));
    tracing_subscriber::registry().with(filter).with(output).init();
}

/// The index store's "the last good index keeps serving" warning (the event with a `why` field): the store
/// also returns it as `Freshness::Stale`, and every caller in the binary reports that itself (`open_engine`'s
/// `warning:` line, `finish`'s error, the live engine's own warning), so the log line would say it twice.
fn is_reported_by_the_caller(metadata: &tracing::Metadata<'_>) -> bool {
    metadata.target() == "faqbot::search::store" && metadata.fields().field("why").is_some()
}

/// Prints the error with its whole chain of causes.
pub fn print_error(error: &anyhow::Error) {
    use std::io::Write;
    // Through the same filter as the logs, so that no secret (the bot token) reaches the terminal.
    let mut stderr = faqbot::telegram::redact::RedactedStderr;
    let mut text = format!("error: {error}\n");
    for cause in error.chain().skip(1) {
        text.push_str(&format!("  caused by: {cause}\n"));
    }
    // One write, so that a secret is never split between two.
    let _ = stderr.write_all(text.as_bytes());
}

/// Whether the error is a reader that stopped reading, however it was written (directly, as JSON, as CSV).
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(BrokenPipe))
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_pipe_is_recognised_through_json_and_csv_writers() {
        struct Closed;
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let json = serde_json::to_writer(Closed, &"text").expect_err("closed");
        assert!(is_broken_pipe(&anyhow::Error::new(json).context("writing")));
        let mut writer = csv::Writer::from_writer(Closed);
        let csv = writer
            .write_record(["a"])
            .and_then(|()| writer.flush().map_err(csv::Error::from))
            .expect_err("closed");
        assert!(is_broken_pipe(&anyhow::Error::new(csv)));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
