//! `newsdex search` on the bundled corpus: which passages come back, in
//! what order, with what attribution and highlights.

use crate::common::Project;
use crate::contract::{search_json, SearchResult};

const STATE_DEPT: &str = "corpus/state-department-fto-announcement.txt";
const BBC: &str = "corpus/bbc-cartel-de-los-soles-explainer.txt";
const SUNS: &str = "corpus/cartel-of-the-suns-designation.txt";
const BREAKING: &str = "corpus/us-to-designate-cartel-de-los-soles.md";
const CANARY: &str = "corpus/canary-cartel-may-not-exist.txt";

fn articles_of(result: &SearchResult) -> Vec<&str> {
    let mut ids: Vec<&str> = result.hits.iter().map(|h| h.article.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn marked(hit: &crate::contract::Hit) -> Vec<&str> {
    hit.passage
        .highlights
        .iter()
        .map(|[s, e]| &hit.passage.text[*s..*e])
        .collect()
}

#[test]
fn tren_de_aragua_ranks_the_passages_naming_it_with_attribution() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Tren de Aragua"], 0);
    assert_eq!(r.total_hits, 3);
    assert!(!r.relaxed);
    for hit in &r.hits {
        assert_eq!(hit.article.id, STATE_DEPT);
        assert!(hit.passage.text.contains("Tren de Aragua"));
        assert_eq!(hit.article.date.as_deref(), Some("2025-11-17T00:00:00Z"));
        assert_eq!(hit.article.path.as_deref(), Some(STATE_DEPT));
        assert_eq!(
            marked(hit),
            vec!["Tren de Aragua"],
            "the phrase, not the stray 'de'"
        );
    }
    let lines: Vec<u64> = r.hits.iter().map(|h| h.passage.line.unwrap()).collect();
    let mut sorted = lines.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, vec![7, 11, 13]);

    // The human format shows outlet · date · title, then path:line.
    let human = p.stdout(&["search", "Tren de Aragua", "--color", "never"], 0);
    assert!(
        human.contains("(outlet unknown) · 2025-11-17 · (untitled)"),
        "{human}"
    );
    assert!(human.contains(&format!("{STATE_DEPT}:11")), "{human}");
    assert!(
        human.contains("3 passages matched \"Tren de Aragua\""),
        "{human}"
    );
}

