//! From a user's question to ranked entries, never through a query parser: typos corrected against the
//! vocabulary, words grouped into concepts with their synonyms, BM25 over questions and answers, and for
//! the best candidates which concept matched where (for the confidence and for --explain).

use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, DisjunctionMaxQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;

use super::build::AnalyzedSynonyms;
use super::compiled::{Alternative, Compiled, Ranked, Slot, TermId};
use super::semantic;
use super::tokenizer::{self, STOP_WORDS};
use super::words;
use super::{IndexError, SearchIndex};
use crate::faq::Entry;
use crate::lang::Language;

/// Longer questions are cut here: no real question is longer, and a 20,000-character paste must stay fast.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// A question of more distinct concepts than this keeps the first ones.
pub const MAX_CONCEPTS: usize = 48;
/// A synonym counts a little less than the word the user typed.
const SYNONYM_BOOST: f32 = 0.8;
/// How many of the lexical ranking's best candidates the semantic similarity may reorder.
const RERANK_POOL: usize = 10;
/// How much semantic similarity (a cosine, in [-1, 1]) counts against the lexical score relative to the best (in
/// [0, 1]) when reordering. Chosen on tests/eval/dev.jsonl.
pub const SEMANTIC_WEIGHT: f32 = 0.5;
/// How much a word of the context counts against one of the sentence that asks.
pub const CONTEXT_WEIGHT: f32 = 0.5;
/// How much the best answer/tags score adds to the best question score.
pub const ANSWER_WEIGHT: f32 = 0.25;
/// How much of a concept's weight a match in the answer or tags (and not the matched question) earns.
const ANSWER_CREDIT: f32 = 0.5;
/// Words shorter than this are never corrected: too many real words are one edit apart.
const MIN_CORRECTABLE_CHARS: usize = 5;
/// Words this long may be two edits from the vocabulary word, shorter ones one.
const TWO_EDITS_FROM_CHARS: usize = 8;

/// A word the user typed that is not in the vocabulary, and the vocabulary word used instead.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

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

