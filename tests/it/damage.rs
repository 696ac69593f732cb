//! A damaged index never answers wrong and never panics: with one byte
//! changed or a file cut short anywhere in the index folder, every command
//! either answers exactly as the intact index does, or exits 2 naming the
//! damaged file and the command that rebuilds the index. `newsdex check`
//! finds the same damage.

use std::path::Path;
use std::process::Command;

use crate::common::{available, Project};

/// The commands whose answers are compared, as `newsdex --index idx ARGS`.
const COMMANDS: &[&[&str]] = &[
    &["search", "--format", "json", "oil prices"],
    &[
        "search",
        "--format",
        "trec",
        "--articles",
        "--match",
        "any",
        "talks court",
    ],
    &[
        "search",
        "--format",
        "jsonl",
        "--sort",
        "newest",
        "\"oil talks\"",
    ],
    &["stats", "--format", "json"],
    &["show", "--format", "json", "src/b.txt"],
];

/// An index of two segments, one with deletions (so a `.del` file).
fn project() -> Option<Project> {
    let p = Project::empty();
    p.write(
        "src/a.txt",
        "Oil talks resume\n\nMinisters said the oil talks would resume in Vienna.\n\nPrices rose after the announcement.\n",
    );
    p.write(
        "src/b.md",
        "---\ntitle: Court rules on tariffs\noutlet: Example Times\ndate: 2025-11-17\n---\n\nThe court ruled on tariffs and oil exports.\n",
    );
    p.write(
        "src/b.txt",
        "Bank talks\n\nThe bank held talks on prices.\n",
    );
    // On one core the index writer has one thread, so the first run makes
    // one segment, whose documents of `a.txt` the second run deletes.
    let one_core = Command::new("taskset")
        .args(["-c", "0"])
        .arg(assert_cmd::cargo::cargo_bin("newsdex"))
        .args(["--index", "idx", "index", "src"])
        .current_dir(p.dir.path())
        .output();
    if !available(one_core.is_ok(), "taskset (util-linux)") {
        return None;
    }
    assert!(one_core.as_ref().unwrap().status.success(), "{one_core:?}");
    p.write(
        "src/a.txt",
        "Oil talks end\n\nMinisters said the oil talks ended in Vienna.\n\nPrices fell after the announcement.\n",
    );
    p.write(
        "src/c.txt",
        "Crude exports\n\nCrude oil exports rose, the court heard.\n",
    );
    p.stdout(&["--index", "idx", "index", "src"], 0);
    Some(p)
}

/// Exit status and stdout of a command, `took_ms` and the index size left out.
fn answer(p: &Project, args: &[&str]) -> (Option<i32>, String, String) {
    let mut full = vec!["--index", "idx"];
    full.extend_from_slice(args);
    let out = p.run(&full);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut kept = String::new();
    for line in stdout.lines() {
        match serde_json::from_str::<serde_json::Value>(line) {
            Ok(mut value) if value.is_object() => {
                let object = value.as_object_mut().unwrap();
                object.remove("took_ms");
                object.remove("index_bytes");
                kept.push_str(&value.to_string());
            }
            _ => kept.push_str(line),
        }
        kept.push('\n');
    }
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), kept, stderr)
}

/// The ways one file is damaged: a byte changed at several places, or the
/// file cut short. In `meta.json`, each digit is changed in turn (a
/// changed number keeps the JSON valid, which is the dangerous case).
fn damages(name: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut cases = Vec::new();
    let len = bytes.len();
    if name == "meta.json" {
        for (at, &b) in bytes.iter().enumerate() {
            if b.is_ascii_digit() {
                let mut changed = bytes.to_vec();
                changed[at] = b'0' + (b - b'0' + 1) % 10;
                cases.push((format!("digit at {at}"), changed));
            }
        }
    }
    // The start, the middle, and the footer (where Tantivy keeps the
    // file's checksum, format version and length).
    let mut places = vec![0, len / 3, len / 2, len * 2 / 3];
    places.extend(
        [1, 2, 4, 5, 8, 12, 16, 24]
            .iter()
            .filter_map(|&back| len.checked_sub(back)),
    );
    places.sort_unstable();
    places.dedup();
    for at in places.into_iter().filter(|&at| at < len) {
        let mut flipped = bytes.to_vec();
        flipped[at] ^= 0x10;
        cases.push((format!("byte {at} flipped"), flipped));
    }
    for keep in [0, len / 2, len.saturating_sub(1)] {
        if keep < len {
            cases.push((format!("cut to {keep} bytes"), bytes[..keep].to_vec()));
        }
    }
    cases
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn a_damaged_index_answers_as_before_or_is_refused_naming_the_file() {
    let Some(p) = project() else {
        return;
    };
    let idx = p.path("idx");
    let intact = p.path("intact");
    copy_dir(&idx, &intact);
    let expected: Vec<_> = COMMANDS.iter().map(|args| answer(&p, args)).collect();
    for (code, _, stderr) in &expected {
        assert!(matches!(code, Some(0 | 1)), "{stderr}");
    }
    assert!(
        std::fs::read_dir(&idx).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".del")),
        "the index has a deletion file"
    );
    let check = p.stdout(&["--index", "idx", "check"], 0);
    assert!(check.ends_with("ok\n"), "{check}");

    let mut files: Vec<String> = std::fs::read_dir(&intact)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".lock"))
        .collect();
    files.sort();
    let (mut refused, mut same) = (0, 0);
    let started = std::time::Instant::now();
    for name in &files {
        let bytes = std::fs::read(intact.join(name)).unwrap();
        for (how, damaged) in damages(name, &bytes) {
            copy_dir(&intact, &idx);
            std::fs::write(idx.join(name), &damaged).unwrap();
            let case = format!("{name}, {how}");
            let mut was_refused = false;
            for (args, expected) in COMMANDS.iter().zip(&expected) {
                let got = answer(&p, args);
                let (code, _, stderr) = &got;
                assert!(!stderr.contains("panicked"), "{case}: {args:?}: {stderr}");
                if *code == Some(2) {
                    assert!(
                        stderr.contains("rebuild it with `newsdex index --rebuild --index idx`"),
                        "{case}: {args:?}: gives the rebuild command: {stderr}"
                    );
                    let named = stderr.contains(name.as_str())
                        || stderr.contains("written by another version of newsdex")
                        || (name == "meta.json" && stderr.contains(".idx"));
                    assert!(named, "{case}: {args:?}: names the damaged file: {stderr}");
                    // Refused at open: the other commands would be too.
                    was_refused = true;
                    break;
                } else {
                    assert_eq!(
                        &got, expected,
                        "{case}: {args:?}: an answer must be the intact index's answer"
                    );
                }
            }
            if was_refused {
                refused += 1;
                // `check` finds what the commands refused.
                let out = p.run(&["--index", "idx", "check"]);
                assert_eq!(out.status.code(), Some(2), "{case}: check: {out:?}");
            } else {
                same += 1;
            }
        }
    }
    eprintln!("damaged index: {refused} cases refused, {same} answered as the intact index");
    assert!(refused > 100, "{refused} refused");
    eprintln!("took {:.1} s", started.elapsed().as_secs_f64());
}
