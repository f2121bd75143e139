//! Measuring answer quality: top-1 accuracy on answerable questions, decline rate on out-of-domain ones, MRR, and every miss.
//!
//! Each question is retrieved once; a threshold is then only a comparison, so the sweep over
//! thresholds that picks the default costs nothing more.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::answer::{Ask, Engine};
use crate::search::IndexError;

/// How many entries are ranked per question for MRR.
const RANKED: usize = 10;

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub q: String,
    /// Acceptable entry ids; empty when the bot must decline.
    pub expect: Vec<String>,
    #[serde(skip)]
    pub line: usize,
}

#[derive(Debug, Error)]
pub enum EvalError {
    #[error("{}: cannot read the evaluation file", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: not an evaluation line ({message}); expected {{\"q\": \"question\", \"expect\": [\"entry-id\"]}}", .path.display())]
    Line {
        path: PathBuf,
        line: usize,
        message: String,
    },
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

/// What the engine did with one question, independent of the threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub case: Case,
    /// Entry ids, best first.
    pub ranked: Vec<String>,
    pub confidence: f32,
}

impl Outcome {
    fn answered(&self, threshold: f32) -> bool {
        crate::answer::answers(!self.ranked.is_empty(), self.confidence, threshold)
    }
}

pub fn run(engine: &Engine, cases: &[Case]) -> Result<Vec<Outcome>, EvalError> {
    cases
        .iter()
        .map(|case| {
            let reply = engine.ask(
                &case.q,
                Ask {
                    results: RANKED,
                    explain: false,
                },
            )?;
            Ok(Outcome {
                case: case.clone(),
                ranked: reply.results.into_iter().map(|r| r.id).collect(),
                confidence: reply.confidence,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub line: usize,
    pub question: String,
    pub expected: Vec<String>,
    /// The entry answered with, or `None` when declined.
    pub answered: Option<String>,
    pub confidence: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub threshold: f32,
    pub answerable: usize,
    pub correct: usize,
    /// Top-1 accuracy on answerable questions: answered with an expected entry.
    pub accuracy: f64,
    pub out_of_domain: usize,
    pub declined: usize,
    /// Share of out-of-domain questions declined.
    pub decline_rate: f64,
    /// Mean reciprocal rank of the first expected entry among the ranked ones, threshold aside.
    pub mrr: f64,
    pub misses: Vec<Miss>,
}

pub fn score(outcomes: &[Outcome], threshold: f32) -> Report {
    let mut report = Report {
        threshold,
        answerable: 0,
        correct: 0,
        accuracy: 0.0,
        out_of_domain: 0,
        declined: 0,
        decline_rate: 0.0,
        mrr: 0.0,
        misses: Vec::new(),
    };
    let mut reciprocal_ranks = 0.0;
    for outcome in outcomes {
        let answered = outcome.answered(threshold).then(|| outcome.ranked[0].clone());
        let expected = &outcome.case.expect;
        let correct = if expected.is_empty() {
            report.out_of_domain += 1;
            report.declined += usize::from(answered.is_none());
            answered.is_none()
        } else {
            report.answerable += 1;
            if let Some(rank) = outcome.ranked.iter().position(|id| expected.contains(id)) {
                reciprocal_ranks += 1.0 / (rank + 1) as f64;
            }
            let correct = answered.as_ref().is_some_and(|id| expected.contains(id));
            report.correct += usize::from(correct);
            correct
        };
        if !correct {
            report.misses.push(Miss {
                line: outcome.case.line,
                question: outcome.case.q.clone(),
                expected: expected.clone(),
                answered,
                confidence: outcome.confidence,
            });
        }
    }
    let ratio = |part: usize, whole: usize| if whole == 0 { 1.0 } else { part as f64 / whole as f64 };
    report.accuracy = ratio(report.correct, report.answerable);
    report.decline_rate = ratio(report.declined, report.out_of_domain);
    report.mrr = if report.answerable == 0 {
        1.0
    } else {
        reciprocal_ranks / report.answerable as f64
    };
    report
}

/// Accuracy and decline rate at thresholds from 0 to 1 in steps of 0.01.
pub fn sweep(outcomes: &[Outcome]) -> Vec<Report> {
    (0..=100).map(|step| score(outcomes, step as f32 / 100.0)).collect()
}

/// The threshold in the middle of the widest run of thresholds that score best on accuracy plus decline rate:
/// the middle, so that the default is not balanced on the edge of the set it was chosen on.
pub fn best_threshold(sweep: &[Report]) -> Option<f32> {
    let objective = |r: &Report| r.accuracy + r.decline_rate;
    let best = sweep.iter().map(objective).fold(f64::NEG_INFINITY, f64::max);
    let mut widest: Option<(usize, usize)> = None;
    let mut run_start = None;
    for (i, report) in sweep.iter().enumerate() {
        let top = (objective(report) - best).abs() < 1e-9;
        match (top, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(start)) => {
                if widest.is_none_or(|(a, b)| i - start > b - a) {
                    widest = Some((start, i));
                }
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start
        && widest.is_none_or(|(a, b)| sweep.len() - start > b - a)
    {
        widest = Some((start, sweep.len()));
    }
    widest.map(|(start, end)| {
        let middle = (start + end - 1) / 2;
        sweep[middle].threshold
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(expect: &[&str], ranked: &[&str], confidence: f32) -> Outcome {
        Outcome {
            case: Case {
                q: "q".into(),
                expect: expect.iter().map(|s| s.to_string()).collect(),
                line: 1,
            },
            ranked: ranked.iter().map(|s| s.to_string()).collect(),
            confidence,
        }
    }

    #[test]
    fn scores_accuracy_declines_and_mrr() {
        let outcomes = vec![
            outcome(&["a"], &["a", "b"], 0.9),
            outcome(&["b"], &["a", "b"], 0.9),
            outcome(&["c"], &["c"], 0.2),
            outcome(&[], &["a"], 0.3),
            outcome(&[], &["a"], 0.8),
            outcome(&[], &[], 0.0),
        ];
        let report = score(&outcomes, 0.5);
        assert_eq!((report.answerable, report.correct), (3, 1));
        assert!((report.accuracy - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!((report.out_of_domain, report.declined), (3, 2));
        assert!((report.mrr - (1.0 + 0.5 + 1.0) / 3.0).abs() < 1e-9);
        assert_eq!(report.misses.len(), 3);
        assert_eq!(report.misses[0].answered.as_deref(), Some("a"));
        assert_eq!(report.misses[1].answered, None);
    }

    #[test]
    fn picks_the_middle_of_the_best_plateau() {
        let outcomes = vec![outcome(&["a"], &["a"], 0.6), outcome(&[], &["a"], 0.2)];
        let sweep = sweep(&outcomes);
        // Everything in (0.20, 0.60] scores 2.0; the middle of 0.21..=0.60 is 0.40.
        assert_eq!(best_threshold(&sweep), Some(0.40));
    }

    #[test]
    fn reports_the_line_of_a_bad_case() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("q.jsonl");
        std::fs::write(&path, "{\"q\": \"a\", \"expect\": []}\n\n{\"q\": 1}\n").expect("write");
        let error = read_cases(&path).expect_err("bad line");
        assert!(
            error.to_string().contains("q.jsonl:3: not an evaluation line"),
            "{error}"
        );
    }
}
