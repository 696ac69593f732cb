//! Runs one extractor over a folder of saved pages and writes `ID.txt` per page,
//! for `bench/extraction.py` to score. Prints the mean time per page to stderr.
//!
//!     cargo run --release -- EXTRACTOR HTML_DIR OUT_DIR
//!
//! EXTRACTOR: rs-trafilatura | rs-trafilatura-precision | rs-trafilatura-recall |
//! dom_smoothie | readability

use std::time::{Duration, Instant};
use std::{env, fs, path::Path};

fn extract(kind: &str, html: &str) -> String {
    match kind {
        "rs-trafilatura" | "rs-trafilatura-precision" | "rs-trafilatura-recall" => {
            let options = rs_trafilatura::Options {
                favor_precision: kind.ends_with("precision"),
                favor_recall: kind.ends_with("recall"),
                ..rs_trafilatura::Options::default()
            };
            rs_trafilatura::extract_with_options(html, &options)
                .map(|r| r.content_text)
                .unwrap_or_default()
        }
        "dom_smoothie" => {
            let cfg = dom_smoothie::Config {
                text_mode: dom_smoothie::TextMode::Formatted,
                ..Default::default()
            };
            dom_smoothie::Readability::new(html, None, Some(cfg))
                .and_then(|mut r| r.parse())
                .map(|a| a.text_content.to_string())
                .unwrap_or_default()
        }
        "readability" => {
            let url = url::Url::parse("https://example.com/").unwrap();
            readability::extractor::extract(&mut html.as_bytes(), &url)
                .map(|p| p.text)
                .unwrap_or_default()
        }
        other => panic!("unknown extractor {other}"),
    }
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let [kind, src, out] = &args[..] else {
        panic!("usage: extractors EXTRACTOR HTML_DIR OUT_DIR");
    };
    fs::create_dir_all(out).unwrap();
    let mut names: Vec<_> = fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let (mut total, mut slowest) = (Duration::ZERO, Duration::ZERO);
    for path in &names {
        let html = String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
        let start = Instant::now();
        let text = extract(kind, &html);
        let took = start.elapsed();
        total += took;
        slowest = slowest.max(took);
        let id = path.file_name().unwrap().to_str().unwrap().split('.').next().unwrap();
        fs::write(Path::new(out).join(format!("{id}.txt")), text).unwrap();
    }
    eprintln!(
        "{kind}: {:.1} ms/page mean, {:.1} ms slowest, {} pages",
        total.as_secs_f64() * 1000.0 / names.len() as f64,
        slowest.as_secs_f64() * 1000.0,
        names.len()
    );
}
