//! Retrieval quality, measured the way IR research measures it: [`metrics`]
//! scores a ranked run against relevance judgments with `trec_eval`'s
//! definitions, and [`run_collection`] indexes a BEIR-layout test collection
//! into a temporary index, runs every query and scores the run, in one call.

pub mod metrics;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::batch;
use crate::error::{Error, Result};
use crate::index::{self, IndexOptions};
use crate::query::MatchMode;
use crate::search::{SearchRequest, Searcher};
pub use metrics::{evaluate, EvalError, Evaluation, Measures, Qrels, Run};

/// Ranked articles kept per query, as `trec_eval` scores MAP (to depth 1000).
pub const RUN_DEPTH: usize = 1000;

/// The request every query of a test collection runs with: plain words,
/// any of them, one hit per article, [`RUN_DEPTH`] deep.
pub fn collection_request() -> SearchRequest {
    SearchRequest {
        plain: true,
        match_mode: MatchMode::Any,
        articles: true,
        limit: RUN_DEPTH,
        highlight: false,
        stored: false,
        count: false,
        ..SearchRequest::default()
    }
}

/// The files of a BEIR-layout collection folder.
#[derive(Debug, Clone)]
pub struct Collection {
    /// `corpus.jsonl` (or `.jsonl.gz`): the articles.
    pub corpus: PathBuf,
    /// `queries.jsonl`: the queries.
    pub queries: PathBuf,
    /// `qrels/test.tsv`: the relevance judgments.
    pub qrels: PathBuf,
}

impl Collection {
    /// The collection in `dir`; `qrels` replaces `qrels/test.tsv`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the folder when it is not one, or the file that is missing.
    pub fn in_dir(dir: &Path, qrels: Option<&Path>) -> Result<Collection> {
        if !dir.is_dir() {
            let what = if dir.exists() {
                "not a folder"
            } else {
                "no such folder"
            };
            return Err(Error::Invalid(format!("{}: {what}", dir.display())));
        }
        let first = |names: &[&str]| {
            names
                .iter()
                .map(|n| dir.join(n))
                .find(|p| p.is_file())
                .ok_or_else(|| {
                    Error::Invalid(format!(
                        "{} is not a BEIR collection folder: it has no {}",
                        dir.display(),
                        names.join(" or ")
                    ))
                })
        };
        Ok(Collection {
            corpus: first(&["corpus.jsonl", "corpus.jsonl.gz"])?,
            queries: first(&["queries.jsonl"])?,
            qrels: match qrels {
                Some(path) => path.to_path_buf(),
                None => first(&["qrels/test.tsv"])?,
            },
        })
    }
}

/// What `eval --collection` measured.
#[derive(Debug, Clone, Serialize)]
pub struct CollectionReport {
    /// The collection folder.
    pub collection: String,
    /// Articles indexed.
    pub articles: usize,
    /// Queries run.
    pub queries_run: usize,
    /// Seconds spent indexing.
    pub index_seconds: f64,
    /// Seconds spent running the queries.
    pub search_seconds: f64,
    /// Corpus records and query lines that were skipped, with the reason.
    pub warnings: Vec<String>,
    /// The scores.
    #[serde(flatten)]
    pub evaluation: Evaluation,
}

/// Indexes `collection` into a temporary index, runs every query with
/// [`collection_request`] on `threads` threads (0: one per core), and
/// scores the run.
///
/// # Errors
/// The qrels or queries cannot be read, or indexing fails.
pub fn run_collection(collection: &Collection, threads: usize) -> Result<CollectionReport> {
    let qrels = Qrels::read(&collection.qrels)?;
    let queries = File::open(&collection.queries).map_err(|source| Error::Io {
        path: collection.queries.clone(),
        source,
    })?;
    let temp = tempfile::Builder::new()
        .prefix("newsdex-eval-")
        .tempdir()
        .map_err(|source| Error::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    let dir = temp.path().join("index");
    let started = Instant::now();
    let options = IndexOptions {
        roots: vec![collection.corpus.clone()],
        ..IndexOptions::default()
    };
    let report = index::index(&dir, &options)?;
    let index_seconds = started.elapsed().as_secs_f64();
    let mut warnings: Vec<String> = report.warnings;
    warnings.extend(report.skipped);

    let started = Instant::now();
    let searcher = Searcher::open(&dir)?;
    let mut run = Run::new();
    let queries_file = collection.queries.display().to_string();
    let summary = batch::run(
        &searcher,
        queries,
        collection_request(),
        threads,
        &|answer| answer,
        &mut |answer: batch::Answer| {
            match answer {
                Ok(result) => {
                    let id = result.query_id.unwrap_or_default();
                    for hit in result.hits {
                        run.push(&id, &hit.article.id, f64::from(hit.score));
                    }
                }
                Err(e) => warnings.push(format!(
                    "{queries_file}:{}: {}; query skipped",
                    e.line, e.error
                )),
            }
            Ok::<(), Error>(())
        },
    )?;
    Ok(CollectionReport {
        collection: collection
            .corpus
            .parent()
            .unwrap_or(Path::new("."))
            .display()
            .to_string(),
        articles: report.articles,
        queries_run: summary.answered,
        index_seconds,
        search_seconds: started.elapsed().as_secs_f64(),
        warnings,
        evaluation: evaluate(&qrels, &run),
    })
}
