//! The index/ folder as a cache of faq/: fingerprinting, building aside and swapping in atomically, and never losing the last good index.
//!
//! Layout: `index/CURRENT` names the live generation folder `index/gen-*`. A build writes
//! `index/.tmp-*`, renames it to a new `gen-*`, then replaces CURRENT by rename, so a reader sees
//! either the old generation or the new one, never half of one. Builds take `index/.lock`.

use std::fs::{self, File};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::{debug, info, warn};

use super::{IndexError, SearchIndex, build};
use crate::error_chain::error_chain;
use crate::faq::lock::FaqLock;
use crate::faq::{KnowledgeBase, Problems, SourceFiles};

const CURRENT_FILE: &str = "CURRENT";
const LOCK_FILE: &str = ".lock";
const GENERATION_PREFIX: &str = "gen-";
const TEMP_PREFIX: &str = ".tmp-";

/// Why the index was (re)built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildReason {
    Missing,
    FaqChanged,
    SchemaChanged,
    Broken(String),
    Requested,
}

impl std::fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing => write!(f, "no index yet"),
            Self::FaqChanged => write!(f, "faq/ changed since the last build"),
            Self::SchemaChanged => write!(f, "the index format changed"),
            Self::Broken(why) => write!(f, "the index could not be opened ({why})"),
            Self::Requested => write!(f, "rebuild requested"),
        }
    }
}

/// How the index that is now serving relates to faq/.
#[derive(Debug)]
pub enum Freshness {
    /// Built from faq/ as it is now.
    Fresh,
    /// Just built from faq/, for this reason.
    Rebuilt(RebuildReason),
    /// faq/ changed but could not be built (errors in faq/, or writing the index failed): the last good index
    /// keeps serving. The text says why.
    Stale(String),
}

/// An index ready to answer, with how it got there and what loading faq/ found along the way.
pub struct Opened {
    pub index: SearchIndex,
    pub freshness: Freshness,
    /// What loading faq/ found: warnings after a rebuild, the errors that kept a stale index serving.
    pub problems: Problems,
}

/// Opens the index in `index_dir` for the knowledge base in `faq_dir`, building it when missing,
/// out of date or broken. With `force`, rebuilds whatever its state. Whenever a rebuild fails and an
/// earlier index can be opened, that index keeps serving.
pub fn open_or_build(faq_dir: &Path, index_dir: &Path, force: bool) -> Result<Opened, IndexError> {
    // faq/ is read under its shared lock, so never half-way through a curator's multi-file write.
    let _faq_lock = FaqLock::shared(faq_dir);
    remove_dead_builds(index_dir);
    let generation = current_generation(index_dir);
    // The current generation is opened while faq/ is listed and fingerprinted: a start needs both, and with 100k
    // entries each is about half of it.
    let (found, opened) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| generation.as_ref().map(|g| (SearchIndex::open(g), g.clone())));
        let found = SourceFiles::find(faq_dir).map(|files| {
            // Taken before the files are read: a write after it changes it, and the next start reads them again.
            let stat = StatFingerprint::of(&files);
            let recorded = generation.as_deref().and_then(StatFingerprint::recorded);
            let (fingerprint, stat) = match (stat, recorded) {
                // Recorded already: nothing to record again.
                (Some(stat), Some((recorded, fingerprint))) if stat.hash == recorded => (fingerprint, None),
                (stat, _) => (fingerprint(&files), stat),
            };
            (files, fingerprint, stat)
        });
        (found, joined(opening))
    });
    let (files, fingerprint, stat) = found?;
    let (reason, fallback) = match state_of(opened, &fingerprint, force) {
        CurrentState::Fresh(index) => {
            if let Some(stat) = &stat {
                stat.record(&index.path, &fingerprint);
            }
            return Ok(Opened {
                index,
                freshness: Freshness::Fresh,
                problems: Problems::default(),
            });
        }
        CurrentState::Outdated { reason, fallback } => (reason, fallback),
    };
    let loaded = KnowledgeBase::load_files(&files);
    if loaded.problems.has_errors() {
        let Some(index) = fallback else {
            return Err(IndexError::InvalidFaq(loaded.problems));
        };
        let why = format!(
            "{} has {} error(s)",
            files.dir.display(),
            loaded.problems.errors().count()
        );
        warn!(%why, "the last good index keeps serving");
        return Ok(Opened {
            index,
            freshness: Freshness::Stale(why),
            problems: loaded.problems,
        });
    }
    match install(&loaded.knowledge_base, index_dir, &fingerprint, &reason, force) {
        Ok((index, freshness)) => {
            if let Some(stat) = &stat {
                stat.record(&index.path, &fingerprint);
            }
            Ok(Opened {
                index,
                freshness,
                problems: loaded.problems,
            })
        }
        Err(error) => {
            let Some(index) = fallback else { return Err(error) };
            let why = format!("rebuilding {} failed: {}", index_dir.display(), error_chain(&error));
            warn!(%why, "the last good index keeps serving");
            Ok(Opened {
                index,
                freshness: Freshness::Stale(why),
                problems: loaded.problems,
            })
        }
    }
}

