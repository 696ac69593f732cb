//! The story across outlets: copies of one story (a wire story and the
//! versions outlets ran) found at index time and folded in search, and
//! counts of matching articles, passages and stories per outlet and period.
//!
//! ```text
//! article body ──signature──▶ Signature (stored on the first passage)
//! index commit ──groups──▶ copy Groups (beside the index, copies.json)
//!              ──numbers──▶ article and story numbers (beside it, numbers.bin)
//! search request ──count──▶ articles / passages / stories per bucket
//! search requests ──timeline──▶ articles per period and series ──plot──▶ SVG / PNG
//! quote ──trace──▶ candidate passages (search) ──alignment──▶ appearances, oldest first
//! ```

pub mod count;
pub mod fold;
pub mod groups;
pub mod listing;
pub mod numbers;
pub mod plot;
pub mod signature;
pub mod timeline;
pub mod trace;

use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::search::Searcher;

/// Writes the record `name` into the index folder `dir` whole or not at
/// all: `write` fills a temporary file there, which then takes the name.
pub(crate) fn write_whole(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let path = dir.join(name);
    let io = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    let mut buffered = std::io::BufWriter::new(&mut file);
    write(&mut buffered).map_err(io)?;
    buffered.flush().map_err(io)?;
    drop(buffered);
    file.persist(&path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Whether copies are found at index time: always, but for the benchmark
/// that measures what finding them costs (`NEWSDEX_COPIES=off`, not
/// documented for users: an index built so has no copy groups).
pub fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("NEWSDEX_COPIES").as_deref() != Ok("off"))
}

/// The copy groups of the index `searcher` reads.
pub fn groups(searcher: &Searcher) -> Result<&groups::Groups> {
    searcher.copy_groups()
}
