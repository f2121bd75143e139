//! The answering engine: a message becomes a `Reply`: an entry with a calibrated confidence, the rules it cites,
//! the source and suggestions; one such answer per question when the message asks several things; a pointer when
//! it asks about a neighbouring topic faqbot does not cover; a friendly word for small talk; or a polite decline.
//!
//! Answering is two steps. [`Engine::analyze`] reads the message (its sentences, which of them ask, small talk,
//! out-of-scope topics) and retrieves entries for each question once; [`Engine::decide`] turns that analysis into a
//! reply at a threshold. `faqbot eval` analyses each question once and decides at every threshold.

pub mod calibration;
pub mod kind;
pub mod message;
pub mod social;

use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;
use serde::Serialize;

pub use calibration::{Calibration, CalibrationError, Signals};
pub use kind::Kinds;
pub use social::Social;

use crate::faq::{Entry, Rule};
pub use crate::lang::Language;
use crate::lang::is_han;
use crate::search::{Concept, ConceptMatch, Correction, IndexError, MatchField, Retrieval, SearchIndex, TopicIndex};

/// The confidence below which the engine declines: the shipped calibration's, chosen with `faqbot eval --fit` on
/// tests/eval/dev.jsonl as the lowest threshold whose sum of accuracy, decline rate and precision when answering is
/// within a question of the best
/// ([`crate::eval::best_threshold`]; a test keeps the two equal).
pub const DEFAULT_THRESHOLD: f32 = 0.32;
/// The chosen entry plus three runner-up suggestions.
pub const DEFAULT_RESULTS: usize = 4;
/// A message asking more things than this gets the first ones answered.
pub const MAX_PARTS: usize = 3;

/// An entry's sorts of answer to an English question and to one with Chinese in it, each once read.
type KindsByLanguage = [Option<Kinds>; 2];

/// What kind of reply the engine gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// `results[0]` answers the question.
    Answered,
    /// Nothing answers it confidently; `results` are suggestions.
    Declined,
    /// It asks about a neighbouring topic faqbot does not cover: `out_of_scope` says which, and where to look.
    OutOfScope,
    /// Small talk: `social` says which kind.
    Social,
}

/// What the engine says to a message. For a message that asks several things, `parts` holds one reply per
/// question (its `question` the part's text) and the top-level fields are those of the first answered part, so
/// that a client that knows nothing of parts still shows an answer.
#[derive(Debug, Clone, Serialize)]
pub struct Reply {
    pub question: String,
    pub language: Language,
    pub kind: ReplyKind,
    pub answered: bool,
    /// The best entry's calibrated confidence, in [0, 1]: the estimated probability that it is right.
    pub confidence: f32,
    pub threshold: f32,
    /// Words read as other words (typos), possibly none.
    pub corrections: Vec<Correction>,
    pub results: Vec<ReplyEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<OutOfScope>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social: Option<Social>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Reply>,
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

    /// The replies to each question of the message: its parts, or the reply itself for a single question.
    pub fn each_part(&self) -> &[Reply] {
        if self.parts.is_empty() {
            std::slice::from_ref(self)
        } else {
            &self.parts
        }
    }
}

/// A neighbouring topic the question is about, in the reply's language.
#[derive(Debug, Clone, Serialize)]
pub struct OutOfScope {
    pub id: String,
    pub name: String,
    pub pointer: String,
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
    /// What the calibrated confidence was computed from.
    pub signals: Signals,
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
    pub semantic: f32,
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

/// What the engine found in a message, before any threshold: computed once, decided at any threshold.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub message: String,
    pub language: Language,
    pub social: Option<Social>,
    /// One per question of the message, in order; empty for small talk.
    pub parts: Vec<PartAnalysis>,
    /// The whole message as one question: what a message of several questions falls back on when no part is
    /// answered on its own.
    pub whole: Option<Box<PartAnalysis>>,
}

/// One question of a message and what retrieval found for it.
#[derive(Debug, Clone)]
pub struct PartAnalysis {
    pub text: String,
    pub retrieval: Retrieval,
    pub signals: Signals,
    /// The index of the out-of-scope topic the question names, if it names one.
    pub out_of_scope: Option<usize>,
    /// How many concepts of the asking sentence the knowledge base knows: a follow-up with one or two ("And how
    /// much is it?") is about whatever the message's earlier question was about.
    pub known_concepts: usize,
    /// Whether the question is about the one before it (few known concepts of its own, or an opening such as
    /// "If not, …"), and so was read with that question as context.
    pub follow_up: bool,
    /// The sorts of answer the question asks for ("how much", "who"…).
    pub asked_kinds: Kinds,
    /// The sorts of answer each candidate's phrasings ask for, in the order of `retrieval.candidates`.
    pub candidate_kinds: Vec<Kinds>,
}

