//! JSON exports (`.json`): one article, an array of articles, a news API
//! response holding an array of them under `articles`, `results`, `data`,
//! `items`, `posts`, `docs`, `stories`, `news` or `response` (nested ones
//! too: Event Registry's `{"articles": {"results": […]}}`, the Guardian's
//! `{"response": {"results": […]}}`), or several such values one after
//! another (JSON Lines saved as `.json`). Each article is read by its fields
//! ([`super::record`]).
//!
//! Streamed: an article is handed on as soon as it is parsed, so memory
//! holds one article at a time whatever the size of the file.

use std::cell::Cell;
use std::fmt;
use std::io::{BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::record::{self, SeenIds, Unused};
use super::{SkipReason, Warning};
use crate::article::{Article, LineMap, Metadata, Origin};

/// Keys under which API responses hold their list of articles.
const CONTAINERS: &[&str] = &[
    "articles", "results", "data", "items", "posts", "docs", "stories", "news", "response",
];

/// Counts the lines and the non-blank bytes that the JSON parser has read.
struct Tracked<R> {
    inner: R,
    at: Rc<Position>,
}

/// How far the parser has read.
#[derive(Default)]
struct Position {
    /// Newlines read.
    newlines: Cell<u32>,
    /// Bytes read other than whitespace.
    content: Cell<u64>,
}

impl Position {
    /// The line being read, 1-based.
    fn line(&self) -> u32 {
        self.newlines.get() + 1
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.at.newlines.set(self.at.newlines.get() + 1);
            } else if !b.is_ascii_whitespace() {
                self.at.content.set(self.at.content.get() + 1);
            }
        }
        Ok(n)
    }
}

/// The state of one file's stream of articles.
struct Stream<'a> {
    source: &'a str,
    external: &'a Metadata,
    emit: &'a mut dyn FnMut(Article),
    at: Rc<Position>,
    /// Records met so far (articles or not).
    records: usize,
    /// Articles handed on.
    emitted: usize,
    /// Lists of articles met (empty ones included).
    lists: usize,
    /// The line where the last top-level array or object started.
    top_line: u32,
    warnings: Vec<Warning>,
    unused: Unused,
    seen: SeenIds,
}

impl Stream<'_> {
    /// Reads record `value`, which starts on `line`, and hands its article on.
    fn record(&mut self, value: Value, line: u32) {
        self.records += 1;
        let at = format!("{}:{line}", self.source);
        let Value::Object(record) = value else {
            self.warnings.push(Warning::new(
                at,
                format!("record {} is not a JSON object; skipped", self.records),
            ));
            return;
        };
        let (source, n) = (self.source, self.records);
        let fallback = move || format!("{source}:{n}");
        let read = match record::read(
            &record,
            Origin::JsonField,
            &at,
            &fallback,
            &mut self.warnings,
        ) {
            Ok(read) => read,
            Err(reason) => {
                self.warnings
                    .push(Warning::new(at, format!("{reason}; record skipped")));
                return;
            }
        };
        let id = read.id;
        if let Some(first) = self.seen.first_place(&id, || line.to_string()) {
            let message = format!("duplicate id '{id}' (first on line {first}); record skipped");
            self.warnings.push(Warning::new(at, message));
            return;
        }
        self.unused.add(read.unused);
        self.emitted += 1;
        (self.emit)(Article {
            id,
            source: self.source.to_owned(),
            meta: self.external.clone().or(read.meta).resolved(),
            body: read.body,
            lines: LineMap::Record(line),
            notes: read.notes,
        });
    }
}

/// What parsing one JSON value gave.
enum Outcome {
    /// Its articles were handed on as a list (perhaps empty).
    Listed,
    /// A value that holds no list of articles.
    Value(Value),
}

