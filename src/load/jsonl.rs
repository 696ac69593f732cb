//! JSON Lines articles (`.jsonl`, `.ndjson`, and their `.gz`): one article
//! per line, `{"id","outlet","date","title","url","author","text"}` or the
//! fields of a news API or dataset export (see [`super::record`]) — so a
//! BEIR `corpus.jsonl` indexes as it is. Streamed: memory does not grow
//! with the file.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::record::{self, Unused};
use super::{SkipReason, Warning};
use crate::article::{Article, LineMap, Metadata, Origin};

/// Lines longer than this are skipped (with a warning) rather than parsed.
const MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Whether a path names a gzip-compressed file.
pub fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// One record's article and the fields it did not use, or why the line is
/// skipped.
fn article(
    record: &Map<String, Value>,
    at: &str,
    source: &str,
    line: u32,
    external: &Metadata,
    warnings: &mut Vec<Warning>,
) -> Result<(Article, Vec<String>), String> {
    let fallback = || format!("{source}:{line}");
    let read = record::read(record, Origin::JsonField, at, &fallback, warnings)?;
    let article = Article {
        id: read.id,
        source: source.to_owned(),
        meta: external.clone().or(read.meta).resolved(),
        body: read.body,
        lines: LineMap::Record(line),
        notes: read.notes,
    };
    Ok((article, read.unused))
}

/// Skips the rest of an overlong line without holding it in memory.
fn skip_line(reader: &mut impl BufRead) {
    loop {
        let (done, used) = match reader.fill_buf() {
            Ok([]) | Err(_) => return,
            Ok(chunk) => match chunk.iter().position(|&b| b == b'\n') {
                Some(at) => (true, at + 1),
                None => (false, chunk.len()),
            },
        };
        reader.consume(used);
        if done {
            return;
        }
    }
}

/// Lines read before they are parsed together (on all cores).
const BLOCK_LINES: usize = 1024;
/// Bytes read before a block is parsed, whatever its number of lines.
const BLOCK_BYTES: usize = 8 << 20;

/// A line as read: its text, or a problem met reading it.
enum Line {
    Text(u32, Vec<u8>),
    Problem(Warning),
}

/// A line as parsed.
enum Parsed {
    /// Nothing but whitespace.
    Blank,
    /// Holds NUL bytes: binary data, such as a crash or a full disk leaves
    /// at the end of a file.
    Binary,
    /// Skipped, for this reason.
    Bad(Warning),
    /// An article, the warnings about it (such as an unreadable date) and
    /// the fields it did not use.
    Article(Box<Article>, Vec<Warning>, Vec<String>),
}

/// Parses line number `line` of `source`.
fn parse_line(buf: &[u8], line: u32, source: &str, external: &Metadata) -> Parsed {
    if buf.contains(&0) {
        return Parsed::Binary;
    }
    let at = format!("{source}:{line}");
    // Valid UTF-8, the usual case, is checked faster than `from_utf8_lossy` does it.
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(buf) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let decoded = super::encoding::decode(buf, false);
            if let Some(note) = decoded.note {
                warnings.push(Warning::new(&at, note));
            }
            std::borrow::Cow::Owned(decoded.text)
        }
    };
    if text.trim().is_empty() {
        return Parsed::Blank;
    }
    let record = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(record)) => record,
        Ok(_) => return Parsed::Bad(Warning::new(&at, "not a JSON object; line skipped")),
        Err(e) => {
            return Parsed::Bad(Warning::new(
                &at,
                format!("invalid JSON ({e}); line skipped"),
            ))
        }
    };
    match article(&record, &at, source, line, external, &mut warnings) {
        Ok((article, unused)) => Parsed::Article(Box::new(article), warnings, unused),
        Err(reason) => Parsed::Bad(Warning::new(&at, format!("{reason}; line skipped"))),
    }
}

/// Consecutive lines holding NUL bytes, reported as one warning.
#[derive(Default)]
struct BinaryRun {
    first: u32,
    lines: u32,
}

