//! Every phrasing's embedding in the semantic model, made once when the index is built and kept in the generation,
//! so that answering never embeds a phrasing: opening maps the file (through tantivy's memory-mapped directory),
//! and a question reads only its candidates' rows. Rows are int8 with a scale each, a quarter of f32's size, which
//! moves a cosine by less than 0.005.
//!
//! Layout (little-endian): `FQPE`, version, dimension, entries, rows (u32 each); then `2 × entries + 1` row starts,
//! entry `e`'s English rows from `starts[2e]` and its Chinese rows from `starts[2e + 1]` up to `starts[2e + 2]`;
//! then the rows, each an f32 scale and `dimension` signed bytes.

use std::path::Path;

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};

use super::semantic::{Embedding, SemanticModel};
use super::{IndexError, tokenizer};
use crate::faq::Entry;
use crate::lang::is_han;

pub(crate) const EMBEDDINGS_FILE: &str = "phrasings.fqpe";
const MAGIC: &[u8; 4] = b"FQPE";
const VERSION: u32 = 1;
const HEADER_BYTES: usize = 20;

/// Whether a phrasing is compared with Chinese questions: any Han character makes it Chinese ("HK company 點樣
/// apply?"), so that English questions never need the Chinese segmenter.
fn is_chinese_phrasing(question: &str) -> bool {
    question.chars().any(is_han)
}

