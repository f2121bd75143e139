//! One writer at a time in faq/, and nothing half-written after a crash: an advisory lock on `faq/.faqbot.lock`, the journal that makes a multi-file write roll forward, and the clean-up of what dead writers left.
//!
//! Writers (`add`, `add-question`, `import`, `review`) hold the lock *exclusively* from the moment they read
//! faq/ until their write and the index rebuild are done, so a second writer waits for the first and then
//! sees its change. Readers (every index build or freshness check, the bot's reloads) hold it *shared*, so
//! they never read half of a multi-file write. A second writer waits [`writer_wait`], then fails with
//! [`LockError::Busy`].
//!
//! A multi-file write stages every file as a hidden temporary file, then writes the journal
//! (`faq/.faqbot-journal.json`, itself by rename) listing the renames still to do, then renames. Whoever next
//! takes the lock finds a journal only if a writer died after deciding to write: it finishes the renames
//! (roll forward). Temporary files without a journal are a write that never got that far, and are removed
//! (roll back). Every writer holds the exclusive lock while its temporary files exist, so under that lock
//! every temporary file in faq/ belongs to a dead process.
//!
//! The lock is re-entrant per thread: a writer that holds it can rebuild the index, which takes it shared.

use std::cell::RefCell;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;
use tracing::{debug, info, warn};

/// The lock file inside faq/. Hidden, so it is never read as an entry nor exported.
pub const LOCK_FILE: &str = ".faqbot.lock";
/// The journal of a multi-file write in progress, inside faq/.
pub const JOURNAL_FILE: &str = ".faqbot-journal.json";
/// Overrides how long a writer waits for another (seconds, may be fractional).
pub const WAIT_VARIABLE: &str = "FAQBOT_LOCK_WAIT";
/// How long a writer waits for another writer before giving up.
const WRITER_WAIT: Duration = Duration::from_secs(10);
/// How long a reader waits for a writer before reading anyway (and warning).
const READER_WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(25);

#[derive(Debug, Error)]
pub enum LockError {
    #[error(
        "{}: another faqbot command is changing it (waited {:.1} s); nothing was written: run this command again when that one is done",
        .faq.display(), .waited.as_secs_f32()
    )]
    Busy { faq: PathBuf, waited: Duration },
    #[error("{}: cannot open or lock", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: a write interrupted by a crash could not be finished; fix what the error says and run again", .path.display())]
    Recover {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: unreadable journal of an interrupted write ({message}); move it away and run `faqbot check`", .path.display())]
    Journal { path: PathBuf, message: String },
}

thread_local! {
    /// faq/ folders this thread holds exclusively, so that its own reads do not wait for itself.
    static HELD: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
}

/// Holds faq/'s lock until dropped. A guard may hold nothing: a re-entrant acquisition, or a shared one on a
/// read-only faq/ where no lock file can be made.
#[derive(Debug)]
pub struct FaqLock {
    file: Option<File>,
    /// Set when this guard registered an exclusive hold in [`HELD`].
    held: Option<PathBuf>,
}

impl Drop for FaqLock {
    fn drop(&mut self) {
        if let Some(key) = self.held.take() {
            HELD.with(|held| {
                let mut held = held.borrow_mut();
                if let Some(at) = held.iter().rposition(|k| *k == key) {
                    held.remove(at);
                }
            });
        }
        // Closing the file releases the lock.
        self.file.take();
    }
}

/// How long a writer waits: `FAQBOT_LOCK_WAIT` seconds, else 10 s.
pub fn writer_wait() -> Duration {
    std::env::var(WAIT_VARIABLE)
        .ok()
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map_or(WRITER_WAIT, |seconds| Duration::from_secs_f64(seconds.min(3600.0)))
}

fn key(faq: &Path) -> PathBuf {
    fs::canonicalize(faq).unwrap_or_else(|_| faq.to_path_buf())
}

fn holds(key: &Path) -> bool {
    HELD.with(|held| held.borrow().iter().any(|k| k == key))
}

impl FaqLock {
    /// Takes faq/ for writing, waiting up to [`writer_wait`] for another writer, creating faq/ if missing; then
    /// finishes or removes whatever a crashed writer left.
    pub fn exclusive(faq: &Path) -> Result<Self, LockError> {
        Self::exclusive_waiting(faq, writer_wait())
    }

