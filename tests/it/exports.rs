//! News exports, feeds and web archives: every article of a NewsAPI
//! response, an Event Registry response, a CSV dataset, an RSS 2.0 and an
//! Atom feed, and two web archives is indexed with its text, date, outlet,
//! title and URL; nothing is dropped without a warning, and what is fine
//! gets none. Fixtures: `tests/fixtures/exports/` (`make_warc.py` writes the
//! archives).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::Project;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A project whose `news/` folder holds the named fixtures.
fn project_with(names: &[&str]) -> Project {
    let project = Project::empty();
    for name in names {
        project.write(&format!("news/{name}"), fixture(name));
    }
    project
}

/// `newsdex index news --format json`: the report.
fn index(project: &Project) -> Value {
    serde_json::from_str(&project.stdout(&["index", "news", "--format", "json"], 0)).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `newsdex show ID --format json`.
fn show(project: &Project, id: &str) -> Value {
    serde_json::from_str(&project.stdout(&["show", id, "--format", "json"], 0)).unwrap()
}

/// The article's whole text, from its passages.
fn text(shown: &Value) -> String {
    shown["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Checks an article's attribution: outlet, date, title, URL, author.
fn assert_article(shown: &Value, expected: [Option<&str>; 5]) {
    let a = &shown["article"];
    let got = ["outlet", "date", "title", "url", "author"].map(|k| a[k].as_str());
    assert_eq!(got, expected, "{shown:#}");
}

/// Every article id in the project's index, sorted.
fn ids(project: &Project) -> Vec<String> {
    indexed_ids(&project.path("index"))
}

/// Every article id in the index at `dir`, sorted, once per passage 0.
fn indexed_ids(dir: &Path) -> Vec<String> {
    let searcher = newsdex::search::Searcher::open(dir).unwrap();
    let snapshot = searcher.tantivy_searcher();
    let mut ids = Vec::new();
    for segment in snapshot.segment_readers() {
        let fast = segment.fast_fields();
        let article = fast.str("article_id").unwrap().unwrap();
        let passage = fast.u64("passage").unwrap();
        let mut name = String::new();
        for doc in segment.doc_ids_alive() {
            if passage.first(doc) == Some(0) {
                let ord = article.term_ords(doc).next().unwrap();
                article.ord_to_str(ord, &mut name).unwrap();
                ids.push(name.clone());
            }
        }
    }
    ids.sort();
    ids
}

#[test]
fn a_newsapi_export_keeps_every_date_outlet_and_its_truncation() {
    let project = project_with(&["newsapi.json"]);
    let report = index(&project);
    assert_eq!(report["added"], 1);
    assert_eq!(report["articles"], 3);
    assert!(strings(&report["warnings"]).is_empty(), "{report:#}");

    let bbc = show(
        &project,
        "https://www.bbc.co.uk/news/articles/cartel-de-los-soles",
    );
    assert_article(
        &bbc,
        [
            Some("BBC News"),
            Some("2025-11-24T14:05:00Z"),
            Some("US designates Venezuela's Cartel de los Soles a terrorist group"),
            Some("https://www.bbc.co.uk/news/articles/cartel-de-los-soles"),
            Some("Will Grant"),
        ],
    );
    assert_eq!(
        text(&bbc),
        "The US says the group is headed by President Nicolás Maduro, a claim he denies.\n\n\
         The United States has formally designated the Cartel de los Soles a foreign terrorist \
         organisation, a move that takes effect on Monday. Washington accuses the group of \
         trafficking cocaine…"
    );
    assert_eq!(bbc["truncated"]["chars_left_out"], 3412);
    assert_eq!(bbc["article"]["path"], "news/newsapi.json");

    let reuters = show(
        &project,
        "https://www.reuters.com/world/americas/venezuela-rejects-designation-2025-11-24/",
    );
    assert_article(
        &reuters,
        [
            Some("Reuters"),
            Some("2025-11-24T18:30:12Z"),
            Some("Venezuela rejects 'ridiculous' terrorism designation"),
            Some(
                "https://www.reuters.com/world/americas/venezuela-rejects-designation-2025-11-24/",
            ),
            None,
        ],
    );
    let body = text(&reuters);
    assert!(
        body.starts_with("Caracas called the designation a fabrication & an excuse")
            && body.contains("Foreign ministry calls the listing a fabrication")
            && body.contains("CARACAS, Nov 24 (Reuters) - Venezuela's government")
            && !body.contains('<'),
        "{body}"
    );

    let aljazeera = show(
        &project,
        "https://www.aljazeera.com/news/2025/11/24/what-is-the-cartel-de-los-soles",
    );
    assert_eq!(aljazeera["article"]["date"], "2025-11-24T08:00:00Z");
    assert_eq!(aljazeera["article"]["outlet"], "Al Jazeera English");
    assert_eq!(
        text(&aljazeera),
        "Analysts question whether the Cartel de los Soles exists as an organisation at all."
    );
    assert!(aljazeera["truncated"].is_null());

    // Filters work on what the export said.
    let hits = project.stdout(
        &[
            "search",
            "designation",
            "--outlet",
            "reuters",
            "--articles",
            "--format",
            "jsonl",
        ],
        0,
    );
    assert_eq!(hits.lines().count(), 1, "{hits}");
    let human = project.stdout(
        &[
            "show",
            "https://www.bbc.co.uk/news/articles/cartel-de-los-soles",
        ],
        0,
    );
    assert!(
        human.contains("text:    truncated by the source (3412 characters left out)"),
        "{human}"
    );
}

#[test]
fn an_event_registry_response_is_read_and_its_unused_field_named_once() {
    let project = project_with(&["eventregistry.json"]);
    let report = index(&project);
    assert_eq!(report["articles"], 2);
    assert_eq!(
        strings(&report["warnings"]),
        ["news/eventregistry.json: field newsdex does not use, left out of the index: lang (2 records)"]
    );
    let elpais = show(&project, "8934410001");
    assert_article(
        &elpais,
        [
            Some("EL PAÍS"),
            Some("2025-11-25T07:10:00Z"),
            Some("Estados Unidos declara terrorista al Cartel de los Soles"),
            Some("https://elpais.com/america/2025-11-25/cartel-de-los-soles.html"),
            Some("Ana Vanessa Herrero"),
        ],
    );
    assert!(text(&elpais).ends_with("Caracas rechazó la medida."));
    assert_eq!(
        elpais["passages"][0]["line"], 2,
        "the line where the record starts"
    );
    let guardian = show(&project, "8934410002");
    assert_eq!(guardian["article"]["date"], "2025-11-25T11:00:00Z");
    assert!(guardian["article"]["author"].is_null());
}

#[test]
fn a_csv_export_gives_one_article_per_row() {
    let project = project_with(&["allthenews.csv"]);
    project.write("news/links.csv", "title,url\nA,https://x.test/a\n");
    let report = index(&project);
    assert_eq!(report["articles"], 3);
    assert_eq!(
        strings(&report["warnings"]),
        ["news/allthenews.csv: field newsdex does not use, left out of the index: section (2 records)"]
    );
    let skipped = strings(&report["skipped"]);
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]
            .starts_with("news/links.csv: no column of article text (one of: text, body, content,"),
        "{skipped:?}"
    );

    let nyt = show(
        &project,
        "https://www.nytimes.com/2025/11/26/world/americas/venezuela-cartel-terrorist.html",
    );
    assert_article(
        &nyt,
        [
            Some("New York Times"),
            Some("2025-11-26T08:00:00Z"),
            Some("U.S. Labels Venezuelan Group a Terrorist Organization"),
            Some(
                "https://www.nytimes.com/2025/11/26/world/americas/venezuela-cartel-terrorist.html",
            ),
            Some("Julie Turkewitz"),
        ],
    );
    assert!(text(&nyt).ends_with("a loose network of corrupt officers."));
    assert_eq!(nyt["passages"][0]["line"], 2);
    assert!(nyt["origins"]
        .as_str()
        .unwrap()
        .contains("outlet=csv column"));
    let ap = show(
        &project,
        "https://apnews.com/article/venezuela-maduro-designation",
    );
    assert_article(
        &ap,
        [
            Some("AP"),
            Some("2025-11-26T00:00:00Z"),
            Some("Maduro calls designation a pretext"),
            Some("https://apnews.com/article/venezuela-maduro-designation"),
            None,
        ],
    );
    let gallery = show(&project, "https://example.com/gallery");
    assert_eq!(
        text(&gallery),
        "Photo gallery: Caracas reacts",
        "searchable by its headline"
    );
}

#[test]
fn rss_and_atom_feeds_give_one_article_per_item() {
    let project = project_with(&["wire.rss", "analysis.atom"]);
    let report = index(&project);
    assert_eq!(report["articles"], 4);
    assert!(strings(&report["warnings"]).is_empty(), "{report:#}");

    let myth = show(&project, "https://insightcrime.org/?p=201501");
    assert_article(
        &myth,
        [
            Some("InSight Crime"),
            Some("2025-11-27T12:30:00Z"),
            Some("Cartel de los Soles: From Myth to Terror Designation"),
            Some("https://insightcrime.org/news/cartel-de-los-soles-myth-terror-designation/"),
            Some("Jeremy McDermott"),
        ],
    );
    assert_eq!(
        text(&myth),
        "The designation rests on a decades-old term for military drug networks.\n\n\
         The term “Cartel de los Soles” was coined in the 1990s, after the sun insignia worn by \
         Venezuelan generals.\n\nIt never described a hierarchical organisation."
    );
    let brief = show(
        &project,
        "https://insightcrime.org/news/brief-colombia-reacts/",
    );
    assert_eq!(
        text(&brief),
        "Bogotá said it would not follow Washington’s lead."
    );
    assert_eq!(
        brief["article"]["title"],
        "Brief: Colombia reacts to US listing"
    );

    let label = show(&project, "tag:crisisgroup.org,2025:venezuela-terror-label");
    assert_article(
        &label,
        [
            Some("Crisis Group: Latin America"),
            Some("2025-11-28T21:00:00Z"),
            Some("Venezuela & the Terror Label"),
            Some("https://www.crisisgroup.org/latin-america/venezuela/terror-label"),
            Some("Phil Gunson"),
        ],
    );
    assert_eq!(
        text(&label),
        "What the designation changes, and what it does not.\n\n\
         The listing gives Washington new legal tools against Caracas."
    );
    let qa = show(&project, "tag:crisisgroup.org,2025:qa-sanctions");
    assert_eq!(
        qa["article"]["date"], "2025-11-29T10:00:00Z",
        "updated, without published"
    );
    assert_eq!(
        qa["article"]["title"],
        "Q&A: sanctions after the designation"
    );
}

#[test]
fn a_web_archive_gives_its_html_pages_with_url_and_capture_date() {
    let project = project_with(&["crawl.warc", "recrawl.warc.gz"]);
    let report = index(&project);
    assert!(strings(&report["warnings"]).is_empty(), "{report:#}");
    assert_eq!(
        report["articles"], 3,
        "two pages, one captured again; no image, redirect or request"
    );

    let herald = show(
        &project,
        "https://www.miamiherald.com/news/venezuela/terror-label.html@2025-11-26T12:00:01Z",
    );
    assert_article(
        &herald,
        [
            Some("Miami Herald"),
            Some("2025-11-25T11:00:00Z"),
            Some("Venezuelans shrug at terror label"),
            Some("https://www.miamiherald.com/news/venezuela/terror-label.html"),
            Some("Antonio Maria Delgado"),
        ],
    );
    assert_eq!(herald["captured"], "2025-11-26T12:00:01Z");
    let body = text(&herald);
    assert!(
        body.starts_with("In Caracas, the designation")
            && body.ends_with("who asked not to be named.")
            && !body.contains("Home")
            && !body.contains("Copyright"),
        "{body}"
    );

    let welcome = "https://opposition.example.org/2025/11/welcome";
    let first = show(&project, &format!("{welcome}@2025-11-26T12:00:04Z"));
    assert_article(
        &first,
        [
            None,
            None,
            Some("Opposition welcomes US move"),
            Some(welcome),
            None,
        ],
    );
    assert_eq!(first["captured"], "2025-11-26T12:00:04Z");
    assert!(first["origins"]
        .as_str()
        .unwrap()
        .contains("url=web archive"));
    assert!(text(&first).ends_with("did not respond to requests for comment."));
    let later = show(&project, &format!("{welcome}@2025-11-27T09:30:00Z"));
    assert!(text(&later).ends_with("later called the statement treason."));
    let human = project.stdout(&["show", &format!("{welcome}@2025-11-27T09:30:00Z")], 0);
    assert!(
        human.contains("captured: 2025-11-27T09:30:00Z (web archive)"),
        "{human}"
    );
}

/// A reporter's folder: exports of three APIs, a dataset, two feeds, two
/// web archives, a saved article — and three real problems.
#[test]
fn a_mixed_collection_warns_once_per_real_problem_and_never_for_what_is_fine() {
    let project = project_with(&[
        "newsapi.json",
        "eventregistry.json",
        "allthenews.csv",
        "wire.rss",
        "analysis.atom",
        "crawl.warc",
        "recrawl.warc.gz",
    ]);
    project.write(
        "news/notes.txt",
        "Notes on the designation\n\nThe Cartel de los Soles was listed on 24 November.\n",
    );
    project.write(
        "news/later-pull.json",
        r#"[{"source":{"name":"BBC News"},"title":"Follow-up","publishedAt":"yesterday",
             "url":"https://www.bbc.co.uk/news/follow-up","content":"More on the cartel."},
            "not an article"]"#,
    );
    project.write(
        "news/sitemap.xml",
        "<?xml version=\"1.0\"?><urlset></urlset>",
    );
    let report = index(&project);
    let mut warnings = strings(&report["warnings"]);
    warnings.sort();
    let expected = [
        "news/allthenews.csv: field newsdex does not use, left out of the index: section (2 records)",
        "news/eventregistry.json: field newsdex does not use, left out of the index: lang (2 records)",
        "news/later-pull.json:1: date 'yesterday' is not a date; article indexed undated",
        "news/later-pull.json:3: record 2 is not a JSON object; skipped",
    ];
    assert_eq!(warnings, expected);
    let skipped = strings(&report["skipped"]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].starts_with("news/sitemap.xml: not a readable RSS or Atom feed"));
    assert_eq!(report["added"], 9);
    assert_eq!(report["articles"], 3 + 2 + 3 + 4 + 3 + 1 + 1);

    let stats: Value =
        serde_json::from_str(&project.stdout(&["stats", "--format", "json"], 0)).unwrap();
    assert_eq!(
        stats["undated"], 4,
        "the follow-up, the notes and one archived page, captured twice"
    );

    // Unchanged files are skipped; a changed export is indexed again, whole.
    let again = index(&project);
    assert_eq!(again["unchanged"], 9);
    assert_eq!(again["articles"], 0);
    let before = ids(&project);
    project.write(
        "news/later-pull.json",
        r#"[{"source":{"name":"BBC News"},"title":"Follow-up","publishedAt":"2025-11-25",
             "url":"https://www.bbc.co.uk/news/follow-up","content":"More on the cartel, corrected."}]"#,
    );
    let changed = index(&project);
    assert_eq!(
        (changed["updated"].as_u64(), changed["articles"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(ids(&project), before);
    let follow_up = show(&project, "https://www.bbc.co.uk/news/follow-up");
    assert_eq!(follow_up["article"]["date"], "2025-11-25T00:00:00Z");
}

/// Articles of the exports written below, by id.
fn export_ids(n: usize) -> Vec<String> {
    let mut ids: Vec<String> = (0..n)
        .flat_map(|i| {
            [
                format!("https://api.test/{i}"),
                format!("https://csv.test/{i}"),
            ]
        })
        .collect();
    ids.sort();
    ids
}

/// Writes a NewsAPI response and a CSV export of `n` articles each.
fn write_exports(project: &Project, n: usize) {
    let articles: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "source": {"name": format!("Outlet {}", i % 7)},
                "title": format!("Report number {i}"),
                "publishedAt": "2025-11-24T10:00:00Z",
                "url": format!("https://api.test/{i}"),
                "content": format!("Paragraph one of report {i} on the cartel.\n\nParagraph two of report {i}."),
            })
        })
        .collect();
    let response = serde_json::json!({"status": "ok", "articles": articles});
    project.write(
        "news/big.json",
        serde_json::to_string_pretty(&response).unwrap(),
    );
    let mut csv = String::from("title,date,outlet,url,text\n");
    for i in 0..n {
        csv.push_str(&format!(
            "Row {i},2025-11-24,Outlet,https://csv.test/{i},\"Row text {i}.\n\nMore for {i}.\"\n"
        ));
    }
    project.write("news/big.csv", csv);
}

