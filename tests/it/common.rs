//! Test helpers: a temporary project folder with a copy of `corpus/`, and a
//! way to run the binary in it with a clean environment.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A temporary folder laid out like a newsdex project.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty project folder.
    pub fn empty() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A project whose `corpus/` is a copy of the bundled corpus.
    pub fn with_corpus() -> Project {
        let project = Project::empty();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let dst = project.path("corpus");
        std::fs::create_dir_all(&dst).unwrap();
        for entry in std::fs::read_dir(src).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
        }
        project
    }

    /// A path inside the project.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating folders).
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    /// `newsdex ARGS` run in the project folder with a clean environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("newsdex").unwrap();
        cmd.current_dir(self.dir.path())
            .env_remove("NEWSDEX_INDEX")
            .env_remove("NO_COLOR")
            .env("TERM", "dumb")
            .args(args);
        cmd
    }

    /// Runs `newsdex ARGS` and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs `newsdex ARGS`, expecting exit status `code`; returns stdout.
    pub fn stdout(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "newsdex {args:?}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs `newsdex index` and expects success.
    pub fn index(&self) -> String {
        self.stdout(&["index"], 0)
    }
}

/// Whether the tests run in CI (`CI=true`), where everything a test needs
/// must be there: a test fails rather than skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A test's requirement that is missing: in CI a failure, elsewhere a note
/// on stderr (the caller then skips).
pub fn missing(what: &str) {
    assert!(!in_ci(), "CI=true and {what}");
    eprintln!("skipped: {what}");
}

/// The shared data folder beside the checkout, when present.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if !path.exists() {
        missing(&format!("../shared/data/{rel} is absent"));
        return None;
    }
    Some(path)
}
