//! From a user's question to ranked entries, never through a query parser: typos corrected against the
//! vocabulary, words grouped into concepts with their synonyms, BM25 over questions and answers, and for
//! the best candidates which concept matched where (for the confidence and for --explain).

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, FuzzyTermQuery, Query, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, DocSet, Searcher, TantivyDocument, Term};

use super::build::AnalyzedSynonyms;
use super::tokenizer::{self, STOP_WORDS};
use super::{IndexError, SearchIndex};
use crate::faq::Entry;

/// Longer questions are cut here: no real question is longer, and a 20,000-character paste must stay fast.
pub const MAX_QUESTION_CHARS: usize = 1_000;
/// A question of more distinct concepts than this keeps the first ones.
pub const MAX_CONCEPTS: usize = 48;
/// How many question hits and entry hits are merged into candidates.
const QUESTION_HITS: usize = 64;
const ENTRY_HITS: usize = 32;
/// A synonym counts a little less than the word the user typed.
const SYNONYM_BOOST: f32 = 0.8;
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
    pub alternatives: Vec<Vec<String>>,
    /// Inverse document frequency over questions: how telling a match is.
    pub weight: f32,
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
    pub entry: Entry,
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
    pub concepts: Vec<Concept>,
    pub candidates: Vec<Candidate>,
}

