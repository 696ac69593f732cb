//! Article ids: one source per id whatever the order of runs, JSON Lines
//! records moved, renamed, split or merged between files, damaged JSON
//! Lines, and `show` taking back every id and location newsdex prints.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::common::Project;
use crate::crash::Rng;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every live passage of the index at `dir`, as (article id, passage) →
/// everything stored about it, so two indexes can be compared.
fn dump(dir: &Path) -> BTreeMap<(String, u64), String> {
    let store = newsdex::index::Store::open(dir).unwrap();
    let reader = store.index.reader().unwrap();
    let searcher = reader.searcher();
    let mut all = BTreeMap::new();
    for (ordinal, segment) in searcher.segment_readers().iter().enumerate() {
        for doc in segment.doc_ids_alive() {
            let stored: tantivy::TantivyDocument = searcher
                .doc(tantivy::DocAddress::new(ordinal as u32, doc))
                .unwrap();
            let (article, passage) = newsdex::search::read_passage(&store.fields, &stored);
            let key = (article.id.clone(), passage.index);
            let value = serde_json::to_string(&(article, passage)).unwrap();
            assert!(
                all.insert(key.clone(), value).is_none(),
                "passage {key:?} is in the index twice"
            );
        }
    }
    all
}

fn records(ids: &[&str]) -> String {
    ids.iter()
        .map(|id| {
            json!({"id": id, "text": format!("Record {id} on crude oil.")}).to_string() + "\n"
        })
        .collect()
}

fn articles(project: &Project, index: &str) -> u64 {
    let stats: Value =
        serde_json::from_str(&project.stdout(&["--index", index, "stats", "--format", "json"], 0))
            .unwrap();
    stats["articles"].as_u64().unwrap()
}

#[test]
fn records_moved_to_another_file_or_renamed_are_not_lost() {
    let project = Project::empty();
    let ids: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    project.write("c/a.jsonl", records(&ids[..30]));
    project.write("c/b.jsonl", records(&ids[30..]));
    project.stdout(&["index", "c"], 0);
    assert_eq!(articles(&project, "index"), 40);

    // Ten records move from a.jsonl to the end of b.jsonl.
    project.write("c/a.jsonl", records(&ids[10..30]));
    project.write("c/b.jsonl", records(&[&ids[30..], &ids[..10]].concat()));
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("duplicate"), "{}", stderr(&out));
    assert_eq!(articles(&project, "index"), 40);
    let shown: Value =
        serde_json::from_str(&project.stdout(&["show", "r3", "--format", "json"], 0)).unwrap();
    assert_eq!(shown["article"]["path"], "c/b.jsonl");

    // a.jsonl renamed, before and after b.jsonl in path order.
    for name in ["c/a-2025.jsonl", "c/z.jsonl"] {
        let old = if name == "c/a-2025.jsonl" {
            "c/a.jsonl"
        } else {
            "c/a-2025.jsonl"
        };
        std::fs::rename(project.path(old), project.path(name)).unwrap();
        let out = project.run(&["index", "c"]);
        assert_eq!(out.status.code(), Some(0));
        let summary = String::from_utf8_lossy(&out.stdout);
        assert!(
            summary.contains("1 added") && summary.contains("1 removed"),
            "{summary}"
        );
        assert!(!stderr(&out).contains("duplicate"), "{}", stderr(&out));
        assert_eq!(articles(&project, "index"), 40, "after renaming to {name}");
        let again = project.stdout(&["index", "c"], 0);
        assert!(again.contains("2 unchanged"), "{again}");
    }
}