/// A later question with no more known concepts than this is a follow-up of the one before.
const FOLLOW_UP_CONCEPTS: usize = 2;

/// Answers questions from one opened index.
pub struct Engine {
    index: SearchIndex,
    threshold: f32,
    rules: FxHashMap<String, Arc<Rule>>,
    /// The manifest's out-of-scope topics, indexed by their terms' first tokens.
    topics: TopicIndex,
    /// The sorts of answer each entry gives, by id and by whether the question has Chinese in it: read from its
    /// phrasings the first time it is a candidate, then kept (reading every entry at start would read a large
    /// knowledge base's records from the store).
    entry_kinds: RwLock<FxHashMap<String, KindsByLanguage>>,
}

impl Engine {
    pub fn new(index: SearchIndex, threshold: f32) -> Self {
        let rules = index
            .manifest()
            .rules
            .iter()
            .map(|rule| (rule.id.clone(), Arc::new(rule.clone())))
            .collect();
        let topics = TopicIndex::new(&index.manifest().out_of_scope);
        Self {
            index,
            threshold,
            rules,
            topics,
            entry_kinds: RwLock::default(),
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
        let analysis = self.analyze(question, options.results)?;
        Ok(self.decide(&analysis, Calibration::shipped(), self.threshold, options.explain))
    }

    /// Reads a message and retrieves up to `results` entries for each of its questions.
    pub fn analyze(&self, message: &str, results: usize) -> Result<Analysis, IndexError> {
        let language = Language::of(message);
        let social = social::classify(message);
        if social.is_some() {
            return Ok(Analysis {
                message: message.to_string(),
                language,
                social,
                parts: Vec::new(),
                whole: None,
            });
        }
        // Greetings and thanks around a question ("Hi! … Thanks in advance!") are neither question nor context.
        let sentences: Vec<message::Sentence<'_>> = message::sentences(message)
            .into_iter()
            .filter(|s| social::classify(s.text).is_none())
            .collect();
        let asking: Vec<&str> = sentences.iter().filter(|s| s.asks).map(|s| s.text).collect();
        let context: Vec<&str> = sentences.iter().filter(|s| !s.asks).map(|s| s.text).collect();
        let context = context.join(" ");
        let mut parts = Vec::new();
        match asking.as_slice() {
            [] => parts.push(self.analyze_part(message.trim(), "", results)?),
            [only] => parts.push(self.analyze_part(only, &context, results)?),
            several => {
                // What the question before was read as: "…几次？订阅号呢？个人号呢？" asks the first question thrice.
                let mut previous: Option<String> = None;
                for focus in several.iter().take(MAX_QUESTION_SENTENCES) {
                    let mut read_as = focus.to_string();
                    let mut part = match &previous {
                        // "订阅号呢？" asks the question before about something else: it is read as that question
                        // with its own words added.
                        Some(previous) if message::is_ellipsis(focus) => {
                            read_as = format!("{previous} {focus}");
                            let mut part = self.analyze_part(&read_as, &context, results)?;
                            part.text = focus.to_string();
                            part.follow_up = true;
                            part.signals.follow_up = 1.0;
                            part
                        }
                        _ => self.analyze_part(focus, &context, results)?,
                    };
                    if let Some(previous) = &previous {
                        // "If we don't have one, what are our options?" is about the question before it: a
                        // follow-up is read with that question as context too.
                        if !part.follow_up && refers_to_previous(focus, part.known_concepts) {
                            part = self.analyze_part(focus, &format!("{context} {previous}"), results)?;
                            part.follow_up = true;
                            part.signals.follow_up = 1.0;
                        }
                        part.signals.later_part = 1.0;
                    }
                    parts.push(part);
                    previous = Some(read_as);
                }
            }
        }
        let whole = if parts.len() > 1 {
            Some(Box::new(self.analyze_part(message.trim(), "", results)?))
        } else {
            None
        };
        Ok(Analysis {
            message: message.to_string(),
            language,
            social: None,
            parts,
            whole,
        })
    }

    fn analyze_part(&self, focus: &str, context: &str, results: usize) -> Result<PartAnalysis, IndexError> {
        let retrieval = self
            .index
            .retrieve_focused(message::without_leading_joiners(focus), context, results)?;
        let out_of_scope = self
            .topics
            .named_by(&self.index.manifest().out_of_scope, &retrieval.focus_tokens);
        let known_concepts = retrieval.concepts.iter().filter(|c| !c.context && c.known).count();
        let chinese = focus.chars().any(is_han);
        let candidate_kinds = retrieval
            .candidates
            .iter()
            .map(|c| self.kinds_of(&c.entry, chinese))
            .collect();
        let mut part = PartAnalysis {
            text: focus.to_string(),
            retrieval,
            signals: Signals::default(),
            out_of_scope,
            known_concepts,
            follow_up: false,
            asked_kinds: kind::of(message::without_leading_joiners(focus)),
            candidate_kinds,
        };
        part.signals = part_signals(&part, 0);
        Ok(part)
    }

    /// The sorts of answer the entry gives, kept after the first time: to a question in English, what its phrasings
    /// without Chinese ask (they need no Chinese normalisation, so that a one-shot `faqbot ask` in English does not
    /// load the conversion tables), or all of them for an entry that has none; to a question with Chinese in it,
    /// what all of them ask. A poisoned lock only means another thread panicked while holding it; the map is still
    /// sound.
    fn kinds_of(&self, entry: &Entry, chinese: bool) -> Kinds {
        let slot = usize::from(chinese);
        if let Some(kinds) = self
            .entry_kinds
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&entry.id)
            .and_then(|known| known[slot])
        {
            return kinds;
        }
        let english = || entry.questions.iter().filter(|q| !q.chars().any(is_han));
        let kinds = if chinese || english().next().is_none() {
            kind::of_entry(&entry.questions)
        } else {
            kind::of_entry(english())
        };
        self.entry_kinds
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .entry(entry.id.clone())
            .or_default()[slot] = Some(kinds);
        kinds
    }

