//! Printers: render search results in the formats of `--format`. Printers
//! only render; they compute nothing.

mod human;
pub mod terminal;

pub use human::{date_text, trace as human_trace};

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;

use crate::search::{Hit, SearchResult};

/// Output formats of commands that print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Readable text with highlights and a summary line.
    Human,
    /// One result object per query, one per line.
    Json,
    /// One hit object per line.
    Jsonl,
    /// One hit per row, comma-separated, with a header.
    Csv,
    /// One hit per row, tab-separated, with a header.
    Tsv,
    /// `qid Q0 docid rank score newsdex`, for trec_eval.
    Trec,
}

impl Format {
    /// Whether the format shows highlight ranges (others need not compute them).
    pub fn shows_highlights(self) -> bool {
        matches!(self, Format::Human | Format::Json | Format::Jsonl)
    }

    /// Whether the format shows more of a hit than its ids (TREC runs do not).
    pub fn shows_passages(self) -> bool {
        !matches!(self, Format::Trec)
    }

    /// Whether the format shows how a score was made (`search --explain`).
    pub fn shows_explain(self) -> bool {
        matches!(self, Format::Human | Format::Json | Format::Jsonl)
    }

    /// Whether the format shows how many passages matched in all.
    pub fn shows_total(self) -> bool {
        matches!(self, Format::Human | Format::Json)
    }
}

/// The columns of `csv` and `tsv` output.
pub const TABLE_HEADER: [&str; 12] = [
    "query_id",
    "rank",
    "score",
    "article_id",
    "outlet",
    "date",
    "title",
    "url",
    "path",
    "line",
    "passage",
    "text",
];

/// An error for one query of a batch, printed in place of its result.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct QueryError {
    /// 1-based line of the batch input.
    pub line: usize,
    /// The query's id.
    pub query_id: Option<String>,
    /// The query text, if the line could be read.
    pub query: Option<String>,
    /// What is wrong.
    pub error: String,
}