    /// [`FaqLock::exclusive`], waiting at most `wait` for another writer.
    pub fn exclusive_waiting(faq: &Path, wait: Duration) -> Result<Self, LockError> {
        fs::create_dir_all(faq).map_err(|source| LockError::Io {
            path: faq.to_path_buf(),
            source,
        })?;
        let key = key(faq);
        if holds(&key) {
            return Ok(Self { file: None, held: None });
        }
        let path = faq.join(LOCK_FILE);
        let file = open_lock_file(&path, true).map_err(|source| LockError::Io {
            path: path.clone(),
            source,
        })?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => std::thread::sleep(POLL),
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Busy {
                        faq: faq.to_path_buf(),
                        waited: started.elapsed(),
                    });
                }
                Err(TryLockError::Error(source)) => return Err(LockError::Io { path, source }),
            }
        }
        HELD.with(|held| held.borrow_mut().push(key.clone()));
        let guard = Self {
            file: Some(file),
            held: Some(key),
        };
        recover(faq)?;
        Ok(guard)
    }

    /// Takes faq/ for reading. Never fails: a faq/ where no lock file can be opened (read-only, missing) is read
    /// unlocked, and so is one whose writer holds on longer than 30 s (with a warning). A crashed writer's
    /// journal or leftovers are dealt with first when faq/ is writable.
    pub fn shared(faq: &Path) -> Self {
        let unlocked = Self { file: None, held: None };
        let key = key(faq);
        if holds(&key) {
            return unlocked;
        }
        if needs_recovery(faq) {
            match Self::exclusive(faq) {
                Ok(guard) => drop(guard),
                Err(error) => {
                    warn!(error = %crate::error_chain::error_chain(&error), "cannot finish an interrupted write in faq/")
                }
            }
        }
        let path = faq.join(LOCK_FILE);
        let file = match open_lock_file(&path, true).or_else(|_| open_lock_file(&path, false)) {
            Ok(file) => file,
            Err(error) => {
                debug!(path = %path.display(), %error, "reading faq/ without its lock");
                return unlocked;
            }
        };
        let started = Instant::now();
        loop {
            match file.try_lock_shared() {
                Ok(()) => {
                    return Self {
                        file: Some(file),
                        held: None,
                    };
                }
                Err(TryLockError::WouldBlock) if started.elapsed() < READER_WAIT => std::thread::sleep(POLL),
                Err(TryLockError::WouldBlock) => {
                    warn!(faq = %faq.display(), "a writer has held faq/ for 30 s; reading it anyway");
                    return unlocked;
                }
                Err(TryLockError::Error(error)) => {
                    debug!(path = %path.display(), %error, "reading faq/ without its lock");
                    return unlocked;
                }
            }
        }
    }
}

fn open_lock_file(path: &Path, write: bool) -> std::io::Result<File> {
    if write {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    } else {
        File::open(path)
    }
}

/// The renames a multi-file write still has to do, as file names inside faq/.
#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    renames: Vec<(String, String)>,
}

/// Records that the staged files are to replace their targets: from here on the write happens even if this
/// process dies. `renames` are (temporary, target) paths inside `faq`.
pub fn write_journal(faq: &Path, renames: &[(PathBuf, PathBuf)]) -> std::io::Result<()> {
    let name = |path: &Path| {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let journal = Journal {
        renames: renames.iter().map(|(from, to)| (name(from), name(to))).collect(),
    };
    let text = serde_json::to_vec(&journal).map_err(std::io::Error::other)?;
    let path = faq.join(JOURNAL_FILE);
    let temporary = faq.join(format!(".{JOURNAL_FILE}.tmp-{}-0", std::process::id()));
    let written = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temporary)?;
        file.write_all(&text)?;
        file.sync_all()?;
        fs::rename(&temporary, &path)?;
        sync_folder(faq);
        Ok(())
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// Removes the journal once every rename is done.
pub fn remove_journal(faq: &Path) {
    let path = faq.join(JOURNAL_FILE);
    match fs::remove_file(&path) {
        Ok(()) => sync_folder(faq),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => warn!(path = %path.display(), %error, "cannot remove the journal of a finished write"),
    }
}

/// Makes renames in `folder` durable; best effort, as some platforms cannot open a folder.
pub fn sync_folder(folder: &Path) {
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
}

/// Whether a file name in faq/ is a temporary file faqbot writes: `.NAME.tmp-PID-N`.
pub fn is_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let Some((_, stamp)) = rest.rsplit_once(".tmp-") else {
        return false;
    };
    stamp.split_once('-').is_some_and(|(pid, n)| {
        !pid.is_empty() && !n.is_empty() && pid.bytes().chain(n.bytes()).all(|b| b.is_ascii_digit())
    })
}

fn needs_recovery(faq: &Path) -> bool {
    let Ok(items) = fs::read_dir(faq) else { return false };
    items.flatten().any(|item| {
        item.file_name()
            .to_str()
            .is_some_and(|name| name == JOURNAL_FILE || is_temporary(name))
    })
}

