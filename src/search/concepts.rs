//! What a question asks about: its tokens grouped into concepts (a word, or a phrase of a synonym group with the
//! group's other terms as alternatives), how telling each is, and the one rule by which a concept scores a
//! document: its best alternative there, the words as typed in full and a synonym a little less.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::build::AnalyzedSynonyms;
use super::compiled::{Compiled, PhrasingTerm, TermId};
use super::postings::{Slot, TermPostings};

/// A question of more distinct concepts than this keeps the first ones.
pub const MAX_CONCEPTS: usize = 48;
/// A synonym counts a little less than the word the user typed.
pub(crate) const SYNONYM_BOOST: f32 = 0.8;
/// How much a word of the context counts against one of the sentence that asks.
pub const CONTEXT_WEIGHT: f32 = 0.5;

/// One thing the question asks about: a word, or a phrase from a synonym group, with its alternatives.
#[derive(Debug, Clone)]
pub struct Concept {
    /// As analyzed from the question, tokens joined by spaces.
    pub label: String,
    /// Token sequences that each express the concept; the first is what the user wrote.
    pub alternatives: Arc<[Vec<String>]>,
    /// Inverse document frequency over questions (times [`CONTEXT_WEIGHT`] for context): how telling a match is.
    pub weight: f32,
    /// From the context of the message rather than the sentence that asks.
    pub context: bool,
    /// Whether any entry's question, answer or tags uses any of its alternatives.
    pub known: bool,
}

/// Synonym terms by their first token, each with its concept (label and alternatives) made once, so that grouping a
/// question looks up each token once and shares the alternatives instead of copying them.
#[derive(Debug, Default)]
pub struct SynonymIndex {
    /// Terms in file order (group by group), under their first token.
    by_first_token: FxHashMap<String, Vec<SynonymTerm>>,
}

#[derive(Debug)]
struct SynonymTerm {
    tokens: Vec<String>,
    label: String,
    /// This term first, then the group's other terms.
    alternatives: Arc<[Vec<String>]>,
}

impl SynonymIndex {
    pub fn new(groups: &[AnalyzedSynonyms]) -> Self {
        let mut by_first_token: FxHashMap<String, Vec<SynonymTerm>> = FxHashMap::default();
        for group in groups {
            for term in &group.analyzed {
                let Some(first) = term.first() else { continue };
                let mut alternatives = vec![term.clone()];
                for other in &group.analyzed {
                    if !other.is_empty() && !alternatives.contains(other) {
                        alternatives.push(other.clone());
                    }
                }
                by_first_token.entry(first.clone()).or_default().push(SynonymTerm {
                    tokens: term.clone(),
                    label: term.join(" "),
                    alternatives: alternatives.into(),
                });
            }
        }
        Self { by_first_token }
    }
}

/// Groups analyzed tokens into concepts: a run of tokens that spells a synonym term becomes one concept
/// (longest term first) whose alternatives are the group's terms; every other token is its own concept.
pub fn group_concepts(tokens: &[String], synonyms: &SynonymIndex) -> Vec<Concept> {
    let mut concepts: Vec<Concept> = Vec::new();
    let mut position = 0;
    while position < tokens.len() && concepts.len() < MAX_CONCEPTS {
        let rest = &tokens[position..];
        let longest = synonyms
            .by_first_token
            .get(&rest[0])
            .into_iter()
            .flatten()
            .filter(|term| rest.starts_with(&term.tokens))
            .max_by_key(|term| term.tokens.len());
        let (label, alternatives, length) = match longest {
            Some(term) => (term.label.clone(), Arc::clone(&term.alternatives), term.tokens.len()),
            None => (rest[0].clone(), Arc::from([vec![rest[0].clone()]]), 1),
        };
        if !concepts.iter().any(|c| c.label == label) {
            concepts.push(Concept {
                label,
                alternatives,
                weight: 0.0,
                context: false,
                known: false,
            });
        }
        position += length;
    }
    concepts
}

/// One alternative of a concept: its tokens' posting lists, looked up in the dictionary once per question.
pub(crate) struct Alternative<'a> {
    /// `None` for a token that is in no field.
    pub(crate) terms: Vec<Option<(TermId, &'a TermPostings)>>,
    pub(crate) boost: f32,
}

impl Alternative<'_> {
    /// The alternative's terms that are in the dictionary.
    pub(crate) fn term_ids(&self) -> impl Iterator<Item = TermId> + '_ {
        self.terms.iter().flatten().map(|(id, _)| *id)
    }

    /// The score on an entry's answer or tags, or `None` unless every token of the alternative is there.
    fn score_at_entry(&self, slot: Slot, ordinal: u32) -> Option<f32> {
        let mut sum = 0.0;
        for term in &self.terms {
            let list = term.and_then(|(_, t)| t.list(slot))?;
            sum += list.weight * self.boost * list.factor_of(ordinal)?;
        }
        Some(sum)
    }

    /// The score on a phrasing (given its terms), or `None` unless every token of the alternative is there.
    fn score_at_phrasing(&self, phrasing: &[PhrasingTerm]) -> Option<f32> {
        let mut sum = 0.0;
        for term in &self.terms {
            let (id, postings) = (*term)?;
            let at = phrasing.binary_search_by_key(&id, |t| t.term).ok()?;
            sum += postings.fields[Slot::Question as usize].weight * self.boost * phrasing[at].tf_factor;
        }
        Some(sum)
    }
}