impl SearchIndex {
    /// Ranks entries for `question`, best first, at most `limit` of them.
    pub fn retrieve(&self, question: &str, limit: usize) -> Result<Retrieval, IndexError> {
        let question = truncate_chars(question, MAX_QUESTION_CHARS);
        let questions = self.questions.searcher();
        let entries = self.entries.searcher();
        let error = |source| IndexError::Tantivy {
            path: self.path.clone(),
            source,
        };

        let words = surface_words(question);
        let corrections = self.correct_typos(&questions, &entries, &words).map_err(error)?;
        let corrected = apply_corrections(question, &words, &corrections);
        let tokens = tokenizer::analyze(&mut tokenizer::text_analyzer(), &corrected);
        let mut concepts = group_concepts(&tokens, &self.manifest.synonyms);
        if concepts.is_empty() || limit == 0 {
            return Ok(Retrieval {
                corrections,
                concepts,
                candidates: Vec::new(),
            });
        }
        let mut idf = IdfCache::new(&questions, self.schema.questions.question);
        weigh_concepts(&mut concepts, &mut idf).map_err(error)?;

        let fields = &self.schema;
        let question_query = BooleanQuery::union(
            concepts
                .iter()
                .map(|c| concept_query(c, fields.questions.question))
                .collect(),
        );
        let entry_query = BooleanQuery::union(
            concepts
                .iter()
                .flat_map(|c| {
                    [
                        concept_query(c, fields.entries.answer),
                        concept_query(c, fields.entries.tags),
                    ]
                })
                .collect(),
        );

        #[derive(Default)]
        struct Hit {
            question: Option<(f32, DocAddress)>,
            entry: Option<(f32, DocAddress)>,
        }
        let mut hits: HashMap<u64, Hit> = HashMap::new();
        let mut question_ordinals = OrdinalColumns::new(&questions, "entry");
        for (score, address) in questions
            .search(&question_query, &TopDocs::with_limit(QUESTION_HITS).order_by_score())
            .map_err(error)?
        {
            let Some(ordinal) = question_ordinals.get(address).map_err(error)? else {
                continue;
            };
            let hit = hits.entry(ordinal).or_default();
            if hit.question.is_none_or(|(best, _)| score > best) {
                hit.question = Some((score, address));
            }
        }
        let mut entry_ordinals = OrdinalColumns::new(&entries, "entry");
        for (score, address) in entries
            .search(&entry_query, &TopDocs::with_limit(ENTRY_HITS).order_by_score())
            .map_err(error)?
        {
            let Some(ordinal) = entry_ordinals.get(address).map_err(error)? else {
                continue;
            };
            hits.entry(ordinal).or_default().entry = Some((score, address));
        }

        let mut ranked: Vec<(f32, u64, Hit)> = hits
            .into_iter()
            .map(|(ordinal, hit)| {
                let combined = hit.question.map_or(0.0, |(s, _)| s) + ANSWER_WEIGHT * hit.entry.map_or(0.0, |(s, _)| s);
                (combined, ordinal, hit)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(limit);

        let mut phrasing_positions = OrdinalColumns::new(&questions, "phrasing");
        let matcher = ConceptMatcher::new(&concepts, fields, &questions, &entries).map_err(error)?;
        let mut candidates = Vec::with_capacity(ranked.len());
        for (score, ordinal, hit) in ranked {
            let entry_address = match hit.entry {
                Some((_, address)) => address,
                None => self.entry_address(&entries, ordinal)?,
            };
            let (entry, phrasings) = self.entry_record(&entries, entry_address)?;
            let question_address = hit.question.map(|(_, a)| a);
            let matches = matcher.matches(question_address, entry_address).map_err(error)?;
            let coverage = coverage(&concepts, &matches);
            let matched_question = match question_address {
                Some(address) => phrasing_positions
                    .get(address)
                    .map_err(error)?
                    .and_then(|position| entry.questions.get(position as usize))
                    .cloned(),
                None => None,
            };
            let phrasing_coverage = phrasing_coverage(&phrasings, &concepts, &mut idf).map_err(error)?;
            candidates.push(Candidate {
                phrasing_coverage,
                score,
                question_score: hit.question.map_or(0.0, |(s, _)| s),
                answer_score: hit.entry.map_or(0.0, |(s, _)| s),
                matched_question,
                coverage,
                matches,
                entry,
            });
        }
        Ok(Retrieval {
            corrections,
            concepts,
            candidates,
        })
    }

    /// Corrects words that are in no entry (after stemming) to the nearest vocabulary word, if one is close.
    fn correct_typos(
        &self,
        questions: &Searcher,
        entries: &Searcher,
        words: &[SurfaceWord],
    ) -> tantivy::Result<Vec<Correction>> {
        let vocab = self.schema.entries.vocab;
        let mut stemmer = tokenizer::text_analyzer();
        let mut corrections = Vec::new();
        for SurfaceWord { text: word, .. } in words {
            let word = word.clone();
            let length = word.chars().count();
            let correctable = length >= MIN_CORRECTABLE_CHARS
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !STOP_WORDS.contains(&word.as_str());
            if !correctable || corrections.iter().any(|c: &Correction| c.from == word) {
                continue;
            }
            if entries.doc_freq(&Term::from_field_text(vocab, &word))? > 0 {
                continue;
            }
            let known_stem = tokenizer::analyze(&mut stemmer, &word).iter().any(|stem| {
                let term = |field| Term::from_field_text(field, stem);
                questions.doc_freq(&term(self.schema.questions.question)).unwrap_or(0) > 0
                    || entries.doc_freq(&term(self.schema.entries.answer)).unwrap_or(0) > 0
            });
            if known_stem {
                continue;
            }
            let distance = if length >= TWO_EDITS_FROM_CHARS { 2 } else { 1 };
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(vocab, &word), distance, true);
            let mut best: Option<(usize, u32, String)> = None;
            for segment in entries.segment_readers() {
                let inverted = segment.inverted_index(vocab)?;
                let mut stream = inverted.terms().search(fuzzy.automaton()?).into_stream()?;
                while stream.advance() {
                    let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if !candidate.chars().all(|c| c.is_ascii_alphabetic()) {
                        continue;
                    }
                    let edits = strsim::osa_distance(&word, candidate);
                    let rank = (edits, u32::MAX - stream.value().doc_freq, candidate.to_string());
                    if best.as_ref().is_none_or(|b| rank < *b) {
                        best = Some(rank);
                    }
                }
            }
            if let Some((_, _, to)) = best {
                corrections.push(Correction { from: word, to });
            }
        }
        Ok(corrections)
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

    /// Every entry in index order, read from the index: for listing topics and answering with an entry the user picked.
    pub fn entries(&self) -> Result<Vec<Entry>, IndexError> {
        let entries = self.entries.searcher();
        (0..self.manifest.entries as u64)
            .map(|ordinal| Ok(self.entry_record(&entries, self.entry_address(&entries, ordinal)?)?.0))
            .collect()
    }

    fn entry_address(&self, entries: &Searcher, ordinal: u64) -> Result<DocAddress, IndexError> {
        let query = TermQuery::new(
            Term::from_field_u64(self.schema.entries.entry, ordinal),
            IndexRecordOption::Basic,
        );
        let hits = entries
            .search(&query, &TopDocs::with_limit(1).order_by_score())
            .map_err(|source| IndexError::Tantivy {
                path: self.path.clone(),
                source,
            })?;
        hits.first()
            .map(|(_, address)| *address)
            .ok_or(IndexError::MissingEntry {
                path: self.path.clone(),
                ordinal,
            })
    }

    /// The stored entry and its analyzed phrasings.
    fn entry_record(&self, entries: &Searcher, address: DocAddress) -> Result<(Entry, Vec<Vec<String>>), IndexError> {
        let document: TantivyDocument = entries.doc(address).map_err(|source| IndexError::Tantivy {
            path: self.path.clone(),
            source,
        })?;
        let text = |field| document.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
        let json_error = |source| IndexError::Manifest {
            path: self.path.clone(),
            source,
        };
        let entry = serde_json::from_str(text(self.schema.entries.record)).map_err(json_error)?;
        let phrasings = serde_json::from_str(text(self.schema.entries.phrasings)).map_err(json_error)?;
        Ok((entry, phrasings))
    }
}

/// One u64 fast-field column (`entry` or `phrasing`) of each segment, opened on first use.
struct OrdinalColumns<'a> {
    searcher: &'a Searcher,
    field: &'static str,
    columns: HashMap<u32, Column<u64>>,
}

impl<'a> OrdinalColumns<'a> {
    fn new(searcher: &'a Searcher, field: &'static str) -> Self {
        Self {
            searcher,
            field,
            columns: HashMap::new(),
        }
    }

