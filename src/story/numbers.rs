//! Article and story numbers of an index snapshot, so that counting works
//! on integers: each segment's article id ordinals (of its `article_id`
//! fast field) get the article's number in the whole snapshot (an
//! article's passages may lie in several segments) and its story's number
//! (its copy group's position in [`Groups::groups`], else a number of its
//! own). Built once per [`crate::search::Searcher`] from the segments' id
//! dictionaries and the copy groups; no query's answer is kept.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::search::DecodedIds;
use crate::story::groups::Groups;

/// The numbers of one segment's articles, by article id ordinal.
#[derive(Debug, Default)]
pub struct SegmentNumbers {
    /// Article number, by ordinal.
    pub articles: Vec<u32>,
    /// Story number, by ordinal.
    pub stories: Vec<u32>,
}

/// Article and story numbers of every segment of a snapshot.
#[derive(Debug, Default)]
pub struct StoryNumbers {
    /// By segment ordinal.
    pub segments: Vec<Arc<SegmentNumbers>>,
    /// Distinct articles in the snapshot.
    pub articles: u32,
    /// Story numbers are below this.
    pub stories: u32,
    /// Whether some article's passages lie in more than one segment.
    pub split: bool,
}

impl StoryNumbers {
    /// Numbers the articles of `searcher`'s segments, with `groups` (the
    /// copy groups of the same snapshot).
    pub fn build(searcher: &tantivy::Searcher, groups: &Groups) -> Result<StoryNumbers> {
        let mut decoded = Vec::new();
        for segment in searcher.segment_readers() {
            decoded.push(match segment.fast_fields().str("article_id")? {
                Some(ids) => DecodedIds::read(&ids)?,
                None => DecodedIds::default(),
            });
        }
        let too_many = || Error::Invalid("the index holds more than 2^32 articles".into());
        let grouped = u32::try_from(groups.groups.len()).map_err(|_| too_many())?;
        let mut segments: Vec<SegmentNumbers> = decoded
            .iter()
            .map(|d| SegmentNumbers {
                articles: vec![0; d.len()],
                stories: vec![0; d.len()],
            })
            .collect();
        // The dictionaries are sorted: merged, one id's ordinals in every
        // segment come together.
        let mut next = vec![0usize; decoded.len()];
        let mut heap: BinaryHeap<Reverse<(&str, usize)>> = decoded
            .iter()
            .enumerate()
            .filter_map(|(s, d)| Some(Reverse((d.get(0)?, s))))
            .collect();
        let (mut articles, mut split) = (0u32, false);
        let mut last: Option<(&str, u32, u32)> = None;
        while let Some(Reverse((id, s))) = heap.pop() {
            let ord = next[s];
            next[s] += 1;
            if let Some(following) = decoded[s].get(ord as u64 + 1) {
                heap.push(Reverse((following, s)));
            }
            let (article, story) = match last {
                Some((seen, article, story)) if seen == id => {
                    split = true;
                    (article, story)
                }
                _ => {
                    let article = articles;
                    articles = articles.checked_add(1).ok_or_else(too_many)?;
                    let story = match groups.position(id) {
                        Some(g) => g as u32,
                        None => grouped.checked_add(article).ok_or_else(too_many)?,
                    };
                    (article, story)
                }
            };
            last = Some((id, article, story));
            segments[s].articles[ord] = article;
            segments[s].stories[ord] = story;
        }
        Ok(StoryNumbers {
            segments: segments.into_iter().map(Arc::new).collect(),
            articles,
            stories: grouped.saturating_add(articles),
            split,
        })
    }
}
