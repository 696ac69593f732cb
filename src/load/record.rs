//! Article records of news exports — a JSON object (a JSON Lines line, an
//! element of a JSON array or API response) or a CSV row — read by their
//! fields, whatever API or dataset wrote them: newsdex's own fields,
//! NewsAPI (`source.name`, `publishedAt`, `description`, `content`), GDELT
//! and Media Cloud (`media_name`, `publish_date`, `domain`, `seendate`),
//! Event Registry (`source.title`, `dateTimePub`, `body`, `authors[].name`),
//! newsdata.io (`source_name`, `pubDate`, `link`, `creator`), webz.io
//! (`thread.site`), news-please (`maintext`, `date_publish`), the Guardian
//! (`webTitle`, `webUrl`, `fields.bodyText`) and others.
//!
//! Each role (id, outlet, date, title, author, url, text, summary) has its
//! field names in order of preference; a dotted name (`source.name`) is a
//! field of a nested object, or a flattened column of that name. A field
//! that is neither in the table nor known to carry nothing worth indexing
//! (image links, scores) is reported, once per file, by [`Unused`].

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use serde_json::{Map, Value};

use super::{body, Warning};
use crate::article::{Metadata, Notes, Origin, Sourced, Truncation};
use crate::date;

/// What a field is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Id,
    Outlet,
    Date,
    Title,
    Author,
    Url,
    Text,
    Summary,
}

/// Field names by role, most preferred first.
const TABLE: &[(Role, &[&str])] = &[
    (
        Role::Id,
        &[
            "id",
            "_id",
            "uuid",
            "guid",
            "uri",
            "article_id",
            "stories_id",
            "doc_id",
            "docid",
        ],
    ),
    (
        Role::Outlet,
        &[
            "outlet",
            "source",
            "source.name",
            "source.title",
            "publisher",
            "publisher.name",
            "publication",
            "media_name",
            "source_name",
            "site_name",
            "thread.site",
            "source_domain",
            "domain",
            "source_id",
        ],
    ),
    (
        Role::Date,
        &[
            "dateTimePub",
            "dateTime",
            "date",
            "published",
            "published_at",
            "publishedAt",
            "publish_date",
            "date_publish",
            "pub_date",
            "pubDate",
            "datePublished",
            "date_published",
            "publication_date",
            "published_date",
            "webPublicationDate",
            "thread.published",
            "seendate",
        ],
    ),
    (
        Role::Title,
        &[
            "title",
            "headline",
            "headline.main",
            "webTitle",
            "fields.headline",
            "thread.title",
        ],
    ),
    (
        Role::Author,
        &[
            "author",
            "authors",
            "byline",
            "byline.original",
            "creator",
            "fields.byline",
        ],
    ),
    (
        Role::Url,
        &[
            "url",
            "link",
            "webUrl",
            "web_url",
            "canonical_url",
            "thread.url",
        ],
    ),
    (
        Role::Text,
        &[
            "text",
            "body",
            "content",
            "article",
            "maintext",
            "full_text",
            "articleBody",
            "fields.bodyText",
            "fields.body",
            "lead_paragraph",
        ],
    ),
    (
        Role::Summary,
        &[
            "description",
            "summary",
            "abstract",
            "excerpt",
            "snippet",
            "standfirst",
            "trailText",
            "fields.trailText",
        ],
    ),
];

/// Fields that carry nothing to index or cite, or repeat a field that is
/// used: image and icon links, relevance scores, pagination, the time part
/// of a date given whole elsewhere, a dataframe's index column.
const SILENT: &[&str] = &[
    "",
    "Unnamed: 0",
    "index",
    "urlToImage",
    "image",
    "image_url",
    "images",
    "top_image",
    "socialimage",
    "thumbnail",
    "video_url",
    "source_icon",
    "source_url",
    "source_priority",
    "media_id",
    "media_url",
    "url_mobile",
    "apiUrl",
    "isDuplicate",
    "dataType",
    "sim",
    "wgt",
    "relevance",
    "sentiment",
    "eventUri",
    "score",
    "_score",
    "time",
    "pubDateTZ",
    "year",
    "month",
    "day",
    "date_download",
    "date_modify",
    "indexed_date",
    "localpath",
    "filename",
    "title_page",
    "title_rss",
    "source.id",
    "source.uri",
    "source.url",
    "source.dataType",
];

