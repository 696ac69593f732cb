//! Counts: how many articles, passages and distinct stories (copies of one
//! story counted once) match a search request, per outlet and per period.
//! The matches are those of [`Searcher::collect_matches`], so `count` uses
//! exactly the query parsing and filters of `search`; a collector reads
//! each match's article, outlet and date from fast fields, so counts are
//! exact. Undated articles (and articles with no outlet) are a bucket of
//! their own, never dropped.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use fnv::FnvHashMap;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::error::{Error, Result};
use crate::query::MatchMode;
use crate::search::{SearchRequest, Searcher};
use crate::story::numbers::{SegmentNumbers, StoryNumbers};

/// What buckets are made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    /// The outlet as written.
    Outlet,
    /// `YYYY`, UTC.
    Year,
    /// `YYYY-MM`, UTC.
    Month,
    /// ISO week, `YYYY-Www`, UTC.
    Week,
    /// `YYYY-MM-DD`, UTC.
    Day,
}

impl Dimension {
    /// The dimension's name, as in `--by` and the JSON keys.
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Outlet => "outlet",
            Dimension::Year => "year",
            Dimension::Month => "month",
            Dimension::Week => "week",
            Dimension::Day => "day",
        }
    }

    /// Parses a `--by` name.
    pub fn parse(name: &str) -> Result<Dimension> {
        match name.trim().to_ascii_lowercase().as_str() {
            "outlet" => Ok(Dimension::Outlet),
            "year" => Ok(Dimension::Year),
            "month" => Ok(Dimension::Month),
            "week" => Ok(Dimension::Week),
            "day" => Ok(Dimension::Day),
            other => Err(Error::Invalid(format!(
                "--by: '{other}' is not one of outlet, year, month, week, day"
            ))),
        }
    }

    /// An article's key in this dimension (`None`: no outlet, or undated),
    /// as a number: equal for two articles exactly when their keys are.
    fn number(self, article: &Row) -> Option<i64> {
        if self == Dimension::Outlet {
            return article.outlet.map(i64::from);
        }
        let date = DateTime::<Utc>::from_timestamp(article.date?, 0)?;
        Some(match self {
            Dimension::Year => i64::from(date.year()),
            Dimension::Month => i64::from(date.year()) * 12 + i64::from(date.month0()),
            Dimension::Week => {
                let week = date.iso_week();
                i64::from(week.year()) * 64 + i64::from(week.week())
            }
            Dimension::Day => i64::from(date.date_naive().num_days_from_ce()),
            Dimension::Outlet => unreachable!("handled above"),
        })
    }

    /// An article's key in this dimension (`None`: no outlet, or undated).
    fn key(self, article: &Row, outlets: &[String]) -> Option<String> {
        if self == Dimension::Outlet {
            return article.outlet.map(|o| outlets[o as usize].clone());
        }
        let date = DateTime::<Utc>::from_timestamp(article.date?, 0)?;
        Some(match self {
            Dimension::Year => format!("{:04}", date.year()),
            Dimension::Month => date.format("%Y-%m").to_string(),
            Dimension::Week => {
                let week = date.iso_week();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
            Dimension::Day => date.format("%Y-%m-%d").to_string(),
            Dimension::Outlet => unreachable!("handled above"),
        })
    }
}

/// Articles, passages and stories in one bucket (or in all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Matching articles.
    pub articles: u64,
    /// Matching passages.
    pub passages: u64,
    /// Distinct stories among the matching articles.
    pub stories: u64,
}

/// One bucket: its key in each dimension (`None`: undated, or no outlet)
/// and its tally.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    /// Key per dimension, in `--by` order.
    #[serde(flatten)]
    pub keys: BTreeMap<String, Option<String>>,
    /// The counts.
    #[serde(flatten)]
    pub tally: Tally,
}

/// The filters a count was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountFilters {
    /// `--since` as given.
    pub since: Option<String>,
    /// `--until` as given.
    pub until: Option<String>,
    /// `--outlet` values as given.
    pub outlets: Vec<String>,
    /// `--match`.
    #[serde(rename = "match")]
    pub match_mode: MatchMode,
}

/// The answer of `newsdex count`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountResult {
    /// The query text.
    pub query: String,
    /// The filters applied.
    pub filters: CountFilters,
    /// `--match all` found nothing, so `any` was used.
    pub relaxed: bool,
    /// The dimensions, in order.
    pub by: Vec<Dimension>,
    /// Counts over every match.
    pub total: Tally,
    /// Counts per bucket; the buckets' articles add up to the total.
    pub buckets: Vec<Bucket>,
    /// Messages about the request for stderr; not part of the JSON.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// A matching article: what bucketing needs, in numbers (see
