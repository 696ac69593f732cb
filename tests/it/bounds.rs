//! Bounded work per query: long queries and broad prefixes are cut down and
//! say so, `--timeout` stops a query (an error for that query; a batch goes
//! on), and one query that the index cannot answer never ends a batch.

use crate::batch::{records, Record};
use crate::common::Project;
use crate::contract::search_json;

/// A corpus of 300 passages over the words `zq0000`…`zq1499`, five to a
/// passage in order, with `zq1498` also in the last 50 passages.
fn prefixed_words() -> Project {
    let p = Project::empty();
    let mut lines = String::new();
    for i in 0..300 {
        let mut words: Vec<String> = (i * 5..i * 5 + 5).map(|w| format!("zq{w:04}")).collect();
        if i >= 250 {
            words.push("zq1498".into());
        }
        let record = serde_json::json!({"id": format!("r{i}"), "text": words.join(" ")});
        lines.push_str(&format!("{record}\n"));
    }
    p.write("c/words.jsonl", lines);
    p.stdout(&["index", "c"], 0);
    p
}

#[test]
fn a_long_query_is_cut_to_its_first_words_and_says_so() {
    let p = Project::with_corpus();
    p.index();
    let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
    let query = format!("Maduro {}", words.join(" "));
    let r = search_json(&p, &["--match", "any", &query], 0);
    assert_eq!(
        r.warnings,
        ["the query has 401 words; only the first 256 were searched"]
    );
    assert!(r.total_hits > 0);
    let out = p.run(&["search", "--match", "any", "--plain", &query]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "newsdex: warning: the query has 401 words; only the first 256 were searched"
        ),
        "{stderr}"
    );
    // A short query has no warning.
    assert!(search_json(&p, &["Maduro"], 0).warnings.is_empty());
}

#[test]
fn a_plain_query_has_the_length_limit_too() {
    let p = Project::with_corpus();
    p.index();
    let long = "Maduro ".repeat(1_500);
    for plain in [false, true] {
        let mut args = vec!["search"];
        if plain {
            args.push("--plain");
        }
        args.push(&long);
        let out = p.run(&args);
        assert_eq!(out.status.code(), Some(2), "plain: {plain}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("query is too long (10500 characters; the limit is 10000)"),
            "{stderr}"
        );
    }
}

#[test]
fn a_broad_prefix_searches_its_most_frequent_words_and_says_so() {
    let p = prefixed_words();
    let r = search_json(&p, &["zq*", "--articles", "--limit", "1000"], 0);
    assert_eq!(
        r.warnings,
        ["'zq*' stands for 1500 words; only the 1000 most frequent were searched"]
    );
    // Kept: the most frequent word (zq1498, in the last 50 passages), then
    // the others, all in one passage, in byte order up to zq0998: the
    // passages of zq0999…zq1497 alone (r200…r249) are not found.
    assert_eq!(r.total_hits, 250);
    let found =
        |r: &crate::contract::SearchResult, id: &str| r.hits.iter().any(|h| h.article.id == id);
    assert!(found(&r, "r0") && found(&r, "r199") && found(&r, "r299"));
    assert!(!found(&r, "r200") && !found(&r, "r249"));
    let narrow = search_json(&p, &["zq14*"], 0);
    assert!(narrow.warnings.is_empty());
    assert_eq!(narrow.total_hits, 50);
    // Several broad prefixes: one warning naming them.
    let r = search_json(&p, &["zq* OR z*", "--limit", "1"], 0);
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with("2 prefixes stand for more words than were searched"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn timeout_stops_a_search_with_an_error_and_a_batch_goes_on() {
    let p = Project::with_corpus();
    p.index();
    let out = p.run(&["search", "Maduro", "--timeout", "0.000001"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "newsdex: error: query 'Maduro' stopped after 0.000001 s (--timeout 0.000001)\n"
    );
    assert!(out.stdout.is_empty());
    // A timeout far away changes nothing.
    let with = search_json(&p, &["Maduro", "--timeout", "60"], 0);
    let without = search_json(&p, &["Maduro"], 0);
    let passages = |r: &crate::contract::SearchResult| -> Vec<(String, u64)> {
        let hits = r.hits.iter();
        hits.map(|h| (h.article.id.clone(), h.passage.index))
            .collect()
    };
    assert_eq!(passages(&with), passages(&without));
    let out = p.run(&["search", "Maduro", "--timeout", "soon"]);
    assert_eq!(out.status.code(), Some(2));

    p.write("queries.txt", "Maduro\ncartel\nRubio\n");
    let out = p.run(&["batch", "queries.txt", "--timeout", "0.000001"]);
    assert_eq!(out.status.code(), Some(2));
    let records = records(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(records.len(), 3);
    for record in &records {
        match record {
            Record::Error(e) => assert_eq!(e.error, "stopped after 0.000001 s (--timeout)"),
            Record::Result(r) => panic!("expected a timeout, got {r:?}"),
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
}

/// The query of a fuzz run that ended a batch (a word of several tokens in
/// a field without positions, as a prefix) is answered, and a batch of
/// every kind of query goes on to the end.
#[test]
fn a_query_on_a_field_without_positions_never_ends_a_batch() {
    let p = Project::with_corpus();
    p.write(
        "corpus/byline.jsonl",
        "{\"id\":\"b1\",\"author\":\"AT&T: Venezuela's desk\",\"text\":\"Oil exports fell.\"}\n",
    );
    p.index();
    let out = p.run(&["search", "author:(AT&T: Venezuela's*)", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.write(
        "queries.txt",
        "author:(AT&T: Venezuela's*)\nauthor:\"desk AT&T\"~2\n(Maduro AND\nauthor:Venezuela's* oil\nMaduro\n",
    );
    let out = p.run(&["batch", "queries.txt"]);
    assert_eq!(out.status.code(), Some(2), "the syntax error");
    let records = records(&String::from_utf8(out.stdout).unwrap());
    let kinds: Vec<bool> = records
        .iter()
        .map(|r| matches!(r, Record::Result(_)))
        .collect();
    assert_eq!(kinds, [true, true, false, true, true]);
}