#[test]
fn a_killed_run_resumes_inside_an_export_and_indexes_every_article_once() {
    let project = Project::empty();
    let n = 1500;
    write_exports(&project, n);
    let mut writer = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .current_dir(project.path(""))
        .env_remove("NEWSDEX_INDEX")
        .args(["index", "--commit-every", "10", "news"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once a commit holds part of an export.
    let meta = project.path("index/meta.json");
    let started = Instant::now();
    let partial = loop {
        assert!(started.elapsed() < Duration::from_secs(120), "no commit");
        let payload = std::fs::read(&meta)
            .ok()
            .and_then(|m| serde_json::from_slice::<Value>(&m).ok())
            .and_then(|m| serde_json::from_str::<Value>(m["payload"].as_str()?).ok());
        if let Some(partial) = payload.and_then(|p| p.get("partial").cloned()) {
            break partial;
        }
        assert!(
            writer.try_wait().unwrap().is_none(),
            "the run ended before a commit held part of an export"
        );
        std::thread::sleep(Duration::from_millis(2));
    };
    writer.kill().unwrap();
    writer.wait().unwrap();
    assert!(partial.is_object(), "{partial}");
    let payload: Value = serde_json::from_slice(&std::fs::read(&meta).unwrap()).unwrap();
    let payload: Value = serde_json::from_str(payload["payload"].as_str().unwrap()).unwrap();
    let held = indexed_ids(&project.path("index"));
    let mut unique = held.clone();
    unique.dedup();
    assert_eq!(unique.len(), held.len(), "no article twice after the kill");

    let report: Value =
        serde_json::from_str(&project.stdout(&["index", "news", "--format", "json"], 0)).unwrap();
    if payload["partial"].is_object() {
        assert_eq!(report["resumed"], 1, "{report:#}");
    }
    assert!(strings(&report["warnings"]).is_empty(), "{report:#}");
    assert_eq!(ids(&project), export_ids(n), "every article once");
    // The same as a run that was never killed.
    project.stdout(&["--index", "fresh", "index", "news"], 0);
    let stats = |index: &str| -> Value {
        serde_json::from_str(&project.stdout(&["--index", index, "stats", "--format", "json"], 0))
            .unwrap()
    };
    let (resumed, fresh) = (stats("index"), stats("fresh"));
    assert_eq!(resumed["articles"], 2 * n as u64);
    assert_eq!(resumed["passages"], fresh["passages"]);
    assert_eq!(resumed["outlets"], fresh["outlets"]);
}
