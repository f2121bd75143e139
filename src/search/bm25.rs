//! BM25's arithmetic, as tantivy computes it (`tantivy::query::Bm25Weight`), so that the compiled scores are
//! tantivy's to the bit: the same parameters, idf and length normalisation over quantised field norms.

use tantivy::Searcher;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::schema::Field;

/// tantivy's BM25 parameters (`tantivy::query::bm25`), which these scores must reproduce.
pub(crate) const K1: f32 = 1.2;
const B: f32 = 0.75;

/// BM25's per-field length normalisation, one value per quantised field norm, as tantivy caches it.
pub(crate) struct FieldStats {
    norms: [f32; 256],
    pub(crate) documents: u64,
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

    /// The field's statistics over every segment of the searcher.
    pub(crate) fn of(searcher: &Searcher, field: Field) -> tantivy::Result<Self> {
        let mut tokens = 0;
        let mut documents = 0;
        for segment in searcher.segment_readers() {
            tokens += segment.inverted_index(field)?.total_num_tokens();
            documents += u64::from(segment.max_doc());
        }
        Ok(Self::new(tokens, documents))
    }

    /// BM25's term-frequency factor, `tf / (tf + k1 · (1 - b + b · length / average length))`.
    pub(crate) fn tf_factor(&self, term_freq: u32, fieldnorm_id: u8) -> f32 {
        let term_freq = term_freq as f32;
        term_freq / (term_freq + self.norms[fieldnorm_id as usize])
    }

    /// A term's weight in this field, idf × (1 + k1): a posting scores this times its tf factor.
    pub(crate) fn weight(&self, doc_freq: u64) -> f32 {
        idf(doc_freq, self.documents) * (1.0 + K1)
    }
}

/// tantivy's inverse document frequency.
pub(crate) fn idf(doc_freq: u64, documents: u64) -> f32 {
    let x = (documents.saturating_sub(doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    (1.0 + x).ln()
}
