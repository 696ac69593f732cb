//! Hostile queries: many random and adversarial query strings (unbalanced
//! quotes and brackets, lone operators, unknown fields, huge inputs, control
//! characters, right-to-left marks) never make newsdex panic; each gives
//! results or a clear error. Runs in-process for volume, and through the
//! binary for a sample. `NEWSDEX_FUZZ_SEED` replays a run,
//! `NEWSDEX_FUZZ_QUERIES` sets how many queries (default 3000).

use newsdex::query::MatchMode;
use newsdex::search::{SearchRequest, Searcher, Sort};
use newsdex::Error;

use crate::common::Project;
use crate::crash::Rng;

/// Pieces queries are made of: syntax, words, and troublemakers.
const PIECES: &[&str] = &[
    "\"",
    "\"",
    "(",
    ")",
    "((",
    "))",
    "AND",
    "OR",
    "NOT",
    "and",
    "or",
    "not",
    "+",
    "-",
    "*",
    "~",
    "~2",
    "~99999999999",
    ":",
    "title:",
    "outlet:",
    "author:",
    "unknown:",
    "date:",
    "url:",
    ":title",
    "title:\"",
    "'",
    "’",
    "‘",
    "“",
    "”",
    "«",
    "»",
    "/",
    "\\",
    "^",
    "^2",
    "{",
    "}",
    "[",
    "]",
    "[TO]",
    "&&",
    "||",
    "!",
    "?",
    "%",
    "$",
    "#",
    "@",
    "`",
    "|",
    "Maduro",
    "Nicolás",
    "cartel",
    "Cartel de los Soles",
    "Venezuela's",
    "can't",
    "oil",
    "the",
    "de",
    "1987",
    "2025-11-17",
    "\u{200F}",
    "\u{200E}",
    "\u{202E}",
    "\u{202D}",
    "\u{2066}",
    "\u{2069}",
    "\u{061C}",
    "مادورو",
    "קרטל",
    "\u{0000}",
    "\u{0007}",
    "\u{001b}[31m",
    "\u{007f}",
    "\u{0085}",
    "\u{feff}",
    "\u{200b}",
    "\u{fffd}",
    "\u{3000}",
    "\t",
    "\n",
    "\r\n",
    "e\u{301}",
    "👩‍👩‍👧",
    "🇻🇪",
    "ǅ",
    "ß",
    "İ",
    "ﬁ",
    "*oil",
    "oil*",
    "o*l",
    "**",
    "-\"",
    "+(",
    "NOT NOT",
    "AND AND",
    "OR)",
    "(OR",
    "\"\"",
    "\" \"",
    "~ ~",
    "title:(",
    "outlet:*",
    "-*",
    "+*",
];

/// Milder pieces: words with a little syntax, so that many queries get as far as ranking and highlighting.
const MILD: &[&str] = &[
    "Maduro",
    "Nicolas",
    "cartel",
    "\"Cartel de los Soles\"",
    "\"Tren de Aragua\"~2",
    "Venezuela's",
    "can't",
    "oil",
    "designation",
    "terrorist",
    "title:cartel",
    "outlet:bbc",
    "-Trump",
    "+Venezuela",
    "OR",
    "AND",
    "sol*",
    "“Soles”",
    "(Maduro OR Cabello)",
    "the",
    "de",
    "\u{200F}",
    "\u{202E}",
    "e\u{301}",
    "NOT Rubio",
    "author:(AT&T: Venezuela's*)",
    "author:\"desk Ana\"~2",
    "outlet:AT&T*",
    "title:Venezuela's*",
];

/// A random query: up to 12 pieces, with or without spaces between them;
/// half of them chaotic, half mild.
fn random_query(rng: &mut Rng) -> String {
    let pieces = if rng.range(0, 2) == 0 { PIECES } else { MILD };
    let n = rng.range(0, 13);
    let mut q = String::new();
    for _ in 0..n {
        q.push_str(pieces[rng.range(0, pieces.len() as u64) as usize]);
        if rng.range(0, 3) > 0 {
            q.push(' ');
        }
    }
    q
}