/// Whether a passage holds the words as a phrase: in order, next to each
/// other, in any case and across line breaks.
fn holds_phrase(text: &str, phrase: &str) -> bool {
    let words = |t: &str| {
        t.split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let (text, phrase) = (words(text), words(phrase));
    let bare = |w: &String| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
    let text: Vec<String> = text.iter().map(bare).collect();
    text.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

#[test]
fn exact_phrase_outranks_scattered_words() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Cartel de los Soles", "--limit", "1000"], 0);
    assert_eq!(r.hits.len() as u64, r.total_hits);
    let holding: Vec<bool> = r
        .hits
        .iter()
        .map(|h| holds_phrase(&h.passage.text, "Cartel de los Soles"))
        .collect();
    let with = holding.iter().filter(|h| **h).count();
    // A hit holds its words itself, so on the bundled corpus the scattered
    // words are not a hit; if any come back, they rank below the phrase.
    assert!(with >= 5, "{holding:?}");
    // Every passage holding the phrase ranks above every passage that does not.
    assert!(
        holding[..with].iter().all(|h| *h),
        "ranks holding the phrase: {holding:?}"
    );
    for hit in &r.hits[..with] {
        let marked = marked(hit);
        assert!(
            marked
                .iter()
                .any(|m| m.eq_ignore_ascii_case("Cartel de los Soles")),
            "{marked:?}"
        );
    }
}

#[test]
fn accents_fold_both_ways_also_in_highlights() {
    let p = Project::with_corpus();
    let plain = search_json(&p, &["Nicolas Maduro", "--articles", "--limit", "20"], 0);
    let accented = search_json(&p, &["Nicolás Maduro", "--articles", "--limit", "20"], 0);
    let all = vec![BBC, SUNS, CANARY, STATE_DEPT, BREAKING];
    let mut expected = all.clone();
    expected.sort_unstable();
    assert_eq!(articles_of(&plain), expected);
    assert_eq!(articles_of(&accented), expected);
    let bbc = plain.hits.iter().find(|h| h.article.id == BBC).unwrap();
    assert!(marked(bbc).contains(&"Nicolás Maduro"), "{:?}", marked(bbc));
    let state = accented
        .hits
        .iter()
        .find(|h| h.article.id == STATE_DEPT)
        .unwrap();
    assert!(
        marked(state).contains(&"Nicolas Maduro"),
        "{:?}",
        marked(state)
    );
}

#[test]
fn a_quote_with_curly_or_straight_apostrophe_is_found_in_both_articles() {
    let p = Project::with_corpus();
    for quote in [
        "\"Neither Maduro nor his cronies represent Venezuela's legitimate government\"",
        "“Neither Maduro nor his cronies represent Venezuela’s legitimate government”",
    ] {
        let r = search_json(&p, &[quote], 0);
        assert_eq!(articles_of(&r), vec![SUNS, BREAKING], "{quote}");
        for hit in &r.hits {
            let spans = marked(hit);
            assert_eq!(spans.len(), 1, "{spans:?}");
            assert!(
                spans[0].starts_with("Neither Maduro")
                    && spans[0].ends_with("legitimate government")
            );
        }
    }
}

#[test]
fn date_filters_keep_whole_periods_and_count_undated_articles_left_out() {
    let p = Project::with_corpus();
    let dated = vec![STATE_DEPT, BREAKING];
    for (since, until) in [
        ("2025-11-17", "2025-11-17"),
        ("2025-11", "2025-11"),
        ("2025", "2025"),
        ("2025-11-17T00:00:00Z", "2025-11-17T23:59:59Z"),
    ] {
        let r = search_json(
            &p,
            &["Maduro", "--since", since, "--until", until, "--articles"],
            0,
        );
        assert_eq!(articles_of(&r), dated, "{since}..{until}");
        assert_eq!(
            r.excluded_undated, 3,
            "BBC, Canary and the explainer are undated"
        );
    }
    for (since, until) in [
        ("2025-11-18", "2030"),
        ("1990", "2025-11-16"),
        ("2025-12", "2025-12"),
    ] {
        let r = search_json(&p, &["Maduro", "--since", since, "--until", until], 1);
        assert_eq!(r.total_hits, 0, "{since}..{until}");
    }
    let human = p.stdout(
        &[
            "search",
            "Maduro",
            "--since",
            "2025-11-01",
            "--color",
            "never",
        ],
        0,
    );
    assert!(
        human.contains("3 undated articles left out by the date filter"),
        "{human}"
    );
    let unfiltered = search_json(&p, &["Maduro"], 0);
    assert_eq!(unfiltered.excluded_undated, 0);
}

#[test]
fn outlet_filter_is_case_insensitive_and_articles_gives_one_hit_each() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Maduro", "--outlet", "bbc", "--limit", "50"], 0);
    assert!(r.total_hits > 1);
    assert_eq!(articles_of(&r), vec![BBC]);
    assert!(r
        .hits
        .iter()
        .all(|h| h.article.outlet.as_deref() == Some("BBC")));
    let two = search_json(
        &p,
        &[
            "Maduro",
            "--outlet",
            "BBC",
            "--outlet",
            "the canary",
            "--articles",
        ],
        0,
    );
    assert_eq!(articles_of(&two), vec![BBC, CANARY]);

    let per_article = search_json(&p, &["Maduro", "--articles", "--limit", "50"], 0);
    assert_eq!(per_article.total_hits, 5);
    assert_eq!(per_article.hits.len(), 5);
    assert_eq!(articles_of(&per_article).len(), 5);
}

#[test]
fn sort_newest_and_oldest_put_undated_last() {
    let p = Project::with_corpus();
    for sort in ["newest", "oldest"] {
        let r = search_json(&p, &["Maduro", "--articles", "--sort", sort], 0);
        let dates: Vec<Option<&str>> = r.hits.iter().map(|h| h.article.date.as_deref()).collect();
        assert!(
            dates[0].is_some() && dates[1].is_some() && dates[2..].iter().all(Option::is_none),
            "{dates:?}"
        );
    }
    let newest = search_json(&p, &["Maduro", "--articles", "--sort", "newest"], 0);
    assert_eq!(
        newest.hits[0].article.id, BREAKING,
        "02:08 UTC is later than midnight"
    );
}

