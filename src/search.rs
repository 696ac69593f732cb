//! Searching: a request (query text and filters) becomes ranked hits, each
//! a passage with its article's attribution and highlight ranges. The
//! result types here are the public JSON contract (see README).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::ops::Bound;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, ConstScoreQuery, EnableScoring, ExistsQuery, Occur,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field as SchemaField, IndexRecordOption, Value};
use tantivy::{DocAddress, IndexReader, Order, TantivyDocument, Term};

use crate::analysis;
use crate::collect::{ArticleBest, ArticleEvidence, ArticleTexts, BestPerArticle};
use crate::date::{self, Bound as DateBound, Precision};
use crate::deadline::{Deadline, DeadlineQuery};
use crate::error::{Error, Result};
use crate::explain::{self, Explain};
use crate::index::Store;
use crate::outlet;
use crate::query::{limits, parse, BestOf, Compiled, Expr, MatchMode, QueryBuilder};
use crate::schema::Fields;
use crate::story::numbers::{MatchingStories, StoryBits, StoryNumbers};

/// Weight of an article's whole-text BM25 (its passages as one text, and
/// its title) added to its best passage's score with `--articles` (Callan
/// 1994; see docs/ranking.md).
const ARTICLE_WEIGHT: f32 = 0.5;

/// Memory for decompressed blocks of stored passages, shared by the segments.
const DOC_CACHE_BYTES: usize = 64 * 1024 * 1024;

/// Order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Latest article first; undated last.
    Newest,
    /// Earliest article first; undated last.
    Oldest,
}

/// One search to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// The query text.
    pub query: String,
    /// Caller's id for the query (batch, TREC output).
    pub query_id: Option<String>,
    /// Take the query as plain words: no operators, quotes or fields.
    pub plain: bool,
    /// How bare words combine.
    pub match_mode: MatchMode,
    /// Earliest date, inclusive (`YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a datetime).
    pub since: Option<String>,
    /// Latest date, inclusive of the whole period given.
    pub until: Option<String>,
    /// Outlets to keep, as users type them (see [`crate::outlet`]); empty keeps all.
    pub outlets: Vec<String>,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip first.
    pub offset: usize,
    /// Order of hits.
    pub sort: Sort,
    /// One hit per article (its best passage).
    pub articles: bool,
    /// Compute highlight ranges (formats that show no highlights skip the work).
    pub highlight: bool,
    /// Read each hit's passage and attribution from the index's store, and
    /// its copy group. Without it a hit holds only its article id and
    /// passage number (read from fast fields), which is all TREC runs and
    /// evaluation need, and several times faster.
    pub stored: bool,
    /// Count every match for `total_hits`. Without it (formats that do not
    /// show the count) the best hits of a term query are found without
    /// scoring every match, and `total_hits` is only the hits before and on
    /// the page.
    pub count: bool,
    /// How long the search may take; past it, it stops with
    /// [`Error::Timeout`]. `None`: no limit.
    #[serde(default)]
    pub timeout: Option<Duration>,
    /// Explain each hit's score ([`Hit::explain`]): computed for the hits
    /// returned only.
    #[serde(default)]
    pub explain: bool,
    /// Look for close spellings of the query's words that the passages
    /// hold, for [`SearchResult::suggestions`] (not with `plain`).
    #[serde(default)]
    pub suggest: bool,
    /// With `count`: count the distinct stories among the matches as they
    /// are walked, for [`SearchResult::stories`] (left `None` when the
    /// answer relaxed the query or fell back to titles).
    #[serde(default)]
    pub stories: bool,
}

/// A date filter's `[since, until)` instants; `None` leaves that side open.
pub type DateBounds = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

impl SearchRequest {
    /// The date filter as `[since, until)` instants.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the flag when `since` or `until` is not a date.
    pub fn date_bounds(&self) -> Result<DateBounds> {
        let bound = |text: &Option<String>, which: DateBound, flag: &str| {
            text.as_deref()
                .map(|t| date::parse_filter_bound(t, which))
                .transpose()
                .map_err(|e| Error::Invalid(format!("{flag}: {e}")))
        };
        Ok((
            bound(&self.since, DateBound::Since, "--since")?,
            bound(&self.until, DateBound::Until, "--until")?,
        ))
    }
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            query_id: None,
            plain: false,
            match_mode: MatchMode::All,
            since: None,
            until: None,
            outlets: Vec::new(),
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            articles: false,
            highlight: true,
            stored: true,
            count: true,
            timeout: None,
            explain: false,
            suggest: false,
            stories: false,
        }
    }
}

/// The filters a result was computed with, echoed in the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filters {
    /// `--since` as given.
    pub since: Option<String>,
    /// `--until` as given.
    pub until: Option<String>,
    /// `--outlet` values.
    pub outlets: Vec<String>,
    /// `--match`.
    #[serde(rename = "match")]
    pub match_mode: MatchMode,
    /// `--sort`.
    pub sort: Sort,
    /// `--articles`.
    pub articles: bool,
    /// `--limit`.
    pub limit: usize,
    /// `--offset`.
    pub offset: usize,
}

/// The answer to one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// Caller's id for the query.
    pub query_id: Option<String>,
    /// The query text.
    pub query: String,
    /// The filters applied.
    pub filters: Filters,
    /// Passages (or articles, with `--articles`) that matched, before limit and offset.
    pub total_hits: u64,
    /// Distinct stories among the matches: articles, with the copies of one
    /// story counted once (`None` where not computed: batch runs).
    #[serde(default)]
    pub stories: Option<u64>,
    /// With `search --facets`: counts by outlet and by month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facets: Option<crate::story::count::Facets>,
    /// `--match all` found nothing, so its bare words were relaxed to `any`
    /// (phrases, fields, `+word` and groups stay required).
    pub relaxed: bool,
    /// No passage holds what the query asks for, and the hits are articles
    /// whose title does, each shown by its first passage.
    pub title_only: bool,
    /// When nothing matched: the parts of the query the user insisted on (a
    /// phrase, a field, `+word`, a group) that match no passage on their
    /// own, as written in the query.
    pub unmatched: Vec<String>,
    /// Time spent on this query, in milliseconds.
    pub took_ms: f64,
    /// Undated articles that matched but that a date filter left out.
    pub excluded_undated: u64,
    /// What the search left out to keep its work bounded (words past the
    /// limit of a query, a prefix's rarer words), one message each.
    pub warnings: Vec<String>,
    /// Close spellings of the query's words that the passages hold and the
    /// query does not search (likely misspellings or variants; `word~`
    /// searches them). Only for a request with `suggest`.
    #[serde(default)]
    pub suggestions: Vec<crate::query::fuzzy::Suggestion>,
    /// The hits, best first.
    pub hits: Vec<Hit>,
    /// Messages about the request for stderr (an `--outlet` that matches no
    /// outlet, and the close ones); not part of the JSON.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// A ranked passage with its article's attribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Caller's id for the query.
    pub query_id: Option<String>,
    /// The query text.
    pub query: String,
    /// 1-based rank, counting the offset.
    pub rank: usize,
    /// Relevance score (BM25 with proximity and title boosts).
    pub score: f32,
    /// Where the passage comes from.
    pub article: ArticleRef,
    /// The passage.
    pub passage: PassageRef,
    /// With `--sort newest|oldest`: the rank of the first hit shown, from
    /// another article, on the same UTC day as this one when this one is
    /// known only to the day, so the dates cannot say which came first.
    pub same_day_as: Option<usize>,
    /// The passage does not hold what the query asks for; its article's
    /// title does, and the passage is the article's first.
    pub title_match: bool,
    /// The copy group of the hit's article, `None` when it has no copies
    /// (see [`crate::story`]).
    #[serde(default)]
    pub copies: Option<CopiesRef>,
    /// With `search --explain`: how the score was made, each node the sum
    /// of its parts (see [`crate::explain`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explain>,
    /// Copies of this hit that search folded into it (`--collapse`), best
    /// first; the human format names their outlets. Not part of the JSON.
    #[serde(skip)]
    pub folded: Vec<ArticleRef>,
}

