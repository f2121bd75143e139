//! The scoring side of an opened index held in memory: postings, BM25 statistics, analysed phrasings and entry
//! records read once from the tantivy indexes, so that answering a question is array lookups rather than
//! building tantivy weights, scorers and collectors, and decoding stored JSON, for every question.
//!
//! Scores are tantivy's BM25 to the bit: the same statistics (document counts, token totals, quantised field
//! norms) and the same arithmetic as `tantivy::query::Bm25Weight`. Every phrasing is scored, not only the best
//! hits, except on knowledge bases large enough to exceed [`WALKED_POSTINGS`] (see [`Compiled::score_concepts`]).

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;

use tantivy::columnar::Column;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocSet, Searcher, TERMINATED, TantivyDocument};

use super::typos::TypoIndex;
use super::{FaqSchema, IndexError};
use crate::faq::Entry;

/// Postings walked per question and index before the remaining (most common) concepts are looked up for the best
/// candidates instead.
const WALKED_POSTINGS: usize = 65_536;
/// How many of the documents found by the walked concepts are completed with the remaining concepts' scores.
const PROBED_DOCUMENTS: usize = 1_024;

/// Entries are read in document order, so one cached block means each compressed block is decoded once.
const STORE_BLOCKS_CACHED: usize = 1;

/// tantivy's BM25 parameters (`tantivy::query::bm25`), which these scores must reproduce.
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// Which indexed field a posting list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Question = 0,
    Answer = 1,
    Tags = 2,
}

/// One document of a posting list: a phrasing (question field) or an entry ordinal (answer, tags).
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    /// BM25's term-frequency factor, `tf / (tf + k1 · (1 - b + b · length / average length))`: the posting's score is
    /// this times the term's weight, so it is worked out once, here.
    tf_factor: f32,
}

#[derive(Debug, Default)]
struct PostingList {
    /// BM25's idf × (1 + k1).
    weight: f32,
    /// Sorted by `doc`.
    postings: Vec<Posting>,
}

/// A term's posting lists in the three scored fields.
#[derive(Debug, Default)]
pub(crate) struct TermPostings {
    fields: [PostingList; 3],
}

/// BM25's per-field length normalisation, one value per quantised field norm, as tantivy caches it.
struct FieldStats {
    norms: [f32; 256],
    documents: u64,
}

impl FieldStats {
    fn new(total_tokens: u64, documents: u64) -> Self {
        let average = total_tokens as f32 / documents.max(1) as f32;
        let mut norms = [0.0; 256];
        for (id, norm) in norms.iter_mut().enumerate() {
            let fieldnorm = FieldNormReader::id_to_fieldnorm(id as u8);
            *norm = K1 * (1.0 - B + B * fieldnorm as f32 / average);
        }
        Self { norms, documents }
    }

    fn tf_factor(&self, term_freq: u32, fieldnorm_id: u8) -> f32 {
        let term_freq = term_freq as f32;
        term_freq / (term_freq + self.norms[fieldnorm_id as usize])
    }
}

/// tantivy's inverse document frequency.
fn idf(doc_freq: u64, documents: u64) -> f32 {
    let x = (documents.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}

/// A phrasing document of the questions index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhrasingDoc {
    pub entry: u32,
    /// Which of the entry's questions it is.
    pub position: u32,
}

/// An entry with its phrasings' distinct terms and their idf over questions, for phrasing coverage.
#[derive(Debug)]
pub(crate) struct CompiledEntry {
    pub entry: Arc<Entry>,
    pub phrasings: Vec<Vec<(TermId, f32)>>,
}

/// A token's number in the compiled dictionary.
pub(crate) type TermId = u32;

pub(crate) struct Compiled {
    term_ids: FxHashMap<Box<str>, TermId>,
    terms: Vec<TermPostings>,
    /// Every word of the knowledge base as written, with how many entries it is in, for telling typos from words.
    vocab: FxHashMap<Box<str>, u32>,
    /// Built from `vocab` on the first word that needs correcting.
    typos: OnceLock<TypoIndex>,
    stats: [FieldStats; 3],
    phrasings: Vec<PhrasingDoc>,
    entries: Vec<CompiledEntry>,
}

