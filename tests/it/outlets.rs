//! Outlets as users type them: `--outlet guardian` finds "The Guardian"
//! (words of the name, case and accents ignored, or the site's domain), a
//! name that matches nothing gets the close ones, and an outlet written as
//! a URL (as web clippers write it) becomes the article's URL.

use crate::common::Project;
use crate::contract::search_json;

/// Four sources about the cartel: named outlets, a web clip whose only
/// outlet is its URL, and a saved page named by the page.
fn project() -> Project {
    let p = Project::empty();
    let md = |outlet_line: &str, title: &str| {
        format!("---\ntitle: {title}\n{outlet_line}\n---\n\nThe cartel designation, as {title} saw it.\n")
    };
    p.write(
        "news/guardian.md",
        md("outlet: The Guardian", "Guardian story"),
    );
    p.write("news/pais.md", md("publisher: El País", "Pais story"));
    p.write(
        "news/clip.md",
        md(
            "source: \"https://www.bbc.co.uk/news/articles/c0ex4mple\"",
            "Clipped story",
        ),
    );
    p.write(
        "news/page.html",
        "<html><head><meta property=\"og:site_name\" content=\"Reuters\">\
         <link rel=\"canonical\" href=\"https://www.reuters.com/world/cartel-2025-11-24/\">\
         <title>Page story</title></head><body><article>\
         <p>The cartel designation, as the wire saw it, took effect on Monday in Washington.</p>\
         </article></body></html>",
    );
    p.stdout(&["index", "news"], 0);
    p
}

/// The article ids that `search cartel --articles --outlet …` finds.
fn found(p: &Project, outlets: &[&str]) -> Vec<String> {
    let mut args = vec!["cartel", "--articles"];
    for o in outlets {
        args.extend_from_slice(&["--outlet", o]);
    }
    let mut ids: Vec<String> = search_json(p, &args, 0)
        .hits
        .into_iter()
        .map(|h| h.article.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn outlets_match_by_words_of_the_name_and_by_domain() {
    let p = project();
    for (typed, expected) in [
        ("The Guardian", "news/guardian.md"),
        ("the guardian", "news/guardian.md"),
        ("guardian", "news/guardian.md"),
        ("El País", "news/pais.md"),
        ("el pais", "news/pais.md"),
        ("PAIS", "news/pais.md"),
        ("bbc", "news/clip.md"),
        ("bbc.co.uk", "news/clip.md"),
        ("reuters", "news/page.html"),
        ("reuters.com", "news/page.html"),
        ("https://www.reuters.com/", "news/page.html"),
    ] {
        assert_eq!(found(&p, &[typed]), [expected], "--outlet {typed}");
    }
    assert_eq!(
        found(&p, &["guardian", "pais"]),
        ["news/guardian.md", "news/pais.md"]
    );
}

#[test]
fn an_outlet_that_matches_nothing_names_the_close_ones() {
    let p = project();
    let out = p.run(&["search", "cartel", "--outlet", "gaurdian"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.starts_with(b"0 passages matched"));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "newsdex: no outlet matches 'gaurdian'; close: The Guardian\n"
    );
    let out = p.run(&["search", "cartel", "--outlet", "zyzzyva"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "newsdex: no outlet matches 'zyzzyva' (4 outlets in the index; `newsdex stats` lists them)\n"
    );
    // One value that matches, one that does not: the hits, and the note.
    let out = p.run(&[
        "search", "cartel", "--outlet", "guardian", "--outlet", "Reutres",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "newsdex: no outlet matches 'Reutres'; close: Reuters\n"
    );
    // In a batch, the note names the query.
    let out = p
        .cmd(&["batch", "-"])
        .write_stdin("{\"id\": \"q1\", \"query\": \"cartel\", \"outlet\": \"El Pias\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "newsdex: query q1: no outlet matches 'El Pias'; close: El País\n"
    );
}

#[test]
fn an_outlet_written_as_a_url_becomes_the_url_and_the_outlet_its_domain() {
    let p = project();
    let r = search_json(&p, &["cartel", "--articles", "--outlet", "bbc"], 0);
    let a = &r.hits[0].article;
    assert_eq!(a.outlet.as_deref(), Some("bbc.co.uk"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://www.bbc.co.uk/news/articles/c0ex4mple")
    );
    let stats = p.stdout(&["stats"], 0);
    assert!(!stats.contains("https://"), "no outlet is a URL: {stats}");
}
