//! CSV exports (`.csv`) with a header row: one article per row, its columns
//! named as the fields of [`super::record`] in any case (`title`,
//! `date`/`publish_date`/`published`, `outlet`/`publication`/`source`/
//! `media_name`, `url`, `author`, `text`/`content`/`body`/`article`, …). A
//! file without a column of article text is refused. Streamed.

use std::path::Path;

use serde_json::{Map, Value};

use super::encoding::{self, Decoded};
use super::record::{self, SeenIds, Unused};
use super::{SkipReason, Warning};
use crate::article::{Article, LineMap, Metadata, Origin};

/// Streams the rows of a CSV file to `emit`. A bad row is skipped with a
/// `file:line` warning; the rest of the file is loaded.
pub fn load(
    path: &Path,
    source: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(super::Counted(file));
    let headers = match reader.byte_headers() {
        Ok(headers) => headers.clone(),
        Err(e) => return Err(format!("cannot read the header row: {e}")),
    };
    let mut warnings = Vec::new();
    let (names, how) = header_names(&headers);
    if let Some(how) = how {
        warnings.push(Warning::new(format!("{source}:1"), how));
    }
    if names.iter().all(|n| n.is_empty()) {
        return Err("empty file".into());
    }
    if !names.iter().any(|n| record::is_text_column(n)) {
        return Err(format!(
            "no column of article text (one of: {}); the header row is: {}",
            record::text_column_names(),
            names.join(", ")
        ));
    }
    let mut unused = Unused::default();
    let mut seen = SeenIds::default();
    let mut row = csv::ByteRecord::new();
    let mut rows = 0usize;
    let mut emitted = 0usize;
    let mut first_decoded: Option<(u32, String)> = None;
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let at = format!("{source}:{line}");
                if e.is_io_error() {
                    let message =
                        format!("cannot read further: {e}; the rest of the file is skipped");
                    warnings.push(Warning::new(at, message));
                    break;
                }
                warnings.push(Warning::new(at, format!("bad row ({e}); skipped")));
                continue;
            }
        }
        let line = row.position().map_or(0, |p| p.line()) as u32;
        let at = format!("{source}:{line}");
        rows += 1;
        let mut fields = Map::new();
        for (i, cell) in row.iter().enumerate() {
            let Decoded { text, note } = encoding::decode(cell, false);
            if let Some(note) = note {
                first_decoded.get_or_insert((line, note));
            }
            if text.trim().is_empty() {
                continue;
            }
            match names.get(i) {
                Some(name) => {
                    fields.insert(name.clone(), Value::String(text));
                }
                None => {
                    let message = format!(
                        "row has {} fields, the header {}; the extra ones are left out",
                        row.len(),
                        names.len()
                    );
                    warnings.push(Warning::new(&at, message));
                    break;
                }
            }
        }
        if fields.is_empty() {
            continue;
        }
        let fallback = || format!("{source}:{line}");
        let read = match record::read(&fields, Origin::CsvColumn, &at, &fallback, &mut warnings) {
            Ok(read) => read,
            Err(reason) => {
                warnings.push(Warning::new(at, format!("{reason}; row skipped")));
                continue;
            }
        };
        let id = read.id;
        if let Some(first) = seen.first_place(&id, || line.to_string()) {
            let message = format!("duplicate id '{id}' (first on line {first}); row skipped");
            warnings.push(Warning::new(at, message));
            continue;
        }
        unused.add(read.unused);
        emitted += 1;
        emit(Article {
            id,
            source: source.to_owned(),
            meta: external.clone().or(read.meta).resolved(),
            body: read.body,
            lines: LineMap::Record(line),
            notes: read.notes,
        });
    }
    if let Some((line, note)) = first_decoded {
        warnings.push(Warning::new(
            format!("{source}:{line}"),
            format!("{note} (the first row not in UTF-8)"),
        ));
    }
    if emitted == 0 {
        return Err(if rows == 0 {
            "no rows below the header".into()
        } else {
            format!("no readable rows ({rows} rows, none with text or a title)")
        });
    }
    warnings.extend(unused.warning(source));
    Ok(warnings)
}

/// The header row as field names of the table, and how it was decoded
/// when it was not UTF-8.
fn header_names(headers: &csv::ByteRecord) -> (Vec<String>, Option<String>) {
    let mut how = None;
    let names = headers
        .iter()
        .map(|cell| {
            let Decoded { text, note } = encoding::decode(cell, false);
            how = how.take().or(note);
            record::column_name(&text)
        })
        .collect();
    (names, how)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> (Vec<Article>, Result<Vec<Warning>, SkipReason>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        std::fs::write(&path, text).unwrap();
        let mut articles = Vec::new();
        let result = load(&path, "x.csv", &Metadata::default(), &mut |a| {
            articles.push(a)
        });
        (articles, result)
    }

    #[test]
    fn rows_are_articles_with_their_lines() {
        let (articles, result) = load_text(
            "Title,Publication,Date,URL,Author,Content,section\n\
             A,The Paper,2025-11-17,https://p.test/a,Ann,\"Line one.\n\nLine two.\",World\n\
             B,The Paper,not a date,,,Text b.,\n\
             ,,,,,,\n\
             ,The Paper,,,,,\n",
        );
        let warnings = result.unwrap();
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].id, "https://p.test/a");
        assert_eq!(articles[0].meta.outlet.as_ref().unwrap().value, "The Paper");
        assert_eq!(articles[0].body, "Line one.\n\nLine two.");
        assert_eq!(articles[1].id, "x.csv:5");
        assert_eq!(articles[1].lines, LineMap::Record(5));
        let shown: Vec<String> = warnings.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(
            shown[0].starts_with("x.csv:5: date 'not a date'"),
            "{shown:?}"
        );
        assert!(shown[1].starts_with("x.csv:7: record has no text or title; row skipped"));
        assert!(shown[2].contains("section (1 record)"), "{shown:?}");
    }

    #[test]
    fn a_csv_without_text_is_refused() {
        let (_, result) = load_text("title,url\nA,https://x.test\n");
        let reason = result.unwrap_err();
        assert!(reason.starts_with("no column of article text"), "{reason}");
        assert!(
            reason.ends_with("the header row is: title, url"),
            "{reason}"
        );
    }
}