/// A concept with its alternatives looked up and weighted, as scoring and explaining use it.
pub(crate) struct ConceptTerms<'a> {
    compiled: &'a Compiled,
    pub(crate) alternatives: Vec<Alternative<'a>>,
}

impl<'a> ConceptTerms<'a> {
    /// The concept's alternatives with their boosts: what the user typed in full (half from the context), a
    /// synonym [`SYNONYM_BOOST`] as much and never more than the typed words would score: "change" must not weigh
    /// like the rare "转换成" (three tokens in the segmenter's search mode) that it stands for.
    pub(crate) fn new(compiled: &'a Compiled, concept: &Concept) -> Self {
        let weight = if concept.context { CONTEXT_WEIGHT } else { 1.0 };
        let mut alternatives: Vec<Alternative<'a>> = concept
            .alternatives
            .iter()
            .map(|tokens| compiled.alternative(tokens, weight))
            .collect();
        let typed = alternatives
            .first()
            .map_or(0.0, |alternative| compiled.alternative_question_idf(alternative));
        for alternative in alternatives.iter_mut().skip(1) {
            let own = compiled.alternative_question_idf(alternative);
            alternative.boost *= SYNONYM_BOOST * if own > typed { typed / own } else { 1.0 };
        }
        Self { compiled, alternatives }
    }

    /// The concept's score on one document (a phrasing for questions, an entry for answers and tags): its best
    /// alternative there, if any matches.
    pub(crate) fn score_at(&self, slot: Slot, doc: u32) -> Option<f32> {
        let best = |score: &dyn Fn(&Alternative<'a>) -> Option<f32>| {
            self.alternatives.iter().filter_map(score).reduce(f32::max)
        };
        match slot {
            Slot::Question => {
                let phrasing = self.compiled.phrasing_terms(doc);
                best(&|alternative| alternative.score_at_phrasing(phrasing))
            }
            Slot::Answer | Slot::Tags => best(&|alternative| alternative.score_at_entry(slot, doc)),
        }
    }

    /// Every term of every alternative that is in the dictionary.
    pub(crate) fn term_ids(&self) -> impl Iterator<Item = TermId> + '_ {
        self.alternatives.iter().flat_map(Alternative::term_ids)
    }
}

/// BM25's inverse document frequency over questions; a concept weighs what its most telling alternative does,
/// less when it comes from the context.
pub(crate) fn weigh_concepts(concepts: &mut [Concept], compiled: &Compiled) {
    for concept in concepts {
        let mut weight: f32 = 0.0;
        for alternative in concept.alternatives.iter() {
            let sum: f32 = alternative.iter().map(|token| compiled.question_idf(token)).sum();
            weight = weight.max(sum / alternative.len().max(1) as f32);
        }
        concept.weight = if concept.context {
            weight * CONTEXT_WEIGHT
        } else {
            weight
        };
        concept.known = concept
            .alternatives
            .iter()
            .any(|alternative| alternative.iter().all(|token| compiled.knows_token(token)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synonyms(groups: &[&[&[&str]]]) -> Vec<AnalyzedSynonyms> {
        groups
            .iter()
            .map(|terms| AnalyzedSynonyms {
                terms: terms.iter().map(|t| t.join(" ")).collect(),
                analyzed: terms
                    .iter()
                    .map(|t| t.iter().map(|s| s.to_string()).collect())
                    .collect(),
            })
            .collect()
    }

    fn tokens(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn synonym_phrases_become_one_concept_longest_first() {
        let groups = synonyms(&[
            &[&["subscript", "account"], &["订阅号"]],
            &[&["switch"], &["convert"], &["chang"]],
            &[&["account"], &["账号"]],
        ]);
        let concepts = group_concepts(
            &tokens(&["convert", "subscript", "account", "servic", "account"]),
            &SynonymIndex::new(&groups),
        );
        let labels: Vec<&str> = concepts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, vec!["convert", "subscript account", "servic", "account"]);
        assert_eq!(
            concepts[0].alternatives.to_vec(),
            vec![tokens(&["convert"]), tokens(&["switch"]), tokens(&["chang"])]
        );
        assert_eq!(
            concepts[1].alternatives.to_vec(),
            vec![tokens(&["subscript", "account"]), tokens(&["订阅号"])]
        );
        assert_eq!(
            concepts[3].alternatives.to_vec(),
            vec![tokens(&["account"]), tokens(&["账号"])]
        );
    }

    #[test]
    fn repeated_words_are_one_concept_and_the_count_is_capped() {
        let many: Vec<String> = (0..500).map(|i| format!("w{i}")).collect();
        let none = SynonymIndex::default();
        assert_eq!(group_concepts(&many, &none).len(), MAX_CONCEPTS);
        assert_eq!(group_concepts(&tokens(&["fee", "fee", "fee"]), &none).len(), 1);
    }
}