#[test]
fn match_all_falls_back_to_any_and_says_so() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Maduro zanzibar"], 0);
    assert!(r.relaxed);
    assert!(r.total_hits > 0);
    let human = p.stdout(&["search", "Maduro zanzibar", "--color", "never"], 0);
    assert!(human.contains("no passage held every word"), "{human}");
    let strict_any = search_json(&p, &["Maduro zanzibar", "--match", "any"], 0);
    assert!(!strict_any.relaxed);
}

/// The fallback relaxes bare words only: a phrase or a field that matches
/// nothing is not a false yes.
#[test]
fn relaxing_keeps_phrases_fields_and_required_words() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["\"Maduro resigned\" Caracas"], 1);
    assert_eq!((r.total_hits, r.hits.len(), r.relaxed), (0, 0, false));
    assert_eq!(r.unmatched, ["\"Maduro resigned\""]);
    let human = p.stdout(
        &["search", "\"Maduro resigned\" Caracas", "--color", "never"],
        1,
    );
    assert!(
        human.contains("no passage holds \"Maduro resigned\""),
        "{human}"
    );
    let r = search_json(&p, &["Iberia outlet:elpais"], 1);
    assert_eq!(
        (r.total_hits, r.unmatched.clone()),
        (0, vec!["outlet:elpais".to_string()])
    );
    let r = search_json(&p, &["+zanzibar Maduro"], 1);
    assert_eq!(r.unmatched, ["+zanzibar"]);
    // A phrase that matches, with a word that does not: the relaxed hits
    // all hold the phrase.
    let r = search_json(
        &p,
        &["\"Cartel de los Soles\" zanzibar", "--limit", "100"],
        0,
    );
    assert!(r.relaxed);
    assert!(!r.hits.is_empty());
    for hit in &r.hits {
        let text = format!(
            "{} {}",
            hit.passage.text,
            hit.article.title.as_deref().unwrap_or("")
        );
        assert!(
            text.to_lowercase().contains("cartel de los soles"),
            "{}",
            hit.passage.text
        );
    }
    // With an outlet field that matches, the relaxed hits are that outlet's.
    let r = search_json(&p, &["outlet:canary Maduro zanzibar", "--limit", "100"], 0);
    assert!(r.relaxed);
    assert!(r.hits.iter().all(|h| h.article.id == CANARY));
}

#[test]
fn match_strict_never_relaxes() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Maduro zanzibar", "--match", "strict"], 1);
    assert_eq!((r.total_hits, r.relaxed), (0, false));
    assert!(r.unmatched.is_empty());
    let r = search_json(&p, &["Maduro Rubio", "--match", "strict"], 0);
    assert!(r.total_hits > 0);
}

#[test]
fn operators_fields_and_prefixes() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Maduro -Rubio", "--limit", "100"], 0);
    assert!(r.hits.iter().all(|h| !h.passage.text.contains("Rubio")));
    let title = search_json(&p, &["title:terror", "--articles"], 0);
    assert_eq!(
        articles_of(&title),
        vec![CANARY],
        "'terror' is in the Canary's title only"
    );
    let outlet = search_json(&p, &["outlet:canary AND Maduro", "--articles"], 0);
    assert_eq!(articles_of(&outlet), vec![CANARY]);
    let prefix = search_json(&p, &["narcoterror*", "--limit", "1"], 0);
    assert!(marked(&prefix.hits[0])[0]
        .to_lowercase()
        .starts_with("narcoterror"));
    let either = search_json(&p, &["Petro OR LaSusa", "--articles"], 0);
    assert_eq!(articles_of(&either), vec![BBC]);
}