    /// The reply to an analysed message with `calibration` at `threshold`.
    pub fn decide(&self, analysis: &Analysis, calibration: &Calibration, threshold: f32, explain: bool) -> Reply {
        let language = analysis.language;
        if let Some(social) = analysis.social {
            return Reply {
                social: Some(social),
                ..self.empty_reply(&analysis.message, language, ReplyKind::Social, threshold)
            };
        }
        let mut parts: Vec<Reply> = Vec::new();
        let mut topic = None;
        for part in &analysis.parts {
            // "Can I open a Mini Program? How much does it cost?": the follow-up is about the Mini Program too.
            topic = part
                .out_of_scope
                .or(topic.filter(|_| refers_to_previous(&part.text, part.known_concepts)));
            let part_threshold = calibration.threshold_for(&part.signals, threshold);
            let reply = self.decide_part(part, topic, language, calibration, part_threshold, explain);
            // A second question answered by the same entry as an earlier one ("Can I switch? Or must I register
            // a new one?") is that question again; one that is weak but closest to an answered entry is too.
            let answered_entry = |id: &str| parts.iter().any(|other| other.answer().is_some_and(|o| o.id == id));
            let repeats = reply.results.first().is_some_and(|r| answered_entry(&r.id));
            if !repeats {
                parts.push(reply);
            }
        }
        let answered = parts.iter().filter(|p| p.answered).count();
        if answered == 0
            && let Some(whole) = &analysis.whole
        {
            let reply = self.decide_part(whole, whole.out_of_scope, language, calibration, threshold, explain);
            if reply.answered || parts.iter().all(|p| p.kind == ReplyKind::Declined) {
                return Reply {
                    question: analysis.message.clone(),
                    ..reply
                };
            }
        }
        // Answered parts first in the order asked, at most MAX_PARTS of them; then the ones not answered, named.
        let mut kept: Vec<Reply> = Vec::new();
        let mut answered_kept = 0;
        for part in parts {
            if part.answered {
                if answered_kept == MAX_PARTS {
                    continue;
                }
                answered_kept += 1;
            }
            kept.push(part);
        }
        if kept.len() <= 1 {
            return kept.pop().map_or_else(
                || self.empty_reply(&analysis.message, language, ReplyKind::Declined, threshold),
                |reply| Reply {
                    question: analysis.message.clone(),
                    ..reply
                },
            );
        }
        let first = kept.iter().find(|p| p.answered).unwrap_or(&kept[0]).clone();
        Reply { parts: kept, ..first }
    }

