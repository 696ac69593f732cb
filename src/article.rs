//! Articles: a news story, the text a reader sees, and its metadata with
//! where each value came from.

use serde::{Deserialize, Serialize};

use crate::date::Published;

/// Where a metadata value came from. Earlier variants take precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// `--outlet` / `--date` on the command line.
    CommandLine,
    /// A `manifest.csv` / `manifest.jsonl` row.
    Manifest,
    /// YAML front matter of a Markdown file.
    FrontMatter,
    /// `<meta>`, `<title>` or JSON-LD of an HTML page.
    HtmlMeta,
    /// A field of a JSON or JSON Lines record.
    JsonField,
    /// A column of a CSV export.
    CsvColumn,
    /// An item of an RSS or Atom feed, or the feed itself (its title as outlet).
    Feed,
    /// A web archive record's headers (its target URL).
    WebArchive,
    /// A dateline at the start of a plain-text article.
    Dateline,
    /// A dateline without a year, the year taken from the article's other dates.
    DatelineYearFromText,
    /// A headline line at the start of a plain-text article.
    Headline,
}

impl Origin {
    /// The name used in stored metadata and `show` output.
    pub fn name(self) -> &'static str {
        match self {
            Origin::CommandLine => "command line",
            Origin::Manifest => "manifest",
            Origin::FrontMatter => "front matter",
            Origin::HtmlMeta => "html meta",
            Origin::JsonField => "json field",
            Origin::CsvColumn => "csv column",
            Origin::Feed => "feed",
            Origin::WebArchive => "web archive",
            Origin::Dateline => "dateline",
            Origin::DatelineYearFromText => "dateline (year from the text)",
            Origin::Headline => "headline",
        }
    }
}

/// A metadata value and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it was found.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// A value found at `origin`.
    pub fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }
}

/// An article's metadata. A field that cannot be found stays empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    /// The publication that ran the article.
    pub outlet: Option<Sourced<String>>,
    /// Publication date, with its precision and offset.
    pub date: Option<Sourced<Published>>,
    /// Headline.
    pub title: Option<Sourced<String>>,
    /// Byline.
    pub author: Option<Sourced<String>>,
    /// Where the article was published online.
    pub url: Option<Sourced<String>>,
    /// The domain of a URL given as the outlet (as web clippers write it):
    /// the outlet when no source names one (see [`Metadata::resolved`]).
    pub outlet_domain: Option<Sourced<String>>,
}

impl Metadata {
    /// Keeps every field this has and takes the missing ones from `lower`,
    /// the source of lower precedence. An outlet that is a URL is taken
    /// as the URL (when the same source gives none), not as a name.
    pub fn or(self, lower: Metadata) -> Metadata {
        let (high, low) = (self.outlet_url_moved(), lower.outlet_url_moved());
        Metadata {
            outlet: high.outlet.or(low.outlet),
            date: high.date.or(low.date),
            title: high.title.or(low.title),
            author: high.author.or(low.author),
            url: high.url.or(low.url),
            outlet_domain: high.outlet_domain.or(low.outlet_domain),
        }
    }

    /// The metadata as stored: an article whose only outlet was a URL takes
    /// the URL's domain as its outlet.
    pub fn resolved(self) -> Metadata {
        let mut meta = self.outlet_url_moved();
        if meta.outlet.is_none() {
            meta.outlet = meta.outlet_domain.take();
        }
        meta
    }

    /// Moves an outlet that is a URL to `url` (unless this source gives
    /// one) and its domain to `outlet_domain`.
    fn outlet_url_moved(mut self) -> Metadata {
        let Some(outlet) = self.outlet.take_if(|o| crate::outlet::is_url(&o.value)) else {
            return self;
        };
        if let Some(domain) = crate::outlet::domain(&outlet.value) {
            self.outlet_domain = Some(Sourced::new(domain, outlet.origin));
        }
        if self.url.is_none() {
            self.url = Some(outlet);
        }
        self
    }

