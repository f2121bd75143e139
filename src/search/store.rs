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

use super::schema::SCHEMA_VERSION;
use super::{IndexError, SearchIndex, build};
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
    /// faq/ changed but has errors, so the last good index keeps serving.
    Stale(Problems),
}

/// An index ready to answer, with how it got there and what loading faq/ found along the way.
pub struct Opened {
    pub index: SearchIndex,
    pub freshness: Freshness,
    /// Warnings from faq/ when it was (re)built; errors when it is stale.
    pub problems: Problems,
}

/// Opens the index in `index_dir` for the knowledge base in `faq_dir`, building it when missing,
/// out of date or broken. With `force`, rebuilds whatever its state.
pub fn open_or_build(faq_dir: &Path, index_dir: &Path, force: bool) -> Result<Opened, IndexError> {
    let files = SourceFiles::find(faq_dir)?;
    let fingerprint = fingerprint(&files);
    let mut reason = if force {
        RebuildReason::Requested
    } else {
        RebuildReason::Missing
    };
    let mut fallback = None;
    if let Some(generation) = current_generation(index_dir) {
        match SearchIndex::open(&generation) {
            Ok(index) if index.manifest().fingerprint == fingerprint && !force => {
                debug!(generation = %generation.display(), "index is fresh");
                return Ok(Opened {
                    index,
                    freshness: Freshness::Fresh,
                    problems: Problems::default(),
                });
            }
            Ok(index) => {
                if !force {
                    reason = RebuildReason::FaqChanged;
                }
                fallback = Some(index);
            }
            Err(IndexError::SchemaVersion { .. }) if !force => reason = RebuildReason::SchemaChanged,
            Err(error) if !force => reason = RebuildReason::Broken(error.to_string()),
            Err(_) => {}
        }
    }
    rebuild(&files, index_dir, &fingerprint, reason, fallback)
}

fn rebuild(
    files: &SourceFiles,
    index_dir: &Path,
    fingerprint: &str,
    reason: RebuildReason,
    fallback: Option<SearchIndex>,
) -> Result<Opened, IndexError> {
    let loaded = KnowledgeBase::load(&files.dir)?;
    if loaded.problems.has_errors() {
        return match fallback {
            Some(index) => {
                warn!(
                    errors = loaded.problems.errors().count(),
                    "faq/ has errors; the last good index keeps serving"
                );
                Ok(Opened {
                    index,
                    freshness: Freshness::Stale(loaded.problems.clone()),
                    problems: loaded.problems,
                })
            }
            None => Err(IndexError::InvalidFaq(loaded.problems)),
        };
    }
    let generation = install(&loaded.knowledge_base, index_dir, fingerprint, &reason)?;
    let index = SearchIndex::open(&generation)?;
    Ok(Opened {
        index,
        freshness: Freshness::Rebuilt(reason),
        problems: loaded.problems,
    })
}

/// Builds aside and swaps in, under the lock; returns the new generation folder.
fn install(
    knowledge_base: &KnowledgeBase,
    index_dir: &Path,
    fingerprint: &str,
    reason: &RebuildReason,
) -> Result<PathBuf, IndexError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| IndexError::Io { path, source }
    };
    fs::create_dir_all(index_dir).map_err(io(index_dir))?;
    let lock_path = index_dir.join(LOCK_FILE);
    let lock = File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;

    let stamp = format!(
        "{}-{}",
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
        std::process::id()
    );
    let temp = index_dir.join(format!("{TEMP_PREFIX}{stamp}"));
    let built = build::build(knowledge_base, &temp, fingerprint);
    let manifest = match built {
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
    fs::rename(&current_temp, &current).map_err(io(&current))?;
    info!(%reason, entries = manifest.entries, rules = manifest.rules.len(), millis = manifest.build_millis, "index built");

    remove_other_generations(index_dir, &generation_name);
    drop(lock);
    Ok(generation)
}

/// Old generations and leftovers of interrupted builds. Failing to remove one only costs disk space.
fn remove_other_generations(index_dir: &Path, keep: &str) {
    let Ok(items) = fs::read_dir(index_dir) else { return };
    for item in items.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        let is_old = (name.starts_with(GENERATION_PREFIX) || name.starts_with(TEMP_PREFIX)) && name != keep;
        if is_old {
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

/// The live generation folder named by CURRENT, if any.
pub fn current_generation(index_dir: &Path) -> Option<PathBuf> {
    let name = fs::read_to_string(index_dir.join(CURRENT_FILE)).ok()?;
    let name = name.trim();
    let valid = name.starts_with(GENERATION_PREFIX) && !name.contains(['/', '\\']) && name != "..";
    valid.then(|| index_dir.join(name))
}

/// Changes whenever a faq/ file is added, removed, resized or rewritten, or the schema changes.
/// Metadata only, so that checking freshness on every start costs microseconds, not a read of every file.
pub fn fingerprint(files: &SourceFiles) -> String {
    let mut hasher = DefaultHasher::new();
    SCHEMA_VERSION.hash(&mut hasher);
    for path in files.all() {
        path.file_name().hash(&mut hasher);
        match fs::metadata(path) {
            Ok(metadata) => {
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
