//! A long-running engine that follows faq/: a change rebuilds the index aside and swaps it in, while questions in flight finish on the old one.
//!
//! The engine sits behind an [`ArcSwap`]: a question takes the current engine (`current()`), and a reload
//! replaces it atomically. A faq/ with errors never replaces a good engine: `open_or_build` keeps the last
//! good index, and the outcome says why so that the bot can tell its admins.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use arc_swap::ArcSwap;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use thiserror::Error;
use tracing::{debug, info, warn};

use crate::Engine;
use crate::faq::Problems;
use crate::search::{Freshness, IndexError, RebuildReason, open_or_build};

/// Editors save in bursts (temp file, rename, chmod): wait this long after the last event before rebuilding.
const QUIET_PERIOD: Duration = Duration::from_millis(300);

#[derive(Debug, Error)]
pub enum LiveError {
    #[error("{}: cannot watch for changes", .path.display())]
    Watch {
        path: PathBuf,
        #[source]
        source: notify::Error,
    },
    #[error("cannot start the faq/ watcher thread")]
    Thread(#[source] std::io::Error),
}

/// What a reload did.
#[derive(Debug)]
pub enum Reloaded {
    /// A new index serves from now on.
    Swapped(RebuildReason),
    /// faq/ had not changed since the serving index was built.
    Unchanged,
    /// faq/ could not be built; the last good index keeps serving. `why` names the folder; `problems` lists the
    /// errors with their files and lines.
    KeptLastGood { why: String, problems: Problems },
    /// The index could not be opened or rebuilt at all (faq/ gone, disk full); the last good engine keeps serving.
    Failed(IndexError),
}

impl Reloaded {
    /// Whether the admins should hear about it.
    pub fn is_problem(&self) -> bool {
        matches!(self, Self::KeptLastGood { .. } | Self::Failed(_))
    }
}

/// The engine serving now, and where to rebuild it from.
pub struct LiveEngine {
    current: ArcSwap<Engine>,
    faq: PathBuf,
    index: PathBuf,
    threshold: f32,
    /// One rebuild at a time: a watcher event and an admin's /reload must not race to install generations.
    reloading: Mutex<()>,
}

impl LiveEngine {
    pub fn new(engine: Engine, faq: &Path, index: &Path) -> Self {
        Self {
            threshold: engine.threshold(),
            current: ArcSwap::from_pointee(engine),
            faq: faq.to_path_buf(),
            index: index.to_path_buf(),
            reloading: Mutex::new(()),
        }
    }

    /// The engine to answer one question with; it stays valid even if a reload swaps another in meanwhile.
    pub fn current(&self) -> Arc<Engine> {
        self.current.load_full()
    }

    pub fn faq_dir(&self) -> &Path {
        &self.faq
    }

    /// Rebuilds from faq/ if it changed and swaps the new engine in; never replaces a good engine with a broken one.
    pub fn reload(&self) -> Reloaded {
        let _one_at_a_time = self.reloading.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let outcome = match open_or_build(&self.faq, &self.index, false) {
            Ok(opened) => match opened.freshness {
                Freshness::Fresh => {
                    // Fresh can still be a generation this process has not opened (another replica or `faqbot
                    // index` built it), so the engine is swapped all the same.
                    self.current.store(Arc::new(Engine::new(opened.index, self.threshold)));
                    Reloaded::Unchanged
                }
                Freshness::Rebuilt(reason) => {
                    self.current.store(Arc::new(Engine::new(opened.index, self.threshold)));
                    Reloaded::Swapped(reason)
                }
                Freshness::Stale(why) => Reloaded::KeptLastGood {
                    why,
                    problems: opened.problems,
                },
            },
            Err(IndexError::InvalidFaq(problems)) => Reloaded::KeptLastGood {
                why: format!("{} has errors", self.faq.display()),
                problems,
            },
            Err(error) => Reloaded::Failed(error),
        };
        match &outcome {
            Reloaded::Swapped(reason) => info!(%reason, faq = %self.faq.display(), "new index serving"),
            Reloaded::Unchanged => debug!(faq = %self.faq.display(), "faq/ unchanged"),
            Reloaded::KeptLastGood { why, problems } => {
                for problem in problems.errors() {
                    warn!("{problem}");
                }
                warn!(%why, "the last good index keeps serving");
            }
            Reloaded::Failed(error) => warn!(
                error = %crate::error_chain::error_chain(error),
                "reload failed; the last good index keeps serving"
            ),
        }
        outcome
    }

