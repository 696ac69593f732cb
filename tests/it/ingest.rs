//! Ingest of real-world collections: saved web pages, manifests, and the
//! precedence of metadata sources (command line > manifest > the article's own).

use serde_json::Value;

use crate::common::Project;

/// `show ID --format json`, parsed.
fn show(project: &Project, id: &str) -> Value {
    serde_json::from_str(&project.stdout(&["show", id, "--format", "json"], 0)).unwrap()
}

/// The whole text of an article, its passages joined.
fn text_of(shown: &Value) -> String {
    shown["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["passage"]["text"]
                .as_str()
                .or(p["text"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read(path).unwrap()
}

#[test]
fn saved_pages_give_main_text_and_metadata() {
    let project = Project::empty();
    for name in [
        "bbc-style.html",
        "no-article-tag.html",
        "comments.html",
        "minimal.html",
    ] {
        project.write(&format!("pages/{name}"), fixture(&format!("html/{name}")));
    }
    // `.htm` is read too.
    project.write("pages/copy.htm", fixture("html/minimal.html"));
    // A page with no article text (only navigation and a script) is skipped.
    project.write(
        "pages/empty.html",
        "<html><head><title>Home</title><script>var x = 1;</script></head><body><nav><a href=/>Home</a></nav></body></html>",
    );
    let out = project.run(&["index", "pages"]);
    assert_eq!(out.status.code(), Some(0));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("5 added") && summary.contains("1 skipped"),
        "{summary}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pages/empty.html: no article text; skipped"),
        "{stderr}"
    );

    let page = show(&project, "pages/bbc-style.html");
    let a = &page["article"];
    assert_eq!(a["outlet"], "Example News");
    assert_eq!(
        a["date"], "2025-11-17T19:30:00Z",
        "14:30 at -05:00 is stored as UTC"
    );
    assert_eq!(a["author"], "Jane Doe");
    assert_eq!(
        a["url"],
        "https://www.example.com/news/articles/c0ex4mple1o"
    );
    assert!(
        a["title"]
            .as_str()
            .unwrap()
            .starts_with("US designates Venezuela"),
        "{a}"
    );
    assert!(
        page["origins"]
            .as_str()
            .unwrap()
            .contains("outlet=html meta"),
        "{page}"
    );
    let text = text_of(&page);
    assert!(
        text.contains("criminal enterprise run from the highest levels"),
        "{text}"
    );
    for junk in [
        "agree to cookies",     // cookie banner
        "Latin America",        // navigation
        "Related stories",      // aside
        "Copyright 2025",       // footer
        "exampleAnalytics",     // inline script
        "line-height",          // style
        "newsdex test fixture", // comment
        "Skip to content",      // skip link
    ] {
        assert!(
            !text.contains(junk),
            "'{junk}' leaked into the article text:\n{text}"
        );
    }
    // Passages of extracted text carry no line numbers, and search finds them.
    assert!(page["passages"][0]["line"].is_null(), "{page}");
    let hits = project.stdout(
        &[
            "search",
            "--format",
            "trec",
            "--articles",
            "criminal enterprise",
        ],
        0,
    );
    assert!(hits.contains("pages/bbc-style.html"), "{hits}");

    // A comment section is not article text.
    let commented = text_of(&show(&project, "pages/comments.html"));
    assert!(
        commented.contains("Financial institutions must report blocked assets"),
        "{commented}"
    );
}

#[test]
fn a_page_with_a_bad_date_is_indexed_undated_with_a_warning() {
    let project = Project::empty();
    project.write(
        "p/odd.html",
        r#"<html><head><title>Odd page</title><meta property="article:published_time" content="99999-01-01"></head>
<body><article><p>An article whose publication date is absurd but whose text is worth keeping for search.</p></article></body></html>"#,
    );
    let out = project.run(&["index", "p"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("p/odd.html: published date '99999-01-01'"),
        "{stderr}"
    );
    assert!(show(&project, "p/odd.html")["article"]["date"].is_null());
}

/// A folder with one article of each kind, each with its own metadata, and a manifest.
fn mixed_folder() -> Project {
    let project = Project::empty();
    project.write(
        "news/a.md",
        "---\ntitle: Front matter title\noutlet: Front Matter Outlet\ndate: 2025-01-01\nauthor: FM Author\n---\n\nThe body of the Markdown article about the designation of the cartel.\n",
    );
    project.write(
        "news/b.html",
        r#"<html><head><title>Page title</title><meta property="og:site_name" content="Html Outlet">
<meta property="article:published_time" content="2025-03-03T10:00:00+02:00"></head>
<body><article><p>The body of the saved page about the designation of the cartel, long enough to be a paragraph.</p></article></body></html>"#,
    );
    project.write(
        "news/feed.jsonl",
        r#"{"id":"rec-1","outlet":"Json Outlet","date":"2025-04-04","title":"Record title","text":"The body of the record about the designation of the cartel."}
"#,
    );
    project.write(
        "news/manifest.csv",
        "path,outlet,date,title,url,author\na.md,Manifest Outlet,2025-02-02,,https://example.org/a,\nfeed.jsonl,Manifest Feed,,,,\n",
    );
    project
}

fn field(project: &Project, id: &str, name: &str) -> Value {
    show(project, id)["article"][name].clone()
}

#[test]
fn metadata_precedence_command_line_over_manifest_over_own() {
    let project = mixed_folder();
    let summary = project.stdout(&["index", "news"], 0);
    assert!(
        summary.contains("3 added") && summary.contains("1 ignored"),
        "{summary}"
    );

    // Manifest over front matter, field by field; empty manifest cells leave the article's own.
    assert_eq!(field(&project, "news/a.md", "outlet"), "Manifest Outlet");
    assert_eq!(field(&project, "news/a.md", "date"), "2025-02-02T00:00:00Z");
    assert_eq!(field(&project, "news/a.md", "url"), "https://example.org/a");
    assert_eq!(field(&project, "news/a.md", "title"), "Front matter title");
    assert_eq!(field(&project, "news/a.md", "author"), "FM Author");
    let origins = show(&project, "news/a.md")["origins"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        origins.contains("outlet=manifest") && origins.contains("title=front matter"),
        "{origins}"
    );
    // Manifest over JSON fields, for every record of the file.
    assert_eq!(field(&project, "rec-1", "outlet"), "Manifest Feed");
    assert_eq!(field(&project, "rec-1", "date"), "2025-04-04T00:00:00Z");
    // No manifest row: the page's own metadata, date in UTC.
    assert_eq!(field(&project, "news/b.html", "outlet"), "Html Outlet");
    assert_eq!(
        field(&project, "news/b.html", "date"),
        "2025-03-03T08:00:00Z"
    );

    // --manifest FILE (outside the folder) adds rows and wins over a folder manifest.
    project.write("extra/manifest.jsonl", "{\"path\":\"../news/b.html\",\"outlet\":\"Extra Outlet\"}\n{\"path\":\"../news/a.md\",\"outlet\":\"Extra For A\"}\n");
    let summary = project.stdout(&["index", "news", "--manifest", "extra/manifest.jsonl"], 0);
    assert!(
        summary.contains("2 updated") && summary.contains("1 unchanged"),
        "{summary}"
    );
    assert_eq!(field(&project, "news/b.html", "outlet"), "Extra Outlet");
    assert_eq!(field(&project, "news/a.md", "outlet"), "Extra For A");
    assert_eq!(field(&project, "news/a.md", "date"), "2025-02-02T00:00:00Z");

    // --outlet and --date override everything, for every article of the run.
    project.stdout(
        &[
            "index",
            "news",
            "--outlet",
            "Cli Outlet",
            "--date",
            "2024-12-31T23:00:00-02:00",
        ],
        0,
    );
    for id in ["news/a.md", "news/b.html", "rec-1"] {
        assert_eq!(field(&project, id, "outlet"), "Cli Outlet", "{id}");
        assert_eq!(field(&project, id, "date"), "2025-01-01T01:00:00Z", "{id}");
        let origins = show(&project, id)["origins"].as_str().unwrap().to_owned();
        assert!(
            origins.contains("outlet=command line") && origins.contains("date=command line"),
            "{id}: {origins}"
        );
    }
    // Titles are not overridden: they still come from each article.
    assert_eq!(field(&project, "rec-1", "title"), "Record title");

    // Without the overrides, the next run goes back to manifest and own metadata.
    project.stdout(&["index", "news"], 0);
    assert_eq!(field(&project, "news/a.md", "outlet"), "Manifest Outlet");
    assert_eq!(field(&project, "news/b.html", "outlet"), "Html Outlet");
}

#[test]
fn manifest_problems_are_warnings_naming_the_row() {
    let project = mixed_folder();
    project.write(
        "news/manifest.csv",
        "path,outlet,date,title,url,author\nmissing.md,X,,,,\na.md,Manifest Outlet,0000-00-00,,,\n,NoPath,,,,\n",
    );
    let out = project.run(&["index", "news"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("manifest.csv:2: manifest names 'missing.md', which does not exist"),
        "{stderr}"
    );
    assert!(
        stderr.contains("manifest.csv:3: manifest date '0000-00-00'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("manifest.csv:4: manifest row has no path"),
        "{stderr}"
    );
    // The row with a bad date still gives its outlet; the date falls back to the article's own.
    assert_eq!(field(&project, "news/a.md", "outlet"), "Manifest Outlet");
    assert_eq!(field(&project, "news/a.md", "date"), "2025-01-01T00:00:00Z");
    // --strict turns those warnings into exit 2, keeping what was indexed.
    let out = project.run(&["index", "news", "--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(field(&project, "news/a.md", "outlet"), "Manifest Outlet");
}

#[test]
fn a_bad_override_date_is_an_error() {
    let project = mixed_folder();
    for bad in ["not a date", "99999-01-01", "0000-00-00"] {
        let out = project.run(&["index", "news", "--date", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--date") && stderr.contains(bad),
            "{stderr}"
        );
    }
}