#[test]
fn a_record_cannot_take_the_id_of_a_file_and_both_sources_are_named() {
    let project = Project::empty();
    project.write(
        "c/b.txt",
        "A file\n\nThe file's own text about crude oil.\n",
    );
    // Before the file in path order, and after it.
    project.write("c/a.jsonl", records(&["c/b.txt", "a1"]));
    project.write("c/z.jsonl", records(&["z1", "c/b.txt"]));
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains(
            "c/z.jsonl:2: article id 'c/b.txt' is the id of c/b.txt itself; record skipped"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "duplicate article id 'c/b.txt': kept here, and its record in c/a.jsonl is dropped"
        ),
        "{err}"
    );
    assert_eq!(articles(&project, "index"), 3);
    let shown: Value =
        serde_json::from_str(&project.stdout(&["show", "c/b.txt", "--format", "json"], 0)).unwrap();
    assert_eq!(shown["article"]["path"], "c/b.txt");
    assert_eq!(shown["passages"].as_array().unwrap().len(), 1, "{shown}");

    // Added in a later run, a record still cannot take the file's id.
    project.write("c/m.jsonl", records(&["c/b.txt", "m1"]));
    let err = stderr(&project.run(&["index", "c"]));
    assert!(
        err.contains("c/m.jsonl:1: article id 'c/b.txt' is the id of c/b.txt itself"),
        "{err}"
    );
    assert_eq!(articles(&project, "index"), 4);

    // With the file gone, the first record in path order takes its id, as a rebuild would give it.
    std::fs::remove_file(project.path("c/b.txt")).unwrap();
    project.stdout(&["index", "c"], 0);
    let shown: Value =
        serde_json::from_str(&project.stdout(&["show", "c/b.txt", "--format", "json"], 0)).unwrap();
    assert_eq!(shown["article"]["path"], "c/a.jsonl", "{shown}");
    project.stdout(&["--index", "rebuilt", "index", "c"], 0);
    assert_eq!(dump(&project.path("index")), dump(&project.path("rebuilt")));
}

#[test]
fn a_json_lines_file_with_a_damaged_line_keeps_its_good_records() {
    let project = Project::empty();
    let mut text = records(&["g1", "g2"]).into_bytes();
    text.extend_from_slice(b"{\"id\":\"nul\",\"text\":\"half\0\0\0\0\n");
    text.extend_from_slice(records(&["g3"]).as_bytes());
    text.extend_from_slice(b"{\"id\":\"latin\",\"text\":\"caf\xe9 con leche\"}\n");
    // What a crash or a full disk leaves at the end of a file.
    text.extend(std::iter::repeat_n(0u8, 5000));
    project.write("c/feed.jsonl", &text);
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("c/feed.jsonl:3: line holds NUL bytes"),
        "{err}"
    );
    assert!(
        err.contains("c/feed.jsonl:5: not UTF-8; decoded as windows-1252"),
        "{err}"
    );
    assert!(
        err.contains("c/feed.jsonl:6: line holds NUL bytes"),
        "{err}"
    );
    assert!(!err.contains("binary file"), "{err}");
    assert_eq!(articles(&project, "index"), 4);
    // A file of nothing but NUL bytes is still a binary file.
    project.write("d/zero.jsonl", vec![0u8; 10_000]);
    let err = stderr(&project.run(&["index", "d"]));
    assert!(
        err.contains("d/zero.jsonl: binary file (contains NUL bytes; no readable record); skipped"),
        "{err}"
    );
}

