//! Loading articles from files: finding the files under the roots given,
//! one loader per format (chosen by extension), and metadata precedence.

mod body;
mod csv;
pub mod encoding;
mod feed;
pub mod html;
mod json;
mod jsonl;
mod main_text;
pub mod manifest;
mod markdown;
mod page_bounds;
mod record;
mod text;
mod walls;
mod warc;

use std::fmt;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::article::{Article, LineMap, Metadata, Origin, Sourced};
use crate::date;
pub use manifest::Manifest;

thread_local! {
    static BYTES_READ: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Bytes of source files the loaders have read on this thread so far
/// (compressed bytes for `.gz`), for progress displays.
pub fn bytes_read() -> u64 {
    BYTES_READ.with(std::cell::Cell::get)
}

fn count_read(bytes: usize) {
    BYTES_READ.with(|read| read.set(read.get() + bytes as u64));
}

/// A reader that counts what it reads in [`bytes_read`].
struct Counted<R>(R);

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        count_read(n);
        Ok(n)
    }
}

/// Files larger than this are not read whole; they are skipped with a reason.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A problem with the input that did not stop the run: names the file (and
/// line) and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// `path` or `path:line`.
    pub location: String,
    /// What is wrong, and what was done about it.
    pub message: String,
}

impl Warning {
    /// A warning about `location`.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// The input formats newsdex reads, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.txt`
    Text,
    /// `.md`, `.markdown`
    Markdown,
    /// `.jsonl`, `.ndjson`, and the same with `.gz`
    JsonLines,
    /// `.html`, `.htm`: a saved web page
    Html,
    /// `.json`: one article, an array of them, or a news API response
    Json,
    /// `.csv`: an export with a header row, one article per row
    Csv,
    /// `.rss`, `.atom`, `.xml`: an RSS or Atom feed, one article per item
    Feed,
    /// `.warc`, `.warc.gz`: a web archive, one article per captured page
    Warc,
}

impl Format {
    /// The format of a file, by its extension; `None` when newsdex does not read it.
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        if warc::is_warc(&name) {
            return Some(Format::Warc);
        }
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
            return Some(Format::JsonLines);
        }
        if jsonl::is_gzip(path) {
            return None;
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "rss" | "atom" | "xml" => Some(Format::Feed),
            _ => None,
        }
    }
}

/// What a walk over the input roots found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Article files, in a stable order.
    pub files: Vec<PathBuf>,
    /// Files that are not articles (README, manifests, other formats).
    pub ignored: usize,
    /// Unreadable folders, link loops and the like.
    pub warnings: Vec<Warning>,
    /// Metadata from every manifest met on the way.
    pub manifest: Manifest,
}

/// Whether a file in a corpus folder is documentation or a manifest rather than an article.
fn is_corpus_furniture(name: &str) -> bool {
    name.starts_with("README") || name.starts_with("manifest.")
}

/// Finds the article files under `roots` (files given directly are taken as
/// they are) and reads the manifests in those folders.
pub fn discover(roots: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for root in roots {
        if root.is_file() {
            if root.to_str().is_none() {
                found.warnings.push(not_utf8(root));
            } else if Format::of(root).is_some() {
                found.files.push(root.clone());
            } else {
                found.warnings.push(Warning::new(
                    root.display().to_string(),
                    "not a format newsdex reads (.txt, .md, .markdown, .html, .htm, .jsonl, .ndjson, .jsonl.gz, .json, .csv, .rss, .atom, .xml, .warc, .warc.gz); skipped",
                ));
            }
            continue;
        }
        let walk = WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let at = e.path().unwrap_or(root).display().to_string();
                    let reason = if e.loop_ancestor().is_some() {
                        "symbolic link loop; not followed".to_string()
                    } else {
                        e.io_error()
                            .map_or_else(|| e.to_string(), |io| format!("cannot read: {io}"))
                    };
                    found.warnings.push(Warning::new(at, reason));
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            if entry.path().to_str().is_none() {
                found.warnings.push(not_utf8(entry.path()));
                continue;
            }
            let name = entry.file_name().to_string_lossy();
            if Manifest::is_manifest_name(&name) {
                found.manifest.read(entry.path(), &mut found.warnings);
            }
            if is_corpus_furniture(&name) || Format::of(entry.path()).is_none() {
                found.ignored += 1;
            } else {
                found.files.push(entry.into_path());
            }
        }
    }
    found
}

/// The warning for a file whose path is not UTF-8: an article id is its
/// path, as text.
fn not_utf8(path: &Path) -> Warning {
    Warning::new(
        crate::output::terminal::path(path),
        "the file name is not valid UTF-8 (its id would not be its name); skipped, rename it to index it",
    )
}

/// Why a whole file was skipped.
pub type SkipReason = String;