/// A passage of an answer with the byte ranges of the words that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub fragment: String,
    pub ranges: Vec<std::ops::Range<usize>>,
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
    /// `context`: its words count [`CONTEXT_WEIGHT`] as much, so that a story about a bakery in Utrecht helps
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
        let alternatives: Vec<Vec<Alternative<'_>>> =
            concepts.iter().map(|c| concept_alternatives(compiled, c)).collect();

        let ranked = compiled.rank(&alternatives, ANSWER_WEIGHT, limit.max(RERANK_POOL));
        let focus_embedding = semantic::SemanticModel::embedded()
            .ok()
            .and_then(|model| model.embed_words(focus_words.iter().map(|w| w.text.as_str())));
        let phrasing_embeddings = match &focus_embedding {
            Some(_) => self.phrasing_embeddings(Language::of(focus)),
            None => &[],
        };
        let question_terms = TermSet::new(alternatives.iter().flatten().flat_map(Alternative::term_ids));
        let semantic_of = |ordinal: u32| {
            focus_embedding.as_ref().map_or(0.0, |focus| {
                phrasing_embeddings
                    .get(ordinal as usize)
                    .into_iter()
                    .flatten()
                    .map(|phrasing| semantic::cosine(focus, phrasing))
                    .fold(0.0, f32::max)
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
                    let compiled_entry = &compiled.entries()[ordinal as usize];
                    let matches = concept_matches(
                        compiled,
                        &concepts,
                        &alternatives,
                        phrasing.map(|(_, doc)| doc),
                        ordinal,
                    );
                    let matched_question = phrasing.and_then(|(_, doc)| {
                        let position = compiled.phrasing(doc).position as usize;
                        compiled_entry.entry.questions.get(position).cloned()
                    });
                    Candidate {
                        phrasing_coverage: phrasing_coverage(&compiled_entry.phrasings, &question_terms),
                        semantic,
                        score,
                        question_score: phrasing.map_or(0.0, |(score, _)| score),
                        answer_score,
                        matched_question,
                        coverage: coverage(&concepts, &matches),
                        matches,
                        entry: Arc::clone(&compiled_entry.entry),
                    }
                },
            )
            .collect();
        Ok(Retrieval {
            corrections,
            focus_tokens,
            concepts,
            candidates,
        })
    }

    /// The words of `text` as written and its analyzed tokens, typos corrected (and recorded in `corrections`).
    fn tokens(&self, text: &str, corrections: &mut Vec<Correction>) -> (Vec<SurfaceWord>, Vec<String>) {
        if text.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let words = surface_words(text);
        let found = self.correct_typos(&words);
        if found.is_empty() {
            let tokens = tokenizer::stems_of_words(words.iter().map(|word| word.text.as_str()));
            return (words, tokens);
        }
        let corrected = apply_corrections(text, &words, &found);
        for correction in found {
            if !corrections.contains(&correction) {
                corrections.push(correction);
            }
        }
        (words, tokenizer::analyze(&mut tokenizer::text_analyzer(), &corrected))
    }

    /// Corrects words that are in no entry (after stemming) and are not English words to the nearest vocabulary
    /// word, if one is close: "swich" becomes "switch", but "posts" is a word and stays "posts".
    fn correct_typos(&self, words: &[SurfaceWord]) -> Vec<Correction> {
        let mut corrections = Vec::new();
        let mut stemmer = None;
        for SurfaceWord { text: word, .. } in words {
            let length = word.chars().count();
            let correctable = length >= MIN_CORRECTABLE_CHARS
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !STOP_WORDS.contains(&word.as_str());
            if !correctable
                || self.compiled.knows_word(word)
                || words::is_english_word(word)
                || corrections.iter().any(|c: &Correction| &c.from == word)
            {
                continue;
            }
            let stemmer = stemmer.get_or_insert_with(tokenizer::text_analyzer);
            if tokenizer::analyze(stemmer, word)
                .iter()
                .any(|stem| self.compiled.knows_token(stem))
            {
                continue;
            }
            let max_edits = if length >= TWO_EDITS_FROM_CHARS { 2 } else { 1 };
            if let Some(to) = self.compiled.nearest_word(word, max_edits) {
                corrections.push(Correction {
                    from: word.clone(),
                    to: to.to_string(),
                });
            }
        }
        corrections
    }

    /// The passage of `text` (an answer) that best matches the concepts, with the matched words' byte ranges in it.
    pub fn highlight(&self, concepts: &[Concept], text: &str, max_chars: usize) -> Result<Highlight, IndexError> {
        let entries = self.entries.searcher();
        let field = self.schema.entries.answer;
        let query = BooleanQuery::union(concepts.iter().map(|c| concept_query(c, field)).collect());
        let mut generator =
            SnippetGenerator::create(&entries, &query, field).map_err(|source| IndexError::Tantivy {
                path: self.path.clone(),
                source,
            })?;
        generator.set_max_num_chars(max_chars);
        let snippet = generator.snippet(text);
        if snippet.is_empty() {
            let end = text.char_indices().nth(max_chars).map_or(text.len(), |(i, _)| i);
            return Ok(Highlight {
                fragment: text[..end].to_string(),
                ranges: Vec::new(),
            });
        }
        Ok(Highlight {
            fragment: snippet.fragment().to_string(),
            ranges: snippet.highlighted().to_vec(),
        })
    }
}

/// The concept's alternatives with their boosts: what the user typed in full, synonyms a little less.
fn concept_alternatives<'a>(compiled: &'a Compiled, concept: &Concept) -> Vec<Alternative<'a>> {
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
        // A synonym scores at most what the typed word would: "change" must not weigh like the rare
        // "转换成" (three tokens in the segmenter's search mode) that it stands for.
        let own = compiled.alternative_question_idf(alternative);
        Compiled::scale(alternative, SYNONYM_BOOST * if own > typed { typed / own } else { 1.0 });
    }
    alternatives
}

