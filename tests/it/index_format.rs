//! Index format safety: an index written by another schema version, or a
//! damaged index folder, gives exit 2 with a message naming the folder and
//! the command that rebuilds it; that command works. So does an index
//! analysed by another stemmer. Fixtures in `tests/fixtures/index/`:
//! `schema0` (a real index whose payload says schema 0), `corrupt` (a
//! truncated `meta.json`), and `v0.1.0-schema2` (an index written by newsdex
//! 0.1.0, which did not record its text analysis); an index whose segment
//! files are gone is made by the test.

use std::path::Path;

use crate::common::Project;

/// A project with `fixtures/index/NAME` copied to `idx/` and one article in `src/`.
fn with_index_fixture(name: &str) -> Project {
    let project = Project::empty();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/index")
        .join(name);
    std::fs::create_dir_all(project.path("idx")).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), project.path("idx").join(entry.file_name())).unwrap();
    }
    project.write("idx/README.md", "The index folder.\n");
    project.write(
        "src/a.txt",
        "Rebuilt article\n\nThe rebuilt index holds this article about oil.\n",
    );
    project
}

fn expect_refusal(project: &Project, args: &[&str], what: &str) {
    let out = project.run(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(what), "{args:?}: {stderr}");
    assert!(stderr.contains("idx"), "names the folder: {stderr}");
    assert!(
        stderr.contains("newsdex index --rebuild --index idx"),
        "gives the command: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn check_refused_then_rebuilt(name: &str, what: &str) {
    let project = with_index_fixture(name);
    for args in [
        &["--index", "idx", "search", "oil"][..],
        &["--index", "idx", "stats"],
        &["--index", "idx", "show", "src/a.txt"],
        &["--index", "idx", "index", "src"],
    ] {
        expect_refusal(&project, args, what);
    }
    // The command the message gives rebuilds the index, and keeps other files of the folder.
    let summary = project.stdout(&["--index", "idx", "index", "--rebuild", "src"], 0);
    assert!(summary.contains("1 added"), "{summary}");
    let hits = project.stdout(
        &["--index", "idx", "search", "--format", "trec", "rebuilt"],
        0,
    );
    assert!(hits.contains("src/a.txt"), "{hits}");
    assert!(project.path("idx/README.md").exists());
}

#[test]
fn an_index_of_another_schema_version_is_refused_and_can_be_rebuilt() {
    check_refused_then_rebuilt("schema0", "written by another version of newsdex (schema 0");
}

#[test]
fn a_corrupt_index_folder_is_refused_and_can_be_rebuilt() {
    check_refused_then_rebuilt("corrupt", "is not a readable newsdex index");
}

#[test]
fn an_index_with_missing_segment_files_is_refused_and_can_be_rebuilt() {
    // Made here rather than kept as a fixture, so that it stays this schema version's.
    let project = with_index_fixture("corrupt");
    std::fs::remove_file(project.path("idx/meta.json")).unwrap();
    project.stdout(&["--index", "idx", "index", "src"], 0);
    for entry in std::fs::read_dir(project.path("idx")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "store" || e == "idx") {
            std::fs::remove_file(path).unwrap();
        }
    }
    for args in [
        &["--index", "idx", "search", "oil"][..],
        &["--index", "idx", "index", "src"],
    ] {
        expect_refusal(&project, args, "is not a readable newsdex index");
    }
    project.stdout(&["--index", "idx", "index", "--rebuild", "src"], 0);
    project.stdout(&["--index", "idx", "search", "rebuilt"], 0);
}

#[test]
fn the_schema_version_is_recorded_and_reported() {
    let project = Project::empty();
    project.write("src/a.txt", "Article\n\nText about oil.\n");
    project.stdout(&["--index", "idx", "index", "src"], 0);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.path("idx/meta.json")).unwrap()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["schema_version"], newsdex::schema::SCHEMA_VERSION);
    let stats: serde_json::Value =
        serde_json::from_str(&project.stdout(&["--index", "idx", "stats", "--format", "json"], 0))
            .unwrap();
    assert_eq!(stats["schema_version"], newsdex::schema::SCHEMA_VERSION);
}

#[test]
fn an_index_killed_before_its_first_commit_opens_empty() {
    // Tantivy writes meta.json (without a payload) when it creates an index;
    // a kill before newsdex's first commit leaves exactly that.
    let project = Project::empty();
    std::fs::create_dir_all(project.path("idx")).unwrap();
    let (schema, _) = newsdex::schema::build();
    tantivy::Index::create_in_dir(project.path("idx"), schema).unwrap();
    let out = project.run(&["--index", "idx", "search", "oil"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    project.write("src/a.txt", "Article\n\nText about oil.\n");
    project.stdout(&["--index", "idx", "index", "src"], 0);
    project.stdout(&["--index", "idx", "search", "oil"], 0);
}

#[test]
fn an_index_written_by_the_previous_release_is_refused_and_can_be_rebuilt() {
    // newsdex 0.1.0 did not record which stemmer analysed the index.
    check_refused_then_rebuilt("v0.1.0-schema2", "written by another version of newsdex");
}

#[test]
fn an_index_analysed_by_another_stemmer_is_refused_and_can_be_rebuilt() {
    let project = with_index_fixture("corrupt");
    std::fs::remove_file(project.path("idx/meta.json")).unwrap();
    project.stdout(&["--index", "idx", "index", "src"], 0);
    let meta = std::fs::read_to_string(project.path("idx/meta.json")).unwrap();
    let recorded = newsdex::analysis::ANALYZER_VERSION;
    assert!(meta.contains(recorded), "the commit records the analysis");
    std::fs::write(
        project.path("idx/meta.json"),
        meta.replace(recorded, "newsdex-1 frostem-1.20250101.0"),
    )
    .unwrap();
    for args in [
        &["--index", "idx", "search", "oil"][..],
        &["--index", "idx", "stats"],
        &["--index", "idx", "check"],
        &["--index", "idx", "index", "src"],
    ] {
        expect_refusal(
            &project,
            args,
            &format!(
                "text analysis 'newsdex-1 frostem-1.20250101.0', this version uses '{recorded}'"
            ),
        );
    }
    project.stdout(&["--index", "idx", "index", "--rebuild", "src"], 0);
    project.stdout(&["--index", "idx", "search", "rebuilt"], 0);
}
