//! A problem found in faq/: where it is (path and line), how bad it is, and what to do about it.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A gap in coverage that faq/README.md asks curators to fill (too few phrasings, no Chinese text). Reported,
    /// but `faqbot check` does not fail on it: a new entry starts small.
    Notice,
    /// The knowledge base can still be indexed, but a curator should look.
    Warning,
    /// The file cannot be used: the index is not rebuilt until this is fixed.
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    pub fn error(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            severity: Severity::Error,
            message: message.into(),
        }
    }

    pub fn warning(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            severity: Severity::Warning,
            message: message.into(),
        }
    }

    pub fn notice(path: &Path, line: Option<usize>, message: impl Into<String>) -> Self {
        Self {
            path: path.to_path_buf(),
            line,
            severity: Severity::Notice,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        };
        write!(f, ": {label}: {}", self.message)
    }
}

/// Problems found while loading, in file order.
#[derive(Debug, Default, Clone)]
pub struct Problems(Vec<Problem>);

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|p| p.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter().filter(|p| p.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Problem> {
        self.0.iter()
    }

    /// Keeps only the problems `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&Problem) -> bool) {
        self.0.retain(keep);
    }

    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    }
}

/// Turns a TOML parse error inside a larger file into a problem on the right line.
/// `text` is the TOML that was parsed; `first_line` is its first line's number in the file.
pub fn from_toml_error(path: &Path, text: &str, first_line: usize, error: &toml::de::Error) -> Problem {
    let line = error
        .span()
        .map(|span| super::front_matter::line_of(text, span.start) + first_line - 1);
    let message = error.message().trim_end().to_string();
    Problem::error(path, line, format!("invalid TOML: {message}"))
}