    /// Watches faq/ and reloads after each burst of changes, calling `report` with every outcome. Watching stops
    /// when the returned handle is dropped. The folder that holds faq/ is watched too, so that replacing faq/
    /// itself (`mv faq.new faq`, as deploy tools do) re-arms the watch on the new folder.
    pub fn watch(self: &Arc<Self>, report: impl Fn(&Reloaded) + Send + 'static) -> Result<FaqWatcher, LiveError> {
        let watch_error = |source| LiveError::Watch {
            path: self.faq.clone(),
            source,
        };
        let faq = std::fs::canonicalize(&self.faq).map_err(|error| watch_error(notify::Error::io(error)))?;
        let index = std::fs::canonicalize(&self.index).unwrap_or_else(|_| self.index.clone());
        let (events, changes) = mpsc::channel();
        let watched = faq.clone();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(event) if is_change(&event, &watched, &index) => {
                let _ = events.send(event.paths.contains(&watched));
            }
            Ok(_) => {}
            Err(error) => warn!(%error, "faq/ watcher error"),
        })
        .map_err(watch_error)?;
        watcher.watch(&faq, RecursiveMode::Recursive).map_err(watch_error)?;
        if let Some(parent) = faq.parent()
            && let Err(error) = watcher.watch(parent, RecursiveMode::NonRecursive)
        {
            warn!(%error, parent = %parent.display(), "cannot watch the folder that holds faq/; replacing faq/ itself will need /reload");
        }
        let watcher = Arc::new(Mutex::new(Some(watcher)));
        let rearm = Arc::clone(&watcher);
        let live = Arc::clone(self);
        let thread = std::thread::Builder::new()
            .name("faq-watcher".into())
            .spawn(move || {
                // Ends when the watcher, and with it the sending side, is dropped.
                while let Ok(mut swapped) = changes.recv() {
                    loop {
                        match changes.recv_timeout(QUIET_PERIOD) {
                            Ok(folder) => swapped |= folder,
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    if swapped {
                        rewatch(&rearm, &faq);
                    }
                    report(&live.reload());
                }
            })
            .map_err(LiveError::Thread)?;
        info!(faq = %self.faq.display(), "watching for changes");
        Ok(FaqWatcher {
            watcher,
            thread: Some(thread),
        })
    }
}

/// faq/ itself was created, removed or renamed: its old watch (if any) is dropped and the folder now at the path
/// is watched.
fn rewatch(watcher: &Mutex<Option<RecommendedWatcher>>, faq: &Path) {
    let mut guard = watcher.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let Some(watcher) = guard.as_mut() else { return };
    let _ = watcher.unwatch(faq);
    match watcher.watch(faq, RecursiveMode::Recursive) {
        Ok(()) => info!(faq = %faq.display(), "faq/ was replaced; watching the new folder"),
        Err(error) => warn!(%error, faq = %faq.display(), "faq/ was replaced and cannot be watched; use /reload"),
    }
}

/// A content change under faq/ (or to faq/ itself), not a read, not the index's own files (should index/ live
/// inside faq/), and not faqbot's lock file.
fn is_change(event: &notify::Event, faq: &Path, index: &Path) -> bool {
    !matches!(event.kind, EventKind::Access(_))
        && event.paths.iter().any(|path| {
            path.starts_with(faq)
                && !path.starts_with(index)
                && path.file_name().is_none_or(|name| name != crate::faq::lock::LOCK_FILE)
        })
}

/// Keeps faq/ watched while alive.
pub struct FaqWatcher {
    watcher: Arc<Mutex<Option<RecommendedWatcher>>>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for FaqWatcher {
    fn drop(&mut self) {
        // Dropping the watcher closes the channel, which ends the thread after any reload in progress.
        self.watcher
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
