//! The search side of faqbot: the tantivy indexes built from faq/, opened once per process, and retrieval over them.

mod bm25;
pub mod build;
mod compiled;
pub mod concepts;
pub mod coverage;
mod embeddings;
mod highlight;
pub mod normalize;
mod postings;
pub mod query;
pub mod question;
mod rank;
pub(crate) mod records;
pub mod schema;
pub mod scope;
pub mod semantic;
pub mod store;
pub mod tokenizer;
mod typos;
mod words;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustc_hash::FxHashMap;
use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexReader, ReloadPolicy};
use thiserror::Error;

pub use build::{AnalyzedSynonyms, Manifest};
pub use concepts::{Concept, SynonymIndex};
pub use coverage::{ConceptMatch, MatchField};
pub use highlight::Highlight;
pub use query::{Candidate, Retrieval};
pub use question::Correction;
pub use schema::FaqSchema;
pub use scope::{AnalyzedTopic, TopicIndex};
pub use store::{Freshness, Opened, RebuildReason, open_or_build};

use crate::faq::{Entry, FaqError, Problems};

pub(crate) const QUESTIONS_DIR: &str = "questions";
pub(crate) const ENTRIES_DIR: &str = "entries";
pub(crate) const MANIFEST_FILE: &str = "manifest.json";
/// The SHA-256 of manifest.json, in hex: tantivy checks its own files, this checks ours.
pub(crate) const MANIFEST_CHECKSUM_FILE: &str = "manifest.sha256";

