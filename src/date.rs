//! Dates in article metadata, in `--since`/`--until` filters and in the
//! datelines and headlines of plain-text articles.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Utc};

/// Why a date could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not a date in any accepted form.
    #[error("'{0}' is not a date")]
    Unparsable(String),
    /// The date is before 1800 or after 2200.
    #[error("'{0}' is out of range (years 1800 to 2200)")]
    OutOfRange(String),
}

/// Which end of a `--since`/`--until` filter a value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// The inclusive lower bound: the first instant of the period.
    Since,
    /// The exclusive upper bound: the first instant after the period.
    Until,
}

/// The years a date may fall in.
const YEARS: std::ops::RangeInclusive<i32> = 1800..=2200;
/// How much of a plain-text article [`dateline`] looks at.
const DATELINE_BYTES: usize = 200;
/// How many words a dateline's place (`Washington, DC [US],`) may have.
const PLACE_WORDS: usize = 6;
/// Datetime formats with an offset (`%#z` also accepts `Z`).
const OFFSET_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"];
/// Datetime formats without an offset, taken as UTC.
const UTC_FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"];
/// Month names, for written dates.
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Weekday names, which may lead a written date.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A parsed value: a whole day, or an exact instant.
enum When {
    Day(NaiveDate),
    Instant(DateTime<Utc>),
}

/// Parses a date in article metadata, stored as UTC.
///
/// Accepts ISO 8601 dates and datetimes (without an offset taken as UTC), RFC 2822,
/// RFC 3339 and written dates (`Monday, Nov. 17, 2025`, `17 November 2025`). A date
/// known only to the day is midnight UTC of that day.
pub fn parse_date(text: &str) -> Result<DateTime<Utc>, DateError> {
    let text = text.trim();
    match parse_when(text) {
        Some(When::Day(day)) => in_range(text, day.year()).map(|()| midnight(day)),
        Some(When::Instant(instant)) => in_range(text, instant.year()).map(|()| instant),
        None => Err(DateError::Unparsable(text.to_owned())),
    }
}

/// Parses a `--since`/`--until` value into a half-open bound: Since → the first instant
/// of the period; Until → the first instant AFTER the period (exclusive upper bound).
///
/// Accepts `YYYY`, `YYYY-MM`, `YYYY-MM-DD` and anything [`parse_date`] accepts; a
/// full datetime is used as is for both bounds.
pub fn parse_filter_bound(text: &str, bound: Bound) -> Result<DateTime<Utc>, DateError> {
    let text = text.trim();
    let (first, next) = if let Some(first) = year_month(text) {
        (first, first.checked_add_months(Months::new(1)))
    } else if let Some(first) = year(text) {
        (first, first.checked_add_months(Months::new(12)))
    } else {
        match parse_when(text) {
            Some(When::Day(day)) => (day, day.succ_opt()),
            Some(When::Instant(instant)) => {
                return in_range(text, instant.year()).map(|()| instant)
            }
            None => return Err(DateError::Unparsable(text.to_owned())),
        }
    };
    in_range(text, first.year())?;
    let day = match bound {
        Bound::Since => Some(first),
        Bound::Until => next,
    };
    day.map(midnight)
        .ok_or_else(|| DateError::OutOfRange(text.to_owned()))
}

/// Finds a publication date in a leading dateline of a plain-text article (first ~200 bytes).
///
/// Recognises, at the start of the first line: `date 2025-11-17`, an ISO date
/// followed by a space, `:` or `-`, and a place followed by a written date with a
/// year (`WASHINGTON, Nov. 17, 2025 (Reuters) -`). A date without a year gives `None`.
pub fn dateline(text: &str) -> Option<DateTime<Utc>> {
    let end = (0..=DATELINE_BYTES.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line = text[..end].trim_start().split(['\n', '\r']).next()?;
    let day = iso_dateline(line).or_else(|| written_dateline(line))?;
    YEARS.contains(&day.year()).then(|| midnight(day))
}

/// Whether a first line reads as a headline: short (1..=20 words, <= 200 chars), not
/// ending in a full stop/?/!/:/;/, and not starting with a dateline.
///
/// Closing quotes and brackets are looked through (`He said "no."` ends in a full
/// stop), and a headline has at least one letter.
pub fn is_headline(line: &str) -> bool {
    let line = line.trim();
    let words = line.split_whitespace().count();
    let last = line
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']'])
        .chars()
        .next_back();
    (1..=20).contains(&words)
        && line.chars().count() <= 200
        && line.chars().any(char::is_alphabetic)
        && !last.is_some_and(|c| ".?!:;,…".contains(c))
        && dateline(line).is_none()
}

