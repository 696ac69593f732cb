//! Runs queries one after another in one process and prints the time each
//! took, for profiling the query path (`perf record`, callgrind) and for
//! `bench/run.py`'s in-process latency rows.
//!
//!     cargo run --release --example query_latency -- INDEX QUERIES.tsv [PASSES] [json|trec]
//!
//! QUERIES.tsv holds `ID<TAB>QUERY` lines. The shape of the answer is that
//! of a `newsdex batch` format: `json` (the default) reads each hit's
//! passage, highlights it and counts every match; `trec` keeps the ids
//! only, with no count. Prints one JSON object per query and pass:
//! `{"id", "pass", "took_ms", "hits"}`.

use std::io::{BufRead, Write};
use std::path::Path;

use newsdex::search::{SearchRequest, Searcher};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(index), Some(queries)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: query_latency INDEX QUERIES.tsv [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = args.get(3).map_or(Ok(1), |p| p.parse())?;
    let full = match args.get(4).map_or("json", String::as_str) {
        "json" => true,
        "trec" => false,
        other => {
            eprintln!("query_latency: shape {other:?} is neither json nor trec");
            std::process::exit(2);
        }
    };
    let searcher = Searcher::open(Path::new(index))?;
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(queries)?).lines() {
        let line = line?;
        if let Some((id, query)) = line.split_once('\t') {
            lines.push((id.to_owned(), query.to_owned()));
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for pass in 0..passes {
        for (id, query) in &lines {
            let request = SearchRequest {
                query: query.clone(),
                query_id: Some(id.clone()),
                highlight: full,
                stored: full,
                count: full,
                ..SearchRequest::default()
            };
            let result = searcher.search(&request)?;
            writeln!(
                out,
                r#"{{"id":"{id}","pass":{pass},"took_ms":{},"hits":{}}}"#,
                result.took_ms,
                result.hits.len()
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
