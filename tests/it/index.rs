//! `newsdex index`: incremental runs, summaries, and bad files.

use crate::common::Project;
use crate::contract::search_json;

#[test]
fn reindexing_is_incremental() {
    let p = Project::with_corpus();
    assert!(p
        .index()
        .contains("5 added, 0 updated, 0 removed, 0 unchanged"));
    assert!(p
        .index()
        .contains("0 added, 0 updated, 0 removed, 5 unchanged"));

    let canary = p.path("corpus/canary-cartel-may-not-exist.txt");
    let text = std::fs::read_to_string(&canary).unwrap();
    std::fs::write(&canary, text.replace("Southern Spear", "Operation Quokka")).unwrap();
    assert!(p
        .index()
        .contains("0 added, 1 updated, 0 removed, 4 unchanged"));
    let r = search_json(&p, &["Quokka", "--articles"], 0);
    assert_eq!(
        r.hits[0].article.id,
        "corpus/canary-cartel-may-not-exist.txt"
    );
    search_json(&p, &["\"Southern Spear\""], 1);

    std::fs::remove_file(p.path("corpus/bbc-cartel-de-los-soles-explainer.txt")).unwrap();
    assert!(p
        .index()
        .contains("0 added, 0 updated, 1 removed, 4 unchanged"));
    search_json(&p, &["LaSusa"], 1);
    let stats: serde_json::Value =
        serde_json::from_str(&p.stdout(&["stats", "--format", "json"], 0)).unwrap();
    assert_eq!(stats["articles"], 4);

    assert!(p.stdout(&["index", "--rebuild"], 0).contains("4 added"));
}

