//! Article text from saved web pages: what is indexed, what is not, what is
//! skipped and said so, and the score on the extraction benchmark.

use std::collections::HashMap;

use serde_json::Value;

use crate::common::{shared_data, Project};

/// `show ID --format json`, parsed.
fn show(project: &Project, id: &str) -> Value {
    serde_json::from_str(&project.stdout(&["show", id, "--format", "json"], 0)).unwrap()
}

/// The whole text of an article, its passages joined by blank lines.
fn text_of(project: &Project, id: &str) -> String {
    show(project, id)["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/html")
        .join(name);
    std::fs::read(path).unwrap()
}

#[test]
fn a_story_whose_paragraphs_are_divs_is_indexed_whole_without_its_promo() {
    let project = Project::empty();
    project.write("pages/wire.html", fixture("div-paragraphs.html"));
    let out = project.run(&["index", "pages"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("pages/wire.html"), "{stderr}");
    let text = text_of(&project, "pages/wire.html");
    for said in [
        "HOUSTON, Nov 20 (Wire) - Venezuela's oil exports fell 12%",
        "Tankers loaded an average of 780,000 barrels per day",
        "\"Buyers are nervous about what comes next,\"",
        "Washington designated the Cartel de los Soles",
        "PDVSA did not reply to a request for comment.",
        "Exports of fuel and petrochemicals also fell",
        "Reporting by Marianna Parraga in Houston",
    ] {
        assert!(text.contains(said), "{said:?} is missing from:\n{text}");
    }
    for junk in [
        "Energy Transition newsletter",
        "Sign up here",
        "Trust Principles",
        "All rights reserved",
        "Markets",
    ] {
        assert!(!text.contains(junk), "{junk:?} leaked into:\n{text}");
    }
    let article = &show(&project, "pages/wire.html")["article"];
    assert_eq!(article["outlet"], "Wire Service");
    assert_eq!(article["author"], "Marianna Parraga");
    assert_eq!(article["date"], "2025-11-20T14:05:00Z");
    assert_eq!(
        article["url"],
        "https://wire.example.com/business/energy/venezuela-oil-exports-fall-2025-11-20/"
    );
}

#[test]
fn consent_walls_and_paywalls_are_skipped_and_said_to_be() {
    let project = Project::empty();
    project.write("pages/consent.html", fixture("consent-wall.html"));
    project.write("pages/paywall.html", fixture("paywall.html"));
    project.write("pages/story.html", fixture("div-paragraphs.html"));
    let out = project.run(&["index", "pages"]);
    assert_eq!(out.status.code(), Some(0));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("1 added") && summary.contains("2 skipped"),
        "{summary}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pages/consent.html: the page is only a cookie-consent wall"),
        "{stderr}"
    );
    assert!(
        stderr.contains("pages/paywall.html: the page is only a paywall or sign-in prompt"),
        "{stderr}"
    );
    // Neither wall's words are searchable.
    for words in ["personalised ads", "unlimited access", "Accept all"] {
        project.stdout(&["search", "--format", "trec", words], 1);
    }
}

#[test]
fn related_stories_newsletters_reading_lists_and_comments_are_not_article_text() {
    let project = Project::empty();
    project.write("pages/boxes.html", fixture("boxes.html"));
    project.stdout(&["index", "pages"], 0);
    let text = text_of(&project, "pages/boxes.html");
    for said in [
        "Colombia recalled its ambassador to Washington on Tuesday",
        "President Gustavo Petro said the men had no links",
        "The US Defense Department said the boat was operated",
        "Relations between the two countries",
        "The ministry said the ambassador would return for consultations",
    ] {
        assert!(text.contains(said), "{said:?} is missing from:\n{text}");
    }
    for junk in [
        "Related stories",
        "Pentagon widens boat strikes",
        "Maduro mobilises militia",
        "Americas newsletter",
        "Venezuela closes its airspace",
        "Keep reading",
        "Oil tankers turn back",
        "Trinidad joins",
        "comments",
        "RiverFan77",
        "expel the US ambassador",
        "playing politics",
        "Recommended for you",
        "days are numbered",
        "Coastal Times",
    ] {
        assert!(!text.contains(junk), "{junk:?} leaked into:\n{text}");
    }
    // Another story's headline in a box does not make this page say it.
    project.stdout(&["search", "--format", "trec", "\"airspace\""], 1);
    project.stdout(&["search", "--format", "trec", "\"days are numbered\""], 1);
}