/// Texts some APIs put in place of the article on their free plans.
const PLACEHOLDERS: &[&str] = &["ONLY AVAILABLE IN PAID PLANS"];

/// What the table says of a field name.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// A field of this role, with its rank (lower is preferred).
    Role(Role, usize),
    /// A field known to carry nothing to index.
    Silent,
    /// An object some of whose fields have roles (`source` for `source.name`).
    Parent,
}

/// Every field name of the table, by name.
static SLOTS: LazyLock<HashMap<&'static str, Slot>> = LazyLock::new(|| {
    let mut slots = HashMap::new();
    for name in SILENT {
        slots.insert(*name, Slot::Silent);
    }
    for (role, names) in TABLE {
        for (rank, name) in names.iter().enumerate() {
            if let Some((parent, _)) = name.split_once('.') {
                slots.entry(parent).or_insert(Slot::Parent);
            }
            slots.insert(*name, Slot::Role(*role, rank));
        }
    }
    slots
});

/// Every field name of the table by its lower-case form, for CSV headers
/// written in another case (`Title`, `PUBLISHED`).
static BY_LOWER_CASE: LazyLock<HashMap<String, &'static str>> = LazyLock::new(|| {
    SLOTS
        .keys()
        .map(|name| (name.to_lowercase(), *name))
        .collect()
});

/// The field name of the table that a CSV header stands for, or the header.
pub fn column_name(header: &str) -> String {
    let header = header.trim().trim_start_matches('\u{feff}');
    if SLOTS.contains_key(header) {
        return header.to_owned();
    }
    BY_LOWER_CASE
        .get(&header.to_lowercase())
        .map_or_else(|| header.to_owned(), |name| (*name).to_owned())
}

/// Whether a column holds article text (a text or summary field).
pub fn is_text_column(name: &str) -> bool {
    matches!(
        SLOTS.get(name),
        Some(Slot::Role(Role::Text | Role::Summary, _))
    )
}

/// The field names newsdex reads text from, for messages.
pub fn text_column_names() -> String {
    TABLE
        .iter()
        .filter(|(role, _)| matches!(role, Role::Text | Role::Summary))
        .flat_map(|(_, names)| names.iter().filter(|n| !n.contains('.')))
        .copied()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields a file's records hold that newsdex does not use, with how
/// many records hold each: reported once per file.
#[derive(Debug, Default)]
pub struct Unused(BTreeMap<String, usize>);

impl Unused {
    /// Adds the fields one record did not use.
    pub fn add(&mut self, fields: Vec<String>) {
        for field in fields {
            *self.0.entry(field).or_default() += 1;
        }
    }

    /// The one warning for the file, if any field went unused.
    pub fn warning(&self, location: &str) -> Option<Warning> {
        if self.0.is_empty() {
            return None;
        }
        let names: Vec<String> = self
            .0
            .iter()
            .map(|(name, records)| {
                let s = if *records == 1 { "" } else { "s" };
                format!("{name} ({records} record{s})")
            })
            .collect();
        let s = if names.len() == 1 { "" } else { "s" };
        Some(Warning::new(
            location,
            format!(
                "field{s} newsdex does not use, left out of the index: {}",
                names.join(", ")
            ),
        ))
    }
}

/// Record ids longer than this are not used (the record gets its `FILE:N`
/// id): an id must stay one exact term of the index.
const MAX_ID_BYTES: usize = 4096;

/// An article as a record gives it: not yet given its line map.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The record's own id (its `id` or the like, else its URL), else the
    /// fallback its file gives it (`FILE:N`).
    pub id: String,
    /// Its metadata.
    pub meta: Metadata,
    /// The text a reader sees.
    pub body: String,
    /// Whether the text is cut short.
    pub notes: Notes,
    /// Fields with a value that newsdex does not use.
    pub unused: Vec<String>,
}