/// An article's copy group, as a hit shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopiesRef {
    /// Group id.
    pub group: String,
    /// Articles in the group, this one included.
    pub count: usize,
    /// The group's original: its earliest-dated article.
    pub original: String,
}

/// What lets a reader find and cite the original article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleRef {
    /// Article id.
    pub id: String,
    /// Outlet.
    pub outlet: Option<String>,
    /// Publication date, RFC 3339 UTC (midnight for a date known only to the day).
    pub date: Option<String>,
    /// How much of the date is known: `day` or `time`.
    pub date_precision: Option<Precision>,
    /// The time as published, RFC 3339 with its offset; `None` when only the
    /// day, or no offset, is known.
    pub date_local: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Byline.
    pub author: Option<String>,
    /// URL.
    pub url: Option<String>,
    /// Source file.
    pub path: Option<String>,
}

/// A passage of an article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageRef {
    /// 0-based ordinal in the article.
    pub index: u64,
    /// The passage text, exactly `body[start..end]`.
    pub text: String,
    /// Byte offset of the passage in the article body.
    pub start: u64,
    /// Byte offset after the passage in the article body.
    pub end: u64,
    /// 1-based line in the source file where the passage starts.
    pub line: Option<u64>,
    /// Byte ranges in `text` that matched the query.
    pub highlights: Vec<[usize; 2]>,
}

/// Formats a stored date as RFC 3339 UTC.
pub fn format_date(date: tantivy::DateTime) -> String {
    DateTime::<Utc>::from_timestamp(date.into_timestamp_secs(), 0)
        .map(date::rfc3339_utc)
        .unwrap_or_default()
}

/// A stored date's local time, RFC 3339 with its offset, when it has a
/// time and an offset.
fn local_date(
    date: tantivy::DateTime,
    precision: Option<Precision>,
    offset_seconds: Option<i64>,
) -> Option<String> {
    let utc = DateTime::<Utc>::from_timestamp(date.into_timestamp_secs(), 0)?;
    let offset = chrono::FixedOffset::east_opt(i32::try_from(offset_seconds?).ok()?)?;
    let published = date::Published {
        utc,
        precision: precision?,
        offset: Some(offset),
    };
    published.local().map(date::rfc3339_local)
}

/// A stored text field's first value.
fn text_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Reads an article's attribution and one passage from a stored document.
pub fn read_passage(f: &Fields, doc: &TantivyDocument) -> (ArticleRef, PassageRef) {
    let number = |field| doc.get_first(field).and_then(|v| v.as_u64());
    let date = doc.get_first(f.date).and_then(|v| v.as_datetime());
    let precision = date.and_then(|_| {
        text_of(doc, f.date_precision)
            .and_then(|p| Precision::from_name(&p))
            .or(Some(Precision::Day))
    });
    let offset = doc.get_first(f.date_offset).and_then(|v| v.as_i64());
    let article = ArticleRef {
        id: text_of(doc, f.article_id).unwrap_or_default(),
        outlet: text_of(doc, f.outlet),
        date: date.map(format_date),
        date_precision: precision,
        date_local: date.and_then(|d| local_date(d, precision, offset)),
        title: text_of(doc, f.title),
        author: text_of(doc, f.author),
        url: text_of(doc, f.url),
        path: text_of(doc, f.source),
    };
    let passage = PassageRef {
        index: number(f.passage).unwrap_or_default(),
        text: text_of(doc, f.body).unwrap_or_default(),
        start: number(f.start).unwrap_or_default(),
        end: number(f.end).unwrap_or_default(),
        line: number(f.line),
        highlights: Vec::new(),
    };
    (article, passage)
}

/// A segment's article ids and passage numbers, read from fast fields for
/// hits that need nothing else (TREC runs, evaluation): no stored document
/// is decompressed. The columns open on the segment's first such hit. An
/// id is looked up in the column's dictionary, which scans part of a block;
/// once a segment has answered enough look-ups to have scanned about its
/// whole dictionary, the dictionary is decoded once and kept.
#[derive(Default)]
struct SegmentIds {
    columns: OnceLock<(StrColumn, Column<u64>)>,
    lookups: AtomicUsize,
    decoded: OnceLock<DecodedIds>,
}

/// Every article id of a segment's dictionary, in ordinal order, end to end.
#[derive(Default)]
pub(crate) struct DecodedIds {
    text: String,
    ends: Vec<usize>,
}

impl DecodedIds {
    /// Decodes the dictionary of `ids`.
    pub(crate) fn read(ids: &StrColumn) -> io::Result<DecodedIds> {
        let mut decoded = DecodedIds {
            text: String::new(),
            ends: Vec::with_capacity(ids.num_terms()),
        };
        let mut stream = ids.dictionary().stream()?;
        while stream.advance() {
            decoded
                .text
                .push_str(&String::from_utf8_lossy(stream.key()));
            decoded.ends.push(decoded.text.len());
        }
        Ok(decoded)
    }

