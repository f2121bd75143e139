//! `faqbot eval`: answer quality on a question file, per class of question, with every miss and the confusions,
//! minimums that fail CI, a threshold sweep, and `--fit` to fit the confidence calibration on a development set.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use faqbot::answer::Calibration;
use faqbot::eval::{self, Figures, Report};

use super::render::{BOLD, DIM};
use super::{EXIT_OK, EXIT_PROBLEMS, Settings};

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// JSON Lines: {"q": "question", "expect": ["entry-id", ...], "class": "...", "parts": [[...], ...]}; an empty
    /// expect means the bot must decline; class and parts are optional
    file: PathBuf,
    /// Exit 1 when top-1 accuracy on answerable questions is below this (0 to 1)
    #[arg(long, value_name = "RATIO")]
    min_accuracy: Option<f64>,
    /// Exit 1 when the share of must-decline questions declined is below this (0 to 1)
    #[arg(long, value_name = "RATIO")]
    min_decline: Option<f64>,
    /// Exit 1 when precision when answering is below this (0 to 1)
    #[arg(long, value_name = "RATIO")]
    min_precision: Option<f64>,
    /// Exit 1 when the share of multi-part messages with every part answered (and none wrongly) is below this
    /// (0 to 1)
    #[arg(long, value_name = "RATIO")]
    min_multipart: Option<f64>,
    /// Also print accuracy, decline rate and precision at every threshold and the one that scores best
    #[arg(long)]
    sweep: bool,
    /// Fit the confidence calibration on this file and print it as JSON (the shipped one is
    /// src/answer/calibration.json); the report is then of the fitted model at its threshold
    #[arg(long)]
    fit: bool,
    /// Score with the calibration in this file (as --fit --write wrote it) at its threshold, instead of the
    /// shipped one: to check a model fitted on one set against another before shipping it
    #[arg(long, value_name = "FILE", conflicts_with = "fit")]
    calibration: Option<PathBuf>,
    /// With --fit: write the calibration to this file instead of printing it
    #[arg(long, value_name = "FILE", requires = "fit")]
    write: Option<PathBuf>,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(settings: &Settings, args: EvalArgs) -> anyhow::Result<ExitCode> {
    let cases = eval::read_cases(&args.file)?;
    let engine = settings.open_engine()?;
    let known: HashSet<String> = engine.index().entry_list().map(|e| e.id.clone()).collect();
    eval::check_ids(&args.file, &cases, &known)?;
    let outcomes = eval::run(&engine, &cases)?;
    let fitted = args.fit.then(|| {
        let today = faqbot::curate::today();
        eval::fit(
            &engine,
            &outcomes,
            format!("{} ({} questions), {today}", args.file.display(), cases.len()),
        )
    });
    let from_file = match &args.calibration {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the calibration", path.display()))?;
            Some(Calibration::from_json(&text).with_context(|| path.display().to_string())?)
        }
        None => None,
    };
    let (calibration, threshold) = match fitted.as_ref().or(from_file.as_ref()) {
        Some(model) => (model, model.threshold),
        None => (Calibration::shipped(), engine.threshold()),
    };
    let report = eval::score(&engine, &outcomes, calibration, threshold);
    let sweep = args.sweep.then(|| eval::sweep(&engine, &outcomes, calibration));
    let mut out = anstream::stdout().lock();
    if let Some(model) = &fitted {
        let json = serde_json::to_string_pretty(model)?;
        match &args.write {
            Some(path) => std::fs::write(path, format!("{json}\n"))
                .with_context(|| format!("{}: cannot write the calibration", path.display()))?,
            None => writeln!(out, "{json}")?,
        }
    }
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
    let mut below = false;
    for (name, minimum, value) in [
        ("accuracy", args.min_accuracy, report.overall.accuracy),
        ("decline rate", args.min_decline, report.overall.decline_rate),
        ("precision", args.min_precision, report.overall.precision),
        (
            "multi-part completeness",
            args.min_multipart,
            report.overall.multipart_rate,
        ),
    ] {
        if let Some(minimum) = minimum.filter(|minimum| value < *minimum) {
            eprintln!("{name} {value:.3} is below the minimum {minimum:.3}");
            below = true;
        }
    }
    Ok(ExitCode::from(if below { EXIT_PROBLEMS } else { EXIT_OK }))
}

