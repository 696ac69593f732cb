//! `bench/make_scale_corpus.py`, the benchmarks' million-article corpus:
//! copies of a source whose text varies from copy to copy, so that the
//! vocabulary grows with the corpus as real news does. Needs `python3`
//! (a failure, not a skip, under `CI=true`).

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;

const SOURCE: &str = r#"{"id": "a", "outlet": "Reuters", "date": "1987-06-15", "title": "REAGAN MEETS BAKER", "url": null, "text": "President Ronald Reagan met Treasury Secretary James Baker in Washington on Monday. Reagan said the deficit would fall to 172 billion dlrs in 1987, and Baker agreed."}
{"id": "b", "outlet": "Reuters", "date": "1987-06-16", "title": "COCOA PRICES RISE", "url": null, "text": "Cocoa prices rose sharply in London as traders in Accra reported a smaller harvest of 220,000 tonnes, the lowest since 1984."}
{"id": "c", "outlet": "Reuters", "date": "1987-06-17", "title": "OPEC OUTPUT", "url": null, "text": "Oil ministers from Saudi Arabia and Venezuela discussed production quotas in Vienna, where Opec output stood at 16.5 mln barrels."}
"#;

/// Runs the generator; `None` when python3 is missing outside CI.
fn generate(dir: &Path, articles: usize, extra: &[&str]) -> Option<String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/make_scale_corpus.py");
    let source = dir.join("source.jsonl");
    std::fs::write(&source, SOURCE).unwrap();
    let out = dir.join(format!("out-{articles}{}.jsonl", extra.join("")));
    let status = Command::new("python3")
        .arg(script)
        .args(["-n", &articles.to_string(), "--quiet", "--source"])
        .arg(&source)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .status();
    match status {
        Ok(status) => assert!(status.success(), "make_scale_corpus.py failed"),
        Err(e) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipped: python3 cannot be run ({e})");
            return None;
        }
        Err(e) => panic!("python3 cannot be run under CI=true: {e}"),
    }
    Some(std::fs::read_to_string(out).unwrap())
}

fn records(jsonl: &str) -> Vec<serde_json::Value> {
    jsonl
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn vocabulary(records: &[serde_json::Value]) -> HashSet<String> {
    let mut words = HashSet::new();
    for r in records {
        for field in ["title", "text"] {
            let text = r[field].as_str().unwrap_or("").to_lowercase();
            words.extend(
                text.split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned),
            );
        }
    }
    words
}

#[test]
fn scale_corpus_copies_vary_their_words_and_the_vocabulary_grows() {
    let dir = tempfile::tempdir().unwrap();
    let Some(varied) = generate(dir.path(), 300, &[]) else {
        return;
    };
    let scale = records(&varied);
    let source = records(SOURCE);
    assert_eq!(scale.len(), 300);
    let ids: HashSet<&str> = scale.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 300, "ids are unique");

    // The first copy is the source's text but for its years, moved with
    // its dates; later copies differ in more.
    for (copy, original) in scale.iter().zip(&source) {
        let year: u32 = copy["date"].as_str().unwrap()[..4].parse().unwrap();
        let moved = original["text"]
            .as_str()
            .unwrap()
            .replace("1987", &(year).to_string())
            .replace("1984", &(year - 3).to_string());
        assert_eq!(copy["text"].as_str().unwrap(), moved);
    }
    let changed = scale[3..]
        .iter()
        .zip(source.iter().cycle())
        .filter(|(copy, original)| copy["text"] != original["text"])
        .count();
    assert!(
        changed > 250,
        "only {changed} of 297 copies vary their text"
    );

    // A copy's years move with its dates.
    for r in scale
        .iter()
        .filter(|r| r["text"].as_str().unwrap().contains("deficit"))
    {
        let year = &r["date"].as_str().unwrap()[..4];
        assert!(
            r["text"]
                .as_str()
                .unwrap()
                .contains(&format!(" in {year},")),
            "{r}"
        );
    }

    // Plain copies keep the source's vocabulary; varied ones grow it.
    let plain = records(&generate(dir.path(), 300, &["--plain"]).unwrap());
    assert_eq!(vocabulary(&plain), vocabulary(&source));
    let (base, grown) = (vocabulary(&source).len(), vocabulary(&scale).len());
    assert!(grown > 3 * base, "{grown} distinct words from {base}");

    // The same arguments give the same bytes.
    assert_eq!(generate(dir.path(), 300, &[]).unwrap(), varied);
}
