//! Markdown articles (`.md`, `.markdown`): optional YAML front matter for
//! metadata; the body is the text with Markdown markup removed.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_norway::Value;

use super::body::BodyBuilder;
use super::Warning;
use crate::article::{LineMap, Metadata, Origin, Sourced};
use crate::date;
use crate::outlet;

/// Splits `---` front matter from the rest. Returns the YAML text, the
/// Markdown text, and the 0-based line where the Markdown starts.
fn split_front_matter(text: &str) -> Option<(&str, &str, u32)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let yaml = &rest[..offset];
            let markdown = &rest[offset + line.len()..];
            let lines = 2 + yaml.matches('\n').count() as u32;
            return Some((yaml, markdown, lines));
        }
        offset += line.len();
    }
    None
}

/// A string value of a front matter key (a list gives its items joined).
fn string_of(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Sequence(items) => items
            .iter()
            .filter_map(string_of)
            .collect::<Vec<_>>()
            .join(", "),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// Longest front matter read, in bytes: metadata is a few lines.
const MAX_FRONT_MATTER_BYTES: usize = 64 * 1024;
/// Deepest nesting of `[…]` and `{…}` read in front matter.
const MAX_FRONT_MATTER_DEPTH: usize = 32;

/// Why front matter is too big or too deep to read, if it is: the YAML
/// parser's time grows fast with the nesting of flow collections.
fn too_complex(yaml: &str) -> Option<String> {
    if yaml.len() > MAX_FRONT_MATTER_BYTES {
        return Some(format!(
            "front matter is longer than {} KB",
            MAX_FRONT_MATTER_BYTES / 1024
        ));
    }
    let (mut depth, mut quote) = (0usize, None);
    for c in yaml.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_FRONT_MATTER_DEPTH {
                    return Some(format!(
                        "front matter nests lists or mappings more than {MAX_FRONT_MATTER_DEPTH} deep"
                    ));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, '\n') => quote = None,
            _ => {}
        }
    }
    None
}

/// Metadata from front matter YAML. Problems become warnings.
fn front_matter_metadata(yaml: &str, location: &str, warnings: &mut Vec<Warning>) -> Metadata {
    if let Some(reason) = too_complex(yaml) {
        warnings.push(Warning::new(location, format!("{reason}; ignored")));
        return Metadata::default();
    }
    let mapping = match serde_norway::from_str::<Value>(yaml) {
        Ok(Value::Mapping(mapping)) => mapping,
        Ok(Value::Null) => return Metadata::default(),
        Ok(_) => {
            warnings.push(Warning::new(
                location,
                "front matter is not a key: value mapping; ignored",
            ));
            return Metadata::default();
        }
        Err(e) => {
            let reason = e.to_string();
            let reason = reason.lines().next().unwrap_or_default();
            warnings.push(Warning::new(
                location,
                format!("front matter is not valid YAML ({reason}); ignored"),
            ));
            return Metadata::default();
        }
    };
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| mapping.get(*k).and_then(string_of))
    };
    let sourced = |value: Option<String>| value.map(|v| Sourced::new(v, Origin::FrontMatter));
    let date = get(&["date", "published", "published_at"]).and_then(|raw| {
        date::parse_date(&raw)
            .map_err(|e| {
                warnings.push(Warning::new(
                    location,
                    format!("front matter date {e}; article indexed undated"),
                ))
            })
            .ok()
    });
    // Web clippers write the page's URL as `source`; a name under another
    // key is the outlet, and the URL is the article's.
    let outlets: Vec<String> = ["outlet", "source", "publisher", "site_name", "site"]
        .iter()
        .filter_map(|k| mapping.get(*k).and_then(string_of))
        .collect();
    let named = outlets.iter().find(|o| !outlet::is_url(o));
    let linked = outlets.iter().find(|o| outlet::is_url(o));
    Metadata {
        outlet: sourced(named.or(linked).cloned()),
        date: date.map(|d| Sourced::new(d, Origin::FrontMatter)),
        title: sourced(get(&["title"])),
        author: sourced(get(&["author", "authors"])),
        url: sourced(get(&["url", "link", "canonical_url"]).or(linked.cloned())),
        outlet_domain: None,
    }
}

/// The text of Markdown with its markup removed: headings, emphasis and
/// quotes lose their marks, links keep their text, images and HTML go.
/// Blocks are separated by blank lines; lines map back to `first_line` + n.
fn strip_markup(markdown: &str, first_line: u32) -> (String, LineMap) {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(markdown.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset) as u32;
    let mut body = BodyBuilder::new();
    let mut in_image = 0usize;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { .. }) => in_image += 1,
            Event::End(TagEnd::Image) => in_image = in_image.saturating_sub(1),
            Event::Text(text) | Event::Code(text) if in_image == 0 => {
                let mut line = line_of(range.start);
                for (i, piece) in text.split('\n').enumerate() {
                    if i > 0 {
                        body.line_break();
                        line += 1;
                    }
                    let piece = if body.at_line_start() {
                        piece.trim_start()
                    } else {
                        piece
                    };
                    body.text(piece, line);
                }
            }
            Event::SoftBreak | Event::HardBreak => body.line_break(),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::BlockQuote(_)
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => body.block_break(),
            _ => {}
        }
    }
    body.finish()
}

