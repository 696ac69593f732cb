//! The index folder as Tantivy sees it: its memory-mapped directory, with
//! locks that also work where the folder cannot be written.
//!
//! Tantivy takes a lock file (`.tantivy-meta.lock`, opened for writing)
//! while it opens the files of a commit, so that a writer's clean-up does
//! not delete them meanwhile. Opening it for writing fails on a read-only
//! file system, or in a shared collection the user may read but not write.
//! There, the lock is taken shared on the file opened for reading (which
//! still keeps the clean-up out), or not at all when there is no lock file
//! (then no writer has ever run in the folder). Reading needs no write
//! access; only `index` does.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr, META_LOCK,
};

/// An index folder: Tantivy's [`MmapDirectory`], whose readers' lock falls
/// back to a shared lock where the folder cannot be written.
#[derive(Debug, Clone)]
pub struct IndexDirectory {
    inner: MmapDirectory,
    dir: PathBuf,
}

impl IndexDirectory {
    /// The index folder `dir` (which must exist).
    pub fn open(dir: &Path) -> tantivy::Result<IndexDirectory> {
        Ok(IndexDirectory {
            inner: MmapDirectory::open(dir)?,
            dir: dir.to_path_buf(),
        })
    }

    /// The lock `lock`, taken shared on its file opened for reading.
    fn read_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        use fs4::fs_std::FileExt;
        let file = match std::fs::File::open(self.dir.join(&lock.filepath)) {
            Ok(file) => file,
            // No writer has run here: there is nothing to keep out.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(DirectoryLock::from(Box::new(())))
            }
            Err(e) => return Err(LockError::IoError(Arc::new(e))),
        };
        if lock.is_blocking {
            FileExt::lock_shared(&file).map_err(|e| LockError::IoError(Arc::new(e)))?;
        } else if !FileExt::try_lock_shared(&file).map_err(|e| LockError::IoError(Arc::new(e)))? {
            return Err(LockError::LockBusy);
        }
        // Closing the file releases the lock.
        Ok(DirectoryLock::from(Box::new(file)))
    }
}

/// Whether an I/O error means the folder cannot be written.
pub fn is_not_writable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

impl Directory for IndexDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            // Only the readers' lock: the writer's must fail where the folder cannot be written.
            Err(LockError::IoError(e))
                if is_not_writable(&e) && lock.filepath == META_LOCK.filepath =>
            {
                self.read_lock(lock)
            }
            other => other,
        }
    }
}
