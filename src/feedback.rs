//! What users tell curators without meaning to: declined questions and 👍/👎 votes, appended as JSON Lines under the data dir.
//!
//! The bot writes these logs and `faqbot review` reads them. A record holds the question, the entry, the
//! confidence, the time and a salted hash of the chat, nothing more: the salt lives beside the logs, so
//! hashes stay comparable across restarts but cannot be turned back into chat ids by enumerating them.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Questions the engine declined, one JSON object per line.
pub const DECLINED_FILE: &str = "declined.jsonl";
/// 👍/👎 votes on answers, one JSON object per line.
pub const VOTES_FILE: &str = "votes.jsonl";
/// Random bytes that key the chat hashes; created on first use.
const SALT_FILE: &str = "chat-salt";
/// A log that reaches this size is rotated: it becomes `NAME.1` (replacing the one before) and a new one starts,
/// so the logs never hold more than twice this, and `review` still reads both.
pub const MAX_LOG_BYTES: u64 = 16 * 1024 * 1024;
/// The suffix of the previous generation of a rotated log.
pub const ROTATED_SUFFIX: &str = ".1";
const SALT_LEN: usize = 16;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Declined {
    pub time: jiff::Timestamp,
    pub question: String,
    /// The closest entry the engine found, if any, even though it was not confident enough.
    pub nearest: Option<String>,
    pub confidence: f32,
    pub chat: String,
}

