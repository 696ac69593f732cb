//! Timelines: articles per period for one or more queries, or for one
//! query split by outlet (the top outlets and "other"). Every number comes
//! from [`count::count`], so a timeline uses the query parsing and filters
//! of `search` and `count`, and its totals are `count --by`'s. Periods with
//! no articles are points at zero: the axis runs without a gap from the
//! first period to the last. Undated articles are counted beside the
//! points, never dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::search::{SearchRequest, Searcher};
use crate::story::count::{self, CountFilters, Dimension};

/// Outlets drawn as their own series with `--split outlet`; the rest are "other".
pub const TOP_OUTLETS: usize = 8;

/// Periods a timeline may span (a day-by-day axis over 270 years).
pub const MAX_PERIODS: usize = 100_000;

/// How the series of a timeline are made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// One series per query.
    Query,
    /// One series per outlet (top [`TOP_OUTLETS`], then "other"), for one query.
    Outlet,
}

/// Articles in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// `YYYY-MM`, `YYYY-Www` or `YYYY-MM-DD` (UTC).
    pub period: String,
    /// Matching articles dated in that period.
    pub articles: u64,
}

/// One line (or set of bars) of a timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// What the chart's legend calls it.
    pub label: String,
    /// The query counted (one series per query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The outlet counted (`--split outlet`; `null` for articles without
    /// an outlet, and for "other", whose `label` is `other`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<Option<String>>,
    /// Articles per period, every period from the timeline's first to its last.
    pub points: Vec<Point>,
    /// Matching articles without a date (not on the axis).
    pub undated: u64,
    /// All matching articles of the series: the points' and the undated.
    pub articles: u64,
}

/// The answer of `newsdex timeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// The queries, in the order given.
    pub queries: Vec<String>,
    /// The filters applied to every query.
    pub filters: CountFilters,
    /// The period: `day`, `week` or `month`.
    pub by: Dimension,
    /// What a series is.
    pub split: Split,
    /// Queries whose `--match all` found nothing, so `any` was used.
    pub relaxed: Vec<String>,
    /// The series, in query order (by outlet: most articles first, then
    /// articles without an outlet, then "other").
    pub series: Vec<Series>,
    /// Time spent counting, in milliseconds.
    pub took_ms: f64,
    /// Messages about the request for stderr; not part of the JSON.
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Timeline {
    /// The periods of the axis, first to last.
    pub fn periods(&self) -> Vec<&str> {
        self.series
            .first()
            .map(|s| s.points.iter().map(|p| p.period.as_str()).collect())
            .unwrap_or_default()
    }

    /// Undated articles over every series.
    pub fn undated(&self) -> u64 {
        self.series.iter().map(|s| s.undated).sum()
    }

    /// Articles over every series.
    pub fn articles(&self) -> u64 {
        self.series.iter().map(|s| s.articles).sum()
    }
}

/// The timeline of `requests` (one series each), or with
/// [`Split::Outlet`] of the one request split by outlet, per `by`
/// (`day`, `week` or `month`).
pub fn timeline(
    searcher: &Searcher,
    requests: &[SearchRequest],
    by: Dimension,
    split: Split,
) -> Result<Timeline> {
    let started = Instant::now();
    if !matches!(by, Dimension::Day | Dimension::Week | Dimension::Month) {
        return Err(Error::Invalid(format!(
            "--by: '{}' is not one of day, week, month",
            by.name()
        )));
    }
    let first = requests
        .first()
        .ok_or_else(|| Error::Invalid("timeline: give at least one query".into()))?;
    if split == Split::Outlet && requests.len() > 1 {
        return Err(Error::Invalid(
            "--split outlet: give one query (its articles are split by outlet)".into(),
        ));
    }

    // Each raw series: its label, query or outlet, and articles per period
    // (`None`: undated).
    type Periods = BTreeMap<Option<String>, u64>;
    type Raw = (String, Option<String>, Option<Option<String>>, Periods);
    let mut raw: Vec<Raw> = Vec::new();
    let mut relaxed = Vec::new();
    let mut notes = Vec::new();
    let mut filters = None;
    for req in requests {
        let dims: &[Dimension] = match split {
            Split::Query => &[by],
            Split::Outlet => &[Dimension::Outlet, by],
        };
        let counted = count::count(searcher, req, dims)?;
        if counted.relaxed {
            relaxed.push(req.query.clone());
        }
        notes.extend(counted.notes);
        filters.get_or_insert(counted.filters);
        match split {
            Split::Query => {
                let mut periods = BTreeMap::new();
                for b in &counted.buckets {
                    let key = b.keys.get(by.name()).cloned().flatten();
                    *periods.entry(key).or_default() += b.tally.articles;
                }
                raw.push((req.query.clone(), Some(req.query.clone()), None, periods));
            }
            Split::Outlet => {
                // Outlets by their articles, most first (count's order);
                // articles without an outlet are a series of their own.
                let mut outlets: Vec<(Option<String>, u64, Periods)> = Vec::new();
                for b in &counted.buckets {
                    let outlet = b.keys.get(Dimension::Outlet.name()).cloned().flatten();
                    let period = b.keys.get(by.name()).cloned().flatten();
                    let at = match outlets.iter().position(|(o, _, _)| *o == outlet) {
                        Some(at) => at,
                        None => {
                            outlets.push((outlet, 0, BTreeMap::new()));
                            outlets.len() - 1
                        }
                    };
                    outlets[at].1 += b.tally.articles;
                    *outlets[at].2.entry(period).or_default() += b.tally.articles;
                }
                // Most articles first (ties: by name), no outlet after the named.
                outlets.sort_by(|a, b| {
                    a.0.is_none()
                        .cmp(&b.0.is_none())
                        .then(b.1.cmp(&a.1))
                        .then_with(|| a.0.cmp(&b.0))
                });
                let mut other: BTreeMap<Option<String>, u64> = BTreeMap::new();
                let mut shown = 0;
                for (outlet, _, periods) in outlets {
                    if outlet.is_some() && shown >= TOP_OUTLETS {
                        for (period, n) in periods {
                            *other.entry(period).or_default() += n;
                        }
                        continue;
                    }
                    shown += usize::from(outlet.is_some());
                    let label = outlet.clone().unwrap_or_else(|| "(no outlet)".into());
                    raw.push((label, None, Some(outlet), periods));
                }
                if !other.is_empty() {
                    raw.push(("other".into(), None, Some(None), other));
                }
            }
        }
    }

    // One axis for every series: first to last dated period, no gaps.
    let dated: BTreeSet<&String> = raw
        .iter()
        .flat_map(|(_, _, _, periods)| periods.keys().flatten())
        .collect();
    let axis = match (dated.first(), dated.last()) {
        (Some(first), Some(last)) => axis(by, first, last)?,
        _ => Vec::new(),
    };
    let series = raw
        .into_iter()
        .map(|(label, query, outlet, periods)| {
            let undated = periods.get(&None).copied().unwrap_or(0);
            Series {
                label,
                query,
                outlet,
                points: axis
                    .iter()
                    .map(|period| Point {
                        period: period.clone(),
                        articles: periods.get(&Some(period.clone())).copied().unwrap_or(0),
                    })
                    .collect(),
                undated,
                articles: periods.values().sum(),
            }
        })
        .collect();
    Ok(Timeline {
        queries: requests.iter().map(|r| r.query.clone()).collect(),
        filters: filters.unwrap_or_else(|| CountFilters {
            since: first.since.clone(),
            until: first.until.clone(),
            outlets: first.outlets.clone(),
            match_mode: first.match_mode,
        }),
        by,
        split,
        relaxed,
        series,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        notes,
    })
}