    /// Ids in the dictionary.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The id of ordinal `ord`.
    pub(crate) fn get(&self, ord: u64) -> Option<&str> {
        let ord = usize::try_from(ord).ok()?;
        let end = *self.ends.get(ord)?;
        let start = ord.checked_sub(1).map_or(0, |before| self.ends[before]);
        Some(&self.text[start..end])
    }
}

/// Look-ups of ids in one segment that scan about as much of its dictionary
/// as decoding all of it: a look-up scans half a block of some hundreds of ids.
const LOOKUPS_PER_DICTIONARY_ID: usize = 256;

impl SegmentIds {
    /// The hit's article (its id alone) and passage (its number alone).
    fn read(
        &self,
        segment: &tantivy::SegmentReader,
        doc: tantivy::DocId,
    ) -> Result<(ArticleRef, PassageRef)> {
        let (ids, passages) = match self.columns.get() {
            Some(columns) => columns,
            None => {
                let fast = segment.fast_fields();
                let ids = fast
                    .str("article_id")?
                    .ok_or_else(|| Error::Invalid("the index has no article id column".into()))?;
                let passages = fast.u64("passage")?;
                self.columns.get_or_init(|| (ids, passages))
            }
        };
        let mut id = String::new();
        if let Some(ord) = ids.term_ords(doc).next() {
            let decoded = match self.decoded.get() {
                Some(decoded) => Some(decoded),
                None => {
                    let lookups = self.lookups.fetch_add(1, AtomicOrdering::Relaxed);
                    if lookups * LOOKUPS_PER_DICTIONARY_ID >= ids.num_terms() {
                        // Should decoding fail, the look-ups go on one by one.
                        Some(
                            self.decoded
                                .get_or_init(|| DecodedIds::read(ids).unwrap_or_default()),
                        )
                    } else {
                        None
                    }
                }
            };
            match decoded.and_then(|d| d.get(ord)) {
                Some(found) => id.push_str(found),
                None => {
                    ids.ord_to_str(ord, &mut id)?;
                }
            }
        }
        let article = ArticleRef {
            id,
            outlet: None,
            date: None,
            date_precision: None,
            date_local: None,
            title: None,
            author: None,
            url: None,
            path: None,
        };
        let passage = PassageRef {
            index: passages.first(doc).unwrap_or_default(),
            text: String::new(),
            start: 0,
            end: 0,
            line: None,
            highlights: Vec::new(),
        };
        Ok((article, passage))
    }
}

/// A page of matches before they are turned into hits.
struct Page {
    total: u64,
    docs: Vec<(f32, DocAddress)>,
    /// The matches' stories, when the request counts them.
    stories: Option<StoryBits>,
}

/// A request's parsed query and filters.
struct Prepared {
    expr: crate::query::Expr,
    date_filter: Option<Box<dyn Query>>,
    outlet_filter: Option<Box<dyn Query>>,
    notes: Vec<String>,
    /// What bounding the query's work cut from it (see [`limits`]).
    warnings: Vec<String>,
}

impl Prepared {
    /// `text` with the filters (the date filter only when `dates`); the
    /// query alone when no filter applies, so that a plain union of terms
    /// can skip the matches that cannot reach the page.
    fn filtered(&self, text: &dyn Query, dates: bool) -> Box<dyn Query> {
        let filters: Vec<_> = [
            self.date_filter.as_ref().filter(|_| dates),
            self.outlet_filter.as_ref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if filters.is_empty() {
            return text.box_clone();
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text.box_clone())];
        for filter in filters {
            clauses.push((
                Occur::Must,
                Box::new(ConstScoreQuery::new(filter.box_clone(), 0.0)),
            ));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// What [`Searcher::collect_matches`] found.
pub struct Matches<T> {
    /// The collector's result.
    pub fruit: T,
    /// The collector's result over the first passages of the articles
    /// whose title matches (what `--articles` adds to the passages' hits);
    /// `None` when the query has no part a title can match.
    pub titles: Option<T>,
    /// `--match all` found nothing, so `any` was used.
    pub relaxed: bool,
    /// Messages about the request for stderr (see [`SearchResult::notes`]).
    pub notes: Vec<String>,
}

/// The whole-article evidence (see [`ArticleEvidence`]) of the articles of
/// some passages.
struct WholeArticles<'a> {
    evidence: ArticleEvidence,
    texts: &'a ArticleTexts,
    /// For each passage asked about, its article's place among those
    /// scored (`None`: no live article).
    found: Vec<Option<usize>>,
}

/// Answers queries against one index. Cheap to share across threads.
pub struct Searcher {
    store: Store,
    reader: IndexReader,
    /// By segment ordinal of the reader's (never reloaded) snapshot.
    segment_ids: Vec<SegmentIds>,
    /// The index's copy groups, read on first use.
    copy_groups: OnceLock<crate::story::groups::Groups>,
    /// Article and story numbers of the snapshot, made on first use.
    story_numbers: OnceLock<StoryNumbers>,
    /// The snapshot's articles as whole texts, made on first use.
    article_texts: OnceLock<ArticleTexts>,
    /// The close spellings of the query words searched so far.
    hints: crate::query::fuzzy::Hints,
}

impl Searcher {
    /// Opens the index in `dir` for searching.
    pub fn open(dir: &Path) -> Result<Searcher> {
        // A batch sees one snapshot of the index, with decompressed blocks of
        // stored passages kept for the next hits within a fixed memory budget.
        let (store, reader) = Store::open_reading(dir, |index, builder| {
            let segments = index
                .searchable_segment_metas()
                .map_or(1, |m| m.len().max(1));
            // The index's own block size: an index made before a change of it keeps its own.
            let block_bytes = index.settings().docstore_blocksize.max(1);
            builder.doc_store_cache_num_blocks((DOC_CACHE_BYTES / block_bytes / segments).max(16))
        })?;
        let segment_ids = reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|_| SegmentIds::default())
            .collect();
        Ok(Searcher {
            store,
            reader,
            segment_ids,
            copy_groups: OnceLock::new(),
            story_numbers: OnceLock::new(),
            article_texts: OnceLock::new(),
            hints: Default::default(),
        })
    }

    /// The index being searched.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A snapshot of the index for reading.
    pub fn tantivy_searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// The index's copy groups (see [`crate::story::groups`]), read once.
    pub fn copy_groups(&self) -> Result<&crate::story::groups::Groups> {
        if let Some(groups) = self.copy_groups.get() {
            return Ok(groups);
        }
        let groups = crate::story::groups::current(
            &self.store.index,
            &self.store.dir,
            &self.reader.searcher(),
        )?;
        Ok(self.copy_groups.get_or_init(|| groups))
    }

    /// Article and story numbers of the snapshot (see
    /// [`crate::story::numbers`]), made once.
    pub fn story_numbers(&self) -> Result<&StoryNumbers> {
        if let Some(numbers) = self.story_numbers.get() {
            return Ok(numbers);
        }
        let searcher = self.reader.searcher();
        let commit = crate::story::groups::commit_key(&self.store.index)?;
        let numbers = match StoryNumbers::load(&self.store.dir, &commit, &searcher) {
            Some(numbers) => numbers,
            None => StoryNumbers::build(&searcher, self.copy_groups()?)?,
        };
        Ok(self.story_numbers.get_or_init(|| numbers))
    }

    /// The copy group of the article of the passage at `address`, as a hit
    /// shows it (from the story numbers: no copy groups are read).
    fn copies_at(
        &self,
        searcher: &tantivy::Searcher,
        address: DocAddress,
    ) -> Result<Option<CopiesRef>> {
        let numbers = self.story_numbers()?;
        let segment = searcher.segment_reader(address.segment_ord);
        let Some(ids) = segment.fast_fields().str("article_id")? else {
            return Ok(None);
        };
        let stories = &numbers.of_segment(address.segment_ord, Some(&ids))?.stories;
        let story = ids.term_ords(address.doc_id).next();
        let story = story.and_then(|ord| stories.get(ord as usize));
        Ok(story.and_then(|&story| numbers.copies(story).cloned()))
    }

    /// The snapshot's articles as whole texts, made once.
    fn article_texts(&self) -> Result<&ArticleTexts> {
        if let Some(texts) = self.article_texts.get() {
            return Ok(texts);
        }
        let f = &self.store.fields;
        let numbers = self.story_numbers()?;
        let texts = ArticleTexts::build(&self.reader.searcher(), numbers, f.body, f.title)?;
        Ok(self.article_texts.get_or_init(|| texts))
    }

    /// The article-level evidence of `words` (see [`ArticleEvidence`]) for
    /// the articles of the passages `docs`, with the snapshot's article
    /// texts and, for each of `docs`, its place among the articles scored
    /// (`None`: no live article); `None` without words.
    fn article_evidence(
        &self,
        statistics: &QueryStatistics,
        words: &[(Term, f32)],
        docs: &[DocAddress],
    ) -> Result<Option<WholeArticles<'_>>> {
        if words.is_empty() {
            return Ok(None);
        }
        let texts = self.article_texts()?;
        let mut articles = Vec::with_capacity(docs.len());
        let found = docs
            .iter()
            .map(|&doc| {
                let number = texts.article(doc)?;
                articles.push(number);
                Some(articles.len() - 1)
            })
            .collect();
        let mut evidence = ArticleEvidence::new(texts, words, statistics.searcher)?;
        evidence.gather(statistics.searcher, texts, &articles)?;
        Ok(Some(WholeArticles {
            evidence,
            texts,
            found,
        }))
    }