/// A text field's HTML as plain text: the page text extraction's, unless
/// it left out much of the text (bare text between blocks, which a saved
/// page would not hold as article text but a feed's or an API's HTML may).
fn html_text(html: &str) -> String {
    // A fragment the page extraction refuses (a wall, runaway nesting) is
    // read as bare text below.
    let extracted = super::parse_html(html, "", &mut Vec::new())
        .map(|(_, text, _)| text)
        .unwrap_or_default();
    let whole = fragment_text(html);
    let words = |s: &str| s.split_whitespace().count();
    if words(&extracted) * 5 >= words(&whole) * 4 {
        extracted
    } else {
        whole
            .split("\n\n")
            .filter(|p| !body::is_boilerplate(p))
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// A field's value as one string: a string, a number, a list of strings
/// or of `{"name": …}` objects (authors), or a `{"name": …}` object.
fn text_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => {
            let names: Vec<String> = items.iter().filter_map(text_of).collect();
            names.join(", ")
        }
        Value::Object(object) => ["name", "title"]
            .iter()
            .find_map(|k| object.get(*k).and_then(text_of))?,
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// Whether a value holds anything (for fields that go unused).
fn has_value(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(items) => items.iter().any(has_value),
        Value::Object(object) => object.values().any(has_value),
        _ => true,
    }
}

/// The values of a record's fields by role, in order of preference.
#[derive(Default)]
struct Found<'r> {
    by_role: BTreeMap<Role, Vec<(usize, &'r Value)>>,
    unused: Vec<String>,
}

impl<'r> Found<'r> {
    /// Sorts the record's fields into roles, in one pass over them.
    fn of(record: &'r Map<String, Value>) -> Found<'r> {
        let mut found = Found::default();
        for (name, value) in record {
            match SLOTS.get(name.as_str()) {
                Some(Slot::Role(role, rank)) => {
                    found.put(*role, *rank, value);
                    if let Value::Object(object) = value {
                        found.children(name, object);
                    }
                }
                Some(Slot::Parent) => {
                    if let Value::Object(object) = value {
                        found.children(name, object);
                    } else if has_value(value) {
                        found.unused.push(name.clone());
                    }
                }
                Some(Slot::Silent) => {}
                None if has_value(value) => found.unused.push(name.clone()),
                None => {}
            }
        }
        for values in found.by_role.values_mut() {
            values.sort_by_key(|(rank, _)| *rank);
        }
        found
    }

    /// The fields of a nested object that have roles (`source.name`).
    fn children(&mut self, parent: &str, object: &'r Map<String, Value>) {
        for (name, value) in object {
            if let Some(Slot::Role(role, rank)) = SLOTS.get(format!("{parent}.{name}").as_str()) {
                self.put(*role, *rank, value);
            }
        }
    }

    fn put(&mut self, role: Role, rank: usize, value: &'r Value) {
        // An object is a field's value only as an id (to be refused).
        if role == Role::Id || !matches!(value, Value::Object(_)) {
            self.by_role.entry(role).or_default().push((rank, value));
        }
    }

    /// The values given for a role, most preferred first.
    fn all(&self, role: Role) -> impl Iterator<Item = String> + '_ {
        self.by_role
            .get(&role)
            .into_iter()
            .flatten()
            .filter_map(|(_, value)| text_of(value))
    }

    /// The preferred value of a role.
    fn first(&self, role: Role) -> Option<String> {
        self.all(role).next()
    }
}

/// Reads one record. `at` names it in warnings (`file:line`); `origin` is
/// where its metadata comes from; `fallback` is its id when it has none of
/// its own (`FILE:N`). Fails when the record has no text and no title.
pub fn read(
    record: &Map<String, Value>,
    origin: Origin,
    at: &str,
    fallback: &dyn Fn() -> String,
    warnings: &mut Vec<Warning>,
) -> Result<Record, String> {
    let found = Found::of(record);
    let mut notes = Notes::default();
    let mut control = false;
    let mut clean = |text: String| {
        control |= body::has_control(&text);
        body::without_control(text)
    };
    let title = found.first(Role::Title).map(|t| clean(plain_line(&t)));
    let summary = found.first(Role::Summary).map(|s| clean(plain_text(&s)));
    let text = match found.first(Role::Text) {
        Some(text) if PLACEHOLDERS.contains(&text.as_str()) => {
            notes.truncated = Some(Truncation::default());
            None
        }
        Some(text) => {
            let (text, truncation) = untruncated(&text);
            notes.truncated = truncation;
            Some(clean(plain_text(text)))
        }
        None => None,
    };
    if control {
        warnings.push(Warning::new(at, "control characters removed from the text"));
    }
    // A headline-only record (a wire brief, a GDELT list) is searchable by
    // its headline.
    let body = match (joined(summary, text), &title) {
        (Some(body), _) => body,
        (None, Some(title)) => title.clone(),
        (None, None) => return Err("record has no text or title".into()),
    };
    let sourced = |value: Option<String>| {
        value
            .map(|v| body::without_control(plain_line(&v)))
            .filter(|v| !v.is_empty())
            .map(|v| Sourced::new(v, origin))
    };
    let url = found.first(Role::Url);
    let meta = Metadata {
        outlet: sourced(found.first(Role::Outlet)),
        date: record_date(&found, at, warnings).map(|d| Sourced::new(d, origin)),
        title: title.map(|t| Sourced::new(t, origin)),
        author: sourced(found.first(Role::Author)),
        url: sourced(url.clone()),
        outlet_domain: None,
    };
    let id = match record_id(&found, at, fallback, warnings) {
        Some(id) => id,
        None => url
            .and_then(|url| one_line(&url, "url", at, fallback, warnings))
            .unwrap_or_else(fallback),
    };
    Ok(Record {
        id,
        meta,
        body,
        notes,
        unused: found.unused,
    })
}

/// A record's own id as one line of text: its first id field that has a
/// value. Control characters in an id (a line break, a tab) would break
/// every line-based output and the `show` command, so each run of them
/// becomes one space, with a warning; an id that is not a string or number,
/// or is too long, gives way to the fallback, with a warning.
fn record_id(
    found: &Found<'_>,
    at: &str,
    fallback: &dyn Fn() -> String,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let (rank, value) = found
        .by_role
        .get(&Role::Id)?
        .iter()
        .find(|(_, v)| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        })?;
    let (_, names) = TABLE.iter().find(|(role, _)| *role == Role::Id)?;
    let key = names[*rank];
    match value {
        Value::String(s) => one_line(s.trim(), key, at, fallback, warnings),
        Value::Number(n) => Some(n.to_string()),
        _ => {
            let why = format!(
                "record {key} is not a string or number; indexed as '{}'",
                fallback()
            );
            warnings.push(Warning::new(at, why));
            Some(fallback())
        }
    }
}