/// An id as one field of a TREC line: each whitespace or control character
/// is written as `%XX`, one per UTF-8 byte (a space as `%20`, a line break
/// as `%0A`); every other character, `%` included, stays as it is, so an id
/// without such characters is written unchanged.
pub fn trec_id(id: &str) -> Cow<'_, str> {
    let escaped = |c: char| c.is_whitespace() || c.is_control();
    if !id.contains(escaped) {
        return Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() + 8);
    for c in id.chars() {
        if escaped(c) {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The id a TREC field stands for: [`trec_id`] undone, or `None` when the
/// field holds no escape that `trec_id` writes.
pub fn id_of_trec_field(field: &str) -> Option<String> {
    if !field.contains('%') {
        return None;
    }
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    let id = String::from_utf8(out).ok()?;
    (id != field && trec_id(&id) == field).then_some(id)
}

/// Writes results one after another in one format.
pub struct Printer<W: Write> {
    out: W,
    format: Format,
    color: bool,
    articles: bool,
    header_written: bool,
}

impl<W: Write> Printer<W> {
    /// A printer to `out`. `articles` makes TREC doc ids article ids.
    pub fn new(out: W, format: Format, color: bool, articles: bool) -> Self {
        Printer {
            out,
            format,
            color,
            articles,
            header_written: false,
        }
    }

    /// Prints one query's result.
    pub fn result(&mut self, result: &SearchResult) -> io::Result<()> {
        match self.format {
            Format::Human => human::result(&mut self.out, result, self.color),
            Format::Json => self.json_line(result),
            Format::Jsonl => result.hits.iter().try_for_each(|hit| self.json_line(hit)),
            Format::Csv | Format::Tsv => self.table(&result.hits),
            Format::Trec => result.hits.iter().try_for_each(|hit| self.trec(hit)),
        }
    }

    /// Prints a batch query's error: as a record in JSON formats, else on stderr only.
    pub fn query_error(&mut self, error: &QueryError) -> io::Result<()> {
        match self.format {
            Format::Json | Format::Jsonl => self.json_line(error),
            _ => Ok(()),
        }
    }

    /// The writer, to add lines of one's own between results.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// The writer, once printing is done.
    pub fn into_inner(self) -> W {
        self.out
    }

    /// Writes the header line of a table format (CSV, TSV) unless it is
    /// written already; other formats have none.
    pub fn header(&mut self) -> io::Result<()> {
        if matches!(self.format, Format::Csv | Format::Tsv) && !self.header_written {
            self.table(&[])?;
        }
        Ok(())
    }

    /// Prints no header: for output that continues another printer's.
    pub fn skip_header(&mut self) {
        self.header_written = true;
    }

    /// Flushes buffered output (with the table header, if nothing was printed).
    pub fn flush(&mut self) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }

    fn json_line(&mut self, value: &impl Serialize) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")
    }

    fn trec(&mut self, hit: &Hit) -> io::Result<()> {
        let qid = trec_id(hit.query_id.as_deref().unwrap_or("1"));
        let id = trec_id(&hit.article.id);
        let docid = if self.articles {
            id
        } else {
            Cow::Owned(format!("{id}#{}", hit.passage.index))
        };
        writeln!(
            self.out,
            "{qid} Q0 {docid} {} {} newsdex",
            hit.rank, hit.score
        )
    }

    fn table(&mut self, hits: &[Hit]) -> io::Result<()> {
        let tsv = self.format == Format::Tsv;
        let mut writer = csv::WriterBuilder::new()
            .delimiter(if tsv { b'\t' } else { b',' })
            .quote_style(if tsv {
                csv::QuoteStyle::Never
            } else {
                csv::QuoteStyle::Necessary
            })
            .from_writer(&mut self.out);
        if !self.header_written {
            writer.write_record(TABLE_HEADER)?;
            self.header_written = true;
        }
        // TSV has no quoting: tabs and line breaks inside a field become spaces.
        let cell = |s: &str| {
            if tsv {
                s.replace(['\t', '\n', '\r'], " ")
            } else {
                s.to_owned()
            }
        };
        for hit in hits {
            let a = &hit.article;
            let none = String::new();
            writer.write_record([
                cell(hit.query_id.as_deref().unwrap_or("")),
                hit.rank.to_string(),
                format!("{:.6}", hit.score),
                cell(&a.id),
                cell(a.outlet.as_ref().unwrap_or(&none)),
                a.date.clone().unwrap_or_default(),
                cell(a.title.as_ref().unwrap_or(&none)),
                cell(a.url.as_ref().unwrap_or(&none)),
                cell(a.path.as_ref().unwrap_or(&none)),
                hit.passage.line.map(|l| l.to_string()).unwrap_or_default(),
                hit.passage.index.to_string(),
                cell(&hit.passage.text),
            ])?;
        }
        writer.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{id_of_trec_field, trec_id};

    #[test]
    fn trec_ids_are_one_field_and_plain_ids_stay_as_they_are() {
        assert_eq!(trec_id("corpus/a.txt"), "corpus/a.txt");
        assert_eq!(trec_id("50%-off"), "50%-off");
        assert_eq!(trec_id("my file.txt"), "my%20file.txt");
        assert_eq!(trec_id("a\tb\nc\r"), "a%09b%0Ac%0D");
        assert_eq!(
            trec_id("no\u{a0}break\u{3000}x\u{1b}"),
            "no%C2%A0break%E3%80%80x%1B"
        );
        for id in ["a b", "x\ny", "\u{2028}", "no\u{a0}break", "50% off"] {
            assert_eq!(trec_id(id).split_whitespace().count(), 1, "{id:?}");
            assert_eq!(id_of_trec_field(&trec_id(id)).as_deref(), Some(id));
        }
        // Fields that trec_id did not write so stand for no other id.
        for field in ["plain", "50%-off", "a%41b", "url%2Fpath", "%FF"] {
            assert_eq!(id_of_trec_field(field), None, "{field}");
        }
    }
}