enum CurrentState {
    Fresh(SearchIndex),
    /// Needs a rebuild; `fallback` is the index to keep serving if the rebuild fails.
    Outdated {
        reason: RebuildReason,
        fallback: Option<SearchIndex>,
    },
}

fn current_state(index_dir: &Path, fingerprint: &str, force: bool) -> CurrentState {
    let opened = current_generation(index_dir).map(|generation| (SearchIndex::open(&generation), generation));
    state_of(opened, fingerprint, force)
}

/// What opening the current generation (`None`: there is none) says of it, against faq/'s `fingerprint`.
fn state_of(
    opened: Option<(Result<SearchIndex, IndexError>, PathBuf)>,
    fingerprint: &str,
    force: bool,
) -> CurrentState {
    let Some((opened, generation)) = opened else {
        let reason = if force {
            RebuildReason::Requested
        } else {
            RebuildReason::Missing
        };
        return CurrentState::Outdated { reason, fallback: None };
    };
    match opened {
        Ok(index) if force => CurrentState::Outdated {
            reason: RebuildReason::Requested,
            fallback: Some(index),
        },
        Ok(index) if index.manifest().fingerprint == fingerprint => {
            debug!(generation = %generation.display(), "index is fresh");
            CurrentState::Fresh(index)
        }
        Ok(index) => CurrentState::Outdated {
            reason: RebuildReason::FaqChanged,
            fallback: Some(index),
        },
        Err(_) if force => CurrentState::Outdated {
            reason: RebuildReason::Requested,
            fallback: None,
        },
        Err(IndexError::SchemaVersion { .. }) => CurrentState::Outdated {
            reason: RebuildReason::SchemaChanged,
            fallback: None,
        },
        Err(error) => CurrentState::Outdated {
            reason: RebuildReason::Broken(error_chain(&error)),
            fallback: None,
        },
    }
}

/// Builds aside and swaps in, under the lock, and opens the result before letting go of the lock, so that no
/// other builder can remove it first. Returns the index that is current afterwards.
fn install(
    knowledge_base: &KnowledgeBase,
    index_dir: &Path,
    fingerprint: &str,
    reason: &RebuildReason,
    force: bool,
) -> Result<(SearchIndex, Freshness), IndexError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IndexError::Io { path, source }
    };
    if index_dir.exists() && !index_dir.is_dir() {
        return Err(IndexError::NotAFolder(index_dir.to_path_buf()));
    }
    fs::create_dir_all(index_dir).map_err(io(index_dir))?;
    let lock_path = index_dir.join(LOCK_FILE);
    let lock = File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;

    // Processes that start together after an edit all find the index stale; the first builds, the rest use it.
    if !force && let CurrentState::Fresh(index) = current_state(index_dir, fingerprint, false) {
        return Ok((index, Freshness::Fresh));
    }

    let stamp = format!(
        "{}-{}",
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let temp = index_dir.join(format!("{TEMP_PREFIX}{stamp}"));
    let manifest = match build::build(knowledge_base, &temp, fingerprint) {
        Ok(manifest) => manifest,
        Err(error) => {
            let _ = fs::remove_dir_all(&temp);
            return Err(error);
        }
    };
    let generation_name = format!("{GENERATION_PREFIX}{stamp}");
    let generation = index_dir.join(&generation_name);
    fs::rename(&temp, &generation).map_err(io(&generation))?;
    let current = index_dir.join(CURRENT_FILE);
    let current_temp = index_dir.join(format!("{TEMP_PREFIX}{CURRENT_FILE}-{stamp}"));
    fs::write(&current_temp, &generation_name).map_err(io(&current_temp))?;
    // Something that is not a file in CURRENT's place (a folder, a pipe) would fail every build: it goes.
    if let Ok(metadata) = fs::symlink_metadata(&current)
        && !metadata.is_file()
    {
        warn!(path = %current.display(), "CURRENT is not a file; replacing it");
        let removed = if metadata.is_dir() {
            fs::remove_dir_all(&current)
        } else {
            fs::remove_file(&current)
        };
        if let Err(source) = removed {
            let _ = fs::remove_file(&current_temp);
            let _ = fs::remove_dir_all(&generation);
            return Err(IndexError::Io { path: current, source });
        }
    }
    fs::rename(&current_temp, &current).map_err(io(&current))?;
    let index = SearchIndex::open(&generation)?;
    info!(%reason, entries = manifest.entries, rules = manifest.rules.len(), millis = manifest.build_millis, "index built");

    remove_other_generations(index_dir, &generation_name);
    drop(lock);
    Ok((index, Freshness::Rebuilt(reason.clone())))
}

