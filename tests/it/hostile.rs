//! Hostile input: every bad file gets one warning line naming it (and the
//! line) and the reason, the run ends with counts, and the good articles are
//! all indexed. `--strict` fails such a run (exit 2) and keeps what it committed.

use std::io::Write;
use std::process::Output;

use serde_json::Value;

use crate::common::Project;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stats(project: &Project) -> Value {
    serde_json::from_str(&project.stdout(&["stats", "--format", "json"], 0)).unwrap()
}

fn show(project: &Project, id: &str) -> Value {
    serde_json::from_str(&project.stdout(&["show", id, "--format", "json"], 0)).unwrap()
}

/// A folder of good and hostile files side by side.
fn hostile_folder() -> Project {
    let project = Project::empty();
    project.write(
        "c/good/one.txt",
        "Good article one\n\nThe ministry said on Monday that talks on oil would resume.\n",
    );
    project.write(
        "c/good/two.md",
        "---\ntitle: Good article two\ndate: 2025-11-17\noutlet: Good Outlet\n---\n\nThe cartel was designated on Monday.\n",
    );
    project.write(
        "c/good/feed.jsonl",
        concat!(
            "{\"id\":\"r1\",\"title\":\"Record one\",\"text\":\"Oil prices rose.\"}\n",
            "not json at all\n",
            "[1, 2, 3]\n",
            "{\"id\":\"r1\",\"text\":\"The same id again.\"}\n",
            "{\"id\":\"r-empty\",\"title\":\"\",\"text\":\"  \"}\n",
            "{\"id\":\"r-future\",\"date\":\"99999-01-01\",\"text\":\"A record from the far future.\"}\n",
            "{\"id\":\"r-ctrl\",\"text\":\"Bell \\u0007 and escape \\u001b[31m red.\"}\n",
            "{\"id\":\"r2\",\"text\":\"Trade talks ended.\"}\n",
            "{\"id\":\"r-trunc\",\"text\":\"cut off\n",
        ),
    );
    project.write(
        "c/bad/binary.txt",
        b"GIF89a\x00\x01\x02\x00\x00binary stuff",
    );
    project.write(
        "c/bad/binary.jsonl",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03not really gzip",
    );
    project.write(
        "c/bad/invalid-utf8.txt",
        b"Caf\xe9 society\n\nThe caf\xe9 owners said oil was dear.\n",
    );
    project.write("c/bad/empty.txt", b"");
    project.write("c/bad/blank.md", b"  \n\n\t\n");
    project.write(
        "c/bad/front-matter.md",
        "---\ntitle: [unclosed\nauthor: {x\n---\n\nAn article whose front matter is broken still has text.\n",
    );
    project.write(
        "c/bad/date-99999.md",
        "---\ndate: 99999-01-01\n---\n\nAn article from year 99999.\n",
    );
    project.write(
        "c/bad/date-zero.md",
        "---\ndate: 0000-00-00\n---\n\nAn article from year zero.\n",
    );
    project.write(
        "c/bad/date-words.md",
        "---\ndate: not a date\n---\n\nAn article with words for a date.\n",
    );
    project.write("c/bad/control.txt", "Control characters\n\nA bell \x07 and an escape \x1b[31m in red\x1b[0m, and a form feed \x0c here.\n");
    let deep: String = (0..100).map(|_| "d/").collect();
    project.write(
        &format!("c/deep/{deep}deep.txt"),
        "Deep article\n\nFound a hundred folders down.\n",
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(".", project.path("c/bad/loop")).unwrap();
        std::os::unix::fs::symlink(
            "/nonexistent/newsdex/gone.txt",
            project.path("c/bad/gone.txt"),
        )
        .unwrap();
    }
    project
}

