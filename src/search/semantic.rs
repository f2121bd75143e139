//! Semantic similarity without a network: a static word table distilled from multilingual-e5-small (models/e5-static/), so a question and an FAQ phrasing can be compared in microseconds.
//!
//! The table (format in models/e5-static/MODEL_CARD.md) is compiled into the binary and parsed once per process,
//! on first use. A text's embedding is the SIF-weighted mean of its known words' vectors, normalised; words are
//! what the vocab analyzer emits (lowercased English words, jieba segments of simplified Chinese). A Chinese
//! segment missing from the table counts as the mean of its known characters.

use std::cmp::Ordering;
use std::sync::LazyLock;

use thiserror::Error;

use crate::lang::is_han;

/// The distilled table, as committed.
static TABLE: &[u8] = include_bytes!("../../models/e5-static/table.fqe5");

static EMBEDDED: LazyLock<Result<SemanticModel, TableError>> = LazyLock::new(|| SemanticModel::from_bytes(TABLE));

const MAGIC: &[u8; 4] = b"FQE5";
const VERSION: u32 = 1;
const HEADER_BYTES: usize = 20;
/// Far above the 256 the recipe writes; only there to reject nonsense before any allocation.
const MAX_DIM: usize = 4096;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TableError {
    #[error("semantic table: not an FQE5 table")]
    BadMagic,
    #[error("semantic table: version {0}, expected {VERSION}")]
    Version(u32),
    #[error("semantic table: {0}")]
    Invalid(&'static str),
    #[error("semantic table: {expected} bytes expected, {found} found")]
    Length { expected: usize, found: usize },
}

/// A normalised text embedding (unit length), or what [`SemanticModel::embed_words`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(Box<[f32]>);

impl Embedding {
    pub fn as_slice(&self) -> &[f32] {
        &self.0
    }
}

/// Cosine similarity of two embeddings; both are unit length, so this is their dot product.
pub fn cosine(a: &Embedding, b: &Embedding) -> f32 {
    dot(&a.0, &b.0)
}

/// Comparing a question with every phrasing of the candidates is the costliest step of answering. Sixteen running
/// sums rather than one let the compiler use vector instructions (a single sum must be added in order), and the
/// function is compiled once more for AVX2, picked at run time where the processor has it.
#[multiversion::multiversion(targets("x86_64+avx2", "aarch64+neon"))]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    const LANES: usize = 16;
    let mut sums = [0.0f32; LANES];
    let (a_chunks, b_chunks) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for ((sum, x), y) in sums.iter_mut().zip(x).zip(y) {
            *sum += x * y;
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// The dot product of an embedding with a row of signed bytes (`search::embeddings`), laned as [`dot`] is.
#[multiversion::multiversion(targets("x86_64+avx2", "aarch64+neon"))]
pub(crate) fn dot_quantized(a: &[f32], row: &[u8]) -> f32 {
    const LANES: usize = 16;
    let mut sums = [0.0f32; LANES];
    let (a_chunks, row_chunks) = (a.chunks_exact(LANES), row.chunks_exact(LANES));
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(row_chunks.remainder())
        .map(|(x, &y)| x * f32::from(y as i8))
        .sum();
    for (x, y) in a_chunks.zip(row_chunks) {
        for ((sum, x), &y) in sums.iter_mut().zip(x).zip(y) {
            *sum += x * f32::from(y as i8);
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// The word table: words sorted by their UTF-8 bytes, an int8 row with a scale and a SIF weight for each.
#[derive(Debug)]
pub struct SemanticModel {
    dim: usize,
    offsets: Vec<u32>,
    words: &'static str,
    scales: Vec<f32>,
    weights: Vec<f32>,
    vectors: &'static [u8],
}

impl SemanticModel {
    /// The table compiled into the binary, parsed on the first call of the process.
    pub fn embedded() -> Result<&'static SemanticModel, &'static TableError> {
        EMBEDDED.as_ref()
    }

    /// Parses and checks a table; any malformed or truncated input is an error.
    pub fn from_bytes(bytes: &'static [u8]) -> Result<Self, TableError> {
        let header = bytes.get(..HEADER_BYTES).ok_or(TableError::Length {
            expected: HEADER_BYTES,
            found: bytes.len(),
        })?;
        if &header[..4] != MAGIC {
            return Err(TableError::BadMagic);
        }
        let field = |i: usize| u32::from_le_bytes([header[i], header[i + 1], header[i + 2], header[i + 3]]);
        let version = field(4);
        if version != VERSION {
            return Err(TableError::Version(version));
        }
        let (dim, n, blob_len) = (field(8) as usize, field(12) as usize, field(16) as usize);
        if dim == 0 || dim > MAX_DIM {
            return Err(TableError::Invalid("dimension out of range"));
        }
        if n == 0 {
            return Err(TableError::Invalid("no words"));
        }
        let sizes = [
            (n + 1).checked_mul(4),
            Some(blob_len),
            n.checked_mul(4),
            n.checked_mul(4),
            n.checked_mul(dim),
        ];
        let mut expected = HEADER_BYTES;
        let mut bounds = [0usize; 6];
        bounds[0] = expected;
        for (i, size) in sizes.into_iter().enumerate() {
            expected = size
                .and_then(|s| expected.checked_add(s))
                .ok_or(TableError::Invalid("sizes overflow"))?;
            bounds[i + 1] = expected;
        }
        if bytes.len() != expected {
            return Err(TableError::Length {
                expected,
                found: bytes.len(),
            });
        }
        let section = |i: usize| &bytes[bounds[i]..bounds[i + 1]];
        let floats = |b: &[u8]| -> Vec<f32> {
            b.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect()
        };

        let offsets: Vec<u32> = section(0)
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let words = std::str::from_utf8(section(1)).map_err(|_| TableError::Invalid("words are not UTF-8"))?;
        if offsets.first() != Some(&0) || offsets.last().map(|&o| o as usize) != Some(blob_len) {
            return Err(TableError::Invalid("word offsets do not span the words"));
        }
        let mut previous: Option<&str> = None;
        for pair in offsets.windows(2) {
            let (from, to) = (pair[0] as usize, pair[1] as usize);
            if from >= to || !words.is_char_boundary(from) || !words.is_char_boundary(to) {
                return Err(TableError::Invalid("bad word offsets"));
            }
            let word = &words[from..to];
            if previous.is_some_and(|p| p.as_bytes() >= word.as_bytes()) {
                return Err(TableError::Invalid("words are not sorted and unique"));
            }
            previous = Some(word);
        }
        let scales = floats(section(2));
        let weights = floats(section(3));
        if scales.iter().any(|s| !s.is_finite() || *s <= 0.0) {
            return Err(TableError::Invalid("row scales must be finite and positive"));
        }
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(TableError::Invalid("word weights must be finite and non-negative"));
        }
        Ok(Self {
            dim,
            offsets,
            words,
            scales,
            weights,
            vectors: section(4),
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.scales.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scales.is_empty()
    }

    fn word(&self, i: usize) -> &str {
        &self.words[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Row of `word`, by binary search over the sorted words.
    fn index(&self, word: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.word(mid).as_bytes().cmp(word.as_bytes()) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    pub fn contains(&self, word: &str) -> bool {
        self.index(word).is_some()
    }

    fn add_row(&self, acc: &mut [f32], row: usize, weight: f32) {
        let scale = self.scales[row] * weight;
        let values = &self.vectors[row * self.dim..(row + 1) * self.dim];
        for (a, &v) in acc.iter_mut().zip(values) {
            *a += scale * f32::from(v as i8);
        }
    }

    /// The SIF-weighted mean of the known words' vectors, normalised; `None` when no word is known.
    pub fn embed_words<'a>(&self, words: impl IntoIterator<Item = &'a str>) -> Option<Embedding> {
        let mut acc = vec![0.0f32; self.dim];
        let mut known = false;
        let mut chars = Vec::new();
        for word in words {
            if let Some(row) = self.index(word) {
                self.add_row(&mut acc, row, self.weights[row]);
                known = true;
            } else if word.chars().nth(1).is_some() && word.chars().all(is_han) {
                chars.clear();
                let mut buf = [0u8; 4];
                chars.extend(word.chars().filter_map(|c| self.index(c.encode_utf8(&mut buf))));
                let share = 1.0 / chars.len().max(1) as f32;
                for &row in &chars {
                    self.add_row(&mut acc, row, self.weights[row] * share);
                    known = true;
                }
            }
        }
        if !known {
            return None;
        }
        let norm = acc.iter().map(|x| x * x).sum::<f32>().sqrt();
        if !norm.is_finite() || norm == 0.0 {
            return None;
        }
        acc.iter_mut().for_each(|x| *x /= norm);
        Some(Embedding(acc.into_boxed_slice()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn the_dot_product_in_lanes_is_the_plain_one_for_any_length() {
        for length in [0, 1, 15, 16, 17, 37, 256] {
            let a: Vec<f32> = (0..length).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..length).map(|i| (i as f32 * 0.11).cos()).collect();
            let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - plain).abs() < 1e-4, "length {length}");
        }
    }
    use crate::search::tokenizer::{analyze, vocab_analyzer};

    fn model() -> &'static SemanticModel {
        match SemanticModel::embedded() {
            Ok(model) => model,
            Err(e) => panic!("{e}"),
        }
    }

    fn embed(text: &str) -> Option<Embedding> {
        let words = analyze(&mut vocab_analyzer(), text);
        model().embed_words(words.iter().map(String::as_str))
    }

    fn sim(a: &str, b: &str) -> f32 {
        match (embed(a), embed(b)) {
            (Some(a), Some(b)) => cosine(&a, &b),
            _ => panic!("{a:?} or {b:?} has no known word"),
        }
    }

    /// A table in the FQE5 format, for the parser's tests.
    fn table(dim: u32, words: &[&str], scale: f32, weight: f32) -> Vec<u8> {
        let blob: String = words.concat();
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        for v in [VERSION, dim, words.len() as u32, blob.len() as u32] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        let mut offset = 0u32;
        out.extend_from_slice(&offset.to_le_bytes());
        for w in words {
            offset += w.len() as u32;
            out.extend_from_slice(&offset.to_le_bytes());
        }
        out.extend_from_slice(blob.as_bytes());
        for _ in words {
            out.extend_from_slice(&scale.to_le_bytes());
        }
        for _ in words {
            out.extend_from_slice(&weight.to_le_bytes());
        }
        for i in 0..words.len() * dim as usize {
            out.push((i % 7) as u8);
        }
        out
    }

    fn leak(bytes: Vec<u8>) -> &'static [u8] {
        Box::leak(bytes.into_boxed_slice())
    }

    #[test]
    fn the_committed_table_loads() {
        let model = model();
        assert_eq!(model.dim(), 256);
        assert!(model.len() > 30_000, "{} words", model.len());
        for word in ["price", "account", "wechat", "费用", "认证", "公众", "号"] {
            assert!(model.contains(word), "{word}");
        }
    }

    #[test]
    fn english_neighbours_are_closer_than_unrelated_words() {
        assert!(sim("price", "cost") > sim("price", "switch"));
        assert!(sim("verification", "certification") > sim("verification", "broadcast"));
    }

    #[test]
    fn chinese_and_english_meet() {
        let fee = sim("费用", "fee");
        for other in ["switch", "broadcast", "menu", "individual"] {
            assert!(fee > sim("费用", other), "费用~fee {fee} vs 费用~{other}");
        }
        assert!(sim("公众号", "official account") > sim("公众号", "price"));
    }

    #[test]
    fn an_unknown_chinese_segment_falls_back_to_its_characters() {
        let model = model();
        let segment = "费号";
        assert!(!model.contains(segment));
        let fallback = model.embed_words([segment]).expect("its characters are known");
        let chars = model.embed_words(["费", "号"]).expect("known characters");
        assert!(cosine(&fallback, &chars) > 0.99);
    }

    #[test]
    fn nothing_known_is_none() {
        let model = model();
        assert_eq!(model.embed_words([]), None);
        assert_eq!(model.embed_words(["qzxqzxq", "", "ꙮꙮ"]), None);
        let e = model.embed_words(["qzxqzxq", "price"]).expect("price is known");
        assert!((cosine(&e, &e) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn a_truncated_or_damaged_table_is_an_error() {
        for cut in [0, 3, 4, 19, 20, 21, TABLE.len() / 2, TABLE.len() - 1] {
            assert!(SemanticModel::from_bytes(&TABLE[..cut]).is_err(), "cut at {cut}");
        }
        let good = table(3, &["a", "b", "费"], 0.5, 1.0);
        assert!(SemanticModel::from_bytes(leak(good.clone())).is_ok());
        let mut longer = good.clone();
        longer.push(0);
        assert!(matches!(
            SemanticModel::from_bytes(leak(longer)),
            Err(TableError::Length { .. })
        ));
        let mut magic = good.clone();
        magic[0] = b'X';
        assert_eq!(SemanticModel::from_bytes(leak(magic)).err(), Some(TableError::BadMagic));
        let mut huge = good.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(SemanticModel::from_bytes(leak(huge)).is_err());
        assert!(SemanticModel::from_bytes(leak(table(3, &["b", "a"], 0.5, 1.0))).is_err());
        assert!(SemanticModel::from_bytes(leak(table(3, &["a", "a"], 0.5, 1.0))).is_err());
        assert!(SemanticModel::from_bytes(leak(table(3, &["a"], f32::NAN, 1.0))).is_err());
        assert!(SemanticModel::from_bytes(leak(table(3, &["a"], 0.5, -1.0))).is_err());
        assert!(SemanticModel::from_bytes(leak(table(0, &["a"], 0.5, 1.0))).is_err());
    }

    /// Paraphrase pairs (tools/distil/probe.tsv, written for this and unrelated to any evaluation data): mean
    /// cosine per group, and top-1 retrieval of each paraphrase's partner among the 20 (a hit when the best match
    /// is on the same topic; the probe repeats topics across languages, so the exact partner is printed too).
    #[test]
    fn probe() {
        let mut groups: Vec<(String, Vec<f32>)> = Vec::new();
        let mut pairs = Vec::new();
        for line in include_str!("../../tools/distil/probe.tsv").lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [group, topic, a, b] = cols[..] else {
                panic!("bad probe line {line:?}")
            };
            let (Some(ea), Some(eb)) = (embed(a), embed(b)) else {
                panic!("no known word in {a:?} or {b:?}")
            };
            let c = cosine(&ea, &eb);
            match groups.iter_mut().find(|(g, _)| g == group) {
                Some((_, v)) => v.push(c),
                None => groups.push((group.to_string(), vec![c])),
            }
            if group != "unrelated" {
                pairs.push((topic, ea, eb));
            }
        }
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        for (group, v) in &groups {
            println!("probe {group}: {} pairs, mean cosine {:.3}", v.len(), mean(v));
        }
        let (mut same_topic, mut exact) = (0, 0);
        for (i, (topic, a, _)) in pairs.iter().enumerate() {
            let best = pairs
                .iter()
                .enumerate()
                .max_by(|(_, (_, _, x)), (_, (_, _, y))| cosine(a, x).total_cmp(&cosine(a, y)));
            if let Some((j, (best_topic, _, _))) = best {
                same_topic += usize::from(best_topic == topic);
                exact += usize::from(i == j);
            }
        }
        println!(
            "probe top-1 retrieval: same topic {same_topic}/{n}, exact partner {exact}/{n}",
            n = pairs.len()
        );
        let of = |related: bool| -> Vec<f32> {
            groups
                .iter()
                .filter(|(g, _)| (g != "unrelated") == related)
                .flat_map(|(_, v)| v.iter().copied())
                .collect()
        };
        assert!(mean(&of(true)) > mean(&of(false)) + 0.1);
        assert!(same_topic * 2 > pairs.len());
    }

    #[test]
    fn encode_time() {
        let model = model();
        let words = analyze(
            &mut vocab_analyzer(),
            "How much does verification of my WeChat official account cost",
        );
        assert_eq!(words.len(), 10);
        let rounds = 10_000;
        let start = Instant::now();
        let mut dims = 0;
        for _ in 0..rounds {
            dims += model
                .embed_words(words.iter().map(String::as_str))
                .map_or(0, |e| e.as_slice().len());
        }
        let per = start.elapsed() / rounds;
        assert_eq!(dims, 256 * rounds as usize);
        println!("encode of a 10-word question: {per:?}");
    }
}
