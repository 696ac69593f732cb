//! RSS and Atom feeds saved as files (`.rss`, `.atom`, `.xml`), read with
//! `feed-rs`: one article per item or entry. The text is `content:encoded`
//! (Atom `content`), the description (Atom `summary`) leading it when it
//! says something the content does not; HTML goes through the page text
//! extraction. The date is `pubDate` (Atom `published`), else `updated`;
//! the outlet is the feed's title. Categories, enclosures and media are not
//! read. A feed is read whole: files over the one-article size limit are
//! refused.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use serde_json::{Map, Value};

use super::record::{self, SeenIds};
use super::{SkipReason, Warning};
use crate::article::{Article, LineMap, Metadata, Origin};
use crate::date;

/// The feed's dates as written, by the instant they parse to (so that an
/// item's date keeps its precision and offset), and those that did not
/// parse, in the order met.
#[derive(Default)]
struct Written {
    raw: HashMap<DateTime<Utc>, String>,
    bad: Vec<String>,
}

/// What the date parser saw, shared with it.
type Dates = Arc<Mutex<Written>>;

/// Loads the items of a feed and hands each to `emit`.
pub fn load(
    path: &Path,
    source: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    super::check_size(path)?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    super::count_read(bytes.len());
    let dates = Dates::default();
    let seen = dates.clone();
    let parser = feed_rs::parser::Builder::new()
        // An item without a guid has no id: newsdex names it itself.
        .id_generator(|_, _, _| String::new())
        .sanitize_content(false)
        .timestamp_parser(move |text| {
            let text = text.trim();
            let parsed = date::parse_date(text).ok().map(|d| d.utc);
            let mut seen = seen.lock().expect("not poisoned");
            match parsed {
                Some(utc) => {
                    seen.raw.entry(utc).or_insert_with(|| text.to_owned());
                }
                None if !text.is_empty() => seen.bad.push(text.to_owned()),
                None => {}
            }
            parsed
        })
        .build();
    let feed = parser
        .parse(bytes.as_slice())
        .map_err(|e| format!("not a readable RSS or Atom feed ({e})"))?;
    let outlet = feed.title.as_ref().map(|t| t.content.clone());
    let mut warnings = Vec::new();
    let mut seen = SeenIds::default();
    let mut emitted = 0usize;
    let items = feed.entries.len();
    for (n, entry) in feed.entries.into_iter().enumerate() {
        let n = n + 1;
        let at = format!("{source}: item {n}");
        let fields = item_fields(
            entry,
            outlet.as_deref(),
            &dates.lock().expect("not poisoned").raw,
        );
        let fallback = || format!("{source}:{n}");
        let read = match record::read(&fields, Origin::Feed, &at, &fallback, &mut warnings) {
            Ok(read) => read,
            Err(reason) => {
                let reason = reason.replace("record has", "item has");
                warnings.push(Warning::new(at, format!("{reason}; skipped")));
                continue;
            }
        };
        let id = read.id;
        if let Some(first) = seen.first_place(&id, || n.to_string()) {
            let message = format!("duplicate id '{id}' (first in item {first}); skipped");
            warnings.push(Warning::new(at, message));
            continue;
        }
        emitted += 1;
        emit(Article {
            id,
            source: source.to_owned(),
            meta: external.clone().or(read.meta).resolved(),
            body: read.body,
            lines: LineMap::Unknown,
            notes: read.notes,
        });
    }
    let bad_dates = &dates.lock().expect("not poisoned").bad;
    if let Some(first) = bad_dates.first() {
        let message = match bad_dates.len() {
            1 => format!("date '{first}' is not a date; its item is indexed undated"),
            n => format!(
                "{n} dates are not dates (the first: '{first}'); their items are indexed undated"
            ),
        };
        warnings.push(Warning::new(source, message));
    }
    if emitted == 0 {
        return Err(if items == 0 {
            "a feed with no items".into()
        } else {
            format!("no readable items ({items} items, none with text or a title)")
        });
    }
    Ok(warnings)
}

/// A feed item as the fields of a record.
fn item_fields(
    entry: feed_rs::model::Entry,
    outlet: Option<&str>,
    written: &HashMap<DateTime<Utc>, String>,
) -> Map<String, Value> {
    let mut fields = Map::new();
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            fields.insert(name.to_owned(), Value::String(value));
        }
    };
    put("id", Some(entry.id));
    put("title", entry.title.map(|t| t.content));
    let link = entry
        .links
        .iter()
        .find(|l| l.target.is_none() && l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .map(|l| l.href.clone());
    put("url", link);
    let authors: Vec<String> = entry
        .authors
        .into_iter()
        .filter_map(|p| p.name.or(p.email))
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    put("author", Some(authors.join(", ")));
    let date = entry.published.or(entry.updated);
    put(
        "date",
        date.map(|d| written.get(&d).cloned().unwrap_or_else(|| d.to_rfc3339())),
    );
    put("content", entry.content.and_then(|c| c.body));
    put("description", entry.summary.map(|s| s.content));
    put("outlet", outlet.map(str::to_owned));
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_rss_item_without_a_guid_is_named_by_its_link_or_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.rss");
        std::fs::write(
            &path,
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
            <item><title>A</title><link>https://w.test/a</link><description>Text &amp; more.</description><pubDate>Mon, 17 Nov 2025 10:00:00 GMT</pubDate></item>
            <item><title>B</title><description>Only text.</description><pubDate>someday</pubDate></item>
            </channel></rss>"#,
        )
        .unwrap();
        let mut articles = Vec::new();
        let warnings = load(&path, "f.rss", &Metadata::default(), &mut |a| {
            articles.push(a)
        })
        .unwrap();
        let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["https://w.test/a", "f.rss:2"]);
        assert_eq!(articles[0].body, "Text & more.");
        assert_eq!(articles[0].meta.outlet.as_ref().unwrap().value, "Wire");
        assert!(articles[1].meta.date.is_none());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(
            warnings[0].to_string(),
            "f.rss: date 'someday' is not a date; its item is indexed undated"
        );
    }
}