/// A Markdown article's own metadata and body.
pub fn parse(
    text: &str,
    location: &str,
    warnings: &mut Vec<Warning>,
) -> (Metadata, String, LineMap) {
    let (meta, markdown, first_line) = match split_front_matter(text) {
        Some((yaml, markdown, lines)) => (
            front_matter_metadata(yaml, location, warnings),
            markdown,
            lines,
        ),
        None => (Metadata::default(), text, 0),
    };
    let (body, lines) = strip_markup(markdown, first_line);
    (meta, body, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_gives_metadata_and_lines_count_past_it() {
        let text = "---\ntitle: \"Breaking: cartel named\"\ndate: 2025-11-17T02:08:21\nauthor: badely\nsource: Example News\n---\n\nFirst **bold** para.\n\nSecond [link](http://x) para.\n";
        let mut warnings = vec![];
        let (meta, body, lines) = parse(text, "a.md", &mut warnings);
        assert!(warnings.is_empty());
        assert_eq!(meta.title.unwrap().value, "Breaking: cartel named");
        assert_eq!(meta.outlet.unwrap().value, "Example News");
        assert_eq!(meta.author.unwrap().value, "badely");
        let date = meta.date.unwrap().value;
        assert_eq!(date::rfc3339_utc(date.utc), "2025-11-17T02:08:21Z");
        assert_eq!(date.precision, date::Precision::Time);
        assert_eq!(
            date.offset, None,
            "no offset written: taken as UTC, offset unknown"
        );
        assert_eq!(body, "First bold para.\n\nSecond link para.");
        assert_eq!(lines.line_of(&body, 0), Some(8));
        assert_eq!(lines.line_of(&body, body.find("Second").unwrap()), Some(10));
    }

    #[test]
    fn a_clipped_page_url_is_the_url_and_a_name_is_the_outlet() {
        let clip = "---\ntitle: Cartel\nsource: \"https://www.theguardian.com/world/x\"\npublished: 2025-11-24T19:40:00-04:00\n---\nText.\n";
        let (meta, _, _) = parse(clip, "a.md", &mut vec![]);
        let meta = meta.resolved();
        assert_eq!(meta.outlet.unwrap().value, "theguardian.com");
        assert_eq!(
            meta.url.unwrap().value,
            "https://www.theguardian.com/world/x"
        );
        let named = clip.replace("title: Cartel", "site: The Guardian");
        let (meta, _, _) = parse(&named, "a.md", &mut vec![]);
        let meta = meta.resolved();
        assert_eq!(meta.outlet.unwrap().value, "The Guardian");
        assert_eq!(
            meta.url.unwrap().value,
            "https://www.theguardian.com/world/x"
        );
    }

    #[test]
    fn headings_and_quotes_lose_their_marks() {
        let (_, body, _) = parse(
            "# Head\n\n> quoted *words*\n\n![alt](img.png) after\n",
            "a.md",
            &mut vec![],
        );
        assert_eq!(body, "Head\n\nquoted words\n\nafter");
    }

    #[test]
    fn malformed_front_matter_warns_and_keeps_the_body() {
        let mut warnings = vec![];
        let (meta, body, _) = parse(
            "---\ntitle: [unclosed\n---\nBody text.\n",
            "bad.md",
            &mut warnings,
        );
        assert_eq!(meta, Metadata::default());
        assert_eq!(body, "Body text.");
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0]
            .to_string()
            .starts_with("bad.md: front matter is not valid YAML"));
    }

    #[test]
    fn deeply_nested_or_huge_front_matter_is_ignored_at_once_with_a_warning() {
        let deep = format!("---\ntitle: {}\n---\nBody text.\n", "[".repeat(60_000));
        let huge = format!(
            "---\ntitle: x\nnote: \"{}\"\n---\nBody.\n",
            "a".repeat(70_000)
        );
        for (text, reason) in [
            (
                deep.as_str(),
                "d.md: front matter nests lists or mappings more than 32 deep; ignored",
            ),
            (
                huge.as_str(),
                "d.md: front matter is longer than 64 KB; ignored",
            ),
        ] {
            let started = std::time::Instant::now();
            let mut warnings = vec![];
            let (meta, body, _) = parse(text, "d.md", &mut warnings);
            assert!(
                started.elapsed().as_secs_f64() < 1.0,
                "{:?}",
                started.elapsed()
            );
            assert_eq!(meta, Metadata::default());
            assert!(body.starts_with("Body"));
            let warnings: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
            assert_eq!(warnings, [reason]);
        }
        // Nesting within the limit, and brackets inside quotes, are read as YAML.
        let fine = "---\ntitle: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x\"\ntags: [[a, [b]], {c: [d]}]\n---\nBody.\n";
        let mut warnings = vec![];
        let (meta, _, _) = parse(fine, "f.md", &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert!(meta.title.unwrap().value.ends_with("[x"));
    }

    #[test]
    fn a_bad_date_warns_and_leaves_the_article_undated() {
        let mut warnings = vec![];
        let (meta, _, _) = parse("---\ndate: 0000-00-00\n---\nText.\n", "d.md", &mut warnings);
        assert!(meta.date.is_none());
        assert!(warnings[0].message.contains("undated"));
    }
}
