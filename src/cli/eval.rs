//! `faqbot eval`: answer quality on a question file, every miss listed, with minimums that fail CI and a threshold sweep.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use faqbot::eval::{self, Report};

use super::render::{BOLD, DIM};
use super::{EXIT_OK, EXIT_PROBLEMS, Settings};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// JSON Lines: {"q": "question", "expect": ["entry-id", ...]}; an empty expect means the bot must decline
    file: PathBuf,
    /// Exit 1 when top-1 accuracy on answerable questions is below this (0 to 1)
    #[arg(long, value_name = "RATIO")]
    min_accuracy: Option<f64>,
    /// Exit 1 when the share of out-of-domain questions declined is below this (0 to 1)
    #[arg(long, value_name = "RATIO")]
    min_decline: Option<f64>,
    /// Also print accuracy and decline rate at every threshold and the one that scores best
    #[arg(long)]
    sweep: bool,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(settings: &Settings, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let cases = eval::read_cases(&args.file)?;
    let engine = settings.open_engine()?;
    let outcomes = eval::run(&engine, &cases)?;
    let report = eval::score(&outcomes, engine.threshold());
    let sweep = args.sweep.then(|| eval::sweep(&outcomes));
    let mut out = anstream::stdout().lock();
    if args.json {
        let best = sweep.as_deref().and_then(eval::best_threshold);
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({ "report": report, "sweep": sweep, "best_threshold": best }),
        )?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report)?;
        if let Some(sweep) = &sweep {
            print_sweep(&mut out, sweep)?;
        }
    }
    let below_accuracy = args.min_accuracy.is_some_and(|min| report.accuracy < min);
    let below_decline = args.min_decline.is_some_and(|min| report.decline_rate < min);
    if below_accuracy {
        eprintln!(
            "accuracy {:.3} is below the minimum {:.3}",
            report.accuracy,
            args.min_accuracy.unwrap_or_default()
        );
    }
    if below_decline {
        eprintln!(
            "decline rate {:.3} is below the minimum {:.3}",
            report.decline_rate,
            args.min_decline.unwrap_or_default()
        );
    }
    Ok(ExitCode::from(if below_accuracy || below_decline {
        EXIT_PROBLEMS
    } else {
        EXIT_OK
    }))
}

fn print_report(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for miss in &report.misses {
        let got = miss.answered.as_deref().unwrap_or("(declined)");
        let expected = if miss.expected.is_empty() {
            "(decline)".to_string()
        } else {
            miss.expected.join(" | ")
        };
        writeln!(
            out,
            "miss  line {:<4} expected {expected}, got {got} at {:.2}: {}",
            miss.line, miss.confidence, miss.question
        )?;
    }
    if !report.misses.is_empty() {
        writeln!(out)?;
    }
    writeln!(
        out,
        "{BOLD}top-1 accuracy{BOLD:#}  {:.3}  ({}/{} answerable)",
        report.accuracy, report.correct, report.answerable
    )?;
    writeln!(
        out,
        "{BOLD}decline rate{BOLD:#}    {:.3}  ({}/{} out of domain)",
        report.decline_rate, report.declined, report.out_of_domain
    )?;
    writeln!(out, "{BOLD}MRR{BOLD:#}             {:.3}", report.mrr)?;
    writeln!(out, "{DIM}threshold {:.2}{DIM:#}", report.threshold)
}

fn print_sweep(out: &mut impl Write, sweep: &[Report]) -> std::io::Result<()> {
    writeln!(out, "\nthreshold  accuracy  decline")?;
    for report in sweep.iter().step_by(5) {
        writeln!(
            out,
            "     {:.2}     {:.3}    {:.3}",
            report.threshold, report.accuracy, report.decline_rate
        )?;
    }
    if let Some(best) = eval::best_threshold(sweep) {
        let at = &sweep[(best * 100.0).round() as usize];
        writeln!(
            out,
            "best threshold {best:.2}: accuracy {:.3}, decline rate {:.3}",
            at.accuracy, at.decline_rate
        )?;
    }
    Ok(())
}