    /// Adds to each of `best` (articles by their best passage) its
    /// whole-article evidence of `words`, times [`ARTICLE_WEIGHT`]. Sorted
    /// by relevance, only the articles that can reach the page sought
    /// (`req.offset + req.limit` first) get it: those with the best
    /// passages, until the next one's passage plus the most the evidence
    /// can add stays below the page's last score. `best` is left sorted by
    /// passage score for them, and the others keep their passage's score.
    fn add_article_evidence(
        &self,
        statistics: &QueryStatistics,
        words: &[(Term, f32)],
        best: &mut [ArticleBest],
        req: &SearchRequest,
    ) -> Result<()> {
        if words.is_empty() || best.is_empty() {
            return Ok(());
        }
        let texts = self.article_texts()?;
        let mut evidence = ArticleEvidence::new(texts, words, statistics.searcher)?;
        // An f32 sum may pass its bound by a little: the margin keeps the cut exact.
        let most = ARTICLE_WEIGHT * evidence.most() * 1.001 + 1e-6;
        let page = match req.sort {
            Sort::Relevance => req.offset.saturating_add(req.limit),
            Sort::Newest | Sort::Oldest => usize::MAX,
        };
        if page == 0 {
            return Ok(());
        }
        if page < best.len() {
            best.sort_unstable_by(|a, b| b.score.total_cmp(&a.score));
        }
        let mut done = 0;
        let mut step = page.saturating_mul(2).max(64);
        let mut scores = Vec::new();
        while done < best.len() {
            let end = done.saturating_add(step).min(best.len());
            let mut articles = Vec::with_capacity(end - done);
            let mut scored = Vec::with_capacity(end - done);
            for (k, article) in best[done..end].iter().enumerate() {
                if let Some(number) = texts.article(article.doc) {
                    articles.push(number);
                    scored.push(done + k);
                }
            }
            let first = evidence.articles();
            evidence.gather(statistics.searcher, texts, &articles)?;
            for (i, k) in scored.into_iter().enumerate() {
                best[k].score += ARTICLE_WEIGHT * evidence.score(texts, first + i);
            }
            done = end;
            step = step.saturating_mul(4);
            if done < best.len() && page <= done {
                // The page's last score so far, and the best any article
                // not yet scored can reach.
                scores.clear();
                scores.extend(best[..done].iter().map(|a| a.score));
                let (_, last, _) = scores.select_nth_unstable_by(page - 1, |a, b| b.total_cmp(a));
                if best[done].score + most < *last {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Parses a request's query and builds its filters: what
    /// [`Searcher::search`] and [`Searcher::collect_matches`] share.
    fn prepare(&self, req: &SearchRequest, searcher: &tantivy::Searcher) -> Result<Prepared> {
        let bad = |reason: String| Error::Query {
            query: req.query.clone(),
            reason,
        };
        let expr = if req.plain {
            parse::parse_plain(&req.query)
        } else {
            parse::parse(&req.query)
        }
        .map_err(|e| bad(e.to_string()))?;
        let (expr, cut) = limits::bound(expr);
        let expr = expr.unwrap_or(Expr::Seq(Vec::new()));
        let warnings: Vec<String> = cut.into_iter().collect();
        if !expr.has_positive() {
            return Err(bad(if req.query.trim().is_empty() {
                "the query is empty".into()
            } else {
                "nothing to search for: every term is excluded".into()
            }));
        }
        let (since, until) = req.date_bounds()?;
        let f = &self.store.fields;
        let date_filter = (since.is_some() || until.is_some()).then(|| date_range(f, since, until));
        let mut notes = Vec::new();
        let outlet_filter =
            (!req.outlets.is_empty()).then(|| outlet_query(searcher, f, &req.outlets, &mut notes));
        Ok(Prepared {
            expr,
            date_filter,
            outlet_filter,
            notes,
            warnings,
        })
    }

    /// Runs a request's query, with the same parsing, filters and fallback
    /// to `--match any` as [`Searcher::search`] with `--articles`, through
    /// `collector` over every match (limit, offset and sort do not apply):
    /// the passages that match, and apart the first passages of the
    /// articles whose title matches.
    pub fn collect_matches<C: Collector + Clone>(
        &self,
        req: &SearchRequest,
        collector: C,
    ) -> Result<Matches<C::Fruit>> {
        let searcher = self.reader.searcher();
        let statistics = QueryStatistics::new(&searcher);
        let prepared = self.prepare(req, &searcher)?;
        let f = &self.store.fields;
        let mut builder = QueryBuilder::new(f, &searcher);
        let no_words = || Error::Query {
            query: req.query.clone(),
            reason: "the query has no searchable words".into(),
        };
        // One walk over the passages and one over the titles collect and
        // count them.
        let walk = |compiled: &Compiled| -> Result<(C::Fruit, Option<C::Fruit>, usize)> {
            let query = prepared.filtered(compiled.query.as_ref(), true);
            let (fruit, mut found) =
                statistics.search(query.as_ref(), &(collector.clone(), Count))?;
            let titles = match &compiled.title {
                Some(title) => {
                    let query =
                        prepared.filtered(first_passages(f, title.box_clone()).as_ref(), true);
                    let (titles, in_titles) =
                        statistics.search(query.as_ref(), &(collector.clone(), Count))?;
                    found += in_titles;
                    Some(titles)
                }
                None => None,
            };
            Ok((fruit, titles, found))
        };
        let compiled = builder
            .compile(&prepared.expr, req.match_mode)
            .ok_or_else(no_words)?;
        let (mut fruit, mut titles, found) = walk(&compiled)?;
        let mut relaxed = false;
        if req.match_mode == MatchMode::All && found == 0 {
            if let Some(any) = builder.compile_relaxed(&prepared.expr) {
                let (any_fruit, any_titles, found) = walk(&any)?;
                if found > 0 {
                    relaxed = true;
                    fruit = any_fruit;
                    titles = any_titles;
                }
            }
        }
        Ok(Matches {
            fruit,
            titles,
            relaxed,
            notes: prepared.notes,
        })
    }

    /// Runs one search.
    ///
    /// # Errors
    /// [`Error::Query`] for a query that cannot be searched (syntax, nothing
    /// to search for, a field that cannot answer it), [`Error::Invalid`] for
    /// a bad filter, [`Error::Timeout`] past `req.timeout`; other errors
    /// come from reading the index.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResult> {
        let started = Instant::now();
        let deadline = req.timeout.map(|t| Deadline::new(started + t));
        match self.answer(req, started, deadline.as_ref()) {
            // A stopped walk may leave a partial answer or an error behind.
            _ if deadline.as_ref().is_some_and(|d| d.expired()) => Err(Error::Timeout {
                query: req.query.clone(),
                seconds: req.timeout.unwrap_or_default().as_secs_f64(),
            }),
            Err(Error::Tantivy(
                tantivy::TantivyError::SchemaError(reason)
                | tantivy::TantivyError::InvalidArgument(reason),
            )) => Err(Error::Query {
                query: req.query.clone(),
                reason: format!("it cannot be searched: {reason}"),
            }),
            answer => answer,
        }
    }

    /// Marks in `passages` what `req.query` matches, as [`Searcher::search`]
    /// marks its hits (same parsing, folding, stemming and phrase spans), so
    /// a whole article can be read with a search's matches highlighted.
    ///
    /// # Errors
    /// [`Error::Query`] for a query that does not parse or has no words.
    pub fn mark(&self, req: &SearchRequest, passages: &mut [PassageRef]) -> Result<()> {
        let searcher = self.reader.searcher();
        let prepared = self.prepare(req, &searcher)?;
        let compiled = QueryBuilder::new(&self.store.fields, &searcher)
            .compile(&prepared.expr, req.match_mode)
            .ok_or_else(|| Error::Query {
                query: req.query.clone(),
                reason: "the query has no searchable words".into(),
            })?;
        let mut unstemmed = analysis::unstemmed_analyzer();
        for passage in passages {
            passage.highlights = compiled.highlight.ranges(&mut unstemmed, &passage.text);
        }
        Ok(())
    }

    /// [`Searcher::search`], its walks through the matches stopping at `deadline`.
    fn answer(
        &self,
        req: &SearchRequest,
        started: Instant,
        deadline: Option<&Arc<Deadline>>,
    ) -> Result<SearchResult> {
        let bad = |reason: String| Error::Query {
            query: req.query.clone(),
            reason,
        };
        let searcher = self.reader.searcher();
        let statistics = QueryStatistics::new(&searcher);
        let f = &self.store.fields;
        let mut prepared = self.prepare(req, &searcher)?;
        let notes = std::mem::take(&mut prepared.notes);
        let mut warnings = std::mem::take(&mut prepared.warnings);
        let expr = &prepared.expr;

        let mut builder = QueryBuilder::new(f, &searcher);
        let mut compiled = builder
            .compile(expr, req.match_mode)
            .ok_or_else(|| bad("the query has no searchable words".into()))?;
        let filtered = |text: &dyn Query, dates: bool| -> Box<dyn Query> {
            let query = prepared.filtered(text, dates);
            match deadline {
                Some(deadline) => Box::new(DeadlineQuery::new(query, deadline.clone())),
                None => query,
            }
        };
        let expired = || deadline.is_some_and(|d| d.check());
        // With `--articles`, an article whose title alone matches is a hit too.
        let mut matching = hits_query(f, &compiled, req.articles);
        let story_walk = match req.stories && req.count {
            true => Some(MatchingStories {
                numbers: self.story_numbers()?,
            }),
            false => None,
        };
        let mut page = self.collect(
            &statistics,
            filtered(matching.as_ref(), true).as_ref(),
            req,
            &compiled.words,
            story_walk,
        )?;
        let mut relaxed = false;
        let mut relaxed_compiled = None;
        if page.total == 0 && req.match_mode == MatchMode::All && !expired() {
            if let Some(any) = builder.compile_relaxed(expr) {
                let any_query = hits_query(f, &any, req.articles);
                let any_page = self.collect(
                    &statistics,
                    filtered(any_query.as_ref(), true).as_ref(),
                    req,
                    &any.words,
                    None,
                )?;
                if any_page.total > 0 {
                    relaxed = true;
                    page = any_page;
                    compiled = any;
                    matching = any_query;
                } else {
                    relaxed_compiled = Some(any);
                }
            }
        }
        // No passage holds it: the articles whose title does, by their
        // first passage (every word in the title first, then any).
        let mut title_only = false;
        if page.total == 0 && !req.articles {
            let relaxed_title = relaxed_compiled.as_ref().and_then(|c| c.title.as_ref());
            for title in [compiled.title.as_ref(), relaxed_title]
                .into_iter()
                .flatten()
            {
                let query = first_passages(f, title.box_clone());
                let title_page = self.collect(
                    &statistics,
                    filtered(query.as_ref(), true).as_ref(),
                    req,
                    &[],
                    None,
                )?;
                if title_page.total > 0 {
                    title_only = true;
                    page = title_page;
                    matching = query;
                    break;
                }
            }
        }
        // The stories of what `count` counts: the passages found, and the
        // articles whose title matches (already among `--articles`' hits).
        // A relaxed or title-only answer leaves them to `count`.
        let stories = match page.stories.take() {
            Some(_) if relaxed || title_only || page.total == 0 => None,
            Some(found) => match (&compiled.title, req.articles, story_walk) {
                (Some(title), false, Some(walk)) => {
                    let query = filtered(first_passages(f, title.box_clone()).as_ref(), true);
                    Some(
                        found
                            .union(statistics.search(query.as_ref(), &walk)?)
                            .count(),
                    )
                }
                _ => Some(found.count()),
            },
            None => None,
        };
        let unmatched = if page.total == 0 {
            let mut unmatched = Vec::new();
            for part in insisted_parts(expr) {
                if let Some(alone) = builder.compile(&part, MatchMode::All) {
                    let query = filtered(alone.query.as_ref(), true);
                    if statistics.search(query.as_ref(), &Count)? == 0 {
                        unmatched.push(part.to_string());
                    }
                }
            }
            unmatched
        } else {
            Vec::new()
        };
        let excluded_undated = match prepared.date_filter {
            Some(_) => {
                let undated = BooleanQuery::new(vec![
                    (Occur::Must, filtered(matching.as_ref(), false)),
                    (
                        Occur::MustNot,
                        Box::new(ExistsQuery::new("date".into(), false)),
                    ),
                ]);
                statistics.search(&undated, &BestPerArticle)?.len() as u64
            }
            None => 0,
        };
        warnings.extend(builder.warning());
        let suggestions = match req.suggest && !req.plain && !expired() {
            true => crate::query::suggestions(f, &searcher, expr, &self.hints),
            false => Vec::new(),
        };

        // With `--articles`, which first passages hold nothing of the query.
        let passage_weight = match (req.articles && req.stored, title_only) {
            (true, false) => Some(
                compiled
                    .query
                    .weight(EnableScoring::disabled_from_searcher(&searcher))?,
            ),
            _ => None,
        };
        // With `--explain --articles`: each article's whole text's part.
        let whole_article = match (req.explain && req.articles, title_only) {
            (true, false) => {
                let docs: Vec<DocAddress> = page.docs.iter().map(|&(_, doc)| doc).collect();
                self.article_evidence(&statistics, &compiled.words, &docs)?
            }
            _ => None,
        };
        // With `--explain`: the query that found the hits, scored with the
        // same statistics.
        let explaining = match req.explain {
            true => Some(prepared.filtered(matching.as_ref(), true).weight(
                EnableScoring::enabled_from_statistics_provider(&statistics, &searcher),
            )?),
            false => None,
        };
        let mut unstemmed = analysis::unstemmed_analyzer();
        let mut hits = Vec::with_capacity(page.docs.len());
        for (i, (score, address)) in page.docs.into_iter().enumerate() {
            if expired() {
                break;
            }
            let (article, mut passage) = if req.stored {
                read_passage(f, &searcher.doc::<TantivyDocument>(address)?)
            } else {
                self.segment_ids[address.segment_ord as usize]
                    .read(searcher.segment_reader(address.segment_ord), address.doc_id)?
            };
            if req.highlight && req.stored {
                passage.highlights = compiled.highlight.ranges(&mut unstemmed, &passage.text);
            }
            let copies = match req.stored {
                true => self.copies_at(&searcher, address)?,
                false => None,
            };
            let title_match = title_only
                || match &passage_weight {
                    Some(weight) if passage.index == 0 => {
                        let segment = searcher.segment_reader(address.segment_ord);
                        let mut scorer = weight.scorer(segment, 1.0)?;
                        scorer.seek(address.doc_id) != address.doc_id
                    }
                    _ => false,
                };
            let explain = match &explaining {
                Some(weight) => {
                    let segment = searcher.segment_reader(address.segment_ord);
                    let explanation = weight.explain(segment, address.doc_id)?;
                    let schema = searcher.schema();
                    let whole = whole_article.as_ref().and_then(|whole| {
                        Some(explain::WholeArticle {
                            weight: ARTICLE_WEIGHT,
                            parts: whole.evidence.parts(whole.texts, whole.found[i]?, schema),
                        })
                    });
                    Some(explain::for_hit(
                        &explanation,
                        schema,
                        req.articles,
                        passage.index,
                        whole,
                    ))
                }
                None => None,
            };
            hits.push(Hit {
                query_id: req.query_id.clone(),
                query: req.query.clone(),
                rank: req.offset + i + 1,
                score,
                article,
                passage,
                same_day_as: None,
                title_match,
                copies,
                explain,
                folded: Vec::new(),
            });
        }
        if req.sort != Sort::Relevance {
            mark_same_day(&mut hits);
        }
        Ok(SearchResult {
            query_id: req.query_id.clone(),
            query: req.query.clone(),
            filters: Filters {
                since: req.since.clone(),
                until: req.until.clone(),
                outlets: req.outlets.clone(),
                match_mode: req.match_mode,
                sort: req.sort,
                articles: req.articles,
                limit: req.limit,
                offset: req.offset,
            },
            total_hits: page.total,
            stories,
            facets: None,
            relaxed,
            title_only,
            unmatched,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            excluded_undated,
            warnings,
            suggestions,
            hits,
            notes,
        })
    }

    /// Runs the query and keeps the requested page of passages or articles
    /// (and, when `stories` is given, the matches' stories); an article
    /// scores as its best passage plus [`ARTICLE_WEIGHT`] × the BM25 of
    /// `words` (the query's scored words) over the whole article.
    fn collect(
        &self,
        statistics: &QueryStatistics,
        query: &dyn Query,
        req: &SearchRequest,
        words: &[(Term, f32)],
        stories: Option<MatchingStories>,
    ) -> Result<Page> {
        if req.articles {
            let (mut best, stories) = statistics.search(query, &(BestPerArticle, stories))?;
            self.add_article_evidence(statistics, words, &mut best, req)?;
            sort_articles(&mut best, req.sort);
            let total = best.len() as u64;
            let docs = best
                .into_iter()
                .skip(req.offset)
                .take(req.limit)
                .map(|a| (a.score, a.doc))
                .collect();
            return Ok(Page {
                total,
                docs,
                stories,
            });
        }
        // A page past the last passage is empty, and no page is longer than
        // the index (so a huge --limit or --offset cannot overflow the collector).
        let passages = usize::try_from(statistics.searcher.num_docs()).unwrap_or(usize::MAX);
        if req.limit == 0 || req.offset >= passages {
            let (total, stories) = statistics.search(query, &(Count, stories))?;
            return Ok(Page {
                total: total as u64,
                docs: Vec::new(),
                stories,
            });
        }
        let page = req.limit.min(passages);
        if !req.count && req.sort == Sort::Relevance {
            let docs = statistics.top_by_score(query, req.offset..req.offset + page)?;
            // An empty page past the first says nothing of the matches before it.
            let total = if docs.is_empty() && req.offset > 0 {
                statistics.search(query, &Count)? as u64
            } else {
                (req.offset + docs.len()) as u64
            };
            return Ok(Page {
                total,
                docs,
                stories: None,
            });
        }
        let top = TopDocs::with_limit(page).and_offset(req.offset);
        let (docs, total, stories) = match req.sort {
            Sort::Relevance => statistics.search(query, &(top.order_by_score(), Count, stories))?,
            Sort::Newest | Sort::Oldest => {
                let order = if req.sort == Sort::Newest {
                    Order::Desc
                } else {
                    Order::Asc
                };
                // A day sorts after the times of its day, in both orders.
                let key = if req.sort == Sort::Newest {
                    "date_newest"
                } else {
                    "date_oldest"
                };
                let by_date =
                    tantivy::collector::sort_key::SortByStaticFastValue::<i64>::for_field(key);
                let by_score = tantivy::collector::sort_key::SortBySimilarityScore;
                let (docs, total, stories) = statistics.search(
                    query,
                    &(
                        top.order_by(((by_date, order), (by_score, Order::Desc))),
                        Count,
                        stories,
                    ),
                )?;
                (
                    docs.into_iter()
                        .map(|((_, score), doc)| (score, doc))
                        .collect(),
                    total,
                    stories,
                )
            }
        };
        Ok(Page {
            total: total as u64,
            docs,
            stories,
        })
    }
}

/// The BM25 statistics of one search, each looked up once. A query's
/// clauses (its words per field, their phrases and pairs) ask for the same
/// term's document frequency many times, and each answer costs a
/// dictionary lookup in every segment.
struct QueryStatistics<'a> {
    searcher: &'a tantivy::Searcher,
    doc_freqs: RefCell<HashMap<Term, u64>>,
    total_tokens: RefCell<HashMap<SchemaField, u64>>,
}

impl<'a> QueryStatistics<'a> {
    fn new(searcher: &'a tantivy::Searcher) -> Self {
        QueryStatistics {
            searcher,
            doc_freqs: RefCell::default(),
            total_tokens: RefCell::default(),
        }
    }

    /// [`tantivy::Searcher::search`], with these statistics.
    fn search<C: Collector>(&self, query: &dyn Query, collector: &C) -> tantivy::Result<C::Fruit> {
        self.searcher
            .search_with_statistics_provider(query, collector, self)
    }

    /// The hits `range` by score, as `TopDocs` finds them, with one
    /// threshold carried over the segments ([`crate::top`]).
    fn top_by_score(
        &self,
        query: &dyn Query,
        range: std::ops::Range<usize>,
    ) -> tantivy::Result<Vec<(tantivy::Score, DocAddress)>> {
        let scoring = EnableScoring::enabled_from_statistics_provider(self, self.searcher);
        let weight = query.weight(scoring)?;
        crate::top::top_by_score(self.searcher, weight.as_ref(), range)
    }
}

impl Bm25StatisticsProvider for QueryStatistics<'_> {
    fn total_num_tokens(&self, field: SchemaField) -> tantivy::Result<u64> {
        if let Some(&tokens) = self.total_tokens.borrow().get(&field) {
            return Ok(tokens);
        }
        let tokens = self.searcher.total_num_tokens(field)?;
        self.total_tokens.borrow_mut().insert(field, tokens);
        Ok(tokens)
    }

    /// A sum over the segments with no lookup: not worth remembering.
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(&freq) = self.doc_freqs.borrow().get(term) {
            return Ok(freq);
        }
        let freq = self.searcher.doc_freq(term)?;
        self.doc_freqs.borrow_mut().insert(term.clone(), freq);
        Ok(freq)
    }
}

