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

/// The passages' ids that `query` finds (all of them), sorted.
fn passages_found(p: &Project, query: &str) -> Vec<String> {
    let out = p.run(&["search", query, "--format", "trec", "--limit", "1000"]);
    let mut ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split(' ').nth(2).unwrap().to_owned())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn a_prefix_matches_exactly_the_passages_with_a_word_that_starts_so() {
    // Words that stem to themselves ("cartel", "happi" is no word) are held
    // once, in the stemmed text; a stem some words do not start with
    // ("company" → compani) must not match a prefix they do not start with.
    let p = Project::empty();
    let passages = [
        "The company grew fast that year.",
        "Two companies merged in the spring.",
        "A cartel ran the port.",
        "Three cartels ran the ports.",
        "He pushed a cart up the hill.",
        "She was happy to leave.",
        "Their happiness was short.",
        "Happily, the company and its companion stayed.",
    ];
    for (i, text) in passages.iter().enumerate() {
        p.write(
            &format!("corpus/a{i}.txt"),
            format!("Story {i}\n\n{text}\n"),
        );
    }
    p.index();
    let ids = |ns: &[usize]| -> Vec<String> {
        let mut ids: Vec<String> = ns.iter().map(|n| format!("corpus/a{n}.txt#0")).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(passages_found(&p, "compani*"), ids(&[1, 7]));
    assert_eq!(passages_found(&p, "compan*"), ids(&[0, 1, 7]));
    assert_eq!(passages_found(&p, "company*"), ids(&[0, 7]));
    assert_eq!(passages_found(&p, "cartel*"), ids(&[2, 3]));
    assert_eq!(passages_found(&p, "cart*"), ids(&[2, 3, 4]));
    assert_eq!(passages_found(&p, "happi*"), ids(&[6, 7]));
    assert_eq!(passages_found(&p, "happ*"), ids(&[5, 6, 7]));
    assert_eq!(passages_found(&p, "happy*"), ids(&[5]));
}

#[test]
fn a_word_with_a_tilde_finds_its_close_spellings_ranked_below_it() {
    let p = Project::with_corpus();
    // The Canary article spells it "Aragau".
    let exact = search_json(&p, &["Tren de Aragua", "--limit", "100"], 0);
    assert!(exact.hits.iter().all(|h| h.article.id != CANARY));
    let r = search_json(&p, &["Tren de Aragua~", "--limit", "100"], 0);
    let canary = r
        .hits
        .iter()
        .position(|h| h.article.id == CANARY)
        .expect("the Canary passage");
    assert!(r.hits[canary].passage.text.contains("Tren de Aragau"));
    // Highlighted as written.
    let text = &r.hits[canary].passage.text;
    assert!(r.hits[canary]
        .passage
        .highlights
        .iter()
        .any(|&[s, e]| &text[s..e] == "Aragau"));
    // Every exact match ranks above it.
    assert_eq!(canary, exact.total_hits as usize, "{:?}", r.hits);
    let alone = search_json(&p, &["Aragua", "--limit", "100"], 0);
    for tilde in ["Aragua~1", "Aragua~2", "Aragua~"] {
        let r = search_json(&p, &[tilde, "--limit", "100"], 0);
        assert!(r.hits.iter().any(|h| h.article.id == CANARY), "{tilde}");
        // The exact matches first, in their own order.
        let first: Vec<_> = r.hits[..alone.hits.len()]
            .iter()
            .map(|h| (&h.article.id, h.passage.index))
            .collect();
        let exact: Vec<_> = alone
            .hits
            .iter()
            .map(|h| (&h.article.id, h.passage.index))
            .collect();
        assert_eq!(first, exact, "{tilde}");
    }
    // One edit: "Aragau"; two (the default for six letters): also "argue".
    assert_eq!(
        search_json(&p, &["Aragua~1", "--limit", "100"], 0).total_hits,
        alone.total_hits + 1
    );
    assert!(search_json(&p, &["Aragua~", "--limit", "100"], 0).total_hits > alone.total_hits + 1);
    let r = search_json(&p, &["Aragua~0", "--limit", "100"], 0);
    assert!(r.hits.iter().all(|h| h.article.id != CANARY));
    // A phrase's slop is still a slop.
    search_json(&p, &["\"Tren Aragua\"~1"], 0);
    let out = p.run(&["search", "Aragua~3"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("edits after '~' must be 0 to 2"),
        "{stderr}"
    );
}

#[test]
fn a_rare_close_spelling_is_mentioned_and_not_searched() {
    let p = Project::with_corpus();
    let out = p.run(&["search", "Tren de Aragua", "--color", "never"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("also 1 passage with \"Aragau\": add ~ to include it"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("Aragau"), "not searched: {stdout}");
    let r = search_json(&p, &["Tren de Aragua", "--limit", "100"], 0);
    assert_eq!(r.suggestions.len(), 1);
    let s = &r.suggestions[0];
    assert_eq!(
        (s.word.as_str(), s.spelling.as_str(), s.passages),
        ("Aragua", "aragau", 1)
    );
    // The hits are those of the plain query, which looks for no spellings.
    let plain = search_json(&p, &["Tren de Aragua", "--limit", "100", "--plain"], 0);
    assert!(plain.suggestions.is_empty());
    let ids = |r: &crate::contract::SearchResult| -> Vec<(String, u64)> {
        r.hits
            .iter()
            .map(|h| (h.article.id.clone(), h.passage.index))
            .collect()
    };
    assert_eq!(ids(&r), ids(&plain));
    // A batch looks for none (the hint is for a person reading a search).
    p.write("queries.txt", "Tren de Aragua\nVenezula\n");
    let out = p.run(&["batch", "queries.txt", "--format", "json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.matches("\"suggestions\":[]").count(), 2, "{stdout}");
    assert!(!stdout.contains("aragau"), "{stdout}");
    // A misspelt word that no passage holds: the common spelling.
    let r = search_json(&p, &["Venezula"], 1);
    assert_eq!(r.suggestions[0].spelling, "venezuela");
    // A real word's rare neighbour with another first letter is not one.
    let r = search_json(&p, &["Cartel de los Soles"], 0);
    assert!(r.suggestions.is_empty(), "{:?}", r.suggestions);
    // Nor is another form of the word ("terrorism" for "terrorist").
    for query in ["Maduro terrorist", "terrorism", "Venezuelan"] {
        let r = search_json(&p, &[query], 0);
        assert!(r.suggestions.is_empty(), "{query}: {:?}", r.suggestions);
    }
}

/// Whether the text holds the words as one phrase (any spacing, any case).
fn holds_phrase(text: &str, words: &[&str]) -> bool {
    let folded: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    folded
        .windows(words.len())
        .any(|window| window.iter().zip(words).all(|(w, q)| w == q))
}

#[test]
fn passages_holding_the_exact_phrase_rank_above_a_stuffed_one() {
    let p = Project::with_corpus();
    // Every word of the query many times, in the title too, never as the phrase.
    p.write(
        "corpus/stuffed-cartel-soles.txt",
        "Cartel soles: los soles de cartel\n\n\
         Soles cartel los de, cartel soles de los. Cartel los soles de cartel; soles de los \
         cartel soles. Los cartel de soles, soles los cartel de. De soles cartel los, cartel \
         de soles los. Soles de cartel los soles, los de cartel soles cartel. Cartel, soles, \
         los, de: cartel soles los de cartel soles.\n",
    );
    let words = ["cartel", "de", "los", "soles"];
    let r = search_json(&p, &["Cartel de los Soles", "--limit", "100"], 0);
    let stuffed = r
        .hits
        .iter()
        .position(|h| h.article.id.contains("stuffed"))
        .expect("the stuffed passage holds every word: a hit");
    let phrases: Vec<usize> = (0..r.hits.len())
        .filter(|&i| holds_phrase(&r.hits[i].passage.text, &words))
        .collect();
    assert!(
        phrases.len() >= 10,
        "{} passages with the phrase",
        phrases.len()
    );
    assert!(
        phrases.iter().all(|&i| i < stuffed),
        "the stuffed passage is hit {} of {}, passages with the phrase at {phrases:?}",
        stuffed + 1,
        r.hits.len()
    );
}
