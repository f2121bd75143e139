//! The answering engine: a question becomes a `Reply` (the entry, a confidence, the rules it cites, the source, suggestions) or a polite decline.

use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::faq::{Entry, Rule};
use crate::lang;
use crate::search::{Candidate, ConceptMatch, Correction, IndexError, Retrieval, SearchIndex};

/// The confidence below which the engine declines. Chosen with `faqbot eval --sweep` on tests/eval/questions.jsonl.
pub const DEFAULT_THRESHOLD: f32 = 0.5;
/// The chosen entry plus three runner-up suggestions.
pub const DEFAULT_RESULTS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Zh,
}

impl Language {
    pub fn of(question: &str) -> Self {
        if lang::is_chinese(question) { Self::Zh } else { Self::En }
    }

    pub fn is_chinese(self) -> bool {
        self == Self::Zh
    }
}

/// What the engine says to a question. `results[0]` is the answer when `answered`; otherwise the results are suggestions.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub question: String,
    pub language: Language,
    pub answered: bool,
    /// The best entry's confidence, in [0, 1].
    pub confidence: f32,
    pub threshold: f32,
    /// Words read as other words (typos), possibly none.
    pub corrections: Vec<Correction>,
    pub results: Vec<ReplyEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

impl Reply {
    /// The chosen entry, when the engine answered.
    pub fn answer(&self) -> Option<&ReplyEntry> {
        self.results.first().filter(|_| self.answered)
    }

    /// The suggestions: the runners-up after an answer, all candidates after a decline.
    pub fn suggestions(&self) -> &[ReplyEntry] {
        if self.answered {
            self.results.get(1..).unwrap_or_default()
        } else {
            &self.results
        }
    }
}

/// One entry in a reply, in the reply's language, with its rules in full.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyEntry {
    pub id: String,
    pub score: f32,
    pub confidence: f32,
    /// The entry's canonical question in the reply's language.
    pub question: String,
    pub answer: String,
    /// Shared with the engine: a reply does not copy the rules it cites.
    pub rules: Vec<Arc<Rule>>,
    pub source: String,
    pub tags: Vec<String>,
    pub reviewed: String,
}