/// Old generations and leftovers of interrupted builds. Failing to remove one only costs disk space.
fn remove_other_generations(index_dir: &Path, keep: &str) {
    let Ok(items) = fs::read_dir(index_dir) else { return };
    for item in items.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if is_ours(&name) && name != keep {
            let path = item.path();
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            if let Err(error) = removed {
                warn!(path = %path.display(), %error, "could not remove an old index generation");
            }
        }
    }
}

/// Removes what killed builds left (`.tmp-*`), when no build is running: every build holds the lock while its
/// temporary folder exists. Costs one listing of index/ when there is nothing to remove.
fn remove_dead_builds(index_dir: &Path) {
    let Ok(items) = fs::read_dir(index_dir) else { return };
    let leftovers: Vec<PathBuf> = items
        .flatten()
        .filter(|item| {
            let name = item.file_name().to_string_lossy().into_owned();
            name.starts_with(TEMP_PREFIX) && is_ours(&name)
        })
        .map(|item| item.path())
        .collect();
    if leftovers.is_empty() {
        return;
    }
    let Ok(lock) = File::create(index_dir.join(LOCK_FILE)) else {
        return;
    };
    if lock.try_lock().is_err() {
        return;
    }
    for path in leftovers {
        let removed = if path.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match removed {
            Ok(()) => debug!(path = %path.display(), "removed the leftovers of an interrupted build"),
            Err(error) => warn!(path = %path.display(), %error, "cannot remove the leftovers of an interrupted build"),
        }
    }
}

/// Whether a name in index/ is one this module writes (`gen-STAMP`, `.tmp-STAMP`, `.tmp-CURRENT-STAMP`, where
/// STAMP is `NANOS-PID`): nothing else in the folder is ever removed.
fn is_ours(name: &str) -> bool {
    let stamp = name.strip_prefix(GENERATION_PREFIX).or_else(|| {
        name.strip_prefix(TEMP_PREFIX)
            .map(|rest| rest.strip_prefix("CURRENT-").unwrap_or(rest))
    });
    stamp.and_then(|s| s.split_once('-')).is_some_and(|(nanos, pid)| {
        !nanos.is_empty() && !pid.is_empty() && (nanos.bytes().chain(pid.bytes())).all(|b| b.is_ascii_digit())
    })
}

/// The live generation folder named by CURRENT, if any.
pub fn current_generation(index_dir: &Path) -> Option<PathBuf> {
    let current = index_dir.join(CURRENT_FILE);
    // A folder or a pipe named CURRENT is not ours to read (a pipe would block); the next build replaces it.
    if !fs::symlink_metadata(&current).ok()?.is_file() {
        return None;
    }
    let name = fs::read_to_string(current).ok()?;
    let name = name.trim();
    (name.starts_with(GENERATION_PREFIX) && is_ours(name)).then(|| index_dir.join(name))
}

