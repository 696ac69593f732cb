//! `newsdex batch`: many queries, one answer per query in input order, bad
//! lines reported while the batch goes on, and the same hits as `search`.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::common::Project;
use crate::contract::SearchResult;

/// The error record of a bad line (JSON formats).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueryError {
    pub line: usize,
    pub query_id: Option<String>,
    pub query: Option<String>,
    pub error: String,
}

/// One line of `batch --format json`: a result object or an error record.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Record {
    Result(Box<SearchResult>),
    Error(QueryError),
}

/// Parses `batch --format json` output, one record per line.
pub fn records(out: &str) -> Vec<Record> {
    out.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn result(record: &Record) -> &SearchResult {
    match record {
        Record::Result(result) => result,
        Record::Error(e) => panic!("expected a result, got {e:?}"),
    }
}

const QUERIES: &str = r#"{"id": "tda", "query": "\"Tren de Aragua\"", "limit": 2}
{"_id": "none", "text": "zyzzyva quokka"}

{"id": 7, "query": "Maduro", "limit": 1, "outlet": "BBC"}
{this is not json
{"id": "dates", "query": "Maduro", "since": "2025-11", "until": "2025-11"}
{"id": "bad-date", "query": "Maduro", "since": "November-ish"}
{"query": "cartel", "match": "any", "limit": 3, "sort": "newest"}
"#;

#[test]
fn json_lines_input_gives_one_record_per_query_in_input_order() {
    let p = Project::with_corpus();
    p.index();
    p.write("queries.jsonl", QUERIES);
    let out = p.run(&["batch", "queries.jsonl"]);
    // A bad line makes the exit status 2, like grep's error status.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 5"), "{stderr}");
    assert!(stderr.contains("line 7"), "{stderr}");
    let records = records(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(records.len(), 7, "one record per non-blank line");

    let tda = result(&records[0]);
    assert_eq!(tda.query_id.as_deref(), Some("tda"));
    assert_eq!(tda.hits.len(), 2, "per-query limit");
    assert!(tda.total_hits >= 2);

    let none = result(&records[1]);
    assert_eq!(none.query_id.as_deref(), Some("none"));
    assert_eq!(
        (none.total_hits, none.hits.len()),
        (0, 0),
        "a zero-hit query still has its object"
    );

    let bbc = result(&records[2]);
    assert_eq!(
        bbc.query_id.as_deref(),
        Some("7"),
        "numeric ids become strings"
    );
    assert_eq!(bbc.hits.len(), 1);
    assert_eq!(bbc.filters.outlets, ["BBC"]);
    assert_eq!(bbc.hits[0].article.outlet.as_deref(), Some("BBC"));

    match &records[3] {
        Record::Error(e) => {
            assert_eq!((e.line, e.query_id.as_deref()), (5, Some("5")));
            assert!(e.error.contains("not valid JSON"), "{}", e.error);
        }
        other => panic!("expected an error record, got {other:?}"),
    }

    let dates = result(&records[4]);
    assert_eq!(dates.filters.since.as_deref(), Some("2025-11"));
    assert!(dates.hits.iter().all(|h| h
        .article
        .date
        .as_deref()
        .is_some_and(|d| d.starts_with("2025-11"))));

    match &records[5] {
        Record::Error(e) => {
            assert_eq!((e.line, e.query_id.as_deref()), (7, Some("bad-date")));
            assert_eq!(e.query.as_deref(), Some("Maduro"));
            assert!(e.error.contains("November-ish"), "{}", e.error);
        }
        other => panic!("expected an error record, got {other:?}"),
    }

    let newest = result(&records[6]);
    assert_eq!(
        newest.query_id.as_deref(),
        Some("8"),
        "no id: the line number"
    );
    assert_eq!(
        (
            newest.filters.match_mode.as_str(),
            newest.filters.sort.as_str()
        ),
        ("any", "newest")
    );
    assert_eq!(newest.hits.len(), 3);
    let dates: Vec<&str> = newest
        .hits
        .iter()
        .filter_map(|h| h.article.date.as_deref())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn plain_text_input_from_stdin_with_and_without_ids() {
    let p = Project::with_corpus();
    p.index();
    let out = p
        .cmd(&["batch", "--limit", "1"])
        .write_stdin("Maduro\n\nq2\tTren de Aragua\nzyzzyva\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "something matched, no bad line");
    let records = records(&String::from_utf8(out.stdout).unwrap());
    let ids: Vec<_> = records
        .iter()
        .map(|r| result(r).query_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["1", "q2", "4"], "ids are line numbers unless given");
    assert_eq!(result(&records[1]).query, "Tren de Aragua");
    assert_eq!(result(&records[2]).total_hits, 0);
}

#[test]
fn nothing_matched_exits_1_and_a_query_syntax_error_is_a_bad_line() {
    let p = Project::with_corpus();
    p.index();
    p.stdout(&["batch", "-"], 1);
    let out = p
        .cmd(&["batch"])
        .write_stdin("zyzzyva\nquokka\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = p
        .cmd(&["batch"])
        .write_stdin("(Maduro AND\nMaduro\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let records = records(&String::from_utf8(out.stdout).unwrap());
    assert!(
        matches!(&records[0], Record::Error(e) if e.error.contains("column")),
        "{records:?}"
    );
    assert!(result(&records[1]).total_hits > 0);
}

#[test]
fn every_output_format_keeps_input_order() {
    let p = Project::with_corpus();
    p.index();
    let input = "a\tMaduro\nb\tzyzzyva\nc\tTren de Aragua\n";
    let run = |format: &str| {
        let out = p
            .cmd(&[
                "batch", "--limit", "2", "--format", format, "--color", "never",
            ])
            .write_stdin(input)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        String::from_utf8(out.stdout).unwrap()
    };
    let trec = run("trec");
    let qids: Vec<&str> = trec.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(qids, ["a", "a", "c", "c"]);
    let jsonl = run("jsonl");
    let qids: Vec<String> = jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<crate::contract::Hit>(l)
                .unwrap()
                .query_id
                .unwrap()
        })
        .collect();
    assert_eq!(qids, ["a", "a", "c", "c"]);
    for (format, sep) in [("csv", ','), ("tsv", '\t')] {
        let table = run(format);
        let mut lines = table.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with(&format!("query_id{sep}rank{sep}score")));
        let qids: Vec<&str> = lines.map(|l| l.split(sep).next().unwrap()).collect();
        assert_eq!(
            qids,
            ["a", "a", "c", "c"],
            "{format}: one header, then rows"
        );
    }
    let human = run("human");
    let a = human.find("query a: Maduro").unwrap();
    let b = human.find("query b: zyzzyva").unwrap();
    let c = human.find("query c: Tren de Aragua").unwrap();
    assert!(a < b && b < c, "{human}");
    assert!(human
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .starts_with("3 queries: 2 with hits, 1 without, 0 bad"));
}

/// Result objects without the timing, which differs run to run.
fn comparable(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|line| {
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            value.as_object_mut().unwrap().remove("took_ms");
            // Counted by `search` only (null in batch output).
            value.as_object_mut().unwrap().remove("stories");
            // Looked for by `search` only (empty in batch output).
            value.as_object_mut().unwrap().remove("suggestions");
            value
        })
        .collect()
}

/// 200 queries made from the corpus's own words: pairs of neighbouring
/// words, single words and phrases, with different options.
fn generated_queries(p: &Project) -> Vec<(String, Vec<&'static str>)> {
    let mut words = BTreeSet::new();
    for entry in std::fs::read_dir(p.path("corpus")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            if word.len() > 3 && word.chars().all(|c| c.is_ascii_alphabetic()) {
                words.insert(word.to_lowercase());
            }
        }
    }
    let words: Vec<String> = words.into_iter().collect();
    let options: [Vec<&str>; 4] = [
        vec![],
        vec!["--articles"],
        vec!["--match", "any", "--limit", "5"],
        vec!["--sort", "newest", "--limit", "3"],
    ];
    (0..200)
        .map(|i| {
            let a = &words[(i * 7919) % words.len()];
            let b = &words[(i * 104_729 + 13) % words.len()];
            let query = match i % 4 {
                0 => a.clone(),
                1 => format!("{a} {b}"),
                2 => format!("\"{a} {b}\" OR {a}"),
                _ => format!("{a} -{b}"),
            };
            (query, options[(i / 4) % 4].clone())
        })
        .collect()
}

#[test]
fn batch_gives_the_same_hits_as_one_search_per_query() {
    let p = Project::with_corpus();
    p.index();
    let queries = generated_queries(&p);
    let mut from_search = Vec::new();
    for (i, (query, options)) in queries.iter().enumerate() {
        let id = (i + 1).to_string();
        let mut args = vec!["search", "--format", "json", "--query-id", &id];
        args.extend(options.iter().copied());
        args.push("--");
        args.push(query);
        let out = p.run(&args);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{query}");
        from_search.extend(comparable(&String::from_utf8(out.stdout).unwrap()));
    }
    // The same queries as one batch, options as JSON fields.
    let mut input = String::new();
    for (i, (query, options)) in queries.iter().enumerate() {
        let mut record = serde_json::json!({"id": (i + 1).to_string(), "query": query});
        for pair in options.chunks(2) {
            match pair {
                ["--articles", ..] => {}
                ["--match", mode] => record["match"] = (*mode).into(),
                ["--limit", n] => record["limit"] = n.parse::<usize>().unwrap().into(),
                ["--sort", sort] => record["sort"] = (*sort).into(),
                other => panic!("{other:?}"),
            }
        }
        input.push_str(&record.to_string());
        input.push('\n');
    }
    // --articles is a batch-wide option: run those queries as their own batch.
    let (mut articles, mut passages) = (Vec::new(), Vec::new());
    for (line, (_, options)) in input.lines().zip(&queries) {
        if options.contains(&"--articles") {
            articles.push(line);
        } else {
            passages.push(line);
        }
    }
    let batch = |lines: &[&str], extra: &[&str]| {
        let mut args = vec!["batch", "--threads", "2"];
        args.extend_from_slice(extra);
        let out = p.cmd(&args).write_stdin(lines.join("\n")).output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)));
        comparable(&String::from_utf8(out.stdout).unwrap())
    };
    let mut from_batch = batch(&passages, &[]);
    from_batch.extend(batch(&articles, &["--articles"]));
    let id = |v: &serde_json::Value| v["query_id"].as_str().unwrap().parse::<usize>().unwrap();
    from_batch.sort_by_key(id);
    assert_eq!(from_batch.len(), 200);
    assert_eq!(from_search.len(), 200);
    let with_hits = from_search
        .iter()
        .filter(|v| v["total_hits"].as_u64() > Some(0))
        .count();
    assert!(with_hits > 100, "the queries find things: {with_hits}");
    for (search, batch) in from_search.iter().zip(&from_batch) {
        assert_eq!(search, batch);
    }
}

