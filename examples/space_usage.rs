//! Bytes of an index per field and per part (term dictionary, postings,
//! positions, fast fields, field norms, stored passages), from Tantivy's
//! own accounting: where an index's size goes.
//!
//!     cargo run --release --example space_usage -- INDEX_DIR

use std::collections::BTreeMap;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: space_usage INDEX_DIR");
        std::process::exit(2);
    };
    let index = tantivy::Index::open_in_dir(&dir).unwrap_or_else(|e| {
        eprintln!("space_usage: {dir}: {e}");
        std::process::exit(2);
    });
    let searcher = index.reader().expect("a reader").searcher();
    let usage = searcher.space_usage().expect("space usage");
    const PARTS: [&str; 6] = [
        "termdict",
        "postings",
        "positions",
        "fast",
        "fieldnorm",
        "store",
    ];
    let mut fields: BTreeMap<String, [u64; 6]> = BTreeMap::new();
    for segment in usage.segments() {
        let parts = [
            segment.termdict(),
            segment.postings(),
            segment.positions(),
            segment.fast_fields(),
            segment.fieldnorms(),
        ];
        for (i, part) in parts.iter().enumerate() {
            for field in part.fields() {
                fields.entry(field.field_name().to_owned()).or_default()[i] +=
                    field.total().get_bytes();
            }
        }
        fields.entry("(stored passages)".into()).or_default()[5] +=
            segment.store().total().get_bytes();
    }
    print!("{:<20}", "field");
    for part in PARTS {
        print!(" {part:>10}");
    }
    println!(" {:>10}", "total");
    let mut totals = [0u64; 6];
    for (name, bytes) in &fields {
        print!("{name:<20}");
        for (i, b) in bytes.iter().enumerate() {
            print!(" {b:>10}");
            totals[i] += b;
        }
        println!(" {:>10}", bytes.iter().sum::<u64>());
    }
    print!("{:<20}", "total");
    for t in totals {
        print!(" {t:>10}");
    }
    println!(" {:>10}", totals.iter().sum::<u64>());
}
