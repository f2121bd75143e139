//! Measuring answer quality: top-1 accuracy on answerable questions, decline rate on the ones that must be declined,
//! precision when answering, multi-part completeness, all per class of question, with every miss and the
//! confusions (which entry wins wrongly, how often); and fitting the confidence calibration on a development set.
//!
//! Each message is analysed once; a threshold or a calibration is then only a decision over the same analysis, so
//! the sweep over thresholds and the fit cost no retrieval.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::answer::{Analysis, Calibration, Engine, Signals};
use crate::search::IndexError;

/// How many entries are ranked per question for MRR.
const RANKED: usize = 10;
/// Precision when answering that the fitted threshold must reach on the set it is fitted on.
pub const TARGET_PRECISION: f64 = 0.97;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub q: String,
    /// Acceptable entry ids for the (first) answer; empty when the bot must decline.
    pub expect: Vec<String>,
    /// What kind of message it is ("long", "typo", "zh-hant", "multipart", "decline"…), for figures per class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// For a message that asks several things: the acceptable ids of each part, empty for a part to decline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<Vec<String>>>,
    #[serde(skip)]
    pub line: usize,
}

impl Case {
    /// A question with the entries that answer it (none: it must be declined), of no class.
    pub fn new(q: String, expect: Vec<String>) -> Self {
        Self {
            q,
            expect,
            class: None,
            lang: None,
            parts: None,
            line: 0,
        }
    }

    pub fn class(&self) -> &str {
        self.class.as_deref().unwrap_or("unclassed")
    }
}

#[derive(Debug, Error)]
pub enum EvalError {
    #[error("{}: cannot read the evaluation file", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: not an evaluation line ({message}); expected {{\"q\": \"question\", \"expect\": [\"entry-id\"]}} with optional \"class\", \"lang\" and \"parts\"", .path.display())]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{}:{line}: expects entry `{id}`, which is not in the knowledge base: fix the id or add the entry", .path.display())]
    UnknownEntry { path: PathBuf, line: usize, id: String },
    #[error("{}: no questions", .path.display())]
    Empty { path: PathBuf },
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Reads a JSON Lines evaluation file; blank lines are skipped.
pub fn read_cases(path: &Path) -> Result<Vec<Case>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut cases = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut case: Case = serde_json::from_str(line).map_err(|e| EvalError::Line {
            path: path.to_path_buf(),
            line: number + 1,
            message: e.to_string(),
        })?;
        case.line = number + 1;
        cases.push(case);
    }
    if cases.is_empty() {
        return Err(EvalError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(cases)
}

/// Refuses a set that expects an entry the knowledge base does not have: that is a broken set, not a miss.
pub fn check_ids(path: &Path, cases: &[Case], known: &HashSet<String>) -> Result<(), EvalError> {
    for case in cases {
        let parts = case.parts.iter().flatten().flatten();
        if let Some(id) = case.expect.iter().chain(parts).find(|id| !known.contains(*id)) {
            return Err(EvalError::UnknownEntry {
                path: path.to_path_buf(),
                line: case.line,
                id: id.clone(),
            });
        }
    }
    Ok(())
}

/// What the engine found for one message, independent of threshold and calibration.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub case: Case,
    pub analysis: Analysis,
}

