//! The index on disk: opening it (checking its schema version), and
//! incremental indexing of article files with a report of what changed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;
use tantivy::directory::error::LockError;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexReaderBuilder, IndexWriter, Term};

use crate::analysis::ANALYZER_VERSION;
use crate::article::{LineMap, Metadata};
use crate::checkpoint::{self, CommitPolicy, Committer, Partial, Payload, Shadowed};
use crate::directory::{is_not_writable, IndexDirectory};
use crate::duplicates::{self, Claim, IdOwners};
use crate::error::{Error, Result};
use crate::integrity;
use crate::load::{self, Warning};
use crate::pipeline::Batch;
use crate::schema::{self, Fields, SCHEMA_VERSION};

/// Memory the index writer may use, whatever the corpus size.
const WRITER_MEMORY_BYTES: usize = 256 * 1024 * 1024;
/// Segments with this many passages or more are not merged further.
const MERGE_MAX_DOCS: usize = 200_000;
/// zstd level of the stored passages.
const ZSTD_LEVEL: i32 = 1;
/// Uncompressed size of a block of stored passages (one block is read per
/// hit, and its first read creates a zstd context, whose `CPUID` costs
/// microseconds in a VM: 32 KB blocks made a 1,000-query batch 11 % cheaper
/// than 16 KB, and the index 2 % smaller).
const DOCSTORE_BLOCK_BYTES: usize = 32 * 1024;
/// Fails with one clear message when `dir`, or a folder it would be made
/// in, is a file.
fn check_folder(dir: &Path) -> Result<()> {
    let file = dir.ancestors().find(|p| p.exists()).filter(|p| !p.is_dir());
    match file {
        None => Ok(()),
        Some(file) if file == dir => Err(Error::Invalid(format!(
            "{}: is a file, not an index folder",
            dir.display()
        ))),
        Some(file) => Err(Error::Invalid(format!(
            "{}: {} is a file, not a folder",
            dir.display(),
            file.display()
        ))),
    }
}

/// An open newsdex index and its fields.
pub struct Store {
    /// The Tantivy index.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// The index folder.
    pub dir: PathBuf,
}

impl Store {
    /// Opens an existing index, checking that this version can read it.
    pub fn open(dir: &Path) -> Result<Store> {
        Store::open_reading(dir, |_, builder| builder).map(|(store, _)| store)
    }