fn print_report(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    for miss in &report.misses {
        let got = if miss.answered.is_empty() {
            "(declined)".to_string()
        } else {
            miss.answered.join(" + ")
        };
        let expected = if miss.expected.is_empty() {
            "(decline)".to_string()
        } else {
            miss.expected.join(" | ")
        };
        writeln!(
            out,
            "miss  line {:<4} {:<10} expected {expected}, got {got} at {:.2}: {}",
            miss.line, miss.class, miss.confidence, miss.question
        )?;
    }
    if !report.misses.is_empty() {
        writeln!(out)?;
    }
    if !report.confusions.is_empty() {
        writeln!(out, "{BOLD}confusions{BOLD:#} (expected → answered instead)")?;
        for confusion in report.confusions.iter().take(12) {
            writeln!(
                out,
                "  {:>3} × {} → {}",
                confusion.count, confusion.expected, confusion.answered
            )?;
        }
        writeln!(out)?;
    }
    if report.classes.len() > 1 || !report.classes.contains_key("unclassed") {
        writeln!(
            out,
            "{BOLD}class          n   top-1          decline        precision      parts{BOLD:#}"
        )?;
        for (class, figures) in &report.classes {
            print_row(out, class, figures)?;
        }
        print_row(out, "all", &report.overall)?;
        writeln!(out)?;
    }
    let overall = &report.overall;
    writeln!(
        out,
        "{BOLD}top-1 accuracy{BOLD:#}  {:.3}  ({}/{} answerable)",
        overall.accuracy, overall.correct, overall.answerable
    )?;
    if overall.out_of_domain == 0 {
        writeln!(
            out,
            "{BOLD}decline rate{BOLD:#}    no must-decline questions in this set"
        )?;
    } else {
        writeln!(
            out,
            "{BOLD}decline rate{BOLD:#}    {:.3}  ({}/{} must decline)",
            overall.decline_rate, overall.declined, overall.out_of_domain
        )?;
    }
    writeln!(
        out,
        "{BOLD}precision{BOLD:#}       {:.3}  ({}/{} answered right)",
        overall.precision, overall.answered_right, overall.answered
    )?;
    if overall.multipart > 0 {
        writeln!(
            out,
            "{BOLD}multi-part{BOLD:#}      {:.3}  ({}/{} with every part answered)",
            overall.multipart_rate, overall.multipart_complete, overall.multipart
        )?;
    }
    writeln!(out, "{BOLD}MRR{BOLD:#}             {:.3}", report.mrr)?;
    writeln!(out, "{DIM}threshold {:.2}{DIM:#}", report.threshold)
}

fn print_row(out: &mut impl Write, class: &str, figures: &Figures) -> std::io::Result<()> {
    let cell = |part: usize, whole: usize, rate: f64| {
        if whole == 0 {
            "-".to_string()
        } else {
            format!("{rate:.3} {part:>3}/{whole:<3}")
        }
    };
    let n = figures.answerable + figures.out_of_domain;
    writeln!(
        out,
        "{class:<12} {n:>3}   {:<14} {:<14} {:<14} {}",
        cell(figures.correct, figures.answerable, figures.accuracy),
        cell(figures.declined, figures.out_of_domain, figures.decline_rate),
        cell(figures.answered_right, figures.answered, figures.precision),
        cell(figures.multipart_complete, figures.multipart, figures.multipart_rate),
    )
}

fn print_sweep(out: &mut impl Write, sweep: &[Report]) -> std::io::Result<()> {
    writeln!(out, "\nthreshold  accuracy  decline  precision")?;
    for report in sweep.iter().step_by(5) {
        writeln!(
            out,
            "     {:.2}     {:.3}    {:.3}      {:.3}",
            report.threshold, report.overall.accuracy, report.overall.decline_rate, report.overall.precision
        )?;
    }
    let at = |threshold: f32| &sweep[(threshold * 100.0).round() as usize];
    if let Some(best) = eval::best_threshold(sweep) {
        let at = at(best);
        writeln!(
            out,
            "best threshold {best:.2}: accuracy {:.3}, decline rate {:.3}, precision {:.3}",
            at.overall.accuracy, at.overall.decline_rate, at.overall.precision
        )?;
    }
    match eval::precise_threshold(sweep) {
        Some(precise) => {
            let at = at(precise);
            writeln!(
                out,
                "precision {:.2} first at threshold {precise:.2}: accuracy {:.3}, decline rate {:.3}",
                eval::TARGET_PRECISION,
                at.overall.accuracy,
                at.overall.decline_rate
            )?;
        }
        None => writeln!(
            out,
            "precision {:.2} is reached at no threshold",
            eval::TARGET_PRECISION
        )?,
    }
    Ok(())
}
