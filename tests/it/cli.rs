//! The command line's own messages and pages: one clear line for a bad
//! path, and a man page per command.

use crate::common::Project;

/// An index path that is a file (or lies under one) is one clear line,
/// whatever the command.
#[test]
fn an_index_path_that_is_a_file_is_one_clear_message() {
    let p = Project::with_corpus();
    p.write("notes.txt", "not an index");
    for (args, expected) in [
        (
            &["--index", "notes.txt", "index"][..],
            "notes.txt: is a file, not an index folder",
        ),
        (
            &["--index", "notes.txt", "search", "Maduro"],
            "notes.txt: is a file, not an index folder",
        ),
        (
            &["--index", "notes.txt", "stats"],
            "notes.txt: is a file, not an index folder",
        ),
        (
            &["--index", "notes.txt/idx", "index"],
            "notes.txt/idx: notes.txt is a file, not a folder",
        ),
    ] {
        let out = p.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("newsdex: error: {expected}\n"),
            "{args:?}"
        );
    }
    // An I/O error is said once.
    let out = p.run(&["batch", "no-such-queries.txt"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("No such file").count(), 1, "{stderr}");
}

#[test]
fn man_prints_a_page_per_command_with_its_options() {
    let p = Project::empty();
    let top = p.stdout(&["man"], 0);
    assert!(
        top.starts_with(".ie") && top.contains(".TH newsdex 1"),
        "{top}"
    );
    assert!(top.contains("newsdex man search") && top.contains("QUERY SYNTAX"));
    let search = p.stdout(&["man", "search"], 0);
    for flag in [
        "\\-\\-timeout",
        "\\-\\-since",
        "\\-\\-articles",
        "\\-\\-query\\-id",
        "QUERY SYNTAX",
    ] {
        assert!(search.contains(flag), "{flag}");
    }
    let eval = p.stdout(&["man", "eval"], 0);
    assert!(eval.contains("\\-\\-collection") && eval.contains("\\-\\-qrels"));
    let out = p.run(&["man", "serch"]);
    assert_eq!(out.status.code(), Some(2));
}