/// Queries that are large rather than odd.
fn huge_queries() -> Vec<String> {
    vec![
        "oil ".repeat(20_000),
        "(".repeat(10_000) + "oil" + &")".repeat(10_000),
        "(".repeat(50_000),
        "\"".repeat(10_001),
        "NOT ".repeat(10_000) + "oil",
        "x".repeat(200_000),
        "oil AND ".repeat(5_000) + "cartel",
        format!("\"{}\"~3", "cartel de los soles ".repeat(2_000)),
        "title:".repeat(10_000),
        "\u{202E}".repeat(10_000) + "Maduro",
        "é".repeat(100_000),
    ]
}

/// A request with random options around `query`.
fn request(query: String, rng: &mut Rng) -> SearchRequest {
    SearchRequest {
        query,
        plain: rng.range(0, 4) == 0,
        match_mode: if rng.range(0, 2) == 0 {
            MatchMode::All
        } else {
            MatchMode::Any
        },
        articles: rng.range(0, 3) == 0,
        limit: [0, 1, 10, 1000, usize::MAX][rng.range(0, 5) as usize],
        offset: [0, 3, usize::MAX / 2, usize::MAX][rng.range(0, 4) as usize],
        sort: [Sort::Relevance, Sort::Newest, Sort::Oldest][rng.range(0, 3) as usize],
        since: [
            None,
            None,
            None,
            None,
            Some("2025-11"),
            Some("not a date"),
            Some("99999"),
        ][rng.range(0, 7) as usize]
            .map(String::from),
        outlets: if rng.range(0, 5) == 0 {
            vec!["BBC".into(), "\u{202E}x".into()]
        } else {
            vec![]
        },
        ..SearchRequest::default()
    }
}

/// A result is fine; an error is fine when it is the user's (a bad query or value) and says something.
fn check_outcome(req: &SearchRequest, outcome: newsdex::Result<newsdex::search::SearchResult>) {
    match outcome {
        Ok(result) => {
            assert!(result.hits.len() <= req.limit);
            for hit in &result.hits {
                for [start, end] in &hit.passage.highlights {
                    assert!(
                        start < end && *end <= hit.passage.text.len(),
                        "highlight in range"
                    );
                    assert!(
                        hit.passage.text.is_char_boundary(*start)
                            && hit.passage.text.is_char_boundary(*end)
                    );
                }
            }
        }
        // A query the index rejected: the query planner built what the field cannot answer.
        Err(Error::Query { reason, .. }) if reason.contains("cannot be searched") => {
            panic!("query {:?} failed in the index: {reason}", req.query)
        }
        Err(Error::Query { reason, .. }) => assert!(!reason.trim().is_empty(), "{req:?}"),
        Err(Error::Invalid(message)) => assert!(!message.trim().is_empty(), "{req:?}"),
        Err(other) => panic!("query {:?} gave an internal error: {other}", req.query),
    }
}

fn corpus_project() -> Project {
    let project = Project::with_corpus();
    project.write(
        "corpus/extra.jsonl",
        concat!(
            "{\"id\":\"rtl\",\"outlet\":\"Al Arabiya\",\"date\":\"2025-11-18\",\"title\":\"مادورو\",\"text\":\"مادورو والكارتل \u{200F}Cartel de los Soles\u{200F} oil.\"}\n",
            "{\"id\":\"byline\",\"outlet\":\"AT&T Wire\",\"author\":\"AT&T: Venezuela's desk, Ana María Soles\",\"title\":\"Venezuela's oil\",\"text\":\"Venezuela's oil exports fell.\"}\n",
        ),
    );
    project.index();
    project
}

