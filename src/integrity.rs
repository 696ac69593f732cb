//! Is the index what its records say? Like SQLite's `integrity_check`,
//! [`check`] verifies every file of the current commit against the checksum
//! Tantivy keeps in its footer, Tantivy's records (`meta.json`) against the
//! files, and that passages and articles agree; the versions of newsdex's
//! commit record are checked when the index is opened. Opening an index for
//! reading runs the cheap part ([`open_reader`]: [`verify_files`] within a
//! budget, and [`verify_records`]), so that a damaged index is refused
//! rather than answering wrong.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tantivy::directory::META_LOCK;
use tantivy::index::{SegmentComponent, SegmentMeta};
use tantivy::{Directory, Index, IndexReader, IndexReaderBuilder, Searcher};

use crate::error::{Error, Result};
use crate::index::Store;
use crate::schema;

/// At open, checksums are verified for at most this many bytes of files
/// (about a millisecond of CRC32), most telling first: deletions, fast
/// fields (ids, dates, outlets), norms, the term dictionary, postings,
/// positions, stored text. A smaller index is verified whole every time;
/// `newsdex check` verifies any index whole.
pub const OPEN_CHECKSUM_BYTES: u64 = 8 << 20;

/// A damaged part of an index: the file, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Damage {
    /// The file, relative to the index folder.
    pub file: String,
    /// What is wrong.
    pub problem: String,
}

impl Damage {
    fn new(file: impl Into<String>, problem: impl Into<String>) -> Damage {
        Damage {
            file: file.into(),
            problem: problem.into(),
        }
    }

    /// The error that refuses the index at `dir` for this damage.
    pub fn into_error(self, dir: &Path) -> Error {
        Error::Corrupt {
            dir: dir.to_path_buf(),
            reason: self.to_string(),
        }
    }
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

/// What [`check`] found.
#[derive(Debug, Default, Serialize)]
pub struct CheckReport {
    /// The index folder.
    pub index: String,
    /// Schema version recorded in the last commit.
    pub schema_version: u32,
    /// Text analysis recorded in the last commit.
    pub analyzer: Option<String>,
    /// Segments of the last commit.
    pub segments: usize,
    /// Files verified against their checksums.
    pub files: usize,
    /// Bytes of those files.
    pub bytes: u64,
    /// Articles in the index (0 when damage stopped the check early).
    pub articles: usize,
    /// Passages in the index.
    pub passages: u64,
    /// Everything found wrong; empty when the index is sound.
    pub damage: Vec<Damage>,
}

/// Verifies the whole index at `dir`. An index that cannot be opened at
/// all (missing, another version) is an error; damage is reported in the
/// result.
pub fn check(dir: &Path) -> Result<CheckReport> {
    let (store, payload) = Store::open_unverified(dir)?;
    let mut report = CheckReport {
        index: dir.display().to_string(),
        schema_version: payload.schema_version,
        analyzer: payload.analyzer,
        ..CheckReport::default()
    };
    let count = |report: &mut CheckReport, metas: &[SegmentMeta]| {
        let files = segment_files(metas);
        report.segments = metas.len();
        report.files = files.len();
        report.bytes = files
            .iter()
            .filter_map(|(p, _)| std::fs::metadata(dir.join(p)).ok())
            .map(|m| m.len())
            .sum();
    };
    let opened = open_reader(&store.index, dir, u64::MAX, &|builder| builder);
    let (reader, metas) = match opened {
        Ok(Ok(opened)) => opened,
        // Reading damaged files further could only report the same damage.
        Ok(Err(damage)) => {
            count(&mut report, &store.index.searchable_segment_metas()?);
            report.damage = damage;
            return Ok(report);
        }
        Err(e) => {
            report.damage.push(Damage::new("meta.json", e.to_string()));
            return Ok(report);
        }
    };
    count(&mut report, &metas);
    let searcher = reader.searcher();
    let (articles, damage) = verify_articles(&searcher)?;
    report.articles = articles;
    report.passages = searcher.num_docs();
    report.damage = damage;
    Ok(report)
}

/// A reader of a verified commit and that commit's segments, or the damage found.
pub type Opened = std::result::Result<(IndexReader, Vec<SegmentMeta>), Vec<Damage>>;

/// Opens a reader of the index's current commit and verifies it: the
/// files of the commit against their checksums (within `budget` bytes), and
/// Tantivy's records against the reader's segments. Returns the reader and
/// the segments of its commit, or the damage found. The files are verified
/// under Tantivy's lock, so that a writer's clean-up cannot delete them
/// meanwhile; should a commit land while the reader opens, all is done
/// again on the new commit.
pub fn open_reader(
    index: &Index,
    dir: &Path,
    budget: u64,
    configure: &dyn Fn(IndexReaderBuilder) -> IndexReaderBuilder,
) -> Result<Opened> {
    const ATTEMPTS: usize = 3;
    for attempt in 1..=ATTEMPTS {
        let metas = {
            let _lock = index
                .directory()
                .acquire_lock(&META_LOCK)
                .map_err(tantivy::TantivyError::from)?;
            let metas = index.searchable_segment_metas()?;
            let damage = verify_files(index, dir, &segment_files(&metas), budget);
            if !damage.is_empty() {
                return Ok(Err(damage));
            }
            metas
        };
        let builder = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual);
        let reader: IndexReader = configure(builder).try_into()?;
        // Segment ids are never reused and deletions only grow, so equal
        // records before and after mean the reader opened this commit.
        let now = index.searchable_segment_metas()?;
        if records_of(&now) != records_of(&metas) && attempt < ATTEMPTS {
            continue;
        }
        let damage = verify_records(index, &now, &reader.searcher());
        if !damage.is_empty() {
            return Ok(Err(damage));
        }
        return Ok(Ok((reader, now)));
    }
    unreachable!("the last attempt returns")
}

