//! The compiled posting lists: for each term and scored field, the entries that hold it with BM25's tf factor
//! worked out at open; for questions, the factor of the entry's best phrasing for the term, which bounds what the
//! term adds to any of the entry's phrasings.

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