/// `--format trec` skips counting every match (it shows no count), and
/// finds the best hits of a term query without scoring every match: the
/// hits, their order and scores, and the exit status must not change.
#[test]
fn trec_runs_rank_the_same_hits_as_json_and_exit_alike() {
    let p = Project::with_corpus();
    p.index();
    let mut input = String::new();
    for (i, (query, _)) in generated_queries(&p).iter().enumerate() {
        input.push_str(&format!("{}\t{query}\n", i + 1));
    }
    for paging in [
        &["--limit", "10"][..],
        &["--limit", "3", "--offset", "2"],
        &["--offset", "100000"],
    ] {
        let run = |format: &str| {
            let mut args = vec!["batch", "--format", format];
            args.extend_from_slice(paging);
            let out = p.cmd(&args).write_stdin(input.as_str()).output().unwrap();
            (out.status.code(), String::from_utf8(out.stdout).unwrap())
        };
        let (json_status, json) = run("json");
        let (trec_status, trec) = run("trec");
        assert_eq!(json_status, trec_status, "{paging:?}");
        let mut from_json = Vec::new();
        for record in records(&json) {
            for hit in &result(&record).hits {
                from_json.push(format!(
                    "{} Q0 {}#{} {} {} newsdex",
                    hit.query_id.as_deref().unwrap(),
                    hit.article.id,
                    hit.passage.index,
                    hit.rank,
                    hit.score
                ));
            }
        }
        let from_trec: Vec<String> = trec.lines().map(str::to_owned).collect();
        assert_eq!(from_trec, from_json, "{paging:?}");
        let past_the_end = paging.contains(&"100000");
        assert_eq!(from_trec.is_empty(), past_the_end, "{paging:?}");
        assert!(past_the_end || from_trec.len() > 100, "{paging:?}");
    }
}