    /// Opens an existing index as [`Store::open`] does, with a reader of
    /// its current commit made by `configure`. Every segment is opened
    /// once, and the cheap part of [`integrity::check`] runs (checksums
    /// within [`integrity::OPEN_CHECKSUM_BYTES`], Tantivy's records against
    /// the files), so missing or damaged files are reported here.
    pub fn open_reading(
        dir: &Path,
        configure: impl Fn(&Index, IndexReaderBuilder) -> IndexReaderBuilder,
    ) -> Result<(Store, IndexReader)> {
        let (store, _) = Store::open_unverified(dir)?;
        let budget = integrity::OPEN_CHECKSUM_BYTES;
        let opened = integrity::open_reader(&store.index, dir, budget, &|builder| {
            configure(&store.index, builder)
        });
        match opened {
            Ok(Ok((reader, _))) => Ok((store, reader)),
            Ok(Err(damage)) => Err(damage.into_iter().next().unwrap().into_error(dir)),
            Err(e) => Err(Error::Corrupt {
                dir: dir.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }

    /// Opens an existing index, checking the versions its last commit
    /// records (schema, text analysis) but not its files; returns the
    /// commit's record too.
    pub fn open_unverified(dir: &Path) -> Result<(Store, Payload)> {
        check_folder(dir)?;
        if !dir.join("meta.json").exists() {
            return Err(Error::NoIndex(dir.to_path_buf()));
        }
        let corrupt = |reason: String| Error::Corrupt {
            dir: dir.to_path_buf(),
            reason,
        };
        let directory = IndexDirectory::open(dir).map_err(|e| corrupt(e.to_string()))?;
        let index = Index::open(directory).map_err(|e| corrupt(e.to_string()))?;
        let metas = index.load_metas().map_err(|e| corrupt(e.to_string()))?;
        // An index whose creation was interrupted before its first commit
        // holds nothing and has no payload yet: it is this version's.
        let fresh = metas.payload.is_none() && metas.segments.is_empty() && metas.opstamp == 0;
        let payload = match metas
            .payload
            .as_deref()
            .map(serde_json::from_str::<Payload>)
        {
            Some(Ok(payload)) => payload,
            None if fresh => Payload::default(),
            // Some other program's Tantivy index.
            None => {
                return Err(Error::SchemaMismatch {
                    dir: dir.to_path_buf(),
                    found: "unknown".into(),
                    expected: SCHEMA_VERSION,
                })
            }
            Some(Err(e)) => {
                return Err(corrupt(format!(
                    "meta.json: its commit record does not parse ({e})"
                )))
            }
        };
        if !fresh && payload.schema_version != SCHEMA_VERSION {
            return Err(Error::SchemaMismatch {
                dir: dir.to_path_buf(),
                found: payload.schema_version.to_string(),
                expected: SCHEMA_VERSION,
            });
        }
        if !fresh && payload.analyzer.as_deref() != Some(ANALYZER_VERSION) {
            return Err(Error::AnalyzerMismatch {
                dir: dir.to_path_buf(),
                found: payload
                    .analyzer
                    .clone()
                    .unwrap_or_else(|| "unrecorded".into()),
                expected: ANALYZER_VERSION,
            });
        }
        // A field missing from the schema recorded in meta.json (a damaged
        // name, say) is damage to that file.
        let fields = schema::fields_of(&index.schema()).map_err(|e| {
            corrupt(format!(
                "meta.json does not hold this version's schema: {e}"
            ))
        })?;
        crate::analysis::register(&index);
        let store = Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        };
        Ok((store, payload))
    }

    /// Creates an empty index in `dir` (which must hold no index).
    fn create(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| {
            if is_not_writable(&source) {
                Error::NotWritable(dir.to_path_buf())
            } else {
                Error::Io {
                    path: dir.to_path_buf(),
                    source,
                }
            }
        })?;
        let (schema, fields): (Schema, Fields) = schema::build();
        let directory = IndexDirectory::open(dir).map_err(|e| Error::Corrupt {
            dir: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        let index = Index::create(directory, schema, index_settings()).map_err(|e| match e {
            tantivy::TantivyError::IoError(io) if is_not_writable(&io) => {
                Error::NotWritable(dir.to_path_buf())
            }
            other => other.into(),
        })?;
        crate::analysis::register(&index);
        let store = Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        };
        let mut writer = store.writer()?;
        checkpoint::commit(&mut writer, &Default::default(), &Default::default())?;
        Ok(store)
    }

    /// Opens the index in `dir`, creating it when the folder holds none.
    pub fn open_or_create(dir: &Path) -> Result<Store> {
        check_folder(dir)?;
        if dir.join("meta.json").exists() {
            Store::open(dir)
        } else {
            Store::create(dir)
        }
    }

    /// Takes the index's one writer.
    fn writer(&self) -> Result<IndexWriter> {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let writer: IndexWriter = self
            .index
            .writer_with_num_threads(threads, WRITER_MEMORY_BYTES)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(LockError::IoError(io), _)
                    if is_not_writable(&io) =>
                {
                    Error::NotWritable(self.dir.clone())
                }
                tantivy::TantivyError::LockFailure(LockError::LockBusy, _) => {
                    Error::Locked(self.dir.clone())
                }
                other => other.into(),
            })?;
        writer.set_merge_policy(Box::new(merge_policy()));
        Ok(writer)
    }

    /// The folder whose relative paths are article ids: the one holding the index folder.
    pub fn id_base(&self) -> PathBuf {
        let dir = self.dir.canonicalize().unwrap_or_else(|_| self.dir.clone());
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    }

