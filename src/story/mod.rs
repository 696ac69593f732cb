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
pub mod plot;
pub mod signature;
pub mod timeline;
pub mod trace;

use crate::error::Result;
use crate::search::Searcher;

/// The copy groups of the index `searcher` reads.
pub fn groups(searcher: &Searcher) -> Result<&groups::Groups> {
    searcher.copy_groups()
}
