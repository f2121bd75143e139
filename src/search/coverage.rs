//! How much of a question a candidate covers and how much of the candidate the question covers: the concepts that
//! matched its best phrasing, answer and tags (for the confidence and for --explain), and the share of its closest
//! phrasing's telling words that the question holds.

use super::compiled::{Compiled, TermId};
use super::concepts::{Concept, ConceptTerms};
use super::postings::Slot;

/// How much of a concept's weight a match in the answer or tags (and not the matched question) earns.
const ANSWER_CREDIT: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchField {
    Question,
    Answer,
    Tags,
}

/// A concept that matched a field of a candidate, with its BM25 contribution.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConceptMatch {
    pub concept: String,
    pub field: MatchField,
    pub score: f32,
}

/// Which concepts the candidate's best phrasing, answer and tags match, each with its best alternative's score.
pub(crate) fn concept_matches(
    concepts: &[Concept],
    terms: &[ConceptTerms<'_>],
    phrasing: Option<u32>,
    entry: u32,
) -> Vec<ConceptMatch> {
    let mut matches = Vec::new();
    for (concept, terms) in concepts.iter().zip(terms) {
        for (field, slot, doc) in [
            (MatchField::Question, Slot::Question, phrasing),
            (MatchField::Answer, Slot::Answer, Some(entry)),
            (MatchField::Tags, Slot::Tags, Some(entry)),
        ] {
            let Some(doc) = doc else { continue };
            if let Some(score) = terms.score_at(slot, doc) {
                matches.push(ConceptMatch {
                    concept: concept.label.clone(),
                    field,
                    score,
                });
            }
        }
    }
    matches
}

/// Share of the concepts' weight a candidate covers: full for a match in its best question, partial in its answer or tags.
pub(crate) fn coverage(concepts: &[Concept], matches: &[ConceptMatch]) -> f32 {
    let total: f32 = concepts.iter().map(|c| c.weight).sum();
    if total <= 0.0 {
        return 0.0;
    }
    let covered: f32 = concepts
        .iter()
        .map(|concept| {
            let mut credit: f32 = 0.0;
            for m in matches.iter().filter(|m| m.concept == concept.label) {
                credit = credit.max(if m.field == MatchField::Question {
                    1.0
                } else {
                    ANSWER_CREDIT
                });
            }
            credit * concept.weight
        })
        .sum();
    (covered / total).clamp(0.0, 1.0)
}

/// How much of its closest phrasing the question's concepts (with their synonyms) cover, each word weighted by
/// its IDF: a question that contains every telling word of a phrasing asks it, whatever context it adds.
pub(crate) fn phrasing_coverage(compiled: &Compiled, ordinal: u32, question_terms: &TermSet) -> f32 {
    let mut best: f32 = 0.0;
    for doc in compiled.phrasings_of(ordinal) {
        let (mut covered, mut total) = (0.0, 0.0);
        for term in compiled.phrasing_terms(doc) {
            let weight = compiled.term_question_idf(term.term);
            total += weight;
            if question_terms.contains(term.term) {
                covered += weight;
            }
        }
        if total > 0.0 {
            best = best.max(covered / total);
        }
    }
    best
}

/// The terms of a question and its synonyms, as a bit per term id: phrasing coverage looks up every term of every
/// phrasing of each kept candidate, hundreds of lookups per question.
pub(crate) struct TermSet(Vec<u64>);

impl TermSet {
    pub(crate) fn new(terms: impl Iterator<Item = TermId>) -> Self {
        let mut bits = Vec::new();
        for term in terms {
            let (word, bit) = (term as usize / 64, term % 64);
            if bits.len() <= word {
                bits.resize(word + 1, 0u64);
            }
            bits[word] |= 1 << bit;
        }
        Self(bits)
    }

    fn contains(&self, term: TermId) -> bool {
        self.0
            .get(term as usize / 64)
            .is_some_and(|word| word & (1 << (term % 64)) != 0)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn coverage_weighs_concepts_by_idf_and_answers_less() {
        let concepts = vec![
            Concept {
                label: "switch".into(),
                alternatives: Arc::from([]),
                weight: 3.0,
                context: false,
                known: true,
            },
            Concept {
                label: "account".into(),
                alternatives: Arc::from([]),
                weight: 1.0,
                context: false,
                known: true,
            },
        ];
        let hit = |concept: &str, field| ConceptMatch {
            concept: concept.into(),
            field,
            score: 1.0,
        };
        assert_eq!(
            coverage(
                &concepts,
                &[
                    hit("switch", MatchField::Question),
                    hit("account", MatchField::Question)
                ]
            ),
            1.0
        );
        assert_eq!(coverage(&concepts, &[hit("account", MatchField::Question)]), 0.25);
        assert_eq!(coverage(&concepts, &[hit("switch", MatchField::Answer)]), 0.375);
        assert_eq!(coverage(&[], &[]), 0.0);
    }

    #[test]
    fn a_term_set_holds_exactly_its_terms() {
        let set = TermSet::new([3, 64, 200, 3].into_iter());
        assert!(set.contains(3) && set.contains(64) && set.contains(200));
        assert!(!set.contains(0) && !set.contains(63) && !set.contains(65) && !set.contains(100_000));
        assert!(!TermSet::new(std::iter::empty()).contains(0));
    }
}