    fn get(&mut self, address: DocAddress) -> tantivy::Result<Option<u64>> {
        if !self.columns.contains_key(&address.segment_ord) {
            let column = self
                .searcher
                .segment_reader(address.segment_ord)
                .fast_fields()
                .u64(self.field)?;
            self.columns.insert(address.segment_ord, column);
        }
        Ok(self
            .columns
            .get(&address.segment_ord)
            .and_then(|c| c.first(address.doc_id)))
    }
}

/// Tells which concepts a candidate's documents match, and with what score, from one term weight per (field, token):
/// an alternative scores the sum of its tokens (all must match), a concept its best alternative, as in the ranking
/// query, without building that query's union scorers for every probe.
struct ConceptMatcher<'a> {
    concepts: &'a [Concept],
    questions: &'a Searcher,
    entries: &'a Searcher,
    weights: HashMap<(usize, String), Box<dyn Weight>>,
}

impl<'a> ConceptMatcher<'a> {
    const FIELDS: [MatchField; 3] = [MatchField::Question, MatchField::Answer, MatchField::Tags];

    fn new(
        concepts: &'a [Concept],
        fields: &super::FaqSchema,
        questions: &'a Searcher,
        entries: &'a Searcher,
    ) -> tantivy::Result<Self> {
        let fields = [fields.questions.question, fields.entries.answer, fields.entries.tags];
        let mut weights = HashMap::new();
        for concept in concepts {
            for token in concept.alternatives.iter().flatten() {
                for (slot, field) in fields.iter().enumerate() {
                    if weights.contains_key(&(slot, token.clone())) {
                        continue;
                    }
                    let searcher = if slot == 0 { questions } else { entries };
                    let query = TermQuery::new(Term::from_field_text(*field, token), IndexRecordOption::WithFreqs);
                    weights.insert(
                        (slot, token.clone()),
                        query.weight(EnableScoring::enabled_from_searcher(searcher))?,
                    );
                }
            }
        }
        Ok(Self {
            concepts,
            questions,
            entries,
            weights,
        })
    }

    fn matches(&self, question: Option<DocAddress>, entry: DocAddress) -> tantivy::Result<Vec<ConceptMatch>> {
        let mut matches = Vec::new();
        for concept in self.concepts {
            for (slot, field) in Self::FIELDS.into_iter().enumerate() {
                let (searcher, address, boost) = match field {
                    MatchField::Question => (self.questions, question, 1.0),
                    MatchField::Answer => (self.entries, Some(entry), 1.0),
                    MatchField::Tags => (self.entries, Some(entry), 1.0),
                };
                let Some(address) = address else { continue };
                let mut best: Option<f32> = None;
                for (i, alternative) in concept.alternatives.iter().enumerate() {
                    let mut sum = Some(0.0);
                    for token in alternative {
                        let score = match self.weights.get(&(slot, token.clone())) {
                            Some(weight) => score_of(weight.as_ref(), searcher, address, boost)?,
                            None => None,
                        };
                        sum = sum.zip(score).map(|(a, b)| a + b);
                    }
                    let boost = if i == 0 { 1.0 } else { SYNONYM_BOOST };
                    if let Some(score) = sum.map(|s| s * boost) {
                        best = Some(best.map_or(score, |b: f32| b.max(score)));
                    }
                }
                if let Some(score) = best {
                    matches.push(ConceptMatch {
                        concept: concept.label.clone(),
                        field,
                        score,
                    });
                }
            }
        }
        Ok(matches)
    }
}

/// The score `weight` gives the document, or `None` when it does not match.
fn score_of(weight: &dyn Weight, searcher: &Searcher, address: DocAddress, boost: f32) -> tantivy::Result<Option<f32>> {
    let mut scorer = weight.scorer(searcher.segment_reader(address.segment_ord), boost)?;
    if scorer.doc() > address.doc_id || scorer.seek(address.doc_id) != address.doc_id {
        return Ok(None);
    }
    Ok(Some(scorer.score()))
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
fn phrasing_coverage(phrasings: &[Vec<String>], concepts: &[Concept], idf: &mut IdfCache<'_>) -> tantivy::Result<f32> {
    let mut best: f32 = 0.0;
    for phrasing in phrasings {
        let mut tokens: Vec<&String> = phrasing.iter().collect();
        tokens.sort();
        tokens.dedup();
        let (mut covered, mut total) = (0.0, 0.0);
        for token in tokens {
            let weight = idf.get(token)?;
            total += weight;
            if concepts
                .iter()
                .any(|c| c.alternatives.iter().any(|a| a.contains(token)))
            {
                covered += weight;
            }
        }
        if total > 0.0 {
            best = best.max(covered / total);
        }
    }
    Ok(best)
}

/// BM25's inverse document frequency of terms among questions, each looked up once per question asked.
struct IdfCache<'a> {
    questions: &'a Searcher,
    field: Field,
    known: HashMap<String, f32>,
}

