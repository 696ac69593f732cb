//! The `human` format: rank, attribution, source location and the passage
//! with its matches highlighted, then a summary line. What comes from
//! files and queries is printed terminal-safe ([`terminal`]).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::terminal;
use crate::date::Precision;
use crate::explain::Explain;
use crate::search::{ArticleRef, Hit, SearchResult};

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

/// An article's date as a reader wants it: the day (`2025-11-24`), or the
/// day and time where it was published with its offset (`2025-11-24 19:40
/// −04:00`, a typographic minus), or in UTC when the offset is unknown;
/// `undated` without a date.
pub fn date_text(a: &ArticleRef) -> String {
    let Some(utc) = a.date.as_deref() else {
        return "undated".into();
    };
    let day_and_time = |rfc3339: &str| {
        let day = rfc3339.get(..10).unwrap_or(rfc3339);
        let time = rfc3339.get(11..16).unwrap_or_default();
        format!("{day} {time}")
    };
    match (a.date_precision, a.date_local.as_deref()) {
        (Some(Precision::Time), Some(local)) => {
            let offset = local.get(19..).unwrap_or_default().replacen('-', "−", 1);
            format!("{} {offset}", day_and_time(local))
        }
        (Some(Precision::Time), None) => format!("{} (time zone unknown)", day_and_time(utc)),
        _ => utc.get(..10).unwrap_or(utc).to_owned(),
    }
}

fn hit(out: &mut impl Write, hit: &Hit, color: bool) -> io::Result<()> {
    let a = &hit.article;
    let title = a.title.as_deref().unwrap_or("(untitled)");
    let outlet = a.outlet.as_deref().unwrap_or("(outlet unknown)");
    let mut date = date_text(a);
    if let Some(rank) = hit.same_day_as {
        date.push_str(&format!(" (same day as #{rank}, time not given)"));
    }
    let heading = format!("{outlet} · {date} · {title}");
    let heading = terminal::line(&heading);
    writeln!(out, "{:>3}. {}", hit.rank, styled(HEADER, &heading, color))?;
    let location = match (&a.path, hit.passage.line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.clone(),
        (None, _) => a.url.clone().unwrap_or_else(|| a.id.clone()),
    };
    let mut location = format!("{}  #{}", terminal::line(&location), hit.passage.index);
    if hit.title_match {
        location.push_str("  (title match: the passage does not hold the words)");
    }
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
    if !hit.folded.is_empty() {
        writeln!(out, "     {}", styled(DIM, &folded_text(hit), color))?;
    }
    if let Some(tree) = &hit.explain {
        explain(out, tree, 0)?;
    }
    writeln!(out)
}

/// `search --explain`: the score's tree, a part a line, each part's value
/// then what it is, its parts indented under it.
fn explain(out: &mut impl Write, node: &Explain, depth: usize) -> io::Result<()> {
    let indent = "   ".repeat(depth);
    let description = terminal::line(&node.description);
    writeln!(out, "     {indent}{:.4}  {description}", node.value)?;
    for part in &node.details {
        explain(out, part, depth + 1)?;
    }
    Ok(())
}