/// Every kind of term in every field a query can name.
fn field_term_queries() -> Vec<String> {
    let terms = [
        "Venezuela",
        "AT&T:",
        "Venezuela's",
        "Ana-María",
        "\"Venezuela's desk\"",
        "\"desk Venezuela's\"~3",
        "“Ana María”",
        "Venez*",
        "Venezuela's*",
        "AT&T:*",
        "d*",
        "(AT&T: Venezuela's*)",
        "(desk OR \"Ana María\" OR sol*)",
        "(+desk -oil)",
        "(Ana María)",
        "é*",
    ];
    let mut queries = Vec::new();
    for field in ["", "title:", "body:", "outlet:", "author:"] {
        for term in terms {
            queries.push(format!("{field}{term}"));
            queries.push(format!("Venezuela {field}{term}"));
            queries.push(format!("-{field}{term} oil"));
        }
    }
    queries
}

/// A word that splits into several tokens, a phrase or a prefix, in any
/// field (also `author:`, which records no positions), is searched or a
/// query error: never an index error.
#[test]
fn every_kind_of_term_in_every_field_is_searched_or_a_query_error() {
    let project = corpus_project();
    let searcher = Searcher::open(&project.path("index")).unwrap();
    let mut found = 0;
    for query in field_term_queries() {
        for (plain, match_mode) in [
            (false, MatchMode::All),
            (false, MatchMode::Any),
            (true, MatchMode::All),
        ] {
            let req = SearchRequest {
                query: query.clone(),
                plain,
                match_mode,
                ..SearchRequest::default()
            };
            let outcome = searcher.search(&req);
            if outcome.as_ref().is_ok_and(|r| r.total_hits > 0) {
                found += 1;
            }
            check_outcome(&req, outcome);
        }
    }
    assert!(found > 100, "{found}");
    // The query of the fuzz run that ended a batch finds the byline.
    let req = SearchRequest {
        query: "author:(AT&T: Venezuela's*)".into(),
        ..SearchRequest::default()
    };
    let result = searcher.search(&req).unwrap();
    let ids: Vec<&str> = result.hits.iter().map(|h| h.article.id.as_str()).collect();
    assert_eq!(ids, ["byline"]);
}

#[test]
fn random_and_adversarial_queries_never_panic() {
    let project = corpus_project();
    let searcher = Searcher::open(&project.path("index")).unwrap();
    let (mut rng, seed) = Rng::seeded("NEWSDEX_FUZZ_SEED");
    let count = std::env::var("NEWSDEX_FUZZ_QUERIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3000);
    eprintln!("query fuzz: {count} queries, seed {seed}");
    let (mut found, mut errors) = (0, 0);
    for i in 0..count {
        let req = request(random_query(&mut rng), &mut rng);
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| searcher.search(&req)))
                .unwrap_or_else(|_| {
                    panic!(
                        "query #{i} {:?} panicked (seed {seed}); options {req:?}",
                        req.query
                    )
                });
        match &outcome {
            Ok(r) if r.total_hits > 0 => found += 1,
            Ok(_) => {}
            Err(e) => {
                errors += 1;
                if std::env::var_os("NEWSDEX_FUZZ_SHOW").is_some() {
                    eprintln!("{e}");
                }
            }
        }
        check_outcome(&req, outcome);
    }
    for query in huge_queries() {
        let req = request(query, &mut rng);
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| searcher.search(&req)))
                .unwrap_or_else(|_| {
                    panic!("huge query {:.60?}… panicked (seed {seed})", req.query)
                });
        check_outcome(&req, outcome);
    }
    eprintln!("query fuzz: {found} found something, {errors} were errors");
    assert!(
        found > 0 && errors > 0,
        "the mix has both: {found} found, {errors} errors"
    );
}

