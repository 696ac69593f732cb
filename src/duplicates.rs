//! Article ids are unique across the index, and which source holds an id
//! that several sources give does not depend on the order in which runs
//! met them: an incremental run ends where `--rebuild` on the same files
//! would.
//!
//! The rule: a source's own id wins (a file's path, or `FILE:LINE` of a
//! record without an id); else the source first in path order (compared
//! folder by folder, as a folder is walked); within one file, the first
//! line. A record that loses is skipped with a warning naming both sources,
//! and its source remembers which sources it lost to (see
//! [`crate::checkpoint::Shadowed`]), so that it is read again when one of
//! them changes or goes.
//!
//! Memory stays small whatever the corpus: one 64-bit hash per article id.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use crate::error::Result;

/// Which source holds each article id.
#[derive(Debug, Default)]
pub struct IdOwners {
    owner: HashMap<u64, u32>,
    sources: Vec<String>,
    source_index: HashMap<String, u32>,
}

/// An article id's 64-bit hash: what the duplicate maps keep instead of the id.
pub fn id_key(id: &str) -> u64 {
    // SipHash with fixed keys: stable within a run, which is all this needs.
    let mut hasher = std::hash::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

/// Whether `id` is derived from `source` itself: the file's path, or
/// `FILE:LINE` for a record that has no id of its own.
pub fn own_id(id: &str, source: &str) -> bool {
    match id.strip_prefix(source) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix(':')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

/// Whether `a`'s claim on `id` beats `b`'s: an own id first, then path
/// order, folder by folder.
pub fn precedes(id: &str, a: &str, b: &str) -> bool {
    match (own_id(id, a), own_id(id, b)) {
        (true, false) => true,
        (false, true) => false,
        _ => path_order(a, b) == Ordering::Less,
    }
}

/// Source ids in the order a sorted walk of their folders meets them.
pub fn path_order(a: &str, b: &str) -> Ordering {
    a.split('/').cmp(b.split('/'))
}

/// What became of a claim on an id.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The id was free (or held by a source this claim beats, see `displaced`).
    Won {
        /// The source that held the id and loses it.
        displaced: Option<String>,
    },
    /// The claiming source holds the id already.
    Held,
    /// Another source holds the id and keeps it.
    Lost {
        /// The source that keeps it.
        winner: String,
    },
}

impl IdOwners {
    /// The owners of the article ids in the index.
    pub fn from_index(searcher: &tantivy::Searcher) -> Result<IdOwners> {
        let mut owners = IdOwners::default();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(ids), Some(sources)) = (fast.str("article_id")?, fast.str("source")?) else {
                continue;
            };
            let passage = fast.u64("passage")?;
            let (mut id, mut source) = (String::new(), String::new());
            for doc in segment.doc_ids_alive() {
                if passage.first(doc) != Some(0) {
                    continue;
                }
                let (Some(i), Some(s)) = (ids.term_ords(doc).next(), sources.term_ords(doc).next())
                else {
                    continue;
                };
                ids.ord_to_str(i, &mut id)?;
                sources.ord_to_str(s, &mut source)?;
                let index = owners.index_of(&source);
                owners.owner.insert(id_key(&id), index);
            }
        }
        Ok(owners)
    }

    fn index_of(&mut self, source: &str) -> u32 {
        if let Some(&index) = self.source_index.get(source) {
            return index;
        }
        let index = self.sources.len() as u32;
        self.sources.push(source.to_owned());
        self.source_index.insert(source.to_owned(), index);
        index
    }

    /// Forgets the ids held by `sources` (their articles are being removed).
    pub fn release(&mut self, sources: &HashSet<String>) {
        let gone: HashSet<u32> = sources
            .iter()
            .filter_map(|s| self.source_index.get(s).copied())
            .collect();
        if !gone.is_empty() {
            self.owner.retain(|_, owner| !gone.contains(owner));
        }
    }

    /// `source` claims `id`; the rule of this module decides who holds it.
    pub fn claim(&mut self, id: &str, source: &str) -> Claim {
        let index = self.index_of(source);
        let key = id_key(id);
        let Some(&owner) = self.owner.get(&key) else {
            self.owner.insert(key, index);
            return Claim::Won { displaced: None };
        };
        if owner == index {
            return Claim::Held;
        }
        let holder = &self.sources[owner as usize];
        if precedes(id, source, holder) {
            let displaced = Some(holder.clone());
            self.owner.insert(key, index);
            Claim::Won { displaced }
        } else {
            Claim::Lost {
                winner: holder.clone(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won() -> Claim {
        Claim::Won { displaced: None }
    }

    #[test]
    fn the_first_source_in_path_order_keeps_an_id() {
        let mut owners = IdOwners::default();
        assert_eq!(owners.claim("42", "b.jsonl"), won());
        assert_eq!(owners.claim("42", "b.jsonl"), Claim::Held);
        assert_eq!(
            owners.claim("42", "c.jsonl"),
            Claim::Lost {
                winner: "b.jsonl".into()
            }
        );
        assert_eq!(
            owners.claim("42", "a.jsonl"),
            Claim::Won {
                displaced: Some("b.jsonl".into())
            }
        );
        owners.release(&HashSet::from(["a.jsonl".to_string()]));
        assert_eq!(owners.claim("42", "c.jsonl"), won());
    }

    #[test]
    fn a_sources_own_id_beats_a_record_claiming_it() {
        let mut owners = IdOwners::default();
        assert_eq!(owners.claim("c/b.txt", "c/a.jsonl"), won());
        assert_eq!(
            owners.claim("c/b.txt", "c/b.txt"),
            Claim::Won {
                displaced: Some("c/a.jsonl".into())
            }
        );
        assert_eq!(owners.claim("x.jsonl:3", "x.jsonl"), won());
        assert!(matches!(
            owners.claim("x.jsonl:3", "a.jsonl"),
            Claim::Lost { .. }
        ));
        assert!(own_id("x.jsonl:3", "x.jsonl"));
        assert!(!own_id("x.jsonl:3a", "x.jsonl"));
        assert!(!own_id("x.jsonl2", "x.jsonl"));
    }

    #[test]
    fn path_order_goes_folder_by_folder() {
        // A sorted walk meets `a/` before `a-c/`, though '-' sorts before '/'.
        assert_eq!(path_order("a/z.jsonl", "a-c/b.jsonl"), Ordering::Less);
        assert_eq!(path_order("a-2025.jsonl", "a.jsonl"), Ordering::Less);
    }
}