/// [`crate::story::numbers`]).
#[derive(Debug, Clone, Copy)]
struct Row {
    article: u32,
    story: u32,
    /// Position in the matches' outlets.
    outlet: Option<u32>,
    /// Seconds since 1970, UTC.
    date: Option<i64>,
    passages: u64,
}

/// Every matching article, and the outlets its rows point into.
#[derive(Debug, Default)]
struct Matched {
    outlets: Vec<String>,
    rows: Vec<Row>,
}

/// Distinct values among `values`, each below `bound`.
fn distinct(values: impl Iterator<Item = u32>, bound: u32) -> u64 {
    let mut seen = vec![0u64; (bound as usize).div_ceil(64)];
    let mut n = 0;
    for v in values {
        let (word, bit) = (v as usize / 64, 1u64 << (v % 64));
        if seen[word] & bit == 0 {
            seen[word] |= bit;
            n += 1;
        }
    }
    n
}

/// Counts the matches of `req` (limit, offset and sort do not apply) per
/// bucket of the dimensions `by` (none: only the total).
pub fn count(searcher: &Searcher, req: &SearchRequest, by: &[Dimension]) -> Result<CountResult> {
    let numbers = searcher.story_numbers()?;
    let collector = MatchingArticles { numbers };
    let matches = searcher.collect_matches(req, collector)?;
    let Matched { outlets, rows } = match matches.titles {
        Some(titles) => collector.with_titles(matches.fruit, titles)?,
        None => matches.fruit,
    };

    let total = Tally {
        articles: rows.len() as u64,
        passages: rows.iter().map(|r| r.passages).sum(),
        stories: distinct(rows.iter().map(|r| r.story), numbers.stories),
    };
    // Buckets by their keys as numbers, each with its first article (to
    // write its keys) and its tally; stories are counted after.
    let mut list: Vec<(usize, Tally)> = Vec::new();
    if !by.is_empty() {
        let mut bucket_of: FnvHashMap<Vec<Option<i64>>, usize> = FnvHashMap::default();
        let mut stories: Vec<u64> = Vec::with_capacity(rows.len());
        let mut key = Vec::with_capacity(by.len());
        for (at, row) in rows.iter().enumerate() {
            key.clear();
            key.extend(by.iter().map(|d| d.number(row)));
            let b = match bucket_of.get(key.as_slice()) {
                Some(&b) => b,
                None => {
                    bucket_of.insert(key.clone(), list.len());
                    list.push((at, Tally::default()));
                    list.len() - 1
                }
            };
            let tally = &mut list[b].1;
            tally.articles += 1;
            tally.passages += row.passages;
            stories.push((b as u64) << 32 | u64::from(row.story));
        }
        stories.sort_unstable();
        stories.dedup();
        for pair in stories {
            list[(pair >> 32) as usize].1.stories += 1;
        }
    }
    let mut list: Vec<(Vec<Option<String>>, Tally)> = list
        .into_iter()
        .map(|(at, tally)| {
            (
                by.iter().map(|d| d.key(&rows[at], &outlets)).collect(),
                tally,
            )
        })
        .collect();

    // Outlets rank by their articles, most first; periods run in time
    // order; the bucket without a key (no outlet, undated) comes last.
    let mut outlet_articles: HashMap<Option<String>, u64> = HashMap::new();
    if let Some(i) = by.iter().position(|d| *d == Dimension::Outlet) {
        for (key, tally) in &list {
            *outlet_articles.entry(key[i].clone()).or_default() += tally.articles;
        }
    }
    list.sort_by(|(a, _), (b, _)| {
        by.iter()
            .enumerate()
            .fold(std::cmp::Ordering::Equal, |order, (i, d)| {
                order.then_with(|| {
                    let (x, y) = (&a[i], &b[i]);
                    let present = x.is_none().cmp(&y.is_none());
                    let rank = if *d == Dimension::Outlet {
                        outlet_articles[y].cmp(&outlet_articles[x])
                    } else {
                        std::cmp::Ordering::Equal
                    };
                    present.then(rank).then_with(|| x.cmp(y))
                })
            })
    });
    let buckets = list
        .into_iter()
        .map(|(key, tally)| Bucket {
            keys: by.iter().map(|d| d.name().to_string()).zip(key).collect(),
            tally,
        })
        .collect();
    Ok(CountResult {
        query: req.query.clone(),
        filters: CountFilters {
            since: req.since.clone(),
            until: req.until.clone(),
            outlets: req.outlets.clone(),
            match_mode: req.match_mode,
        },
        relaxed: matches.relaxed,
        by: by.to_vec(),
        total,
        buckets,
        notes: matches.notes,
    })
}

/// Collects every matching article with its outlet, date and number of
/// matching passages, from fast fields and the snapshot's [`StoryNumbers`].
#[derive(Clone, Copy)]
struct MatchingArticles<'a> {
    numbers: &'a StoryNumbers,
}

