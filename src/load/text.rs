//! Plain-text articles (`.txt`): a headline first line becomes the title, a
//! leading dateline gives the date, and the body is the file's text.

use super::body::{is_boilerplate, BodyBuilder};
use crate::article::{LineMap, Metadata, Origin, Sourced};
use crate::date;

/// A plain-text article's own metadata and body.
pub fn parse(text: &str) -> (Metadata, String, LineMap) {
    let mut meta = Metadata::default();
    let mut lines = text.lines();
    let first = lines.by_ref().find(|l| !l.trim().is_empty());
    let after_first = lines.next();
    // The dateline opens the story: after the headline when there is one.
    let mut story = text;
    if let Some(first) = first {
        let stands_alone = after_first.is_none_or(|l| l.trim().is_empty());
        if stands_alone && date::is_headline(first.trim()) {
            meta.title = Some(Sourced::new(first.trim().to_owned(), Origin::Headline));
            let end = first.as_ptr() as usize - text.as_ptr() as usize + first.len();
            story = &text[end..];
        }
    }
    if let Some(found) = date::dateline(story) {
        meta.date = Some(Sourced::new(found, Origin::Dateline));
    }
    let mut body = BodyBuilder::new();
    for (i, line) in text.lines().enumerate() {
        if !is_boilerplate(line) {
            body.line(line, i as u32 + 1);
        }
    }
    let (body, lines) = body.finish();
    (meta, body, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_and_dateline_are_found() {
        let (meta, body, lines) =
            parse("Cartel named\n\nWASHINGTON, Nov. 17, 2025 - The US said.\n");
        assert_eq!(meta.title.unwrap().value, "Cartel named");
        assert_eq!(
            meta.date.unwrap().value.to_rfc3339(),
            "2025-11-17T00:00:00+00:00"
        );
        assert_eq!(lines.line_of(&body, body.find("WASH").unwrap()), Some(3));
    }

    #[test]
    fn a_paragraph_first_line_is_not_a_title() {
        let (meta, _, _) = parse(
            "The United States has designated the cartel as a group, officials said.\n\nMore.",
        );
        assert!(meta.title.is_none());
        assert!(meta.date.is_none());
    }

    #[test]
    fn boilerplate_lines_are_dropped_and_lines_still_map() {
        let (_, body, lines) =
            parse("One para.\n\nLeave a Reply\n\nBack to top button\n\nLast para.");
        assert_eq!(body, "One para.\n\n\n\nLast para.");
        assert_eq!(lines.line_of(&body, body.find("Last").unwrap()), Some(7));
    }
}
