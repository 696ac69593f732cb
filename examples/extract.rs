//! Writes the article text newsdex extracts from each saved web page in a
//! folder, one `ID.txt` per page, for `bench/extraction.py` to score
//! (docs/extraction.md). Warnings go to stderr; the last line gives the mean
//! and the slowest time per page, and pages that took half a second or more
//! are named.
//!
//!     cargo run --release --example extract -- HTML_DIR OUT_DIR

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(src), Some(out)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: extract HTML_DIR OUT_DIR");
        std::process::exit(2);
    };
    std::fs::create_dir_all(out)?;
    let mut paths: Vec<_> = std::fs::read_dir(src)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    paths.sort();
    let (mut total, mut slowest) = (Duration::ZERO, Duration::ZERO);
    for path in &paths {
        let html = String::from_utf8_lossy(&std::fs::read(path)?).into_owned();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let id = name.split('.').next().unwrap_or_default();
        let mut warnings = Vec::new();
        let start = Instant::now();
        let body = match newsdex::load::parse_html(&html, &name, &mut warnings) {
            Ok((_, body, _)) => body,
            Err(reason) => {
                eprintln!("{name}: skipped: {reason}");
                String::new()
            }
        };
        let took = start.elapsed();
        if took.as_millis() >= 500 {
            eprintln!("{name}: {:.1} s", took.as_secs_f64());
        }
        total += took;
        slowest = slowest.max(took);
        for warning in warnings {
            eprintln!("{warning}");
        }
        std::fs::write(std::path::Path::new(out).join(format!("{id}.txt")), body)?;
    }
    eprintln!(
        "{} pages: {:.1} ms/page mean, {:.1} ms slowest",
        paths.len(),
        total.as_secs_f64() * 1000.0 / paths.len().max(1) as f64,
        slowest.as_secs_f64() * 1000.0
    );
    Ok(())
}
