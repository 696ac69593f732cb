//! The `human` format: rank, attribution, source location and the passage
//! with its matches highlighted, then a summary line. What comes from
//! files and queries is printed terminal-safe ([`terminal`]).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::terminal;
use crate::search::{Hit, SearchResult};

const MATCH: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)));
const HEADER: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn styled(style: Style, text: &str, color: bool) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_owned()
    }
}

/// The date part of an RFC 3339 date, or `undated`.
fn day(date: Option<&str>) -> &str {
    date.map_or("undated", |d| d.get(..10).unwrap_or(d))
}

fn hit(out: &mut impl Write, hit: &Hit, color: bool) -> io::Result<()> {
    let a = &hit.article;
    let title = a.title.as_deref().unwrap_or("(untitled)");
    let outlet = a.outlet.as_deref().unwrap_or("(outlet unknown)");
    let heading = format!("{outlet} · {} · {title}", day(a.date.as_deref()));
    let heading = terminal::line(&heading);
    writeln!(out, "{:>3}. {}", hit.rank, styled(HEADER, &heading, color))?;
    let location = match (&a.path, hit.passage.line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.clone(),
        (None, _) => a.url.clone().unwrap_or_else(|| a.id.clone()),
    };
    let location = format!("{}  #{}", terminal::line(&location), hit.passage.index);
    writeln!(out, "     {}", styled(DIM, &location, color))?;
    let text = &hit.passage.text;
    let safe = |piece: &str| terminal::safe(piece, &['\n']).into_owned();
    let mut marked = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for &[start, end] in &hit.passage.highlights {
        let (Some(before), Some(matched)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        marked.push_str(&safe(before));
        marked.push_str(&styled(MATCH, &safe(matched), color));
        at = end;
    }
    marked.push_str(&safe(&text[at..]));
    for line in marked.lines() {
        writeln!(out, "     {line}")?;
    }
    writeln!(out)
}

/// Prints a result's hits and its summary line.
pub fn result(out: &mut impl Write, result: &SearchResult, color: bool) -> io::Result<()> {
    if let Some(id) = &result.query_id {
        let heading = format!("query {id}: {}", result.query);
        let heading = terminal::line(&heading);
        writeln!(out, "{}\n", styled(HEADER, &heading, color))?;
    }
    for h in &result.hits {
        hit(out, h, color)?;
    }
    let unit = if result.filters.articles {
        "article"
    } else {
        "passage"
    };
    let plural = if result.total_hits == 1 { "" } else { "s" };
    let mut summary = format!(
        "{} {unit}{plural} matched \"{}\"",
        result.total_hits,
        terminal::line(&result.query)
    );
    if !result.hits.is_empty() {
        let first = result.hits[0].rank;
        summary.push_str(&format!(
            ", showing {}–{}",
            first,
            first + result.hits.len() - 1
        ));
    }
    summary.push_str(&format!(" · {:.1} ms", result.took_ms));
    if result.relaxed {
        summary.push_str(" · no passage held every word, so passages with any of them are shown");
    }
    if result.excluded_undated > 0 {
        let n = result.excluded_undated;
        let s = if n == 1 { "" } else { "s" };
        summary.push_str(&format!(
            " · {n} undated article{s} left out by the date filter"
        ));
    }
    writeln!(out, "{}", styled(DIM, &summary, color))
}
