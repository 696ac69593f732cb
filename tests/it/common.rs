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

/// The shared data folder beside the checkout, when present. A test skips
/// itself when it is absent, except in CI (`CI=true`), where it fails.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    available(path.exists(), &format!("{}", path.display())).then_some(path)
}

/// Whether the tests run in CI (`CI=true`), where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Whether what a test needs (`what`) is `present`. When it is not, the
/// test is skipped, saying so, except in CI, where it fails.
pub fn available(present: bool, what: &str) -> bool {
    if !present {
        assert!(
            !in_ci(),
            "CI=true, and this test needs {what}, which is missing"
        );
        eprintln!("skipped: this test needs {what}, which is missing");
    }
    present
}

/// Whether the machine grants what a test needs (`what`: root, a mount).
/// Unlike an installable tool or data, a privilege cannot be installed by
/// `.ci/run`, so its absence skips the test, saying so, also in CI.
pub fn privileged(present: bool, what: &str) -> bool {
    if !present {
        eprintln!("skipped: this test needs {what}, which this machine does not grant");
    }
    present
}