/// Warnings expected from `hostile_folder`: where, and a piece of the reason.
const EXPECTED: &[(&str, &str)] = &[
    ("c/good/feed.jsonl:2:", "invalid JSON"),
    ("c/good/feed.jsonl:3:", "not a JSON object"),
    (
        "c/good/feed.jsonl:4:",
        "duplicate id 'r1' (first on line 1)",
    ),
    ("c/good/feed.jsonl:5:", "record has no text or title"),
    ("c/good/feed.jsonl:6:", "'99999-01-01'"),
    ("c/good/feed.jsonl:7:", "control characters removed"),
    ("c/good/feed.jsonl:9:", "invalid JSON"),
    ("c/bad/binary.txt:", "binary file"),
    ("c/bad/binary.jsonl:", "binary file"),
    (
        "c/bad/invalid-utf8.txt:",
        "not UTF-8; decoded as windows-1252",
    ),
    ("c/bad/empty.txt:", "empty file"),
    ("c/bad/blank.md:", "empty file"),
    ("c/bad/front-matter.md:", "front matter is not valid YAML"),
    ("c/bad/date-99999.md:", "'99999-01-01'"),
    ("c/bad/date-zero.md:", "'0000-00-00'"),
    ("c/bad/date-words.md:", "'not a date' is not a date"),
    ("c/bad/control.txt:", "control characters removed"),
    ("c/bad/loop", "symbolic link loop"),
    ("c/bad/gone.txt", "cannot read"),
];

/// Articles that must be indexed from `hostile_folder`.
const GOOD: &[&str] = &[
    "c/good/one.txt",
    "c/good/two.md",
    "r1",
    "r-future",
    "r-ctrl",
    "r2",
    "c/bad/invalid-utf8.txt",
    "c/bad/front-matter.md",
    "c/bad/date-99999.md",
    "c/bad/date-zero.md",
    "c/bad/date-words.md",
    "c/bad/control.txt",
    "DEEP",
];

#[test]
fn each_bad_file_gets_one_warning_and_the_good_ones_are_indexed() {
    let project = hostile_folder();
    let out = project.run(&["index", "c", "c/good/one.txt"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let lines: Vec<&str> = err.lines().collect();
    for line in &lines {
        assert!(
            line.starts_with("newsdex: warning: "),
            "every stderr line is a warning: {line}"
        );
        let matching = EXPECTED
            .iter()
            .filter(|(at, why)| line.contains(at) && line.contains(why))
            .count();
        assert_eq!(matching, 1, "unexpected warning: {line}\nall:\n{err}");
    }
    for (at, why) in EXPECTED {
        let n = lines
            .iter()
            .filter(|l| l.contains(at) && l.contains(why))
            .count();
        assert_eq!(n, 1, "expected one warning '{at} … {why}', got {n}:\n{err}");
    }
    // The summary counts what happened.
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("4 skipped"),
        "binary ×2, empty ×2: {summary}"
    );
    assert!(
        summary.contains(&format!("{} articles", GOOD.len())),
        "{summary}"
    );
    assert!(
        summary.contains(&format!("{} warnings", EXPECTED.len() - 4)),
        "{summary}"
    );

    assert_eq!(stats(&project)["articles"], GOOD.len());
    let deep_id = format!("c/deep/{}deep.txt", "d/".repeat(100));
    for id in GOOD {
        show(&project, if *id == "DEEP" { &deep_id } else { id });
    }
    // Absurd dates are dropped; the articles stay, undated.
    for id in [
        "r-future",
        "c/bad/date-99999.md",
        "c/bad/date-zero.md",
        "c/bad/date-words.md",
    ] {
        assert!(show(&project, id)["article"]["date"].is_null(), "{id}");
    }
    // Control characters never reach the index (nor a terminal).
    for id in ["r-ctrl", "c/bad/control.txt"] {
        let text = show(&project, id)["passages"].to_string();
        assert!(
            !text.contains("\\u0007") && !text.contains("\\u001b") && !text.contains("\\f"),
            "{id}: {text}"
        );
    }
    assert!(show(&project, "c/bad/invalid-utf8.txt")["passages"]
        .to_string()
        .contains("café owners"));
    // A hundred folders deep is fine.
    let deep = project.stdout(&["search", "--format", "trec", "hundred folders"], 0);
    assert!(deep.contains("deep.txt"), "{deep}");

    // A re-run changes nothing, and still reports the files it skips.
    let again = project.run(&["index", "c"]);
    assert_eq!(again.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 added, 0 updated, 0 removed"));
}

#[test]
fn strict_fails_on_any_warning_and_keeps_what_was_indexed() {
    let project = hostile_folder();
    let out = project.run(&["index", "--strict", "c"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        stats(&project)["articles"],
        GOOD.len(),
        "the run committed its good articles"
    );
    // Without bad files, --strict passes.
    let clean = Project::empty();
    clean.write("c/a.txt", "A title\n\nA clean article.\n");
    clean.stdout(&["index", "--strict", "c"], 0);
}

#[test]
fn unreadable_files_are_skipped_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let project = Project::empty();
    project.write("c/ok.txt", "Fine\n\nA readable article.\n");
    project.write("c/locked.txt", "Locked\n\nNobody may read this.\n");
    let locked = project.path("c/locked.txt");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        eprintln!("skipped: running as root, a mode 000 file is still readable");
        return;
    }
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("c/locked.txt: cannot read") && err.contains("ermission denied"),
        "{err}"
    );
    assert_eq!(stats(&project)["articles"], 1);
}

