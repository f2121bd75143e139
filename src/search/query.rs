//! From a user's question to ranked entries, never through a query parser: the question's words and typos
//! (`search::question`), its concepts and synonyms (`search::concepts`), the exact best entries by BM25 over
//! questions and answers (`search::rank`), the best of them reordered by semantic similarity, and for those kept
//! which concept matched where (`search::coverage`), for the confidence and for --explain.

use std::sync::Arc;

use super::concepts::{Concept, ConceptTerms, MAX_CONCEPTS, group_concepts, weigh_concepts};
use super::coverage::{ConceptMatch, TermSet, concept_matches, coverage, phrasing_coverage};
use super::question::{Correction, MAX_QUESTION_CHARS, truncate_chars};
use super::rank::{Ranked, rank};
use super::semantic;
use super::{IndexError, SearchIndex};
use crate::faq::Entry;
use crate::lang::Language;

/// How many of the lexical ranking's best candidates the semantic similarity may reorder.
const RERANK_POOL: usize = 10;
/// How much semantic similarity (a cosine, in [-1, 1]) counts against the lexical score relative to the best (in
/// [0, 1]) when reordering. Chosen on tests/eval/dev.jsonl.
pub const SEMANTIC_WEIGHT: f32 = 0.5;
/// How much the best answer/tags score adds to the best question score.
pub const ANSWER_WEIGHT: f32 = 0.25;

/// An entry that matched, with how well.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub entry: Arc<Entry>,
    /// Best question score plus the weighted answer and tags score.
    pub score: f32,
    pub question_score: f32,
    pub answer_score: f32,
    /// The phrasing of the entry that matched best, if any did.
    pub matched_question: Option<String>,
    /// Share of the question's concepts (weighted by how telling each is) that this entry covers, in [0, 1].
    pub coverage: f32,
    /// Share of its closest phrasing's words (weighted the same way) that the question covers, in [0, 1]:
    /// the best over all the entry's phrasings, which need not be `matched_question`.
    pub phrasing_coverage: f32,
    /// Cosine similarity, in the semantic model, of the asking sentence and the entry's closest phrasing; 0 when
    /// the model knows none of the question's words.
    pub semantic: f32,
    pub matches: Vec<ConceptMatch>,
}

/// What retrieval found for one question.
#[derive(Debug, Clone, Default)]
pub struct Retrieval {
    pub corrections: Vec<Correction>,
    /// The analyzed tokens of the sentence that asks (typos corrected), in order.
    pub focus_tokens: Vec<String>,
    pub concepts: Vec<Concept>,
    pub candidates: Vec<Candidate>,
}

impl SearchIndex {
    /// Ranks entries for `question`, best first, at most `limit` of them.
    pub fn retrieve(&self, question: &str, limit: usize) -> Result<Retrieval, IndexError> {
        self.retrieve_focused(question, "", limit)
    }