#[test]
fn adversarial_queries_through_the_binary_exit_0_1_or_2_with_a_message() {
    let project = corpus_project();
    let mut rng = Rng::new(20251117);
    let mut queries: Vec<String> = vec![
        "\"Cartel de los Soles".into(),
        "(Maduro AND".into(),
        "Maduro)".into(),
        "AND".into(),
        "NOT".into(),
        "-".into(),
        "+".into(),
        "*".into(),
        "unknown:field".into(),
        "title:".into(),
        "\u{202E}Maduro\u{202C}".into(),
        "\u{200F}cartel".into(),
        "oil \u{1b}[2J\u{7}".into(),
        "\u{0}".into(),
        " ".into(),
        "\"\"".into(),
        "oil ".repeat(5000),
    ];
    queries.extend(
        (0..20)
            .map(|_| random_query(&mut rng))
            .filter(|q| !q.contains('\0')),
    );
    for query in &queries {
        // An argument cannot hold a NUL byte; the library test covers it.
        if query.contains('\0') {
            continue;
        }
        for extra in [
            &[][..],
            &["--plain"],
            &["--format", "json"],
            &["--articles", "--match", "any"],
        ] {
            let mut args = vec!["search"];
            args.extend_from_slice(extra);
            args.extend(["--", query.as_str()]);
            let out = project.run(&args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("panicked"), "{query:?}: {stderr}");
            match out.status.code() {
                Some(0) => assert!(!out.stdout.is_empty(), "{query:?}"),
                Some(1) => {}
                Some(2) => assert!(
                    stderr.starts_with("newsdex: error: ") && stderr.trim().len() > 20,
                    "{query:?}: a clear error, got {stderr}"
                ),
                other => panic!("{query:?} {extra:?}: exit {other:?}: {stderr}"),
            }
            if extra.contains(&"--format") && out.status.code() == Some(0) {
                let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert!(json["hits"].is_array());
            }
        }
    }
}

#[test]
fn adversarial_queries_through_batch_give_one_answer_each_in_order() {
    let project = corpus_project();
    let mut rng = Rng::new(424242);
    let mut queries: Vec<String> = (0..300).map(|_| random_query(&mut rng)).collect();
    queries.extend(
        huge_queries()
            .into_iter()
            .map(|q| q.chars().take(20_000).collect::<String>()),
    );
    queries.extend(
        [
            "\"unbalanced",
            "(Maduro AND",
            "AND",
            "unknown:x",
            "\u{202E}cartel",
            "\u{7}oil",
            "",
        ]
        .map(String::from),
    );
    // JSON Lines input: each query travels as a JSON string, whatever it holds.
    let input: String = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let plain = i % 5 == 0;
            serde_json::json!({"id": format!("q{i}"), "query": q, "plain": plain, "limit": 3})
                .to_string()
                + "\n"
        })
        .collect();
    project.write("queries.jsonl", &input);
    // Plain-text input too: a query per line (a line cannot hold a line break).
    let plain: String = queries
        .iter()
        .enumerate()
        .map(|(i, q)| format!("p{i}\t{}\n", q.replace(['\n', '\r'], " ")))
        .collect();
    project.write("queries.tsv", plain);
    for file in ["queries.jsonl", "queries.tsv"] {
        let out = project.run(&["batch", file, "--format", "json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{file}: {:?}",
            out.status
        );
        let answers: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        // Every line holds an id, so every line gets one answer, in input order.
        let expected: Vec<usize> = (0..queries.len()).collect();
        assert_eq!(
            answers.len(),
            expected.len(),
            "{file}: one answer per query\n{stderr}"
        );
        let prefix = if file.ends_with("jsonl") { "q" } else { "p" };
        for (answer, i) in answers.iter().zip(&expected) {
            assert_eq!(
                answer["query_id"],
                format!("{prefix}{i}"),
                "{file}: input order"
            );
            match answer.get("error") {
                Some(error) => assert!(
                    error.as_str().is_some_and(|e| !e.trim().is_empty()),
                    "{answer}"
                ),
                None => assert!(answer["hits"].is_array(), "{answer}"),
            }
        }
    }
}
