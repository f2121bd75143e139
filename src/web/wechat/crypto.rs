//! WeChat's message security: the request signature, and safe mode's AES-256-CBC envelope (消息加解密说明).
//!
//! - A request is WeChat's when `sha1` of token, timestamp and nonce, sorted and concatenated, is its
//!   `signature`; in safe mode `msg_signature` also covers the `Encrypt` text. Both are compared in constant time.
//! - Safe mode's key is Base64(EncodingAESKey + "="), 32 bytes; the IV is its first 16. The plaintext is 16 random
//!   bytes, the message's length (4 bytes, big-endian), the message, the AppID; PKCS#7 pads it to a multiple of
//!   32 bytes (not AES's 16), as WeChat's own samples do.

use aes::Aes256;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;
use thiserror::Error;

/// PKCS#7's block for WeChat: 32 bytes.
pub const PAD_BLOCK: usize = 32;
/// The length of an EncodingAESKey as the account's admin page shows it.
pub const ENCODING_AES_KEY_LEN: usize = 43;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the EncodingAESKey is not 43 letters and digits that decode to a 32-byte key")]
    Key,
    #[error("the Encrypt text is not Base64")]
    Base64,
    #[error("the ciphertext is not a whole number of AES blocks")]
    Blocks,
    #[error("the decrypted message has no valid PKCS#7 padding")]
    Padding,
    #[error("the decrypted message is shorter than its length field says")]
    Length,
    #[error("the decrypted message is not UTF-8")]
    Utf8,
    #[error("the message is for another AppID")]
    AppId,
    #[error("no random bytes from the system")]
    Random,
}

/// Base64 that ignores the unused bits of the last character: an EncodingAESKey is 43 random characters, so the
/// last one rarely has them zero.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// The safe mode key. Its `Debug` hides it.
#[derive(Clone)]
pub struct AesKey([u8; 32]);

impl std::fmt::Debug for AesKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesKey(…)")
    }
}

impl AesKey {
    /// The key an EncodingAESKey stands for; surrounding whitespace is ignored.
    pub fn parse(encoding_aes_key: &str) -> Result<Self, CryptoError> {
        let text = encoding_aes_key.trim();
        if text.len() != ENCODING_AES_KEY_LEN || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CryptoError::Key);
        }
        let bytes = LENIENT.decode(format!("{text}=")).map_err(|_| CryptoError::Key)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::Key)?;
        Ok(Self(key))
    }

    fn iv(&self) -> &[u8] {
        &self.0[..16]
    }

    /// `message` for `app_id`, with `random` as the 16 leading bytes, as the Base64 `Encrypt` text.
    pub fn encrypt_with(&self, random: [u8; 16], message: &str, app_id: &str) -> Result<String, CryptoError> {
        let length = u32::try_from(message.len()).map_err(|_| CryptoError::Length)?;
        let mut plain = Vec::with_capacity(20 + message.len() + app_id.len() + PAD_BLOCK);
        plain.extend_from_slice(&random);
        plain.extend_from_slice(&length.to_be_bytes());
        plain.extend_from_slice(message.as_bytes());
        plain.extend_from_slice(app_id.as_bytes());
        pad(&mut plain);
        let len = plain.len();
        let cipher = cbc::Encryptor::<Aes256>::new_from_slices(&self.0, self.iv()).map_err(|_| CryptoError::Key)?;
        let encrypted = cipher
            .encrypt_padded::<NoPadding>(&mut plain, len)
            .map_err(|_| CryptoError::Blocks)?;
        Ok(STANDARD.encode(encrypted))
    }

    /// As [`Self::encrypt_with`], with 16 fresh random bytes.
    pub fn encrypt(&self, message: &str, app_id: &str) -> Result<String, CryptoError> {
        let mut random = [0u8; 16];
        getrandom::fill(&mut random).map_err(|_| CryptoError::Random)?;
        self.encrypt_with(random, message, app_id)
    }

    /// The message inside an `Encrypt` text, if it is for `app_id`.
    pub fn decrypt(&self, encrypt: &str, app_id: &str) -> Result<String, CryptoError> {
        let (message, sender) = self.open(encrypt)?;
        if sender != app_id {
            return Err(CryptoError::AppId);
        }
        Ok(message)
    }

    /// The message and the AppID inside an `Encrypt` text.
    pub fn open(&self, encrypt: &str) -> Result<(String, String), CryptoError> {
        let mut data = STANDARD.decode(encrypt.trim()).map_err(|_| CryptoError::Base64)?;
        if data.is_empty() || data.len() % 16 != 0 {
            return Err(CryptoError::Blocks);
        }
        let cipher = cbc::Decryptor::<Aes256>::new_from_slices(&self.0, self.iv()).map_err(|_| CryptoError::Key)?;
        let plain = cipher
            .decrypt_padded::<NoPadding>(&mut data)
            .map_err(|_| CryptoError::Blocks)?;
        let plain = unpad(plain)?;
        let Some((header, rest)) = plain.split_at_checked(20) else {
            return Err(CryptoError::Length);
        };
        let length = u32::from_be_bytes([header[16], header[17], header[18], header[19]]);
        let length = usize::try_from(length).map_err(|_| CryptoError::Length)?;
        let Some((message, sender)) = rest.split_at_checked(length) else {
            return Err(CryptoError::Length);
        };
        let message = String::from_utf8(message.to_vec()).map_err(|_| CryptoError::Utf8)?;
        let sender = String::from_utf8(sender.to_vec()).map_err(|_| CryptoError::Utf8)?;
        Ok((message, sender))
    }
}