impl<'a> IdfCache<'a> {
    fn new(questions: &'a Searcher, field: Field) -> Self {
        Self {
            questions,
            field,
            known: HashMap::new(),
        }
    }

    fn get(&mut self, token: &str) -> tantivy::Result<f32> {
        if let Some(&weight) = self.known.get(token) {
            return Ok(weight);
        }
        let documents = self.questions.num_docs() as f32;
        let frequency = self.questions.doc_freq(&Term::from_field_text(self.field, token))? as f32;
        let weight = (1.0 + (documents - frequency + 0.5) / (frequency + 0.5)).ln();
        self.known.insert(token.to_string(), weight);
        Ok(weight)
    }
}

/// Groups analyzed tokens into concepts: a run of tokens that spells a synonym term becomes one concept
/// (longest term first) whose alternatives are the group's terms; every other token is its own concept.
pub fn group_concepts(tokens: &[String], synonyms: &[AnalyzedSynonyms]) -> Vec<Concept> {
    let mut concepts: Vec<Concept> = Vec::new();
    let mut position = 0;
    while position < tokens.len() && concepts.len() < MAX_CONCEPTS {
        let rest = &tokens[position..];
        let longest = synonyms
            .iter()
            .flat_map(|group| group.analyzed.iter().map(move |term| (group, term)))
            .filter(|(_, term)| !term.is_empty() && rest.starts_with(term))
            .max_by_key(|(_, term)| term.len());
        let (alternatives, length) = match longest {
            Some((group, term)) => {
                let mut alternatives = vec![term.clone()];
                for other in &group.analyzed {
                    if !other.is_empty() && !alternatives.contains(other) {
                        alternatives.push(other.clone());
                    }
                }
                (alternatives, term.len())
            }
            None => (vec![vec![rest[0].clone()]], 1),
        };
        let label = alternatives[0].join(" ");
        if !concepts.iter().any(|c| c.label == label) {
            concepts.push(Concept {
                label,
                alternatives,
                weight: 0.0,
            });
        }
        position += length;
    }
    concepts
}

/// BM25's inverse document frequency over questions; a concept weighs what its most telling alternative does.
fn weigh_concepts(concepts: &mut [Concept], idf: &mut IdfCache<'_>) -> tantivy::Result<()> {
    for concept in concepts {
        let mut weight: f32 = 0.0;
        for alternative in &concept.alternatives {
            let mut sum = 0.0;
            for token in alternative {
                sum += idf.get(token)?;
            }
            weight = weight.max(sum / alternative.len().max(1) as f32);
        }
        concept.weight = weight;
    }
    Ok(())
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
            &groups,
        );
        let labels: Vec<&str> = concepts.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(labels, vec!["convert", "subscript account", "servic", "account"]);
        assert_eq!(
            concepts[0].alternatives,
            vec![tokens(&["convert"]), tokens(&["switch"]), tokens(&["chang"])]
        );
        assert_eq!(
            concepts[1].alternatives,
            vec![tokens(&["subscript", "account"]), tokens(&["订阅号"])]
        );
        assert_eq!(concepts[3].alternatives, vec![tokens(&["account"]), tokens(&["账号"])]);
    }

    #[test]
    fn repeated_words_are_one_concept_and_the_count_is_capped() {
        let many: Vec<String> = (0..500).map(|i| format!("w{i}")).collect();
        assert_eq!(group_concepts(&many, &[]).len(), MAX_CONCEPTS);
        assert_eq!(group_concepts(&tokens(&["fee", "fee", "fee"]), &[]).len(), 1);
    }

    #[test]
    fn coverage_weighs_concepts_by_idf_and_answers_less() {
        let concepts = vec![
            Concept {
                label: "switch".into(),
                alternatives: vec![],
                weight: 3.0,
            },
            Concept {
                label: "account".into(),
                alternatives: vec![],
                weight: 1.0,
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
    fn truncation_respects_char_boundaries() {
        assert_eq!(truncate_chars("订阅号", 2), "订阅");
        assert_eq!(truncate_chars("ab", 5), "ab");
    }
}