/// The query whose matches are hits: passages, and with `--articles` also
/// articles whose title alone matches, by their first passage (a passage
/// that matches both scores as the better of the two, which is its own).
fn hits_query(f: &Fields, compiled: &Compiled, articles: bool) -> Box<dyn Query> {
    match (&compiled.title, articles) {
        (Some(title), true) => Box::new(BestOf::new(vec![
            ("its own text".into(), compiled.query.box_clone()),
            (
                "its article's title (first passage)".into(),
                first_passages(f, title.box_clone()),
            ),
        ])),
        _ => compiled.query.box_clone(),
    }
}

/// The first passage of each article that `title` (a query on titles) matches.
fn first_passages(f: &Fields, title: Box<dyn Query>) -> Box<dyn Query> {
    let first = Term::from_field_u64(f.passage, 0);
    let first: Box<dyn Query> = Box::new(RangeQuery::new(
        Bound::Included(first.clone()),
        Bound::Included(first),
    ));
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, title),
        (Occur::Must, Box::new(ConstScoreQuery::new(first, 0.0))),
    ]))
}

/// The top-level parts of a query that the fallback of `--match all` keeps
/// required (all but bare words and exclusions), each alone as a query.
fn insisted_parts(expr: &parse::Expr) -> Vec<parse::Expr> {
    use parse::{AtomKind, Clause, Expr, Occur as QueryOccur};
    let bare = |e: &Expr| matches!(e, Expr::Atom(a) if a.field.is_none() && matches!(a.kind, AtomKind::Word(_)));
    let clauses: &[Clause] = match expr {
        Expr::Seq(clauses) => clauses,
        _ => &[],
    };
    let mut parts: Vec<Expr> = clauses
        .iter()
        .filter(|c| c.occur != QueryOccur::MustNot)
        .filter(|c| c.occur == QueryOccur::Must || !bare(&c.expr))
        .map(|c| {
            Expr::Seq(vec![Clause {
                occur: c.occur,
                expr: c.expr.clone(),
            }])
        })
        .collect();
    if matches!(expr, Expr::Atom(_) | Expr::Or(_)) && !bare(expr) {
        parts.push(expr.clone());
    }
    parts
}