#[test]
fn record_ids_with_line_breaks_become_one_line() {
    let project = Project::empty();
    project.write(
        "c/feed.jsonl",
        [
            json!({"id": "two\nlines", "text": "A record about crude oil."}),
            json!({"id": "tab\there", "text": "Another record about crude oil."}),
            json!({"id": {"nested": 1}, "text": "A third record about crude oil."}),
        ]
        .iter()
        .map(|v| v.to_string() + "\n")
        .collect::<String>(),
    );
    let out = project.run(&["index", "c"]);
    let err = stderr(&out);
    assert!(
        err.contains(r#"c/feed.jsonl:1: record id "two\nlines" holds control characters (a line break, a tab); indexed as 'two lines'"#),
        "{err}"
    );
    assert!(err.contains("indexed as 'tab here'"), "{err}");
    assert!(
        err.contains(
            "c/feed.jsonl:3: record id is not a string or number; indexed as 'c/feed.jsonl:3'"
        ),
        "{err}"
    );
    assert_eq!(err.lines().count(), 3, "one line per warning: {err}");
    let trec = project.stdout(&["search", "--format", "trec", "crude oil"], 0);
    assert_eq!(trec.lines().count(), 3, "{trec}");
    for id in ["two lines", "tab here", "c/feed.jsonl:3"] {
        project.stdout(&["show", id], 0);
    }
}

/// Ids that look like other things: passages, locations, paths.
const ODD_IDS: &[&str] = &[
    "plain",
    "with#hash",
    "with#1",
    "with",
    "a:b:c",
    "spaces in the id",
    "slash/in/id",
    "ends with colon:",
    "c/feed.jsonl:1",
    "42",
];

#[test]
fn show_takes_every_id_and_location_that_search_prints() {
    let project = Project::empty();
    project.write(
        "c/story.txt",
        "Crude oil story\n\nFirst paragraph about crude oil prices and the cartel.\n\nSecond paragraph, where crude oil exports fell.\n",
    );
    project.write(
        "c/notes.md",
        "---\ntitle: Notes on crude\n---\n\n# Crude\n\nCrude oil notes in Markdown.\n",
    );
    project.write(
        "c/page.html",
        "<html><head><title>Crude page</title></head><body><article><p>A saved page on crude oil and its markets.</p></article></body></html>",
    );
    let mut feed = String::new();
    // Paragraphs long enough to be passages of their own.
    let filler = "The ministers met again and the talks went on late into the night. ".repeat(8);
    for (i, id) in ODD_IDS.iter().enumerate() {
        let text = format!(
            "Record {i} about crude oil. {filler}\n\nIts second paragraph on crude oil. {filler}"
        );
        feed.push_str(&(json!({"id": id, "text": text}).to_string() + "\n"));
    }
    feed.push_str(&(json!({"text": "A record without an id, on crude oil."}).to_string() + "\n"));
    project.write("c/feed.jsonl", feed);
    project.write(
        "c/more.ndjson",
        json!({"_id": "more 1", "body": "More crude oil."}).to_string() + "\n",
    );
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let show = |target: &str| -> Value {
        let out = project.run(&["show", target, "--format", "json"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "show {target:?}: {}",
            stderr(&out)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let result: Value = serde_json::from_str(&project.stdout(
        &["search", "--format", "json", "--limit", "1000", "crude oil"],
        0,
    ))
    .unwrap();
    let hits = result["hits"].as_array().unwrap();
    assert!(hits.len() >= 2 * ODD_IDS.len() + 4, "{result}");
    for hit in hits {
        let id = hit["article"]["id"].as_str().unwrap();
        let index = hit["passage"]["index"].as_u64().unwrap();
        let whole = show(id);
        assert_eq!(whole["article"]["id"], id, "show {id:?}");
        let passages = whole["passages"].as_array().unwrap();
        assert!(passages.iter().any(|p| p["text"] == hit["passage"]["text"]));
        // `ID#N`, as TREC prints it (unless that is another article's id: below).
        let passage = format!("{id}#{index}");
        if !ODD_IDS.contains(&passage.as_str()) {
            let one = show(&passage);
            assert_eq!(one["article"]["id"], id, "{passage}");
            assert_eq!(
                one["passages"][0]["text"], hit["passage"]["text"],
                "{passage}"
            );
        }
        // `FILE:LINE`, as the human format prints it: the record on that line,
        // or the passage of a file where the line falls.
        let location = hit["article"]["path"]
            .as_str()
            .zip(hit["passage"]["line"].as_u64());
        if let Some((path, line)) =
            location.filter(|&(p, l)| format!("{p}:{l}") != "c/feed.jsonl:1")
        {
            let at = show(&format!("{path}:{line}"));
            assert_eq!(at["article"]["id"], id, "{path}:{line}");
            let at = show(&format!("{path}:{line}  #{index}"));
            assert_eq!(
                at["passages"][0]["text"], hit["passage"]["text"],
                "{path}:{line}  #{index}"
            );
        }
    }
    // Every TREC docid and every human location line is taken back too.
    let trec = project.stdout(
        &["search", "--format", "trec", "--limit", "1000", "crude oil"],
        0,
    );
    for line in trec.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 6, "{line}");
        show(fields[2]);
    }
    let human = project.stdout(
        &["search", "--color", "never", "--limit", "1000", "crude oil"],
        0,
    );
    let locations: Vec<&str> = human
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("c/") && l.contains("  #"))
        .collect();
    assert_eq!(locations.len(), hits.len(), "{human}");
    for location in locations {
        show(location);
        show(location.split("  #").next().unwrap());
    }
    // A record's own id that is also the place of another record: the id
    // wins, with a note naming the other.
    let out = project.run(&["show", "c/feed.jsonl:1"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Record 8 about"));
    assert!(
        stderr(&out).contains("the record on that line is article 'plain'"),
        "{}",
        stderr(&out)
    );

    // An id that also reads as a passage of another article: the id wins, with a note.
    let out = project.run(&["show", "with#1"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Record 2 about crude oil"));
    assert!(
        stderr(&out).contains("passage #1 of article 'with' is in `newsdex show 'with'`"),
        "{}",
        stderr(&out)
    );
    let out = project.run(&["show", "with#hash#1"]);
    assert_eq!(out.status.code(), Some(0));
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("Its second paragraph") && !shown.contains("Record 1"),
        "{shown}"
    );
    // Not there: exit 1 with a message.
    for missing in ["nope", "with#9", "c/feed.jsonl:99", "c/story.txt#9"] {
        let out = project.run(&["show", missing]);
        assert_eq!(out.status.code(), Some(1), "{missing}");
        assert!(!stderr(&out).is_empty());
    }
}

/// Runs `newsdex --index INDEX index ARGS… c` and expects success.
fn index_run(project: &Project, index: &str, extra: &[&str]) -> String {
    let mut args = vec!["--index", index, "index"];
    args.extend_from_slice(extra);
    args.push("c");
    project.stdout(&args, 0)
}

/// The test corpus of the random moves: JSON Lines files of records, and a
/// few text files.
struct Corpus {
    /// File name (under `c/`) → its records, in order.
    files: BTreeMap<String, Vec<Value>>,
    next_file: usize,
    next_record: usize,
}

impl Corpus {
    fn record(&mut self, rng: &mut Rng) -> Value {
        self.next_record += 1;
        let n = self.next_record;
        let words = ["crude", "oil", "cartel", "tariff", "court", "talks"];
        let text = (0..3)
            .map(|p| {
                (0..12)
                    .map(|w| words[((n + p * 7 + w) * 31 % 97) % words.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(".\n\n");
        // Most records have ids; some have none (FILE:LINE), a few claim a text file's path.
        match rng.range(0, 20) {
            0 => json!({"text": format!("{text}. Record {n}.")}),
            1 => json!({"id": "c/t0.txt", "text": format!("{text}. Record {n}.")}),
            _ => {
                json!({"id": format!("r{n}"), "text": format!("{text}. Record {n}."), "outlet": "Wire"})
            }
        }
    }

    fn write(&self, project: &Project) {
        let dir = project.path("c");
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "jsonl") {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        for (name, records) in &self.files {
            let text: String = records.iter().map(|r| r.to_string() + "\n").collect();
            project.write(&format!("c/{name}"), text);
        }
    }

    fn new_name(&mut self, rng: &mut Rng) -> String {
        self.next_file += 1;
        let folder = ["", "sub/", "sub-x/"][rng.range(0, 3) as usize];
        format!("{folder}f{}-{}.jsonl", rng.range(0, 100), self.next_file)
    }

    fn pick(&self, rng: &mut Rng) -> Option<String> {
        let names: Vec<&String> = self.files.keys().collect();
        (!names.is_empty()).then(|| names[rng.range(0, names.len() as u64) as usize].clone())
    }

    /// One random change; says what it did.
    fn change(&mut self, rng: &mut Rng) -> String {
        let (Some(a), Some(b)) = (self.pick(rng), self.pick(rng)) else {
            let name = self.new_name(rng);
            let records = (0..5).map(|_| self.record(rng)).collect();
            self.files.insert(name.clone(), records);
            return format!("new {name}");
        };
        match rng.range(0, 8) {
            0 => {
                // Move some records from a to the end of b.
                let n = rng.range(1, 6) as usize;
                let taken: Vec<Value> = {
                    let from = self.files.get_mut(&a).unwrap();
                    let n = n.min(from.len());
                    from.drain(..n).collect()
                };
                self.files.get_mut(&b).unwrap().extend(taken);
                format!("move {n} {a} -> {b}")
            }
            1 => {
                let name = self.new_name(rng);
                let records = self.files.remove(&a).unwrap();
                self.files.insert(name.clone(), records);
                format!("rename {a} -> {name}")
            }
            2 => {
                let name = self.new_name(rng);
                let from = self.files.get_mut(&a).unwrap();
                let half = from.split_off(from.len() / 2);
                self.files.insert(name.clone(), half);
                format!("split {a} -> {name}")
            }
            3 if a != b => {
                let records = self.files.remove(&b).unwrap();
                self.files.get_mut(&a).unwrap().extend(records);
                format!("merge {b} into {a}")
            }
            4 => {
                // Copy some records: the same ids in two files.
                let copied: Vec<Value> = self.files[&a].iter().take(2).cloned().collect();
                self.files.get_mut(&b).unwrap().extend(copied);
                format!("copy 2 {a} -> {b}")
            }
            5 => {
                self.files.remove(&a);
                format!("delete {a}")
            }
            6 => {
                let record = self.record(rng);
                let to = self.files.get_mut(&a).unwrap();
                let at = rng.range(0, to.len() as u64 + 1) as usize;
                to.insert(at, record);
                format!("insert into {a}")
            }
            _ => {
                let name = self.new_name(rng);
                let records = (0..rng.range(1, 8)).map(|_| self.record(rng)).collect();
                self.files.insert(name.clone(), records);
                format!("new {name}")
            }
        }
    }
}

#[test]
fn incremental_runs_reach_the_index_of_a_rebuild_after_random_moves() {
    let project = Project::empty();
    let (mut rng, seed) = if std::env::var("CI").as_deref() == Ok("true")
        && std::env::var("NEWSDEX_MOVES_SEED").is_err()
    {
        (Rng::new(20251117), 20251117)
    } else {
        Rng::seeded("NEWSDEX_MOVES_SEED")
    };
    let rounds = std::env::var("NEWSDEX_MOVES_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    eprintln!("random moves: seed {seed} (NEWSDEX_MOVES_SEED={seed} replays it), {rounds} rounds");
    let mut corpus = Corpus {
        files: BTreeMap::new(),
        next_file: 0,
        next_record: 0,
    };
    for _ in 0..4 {
        let name = corpus.new_name(&mut rng);
        let records = (0..8).map(|_| corpus.record(&mut rng)).collect();
        corpus.files.insert(name, records);
    }
    project.write("c/t0.txt", "Text zero\n\nA text file about crude oil.\n");
    corpus.write(&project);
    index_run(&project, "inc", &[]);
    for round in 0..rounds {
        let mut done = Vec::new();
        for _ in 0..rng.range(1, 4) {
            done.push(corpus.change(&mut rng));
        }
        if rng.range(0, 4) == 0 {
            // The text file whose path records claim comes and goes.
            if project.path("c/t0.txt").exists() {
                std::fs::remove_file(project.path("c/t0.txt")).unwrap();
                done.push("delete t0.txt".into());
            } else {
                project.write("c/t0.txt", "Text zero\n\nA text file about crude oil.\n");
                done.push("restore t0.txt".into());
            }
        }
        corpus.write(&project);
        let context = format!("seed {seed}, round {round}: {done:?}");
        // Sometimes the run is killed after a commit, and the next run resumes.
        if rng.range(0, 3) == 0 {
            let mut child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
                .current_dir(project.dir.path())
                .args(["--index", "inc", "index", "--commit-every", "2", "c"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.range(20, 300)));
            child.kill().unwrap_or_default();
            child.wait().unwrap();
        }
        index_run(&project, "inc", &["--commit-every", "3"]);
        index_run(&project, "full", &["--rebuild"]);
        let (incremental, rebuilt) = (dump(&project.path("inc")), dump(&project.path("full")));
        if incremental != rebuilt {
            let only_inc: Vec<_> = incremental
                .keys()
                .filter(|k| !rebuilt.contains_key(*k))
                .collect();
            let only_full: Vec<_> = rebuilt
                .keys()
                .filter(|k| !incremental.contains_key(*k))
                .collect();
            let differ: Vec<_> = incremental
                .iter()
                .filter(|(k, v)| rebuilt.get(*k).is_some_and(|w| w != *v))
                .map(|(k, _)| k)
                .collect();
            panic!("{context}\nonly incremental: {only_inc:?}\nonly rebuild: {only_full:?}\ndiffer: {differ:?}");
        }
        let again = index_run(&project, "inc", &[]);
        assert!(
            again.contains("0 added, 0 updated, 0 removed") && again.contains(" 0 articles"),
            "{context}: a second run has nothing to do: {again}"
        );
    }
}
