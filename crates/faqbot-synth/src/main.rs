//! `faqbot-synth`: the benchmarks' tools, kept out of the shipped binary: a synthetic knowledge base of any size
//! (with a question set) and the warm latency of the engine on a question set.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use faqbot::answer::Calibration;
use faqbot::answer::DEFAULT_THRESHOLD;
use faqbot::eval;
use faqbot::search::open_or_build;
use faqbot::{Ask, Engine};
use serde::Serialize;

/// Tools for faqbot's benchmarks: synthetic knowledge bases and warm latency.
#[derive(Debug, Parser)]
#[command(name = "faqbot-synth", version, about, max_term_width = 100)]
enum Command {
    /// Write a synthetic knowledge base (and optionally a question set) in the faq/ format
    Generate(GenerateArgs),
    /// Answer every question of a JSON Lines file in one warm process and print latency percentiles as JSON
    Latency(LatencyArgs),
    /// Print the seed the benchmarks use unless told otherwise
    Seed,
}

fn main() -> ExitCode {
    let outcome = match Command::parse() {
        Command::Generate(args) => generate(args),
        Command::Latency(args) => latency(args),
        Command::Seed => {
            println!("{}", faqbot_synth::DEFAULT_SEED);
            Ok(ExitCode::SUCCESS)
        }
    };
    outcome.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::from(2)
    })
}

#[derive(Debug, clap::Args)]
struct GenerateArgs {
    /// How many entries to write (at most 500,000)
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=faqbot_synth::MAX_ENTRIES as u64))]
    entries: usize,
    /// The folder to write the knowledge base into; must be new or empty
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Also write questions with their expected entries here (JSON Lines, as tests/eval/questions.jsonl)
    #[arg(long, value_name = "FILE")]
    questions: Option<PathBuf>,
    /// How many questions to write with --questions
    #[arg(long, value_name = "N", default_value_t = faqbot_synth::DEFAULT_QUESTIONS)]
    question_count: usize,
    /// The seed: the same seed always writes the same bytes
    #[arg(long, value_name = "S", default_value_t = faqbot_synth::DEFAULT_SEED)]
    seed: u64,
}

#[derive(Debug, clap::Args)]
struct LatencyArgs {
    /// The knowledge base folder
    #[arg(long, value_name = "DIR", default_value = "faq")]
    faq: PathBuf,
    /// The index folder, built from --faq when missing or stale
    #[arg(long, value_name = "DIR", default_value = "index")]
    index: PathBuf,
    /// JSON Lines of {"q": question, "expect": [entry ids]}; an empty expect means the question should be declined
    #[arg(long, value_name = "FILE")]
    questions: PathBuf,
    /// Questions answered untimed first (cycling through the file), so that caches are warm as in a running bot
    #[arg(long, value_name = "K", default_value_t = 1_000)]
    warmup: usize,
}

