//! The plain-Tantivy side of the newsdex benchmark.
//!
//!     tantivy-side create DIR
//!     tantivy-side latency DIR QUERIES.tsv ids|text PASSES
//!     tantivy-side batch DIR QUERIES.tsv ids|text THREADS
//!
//! `create` makes an empty index with the schema `tantivy-cli index` fills
//! from the benchmark's JSON Lines: `title` and `text` with Tantivy's
//! `en_stem` analyzer (lowercase, English stemmer) and positions, both
//! stored; `id` and `outlet` as untokenised strings, `date` stored only.
//!
//! Queries (`ID<TAB>QUERY`, the input of `newsdex batch`) go through
//! Tantivy's own `QueryParser` over title and text, with AND as the default
//! operator, and plain BM25. Shapes:
//! - `ids`: `TopDocs` of 10, no count, nothing read from the store (the
//!   work of `newsdex batch --format trec`, less reading the ids);
//! - `text`: `TopDocs` of 10 and `Count`, each hit's stored document read,
//!   a 400-character highlighted snippet of the text and the title
//!   highlighted (the work of `newsdex batch --format json`).
//!
//! `latency` runs the queries one after another, PASSES times, and prints
//! `{"passes_ms": [[ms per query] per pass]}`; `batch` runs them once on
//! THREADS threads (round robin) and prints the seconds from the first
//! query to the last answer.

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, Searcher, TantivyDocument};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> Result<&str> {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| "usage: see the comment at the top of main.rs".into())
    };
    match arg(0)? {
        "create" => create(Path::new(arg(1)?)),
        command @ ("latency" | "batch") => {
            let side = Side::open(Path::new(arg(1)?), arg(3)? == "text")?;
            let queries = read_queries(Path::new(arg(2)?))?;
            let n: usize = arg(4)?.parse()?;
            if command == "latency" {
                latency(&side, &queries, n)
            } else {
                batch(Arc::new(side), Arc::new(queries), n)
            }
        }
        other => Err(format!("unknown command {other}").into()),
    }
}

fn create(dir: &Path) -> Result<()> {
    let mut schema = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    schema.add_text_field("id", STRING | STORED);
    schema.add_text_field("outlet", STRING | STORED);
    schema.add_text_field("date", STORED);
    schema.add_text_field("title", text.clone());
    schema.add_text_field("text", text);
    std::fs::create_dir_all(dir)?;
    Index::create_in_dir(dir, schema.build())?;
    Ok(())
}

fn read_queries(path: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(path)?).lines() {
        let line = line?;
        if let Some((_, query)) = line.split_once('\t') {
            out.push(query.to_owned());
        }
    }
    Ok(out)
}

/// An open index and what a query needs.
struct Side {
    searcher: Searcher,
    parser: QueryParser,
    title: Field,
    text: Field,
    with_text: bool,
}

impl Side {
    fn open(dir: &Path, with_text: bool) -> Result<Self> {
        let index = Index::open_in_dir(dir)?;
        let schema = index.schema();
        let (title, text) = (schema.get_field("title")?, schema.get_field("text")?);
        let mut parser = QueryParser::for_index(&index, vec![title, text]);
        parser.set_conjunction_by_default();
        let searcher = index.reader()?.searcher();
        Ok(Side {
            searcher,
            parser,
            title,
            text,
            with_text,
        })
    }

    /// One query's answer; returns the number of hits (so nothing is optimised away).
    fn run(&self, query: &str) -> Result<usize> {
        let query = self.parser.parse_query(query)?;
        if !self.with_text {
            return Ok(self
                .searcher
                .search(&query, &TopDocs::with_limit(10))?
                .len());
        }
        let (top, count) = self
            .searcher
            .search(&query, &(TopDocs::with_limit(10), Count))?;
        let mut snippets = self.snippets(&*query, self.text, 400)?;
        let mut titles = self.snippets(&*query, self.title, 1000)?;
        let mut bytes = count;
        for (_, address) in top.iter() {
            let doc: TantivyDocument = self.searcher.doc(*address)?;
            bytes += snippets.snippet_from_doc(&doc).to_html().len();
            bytes += titles.snippet_from_doc(&doc).to_html().len();
        }
        Ok(top.len() + (bytes == usize::MAX) as usize)
    }

    fn snippets(&self, query: &dyn Query, field: Field, chars: usize) -> Result<SnippetGenerator> {
        let mut generator = SnippetGenerator::create(&self.searcher, query, field)?;
        generator.set_max_num_chars(chars);
        Ok(generator)
    }
}

fn latency(side: &Side, queries: &[String], passes: usize) -> Result<()> {
    let mut all = Vec::new();
    for _ in 0..passes {
        let mut times = Vec::with_capacity(queries.len());
        for query in queries {
            let started = Instant::now();
            side.run(query)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        all.push(serde_json::Value::from(times));
    }
    println!("{}", serde_json::json!({ "passes_ms": all }));
    Ok(())
}

fn batch(side: Arc<Side>, queries: Arc<Vec<String>>, threads: usize) -> Result<()> {
    let started = Instant::now();
    let workers: Vec<_> = (0..threads.max(1))
        .map(|t| {
            let (side, queries) = (Arc::clone(&side), Arc::clone(&queries));
            std::thread::spawn(move || -> Result<usize> {
                let mut hits = 0;
                for query in queries.iter().skip(t).step_by(threads.max(1)) {
                    hits += side.run(query)?;
                }
                Ok(hits)
            })
        })
        .collect();
    let mut hits = 0;
    for worker in workers {
        hits += worker.join().map_err(|_| "a worker panicked")??;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({ "seconds": seconds, "queries": queries.len(), "hits": hits })
    );
    Ok(())
}
