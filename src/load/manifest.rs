//! Manifests: side files that give metadata to article files by path
//! (`manifest.csv` with columns `path,outlet,date,title,url,author`, or
//! `manifest.jsonl` with the same keys).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::Warning;
use crate::article::{Metadata, Origin, Sourced};
use crate::date;

/// One manifest row as written; every column but `path` may be missing.
#[derive(Debug, Default, Deserialize)]
struct Row {
    path: Option<String>,
    #[serde(alias = "source", alias = "publisher")]
    outlet: Option<String>,
    #[serde(alias = "published", alias = "published_at")]
    date: Option<String>,
    title: Option<String>,
    url: Option<String>,
    author: Option<String>,
}

/// Metadata for article files, keyed by their canonical path.
#[derive(Debug, Default)]
pub struct Manifest {
    entries: HashMap<PathBuf, Metadata>,
}

impl Manifest {
    /// Whether a file name is a manifest's.
    pub fn is_manifest_name(name: &str) -> bool {
        name == "manifest.csv" || name == "manifest.jsonl"
    }

    /// Reads a manifest file and adds its rows; paths are relative to the
    /// manifest's folder. Bad rows become warnings; the rest is kept.
    pub fn read(&mut self, path: &Path, warnings: &mut Vec<Warning>) {
        let shown = path.display().to_string();
        let text = match std::fs::read(path) {
            Ok(bytes) => {
                let decoded = super::encoding::decode(&bytes, false);
                if let Some(note) = decoded.note {
                    warnings.push(Warning::new(&shown, note));
                }
                decoded.text
            }
            Err(e) => {
                warnings.push(Warning::new(&shown, format!("cannot read manifest: {e}")));
                return;
            }
        };
        let folder = path.parent().unwrap_or(Path::new("."));
        let rows: Vec<(usize, Result<Row, String>)> =
            if path.extension().is_some_and(|e| e == "csv") {
                let mut reader = csv::ReaderBuilder::new()
                    .trim(csv::Trim::All)
                    .from_reader(text.as_bytes());
                reader
                    .deserialize::<Row>()
                    .enumerate()
                    .map(|(i, row)| (i + 2, row.map_err(|e| e.to_string())))
                    .collect()
            } else {
                text.lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                    .map(|(i, l)| {
                        (
                            i + 1,
                            serde_json::from_str::<Row>(l).map_err(|e| e.to_string()),
                        )
                    })
                    .collect()
            };
        for (line, row) in rows {
            let at = format!("{shown}:{line}");
            match row {
                Ok(row) => self.add_row(folder, row, &at, warnings),
                Err(e) => warnings.push(Warning::new(&at, format!("bad manifest row: {e}"))),
            }
        }
    }

    fn add_row(&mut self, folder: &Path, row: Row, at: &str, warnings: &mut Vec<Warning>) {
        let Some(file) = row.path.filter(|p| !p.is_empty()) else {
            warnings.push(Warning::new(at, "manifest row has no path"));
            return;
        };
        let Ok(target) = folder.join(&file).canonicalize() else {
            warnings.push(Warning::new(
                at,
                format!("manifest names '{file}', which does not exist"),
            ));
            return;
        };
        let nonempty = |v: Option<String>| {
            v.map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .map(|s| Sourced::new(s, Origin::Manifest))
        };
        let date = nonempty(row.date).and_then(|raw| match date::parse_date(&raw.value) {
            Ok(d) => Some(Sourced::new(d, Origin::Manifest)),
            Err(e) => {
                warnings.push(Warning::new(at, format!("manifest date {e}; ignored")));
                None
            }
        });
        let meta = Metadata {
            outlet: nonempty(row.outlet),
            date,
            title: nonempty(row.title),
            author: nonempty(row.author),
            url: nonempty(row.url),
            outlet_domain: None,
        };
        // A later row (or a later manifest: `--manifest` is read last) wins field by field.
        let earlier = self.entries.remove(&target).unwrap_or_default();
        self.entries.insert(target, meta.or(earlier));
    }

    /// The manifest's metadata for a file (empty when it has none).
    pub fn for_file(&self, canonical: &Path) -> Metadata {
        self.entries.get(canonical).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_give_metadata_and_bad_rows_warn() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(
            dir.path().join("manifest.csv"),
            "path,outlet,date,title\na.txt,BBC,2025-11-17,\nmissing.txt,X,,\na.txt,BBC,not a date,T\n",
        )
        .unwrap();
        let mut manifest = Manifest::default();
        let mut warnings = vec![];
        manifest.read(&dir.path().join("manifest.csv"), &mut warnings);
        let meta = manifest.for_file(&dir.path().join("a.txt").canonicalize().unwrap());
        assert_eq!(meta.outlet.unwrap().value, "BBC");
        assert_eq!(meta.title.unwrap().value, "T");
        assert_eq!(
            meta.date.unwrap().value.utc.to_rfc3339(),
            "2025-11-17T00:00:00+00:00",
            "a later row wins field by field; its bad date leaves the earlier one"
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0]
            .to_string()
            .contains("manifest.csv:3: manifest names 'missing.txt'"));
    }
}
