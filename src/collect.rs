//! A Tantivy collector that keeps each article's best passage, for
//! `--articles` (one hit per article).

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// An article's best-scoring passage among the matches.
#[derive(Debug, Clone)]
pub struct ArticleBest {
    /// The article id.
    pub article_id: String,
    /// Score of its best passage.
    pub score: Score,
    /// The article's date sort keys (`oldest`, `newest`), if it has a date:
    /// see [`crate::date::Published::sort_keys`].
    pub date_keys: Option<(i64, i64)>,
    /// The best passage.
    pub doc: DocAddress,
}

/// Collects the best passage of every matching article.
pub struct BestPerArticle;

/// Per-segment state of [`BestPerArticle`].
pub struct SegmentBest {
    segment: SegmentOrdinal,
    ids: Option<StrColumn>,
    oldest: Column<i64>,
    newest: Column<i64>,
    best: HashMap<u64, (Score, DocId)>,
}

impl Collector for BestPerArticle {
    type Fruit = Vec<ArticleBest>;
    type Child = SegmentBest;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentBest> {
        let fast = reader.fast_fields();
        Ok(SegmentBest {
            segment,
            ids: fast.str("article_id")?,
            oldest: fast.i64("date_oldest")?,
            newest: fast.i64("date_newest")?,
            best: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<ArticleBest>>) -> tantivy::Result<Vec<ArticleBest>> {
        let mut best: HashMap<String, ArticleBest> = HashMap::new();
        for item in fruits.into_iter().flatten() {
            match best.get(&item.article_id) {
                Some(kept) if kept.score >= item.score => {}
                _ => {
                    best.insert(item.article_id.clone(), item);
                }
            }
        }
        Ok(best.into_values().collect())
    }
}

impl SegmentCollector for SegmentBest {
    type Fruit = Vec<ArticleBest>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(ord) = self.ids.as_ref().and_then(|ids| ids.term_ords(doc).next()) else {
            return;
        };
        let entry = self.best.entry(ord).or_insert((score, doc));
        if score > entry.0 {
            *entry = (score, doc);
        }
    }

    fn harvest(self) -> Vec<ArticleBest> {
        let Some(ids) = self.ids else {
            return Vec::new();
        };
        // Looking ids up in term order reads each dictionary block once.
        let mut best: Vec<(u64, (Score, DocId))> = self.best.into_iter().collect();
        best.sort_unstable_by_key(|&(ord, _)| ord);
        let ords: Vec<u64> = best.iter().map(|&(ord, _)| ord).collect();
        let mut names = Vec::with_capacity(ords.len());
        let read = ids.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            names.push(String::from_utf8_lossy(bytes).into_owned());
        });
        if read.is_err() || names.len() != best.len() {
            return Vec::new();
        }
        best.into_iter()
            .zip(names)
            .map(|((_, (score, doc)), article_id)| ArticleBest {
                article_id,
                score,
                date_keys: self.oldest.first(doc).zip(self.newest.first(doc)),
                doc: DocAddress::new(self.segment, doc),
            })
            .collect()
    }
}