/// Changes whenever a faq/ file is added, removed or its content changes, even by an edit that keeps its size
/// and modification time. Reads every file (a few kilobytes each; a file that is not a regular one, or is over
/// the size faq/ allows, is covered by its metadata only, as loading refuses it anyway). The schema version is
/// checked from the manifest.
pub fn fingerprint(files: &SourceFiles) -> String {
    let mut hasher = DefaultHasher::new();
    for path in files.all() {
        path.file_name().hash(&mut hasher);
        match fs::metadata(path) {
            Ok(metadata) if metadata.is_file() && metadata.len() <= crate::faq::MAX_FILE_BYTES => {
                match fs::read(path) {
                    Ok(bytes) => bytes.hash(&mut hasher),
                    Err(_) => "unreadable".hash(&mut hasher),
                }
            }
            Ok(metadata) => {
                "not read".hash(&mut hasher);
                metadata.len().hash(&mut hasher);
                metadata
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_nanos())
                    .hash(&mut hasher);
            }
            Err(_) => "absent".hash(&mut hasher),
        }
    }
    format!("{:016x}", hasher.finish())
}

/// Where a generation records the stat fingerprint of the faq/ it was found fresh against, and that faq/'s
/// fingerprint: `<stat> <fingerprint>`.
const STAT_FINGERPRINT_FILE: &str = "faq-stat";

/// How long after its last change a file may still change again within the same tick of the clock that stamps it:
/// a faq/ changed more recently than this is not recorded (git's "racily clean" files, handled as git does).
const RACY_SECONDS: i64 = 2;

/// faq/'s files by name, size, inode, modification and change time: read without opening a file, so that a start
/// with 100k entries does not read them all to learn that nothing changed. The change time moves on every write
/// and no program can set it back, so an equal stat fingerprint means equal files; any difference falls back to
/// [`fingerprint`], which reads them. Only on Unix, where change times exist.
struct StatFingerprint {
    hash: String,
    /// Some file changed within [`RACY_SECONDS`]: equal stamps could still hide a later write, so this one is not
    /// recorded.
    racy: bool,
}

impl StatFingerprint {
    fn of(files: &SourceFiles) -> Option<Self> {
        Self::of_at(files, SystemTime::now())
    }

    /// As taken at `now` (which only decides whether it is racy).
    #[cfg(unix)]
    fn of_at(files: &SourceFiles, now: SystemTime) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let now = now.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
        let paths: Vec<&Path> = files.all().collect();
        /// What a file's metadata says of its content.
        #[derive(Hash)]
        struct Stamp {
            len: u64,
            device: u64,
            inode: u64,
            modified: (i64, i64),
            changed: (i64, i64),
        }
        let stamps = in_parallel(&paths, |path| {
            fs::metadata(path).ok().map(|m| Stamp {
                len: m.len(),
                device: m.dev(),
                inode: m.ino(),
                modified: (m.mtime(), m.mtime_nsec()),
                changed: (m.ctime(), m.ctime_nsec()),
            })
        });
        let mut hasher = DefaultHasher::new();
        let mut latest = i64::MIN;
        for (path, stamp) in paths.iter().zip(&stamps) {
            path.file_name().hash(&mut hasher);
            match stamp {
                Some(stamp) => {
                    stamp.hash(&mut hasher);
                    latest = latest.max(stamp.changed.0).max(stamp.modified.0);
                }
                None => "absent".hash(&mut hasher),
            }
        }
        Some(Self {
            hash: format!("{:016x}", hasher.finish()),
            racy: latest > now - RACY_SECONDS,
        })
    }

    #[cfg(not(unix))]
    fn of_at(_: &SourceFiles, _: SystemTime) -> Option<Self> {
        None
    }

    /// The stat fingerprint and fingerprint a generation recorded, if it did.
    fn recorded(generation: &Path) -> Option<(String, String)> {
        let text = fs::read_to_string(generation.join(STAT_FINGERPRINT_FILE)).ok()?;
        let (stat, fingerprint) = text.trim().split_once(' ')?;
        Some((stat.to_string(), fingerprint.to_string()))
    }

    /// Records this stat fingerprint for a generation found fresh against `fingerprint`. Best effort: failing only
    /// costs the next start a read of every file.
    fn record(&self, generation: &Path, fingerprint: &str) {
        if self.racy {
            return;
        }
        let temp = generation.join(format!("{TEMP_PREFIX}{STAT_FINGERPRINT_FILE}-{}", std::process::id()));
        let written = fs::write(&temp, format!("{} {fingerprint}\n", self.hash))
            .and_then(|()| fs::rename(&temp, generation.join(STAT_FINGERPRINT_FILE)));
        if let Err(error) = written {
            let _ = fs::remove_file(&temp);
            debug!(%error, "could not record the stat fingerprint");
        }
    }
}