#[test]
fn huge_files_are_refused_before_they_are_read() {
    let project = Project::empty();
    project.write("c/ok.txt", "Fine\n\nA normal article.\n");
    // Sparse files: hundreds of MB on paper, nothing on disk.
    for name in ["huge.txt", "huge.md", "huge.html", "huge.jsonl"] {
        let file = std::fs::File::create(project.path(&format!("c/{name}"))).unwrap();
        file.set_len(300 * 1024 * 1024).unwrap();
    }
    let started = std::time::Instant::now();
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    for name in ["huge.txt", "huge.md", "huge.html"] {
        assert!(
            err.contains(&format!("c/{name}: file is too large (300 MB")),
            "{err}"
        );
    }
    // JSON Lines is streamed, so size alone is no reason; this one is all NUL bytes.
    assert!(err.contains("c/huge.jsonl: binary file"), "{err}");
    assert!(
        started.elapsed().as_secs() < 20,
        "refused without reading: {:?}",
        started.elapsed()
    );
    assert_eq!(stats(&project)["articles"], 1);
}

#[test]
fn a_single_line_of_a_million_words_is_indexed_in_passages() {
    let project = Project::empty();
    let mut file = std::fs::File::create({
        std::fs::create_dir_all(project.path("c")).unwrap();
        project.path("c/long.txt")
    })
    .unwrap();
    let mut line = String::with_capacity(8 << 20);
    for i in 0..1_000_000u32 {
        line.push_str(["oil ", "cartel ", "talks ", "market "][i as usize % 4]);
    }
    line.push_str("zanzibar\n");
    file.write_all(line.as_bytes()).unwrap();
    drop(file);
    project.stdout(&["index", "c"], 0);
    let s = stats(&project);
    assert_eq!(s["articles"], 1);
    assert!(s["passages"].as_u64().unwrap() > 1_000_000 / 200, "{s}");
    let hit = project.stdout(
        &["search", "--format", "trec", "--limit", "1", "zanzibar"],
        0,
    );
    assert!(hit.contains("c/long.txt#"), "{hit}");
}

#[test]
fn an_overlong_json_lines_record_is_skipped_and_the_rest_indexed() {
    // The limit for one record is 64 MB; a line longer than that is skipped
    // without being held in memory, and the records after it are read.
    let project = Project::empty();
    let mut file = {
        std::fs::create_dir_all(project.path("c")).unwrap();
        std::fs::File::create(project.path("c/feed.jsonl")).unwrap()
    };
    file.write_all(
        b"{\"id\":\"a\",\"text\":\"before the long line\"}\n{\"id\":\"long\",\"text\":\"",
    )
    .unwrap();
    let chunk = "word ".repeat(1 << 16);
    for _ in 0..(65 * 1024 * 1024 / chunk.len() + 1) {
        file.write_all(chunk.as_bytes()).unwrap();
    }
    file.write_all(b"\"}\n{\"id\":\"b\",\"text\":\"after the long line\"}\n")
        .unwrap();
    drop(file);
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("c/feed.jsonl:2: line longer than 64 MB; skipped"),
        "{err}"
    );
    assert_eq!(stats(&project)["articles"], 2);
    show(&project, "b");
}

