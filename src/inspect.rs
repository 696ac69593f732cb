//! Looking inside the index: `stats` (what it holds) and `show` (one
//! article or passage with its metadata, to read a hit in context).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocSet, TantivyDocument, Term, TERMINATED};

use crate::article::{Notes, Truncation};
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
    /// The source holds only the start of the text; null when it holds it whole.
    pub truncated: Option<Truncation>,
    /// When a web archive captured the page (RFC 3339 UTC); null when the
    /// article does not come from a web archive.
    pub captured: Option<String>,
    /// Passages in article order (one, when a passage was asked for).
    pub passages: Vec<PassageRef>,
    /// The article's copy group, `None` when it has no copies.
    pub copies: Option<crate::story::listing::CopyGroup>,
    /// A word for the user when the target could be read two ways.
    #[serde(skip)]
    pub note: Option<String>,
}

/// Finds what `target` names, in this order: an article id (`ID`); one
/// passage (`ID#N`); a place in a source file as search prints it
/// (`FILE:LINE`: the JSON Lines record on that line, or the passage of a
/// file's article where that line falls), or one passage there
/// (`FILE:LINE#N`). Ids may hold `#`, `:`, spaces and slashes: an exact id
/// always wins, with a note when the target also reads as a passage.
pub fn show(searcher: &Searcher, target: &str) -> Result<Shown> {
    let passage_form = target
        .rsplit_once('#')
        .and_then(|(id, n)| Some((id.trim_end(), n.parse::<u64>().ok()?)));
    if let Some(mut shown) = article(searcher, target, None)? {
        if let Some((id, n)) = passage_form {
            if article(searcher, id, Some(n))?.is_some() {
                shown.note = Some(format!(
                    "'{target}' is an article id, shown here; passage #{n} of article '{id}' is in `newsdex show '{id}'`"
                ));
            }
        }
        if let Some((other, _)) = at_location(searcher, target)? {
            if other != target {
                shown.note = Some(format!(
                    "'{target}' is an article id, shown here; the record on that line is article '{other}'"
                ));
            }
        }
        return Ok(shown);
    }
    if let Some((id, n)) = passage_form {
        if let Some(shown) = article(searcher, id, Some(n))? {
            return Ok(shown);
        }
        if let Some((found, _)) = at_location(searcher, id)? {
            if let Some(shown) = article(searcher, &found, Some(n))? {
                return Ok(shown);
            }
            return Err(no_passage(&found, n));
        }
        if article(searcher, id, None)?.is_some() {
            return Err(no_passage(id, n));
        }
    }
    if let Some((found, passage)) = at_location(searcher, target)? {
        if let Some(shown) = article(searcher, &found, passage)? {
            return Ok(shown);
        }
    }
    // A TREC docid, whose whitespace is written `%XX`.
    if let Some(id) = crate::output::id_of_trec_field(target) {
        return show(searcher, &id);
    }
    Err(Error::Invalid(format!(
        "no article '{target}' in the index (show takes what search prints: an article id such as corpus/file.txt or a record's id, ID#N for one passage, FILE:LINE, or a TREC docid)"
    )))
}

fn no_passage(id: &str, n: u64) -> Error {
    Error::Invalid(format!("article '{id}' has no passage #{n}"))
}

/// The article at `FILE:LINE`, and for a file's own article (many lines)
/// the passage where that line falls: the last passage starting at or
/// before it.
fn at_location(searcher: &Searcher, target: &str) -> Result<Option<(String, Option<u64>)>> {
    let Some((source, line)) = target
        .rsplit_once(':')
        .and_then(|(source, line)| Some((source, line.parse::<u64>().ok()?)))
    else {
        return Ok(None);
    };
    let f = &searcher.store().fields;
    let snapshot = searcher.tantivy_searcher();
    // A file's own article (its id is its path) is the only one of its
    // source; a record's passages all carry the record's line, so its first
    // passage is enough.
    let own_article = snapshot.doc_freq(&Term::from_field_text(f.article_id, source))? > 0;
    let term = Term::from_field_text(f.source, source);
    let mut best: Option<(u64, u64)> = None;
    for (ordinal, segment) in snapshot.segment_readers().iter().enumerate() {
        let postings = segment
            .inverted_index(f.source)?
            .read_postings(&term, IndexRecordOption::Basic)?;
        let Some(mut postings) = postings else {
            continue;
        };
        let passages = segment.fast_fields().u64("passage")?;
        let alive = segment.alive_bitset();
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let live = alive.is_none_or(|a| a.is_alive(doc));
            if live && (own_article || passages.first(doc) == Some(0)) {
                let stored: TantivyDocument = snapshot.doc(DocAddress::new(ordinal as u32, doc))?;
                let (a, p) = read_passage(f, &stored);
                let at = p.line.unwrap_or(0);
                if own_article {
                    if at <= line && best.is_none_or(|(b, _)| at >= b) {
                        best = Some((at, p.index));
                    }
                } else if p.line == Some(line) {
                    return Ok(Some((a.id, None)));
                }
            }
            doc = postings.advance();
        }
    }
    if own_article {
        // Before the first passage (a headline line): the first passage.
        let passage = best.map_or(0, |(_, passage)| passage);
        return Ok(Some((source.to_owned(), Some(passage))));
    }
    Ok(None)
}

/// Article `id`, whole or only passage `passage`. Should an index made by
/// an older newsdex hold one id from two sources, the first source's
/// article is shown.
fn article(searcher: &Searcher, id: &str, passage: Option<u64>) -> Result<Option<Shown>> {
    let f = &searcher.store().fields;
    let snapshot = searcher.tantivy_searcher();
    let query = TermQuery::new(
        Term::from_field_text(f.article_id, id),
        IndexRecordOption::Basic,
    );
    let found = snapshot.search(&query, &TopDocs::with_limit(100_000).order_by_score())?;
    let mut passages = Vec::new();
    let mut attribution: Option<(ArticleRef, Option<String>, Notes)> = None;
    for (_, address) in found {
        let doc: TantivyDocument = snapshot.doc(address)?;
        let (article, p) = read_passage(f, &doc);
        match &attribution {
            None => {
                let origins = doc
                    .get_first(f.origins)
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                let notes: Notes = doc
                    .get_first(f.notes)
                    .and_then(|v| v.as_str())
                    .and_then(|json| serde_json::from_str(json).ok())
                    .unwrap_or_default();
                attribution = Some((article, origins, notes));
            }
            Some((first, _, _)) if first.path != article.path => continue,
            Some(_) => {}
        }
        if passage.is_none_or(|n| n == p.index) {
            passages.push(p);
        }
    }
    let Some((article, origins, notes)) = attribution else {
        return Ok(None);
    };
    if passages.is_empty() {
        return Ok(None);
    }
    passages.sort_by_key(|p| p.index);
    Ok(Some(Shown {
        article,
        origins,
        truncated: notes.truncated,
        captured: notes.captured,
        passages,
        copies: None,
        note: None,
    }))
}
