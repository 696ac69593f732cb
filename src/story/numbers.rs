//! Article and story numbers of an index snapshot, so that counting works
//! on integers: each segment's article id ordinals (of its `article_id`
//! fast field) get the article's number in the whole snapshot (an
//! article's passages may lie in several segments) and its story's number
//! (its copy group's position in [`Groups::groups`], else a number of its
//! own). Built from the segments' id dictionaries and the copy groups at
//! the end of an index run and kept beside the index in [`NUMBERS_FILE`],
//! tagged with the commit they describe (building them took a third of a
//! second at a million articles, in every process); a reader that finds
//! the file missing or stale builds them, once per
//! [`crate::search::Searcher`]. No query's answer is kept.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::error::{Error, Result};
use crate::search::{CopiesRef, DecodedIds};
use crate::story::groups::Groups;

/// The file, in the index folder, that holds the numbers.
pub const NUMBERS_FILE: &str = "numbers.bin";
/// First bytes of [`NUMBERS_FILE`]: its format.
const MAGIC: &[u8; 8] = b"ndxnum2\n";

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
    /// What a hit shows of its copy group, by story number (the groups'
    /// stories come first), so that a search needs no copy groups.
    groups: Vec<CopiesRef>,
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
            groups: groups
                .groups
                .iter()
                .map(|g| CopiesRef {
                    group: g.group.clone(),
                    count: g.members.len(),
                    original: g.original.clone(),
                })
                .collect(),
        })
    }

    /// The copy group of story number `story`, as a hit shows it; `None`
    /// when the story is a single article's.
    pub fn copies(&self, story: u32) -> Option<&CopiesRef> {
        self.groups.get(story as usize)
    }

    /// Writes the numbers of `searcher`'s snapshot, whose commit is `commit`
    /// (see [`crate::story::groups::commit_key`]), into `dir`, whole or not
    /// at all: the format, a BLAKE3 digest of the rest, the commit, the
    /// article and story counts, each segment's id and numbers, the split
    /// articles' bits, and each copy group's id, original and size, all
    /// little-endian.
    pub fn save(&self, dir: &Path, commit: &str, searcher: &tantivy::Searcher) -> Result<()> {
        let mut out = Vec::with_capacity(
            64 + self
                .segments
                .iter()
                .map(|n| 8 * n.articles.len() + 40)
                .sum::<usize>(),
        );
        let text = |out: &mut Vec<u8>, text: &str| {
            out.extend((text.len() as u32).to_le_bytes());
            out.extend(text.as_bytes());
        };
        text(&mut out, commit);
        out.extend(self.articles.to_le_bytes());
        out.extend(self.stories.to_le_bytes());
        out.extend((self.segments.len() as u32).to_le_bytes());
        for (reader, numbers) in searcher.segment_readers().iter().zip(&self.segments) {
            text(&mut out, &reader.segment_id().uuid_string());
            out.extend((numbers.articles.len() as u32).to_le_bytes());
            out.extend(numbers.articles.iter().flat_map(|n| n.to_le_bytes()));
            out.extend(numbers.stories.iter().flat_map(|n| n.to_le_bytes()));
        }
        out.extend((self.split.len() as u32).to_le_bytes());
        out.extend(self.split.iter().flat_map(|w| w.to_le_bytes()));
        out.extend((self.groups.len() as u32).to_le_bytes());
        for group in &self.groups {
            text(&mut out, &group.group);
            text(&mut out, &group.original);
            out.extend((group.count as u32).to_le_bytes());
        }
        let digest = blake3::hash(&out);
        crate::story::write_whole(dir, NUMBERS_FILE, |file| {
            [&MAGIC[..], digest.as_bytes(), &out]
                .iter()
                .try_for_each(|part| file.write_all(part))
        })
    }

    /// Reads the numbers file of the index in `dir` when it is whole (its
    /// digest holds), describes `commit`, holds every segment of `searcher`
    /// and numbers within its counts; `None` otherwise.
    pub fn load(dir: &Path, commit: &str, searcher: &tantivy::Searcher) -> Option<StoryNumbers> {
        let bytes = std::fs::read(dir.join(NUMBERS_FILE)).ok()?;
        let (digest, rest) = bytes.strip_prefix(MAGIC)?.split_at_checked(32)?;
        if blake3::hash(rest).as_bytes() != digest {
            return None;
        }
        let mut file = Bytes(rest);
        if file.text()? != commit {
            return None;
        }
        let (articles, stories, count) = (file.word()?, file.word()?, file.word()?);
        let mut stored = HashMap::new();
        for _ in 0..count {
            let id = file.text()?.to_owned();
            let len = file.word()? as usize;
            let numbers = SegmentNumbers {
                articles: file.words(len)?,
                stories: file.words(len)?,
            };
            let within = |numbers: &[u32], count: u32| numbers.iter().all(|&n| n < count);
            if !within(&numbers.articles, articles) || !within(&numbers.stories, stories) {
                return None;
            }
            stored.insert(id, Arc::new(numbers));
        }
        let len = file.word()? as usize;
        let split = file
            .take(len.checked_mul(8)?)?
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("eight bytes")))
            .collect();
        let len = file.word()? as usize;
        let mut groups = Vec::with_capacity(len.min(stories as usize));
        for _ in 0..len {
            groups.push(CopiesRef {
                group: file.text()?.to_owned(),
                original: file.text()?.to_owned(),
                count: file.word()? as usize,
            });
        }
        if !file.0.is_empty() || groups.len() > stories as usize {
            return None;
        }
        let segments = searcher
            .segment_readers()
            .iter()
            .map(|reader| stored.remove(&reader.segment_id().uuid_string()))
            .collect::<Option<Vec<_>>>()?;
        Some(StoryNumbers {
            segments,
            articles,
            stories,
            split,
            groups,
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

/// The parts of a [`NUMBERS_FILE`], read in turn.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }

    fn word(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = self.word()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn words(&mut self, n: usize) -> Option<Vec<u32>> {
        let bytes = self.take(n.checked_mul(4)?)?;
        Some(
            bytes
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
                .collect(),
        )
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
        let copies = numbers.copies(of("a")[0].1).unwrap();
        assert_eq!((copies.group.as_str(), copies.count), ("g", 2));
        assert_eq!(copies.original, "a");
        assert!(numbers.copies(of("b")[0].1).is_none());
        assert_ne!(of("a")[0].1, of("b")[0].1);
        assert_ne!(of("b")[0].1, of("d")[0].1);
        let stories = ["a", "b", "c", "d", "long"].iter().flat_map(|id| of(id));
        assert!(stories.map(|(_, s)| s).all(|s| s < numbers.stories));
    }

    /// The numbers file gives back what was saved, for its commit only; a
    /// cut file or one with a byte changed is not read.
    #[test]
    fn saved_numbers_load_for_their_commit_only() {
        let dir = tempfile::tempdir().unwrap();
        let mut schema = tantivy::schema::Schema::builder();
        let id = schema.add_text_field(
            "article_id",
            tantivy::schema::STRING | tantivy::schema::FAST,
        );
        let index = tantivy::Index::create_in_dir(dir.path(), schema.build()).unwrap();
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for segment in [["b", "long"], ["long", "a"]] {
            for article in segment {
                writer.add_document(tantivy::doc!(id => article)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        let built = StoryNumbers::build(&searcher, &Groups::default()).unwrap();
        built.save(dir.path(), "commit-1", &searcher).unwrap();
        let loaded = StoryNumbers::load(dir.path(), "commit-1", &searcher).unwrap();
        assert_eq!(
            (loaded.articles, loaded.stories),
            (built.articles, built.stories)
        );
        assert_eq!(loaded.split, built.split);
        assert_eq!(loaded.groups, built.groups);
        for (a, b) in loaded.segments.iter().zip(&built.segments) {
            assert_eq!((&a.articles, &a.stories), (&b.articles, &b.stories));
        }
        assert!(StoryNumbers::load(dir.path(), "commit-2", &searcher).is_none());
        let file = dir.path().join(NUMBERS_FILE);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 3]).unwrap();
        assert!(StoryNumbers::load(dir.path(), "commit-1", &searcher).is_none());
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        std::fs::write(&file, &flipped).unwrap();
        assert!(StoryNumbers::load(dir.path(), "commit-1", &searcher).is_none());
    }
}