    fn decide_part(
        &self,
        part: &PartAnalysis,
        out_of_scope: Option<usize>,
        language: Language,
        calibration: &Calibration,
        threshold: f32,
        explain: bool,
    ) -> Reply {
        let runner_up_first;
        let part = match trusted_runner_up(part, calibration, threshold) {
            Some(reordered) => {
                runner_up_first = reordered;
                &runner_up_first
            }
            None => part,
        };
        let retrieval = &part.retrieval;
        let explanation = explain.then(|| explanation(retrieval, part.signals));
        if let Some(topic) = out_of_scope.and_then(|i| self.index.manifest().out_of_scope.get(i)) {
            let topic = &topic.topic;
            let chinese = language.is_chinese();
            return Reply {
                corrections: retrieval.corrections.clone(),
                out_of_scope: Some(OutOfScope {
                    id: topic.id.clone(),
                    name: if chinese { &topic.name_zh } else { &topic.name }.clone(),
                    pointer: if chinese { &topic.pointer_zh } else { &topic.pointer }.clone(),
                }),
                explanation,
                ..self.empty_reply(&part.text, language, ReplyKind::OutOfScope, threshold)
            };
        }
        let confidence = if retrieval.candidates.is_empty() {
            0.0
        } else {
            calibration.confidence(&part.signals)
        };
        let answered = answers(!retrieval.candidates.is_empty(), confidence, threshold);
        let results = retrieval
            .candidates
            .iter()
            .enumerate()
            .map(|(rank, candidate)| ReplyEntry {
                score: candidate.score,
                confidence: if rank == 0 {
                    confidence
                } else {
                    calibration.confidence(&part_signals(part, rank))
                },
                ..self.entry_in(&candidate.entry, language)
            })
            .collect();
        Reply {
            question: part.text.clone(),
            language,
            kind: if answered {
                ReplyKind::Answered
            } else {
                ReplyKind::Declined
            },
            answered,
            confidence,
            threshold,
            corrections: retrieval.corrections.clone(),
            results,
            out_of_scope: None,
            social: None,
            parts: Vec::new(),
            explanation,
        }
    }

    fn empty_reply(&self, question: &str, language: Language, kind: ReplyKind, threshold: f32) -> Reply {
        Reply {
            question: question.to_string(),
            language,
            kind,
            answered: false,
            confidence: 0.0,
            threshold,
            corrections: Vec::new(),
            results: Vec::new(),
            out_of_scope: None,
            social: None,
            parts: Vec::new(),
            explanation: None,
        }
    }