pub(crate) fn manifest_checksum(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[derive(Debug, Error)]
pub enum IndexError {
    #[error(transparent)]
    Faq(#[from] FaqError),
    #[error("faq/ has {} error(s), and there is no earlier index to fall back on", .0.errors().count())]
    InvalidFaq(Problems),
    #[error("{}: index error", .path.display())]
    Tantivy {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("{}: cannot read or write", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: invalid index manifest", .path.display())]
    Manifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// An entry's stored record (its JSON in the entries index), not the manifest beside the indexes.
    #[error("{}: damaged index: an entry's stored record is not valid JSON", .path.display())]
    EntryRecord {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("{}: index format {found}, this faqbot reads {expected}", .path.display())]
    SchemaVersion { path: PathBuf, found: u32, expected: u32 },
    #[error("{}: is not a folder; --index must name a folder for the index (it is created if missing)", .0.display())]
    NotAFolder(PathBuf),
    #[error("{}: damaged index files: {}", .path.display(), .files.join(", "))]
    Damaged { path: PathBuf, files: Vec<String> },
    #[error("{}: the index has no entry number {ordinal}", .path.display())]
    MissingEntry { path: PathBuf, ordinal: u64 },
    /// A document without one of the numbers the build gives every document (its entry, its phrasing).
    #[error("{}: damaged index: a document has no {field} number", .path.display())]
    MissingValue { path: PathBuf, field: &'static str },
}

/// One opened index generation: the scoring data compiled from both tantivy indexes at open, the entries reader
/// (one per process, for typo correction and snippets) and the manifest.
pub struct SearchIndex {
    pub(crate) path: PathBuf,
    schema: FaqSchema,
    entries: IndexReader,
    manifest: Manifest,
    synonyms: concepts::SynonymIndex,
    compiled: compiled::Compiled,
    /// Entry ids to their place in index order.
    by_id: FxHashMap<Box<str>, usize>,
    /// Each entry's English and Chinese phrasings in the semantic model, made by the build and mapped.
    phrasing_embeddings: embeddings::PhrasingEmbeddings,
}

impl SearchIndex {
    /// Opens a generation folder written by [`build::build`].
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let bytes = std::fs::read(&manifest_path).map_err(|source| IndexError::Io {
            path: manifest_path.clone(),
            source,
        })?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|source| IndexError::Manifest {
            path: manifest_path.clone(),
            source,
        })?;
        if manifest.schema_version != schema::SCHEMA_VERSION {
            return Err(IndexError::SchemaVersion {
                path: dir.to_path_buf(),
                found: manifest.schema_version,
                expected: schema::SCHEMA_VERSION,
            });
        }
        // An edited or damaged manifest, even valid JSON, is never served: the index is rebuilt instead.
        let checksum = std::fs::read_to_string(dir.join(MANIFEST_CHECKSUM_FILE)).unwrap_or_default();
        if checksum.trim() != manifest_checksum(&bytes) {
            return Err(IndexError::Damaged {
                path: dir.to_path_buf(),
                files: vec![MANIFEST_FILE.to_string()],
            });
        }
        let schema = FaqSchema::new();
        let questions = open_reader(&dir.join(QUESTIONS_DIR))?;
        let entries = open_reader(&dir.join(ENTRIES_DIR))?;
        let compiled = compiled::Compiled::load(&schema, &questions.searcher(), &entries.searcher(), dir)?;
        let phrasing_embeddings = embeddings::PhrasingEmbeddings::open(dir, compiled.entry_count())?;
        let by_id = compiled
            .records
            .ids()
            .iter()
            .enumerate()
            .map(|(ordinal, id)| (id.clone(), ordinal))
            .collect();
        Ok(Self {
            path: dir.to_path_buf(),
            schema,
            entries,
            synonyms: concepts::SynonymIndex::new(&manifest.synonyms),
            manifest,
            compiled,
            by_id,
            phrasing_embeddings,
        })
    }

    /// Every entry in index order, read as the iteration reaches it (a knowledge base too large to hold is read
    /// from the store, `search::records`). A record that cannot be read is logged and skipped: a listing shows
    /// what it can.
    pub fn entry_list(&self) -> impl Iterator<Item = Arc<Entry>> + '_ {
        (0..self.compiled.entry_count() as u32).filter_map(|ordinal| self.logged_entry(ordinal))
    }

    /// Every entry's id in index order, without reading a record.
    pub fn entry_ids(&self) -> impl Iterator<Item = &str> {
        self.compiled.records.ids().iter().map(|id| &**id)
    }

    /// The entry with this id: what a button press looks up. `None` too when its record cannot be read (logged).
    pub fn entry(&self, id: &str) -> Option<Arc<Entry>> {
        self.logged_entry(*self.by_id.get(id)? as u32)
    }

    fn logged_entry(&self, ordinal: u32) -> Option<Arc<Entry>> {
        self.compiled
            .records
            .get(ordinal)
            .inspect_err(|error| tracing::error!(error = %crate::error_chain::error_chain(error), ordinal, "an entry record cannot be read"))
            .ok()
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn schema(&self) -> &FaqSchema {
        &self.schema
    }
}

/// Segment files end in an 8-byte footer; a shorter one is the case tantivy panics on, so it is caught first.
fn reject_truncated_files(path: &Path) -> Result<(), IndexError> {
    const FOOTER_BYTES: u64 = 8;
    let items = std::fs::read_dir(path).map_err(|source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for item in items.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        let is_segment_file = !name.starts_with('.') && !name.ends_with(".json") && !name.ends_with(".lock");
        if is_segment_file && item.metadata().is_ok_and(|m| m.is_file() && m.len() < FOOTER_BYTES) {
            files.push(name);
        }
    }
    if files.is_empty() {
        return Ok(());
    }
    files.sort();
    Err(IndexError::Damaged {
        path: path.to_path_buf(),
        files,
    })
}

/// A tantivy folder that can be read even where its meta lock cannot be created (a read-only index/). Tantivy
/// takes that lock while opening readers so that no writer deletes files meanwhile; a generation is never
/// written again once it is built, so when the lock file cannot be made, readers go ahead without it.
#[derive(Debug, Clone)]
struct ReadersNeedNoLock(MmapDirectory);

impl tantivy::Directory for ReadersNeedNoLock {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<std::sync::Arc<dyn tantivy::directory::FileHandle>, tantivy::directory::error::OpenReadError> {
        self.0.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), tantivy::directory::error::DeleteError> {
        self.0.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, tantivy::directory::error::OpenReadError> {
        self.0.exists(path)
    }

    fn open_write(
        &self,
        path: &Path,
    ) -> Result<tantivy::directory::WritePtr, tantivy::directory::error::OpenWriteError> {
        self.0.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, tantivy::directory::error::OpenReadError> {
        self.0.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }

    fn acquire_lock(
        &self,
        lock: &tantivy::directory::Lock,
    ) -> Result<tantivy::directory::DirectoryLock, tantivy::directory::error::LockError> {
        match self.0.acquire_lock(lock) {
            Err(tantivy::directory::error::LockError::IoError(error))
                if lock.filepath == tantivy::directory::META_LOCK.filepath =>
            {
                tracing::debug!(%error, "reading the index without tantivy's meta lock");
                Ok(tantivy::directory::DirectoryLock::from(Box::new(())))
            }
            outcome => outcome,
        }
    }

    fn watch(&self, callback: tantivy::directory::WatchCallback) -> tantivy::Result<tantivy::directory::WatchHandle> {
        self.0.watch(callback)
    }
}

/// Opens one tantivy index and checks its files. Tantivy 0.27 panics on some damaged files (a footer check
/// guards fewer bytes than it reads), so a panic while opening counts as damage too: the index is rebuilt.
fn open_reader(path: &Path) -> Result<IndexReader, IndexError> {
    std::panic::catch_unwind(|| open_checked_reader(path)).unwrap_or_else(|_| {
        Err(IndexError::Damaged {
            path: path.to_path_buf(),
            files: vec!["(tantivy panicked while reading them)".to_string()],
        })
    })
}

fn open_checked_reader(path: &Path) -> Result<IndexReader, IndexError> {
    reject_truncated_files(path)?;
    let error = |source| IndexError::Tantivy {
        path: path.to_path_buf(),
        source,
    };
    let directory = MmapDirectory::open(path).map_err(|e| error(e.into()))?;
    let index = Index::open(ReadersNeedNoLock(directory)).map_err(error)?;
    // Tantivy trusts its files once open; a damaged one must be caught here, where it only means a rebuild.
    let damaged = index.validate_checksum().map_err(error)?;
    if !damaged.is_empty() {
        let mut files: Vec<String> = damaged.iter().map(|f| f.display().to_string()).collect();
        files.sort();
        return Err(IndexError::Damaged {
            path: path.to_path_buf(),
            files,
        });
    }
    tokenizer::register(index.tokenizers());
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_found_by_id_and_listed_in_faq_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let faq = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq");
        let opened = open_or_build(&faq, &dir.path().join("index"), false).expect("index");
        let index = &opened.index;
        let listed: Vec<String> = index.entry_list().map(|entry| entry.id.clone()).collect();
        let loaded = crate::faq::KnowledgeBase::load(&faq).expect("fixture loads");
        let in_faq: Vec<&str> = loaded
            .knowledge_base
            .entries
            .iter()
            .map(|entry| entry.id.as_str())
            .collect();
        assert_eq!(listed, in_faq);
        for id in &listed {
            assert_eq!(index.entry(id).map(|entry| entry.id.clone()).as_ref(), Some(id));
        }
        assert!(index.entry("no-such-entry").is_none());
    }
}
