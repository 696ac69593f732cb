//! Every output format has the documented fields.

use crate::common::Project;
use crate::contract::{search_json, Hit};

#[test]
fn json_has_the_documented_shape_and_passages_are_body_slices() {
    let p = Project::with_corpus();
    let r = search_json(&p, &["Tren de Aragua", "--query-id", "q7"], 0);
    assert_eq!(r.query_id.as_deref(), Some("q7"));
    assert_eq!(r.query, "Tren de Aragua");
    assert_eq!(r.filters.match_mode, "all");
    assert_eq!(r.filters.sort, "relevance");
    assert_eq!(r.filters.limit, 10);
    assert!(r.took_ms >= 0.0);
    let ranks: Vec<usize> = r.hits.iter().map(|h| h.rank).collect();
    assert_eq!(ranks, vec![1, 2, 3]);
    let body =
        std::fs::read_to_string(p.path("corpus/state-department-fto-announcement.txt")).unwrap();
    for hit in &r.hits {
        assert_eq!(hit.query_id.as_deref(), Some("q7"));
        let (start, end) = (hit.passage.start as usize, hit.passage.end as usize);
        assert_eq!(
            &body[start..end],
            hit.passage.text,
            "a .txt body is the file's text"
        );
        let line = body[..start].matches('\n').count() as u64 + 1;
        assert_eq!(hit.passage.line, Some(line));
    }
}

#[test]
fn jsonl_is_one_self_contained_hit_per_line() {
    let p = Project::with_corpus();
    let out = p.stdout(&["search", "Tren de Aragua", "--format", "jsonl"], 0);
    let hits: Vec<Hit> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 3);
    assert!(hits
        .iter()
        .all(|h| h.query == "Tren de Aragua" && h.article.path.is_some()));
    assert_eq!(p.stdout(&["search", "zzyzxqq", "--format", "jsonl"], 1), "");
}

#[test]
fn csv_and_tsv_have_the_fixed_header_and_one_row_per_hit() {
    let p = Project::with_corpus();
    let header = "query_id,rank,score,article_id,outlet,date,title,url,path,line,passage,text";
    let csv_out = p.stdout(
        &[
            "search", "Maduro", "--outlet", "BBC", "--limit", "2", "--format", "csv",
        ],
        0,
    );
    let mut reader = csv::Reader::from_reader(csv_out.as_bytes());
    assert_eq!(
        reader
            .headers()
            .unwrap()
            .iter()
            .collect::<Vec<_>>()
            .join(","),
        header
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "1");
    assert_eq!(&rows[0][4], "BBC");
    assert!(rows[0][11].contains("Maduro"));

    let tsv = p.stdout(&["search", "Maduro", "--limit", "3", "--format", "tsv"], 0);
    let lines: Vec<&str> = tsv.lines().collect();
    assert_eq!(lines[0], header.replace(',', "\t"));
    assert_eq!(lines.len(), 4);
    assert!(lines[1..].iter().all(|l| l.split('\t').count() == 12));
    let empty = p.stdout(&["search", "zzyzxqq", "--format", "csv"], 1);
    assert_eq!(empty.trim(), header, "the header even with no hits");
}

#[test]
fn trec_lines_name_passages_or_articles() {
    let p = Project::with_corpus();
    let out = p.stdout(
        &[
            "search",
            "Tren de Aragua",
            "--format",
            "trec",
            "--query-id",
            "7",
        ],
        0,
    );
    for (i, line) in out.lines().enumerate() {
        let cols: Vec<&str> = line.split(' ').collect();
        assert_eq!(cols.len(), 6, "{line}");
        assert_eq!(cols[0], "7");
        assert_eq!(cols[1], "Q0");
        assert!(
            cols[2].starts_with("corpus/state-department-fto-announcement.txt#"),
            "{line}"
        );
        assert_eq!(cols[3], (i + 1).to_string());
        assert!(cols[4].parse::<f64>().is_ok());
        assert_eq!(cols[5], "newsdex");
    }
    let articles = p.stdout(&["search", "Maduro", "--format", "trec", "--articles"], 0);
    assert!(
        articles
            .lines()
            .all(|l| l.starts_with("1 Q0 corpus/") && !l.contains('#')),
        "{articles}"
    );
}

