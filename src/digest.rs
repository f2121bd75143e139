//! Short hex digests: the first bytes of a SHA-256, as hex, for names that must not reveal what they stand for.
//!
//! Used for the chat hash in the feedback logs, entry ids too long for a button, and the webhook secret.

use sha2::{Digest, Sha256};

/// The first `bytes` bytes (at most 32) of the SHA-256 of `parts` fed in order, as lowercase hex.
pub fn sha256_hex(parts: &[&[u8]], bytes: usize) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher
        .finalize()
        .iter()
        .take(bytes)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_hashed_as_one_input() {
        // SHA-256("abc") starts ba7816bf.
        assert_eq!(sha256_hex(&[b"abc"], 4), "ba7816bf");
        assert_eq!(sha256_hex(&[b"a", b"bc"], 4), "ba7816bf");
        assert_eq!(sha256_hex(&[b"abc"], 64).len(), 64);
    }
}
