//! Plain-text articles (`.txt`): a headline first line becomes the title, a
//! leading dateline gives the date, and the body is the file's text.

use super::body::{is_boilerplate, BodyBuilder};
use super::Warning;
use crate::article::{LineMap, Metadata, Origin, Sourced};
use crate::date::{self, Dateline, Published};

/// A plain-text article's own metadata and body. A dateline without a year
/// takes it from the article's other dates; without any, the article is
/// undated, with a warning unless `dated_elsewhere` (a manifest or the
/// command line gives the date).
pub fn parse(
    text: &str,
    location: &str,
    warnings: &mut Vec<Warning>,
    dated_elsewhere: bool,
) -> (Metadata, String, LineMap) {
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
    meta.date = match date::dateline(story) {
        Some(Dateline::Dated(found)) => Some(Sourced::new(found, Origin::Dateline)),
        Some(Dateline::NoYear { month, day }) => {
            match date::complete_year(month, day, &date::dates_in(text)) {
                Some(found) => Some(Sourced::new(
                    Published::day(found),
                    Origin::DatelineYearFromText,
                )),
                None => {
                    if !dated_elsewhere {
                        warnings.push(Warning::new(
                            location,
                            format!(
                                "the dateline's date ({}) has no year, and the article gives no other date to take one from; article indexed undated",
                                month_day(month, day)
                            ),
                        ));
                    }
                    None
                }
            }
        }
        None => None,
    };
    let mut body = BodyBuilder::new();
    for (i, line) in text.lines().enumerate() {
        if !is_boilerplate(line) {
            body.line(line, i as u32 + 1);
        }
    }
    let (body, lines) = body.finish();
    (meta, body, lines)
}

/// A month and day as a reader writes it: `Nov 28`.
fn month_day(month: u32, day: u32) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let name = NAMES.get(month as usize - 1).unwrap_or(&"?");
    format!("{name} {day}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Metadata, String, LineMap) {
        let mut warnings = Vec::new();
        let parsed = super::parse(text, "a.txt", &mut warnings, false);
        assert!(warnings.is_empty(), "{warnings:?}");
        parsed
    }

    #[test]
    fn a_dateline_without_a_year_takes_it_from_the_text_or_warns() {
        let (meta, _, _) = super::parse(
            "CARACAS, Nov 28 (Reuters) - The measure took effect on Nov. 24, 2025.",
            "a.txt",
            &mut Vec::new(),
            false,
        );
        let date = meta.date.unwrap();
        assert_eq!(date.value, date::parse_date("2025-11-28").unwrap());
        assert_eq!(date.origin, Origin::DatelineYearFromText);
        let mut warnings = Vec::new();
        let text = "CARACAS, Nov 28 (Reuters) - Maduro spoke.";
        let (meta, _, _) = super::parse(text, "a.txt", &mut warnings, false);
        assert!(meta.date.is_none());
        assert_eq!(
            warnings[0].to_string(),
            "a.txt: the dateline's date (Nov 28) has no year, and the article gives no other date to take one from; article indexed undated"
        );
        let mut warnings = Vec::new();
        super::parse(text, "a.txt", &mut warnings, true);
        assert!(
            warnings.is_empty(),
            "a manifest date makes the dateline moot"
        );
    }

    #[test]
    fn headline_and_dateline_are_found() {
        let (meta, body, lines) =
            parse("Cartel named\n\nWASHINGTON, Nov. 17, 2025 - The US said.\n");
        assert_eq!(meta.title.unwrap().value, "Cartel named");
        assert_eq!(
            meta.date.unwrap().value,
            date::parse_date("2025-11-17").unwrap()
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