/// Orders articles by relevance or date (undated last; a day after the
/// times of that day), ties by score then id.
fn sort_articles(best: &mut [ArticleBest], sort: Sort) {
    use std::cmp::Ordering;
    best.sort_by(|a, b| {
        let primary = match (sort, a.date_keys, b.date_keys) {
            (Sort::Relevance, _, _) => Ordering::Equal,
            (_, Some(_), None) => Ordering::Less,
            (_, None, Some(_)) => Ordering::Greater,
            (_, None, None) => Ordering::Equal,
            (Sort::Newest, Some(da), Some(db)) => db.1.cmp(&da.1),
            (Sort::Oldest, Some(da), Some(db)) => da.0.cmp(&db.0),
        };
        primary
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.article_id.cmp(&b.article_id))
    });
}

/// Marks, in hits sorted by date, each hit known only to the day that
/// follows a hit of another article on the same UTC day: their order is not
/// known, and [`Hit::same_day_as`] says so with the rank of the first such hit.
pub(crate) fn mark_same_day(hits: &mut [Hit]) {
    fn day(hit: &Hit) -> Option<&str> {
        hit.article.date.as_deref().and_then(|d| d.get(..10))
    }
    for i in 0..hits.len() {
        if hits[i].article.date_precision != Some(Precision::Day) {
            continue;
        }
        let tied = hits[..i].iter().find(|earlier| {
            earlier.article.id != hits[i].article.id && day(earlier) == day(&hits[i])
        });
        hits[i].same_day_as = tied.map(|earlier| earlier.rank);
    }
}