/// An id as one line of text, or the fallback when it is too long (see [`record_id`]).
fn one_line(
    raw: &str,
    key: &str,
    at: &str,
    fallback: &dyn Fn() -> String,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    let id = if raw.chars().any(char::is_control) {
        let clean = raw
            .split(char::is_control)
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let clean = if clean.is_empty() { fallback() } else { clean };
        let why = format!(
            "record {key} {} holds control characters (a line break, a tab); indexed as '{clean}'",
            Value::String(raw.to_owned())
        );
        warnings.push(Warning::new(at, why));
        clean
    } else {
        raw.to_owned()
    };
    if id.len() > MAX_ID_BYTES {
        let why = format!(
            "record {key} is longer than {MAX_ID_BYTES} bytes; indexed as '{}'",
            fallback()
        );
        warnings.push(Warning::new(at, why));
        return Some(fallback());
    }
    Some(id)
}

/// The first of the record's dates that parses; a warning when none does.
fn record_date(
    found: &Found<'_>,
    at: &str,
    warnings: &mut Vec<Warning>,
) -> Option<date::Published> {
    let mut first_error = None;
    for raw in found.all(Role::Date) {
        match date::parse_date(&compact_date(&raw)) {
            Ok(date) => return Some(date),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        warnings.push(Warning::new(
            at,
            format!("date {e}; article indexed undated"),
        ));
    }
    None
}

/// GDELT's `20251117T101500Z` in ISO 8601 extended form; anything else as it is.
fn compact_date(raw: &str) -> String {
    let b = raw.as_bytes();
    let digits = |range: std::ops::Range<usize>| b[range].iter().all(u8::is_ascii_digit);
    if b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && digits(0..8) && digits(9..15) {
        let s = raw;
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &s[0..4],
            &s[4..6],
            &s[6..8],
            &s[9..11],
            &s[11..13],
            &s[13..15]
        )
    } else {
        raw.to_owned()
    }
}