pub fn run(engine: &Engine, cases: &[Case]) -> Result<Vec<Outcome>, EvalError> {
    cases
        .iter()
        .map(|case| {
            Ok(Outcome {
                case: case.clone(),
                analysis: engine.analyze(&case.q, RANKED)?,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub line: usize,
    pub class: String,
    pub question: String,
    pub expected: Vec<String>,
    /// The entries answered with (one per answered part), empty when declined.
    pub answered: Vec<String>,
    pub confidence: f32,
}

/// Counts for one class of questions, or for all of them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Figures {
    pub answerable: usize,
    pub correct: usize,
    /// Top-1 accuracy on answerable questions: answered with an expected entry.
    pub accuracy: f64,
    pub out_of_domain: usize,
    pub declined: usize,
    /// Share of must-decline questions declined.
    pub decline_rate: f64,
    /// Messages answered, and of them answered right: precision when answering.
    pub answered: usize,
    pub answered_right: usize,
    pub precision: f64,
    /// Multi-part messages, and of them those with every answerable part answered and nothing answered wrongly.
    pub multipart: usize,
    pub multipart_complete: usize,
    pub multipart_rate: f64,
}

impl Figures {
    /// Adds another set's counts (the rates are made again by `finish`).
    fn add(&mut self, other: &Figures) {
        self.answerable += other.answerable;
        self.correct += other.correct;
        self.out_of_domain += other.out_of_domain;
        self.declined += other.declined;
        self.answered += other.answered;
        self.answered_right += other.answered_right;
        self.multipart += other.multipart;
        self.multipart_complete += other.multipart_complete;
    }

    fn finish(&mut self) {
        let ratio = |part: usize, whole: usize| if whole == 0 { 1.0 } else { part as f64 / whole as f64 };
        self.accuracy = ratio(self.correct, self.answerable);
        self.decline_rate = ratio(self.declined, self.out_of_domain);
        self.precision = ratio(self.answered_right, self.answered);
        self.multipart_rate = ratio(self.multipart_complete, self.multipart);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub threshold: f32,
    pub overall: Figures,
    pub classes: BTreeMap<String, Figures>,
    /// Mean reciprocal rank of the first expected entry among those ranked for the first question, threshold aside.
    pub mrr: f64,
    pub misses: Vec<Miss>,
    /// (expected, answered) pairs of wrong answers, most frequent first; expected is "(decline)" for a must-decline.
    pub confusions: Vec<Confusion>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    pub expected: String,
    pub answered: String,
    pub count: usize,
}

impl Report {
    pub fn accuracy(&self) -> f64 {
        self.overall.accuracy
    }

    pub fn decline_rate(&self) -> f64 {
        self.overall.decline_rate
    }
}

pub fn score(engine: &Engine, outcomes: &[Outcome], calibration: &Calibration, threshold: f32) -> Report {
    let mut overall = Figures::default();
    let mut classes: BTreeMap<String, Figures> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut confusions: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut reciprocal_ranks = 0.0;
    for outcome in outcomes {
        let case = &outcome.case;
        let reply = engine.decide(&outcome.analysis, calibration, threshold, false);
        let answered: Vec<String> = reply
            .each_part()
            .iter()
            .filter_map(|part| part.answer().map(|a| a.id.clone()))
            .collect();
        let first = answered.first();
        let acceptable: HashSet<&String> = case
            .expect
            .iter()
            .chain(case.parts.iter().flatten().flatten())
            .collect();
        let tally = |figures: &mut Figures| {
            let correct = if case.expect.is_empty() {
                figures.out_of_domain += 1;
                figures.declined += usize::from(first.is_none());
                first.is_none()
            } else {
                figures.answerable += 1;
                let correct = first.is_some_and(|id| case.expect.contains(id));
                figures.correct += usize::from(correct);
                correct
            };
            if !answered.is_empty() {
                figures.answered += 1;
                figures.answered_right += usize::from(answered.iter().all(|id| acceptable.contains(id)));
            }
            if let Some(parts) = &case.parts {
                figures.multipart += 1;
                let every_part = parts
                    .iter()
                    .filter(|ids| !ids.is_empty())
                    .all(|ids| ids.iter().any(|id| answered.contains(id)));
                let none_wrong = answered.iter().all(|id| acceptable.contains(id));
                figures.multipart_complete += usize::from(every_part && none_wrong);
            }
            correct
        };
        let correct = tally(&mut overall);
        tally(classes.entry(case.class().to_string()).or_default());
        if !case.expect.is_empty() {
            let ranked = outcome.analysis.parts.first().map(|p| &p.retrieval.candidates);
            if let Some(rank) = ranked.and_then(|r| r.iter().position(|c| case.expect.contains(&c.entry.id))) {
                reciprocal_ranks += 1.0 / (rank + 1) as f64;
            }
        }
        let wrong: Vec<&String> = answered.iter().filter(|id| !acceptable.contains(id)).collect();
        for id in &wrong {
            let expected = case.expect.first().cloned().unwrap_or_else(|| "(decline)".to_string());
            *confusions.entry((expected, (*id).clone())).or_default() += 1;
        }
        if !correct || !wrong.is_empty() {
            misses.push(Miss {
                line: case.line,
                class: case.class().to_string(),
                question: case.q.clone(),
                expected: case.expect.clone(),
                answered,
                confidence: reply.confidence,
            });
        }
    }
    overall.finish();
    for figures in classes.values_mut() {
        figures.finish();
    }
    let mut confusions: Vec<Confusion> = confusions
        .into_iter()
        .map(|((expected, answered), count)| Confusion {
            expected,
            answered,
            count,
        })
        .collect();
    confusions.sort_by_key(|c| std::cmp::Reverse(c.count));
    Report {
        threshold,
        mrr: if overall.answerable == 0 {
            1.0
        } else {
            reciprocal_ranks / overall.answerable as f64
        },
        overall,
        classes,
        misses,
        confusions,
    }
}

/// Reports at thresholds from 0 to 1 in steps of 0.01.
pub fn sweep(engine: &Engine, outcomes: &[Outcome], calibration: &Calibration) -> Vec<Report> {
    (0..=100)
        .map(|step| score(engine, outcomes, calibration, step as f32 / 100.0))
        .collect()
}

/// The threshold that scores best on accuracy plus decline rate plus precision when answering: each of the three
/// is what one kind of user sees (an answer when there is one, "I don't know" when there is none, and answers that
/// can be trusted). The lowest of equally good thresholds, so that as many questions as possible are answered;
/// thresholds that score within one answerable question and one question to decline of the best are equally good,
/// as a difference that small is the set's noise: the folds of a cross-validation pick thresholds spread wider.
///
/// Precision alone is not the target: on a blind set, the threshold that reaches [`TARGET_PRECISION`] declines
/// most answerable questions, because the confident wrong answers that remain are ranking errors between related
/// entries, which no threshold removes.
pub fn best_threshold(sweep: &[Report]) -> Option<f32> {
    let objective = |r: &Report| r.overall.accuracy + r.overall.decline_rate + r.overall.precision;
    // A set with no line of a kind has no question of that kind to be one short of.
    let one_of = |n: usize| if n == 0 { 0.0 } else { 1.0 / n as f64 };
    let one_question = |r: &Report| one_of(r.overall.answerable) + one_of(r.overall.out_of_domain);
    let best = sweep.iter().map(objective).fold(f64::NEG_INFINITY, f64::max);
    sweep
        .iter()
        .find(|r| objective(r) >= best - one_question(r) - 1e-9)
        .map(|r| r.threshold)
}

/// The lowest threshold whose precision when answering reaches [`TARGET_PRECISION`], if any does: what `eval`
/// reports next to the default, so that the cost of that precision is plain.
pub fn precise_threshold(sweep: &[Report]) -> Option<f32> {
    sweep
        .iter()
        .find(|r| r.overall.precision >= TARGET_PRECISION)
        .map(|r| r.threshold)
}

/// One training sample per question whose parts line up with the labels: the best candidate's signals and whether
/// it was right. Small talk has no candidates and is left out. Questions about an out-of-scope topic are decided
/// before any confidence, but they stay in as what they are: near-domain questions the knowledge base does not
/// answer, the negatives the model must learn to doubt when a new neighbouring topic is not listed yet.
pub fn samples(outcomes: &[Outcome]) -> Vec<(Signals, bool)> {
    let mut samples = Vec::new();
    for outcome in outcomes {
        let case = &outcome.case;
        let parts = &outcome.analysis.parts;
        let labels: Vec<&Vec<String>> = match &case.parts {
            Some(expected) if expected.len() == parts.len() => expected.iter().collect(),
            Some(_) => continue,
            None if parts.len() == 1 => vec![&case.expect],
            None => continue,
        };
        for (part, expected) in parts.iter().zip(labels) {
            let Some(best) = part.retrieval.candidates.first() else {
                continue;
            };
            samples.push((part.signals, expected.contains(&best.entry.id)));
        }
    }
    samples
}

/// Fits the calibration on `outcomes` and picks its threshold with [`best_threshold`]. `fitted_on` is completed
/// with the figures of a [`FOLDS`]-fold cross-validation, so that the shipped model records what it does on
/// messages it was not fitted on, next to the in-sample figures `eval` prints.
pub fn fit(engine: &Engine, outcomes: &[Outcome], fitted_on: String) -> Calibration {
    let mut calibration = fit_in_sample(engine, outcomes, fitted_on);
    if let Some(cv) = cross_validate(engine, outcomes, FOLDS) {
        calibration.fitted_on = format!("{}; {}", calibration.fitted_on, cv.summary());
    }
    calibration
}

fn fit_in_sample(engine: &Engine, outcomes: &[Outcome], fitted_on: String) -> Calibration {
    let mut calibration = Calibration::fit(&samples(outcomes), fitted_on);
    let sweep = sweep(engine, outcomes, &calibration);
    if let Some(threshold) = best_threshold(&sweep) {
        calibration.threshold = threshold;
    }
    calibration.later_part_threshold = later_part_threshold(engine, outcomes, &calibration);
    calibration
}

/// The threshold for the questions after the first of a message, from the main threshold up, that scores best on
/// accuracy, decline rate, precision and multi-part completeness together (completeness is what a later question
/// answered or not changes most); the lowest of equally good ones, and none when that is the main threshold.
fn later_part_threshold(engine: &Engine, outcomes: &[Outcome], calibration: &Calibration) -> Option<f32> {
    let objective =
        |r: &Report| r.overall.accuracy + r.overall.decline_rate + r.overall.precision + r.overall.multipart_rate;
    let first = (calibration.threshold * 100.0).round() as usize;
    let scored: Vec<(f32, f64)> = (first..=100)
        .map(|step| {
            let later = step as f32 / 100.0;
            let model = Calibration {
                later_part_threshold: Some(later),
                ..calibration.clone()
            };
            (
                later,
                objective(&score(engine, outcomes, &model, calibration.threshold)),
            )
        })
        .collect();
    let best = scored.iter().map(|(_, o)| *o).fold(f64::NEG_INFINITY, f64::max);
    scored
        .iter()
        .find(|(_, o)| (o - best).abs() < 1e-9)
        .map(|(later, _)| *later)
        .filter(|later| *later > calibration.threshold)
}

/// How many folds the cross-validation of `fit` uses.
pub const FOLDS: usize = 5;

/// What a calibration fitted without a set's messages does on them: every message is scored by a model (and a
/// threshold) fitted on the other folds only. The in-sample figures of the same set flatter the model: they are
/// the figures of a model that has seen the very messages it is scored on.
#[derive(Debug, Clone, Serialize)]
pub struct CrossValidation {
    pub folds: usize,
    pub overall: Figures,
    /// The threshold each fold's model chose on its training folds, and its later-part threshold.
    pub thresholds: Vec<f32>,
    pub later_part_thresholds: Vec<Option<f32>>,
}

impl CrossValidation {
    pub fn summary(&self) -> String {
        let o = &self.overall;
        let thresholds: Vec<String> = self
            .thresholds
            .iter()
            .zip(&self.later_part_thresholds)
            .map(|(t, later)| match later {
                Some(later) => format!("{t:.2}/{later:.2}"),
                None => format!("{t:.2}"),
            })
            .collect();
        format!(
            "{}-fold cross-validated: top-1 {:.3}, decline {:.3}, precision {:.3}, multi-part {:.3} (thresholds, /later parts: {})",
            self.folds,
            o.accuracy,
            o.decline_rate,
            o.precision,
            o.multipart_rate,
            thresholds.join(" ")
        )
    }
}

/// Cross-validates the fit over `folds` folds (message `i` in fold `i % folds`, so that each fold mixes every
/// writer and class of a set written in blocks); `None` for fewer messages than folds.
pub fn cross_validate(engine: &Engine, outcomes: &[Outcome], folds: usize) -> Option<CrossValidation> {
    if folds < 2 || outcomes.len() < folds {
        return None;
    }
    let mut overall = Figures::default();
    let mut thresholds = Vec::new();
    let mut later_part_thresholds = Vec::new();
    for fold in 0..folds {
        let (mut held_out, mut training) = (Vec::new(), Vec::new());
        for (i, outcome) in outcomes.iter().enumerate() {
            if i % folds == fold {
                held_out.push(outcome.clone());
            } else {
                training.push(outcome.clone());
            }
        }
        let model = fit_in_sample(engine, &training, String::new());
        thresholds.push(model.threshold);
        later_part_thresholds.push(model.later_part_threshold);
        overall.add(&score(engine, &held_out, &model, model.threshold).overall);
    }
    overall.finish();
    Some(CrossValidation {
        folds,
        overall,
        thresholds,
        later_part_thresholds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_classes_and_parts_and_reports_the_line_of_a_bad_case() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("q.jsonl");
        std::fs::write(
            &path,
            "{\"q\": \"a\", \"expect\": [], \"class\": \"decline\"}\n\n{\"q\": \"b? c?\", \"expect\": [\"x\"], \"parts\": [[\"x\"], []]}\n{\"q\": 1}\n",
        )
        .expect("write");
        let error = read_cases(&path).expect_err("bad line");
        assert!(
            error.to_string().contains("q.jsonl:4: not an evaluation line"),
            "{error}"
        );
        std::fs::write(
            &path,
            "{\"q\": \"a\", \"expect\": [], \"class\": \"decline\"}\n{\"q\": \"b? c?\", \"expect\": [\"x\"], \"parts\": [[\"x\"], [\"y\"]]}\n",
        )
        .expect("write");
        let cases = read_cases(&path).expect("cases");
        assert_eq!(cases[0].class(), "decline");
        assert_eq!(cases[1].parts.as_ref().map(Vec::len), Some(2));
        let known: HashSet<String> = ["x".to_string()].into();
        let error = check_ids(&path, &cases, &known).expect_err("y is unknown");
        assert!(error.to_string().contains("q.jsonl:2: expects entry `y`"), "{error}");
    }

    fn report(threshold: f32, accuracy: f64, decline_rate: f64, precision: f64) -> Report {
        Report {
            threshold,
            overall: Figures {
                answerable: 400,
                accuracy,
                out_of_domain: 100,
                decline_rate,
                precision,
                ..Figures::default()
            },
            classes: BTreeMap::new(),
            mrr: 0.0,
            misses: Vec::new(),
            confusions: Vec::new(),
        }
    }

    #[test]
    fn folds_add_up_their_counts_and_the_summary_names_the_thresholds() {
        let mut overall = Figures::default();
        for (correct, answerable, answered_right, answered) in [(3, 4, 3, 3), (1, 2, 1, 2)] {
            overall.add(&Figures {
                correct,
                answerable,
                answered_right,
                answered,
                ..Figures::default()
            });
        }
        overall.finish();
        assert_eq!((overall.correct, overall.answerable), (4, 6));
        assert!((overall.precision - 0.8).abs() < 1e-9);
        let cv = CrossValidation {
            folds: 2,
            overall,
            thresholds: vec![0.3, 0.4],
            later_part_thresholds: vec![Some(0.9), None],
        };
        assert_eq!(
            cv.summary(),
            "2-fold cross-validated: top-1 0.667, decline 1.000, precision 0.800, multi-part 1.000 (thresholds, /later parts: 0.30/0.90 0.40)"
        );
    }

    #[test]
    fn the_best_threshold_weighs_answers_declines_and_precision() {
        let sweep = vec![
            report(0.3, 0.95, 0.70, 0.90),
            report(0.4, 0.92, 0.85, 0.96),
            report(0.5, 0.90, 0.86, 0.96),
            report(0.6, 0.80, 0.95, 0.97),
            report(0.7, 0.20, 0.99, 0.99),
        ];
        assert_eq!(best_threshold(&sweep), Some(0.4), "0.4 scores 2.73, the most");
        assert_eq!(precise_threshold(&sweep), Some(0.6));
        assert_eq!(precise_threshold(&sweep[..2]), None);
    }

    #[test]
    fn a_lower_threshold_within_one_question_of_the_best_is_as_good() {
        // One question of 400 answerable and one of 100 to decline: 0.0125.
        let sweep = vec![
            report(0.3, 0.92, 0.80, 0.90),
            report(0.35, 0.92, 0.84, 0.96),
            report(0.4, 0.92, 0.85, 0.96),
        ];
        assert_eq!(
            best_threshold(&sweep),
            Some(0.35),
            "0.35 scores 2.72, within 0.0125 of 2.73"
        );
        let sweep = vec![report(0.35, 0.92, 0.83, 0.96), report(0.4, 0.92, 0.85, 0.96)];
        assert_eq!(
            best_threshold(&sweep),
            Some(0.4),
            "0.35 is 0.02 short, more than one question"
        );
        // With nothing to decline, the decline rate is 1 at every threshold: no tolerance comes from it.
        let none_to_decline = |threshold, accuracy, precision| Report {
            overall: Figures {
                out_of_domain: 0,
                ..report(threshold, accuracy, 1.0, precision).overall
            },
            ..report(threshold, accuracy, 1.0, precision)
        };
        let sweep = vec![none_to_decline(0.0, 0.92, 0.80), none_to_decline(0.4, 0.92, 0.90)];
        assert_eq!(
            best_threshold(&sweep),
            Some(0.4),
            "0.0 is 0.1 short, far more than one question of 400"
        );
    }
}