/// A value of the file at some depth: arrays of objects are lists of
/// articles (at the top, any array is), objects are searched for lists
/// under [`CONTAINERS`] keys, other values are kept as they are.
struct Level<'s, 'a> {
    stream: &'s mut Stream<'a>,
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Level<'_, '_> {
    type Value = Outcome;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Outcome, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// One element of an array, with the line where it starts.
struct Element(Rc<Position>);

impl<'de> DeserializeSeed<'de> for Element {
    type Value = (Value, u32);

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(Value, u32), D::Error> {
        // The parser has read the element's first byte already.
        let line = self.0.line();
        let value = serde::Deserialize::deserialize(deserializer)?;
        Ok((value, line))
    }
}

impl<'de> Visitor<'de> for Level<'_, '_> {
    type Value = Outcome;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Outcome, A::Error> {
        if self.top {
            self.stream.top_line = self.stream.at.line();
        }
        // Below the top, an array of anything but objects is a plain field
        // (a list of tags), kept whole.
        let mut kept: Option<Vec<Value>> = None;
        let mut first = true;
        while let Some((value, line)) = seq.next_element_seed(Element(self.stream.at.clone()))? {
            if let Some(kept) = &mut kept {
                kept.push(value);
                continue;
            }
            if first && !self.top && !value.is_object() {
                kept = Some(vec![value]);
                continue;
            }
            first = false;
            self.stream.record(value, line);
        }
        Ok(match kept {
            Some(values) => Outcome::Value(Value::Array(values)),
            None => {
                self.stream.lists += 1;
                Outcome::Listed
            }
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outcome, A::Error> {
        if self.top {
            self.stream.top_line = self.stream.at.line();
        }
        let mut rest = Map::new();
        let mut listed = false;
        while let Some(key) = map.next_key::<String>()? {
            if CONTAINERS.contains(&key.as_str()) {
                let level = Level {
                    stream: self.stream,
                    top: false,
                };
                match map.next_value_seed(level)? {
                    Outcome::Listed => listed = true,
                    Outcome::Value(value) => {
                        rest.insert(key, value);
                    }
                }
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        Ok(if listed {
            Outcome::Listed
        } else {
            Outcome::Value(Value::Object(rest))
        })
    }

    fn visit_bool<E>(self, v: bool) -> Result<Outcome, E> {
        Ok(Outcome::Value(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Outcome, E> {
        Ok(Outcome::Value(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Outcome, E> {
        Ok(Outcome::Value(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Outcome, E> {
        Ok(Outcome::Value(v.into()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Outcome, E> {
        Ok(Outcome::Value(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<Outcome, E> {
        Ok(Outcome::Value(v.into()))
    }

    fn visit_unit<E>(self) -> Result<Outcome, E> {
        Ok(Outcome::Value(Value::Null))
    }
}

/// An object that holds no list: an article when it has article fields,
/// or when one of its [`CONTAINERS`] fields is an object that has them
/// (`{"data": {"title": …}}`).
fn lone_article(object: Map<String, Value>) -> Option<Map<String, Value>> {
    let has_article_fields = |o: &Map<String, Value>| {
        ["title", "headline"].iter().any(|k| o.contains_key(*k))
            || o.keys().any(|k| record::is_text_column(k))
    };
    if has_article_fields(&object) {
        return Some(object);
    }
    let mut inner = object
        .into_iter()
        .filter(|(k, _)| CONTAINERS.contains(&k.as_str()))
        .filter_map(|(_, v)| match v {
            Value::Object(o) if has_article_fields(&o) => Some(o),
            _ => None,
        });
    let first = inner.next();
    first.filter(|_| inner.next().is_none())
}

/// Streams the articles of a JSON file to `emit`. A record that is not an
/// article is skipped with a `file:line` warning; a syntax error ends the
/// file there, keeping the articles before it.
pub fn load(
    path: &Path,
    source: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let at = Rc::new(Position::default());
    let reader = Tracked {
        inner: BufReader::with_capacity(1 << 16, super::Counted(file)),
        at: at.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut stream = Stream {
        source,
        external,
        emit,
        at: at.clone(),
        records: 0,
        emitted: 0,
        lists: 0,
        top_line: 1,
        warnings: Vec::new(),
        unused: Unused::default(),
        seen: SeenIds::default(),
    };
    // A top-level object without a list, held until it is known whether
    // another value follows: a lone one is the file's one article.
    let mut held: Option<(Value, u32)> = None;
    let mut values = 0usize;
    loop {
        let content_before = at.content.get();
        let level = Level {
            stream: &mut stream,
            top: true,
        };
        let outcome = match level.deserialize(&mut de) {
            Ok(outcome) => outcome,
            Err(e) if e.is_eof() && at.content.get() == content_before => break,
            Err(e) => {
                let what = if e.is_io() {
                    format!("cannot read further: {e}")
                } else {
                    format!("invalid JSON ({e})")
                };
                if stream.emitted == 0 && held.is_none() {
                    return Err(what);
                }
                let message = format!("{what}; the rest of the file is skipped");
                stream.warnings.push(Warning::new(source, message));
                break;
            }
        };
        values += 1;
        let line = stream.top_line;
        if let Some((value, line)) = held.take() {
            stream.record(value, line);
        }
        match outcome {
            Outcome::Listed => {}
            Outcome::Value(value) if values == 1 => held = Some((value, line)),
            Outcome::Value(value) => stream.record(value, line),
        }
    }
    if let Some((value, line)) = held {
        match value {
            Value::Object(object) if values == 1 && stream.lists == 0 => {
                return lone(object, source, external, stream);
            }
            value => stream.record(value, line),
        }
    }
    if stream.emitted == 0 {
        return Err(match (stream.records, stream.lists) {
            (0, 0) => "empty file".into(),
            (0, _) => "no articles (the file's list of articles is empty)".into(),
            (n, _) => format!("no readable articles ({n} bad records)"),
        });
    }
    let mut warnings = stream.warnings;
    warnings.extend(stream.unused.warning(source));
    Ok(warnings)
}

/// A file holding one article object: its id is the file's.
fn lone(
    object: Map<String, Value>,
    source: &str,
    external: &Metadata,
    stream: Stream<'_>,
) -> Result<Vec<Warning>, SkipReason> {
    let Some(object) = lone_article(object) else {
        return Err(
            "no articles (a JSON object with neither article fields nor a list of articles)".into(),
        );
    };
    let mut warnings = stream.warnings;
    // The file's one article has the file's id, whatever id it gives itself.
    let fallback = || source.to_owned();
    let read = record::read(&object, Origin::JsonField, source, &fallback, &mut warnings)?;
    let mut unused = Unused::default();
    unused.add(read.unused);
    warnings.extend(unused.warning(source));
    (stream.emit)(Article {
        id: source.to_owned(),
        source: source.to_owned(),
        meta: external.clone().or(read.meta).resolved(),
        body: read.body,
        lines: LineMap::Unknown,
        notes: read.notes,
    });
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Vec<Article>, Result<Vec<Warning>, SkipReason>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, text).unwrap();
        let mut articles = Vec::new();
        let result = load(&path, "x.json", &Metadata::default(), &mut |a| {
            articles.push(a)
        });
        (articles, result)
    }

    fn ids(articles: &[Article]) -> Vec<&str> {
        articles.iter().map(|a| a.id.as_str()).collect()
    }

    #[test]
    fn an_array_gives_one_article_per_element_with_its_line() {
        let (articles, result) =
            load_text("[\n {\"id\": \"a\", \"text\": \"One.\"},\n {\"text\": \"Two.\"},\n 7\n]");
        let warnings = result.unwrap();
        assert_eq!(ids(&articles), ["a", "x.json:2"]);
        assert_eq!(articles[1].lines, LineMap::Record(3));
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].to_string(),
            "x.json:4: record 3 is not a JSON object; skipped"
        );
    }

    #[test]
    fn api_responses_nested_or_not_are_found() {
        let (articles, result) = load_text(
            r#"{"status":"ok","totalResults":2,"articles":[{"title":"A","content":"a"},{"title":"B","content":"b"}]}"#,
        );
        assert!(result.unwrap().is_empty());
        assert_eq!(ids(&articles), ["x.json:1", "x.json:2"]);
        let (articles, _) = load_text(
            r#"{"articles":{"page":1,"results":[{"uri":"1","body":"x","tags":["a","b"]}]}}"#,
        );
        assert_eq!(ids(&articles), ["1"]);
        let (articles, _) = load_text(r#"{"data":{"title":"Only one","body":"text"}}"#);
        assert_eq!(ids(&articles), ["x.json"]);
    }

    #[test]
    fn one_article_is_the_files_and_tags_stay_fields() {
        let (articles, result) =
            load_text(r#"{"title":"T","text":"Body.","items":["tag"],"url":"https://x.test"}"#);
        let warnings = result.unwrap();
        assert_eq!(ids(&articles), ["x.json"]);
        assert_eq!(articles[0].lines, LineMap::Unknown);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("items (1 record)"));
    }

    #[test]
    fn concatenated_values_are_records_and_a_syntax_error_keeps_what_came_before() {
        let (articles, result) =
            load_text("{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\": oops}\n");
        let warnings = result.unwrap();
        assert_eq!(ids(&articles), ["x.json:1", "x.json:2"]);
        assert!(
            warnings[0].message.starts_with("invalid JSON")
                && warnings[0]
                    .message
                    .ends_with("the rest of the file is skipped"),
            "{warnings:?}"
        );
        let (_, result) = load_text("{\"articles\": []}");
        assert_eq!(
            result.unwrap_err(),
            "no articles (the file's list of articles is empty)"
        );
        let (_, result) = load_text("  \n");
        assert_eq!(result.unwrap_err(), "empty file");
        let (_, result) = load_text("[1, oops");
        assert!(result.unwrap_err().starts_with("invalid JSON"));
    }
}