#[test]
fn duplicate_articles_are_indexed_once() {
    let project = Project::empty();
    project.write(
        "c/a.jsonl",
        "{\"id\":\"x\",\"text\":\"The first copy of x.\"}\n",
    );
    project.write(
        "c/b.jsonl",
        "{\"id\":\"x\",\"text\":\"A second article claiming id x.\"}\n{\"id\":\"y\",\"text\":\"Why not.\"}\n{\"id\":\"y\",\"text\":\"Y again.\"}\n",
    );
    // The same file reached twice (a folder and a file in it) is one source.
    let out = project.run(&["index", "c", "c/a.jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("c/b.jsonl:1: duplicate article id 'x' (kept from c/a.jsonl, first in path order); record skipped"),
        "{err}"
    );
    assert!(
        err.contains("c/b.jsonl:3: duplicate id 'y' (first on line 2); line skipped"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 2, "{err}");
    assert_eq!(stats(&project)["articles"], 2);
    assert!(show(&project, "x")["passages"]
        .to_string()
        .contains("The first copy"));

    // Across runs too: a file indexed later cannot take an id another file holds.
    project.write(
        "d/c.jsonl",
        "{\"id\":\"x\",\"text\":\"Third claim.\"}\n{\"id\":\"z\",\"text\":\"Zed.\"}\n",
    );
    let out = project.run(&["index", "d"]);
    assert!(stderr(&out).contains(
        "d/c.jsonl:1: duplicate article id 'x' (kept from c/a.jsonl, first in path order)"
    ));
    assert_eq!(stats(&project)["articles"], 3);
    // Re-indexing the owner keeps its ids.
    project.write(
        "c/a.jsonl",
        "{\"id\":\"x\",\"text\":\"The first copy of x, edited.\"}\n",
    );
    let out = project.run(&["index", "c"]);
    assert!(!stderr(&out).contains("c/a.jsonl"), "{}", stderr(&out));
    assert!(show(&project, "x")["passages"]
        .to_string()
        .contains("edited"));
}

/// Escape sequences and direction marks in file names and manifest values
/// reach the terminal escaped, also with `--color never`; a file name that
/// is not UTF-8 is skipped with a warning that shows its bytes.
#[test]
fn file_names_and_values_reach_the_terminal_escaped() {
    let project = Project::empty();
    let evil = "c/evil\u{1b}[2J\u{202E}txt.md";
    project.write(evil, "Clear screen\n\nThe cartel text of an evil name.\n");
    project.write(
        "c/manifest.csv",
        "path,outlet,title\nplain.txt,\"Wire\u{1b}]0;owned\u{7}\",\"Title \u{1b}[31mred\"\n",
    );
    project.write("c/plain.txt", "Plain\n\nThe cartel text of a plain name.\n");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9 cartel.txt");
        std::fs::write(
            project.path("c").join(name),
            "Latin-1 name\n\nThe cartel text.\n",
        )
        .unwrap();
    }
    let out = project.run(&["index", "c"]);
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(!err.contains('\u{1b}'), "{err:?}");
    #[cfg(unix)]
    assert!(
        err.contains("c/caf\\xE9 cartel.txt: the file name is not valid UTF-8"),
        "{err:?}"
    );
    assert_eq!(stats(&project)["articles"], 2);
    for format in [&["--color", "never"][..], &["--color", "always"], &[]] {
        let mut args = vec!["search", "cartel"];
        args.extend_from_slice(format);
        let out = project.run(&args);
        let text = String::from_utf8_lossy(&out.stdout);
        // Without the colour codes the printer writes itself (`--color
        // always`), no escape is left: those of the names and values are
        // shown escaped (below).
        let mut plain = String::new();
        for (i, piece) in text.split('\u{1b}').enumerate() {
            let sgr = piece.strip_prefix('[').and_then(|p| {
                let end = p.find(|c: char| !c.is_ascii_digit() && c != ';')?;
                p[end..].strip_prefix('m')
            });
            match (i, sgr) {
                (0, _) => plain.push_str(piece),
                (_, Some(rest)) => plain.push_str(rest),
                (_, None) => panic!("{format:?}: a raw escape in {text:?}"),
            }
        }
        assert!(
            !text.contains('\u{202E}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        for shown in [
            "evil\\u{1b}[2J\\u{202e}txt.md:1",
            "Wire\\u{1b}]0;owned\\u{7} · undated · Title \\u{1b}[31mred",
        ] {
            assert!(plain.contains(shown), "{format:?}: {shown} in {plain:?}");
        }
    }
    // JSON carries the values as they are.
    let json = project.stdout(&["search", "cartel", "--format", "json"], 0);
    assert!(json.contains("Wire\\u001b]0;owned\\u0007"), "{json}");
}
