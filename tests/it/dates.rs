//! Dates a reporter can rely on: each date keeps its precision (a day or a
//! time) and its offset, `--until` with a datetime includes that second,
//! and sorting never puts a day-only date before a timed one of the same
//! day as if it were midnight.

use crate::common::Project;
use crate::contract::{search_json, SearchResult};

/// A Markdown article about the cartel, dated `date` (front matter as written).
fn article(outlet: &str, date: &str) -> String {
    format!(
        "---\ntitle: {outlet} on the cartel\noutlet: {outlet}\ndate: \"{date}\"\n---\n\nThe cartel designation took effect, {outlet} reported.\n"
    )
}

/// Five articles around 24 November 2025: two known only to the day.
fn project() -> Project {
    let p = Project::empty();
    for (file, outlet, date) in [
        ("a.md", "Day Only", "2025-11-24"),
        ("b.md", "Morning", "2025-11-24T08:00:00-05:00"),
        ("c.md", "Evening", "2025-11-24T22:00:00Z"),
        ("d.md", "Day Before", "2025-11-23"),
        ("e.md", "Next Day", "2025-11-25T01:00:00+01:00"),
        ("f.md", "No Zone", "2025-11-26 07:15:00"),
    ] {
        p.write(&format!("news/{file}"), article(outlet, date));
    }
    p.stdout(&["index", "news"], 0);
    p
}

/// (outlet, same_day_as) of each hit, in order.
fn order(r: &SearchResult) -> Vec<(String, Option<usize>)> {
    r.hits
        .iter()
        .map(|h| (h.article.outlet.clone().unwrap(), h.same_day_as))
        .collect()
}

fn expected(list: &[(&str, Option<usize>)]) -> Vec<(String, Option<usize>)> {
    list.iter().map(|(o, t)| (o.to_string(), *t)).collect()
}

#[test]
fn dates_keep_precision_and_offset_in_json_and_human_output() {
    let p = project();
    let r = search_json(&p, &["cartel", "--sort", "oldest", "--articles"], 0);
    let by_outlet = |outlet: &str| {
        let hit = r
            .hits
            .iter()
            .find(|h| h.article.outlet.as_deref() == Some(outlet))
            .unwrap();
        let a = &hit.article;
        (
            a.date.clone(),
            a.date_precision.clone(),
            a.date_local.clone(),
        )
    };
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        by_outlet("Morning"),
        (
            some("2025-11-24T13:00:00Z"),
            some("time"),
            some("2025-11-24T08:00:00-05:00")
        )
    );
    assert_eq!(
        by_outlet("Evening"),
        (
            some("2025-11-24T22:00:00Z"),
            some("time"),
            some("2025-11-24T22:00:00+00:00")
        )
    );
    assert_eq!(
        by_outlet("Day Only"),
        (some("2025-11-24T00:00:00Z"), some("day"), None)
    );
    assert_eq!(
        by_outlet("No Zone"),
        (some("2025-11-26T07:15:00Z"), some("time"), None)
    );

    // The articles are one text under six outlets: copies, shown one by one.
    let human = p.stdout(
        &[
            "search",
            "cartel",
            "--sort",
            "newest",
            "--articles",
            "--no-collapse",
        ],
        0,
    );
    for heading in [
        "Morning · 2025-11-24 08:00 −05:00 · Morning on the cartel",
        "Next Day · 2025-11-25 01:00 +01:00 · Next Day on the cartel",
        "No Zone · 2025-11-26 07:15 (time zone unknown) · No Zone on the cartel",
        "Day Before · 2025-11-23 · Day Before on the cartel",
    ] {
        assert!(human.contains(heading), "{heading}\n{human}");
    }
    let show = p.stdout(&["show", "news/b.md"], 0);
    assert!(
        show.contains("date:    2025-11-24 08:00 −05:00 (2025-11-24T13:00:00Z)"),
        "{show}"
    );
}

