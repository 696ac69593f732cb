//! Article ids are unique across the index. A file's articles are named by
//! its path, so files cannot collide; records of JSON Lines files carry their
//! own ids, and two files may both hold `"id": "42"`. The first source to
//! hold an id keeps it; a later record with that id in another source is
//! skipped with a warning. (Within one file, the loader already warns.)
//!
//! Memory stays small whatever the corpus: one 64-bit hash per record id.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::error::Result;

/// Which source holds each record id.
#[derive(Debug, Default)]
pub struct IdOwners {
    owner: HashMap<u64, u32>,
    sources: Vec<String>,
    source_index: HashMap<String, u32>,
}

/// A record id's 64-bit hash: what the duplicate maps keep instead of the id.
pub fn id_key(id: &str) -> u64 {
    // SipHash with fixed keys: stable within a run, which is all this needs.
    let mut hasher = std::hash::DefaultHasher::new();
    id.hash(&mut hasher);
    hasher.finish()
}

impl IdOwners {
    /// The owners of the record ids already in the index.
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
                if id != source {
                    let _ = owners.claim(&id, &source);
                }
            }
        }
        Ok(owners)
    }

    /// Records that `source` holds `id`; when another source holds it
    /// already, returns that source.
    pub fn claim(&mut self, id: &str, source: &str) -> std::result::Result<(), &str> {
        if id == source {
            return Ok(()); // a file's own article: its path is unique
        }
        let next = self.sources.len() as u32;
        let index = *self
            .source_index
            .entry(source.to_owned())
            .or_insert_with(|| {
                self.sources.push(source.to_owned());
                next
            });
        let owner = *self.owner.entry(id_key(id)).or_insert(index);
        if owner == index {
            Ok(())
        } else {
            Err(&self.sources[owner as usize])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_source_keeps_an_id() {
        let mut owners = IdOwners::default();
        assert_eq!(owners.claim("42", "a.jsonl"), Ok(()));
        assert_eq!(
            owners.claim("42", "a.jsonl"),
            Ok(()),
            "the same source again (re-indexing)"
        );
        assert_eq!(owners.claim("42", "b.jsonl"), Err("a.jsonl"));
        assert_eq!(owners.claim("43", "b.jsonl"), Ok(()));
        assert_eq!(owners.claim("x.txt", "x.txt"), Ok(()));
    }
}
