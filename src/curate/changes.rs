//! A set of file writes to faq/ that is validated as a whole and then written all-or-nothing, even across a crash: temporary files beside their targets, fsynced, a journal, then renames, all under faq/'s lock.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::CurateError;
use crate::faq::lock::{self, FaqLock};
use crate::faq::{KnowledgeBase, Loaded, SourceFiles};

/// New contents for files of one faq/ folder, written only if faq/ is valid with all of them.
#[derive(Debug, Clone)]
pub struct Changes {
    faq: PathBuf,
    writes: Vec<(PathBuf, String)>,
}

impl Changes {
    pub fn new(faq: &Path) -> Self {
        Self {
            faq: faq.to_path_buf(),
            writes: Vec::new(),
        }
    }

    pub fn faq(&self) -> &Path {
        &self.faq
    }

    /// Sets the new text of `name` (a file name inside faq/); a later write of the same file replaces an earlier one.
    pub fn write(&mut self, name: &str, text: String) {
        let path = self.faq.join(name);
        self.writes.retain(|(existing, _)| *existing != path);
        self.writes.push((path, text));
    }

    /// The new text of `name` if this change writes it.
    pub fn pending(&self, name: &str) -> Option<&str> {
        let path = self.faq.join(name);
        self.writes
            .iter()
            .find(|(existing, _)| *existing == path)
            .map(|(_, text)| text.as_str())
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.writes.iter().map(|(path, _)| path.as_path())
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Loads faq/ as it would be after the change, exactly as `faqbot check` does, without writing anything.
    pub fn preview(&self) -> Result<Loaded, CurateError> {
        let mut files = if self.faq.exists() {
            SourceFiles::find(&self.faq)?
        } else {
            SourceFiles::without_entries(&self.faq)
        };
        for (path, _) in &self.writes {
            let is_entry = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"))
                && !path.file_stem().is_some_and(|s| s.eq_ignore_ascii_case("readme"));
            if is_entry && !files.entries.contains(path) {
                files.entries.push(path.clone());
            }
        }
        files.entries.sort();
        let pending: HashMap<PathBuf, String> = self.writes.iter().cloned().collect();
        Ok(KnowledgeBase::load_files_with(&files, &pending))
    }

    /// Validates the change and writes it, under faq/'s lock (callers that read faq/ to make the change should
    /// already hold it, see [`FaqLock::exclusive`]). On any error nothing in faq/ has changed, and a crash
    /// leaves either nothing or everything (the next command finishes the renames); the returned problems are
    /// the warnings faq/ has after the change.
    pub fn commit(self) -> Result<Loaded, CurateError> {
        let _lock = FaqLock::exclusive(&self.faq)?;
        let loaded = self.preview()?;
        if loaded.problems.has_errors() {
            return Err(CurateError::Invalid {
                faq: self.faq,
                problems: loaded.problems,
            });
        }
        fs::create_dir_all(&self.faq).map_err(|source| CurateError::Write {
            path: self.faq.clone(),
            source,
        })?;
        write_journaled(&self.faq, &self.writes)?;
        tracing::info!(files = self.writes.len(), "wrote {}", self.faq.display());
        Ok(loaded)
    }
}

/// Writes every file or none: each goes to a temporary file in its own folder (fsynced), and only when all are
/// written are they renamed over their targets. If a rename fails, the files already renamed get their old
/// contents back.
pub fn write_atomically(writes: &[(PathBuf, String)]) -> Result<(), CurateError> {
    write_staged(writes, None)
}

/// [`write_atomically`] for files inside `faq`, with a journal between staging and renaming so that a crash
/// part-way through the renames is rolled forward by the next lock holder. The caller holds faq/'s lock.
fn write_journaled(faq: &Path, writes: &[(PathBuf, String)]) -> Result<(), CurateError> {
    write_staged(writes, Some(faq))
}

fn write_staged(writes: &[(PathBuf, String)], journal: Option<&Path>) -> Result<(), CurateError> {
    let mut staged: Vec<(PathBuf, PathBuf, Option<Vec<u8>>)> = Vec::new();
    let cleanup = |staged: &[(PathBuf, PathBuf, Option<Vec<u8>>)]| {
        for (temporary, _, _) in staged {
            let _ = fs::remove_file(temporary);
        }
    };
    for (path, text) in writes {
        // A folder in the way is reported by the rename, with the other files put back.
        let previous = match fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(_) if path.is_dir() => None,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                cleanup(&staged);
                return Err(CurateError::Read {
                    path: path.clone(),
                    source,
                });
            }
        };
        match write_temporary(path, text.as_bytes()) {
            Ok(temporary) => staged.push((temporary, path.clone(), previous)),
            Err(source) => {
                cleanup(&staged);
                return Err(CurateError::Write {
                    path: path.clone(),
                    source,
                });
            }
        }
    }
    // One file needs no journal: its rename is atomic by itself.
    let journal = journal.filter(|_| staged.len() > 1);
    if let Some(faq) = journal {
        crash_point("staged");
        let renames: Vec<(PathBuf, PathBuf)> = staged.iter().map(|(t, p, _)| (t.clone(), p.clone())).collect();
        if let Err(source) = lock::write_journal(faq, &renames) {
            cleanup(&staged);
            return Err(CurateError::Write {
                path: faq.join(lock::JOURNAL_FILE),
                source,
            });
        }
        crash_point("journaled");
    }
    for (done, (temporary, path, _)) in staged.iter().enumerate() {
        if let Err(source) = fs::rename(temporary, path) {
            roll_back(&staged[..done]);
            cleanup(&staged[done..]);
            if let Some(faq) = journal {
                lock::remove_journal(faq);
            }
            return Err(CurateError::Write {
                path: path.clone(),
                source,
            });
        }
        if done == 0 {
            crash_point("renamed-one");
        }
    }
    for (_, path, _) in &staged {
        sync_parent(path);
    }
    if let Some(faq) = journal {
        lock::remove_journal(faq);
    }
    Ok(())
}