/// Which concepts the candidate's best phrasing, answer and tags match, each with its best alternative's score.
fn concept_matches(
    compiled: &Compiled,
    concepts: &[Concept],
    alternatives: &[Vec<Alternative<'_>>],
    phrasing: Option<u32>,
    entry: u32,
) -> Vec<ConceptMatch> {
    let mut matches = Vec::new();
    for (concept, alternatives) in concepts.iter().zip(alternatives) {
        for (field, slot, doc) in [
            (MatchField::Question, Slot::Question, phrasing),
            (MatchField::Answer, Slot::Answer, Some(entry)),
            (MatchField::Tags, Slot::Tags, Some(entry)),
        ] {
            let Some(doc) = doc else { continue };
            let best = alternatives
                .iter()
                .filter_map(|alternative| compiled.alternative_score(alternative, slot, doc))
                .reduce(f32::max);
            if let Some(score) = best {
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
fn coverage(concepts: &[Concept], matches: &[ConceptMatch]) -> f32 {
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
fn phrasing_coverage(phrasings: &[Vec<(TermId, f32)>], question_terms: &TermSet) -> f32 {
    let mut best: f32 = 0.0;
    for phrasing in phrasings {
        let (mut covered, mut total) = (0.0, 0.0);
        for (term, weight) in phrasing {
            total += weight;
            if question_terms.contains(*term) {
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
struct TermSet(Vec<u64>);

impl TermSet {
    fn new(terms: impl Iterator<Item = TermId>) -> Self {
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

/// BM25's inverse document frequency over questions; a concept weighs what its most telling alternative does,
/// less when it comes from the context.
fn weigh_concepts(concepts: &mut [Concept], compiled: &Compiled) {
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

/// A concept on one field: the best of its alternatives (the typed words first, synonyms a little less),
/// each alternative matching only when all its tokens do.
fn concept_query(concept: &Concept, field: Field) -> Box<dyn Query> {
    let alternatives = concept
        .alternatives
        .iter()
        .enumerate()
        .map(|(i, tokens)| {
            let terms = tokens
                .iter()
                .map(|t| {
                    let term = Term::from_field_text(field, t);
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
                })
                .collect();
            let query = single_or(terms, BooleanQuery::intersection);
            if i == 0 {
                query
            } else {
                Box::new(BoostQuery::new(query, SYNONYM_BOOST))
            }
        })
        .collect();
    single_or(alternatives, DisjunctionMaxQuery::new)
}

/// The query itself when there is one, else `combine` of them all.
fn single_or<Q: Query>(
    mut queries: Vec<Box<dyn Query>>,
    combine: impl FnOnce(Vec<Box<dyn Query>>) -> Q,
) -> Box<dyn Query> {
    match queries.pop() {
        Some(query) if queries.is_empty() => query,
        Some(query) => {
            queries.push(query);
            Box::new(combine(queries))
        }
        None => Box::new(combine(queries)),
    }
}

/// A word of the question as written (lower-cased and folded), with where it stands in the question.
struct SurfaceWord {
    text: String,
    span: std::ops::Range<usize>,
}

fn surface_words(question: &str) -> Vec<SurfaceWord> {
    let mut words = Vec::new();
    tokenizer::vocab_analyzer()
        .token_stream(question)
        .process(&mut |token| {
            words.push(SurfaceWord {
                text: token.text.clone(),
                span: token.offset_from..token.offset_to,
            })
        });
    words
}

fn apply_corrections(question: &str, words: &[SurfaceWord], corrections: &[Correction]) -> String {
    if corrections.is_empty() {
        return question.to_string();
    }
    let mut last = 0;
    let mut out = String::with_capacity(question.len());
    for word in words {
        if let Some(correction) = corrections.iter().find(|c| c.from == word.text) {
            out.push_str(&question[last..word.span.start]);
            out.push_str(&correction.to);
            last = word.span.end;
        }
    }
    out.push_str(&question[last..]);
    out
}

fn truncate_chars(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((offset, _)) => &text[..offset],
        None => text,
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
    fn corrections_replace_whole_words_only() {
        let question = "Swich my acount, swich!";
        let fixed = apply_corrections(
            question,
            &surface_words(question),
            &[
                Correction {
                    from: "swich".into(),
                    to: "switch".into(),
                },
                Correction {
                    from: "acount".into(),
                    to: "account".into(),
                },
            ],
        );
        assert_eq!(fixed, "switch my account, switch!");
    }

    #[test]
    fn a_term_set_holds_exactly_its_terms() {
        let set = TermSet::new([3, 64, 200, 3].into_iter());
        assert!(set.contains(3) && set.contains(64) && set.contains(200));
        assert!(!set.contains(0) && !set.contains(63) && !set.contains(65) && !set.contains(100_000));
        assert!(!TermSet::new(std::iter::empty()).contains(0));
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("订阅号", 2), "订阅");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