/// The first day of a period key of `by`.
fn start_of(by: Dimension, key: &str) -> Option<NaiveDate> {
    match by {
        Dimension::Day => NaiveDate::parse_from_str(key, "%Y-%m-%d").ok(),
        Dimension::Month => NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").ok(),
        Dimension::Week => {
            let (year, week) = key.split_once("-W")?;
            NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
        }
        _ => None,
    }
}

/// The key of the period of `by` holding `day`.
fn key_of(by: Dimension, day: NaiveDate) -> String {
    match by {
        Dimension::Month => day.format("%Y-%m").to_string(),
        Dimension::Week => {
            let week = day.iso_week();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
        _ => day.format("%Y-%m-%d").to_string(),
    }
}

/// The first day of the period after the one starting on `day`.
fn next_start(by: Dimension, day: NaiveDate) -> Option<NaiveDate> {
    match by {
        Dimension::Month => {
            let (y, m) = if day.month() == 12 {
                (day.year() + 1, 1)
            } else {
                (day.year(), day.month() + 1)
            };
            NaiveDate::from_ymd_opt(y, m, 1)
        }
        Dimension::Week => day.checked_add_signed(Duration::days(7)),
        _ => day.checked_add_signed(Duration::days(1)),
    }
}

/// Every period of `by` from `first` to `last`, inclusive.
fn axis(by: Dimension, first: &str, last: &str) -> Result<Vec<String>> {
    let bad = |key: &str| Error::Invalid(format!("timeline: '{key}' is not a {}", by.name()));
    let mut day = start_of(by, first).ok_or_else(|| bad(first))?;
    let end = start_of(by, last).ok_or_else(|| bad(last))?;
    let mut keys = Vec::new();
    while day <= end {
        if keys.len() >= MAX_PERIODS {
            return Err(Error::Invalid(format!(
                "timeline: {first} to {last} is more than {MAX_PERIODS} periods by {}; use a longer period (--by week or month) or --since/--until",
                by.name()
            )));
        }
        keys.push(key_of(by, day));
        day = match next_start(by, day) {
            Some(next) => next,
            None => break,
        };
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_run_without_gaps_across_year_ends() {
        assert_eq!(
            axis(Dimension::Month, "2024-11", "2025-02").unwrap(),
            ["2024-11", "2024-12", "2025-01", "2025-02"]
        );
        assert_eq!(
            axis(Dimension::Week, "2020-W52", "2021-W02").unwrap(),
            ["2020-W52", "2020-W53", "2021-W01", "2021-W02"]
        );
        assert_eq!(
            axis(Dimension::Day, "2024-02-28", "2024-03-01").unwrap(),
            ["2024-02-28", "2024-02-29", "2024-03-01"]
        );
        assert_eq!(
            axis(Dimension::Day, "2025-01-01", "2025-01-01")
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn an_axis_too_long_is_refused() {
        let e = axis(Dimension::Day, "1800-01-01", "2199-12-31").unwrap_err();
        assert!(e.to_string().contains("--by week or month"), "{e}");
    }
}
