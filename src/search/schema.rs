//! The tantivy schema, defined once: a questions index (one document per phrasing) and an entries index (answers, tags).
//!
//! They are two indexes rather than two kinds of document in one, so that BM25's document counts and
//! average field lengths are those of questions for the question field and of entries for the answers.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use super::tokenizer;

/// Bumped whenever the schema, the analysis or what is stored changes: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 10;

#[derive(Clone, Debug)]
pub struct QuestionFields {
    pub schema: Schema,
    /// The phrasing, analyzed.
    pub question: Field,
    /// The ordinal of the entry the phrasing belongs to (fast field).
    pub entry: Field,
    /// Which of the entry's questions this is (fast field).
    pub phrasing: Field,
}

#[derive(Clone, Debug)]
pub struct EntryFields {
    pub schema: Schema,
    /// English and Chinese answers, analyzed (positions kept for snippets).
    pub answer: Field,
    pub tags: Field,
    /// Every word of the entry as written (and, on the first entry, of the synonyms), for correcting typos.
    pub vocab: Field,
    /// The entry's ordinal, indexed to find an entry's document, fast to read it from a hit.
    pub entry: Field,
    /// The whole entry as JSON, to answer from without reading faq/.
    pub record: Field,
    /// The entry's id as a column: an index of 100k entries lists its ids at open without decoding any record.
    pub id: Field,
}

#[derive(Clone, Debug)]
pub struct FaqSchema {
    pub questions: QuestionFields,
    pub entries: EntryFields,
}

impl Default for FaqSchema {
    fn default() -> Self {
        Self::new()
    }
}

impl FaqSchema {
    pub fn new() -> Self {
        let analyzed = |positions: bool| {
            let option = if positions {
                IndexRecordOption::WithFreqsAndPositions
            } else {
                IndexRecordOption::WithFreqs
            };
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer::TEXT)
                    .set_index_option(option),
            )
        };
        let ordinal = NumericOptions::from(INDEXED).set_fast();

        let mut builder = Schema::builder();
        let question = builder.add_text_field("question", analyzed(false));
        let entry = builder.add_u64_field("entry", ordinal.clone());
        let phrasing = builder.add_u64_field("phrasing", NumericOptions::default().set_fast());
        let questions = QuestionFields {
            schema: builder.build(),
            question,
            entry,
            phrasing,
        };

        let mut builder = Schema::builder();
        let answer = builder.add_text_field("answer", analyzed(true));
        let tags = builder.add_text_field("tags", analyzed(false));
        let vocab = builder.add_text_field(
            "vocab",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer::VOCAB)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        );
        let entry = builder.add_u64_field("entry", ordinal | STORED);
        let record = builder.add_text_field("record", STORED);
        let id = builder.add_text_field("id", STRING | FAST);
        let entries = EntryFields {
            schema: builder.build(),
            answer,
            tags,
            vocab,
            entry,
            record,
            id,
        };

        Self { questions, entries }
    }
}
