//! `search --explain` (issue 15, point 6): each hit's score as a tree of
//! its parts, which add up to the score.

use crate::common::Project;
use crate::contract::{search_json, Explain, Hit};

/// Where `node` or a part under it does not add up: its value is not the
/// sum of its parts' (to 1e-4).
fn not_adding_up(node: &Explain, path: &str) -> Option<String> {
    let path = format!("{path} > {}", node.description);
    if !node.details.is_empty() {
        let sum: f64 = node.details.iter().map(|d| d.value).sum();
        if (sum - node.value).abs() > 1e-4 {
            return Some(format!("{path}: {} but its parts sum to {sum}", node.value));
        }
    }
    node.details.iter().find_map(|d| not_adding_up(d, &path))
}

/// Every description in the tree, depth first.
fn descriptions(node: &Explain) -> Vec<&str> {
    let mut all = vec![node.description.as_str()];
    for part in &node.details {
        all.extend(descriptions(part));
    }
    all
}

/// Every hit's tree: its root is the hit's score and each node the sum of
/// its parts. Returns the hits' descriptions, one list per hit.
fn explained(p: &Project, args: &[&str]) -> Vec<Vec<String>> {
    let mut full = args.to_vec();
    full.extend_from_slice(&["--explain", "--limit", "100"]);
    let r = search_json(p, &full, 0);
    assert!(!r.hits.is_empty(), "{args:?}: no hits");
    r.hits
        .iter()
        .map(|hit: &Hit| {
            let tree = hit.explain.as_ref().unwrap_or_else(|| {
                panic!("{args:?}: hit {} has no explain", hit.rank);
            });
            assert!(
                (tree.value - hit.score).abs() <= 1e-4,
                "{args:?}: hit {} scores {} but its tree {}",
                hit.rank,
                hit.score,
                tree.value
            );
            if let Some(wrong) = not_adding_up(tree, &format!("{args:?} hit {}", hit.rank)) {
                panic!("{wrong}\n{tree:#?}");
            }
            descriptions(tree).into_iter().map(str::to_owned).collect()
        })
        .collect()
}

/// Whether some hit has a part whose description starts with `start`.
fn some_part(hits: &[Vec<String>], start: &str) -> bool {
    hits.iter().flatten().any(|d| d.starts_with(start))
}

#[test]
fn the_parts_add_up_to_every_hits_score() {
    let p = Project::with_corpus();
    p.index();
    // Bare words: each word's BM25, proximity, the title's part.
    let hits = explained(&p, &["Tren de Aragua"]);
    assert!(some_part(&hits, "body \"tren\": BM25 tf="), "{hits:#?}");
    assert!(
        some_part(&hits, "phrase body \"tren de aragua\""),
        "{hits:#?}"
    );
    assert!(some_part(&hits, "proximity"), "{hits:#?}");
    // A function word must match but scores nothing.
    assert!(some_part(&hits, "body \"de\" ×0"), "{hits:#?}");
    let hits = explained(&p, &["Maduro terrorist"]);
    assert!(some_part(&hits, "near body maduro–terrorist"), "{hits:#?}");
    assert!(some_part(&hits, "title bonus"), "{hits:#?}");
    assert!(some_part(&hits, "title \"terrorist\": BM25"), "{hits:#?}");
    // A quoted phrase, in the passage and in the title.
    let hits = explained(&p, &["\"Cartel de los Soles\""]);
    assert!(some_part(&hits, "phrase body \"cartel de los sole\""));
    assert!(some_part(&hits, "phrase title \"cartel de los sole\""));
    // A prefix: the words it stands for.
    let hits = explained(&p, &["designation*"]);
    assert!(some_part(&hits, "prefix designation*"), "{hits:#?}");
    let hits = explained(&p, &["narco*", "Maduro"]);
    assert!(some_part(&hits, "prefix narco*"), "{hits:#?}");
    // One hit per article: its best passage, or its title.
    let hits = explained(&p, &["Maduro terrorist", "--articles"]);
    assert!(hits
        .iter()
        .all(|h| h[0].starts_with("score of the article = its best passage, #")));
    // ... and its whole text: each word's BM25 over the article's passages
    // as one text, and its title.
    assert!(some_part(&hits, "whole article"), "{hits:#?}");
    assert!(
        some_part(&hits, "body \"terrorist\" ×0.5: BM25 tf="),
        "{hits:#?}"
    );
    let hits = explained(&p, &["breaking", "--articles"]);
    assert!(some_part(&hits, "its article's title"), "{hits:#?}");
    // Any word, and what `--match all` relaxes to.
    explained(&p, &["Maduro Caracas sanctions", "--match", "any"]);
    explained(&p, &["Maduro Caracas"]);
    // Fields, filters, titles alone, sorting by date.
    explained(&p, &["title:terrorists", "Maduro"]);
    explained(&p, &["outlet:bbc", "cartel"]);
    explained(&p, &["cartel", "--since", "2025-11"]);
    let hits = explained(&p, &["breaking"]);
    assert!(some_part(&hits, "body \"break\""), "{hits:#?}");
    explained(&p, &["Maduro", "--sort", "newest"]);
}

#[test]
fn explanations_show_only_when_asked_and_where_they_fit() {
    let p = Project::with_corpus();
    p.index();
    let plain = p.stdout(&["search", "Maduro", "--format", "json"], 0);
    assert!(!plain.contains("\"explain\""), "{plain}");
    let jsonl = p.stdout(&["search", "Maduro", "--format", "jsonl", "--explain"], 0);
    assert!(jsonl.lines().all(|l| l.contains("\"explain\":{\"value\"")));
    // Human output: a tree under each hit.
    let human = p.stdout(
        &["search", "Tren de Aragua", "--explain", "--limit", "1"],
        0,
    );
    assert!(human.contains("score of passage #"), "{human}");
    assert!(human.contains("  body \"aragua\": BM25 tf=1"), "{human}");
    for format in ["csv", "tsv", "trec"] {
        let out = p.run(&["search", "Maduro", "--explain", "--format", format]);
        assert_eq!(out.status.code(), Some(2), "{format}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("newsdex: error: --explain needs --format human, json or jsonl"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_hit_by_its_title_alone_is_explained_by_its_title() {
    let p = Project::empty();
    p.write(
        "corpus/strike.md",
        "---\ntitle: Quarry workers strike over pay\n---\n\nUnion members walked out on Monday.\n\nTalks resume on Friday, a spokesman said.\n",
    );
    p.write(
        "corpus/other.md",
        "---\ntitle: Harbour news\n---\n\nShips came in on Monday. The quarry was shut.\n",
    );
    p.index();
    for args in [&["strike pay"][..], &["workers"][..]] {
        let hits = explained(&p, args);
        assert!(some_part(&hits, "title \"strike\"") || some_part(&hits, "title \"worker\""));
        assert!(!some_part(&hits, "body"), "{hits:#?}");
    }
    // With --articles, among passages that match by their own text.
    let hits = explained(&p, &["quarry", "--articles"]);
    assert_eq!(hits.len(), 2);
    assert!(some_part(&hits, "its article's title (first passage)"));
    assert!(some_part(&hits, "body \"quarri\""), "{hits:#?}");
}
