//! Copies of one story (`copies`, search folding, `show`) and counts.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::common::{shared_data, Project};

const WIRE: &str = "Norway's central bank raised its key deposit rate by 25 basis points to 4.5 pct on Thursday, citing a weaker crown and inflation that has stayed above target for two years.\n\nGovernor Ida Wolden Bache said further increases could follow in June if prices kept rising at the current pace, and that the bank would watch wage talks closely.\n\nEconomists polled by Reuters had expected the bank to hold rates steady until the summer, and the crown strengthened 0.8 pct against the euro after the decision.\n\nThe bank last raised rates in December 2024.";

fn article(outlet: &str, date: Option<&str>, title: &str, body: &str) -> String {
    let date = date.map(|d| format!("date: {d}\n")).unwrap_or_default();
    format!("---\ntitle: {title}\noutlet: {outlet}\n{date}---\n\n{body}\n")
}

/// A wire story, two copies (house style, a cut, a local line), an undated
/// copy, a templated report with other figures, and an unrelated story.
fn newsroom() -> Project {
    let p = Project::empty();
    p.write(
        "corpus/wire.md",
        article(
            "Reuters",
            Some("2025-03-06T09:00:00Z"),
            "Norway raises rates",
            WIRE,
        ),
    );
    let cut = WIRE
        .replace(" pct", " percent")
        .rsplit_once("\n\n")
        .unwrap()
        .0
        .to_string()
        + "\n\nThis story was provided by Reuters.";
    p.write(
        "corpus/courier.md",
        article(
            "Valley Courier",
            Some("2025-03-06T15:30:00Z"),
            "Norway’s bank lifts rates again",
            &cut,
        ),
    );
    p.write(
        "corpus/harbor.md",
        article(
            "Harbor Times",
            Some("2025-03-07"),
            "Rates up in Norway",
            &WIRE.replace("said", "stated"),
        ),
    );
    p.write(
        "corpus/undated.md",
        article("Metro Wire", None, "Norway rate rise", WIRE),
    );
    let template = WIRE
        .replace("25 basis", "50 basis")
        .replace("4.5", "5.0")
        .replace("0.8", "1.1")
        .replace("two years", "three years")
        .replace("2024", "2023");
    p.write(
        "corpus/template.md",
        article(
            "Reuters",
            Some("2025-06-19T09:00:00Z"),
            "Norway raises rates",
            &template,
        ),
    );
    p.write(
        "corpus/other.md",
        article("Reuters", Some("2025-04-02"), "Oil falls", "Oil prices fell on Friday as traders weighed rising stockpiles against supply cuts by producers, with Brent crude down 1.2 pct at 82 dollars a barrel; Norway's central bank is watched by traders."),
    );
    p.index();
    p
}

