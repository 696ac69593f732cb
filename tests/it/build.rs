//! The build itself: what `Cargo.lock` resolves must match what the index
//! format and the patched `zstd` assume.

use std::path::Path;

/// `(name, version, source)` of every package in `Cargo.lock`.
fn locked_packages() -> Vec<(String, String, Option<String>)> {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("Cargo.lock");
    let mut packages = Vec::new();
    for block in lock.split("\n[[").skip(1) {
        if !block.starts_with("package]]") {
            assert!(
                !block.starts_with("patch.unused]]"),
                "Cargo.lock lists an unused patch: {block}"
            );
            continue;
        }
        let field = |key: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .map(|v| v.trim_end_matches('"').to_string())
        };
        packages.push((
            field("name").unwrap(),
            field("version").unwrap(),
            field("source"),
        ));
    }
    packages
}

/// Tantivy's `zstd` is zstd-reuse (`[patch.crates-io]` in Cargo.toml):
/// when Tantivy moves to another zstd version, Cargo would quietly add an
/// unpatched `zstd` beside it.
#[test]
fn zstd_reuse_is_the_only_zstd() {
    let zstds: Vec<_> = locked_packages()
        .into_iter()
        .filter(|(name, _, _)| name == "zstd")
        .collect();
    assert_eq!(zstds.len(), 1, "one zstd in the build: {zstds:?}");
    assert_eq!(
        zstds[0].2, None,
        "zstd comes from the zstd-reuse folder: {zstds:?}"
    );
}

/// The stemmer is part of the index format: the version the build uses is
/// the one every commit records.
#[test]
fn the_recorded_analysis_names_the_stemmer_in_the_build() {
    let frostem: Vec<_> = locked_packages()
        .into_iter()
        .filter(|(name, _, _)| name == "frostem")
        .collect();
    assert_eq!(frostem.len(), 1, "{frostem:?}");
    let version = &frostem[0].1;
    assert!(
        newsdex::analysis::ANALYZER_VERSION.ends_with(&format!(" frostem-{version}")),
        "analysis::ANALYZER_VERSION ({}) must name frostem {version}",
        newsdex::analysis::ANALYZER_VERSION
    );
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(&format!("frostem = \"={version}\"")),
        "frostem is pinned exactly in Cargo.toml"
    );
}
