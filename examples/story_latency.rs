//! Runs `count`, `timeline` and `trace` one after another in one process,
//! several passes, and prints the time each took: the warm in-process
//! latency rows of BENCHMARKS.md (`bench/story.py` drives it).
//!
//!     cargo run --release --example story_latency -- INDEX JOBS.tsv [PASSES]
//!
//! JOBS.tsv holds `KIND<TAB>TEXT` lines, KIND one of `count` (by month),
//! `timeline` (by week), `trace`. Prints one JSON object per job and pass:
//! `{"kind", "text", "pass", "took_ms", "articles"}` (`articles`: the
//! count's total, the timeline's articles, the trace's appearances).

use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use newsdex::search::{SearchRequest, Searcher};
use newsdex::story::count::{self, Dimension};
use newsdex::story::timeline::{self, Split};
use newsdex::story::trace::{self, TraceRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(index), Some(jobs)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: story_latency INDEX JOBS.tsv [PASSES]");
        std::process::exit(2);
    };
    let passes: usize = args.get(3).map_or(Ok(3), |p| p.parse())?;
    let searcher = Searcher::open(Path::new(index))?;
    let groups = newsdex::story::groups(&searcher)?;
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(jobs)?).lines() {
        let line = line?;
        if let Some((kind, text)) = line.split_once('\t') {
            lines.push((kind.to_owned(), text.to_owned()));
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for pass in 0..passes {
        for (kind, text) in &lines {
            let request = SearchRequest {
                query: text.clone(),
                ..SearchRequest::default()
            };
            let started = Instant::now();
            let articles = match kind.as_str() {
                "count" => {
                    count::count(&searcher, &request, &[Dimension::Month])?
                        .total
                        .articles
                }
                "timeline" => timeline::timeline(
                    &searcher,
                    std::slice::from_ref(&request),
                    Dimension::Week,
                    Split::Query,
                )?
                .articles(),
                "trace" => trace::trace(
                    &searcher,
                    groups,
                    &TraceRequest {
                        text: text.clone(),
                        ..TraceRequest::default()
                    },
                )?
                .appearances
                .len() as u64,
                other => return Err(format!("story_latency: unknown kind {other:?}").into()),
            };
            let took_ms = started.elapsed().as_secs_f64() * 1000.0;
            writeln!(
                out,
                "{}",
                serde_json::json!({"kind": kind, "text": text, "pass": pass, "took_ms": took_ms, "articles": articles})
            )?;
        }
    }
    out.flush()?;
    Ok(())
}
