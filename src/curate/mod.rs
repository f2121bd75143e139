//! Curating faq/: the rules of a new entry ([`draft`]), writing new entries and rules, adding phrasings, reviewing what users asked, finding stale entries, exporting and importing.
//!
//! Every change goes through [`Changes`]: it is validated exactly as `faqbot check` validates faq/, and only
//! then written, each file to a temporary file renamed into place, under faq/'s lock and with a journal, so a
//! failure or a crash leaves faq/ either as it was or with the whole change (see [`crate::faq::lock`]).

pub mod changes;
pub mod draft;
pub mod edit;
pub mod entry_file;
pub mod exchange;
pub mod review;
pub mod stale;

use std::path::PathBuf;

use thiserror::Error;

use crate::faq::{FaqError, Problems};
use crate::search::IndexError;

pub use changes::{Changes, write_atomically};
pub use draft::{Draft, DraftError, DraftRule, NewEntry};

/// Why a curation command changed nothing.
#[derive(Debug, Error)]
pub enum CurateError {
    #[error(transparent)]
    Faq(#[from] FaqError),
    #[error(transparent)]
    Draft(#[from] DraftError),
    #[error("the change would leave {} error(s) in {} (listed above); nothing was written", .problems.errors().count(), .faq.display())]
    Invalid { faq: PathBuf, problems: Problems },
    #[error("{}: cannot read", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: not valid UTF-8: save the file as UTF-8", .path.display())]
    NotUtf8 { path: PathBuf, line: usize },
    #[error("{}: cannot write; faq/ was left as it was", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", .path.display())]
    Malformed { path: PathBuf, message: String },
    #[error("an entry with id `{id}` already exists ({}): choose another id or add a question to it with `faqbot add-question {id} \"…\"`", .path.display())]
    IdExists { id: String, path: PathBuf },
    #[error("no entry `{id}` in {}: `faqbot search` finds entries by their words", .faq.display())]
    UnknownEntry { id: String, faq: PathBuf },
    #[error("{0}")]
    Refused(String),
    #[error("{}:{line}: {message}; nothing was imported", .path.display())]
    BadRow { path: PathBuf, line: u64, message: String },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Lock(#[from] crate::faq::lock::LockError),
    #[error(transparent)]
    Feedback(#[from] crate::feedback::FeedbackError),
}

/// Reads a file that must be UTF-8, naming it in every error.
pub fn read_utf8(path: &std::path::Path) -> Result<String, CurateError> {
    let bytes = std::fs::read(path).map_err(|source| CurateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        CurateError::NotUtf8 {
            path: path.to_path_buf(),
            line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
        }
    })
}

/// Today's date in the local time zone, as entries' `reviewed` dates are written.
pub fn today() -> jiff::civil::Date {
    jiff::ZonedDateTime::now().date()
}
