//! Looking inside the index: `stats` (what it holds) and `show` (one
//! article or passage with its metadata, to read a hit in context).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::schema::SCHEMA_VERSION;
use crate::search::{format_date, read_passage, ArticleRef, PassageRef, Searcher};

/// Articles of one outlet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutletCount {
    /// Outlet name.
    pub outlet: String,
    /// Articles from it.
    pub articles: u64,
}

/// First and last publication dates, RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// Earliest date.
    pub first: String,
    /// Latest date.
    pub last: String,
}

/// What an index holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Index folder.
    pub index: String,
    /// Schema version of the index.
    pub schema_version: u32,
    /// Articles.
    pub articles: u64,
    /// Passages.
    pub passages: u64,
    /// Articles per outlet, most first.
    pub outlets: Vec<OutletCount>,
    /// Date range of dated articles.
    pub date_range: Option<DateRange>,
    /// Articles without a date.
    pub undated: u64,
    /// Articles without an outlet.
    pub unattributed: u64,
    /// Size of the index folder on disk, in bytes.
    pub index_bytes: u64,
}

/// Counts articles, passages, outlets and dates in the index.
pub fn stats(searcher: &Searcher) -> Result<Stats> {
    let snapshot = searcher.tantivy_searcher();
    let mut stats = Stats {
        index: searcher.store().dir.display().to_string(),
        schema_version: SCHEMA_VERSION,
        articles: 0,
        passages: 0,
        outlets: Vec::new(),
        date_range: None,
        undated: 0,
        unattributed: 0,
        index_bytes: folder_size(&searcher.store().dir),
    };
    let mut outlets: BTreeMap<String, u64> = BTreeMap::new();
    let (mut first, mut last) = (None, None);
    for segment in snapshot.segment_readers() {
        let fast = segment.fast_fields();
        let passage = fast.u64("passage")?;
        let dates = fast.date("date")?;
        let outlet = fast.str("outlet_exact")?;
        let mut name = String::new();
        for doc in segment.doc_ids_alive() {
            stats.passages += 1;
            if passage.first(doc) != Some(0) {
                continue;
            }
            stats.articles += 1;
            match dates.first(doc) {
                Some(d) => {
                    first = Some(first.map_or(d, |f: tantivy::DateTime| f.min(d)));
                    last = Some(last.map_or(d, |l: tantivy::DateTime| l.max(d)));
                }
                None => stats.undated += 1,
            }
            match outlet
                .as_ref()
                .and_then(|o| o.term_ords(doc).next().map(|ord| (o, ord)))
            {
                Some((column, ord)) => {
                    column.ord_to_str(ord, &mut name)?;
                    *outlets.entry(name.clone()).or_default() += 1;
                }
                None => stats.unattributed += 1,
            }
        }
    }
    stats.outlets = outlets
        .into_iter()
        .map(|(outlet, articles)| OutletCount { outlet, articles })
        .collect();
    stats
        .outlets
        .sort_by(|a, b| b.articles.cmp(&a.articles).then(a.outlet.cmp(&b.outlet)));
    if let (Some(first), Some(last)) = (first, last) {
        stats.date_range = Some(DateRange {
            first: format_date(first),
            last: format_date(last),
        });
    }
    Ok(stats)
}

fn folder_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// An article (or one of its passages) with its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shown {
    /// Attribution.
    pub article: ArticleRef,
    /// Where each metadata value came from (`field=origin,...`).
    pub origins: Option<String>,
    /// Passages in article order (one, when a passage was asked for).
    pub passages: Vec<PassageRef>,
    /// The article's copy group, `None` when it has no copies.
    pub copies: Option<crate::story::listing::CopyGroup>,
}

/// Finds `ID` (a whole article) or `ID#N` (one passage).
pub fn show(searcher: &Searcher, target: &str) -> Result<Shown> {
    if let Some(shown) = article(searcher, target, None)? {
        return Ok(shown);
    }
    if let Some((id, n)) = target.rsplit_once('#') {
        if let Ok(n) = n.parse::<u64>() {
            if let Some(shown) = article(searcher, id, Some(n))? {
                return Ok(shown);
            }
            if article(searcher, id, None)?.is_some() {
                return Err(Error::Invalid(format!(
                    "article '{id}' has no passage #{n}"
                )));
            }
        }
    }
    Err(Error::Invalid(format!(
        "no article '{target}' in the index (ids are as printed by search, e.g. corpus/file.txt or corpus/file.txt#2)"
    )))
}

fn article(searcher: &Searcher, id: &str, passage: Option<u64>) -> Result<Option<Shown>> {
    let f = &searcher.store().fields;
    let snapshot = searcher.tantivy_searcher();
    let query = TermQuery::new(
        Term::from_field_text(f.article_id, id),
        IndexRecordOption::Basic,
    );
    let found = snapshot.search(&query, &TopDocs::with_limit(100_000).order_by_score())?;
    let mut passages = Vec::new();
    let mut attribution = None;
    for (_, address) in found {
        let doc: TantivyDocument = snapshot.doc(address)?;
        let (article, p) = read_passage(f, &doc);
        if attribution.is_none() {
            let origins = doc
                .get_first(f.origins)
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            attribution = Some((article, origins));
        }
        if passage.is_none_or(|n| n == p.index) {
            passages.push(p);
        }
    }
    let Some((article, origins)) = attribution else {
        return Ok(None);
    };
    if passages.is_empty() {
        return Ok(None);
    }
    passages.sort_by_key(|p| p.index);
    Ok(Some(Shown {
        article,
        origins,
        passages,
        copies: None,
    }))
}