fn generate(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let corpus = faqbot_synth::generate(args.entries, args.seed);
    corpus
        .write_faq(&args.out)
        .with_context(|| format!("cannot generate the knowledge base in {}", args.out.display()))?;
    let questions: usize = corpus.entries.iter().map(|e| e.questions.len()).sum();
    let chinese = corpus.entries.iter().filter(|e| e.answer_zh.is_some()).count();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Wrote {} entries ({questions} questions, {chinese} with a Chinese answer) and {} rules to {} (seed {})",
        corpus.entries.len(),
        corpus.rules.len(),
        args.out.display(),
        args.seed
    )?;
    if let Some(path) = &args.questions {
        let cases = corpus.questions(args.question_count, args.seed);
        faqbot_synth::write_questions(path, &cases).context("cannot write the question set")?;
        let declines = cases.iter().filter(|c| c.expect.is_empty()).count();
        writeln!(
            out,
            "Wrote {} questions ({declines} expecting a decline) to {}",
            cases.len(),
            path.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// What `faqbot-synth latency` prints. Times are per question, in microseconds.
#[derive(Debug, Serialize)]
struct LatencyReport {
    faq: PathBuf,
    entries: usize,
    questions: usize,
    warmup: usize,
    open_ms: f64,
    p50_us: f64,
    p90_us: f64,
    p99_us: f64,
    max_us: f64,
    mean_us: f64,
    /// Share of all questions answered rather than declined.
    answered_rate: f64,
    /// Top-1 accuracy on the questions that expect an entry, at the engine's threshold.
    accuracy: f64,
    /// Share of the questions that expect a decline that were declined.
    decline_rate: f64,
    /// Resident memory right after opening the index, before any question: the engine at rest.
    rss_after_open_kib: Option<u64>,
    /// Resident memory after the last question: an engine that has answered (dictionaries loaded), now idle.
    rss_after_run_kib: Option<u64>,
    /// Peak resident memory of the whole run (VmHWM).
    peak_rss_kib: Option<u64>,
}

fn latency(args: LatencyArgs) -> anyhow::Result<ExitCode> {
    let cases = eval::read_cases(&args.questions)?;
    let opening = Instant::now();
    let opened = open_or_build(&args.faq, &args.index, false).with_context(|| {
        format!(
            "cannot open an index of {} in {}",
            args.faq.display(),
            args.index.display()
        )
    })?;
    let engine = Engine::new(opened.index, DEFAULT_THRESHOLD);
    let open_ms = opening.elapsed().as_secs_f64() * 1e3;
    let rss_after_open_kib = proc_status_kib("VmRSS");
    for case in cases.iter().cycle().take(args.warmup) {
        engine.ask(&case.q, Ask::default())?;
    }
    let mut times = Vec::with_capacity(cases.len());
    let mut answered = 0;
    for case in &cases {
        let started = Instant::now();
        let reply = engine.ask(&case.q, Ask::default())?;
        times.push(started.elapsed());
        answered += usize::from(reply.answered);
    }
    let outcomes = eval::run(&engine, &cases)?;
    let score = eval::score(&engine, &outcomes, Calibration::shipped(), engine.threshold());
    let stats = Percentiles::of(times);
    let report = LatencyReport {
        faq: args.faq.clone(),
        entries: engine.index().manifest().entries,
        questions: cases.len(),
        warmup: args.warmup,
        open_ms,
        p50_us: stats.at(0.50),
        p90_us: stats.at(0.90),
        p99_us: stats.at(0.99),
        max_us: stats.at(1.0),
        mean_us: stats.mean(),
        answered_rate: answered as f64 / cases.len() as f64,
        accuracy: score.accuracy(),
        decline_rate: score.decline_rate(),
        rss_after_open_kib,
        rss_after_run_kib: proc_status_kib("VmRSS"),
        peak_rss_kib: proc_status_kib("VmHWM"),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &report)?;
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// Sorted durations, read by nearest rank.
struct Percentiles(Vec<Duration>);

impl Percentiles {
    fn of(mut times: Vec<Duration>) -> Self {
        times.sort_unstable();
        Self(times)
    }

    /// The `fraction` quantile in microseconds (nearest rank: the smallest time at or above that share).
    fn at(&self, fraction: f64) -> f64 {
        let rank = (fraction * self.0.len() as f64).ceil() as usize;
        self.0
            .get(rank.saturating_sub(1))
            .map_or(0.0, |t| t.as_secs_f64() * 1e6)
    }

    fn mean(&self) -> f64 {
        if self.0.is_empty() {
            return 0.0;
        }
        self.0.iter().sum::<Duration>().as_secs_f64() * 1e6 / self.0.len() as f64
    }
}

/// A memory figure from /proc/self/status in KiB; `None` where there is no procfs.
fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let value = line.strip_prefix(field)?.strip_prefix(':')?;
        value.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let stats = Percentiles::of((1..=100).rev().map(Duration::from_micros).collect());
        assert_eq!(stats.at(0.50), 50.0);
        assert_eq!(stats.at(0.99), 99.0);
        assert_eq!(stats.at(1.0), 100.0);
        assert!((stats.mean() - 50.5).abs() < 1e-9);
        assert_eq!(Percentiles::of(vec![]).at(0.5), 0.0);
    }

    #[test]
    fn reads_memory_from_proc_status() {
        if std::path::Path::new("/proc/self/status").exists() {
            assert!(proc_status_kib("VmHWM").is_some_and(|kib| kib > 0));
        }
        assert_eq!(proc_status_kib("NoSuchField"), None);
    }
}
