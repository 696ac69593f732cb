//! The library's error type.

use std::path::PathBuf;

/// Errors newsdex reports to its user. Each message names the thing that is
/// wrong and, where there is one, the command that fixes it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No index at the given folder.
    #[error("no index at {0}; build one with `newsdex index`")]
    NoIndex(PathBuf),
    /// The index was written by another schema version.
    #[error("the index at {dir} was written by another version of newsdex (schema {found}, this version reads {expected}); rebuild it with `newsdex index --rebuild --index {dir}`")]
    SchemaMismatch {
        /// Index folder.
        dir: PathBuf,
        /// Version found in the index.
        found: String,
        /// Version this build reads.
        expected: u32,
    },
    /// The index was written with another text analysis (another stemmer).
    #[error("the index at {dir} was written by another version of newsdex (text analysis '{found}', this version uses '{expected}'); rebuild it with `newsdex index --rebuild --index {dir}`")]
    AnalyzerMismatch {
        /// Index folder.
        dir: PathBuf,
        /// Analysis recorded in the index (`unrecorded` when there is none).
        found: String,
        /// Analysis of this build.
        expected: &'static str,
    },
    /// The folder holds something that is not a readable newsdex index.
    #[error("{dir} is not a readable newsdex index ({reason}); rebuild it with `newsdex index --rebuild --index {dir}`")]
    Corrupt {
        /// Index folder.
        dir: PathBuf,
        /// What went wrong when opening it.
        reason: String,
    },
    /// The index folder cannot be written (read-only file system, no permission).
    #[error("cannot write the index at {0}: the folder is not writable (a read-only file system, or no write permission); searching it needs no write access")]
    NotWritable(PathBuf),
    /// The disk filled up while indexing.
    #[error("the disk holding the index at {dir} is full ({free} free): the index keeps its last commit ({articles} articles); free some space and run the same `newsdex index` again to go on from there")]
    DiskFull {
        /// Index folder.
        dir: PathBuf,
        /// Space left, human-readable.
        free: String,
        /// Articles the last commit holds.
        articles: String,
    },
    /// Another process holds the index writer lock.
    #[error("another process is writing the index at {0}; wait for it to finish and try again")]
    Locked(PathBuf),
    /// The query cannot be parsed or cannot match anything.
    #[error("bad query '{query}': {reason}")]
    Query {
        /// The query as given.
        query: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A search ran past its `--timeout` and was stopped.
    #[error("query '{query}' stopped after {seconds} s (--timeout {seconds})")]
    Timeout {
        /// The query as given.
        query: String,
        /// The timeout, in seconds.
        seconds: f64,
    },
    /// A value given on the command line or in batch input is not valid.
    #[error("{0}")]
    Invalid(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Reading the index's own files failed.
    #[error("cannot read the index: {0}")]
    IndexRead(#[from] std::io::Error),
    /// Relevance judgments or a run could not be read.
    #[error(transparent)]
    Eval(#[from] crate::eval::EvalError),
    /// An error inside Tantivy.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Result with the newsdex error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