    /// Source id → content hash of every source in the index.
    fn indexed_sources(&self) -> Result<HashMap<String, String>> {
        let reader = self.index.reader()?;
        let searcher = reader.searcher();
        let mut sources = HashMap::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(source), Some(hash)) = (fast.str("source")?, fast.str("source_hash")?) else {
                continue;
            };
            let (mut name, mut digest) = (String::new(), String::new());
            for doc in segment.doc_ids_alive() {
                let (Some(s), Some(h)) = (source.term_ords(doc).next(), hash.term_ords(doc).next())
                else {
                    continue;
                };
                source.ord_to_str(s, &mut name)?;
                if !sources.contains_key(&name) {
                    hash.ord_to_str(h, &mut digest)?;
                    sources.insert(name.clone(), digest.clone());
                }
            }
        }
        Ok(sources)
    }
}

/// Removes the files of a Tantivy index from `dir`, and nothing else (a
/// README or `.gitkeep` beside them stays).
fn remove_index_files(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let segment_file = name.len() > 33
            && name.as_bytes()[32] == b'.'
            && name[..32].bytes().all(|b| b.is_ascii_hexdigit());
        let index_file = segment_file
            || name == "meta.json"
            || name == ".managed.json"
            || name.starts_with(".tantivy-");
        if index_file && entry.file_type().is_ok_and(|t| t.is_file()) {
            std::fs::remove_file(entry.path()).map_err(|source| Error::Io {
                path: entry.path(),
                source,
            })?;
        }
    }
    Ok(())
}

/// Said of a file the index held that is skipped now (it has become
/// binary, empty, unreadable or too large): its articles leave the index,
/// so that no search answers with text the file no longer has.
const REMOVED: &str = "its articles are removed from the index";

/// What to index and how.
#[derive(Debug, Clone, Default)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub roots: Vec<PathBuf>,
    /// Start from an empty index.
    pub rebuild: bool,
    /// Metadata given on the command line; it overrides everything.
    pub overrides: Metadata,
    /// An extra manifest file.
    pub manifest: Option<PathBuf>,
    /// When to commit during the run.
    pub commit: CommitPolicy,
}

/// What an indexing run did.
#[derive(Debug, Default, Serialize)]
pub struct IndexReport {
    /// Source files new to the index.
    pub added: usize,
    /// Source files whose content or metadata changed.
    pub updated: usize,
    /// Source files that disappeared from an indexed folder, or that were
    /// indexed before and are skipped now (binary, empty, unreadable, too large).
    pub removed: usize,
    /// Source files already indexed as they are.
    pub unchanged: usize,
    /// Source files an interrupted run left half-indexed, finished in this run.
    pub resumed: usize,
    /// Files skipped whole, with the reason.
    pub skipped: Vec<String>,
    /// Files in the folders that are not articles (README, manifests, other formats).
    pub ignored: usize,
    /// Articles written in this run.
    pub articles: usize,
    /// Passages written in this run.
    pub passages: usize,
    /// Problems that did not stop the run.
    pub warnings: Vec<String>,
}

/// The id of a file: its path relative to `base` with `/` separators when it
/// lies under `base`, else its canonical absolute path.
pub fn file_id(base: &Path, path: &Path) -> String {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match canonical.strip_prefix(base) {
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => canonical.display().to_string(),
    }
}

/// Hash of a file's bytes and of the external metadata applied to it, so an
/// edited manifest row re-indexes its file.
fn content_hash(path: &Path, external: &Metadata) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    hasher.update(format!("{external:?}").as_bytes());
    Ok(hasher.finalize().to_hex().to_string())
}

/// Tantivy's merge policy, except that segments of [`MERGE_MAX_DOCS`]
/// passages or more are left as they are: the small segments of incremental
/// runs are still merged, but a bulk load is not rewritten into one huge
/// segment at the end, which took a third of the time and more than a
/// gigabyte of memory for a million articles.
fn merge_policy() -> tantivy::merge_policy::LogMergePolicy {
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MERGE_MAX_DOCS);
    policy
}