/// "also in 4 more outlets: Valley Courier, …": the copies folded into a hit.
fn folded_text(hit: &Hit) -> String {
    let mut outlets: Vec<&str> = Vec::new();
    let mut unnamed = 0;
    for a in &hit.folded {
        match a.outlet.as_deref() {
            Some(o) if o != hit.article.outlet.as_deref().unwrap_or_default() => {
                if !outlets.contains(&o) {
                    outlets.push(o);
                }
            }
            _ => unnamed += 1,
        }
    }
    let mut parts = Vec::new();
    if !outlets.is_empty() {
        let s = if outlets.len() == 1 { "" } else { "s" };
        parts.push(format!(
            "also in {} more outlet{s}: {}",
            outlets.len(),
            outlets.join(", ")
        ));
    }
    if unnamed > 0 {
        let s = if unnamed == 1 { "y" } else { "ies" };
        let lead = if parts.is_empty() { "also in" } else { "and" };
        parts.push(format!(
            "{lead} {unnamed} more cop{s} from the same or an unknown outlet"
        ));
    }
    parts.join(" ")
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
    let unit = if result.filters.articles || result.title_only {
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
    if let Some(stories) = result.stories {
        let folded: usize = result.hits.iter().map(|h| h.folded.len()).sum();
        if folded > 0 || stories < result.total_hits {
            let s = if stories == 1 { "y" } else { "ies" };
            summary.push_str(&format!(" · {stories} distinct stor{s}"));
        }
    }
    summary.push_str(&format!(" · {:.1} ms", result.took_ms));
    if result.title_only {
        let s = if result.total_hits == 1 { "" } else { "s" };
        summary.push_str(&format!(
            " · no passage holds it, so the article{s} whose title does {} shown by {} first passage",
            if result.total_hits == 1 { "is" } else { "are" },
            if result.total_hits == 1 { "its" } else { "their" },
        ));
    }
    if result.relaxed {
        summary.push_str(" · no passage held every word, so passages with any of them are shown");
    }
    if !result.unmatched.is_empty() {
        summary.push_str(&format!(
            " · no passage holds {}",
            result.unmatched.join(", nor ")
        ));
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

/// Prints a trace: each appearance as a hit, oldest first, with how it
/// matches and its copy group, then a summary line naming the first.
pub fn trace(
    out: &mut impl Write,
    trace: &crate::story::trace::Trace,
    color: bool,
) -> io::Result<()> {
    for (i, a) in trace.appearances.iter().enumerate() {
        let shown = Hit {
            query_id: None,
            query: trace.query.clone(),
            rank: i + 1,
            score: 0.0,
            article: a.article.clone(),
            passage: a.passage.clone(),
            same_day_as: None,
            title_match: false,
            copies: a.copies.clone(),
            folded: Vec::new(),
            explain: None,
        };
        let mut lines = Vec::new();
        hit(&mut lines, &shown, color)?;
        lines.pop(); // the blank line after a hit
        out.write_all(&lines)?;
        let mut how = match a.kind {
            crate::story::trace::MatchKind::Exact => "exact".to_string(),
            crate::story::trace::MatchKind::Near => {
                format!("near (similarity {:.2})", a.similarity)
            }
        };
        if trace
            .first
            .as_ref()
            .is_some_and(|f| f.article.id == a.article.id)
        {
            how.push_str(" · first appearance");
        }
        if let Some(c) = &a.copies {
            how.push_str(&format!(
                " · copy group {} ({} articles; original {})",
                c.group,
                c.count,
                terminal::line(&c.original)
            ));
        }
        writeln!(out, "     {}\n", styled(DIM, &how, color))?;
    }
    let n = trace.appearances.len();
    let outlets: std::collections::HashSet<&str> = trace
        .appearances
        .iter()
        .filter_map(|a| a.article.outlet.as_deref())
        .collect();
    let unattributed = trace
        .appearances
        .iter()
        .filter(|a| a.article.outlet.is_none())
        .count();
    let near = trace
        .appearances
        .iter()
        .filter(|a| a.kind == crate::story::trace::MatchKind::Near)
        .count();
    let undated = trace
        .appearances
        .iter()
        .filter(|a| a.article.date.is_none())
        .count();
    let s = |k: usize, word: &str| format!("{k} {word}{}", if k == 1 { "" } else { "s" });
    let mut summary = format!("{} ({} exact, {near} near)", s(n, "appearance"), n - near);
    if !outlets.is_empty() {
        summary.push_str(&format!(" in {}", s(outlets.len(), "outlet")));
    }
    if unattributed > 0 {
        summary.push_str(&format!(", {unattributed} without an outlet"));
    }
    match &trace.first {
        Some(f) => summary.push_str(&format!(
            "; first: {} · {}",
            terminal::line(f.article.outlet.as_deref().unwrap_or("(outlet unknown)")),
            date_text(&f.article)
        )),
        None if n > 0 => summary.push_str("; none dated, so no first appearance"),
        None => {}
    }
    if undated > 0 && undated < n {
        summary.push_str(&format!("; {undated} undated, listed last"));
    }
    writeln!(out, "{summary}")
}