#[test]
fn stats_and_show_report_the_corpus() {
    let p = Project::with_corpus();
    let stats: serde_json::Value =
        serde_json::from_str(&p.stdout(&["stats", "--format", "json"], 0)).unwrap();
    assert_eq!(stats["articles"], 5);
    assert_eq!(stats["undated"], 3);
    assert_eq!(stats["unattributed"], 3);
    assert_eq!(stats["date_range"]["first"], "2025-11-17T00:00:00Z");
    assert_eq!(stats["date_range"]["last"], "2025-11-17T02:08:21Z");
    let outlets: Vec<&str> = stats["outlets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["outlet"].as_str().unwrap())
        .collect();
    assert_eq!(outlets, vec!["BBC", "The Canary"]);
    assert!(stats["passages"].as_u64().unwrap() > 5);

    let shown: serde_json::Value = serde_json::from_str(&p.stdout(
        &[
            "show",
            "corpus/us-to-designate-cartel-de-los-soles.md",
            "--format",
            "json",
        ],
        0,
    ))
    .unwrap();
    assert_eq!(shown["article"]["author"], "badely");
    assert_eq!(
        shown["article"]["title"],
        "Breaking: US to designate Venezuela's Cartel de los Soles as terrorists"
    );
    assert!(shown["origins"]
        .as_str()
        .unwrap()
        .contains("date=front matter"));
    assert!(shown["passages"].as_array().unwrap().len() > 3);
    let one = p.stdout(&["show", "corpus/canary-cartel-may-not-exist.txt#0"], 0);
    assert!(
        one.contains("outlet:  The Canary") && one.contains("#0 (bytes 0–"),
        "{one}"
    );
    assert!(
        one.contains("title:   Venezuelan cartel (which may not exist) now tops US terror list")
    );
    let missing = p.run(&["show", "corpus/nope.txt"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no article 'corpus/nope.txt'"));
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definition() {
    let p = Project::empty();
    let bash = p.stdout(&["completions", "bash"], 0);
    assert!(
        bash.contains("newsdex") && bash.contains("--since"),
        "{bash}"
    );
    let man = p.stdout(&["man"], 0);
    assert!(
        man.starts_with(".ie") || man.contains(".TH newsdex"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(man.contains("batch"));
}

#[test]
fn show_with_a_query_marks_what_search_marks() {
    let p = Project::with_corpus();
    let query = "\"Cartel de los Soles\" Nicolas";
    let id = "corpus/bbc-cartel-de-los-soles-explainer.txt";
    let shown: serde_json::Value =
        serde_json::from_str(&p.stdout(&["show", id, "--query", query, "--format", "json"], 0))
            .unwrap();
    let passages = shown["passages"].as_array().unwrap();
    // Every hit search finds in this article is marked the same in `show`.
    let r = search_json(&p, &[query, "--match", "any", "--limit", "100"], 0);
    let hits: Vec<&Hit> = r.hits.iter().filter(|h| h.article.id == id).collect();
    assert!(hits.len() >= 2, "{hits:?}");
    for hit in hits {
        let marked = &passages[hit.passage.index as usize]["highlights"];
        assert_eq!(
            marked,
            &serde_json::json!(hit.passage.highlights),
            "passage #{}",
            hit.passage.index
        );
    }
    // The phrase is one span; Nicolás is marked for Nicolas.
    let first = &passages[0];
    let text = first["text"].as_str().unwrap();
    let spans: Vec<&str> = first["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(spans, ["Cartel de los Soles", "Nicolás"]);
    // Without a query nothing is marked; a bad query is an error.
    let plain: serde_json::Value =
        serde_json::from_str(&p.stdout(&["show", id, "--format", "json"], 0)).unwrap();
    assert!(plain["passages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["highlights"] == serde_json::json!([])));
    let out = p.run(&["show", id, "--query", "(Maduro"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad query '(Maduro'"));
}