/// Per-segment state of [`MatchingArticles`].
struct SegmentArticles {
    ids: Option<StrColumn>,
    outlets: Option<StrColumn>,
    dates: Column<tantivy::DateTime>,
    numbers: Arc<SegmentNumbers>,
    /// Matching passages, by article id ordinal.
    passages: Vec<u32>,
    /// Each matching article's ordinal and first matching passage.
    seen: Vec<(u32, DocId)>,
}

impl Collector for MatchingArticles<'_> {
    type Fruit = Matched;
    type Child = SegmentArticles;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentArticles> {
        let fast = reader.fast_fields();
        let ids = fast.str("article_id")?;
        let numbers = self.numbers.of_segment(segment, ids.as_ref())?;
        Ok(SegmentArticles {
            passages: vec![0; numbers.articles.len()],
            ids,
            outlets: fast.str("outlet_exact")?,
            dates: fast.date("date")?,
            numbers,
            seen: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Matched>) -> tantivy::Result<Matched> {
        self.merged(fruits)
    }
}

impl MatchingArticles<'_> {
    /// The articles of `passages`, and those of `titles` (matched by their
    /// title alone) without passages: the articles `search --articles`
    /// counts.
    fn with_titles(&self, passages: Matched, mut titles: Matched) -> tantivy::Result<Matched> {
        let counted: std::collections::HashSet<u32> =
            passages.rows.iter().map(|r| r.article).collect();
        titles.rows.retain(|r| !counted.contains(&r.article));
        for row in &mut titles.rows {
            row.passages = 0;
        }
        self.merged(vec![passages, titles])
    }

    /// `fruits` as one: outlets renumbered, an article split across
    /// segments counted once.
    fn merged(&self, fruits: Vec<Matched>) -> tantivy::Result<Matched> {
        let mut all = Matched {
            outlets: Vec::new(),
            rows: Vec::with_capacity(fruits.iter().map(|f| f.rows.len()).sum()),
        };
        let mut outlet_at: HashMap<String, u32> = HashMap::new();
        // An article's passages may lie in several segments: it is counted
        // once, with the outlet and date of its first.
        let mut article_at: FnvHashMap<u32, usize> = FnvHashMap::default();
        for fruit in fruits {
            let outlets: Vec<u32> = fruit
                .outlets
                .into_iter()
                .map(|o| {
                    let next = all.outlets.len() as u32;
                    *outlet_at.entry(o).or_insert_with_key(|o| {
                        all.outlets.push(o.clone());
                        next
                    })
                })
                .collect();
            for mut row in fruit.rows {
                row.outlet = row.outlet.map(|o| outlets[o as usize]);
                if self.numbers.is_split(row.article) {
                    if let Some(&at) = article_at.get(&row.article) {
                        all.rows[at].passages += row.passages;
                        continue;
                    }
                    article_at.insert(row.article, all.rows.len());
                }
                all.rows.push(row);
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentArticles {
    type Fruit = Matched;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(ord) = self.ids.as_ref().and_then(|ids| ids.term_ords(doc).next()) else {
            return;
        };
        let Some(passages) = self.passages.get_mut(ord as usize) else {
            return;
        };
        if *passages == 0 {
            self.seen.push((ord as u32, doc));
        }
        *passages += 1;
    }

    fn harvest(self) -> Matched {
        let mut outlet_at: FnvHashMap<u64, u32> = FnvHashMap::default();
        let mut outlets = Vec::new();
        let mut name = String::new();
        let rows = self
            .seen
            .iter()
            .map(|&(ord, doc)| {
                let outlet = self.outlets.as_ref().and_then(|column| {
                    let o = column.term_ords(doc).next()?;
                    if let Some(&at) = outlet_at.get(&o) {
                        return Some(at);
                    }
                    column.ord_to_str(o, &mut name).ok()?;
                    outlets.push(name.clone());
                    let at = outlets.len() as u32 - 1;
                    outlet_at.insert(o, at);
                    Some(at)
                });
                let ord = ord as usize;
                Row {
                    article: self.numbers.articles[ord],
                    story: self.numbers.stories[ord],
                    outlet,
                    date: self.dates.first(doc).map(|d| d.into_timestamp_secs()),
                    passages: u64::from(self.passages[ord]),
                }
            })
            .collect();
        Matched { outlets, rows }
    }
}

/// The counts `search --facets` adds to a result: by outlet and by month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    /// Buckets by outlet.
    pub outlet: Vec<Bucket>,
    /// Buckets by month.
    pub month: Vec<Bucket>,
}

/// The facets of `req`'s matches.
pub fn facets(searcher: &Searcher, req: &SearchRequest) -> Result<Facets> {
    Ok(Facets {
        outlet: count(searcher, req, &[Dimension::Outlet])?.buckets,
        month: count(searcher, req, &[Dimension::Month])?.buckets,
    })
}