/// Parses a full date or datetime.
fn parse_when(text: &str) -> Option<When> {
    if let Some((day, "")) = iso_date(text).or_else(|| written_date(text)) {
        return Some(When::Day(day));
    }
    let with_offset = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_rfc2822(text))
        .ok()
        .or_else(|| {
            OFFSET_FORMATS
                .iter()
                .find_map(|format| DateTime::parse_from_str(text, format).ok())
        });
    let instant = match with_offset {
        Some(instant) => instant.with_timezone(&Utc),
        None => UTC_FORMATS
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())?
            .and_utc(),
    };
    Some(When::Instant(instant))
}

/// Checks that `year` is within [`YEARS`].
fn in_range(text: &str, year: i32) -> Result<(), DateError> {
    if YEARS.contains(&year) {
        Ok(())
    } else {
        Err(DateError::OutOfRange(text.to_owned()))
    }
}

/// Midnight UTC at the start of `day`.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Splits a leading number of exactly `len` ASCII digits off `text`.
fn number(text: &str, len: usize) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits != len {
        return None;
    }
    let (number, rest) = text.split_at(len);
    Some((number.parse().ok()?, rest))
}

/// `YYYY`: the first day of that year.
fn year(text: &str) -> Option<NaiveDate> {
    match number(text, 4)? {
        (year, "") => NaiveDate::from_ymd_opt(year as i32, 1, 1),
        _ => None,
    }
}

/// `YYYY-MM`: the first day of that month.
fn year_month(text: &str) -> Option<NaiveDate> {
    let (year, rest) = number(text, 4)?;
    match number(rest.strip_prefix('-')?, 2)? {
        (month, "") => NaiveDate::from_ymd_opt(year as i32, month, 1),
        _ => None,
    }
}

/// Splits a leading ISO date (`YYYY-MM-DD`) off `text`.
fn iso_date(text: &str) -> Option<(NaiveDate, &str)> {
    let (year, rest) = number(text, 4)?;
    let (month, rest) = number(rest.strip_prefix('-')?, 2)?;
    let (day, rest) = number(rest.strip_prefix('-')?, 2)?;
    Some((NaiveDate::from_ymd_opt(year as i32, month, day)?, rest))
}

/// Splits a leading written date off `text`: `November 17, 2025`, `Nov. 17 2025`,
/// `Sept. 5, 2025` or `17 Nov 2025`, optionally after a weekday (`Monday, `).
fn written_date(text: &str) -> Option<(NaiveDate, &str)> {
    let text = match name(text, &WEEKDAYS) {
        Some((_, rest)) => rest.strip_prefix(',').unwrap_or(rest).trim_start(),
        None => text,
    };
    let (month, day, rest) = match name(text, &MONTHS) {
        Some((month, rest)) => {
            let (day, rest) = day_number(rest.trim_start())?;
            (month, day, rest)
        }
        None => {
            let (day, rest) = day_number(text)?;
            let (month, rest) = name(
                rest.strip_prefix(char::is_whitespace)?.trim_start(),
                &MONTHS,
            )?;
            (month, day, rest)
        }
    };
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    let (year, rest) = number(rest.strip_prefix(char::is_whitespace)?.trim_start(), 4)?;
    if rest.starts_with(char::is_alphanumeric) {
        return None;
    }
    Some((NaiveDate::from_ymd_opt(year as i32, month, day)?, rest))
}