    /// An entry as replies show it, for an entry the user picked rather than one the engine ranked (score and
    /// confidence 1).
    pub fn entry_in(&self, entry: &Entry, language: Language) -> ReplyEntry {
        ReplyEntry {
            id: entry.id.clone(),
            score: 1.0,
            confidence: 1.0,
            question: entry.canonical_question(language).to_string(),
            answer: entry.answer_in(language).to_string(),
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

/// Whether a later question is about the one before it: it has few concepts of its own the knowledge base knows
/// ("And how much is it?"), or it opens by referring back ("If not, can I keep both?", "如果不行…").
fn refers_to_previous(text: &str, known_concepts: usize) -> bool {
    known_concepts <= FOLLOW_UP_CONCEPTS || message::refers_back(text)
}

/// At most this many sentences of one message are read as separate questions.
const MAX_QUESTION_SENTENCES: usize = 6;

/// The signals of the candidate at `rank` of `part`, with what the part's own signals say of the message (a
/// follow-up, a later question).
fn part_signals(part: &PartAnalysis, rank: usize) -> Signals {
    Signals {
        follow_up: part.signals.follow_up,
        later_part: part.signals.later_part,
        kind_mismatch: f32::from(u8::from(
            part.candidate_kinds
                .get(rank)
                .is_some_and(|entry| part.asked_kinds.mismatch(*entry)),
        )),
        ..signals(&part.retrieval, rank)
    }
}

/// How many runners-up a doubtful best candidate is looked past to: the next two (on the development set, the
/// runner-up alone found one right answer fewer).
const RUNNERS_UP_CONSIDERED: usize = 2;

/// When the best-scoring candidate of `part` is below `threshold` but a runner-up is trusted above it on its own
/// signals (with no lead over the others, which it does not have), the part with that runner-up first. Scores
/// rank on words; the calibration also weighs how much of what is asked a phrasing covers and how close it is in
/// meaning, so "Will people in China see our international account?" is answered by the entry about visibility
/// rather than declined for a story-matching entry that scored a little higher. A confident best candidate is
/// overruled only when it never answers the sort of thing asked ("Is there any price difference between the two
/// types?" asks for a price, which the entry on the types never gives) and a runner-up that does is trusted more:
/// reordering every confident best was measured to trade more right answers for wrong ones.
fn trusted_runner_up(part: &PartAnalysis, calibration: &Calibration, threshold: f32) -> Option<PartAnalysis> {
    if part.retrieval.candidates.is_empty() {
        return None;
    }
    let confidence = calibration.confidence(&part.signals);
    let doubtful = confidence < threshold;
    let wrong_kind = part.signals.kind_mismatch > 0.0;
    if !doubtful && !wrong_kind {
        return None;
    }
    let trusted = |rank: usize| {
        let signals = part_signals(part, rank);
        // A best passed over for the sort of answer asked gives way only to one that gives it.
        let fits = doubtful || signals.kind_mismatch == 0.0;
        fits.then(|| calibration.confidence(&Signals { margin: 0.0, ..signals }))
    };
    let (best, best_trust) = (1..=RUNNERS_UP_CONSIDERED)
        .take_while(|rank| *rank < part.retrieval.candidates.len())
        .filter_map(|rank| trusted(rank).map(|t| (rank, t)))
        .fold(None, |best: Option<(usize, f32)>, (rank, t)| match best {
            Some((_, best_trust)) if best_trust >= t => best,
            _ => Some((rank, t)),
        })?;
    if best_trust < threshold || best_trust <= confidence {
        return None;
    }
    let mut reranked = part.clone();
    let candidate = reranked.retrieval.candidates.remove(best);
    reranked.retrieval.candidates.insert(0, candidate);
    if best < reranked.candidate_kinds.len() {
        let kinds = reranked.candidate_kinds.remove(best);
        reranked.candidate_kinds.insert(0, kinds);
    }
    reranked.signals = part_signals(&reranked, 0);
    Some(reranked)
}

/// What the calibrated confidence of the candidate at `rank` is computed from.
fn signals(retrieval: &Retrieval, rank: usize) -> Signals {
    let Some(candidate) = retrieval.candidates.get(rank) else {
        return Signals::default();
    };
    let margin = match retrieval.candidates.get(rank + 1) {
        _ if rank > 0 => 0.0,
        Some(next) if candidate.score > 0.0 => ((candidate.score - next.score) / candidate.score).clamp(0.0, 1.0),
        Some(_) => 0.0,
        None => 1.0,
    };
    let concepts = &retrieval.concepts;
    let (mut focus, mut unknown, mut context) = (0.0f32, 0.0f32, 0.0f32);
    for concept in concepts.iter().filter(|c| !is_piece_of_longer_word(c, concepts)) {
        if concept.context {
            context += concept.weight;
        } else {
            focus += concept.weight;
            if !concept.known {
                unknown += concept.weight;
            }
        }
    }
    let share = |part: f32, whole: f32| {
        if whole > 0.0 {
            (part / whole).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let words: Vec<&Concept> = concepts
        .iter()
        .filter(|c| !c.context && !is_piece_of_longer_word(c, concepts))
        .collect();
    let in_phrasing = |concept: &Concept| {
        candidate
            .matches
            .iter()
            .any(|m| m.field == MatchField::Question && m.concept == concept.label)
    };
    // A word counts as matched when it or one of its pieces is: "定义" in a phrasing matches "自定义" asked.
    let asked_in_phrasing: f32 = words
        .iter()
        .filter(|word| {
            in_phrasing(word)
                || concepts
                    .iter()
                    .any(|c| !c.context && is_piece(c, word) && in_phrasing(c))
        })
        .map(|word| word.weight)
        .sum();
    // The leading candidates other than this one: its rivals.
    let rivals = || {
        retrieval
            .candidates
            .iter()
            .take(calibration::RIVALS)
            .enumerate()
            .filter(move |(i, _)| *i != rank)
            .map(|(_, c)| c)
    };
    let lead = |own: f32, of: fn(&crate::search::Candidate) -> f32| {
        rivals()
            .map(of)
            .fold(None, |best: Option<f32>, v| Some(best.map_or(v, |b| b.max(v))))
            .map_or(0.0, |rival| own - rival)
    };
    Signals {
        phrasing_lead: lead(candidate.phrasing_coverage, |c| c.phrasing_coverage),
        semantic_lead: lead(candidate.semantic, |c| c.semantic),
        coverage: candidate.coverage,
        phrasing_coverage: candidate.phrasing_coverage,
        margin,
        unknown: share(unknown, focus),
        score: candidate.score.max(0.0).ln_1p(),
        length: (words.len() as f32).ln_1p(),
        context: share(context, focus + context),
        semantic: candidate.semantic,
        asked_coverage: share(asked_in_phrasing, focus),
        follow_up: 0.0,
        later_part: 0.0,
        kind_mismatch: 0.0,
    }
}

/// Whether `piece` is a shorter Chinese word inside `word`, both of the asking sentence or both of the context.
fn is_piece(piece: &Concept, word: &Concept) -> bool {
    piece.context == word.context
        && piece.label.len() < word.label.len()
        && piece.label.chars().all(is_han)
        && word.label.chars().all(is_han)
        && word.label.contains(piece.label.as_str())
}

/// Whether `concept` is a piece of a longer word of the message: the segmenter's search mode gives "自定义" and
/// also "自定" and "定义", which are one word asked, not three (three would triple its weight in the shares of
/// the signals, and "自定义", unknown to the knowledge base, would count three times as unknown).
fn is_piece_of_longer_word(concept: &Concept, concepts: &[Concept]) -> bool {
    concepts.iter().any(|word| is_piece(concept, word))
}

/// Whether a question with (or without) candidates and this confidence is answered at `threshold`.
pub fn answers(has_candidates: bool, confidence: f32, threshold: f32) -> bool {
    has_candidates && confidence >= threshold
}

fn explanation(retrieval: &Retrieval, signals: Signals) -> Explanation {
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
                semantic: c.semantic,
                matched_question: c.matched_question.clone(),
                matches: c.matches.clone(),
            })
            .collect(),
        gap: match scores.as_slice() {
            [best, runner_up, ..] => best - runner_up,
            [best] => *best,
            [] => 0.0,
        },
        signals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{AnalyzedTopic, Candidate};

    #[test]
    fn answers_at_or_above_the_threshold_and_declines_below() {
        assert!(answers(true, 0.5, 0.5), "the threshold itself answers");
        assert!(!answers(true, 0.49, 0.5));
        assert!(!answers(false, 1.0, 0.5), "no candidate, no answer");
    }

    fn concept(label: &str, weight: f32, context: bool) -> Concept {
        Concept {
            label: label.into(),
            alternatives: vec![vec![label.to_string()]].into(),
            weight,
            context,
            known: true,
        }
    }

    fn candidate(id: &str, score: f32, matches: &[(&str, MatchField)]) -> Candidate {
        Candidate {
            entry: Arc::new(Entry {
                id: id.into(),
                questions: vec![format!("{id}?")],
                rules: Vec::new(),
                tags: Vec::new(),
                source: "s".into(),
                reviewed: "2026-01-01".into(),
                answer: "a".into(),
                answer_zh: None,
                lines: Default::default(),
            }),
            score,
            question_score: score,
            answer_score: 0.0,
            matched_question: None,
            coverage: 0.5,
            phrasing_coverage: 0.5,
            semantic: 0.5,
            matches: matches
                .iter()
                .map(|(concept, field)| ConceptMatch {
                    concept: (*concept).into(),
                    field: *field,
                    score: 1.0,
                })
                .collect(),
        }
    }

    /// A question about fees in a story about a bakery: "fee" is asked, "bakery" is context.
    fn fee_question(candidates: Vec<Candidate>) -> PartAnalysis {
        let retrieval = Retrieval {
            corrections: Vec::new(),
            focus_tokens: vec!["fee".into(), "month".into()],
            concepts: vec![
                concept("fee", 3.0, false),
                concept("month", 1.0, false),
                concept("bakeri", 2.0, true),
            ],
            candidates,
        };
        PartAnalysis {
            text: "What is the monthly fee?".into(),
            signals: signals(&retrieval, 0),
            retrieval,
            out_of_scope: None,
            known_concepts: 2,
            follow_up: false,
            asked_kinds: Kinds::default(),
            candidate_kinds: Vec::new(),
        }
    }

    /// A model that trusts only how much of what is asked the best phrasing covers.
    fn trusting_asked_coverage() -> Calibration {
        let n = Signals::NAMES.len();
        let mut weights = vec![0.0; n];
        let asked = Signals::NAMES
            .iter()
            .position(|name| *name == "asked_coverage")
            .expect("a signal");
        weights[asked] = 10.0;
        Calibration {
            features: Signals::NAMES.iter().map(|s| s.to_string()).collect(),
            mean: vec![0.0; n],
            scale: vec![1.0; n],
            weights,
            bias: -5.0,
            threshold: 0.5,
            later_part_threshold: None,
            fitted_on: "test".into(),
        }
    }

    #[test]
    fn asked_coverage_counts_only_what_the_asking_sentence_matches_in_a_phrasing() {
        let part = fee_question(vec![
            candidate(
                "story",
                9.0,
                &[("bakeri", MatchField::Question), ("fee", MatchField::Answer)],
            ),
            candidate(
                "fees",
                8.0,
                &[("fee", MatchField::Question), ("month", MatchField::Tags)],
            ),
        ]);
        assert_eq!(
            signals(&part.retrieval, 0).asked_coverage,
            0.0,
            "context and answers do not count"
        );
        assert_eq!(
            signals(&part.retrieval, 1).asked_coverage,
            0.75,
            "fee is 3 of the 4 asked"
        );
    }

    #[test]
    fn the_pieces_of_a_chinese_word_count_once_in_the_shares() {
        let mut word = concept("自定义", 6.0, false);
        word.known = false;
        let mut pieces = [concept("自定", 6.0, false), concept("定义", 6.0, false)];
        for piece in &mut pieces {
            piece.known = false;
        }
        let [first_piece, second_piece] = pieces;
        let retrieval = Retrieval {
            corrections: Vec::new(),
            focus_tokens: Vec::new(),
            concepts: vec![concept("菜单", 6.0, false), first_piece, second_piece, word],
            candidates: vec![candidate(
                "menus",
                5.0,
                &[("菜单", MatchField::Question), ("定义", MatchField::Question)],
            )],
        };
        let signals = signals(&retrieval, 0);
        assert_eq!(signals.unknown, 0.5, "自定义 is one word of two, not three of four");
        assert_eq!(signals.length, 2.0f32.ln_1p());
        assert_eq!(signals.asked_coverage, 1.0, "定义 matched stands for 自定义");
        assert!(!is_piece(
            &concept("account", 1.0, false),
            &concept("offici account", 1.0, false)
        ));
    }

    #[test]
    fn a_doubtful_best_candidate_gives_way_to_a_trusted_runner_up() {
        let calibration = trusting_asked_coverage();
        let part = fee_question(vec![
            candidate("story", 9.0, &[("bakeri", MatchField::Question)]),
            candidate("unrelated", 8.5, &[("month", MatchField::Answer)]),
            candidate(
                "fees",
                8.0,
                &[("fee", MatchField::Question), ("month", MatchField::Question)],
            ),
        ]);
        let reordered = trusted_runner_up(&part, &calibration, 0.5).expect("the runner-up that covers the question");
        let ids: Vec<&str> = reordered
            .retrieval
            .candidates
            .iter()
            .map(|c| c.entry.id.as_str())
            .collect();
        assert_eq!(ids, ["fees", "story", "unrelated"]);
        assert_eq!(reordered.signals.margin, 0.0, "it leads no one on score");
        assert!(calibration.confidence(&reordered.signals) >= 0.5);
    }

    #[test]
    fn a_confident_best_candidate_or_untrusted_runners_up_keep_the_ranking() {
        let calibration = trusting_asked_coverage();
        let confident = fee_question(vec![
            candidate(
                "fees",
                9.0,
                &[("fee", MatchField::Question), ("month", MatchField::Question)],
            ),
            candidate(
                "other",
                8.0,
                &[("fee", MatchField::Question), ("month", MatchField::Question)],
            ),
        ]);
        assert!(trusted_runner_up(&confident, &calibration, 0.5).is_none());
        let all_doubtful = fee_question(vec![
            candidate("story", 9.0, &[("bakeri", MatchField::Question)]),
            candidate("other", 8.0, &[("month", MatchField::Question)]),
        ]);
        assert!(trusted_runner_up(&all_doubtful, &calibration, 0.5).is_none());
        let beyond_reach = fee_question(vec![
            candidate("story", 9.0, &[]),
            candidate("a", 8.9, &[]),
            candidate("b", 8.8, &[]),
            candidate(
                "fees",
                8.0,
                &[("fee", MatchField::Question), ("month", MatchField::Question)],
            ),
        ]);
        assert!(
            trusted_runner_up(&beyond_reach, &calibration, 0.5).is_none(),
            "only the next {RUNNERS_UP_CONSIDERED} are considered"
        );
    }

    /// A model that trusts only an entry that answers the sort of thing asked.
    fn trusting_the_kind() -> Calibration {
        let mut model = trusting_asked_coverage();
        let kind = Signals::NAMES
            .iter()
            .position(|name| *name == "kind_mismatch")
            .expect("a signal");
        model.weights = vec![0.0; Signals::NAMES.len()];
        model.weights[kind] = -10.0;
        model.bias = 5.0;
        model
    }

    #[test]
    fn a_confident_best_that_never_answers_the_sort_asked_gives_way_to_a_runner_up_that_does() {
        let calibration = trusting_the_kind();
        let mut part = fee_question(vec![
            candidate("types", 9.0, &[("fee", MatchField::Answer)]),
            candidate("other", 8.5, &[]),
            candidate("fees", 8.0, &[("fee", MatchField::Question)]),
        ]);
        let amount = kind::of("How much is the monthly fee?");
        part.asked_kinds = amount;
        part.candidate_kinds = vec![Kinds::default(), Kinds::default(), amount];
        part.signals = part_signals(&part, 0);
        assert_eq!(part.signals.kind_mismatch, 1.0);
        assert!(
            calibration.confidence(&part.signals) < 0.5,
            "the best is doubted for the sort of answer"
        );
        let reordered = trusted_runner_up(&part, &calibration, 0.0).expect("the runner-up that gives a price");
        assert_eq!(reordered.retrieval.candidates[0].entry.id, "fees");
        assert_eq!(
            reordered.candidate_kinds[0], amount,
            "the kinds follow their candidates"
        );
        assert_eq!(reordered.signals.kind_mismatch, 0.0);

        // Passed over for the sort of answer, the best gives way only to a runner-up that gives it.
        part.candidate_kinds = vec![Kinds::default(); 3];
        part.signals = part_signals(&part, 0);
        assert!(trusted_runner_up(&part, &calibration, 0.0).is_none());
    }

    #[test]
    fn the_leads_compare_a_candidate_with_the_other_leading_ones() {
        let mut best = candidate("a", 9.0, &[]);
        best.phrasing_coverage = 0.9;
        best.semantic = 0.8;
        let mut second = candidate("b", 8.0, &[]);
        second.phrasing_coverage = 0.6;
        second.semantic = 0.85;
        let mut third = candidate("c", 7.0, &[]);
        third.phrasing_coverage = 0.7;
        let mut fourth = candidate("d", 6.0, &[]);
        fourth.phrasing_coverage = 1.0;
        let part = fee_question(vec![best, second, third, fourth]);
        let first = signals(&part.retrieval, 0);
        assert!(
            (first.phrasing_lead - 0.2).abs() < 1e-6,
            "0.9 against the third's 0.7: {first:?}"
        );
        assert!(
            (first.semantic_lead + 0.05).abs() < 1e-6,
            "the second is closer in meaning"
        );
        let second = signals(&part.retrieval, 1);
        assert!(
            (second.phrasing_lead + 0.3).abs() < 1e-6,
            "against the best; the fourth is no rival"
        );
    }

    #[test]
    fn out_of_scope_terms_match_whole_token_runs_unless_excluded() {
        let tokens = |words: &str| words.split(' ').map(String::from).collect::<Vec<_>>();
        let topic = AnalyzedTopic {
            topic: crate::faq::OutOfScopeTopic {
                id: "personal-wechat".into(),
                name: "Personal WeChat".into(),
                name_zh: "个人微信".into(),
                terms: vec!["personal wechat".into()],
                unless: vec!["official account".into()],
                with: vec![],
                pointer: "p".into(),
                pointer_zh: "p".into(),
            },
            analyzed: vec![tokens("person wechat")],
            unless: vec![tokens("offici account")],
            with: vec![],
        };
        let topics = [topic];
        let index = TopicIndex::new(&topics);
        let out_of_scope_topic = |tokens: &[String]| index.named_by(&topics, tokens);
        assert_eq!(out_of_scope_topic(&tokens("verifi my person wechat")), Some(0));
        assert_eq!(out_of_scope_topic(&tokens("person wechat offici account")), None);
        assert_eq!(out_of_scope_topic(&tokens("wechat person")), None);
        assert_eq!(out_of_scope_topic(&[]), None);
    }
}