#[test]
fn search_builds_a_missing_index_and_updates_a_stale_one() {
    let p = Project::with_corpus();
    let out = p.run(&["search", "Tren de Aragua", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("building index from corpus/"));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    p.write(
        "corpus/new.txt",
        "A new wire story about Tren de Aragua and its leaders in Caracas, reported in full.",
    );
    let r = search_json(&p, &["Tren de Aragua", "--articles"], 0);
    assert_eq!(r.total_hits, 2);
}

#[test]
fn bad_files_warn_by_name_and_the_rest_is_indexed() {
    let p = Project::with_corpus();
    p.write("corpus/binary.txt", b"\x00\x01\x02PNG\x00\x00garbage");
    p.write("corpus/empty.txt", b"  \n\n");
    p.write(
        "corpus/latin1.txt",
        b"Caf\xe9 owners in Caracas spoke of Maduro and the sanctions at length.\n",
    );
    p.write("corpus/notes.pdf", b"%PDF");
    let out = p.run(&["index"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("corpus/binary.txt: binary file"),
        "{stderr}"
    );
    assert!(stderr.contains("corpus/empty.txt: empty file"), "{stderr}");
    assert!(
        stderr.contains("corpus/latin1.txt: not UTF-8; decoded as windows-1252 (detected)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 3, "one line per problem: {stderr}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("6 added")
            && summary.contains("2 skipped")
            && summary.contains("3 ignored"),
        "{summary}"
    );
    let r = search_json(&p, &["Caracas sanctions", "--articles"], 0);
    assert!(r.hits.iter().any(|h| h.article.id == "corpus/latin1.txt"));

    let strict = p.run(&["index", "--strict", "--rebuild"]);
    assert_eq!(strict.status.code(), Some(2), "--strict fails on warnings");
    let stats: serde_json::Value =
        serde_json::from_str(&p.stdout(&["stats", "--format", "json"], 0)).unwrap();
    assert_eq!(stats["articles"], 6, "what was indexed stays");
}

#[test]
fn manifest_and_command_line_metadata_take_precedence() {
    let p = Project::empty();
    p.write(
        "news/a.md",
        "---\ntitle: Own title\noutlet: Own Outlet\ndate: 2024-01-02\n---\nCartel story text about Maduro and the designation.\n",
    );
    p.write(
        "news/manifest.csv",
        "path,outlet,date,title\na.md,Manifest Outlet,,\n",
    );
    p.stdout(&["index", "news"], 0);
    let r = search_json(&p, &["Maduro"], 0);
    let a = &r.hits[0].article;
    assert_eq!(a.outlet.as_deref(), Some("Manifest Outlet"));
    assert_eq!(a.title.as_deref(), Some("Own title"));
    assert_eq!(a.date.as_deref(), Some("2024-01-02T00:00:00Z"));
    assert_eq!(a.id, "news/a.md");

    p.stdout(
        &[
            "index",
            "news",
            "--outlet",
            "Cli Outlet",
            "--date",
            "2025-11-17",
        ],
        0,
    );
    let r = search_json(&p, &["Maduro"], 0);
    assert_eq!(r.hits[0].article.outlet.as_deref(), Some("Cli Outlet"));
    assert_eq!(
        r.hits[0].article.date.as_deref(),
        Some("2025-11-17T00:00:00Z")
    );
}

#[test]
fn a_missing_index_or_path_is_a_clear_error() {
    let p = Project::empty();
    let out = p.run(&["search", "Maduro"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("no index at index; build one with `newsdex index`"));
    let out = p.run(&["index", "nowhere"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere: no such file or folder"));
}

#[test]
fn reuters_indexes_from_gzip_with_dates_outlet_and_titles() {
    let Some(reuters) = crate::common::shared_data("news/reuters21578.jsonl.gz") else {
        return;
    };
    let p = Project::empty();
    let summary = p.stdout(&["index", reuters.to_str().unwrap()], 0);
    assert!(
        summary.contains("1 added") && summary.contains("21577 articles"),
        "{summary}"
    );
    let march = search_json(
        &p,
        &[
            "Venezuela oil",
            "--since",
            "1987-03-01",
            "--until",
            "1987-03-31",
            "--sort",
            "newest",
            "--limit",
            "50",
        ],
        0,
    );
    assert!(march.total_hits > 10);
    let dates: Vec<&str> = march
        .hits
        .iter()
        .map(|h| h.article.date.as_deref().unwrap())
        .collect();
    assert!(dates.iter().all(|d| d.starts_with("1987-03-")), "{dates:?}");
    assert!(
        dates.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {dates:?}"
    );
    assert!(march
        .hits
        .iter()
        .all(|h| h.article.outlet.as_deref() == Some("Reuters")));
    let title = search_json(&p, &["title:\"refining capacity\"", "--articles"], 0);
    assert!(title.hits[0]
        .article
        .title
        .as_deref()
        .unwrap()
        .contains("REFINING CAPACITY"));
    // One hit per article keeps the date order; oldest first works too;
    // the outlet filter ignores case.
    let dates_of = |result: &crate::contract::SearchResult| -> Vec<String> {
        result
            .hits
            .iter()
            .map(|h| h.article.date.clone().unwrap())
            .collect()
    };
    let newest = search_json(
        &p,
        &["cocoa", "--articles", "--sort", "newest", "--limit", "30"],
        0,
    );
    let dates = dates_of(&newest);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    assert!(dates[0].as_str() >= "1987-06", "{dates:?}");
    let oldest = search_json(
        &p,
        &[
            "cocoa", "--sort", "oldest", "--until", "1987-03", "--outlet", "REUTERS", "--limit",
            "10",
        ],
        0,
    );
    let dates = dates_of(&oldest);
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]) && dates[0].starts_with("1987-02"),
        "{dates:?}"
    );
}

#[test]
fn a_file_that_can_no_longer_be_indexed_leaves_the_index() {
    let p = Project::empty();
    for (name, word) in [
        ("a.txt", "aardvark"),
        ("b.txt", "bandicoot"),
        ("c.txt", "capybara"),
        ("d.md", "dugong"),
        ("e.txt", "echidna"),
    ] {
        p.write(
            &format!("c/{name}"),
            format!("About the {word}\n\nA report on the {word} and its habits.\n"),
        );
    }
    p.stdout(&["index", "c"], 0);
    for word in ["aardvark", "bandicoot", "capybara", "dugong"] {
        p.stdout(&["search", word], 0);
    }
    // Binary, empty, over the size limit, and blank after its front matter.
    p.write("c/a.txt", b"About the aardvark\n\0\0\x01binary now\n");
    p.write("c/b.txt", b"");
    std::fs::File::options()
        .write(true)
        .open(p.path("c/c.txt"))
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    p.write("c/d.md", "---\ntitle: About the dugong\n---\n\n");
    let out = p.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("0 updated, 4 removed, 1 unchanged, 4 skipped"),
        "{summary}"
    );
    for (name, why) in [
        ("a.txt", "binary file"),
        ("b.txt", "empty file"),
        ("c.txt", "file is too large"),
        ("d.md", "no article text"),
    ] {
        let line = stderr
            .lines()
            .find(|l| l.contains(&format!("c/{name}: ")))
            .unwrap_or_else(|| panic!("no warning for {name}: {stderr}"));
        assert!(
            line.contains(why) && line.contains("its articles are removed from the index"),
            "{line}"
        );
    }
    // The index follows the files: their old text is no longer found.
    for word in ["aardvark", "bandicoot", "capybara", "dugong"] {
        let out = p.run(&["search", "--match", "any", word]);
        assert_eq!(out.status.code(), Some(1), "{word} still found: {out:?}");
    }
    p.stdout(&["search", "echidna"], 0);
    let stats: serde_json::Value =
        serde_json::from_str(&p.stdout(&["stats", "--format", "json"], 0)).unwrap();
    assert_eq!(stats["articles"], 1);
    // Once readable again, a file comes back as new.
    p.write("c/b.txt", "About the bandicoot\n\nBack again.\n");
    let summary = p.stdout(&["index", "c"], 0);
    assert!(summary.contains("1 added"), "{summary}");
    p.stdout(&["search", "bandicoot"], 0);
}