/// Settings of a new index: stored passages compressed with zstd, which
/// keeps the index smaller than the text it holds (lz4, Tantivy's default,
/// made the stored text alone nine tenths of the corpus text).
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(ZSTD_LEVEL),
        }),
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..tantivy::IndexSettings::default()
    }
}

/// Indexes the files under `opts.roots` into the index at `dir`:
/// new and changed files are (re)indexed, files gone from an indexed folder
/// are removed, unchanged files are skipped, and a file that an interrupted
/// run left half-indexed is resumed where its last commit ended.
pub fn index(dir: &Path, opts: &IndexOptions) -> Result<IndexReport> {
    index_with_progress(dir, opts, &mut |_| {})
}

/// How far an indexing run has got, for a progress display.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Articles loaded so far in this run.
    pub articles: usize,
    /// Bytes of source files read or skipped as unchanged so far.
    pub bytes: u64,
    /// Bytes of all the source files of this run.
    pub total_bytes: u64,
}

/// [`index`], calling `progress` as articles are loaded (often: keep it cheap).
pub fn index_with_progress(
    dir: &Path,
    opts: &IndexOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IndexReport> {
    run(dir, opts, progress).map_err(|e| disk_full(dir, e))
}

/// Free space under which a failed write is taken for a full disk.
const NEARLY_FULL_BYTES: u64 = 16 << 20;

/// An error of an indexing run, told as a full disk when it is one. Tantivy
/// reports a full disk in several ways (an I/O error, an internal error, or
/// "an index writer was killed" when an indexing thread met it), so the
/// disk's free space decides too. The last commit is intact either way:
/// Tantivy writes `meta.json` only once a commit's files are all written.
fn disk_full(dir: &Path, e: Error) -> Error {
    if !matches!(
        e,
        Error::Tantivy(_) | Error::IndexRead(_) | Error::Io { .. }
    ) {
        return e;
    }
    let says = e.to_string().contains("No space left on device")
        || std::error::Error::source(&e).is_some_and(|s| s.to_string().contains("os error 28"));
    let free = fs4::available_space(dir).ok();
    if !says && free.is_none_or(|free| free >= NEARLY_FULL_BYTES) {
        return e;
    }
    let articles = crate::search::Searcher::open(dir)
        .and_then(|searcher| crate::inspect::stats(&searcher))
        .map_or_else(|_| "unknown".into(), |stats| stats.articles.to_string());
    Error::DiskFull {
        dir: dir.to_path_buf(),
        free: free.map_or_else(|| "unknown".into(), human_bytes),
        articles,
    }
}

/// `1.5 MB`, `312 KB`, `0 B`.
fn human_bytes(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{} KB", bytes / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// The indexing run itself.
fn run(
    dir: &Path,
    opts: &IndexOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<IndexReport> {
    let store = match Store::open_or_create(dir) {
        // `--rebuild` is the way out of an unreadable or foreign index.
        Err(
            Error::SchemaMismatch { .. } | Error::AnalyzerMismatch { .. } | Error::Corrupt { .. },
        ) if opts.rebuild => {
            remove_index_files(dir)?;
            Store::create(dir)?
        }
        other => other?,
    };
    let mut writer = store.writer()?;
    let f = &store.fields;
    let mut report = IndexReport::default();
    let (mut indexed, payload, mut owners) = if opts.rebuild {
        writer.delete_all_documents()?;
        (HashMap::new(), Payload::default(), IdOwners::default())
    } else {
        let owners = IdOwners::from_index(&store.index.reader()?.searcher())?;
        (
            store.indexed_sources()?,
            Payload::load(&store.index)?,
            owners,
        )
    };
    // A source whose every record lost its id has no article, but is indexed.
    for (source, shadowed) in &payload.shadowed {
        indexed
            .entry(source.clone())
            .or_insert_with(|| shadowed.hash.clone());
    }
    let mut committer = Committer::new(opts.commit, payload);
    let base = store.id_base();
    let mut found = load::discover(&opts.roots);
    if let Some(extra) = &opts.manifest {
        found.manifest.read(extra, &mut found.warnings);
    }
    report.ignored = found.ignored;
    report
        .warnings
        .extend(found.warnings.iter().map(Warning::to_string));

    let mut done = Progress {
        total_bytes: found
            .files
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum(),
        ..Progress::default()
    };
    progress(&done);
    let plan = plan(
        opts,
        &base,
        &found,
        &indexed,
        &mut committer,
        &mut report,
        &mut done,
    );
    progress(&done);

    // The articles of changed, gone and now unreadable sources leave first,
    // so that their ids are free for whichever source holds them now.
    for source in &plan.release {
        writer.delete_term(Term::from_field_text(f.source, source));
        committer.partial.remove(source);
        committer.shadowed.remove(source);
    }
    owners.release(&plan.release);

    let mut batch = Batch::new(f);
    for work in plan.work {
        let file_bytes = std::fs::metadata(&work.path).map_or(0, |m| m.len());
        let start_bytes = done.bytes;
        let read_before = load::bytes_read();
        let id = work.id;
        let (resume_after, reread) = match work.action {
            Action::Fresh => {
                committer.shadowed.remove(&id);
                (0, false)
            }
            Action::Resume(emitted) => (emitted, false),
            Action::Reread => (0, true),
        };
        let hash: Arc<str> = work.hash.as_str().into();
        let mut emitted = 0usize;
        let mut written: Result<(usize, usize)> = Ok((0, 0));
        let mut claims = Vec::new();
        let mut lost_to = BTreeSet::new();
        let loaded = load::load_file(&work.path, &id, &work.external, &mut |article| {
            emitted += 1;
            if emitted <= resume_after {
                return;
            }
            let Ok((articles, passages)) = &mut written else {
                return;
            };
            let at = |article: &crate::article::Article| match article.lines {
                LineMap::Record(line) => format!("{}:{line}", article.source),
                _ => article.source.clone(),
            };
            let step = (|| -> Result<()> {
                match owners.claim(&article.id, &article.source) {
                    Claim::Held => return Ok(()),
                    Claim::Lost { winner } => {
                        if !reread {
                            claims.push(Warning::new(at(&article), lost(&article.id, &winner)));
                        }
                        committer
                            .shadowed
                            .entry(id.clone())
                            .or_insert_with(|| Shadowed::of(&hash))
                            .by
                            .insert(winner.clone());
                        lost_to.insert(winner);
                        return Ok(());
                    }
                    Claim::Won {
                        displaced: Some(loser),
                    } => {
                        // The loser's passages may still wait in the batch:
                        // they must reach the writer before the delete does.
                        *passages += batch.flush(&writer)?;
                        writer.delete_term(Term::from_field_text(f.article_id, &article.id));
                        claims.push(Warning::new(
                            at(&article),
                            displaced(&article.id, &id, &loser),
                        ));
                        let loser_hash = indexed.get(&loser).map_or("", String::as_str);
                        committer
                            .shadowed
                            .entry(loser)
                            .or_insert_with(|| Shadowed::of(loser_hash))
                            .by
                            .insert(id.clone());
                    }
                    Claim::Won { displaced: None } => {}
                }
                done.articles += 1;
                done.bytes = start_bytes + (load::bytes_read() - read_before).min(file_bytes);
                progress(&done);
                *passages += batch.push(&writer, article, hash.clone())?;
                *articles += 1;
                if committer.wrote_article() {
                    // The commit must hold every article up to `emitted`.
                    *passages += batch.flush(&writer)?;
                    if !reread {
                        let partial = Partial {
                            hash: hash.to_string(),
                            emitted,
                        };
                        committer.partial.insert(id.clone(), partial);
                    }
                    committer.commit(&mut writer)?;
                }
                Ok(())
            })();
            if let Err(e) = step {
                written = Err(e);
            }
        });
        done.bytes = start_bytes + file_bytes;
        progress(&done);
        let (articles, passages) = written?;
        report.articles += articles;
        report.passages += passages;
        if reread {
            // Read again only to take freed ids: its own warnings were given
            // when it was indexed.
            match lost_to.is_empty() {
                true => committer.shadowed.remove(&id),
                false => committer.shadowed.insert(
                    id.clone(),
                    Shadowed {
                        hash: hash.to_string(),
                        by: lost_to,
                        reread: false,
                    },
                ),
            };
            report
                .warnings
                .extend(claims.iter().map(Warning::to_string));
            indexed.insert(id, hash.to_string());
            continue;
        }
        committer.partial.remove(&id);
        match loaded {
            Ok(warnings) => report
                .warnings
                .extend(warnings.iter().chain(&claims).map(Warning::to_string)),
            Err(reason) => {
                if work.previous {
                    report.skipped.push(format!("{id}: {reason}; {REMOVED}"));
                    report.removed += 1;
                } else {
                    report.skipped.push(format!("{id}: {reason}"));
                }
                continue;
            }
        }
        indexed.insert(id, hash.to_string());
        match work.action {
            Action::Resume(_) => report.resumed += 1,
            _ if work.previous => report.updated += 1,
            _ => report.added += 1,
        }
        if committer.due() {
            report.passages += batch.flush(&writer)?;
            committer.commit(&mut writer)?;
        }
    }

    report.passages += batch.flush(&writer)?;
    committer.commit(&mut writer)?;
    writer.wait_merging_threads()?;
    if crate::story::enabled() {
        let started = std::time::Instant::now();
        crate::story::groups::refresh(&store.index, &store.dir)?;
        if std::env::var_os("NEWSDEX_COPIES_TIME").is_some() {
            eprintln!("copy groups: {:.2} s", started.elapsed().as_secs_f64());
        }
    }
    share_records(dir);
    Ok(report)
}

/// Makes Tantivy's records (`meta.json`, `.managed.json`) and the copy groups, written
/// readable by their owner only, as readable as the index's other files, so
/// that others who may read the folder (a shared collection) can search it.
/// The writer's lock file was created with the user's file mode.
fn share_records(dir: &Path) {
    let Ok(lock) = std::fs::metadata(dir.join(".tantivy-writer.lock")) else {
        return;
    };
    for record in [
        "meta.json",
        ".managed.json",
        crate::story::groups::GROUPS_FILE,
        crate::story::numbers::NUMBERS_FILE,
    ] {
        // Best effort: the records stay readable by their owner regardless.
        let _ = std::fs::set_permissions(dir.join(record), lock.permissions());
    }
}

/// The warning for a record whose id another source keeps.
fn lost(id: &str, winner: &str) -> String {
    if duplicates::own_id(id, winner) {
        format!("article id '{id}' is the id of {winner} itself; record skipped")
    } else {
        format!(
            "duplicate article id '{id}' (kept from {winner}, first in path order); record skipped"
        )
    }
}

/// The warning for an article that takes its id from another source.
fn displaced(id: &str, source: &str, loser: &str) -> String {
    let why = if duplicates::own_id(id, source) {
        format!("it is the id of {source} itself")
    } else {
        format!("{source} is first in path order")
    };
    format!("duplicate article id '{id}': kept here, and its record in {loser} is dropped ({why})")
}

/// What a run does with a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// Index it from the start: it is new or changed.
    Fresh,
    /// An interrupted run committed its first articles (this many, in
    /// loader order); go on after them.
    Resume(usize),
    /// Unchanged, but some of its records lost their ids to sources that
    /// changed or went: offer them again.
    Reread,
}

/// A source file this run reads.
struct Work {
    path: PathBuf,
    id: String,
    external: Metadata,
    hash: String,
    action: Action,
    /// Whether the index held the source before this run.
    previous: bool,
}

/// What a run reads and what it removes.
struct Plan {
    /// Sources to read, in path order (the order in which ids are claimed).
    work: Vec<Work>,
    /// Sources whose articles leave the index: changed, gone, or unreadable now.
    release: HashSet<String>,
}

/// Files hashed together (on all cores) while planning.
const PLAN_CHUNK: usize = 1024;

/// Decides what the run does with each source: checks and hashes every file
/// (on all cores), then compares with what the index holds. Counts the
/// unchanged, skipped and removed sources in `report`.
fn plan(
    opts: &IndexOptions,
    base: &Path,
    found: &load::Discovery,
    indexed: &HashMap<String, String>,
    committer: &mut Committer,
    report: &mut IndexReport,
    done: &mut Progress,
) -> Plan {
    let mut work = Vec::new();
    let mut release = HashSet::new();
    let mut unchanged = HashMap::new();
    let mut seen = HashSet::new();
    for chunk in found.files.chunks(PLAN_CHUNK) {
        let checked: Vec<_> = chunk
            .par_iter()
            .map(|path| {
                let id = file_id(base, path);
                let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
                let external = opts
                    .overrides
                    .clone()
                    .or(found.manifest.for_file(&canonical));
                let hash = load::precheck(path).and_then(|()| {
                    content_hash(path, &external).map_err(|e| format!("cannot read: {e}"))
                });
                let bytes = std::fs::metadata(path).map_or(0, |m| m.len());
                (path, id, external, hash, bytes)
            })
            .collect();
        for (path, id, external, hash, bytes) in checked {
            if !seen.insert(id.clone()) {
                continue;
            }
            let previous = indexed.get(&id);
            let hash = match hash {
                Ok(hash) => hash,
                Err(reason) => {
                    done.bytes += bytes;
                    if previous.is_some() {
                        report.skipped.push(format!("{id}: {reason}; {REMOVED}"));
                        report.removed += 1;
                        release.insert(id);
                    } else {
                        report.skipped.push(format!("{id}: {reason}"));
                    }
                    continue;
                }
            };
            let action = match committer.partial.get(&id) {
                Some(p) if p.hash == hash => Action::Resume(p.emitted),
                Some(_) => Action::Fresh,
                None if previous == Some(&hash) => {
                    report.unchanged += 1;
                    done.bytes += bytes;
                    if committer.shadowed.contains_key(&id) {
                        unchanged.insert(id, (path.clone(), external, hash));
                    }
                    continue;
                }
                None => Action::Fresh,
            };
            if action == Action::Fresh && previous.is_some() {
                release.insert(id.clone());
            }
            work.push(Work {
                path: path.clone(),
                id,
                external,
                hash,
                action,
                previous: previous.is_some(),
            });
        }
    }

    // Sources that were under an indexed root but are gone now.
    let root_ids: Vec<String> = opts.roots.iter().map(|r| file_id(base, r)).collect();
    for source in indexed.keys() {
        let under_root = root_ids.iter().any(|root| {
            root.is_empty() || source == root || source.starts_with(&format!("{root}/"))
        });
        if under_root && !seen.contains(source) {
            release.insert(source.clone());
            report.removed += 1;
        }
    }

    // A source that lost ids to a source whose articles leave must offer
    // them again: one resumed is read from the start instead, one unchanged
    // is read again for them. Who keeps an id then follows the rule of
    // `duplicates`, as in a rebuild.
    let kept = |source: &String, release: &HashSet<String>| {
        indexed.contains_key(source) && !release.contains(source)
    };
    loop {
        let mut restarted = false;
        for w in &mut work {
            let Action::Resume(_) = w.action else {
                continue;
            };
            let freed = committer
                .shadowed
                .get(&w.id)
                .is_some_and(|s| s.by.iter().any(|b| !kept(b, &release)));
            if freed {
                w.action = Action::Fresh;
                release.insert(w.id.clone());
                restarted = true;
            }
        }
        if !restarted {
            break;
        }
    }
    for (source, shadowed) in committer.shadowed.iter_mut() {
        if !kept(source, &release) {
            continue;
        }
        shadowed.reread |= shadowed.by.iter().any(|b| !kept(b, &release));
        if let (true, Some((path, external, hash))) = (shadowed.reread, unchanged.remove(source)) {
            work.push(Work {
                path,
                id: source.clone(),
                external,
                hash,
                action: Action::Reread,
                previous: true,
            });
        }
    }
    work.sort_by(|a, b| duplicates::path_order(&a.id, &b.id));
    Plan { work, release }
}