fn groups(p: &Project) -> Vec<Value> {
    let out = p.stdout(&["copies", "--format", "json"], 0);
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn ids(group: &Value) -> Vec<String> {
    group["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn copies_form_one_group_with_the_earliest_as_original_and_templates_apart() {
    let p = newsroom();
    let groups = groups(&p);
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(g["original"], "corpus/wire.md");
    // Oldest first, undated last; the templated report is not a copy.
    assert_eq!(
        ids(g),
        [
            "corpus/wire.md",
            "corpus/courier.md",
            "corpus/harbor.md",
            "corpus/undated.md"
        ]
    );
    assert_eq!(g["articles"][1]["outlet"], "Valley Courier");
    assert!(g["articles"][1]["similarity"].as_f64().unwrap() > 0.6);

    let jsonl = p.stdout(&["copies", "--format", "jsonl"], 0);
    assert_eq!(jsonl.lines().count(), 1);
    let csv = p.stdout(&["copies", "--format", "csv"], 0);
    assert_eq!(csv.lines().count(), 5, "{csv}");
    let human = p.stdout(&["copies"], 0);
    assert!(human.contains("Valley Courier"), "{human}");
}

#[test]
fn groups_follow_incremental_indexing() {
    let p = newsroom();
    // A removed copy leaves its group; a changed one too.
    std::fs::remove_file(p.path("corpus/harbor.md")).unwrap();
    p.write(
        "corpus/courier.md",
        article("Valley Courier", Some("2025-03-06"), "Local news", "The town council met on Tuesday to discuss a new bridge over the river and the cost of repairing roads after the winter floods."),
    );
    p.index();
    assert_eq!(ids(&groups(&p)[0]), ["corpus/wire.md", "corpus/undated.md"]);
    // A new copy joins, and an earlier one becomes the original.
    p.write(
        "corpus/early.md",
        article("Coastal Daily", Some("2025-03-05"), "Norway rate", WIRE),
    );
    p.index();
    let g = &groups(&p)[0];
    assert_eq!(g["original"], "corpus/early.md");
    assert_eq!(
        ids(g),
        ["corpus/early.md", "corpus/wire.md", "corpus/undated.md"]
    );
}

#[test]
fn search_folds_copies_and_json_names_their_group() {
    let p = newsroom();
    let human = p.stdout(&["search", "Wolden Bache"], 0);
    assert_eq!(human.matches("Governor Ida").count(), 2, "{human}");
    assert!(human.contains("also in 3 more outlets: "), "{human}");
    let all = p.stdout(&["search", "--no-collapse", "Wolden Bache"], 0);
    assert_eq!(all.matches("Governor Ida").count(), 5, "{all}");

    let json: Value =
        serde_json::from_str(&p.stdout(&["search", "--format", "json", "Wolden Bache"], 0))
            .unwrap();
    assert_eq!(json["total_hits"], 5);
    assert_eq!(json["stories"], 2);
    assert_eq!(json["hits"].as_array().unwrap().len(), 5);
    for hit in json["hits"].as_array().unwrap() {
        if hit["article"]["id"] == "corpus/template.md" {
            assert!(hit["copies"].is_null());
        } else {
            assert_eq!(hit["copies"]["count"], 4);
            assert_eq!(hit["copies"]["original"], "corpus/wire.md");
        }
    }
    let folded: Value = serde_json::from_str(&p.stdout(
        &["search", "--format", "json", "--collapse", "Wolden Bache"],
        0,
    ))
    .unwrap();
    assert_eq!(folded["hits"].as_array().unwrap().len(), 2);
    assert_eq!(folded["total_hits"], 5);
    // The typed contract holds `copies`, `stories` and `facets`.
    let typed = crate::contract::search_json(&p, &["Wolden Bache", "--facets"], 0);
    assert_eq!(typed.stories, Some(2));
    assert!(typed.facets.is_some());
    assert_eq!(typed.hits[0].copies.as_ref().map(|c| c.count), Some(4));
}

#[test]
fn show_lists_an_articles_copies() {
    let p = newsroom();
    let out = p.stdout(&["show", "corpus/harbor.md"], 0);
    assert!(out.contains("copies:  4 articles"), "{out}");
    assert!(out.contains("Valley Courier"), "{out}");
    let json: Value =
        serde_json::from_str(&p.stdout(&["show", "--format", "json", "corpus/other.md"], 0))
            .unwrap();
    assert!(json["copies"].is_null());
}

#[test]
fn counts_buckets_add_up_and_keep_undated_articles() {
    let p = newsroom();
    let out = p.stdout(
        &[
            "count",
            "Norway",
            "--by",
            "outlet,month",
            "--format",
            "json",
        ],
        0,
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["total"]["articles"], 6);
    assert_eq!(json["total"]["stories"], 3);
    let buckets = json["buckets"].as_array().unwrap();
    let sum: u64 = buckets
        .iter()
        .map(|b| b["articles"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, 6);
    let passages: u64 = buckets
        .iter()
        .map(|b| b["passages"].as_u64().unwrap())
        .sum();
    assert_eq!(json["total"]["passages"].as_u64().unwrap(), passages);
    assert!(buckets
        .iter()
        .any(|b| b["outlet"] == "Metro Wire" && b["month"].is_null()));
    // Reuters first: most articles.
    assert_eq!(buckets[0]["outlet"], "Reuters");

    // The same filters as search.
    let search: Value = serde_json::from_str(&p.stdout(
        &[
            "search",
            "Norway",
            "--articles",
            "--since",
            "2025-03-06",
            "--format",
            "json",
        ],
        0,
    ))
    .unwrap();
    let count: Value = serde_json::from_str(&p.stdout(
        &[
            "count",
            "Norway",
            "--since",
            "2025-03-06",
            "--by",
            "week",
            "--format",
            "json",
        ],
        0,
    ))
    .unwrap();
    assert_eq!(count["total"]["articles"], search["total_hits"]);
    let weeks: Vec<&str> = count["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["week"].as_str().unwrap())
        .collect();
    assert_eq!(weeks, ["2025-W10", "2025-W14", "2025-W25"]);

    let csv = p.stdout(&["count", "Norway", "--by", "day", "--format", "csv"], 0);
    assert!(csv.starts_with("day,articles,passages,stories\n"), "{csv}");
    assert!(csv.contains("\n,1,"), "undated row: {csv}");
    let human = p.stdout(&["count", "Norway", "--by", "year"], 0);
    assert!(
        human.contains("undated") && human.contains("total"),
        "{human}"
    );
    p.stdout(&["count", "nosuchword"], 1);
    let bad = p.run(&["count", "Norway", "--by", "decade"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn count_counts_the_articles_search_articles_finds_title_matches_included() {
    let p = Project::empty();
    let body = "Officials met on Tuesday to discuss the harbour budget.";
    p.write(
        "corpus/a.md",
        article("Courier", Some("2025-03-06"), "Fjord ferry cuts", body),
    );
    p.write(
        "corpus/b.md",
        article(
            "Courier",
            Some("2025-03-07"),
            "Budget vote",
            "The fjord ferry will run twice a day, officials said.",
        ),
    );
    p.write(
        "corpus/c.md",
        article("Herald", None, "Weather", "Rain all week along the coast."),
    );
    p.index();
    let json = |args: &[&str]| -> Value { serde_json::from_str(&p.stdout(args, 0)).unwrap() };
    // "fjord": one article by its text, one by its title alone.
    let articles = json(&["search", "fjord", "--articles", "--format", "json"]);
    let passages = json(&["search", "fjord", "--format", "json"]);
    let count = json(&["count", "fjord", "--by", "outlet", "--format", "json"]);
    assert_eq!(articles["total_hits"], 2, "{articles}");
    assert_eq!(
        count["total"]["articles"], articles["total_hits"],
        "{count}"
    );
    assert_eq!(
        count["total"]["passages"], passages["total_hits"],
        "{count}"
    );
    assert_eq!(count["total"]["passages"], 1, "{count}");
    assert_eq!(count["buckets"][0]["articles"], 2, "{count}");
    // A word only a title holds: the article counts, no passage does.
    let count = json(&["count", "ferry", "cuts", "--format", "json"]);
    assert_eq!(count["total"]["articles"], 1, "{count}");
    assert_eq!(count["total"]["passages"], 0, "{count}");
    assert_eq!(count["relaxed"], false, "{count}");
}

/// `stories` in a search's JSON is `count`'s total of stories for the same
/// query and filters, however the search found its hits: passages (some
/// articles matching by their title alone), `--articles`, a date sort,
/// no page, a filter, a relaxed query, titles only.
#[test]
fn search_counts_the_stories_count_counts() {
    let p = newsroom();
    let json = |args: &[&str]| -> Value {
        let out = p.run(args);
        serde_json::from_str(&String::from_utf8_lossy(&out.stdout)).unwrap()
    };
    for query in [
        "Norway",
        "Wolden Bache",
        "rates",
        "lifts",
        "Norway zebra",
        "traders",
    ] {
        for flags in [
            &[][..],
            &["--articles"],
            &["--sort", "newest"],
            &["--limit", "0"],
            &["--outlet", "Reuters"],
            &["--no-collapse", "--articles", "--sort", "oldest"],
        ] {
            let mut search = vec!["search", query, "--format", "json"];
            search.extend(flags);
            let mut count = vec!["count", query, "--format", "json"];
            count.extend(
                flags
                    .iter()
                    .filter(|f| *f == &"--outlet" || *f == &"Reuters"),
            );
            let (search, count) = (json(&search), json(&count));
            assert_eq!(
                search["stories"], count["total"]["stories"],
                "{query} {flags:?}: {search} {count}"
            );
        }
    }
    // The cases differ: copies fold, a title-only word counts its article,
    // also next to passages that match ("traders": the unrelated story;
    // "lifts": the title of a copy of the wire story).
    let stories = |q: &str| json(&["search", q, "--format", "json"])["stories"].clone();
    assert_eq!(stories("Wolden Bache"), 2);
    assert_eq!(stories("lifts"), 1);
    let any = json(&[
        "search",
        "lifts traders",
        "--match",
        "any",
        "--format",
        "json",
    ]);
    let count = json(&[
        "count",
        "lifts traders",
        "--match",
        "any",
        "--format",
        "json",
    ]);
    assert_eq!(any["total_hits"], 1, "{any}");
    assert_eq!(any["stories"], 2, "{any}");
    assert_eq!(count["total"]["stories"], 2, "{count}");
}

#[test]
fn search_facets_count_by_outlet_and_month() {
    let p = newsroom();
    let json: Value =
        serde_json::from_str(&p.stdout(&["search", "Norway", "--format", "json", "--facets"], 0))
            .unwrap();
    let months = json["facets"]["month"].as_array().unwrap();
    let sum: u64 = months.iter().map(|b| b["articles"].as_u64().unwrap()).sum();
    assert_eq!(sum, 6);
    assert!(months.last().unwrap()["month"].is_null());
    assert!(json["facets"]["outlet"].as_array().unwrap().len() >= 4);
}

/// Pairwise precision and recall of `newsdex copies` on the labelled set
/// that `bench/make_copies_set.py` builds from Reuters-21578.
#[test]
fn labelled_copy_set_precision_and_recall() {
    let Some(source) = shared_data("news/reuters21578.jsonl.gz") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "../shared/data/news/reuters21578.jsonl.gz is needed under CI"
        );
        eprintln!("skipped: ../shared/data/news/reuters21578.jsonl.gz is absent");
        return;
    };
    let p = Project::empty();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/make_copies_set.py");
    let made = std::process::Command::new("python3")
        .arg(script)
        .args(["--seed", "13", "--stories", "150"])
        .arg(source)
        .arg(p.path("set"))
        .status()
        .expect("python3 runs");
    assert!(made.success());
    p.stdout(&["index", "set/copies.jsonl"], 0);
    let out = p.stdout(&["copies", "--format", "jsonl"], 0);

    let pairs = |groups: Vec<Vec<String>>| -> HashSet<(String, String)> {
        let mut pairs = HashSet::new();
        for mut ids in groups {
            ids.sort();
            for i in 0..ids.len() {
                for j in i + 1..ids.len() {
                    pairs.insert((ids[i].clone(), ids[j].clone()));
                }
            }
        }
        pairs
    };
    let found = pairs(
        out.lines()
            .map(|l| ids(&serde_json::from_str(l).unwrap()))
            .collect(),
    );
    let mut stories: HashMap<String, Vec<String>> = HashMap::new();
    for line in std::fs::read_to_string(p.path("set/labels.jsonl"))
        .unwrap()
        .lines()
    {
        let label: Value = serde_json::from_str(line).unwrap();
        stories
            .entry(label["story"].as_str().unwrap().into())
            .or_default()
            .push(label["id"].as_str().unwrap().into());
    }
    let truth = pairs(stories.into_values().collect());
    let right = found.intersection(&truth).count() as f64;
    let precision = right / found.len().max(1) as f64;
    let recall = right / truth.len().max(1) as f64;
    eprintln!(
        "copies: precision {precision:.4}, recall {recall:.4} ({} pairs)",
        truth.len()
    );
    assert!(precision >= 0.99, "precision {precision}");
    assert!(recall >= 0.98, "recall {recall}");
}
