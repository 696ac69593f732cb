//! Integration tests: run the real `newsdex` binary on temporary copies of
//! the corpus and assert what a user would see.

mod batch;
mod common;
mod contract;
mod eval;
mod formats;
mod index;
mod search;
