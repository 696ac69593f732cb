//! Commits and resuming: what each commit records beside the data, when a
//! long run commits, and how a run picks up a source that a kill left
//! half-indexed.
//!
//! Every commit is atomic (Tantivy writes `meta.json` last), so a kill at any
//! moment leaves the index at its last commit. A commit may fall in the
//! middle of a big source (a JSON Lines file of thousands of articles); its
//! payload then names that source, its content hash and how many of its
//! articles the commit holds. The next run resumes such a source after those
//! articles when its content is unchanged, and indexes it again from the
//! start when it changed. Loaders are deterministic (the same bytes give the
//! same articles in the same order), which is what makes "skip the first N
//! articles" exact.
//!
//! The invariant for whoever changes the indexing loop (parallel loading
//! included): at every commit, each source with some but maybe not all of
//! its articles written must have an entry in `partial` giving its hash and
//! how many of its articles, in loader order, the commit holds; a source is
//! removed from `partial` only once all its articles are written. Several
//! sources may be partial at once.
//!
//! The payload also names the sources some of whose records lost their ids
//! to other sources ([`Shadowed`]): when a winner changes or goes, such a
//! source is read again so that its records can take the freed ids, as a
//! rebuild would give them.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexWriter};

use crate::analysis::ANALYZER_VERSION;
use crate::error::Result;
use crate::schema::SCHEMA_VERSION;

/// A long run commits at least this often, so a kill loses little work.
pub const COMMIT_INTERVAL: Duration = Duration::from_secs(10);

/// What every commit records alongside the data.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Payload {
    /// Schema of the index; another version must rebuild.
    pub schema_version: u32,
    /// The newsdex that wrote the commit.
    pub newsdex_version: String,
    /// Text analysis of the index ([`ANALYZER_VERSION`]); another must
    /// rebuild. `None` in indexes written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzer: Option<String>,
    /// Sources the commit holds only in part, by source id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partial: BTreeMap<String, Partial>,
    /// Sources with records that lost their ids to other sources, by source id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shadowed: BTreeMap<String, Shadowed>,
}

impl Payload {
    /// The payload of the index's last commit (empty when it has none or it does not parse).
    pub fn load(index: &Index) -> Result<Payload> {
        let raw = index.load_metas()?.payload.unwrap_or_default();
        Ok(serde_json::from_str(&raw).unwrap_or_default())
    }
}

/// A source that a commit holds in part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partial {
    /// Content hash of the source when its articles were written.
    pub hash: String,
    /// How many of the articles its loader emitted (in order) the commit holds.
    pub emitted: usize,
}

/// A source some of whose records lost their ids to other sources (see
/// [`crate::duplicates`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shadowed {
    /// Content hash of the source (it may have no article in the index at all).
    pub hash: String,
    /// The sources that hold the ids it lost.
    pub by: BTreeSet<String>,
    /// One of those sources changed or went: the source must be read again
    /// to take the ids that were freed. Kept until that is done.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reread: bool,
}

impl Shadowed {
    /// An entry for a source of content hash `hash`, with no loss yet.
    pub fn of(hash: &str) -> Shadowed {
        Shadowed {
            hash: hash.to_owned(),
            ..Shadowed::default()
        }
    }
}

/// When a run commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitPolicy {
    /// Commit when this much time has passed since the last commit.
    pub interval: Duration,
    /// Also commit after this many articles (tests use it to commit often).
    pub articles: Option<usize>,
}

impl Default for CommitPolicy {
    fn default() -> Self {
        CommitPolicy {
            interval: COMMIT_INTERVAL,
            articles: None,
        }
    }
}

/// Commits at the policy's intervals, each with the payload of the moment.
pub struct Committer {
    policy: CommitPolicy,
    last: Instant,
    articles: usize,
    /// Sources held in part: carried over from earlier runs until they are
    /// indexed whole or removed, plus the source being written when a commit
    /// falls inside it.
    pub partial: BTreeMap<String, Partial>,
    /// Sources with records that lost their ids to other sources.
    pub shadowed: BTreeMap<String, Shadowed>,
}

impl Committer {
    /// A committer that starts counting now, carrying over what the last
    /// commit's payload says.
    pub fn new(policy: CommitPolicy, payload: Payload) -> Self {
        Committer {
            policy,
            last: Instant::now(),
            articles: 0,
            partial: payload.partial,
            shadowed: payload.shadowed,
        }
    }

    /// Counts one article written; true when a commit is due.
    pub fn wrote_article(&mut self) -> bool {
        self.articles += 1;
        self.due()
    }

    /// Whether a commit is due.
    pub fn due(&self) -> bool {
        self.policy.articles.is_some_and(|n| self.articles >= n)
            || self.last.elapsed() >= self.policy.interval
    }

    /// Commits everything written so far with the current payload.
    pub fn commit(&mut self, writer: &mut IndexWriter) -> Result<()> {
        commit(writer, &self.partial, &self.shadowed)?;
        self.last = Instant::now();
        self.articles = 0;
        Ok(())
    }
}

/// Commits with a payload naming the schema and analyzer versions, the
/// sources held in part and the sources with records that lost their ids.
pub fn commit(
    writer: &mut IndexWriter,
    partial: &BTreeMap<String, Partial>,
    shadowed: &BTreeMap<String, Shadowed>,
) -> Result<()> {
    let payload = serde_json::to_string(&Payload {
        schema_version: SCHEMA_VERSION,
        newsdex_version: env!("CARGO_PKG_VERSION").to_string(),
        analyzer: Some(ANALYZER_VERSION.to_string()),
        partial: partial.clone(),
        shadowed: shadowed.clone(),
    })
    .expect("payload serialises");
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_without_partial_reads_as_before() {
        let old: Payload =
            serde_json::from_str(r#"{"schema_version":1,"newsdex_version":"0.1.0"}"#).unwrap();
        assert!(old.partial.is_empty());
        let mut partial = BTreeMap::new();
        partial.insert(
            "a.jsonl".to_string(),
            Partial {
                hash: "h".into(),
                emitted: 3,
            },
        );
        let json = serde_json::to_string(&Payload {
            schema_version: 1,
            newsdex_version: "x".into(),
            analyzer: None,
            partial,
            shadowed: BTreeMap::new(),
        })
        .unwrap();
        let back: Payload = serde_json::from_str(&json).unwrap();
        assert_eq!(back.partial["a.jsonl"].emitted, 3);
    }

    #[test]
    fn a_commit_is_due_by_count_or_time() {
        let mut c = Committer::new(
            CommitPolicy {
                interval: Duration::from_secs(3600),
                articles: Some(2),
            },
            Payload::default(),
        );
        assert!(!c.wrote_article());
        assert!(c.wrote_article());
        let c = Committer::new(
            CommitPolicy {
                interval: Duration::ZERO,
                articles: None,
            },
            Payload::default(),
        );
        assert!(c.due());
    }
}
