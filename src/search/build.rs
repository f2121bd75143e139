//! Writes a knowledge base into a fresh index folder: both tantivy indexes and the manifest beside them.

use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::schema::TantivyDocument;
use tantivy::{Index, IndexWriter};

use super::schema::{FaqSchema, SCHEMA_VERSION};
use super::scope::AnalyzedTopic;
use super::tokenizer;
use super::{ENTRIES_DIR, IndexError, MANIFEST_FILE, QUESTIONS_DIR};
use crate::faq::{KnowledgeBase, Rule};

/// What the answering engine needs besides the tantivy indexes, written next to them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    /// The faq/ fingerprint the index was built from.
    pub fingerprint: String,
    /// Seconds since the Unix epoch.
    pub built_at: u64,
    pub build_millis: u64,
    pub entries: usize,
    pub questions: usize,
    pub rules: Vec<Rule>,
    pub synonyms: Vec<AnalyzedSynonyms>,
    pub out_of_scope: Vec<AnalyzedTopic>,
}

/// A synonym group with its terms analyzed the way questions are, so that answering needs no dictionary load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalyzedSynonyms {
    pub terms: Vec<String>,
    pub analyzed: Vec<Vec<String>>,
}

/// One writer thread: the knowledge base is small and a second thread only costs memory.
const WRITER_THREADS: usize = 1;
const WRITER_MEMORY: usize = 32_000_000;

pub fn build(knowledge_base: &KnowledgeBase, dir: &Path, fingerprint: &str) -> Result<Manifest, IndexError> {
    let started = Instant::now();
    let schema = FaqSchema::new();

    let questions_index = create(&dir.join(QUESTIONS_DIR), schema.questions.schema.clone())?;
    let questions_writer = writer(&questions_index, dir)?;
    let entries_index = create(&dir.join(ENTRIES_DIR), schema.entries.schema.clone())?;
    let entries_writer = writer(&entries_index, dir)?;

    let tantivy_error = |source| IndexError::Tantivy {
        path: dir.to_path_buf(),
        source,
    };
    let json_error = |source| IndexError::EntryRecord {
        path: dir.to_path_buf(),
        source,
    };
    let mut analyzer = tokenizer::text_analyzer();
    let mut question_count = 0;
    for (ordinal, entry) in knowledge_base.entries.iter().enumerate() {
        let ordinal = ordinal as u64;
        for (phrasing, question) in entry.questions.iter().enumerate() {
            let mut document = TantivyDocument::default();
            document.add_text(schema.questions.question, question);
            document.add_u64(schema.questions.entry, ordinal);
            document.add_u64(schema.questions.phrasing, phrasing as u64);
            questions_writer.add_document(document).map_err(tantivy_error)?;
            question_count += 1;
        }
        let fields = &schema.entries;
        let mut document = TantivyDocument::default();
        document.add_text(fields.answer, &entry.answer);
        if let Some(zh) = &entry.answer_zh {
            document.add_text(fields.answer, zh);
        }
        for tag in &entry.tags {
            document.add_text(fields.tags, tag);
        }
        for text in entry.questions.iter().chain(&entry.tags).chain([&entry.answer]) {
            document.add_text(fields.vocab, text);
        }
        // The synonyms' and out-of-scope topics' words are vocabulary too ("certfication" is corrected even if only
        // synonyms.toml spells it, and "wecom" is never "corrected" into a word of an entry). They go with the first entry rather than into a document of their own, which would count in
        // BM25's document total and average answer length.
        if ordinal == 0 {
            let topic_terms = knowledge_base
                .out_of_scope
                .iter()
                .flat_map(|t| t.terms.iter().chain(&t.with));
            for term in knowledge_base.synonyms.iter().flat_map(|g| &g.terms).chain(topic_terms) {
                document.add_text(fields.vocab, term);
            }
        }
        document.add_u64(fields.entry, ordinal);
        document.add_text(fields.id, &entry.id);
        document.add_text(fields.record, serde_json::to_string(entry).map_err(json_error)?);
        entries_writer.add_document(document).map_err(tantivy_error)?;
    }

    for writer in [questions_writer, entries_writer] {
        commit(writer).map_err(tantivy_error)?;
    }
    super::embeddings::write(&dir.join(super::embeddings::EMBEDDINGS_FILE), &knowledge_base.entries)?;

    let synonyms = knowledge_base
        .synonyms
        .iter()
        .map(|group| AnalyzedSynonyms {
            terms: group.terms.clone(),
            analyzed: group
                .terms
                .iter()
                .map(|term| tokenizer::analyze(&mut analyzer, term))
                .collect(),
        })
        .collect();
    let out_of_scope = knowledge_base
        .out_of_scope
        .iter()
        .map(|topic| AnalyzedTopic::new(topic, &mut analyzer))
        .collect();
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        fingerprint: fingerprint.to_string(),
        built_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        build_millis: started.elapsed().as_millis() as u64,
        entries: knowledge_base.entries.len(),
        questions: question_count,
        rules: knowledge_base.rules.clone(),
        synonyms,
        out_of_scope,
    };
    let path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(&manifest).map_err(|source| IndexError::Manifest {
        path: path.clone(),
        source,
    })?;
    let checksum = super::manifest_checksum(&json);
    std::fs::write(&path, json).map_err(|source| IndexError::Io { path, source })?;
    let path = dir.join(super::MANIFEST_CHECKSUM_FILE);
    std::fs::write(&path, checksum).map_err(|source| IndexError::Io { path, source })?;
    Ok(manifest)
}

fn create(path: &Path, schema: tantivy::schema::Schema) -> Result<Index, IndexError> {
    std::fs::create_dir_all(path).map_err(|source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let index = Index::create_in_dir(path, schema).map_err(|source| IndexError::Tantivy {
        path: path.to_path_buf(),
        source,
    })?;
    tokenizer::register(index.tokenizers());
    Ok(index)
}

fn writer(index: &Index, dir: &Path) -> Result<IndexWriter, IndexError> {
    index
        .writer_with_num_threads(WRITER_THREADS, WRITER_MEMORY)
        .map_err(|source| IndexError::Tantivy {
            path: dir.to_path_buf(),
            source,
        })
}

fn commit(mut writer: IndexWriter) -> tantivy::Result<()> {
    writer.commit()?;
    writer.wait_merging_threads()
}
