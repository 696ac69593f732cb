//! An index on storage newsdex may not write: searched all the same from
//! a read-only file system or a folder the user may only read; `index`
//! there says the folder is not writable; and a disk that fills up during
//! `index` is named as such, with the last commit kept.
//!
//! The file-system cases mount a small tmpfs, and the permission case runs
//! newsdex as the user `nobody` when the tests run as root: they need root.
//! Without it they are skipped, saying so (root is a privilege of the
//! machine, not something `.ci/run` can install).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{available, privileged, Project};
use crate::crash::{synthetic_jsonl, Rng};

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

/// A tmpfs of `size` mounted on a folder, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(at).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .is_ok_and(|out| out.status.success());
        privileged(mounted, "root, to mount a tmpfs").then(|| Tmpfs(at.to_path_buf()))
    }

    fn remount_read_only(&self) {
        let out = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
    }
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Reading commands work on the index at `idx`, and `index` is refused as not writable.
fn check_read_only(p: &Project, run: &dyn Fn(&[&str]) -> std::process::Output) {
    let idx = p.path("idx");
    let idx = idx.to_str().unwrap();
    let search = run(&["--index", idx, "search", "--format", "trec", "Maduro"]);
    assert_eq!(search.status.code(), Some(0), "{}", stderr(&search));
    assert!(String::from_utf8_lossy(&search.stdout).contains("corpus/"));
    for args in [
        &["--index", idx, "stats"][..],
        &["--index", idx, "check"],
        &[
            "--index",
            idx,
            "show",
            "corpus/bbc-cartel-de-los-soles-explainer.txt",
        ],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    let corpus = p.path("corpus");
    let out = run(&["--index", idx, "index", corpus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        stderr(&out).contains(&format!(
            "cannot write the index at {idx}: the folder is not writable"
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_index_on_a_read_only_file_system_can_be_searched() {
    let p = Project::with_corpus();
    let Some(fs) = Tmpfs::mount(&p.path("idx"), "20m") else {
        return;
    };
    p.stdout(&["--index", "idx", "index", "corpus"], 0);
    fs.remount_read_only();
    let newsdex = assert_cmd::cargo::cargo_bin("newsdex");
    check_read_only(&p, &|args| {
        Command::new(&newsdex)
            .current_dir(p.dir.path())
            .args(args)
            .output()
            .unwrap()
    });
}

#[test]
fn an_index_the_user_may_only_read_can_be_searched() {
    use std::os::unix::fs::PermissionsExt;
    let p = Project::with_corpus();
    p.stdout(&["--index", "idx", "index", "corpus"], 0);
    let newsdex = assert_cmd::cargo::cargo_bin("newsdex");
    if is_root() {
        // Root may write anywhere: run newsdex as `nobody`, who may read
        // the project (the index's files are readable by all) but not write it.
        std::fs::set_permissions(p.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let has_setpriv = Command::new("setpriv").arg("--version").output().is_ok();
        if !available(has_setpriv, "setpriv (util-linux)") {
            return;
        }
        check_read_only(&p, &|args| {
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(&newsdex)
                .args(args)
                .current_dir(p.dir.path())
                .output()
                .unwrap()
        });
    } else {
        let idx = p.path("idx");
        std::fs::set_permissions(&idx, std::fs::Permissions::from_mode(0o555)).unwrap();
        check_read_only(&p, &|args| {
            Command::new(&newsdex)
                .current_dir(p.dir.path())
                .args(args)
                .output()
                .unwrap()
        });
        std::fs::set_permissions(&idx, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn a_full_disk_is_named_and_the_last_commit_kept() {
    let p = Project::empty();
    let Some(_fs) = Tmpfs::mount(&p.path("small"), "1m") else {
        return;
    };
    let mut rng = Rng::new(5);
    p.write("in/big.jsonl", synthetic_jsonl(3000, &mut rng));
    let out = p.run(&[
        "--index",
        "small/idx",
        "index",
        "--commit-every",
        "100",
        "in",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the disk holding the index at small/idx is full")
            && err.contains("the index keeps its last commit ("),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one message: {err}");
    // The last commit is intact: it opens, passes `check`, and answers.
    let check = p.stdout(&["--index", "small/idx", "check"], 0);
    assert!(check.ends_with("ok\n"), "{check}");
    let stats: serde_json::Value =
        serde_json::from_str(&p.stdout(&["--index", "small/idx", "stats", "--format", "json"], 0))
            .unwrap();
    let committed = stats["articles"].as_u64().unwrap();
    assert!(
        err.contains(&format!("keeps its last commit ({committed} articles)")),
        "{err}"
    );
    let search = p.run(&["--index", "small/idx", "search", "oil"]);
    assert!(matches!(search.status.code(), Some(0 | 1)), "{search:?}");
}
