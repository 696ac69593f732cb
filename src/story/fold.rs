//! Search with copies of one story folded (each hit names its article's
//! copy group already: see [`Searcher::search`]): with `collapse` the best
//! hit of each group stays while
//! the hits of its other copies fold into it. `total_hits` stays the count
//! before folding; `stories` counts the matches after it.

use std::collections::HashMap;

use crate::error::Result;
use crate::search::{Hit, SearchRequest, SearchResult, Searcher};

/// Hits fetched per hit wanted, at first, when folding: most result pages
/// fold a few copies at most.
const OVERFETCH: usize = 3;

/// Runs `req`, with `collapse` folding
/// the copies of one story into its best hit. `stories` is filled in when
/// `req.count` asks for exact counts.
pub fn search(searcher: &Searcher, req: &SearchRequest, collapse: bool) -> Result<SearchResult> {
    let started = std::time::Instant::now();
    let req = &SearchRequest {
        stories: req.count,
        ..req.clone()
    };
    let mut result = if collapse {
        collapsed(searcher, req)?
    } else {
        searcher.search(req)?
    };
    // The search counted them as it walked the matches, unless it relaxed
    // the query or fell back to titles.
    if req.count && result.stories.is_none() {
        result.stories = Some(
            crate::story::count::count(searcher, req, &[])?
                .total
                .stories,
        );
    }
    // `took_ms` is the whole answer's time: fetches, folding and counts.
    result.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(result)
}

/// The requested page of hits after folding: the page is filled from the
/// top hits, fetching more while folding leaves it short.
fn collapsed(searcher: &Searcher, req: &SearchRequest) -> Result<SearchResult> {
    let wanted = req.offset.saturating_add(req.limit);
    let mut fetch = wanted.saturating_mul(OVERFETCH).max(20);
    let started = std::time::Instant::now();
    loop {
        // (Stored: the hits carry their copy groups, which folding reads.)
        let inner = SearchRequest {
            offset: 0,
            limit: fetch,
            stored: true,
            // `--timeout` is for the whole search, however many fetches.
            timeout: req.timeout.map(|t| t.saturating_sub(started.elapsed())),
            ..req.clone()
        };
        let mut result = searcher.search(&inner).map_err(|e| match e {
            crate::Error::Timeout { query, .. } => crate::Error::Timeout {
                query,
                seconds: req.timeout.unwrap_or_default().as_secs_f64(),
            },
            e => e,
        })?;
        let exhausted = result.hits.len() < fetch;
        let hits = fold(std::mem::take(&mut result.hits));
        if hits.len() >= wanted || exhausted || fetch == usize::MAX {
            result.hits = hits
                .into_iter()
                .skip(req.offset)
                .take(req.limit)
                .enumerate()
                .map(|(i, mut hit)| {
                    hit.rank = req.offset + i + 1;
                    hit.same_day_as = None;
                    hit
                })
                .collect();
            if req.sort != crate::search::Sort::Relevance {
                crate::search::mark_same_day(&mut result.hits);
            }
            result.filters.limit = req.limit;
            result.filters.offset = req.offset;
            return Ok(result);
        }
        fetch = fetch.saturating_mul(4);
    }
}

/// Keeps, of each copy group, the hits of the first article of the group
/// to appear; the hits of its other members fold into that article's
/// first hit (their articles listed once each, in order).
fn fold(hits: Vec<Hit>) -> Vec<Hit> {
    // Group id → (the article shown for it, position of its first hit).
    let mut shown: HashMap<String, (String, usize)> = HashMap::new();
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for hit in hits {
        let Some(group) = hit.copies.as_ref().map(|c| c.group.clone()) else {
            kept.push(hit);
            continue;
        };
        match shown.get(&group) {
            None => {
                shown.insert(group, (hit.article.id.clone(), kept.len()));
                kept.push(hit);
            }
            Some((article, _)) if *article == hit.article.id => kept.push(hit),
            Some((_, first)) => {
                let into = &mut kept[*first];
                if !into.folded.iter().any(|a| a.id == hit.article.id) {
                    into.folded.push(hit.article);
                }
            }
        }
    }
    kept
}
