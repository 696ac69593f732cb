//! Copy groups: articles that are copies of one story, found from the
//! signatures stored in the index by MinHash LSH (gaoya's `MinHashIndex`,
//! [`BANDS`] bands of [`BAND_WIDTH`] values) and a verification of each
//! candidate pair ([`is_copy`]). Groups are recomputed from every stored
//! signature at the end of an index run and kept beside the index in
//! [`GROUPS_FILE`], tagged with the commit they describe; a reader that
//! finds the file missing or stale recomputes them.

use std::collections::HashMap;
use std::path::Path;

use gaoya::minhash::MinHashIndex;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::story::signature::Signature;

/// The file, in the index folder, that holds the copy groups.
pub const GROUPS_FILE: &str = "copies.json";
/// LSH bands (of the signature's 128 values).
const BANDS: usize = 64;
/// Values per LSH band: two, so that a copy with half its text cut (a
/// Jaccard similarity near 0.35) is still a candidate (at 0.35, the chance
/// of missing it is under 0.1 %).
const BAND_WIDTH: usize = 2;
/// Least share of the shorter text's shingles the longer one must hold.
pub const MIN_CONTAINMENT: f64 = 0.6;
/// Least share of one text's figures the other must hold (either way: a
/// copy with a paragraph dropped holds fewer): a templated report with
/// other figures is another story.
pub const MIN_NUMBERS: f64 = 0.9;
/// Least size of the shorter text against the longer one (in shingles): a
/// brief quoted inside a long roundup is not a copy of it.
pub const MIN_LENGTH_RATIO: f64 = 0.1;

/// Whether two articles are copies of one story (see the README's "Copies
/// of one story" for why these tests).
pub fn is_copy(a: &Signature, b: &Signature) -> bool {
    let (short, long) = if a.shingles <= b.shingles {
        (a, b)
    } else {
        (b, a)
    };
    if long.shingles == 0 {
        return false;
    }
    f64::from(short.shingles) / f64::from(long.shingles) >= MIN_LENGTH_RATIO
        && short.containment(long) >= MIN_CONTAINMENT
        && short.numbers_in(long).max(long.numbers_in(short)) >= MIN_NUMBERS
}

/// What grouping needs of one article.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Article id.
    pub id: String,
    /// Publication instant (seconds since 1970, UTC), if dated.
    pub date: Option<i64>,
    /// Indexing order (see [`crate::pipeline::Batch::new`]).
    pub order: u64,
    /// Copy signature.
    pub signature: Signature,
}

/// One member of a copy group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Article id.
    pub id: String,
    /// Estimated share of the shorter text of this article and the original
    /// that the other holds (1 for the original).
    pub similarity: f64,
}

/// A group of two or more copies of one story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group's id: derived from its first-indexed article, so it stays
    /// as later copies join.
    pub group: String,
    /// The earliest-dated article (ties: the first indexed).
    pub original: String,
    /// Members oldest first, undated last; the original among them.
    pub members: Vec<Member>,
}

/// Every copy group of an index commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    /// The index commit the groups describe (see [`commit_key`]).
    pub commit: String,
    /// The groups, largest first.
    pub groups: Vec<Group>,
    /// Article id → position in `groups`.
    #[serde(skip)]
    by_article: HashMap<String, usize>,
}

impl Groups {
    /// Groups the candidates.
    pub fn compute(commit: String, mut candidates: Vec<Candidate>) -> Groups {
        candidates.sort_by(|a, b| a.order.cmp(&b.order).then_with(|| a.id.cmp(&b.id)));
        candidates.dedup_by(|a, b| a.id == b.id);
        let n = candidates.len();
        let mut lsh: MinHashIndex<u32, u32> = MinHashIndex::new(BANDS, BAND_WIDTH, 0.0);
        lsh.par_bulk_insert(
            (0..n as u32).collect(),
            candidates
                .iter()
                .map(|c| c.signature.minhash.clone())
                .collect(),
        );
        let pairs: Vec<(u32, u32)> = (0..n as u32)
            .into_par_iter()
            .flat_map_iter(|i| {
                let a = &candidates[i as usize].signature;
                let mut found: Vec<(u32, u32)> = lsh
                    .query_by_id(&i)
                    .into_iter()
                    .copied()
                    .filter(|&j| j > i && is_copy(a, &candidates[j as usize].signature))
                    .map(|j| (i, j))
                    .collect();
                found.sort_unstable();
                found
            })
            .collect();
        drop(lsh);
        let mut sets = UnionFind::new(n);
        for (i, j) in pairs {
            sets.union(i as usize, j as usize);
        }
        let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
        for i in 0..n {
            members.entry(sets.find(i)).or_default().push(i);
        }
        let mut groups: Vec<Group> = members
            .into_values()
            .filter(|m| m.len() > 1)
            .map(|mut m| {
                // Candidates are in indexing order: m[0] was indexed first.
                let group = format!(
                    "g{}",
                    &blake3::hash(candidates[m[0]].id.as_bytes()).to_hex()[..12]
                );
                let when = |i: &usize| {
                    let c = &candidates[*i];
                    (c.date.is_none(), c.date, c.order)
                };
                m.sort_by_key(when);
                let original = &candidates[m[0]];
                Group {
                    group,
                    original: original.id.clone(),
                    members: m
                        .iter()
                        .map(|&i| Member {
                            id: candidates[i].id.clone(),
                            similarity: if i == m[0] {
                                1.0
                            } else {
                                let s = &candidates[i].signature;
                                (s.containment(&original.signature) * 100.0).round() / 100.0
                            },
                        })
                        .collect(),
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            b.members
                .len()
                .cmp(&a.members.len())
                .then_with(|| a.original.cmp(&b.original))
        });
        Groups::indexed(commit, groups)
    }

    fn indexed(commit: String, groups: Vec<Group>) -> Groups {
        let by_article = groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| group.members.iter().map(move |m| (m.id.clone(), g)))
            .collect();
        Groups {
            commit,
            groups,
            by_article,
        }
    }

