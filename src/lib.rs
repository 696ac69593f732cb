//! newsdex: full-text search over collections of news articles.
//!
//! Vocabulary: an *article* is a news story with its metadata; a *passage*
//! is a paragraph-sized piece of an article, the unit that is indexed,
//! ranked and returned; a *hit* is a ranked passage with its article's
//! *attribution* (outlet, date, title, URL or file, line).
//!
//! Data path:
//!
//! ```text
//! file ──load──▶ Article ──passage::split──▶ passages ──index──▶ Tantivy index
//! query + filters ──query──▶ Tantivy query ──search──▶ Hits ──output──▶ stdout
//! ```
//!
//! ```no_run
//! use newsdex::index::{index, IndexOptions};
//! use newsdex::search::{SearchRequest, Searcher};
//! # fn main() -> newsdex::Result<()> {
//! let dir = std::path::Path::new("index");
//! index(dir, &IndexOptions { roots: vec!["corpus".into()], ..Default::default() })?;
//! let result = Searcher::open(dir)?.search(&SearchRequest {
//!     query: "\"Tren de Aragua\"".into(),
//!     ..Default::default()
//! })?;
//! for hit in result.hits {
//!     println!("{} {:?}: {}", hit.rank, hit.article.outlet, hit.passage.text);
//! }
//! # Ok(())
//! # }
//! ```

pub mod analysis;
pub mod article;
pub mod batch;
pub mod checkpoint;
mod collect;
pub mod date;
mod deadline;
mod directory;
mod duplicates;
mod error;
pub mod eval;
pub mod explain;
pub mod highlight;
pub mod index;
pub mod inspect;
pub mod integrity;
pub mod load;
pub mod outlet;
pub mod output;
pub mod passage;
pub mod pipeline;
pub mod query;
pub mod schema;
pub mod search;
pub mod story;
#[cfg(test)]
mod testing;
mod top;

pub use error::{Error, Result};
