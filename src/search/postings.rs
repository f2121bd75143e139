//! The compiled posting lists: for each term and scored field, the entries that hold it with BM25's tf factor
//! worked out at open; for questions, the factor of the entry's best phrasing for the term, which bounds what the
//! term adds to any of the entry's phrasings. Each list carries a skip per block of postings, so that ranking can
//! look a few entries up in a long list without galloping through it.

/// Which indexed field a posting list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Question = 0,
    Answer = 1,
    Tags = 2,
}

impl Slot {
    pub(crate) const ALL: [Slot; 3] = [Slot::Question, Slot::Answer, Slot::Tags];
}

/// One entry of a posting list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub(crate) doc: u32,
    /// BM25's term-frequency factor: the posting's score is this times the term's weight, so it is worked out
    /// once, at open.
    pub(crate) tf_factor: f32,
}

#[derive(Debug, Default)]
pub(crate) struct PostingList {
    /// BM25's idf × (1 + k1), over the field's documents (phrasings for questions).
    pub(crate) weight: f32,
    /// Sorted by `doc`.
    pub(crate) postings: Vec<Posting>,
    /// The largest tf factor in the list: with the weight, the most the term can add to any document, which is
    /// what lets ranking skip the entries a common word alone cannot place (`search::rank`).
    pub(crate) max_factor: f32,
    /// The last document of each block of [`SKIP_BLOCK`] postings (see [`skips_of`]).
    pub(crate) skips: Vec<u32>,
}

/// How many postings a skip covers. A lookup finds its block in the skips, an array 64 times shorter than the
/// list that stays in cache, and searches that block's 64 postings (512 bytes): galloping through a list of tens of
/// thousands of postings for each of a few thousand entries touched a new cache line at nearly every step.
pub(crate) const SKIP_BLOCK: usize = 64;

/// The last document of each block of `block` postings, in order.
pub(crate) fn skips_of(postings: &[Posting], block: usize) -> Vec<u32> {
    postings
        .chunks(block.max(1))
        .filter_map(|chunk| chunk.last().map(|p| p.doc))
        .collect()
}

/// The first position at or after `from` whose key is at least `doc`, in items sorted by key: doubling steps, then
/// a binary search in the last step, so that a lookup costs the log of the distance moved, not of the length.
pub(crate) fn gallop<T>(items: &[T], from: usize, key: impl Fn(&T) -> u32, doc: u32) -> usize {
    let (mut low, mut step) = (from, 1);
    while low + step < items.len() && key(&items[low + step]) < doc {
        low += step;
        step *= 2;
    }
    let high = (low + step).min(items.len());
    low + items[low.min(high)..high].partition_point(|item| key(item) < doc)
}

/// What a [`Cursor`] found for a document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Found {
    /// The list holds it, with this tf factor.
    At(f32),
    /// The list does not hold it, but holds later documents.
    Absent,
    /// The list ends before it: it holds no later document either.
    Past,
}

/// A position in a list that only moves forward, for looking up documents in ascending order.
pub(crate) struct Cursor<'p> {
    postings: &'p [Posting],
    skips: &'p [u32],
    /// How many postings a skip covers.
    block: usize,
    /// The block the cursor is in.
    at: usize,
}

impl<'p> Cursor<'p> {
    pub(crate) fn new(list: &'p PostingList) -> Self {
        Self::over(&list.postings, &list.skips, SKIP_BLOCK)
    }

    /// A cursor over postings whose skips were made with `skips_of(postings, block)`.
    pub(crate) fn over(postings: &'p [Posting], skips: &'p [u32], block: usize) -> Self {
        Cursor {
            postings,
            skips,
            block: block.max(1),
            at: 0,
        }
    }

    /// Finds `doc`, which must not be below a document looked up before.
    pub(crate) fn find(&mut self, doc: u32) -> Found {
        self.at = gallop(self.skips, self.at, |&last| last, doc);
        if self.at == self.skips.len() {
            // Every block ends before `doc`.
            return Found::Past;
        }
        let start = self.at * self.block;
        let Some(block) = self.postings.get(start..(start + self.block).min(self.postings.len())) else {
            return Found::Past;
        };
        // The block's last document is at least `doc`, so the search stops inside it.
        match block.get(block.partition_point(|p| p.doc < doc)) {
            Some(found) if found.doc == doc => Found::At(found.tf_factor),
            Some(_) => Found::Absent,
            None => Found::Past,
        }
    }
}

impl PostingList {
    /// The tf factor of `doc`, if the list holds it.
    pub(crate) fn factor_of(&self, doc: u32) -> Option<f32> {
        let index = self.postings.binary_search_by_key(&doc, |p| p.doc).ok()?;
        Some(self.postings[index].tf_factor)
    }
}

/// A term's posting lists in the three scored fields.
#[derive(Debug, Default)]
pub(crate) struct TermPostings {
    pub(crate) fields: [PostingList; 3],
    /// BM25's idf among phrasings (not entries, which the question list holds).
    pub(crate) question_idf: f32,
    /// The phrasings that hold the term, by number, with their tf factors (the weight is the question list's):
    /// scoring one entry exactly looks up only its own run of phrasings here.
    pub(crate) phrasings: Vec<Posting>,
}

impl TermPostings {
    /// The term's list in the field, if it has any postings there.
    pub(crate) fn list(&self, slot: Slot) -> Option<&PostingList> {
        Some(&self.fields[slot as usize]).filter(|list| !list.postings.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cursors against a plain search of the whole list, at block sizes from one posting (a skip per posting) to
    /// more than the list, for lookups of every stride: each document in turn, sparse ones, and ones past the end.
    #[test]
    fn a_cursor_finds_what_a_plain_search_finds() {
        let list: Vec<Posting> = (0..1_000u32)
            .filter(|doc| doc % 3 != 1 && doc % 7 != 2)
            .map(|doc| Posting {
                doc,
                tf_factor: 1.0 + (doc % 5) as f32,
            })
            .collect();
        let plain = |doc: u32| match list.binary_search_by_key(&doc, |p| p.doc) {
            Ok(at) => Found::At(list[at].tf_factor),
            Err(at) if at < list.len() => Found::Absent,
            Err(_) => Found::Past,
        };
        let mut compared = 0;
        for block in [1, 3, 4, SKIP_BLOCK, 5_000] {
            let skips = skips_of(&list, block);
            assert_eq!(skips.len(), list.len().div_ceil(block));
            for stride in [1, 2, 5, 63, 64, 65, 400] {
                for start in [0, 1, 998] {
                    let mut cursor = Cursor::over(&list, &skips, block);
                    for doc in (start..1_010).step_by(stride) {
                        assert_eq!(
                            cursor.find(doc),
                            plain(doc),
                            "block {block}, stride {stride}, doc {doc}"
                        );
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 10_000, "only {compared} lookups compared");
        let empty = Cursor::over(&[], &[], SKIP_BLOCK).find(0);
        assert_eq!(empty, Found::Past);
    }
}
