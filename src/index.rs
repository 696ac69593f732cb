//! The index on disk: opening it (checking its schema version), and
//! incremental indexing of article files with a report of what changed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexReaderBuilder, IndexWriter, Term};

use crate::article::{LineMap, Metadata};
use crate::checkpoint::{self, CommitPolicy, Committer, Partial, Payload};
use crate::duplicates::IdOwners;
use crate::error::{Error, Result};
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
    /// its current commit made by `configure`; every segment is opened once,
    /// so missing or damaged files are reported here.
    pub fn open_reading(
        dir: &Path,
        configure: impl FnOnce(&Index, IndexReaderBuilder) -> IndexReaderBuilder,
    ) -> Result<(Store, IndexReader)> {
        check_folder(dir)?;
        if !dir.join("meta.json").exists() {
            return Err(Error::NoIndex(dir.to_path_buf()));
        }
        let corrupt = |reason: String| Error::Corrupt {
            dir: dir.to_path_buf(),
            reason,
        };
        let index = Index::open_in_dir(dir).map_err(|e| corrupt(e.to_string()))?;
        let metas = index.load_metas().map_err(|e| corrupt(e.to_string()))?;
        // An index whose creation was interrupted before its first commit
        // holds nothing and has no payload yet: it is this version's.
        let fresh = metas.payload.is_none() && metas.segments.is_empty() && metas.opstamp == 0;
        let payload = metas.payload.unwrap_or_default();
        let version = serde_json::from_str::<Payload>(&payload).map(|p| p.schema_version);
        if !fresh && version.as_ref().ok() != Some(&SCHEMA_VERSION) {
            return Err(Error::SchemaMismatch {
                dir: dir.to_path_buf(),
                found: version.map_or_else(|_| "unknown".into(), |v| v.to_string()),
                expected: SCHEMA_VERSION,
            });
        }
        let fields = schema::fields_of(&index.schema()).map_err(|e| corrupt(e.to_string()))?;
        // The index as it is now: no thread watches it for commits.
        let builder = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual);
        let reader = configure(&index, builder)
            .try_into()
            .map_err(|e: tantivy::TantivyError| corrupt(e.to_string()))?;
        crate::analysis::register(&index);
        let store = Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        };
        Ok((store, reader))
    }

    /// Creates an empty index in `dir` (which must hold no index).
    fn create(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let (schema, fields): (Schema, Fields) = schema::build();
        let directory = MmapDirectory::open(dir).map_err(|e| Error::Corrupt {
            dir: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
        let index = Index::create(directory, schema, index_settings())?;
        crate::analysis::register(&index);
        let store = Store {
            index,
            fields,
            dir: dir.to_path_buf(),
        };
        let mut writer = store.writer()?;
        checkpoint::commit(&mut writer, &Default::default())?;
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
                tantivy::TantivyError::LockFailure(..) => Error::Locked(self.dir.clone()),
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
    /// Source files that disappeared from an indexed folder.
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
    let store = match Store::open_or_create(dir) {
        // `--rebuild` is the way out of an unreadable or foreign index.
        Err(Error::SchemaMismatch { .. } | Error::Corrupt { .. }) if opts.rebuild => {
            remove_index_files(dir)?;
            Store::create(dir)?
        }
        other => other?,
    };
    let mut writer = store.writer()?;
    let f = &store.fields;
    let mut report = IndexReport::default();
    let (mut indexed, partial) = if opts.rebuild {
        writer.delete_all_documents()?;
        (HashMap::new(), Default::default())
    } else {
        (
            store.indexed_sources()?,
            Payload::load(&store.index)?.partial,
        )
    };
    let mut committer = Committer::new(opts.commit, partial);
    let mut owners = if opts.rebuild {
        IdOwners::default()
    } else {
        IdOwners::from_index(&store.index.reader()?.searcher())?
    };
    let base = store.id_base();
    let mut found = load::discover(&opts.roots);
    if let Some(extra) = &opts.manifest {
        found.manifest.read(extra, &mut found.warnings);
    }
    report.ignored = found.ignored;
    report
        .warnings
        .extend(found.warnings.iter().map(Warning::to_string));

    let mut seen = HashSet::new();
    let mut batch = Batch::new(f);
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
    for path in &found.files {
        let file_bytes = std::fs::metadata(path).map_or(0, |m| m.len());
        let start_bytes = done.bytes;
        let read_before = load::bytes_read();
        let id = file_id(&base, path);
        if !seen.insert(id.clone()) {
            continue;
        }
        let canonical = path.canonicalize().unwrap_or_else(|_| path.clone());
        let external = opts
            .overrides
            .clone()
            .or(found.manifest.for_file(&canonical));
        if let Err(reason) = load::precheck(path) {
            report.skipped.push(format!("{id}: {reason}"));
            done.bytes += file_bytes;
            continue;
        }
        let hash = match content_hash(path, &external) {
            Ok(hash) => hash,
            Err(e) => {
                report.skipped.push(format!("{id}: cannot read: {e}"));
                continue;
            }
        };
        let previous = indexed.remove(&id);
        // A source the last commit holds in part: resume it when it is
        // unchanged, else index it again from the start.
        let resume_after = match committer.partial.get(&id) {
            Some(p) if p.hash == hash => p.emitted,
            _ => 0,
        };
        if resume_after == 0
            && !committer.partial.contains_key(&id)
            && previous.as_deref() == Some(hash.as_str())
        {
            report.unchanged += 1;
            done.bytes += file_bytes;
            progress(&done);
            continue;
        }
        if previous.is_some() && resume_after == 0 {
            writer.delete_term(Term::from_field_text(f.source, &id));
        }
        let hash: Arc<str> = hash.into();
        let mut emitted = 0usize;
        let mut written = Ok((0, 0));
        let mut duplicates = Vec::new();
        let loaded = load::load_file(path, &id, &external, &mut |article| {
            emitted += 1;
            if emitted <= resume_after {
                return;
            }
            let Ok((articles, passages)) = &mut written else {
                return;
            };
            if let Err(other) = owners.claim(&article.id, &article.source) {
                let at = match article.lines {
                    LineMap::Record(line) => format!("{}:{line}", article.source),
                    _ => article.source.clone(),
                };
                let why = format!(
                    "duplicate article id '{}' (already indexed from {other}); record skipped",
                    article.id
                );
                duplicates.push(Warning::new(at, why));
                return;
            }
            done.articles += 1;
            done.bytes = start_bytes + (load::bytes_read() - read_before).min(file_bytes);
            progress(&done);
            let step = batch.push(&writer, article, hash.clone()).and_then(|n| {
                *articles += 1;
                *passages += n;
                if committer.wrote_article() {
                    // The commit must hold every article up to `emitted`.
                    *passages += batch.flush(&writer)?;
                    let partial = Partial {
                        hash: hash.to_string(),
                        emitted,
                    };
                    committer.partial.insert(id.clone(), partial);
                    committer.commit(&mut writer)?;
                }
                Ok(())
            });
            if let Err(e) = step {
                written = Err(e);
            }
        });
        done.bytes = start_bytes + file_bytes;
        progress(&done);
        let (articles, passages) = written?;
        committer.partial.remove(&id);
        report.articles += articles;
        report.passages += passages;
        match loaded {
            Ok(warnings) => report
                .warnings
                .extend(warnings.iter().chain(&duplicates).map(Warning::to_string)),
            Err(reason) => {
                report.skipped.push(format!("{id}: {reason}"));
                if previous.is_some() {
                    report.removed += 1;
                }
                continue;
            }
        }
        if resume_after > 0 {
            report.resumed += 1;
        } else if previous.is_some() {
            report.updated += 1;
        } else {
            report.added += 1;
        }
        if committer.due() {
            report.passages += batch.flush(&writer)?;
            committer.commit(&mut writer)?;
        }
    }

    report.passages += batch.flush(&writer)?;

    // Sources that were under an indexed root but are gone now.
    let root_ids: Vec<String> = opts.roots.iter().map(|r| file_id(&base, r)).collect();
    for (source, _) in indexed {
        let under_root = root_ids.iter().any(|root| {
            root.is_empty() || source == *root || source.starts_with(&format!("{root}/"))
        });
        if under_root && !seen.contains(&source) {
            writer.delete_term(Term::from_field_text(f.source, &source));
            committer.partial.remove(&source);
            report.removed += 1;
        }
    }
    committer.commit(&mut writer)?;
    writer.wait_merging_threads()?;
    Ok(report)
}
