//! The parameters of an API request (`?q=…&outlet=a&outlet=b`), read into
//! the command line's own argument types, so that a parameter means what
//! the flag of the same name means.

use clap::ValueEnum;

use super::api::ApiError;
use crate::cli::{FilterArgs, MatchArg, MatchFilterArgs, SortArg};

/// Hits one request may ask for (`limit`): a page shows tens.
pub const MAX_LIMIT: usize = 1000;
/// Hits one request may skip (`offset`).
pub const MAX_OFFSET: usize = 100_000;

/// The parameters of what a query matches (as `MatchFilterArgs`): the
/// filters of `count` and `timeline`.
pub const MATCH_FILTERS: &[&str] = &["since", "until", "outlet", "match", "plain"];

/// The other filter parameters of `search` (and `batch`): with
/// [`MATCH_FILTERS`], the flags of `FilterArgs`.
pub const FILTERS: &[&str] = &["limit", "offset", "sort", "articles", "timeout"];

/// A request's parameters, in order.
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// The parameters of the query string `raw`; any name not in `known` is an error.
    pub fn parse(raw: Option<&str>, known: &[&[&str]]) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("the query string does not parse: {e}")))?;
        for (name, _) in &pairs {
            if !known.iter().any(|names| names.contains(&name.as_str())) {
                let names: Vec<&str> = known.iter().flat_map(|n| n.iter().copied()).collect();
                let takes = match names.is_empty() {
                    true => "no parameters".to_owned(),
                    false => names.join(", "),
                };
                return Err(ApiError::bad_request(format!(
                    "unknown parameter '{name}' (this endpoint takes {takes})"
                )));
            }
        }
        Ok(Params { pairs })
    }

    /// Every value of `name`, in order (a repeatable parameter).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The value of `name`; an error when it is given twice.
    pub fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        if values.next().is_some() {
            return Err(ApiError::bad_request(format!(
                "parameter '{name}' is given more than once"
            )));
        }
        Ok(first)
    }

    /// A switch: absent is false; present (`?articles`, `=true`, `=1`) is true, `=false` or `=0` false.
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.one(name)? {
            None => Ok(false),
            Some("" | "true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(other) => Err(ApiError::bad_request(format!(
                "invalid value '{other}' for '{name}': give true or false"
            ))),
        }
    }

    fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        let Some(text) = self.one(name)? else {
            return Ok(default);
        };
        let n: usize = text.trim().parse().map_err(|_| {
            ApiError::bad_request(format!(
                "invalid value '{text}' for '{name}': give a whole number"
            ))
        })?;
        if n > max {
            return Err(ApiError::bad_request(format!(
                "invalid value '{text}' for '{name}': at most {max}"
            )));
        }
        Ok(n)
    }

    /// The value of `name`, one of `T`'s names, else `default`.
    pub fn choice<T: ValueEnum>(&self, name: &str, default: T) -> Result<T, ApiError> {
        Ok(self.optional_choice(name)?.unwrap_or(default))
    }

    /// The value of `name`, one of `T`'s names, if given.
    pub fn optional_choice<T: ValueEnum>(&self, name: &str) -> Result<Option<T>, ApiError> {
        let Some(text) = self.one(name)? else {
            return Ok(None);
        };
        T::from_str(text, false).map(Some).map_err(|_| {
            let names: Vec<String> = T::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
                .collect();
            ApiError::bad_request(format!(
                "invalid value '{text}' for '{name}': give {}",
                names.join(", ")
            ))
        })
    }

    /// The filters of `search` from `since`, `until`, `outlet`, `limit`,
    /// `offset`, `sort`, `match`, `articles`, `plain` and `timeout`, with
    /// the command line's defaults.
    pub fn filters(&self) -> Result<FilterArgs, ApiError> {
        Ok(FilterArgs {
            matching: self.match_filters()?,
            limit: self.number("limit", 10, MAX_LIMIT)?,
            offset: self.number("offset", 0, MAX_OFFSET)?,
            sort: self.choice("sort", SortArg::Relevance)?,
            articles: self.flag("articles")?,
            timeout: self
                .one("timeout")?
                .map(crate::cli::parse_timeout)
                .transpose()
                .map_err(|e| ApiError::bad_request(format!("timeout: {e}")))?,
        })
    }

    /// What a query matches, from `since`, `until`, `outlet`,
    /// `match` and `plain`.
    pub fn match_filters(&self) -> Result<MatchFilterArgs, ApiError> {
        Ok(MatchFilterArgs {
            since: self.one("since")?.map(str::to_owned),
            until: self.one("until")?.map(str::to_owned),
            outlet: self.all("outlet"),
            match_mode: self.choice("match", MatchArg::All)?,
            plain: self.flag("plain")?,
        })
    }
}
