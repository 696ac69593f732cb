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

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

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
    /// The articles whose passages lie in more than one segment, a bit
    /// each by article number (empty when there are none).
    split: Vec<u64>,
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
        let mut articles = 0u32;
        let mut split = Vec::new();
        let mut last: Option<(&str, u32, u32)> = None;
        while let Some(Reverse((id, s))) = heap.pop() {
            let ord = next[s];
            next[s] += 1;
            if let Some(following) = decoded[s].get(ord as u64 + 1) {
                heap.push(Reverse((following, s)));
            }
            let (article, story) = match last {
                Some((seen, article, story)) if seen == id => {
                    let word = article as usize / 64;
                    if split.len() <= word {
                        split.resize(word + 1, 0);
                    }
                    split[word] |= 1 << (article % 64);
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

    /// The numbers of segment `segment`, whose article ids are `ids`
    /// (an empty table when the segment has no article ids).
    ///
    /// # Errors
    /// The numbers were built for another snapshot.
    pub fn of_segment(
        &self,
        segment: SegmentOrdinal,
        ids: Option<&StrColumn>,
    ) -> tantivy::Result<Arc<SegmentNumbers>> {
        match (ids, self.segments.get(segment as usize)) {
            (Some(ids), Some(n)) if n.articles.len() == ids.num_terms() => Ok(n.clone()),
            (None, _) => Ok(Arc::default()),
            _ => Err(tantivy::TantivyError::InternalError(format!(
                "the article numbers do not describe segment {segment}"
            ))),
        }
    }

    /// Whether the passages of article number `article` lie in more than one segment.
    pub fn is_split(&self, article: u32) -> bool {
        self.split
            .get(article as usize / 64)
            .is_some_and(|word| word & (1 << (article % 64)) != 0)
    }
}

/// Collects the distinct stories of the matches: a bit per story number
/// (copies of one story share theirs). The fruit is the number of stories.
#[derive(Clone, Copy)]
pub struct MatchingStories<'a> {
    /// The numbers of the snapshot searched.
    pub numbers: &'a StoryNumbers,
}

/// Per-segment state of [`MatchingStories`].
pub struct SegmentStories {
    ids: Option<StrColumn>,
    numbers: Arc<SegmentNumbers>,
    seen: Vec<u64>,
}

/// Stories seen, a bit each by story number.
pub struct StoryBits(Vec<u64>);

impl StoryBits {
    /// How many stories were seen.
    pub fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// The stories seen in `self` or in `other`.
    pub fn union(mut self, other: StoryBits) -> StoryBits {
        for (word, more) in self.0.iter_mut().zip(other.0) {
            *word |= more;
        }
        self
    }
}

impl Collector for MatchingStories<'_> {
    type Fruit = StoryBits;
    type Child = SegmentStories;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentStories> {
        let ids = reader.fast_fields().str("article_id")?;
        Ok(SegmentStories {
            numbers: self.numbers.of_segment(segment, ids.as_ref())?,
            ids,
            seen: vec![0; (self.numbers.stories as usize).div_ceil(64)],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<StoryBits>) -> tantivy::Result<StoryBits> {
        let none = StoryBits(vec![0; (self.numbers.stories as usize).div_ceil(64)]);
        Ok(fruits.into_iter().fold(none, StoryBits::union))
    }
}

impl SegmentCollector for SegmentStories {
    type Fruit = StoryBits;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(ord) = self.ids.as_ref().and_then(|ids| ids.term_ords(doc).next()) else {
            return;
        };
        if let Some(&story) = self.numbers.stories.get(ord as usize) {
            self.seen[story as usize / 64] |= 1 << (story % 64);
        }
    }

    fn harvest(self) -> StoryBits {
        StoryBits(self.seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::story::groups::{Group, Member};

    /// Numbers are the same for one article in every segment, and a story
    /// shared by a group's members.
    #[test]
    fn an_article_in_two_segments_has_one_number_and_copies_one_story() {
        let mut schema = tantivy::schema::Schema::builder();
        let id = schema.add_text_field(
            "article_id",
            tantivy::schema::STRING | tantivy::schema::FAST,
        );
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for segment in [["b", "long", "c"], ["long", "a", "d"]] {
            for article in segment {
                writer.add_document(tantivy::doc!(id => article)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let group = Group {
            group: "g".into(),
            original: "a".into(),
            members: ["a", "c"]
                .map(|m| Member {
                    id: m.into(),
                    similarity: 1.0,
                })
                .into(),
        };
        let groups = Groups::indexed("k".into(), vec![group]);
        let numbers = StoryNumbers::build(&searcher, &groups).unwrap();
        assert_eq!(numbers.articles, 5);
        // (article, story) of an id in every segment that holds it.
        let of = |id: &str| -> Vec<(u32, u32)> {
            let mut found = Vec::new();
            for (s, segment) in searcher.segment_readers().iter().enumerate() {
                let ids = segment.fast_fields().str("article_id").unwrap().unwrap();
                if let Some(ord) = ids.dictionary().term_ord(id).unwrap() {
                    let n = &numbers.segments[s];
                    found.push((n.articles[ord as usize], n.stories[ord as usize]));
                }
            }
            found
        };
        let long = of("long");
        assert_eq!(long.len(), 2);
        assert_eq!(long[0], long[1], "one article in two segments");
        assert!(numbers.is_split(long[0].0));
        assert!(!numbers.is_split(of("b")[0].0));
        let mut all: Vec<u32> = ["a", "b", "c", "d", "long"]
            .iter()
            .flat_map(|id| of(id))
            .map(|(article, _)| article)
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 5);
        assert_eq!(of("a")[0].1, of("c")[0].1, "copies: one story");
        assert_ne!(of("a")[0].1, of("b")[0].1);
        assert_ne!(of("b")[0].1, of("d")[0].1);
        let stories = ["a", "b", "c", "d", "long"].iter().flat_map(|id| of(id));
        assert!(stories.map(|(_, s)| s).all(|s| s < numbers.stories));
    }
}
