//! What makes a hit (issue 15): a passage matches by its own text, the
//! title only adds to its score, and an article that matches by its title
//! alone is shown by its first passage, marked.

use crate::common::Project;
use crate::contract::search_json;

const CANARY: &str = "corpus/canary-cartel-may-not-exist.txt";

/// Every word of `words` is in `text`, ignoring case.
fn holds_all(text: &str, words: &[&str]) -> bool {
    let text = text.to_lowercase();
    words.iter().all(|w| text.contains(&w.to_lowercase()))
}

#[test]
fn a_passage_matches_by_its_own_text_never_by_its_title() {
    let p = Project::with_corpus();
    let words = ["cartel", "de", "los", "soles"];
    let r = search_json(&p, &["Cartel de los Soles", "--limit", "100"], 0);
    // 31 before, 12 of them passages without the words under a title with them.
    assert_eq!(r.total_hits as usize, r.hits.len());
    assert!(r.total_hits >= 10 && r.total_hits < 31, "{}", r.total_hits);
    for hit in &r.hits {
        assert!(holds_all(&hit.passage.text, &words), "{}", hit.passage.text);
        assert!(!hit.title_match);
    }
    assert!(!r.title_only);
    // A quoted phrase too: the passage holds it.
    let r = search_json(&p, &["\"Cartel de los Soles\"", "--limit", "100"], 0);
    for hit in &r.hits {
        let text = hit.passage.text.to_lowercase();
        assert!(text.contains("cartel de los soles"), "{text}");
    }
}

#[test]
fn the_title_adds_to_the_score_of_passages_that_match() {
    let p = Project::empty();
    p.write(
        "corpus/a.md",
        "---\ntitle: Quarry workers strike\n---\n\nThe quarry closed on Monday after the vote.\n",
    );
    p.write(
        "corpus/b.md",
        "---\ntitle: Weather this week\n---\n\nThe quarry closed on Monday after the vote.\n",
    );
    p.index();
    let r = search_json(&p, &["quarry"], 0);
    assert_eq!(r.total_hits, 2);
    assert_eq!(r.hits[0].article.id, "corpus/a.md");
    assert!(r.hits[0].score > r.hits[1].score);
}

#[test]
fn an_article_matching_by_its_title_alone_shows_its_first_passage_marked() {
    let p = Project::empty();
    p.write(
        "corpus/strike.md",
        "---\ntitle: Quarry workers strike over pay\n---\n\nUnion members walked out on Monday.\n\nTalks resume on Friday, a spokesman said.\n",
    );
    p.write(
        "corpus/other.md",
        "---\ntitle: Harbour news\n---\n\nShips came in on Monday.\n",
    );
    p.index();
    for args in [&["quarry strike"][..], &["quarry", "--match", "any"][..]] {
        let r = search_json(&p, args, 0);
        assert!(r.title_only, "{args:?}");
        assert!(!r.relaxed);
        assert_eq!(r.total_hits, 1);
        let hit = &r.hits[0];
        assert!(hit.title_match);
        assert_eq!(
            (hit.article.id.as_str(), hit.passage.index),
            ("corpus/strike.md", 0)
        );
    }
    let human = p.stdout(&["search", "quarry strike", "--color", "never"], 0);
    assert!(human.contains("(title match"), "{human}");
    assert!(
        human.contains("1 article matched \"quarry strike\"") && human.contains("title does"),
        "{human}"
    );
    // With --articles, title matches are articles among the others.
    let r = search_json(&p, &["quarry OR Monday", "--articles"], 0);
    assert_eq!(r.total_hits, 2);
    assert!(
        r.hits.iter().all(|h| !h.title_match),
        "Monday is in both texts"
    );
    let r = search_json(&p, &["quarry ships", "--articles", "--match", "any"], 0);
    assert_eq!(r.total_hits, 2);
    let strike = r
        .hits
        .iter()
        .find(|h| h.article.id == "corpus/strike.md")
        .unwrap();
    assert!(strike.title_match && strike.passage.index == 0);
    // A word in no title and no passage still matches nothing.
    search_json(&p, &["zanzibar"], 1);
}

#[test]
fn function_words_that_do_not_score_make_no_hit() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["the Aragua", "--match", "any", "--limit", "100"], 0);
    assert_eq!(r.total_hits, 3, "only the passages naming Aragua");
    for hit in &r.hits {
        assert!(hit.passage.text.contains("Aragua"));
    }
    // Under --match all they still must match, and a query of function
    // words alone keeps them.
    let r = search_json(&p, &["of the", "--match", "any", "--limit", "1"], 0);
    assert!(r.total_hits > 3);
    let r = search_json(&p, &["terror list", "--articles"], 0);
    assert_eq!(r.hits[0].article.id, CANARY);
}

/// Every word in `text` that starts with `prefix`, lower-cased.
fn words_starting(text: &str, prefix: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.starts_with(prefix))
        .collect()
}

#[test]
fn a_prefix_matches_the_words_as_written_ranked_by_bm25() {
    let p = Project::with_corpus();
    // The prefix was matched against stems ("design"): nothing.
    let r = search_json(&p, &["designation*", "--articles"], 0);
    let mut ids: Vec<&str> = r.hits.iter().map(|h| h.article.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        [
            "corpus/bbc-cartel-de-los-soles-explainer.txt",
            "corpus/cartel-of-the-suns-designation.txt",
            "corpus/state-department-fto-announcement.txt",
            "corpus/us-to-designate-cartel-de-los-soles.md",
        ]
    );
    let r = search_json(&p, &["organi*", "--limit", "100"], 0);
    assert!(r.total_hits >= 8, "{}", r.total_hits);
    for hit in &r.hits {
        let words = words_starting(&hit.passage.text, "organi");
        assert!(!words.is_empty(), "{}", hit.passage.text);
    }
    // Ranked by BM25 like other words, not all at one score.
    let mut scores: Vec<u32> = r.hits.iter().map(|h| h.score.to_bits() as u32).collect();
    scores.dedup();
    assert!(scores.len() > 3, "{scores:?}");
    // Every word as written that starts so, whatever its stem.
    let texts: String = r
        .hits
        .iter()
        .map(|h| h.passage.text.to_lowercase())
        .collect();
    assert!(texts.contains("organised") && texts.contains("organization"));
    // A prefix no word starts with matches nothing, also beside other words.
    search_json(&p, &["zzqx*"], 1);
    let r = search_json(&p, &["zzqx* Maduro", "--match", "strict"], 1);
    assert_eq!(r.total_hits, 0);
}

#[test]
fn a_prefix_of_too_many_words_searches_the_most_frequent_and_says_so() {
    let p = Project::empty();
    let words: Vec<String> = (0..1_100).map(|i| format!("wq{i:04}")).collect();
    p.write(
        "corpus/many.txt",
        format!("Many words\n\n{}\n", words.join(" ")),
    );
    p.write("corpus/few.txt", "Few words\n\nwq0001 again, and again.\n");
    p.index();
    let out = p.run(&["search", "wq*", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("'wq*' stands for 1100 words; only the 1000 most frequent were searched"),
        "{stderr}"
    );
}