/// For the crash tests: `FAQBOT_TEST_CRASH_AT=NAME` kills the process at the named point of a multi-file
/// write, as kill -9 would, without a race against the test. Debug builds only.
fn crash_point(name: &str) {
    if cfg!(debug_assertions) && std::env::var("FAQBOT_TEST_CRASH_AT").is_ok_and(|at| at == name) {
        std::process::abort();
    }
}

/// Puts back what a failed multi-file write had already replaced.
fn roll_back(renamed: &[(PathBuf, PathBuf, Option<Vec<u8>>)]) {
    for (_, path, previous) in renamed {
        let restored = match previous {
            Some(bytes) => write_temporary(path, bytes).and_then(|temporary| fs::rename(temporary, path)),
            None => fs::remove_file(path),
        };
        if let Err(error) = restored {
            tracing::error!(%error, "could not restore {} after a failed write; check it by hand", path.display());
        }
    }
}

/// Writes `bytes` to a new hidden file beside `path` (hidden, so faq/ never lists it as an entry) and fsyncs it.
fn write_temporary(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = path.with_file_name(format!(
        ".{name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| {
        let mut file = OpenOptions::new().write(true).create_new(true).open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match written {
        Ok(()) => Ok(temporary),
        Err(error) => {
            let _ = fs::remove_file(&temporary);
            Err(error)
        }
    }
}

/// Makes the renames themselves durable; best effort, as some platforms cannot open a folder.
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(folder) = File::open(parent)
    {
        let _ = folder.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_file_and_leaves_no_temporary_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.md");
        std::fs::write(&a, "old").expect("write");
        let b = dir.path().join("b.md");
        write_atomically(&[(a.clone(), "new a".into()), (b.clone(), "new b".into())]).expect("written");
        assert_eq!(std::fs::read_to_string(&a).expect("a"), "new a");
        assert_eq!(std::fs::read_to_string(&b).expect("b"), "new b");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 2);
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.md");
        std::fs::write(&a, "old").expect("write");
        let missing_folder = dir.path().join("no-such-folder").join("b.md");
        let error = write_atomically(&[(a.clone(), "new a".into()), (missing_folder, "b".into())]);
        assert!(matches!(error, Err(CurateError::Write { .. })), "{error:?}");
        assert_eq!(std::fs::read_to_string(&a).expect("a"), "old");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 1);
    }

    #[test]
    fn a_failed_rename_restores_the_files_already_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.md");
        std::fs::write(&a, "old").expect("write");
        let new_file = dir.path().join("new.md");
        // A folder in the way of the last rename: its temporary file is written, the rename fails.
        let blocked = dir.path().join("blocked.md");
        std::fs::create_dir(&blocked).expect("folder");
        std::fs::write(blocked.join("keep"), "x").expect("write");
        let error = write_atomically(&[
            (a.clone(), "new a".into()),
            (new_file.clone(), "n".into()),
            (blocked.clone(), "b".into()),
        ]);
        assert!(error.is_err());
        assert_eq!(std::fs::read_to_string(&a).expect("a"), "old");
        assert!(!new_file.exists());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