#[test]
fn threads_do_not_change_the_answers() {
    let p = Project::with_corpus();
    p.index();
    let input: String = [
        "Maduro",
        "cartel",
        "Tren de Aragua",
        "terrorist",
        "Venezuela",
        "zyzzyva",
    ]
    .iter()
    .cycle()
    .take(120)
    .map(|q| format!("{q}\n"))
    .collect();
    let run = |threads: &str| {
        let out = p
            .cmd(&["batch", "--threads", threads, "--match", "any"])
            .write_stdin(input.clone())
            .output()
            .unwrap();
        comparable(&String::from_utf8(out.stdout).unwrap())
    };
    let one = run("1");
    assert_eq!(one.len(), 120);
    assert_eq!(one, run("4"));
}

#[test]
fn a_script_can_feed_queries_one_at_a_time_and_read_each_answer() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    let p = Project::with_corpus();
    p.index();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
        .current_dir(p.path(""))
        .args(["batch", "--limit", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (sender, answers) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = sender.send(line.unwrap());
        }
    });
    for (query, found) in [
        ("Maduro", true),
        ("zyzzyva", false),
        ("Tren de Aragua", true),
    ] {
        writeln!(stdin, "{query}").unwrap();
        stdin.flush().unwrap();
        // The answer comes while the input is still open.
        let line = answers
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer per query");
        let record: SearchResult = serde_json::from_str(&line).unwrap();
        assert_eq!(
            (record.query.as_str(), record.total_hits > 0),
            (query, found)
        );
    }
    drop(stdin);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