/// Splits a leading day of the month (one or two digits) off `text`.
fn day_number(text: &str) -> Option<(u32, &str)> {
    number(text, 1).or_else(|| number(text, 2))
}

/// Splits a leading name from `names` (lowercase) off `text`, case-insensitively:
/// in full or as its first three letters (`Sept` too), with an optional full stop.
/// Returns the name's number, counting from 1.
fn name<'a>(text: &'a str, names: &[&str]) -> Option<(u32, &'a str)> {
    let letters = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(letters);
    let word = word.to_ascii_lowercase();
    let index = names.iter().position(|name| {
        *name == word || (name.starts_with(&word) && (word.len() == 3 || word == "sept"))
    })?;
    Some((index as u32 + 1, rest.strip_prefix('.').unwrap_or(rest)))
}

/// The date of an ISO dateline: `date 2025-11-17 …` or `2025-11-17: …`.
fn iso_dateline(line: &str) -> Option<NaiveDate> {
    let line = match line.get(..4) {
        Some(word) if word.eq_ignore_ascii_case("date") => {
            let rest = &line[4..];
            let rest = rest.strip_prefix(':').unwrap_or(rest);
            rest.strip_prefix(char::is_whitespace)?.trim_start()
        }
        _ => line,
    };
    let (day, rest) = iso_date(line)?;
    (rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || ":-–—".contains(c)))
        .then_some(day)
}