    /// Ranks entries for the `focus` of a message (the sentence that asks), with the rest of the message as
    /// `context`: its words count [`super::concepts::CONTEXT_WEIGHT`] as much, so that a story about a bakery in Utrecht helps
    /// find the entry without pulling the answer towards the entry that mentions bakeries.
    pub fn retrieve_focused(&self, focus: &str, context: &str, limit: usize) -> Result<Retrieval, IndexError> {
        let compiled = &self.compiled;
        let mut corrections = Vec::new();
        let (focus_words, focus_tokens) = self.tokens(truncate_chars(focus, MAX_QUESTION_CHARS), &mut corrections);
        let (_, context_tokens) = self.tokens(truncate_chars(context, MAX_QUESTION_CHARS), &mut corrections);
        let mut concepts = group_concepts(&focus_tokens, &self.synonyms);
        for concept in group_concepts(&context_tokens, &self.synonyms) {
            if concepts.len() < MAX_CONCEPTS && !concepts.iter().any(|c| c.label == concept.label) {
                concepts.push(Concept {
                    context: true,
                    ..concept
                });
            }
        }
        if concepts.is_empty() || limit == 0 {
            return Ok(Retrieval {
                corrections,
                focus_tokens,
                concepts,
                candidates: Vec::new(),
            });
        }
        weigh_concepts(&mut concepts, compiled);
        let terms: Vec<ConceptTerms<'_>> = concepts.iter().map(|c| ConceptTerms::new(compiled, c)).collect();
        let ranked = rank(compiled, &terms, ANSWER_WEIGHT, limit.max(RERANK_POOL));
        let focus_embedding = semantic::SemanticModel::embedded()
            .ok()
            .and_then(|model| model.embed_words(focus_words.iter().map(|w| w.text.as_str())));
        let question_terms = TermSet::new(terms.iter().flat_map(ConceptTerms::term_ids));
        let chinese = Language::of(focus).is_chinese();
        let semantic_of = |ordinal: u32| {
            focus_embedding.as_ref().map_or(0.0, |focus| {
                self.phrasing_embeddings.best_cosine(ordinal, chinese, focus)
            })
        };
        // Only the candidates that are kept are explained: matches and coverage cost more than ranking.
        let candidates = rerank(ranked, limit, semantic_of)
            .into_iter()
            .map(
                |(
                    Ranked {
                        ordinal,
                        score,
                        phrasing,
                        answer_score,
                    },
                    semantic,
                )| {
                    let compiled_entry = compiled.records.get(ordinal)?;
                    let matches = concept_matches(&concepts, &terms, phrasing.map(|(_, doc)| doc), ordinal);
                    let matched_question = phrasing.and_then(|(_, doc)| {
                        let position = compiled.phrasing(doc).position as usize;
                        compiled_entry.questions.get(position).cloned()
                    });
                    Ok(Candidate {
                        phrasing_coverage: phrasing_coverage(compiled, ordinal, &question_terms),
                        semantic,
                        score,
                        question_score: phrasing.map_or(0.0, |(score, _)| score),
                        answer_score,
                        matched_question,
                        coverage: coverage(&concepts, &matches),
                        matches,
                        entry: compiled_entry,
                    })
                },
            )
            .collect::<Result<_, IndexError>>()?;
        Ok(Retrieval {
            corrections,
            focus_tokens,
            concepts,
            candidates,
        })
    }
}

/// The lexical ranking's best candidates, reordered by lexical score (relative to the best) plus
/// [`SEMANTIC_WEIGHT`] times semantic similarity: a paraphrase that shares few words with its entry still wins over
/// an entry that shares words but not meaning. Only the pool is reordered, so the cost does not grow with the
/// knowledge base.
///
/// Semantic similarity is a cosine clamped to [0, 1], and comparing a question with every phrasing of an entry is
/// the costliest step of answering: candidates are taken in lexical order, and once even a similarity of 1 could not
/// lift the next one into the `limit` kept, none after it can either, and they are not compared at all. The result is
/// the same as comparing every candidate.
fn rerank(mut ranked: Vec<Ranked>, limit: usize, semantic_of: impl Fn(u32) -> f32) -> Vec<(Ranked, f32)> {
    // Stable, so that equal scores keep the ranking's order.
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    let best = ranked.first().map_or(0.0, |r| r.score);
    if best <= 0.0 || SEMANTIC_WEIGHT <= 0.0 {
        return ranked
            .into_iter()
            .take(limit)
            .map(|r| (r, semantic_of(r.ordinal)))
            .collect();
    }
    let key = |r: &Ranked, semantic: f32| r.score / best + SEMANTIC_WEIGHT * semantic;
    let mut scored: Vec<(Ranked, f32, f32)> = Vec::with_capacity(ranked.len());
    let mut keys: Vec<f32> = Vec::with_capacity(ranked.len());
    for r in ranked {
        if limit == 0 {
            break;
        }
        if scored.len() >= limit {
            keys.clear();
            keys.extend(scored.iter().map(|(_, _, key)| *key));
            keys.sort_by(|a, b| b.total_cmp(a));
            if key(&r, 1.0) < keys[limit - 1] {
                break;
            }
        }
        let semantic = semantic_of(r.ordinal);
        scored.push((r, semantic, key(&r, semantic)));
    }
    scored.sort_by(|a, b| b.2.total_cmp(&a.2));
    scored.truncate(limit);
    scored.into_iter().map(|(r, semantic, _)| (r, semantic)).collect()
}