/// Per-question working memory, kept per thread so a question allocates nothing proportional to the index.
#[derive(Default)]
struct Scratch {
    /// Sum over concepts, per document.
    totals: Vec<f32>,
    /// The current concept's best alternative, per document.
    concept: Vec<f32>,
    touched_totals: Vec<u32>,
    touched_concept: Vec<u32>,
}

/// Per-entry working memory for ranking, reset through the list of entries a question touched.
#[derive(Default)]
struct EntryScratch {
    states: Vec<EntryState>,
    touched: Vec<u32>,
}

#[derive(Clone, Copy, Default)]
struct EntryState {
    seen: bool,
    /// The best phrasing's score and document, if any phrasing matched.
    question: Option<(f32, u32)>,
    answer: f32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    static ENTRY_SCRATCH: RefCell<EntryScratch> = RefCell::new(EntryScratch::default());
}

/// An entry as ranked for a question.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ranked {
    pub ordinal: u32,
    pub score: f32,
    /// The entry's best phrasing: its score and its document.
    pub phrasing: Option<(f32, u32)>,
    /// Answer and tags.
    pub answer_score: f32,
}

/// One alternative of a concept: its tokens' posting lists, looked up in the dictionary once per question.
pub(crate) struct Alternative<'a> {
    /// `None` for a token that is in no field.
    terms: Vec<Option<(TermId, &'a TermPostings)>>,
    boost: f32,
}

impl Alternative<'_> {
    /// The alternative's terms that are in the dictionary.
    pub(crate) fn term_ids(&self) -> impl Iterator<Item = TermId> + '_ {
        self.terms.iter().flatten().map(|(id, _)| *id)
    }
}

impl Compiled {
    pub(crate) fn load(
        schema: &FaqSchema,
        questions: &Searcher,
        entries: &Searcher,
        path: &std::path::Path,
    ) -> Result<Self, IndexError> {
        let error = |source| IndexError::Tantivy {
            path: path.to_path_buf(),
            source,
        };
        let json_error = |source| IndexError::EntryRecord {
            path: path.to_path_buf(),
            source,
        };
        // The build gives every document these numbers: one without is damage, never entry 0.
        let number = |column: &Column<u64>, doc, field| {
            column.first(doc).ok_or_else(|| IndexError::MissingValue {
                path: path.to_path_buf(),
                field,
            })
        };

        // Phrasing documents, numbered across segments in segment order, so posting lists stay sorted.
        let mut phrasings = Vec::new();
        let mut question_bases = Vec::new();
        for segment in questions.segment_readers() {
            question_bases.push(phrasings.len() as u32);
            let fast = segment.fast_fields();
            let entry_column = fast.u64("entry").map_err(error)?;
            let position_column = fast.u64("phrasing").map_err(error)?;
            for doc in 0..segment.max_doc() {
                phrasings.push(PhrasingDoc {
                    entry: number(&entry_column, doc, "questions/entry")? as u32,
                    position: number(&position_column, doc, "questions/phrasing")? as u32,
                });
            }
        }

        // Entry documents are addressed by their ordinal, which the build numbers from 0.
        let mut entry_ordinals: Vec<Vec<u32>> = Vec::new();
        let mut records: Vec<Option<CompiledEntry>> = Vec::new();
        let mut raw_phrasings: Vec<Vec<Vec<String>>> = Vec::new();
        for (segment_ord, segment) in entries.segment_readers().iter().enumerate() {
            let column = segment.fast_fields().u64("entry").map_err(error)?;
            let store = segment
                .get_store_reader(STORE_BLOCKS_CACHED)
                .map_err(|e| error(e.into()))?;
            let mut ordinals = Vec::with_capacity(segment.max_doc() as usize);
            for doc in 0..segment.max_doc() {
                let ordinal = number(&column, doc, "entries/entry")? as usize;
                ordinals.push(ordinal as u32);
                let document: TantivyDocument = store.get(doc).map_err(error)?;
                let text = |field| document.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
                let entry: Entry = serde_json::from_str(text(schema.entries.record)).map_err(json_error)?;
                let analysed: Vec<Vec<String>> =
                    serde_json::from_str(text(schema.entries.phrasings)).map_err(json_error)?;
                if records.len() <= ordinal {
                    records.resize_with(ordinal + 1, || None);
                    raw_phrasings.resize_with(ordinal + 1, Vec::new);
                }
                records[ordinal] = Some(CompiledEntry {
                    entry: Arc::new(entry),
                    phrasings: Vec::new(),
                });
                raw_phrasings[ordinal] = analysed;
            }
            debug_assert_eq!(segment_ord, entry_ordinals.len());
            entry_ordinals.push(ordinals);
        }
        let missing = records.iter().position(Option::is_none);
        if let Some(ordinal) = missing {
            return Err(IndexError::MissingEntry {
                path: path.to_path_buf(),
                ordinal: ordinal as u64,
            });
        }

        let stats = [
            field_stats(questions, schema.questions.question).map_err(error)?,
            field_stats(entries, schema.entries.answer).map_err(error)?,
            field_stats(entries, schema.entries.tags).map_err(error)?,
        ];

        let mut term_ids: FxHashMap<Box<str>, TermId> = FxHashMap::default();
        let mut terms: Vec<TermPostings> = Vec::new();
        let sources: [(Slot, &Searcher, Field); 3] = [
            (Slot::Question, questions, schema.questions.question),
            (Slot::Answer, entries, schema.entries.answer),
            (Slot::Tags, entries, schema.entries.tags),
        ];
        for (slot, searcher, field) in sources {
            for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
                let inverted = segment.inverted_index(field).map_err(error)?;
                let fieldnorms = segment.get_fieldnorms_reader(field).map_err(error)?;
                let mut stream = inverted.terms().stream().map_err(|e| error(e.into()))?;
                while stream.advance() {
                    let Ok(token) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    let mut postings = inverted
                        .read_postings_from_terminfo(stream.value(), IndexRecordOption::WithFreqs)
                        .map_err(|e| error(e.into()))?;
                    let id = *term_ids.entry(token.into()).or_insert_with(|| {
                        terms.push(TermPostings::default());
                        (terms.len() - 1) as TermId
                    });
                    let list = &mut terms[id as usize].fields[slot as usize];
                    while postings.doc() != TERMINATED {
                        let doc = postings.doc();
                        let global = match slot {
                            Slot::Question => question_bases[segment_ord] + doc,
                            Slot::Answer | Slot::Tags => entry_ordinals[segment_ord][doc as usize],
                        };
                        list.postings.push(Posting {
                            doc: global,
                            tf_factor: stats[slot as usize]
                                .tf_factor(postings.term_freq(), fieldnorms.fieldnorm_id(doc)),
                        });
                        postings.advance();
                    }
                }
            }
        }
        for term in &mut terms {
            for (slot, list) in term.fields.iter_mut().enumerate() {
                list.postings.sort_by_key(|p| p.doc);
                list.weight = idf(list.postings.len() as u64, stats[slot].documents) * (1.0 + K1);
            }
        }

