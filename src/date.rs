//! Dates in article metadata, in `--since`/`--until` filters and in the
//! datelines and headlines of plain-text articles.

use chrono::{
    DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta,
    Utc,
};
use serde::{Deserialize, Serialize};

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

/// A parsed value: a whole day, or an exact instant with the offset it was
/// written with (none when the text gave none).
enum When {
    Day(NaiveDate),
    Instant(DateTime<Utc>, Option<FixedOffset>),
}

/// How much of a publication date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// The day only.
    Day,
    /// The time of day too.
    Time,
}

impl Precision {
    /// The name used in JSON and in the index: `day` or `time`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Time => "time",
        }
    }

    /// The precision a name from [`Precision::name`] stands for.
    pub fn from_name(name: &str) -> Option<Precision> {
        match name {
            "day" => Some(Precision::Day),
            "time" => Some(Precision::Time),
            _ => None,
        }
    }
}

/// Seconds in a day.
const DAY_SECONDS: i64 = 86_400;

/// A publication date as the source gave it: the instant in UTC, how
/// precise it is, and the offset from UTC it was written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Published {
    /// The instant, UTC; a date known only to the day is midnight UTC of that day.
    pub utc: DateTime<Utc>,
    /// A day, or a time.
    pub precision: Precision,
    /// The offset the time was written with; `None` for a day, or a time
    /// written without one (taken as UTC).
    pub offset: Option<FixedOffset>,
}

impl Published {
    /// A date known only to the day.
    pub fn day(day: NaiveDate) -> Published {
        Published {
            utc: midnight(day),
            precision: Precision::Day,
            offset: None,
        }
    }

    /// The time as it was published, in its own offset (`None` when the
    /// offset is unknown or only the day is known).
    pub fn local(&self) -> Option<DateTime<FixedOffset>> {
        match self.precision {
            Precision::Day => None,
            Precision::Time => Some(self.utc.with_timezone(&self.offset?)),
        }
    }

    /// Sort keys for `oldest` and `newest` order (ascending and descending):
    /// a time sorts at its instant; a day sorts after every time of the same
    /// UTC day in both orders, never before one as if it were midnight.
    pub fn sort_keys(&self) -> SortKeys {
        let at = self.utc.timestamp();
        match self.precision {
            Precision::Time => SortKeys {
                oldest: 2 * at,
                newest: 2 * at,
            },
            Precision::Day => SortKeys {
                oldest: 2 * (at + DAY_SECONDS) - 1,
                newest: 2 * at - 1,
            },
        }
    }
}

/// Keys that order dates for `--sort oldest` (ascending) and `--sort newest`
/// (descending); see [`Published::sort_keys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKeys {
    /// Ascending key.
    pub oldest: i64,
    /// Descending key.
    pub newest: i64,
}

