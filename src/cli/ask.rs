//! `faqbot ask`: one question from the arguments, or one per line from standard input, answered as text or JSON.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use faqbot::feedback::{Declined, FeedbackLog};
use faqbot::{Ask, Engine};

use super::{EXIT_OK, Settings, render};

#[derive(Debug, clap::Args)]
pub struct AskArgs {
    /// The question (quotes optional). Without it, questions are read from standard input, one per line
    question: Vec<String>,
    /// Print JSON (JSON Lines when reading standard input)
    #[arg(long)]
    json: bool,
    /// How many entries to return: the answer and its runners-up, or the suggestions
    #[arg(long, value_name = "N", default_value_t = faqbot::answer::DEFAULT_RESULTS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=50))]
    top: usize,
    /// Show why the entry won: matched terms per field, scores, the gap to the runner-up
    #[arg(long)]
    explain: bool,
    /// Append declined questions to declined.jsonl in the data dir, as the bot does, for `faqbot review`
    #[arg(long)]
    log: bool,
}

/// The chat that `ask --log` records questions from, as the bot records a Telegram chat (salted and hashed).
const COMMAND_LINE_CHAT: i64 = 0;

pub fn run(settings: &Settings, args: AskArgs) -> anyhow::Result<ExitCode> {
    let engine = settings.open_engine()?;
    let log = args.log.then(|| FeedbackLog::open(&settings.data_dir)).transpose()?;
    let asked = Asked {
        engine: &engine,
        log: log.as_ref(),
    };
    let options = Ask {
        results: args.top,
        explain: args.explain,
    };
    // JSON never carries styles, so it skips anstream's scan for escape codes.
    let mut out: Box<dyn Write> = if args.json {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(anstream::stdout().lock())
    };
    if !args.question.is_empty() {
        asked.answer(&args.question.join(" "), options, args.json, &mut out)?;
        return Ok(ExitCode::from(EXIT_OK));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type a question and press Enter; Ctrl-D to finish.");
    }
    let mut input = stdin.lock();
    let mut line = Vec::new();
    for number in 1.. {
        line.clear();
        let read = (&mut input)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read question {number} from standard input"))?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_LINE_BYTES && !line.ends_with(b"\n") {
            // Memory stays bounded: the rest of the line is read and dropped, and the start is answered.
            line.truncate(MAX_LINE_BYTES);
            skip_rest_of_line(&mut input)
                .with_context(|| format!("cannot read question {number} from standard input"))?;
            eprintln!(
                "warning: question {number} is longer than {} KiB; only its start was read",
                MAX_LINE_BYTES / 1024
            );
        }
        if !args.json && number > 1 {
            writeln!(out, "{}", "─".repeat(40))?;
        }
        // One badly encoded line gets its reply like any other rather than ending the batch.
        let question = String::from_utf8_lossy(&line);
        asked.answer(question.trim_end_matches(['\n', '\r']), options, args.json, &mut out)?;
        out.flush()?;
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// The longest question line read from standard input; a question is a sentence or two.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

fn skip_rest_of_line(input: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        match buffer.iter().position(|&b| b == b'\n') {
            Some(end) => {
                input.consume(end + 1);
                return Ok(());
            }
            None => {
                let length = buffer.len();
                input.consume(length);
            }
        }
    }
}

/// The engine, and the log that declined questions go to (with `--log`).
struct Asked<'a> {
    engine: &'a Engine,
    log: Option<&'a FeedbackLog>,
}

impl Asked<'_> {
    fn answer(&self, question: &str, options: Ask, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
        let reply = self.engine.ask(question, options)?;
        if let Some(log) = self.log
            && reply.answer().is_none()
            && !question.trim().is_empty()
        {
            // As in the bot, a failed write is logged and never stops an answer.
            let record = Declined::of(question.trim(), &reply, log.chat_hash(COMMAND_LINE_CHAT));
            if let Err(error) = log.record_declined(&record) {
                tracing::error!(error = %faqbot::error_chain::error_chain(&error), "the declined question was not logged");
            }
        }
        print(&reply, json, out)
    }
}

fn print(reply: &faqbot::Reply, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, reply)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", render::reply(reply))?;
    }
    Ok(())
}