impl Declined {
    /// The record of `reply` declining `question`, asked in the chat whose hash is `chat`; timed now.
    pub fn of(question: &str, reply: &crate::Reply, chat: String) -> Self {
        Self {
            time: jiff::Timestamp::now(),
            question: question.to_string(),
            nearest: reply.results.first().map(|entry| entry.id.clone()),
            confidence: reply.confidence,
            chat,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Up,
    Down,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteRecord {
    pub time: jiff::Timestamp,
    pub question: String,
    pub entry: String,
    pub confidence: f32,
    pub vote: Vote,
    pub chat: String,
}

#[derive(Debug, Error)]
pub enum FeedbackError {
    #[error("{}: cannot create the data folder", .path.display())]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot read", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: cannot write", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: the salt must be {SALT_LEN} bytes; delete the file to start a new one (old chat hashes will no longer match)", .path.display())]
    BadSalt { path: PathBuf },
    #[error("no randomness for a new salt: {0}")]
    Random(String),
}

/// Appends records to the logs of one data dir. Safe to share between tasks: each record is one `write` of a
/// whole line to a file opened for appending.
#[derive(Debug)]
pub struct FeedbackLog {
    dir: PathBuf,
    salt: [u8; SALT_LEN],
    writes: Mutex<()>,
    max_bytes: u64,
}

impl FeedbackLog {
    /// Creates the data dir and its salt if they do not exist yet.
    pub fn open(dir: &Path) -> Result<Self, FeedbackError> {
        std::fs::create_dir_all(dir).map_err(|source| FeedbackError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            salt: load_or_create_salt(&dir.join(SALT_FILE))?,
            writes: Mutex::new(()),
            max_bytes: MAX_LOG_BYTES,
        })
    }

    /// The same log, rotated at `bytes` instead of [`MAX_LOG_BYTES`].
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A stable, salted, one-way name for a chat: the same chat always gets the same 16 hex digits.
    pub fn chat_hash(&self, chat_id: i64) -> String {
        crate::digest::sha256_hex(&[&self.salt, &chat_id.to_le_bytes()], 8)
    }

    pub fn record_declined(&self, record: &Declined) -> Result<(), FeedbackError> {
        self.append(DECLINED_FILE, record)
    }

    pub fn record_vote(&self, record: &VoteRecord) -> Result<(), FeedbackError> {
        self.append(VOTES_FILE, record)
    }

    fn append(&self, file: &str, record: &impl Serialize) -> Result<(), FeedbackError> {
        let path = self.dir.join(file);
        let write_error = |source| FeedbackError::Write {
            path: path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(record).map_err(|e| write_error(e.into()))?;
        line.push(b'\n');
        // A poisoned lock only means another writer panicked mid-record; appending is still safe.
        let _guard = self.writes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let size = std::fs::metadata(&path).map_or(0, |metadata| metadata.len());
        if size > 0 && size + line.len() as u64 > self.max_bytes {
            let mut rotated = path.clone().into_os_string();
            rotated.push(ROTATED_SUFFIX);
            std::fs::rename(&path, &rotated).map_err(write_error)?;
            tracing::info!(path = %path.display(), bytes = size, "rotated a curation log");
        }
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(write_error)?;
        log.write_all(&line).map_err(write_error)
    }
}

fn load_or_create_salt(path: &Path) -> Result<[u8; SALT_LEN], FeedbackError> {
    match std::fs::read(path) {
        Ok(bytes) => bytes.try_into().map_err(|_| FeedbackError::BadSalt {
            path: path.to_path_buf(),
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut salt = [0u8; SALT_LEN];
            getrandom::fill(&mut salt).map_err(|e| FeedbackError::Random(e.to_string()))?;
            let write_error = |source| FeedbackError::Write {
                path: path.to_path_buf(),
                source,
            };
            // Written aside and renamed, so a crash never leaves a short salt; if another process won the
            // race, its salt is the one kept.
            let aside = path.with_extension(format!("tmp-{}", std::process::id()));
            std::fs::write(&aside, salt).map_err(write_error)?;
            std::fs::hard_link(&aside, path)
                .or_else(|e| {
                    if e.kind() == std::io::ErrorKind::AlreadyExists {
                        Ok(())
                    } else {
                        Err(e)
                    }
                })
                .map_err(write_error)?;
            let _ = std::fs::remove_file(&aside);
            let kept = std::fs::read(path).map_err(|source| FeedbackError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            kept.try_into().map_err(|_| FeedbackError::BadSalt {
                path: path.to_path_buf(),
            })
        }
        Err(source) => Err(FeedbackError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The records of one log, and the lines that could not be read as records (a crash mid-line, a hand edit).
#[derive(Debug)]
pub struct LogContents<T> {
    pub records: Vec<T>,
    /// 1-based line numbers with what was wrong on each.
    pub skipped: Vec<(usize, String)>,
}

impl<T> Default for LogContents<T> {
    fn default() -> Self {
        Self {
            records: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

pub fn read_declined(data_dir: &Path) -> Result<LogContents<Declined>, FeedbackError> {
    read_log(&data_dir.join(DECLINED_FILE))
}

pub fn read_votes(data_dir: &Path) -> Result<LogContents<VoteRecord>, FeedbackError> {
    read_log(&data_dir.join(VOTES_FILE))
}

/// A log and the generation rotated before it, oldest first. Line numbers of skipped lines count from the start
/// of the older file.
fn read_log<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<LogContents<T>, FeedbackError> {
    let mut rotated = path.to_path_buf().into_os_string();
    rotated.push(ROTATED_SUFFIX);
    let mut contents = read_one_log(Path::new(&rotated))?;
    let current = read_one_log::<T>(path)?;
    contents.records.extend(current.records);
    contents.skipped.extend(current.skipped);
    Ok(contents)
}

/// A log that does not exist yet is empty.
fn read_one_log<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<LogContents<T>, FeedbackError> {
    let read_error = |source| FeedbackError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(LogContents::default()),
        Err(error) => return Err(read_error(error)),
    };
    let mut contents = LogContents::default();
    for (index, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(read_error)?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(&line) {
            Ok(record) => contents.records.push(record),
            Err(error) => contents.skipped.push((index + 1, error.to_string())),
        }
    }
    Ok(contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_log_is_rotated_and_both_generations_are_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = FeedbackLog::open(dir.path()).expect("log").with_max_bytes(2_000);
        for n in 0..100 {
            log.record_declined(&declined(&format!("question number {n}")))
                .expect("recorded");
        }
        let current = std::fs::metadata(dir.path().join(DECLINED_FILE)).expect("log").len();
        let older = std::fs::metadata(dir.path().join("declined.jsonl.1"))
            .expect("rotated")
            .len();
        assert!(current <= 2_000 && older <= 2_000, "{current} {older}");
        let read = read_declined(dir.path()).expect("read");
        assert!(read.skipped.is_empty());
        let questions: Vec<&str> = read.records.iter().map(|r| r.question.as_str()).collect();
        assert_eq!(questions.last(), Some(&"question number 99"));
        assert!(questions.len() < 100 && questions.len() > 10, "{}", questions.len());
        assert!(questions.windows(2).all(|w| w[0] != w[1]), "in order, oldest first");
    }

    fn declined(question: &str) -> Declined {
        Declined {
            time: jiff::Timestamp::from_second(1_700_000_000).expect("timestamp"),
            question: question.to_string(),
            nearest: Some("account-types".to_string()),
            confidence: 0.31,
            chat: "0123456789abcdef".to_string(),
        }
    }

    #[test]
    fn records_round_trip_and_bad_lines_are_skipped_with_their_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = FeedbackLog::open(dir.path()).expect("open");
        log.record_declined(&declined("Can I sell 茶 on WeChat?"))
            .expect("write");
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join(DECLINED_FILE))
            .and_then(|mut file| file.write_all(b"{\"time\": \"half a rec\n"))
            .expect("append");
        log.record_declined(&declined("second")).expect("write");
        let read = read_declined(dir.path()).expect("read");
        assert_eq!(
            read.records,
            vec![declined("Can I sell 茶 on WeChat?"), declined("second")]
        );
        assert_eq!(read.skipped.len(), 1);
        assert_eq!(read.skipped[0].0, 2);
        assert!(read_votes(dir.path()).expect("read").records.is_empty());
    }

    #[test]
    fn chat_hashes_are_stable_per_data_dir_and_differ_between_dirs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = FeedbackLog::open(dir.path()).expect("open").chat_hash(42);
        assert_eq!(first.len(), 16);
        assert_eq!(FeedbackLog::open(dir.path()).expect("reopen").chat_hash(42), first);
        assert_ne!(FeedbackLog::open(dir.path()).expect("reopen").chat_hash(43), first);
        let other = tempfile::tempdir().expect("tempdir");
        assert_ne!(FeedbackLog::open(other.path()).expect("open").chat_hash(42), first);
    }

    #[test]
    fn a_vote_serializes_as_lowercase() {
        let record = VoteRecord {
            time: jiff::Timestamp::from_second(0).expect("timestamp"),
            question: "q".into(),
            entry: "e".into(),
            confidence: 0.9,
            vote: Vote::Down,
            chat: "c".into(),
        };
        let json = serde_json::to_string(&record).expect("json");
        assert!(json.contains("\"vote\":\"down\""), "{json}");
    }
}