/// A date range over `[since, until)`.
fn date_range(
    f: &Fields,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) -> Box<dyn Query> {
    let term = |d: DateTime<Utc>| {
        Term::from_field_date_for_search(
            f.date,
            tantivy::DateTime::from_timestamp_secs(d.timestamp()),
        )
    };
    Box::new(RangeQuery::new(
        since.map_or(Bound::Unbounded, |d| Bound::Included(term(d))),
        until.map_or(Bound::Unbounded, |d| Bound::Excluded(term(d))),
    ))
}

/// Every term of an exact-string field, over all segments.
fn field_terms(
    searcher: &tantivy::Searcher,
    field: SchemaField,
) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(field) else {
            continue;
        };
        let Ok(mut terms) = inverted.terms().stream() else {
            continue;
        };
        while terms.advance() {
            found.insert(String::from_utf8_lossy(terms.key()).into_owned());
        }
    }
    found
}

/// Passages whose outlet one of `names` names, as users type them: by
/// the words of the outlet's name or the domain of the article's URL (see
/// [`crate::outlet`]). A name that matches nothing adds a note naming the
/// close outlets.
fn outlet_query(
    searcher: &tantivy::Searcher,
    f: &Fields,
    names: &[String],
    notes: &mut Vec<String>,
) -> Box<dyn Query> {
    let outlets = field_terms(searcher, f.outlet_exact);
    let domains = field_terms(searcher, f.domain);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut term = |field, value: &str| {
        let q: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ));
        clauses.push((Occur::Should, q));
    };
    for name in names {
        let wanted = name.trim().to_lowercase();
        let mut matched = false;
        for outlet in &outlets {
            if outlet.to_lowercase() == wanted || outlet::names_outlet(name, outlet) {
                term(f.outlet_exact, outlet);
                matched = true;
            }
        }
        for domain in &domains {
            if outlet::names_domain(name, domain) {
                term(f.domain, domain);
                matched = true;
            }
        }
        if !matched {
            let all: Vec<&str> = outlets.iter().map(String::as_str).collect();
            let close = outlet::close(name, &all);
            notes.push(if close.is_empty() {
                format!(
                    "no outlet matches '{}' ({} outlets in the index; `newsdex stats` lists them)",
                    name.trim(),
                    outlets.len()
                )
            } else {
                format!(
                    "no outlet matches '{}'; close: {}",
                    name.trim(),
                    close.join(", ")
                )
            });
        }
    }
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::top_bits;
    use tantivy::query::PhraseQuery;

    /// A query's statistics, looked up once each, score exactly as
    /// Tantivy's own over several segments, where a term's document
    /// frequency is a sum.
    #[test]
    fn query_statistics_score_as_the_searcher_does() {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let mut below = crate::testing::below();
        let words = [
            "oil", "price", "opec", "crude", "barrel", "saudi", "said", "the",
        ];
        for segment in 0..3 {
            for _ in 0..40 + segment * 25 {
                let text = |below: &mut dyn FnMut(usize) -> usize, n: usize| {
                    let n = 1 + below(n);
                    (0..n)
                        .map(|_| words[below(words.len())])
                        .collect::<Vec<_>>()
                        .join(" ")
                };
                let (b, t) = (text(&mut below, 30), text(&mut below, 5));
                writer
                    .add_document(tantivy::doc!(body => b, title => t))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = writer.index().reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let term = |field, word| Term::from_field_text(field, word);
        let word = |field, w| -> Box<dyn Query> {
            Box::new(TermQuery::new(term(field, w), IndexRecordOption::WithFreqs))
        };
        let phrase = |a, b| -> Box<dyn Query> {
            Box::new(PhraseQuery::new(vec![term(body, a), term(body, b)]))
        };
        // The same terms asked for by several clauses, as a names query does.
        let query = BooleanQuery::new(vec![
            (Occur::Must, word(body, "oil")),
            (Occur::Should, word(title, "oil")),
            (Occur::Should, word(body, "price")),
            (Occur::Should, phrase("oil", "price")),
            (Occur::Should, phrase("price", "oil")),
        ]);
        let statistics = QueryStatistics::new(&searcher);
        let top = TopDocs::with_limit(20).order_by_score();
        let ours: Vec<_> = statistics
            .search(&query, &top)
            .unwrap()
            .into_iter()
            .map(|(score, doc)| (score.to_bits(), doc))
            .collect();
        assert_eq!(ours.len(), 20);
        assert_eq!(ours, top_bits(&searcher, &query, 20));
        // Three distinct terms, each looked up once.
        let cached = statistics.doc_freqs.borrow();
        assert_eq!(cached.len(), 3);
        assert_eq!(
            cached[&term(body, "oil")],
            searcher.doc_freq(&term(body, "oil")).unwrap()
        );
    }
}
