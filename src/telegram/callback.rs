//! What a button means, packed into Telegram's 64 bytes of callback data and read back without trusting it.
//!
//! Data carries everything the press needs (entry, language, and for votes the confidence), so a press works
//! after a restart and on any replica. An entry id too long to fit is replaced by a hash of it, matched
//! against the entries when pressed.

use crate::feedback::Vote;
use crate::lang::Language;

/// Telegram's limit on callback data.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// Which entry a button points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryRef {
    Id(String),
    /// The first hex digits of the SHA-256 of an id too long for the data.
    Hash(String),
}

impl EntryRef {
    fn for_id(id: &str, room: usize) -> Self {
        if id.len() <= room {
            Self::Id(id.to_string())
        } else {
            Self::Hash(id_hash(id))
        }
    }

    pub fn matches(&self, id: &str) -> bool {
        match self {
            Self::Id(own) => own == id,
            Self::Hash(hash) => *hash == id_hash(id),
        }
    }
}

fn id_hash(id: &str) -> String {
    crate::digest::sha256_hex(&[id.as_bytes()], 8)
}

/// A button press.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Answer with this entry.
    Answer { entry: EntryRef, language: Language },
    /// A 👍/👎 on an answer given with this confidence (in hundredths).
    Vote {
        vote: Vote,
        entry: EntryRef,
        language: Language,
        confidence: u8,
    },
}

fn language_code(language: Language) -> char {
    if language.is_chinese() { 'z' } else { 'e' }
}

fn parse_language(code: &str) -> Option<Language> {
    match code {
        "e" => Some(Language::En),
        "z" => Some(Language::Zh),
        _ => None,
    }
}

impl Action {
    pub fn answer(id: &str, language: Language) -> Self {
        Self::Answer {
            entry: EntryRef::Id(id.to_string()),
            language,
        }
    }

    pub fn vote(vote: Vote, id: &str, language: Language, confidence: f32) -> Self {
        Self::Vote {
            vote,
            entry: EntryRef::Id(id.to_string()),
            language,
            confidence: (confidence.clamp(0.0, 1.0) * 100.0).round() as u8,
        }
    }

    /// The callback data, always within [`MAX_CALLBACK_BYTES`].
    pub fn encode(&self) -> String {
        let (prefix, entry) = match self {
            Self::Answer { entry, language } => (format!("a:{}:", language_code(*language)), entry),
            Self::Vote {
                vote,
                entry,
                language,
                confidence,
            } => {
                let vote = match vote {
                    Vote::Up => 'u',
                    Vote::Down => 'd',
                };
                (format!("v:{}:{vote}:{confidence}:", language_code(*language)), entry)
            }
        };
        // The hash prefix `#` needs one byte of room.
        let entry = match entry {
            EntryRef::Id(id) => EntryRef::for_id(id, MAX_CALLBACK_BYTES - prefix.len()),
            EntryRef::Hash(hash) => EntryRef::Hash(hash.clone()),
        };
        match entry {
            EntryRef::Id(id) => format!("{prefix}{id}"),
            EntryRef::Hash(hash) => format!("{prefix}#{hash}"),
        }
    }

    /// Reads callback data; `None` for anything this bot did not write (or an older version wrote differently).
    pub fn decode(data: &str) -> Option<Self> {
        let entry = |text: &str| -> Option<EntryRef> {
            match text.strip_prefix('#') {
                Some(hash) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
                    Some(EntryRef::Hash(hash.to_string()))
                }
                Some(_) => None,
                None if !text.is_empty() && crate::faq::is_kebab_case(text) => Some(EntryRef::Id(text.to_string())),
                None => None,
            }
        };
        let mut parts = data.splitn(2, ':');
        match (parts.next()?, parts.next()?) {
            ("a", rest) => {
                let (language, id) = rest.split_once(':')?;
                Some(Self::Answer {
                    entry: entry(id)?,
                    language: parse_language(language)?,
                })
            }
            ("v", rest) => {
                let mut fields = rest.splitn(4, ':');
                let language = parse_language(fields.next()?)?;
                let vote = match fields.next()? {
                    "u" => Vote::Up,
                    "d" => Vote::Down,
                    _ => return None,
                };
                let confidence: u8 = fields.next()?.parse().ok().filter(|c| *c <= 100)?;
                Some(Self::Vote {
                    vote,
                    entry: entry(fields.next()?)?,
                    language,
                    confidence,
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for action in [
            Action::answer("account-types", Language::Zh),
            Action::vote(Vote::Down, "fees", Language::En, 0.876),
        ] {
            let data = action.encode();
            assert!(data.len() <= MAX_CALLBACK_BYTES);
            let decoded = Action::decode(&data).expect("decodes");
            match (&decoded, &action) {
                (Action::Vote { confidence, .. }, Action::Vote { .. }) => assert_eq!(*confidence, 88),
                _ => assert_eq!(decoded, action),
            }
        }
    }

    #[test]
    fn long_ids_are_hashed_and_still_match() {
        let id = "a-very-long-entry-id-that-goes-on-and-on-well-past-sixty-four-bytes";
        let data = Action::vote(Vote::Up, id, Language::En, 1.0).encode();
        assert!(data.len() <= MAX_CALLBACK_BYTES, "{data}");
        let Some(Action::Vote { entry, .. }) = Action::decode(&data) else {
            panic!("{data} does not decode");
        };
        assert!(entry.matches(id));
        assert!(!entry.matches("fees"));
    }

    #[test]
    fn foreign_or_damaged_data_is_rejected() {
        for data in [
            "",
            "a",
            "a:e:",
            "a:x:fees",
            "v:e:u:101:fees",
            "v:e:maybe:50:fees",
            "a:e:#zz",
            "a:e:Not An Id",
            "hello",
        ] {
            assert_eq!(Action::decode(data), None, "{data}");
        }
    }
}
