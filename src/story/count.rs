//! Counts: how many articles, passages and distinct stories (copies of one
//! story counted once) match a search request, per outlet and per period.
//! The matches are those of [`Searcher::collect_matches`], so `count` uses
//! exactly the query parsing and filters of `search`; a collector reads
//! each match's article, outlet and date from fast fields, so counts are
//! exact. Undated articles (and articles with no outlet) are a bucket of
//! their own, never dropped.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::error::{Error, Result};
use crate::query::MatchMode;
use crate::search::{SearchRequest, Searcher};
use crate::story::groups::Groups;

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

    /// An article's key in this dimension (`None`: no outlet, or undated).
    fn key(self, article: &Matched) -> Option<String> {
        if self == Dimension::Outlet {
            return article.outlet.clone();
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

/// A matching article: what bucketing needs.
#[derive(Debug, Clone)]
struct Matched {
    outlet: Option<String>,
    date: Option<i64>,
    passages: u64,
}

/// Counts the matches of `req` (limit, offset and sort do not apply) per
/// bucket of the dimensions `by` (none: only the total).
pub fn count(
    searcher: &Searcher,
    groups: &Groups,
    req: &SearchRequest,
    by: &[Dimension],
) -> Result<CountResult> {
    let matches = searcher.collect_matches(req, &MatchingArticles)?;
    let articles = matches.fruit;
    let story = |id: &str| {
        groups
            .of(id)
            .map_or_else(|| id.to_string(), |g| g.group.clone())
    };

    let mut total = Tally::default();
    let mut all_stories = HashSet::new();
    let mut buckets: HashMap<Vec<Option<String>>, (Tally, HashSet<String>)> = HashMap::new();
    for (id, article) in &articles {
        total.articles += 1;
        total.passages += article.passages;
        all_stories.insert(story(id));
        if by.is_empty() {
            continue;
        }
        let key: Vec<Option<String>> = by.iter().map(|d| d.key(article)).collect();
        let (tally, stories) = buckets.entry(key).or_default();
        tally.articles += 1;
        tally.passages += article.passages;
        stories.insert(story(id));
    }
    total.stories = all_stories.len() as u64;

    // Outlets rank by their articles, most first; periods run in time
    // order; the bucket without a key (no outlet, undated) comes last.
    let mut outlet_articles: HashMap<Option<String>, u64> = HashMap::new();
    if let Some(i) = by.iter().position(|d| *d == Dimension::Outlet) {
        for (key, (tally, _)) in &buckets {
            *outlet_articles.entry(key[i].clone()).or_default() += tally.articles;
        }
    }
    let mut list: Vec<(Vec<Option<String>>, Tally)> = buckets
        .into_iter()
        .map(|(key, (mut tally, stories))| {
            tally.stories = stories.len() as u64;
            (key, tally)
        })
        .collect();
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
/// matching passages, from fast fields.
struct MatchingArticles;

/// Per-segment state of [`MatchingArticles`].
struct SegmentArticles {
    ids: Option<StrColumn>,
    outlets: Option<StrColumn>,
    dates: Column<tantivy::DateTime>,
    /// Article id ordinal → (first matching doc, matching passages).
    seen: HashMap<u64, (DocId, u64)>,
}

impl Collector for MatchingArticles {
    type Fruit = HashMap<String, Matched>;
    type Child = SegmentArticles;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentArticles> {
        let fast = reader.fast_fields();
        Ok(SegmentArticles {
            ids: fast.str("article_id")?,
            outlets: fast.str("outlet_exact")?,
            dates: fast.date("date")?,
            seen: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<HashMap<String, Matched>>,
    ) -> tantivy::Result<HashMap<String, Matched>> {
        let mut all: HashMap<String, Matched> = HashMap::new();
        for (id, article) in fruits.into_iter().flatten() {
            // An article's passages may lie in several segments.
            match all.get_mut(&id) {
                Some(kept) => kept.passages += article.passages,
                None => {
                    all.insert(id, article);
                }
            }
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentArticles {
    type Fruit = HashMap<String, Matched>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let Some(ord) = self.ids.as_ref().and_then(|ids| ids.term_ords(doc).next()) else {
            return;
        };
        self.seen.entry(ord).or_insert((doc, 0)).1 += 1;
    }

    fn harvest(self) -> HashMap<String, Matched> {
        let Some(ids) = self.ids else {
            return HashMap::new();
        };
        let (mut id, mut outlet) = (String::new(), String::new());
        let mut out = HashMap::with_capacity(self.seen.len());
        for (ord, (doc, passages)) in self.seen {
            if ids.ord_to_str(ord, &mut id).is_err() {
                continue;
            }
            let outlet = self.outlets.as_ref().and_then(|o| {
                let ord = o.term_ords(doc).next()?;
                o.ord_to_str(ord, &mut outlet).ok()?;
                Some(outlet.clone())
            });
            let date = self.dates.first(doc).map(|d| d.into_timestamp_secs());
            out.insert(
                id.clone(),
                Matched {
                    outlet,
                    date,
                    passages,
                },
            );
        }
        out
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
pub fn facets(searcher: &Searcher, groups: &Groups, req: &SearchRequest) -> Result<Facets> {
    Ok(Facets {
        outlet: count(searcher, groups, req, &[Dimension::Outlet])?.buckets,
        month: count(searcher, groups, req, &[Dimension::Month])?.buckets,
    })
}