#[test]
fn no_match_exits_1_and_bad_queries_exit_2_with_a_message() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["zzyzxqq"], 1);
    assert_eq!(r.total_hits, 0);
    assert!(r.hits.is_empty());
    for (query, expected) in [
        ("(Maduro AND", "expected a term after 'AND' at column 9"),
        ("(Maduro Rubio", "missing ')' at column 1"),
        ("\"Tren de", "unclosed quote"),
        ("-Maduro", "every term is excluded"),
        ("foo:bar", "unknown field 'foo'"),
        ("Maduro AND", "expected a term after 'AND'"),
    ] {
        let out = p.run(&["search", "--", query]);
        assert_eq!(out.status.code(), Some(2), "{query}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("newsdex: error: bad query"),
            "{query}: {stderr}"
        );
        assert!(stderr.contains(expected), "{query}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(out.stdout.is_empty());
    }
    let out = p.run(&["search", "Maduro", "--since", "2025-13"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
}

#[test]
fn apostrophes_never_open_quotes_and_plain_takes_words_as_words() {
    let p = Project::with_corpus();
    for query in ["Venezuela's military", "Venezuela’s military"] {
        let r = search_json(&p, &[query, "--limit", "100"], 0);
        assert!(!r.relaxed, "{query}: every word matched, no fallback");
        assert!(r.total_hits > 0, "{query}");
        // Each hit marks the words (either apostrophe) wherever its text
        // holds them, and nothing else; a word may match in the title instead.
        let words = ["venezuela's", "venezuela’s", "military"];
        for hit in &r.hits {
            let marked: Vec<String> = marked(hit).iter().map(|m| m.to_lowercase()).collect();
            let allowed = |m: &String| words.contains(&m.as_str());
            assert!(marked.iter().all(allowed), "{query}: {marked:?}");
            assert!(!marked.is_empty(), "{query}");
            let text = hit.passage.text.to_lowercase();
            for word in words.iter().filter(|w| text.contains(**w)) {
                assert!(
                    marked.contains(&word.to_string()),
                    "{query}: {word} in {marked:?}"
                );
            }
        }
    }
    let plain = search_json(&p, &["--plain", "Maduro AND (Rubio"], 0);
    assert!(!plain.relaxed);
    assert!(plain.total_hits > 0);
    for hit in &plain.hits {
        let marked = marked(hit);
        assert!(marked.iter().any(|m| m.contains("Maduro")), "{marked:?}");
        assert!(marked.iter().any(|m| m.contains("Rubio")), "{marked:?}");
    }
}

#[test]
fn offset_pages_through_the_same_ranking() {
    let p = Project::with_corpus();
    let all = search_json(&p, &["Venezuela", "--limit", "6"], 0);
    let second = search_json(&p, &["Venezuela", "--limit", "3", "--offset", "3"], 0);
    let ids = |r: &SearchResult| -> Vec<(String, u64)> {
        r.hits
            .iter()
            .map(|h| (h.article.id.clone(), h.passage.index))
            .collect()
    };
    assert_eq!(ids(&all)[3..], ids(&second)[..]);
    assert_eq!(second.hits[0].rank, 4);
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let p = Project::with_corpus();
    p.index();
    let always = p.stdout(&["search", "Tren de Aragua", "--color", "always"], 0);
    assert!(always.contains("\u{1b}["));
    let never = p.stdout(&["search", "Tren de Aragua", "--color", "never"], 0);
    assert!(!never.contains("\u{1b}["));
    let piped = p.stdout(&["search", "Tren de Aragua"], 0);
    assert!(
        !piped.contains("\u{1b}["),
        "auto is off when stdout is not a terminal"
    );
}

/// With `--articles`, an article scores by its best passage and by its
/// whole text (issue 15): of two articles whose best passages are the
/// same, the one that says more about the query elsewhere ranks first.
#[test]
fn articles_rank_by_their_whole_text_too() {
    let p = Project::empty();
    let best = "Grain shipments at the northern port rose sharply this week, the harbour \
                authority said on Monday, after a month in which storms had kept most \
                of the barges moored along the river.";
    let quiet = "The weather was mild for the season and the market stayed calm, with \
                 traders reporting little change in prices and few new orders from the \
                 mills in the south of the country.";
    let more = "Grain stores at the terminal filled quickly, and more grain barges waited \
                downstream while inspectors checked the grain for moisture before the \
                shipments could be loaded onto the ships.";
    let record = |id: &str, second: &str| {
        serde_json::json!({"id": id, "title": "Harbour report", "text": format!("{best}\n\n{second}")})
            .to_string()
    };
    // Ids in the order a tie would keep: the one-mention article first.
    p.write(
        "corpus/news.jsonl",
        format!("{}\n{}\n", record("a-once", quiet), record("b-often", more)),
    );
    p.index();
    let r = search_json(&p, &["grain shipments", "--articles"], 0);
    let order: Vec<&str> = r.hits.iter().map(|h| h.article.id.as_str()).collect();
    assert_eq!(order, ["b-often", "a-once"], "{r:#?}");
    // Both are shown by the same best passage.
    assert!(r.hits.iter().all(|h| h.passage.index == 0), "{r:#?}");
}