/// The date of a place dateline: a place of at most [`PLACE_WORDS`] words ending
/// in a comma, then a written date with a year, then the end of the line or
/// `-`, `:` or `(` (`CARACAS, March 3, 1987 - …`, `WASHINGTON, Nov. 17, 2025 (Reuters) -`).
fn written_dateline(line: &str) -> Option<NaiveDate> {
    let mut rest = line;
    for _ in 0..=PLACE_WORDS {
        let place = line[..line.len() - rest.len()].trim_end();
        if place.is_empty() || place.ends_with(',') {
            if let Some((day, after)) = written_date(rest) {
                let after = after.trim_start();
                if after.is_empty() || after.starts_with(|c: char| ":-–—(".contains(c)) {
                    return Some(day);
                }
            }
        }
        rest = rest
            .trim_start_matches(|c: char| !c.is_whitespace())
            .trim_start();
        if rest.is_empty() {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as an RFC 3339 UTC instant.
    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn parses_iso_dates_and_datetimes() {
        let cases = [
            ("2025-11-17", "2025-11-17T00:00:00Z"),
            (" 2025-11-17\n", "2025-11-17T00:00:00Z"),
            ("2025-11-17T02:08:21", "2025-11-17T02:08:21Z"),
            ("2025-11-17T02:08:21Z", "2025-11-17T02:08:21Z"),
            ("2025-11-17T02:08:21+05:30", "2025-11-16T20:38:21Z"),
            ("2025-11-17T02:08:21+0530", "2025-11-16T20:38:21Z"),
            ("2025-11-17 02:08:21", "2025-11-17T02:08:21Z"),
            ("2025-11-17 02:08:21-05:00", "2025-11-17T07:08:21Z"),
            ("1987-02-26T15:01:01.790", "1987-02-26T15:01:01.790Z"),
            ("2025-11-17t02:08:21.5z", "2025-11-17T02:08:21.5Z"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), Ok(utc(expected)), "{text}");
        }
    }

    #[test]
    fn parses_rfc_2822() {
        let expected = Ok(utc("2025-11-17T02:08:21Z"));
        assert_eq!(parse_date("Mon, 17 Nov 2025 02:08:21 +0000"), expected);
        assert_eq!(parse_date("Mon, 17 Nov 2025 03:08:21 +0100"), expected);
        assert_eq!(parse_date("17 Nov 2025 02:08:21 GMT"), expected);
    }

    #[test]
    fn parses_written_dates() {
        let november = Ok(utc("2025-11-17T00:00:00Z"));
        for text in [
            "November 17, 2025",
            "november 17 2025",
            "NOV 17, 2025",
            "Nov. 17, 2025",
            "17 November 2025",
            "17 Nov 2025",
            "17 Nov. 2025",
            "Monday, November 17, 2025",
            "Mon, 17 Nov 2025",
            "Mon. Nov. 17, 2025",
        ] {
            assert_eq!(parse_date(text), november, "{text}");
        }
        assert_eq!(parse_date("Sept. 5, 2025"), Ok(utc("2025-09-05T00:00:00Z")));
        assert_eq!(parse_date("May 1, 2025"), Ok(utc("2025-05-01T00:00:00Z")));
    }

    #[test]
    fn rejects_non_dates() {
        for text in [
            "",
            "   ",
            "not a date",
            "2025",
            "2025-11",
            "0000-00-00",
            "2025-02-30",
            "2025-13-01",
            "99999-01-01",
            "2025-11-17 and more",
            "2025-11-17T25:00:00",
            "November 17",
            "November 31, 2025",
            "Novembre 17, 2025",
            "November 17, 20255",
            "17 November",
            "Tue, 17 Nov 2025 02:08:21 +0000",
        ] {
            let error = DateError::Unparsable(text.trim().to_owned());
            assert_eq!(parse_date(text), Err(error), "{text}");
        }
    }

    #[test]
    fn rejects_years_out_of_range() {
        for text in [
            "1799-12-31",
            "2201-01-01",
            "1700-01-01T00:00:00Z",
            "1800-01-01T00:30:00+01:00",
            "17 Nov 1700 02:08:21 +0000",
            "November 17, 1700",
            "17 November 2999",
        ] {
            assert_eq!(
                parse_date(text),
                Err(DateError::OutOfRange(text.to_owned())),
                "{text}"
            );
        }
        assert_eq!(parse_date("1800-01-01"), Ok(utc("1800-01-01T00:00:00Z")));
        assert_eq!(parse_date("2200-12-31"), Ok(utc("2200-12-31T00:00:00Z")));
    }

    #[test]
    fn error_messages_quote_the_value() {
        assert_eq!(
            DateError::Unparsable("x".into()).to_string(),
            "'x' is not a date"
        );
        assert_eq!(
            DateError::OutOfRange("1700".into()).to_string(),
            "'1700' is out of range (years 1800 to 2200)"
        );
    }

    #[test]
    fn filter_bounds_are_half_open() {
        let cases = [
            ("2025", Bound::Since, "2025-01-01T00:00:00Z"),
            ("2025", Bound::Until, "2026-01-01T00:00:00Z"),
            ("2025-11", Bound::Since, "2025-11-01T00:00:00Z"),
            ("2025-11", Bound::Until, "2025-12-01T00:00:00Z"),
            ("2025-12", Bound::Until, "2026-01-01T00:00:00Z"),
            ("2025-11-17", Bound::Since, "2025-11-17T00:00:00Z"),
            ("2025-11-17", Bound::Until, "2025-11-18T00:00:00Z"),
            ("2025-12-31", Bound::Until, "2026-01-01T00:00:00Z"),
            ("2024-02-28", Bound::Until, "2024-02-29T00:00:00Z"),
            ("Nov. 17, 2025", Bound::Until, "2025-11-18T00:00:00Z"),
            ("2025-11-17T02:08:21Z", Bound::Since, "2025-11-17T02:08:21Z"),
            ("2025-11-17T02:08:21Z", Bound::Until, "2025-11-17T02:08:21Z"),
            ("2200", Bound::Until, "2201-01-01T00:00:00Z"),
        ];
        for (text, bound, expected) in cases {
            assert_eq!(
                parse_filter_bound(text, bound),
                Ok(utc(expected)),
                "{text} {bound:?}"
            );
        }
    }

    #[test]
    fn filter_bounds_reject_bad_values() {
        for bound in [Bound::Since, Bound::Until] {
            for text in [
                "",
                "soon",
                "2025-13",
                "2025-1",
                "20255",
                "2025-11-31",
                "11/17/2025",
            ] {
                let error = DateError::Unparsable(text.to_owned());
                assert_eq!(parse_filter_bound(text, bound), Err(error), "{text}");
            }
            for text in [
                "1799",
                "2201",
                "1799-12",
                "1799-12-31",
                "3000-01-01T00:00:00Z",
            ] {
                let error = DateError::OutOfRange(text.to_owned());
                assert_eq!(parse_filter_bound(text, bound), Err(error), "{text}");
            }
        }
    }

    #[test]
    fn finds_datelines() {
        let cases = [
            (
                " date 2025-11-17 Washington, DC [US], November 17 : The United States…",
                "2025-11-17",
            ),
            ("Date: 2025-11-17\nWashington", "2025-11-17"),
            ("2025-11-17: Washington", "2025-11-17"),
            ("2025-11-17 - Washington", "2025-11-17"),
            ("\n\n2025-11-17\n\nWashington", "2025-11-17"),
            ("CARACAS, March 3, 1987 - Venezuela said", "1987-03-03"),
            ("WASHINGTON, Nov. 17, 2025 (Reuters) - The", "2025-11-17"),
            ("Washington, DC [US], November 17, 2025: The", "2025-11-17"),
            (
                "RIO DE JANEIRO, Brazil, Monday, 17 Nov 2025 — The",
                "2025-11-17",
            ),
            ("Sept. 5, 2025 - The", "2025-09-05"),
        ];
        for (text, expected) in cases {
            let expected = utc(&format!("{expected}T00:00:00Z"));
            assert_eq!(dateline(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn ignores_non_datelines() {
        for text in [
            "Washington, DC [US], November 17 : The United States…",
            "The talks on November 17, 2025 ended without a deal.",
            "There is no such thing, so Maduro can hardly be its boss.",
            "2025-11-17T10:00 update",
            "dated 2025-11-17",
            "CARACAS, March 3, 1987 Venezuela said",
            "CARACAS, March 3, 1687 - Venezuela said",
            "Headline\nCARACAS, March 3, 1987 - Venezuela said",
            "",
        ] {
            assert_eq!(dateline(text), None, "{text}");
        }
        let late = format!(
            "{}CARACAS, March 3, 1987 - Venezuela said",
            " ".repeat(DATELINE_BYTES)
        );
        assert_eq!(dateline(&late), None);
        let multibyte = "é".repeat(DATELINE_BYTES);
        assert_eq!(dateline(&multibyte), None);
    }

    #[test]
    fn recognises_headlines() {
        for line in [
            "Venezuelan cartel (which may not exist) now tops US terror list",
            "Trends-UK",
            "Covert operations underway",
            "  Covert operations underway\r\n",
        ] {
            assert!(is_headline(line), "{line}");
        }
        let long = "Words follow words in a long paragraph that goes on and on without end \
                    because it is a paragraph of the article and not its headline at all";
        for line in [
            "There is no such thing, so Maduro can hardly be its boss.",
            long,
            "",
            "***",
            "Is Maduro the boss?",
            "He said: \"no.\"",
            "Officials said:",
            "CARACAS, March 3, 1987 - Venezuela",
        ] {
            assert!(!is_headline(line), "{line}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        const FRAGMENTS: &[&str] = &[
            "2025", "-", "11", "17", "1", "T", "02:08:21", "Z", "+05:30", ".", ",", " ", "\n",
            "Nov", "Sept.", "Monday", "date", ":", "é", "😀", "\u{a0}", "99999", "(",
        ];
        let mut below = crate::testing::below();
        for _ in 0..5000 {
            let text: String = (0..below(12))
                .map(|_| FRAGMENTS[below(FRAGMENTS.len())])
                .collect();
            let _ = parse_date(&text);
            let _ = parse_filter_bound(&text, Bound::Until);
            let _ = dateline(&text);
            let _ = is_headline(&text);
        }
    }
}