/// Writes the embeddings of every entry's phrasings to `path`; with no usable model, a file of no rows.
pub(crate) fn write(path: &Path, entries: &[Entry]) -> Result<(), IndexError> {
    let model = SemanticModel::embedded().ok();
    let dim = model.map_or(0, SemanticModel::dim);
    let mut analyzer = tokenizer::vocab_analyzer();
    let mut starts: Vec<u32> = Vec::with_capacity(2 * entries.len() + 1);
    let mut rows: Vec<u8> = Vec::new();
    let mut count = 0u32;
    for entry in entries {
        for chinese in [false, true] {
            starts.push(count);
            let Some(model) = model else { continue };
            for question in entry.questions.iter().filter(|q| is_chinese_phrasing(q) == chinese) {
                let words = tokenizer::analyze(&mut analyzer, question);
                if let Some(embedding) = model.embed_words(words.iter().map(String::as_str)) {
                    push_row(&mut rows, embedding.as_slice());
                    count += 1;
                }
            }
        }
    }
    starts.push(count);
    let mut bytes = Vec::with_capacity(HEADER_BYTES + 4 * starts.len() + rows.len());
    bytes.extend_from_slice(MAGIC);
    for field in [VERSION, dim as u32, entries.len() as u32, count] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    for start in &starts {
        bytes.extend_from_slice(&start.to_le_bytes());
    }
    bytes.extend_from_slice(&rows);
    std::fs::write(path, bytes).map_err(|source| IndexError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn push_row(rows: &mut Vec<u8>, vector: &[f32]) {
    let largest = vector.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
    rows.extend_from_slice(&scale.to_le_bytes());
    rows.extend(
        vector
            .iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8 as u8),
    );
}

/// The phrasing embeddings of one generation, mapped.
pub(crate) struct PhrasingEmbeddings {
    bytes: OwnedBytes,
    dim: usize,
    entries: usize,
}

impl PhrasingEmbeddings {
    /// Maps the generation's file and checks its shape; a file that does not add up is damage.
    pub(crate) fn open(dir: &Path, entries: usize) -> Result<Self, IndexError> {
        let damaged = || IndexError::Damaged {
            path: dir.to_path_buf(),
            files: vec![EMBEDDINGS_FILE.to_string()],
        };
        let directory = MmapDirectory::open(dir).map_err(|_| damaged())?;
        let slice = directory.open_read(Path::new(EMBEDDINGS_FILE)).map_err(|_| damaged())?;
        let bytes = slice.read_bytes().map_err(|_| damaged())?;
        let field = |i: usize| -> Option<u32> {
            let b = bytes.as_slice().get(i..i + 4)?;
            Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        if bytes.as_slice().get(..4) != Some(MAGIC.as_slice()) || field(4) != Some(VERSION) {
            return Err(damaged());
        }
        let (dim, stored_entries, rows) = match (field(8), field(12), field(16)) {
            (Some(dim), Some(stored), Some(rows)) => (dim as usize, stored as usize, rows as usize),
            _ => return Err(damaged()),
        };
        let embeddings = Self {
            bytes,
            dim,
            entries: stored_entries,
        };
        let expected = HEADER_BYTES + 4 * (2 * stored_entries + 1) + rows * (4 + dim);
        let starts_rise = (0..2 * stored_entries).all(|i| embeddings.start(i) <= embeddings.start(i + 1));
        if stored_entries != entries
            || embeddings.bytes.len() != expected
            || !starts_rise
            || embeddings.start(2 * stored_entries) != rows
        {
            return Err(damaged());
        }
        Ok(embeddings)
    }

    fn start(&self, i: usize) -> usize {
        let at = HEADER_BYTES + 4 * i;
        let b = &self.bytes.as_slice()[at..at + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    /// The highest cosine between `focus` and the entry's phrasings in the question's script; 0 when there are none.
    pub(crate) fn best_cosine(&self, ordinal: u32, chinese: bool, focus: &Embedding) -> f32 {
        let ordinal = ordinal as usize;
        if ordinal >= self.entries || focus.as_slice().len() != self.dim {
            return 0.0;
        }
        let i = 2 * ordinal + usize::from(chinese);
        let (first, end) = (self.start(i), self.start(i + 1));
        let row_bytes = 4 + self.dim;
        let rows_at = HEADER_BYTES + 4 * (2 * self.entries + 1);
        (first..end)
            .map(|row| {
                let at = rows_at + row * row_bytes;
                let row = &self.bytes.as_slice()[at..at + row_bytes];
                let scale = f32::from_le_bytes([row[0], row[1], row[2], row[3]]);
                scale * super::semantic::dot_quantized(focus.as_slice(), &row[4..])
            })
            .fold(0.0, f32::max)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::search::store::current_generation;
    use crate::search::{Freshness, RebuildReason, SearchIndex, open_or_build};

    #[test]
    fn a_cut_embeddings_file_is_damage_and_the_next_start_rebuilds() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (faq, index) = (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq"),
            dir.path().join("index"),
        );
        open_or_build(&faq, &index, false).expect("index");
        let generation = current_generation(&index).expect("a generation");
        let file = generation.join(EMBEDDINGS_FILE);
        let bytes = std::fs::read(&file).expect("the embeddings");
        assert!(bytes.len() > HEADER_BYTES, "rows were written");
        std::fs::write(&file, &bytes[..bytes.len() - 7]).expect("cut it");
        let error = SearchIndex::open(&generation).err().expect("refused");
        assert!(
            matches!(&error, IndexError::Damaged { files, .. } if files == &[EMBEDDINGS_FILE.to_string()]),
            "{error:?}"
        );
        let reopened = open_or_build(&faq, &index, false).expect("rebuilt");
        assert!(
            matches!(reopened.freshness, Freshness::Rebuilt(RebuildReason::Broken(_))),
            "{:?}",
            reopened.freshness
        );
    }

    #[test]
    fn quantised_rows_keep_the_cosine() {
        let model = SemanticModel::embedded().expect("the shipped table");
        let embed = |text: &str| model.embed_words(text.split(' ')).expect("known words");
        let (a, b) = (embed("verification fee cost"), embed("how much does it cost"));
        let mut row = Vec::new();
        push_row(&mut row, b.as_slice());
        let scale = f32::from_le_bytes([row[0], row[1], row[2], row[3]]);
        let quantised = scale * crate::search::semantic::dot_quantized(a.as_slice(), &row[4..]);
        let exact = crate::search::semantic::cosine(&a, &b);
        assert!((quantised - exact).abs() < 0.005, "{quantised} against {exact}");
    }
}