/// What identifies a commit's segments: their ids, sizes and deletions.
fn records_of(metas: &[SegmentMeta]) -> Vec<(String, u32, u32, Option<u64>)> {
    let mut records: Vec<_> = metas
        .iter()
        .map(|m| {
            (
                m.id().uuid_string(),
                m.max_doc(),
                m.num_deleted_docs(),
                m.delete_opstamp(),
            )
        })
        .collect();
    records.sort();
    records
}

/// The files of the segments of a commit, most telling first (the order in
/// which [`OPEN_CHECKSUM_BYTES`] spends its budget).
pub fn segment_files(metas: &[SegmentMeta]) -> Vec<(PathBuf, SegmentComponent)> {
    let mut files = Vec::new();
    for component in [
        SegmentComponent::Delete,
        SegmentComponent::FastFields,
        SegmentComponent::FieldNorms,
        SegmentComponent::Terms,
        SegmentComponent::Postings,
        SegmentComponent::Positions,
        SegmentComponent::Store,
    ] {
        for meta in metas {
            if component == SegmentComponent::Delete && !meta.has_deletes() {
                continue;
            }
            files.push((meta.relative_path(component.clone()), component.clone()));
        }
    }
    files
}

/// Verifies that every file of a commit exists, and the checksums of as
/// many of them as fit in `budget` bytes (a deletion file always).
pub fn verify_files(
    index: &Index,
    dir: &Path,
    files: &[(PathBuf, SegmentComponent)],
    budget: u64,
) -> Vec<Damage> {
    let mut damage = Vec::new();
    let mut spent = 0u64;
    for (path, component) in files {
        let name = path.display().to_string();
        let size = match std::fs::metadata(dir.join(path)) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                damage.push(Damage::new(name, "missing (meta.json lists it)"));
                continue;
            }
            Err(e) => {
                damage.push(Damage::new(name, format!("cannot be read: {e}")));
                continue;
            }
        };
        if *component != SegmentComponent::Delete && spent.saturating_add(size) > budget {
            continue;
        }
        spent += size;
        match index.directory().validate_checksum(path) {
            Ok(true) => {}
            Ok(false) => damage.push(Damage::new(
                name,
                "damaged: its checksum does not match its contents",
            )),
            Err(e) => damage.push(Damage::new(name, format!("damaged or truncated: {e}"))),
        }
    }
    damage
}

