//! Crash safety and concurrency: `newsdex index` killed at random moments
//! leaves exactly its last commit and a re-run resumes; one writer at a
//! time; searching works while another process writes.
//!
//! Knobs for longer runs (defaults keep the suite fast):
//! `NEWSDEX_CRASH_ARTICLES` (a number, or `all` for the whole of Reuters),
//! `NEWSDEX_CRASH_KILLS`, `NEWSDEX_CRASH_SEED`, `NEWSDEX_CRASH_MAX_DELAY_MS`.
//! The seed is printed; in CI (`CI=true`) it is fixed unless given.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{shared_data, Project};

/// The seed of the random tests in CI.
const CI_SEED: u64 = 20_251_117;

/// A small deterministic random source (xorshift64*), so a failing run can be replayed by its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// A seed from the environment variable `var` (to replay a run), else
    /// a fixed one in CI (`CI=true`), else one from the clock. Callers
    /// print it.
    pub fn seeded(var: &str) -> (Rng, u64) {
        let seed = std::env::var(var)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                if crate::common::in_ci() {
                    return CI_SEED;
                }
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        (Rng::new(seed), seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

fn env_number(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn newsdex() -> PathBuf {
    assert_cmd::cargo::cargo_bin("newsdex")
}

/// Starts `newsdex --index DIR index --commit-every N INPUT` in `cwd`, output discarded.
fn spawn_index(cwd: &Path, index: &str, input: &str, commit_every: usize) -> Child {
    Command::new(newsdex())
        .current_dir(cwd)
        .env_remove("NEWSDEX_INDEX")
        .args([
            "--index",
            index,
            "index",
            "--commit-every",
            &commit_every.to_string(),
            input,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// One input record: its id and how many passages its body makes.
struct Record {
    id: String,
    passages: usize,
}

/// The first `n` lines of Reuters (all with `None`), written to `dest` as
/// plain JSON Lines, and what each record should become.
fn reuters_prefix(n: Option<usize>, dest: &Path) -> Option<Vec<Record>> {
    let path = shared_data("news/reuters21578.jsonl.gz")?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(
        std::fs::File::open(path).unwrap(),
    ));
    let mut out = String::new();
    let mut records = Vec::new();
    for line in reader.lines().take(n.unwrap_or(usize::MAX)) {
        let line = line.unwrap();
        let record: Value = serde_json::from_str(&line).unwrap();
        let nonempty = |k: &str| record[k].as_str().map(str::trim).filter(|s| !s.is_empty());
        let body = nonempty("text")
            .or(nonempty("title"))
            .unwrap()
            .replace("\r\n", "\n");
        records.push(Record {
            id: record["id"].as_str().unwrap().to_owned(),
            passages: newsdex::passage::split(&body).len(),
        });
        out.push_str(&line);
        out.push('\n');
    }
    std::fs::write(dest, out).unwrap();
    Some(records)
}

/// Article id → passage ordinals, read from the index's live documents.
fn indexed_passages(dir: &Path) -> BTreeMap<String, Vec<u64>> {
    let searcher = newsdex::search::Searcher::open(dir).unwrap();
    let snapshot = searcher.tantivy_searcher();
    let mut articles: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for segment in snapshot.segment_readers() {
        let fast = segment.fast_fields();
        let (Some(ids), passage) = (
            fast.str("article_id").unwrap(),
            fast.u64("passage").unwrap(),
        ) else {
            continue;
        };
        let mut name = String::new();
        for doc in segment.doc_ids_alive() {
            let ord = ids.term_ords(doc).next().unwrap();
            ids.ord_to_str(ord, &mut name).unwrap();
            articles
                .entry(name.clone())
                .or_default()
                .push(passage.first(doc).unwrap());
        }
    }
    for ordinals in articles.values_mut() {
        ordinals.sort_unstable();
    }
    articles
}

/// The payload of the last commit.
/// Waits until the indexer has committed part of a source, or has exited.
fn wait_for_partial_commit(writer: &mut Child, index: &Path) {
    let waited = Instant::now();
    while !index.join("meta.json").exists() || payload(index)["partial"].is_null() {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the indexer never committed"
        );
        if writer.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn payload(dir: &Path) -> Value {
    let meta: Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    meta["payload"]
        .as_str()
        .map_or(Value::Null, |p| serde_json::from_str(p).unwrap())
}

/// Checks that the index at `dir` opens, answers searches and stats, and
/// holds exactly a committed state of a run over `records` from `source`:
/// its first K records, each with all its passages, K being what the commit
/// payload says. Returns K.
fn check_committed_state(
    project: &Project,
    index: &str,
    source: &str,
    records: &[Record],
) -> usize {
    let dir = project.path(index);
    if !dir.join("meta.json").exists() {
        return 0; // killed before the index was created: nothing committed, nothing to open
    }
    let stats: Value =
        serde_json::from_str(&project.stdout(&["--index", index, "stats", "--format", "json"], 0))
            .unwrap();
    let search = project.run(&["--index", index, "search", "--plain", "oil prices"]);
    assert!(
        matches!(search.status.code(), Some(0 | 1)),
        "search after a kill: {search:?}"
    );

    let articles = indexed_passages(&dir);
    let k = articles.len();
    assert_eq!(
        stats["articles"].as_u64(),
        Some(k as u64),
        "stats agree with the documents"
    );
    let expected: HashSet<&str> = records[..k].iter().map(|r| r.id.as_str()).collect();
    let held: HashSet<&str> = articles.keys().map(String::as_str).collect();
    assert_eq!(
        held, expected,
        "the index holds exactly the first {k} records"
    );
    for record in &records[..k] {
        let ordinals = &articles[&record.id];
        let whole: Vec<u64> = (0..record.passages as u64).collect();
        assert_eq!(
            ordinals, &whole,
            "article {} has all its passages, once",
            record.id
        );
    }
    let partial = &payload(&dir)["partial"][source];
    if partial.is_null() {
        assert!(
            k == 0 || k == records.len(),
            "no partial source, so none or all of it: {k}"
        );
    } else {
        assert_eq!(
            partial["emitted"].as_u64(),
            Some(k as u64),
            "the payload names the committed records"
        );
    }
    k
}

#[test]
fn killed_at_random_moments_the_index_keeps_its_last_commit_and_resumes() {
    let project = Project::empty();
    let articles = match std::env::var("NEWSDEX_CRASH_ARTICLES").as_deref() {
        Ok("all") => None,
        _ => Some(env_number("NEWSDEX_CRASH_ARTICLES", 3000) as usize),
    };
    std::fs::create_dir_all(project.path("input")).unwrap();
    let Some(records) = reuters_prefix(articles, &project.path("input/reuters.jsonl")) else {
        return;
    };
    let (mut rng, seed) = Rng::seeded("NEWSDEX_CRASH_SEED");
    let kills = env_number("NEWSDEX_CRASH_KILLS", 20);
    let max_delay = env_number("NEWSDEX_CRASH_MAX_DELAY_MS", 900);
    let commit_every = (records.len() / 25).max(20);
    let source = "input/reuters.jsonl";
    eprintln!(
        "crash test: {} records, {kills} kills, seed {seed}",
        records.len()
    );

    let started = Instant::now();
    let mut states = Vec::new();
    for round in 0..kills {
        let mut child = spawn_index(project.dir.path(), "idx", source, commit_every);
        if round == 0 {
            // The first kill lands just after a commit inside the file, so
            // that the resume path runs whatever the machine's speed.
            wait_for_partial_commit(&mut child, &project.path("idx"));
        }
        let deadline = Instant::now() + Duration::from_millis(rng.range(10, max_delay));
        let mut finished = false;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap_or_default(); // SIGKILL
        let status = child.wait().unwrap();
        let k = check_committed_state(&project, "idx", source, &records);
        states.push(k);
        if finished {
            assert!(
                status.success(),
                "round {round}: index exited with {status}"
            );
            break;
        }
    }
    eprintln!("committed states after each kill (seed {seed}): {states:?}");
    assert!(
        states.iter().any(|&k| k > 0 && k < records.len()),
        "no kill landed between the first commit and the end (seed {seed}): {states:?}"
    );

    // A run that is left alone completes, resuming what was committed.
    let summary = project.stdout(&["--index", "idx", "index", source], 0);
    assert_eq!(
        check_committed_state(&project, "idx", source, &records),
        records.len(),
        "{summary}"
    );
    assert!(payload(&project.path("idx"))["partial"].is_null());
    let again = project.stdout(&["--index", "idx", "index", source], 0);
    assert!(again.contains("1 unchanged"), "{again}");
    eprintln!("crash test took {:.1} s", started.elapsed().as_secs_f64());
}

/// A JSON Lines file of `n` made-up articles of a few paragraphs each.
pub fn synthetic_jsonl(n: usize, rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "oil",
        "cartel",
        "minister",
        "said",
        "government",
        "prices",
        "the",
        "of",
        "bank",
        "trade",
        "venezuela",
        "talks",
        "market",
        "reuters",
        "strike",
        "court",
        "election",
        "tariff",
        "crude",
        "exports",
    ];
    let mut out = String::new();
    for i in 0..n {
        let mut text = String::new();
        for p in 0..3 {
            if p > 0 {
                text.push_str("\\n\\n");
            }
            for w in 0..40 {
                if w > 0 {
                    text.push(' ');
                }
                text.push_str(WORDS[rng.range(0, WORDS.len() as u64) as usize]);
            }
            text.push('.');
        }
        out.push_str(&format!("{{\"id\":\"s-{i}\",\"outlet\":\"Synthetic\",\"date\":\"2025-11-17\",\"text\":\"{text}\"}}\n"));
    }
    out
}

#[test]
fn one_writer_at_a_time_and_searching_while_writing() {
    let project = Project::empty();
    let mut rng = Rng::new(7);
    project.write("in/big.jsonl", synthetic_jsonl(2000, &mut rng));
    project.write(
        "in2/small.txt",
        "A small article\n\nIt waits for the writer.\n",
    );
    let mut writer = spawn_index(project.dir.path(), "idx", "in", 200);

    // Wait until the first process is well into its run (it has committed part of the file).
    wait_for_partial_commit(&mut writer, &project.path("idx"));
    let mut checked_lock = false;
    if writer.try_wait().unwrap().is_none() {
        let second = project.run(&["--index", "idx", "index", "in2"]);
        // Unless the first run ended in the meantime, the second must be refused.
        if writer.try_wait().unwrap().is_none() {
            assert_eq!(second.status.code(), Some(2), "{second:?}");
            let stderr = String::from_utf8_lossy(&second.stderr);
            assert!(
                stderr.contains("another process is writing the index at idx"),
                "{stderr}"
            );
            checked_lock = true;
        }
        // Searching during indexing works (found or not found, never an error).
        for _ in 0..3 {
            let search = project.run(&["--index", "idx", "search", "oil cartel"]);
            assert!(matches!(search.status.code(), Some(0 | 1)), "{search:?}");
            project.stdout(&["--index", "idx", "stats"], 0);
        }
    }
    assert!(writer.wait().unwrap().success());
    assert!(
        checked_lock,
        "the first indexer finished before the second could be tried"
    );
    // With the writer gone, the second run goes through.
    let summary = project.stdout(&["--index", "idx", "index", "in2"], 0);
    assert!(summary.contains("1 added"), "{summary}");
    let stats: Value =
        serde_json::from_str(&project.stdout(&["--index", "idx", "stats", "--format", "json"], 0))
            .unwrap();
    assert_eq!(stats["articles"], 2001);
}

#[test]
fn search_on_the_default_index_works_while_another_process_updates_it() {
    let project = Project::with_corpus();
    project.index();
    let mut rng = Rng::new(11);
    project.write("corpus/big.jsonl", synthetic_jsonl(2000, &mut rng));
    let mut writer = spawn_index(project.dir.path(), "index", "corpus", 200);
    wait_for_partial_commit(&mut writer, &project.path("index"));
    // The corpus is newer than the index, so `search` would update it: it
    // cannot take the writer, so it searches the last commit instead.
    project.write(
        "corpus/late.txt",
        "Late article\n\nWritten while the index is being updated.\n",
    );
    // Newer than any commit the writer makes meanwhile, so the index stays stale.
    std::fs::File::options()
        .write(true)
        .open(project.path("corpus/late.txt"))
        .unwrap()
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(3600))
        .unwrap();
    let search = project.run(&["search", "Cartel de los Soles"]);
    let running = writer.try_wait().unwrap().is_none();
    eprintln!("the writer was still running after the search: {running}");
    assert_eq!(search.status.code(), Some(0), "{search:?}");
    if running {
        let stderr = String::from_utf8_lossy(&search.stderr);
        assert!(
            stderr.contains("another process is updating index; searching its last commit"),
            "{stderr}"
        );
    }
    assert!(writer.wait().unwrap().success());
}