/// Why the entries ranked as they did: for `--explain`.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub concepts: Vec<ExplainedConcept>,
    pub candidates: Vec<ExplainedCandidate>,
    /// Score of the best entry minus that of the runner-up.
    pub gap: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainedConcept {
    pub concept: String,
    pub weight: f32,
    pub alternatives: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExplainedCandidate {
    pub id: String,
    pub score: f32,
    pub question_score: f32,
    pub answer_score: f32,
    pub coverage: f32,
    pub phrasing_coverage: f32,
    pub matched_question: Option<String>,
    pub matches: Vec<ConceptMatch>,
}

/// Options for one question.
#[derive(Debug, Clone, Copy)]
pub struct Ask {
    pub results: usize,
    pub explain: bool,
}

impl Default for Ask {
    fn default() -> Self {
        Self {
            results: DEFAULT_RESULTS,
            explain: false,
        }
    }
}

/// Answers questions from one opened index.
pub struct Engine {
    index: SearchIndex,
    threshold: f32,
    rules: FxHashMap<String, Arc<Rule>>,
}

impl Engine {
    pub fn new(index: SearchIndex, threshold: f32) -> Self {
        let rules = index
            .manifest()
            .rules
            .iter()
            .map(|rule| (rule.id.clone(), Arc::new(rule.clone())))
            .collect();
        Self {
            index,
            threshold,
            rules,
        }
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.get(id).map(|rule| &**rule)
    }

    pub fn ask(&self, question: &str, options: Ask) -> Result<Reply, IndexError> {
        let retrieval = self.index.retrieve(question, options.results)?;
        Ok(self.reply(question, retrieval, options.explain))
    }

    fn reply(&self, question: &str, retrieval: Retrieval, explain: bool) -> Reply {
        let language = Language::of(question);
        let (confidence, answered) = decide(&retrieval.candidates, self.threshold);
        let explanation = explain.then(|| explanation(&retrieval));
        let results = retrieval
            .candidates
            .iter()
            .map(|c| self.reply_entry(c, language))
            .collect();
        Reply {
            question: question.to_string(),
            language,
            answered,
            confidence,
            threshold: self.threshold,
            corrections: retrieval.corrections,
            results,
            explanation,
        }
    }

    fn reply_entry(&self, candidate: &Candidate, language: Language) -> ReplyEntry {
        ReplyEntry {
            score: candidate.score,
            confidence: confidence(candidate),
            ..self.entry_in(&candidate.entry, language)
        }
    }

    /// An entry as replies show it, for an entry the user picked rather than one the engine ranked (score and
    /// confidence 1).
    pub fn entry_in(&self, entry: &Entry, language: Language) -> ReplyEntry {
        let chinese = language.is_chinese();
        ReplyEntry {
            id: entry.id.clone(),
            score: 1.0,
            confidence: 1.0,
            question: entry.canonical_question(chinese).to_string(),
            answer: entry.answer_in(chinese).to_string(),
            rules: entry
                .rules
                .iter()
                .filter_map(|id| self.rules.get(id))
                .cloned()
                .collect(),
            source: entry.source.clone(),
            tags: entry.tags.clone(),
            reviewed: entry.reviewed.clone(),
        }
    }
}

/// How much of the question the candidate covers, blended with how much of the candidate's closest phrasing the
/// question covers. The first alone declines long questions full of context ("We're a small bakery chain…"); the
/// second alone answers short near-misses ("delete my personal WeChat account"). The weight is the middle of the
/// range that scored best on tests/eval/questions.jsonl (0.3 to 0.4).
const QUESTION_COVERAGE_WEIGHT: f32 = 0.35;

fn confidence(candidate: &Candidate) -> f32 {
    (QUESTION_COVERAGE_WEIGHT * candidate.coverage + (1.0 - QUESTION_COVERAGE_WEIGHT) * candidate.phrasing_coverage)
        .clamp(0.0, 1.0)
}

/// The decline rule: answer with the best candidate when its confidence reaches the threshold.
fn decide(candidates: &[Candidate], threshold: f32) -> (f32, bool) {
    let confidence = candidates.first().map_or(0.0, confidence);
    (confidence, answers(!candidates.is_empty(), confidence, threshold))
}

/// Whether a question with (or without) candidates and this confidence is answered at `threshold`.
pub fn answers(has_candidates: bool, confidence: f32, threshold: f32) -> bool {
    has_candidates && confidence >= threshold
}

fn explanation(retrieval: &Retrieval) -> Explanation {
    let scores: Vec<f32> = retrieval.candidates.iter().map(|c| c.score).collect();
    Explanation {
        concepts: retrieval
            .concepts
            .iter()
            .map(|c| ExplainedConcept {
                concept: c.label.clone(),
                weight: c.weight,
                alternatives: c.alternatives.iter().map(|a| a.join(" ")).collect(),
            })
            .collect(),
        candidates: retrieval
            .candidates
            .iter()
            .map(|c| ExplainedCandidate {
                id: c.entry.id.clone(),
                score: c.score,
                question_score: c.question_score,
                answer_score: c.answer_score,
                coverage: c.coverage,
                phrasing_coverage: c.phrasing_coverage,
                matched_question: c.matched_question.clone(),
                matches: c.matches.clone(),
            })
            .collect(),
        gap: match scores.as_slice() {
            [best, runner_up, ..] => best - runner_up,
            [best] => *best,
            [] => 0.0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(coverage: f32, phrasing_coverage: f32) -> Candidate {
        Candidate {
            entry: std::sync::Arc::new(Entry {
                id: "fees".into(),
                questions: vec!["What does it cost?".into()],
                rules: vec![],
                tags: vec![],
                source: "Article".into(),
                reviewed: "2026-11-23".into(),
                answer: "Free.".into(),
                answer_zh: None,
                lines: Default::default(),
            }),
            score: 1.0,
            question_score: 1.0,
            answer_score: 0.0,
            matched_question: None,
            coverage,
            phrasing_coverage,
            matches: vec![],
        }
    }

    #[test]
    fn answers_at_or_above_the_threshold_and_declines_below() {
        assert_eq!(decide(&[candidate(1.0, 1.0)], DEFAULT_THRESHOLD), (1.0, true));
        let (confidence, answered) = decide(&[candidate(0.2, 0.6)], 0.5);
        assert!((confidence - 0.46).abs() < 1e-6 && !answered, "{confidence}");
        let (confidence, answered) = decide(&[candidate(0.2, 0.6)], 0.45);
        assert!(answered, "{confidence}");
        assert!(
            decide(&[candidate(0.2, 0.6)], confidence).1,
            "the threshold itself answers"
        );
        assert_eq!(decide(&[], 0.0), (0.0, false));
    }

    #[test]
    fn only_the_best_candidate_decides() {
        assert!(!decide(&[candidate(0.0, 0.0), candidate(1.0, 1.0)], DEFAULT_THRESHOLD).1);
    }

    #[test]
    fn language_follows_the_question() {
        assert_eq!(Language::of("订阅号可以改成服务号吗？"), Language::Zh);
        assert_eq!(Language::of("Can I switch?"), Language::En);
    }
}