impl BinaryRun {
    /// Counts line `line` as binary.
    fn add(&mut self, line: u32) {
        if self.lines == 0 {
            self.first = line;
        }
        self.lines += 1;
    }

    /// The warning for the run so far, if any, and a fresh start.
    fn end(&mut self, source: &str) -> Option<Warning> {
        let run = std::mem::take(self);
        let what = match run.lines {
            0 => return None,
            1 => "line holds NUL bytes (binary data, as a crash or a full disk leaves); line skipped"
                .to_string(),
            n => format!(
                "{n} lines from here hold NUL bytes (binary data, as a crash or a full disk leaves); lines skipped"
            ),
        };
        Some(Warning::new(format!("{source}:{}", run.first), what))
    }
}

/// Streams the records of a JSON Lines file to `emit`. A bad line is
/// skipped with a `file:line` warning; the rest of the file is loaded.
pub fn load(
    path: &Path,
    source: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let file = super::Counted(file);
    let reader: Box<dyn Read> = if is_gzip(path) {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    // Lines are read one by one, and a line with NUL bytes is one bad line;
    // but compressed data under a plain name would give nothing but bad lines.
    match reader.fill_buf() {
        Ok([0x1f, 0x8b, ..]) => {
            return Err("binary file (gzip-compressed data; name it .jsonl.gz)".into())
        }
        Ok(_) => {}
        Err(e) => return Err(format!("cannot read: {e}")),
    }
    let mut warnings = Vec::new();
    let (mut bad_lines, mut binary_lines) = (0usize, 0usize);
    let mut binary = BinaryRun::default();
    // By id hash: 12 bytes a record rather than a copy of every id.
    let mut first_seen: HashMap<u64, u32> = HashMap::new();
    let mut line = 0u32;
    let mut records = 0usize;
    let mut unused = Unused::default();
    let mut block: Vec<Line> = Vec::with_capacity(BLOCK_LINES);
    let mut at_end = false;
    while !at_end {
        // Read a block of lines in this thread…
        block.clear();
        let mut block_bytes = 0;
        while block.len() < BLOCK_LINES && block_bytes < BLOCK_BYTES {
            let mut buf = Vec::new();
            let read = (&mut reader)
                .take(MAX_LINE_BYTES as u64 + 1)
                .read_until(b'\n', &mut buf);
            match read {
                Ok(0) => {
                    at_end = true;
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    let at = format!("{source}:{}", line + 1);
                    block.push(Line::Problem(Warning::new(
                        at,
                        format!("cannot read further: {e}; the rest of the file is skipped"),
                    )));
                    at_end = true;
                    break;
                }
            }
            line += 1;
            if buf.len() > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
                skip_line(&mut reader);
                if buf.contains(&0) {
                    block.push(Line::Text(line, vec![0]));
                    continue;
                }
                let at = format!("{source}:{line}");
                block.push(Line::Problem(Warning::new(
                    &at,
                    format!("line longer than {} MB; skipped", MAX_LINE_BYTES >> 20),
                )));
                continue;
            }
            block_bytes += buf.len();
            block.push(Line::Text(line, buf));
        }
        // …parse it on all cores…
        let parsed: Vec<Option<Parsed>> = block
            .par_iter()
            .map(|entry| match entry {
                Line::Text(line, buf) => Some(parse_line(buf, *line, source, external)),
                Line::Problem(_) => None,
            })
            .collect();
        // …and hand the articles on in file order.
        for (entry, parsed) in block.drain(..).zip(parsed) {
            let (line, parsed) = match (entry, parsed) {
                (Line::Problem(warning), _) => {
                    warnings.extend(binary.end(source));
                    bad_lines += 1;
                    warnings.push(warning);
                    continue;
                }
                (Line::Text(line, _), Some(parsed)) => (line, parsed),
                (Line::Text(..), None) => continue,
            };
            if let Parsed::Binary = parsed {
                bad_lines += 1;
                binary_lines += 1;
                binary.add(line);
                continue;
            }
            warnings.extend(binary.end(source));
            let article = match parsed {
                Parsed::Blank | Parsed::Binary => continue,
                Parsed::Bad(warning) => {
                    bad_lines += 1;
                    warnings.push(warning);
                    continue;
                }
                Parsed::Article(article, own, fields) => {
                    warnings.extend(own);
                    unused.add(fields);
                    *article
                }
            };
            let key = crate::duplicates::id_key(&article.id);
            if let Some(first) = first_seen.get(&key) {
                let message = format!(
                    "duplicate id '{}' (first on line {first}); line skipped",
                    article.id
                );
                warnings.push(Warning::new(format!("{source}:{line}"), message));
                bad_lines += 1;
                continue;
            }
            first_seen.insert(key, line);
            records += 1;
            emit(article);
        }
    }
    warnings.extend(binary.end(source));
    if records == 0 {
        return Err(match bad_lines {
            0 => "empty file".into(),
            n if n == binary_lines => "binary file (contains NUL bytes; no readable record)".into(),
            1 => "no readable records (1 bad line)".into(),
            n => format!("no readable records ({n} bad lines)"),
        });
    }
    warnings.extend(unused.warning(source));
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &[u8], name: &str) -> (Vec<Article>, Result<Vec<Warning>, SkipReason>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut articles = Vec::new();
        let result = load(&path, name, &Metadata::default(), &mut |a| articles.push(a));
        (articles, result)
    }

    #[test]
    fn fields_and_aliases_are_read_and_bad_lines_skipped() {
        let text = br#"{"_id":"d1","source":"Reuters","published":"1987-03-03T10:00:00","title":"T1","body":"Caracas said."}
not json
{"id":7,"text":"No metadata here."}

{"id":"d1","text":"again"}
{"title":"HEADLINE ONLY"}
"#;
        let (articles, result) = load_text(text, "a.jsonl");
        let warnings = result.unwrap();
        let ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["d1", "7", "a.jsonl:6"]);
        assert_eq!(articles[0].meta.outlet.as_ref().unwrap().value, "Reuters");
        assert_eq!(
            articles[0]
                .meta
                .date
                .as_ref()
                .unwrap()
                .value
                .utc
                .to_rfc3339(),
            "1987-03-03T10:00:00+00:00"
        );
        assert_eq!(articles[2].body, "HEADLINE ONLY");
        assert_eq!(articles[1].lines, LineMap::Record(3));
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert!(shown[0].starts_with("a.jsonl:2: invalid JSON"), "{shown:?}");
        assert!(
            shown[1].starts_with("a.jsonl:5: duplicate id 'd1' (first on line 1)"),
            "{shown:?}"
        );
    }

    #[test]
    fn a_line_that_is_not_utf8_is_decoded_and_named() {
        let text = b"{\"id\":\"a\",\"text\":\"Nicol\xE1s Maduro habl\xF3 con el se\xF1or L\xF3pez en Caracas.\"}\n{\"id\":\"b\",\"text\":\"plain\"}\n";
        let (articles, result) = load_text(text, "a.jsonl");
        assert_eq!(
            articles[0].body,
            "Nicolás Maduro habló con el señor López en Caracas."
        );
        let shown: Vec<String> = result.unwrap().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            ["a.jsonl:1: not UTF-8; decoded as windows-1252 (detected)"]
        );
    }

    #[test]
    fn gzip_is_read_transparently() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"{\"id\":\"x\",\"text\":\"zipped\"}\n")
            .unwrap();
        let (articles, result) = load_text(&gz.finish().unwrap(), "a.jsonl.gz");
        assert!(result.unwrap().is_empty());
        assert_eq!(articles[0].body, "zipped");
    }

    #[test]
    fn a_file_with_no_good_record_is_skipped() {
        let (_, result) = load_text(b"nope\n[1]\n", "bad.jsonl");
        assert_eq!(result.unwrap_err(), "no readable records (2 bad lines)");
    }
}
