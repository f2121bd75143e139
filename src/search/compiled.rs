//! The scoring side of an opened index held in memory: postings, BM25 statistics, each phrasing's terms (and the
//! entry records, `search::records`) read once from the tantivy indexes, so that answering a question is array lookups rather than
//! building tantivy weights, scorers and collectors, and decoding stored JSON, for every question.
//!
//! Scores are tantivy's BM25 to the bit (`search::bm25`); `search::rank` walks these lists for a question.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use tantivy::columnar::Column;
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED};

use super::bm25::{FieldStats, idf};
use super::concepts::Alternative;
use super::postings::{Posting, SKIP_BLOCK, Slot, TermPostings, skips_of};
use super::records::{EntryRecords, HELD_ENTRIES};
use super::typos::TypoIndex;
use super::{FaqSchema, IndexError};

/// Compressed store blocks each reader keeps decoded: neighbours in the store are neighbours in faq/.
pub(crate) const STORE_BLOCKS_CACHED: usize = 8;

/// A phrasing document of the questions index.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhrasingDoc {
    pub entry: u32,
    /// Which of the entry's questions it is.
    pub position: u32,
}

/// A term of a phrasing with its BM25 tf factor there: a phrasing's terms are few, so scoring a known phrasing
/// looks its terms up here rather than in the long lists.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PhrasingTerm {
    pub term: TermId,
    pub tf_factor: f32,
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
    /// Each phrasing's distinct terms, by term id: phrasing `p`'s are `phrasing_terms[starts[p]..starts[p + 1]]`.
    phrasing_terms: Vec<PhrasingTerm>,
    phrasing_term_starts: Vec<u32>,
    /// Phrasings are numbered entry by entry: entry `e`'s are `phrasing_starts[e]..phrasing_starts[e + 1]`.
    phrasing_starts: Vec<u32>,
    pub(crate) records: EntryRecords,
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

        // Entry documents are addressed by their ordinal, which the build numbers from 0; their ids come from a
        // column and their records stay in the store until needed (`search::records`).
        let mut entry_ordinals: Vec<Vec<u32>> = Vec::new();
        let mut addresses: Vec<Option<(DocAddress, Box<str>)>> = Vec::new();
        let mut stores = Vec::new();
        for (segment_ord, segment) in entries.segment_readers().iter().enumerate() {
            let column = segment.fast_fields().u64("entry").map_err(error)?;
            let id_column =
                segment
                    .fast_fields()
                    .str("id")
                    .map_err(error)?
                    .ok_or_else(|| IndexError::MissingValue {
                        path: path.to_path_buf(),
                        field: "entries/id",
                    })?;
            // The column's dictionary in order once, rather than a dictionary lookup per entry.
            let mut id_of_ord: Vec<Box<str>> = Vec::with_capacity(id_column.num_terms());
            let mut terms = id_column.dictionary().stream().map_err(|e| error(e.into()))?;
            while terms.advance() {
                id_of_ord.push(String::from_utf8_lossy(terms.key()).into());
            }
            let mut ordinals = Vec::with_capacity(segment.max_doc() as usize);
            for doc in 0..segment.max_doc() {
                let ordinal = number(&column, doc, "entries/entry")? as usize;
                ordinals.push(ordinal as u32);
                let id = id_column
                    .term_ords(doc)
                    .next()
                    .and_then(|ord| id_of_ord.get(ord as usize))
                    .ok_or_else(|| IndexError::MissingValue {
                        path: path.to_path_buf(),
                        field: "entries/id",
                    })?;
                if addresses.len() <= ordinal {
                    addresses.resize_with(ordinal + 1, || None);
                }
                addresses[ordinal] = Some((DocAddress::new(segment_ord as u32, doc), id.clone()));
            }
            stores.push(
                segment
                    .get_store_reader(STORE_BLOCKS_CACHED)
                    .map_err(|e| error(e.into()))?,
            );
            entry_ordinals.push(ordinals);
        }
        if let Some(ordinal) = addresses.iter().position(Option::is_none) {
            return Err(IndexError::MissingEntry {
                path: path.to_path_buf(),
                ordinal: ordinal as u64,
            });
        }
        let (addresses, ids): (Vec<DocAddress>, Vec<Box<str>>) = addresses.into_iter().flatten().unzip();
        let records = EntryRecords::new(path, schema.entries.record, stores, addresses, ids, HELD_ENTRIES)?;

        let stats = [
            FieldStats::of(questions, schema.questions.question).map_err(error)?,
            FieldStats::of(entries, schema.entries.answer).map_err(error)?,
            FieldStats::of(entries, schema.entries.tags).map_err(error)?,
        ];

        let mut term_ids: FxHashMap<Box<str>, TermId> = FxHashMap::default();
        let mut terms: Vec<TermPostings> = Vec::new();
        // Question postings by phrasing: each phrasing's terms, and from them each term's entry-level list.
        let mut phrasing_postings: Vec<(u32, TermId, f32)> = Vec::new();
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
                    if slot != Slot::Question {
                        // Sized once rather than grown by doubling.
                        terms[id as usize].fields[slot as usize]
                            .postings
                            .reserve(stream.value().doc_freq as usize);
                    }
                    while postings.doc() != TERMINATED {
                        let doc = postings.doc();
                        let tf_factor =
                            stats[slot as usize].tf_factor(postings.term_freq(), fieldnorms.fieldnorm_id(doc));
                        match slot {
                            Slot::Question => {
                                phrasing_postings.push((question_bases[segment_ord] + doc, id, tf_factor))
                            }
                            Slot::Answer | Slot::Tags => {
                                terms[id as usize].fields[slot as usize].postings.push(Posting {
                                    doc: entry_ordinals[segment_ord][doc as usize],
                                    tf_factor,
                                })
                            }
                        }
                        postings.advance();
                    }
                }
            }
        }
        // Scoring indexes entries by a phrasing's entry number: one that names no entry is damage.
        if let Some(phrasing) = phrasings.iter().find(|p| p.entry as usize >= records.len()) {
            return Err(IndexError::MissingEntry {
                path: path.to_path_buf(),
                ordinal: u64::from(phrasing.entry),
            });
        }
        // Phrasings are numbered entry by entry, so that an entry's phrasings are one run of numbers.
        let (by_entry, phrasing_starts) = phrasings_by_entry(&phrasings, records.len());
        let mut number_of = vec![0u32; phrasings.len()];
        for (number, &doc) in by_entry.iter().enumerate() {
            number_of[doc as usize] = number as u32;
        }
        let phrasings: Vec<PhrasingDoc> = by_entry.iter().map(|&doc| phrasings[doc as usize]).collect();
        for posting in &mut phrasing_postings {
            posting.0 = number_of[posting.0 as usize];
        }
        // By phrasing, then by term within each: a counting sort, as 100k entries have millions of question
        // postings and a phrasing has a handful of terms (a general sort was a tenth of opening).
        let mut phrasing_term_starts = vec![0u32; phrasings.len() + 1];
        for &(phrasing, _, _) in &phrasing_postings {
            phrasing_term_starts[phrasing as usize + 1] += 1;
        }
        for i in 1..phrasing_term_starts.len() {
            phrasing_term_starts[i] += phrasing_term_starts[i - 1];
        }
        let mut phrasing_terms = vec![
            PhrasingTerm {
                term: 0,
                tf_factor: 0.0
            };
            phrasing_postings.len()
        ];
        let mut next = phrasing_term_starts.clone();
        for &(phrasing, term, tf_factor) in &phrasing_postings {
            let at = &mut next[phrasing as usize];
            phrasing_terms[*at as usize] = PhrasingTerm { term, tf_factor };
            *at += 1;
        }
        drop(next);
        drop(phrasing_postings);
        // Each term's lists sized once from its count, rather than grown by doubling (copying millions of postings).
        let mut phrasings_of_term = vec![0u32; terms.len()];
        for term in &phrasing_terms {
            phrasings_of_term[term.term as usize] += 1;
        }
        for (term, &count) in terms.iter_mut().zip(&phrasings_of_term) {
            term.phrasings.reserve_exact(count as usize);
            term.fields[Slot::Question as usize].postings.reserve(count as usize);
        }
        drop(phrasings_of_term);
        for (phrasing, bounds) in phrasing_term_starts.windows(2).enumerate() {
            let own = &mut phrasing_terms[bounds[0] as usize..bounds[1] as usize];
            own.sort_unstable_by_key(|t| t.term);
            for &PhrasingTerm { term, tf_factor } in own.iter() {
                let term = &mut terms[term as usize];
                term.phrasings.push(Posting {
                    doc: phrasing as u32,
                    tf_factor,
                });
                term.fields[Slot::Question as usize].postings.push(Posting {
                    doc: phrasings[phrasing].entry,
                    tf_factor,
                });
            }
        }
        for term in &mut terms {
            for (slot, list) in term.fields.iter_mut().enumerate() {
                // Document frequency counts phrasings; the question list keeps an entry once, at its best phrasing.
                let doc_freq = list.postings.len() as u64;
                list.weight = stats[slot].weight(doc_freq);
                if slot == Slot::Question as usize {
                    term.question_idf = idf(doc_freq, stats[slot].documents);
                }
                // The question lists come in entry order already (phrasings are numbered entry by entry; sorting
                // them again was 7% of opening 100k entries). An entry listed more than once keeps its best factor.
                if !list.postings.is_sorted_by_key(|p| p.doc) {
                    list.postings.sort_unstable_by_key(|p| p.doc);
                }
                list.postings.dedup_by(|later, kept| {
                    let same = later.doc == kept.doc;
                    if same {
                        kept.tf_factor = kept.tf_factor.max(later.tf_factor);
                    }
                    same
                });
                list.postings.shrink_to_fit();
                list.max_factor = list.postings.iter().map(|p| p.tf_factor).fold(0.0, f32::max);
                list.skips = skips_of(&list.postings, SKIP_BLOCK);
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

        Ok(Self {
            term_ids,
            terms,
            vocab,
            typos: OnceLock::new(),
            stats,
            phrasings,
            phrasing_terms,
            phrasing_term_starts,
            phrasing_starts,
            records,
        })
    }

    pub(crate) fn entry_count(&self) -> usize {
        self.records.len()
    }

    #[cfg(test)]
    pub(crate) fn phrasing_count(&self) -> usize {
        self.phrasings.len()
    }

    pub(crate) fn phrasing(&self, doc: u32) -> PhrasingDoc {
        self.phrasings[doc as usize]
    }

    /// The phrasing's distinct terms, by term id.
    pub(crate) fn phrasing_terms(&self, doc: u32) -> &[PhrasingTerm] {
        let doc = doc as usize;
        match (
            self.phrasing_term_starts.get(doc),
            self.phrasing_term_starts.get(doc + 1),
        ) {
            (Some(&start), Some(&end)) => &self.phrasing_terms[start as usize..end as usize],
            _ => &[],
        }
    }

    /// The term's BM25 idf over questions.
    pub(crate) fn term_question_idf(&self, term: TermId) -> f32 {
        self.terms.get(term as usize).map_or(0.0, |t| t.question_idf)
    }

    /// The entry's phrasings: a run of numbers, in the order of the index's documents.
    pub(crate) fn phrasings_of(&self, ordinal: u32) -> std::ops::Range<u32> {
        let ordinal = ordinal as usize;
        match (self.phrasing_starts.get(ordinal), self.phrasing_starts.get(ordinal + 1)) {
            (Some(&start), Some(&end)) => start..end,
            _ => 0..0,
        }
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
        self.term(token)
            .is_some_and(|(_, t)| t.list(Slot::Question).is_some() || t.list(Slot::Answer).is_some())
    }

    /// BM25's inverse document frequency of the token among questions.
    pub(crate) fn question_idf(&self, token: &str) -> f32 {
        self.question_idf_of(self.term(token).map(|(_, t)| t))
    }

    fn question_idf_of(&self, term: Option<&TermPostings>) -> f32 {
        term.map_or_else(
            || idf(0, self.stats[Slot::Question as usize].documents),
            |t| t.question_idf,
        )
    }

    fn term(&self, token: &str) -> Option<(TermId, &TermPostings)> {
        let id = *self.term_ids.get(token)?;
        Some((id, &self.terms[id as usize]))
    }

    /// BM25's inverse document frequency of the alternative among questions: the sum over its tokens, as its
    /// score sums them.
    pub(crate) fn alternative_question_idf(&self, alternative: &Alternative<'_>) -> f32 {
        alternative
            .terms
            .iter()
            .map(|term| self.question_idf_of(term.map(|(_, t)| t)))
            .sum()
    }

    /// The alternative spelled by `tokens`, whose scores are multiplied by `boost`.
    pub(crate) fn alternative(&self, tokens: &[String], boost: f32) -> Alternative<'_> {
        Alternative {
            terms: tokens.iter().map(|token| self.term(token)).collect(),
            boost,
        }
    }
}

/// The phrasing documents entry by entry (each entry's ascending) and where each entry's run starts (a last start
/// ends it).
fn phrasings_by_entry(phrasings: &[PhrasingDoc], entries: usize) -> (Vec<u32>, Vec<u32>) {
    let mut starts = vec![0u32; entries + 1];
    for phrasing in phrasings {
        if let Some(start) = starts.get_mut(phrasing.entry as usize + 1) {
            *start += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut filled = starts.clone();
    let mut docs = vec![0u32; starts[entries] as usize];
    for (doc, phrasing) in phrasings
        .iter()
        .enumerate()
        .filter(|(_, p)| (p.entry as usize) < entries)
    {
        if let Some(next) = filled.get_mut(phrasing.entry as usize) {
            docs[*next as usize] = doc as u32;
            *next += 1;
        }
    }
    (docs, starts)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::{Index, TantivyDocument};

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
        document.add_text(fields.id, "registration");
        document.add_text(fields.record, "{\"id\": ");
        replace_index(&index_dir, ENTRIES_DIR, fields.schema, vec![document]);
        damage_is_reported_and_rebuilt(&index_dir, |error| matches!(error, IndexError::EntryRecord { .. }));
    }
}