/// A text without a news API's truncation mark (`… [+1234 chars]`), and
/// the truncation it marked. The ellipsis stays: it shows where the text stops.
pub fn untruncated(text: &str) -> (&str, Option<Truncation>) {
    let trimmed = text.trim_end();
    let Some(open) = trimmed.rfind("[+") else {
        return (text, None);
    };
    let Some(inner) = trimmed[open + 2..].strip_suffix(']') else {
        return (text, None);
    };
    let Some(count) = inner
        .strip_suffix("chars")
        .or_else(|| inner.strip_suffix("characters"))
    else {
        return (text, None);
    };
    let Ok(count) = count.trim().parse::<u64>() else {
        return (text, None);
    };
    let truncation = Truncation {
        chars_left_out: Some(count),
    };
    (trimmed[..open].trim_end(), Some(truncation))
}

/// A summary and a text as one body: both, unless one holds the other.
fn joined(summary: Option<String>, text: Option<String>) -> Option<String> {
    match (summary, text) {
        (Some(summary), Some(text)) => {
            let squeeze = |s: &str| {
                s.trim_end_matches(['…', '.'])
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (s, t) = (squeeze(&summary), squeeze(&text));
            Some(if t.contains(&s) {
                text
            } else if s.contains(&t) {
                summary
            } else {
                format!("{summary}\n\n{text}")
            })
        }
        (summary, text) => text.or(summary).filter(|t| !t.trim().is_empty()),
    }
}

/// Whether a text is HTML markup rather than plain text: it closes a
/// common element or breaks a line with `<br>`. (An opening tag alone is
/// not enough: wire copy writes tickers as `<BRKN.S>` and `<P>`.)
pub fn looks_like_html(text: &str) -> bool {
    const MARKS: &[&str] = &[
        "</p>",
        "</div>",
        "</a>",
        "</li>",
        "</span>",
        "</strong>",
        "</em>",
        "</b>",
        "</i>",
        "</h1>",
        "</h2>",
        "</h3>",
        "</h4>",
        "</h5>",
        "</h6>",
        "</ul>",
        "</ol>",
        "</blockquote>",
        "</figure>",
        "</table>",
        "</td>",
        "</tr>",
        "<br>",
        "<br/>",
        "<br />",
    ];
    if memchr::memchr(b'<', text.as_bytes()).is_none() {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    MARKS.iter().any(|mark| lower.contains(mark))
}

/// Whether a text holds an HTML character reference (`&amp;`, `&#39;`).
fn has_entity(text: &str) -> bool {
    text.match_indices('&').any(|(at, _)| {
        let rest = &text.as_bytes()[at + 1..];
        let name = rest
            .iter()
            .take(10)
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
            .count();
        name > 0 && rest.get(name) == Some(&b';')
    })
}

/// A text field as plain text: HTML goes through the page text extraction
/// (paragraphs separated by blank lines); character references are decoded.
pub fn plain_text(text: &str) -> String {
    if looks_like_html(text) {
        return html_text(text);
    }
    decode_references(text.trim())
}

/// Decodes HTML character references (`&amp;`, `&#8217;`, `&eacute;`) and
/// leaves everything else as it is; an unknown name stays as written.
fn decode_references(text: &str) -> String {
    if !has_entity(text) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let name_len = rest[1..]
            .bytes()
            .take(32)
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
            .count();
        let decoded = (rest.as_bytes().get(name_len + 1) == Some(&b';'))
            .then(|| reference(&rest[1..=name_len]))
            .flatten();
        match decoded {
            Some(decoded) => {
                out.push_str(&decoded);
                rest = &rest[name_len + 2..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The text of one character reference, named without `&` and `;`.
fn reference(name: &str) -> Option<String> {
    let number = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    let code = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
        number(hex, 16)
    } else if let Some(decimal) = name.strip_prefix('#') {
        number(decimal, 10)
    } else {
        // Named references: the HTML parser knows all of them.
        let text = fragment_text(&format!("&{name};"));
        return (text != format!("&{name};") && !text.is_empty()).then_some(text);
    };
    char::from_u32(code?).map(String::from)
}

/// A one-line field (title, outlet, author) as plain text.
fn plain_line(text: &str) -> String {
    let text = if looks_like_html(text) {
        fragment_text(text)
    } else {
        decode_references(text)
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of an HTML fragment, whatever its markup: block elements and
/// `<br>` break lines, and paragraphs are separated by blank lines.
fn fragment_text(html: &str) -> String {
    use scraper::Node;
    const BLOCKS: &[&str] = &[
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "tr",
        "section",
        "article",
        "figure",
        "ul",
        "ol",
        "table",
    ];
    let fragment = scraper::Html::parse_fragment(html);
    let mut out = String::new();
    for edge in fragment.root_element().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Text(text) => out.push_str(text),
                Node::Element(el) if el.name() == "br" => out.push('\n'),
                Node::Element(el) if BLOCKS.contains(&el.name()) => out.push_str("\n\n"),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    if BLOCKS.contains(&el.name()) {
                        out.push_str("\n\n");
                    }
                }
            }
        }
    }
    out.split("\n\n")
        .map(|para| {
            para.lines()
                .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|para| !para.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Record ids already met in one file, kept as 64-bit hashes.
#[derive(Debug, Default)]
pub struct SeenIds(HashMap<u64, String>);

impl SeenIds {
    /// Records that `id` was met at `place`; when it was met before, returns
    /// where.
    pub fn first_place(&mut self, id: &str, place: impl FnOnce() -> String) -> Option<&str> {
        use std::collections::hash_map::Entry;
        match self.0.entry(crate::duplicates::id_key(id)) {
            Entry::Occupied(first) => Some(first.into_mut().as_str()),
            Entry::Vacant(slot) => {
                slot.insert(place());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_json(json: &str) -> (Result<Record, String>, Vec<Warning>) {
        let Value::Object(record) = serde_json::from_str(json).unwrap() else {
            panic!("not an object")
        };
        let mut warnings = Vec::new();
        let read = read(
            &record,
            Origin::JsonField,
            "f:1",
            &|| "f:1".into(),
            &mut warnings,
        );
        (read, warnings)
    }

    #[test]
    fn a_newsapi_article_gives_every_field() {
        let (record, warnings) = read_json(
            r#"{"source":{"id":"bbc-news","name":"BBC News"},"author":"Jane Doe",
                "title":"Cartel de los Soles designated","description":"The US designated the group.",
                "url":"https://bbc.co.uk/a","urlToImage":"https://bbc.co.uk/a.jpg",
                "publishedAt":"2025-11-17T10:00:00Z",
                "content":"Washington said on Monday that the cartel… [+2345 chars]"}"#,
        );
        let record = record.unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(record.id, "https://bbc.co.uk/a");
        assert_eq!(record.meta.outlet.unwrap().value, "BBC News");
        assert_eq!(record.meta.author.unwrap().value, "Jane Doe");
        assert_eq!(
            record.meta.date.unwrap().value.utc.to_rfc3339(),
            "2025-11-17T10:00:00+00:00"
        );
        assert_eq!(
            record.body,
            "The US designated the group.\n\nWashington said on Monday that the cartel…"
        );
        assert_eq!(
            record.notes.truncated,
            Some(Truncation {
                chars_left_out: Some(2345)
            })
        );
        assert!(record.unused.is_empty());
    }

    #[test]
    fn event_registry_and_newsdata_shapes_are_read() {
        let (record, _) = read_json(
            r#"{"uri":"8123","dateTime":"2025-11-17T09:00:00Z","date":"2025-11-17","time":"09:00:00",
                "source":{"uri":"reuters.com","title":"Reuters"},"authors":[{"name":"A. Writer"},{"name":"B. Writer"}],
                "body":"Text.","title":"T","lang":"eng"}"#,
        );
        let record = record.unwrap();
        assert_eq!(record.id, "8123");
        assert_eq!(record.meta.outlet.unwrap().value, "Reuters");
        assert_eq!(record.meta.author.unwrap().value, "A. Writer, B. Writer");
        assert_eq!(
            record.meta.date.unwrap().value.utc.to_rfc3339(),
            "2025-11-17T09:00:00+00:00",
            "the datetime is preferred to the day"
        );
        assert_eq!(record.unused, ["lang"]);

        let (record, _) = read_json(
            r#"{"article_id":"ab12","title":"Caracas &amp; Washington","link":"https://x.test/1",
                "creator":["Ana"],"description":"<p>First.</p><p>Second.</p>",
                "content":"ONLY AVAILABLE IN PAID PLANS","pubDate":"2025-11-17 08:30:00",
                "source_id":"xtest","source_name":"X Test","country":["venezuela"]}"#,
        );
        let record = record.unwrap();
        assert_eq!(record.meta.title.unwrap().value, "Caracas & Washington");
        assert_eq!(record.meta.outlet.unwrap().value, "X Test");
        assert_eq!(record.body, "First.\n\nSecond.");
        assert_eq!(record.notes.truncated, Some(Truncation::default()));
        assert_eq!(record.unused, ["country"]);
    }

    #[test]
    fn gdelt_dates_and_title_only_records() {
        let (record, warnings) = read_json(
            r#"{"url":"https://x.test/a","title":"Headline","seendate":"20251117T101500Z","domain":"x.test","socialimage":""}"#,
        );
        let record = record.unwrap();
        assert!(warnings.is_empty());
        assert_eq!(record.body, "Headline");
        assert_eq!(record.meta.outlet.unwrap().value, "x.test");
        assert_eq!(
            record.meta.date.unwrap().value.utc.to_rfc3339(),
            "2025-11-17T10:15:00+00:00"
        );
    }

    #[test]
    fn a_bad_date_falls_back_to_the_next_date_field_or_warns() {
        let (record, warnings) =
            read_json(r#"{"text":"x","date":"soon","publishedAt":"2025-11-17"}"#);
        assert!(record.unwrap().meta.date.is_some());
        assert!(warnings.is_empty());
        let (record, warnings) = read_json(r#"{"text":"x","date":"soon"}"#);
        assert!(record.unwrap().meta.date.is_none());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("'soon'"), "{warnings:?}");
    }

    #[test]
    fn truncation_marks_are_recognised_and_nothing_else() {
        assert_eq!(untruncated("Text… [+1234 chars]").0, "Text…");
        assert_eq!(
            untruncated("Text [+12 chars]").1.unwrap().chars_left_out,
            Some(12)
        );
        assert_eq!(untruncated("See [+ note]").1, None);
        assert_eq!(untruncated("a [+5 votes]").1, None);
    }

    #[test]
    fn html_text_becomes_plain_text() {
        assert!(looks_like_html("<p>a</p>"));
        assert!(!looks_like_html("a < b and c > d"));
        let wire = "Broken Hill Pty <BRKN.S>  said <P> rose.\n\n  Second   paragraph.";
        assert!(!looks_like_html(wire));
        assert_eq!(plain_text(wire), wire.trim(), "plain text is kept as it is");
        assert_eq!(plain_text("a &lt; b &amp; c"), "a < b & c");
        assert_eq!(plain_text("x < y &amp; z"), "x < y & z");
        assert_eq!(
            plain_text("One &#8217;two&#x2019;  &eacute;\n\n&bogus; &amp"),
            "One ’two’  é\n\n&bogus; &amp",
            "references decoded, spacing and unknown names kept"
        );
        assert_eq!(
            fragment_text("one<br>two<div>three</div>"),
            "one\ntwo\n\nthree"
        );
    }

    #[test]
    fn summary_and_text_are_not_repeated() {
        let both = |s: &str, t: &str| joined(Some(s.into()), Some(t.into())).unwrap();
        assert_eq!(
            both("The lead.", "The lead. And more."),
            "The lead. And more."
        );
        assert_eq!(
            both("The lead is longer.", "The lead…"),
            "The lead is longer."
        );
        assert_eq!(both("A.", "B."), "A.\n\nB.");
    }

    #[test]
    fn csv_headers_in_another_case_are_recognised() {
        assert_eq!(column_name("Title"), "title");
        assert_eq!(column_name("\u{feff}PUBLISHEDAT"), "publishedAt");
        assert_eq!(column_name("Section"), "Section");
        assert!(is_text_column("content") && !is_text_column("title"));
    }
}
