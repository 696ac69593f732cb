//! The output contract as typed structs: every JSON format must
//! deserialise into these (unknown or renamed fields fail). Fields that no
//! test reads still check the contract by being required.
#![allow(dead_code)]

use serde::Deserialize;

use crate::common::Project;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchResult {
    pub query_id: Option<String>,
    pub query: String,
    pub filters: Filters,
    pub total_hits: u64,
    /// Distinct stories after folding copies (null in batch output).
    pub stories: Option<u64>,
    /// Only with `search --facets`.
    #[serde(default)]
    pub facets: Option<Facets>,
    pub relaxed: bool,
    pub title_only: bool,
    pub unmatched: Vec<String>,
    pub took_ms: f64,
    pub excluded_undated: u64,
    pub warnings: Vec<String>,
    /// Close spellings the query does not search (`search` only; empty in
    /// batch output).
    pub suggestions: Vec<Suggestion>,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suggestion {
    pub word: String,
    pub spelling: String,
    pub passages: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    pub since: Option<String>,
    pub until: Option<String>,
    pub outlets: Vec<String>,
    #[serde(rename = "match")]
    pub match_mode: String,
    pub sort: String,
    pub articles: bool,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hit {
    pub query_id: Option<String>,
    pub query: String,
    pub rank: usize,
    pub score: f64,
    pub article: Article,
    pub passage: Passage,
    pub same_day_as: Option<usize>,
    pub title_match: bool,
    pub copies: Option<Copies>,
    /// Only with `search --explain`.
    #[serde(default)]
    pub explain: Option<Explain>,
}

/// A node of `search --explain`'s tree.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Explain {
    pub value: f64,
    pub description: String,
    pub details: Vec<Explain>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Copies {
    pub group: String,
    pub count: usize,
    pub original: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facets {
    pub outlet: Vec<Bucket>,
    pub month: Vec<Bucket>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    pub outlet: Option<Option<String>>,
    pub month: Option<Option<String>>,
    pub articles: u64,
    pub passages: u64,
    pub stories: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub id: String,
    pub outlet: Option<String>,
    pub date: Option<String>,
    pub date_precision: Option<String>,
    pub date_local: Option<String>,
    pub title: Option<String>,
    pub author: Option<String>,
    pub url: Option<String>,
    pub path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    pub index: u64,
    pub text: String,
    pub start: u64,
    pub end: u64,
    pub line: Option<u64>,
    pub highlights: Vec<[usize; 2]>,
}

/// `newsdex search ARGS --format json`, expecting exit `code`, parsed.
pub fn search_json(p: &Project, args: &[&str], code: i32) -> SearchResult {
    let mut full = vec!["search"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["--format", "json"]);
    let out = p.stdout(&full, code);
    assert_eq!(
        out.lines().count(),
        1,
        "one result object on one line: {out}"
    );
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}
