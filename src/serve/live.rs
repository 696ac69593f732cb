//! The index as the server reads it: one [`Searcher`] (a snapshot of one
//! commit) shared by every request, replaced by a new one when a
//! `newsdex index` running beside the server commits. A commit rewrites
//! `meta.json` (Tantivy writes it last, atomically), so a request that finds
//! `meta.json` changed since the snapshot was taken opens the index again
//! (and reads its copy groups) before it answers; requests that find it
//! unchanged cost one `stat`. The server never writes the index.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::SystemTime;

use newsdex::search::Searcher;

/// What identifies a commit cheaply: `meta.json`'s modification time and size.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(dir: &Path) -> Stamp {
    let meta = std::fs::metadata(dir.join("meta.json")).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The index folder and the snapshot of its latest commit.
pub struct Live {
    dir: PathBuf,
    current: RwLock<Current>,
    /// Held while reopening, so that one request reopens and the others wait for it.
    reopening: Mutex<()>,
}

struct Current {
    /// The commit `searcher` reads (or the one that failed to open).
    stamp: Stamp,
    searcher: Arc<Searcher>,
}

impl Live {
    /// Opens the index in `dir`: its errors are those of `newsdex search`.
    pub fn open(dir: &Path) -> newsdex::Result<Live> {
        let stamp = stamp(dir);
        let searcher = Arc::new(open(dir)?);
        Ok(Live {
            dir: dir.to_path_buf(),
            current: RwLock::new(Current { stamp, searcher }),
            reopening: Mutex::new(()),
        })
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A searcher of the latest commit.
    pub fn searcher(&self) -> Arc<Searcher> {
        let now = stamp(&self.dir);
        if let Some(searcher) = self.if_current(now) {
            return searcher;
        }
        let _one = self
            .reopening
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(searcher) = self.if_current(now) {
            return searcher;
        }
        let mut current = match open(&self.dir) {
            Ok(searcher) => Current {
                stamp: now,
                searcher: Arc::new(searcher),
            },
            Err(e) => {
                // Keep answering from the commit read before; try again at the next commit.
                crate::commands::note(&format!(
                    "newsdex: warning: cannot read the new commit of {} ({e}); answering from the one before",
                    self.dir.display()
                ));
                let old = self.current.read().unwrap_or_else(PoisonError::into_inner);
                Current {
                    stamp: now,
                    searcher: old.searcher.clone(),
                }
            }
        };
        let searcher = current.searcher.clone();
        std::mem::swap(
            &mut *self.current.write().unwrap_or_else(PoisonError::into_inner),
            &mut current,
        );
        searcher
    }

    fn if_current(&self, now: Stamp) -> Option<Arc<Searcher>> {
        let current = self.current.read().unwrap_or_else(PoisonError::into_inner);
        (current.stamp == now).then(|| current.searcher.clone())
    }
}

/// A searcher of `dir` with its copy groups read, so that the requests
/// sharing it do not each read them.
fn open(dir: &Path) -> newsdex::Result<Searcher> {
    let searcher = Searcher::open(dir)?;
    searcher.copy_groups()?;
    Ok(searcher)
}
