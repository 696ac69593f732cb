//! Integration tests: run the real `newsdex` binary on temporary copies of
//! the corpus and assert what a user would see.

mod common;
mod search;
mod crash;
mod ingest;
mod hostile;