/// Verifies Tantivy's records against the files they describe: the schema
/// is this version's, and each segment holds as many documents, and
/// deletions, as `meta.json` says.
pub fn verify_records(index: &Index, metas: &[SegmentMeta], searcher: &Searcher) -> Vec<Damage> {
    let mut damage = Vec::new();
    let (expected, _) = schema::build();
    if index.schema() != expected {
        damage.push(Damage::new(
            "meta.json",
            "its schema is not the one this version writes",
        ));
    }
    let by_id: HashMap<_, _> = metas.iter().map(|m| (m.id(), m)).collect();
    let body = index.schema().get_field("body").ok();
    for segment in searcher.segment_readers() {
        let Some(meta) = by_id.get(&segment.segment_id()) else {
            continue;
        };
        let segment_name = meta.id().uuid_string();
        let max_doc = meta.max_doc();
        let mut disagree = |file: SegmentComponent, what: String| {
            damage.push(Damage::new(
                meta.relative_path(file).display().to_string(),
                format!("{what}, but meta.json says segment {segment_name} has {max_doc}"),
            ))
        };
        match segment.fast_fields().u64("passage") {
            Ok(column) if column.num_docs() == max_doc => {}
            Ok(column) => disagree(
                SegmentComponent::FastFields,
                format!("holds {} documents", column.num_docs()),
            ),
            Err(e) => disagree(
                SegmentComponent::FastFields,
                format!("cannot be read ({e})"),
            ),
        }
        if let Some(body) = body {
            match segment.get_fieldnorms_reader(body) {
                Ok(norms) if norms.num_docs() == max_doc => {}
                Ok(norms) => disagree(
                    SegmentComponent::FieldNorms,
                    format!("holds {} documents", norms.num_docs()),
                ),
                Err(e) => disagree(
                    SegmentComponent::FieldNorms,
                    format!("cannot be read ({e})"),
                ),
            }
        }
        let alive = segment.num_docs();
        if meta.has_deletes() && max_doc.checked_sub(meta.num_deleted_docs()) != Some(alive) {
            damage.push(Damage::new(
                "meta.json",
                format!(
                    "says {} of segment {segment_name}'s {max_doc} documents are deleted, its deletion file says {}",
                    meta.num_deleted_docs(),
                    max_doc - alive.min(max_doc)
                ),
            ));
        }
    }
    damage
}

/// Verifies that passages and articles agree: every article has the
/// passages `0..n`, each once, all from one source file, and every source
/// file one content hash. Returns the number of articles.
fn verify_articles(searcher: &Searcher) -> Result<(usize, Vec<Damage>)> {
    struct Seen {
        source: String,
        passages: Vec<u64>,
    }
    let mut articles: HashMap<String, Seen> = HashMap::new();
    let mut hashes: HashMap<String, String> = HashMap::new();
    let mut damage = Vec::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let (Some(ids), Some(sources), Some(digests)) = (
            fast.str("article_id")?,
            fast.str("source")?,
            fast.str("source_hash")?,
        ) else {
            continue;
        };
        let passage = fast.u64("passage")?;
        let (mut id, mut source, mut digest) = (String::new(), String::new(), String::new());
        for doc in segment.doc_ids_alive() {
            let ords = (
                ids.term_ords(doc).next(),
                sources.term_ords(doc).next(),
                digests.term_ords(doc).next(),
                passage.first(doc),
            );
            let (Some(i), Some(s), Some(h), Some(p)) = ords else {
                damage.push(Damage::new(
                    format!("{}.fast", segment.segment_id().uuid_string()),
                    format!("document {doc} lacks its article id, source, hash or passage number"),
                ));
                continue;
            };
            ids.ord_to_str(i, &mut id)?;
            sources.ord_to_str(s, &mut source)?;
            digests.ord_to_str(h, &mut digest)?;
            let seen = articles.entry(id.clone()).or_insert_with(|| Seen {
                source: source.clone(),
                passages: Vec::new(),
            });
            if seen.source != source {
                damage.push(Damage::new(
                    "index",
                    format!(
                        "article '{id}' has passages from two sources ({} and {source})",
                        seen.source
                    ),
                ));
            }
            seen.passages.push(p);
            let first = hashes
                .entry(source.clone())
                .or_insert_with(|| digest.clone());
            if *first != digest {
                damage.push(Damage::new(
                    "index",
                    format!("source '{source}' is held at two versions"),
                ));
            }
        }
    }
    for (id, seen) in &mut articles {
        seen.passages.sort_unstable();
        let whole = seen
            .passages
            .iter()
            .enumerate()
            .all(|(i, &p)| p == i as u64);
        if !whole {
            damage.push(Damage::new(
                "index",
                format!(
                    "article '{id}' has passages {:?}, not 0 to {} once each",
                    seen.passages,
                    seen.passages.len() - 1
                ),
            ));
        }
    }
    damage.sort_by(|a, b| a.problem.cmp(&b.problem));
    damage.dedup();
    Ok((articles.len(), damage))
}
