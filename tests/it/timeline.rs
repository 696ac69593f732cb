//! `newsdex timeline`: articles per period per query or outlet, equal to
//! `count`'s numbers, with zero periods and undated articles, drawn in the
//! terminal and into SVG and PNG files.

use serde_json::Value;

use crate::common::Project;

fn article(outlet: &str, date: Option<&str>, title: &str, body: &str) -> String {
    let date = date.map(|d| format!("date: {d}\n")).unwrap_or_default();
    format!("---\ntitle: {title}\noutlet: {outlet}\n{date}---\n\n{body}\n")
}

/// Dock strike coverage over January and March 2025 (none in February),
/// by ten outlets, one article undated, and two articles on a bridge.
fn coverage() -> Project {
    let p = Project::empty();
    let dates = [
        "2025-01-06",
        "2025-01-07",
        "2025-01-07",
        "2025-01-20",
        "2025-03-03",
        "2025-03-04",
        "2025-03-04",
        "2025-03-05",
        "2025-03-05",
        "2025-03-31",
        "2025-03-31",
    ];
    for (i, date) in dates.iter().enumerate() {
        let outlet = format!("Outlet {}", (b'A' + (i % 10) as u8) as char);
        p.write(
            &format!("corpus/strike{i}.md"),
            article(
                &outlet,
                Some(date),
                &format!("Dock strike, day {i}"),
                &format!("Dock workers at the harbour stayed on strike for a day numbered {i}, the union said, as talks with the port authority went on."),
            ),
        );
    }
    p.write(
        "corpus/undated.md",
        article(
            "Outlet A",
            None,
            "Dock strike drags on",
            "Dock workers kept up their strike at the harbour, the union said.",
        ),
    );
    p.write(
        "corpus/bridge1.md",
        article(
            "Outlet B",
            Some("2025-02-10"),
            "Bridge closed",
            "The harbour bridge was closed for repairs on Monday.",
        ),
    );
    p.write(
        "corpus/bridge2.md",
        article(
            "Outlet C",
            Some("2025-04-01"),
            "Bridge reopens",
            "The harbour bridge reopened to traffic.",
        ),
    );
    p.index();
    p
}

fn json(p: &Project, args: &[&str]) -> Value {
    serde_json::from_str(&p.stdout(args, 0)).unwrap()
}