#[test]
fn a_day_only_date_never_sorts_before_a_time_of_that_day_and_the_tie_is_reported() {
    let p = project();
    for articles in [true, false] {
        let mut args = vec!["cartel", "--sort", "oldest"];
        if articles {
            args.push("--articles");
        }
        let r = search_json(&p, &args, 0);
        assert_eq!(
            order(&r),
            expected(&[
                ("Day Before", None),
                ("Morning", None),
                ("Evening", None),
                ("Day Only", Some(2)),
                ("Next Day", None),
                ("No Zone", None),
            ]),
            "oldest, articles={articles}"
        );
        args[2] = "newest";
        let r = search_json(&p, &args, 0);
        assert_eq!(
            order(&r),
            expected(&[
                ("No Zone", None),
                ("Next Day", None),
                ("Evening", None),
                ("Morning", None),
                ("Day Only", Some(3)),
                ("Day Before", None),
            ]),
            "newest, articles={articles}"
        );
    }
    // The articles are one text under six outlets: copies, shown one by one.
    let human = p.stdout(
        &[
            "search",
            "cartel",
            "--sort",
            "oldest",
            "--articles",
            "--no-collapse",
        ],
        0,
    );
    assert!(
        human.contains(
            "Day Only · 2025-11-24 (same day as #2, time not given) · Day Only on the cartel"
        ),
        "{human}"
    );
    // Relevance order reports no ties.
    let r = search_json(&p, &["cartel", "--articles"], 0);
    assert!(r.hits.iter().all(|h| h.same_day_as.is_none()));
}

#[test]
fn until_with_a_datetime_includes_that_second() {
    let p = project();
    // "Morning" is 2025-11-24T13:00:00Z (08:00 at −05:00).
    let outlets = |args: &[&str], code| {
        let mut full = vec!["cartel", "--articles", "--sort", "oldest"];
        full.extend_from_slice(args);
        let r = search_json(&p, &full, code);
        r.hits
            .iter()
            .map(|h| h.article.outlet.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        outlets(
            &[
                "--since",
                "2025-11-24T00:00:01Z",
                "--until",
                "2025-11-24T13:00:00Z"
            ],
            0
        ),
        ["Morning"]
    );
    assert_eq!(
        outlets(
            &[
                "--since",
                "2025-11-24T00:00:01Z",
                "--until",
                "2025-11-24T08:00:00-05:00"
            ],
            0
        ),
        ["Morning"],
        "the same second with its offset"
    );
    assert!(outlets(
        &[
            "--since",
            "2025-11-24T00:00:01Z",
            "--until",
            "2025-11-24T12:59:59Z"
        ],
        1
    )
    .is_empty());
    assert_eq!(
        outlets(
            &[
                "--since",
                "2025-11-24T13:00:00Z",
                "--until",
                "2025-11-24T21:59:59Z"
            ],
            0
        ),
        ["Morning"]
    );
    assert_eq!(
        outlets(
            &[
                "--since",
                "2025-11-24T13:00:01Z",
                "--until",
                "2025-11-24T22:00:00Z"
            ],
            0
        ),
        ["Evening"]
    );
}

#[test]
fn a_dateline_without_a_year_is_dated_from_the_text_or_left_undated_with_a_warning() {
    let p = Project::empty();
    p.write(
        "news/dated.txt",
        "CARACAS, Nov 28 (Reuters) - Maduro spoke two days after the designation took effect on November 26, 2025.\n",
    );
    p.write(
        "news/yearless.txt",
        "CARACAS, Nov 28 (Reuters) - Maduro spoke about the designation.\n",
    );
    let out = p.run(&["index", "news"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        "newsdex: warning: news/yearless.txt: the dateline's date (Nov 28) has no year, and the article gives no other date to take one from; article indexed undated"
    );
    let r = search_json(&p, &["Maduro", "--articles", "--sort", "oldest"], 0);
    let dates: Vec<(&str, Option<&str>, Option<&str>)> = r
        .hits
        .iter()
        .map(|h| {
            (
                h.article.id.as_str(),
                h.article.date.as_deref(),
                h.article.date_precision.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        dates,
        [
            ("news/dated.txt", Some("2025-11-28T00:00:00Z"), Some("day")),
            ("news/yearless.txt", None, None),
        ]
    );
    let show = p.stdout(&["show", "news/dated.txt"], 0);
    assert!(
        show.contains("date=dateline (year from the text)"),
        "{show}"
    );
}