/// An instant as RFC 3339 UTC, to the second (`2025-11-24T23:40:00Z`).
pub fn rfc3339_utc(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A local time as RFC 3339 with its offset, to the second (`2025-11-24T19:40:00-04:00`).
pub fn rfc3339_local(local: DateTime<FixedOffset>) -> String {
    local.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Parses a date in article metadata.
///
/// Accepts ISO 8601 dates and datetimes (without an offset taken as UTC), RFC 2822,
/// RFC 3339 and written dates (`Monday, Nov. 17, 2025`, `17 November 2025`). Keeps
/// whether the time of day is known and the offset it was written with.
pub fn parse_date(text: &str) -> Result<Published, DateError> {
    let text = text.trim();
    match parse_when(text) {
        Some(When::Day(day)) => in_range(text, day.year()).map(|()| Published::day(day)),
        Some(When::Instant(instant, offset)) => {
            in_range(text, instant.year()).map(|()| Published {
                utc: instant,
                precision: Precision::Time,
                offset,
            })
        }
        None => Err(DateError::Unparsable(text.to_owned())),
    }
}

/// Parses a `--since`/`--until` value into a half-open bound: Since → the first instant
/// of the period; Until → the first instant AFTER the period (exclusive upper bound).
///
/// Accepts `YYYY`, `YYYY-MM`, `YYYY-MM-DD` and anything [`parse_date`] accepts. A
/// full datetime is a period of one second (dates are stored to the second): `--since`
/// starts at it and `--until` includes it.
pub fn parse_filter_bound(text: &str, bound: Bound) -> Result<DateTime<Utc>, DateError> {
    let text = text.trim();
    let (first, next) = if let Some(first) = year_month(text) {
        (first, first.checked_add_months(Months::new(1)))
    } else if let Some(first) = year(text) {
        (first, first.checked_add_months(Months::new(12)))
    } else {
        match parse_when(text) {
            Some(When::Day(day)) => (day, day.succ_opt()),
            Some(When::Instant(instant, _)) => {
                in_range(text, instant.year())?;
                let second = DateTime::<Utc>::from_timestamp(instant.timestamp(), 0)
                    .ok_or_else(|| DateError::OutOfRange(text.to_owned()))?;
                return Ok(match bound {
                    Bound::Since => second,
                    Bound::Until => second + TimeDelta::seconds(1),
                });
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

/// What a leading dateline says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dateline {
    /// A full date: a day.
    Dated(Published),
    /// A month and day without a year (`CARACAS, Nov 28 (Reuters) -`).
    NoYear {
        /// Month, 1 to 12.
        month: u32,
        /// Day of the month.
        day: u32,
    },
}

/// Finds a publication date in a leading dateline of a plain-text article (first ~200 bytes).
///
/// Recognises, at the start of the first line: `date 2025-11-17`, an ISO date
/// followed by a space, `:` or `-`, and a place followed by a written date
/// (`WASHINGTON, Nov. 17, 2025 (Reuters) -`), with or without a year
/// (`CARACAS, Nov 28 (Reuters) -` gives [`Dateline::NoYear`]).
pub fn dateline(text: &str) -> Option<Dateline> {
    let end = (0..=DATELINE_BYTES.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let line = text[..end].trim_start().split(['\n', '\r']).next()?;
    if let Some(day) = iso_dateline(line) {
        return YEARS
            .contains(&day.year())
            .then(|| Dateline::Dated(Published::day(day)));
    }
    match written_dateline(line)? {
        (month, day, Some(year)) => {
            let day = NaiveDate::from_ymd_opt(year, month, day)?;
            YEARS
                .contains(&day.year())
                .then(|| Dateline::Dated(Published::day(day)))
        }
        (month, day, None) => Some(Dateline::NoYear { month, day }),
    }
}

/// How much of an article [`dates_in`] reads.
const DATES_IN_BYTES: usize = 1 << 20;

/// Every full date (`November 26, 2025`, `26 Nov 2025`, `2025-11-26`) written
/// in `text` (its first megabyte), in order of appearance.
pub fn dates_in(text: &str) -> Vec<NaiveDate> {
    let mut found = Vec::new();
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        if at >= DATES_IN_BYTES {
            break;
        }
        let word_start = c.is_ascii_alphanumeric() && !previous.is_alphanumeric();
        previous = c;
        if !word_start {
            continue;
        }
        let rest = &text[at..];
        let date = match iso_date(rest) {
            Some((day, after)) if !after.starts_with(|c: char| c.is_ascii_digit()) => Some(day),
            _ => written_date(rest).map(|(day, _)| day),
        };
        found.extend(date.filter(|d| YEARS.contains(&d.year())));
    }
    found
}

/// The year of a dateline without one, from the article's other dates: the
/// year that puts the month and day nearest one of them (a story's own
/// dates are days apart; a past event it recalls, or a future one it
/// announces, lies further off). `None` when there are none.
pub fn complete_year(month: u32, day: u32, others: &[NaiveDate]) -> Option<NaiveDate> {
    others
        .iter()
        .flat_map(|other| {
            (other.year() - 1..=other.year() + 1)
                .filter_map(move |year| NaiveDate::from_ymd_opt(year, month, day))
                .map(move |candidate| ((candidate - *other).num_days().abs(), candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
        .filter(|d| YEARS.contains(&d.year()))
}

/// Whether a first line reads as a headline: short (1..=20 words, <= 200 chars), not
/// ending in a full stop/?/!/:/;/, and not starting with a dateline (with or without a year).
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
    Some(match with_offset {
        Some(instant) => When::Instant(instant.with_timezone(&Utc), Some(*instant.offset())),
        None => When::Instant(
            UTC_FORMATS
                .iter()
                .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())?
                .and_utc(),
            None,
        ),
    })
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
    let (month, day, rest) = month_day(text)?;
    let rest = rest.strip_prefix(',').unwrap_or(rest);
    let (year, rest) = number(rest.strip_prefix(char::is_whitespace)?.trim_start(), 4)?;
    if rest.starts_with(char::is_alphanumeric) {
        return None;
    }
    Some((NaiveDate::from_ymd_opt(year as i32, month, day)?, rest))
}

/// Splits a leading month and day off `text` (`November 17`, `Nov. 17`,
/// `17 Nov`), optionally after a weekday: the month, the day and the rest.
fn month_day(text: &str) -> Option<(u32, u32, &str)> {
    let text = match name(text, &WEEKDAYS) {
        Some((_, rest)) => rest.strip_prefix(',').unwrap_or(rest).trim_start(),
        None => text,
    };
    match name(text, &MONTHS) {
        Some((month, rest)) => {
            let (day, rest) = day_number(rest.trim_start())?;
            if rest.starts_with(|c: char| c.is_alphanumeric()) {
                return None;
            }
            Some((month, day, rest))
        }
        None => {
            let (day, rest) = day_number(text)?;
            let (month, rest) = name(
                rest.strip_prefix(char::is_whitespace)?.trim_start(),
                &MONTHS,
            )?;
            Some((month, day, rest))
        }
    }
}

/// Whether `month`/`day` is a day of some year (February 29 is).
fn is_day_of_year(month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(2000, month, day).is_some()
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
/// in a comma, then a written date, then the end of the line or `-`, `:` or
/// `(` (`CARACAS, March 3, 1987 - …`, `WASHINGTON, Nov. 17, 2025 (Reuters) -`,
/// `CARACAS, Nov 28 (Reuters) -`). Returns the month, day and year (if written).
fn written_dateline(line: &str) -> Option<(u32, u32, Option<i32>)> {
    let ends_dateline = |after: &str| {
        let after = after.trim_start();
        after.is_empty() || after.starts_with(|c: char| ":-–—(".contains(c))
    };
    let mut rest = line;
    for _ in 0..=PLACE_WORDS {
        let place = line[..line.len() - rest.len()].trim_end();
        if place.is_empty() || place.ends_with(',') {
            if let Some((day, after)) = written_date(rest) {
                if ends_dateline(after) {
                    return Some((day.month(), day.day(), Some(day.year())));
                }
            } else if let Some((month, day, after)) = month_day(rest) {
                if !place.is_empty() && is_day_of_year(month, day) && ends_dateline(after) {
                    return Some((month, day, None));
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
            assert_eq!(parse_date(text).map(|p| p.utc), Ok(utc(expected)), "{text}");
        }
    }

    #[test]
    fn parses_rfc_2822() {
        let expected = Ok(utc("2025-11-17T02:08:21Z"));
        let instant = |text| parse_date(text).map(|p| p.utc);
        assert_eq!(instant("Mon, 17 Nov 2025 02:08:21 +0000"), expected);
        assert_eq!(instant("Mon, 17 Nov 2025 03:08:21 +0100"), expected);
        assert_eq!(instant("17 Nov 2025 02:08:21 GMT"), expected);
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
            assert_eq!(parse_date(text).map(|p| p.utc), november, "{text}");
        }
        let day = |text| parse_date(text).map(|p| p.utc);
        assert_eq!(day("Sept. 5, 2025"), Ok(utc("2025-09-05T00:00:00Z")));
        assert_eq!(day("May 1, 2025"), Ok(utc("2025-05-01T00:00:00Z")));
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
        let day = |text| parse_date(text).map(|p| p.utc);
        assert_eq!(day("1800-01-01"), Ok(utc("1800-01-01T00:00:00Z")));
        assert_eq!(day("2200-12-31"), Ok(utc("2200-12-31T00:00:00Z")));
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
            ("2025-11-17T02:08:21Z", Bound::Until, "2025-11-17T02:08:22Z"),
            (
                "2025-11-17T02:08:21.7Z",
                Bound::Since,
                "2025-11-17T02:08:21Z",
            ),
            (
                "2025-11-17T02:08:21.7Z",
                Bound::Until,
                "2025-11-17T02:08:22Z",
            ),
            (
                "2025-11-24T19:40:00-04:00",
                Bound::Until,
                "2025-11-24T23:40:01Z",
            ),
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
            let expected = parse_date(expected).unwrap();
            assert_eq!(expected.precision, Precision::Day);
            assert_eq!(dateline(text), Some(Dateline::Dated(expected)), "{text}");
        }
    }

    #[test]
    fn ignores_non_datelines() {
        for text in [
            "The talks on November 17, 2025 ended without a deal.",
            "November 17 - the talks",
            "CARACAS, Nov 31 (Reuters) - The",
            "CARACAS, Nov 28 Reuters said",
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
    fn datelines_without_a_year_are_recognised() {
        for (text, month, day) in [
            ("CARACAS, Nov 28 (Reuters) - Venezuelan", 11, 28),
            (
                "Washington, DC [US], November 17 : The United States…",
                11,
                17,
            ),
            ("BOGOTA, Colombia, Feb. 29 - The", 2, 29),
            ("LONDON, 3 March -", 3, 3),
        ] {
            assert_eq!(
                dateline(text),
                Some(Dateline::NoYear { month, day }),
                "{text}"
            );
        }
        assert!(!is_headline("CARACAS, Nov 28 (Reuters) - Maduro said"));
    }

    #[test]
    fn a_missing_year_comes_from_the_nearest_date_of_the_article() {
        let text = "CARACAS, Nov 28 (Reuters) - It took effect on November 26, 2025, \
                    after a review begun 2025-07-01; Chavez died on March 5, 2013. \
                    Not dates: 2025-11-260, November 2025, Nov 26.";
        let found: Vec<String> = dates_in(text).iter().map(|d| d.to_string()).collect();
        assert_eq!(found, ["2025-11-26", "2025-07-01", "2013-03-05"]);
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            complete_year(11, 28, &dates_in(text)),
            Some(day(2025, 11, 28))
        );
        // Across the turn of a year, the nearer year.
        assert_eq!(
            complete_year(12, 30, &[day(2026, 1, 2)]),
            Some(day(2025, 12, 30))
        );
        assert_eq!(
            complete_year(1, 2, &[day(2025, 12, 30)]),
            Some(day(2026, 1, 2))
        );
        assert_eq!(
            complete_year(2, 29, &[day(2025, 3, 1)]),
            Some(day(2024, 2, 29))
        );
        assert_eq!(complete_year(11, 28, &[]), None);
        // A date announced far ahead does not pull the year forward.
        let announced = [day(2025, 11, 26), day(2026, 12, 6), day(2013, 3, 5)];
        assert_eq!(complete_year(11, 28, &announced), Some(day(2025, 11, 28)));
    }

    #[test]
    fn dates_keep_their_precision_and_offset() {
        let timed = parse_date("2025-11-24T19:40:00-04:00").unwrap();
        assert_eq!(timed.precision, Precision::Time);
        assert_eq!(rfc3339_utc(timed.utc), "2025-11-24T23:40:00Z");
        assert_eq!(
            timed.local().map(rfc3339_local).as_deref(),
            Some("2025-11-24T19:40:00-04:00")
        );
        let zulu = parse_date("2025-11-24T19:40:00Z").unwrap();
        assert_eq!(
            zulu.local().map(rfc3339_local).as_deref(),
            Some("2025-11-24T19:40:00+00:00")
        );
        let rfc2822 = parse_date("Mon, 24 Nov 2025 19:40:00 -0400").unwrap();
        assert_eq!(rfc2822, timed);
        let no_offset = parse_date("2025-11-24 19:40:00").unwrap();
        assert_eq!(
            (no_offset.precision, no_offset.offset),
            (Precision::Time, None)
        );
        assert_eq!(no_offset.local(), None);
        let day = parse_date("November 24, 2025").unwrap();
        assert_eq!(
            (day.precision, day.offset, day.local()),
            (Precision::Day, None, None)
        );
        assert_eq!(
            Precision::from_name(day.precision.name()),
            Some(Precision::Day)
        );
    }

    #[test]
    fn a_day_never_sorts_before_a_time_of_the_same_day() {
        let key = |text| parse_date(text).unwrap().sort_keys();
        let day = key("2025-11-24");
        let midnight = key("2025-11-24T00:00:00Z");
        let evening = key("2025-11-24T23:59:59Z");
        let day_before = key("2025-11-23T23:59:59Z");
        let day_after = key("2025-11-25T00:00:00Z");
        // Oldest first: the day comes after the day's times, before the next day.
        assert!(midnight.oldest < day.oldest && evening.oldest < day.oldest);
        assert!(day.oldest < day_after.oldest);
        // Newest first (descending): after the day's times, before the day before.
        assert!(midnight.newest > day.newest && evening.newest > day.newest);
        assert!(day.newest > day_before.newest);
        assert!(day_before.oldest < midnight.oldest);
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
            let _ = dates_in(&text);
            let _ = is_headline(&text);
        }
    }
}