/// `f` of each item, in order, on every core when there are many: a stat costs a system call that waits on the
/// file system, and a faq/ of 100k entries is stat'ed on every start (a fifth of opening it, on one core).
#[cfg(unix)]
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    const WORTH_A_THREAD: usize = 4096;
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(items.len() / WORTH_A_THREAD)
        .max(1);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        workers.into_iter().flat_map(joined).collect()
    })
}

/// What a scoped thread returned; should it have panicked (nothing it runs panics on any input), so does this.
fn joined<R>(thread: std::thread::ScopedJoinHandle<'_, R>) -> R {
    thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn in_parallel_keeps_the_order_of_the_items() {
        // Enough items for a thread per core, and a count that does not split evenly.
        let items: Vec<u64> = (0..3 * 4096 + 7).collect();
        let mapped = in_parallel(&items, |n| n * 3 + 1);
        assert_eq!(mapped, items.iter().map(|n| n * 3 + 1).collect::<Vec<_>>());
        assert_eq!(in_parallel(&[] as &[u64], |n| *n), Vec::<u64>::new());
    }

    /// A recorded stat fingerprint stands for reading the files, and any write (even one that keeps the size and
    /// puts the modification time back) makes opening read them again.
    #[cfg(unix)]
    #[test]
    fn a_recorded_stat_fingerprint_stands_for_reading_the_files_until_one_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/faq");
        let faq = dir.path().join("faq");
        fs::create_dir(&faq).expect("faq/");
        for item in fs::read_dir(&fixture).expect("fixture") {
            let path = item.expect("item").path();
            fs::copy(&path, faq.join(path.file_name().expect("name"))).expect("copy");
        }
        let index_dir = dir.path().join("index");
        let first = open_or_build(&faq, &index_dir, false).expect("built");
        assert!(matches!(first.freshness, Freshness::Rebuilt(RebuildReason::Missing)));
        // The files were just written, so opening recorded nothing; taken as if a minute later, it is not racy.
        let files = SourceFiles::find(&faq).expect("files");
        let stat = StatFingerprint::of_at(&files, SystemTime::now() + std::time::Duration::from_secs(60))
            .expect("a stat fingerprint");
        assert!(!stat.racy);
        let generation = current_generation(&index_dir).expect("a generation");
        assert!(StatFingerprint::recorded(&generation).is_none());
        // Recorded against another faq/'s fingerprint, it is believed: the index is outdated and rebuilt.
        stat.record(&generation, "0000000000000000");
        let reopened = open_or_build(&faq, &index_dir, false).expect("rebuilt");
        assert!(matches!(
            reopened.freshness,
            Freshness::Rebuilt(RebuildReason::FaqChanged)
        ));
        let generation = current_generation(&index_dir).expect("a generation");
        stat.record(&generation, &reopened.index.manifest().fingerprint);
        let fresh = open_or_build(&faq, &index_dir, false).expect("fresh");
        assert!(matches!(fresh.freshness, Freshness::Fresh));
        // The same size, the modification time put back: the change time still moves, and the edit is seen.
        let path = faq.join("registration-cost.md");
        let modified = fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
        let text = fs::read_to_string(&path).expect("entry");
        let edited = text.replace("Registering is **free**.", "Registering is **FREE**.");
        assert_eq!(edited.len(), text.len());
        fs::write(&path, &edited).expect("edit");
        File::options()
            .write(true)
            .open(&path)
            .and_then(|file| file.set_modified(modified))
            .expect("put the modification time back");
        let edited = open_or_build(&faq, &index_dir, false).expect("rebuilt");
        assert!(matches!(
            edited.freshness,
            Freshness::Rebuilt(RebuildReason::FaqChanged)
        ));
    }

    #[test]
    fn only_names_this_module_writes_are_ours() {
        for name in ["gen-1732400000000000000-4242", ".tmp-1-2", ".tmp-CURRENT-17-3"] {
            assert!(is_ours(name), "{name}");
        }
        for name in [
            "gen-ealogy.txt",
            ".tmp-build-cache",
            "gen-1-",
            "gen--1",
            "gen-1-2-3",
            "CURRENT",
            "README.md",
            ".lock",
        ] {
            assert!(!is_ours(name), "{name}");
        }
    }
}