#[test]
fn a_page_without_main_text_gives_its_readable_text_and_a_warning() {
    let project = Project::empty();
    project.write(
        "pages/facts.html",
        "<html><head><title>Key facts</title></head><body><nav><a href=/>Home</a></nav>\
         <dl><dt>Date</dt><dd>17 November 2025</dd><dt>Place</dt>\
         <dd>Caracas, Venezuela, at the foreign ministry building</dd></dl></body></html>",
    );
    let out = project.run(&["index", "pages"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "pages/facts.html: no main article text found; indexed the page's readable text instead"
        ),
        "{stderr}"
    );
    let text = text_of(&project, "pages/facts.html");
    assert!(text.contains("17 November 2025"), "{text}");
    assert!(text.contains("at the foreign ministry building"), "{text}");
    assert!(!text.contains("Home"), "{text}");
}

#[test]
fn hostile_pages_are_skipped_and_the_good_page_beside_them_is_indexed() {
    let project = Project::empty();
    project.write("pages/good.html", fixture("div-paragraphs.html"));
    let hostile = [
        ("unclosed-a.html", "<a href=/x>link ".repeat(100_000)),
        ("unclosed-b.html", "<b>bold ".repeat(100_000)),
        ("nested-div.html", "<div>".repeat(50_000) + "deep"),
        (
            "nested-table.html",
            "<table><tr><td>".repeat(20_000) + "cell",
        ),
        ("unclosed-p.html", "<p>paragraph ".repeat(200_000)),
    ];
    for (name, body) in &hostile {
        project.write(&format!("pages/{name}"), format!("<html><body>{body}"));
    }
    let out = project.run(&["index", "pages"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("1 added") && summary.contains("5 skipped"),
        "{summary}"
    );
    for (name, _) in &hostile {
        let warning = stderr
            .lines()
            .find(|line| line.contains(&format!(" pages/{name}: ")))
            .unwrap_or_else(|| panic!("no warning for {name}:\n{stderr}"));
        assert!(
            warning.contains("nest more than") || warning.contains("HTML elements"),
            "{warning}"
        );
    }
    assert!(text_of(&project, "pages/good.html").contains("Tankers loaded"));
}

/// Word 4-gram multiset of a text, tokens as the benchmark counts them (`\w+`).
fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut grams = HashMap::new();
    for gram in words.windows(4) {
        *grams.entry(gram.to_vec()).or_insert(0) += 1;
    }
    grams
}

/// The benchmark's precision and recall of one page: `None` precision when nothing was
/// extracted.
fn page_score(extracted: &str, truth: &str) -> (Option<f64>, f64) {
    let (got, want) = (shingles(extracted), shingles(truth));
    let tp: usize = got
        .iter()
        .map(|(gram, n)| (*n).min(want.get(gram).copied().unwrap_or(0)))
        .sum();
    let fp = got.values().sum::<usize>() - tp;
    let fn_ = want.values().sum::<usize>() - tp;
    let ratio = |a: usize, b: usize| {
        if a + b == 0 {
            0.0
        } else {
            a as f64 / (a + b) as f64
        }
    };
    let precision = (!extracted.trim().is_empty()).then(|| ratio(tp, fp));
    (precision, ratio(tp, fn_))
}

#[test]
fn extraction_benchmark_f1_stays_above_its_floor() {
    let Some(dir) = shared_data("extraction") else {
        return;
    };
    let truth: HashMap<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap())
            .unwrap();
    let project = Project::empty();
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(dir.join("html")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let id = name.trim_end_matches(".html.gz").to_owned();
        let mut html = Vec::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_end(&mut html)
            .unwrap();
        project.write(&format!("pages/{id}.html"), html);
        ids.push(id);
    }
    assert!(ids.len() >= 90, "{} pages", ids.len());
    project.stdout(&["index", "pages"], 0);
    let (mut precisions, mut recalls, mut empty) = (Vec::new(), Vec::new(), 0);
    for id in &ids {
        let shown = project.run(&["show", &format!("pages/{id}.html"), "--format", "json"]);
        let text = if shown.status.code() == Some(0) {
            let shown: Value = serde_json::from_slice(&shown.stdout).unwrap();
            shown["passages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["text"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
                .join("\n\n")
        } else {
            String::new()
        };
        let truth = truth[id]["articleBody"].as_str().unwrap();
        let (precision, recall) = page_score(&text, truth);
        match precision {
            Some(p) => precisions.push(p),
            None => empty += 1,
        }
        recalls.push(recall);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (p, r) = (mean(&precisions), mean(&recalls));
    let f1 = 2.0 * p * r / (p + r);
    eprintln!("extraction benchmark: F1 {f1:.3} precision {p:.3} recall {r:.3}, {empty} pages without text");
    assert!(f1 >= 0.97, "F1 {f1:.3} (precision {p:.3}, recall {r:.3})");
    assert_eq!(empty, 0, "pages without text");
}