    /// `field=origin` pairs for the fields that are set, as stored in the index.
    pub fn origins(&self) -> String {
        let fields = [
            ("outlet", self.outlet.as_ref().map(|s| s.origin)),
            ("date", self.date.as_ref().map(|s| s.origin)),
            ("title", self.title.as_ref().map(|s| s.origin)),
            ("author", self.author.as_ref().map(|s| s.origin)),
            ("url", self.url.as_ref().map(|s| s.origin)),
        ];
        fields
            .iter()
            .filter_map(|(name, origin)| origin.map(|o| format!("{name}={}", o.name())))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Maps byte offsets in an article body to 1-based lines of its source file.
#[derive(Debug, Clone, PartialEq)]
pub enum LineMap {
    /// Body lines follow source lines; each anchor says that the body byte
    /// `.0` starts source line `.1`, and lines count on from there.
    Anchored(Vec<(usize, u32)>),
    /// The whole body comes from one source line (a JSON Lines record).
    Record(u32),
    /// No line information (extracted HTML).
    Unknown,
}

impl LineMap {
    /// The source line holding body byte `offset`.
    pub fn line_of(&self, body: &str, offset: usize) -> Option<u32> {
        match self {
            LineMap::Anchored(anchors) => {
                let i = anchors.partition_point(|&(at, _)| at <= offset);
                let (at, line) = *anchors.get(i.checked_sub(1)?)?;
                let end = offset.min(body.len());
                let newlines = body.as_bytes()[at.min(end)..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                Some(line + newlines as u32)
            }
            LineMap::Record(line) => Some(*line),
            LineMap::Unknown => None,
        }
    }

    /// The source lines of several body offsets, given in ascending order:
    /// the same as [`LineMap::line_of`] for each, in one pass over the body
    /// (a body of one huge line has thousands of passages).
    pub fn lines_of(&self, body: &str, offsets: &[usize]) -> Vec<Option<u32>> {
        let LineMap::Anchored(anchors) = self else {
            return offsets.iter().map(|&o| self.line_of(body, o)).collect();
        };
        // (anchor index, byte counted up to, line there)
        let mut cursor: Option<(usize, usize, u32)> = None;
        offsets
            .iter()
            .map(|&offset| {
                let i = anchors
                    .partition_point(|&(at, _)| at <= offset)
                    .checked_sub(1)?;
                let end = offset.min(body.len());
                let (from, line) = match cursor {
                    Some((a, pos, line)) if a == i && pos <= end => (pos, line),
                    _ => (anchors[i].0.min(end), anchors[i].1),
                };
                let newlines = body.as_bytes()[from..end]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                let line = line + newlines as u32;
                cursor = Some((i, end, line));
                Some(line)
            })
            .collect()
    }
}

/// What a source says about an article's text and capture, beside its
/// attribution: stored with the article and shown by `newsdex show`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notes {
    /// The source holds only the start of the text (a news API's
    /// `… [+1234 chars]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncation>,
    /// When a web archive captured the page (RFC 3339 UTC): the date of
    /// capture, not of publication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured: Option<String>,
}

impl Notes {
    /// Whether there is nothing to note.
    pub fn is_empty(&self) -> bool {
        *self == Notes::default()
    }
}

/// A text the source cut short.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truncation {
    /// How many characters the source left out, when it says.
    pub chars_left_out: Option<u64>,
}

/// A news story as loaded: identity, metadata and the text a reader sees.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// Stable id: the source path for a file, the record id for JSON Lines.
    pub id: String,
    /// Id of the file the article came from; incremental indexing works per source.
    pub source: String,
    /// Metadata after precedence has been applied.
    pub meta: Metadata,
    /// The text a reader sees; passage byte ranges point into it.
    pub body: String,
    /// Where body bytes stand in the source file.
    pub lines: LineMap,
    /// What the source says about the text and its capture.
    pub notes: Notes,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn higher_precedence_keeps_its_fields_and_fills_gaps() {
        let manifest = Metadata {
            outlet: Some(Sourced::new("BBC".into(), Origin::Manifest)),
            ..Metadata::default()
        };
        let own = Metadata {
            outlet: Some(Sourced::new("Blog".into(), Origin::FrontMatter)),
            title: Some(Sourced::new("A title".into(), Origin::FrontMatter)),
            ..Metadata::default()
        };
        let merged = manifest.or(own);
        assert_eq!(merged.outlet.unwrap().value, "BBC");
        assert_eq!(merged.title.unwrap().origin, Origin::FrontMatter);
    }

    #[test]
    fn an_outlet_that_is_a_url_becomes_the_url_and_the_outlet_its_domain() {
        let sourced = |v: &str| Some(Sourced::new(v.to_owned(), Origin::FrontMatter));
        let clipped = Metadata {
            outlet: sourced("https://www.theguardian.com/world/2025/nov/24/cartel"),
            ..Metadata::default()
        };
        let meta = Metadata::default().or(clipped.clone()).resolved();
        assert_eq!(meta.outlet.unwrap().value, "theguardian.com");
        assert_eq!(
            meta.url.unwrap().value,
            "https://www.theguardian.com/world/2025/nov/24/cartel"
        );
        // A name from another source (the page, a manifest) wins over the domain.
        let page = Metadata {
            outlet: sourced("The Guardian"),
            ..Metadata::default()
        };
        let meta = clipped.clone().or(page).resolved();
        assert_eq!(meta.outlet.unwrap().value, "The Guardian");
        assert!(meta
            .url
            .unwrap()
            .value
            .starts_with("https://www.theguardian.com/"));
        // The source's own URL stays its URL.
        let with_url = Metadata {
            url: sourced("https://example.org/a"),
            ..clipped
        };
        let meta = with_url.resolved();
        assert_eq!(meta.url.unwrap().value, "https://example.org/a");
        assert_eq!(meta.outlet.unwrap().value, "theguardian.com");
    }

    #[test]
    fn anchored_lines_count_from_the_nearest_anchor() {
        let body = "a\nb\n\nc\nd";
        let map = LineMap::Anchored(vec![(0, 3), (5, 10)]);
        assert_eq!(map.line_of(body, 0), Some(3));
        assert_eq!(map.line_of(body, 2), Some(4));
        assert_eq!(map.line_of(body, 5), Some(10));
        assert_eq!(map.line_of(body, 7), Some(11));
        assert_eq!(LineMap::Record(7).line_of(body, 3), Some(7));
        let offsets: Vec<usize> = (0..=body.len()).collect();
        let one_by_one: Vec<Option<u32>> = offsets.iter().map(|&o| map.line_of(body, o)).collect();
        assert_eq!(map.lines_of(body, &offsets), one_by_one);
        assert_eq!(LineMap::Unknown.line_of(body, 3), None);
    }
}