/// PKCS#7 to a multiple of [`PAD_BLOCK`] bytes: 1 to 32 bytes, each the count.
pub fn pad(data: &mut Vec<u8>) {
    let count = PAD_BLOCK - data.len() % PAD_BLOCK;
    // count is 1..=32, so it fits a byte.
    data.resize(data.len() + count, count as u8);
}

/// `data` without its PKCS#7 padding (1 to 32 bytes, each the count).
pub fn unpad(data: &[u8]) -> Result<&[u8], CryptoError> {
    let count = usize::from(*data.last().ok_or(CryptoError::Padding)?);
    if !(1..=PAD_BLOCK).contains(&count) || count > data.len() {
        return Err(CryptoError::Padding);
    }
    let (kept, padding) = data.split_at(data.len() - count);
    if padding.iter().any(|&byte| usize::from(byte) != count) {
        return Err(CryptoError::Padding);
    }
    Ok(kept)
}

/// `sha1` of `parts` sorted and concatenated, as lowercase hex: `signature` of (token, timestamp, nonce), and
/// `msg_signature` of (token, timestamp, nonce, Encrypt).
pub fn signature(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    let mut hasher = Sha1::new();
    for part in sorted {
        hasher.update(part.as_bytes());
    }
    hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Whether `claimed` is the signature of `parts`, compared in constant time (case-insensitive hex).
pub fn verify(claimed: &str, parts: &[&str]) -> bool {
    let expected = signature(parts);
    let claimed = claimed.trim().to_ascii_lowercase();
    bool::from(expected.as_bytes().ct_eq(claimed.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The EncodingAESKey of WeChat's published samples.
    const SAMPLE_KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const APP_ID: &str = "wx2c2769f8efd9abc2";

    #[test]
    fn the_signature_is_sha1_of_the_sorted_parts() {
        // sha1("1409659813" "1409659589" "xxxxxx" sorted: "1409659589" < "1409659813" < "xxxxxx").
        let expected = {
            let mut hasher = Sha1::new();
            hasher.update(b"14096595891409659813xxxxxx");
            hasher.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        assert_eq!(signature(&["xxxxxx", "1409659813", "1409659589"]), expected);
        assert_eq!(signature(&["1409659589", "xxxxxx", "1409659813"]), expected);
        // sha1("abc") is the FIPS 180 vector.
        assert_eq!(signature(&["c", "a", "b"]), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert!(verify("A9993E364706816ABA3E25717850C26C9CD0D89D", &["a", "b", "c"]));
        assert!(!verify("a9993e364706816aba3e25717850c26c9cd0d89e", &["a", "b", "c"]));
        assert!(!verify("a9993e", &["a", "b", "c"]));
        assert!(!verify("", &["a", "b", "c"]));
    }

    #[test]
    fn padding_fills_to_32_byte_blocks() {
        for len in [0usize, 1, 20, 31, 32, 33, 63, 64] {
            let mut data = vec![7u8; len];
            pad(&mut data);
            assert_eq!(data.len() % PAD_BLOCK, 0, "{len}");
            let count = data.len() - len;
            assert!((1..=32).contains(&count), "{len}");
            assert!(data[len..].iter().all(|&b| usize::from(b) == count));
            assert_eq!(unpad(&data).expect("padded"), &vec![7u8; len][..]);
        }
        // A whole block of padding when the data fills its blocks.
        let mut full = vec![0u8; 32];
        pad(&mut full);
        assert_eq!(full.len(), 64);
        assert_eq!(full[63], 32);
        assert_eq!(unpad(&[1, 2, 0]), Err(CryptoError::Padding));
        assert_eq!(unpad(&[1, 2, 33]), Err(CryptoError::Padding));
        assert_eq!(unpad(&[9, 3, 2]), Err(CryptoError::Padding));
        assert_eq!(unpad(&[]), Err(CryptoError::Padding));
    }

    #[test]
    fn the_key_is_the_base64_of_the_encoding_key() {
        let key = AesKey::parse(SAMPLE_KEY).expect("a sample key");
        let expected = LENIENT.decode(format!("{SAMPLE_KEY}=")).expect("base64");
        assert_eq!(key.0.as_slice(), expected.as_slice());
        assert!(AesKey::parse("short").is_err());
        assert!(AesKey::parse(&format!("{}!", &SAMPLE_KEY[..42])).is_err());
        assert!(!format!("{key:?}").contains("abc"));
    }

    #[test]
    fn encryption_round_trips_and_checks_the_app_id() {
        let key = AesKey::parse(SAMPLE_KEY).expect("a sample key");
        for message in ["", "<xml><Content><![CDATA[你好]]></Content></xml>", &"x".repeat(1000)] {
            let encrypted = key.encrypt(message, APP_ID).expect("encrypted");
            assert_eq!(key.decrypt(&encrypted, APP_ID).expect("decrypted"), message);
            assert_eq!(key.decrypt(&encrypted, "wx0000000000000000"), Err(CryptoError::AppId));
            let raw = STANDARD.decode(&encrypted).expect("base64");
            assert_eq!(raw.len() % PAD_BLOCK, 0);
        }
        // Fresh random bytes: the same message encrypts differently each time.
        assert_ne!(
            key.encrypt("m", APP_ID).expect("once"),
            key.encrypt("m", APP_ID).expect("twice")
        );
        assert_eq!(key.decrypt("not base64!", APP_ID), Err(CryptoError::Base64));
        assert_eq!(
            key.decrypt(&STANDARD.encode([0u8; 15]), APP_ID),
            Err(CryptoError::Blocks)
        );
        // A ciphertext made under another key decrypts to garbage, which the padding or length check refuses.
        let other = AesKey::parse("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg").expect("key");
        let foreign = other.encrypt("<xml/>", APP_ID).expect("encrypted");
        assert!(key.decrypt(&foreign, APP_ID).is_err());
    }

    /// A vector made outside this code, with `openssl enc -aes-256-cbc -nopad` on the plaintext laid out by hand
    /// (random bytes `0123456789abcdef`, length 6, `<xml/>`, the AppID, 20 bytes of PKCS#7 value 20: 64 bytes).
    #[test]
    fn a_known_vector_decrypts() {
        let key = AesKey::parse(SAMPLE_KEY).expect("a sample key");
        assert_eq!(
            key.encrypt_with(*b"0123456789abcdef", "<xml/>", APP_ID)
                .expect("encrypted"),
            KNOWN_VECTOR
        );
        assert_eq!(key.decrypt(KNOWN_VECTOR, APP_ID).expect("decrypted"), "<xml/>");
    }

    const KNOWN_VECTOR: &str =
        "Q3stYC6hdFzMh9T8HCvyDDfYkO8BMZx3E5RkFTVoOrDpSZe36dY2+nPMC4/8BBT+LX/azaRIBox4xC/KCZZNfg==";
}