/// Under the exclusive lock: rolls a journaled write forward, then removes every temporary file left.
fn recover(faq: &Path) -> Result<(), LockError> {
    let journal_path = faq.join(JOURNAL_FILE);
    match fs::read(&journal_path) {
        Ok(bytes) => {
            let journal: Journal = serde_json::from_slice(&bytes).map_err(|error| LockError::Journal {
                path: journal_path.clone(),
                message: error.to_string(),
            })?;
            let mut finished = 0;
            for (from, to) in &journal.renames {
                // Only plain names inside faq/ are followed, whatever the journal says.
                if [from, to]
                    .iter()
                    .any(|n| n.contains(['/', '\\']) || n.starts_with("..") || n.is_empty())
                {
                    return Err(LockError::Journal {
                        path: journal_path.clone(),
                        message: format!("{from:?} → {to:?} is not a file name"),
                    });
                }
                let from = faq.join(from);
                if from.exists() {
                    fs::rename(&from, faq.join(to)).map_err(|source| LockError::Recover {
                        path: from.clone(),
                        source,
                    })?;
                    finished += 1;
                }
            }
            sync_folder(faq);
            info!(faq = %faq.display(), finished, "finished a write that a crash interrupted");
            remove_journal(faq);
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(LockError::Recover {
                path: journal_path,
                source,
            });
        }
    }
    let Ok(items) = fs::read_dir(faq) else { return Ok(()) };
    let mut removed = 0;
    for item in items.flatten() {
        let is_leftover = item.file_name().to_str().is_some_and(is_temporary);
        if is_leftover && item.file_type().is_ok_and(|t| t.is_file()) {
            match fs::remove_file(item.path()) {
                Ok(()) => removed += 1,
                Err(error) => warn!(path = %item.path().display(), %error, "cannot remove a leftover temporary file"),
            }
        }
    }
    if removed > 0 {
        info!(faq = %faq.display(), removed, "removed temporary files of interrupted writes");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised_and_nothing_else() {
        for name in [
            ".fees.md.tmp-123-0",
            ".rules.toml.tmp-9-17",
            ".x.tmp-1-2",
            ".faqbot-journal.json.tmp-5-0",
        ] {
            assert!(is_temporary(name), "{name}");
        }
        for name in [
            "fees.md",
            ".fees.md",
            ".fees.md.tmp-",
            ".fees.md.tmp-1",
            ".a.tmp-x-1",
            "a.tmp-1-2",
            ".lock",
        ] {
            assert!(!is_temporary(name), "{name}");
        }
    }

    #[test]
    fn a_second_writer_waits_then_fails_clearly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let faq = dir.path().join("faq");
        let first = FaqLock::exclusive(&faq).expect("first");
        // Another thread is another writer: the lock is re-entrant for this thread only.
        let faq_for_thread = faq.clone();
        let second = std::thread::spawn(move || {
            let started = Instant::now();
            let outcome = FaqLock::exclusive_waiting(&faq_for_thread, Duration::from_millis(200));
            (outcome.map(|_| ()), started.elapsed())
        })
        .join()
        .expect("thread");
        let (outcome, waited) = second;
        let error = outcome.expect_err("busy");
        assert!(matches!(error, LockError::Busy { .. }), "{error:?}");
        assert!(error.to_string().contains("another faqbot command"), "{error}");
        assert!(waited >= Duration::from_millis(200), "{waited:?}");
        drop(first);
        let faq_for_thread = faq.clone();
        std::thread::spawn(move || FaqLock::exclusive_waiting(&faq_for_thread, Duration::from_millis(200)).map(|_| ()))
            .join()
            .expect("thread")
            .expect("free once the first is done");
    }

    #[test]
    fn the_lock_is_reentrant_on_one_thread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outer = FaqLock::exclusive(dir.path()).expect("outer");
        let inner = FaqLock::exclusive(dir.path()).expect("inner, without waiting for itself");
        let read = FaqLock::shared(dir.path());
        assert!(inner.file.is_none() && read.file.is_none() && outer.file.is_some());
    }

    #[test]
    fn a_journal_rolls_forward_and_leftovers_are_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let faq = dir.path();
        fs::write(faq.join("a.md"), "old a").expect("a");
        fs::write(faq.join(".a.md.tmp-1-0"), "new a").expect("staged a");
        fs::write(faq.join(".b.md.tmp-1-1"), "new b").expect("staged b");
        // b was already renamed when the writer died: only a is left to do.
        write_journal(
            faq,
            &[
                (faq.join(".a.md.tmp-1-0"), faq.join("a.md")),
                (faq.join(".c.md.tmp-1-2"), faq.join("c.md")),
            ],
        )
        .expect("journal");
        fs::write(faq.join(".dead.md.tmp-77-3"), "partial").expect("leftover");
        drop(FaqLock::exclusive(faq).expect("lock"));
        assert_eq!(fs::read_to_string(faq.join("a.md")).expect("a"), "new a");
        assert!(!faq.join("c.md").exists());
        let mut names: Vec<String> = fs::read_dir(faq)
            .expect("list")
            .map(|e| e.expect("item").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [LOCK_FILE, "a.md"]);
    }

    #[test]
    fn a_journal_naming_a_path_outside_faq_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join(JOURNAL_FILE), r#"{"renames":[["../x","y"]]}"#).expect("journal");
        let error = FaqLock::exclusive(dir.path()).expect_err("refused");
        assert!(matches!(error, LockError::Journal { .. }), "{error:?}");
    }
}