/// Checks what can be checked before a file is read: that it is readable
/// and, for a one-article format or a feed (read whole), not too large;
/// and that it is not binary. A JSON Lines file is read line by line
/// instead: a line with NUL bytes is one bad line, and the rest of the file
/// is still read. JSON and CSV exports and web archives are streamed, so
/// their size does not matter, and a web archive holds binary records.
pub fn precheck(path: &Path) -> Result<(), SkipReason> {
    let format = Format::of(path);
    if matches!(format, Some(Format::JsonLines | Format::Warc)) {
        return std::fs::File::open(path)
            .map(drop)
            .map_err(|e| format!("cannot read: {e}"));
    }
    if !matches!(format, Some(Format::Json | Format::Csv)) {
        check_size(path)?;
    }
    use std::io::Read;
    let mut head = Vec::with_capacity(8192);
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    file.take(8192)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read: {e}"))?;
    if encoding::looks_binary(&head) {
        return Err("binary file (contains NUL bytes)".into());
    }
    Ok(())
}

/// Refuses a file too large to read whole.
fn check_size(path: &Path) -> Result<(), SkipReason> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "file is too large ({} MB; the limit for one article is {} MB)",
            size / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(())
}

/// Reads a whole file as text (decoded by [`encoding::decode`]), refusing
/// binary, empty and huge files.
fn read_text(
    path: &Path,
    warnings: &mut Vec<Warning>,
    location: &str,
) -> Result<String, SkipReason> {
    check_size(path)?;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    count_read(bytes.len());
    if encoding::looks_binary(&bytes) {
        return Err("binary file (contains NUL bytes)".into());
    }
    let markup = Format::of(path) == Some(Format::Html);
    let encoding::Decoded { text, note } = encoding::decode(&bytes, markup);
    if let Some(note) = note {
        warnings.push(Warning::new(location, note));
    }
    if text.trim().is_empty() {
        return Err("empty file".into());
    }
    Ok(text)
}

/// A saved web page's own metadata and main text: paragraphs joined by blank
/// lines (no line numbers: the text is extracted, not copied).
pub fn parse_html(
    text: &str,
    location: &str,
    warnings: &mut Vec<Warning>,
) -> Result<(Metadata, String, LineMap), SkipReason> {
    let page = html::extract(text)?;
    if page.readable_fallback && !page.paragraphs.is_empty() {
        warnings.push(Warning::new(
            location,
            "no main article text found; indexed the page's readable text instead",
        ));
    }
    let own = |value: Option<String>| {
        value
            .map(|v| body::without_control(v.trim().to_owned()))
            .filter(|v| !v.is_empty())
            .map(|v| Sourced::new(v, Origin::HtmlMeta))
    };
    let date = page
        .published
        .as_deref()
        .and_then(|raw| match date::parse_date(raw) {
            Ok(d) => Some(Sourced::new(d, Origin::HtmlMeta)),
            Err(e) => {
                warnings.push(Warning::new(
                    location,
                    format!("published date {e}; article indexed undated"),
                ));
                None
            }
        });
    let meta = Metadata {
        outlet: own(page.site_name),
        date,
        title: own(page.title),
        author: own(page.author),
        url: own(page.url),
        outlet_domain: None,
    };
    let body = page
        .paragraphs
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty() && !body::is_boilerplate(p))
        .collect::<Vec<_>>()
        .join("\n\n");
    let body = body::without_control(body);
    Ok((meta, body, LineMap::Unknown))
}

/// Loads the articles of one file and hands each to `emit`. `external` is
/// the metadata from the command line and manifests, which takes precedence
/// over what the file says of itself. Returns the warnings, or why the
/// whole file was skipped.
pub fn load_file(
    path: &Path,
    id: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    let format = Format::of(path).ok_or("not a format newsdex reads")?;
    let stream = match format {
        Format::JsonLines => jsonl::load,
        Format::Json => json::load,
        Format::Csv => csv::load,
        Format::Feed => feed::load,
        Format::Warc => warc::load,
        Format::Text | Format::Markdown | Format::Html => one_article,
    };
    stream(path, id, external, emit)
}

/// Loads a file that holds one article (text, Markdown, a saved page).
fn one_article(
    path: &Path,
    id: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    let format = Format::of(path).ok_or("not a format newsdex reads")?;
    let mut warnings = Vec::new();
    let text = read_text(path, &mut warnings, id)?;
    if body::has_control(&text) {
        warnings.push(Warning::new(id, "control characters removed from the text"));
    }
    let (own, body, lines) = match format {
        Format::Text => text::parse(&text, id, &mut warnings, external.date.is_some()),
        Format::Markdown => markdown::parse(&text, id, &mut warnings),
        _ => parse_html(&text, id, &mut warnings)?,
    };
    if body.trim().is_empty() {
        return Err("no article text".into());
    }
    emit(Article {
        id: id.to_owned(),
        source: id.to_owned(),
        meta: external.clone().or(own).resolved(),
        body,
        lines,
        notes: Default::default(),
    });
    Ok(warnings)
}