fn points(series: &Value) -> Vec<(String, u64)> {
    series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["period"].as_str().unwrap().to_string(),
                p["articles"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn months_without_articles_are_zero_and_totals_are_counts() {
    let p = coverage();
    let t = json(
        &p,
        &["timeline", "strike", "--by", "month", "--format", "json"],
    );
    let series = &t["series"][0];
    assert_eq!(series["label"], "strike");
    assert_eq!(series["query"], "strike");
    assert_eq!(
        points(series),
        [
            ("2025-01".into(), 4),
            ("2025-02".into(), 0),
            ("2025-03".into(), 7)
        ]
    );
    assert_eq!(series["undated"], 1);
    assert_eq!(series["articles"], 12);

    // The same numbers as count, period by period, for every period size.
    for by in ["month", "week", "day"] {
        let t = json(&p, &["timeline", "strike", "--by", by, "--format", "json"]);
        let c = json(&p, &["count", "strike", "--by", by, "--format", "json"]);
        let series = &t["series"][0];
        assert_eq!(series["articles"], c["total"]["articles"], "{by}");
        for bucket in c["buckets"].as_array().unwrap() {
            let n = bucket["articles"].as_u64().unwrap();
            match bucket[by].as_str() {
                Some(period) => assert!(
                    points(series).contains(&(period.to_string(), n)),
                    "{by} {period}"
                ),
                None => assert_eq!(series["undated"].as_u64(), Some(n), "{by}"),
            }
        }
        // One point per period from the first to the last, none missing.
        let pts = points(series);
        let expected = match by {
            "month" => 3,
            "week" => 13,          // 2025-W02 to 2025-W14
            _ => 31 + 28 + 31 - 5, // 2025-01-06 to 2025-03-31
        };
        assert_eq!(pts.len(), expected, "{by}: {pts:?}");
    }

    // Filters are count's: since/until and outlet.
    let t = json(
        &p,
        &[
            "timeline", "strike", "--since", "2025-03", "--outlet", "Outlet F", "--format", "json",
        ],
    );
    let c = json(
        &p,
        &[
            "count", "strike", "--since", "2025-03", "--outlet", "Outlet F", "--format", "json",
        ],
    );
    assert_eq!(t["series"][0]["articles"], c["total"]["articles"]);
    assert_eq!(t["series"][0]["articles"], 1);
    assert_eq!(t["series"][0]["undated"], 0);
}

#[test]
fn several_queries_share_one_axis() {
    let p = coverage();
    let t = json(&p, &["timeline", "strike", "bridge", "--format", "json"]);
    assert_eq!(t["queries"], serde_json::json!(["strike", "bridge"]));
    let (strike, bridge) = (&t["series"][0], &t["series"][1]);
    let months = |s: &Value| points(s).into_iter().map(|(m, _)| m).collect::<Vec<_>>();
    assert_eq!(months(strike), ["2025-01", "2025-02", "2025-03", "2025-04"]);
    assert_eq!(months(strike), months(bridge));
    assert_eq!(
        points(bridge)
            .into_iter()
            .map(|(_, n)| n)
            .collect::<Vec<_>>(),
        [0, 1, 0, 1]
    );
}

#[test]
fn split_by_outlet_keeps_eight_and_other() {
    let p = coverage();
    let t = json(
        &p,
        &[
            "timeline", "strike", "--split", "outlet", "--format", "json",
        ],
    );
    let series = t["series"].as_array().unwrap();
    assert_eq!(series.len(), 9, "{t}");
    assert_eq!(series[0]["outlet"], "Outlet A"); // 2 dated + 1 undated
    assert_eq!(series[0]["undated"], 1);
    assert_eq!(series[8]["label"], "other");
    assert!(series[8]["outlet"].is_null());
    let total: u64 = series.iter().map(|s| s["articles"].as_u64().unwrap()).sum();
    let c = json(&p, &["count", "strike", "--format", "json"]);
    assert_eq!(Some(total), c["total"]["articles"].as_u64());

    let out = p.run(&["timeline", "strike", "bridge", "--split", "outlet"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--split outlet: give one query"));
}

#[test]
fn the_terminal_chart_fits_80_columns_and_names_the_undated() {
    let p = coverage();
    let human = p.stdout(&["timeline", "strike", "bridge", "--by", "week"], 0);
    for line in human.lines() {
        assert!(line.chars().count() <= 80, "{line:?}");
    }
    assert!(human.contains("2025-W06"), "{human}"); // a week without articles
    assert!(human.contains("\nundated   1\n"), "{human}");
    assert!(
        human.contains("14 articles in 13 periods by week"),
        "{human}"
    );
    let longest = human
        .lines()
        .filter(|l| l.starts_with("2025-"))
        .max_by_key(|l| l.chars().filter(|c| *c == '█').count())
        .unwrap();
    assert!(longest.starts_with("2025-W10"), "{human}"); // 5 articles: the peak

    let csv = p.stdout(&["timeline", "strike", "--format", "csv"], 0);
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "series,period,articles",
            "strike,2025-01,4",
            "strike,2025-02,0",
            "strike,2025-03,7",
            "strike,,1"
        ]
    );
    p.stdout(&["timeline", "nothingmatchesthis"], 1);
}

#[test]
fn plots_are_valid_svg_and_png() {
    let p = coverage();
    let svg = p.path("chart.svg");
    p.stdout(
        &[
            "timeline",
            "strike",
            "bridge",
            "--plot",
            svg.to_str().unwrap(),
        ],
        0,
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the SVG is XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    for wanted in [
        "Articles per month",
        "strike (12)",
        "bridge (2)",
        "2025-02",
        "1 undated article not shown",
        "articles",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(wanted)),
            "{wanted} not in {texts:?}"
        );
    }

    let png = p.path("chart.png");
    p.stdout(
        &[
            "timeline",
            "strike",
            "--by",
            "week",
            "--plot",
            png.to_str().unwrap(),
        ],
        0,
    );
    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (1000, 560));
    let step = info.color_type.samples();
    let pixels = &pixels[..info.buffer_size()];
    let colours: std::collections::HashSet<&[u8]> = pixels.chunks(step).collect();
    let not_white = pixels
        .chunks(step)
        .filter(|px| px.iter().take(3).any(|&c| c < 200))
        .count();
    assert!(colours.len() > 10, "{} colours", colours.len());
    assert!(
        not_white > 5000,
        "{not_white} dark pixels: the chart is blank"
    );
    // Text is drawn (the built-in font): dark grey anti-aliased pixels exist.
    assert!(pixels
        .chunks(step)
        .any(|px| px[0] < 60 && px[1] < 60 && px[2] < 60));

    let out = p.run(&["timeline", "strike", "--plot", "chart.gif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("--plot chart.gif: the file name must end in .svg or .png"));
}
