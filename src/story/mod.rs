//! The story across outlets: copies of one story (a wire story and the
//! versions outlets ran) found at index time and folded in search, and
//! counts of matching articles, passages and stories per outlet and period.
//!
//! ```text
//! article body ──signature──▶ Signature (stored on the first passage)
//! index commit ──groups──▶ copy Groups (beside the index, copies.json)
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

use crate::error::Result;
use crate::search::Searcher;

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