        let mut vocab = FxHashMap::default();
        for segment in entries.segment_readers() {
            let inverted = segment.inverted_index(schema.entries.vocab).map_err(error)?;
            let mut stream = inverted.terms().stream().map_err(|e| error(e.into()))?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    *vocab.entry(word.into()).or_insert(0) += stream.value().doc_freq;
                }
            }
        }

        let mut compiled = Self {
            term_ids,
            terms,
            vocab,
            typos: OnceLock::new(),
            stats,
            phrasings,
            entries: Vec::with_capacity(records.len()),
        };
        for (record, analysed) in records.into_iter().flatten().zip(raw_phrasings) {
            let phrasings = analysed
                .iter()
                .map(|tokens| {
                    let mut distinct: Vec<&String> = tokens.iter().collect();
                    distinct.sort();
                    distinct.dedup();
                    distinct
                        .into_iter()
                        .filter_map(|token| {
                            Some((*compiled.term_ids.get(token.as_str())?, compiled.question_idf(token)))
                        })
                        .collect()
                })
                .collect();
            compiled.entries.push(CompiledEntry {
                entry: record.entry,
                phrasings,
            });
        }
        Ok(compiled)
    }

    pub(crate) fn entries(&self) -> &[CompiledEntry] {
        &self.entries
    }

    pub(crate) fn phrasing(&self, doc: u32) -> PhrasingDoc {
        self.phrasings[doc as usize]
    }

    /// Whether the word (as the vocabulary analyser writes it) appears anywhere in the knowledge base.
    pub(crate) fn knows_word(&self, word: &str) -> bool {
        self.vocab.contains_key(word)
    }

    /// The vocabulary word nearest `word` within `max_edits`, if any.
    pub(crate) fn nearest_word(&self, word: &str, max_edits: usize) -> Option<&str> {
        self.typos
            .get_or_init(|| TypoIndex::new(self.vocab.iter().map(|(word, &count)| (&**word, count))))
            .nearest(word, max_edits)
    }

    /// Whether an analysed token appears in any question or answer.
    pub(crate) fn knows_token(&self, token: &str) -> bool {
        self.term(token).is_some_and(|(_, t)| {
            !t.fields[Slot::Question as usize].postings.is_empty()
                || !t.fields[Slot::Answer as usize].postings.is_empty()
        })
    }

    /// BM25's inverse document frequency of the token among questions.
    pub(crate) fn question_idf(&self, token: &str) -> f32 {
        let stats = &self.stats[Slot::Question as usize];
        let doc_freq = self
            .term(token)
            .map_or(0, |(_, t)| t.fields[Slot::Question as usize].postings.len() as u64);
        idf(doc_freq, stats.documents)
    }

    fn term(&self, token: &str) -> Option<(TermId, &TermPostings)> {
        let id = *self.term_ids.get(token)?;
        Some((id, &self.terms[id as usize]))
    }

    /// BM25's inverse document frequency of the alternative among questions: the sum over its tokens, as its
    /// score sums them.
    pub(crate) fn alternative_question_idf(&self, alternative: &Alternative<'_>) -> f32 {
        let stats = &self.stats[Slot::Question as usize];
        alternative
            .terms
            .iter()
            .map(|term| {
                let doc_freq = term.map_or(0, |(_, t)| t.fields[Slot::Question as usize].postings.len() as u64);
                idf(doc_freq, stats.documents)
            })
            .sum()
    }

    /// Scales the alternative's scores by `factor`.
    pub(crate) fn scale(alternative: &mut Alternative<'_>, factor: f32) {
        alternative.boost *= factor;
    }

    /// The alternative spelled by `tokens`, whose scores are multiplied by `boost`.
    pub(crate) fn alternative(&self, tokens: &[String], boost: f32) -> Alternative<'_> {
        Alternative {
            terms: tokens.iter().map(|token| self.term(token)).collect(),
            boost,
        }
    }

    /// The alternative's score on one document, or `None` unless every token of it is there.
    pub(crate) fn alternative_score(&self, alternative: &Alternative<'_>, slot: Slot, doc: u32) -> Option<f32> {
        let mut sum = 0.0;
        for term in &alternative.terms {
            let list = list(*term, slot)?;
            let index = list.postings.binary_search_by_key(&doc, |p| p.doc).ok()?;
            sum += list.weight * alternative.boost * list.postings[index].tf_factor;
        }
        Some(sum)
    }

    /// BM25 of the concepts over the documents of the given fields, summed over concepts, where each concept
    /// scores its best alternative and an alternative all of its tokens: what a union of disjunction-max
    /// queries over intersections gives in tantivy. Calls `visit(doc, score)` for every document that matched,
    /// in document order.
    ///
    /// Concepts are walked shortest posting lists first, up to [`WALKED_POSTINGS`] postings in all (and always
    /// at least one concept). The rest, words in a large share of a large knowledge base, are not walked: the
    /// documents found so far are ranked, and the best [`PROBED_DOCUMENTS`] of them are looked up in their
    /// lists. Their low idf makes them tie-breakers, not what finds an answer. Knowledge bases of a few
    /// thousand questions stay under the budget, so their scores are exact.
    pub(crate) fn score_concepts(
        &self,
        concepts: &[Vec<Alternative<'_>>],
        slots: &[Slot],
        documents: usize,
        mut visit: impl FnMut(u32, f32),
    ) {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let Scratch {
                totals,
                concept,
                touched_totals,
                touched_concept,
            } = &mut *scratch;
            if totals.len() < documents {
                totals.resize(documents, 0.0);
                concept.resize(documents, 0.0);
            }
            let mut units: Vec<(usize, &[Alternative<'_>], Slot)> = concepts
                .iter()
                .flat_map(|alternatives| slots.iter().map(move |&slot| (alternatives.as_slice(), slot)))
                .map(|(alternatives, slot)| (self.postings_walked(alternatives, slot), alternatives, slot))
                .filter(|(postings, _, _)| *postings > 0)
                .collect();
            // Shortest lists first: the most telling concepts, and the cheapest to walk.
            units.sort_by_key(|(postings, _, _)| *postings);
            let mut walked = 0;
            let mut probed = Vec::new();
            for (postings, alternatives, slot) in units {
                walked += postings;
                if walked <= WALKED_POSTINGS || probed.is_empty() && touched_totals.is_empty() {
                    for alternative in alternatives {
                        self.score_alternative(alternative, slot, |doc, score| {
                            let best = &mut concept[doc as usize];
                            if *best == 0.0 {
                                touched_concept.push(doc);
                            }
                            if score > *best {
                                *best = score;
                            }
                        });
                    }
                    for doc in touched_concept.drain(..) {
                        let total = &mut totals[doc as usize];
                        if *total == 0.0 {
                            touched_totals.push(doc);
                        }
                        *total += std::mem::take(&mut concept[doc as usize]);
                    }
                } else {
                    probed.push((alternatives, slot));
                }
            }
            if !probed.is_empty() {
                if touched_totals.len() > PROBED_DOCUMENTS {
                    let by_total =
                        |a: &u32, b: &u32| totals[*b as usize].total_cmp(&totals[*a as usize]).then(a.cmp(b));
                    touched_totals.select_nth_unstable_by(PROBED_DOCUMENTS - 1, by_total);
                    for doc in touched_totals.drain(PROBED_DOCUMENTS..) {
                        totals[doc as usize] = 0.0;
                    }
                }
                for &doc in touched_totals.iter() {
                    for (alternatives, slot) in &probed {
                        let best = alternatives
                            .iter()
                            .filter_map(|alternative| self.alternative_score(alternative, *slot, doc))
                            .reduce(f32::max);
                        totals[doc as usize] += best.unwrap_or(0.0);
                    }
                }
            }
            touched_totals.sort_unstable();
            for doc in touched_totals.drain(..) {
                visit(doc, std::mem::take(&mut totals[doc as usize]));
            }
        });
    }

    /// How many postings walking the concept's alternatives in the field would visit.
    fn postings_walked(&self, alternatives: &[Alternative<'_>], slot: Slot) -> usize {
        alternatives
            .iter()
            .map(|alternative| {
                let lengths = alternative
                    .terms
                    .iter()
                    .map(|term| list(*term, slot).map_or(0, |l| l.postings.len()));
                // An intersection walks its shortest list; an alternative with a missing word walks nothing.
                lengths.min().unwrap_or(0)
            })
            .sum()
    }

    /// Calls `visit(doc, score)` for each document holding every token of the alternative.
    fn score_alternative(&self, alternative: &Alternative<'_>, slot: Slot, mut visit: impl FnMut(u32, f32)) {
        // Most alternatives are one word: no intersection to prepare.
        if let [term] = alternative.terms.as_slice() {
            if let Some(list) = list(*term, slot) {
                let weight = list.weight * alternative.boost;
                for posting in &list.postings {
                    visit(posting.doc, weight * posting.tf_factor);
                }
            }
            return;
        }
        let mut lists = Vec::with_capacity(alternative.terms.len());
        for term in &alternative.terms {
            match list(*term, slot) {
                Some(list) => lists.push(list),
                None => return,
            }
        }
        // Intersections walk the shortest list and look the others up.
        let Some(shortest) = lists.iter().min_by_key(|list| list.postings.len()).copied() else {
            return;
        };
        'documents: for posting in &shortest.postings {
            let mut sum = 0.0;
            for list in &lists {
                match list.postings.binary_search_by_key(&posting.doc, |p| p.doc) {
                    Ok(index) => sum += list.weight * alternative.boost * list.postings[index].tf_factor,
                    Err(_) => continue 'documents,
                }
            }
            visit(posting.doc, sum);
        }
    }

    /// The `limit` best entries for the concepts, best first: each scores its best phrasing plus
    /// `answer_weight` times its answer and tags score; equal scores go to the earlier entry.
    pub(crate) fn rank(&self, concepts: &[Vec<Alternative<'_>>], answer_weight: f32, limit: usize) -> Vec<Ranked> {
        ENTRY_SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let EntryScratch { states, touched } = &mut *scratch;
            if states.len() < self.entries.len() {
                states.resize(self.entries.len(), EntryState::default());
            }
            let mut touch = |ordinal: u32, states: &mut [EntryState]| {
                let state = &mut states[ordinal as usize];
                if !state.seen {
                    state.seen = true;
                    touched.push(ordinal);
                }
            };
            self.score_concepts(concepts, &[Slot::Question], self.phrasings.len(), |doc, score| {
                let ordinal = self.phrasings[doc as usize].entry;
                touch(ordinal, states);
                let best = &mut states[ordinal as usize].question;
                if best.is_none_or(|(top, _)| score > top) {
                    *best = Some((score, doc));
                }
            });
            self.score_concepts(
                concepts,
                &[Slot::Answer, Slot::Tags],
                self.entries.len(),
                |ordinal, score| {
                    touch(ordinal, states);
                    states[ordinal as usize].answer = score;
                },
            );
            let mut ranked: Vec<Ranked> = touched
                .drain(..)
                .map(|ordinal| {
                    let state = std::mem::take(&mut states[ordinal as usize]);
                    Ranked {
                        ordinal,
                        score: state.question.map_or(0.0, |(score, _)| score) + answer_weight * state.answer,
                        phrasing: state.question,
                        answer_score: state.answer,
                    }
                })
                .collect();
            let order = |a: &Ranked, b: &Ranked| b.score.total_cmp(&a.score).then(a.ordinal.cmp(&b.ordinal));
            if limit == 0 {
                return Vec::new();
            }
            if ranked.len() > limit {
                ranked.select_nth_unstable_by(limit - 1, order);
                ranked.truncate(limit);
            }
            ranked.sort_by(order);
            ranked
        })
    }
}