    /// The group an article belongs to.
    pub fn of(&self, article_id: &str) -> Option<&Group> {
        self.by_article.get(article_id).map(|&g| &self.groups[g])
    }

    /// Reads the groups file of the index in `dir`; `None` when there is
    /// none or it cannot be read.
    pub fn load(dir: &Path) -> Option<Groups> {
        let text = std::fs::read(dir.join(GROUPS_FILE)).ok()?;
        let groups: Groups = serde_json::from_slice(&text).ok()?;
        Some(Groups::indexed(groups.commit, groups.groups))
    }

    /// Writes the groups file into `dir`, whole or not at all.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let io = |source| Error::Io {
            path: dir.join(GROUPS_FILE),
            source,
        };
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        serde_json::to_writer(std::io::BufWriter::new(&mut file), self)
            .map_err(|e| io(std::io::Error::other(e)))?;
        file.persist(dir.join(GROUPS_FILE))
            .map_err(|e| io(e.error))?;
        Ok(())
    }
}

/// A key naming an index commit: its opstamp and segments.
pub fn commit_key(index: &tantivy::Index) -> Result<String> {
    let metas = index.load_metas()?;
    let mut segments: Vec<String> = metas
        .segments
        .iter()
        .map(|s| format!("{}:{}", s.id().uuid_string(), s.num_deleted_docs()))
        .collect();
    segments.sort();
    let digest = blake3::hash(segments.join(",").as_bytes()).to_hex();
    Ok(format!("{}-{}", metas.opstamp, &digest[..16]))
}

/// Reads every article's signature, date and order from the index.
pub fn candidates(searcher: &tantivy::Searcher) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let (Some(ids), Some(signatures)) =
            (fast.str("article_id")?, fast.bytes("story_signature")?)
        else {
            continue;
        };
        let dates = fast.date("date")?;
        let orders = fast.u64("story_order")?;
        let (mut id, mut bytes) = (String::new(), Vec::new());
        for doc in segment.doc_ids_alive() {
            let Some(s) = signatures.term_ords(doc).next() else {
                continue;
            };
            let Some(i) = ids.term_ords(doc).next() else {
                continue;
            };
            bytes.clear();
            signatures.ord_to_bytes(s, &mut bytes)?;
            let Some(signature) = Signature::decode(&bytes) else {
                continue;
            };
            ids.ord_to_str(i, &mut id)?;
            out.push(Candidate {
                id: id.clone(),
                date: dates.first(doc).map(|d| d.into_timestamp_secs()),
                order: orders.first(doc).unwrap_or(u64::MAX),
                signature,
            });
        }
    }
    Ok(out)
}

/// Recomputes the copy groups of the index and writes them beside it.
pub fn refresh(index: &tantivy::Index, dir: &Path) -> Result<Groups> {
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let groups = Groups::compute(commit_key(index)?, candidates(&searcher)?);
    groups.save(dir)?;
    Ok(groups)
}

/// The copy groups of the index as it is: the groups file when it describes
/// the current commit, else computed afresh (and not written: readers do
/// not write).
pub fn current(index: &tantivy::Index, dir: &Path, searcher: &tantivy::Searcher) -> Result<Groups> {
    let key = commit_key(index)?;
    match Groups::load(dir) {
        Some(groups) if groups.commit == key => Ok(groups),
        _ => Ok(Groups::compute(key, candidates(searcher)?)),
    }
}

/// Disjoint sets of `0..n`.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, date: Option<i64>, order: u64, text: &str) -> Candidate {
        Candidate {
            id: id.into(),
            date,
            order,
            signature: Signature::of(text),
        }
    }

    const STORY: &str = "The central bank of Norway raised its key deposit rate by 25 basis points to 4.5 pct on Thursday, citing a weaker crown and inflation that has stayed above target for two years.\n\nGovernor Ida Wolden Bache said further increases could follow in June if prices kept rising at the current pace.\n\nEconomists polled by Reuters had expected the bank to hold rates steady until the summer.";

    #[test]
    fn copies_group_with_the_earliest_as_original() {
        let copy = STORY
            .replace("pct", "percent")
            .replace(" until the summer", "")
            + "\n\nThis story was provided by Reuters.";
        let other = "Oil prices fell on Friday as traders weighed rising stockpiles against supply cuts by producers, with Brent crude down 1.2 pct at 82 dollars a barrel.";
        let groups = Groups::compute(
            "k".into(),
            vec![
                candidate("a", Some(200), 1, STORY),
                candidate("b", Some(100), 2, &copy),
                candidate("c", None, 3, STORY),
                candidate("d", Some(100), 4, other),
            ],
        );
        assert_eq!(groups.groups.len(), 1);
        let g = &groups.groups[0];
        assert_eq!(g.original, "b");
        let ids: Vec<&str> = g.members.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"]);
        assert!(groups.of("d").is_none());
        assert_eq!(groups.of("c").map(|g| &g.group), Some(&g.group));
    }

    #[test]
    fn a_template_with_other_figures_is_not_a_copy() {
        let other = STORY
            .replace("25 basis", "50 basis")
            .replace("4.5", "4.75")
            .replace("two years", "three years");
        assert!(!is_copy(&Signature::of(STORY), &Signature::of(&other)));
    }
}
