//! Entry records, read from the entries index's store: all at open when the knowledge base is small enough to hold
//! with room to spare, otherwise on demand and kept while recently used, so that 100k entries neither fill memory
//! nor slow the start, while answering from the shipped faq/ never touches the store.

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use lru::LruCache;
use tantivy::schema::{Field, Value};
use tantivy::store::StoreReader;
use tantivy::{DocAddress, TantivyDocument};

use super::IndexError;
use crate::faq::Entry;

/// A knowledge base of up to this many entries is read whole at open (about 15 MB of records at this size), as
/// every earlier release did; a larger one is read entry by entry, as answers need them.
pub(crate) const HELD_ENTRIES: usize = 20_000;

/// How many records of a large knowledge base stay decoded after use: the entries people ask about most.
const RECENT_ENTRIES: usize = 4_096;

pub(crate) struct EntryRecords {
    path: PathBuf,
    record: Field,
    stores: Vec<StoreReader>,
    /// Per entry ordinal: where its document is.
    addresses: Vec<DocAddress>,
    ids: Vec<Box<str>>,
    /// Every record, when the knowledge base is small enough to hold them all.
    held: Vec<Arc<Entry>>,
    recent: Mutex<LruCache<u32, Arc<Entry>>>,
}

impl EntryRecords {
    /// The records of the entries at `addresses` (by ordinal) with these ids, in the stores of the entries
    /// index's segments; read now if there are at most `hold` (the index holds [`HELD_ENTRIES`]).
    pub(crate) fn new(
        path: &Path,
        record: Field,
        stores: Vec<StoreReader>,
        addresses: Vec<DocAddress>,
        ids: Vec<Box<str>>,
        hold: usize,
    ) -> Result<Self, IndexError> {
        let mut records = Self {
            path: path.to_path_buf(),
            record,
            stores,
            addresses,
            ids,
            held: Vec::new(),
            recent: Mutex::new(LruCache::new(
                NonZeroUsize::new(RECENT_ENTRIES).unwrap_or(NonZeroUsize::MIN),
            )),
        };
        if records.addresses.len() <= hold {
            records.held = (0..records.addresses.len() as u32)
                .map(|ordinal| records.read(ordinal).map(Arc::new))
                .collect::<Result<_, _>>()?;
        }
        Ok(records)
    }

    pub(crate) fn len(&self) -> usize {
        self.addresses.len()
    }

    /// Every entry's id, by ordinal, without reading a record.
    pub(crate) fn ids(&self) -> &[Box<str>] {
        &self.ids
    }

    /// The entry's record; `ordinal` must be below [`Self::len`].
    pub(crate) fn get(&self, ordinal: u32) -> Result<Arc<Entry>, IndexError> {
        if let Some(entry) = self.held.get(ordinal as usize) {
            return Ok(Arc::clone(entry));
        }
        // A poisoned cache only means another thread panicked while it held the lock; the cache is still sound.
        if let Some(entry) = self.recent.lock().unwrap_or_else(|p| p.into_inner()).get(&ordinal) {
            return Ok(Arc::clone(entry));
        }
        let entry = Arc::new(self.read(ordinal)?);
        self.recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(ordinal, Arc::clone(&entry));
        Ok(entry)
    }

    fn read(&self, ordinal: u32) -> Result<Entry, IndexError> {
        let address = self.addresses[ordinal as usize];
        let document: TantivyDocument =
            self.stores[address.segment_ord as usize]
                .get(address.doc_id)
                .map_err(|source| IndexError::Tantivy {
                    path: self.path.clone(),
                    source,
                })?;
        let text = document
            .get_first(self.record)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        serde_json::from_str(text).map_err(|source| IndexError::EntryRecord {
            path: self.path.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::compiled::STORE_BLOCKS_CACHED;
    use crate::search::open_or_build;

    /// Records read on demand, by ordinal, are the ones read whole at open; a second read is the kept one.
    #[test]
    fn records_read_on_demand_are_the_held_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let corpus = faqbot_synth::generate(400, 5);
        let faq = dir.path().join("faq");
        corpus.write_faq(&faq).expect("write the generated faq/");
        let index = open_or_build(&faq, &dir.path().join("index"), false)
            .expect("index")
            .index;
        let held = &index.compiled.records;
        assert_eq!(held.held.len(), held.len());
        let stores = index
            .entries
            .searcher()
            .segment_readers()
            .iter()
            .map(|segment| segment.get_store_reader(STORE_BLOCKS_CACHED).expect("a store"))
            .collect();
        let on_demand = EntryRecords::new(
            &held.path,
            held.record,
            stores,
            held.addresses.clone(),
            held.ids.clone(),
            0,
        )
        .expect("records");
        assert!(on_demand.held.is_empty());
        for ordinal in 0..held.len() as u32 {
            let entry = on_demand.get(ordinal).expect("a record");
            assert_eq!(entry, held.get(ordinal).expect("a held record"));
            assert_eq!(entry.id.as_str(), &*held.ids()[ordinal as usize]);
            assert!(Arc::ptr_eq(&entry, &on_demand.get(ordinal).expect("a record")));
        }
    }
}