/// The term's posting list in the field, if it has any postings there.
fn list(term: Option<(TermId, &TermPostings)>, slot: Slot) -> Option<&PostingList> {
    term.map(|(_, t)| &t.fields[slot as usize])
        .filter(|list| !list.postings.is_empty())
}

fn field_stats(searcher: &Searcher, field: Field) -> tantivy::Result<FieldStats> {
    let mut tokens = 0;
    let mut documents = 0;
    for segment in searcher.segment_readers() {
        tokens += segment.inverted_index(field)?.total_num_tokens();
        documents += u64::from(segment.max_doc());
    }
    Ok(FieldStats::new(tokens, documents))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::{Index, Term};

    use super::*;
    use crate::search::store::current_generation;
    use crate::search::{ENTRIES_DIR, Freshness, QUESTIONS_DIR, RebuildReason, SearchIndex, open_or_build, tokenizer};

    /// Replaces one tantivy index of the current generation by one holding only `documents`, as damage would.
    fn replace_index(index_dir: &Path, name: &str, schema: tantivy::schema::Schema, documents: Vec<TantivyDocument>) {
        let generation = current_generation(index_dir).expect("a generation");
        let path = generation.join(name);
        std::fs::remove_dir_all(&path).expect("remove the index");
        std::fs::create_dir(&path).expect("create the index folder");
        let index = Index::create_in_dir(&path, schema).expect("create the index");
        tokenizer::register(index.tokenizers());
        let mut writer = index.writer_with_num_threads(1, 15_000_000).expect("writer");
        for document in documents {
            writer.add_document(document).expect("add");
        }
        writer.commit().expect("commit");
        writer.wait_merging_threads().expect("merge");
    }

    fn fixture_faq() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq")
    }

    /// The fixture's index, built in a temporary folder (dropped with it).
    fn fixture_index() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let index_dir = dir.path().join("index");
        open_or_build(&fixture_faq(), &index_dir, false).expect("index");
        (dir, index_dir)
    }

    /// Opening the damaged generation fails with `expected`, and the next start rebuilds it from faq/.
    fn damage_is_reported_and_rebuilt(index_dir: &Path, expected: fn(&IndexError) -> bool) {
        let faq = fixture_faq();
        let generation = current_generation(index_dir).expect("a generation");
        let error = SearchIndex::open(&generation)
            .err()
            .expect("a damaged index is refused");
        assert!(expected(&error), "{error:?}");
        let opened = open_or_build(&faq, index_dir, false).expect("rebuilt");
        assert!(
            matches!(&opened.freshness, Freshness::Rebuilt(RebuildReason::Broken(why)) if why.contains("damaged index")),
            "{:?}",
            opened.freshness
        );
        assert_ne!(current_generation(index_dir), Some(generation), "a new generation");
    }

    #[test]
    fn a_phrasing_without_its_entry_number_is_damage_not_entry_0() {
        let (_dir, index_dir) = fixture_index();
        let fields = FaqSchema::new().questions;
        let mut whole = TantivyDocument::default();
        whole.add_text(fields.question, "is registration free");
        whole.add_u64(fields.entry, 0);
        whole.add_u64(fields.phrasing, 0);
        let mut without_entry = TantivyDocument::default();
        without_entry.add_text(fields.question, "what does verification cost");
        without_entry.add_u64(fields.phrasing, 0);
        replace_index(&index_dir, QUESTIONS_DIR, fields.schema, vec![whole, without_entry]);
        damage_is_reported_and_rebuilt(&index_dir, |error| {
            matches!(
                error,
                IndexError::MissingValue {
                    field: "questions/entry",
                    ..
                }
            )
        });
    }

    #[test]
    fn a_corrupt_entry_record_is_damage_of_its_own_kind() {
        let (_dir, index_dir) = fixture_index();
        let fields = FaqSchema::new().entries;
        let mut document = TantivyDocument::default();
        document.add_text(fields.answer, "Registration is free.");
        document.add_u64(fields.entry, 0);
        document.add_text(fields.record, "{\"id\": ");
        document.add_text(fields.phrasings, "[]");
        replace_index(&index_dir, ENTRIES_DIR, fields.schema, vec![document]);
        damage_is_reported_and_rebuilt(&index_dir, |error| matches!(error, IndexError::EntryRecord { .. }));
    }

    /// Every term of the fixture's questions, scored by tantivy's own `TermQuery` and by the compiled postings.
    #[test]
    fn scores_are_tantivys_bm25() {
        let dir = tempfile::tempdir().expect("tempdir");
        let faq = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq");
        let opened = open_or_build(&faq, &dir.path().join("index"), false).expect("index");
        let compiled = &opened.index.compiled;

        let questions = Index::open_in_dir(opened.index.path.join(QUESTIONS_DIR)).expect("open");
        tokenizer::register(questions.tokenizers());
        let searcher = questions.reader().expect("reader").searcher();
        let field = opened.index.schema.questions.question;
        let mut compared = 0;
        for token in compiled.term_ids.keys() {
            let query = TermQuery::new(Term::from_field_text(field, token), IndexRecordOption::WithFreqs);
            let mut expected: Vec<(u32, f32)> = searcher
                .search(&query, &TopDocs::with_limit(10_000).order_by_score())
                .expect("search")
                .into_iter()
                .map(|(score, address)| (address.doc_id, score))
                .collect();
            expected.sort_by_key(|(doc, _)| *doc);
            let alternatives = [vec![compiled.alternative(&[token.to_string()], 1.0)]];
            let mut actual = Vec::new();
            compiled.score_concepts(
                &alternatives,
                &[Slot::Question],
                compiled.phrasings.len(),
                |doc, score| actual.push((doc, score)),
            );
            assert_eq!(actual, expected, "token {token}");
            compared += expected.len();
        }
        assert!(compared >= 10, "only {compared} postings compared");
    }

    #[test]
    fn an_alternative_of_several_tokens_needs_them_all() {
        let dir = tempfile::tempdir().expect("tempdir");
        let faq = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq");
        let opened = open_or_build(&faq, &dir.path().join("index"), false).expect("index");
        let compiled = &opened.index.compiled;
        let score = |tokens: &[&str]| {
            let tokens: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
            let alternatives = [vec![compiled.alternative(&tokens, 1.0)]];
            let mut docs = Vec::new();
            compiled.score_concepts(
                &alternatives,
                &[Slot::Question],
                compiled.phrasings.len(),
                |doc, score| docs.push((doc, score)),
            );
            docs
        };
        let both = score(&["account", "type"]);
        let account = score(&["account"]);
        assert_eq!(both.len(), 2, "{both:?}");
        assert_eq!(account.len(), 3, "{account:?}");
        for (doc, sum) in &both {
            let single = account.iter().find(|(d, _)| d == doc).expect("in both");
            assert!(*sum > single.1);
        }
        assert!(score(&["account", "nosuchtoken"]).is_empty());
    }
}
