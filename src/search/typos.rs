//! Finding the vocabulary word nearest a mistyped one by symmetric deletion: the vocabulary's words with one
//! and two letters deleted are hashed once, so a lookup hashes a handful of deletions of the typed word and
//! checks the few words that share one, instead of streaming the term dictionary through a Levenshtein
//! automaton (which cost more than everything else a question does together).

use std::hash::{Hash, Hasher};

/// Edits a correction may make; the caller picks 1 or 2 by word length.
pub(crate) const MAX_EDITS: usize = 2;

pub(crate) struct TypoIndex {
    /// Correctable words (ASCII letters only) and in how many entries each appears.
    words: Vec<(Box<str>, u32)>,
    /// `(hash of a deletion variant, word)`, sorted by hash.
    deletions: Vec<(u64, u32)>,
}

impl TypoIndex {
    pub(crate) fn new<'a>(vocabulary: impl IntoIterator<Item = (&'a str, u32)>) -> Self {
        let words: Vec<(Box<str>, u32)> = vocabulary
            .into_iter()
            .filter(|(word, _)| !word.is_empty() && word.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(|(word, doc_freq)| (word.into(), doc_freq))
            .collect();
        let mut deletions = Vec::new();
        for (id, (word, _)) in words.iter().enumerate() {
            for_each_deletion(word.as_bytes(), MAX_EDITS, &mut |variant| {
                deletions.push((hash(variant), id as u32))
            });
        }
        deletions.sort_unstable();
        deletions.dedup();
        Self { words, deletions }
    }

    /// The word at most `max_edits` edits (insertions, deletions, substitutions, adjacent swaps) from `word`:
    /// the fewest edits first, then the word in more entries, then the alphabetically first.
    pub(crate) fn nearest(&self, word: &str, max_edits: usize) -> Option<&str> {
        let max_edits = max_edits.min(MAX_EDITS);
        let mut candidates = Vec::new();
        for_each_deletion(word.as_bytes(), max_edits, &mut |variant| {
            let key = hash(variant);
            let start = self.deletions.partition_point(|&(h, _)| h < key);
            candidates.extend(
                self.deletions[start..]
                    .iter()
                    .take_while(|&&(h, _)| h == key)
                    .map(|&(_, id)| id),
            );
        });
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|id| {
                let (candidate, doc_freq) = &self.words[id as usize];
                let edits = strsim::osa_distance(word, candidate);
                (edits <= max_edits).then_some((edits, u32::MAX - doc_freq, &**candidate))
            })
            .min()
            .map(|(_, _, candidate)| candidate)
    }
}

/// Calls `visit` with the word itself and every distinct-position deletion of up to `depth` bytes.
fn for_each_deletion(word: &[u8], depth: usize, visit: &mut dyn FnMut(&[u8])) {
    visit(word);
    let mut buffer = Vec::with_capacity(word.len());
    delete_from(word, 0, depth, &mut buffer, visit);
}

/// Deletes one byte at `from` or later (so each set of positions is visited once), then recurses.
fn delete_from(word: &[u8], from: usize, depth: usize, buffer: &mut Vec<u8>, visit: &mut dyn FnMut(&[u8])) {
    if depth == 0 {
        return;
    }
    for position in from..word.len() {
        buffer.clear();
        buffer.extend_from_slice(&word[..position]);
        buffer.extend_from_slice(&word[position + 1..]);
        visit(buffer);
        let shorter = buffer.clone();
        delete_from(
            &shorter,
            position,
            depth - 1,
            &mut Vec::with_capacity(shorter.len()),
            visit,
        );
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(words: &[(&'static str, u32)]) -> TypoIndex {
        TypoIndex::new(words.iter().copied())
    }

    #[test]
    fn finds_words_within_the_allowed_edits() {
        let index = index(&[("account", 5), ("verification", 3), ("switch", 4), ("service", 6)]);
        assert_eq!(index.nearest("acount", 1), Some("account"));
        assert_eq!(
            index.nearest("swicth", 1),
            Some("switch"),
            "an adjacent swap is one edit"
        );
        assert_eq!(index.nearest("verfication", 1), Some("verification"));
        assert_eq!(index.nearest("verifcaton", 2), Some("verification"));
        assert_eq!(index.nearest("verifcaton", 1), None);
        assert_eq!(index.nearest("servixe", 1), Some("service"));
        assert_eq!(index.nearest("bakery", 2), None);
    }

    #[test]
    fn prefers_fewer_edits_then_the_commoner_word_then_the_first() {
        let index = index(&[("cost", 2), ("coat", 9), ("most", 9), ("costs", 1)]);
        assert_eq!(index.nearest("cost", 1), Some("cost"));
        assert_eq!(index.nearest("cosx", 1), Some("cost"));
        assert_eq!(
            index.nearest("coxt", 1),
            Some("coat"),
            "coat and cost are one edit; coat is in more entries"
        );
        assert_eq!(index.nearest("nost", 1), Some("most"));
        let tie = index_of_equals();
        assert_eq!(tie.nearest("bat", 1), Some("bag"));
    }

    fn index_of_equals() -> TypoIndex {
        index(&[("bax", 1), ("bag", 1)])
    }

    #[test]
    fn only_ascii_words_are_candidates() {
        let index = index(&[("café", 3), ("订阅号", 3), ("cafe", 1)]);
        assert_eq!(index.nearest("cafx", 1), Some("cafe"));
        assert_eq!(index.words.len(), 1);
    }

    /// The same answers as comparing with every word, on a vocabulary with many near neighbours.
    #[test]
    fn agrees_with_a_full_scan() {
        let vocabulary: Vec<String> = [
            "account", "accounts", "amount", "count", "counter", "contact", "accent", "acorn",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        let index = TypoIndex::new(vocabulary.iter().enumerate().map(|(i, w)| (w.as_str(), i as u32)));
        for typed in [
            "acount", "acounts", "amuont", "cuont", "contcat", "acccent", "acron", "xyzzy", "countr",
        ] {
            for edits in 1..=2 {
                let expected = vocabulary
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (strsim::osa_distance(typed, w), u32::MAX - i as u32, w.as_str()))
                    .filter(|(d, _, _)| *d <= edits)
                    .min()
                    .map(|(_, _, w)| w);
                assert_eq!(index.nearest(typed, edits), expected, "{typed} within {edits}");
            }
        }
    }
}
