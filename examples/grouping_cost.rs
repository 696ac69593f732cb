//! Times the copy grouping of an index, step by step, in one process: the
//! reading of the stored signatures, then the grouping (LSH candidates,
//! verification, clustering). The "grouping step" rows of BENCHMARKS.md.
//!
//!     cargo run --release --example grouping_cost -- INDEX [RUNS]
//!
//! Prints one JSON object per run: `{"read_s", "group_s", "articles",
//! "groups", "digest"}`, wall seconds (`RAYON_NUM_THREADS=1` makes them CPU
//! seconds); `digest` is a BLAKE3 digest of the groups' JSON, which tells
//! two builds that group alike.

use std::path::Path;
use std::time::Instant;

use newsdex::story::groups::{candidates, Groups};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: grouping_cost INDEX [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(2).map_or(Ok(1), |r| r.parse())?;
    let index = tantivy::Index::open_in_dir(Path::new(dir))?;
    let searcher = index.reader()?.searcher();
    for _ in 0..runs {
        let started = Instant::now();
        let table = candidates(&searcher)?;
        let read = started.elapsed().as_secs_f64();
        let articles = table.len();
        let started = Instant::now();
        let groups = Groups::compute_table(String::new(), table);
        let group = started.elapsed().as_secs_f64();
        let digest = blake3::hash(&serde_json::to_vec(&groups.groups)?).to_hex();
        println!(
            "{{\"read_s\": {read:.3}, \"group_s\": {group:.3}, \"articles\": {articles}, \"groups\": {}, \"digest\": \"{}\"}}",
            groups.groups.len(),
            &digest[..16]
        );
    }
    Ok(())
}
