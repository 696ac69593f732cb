//! Integration tests: run the real `newsdex` binary on temporary copies of
//! the corpus and assert what a user would see.

mod batch;
mod bounds;
mod browser;
mod build;
mod cli;
mod common;
mod contract;
mod crash;
mod damage;
mod dates;
mod encodings;
mod eval;
mod explain;
mod exports;
mod extraction;
mod formats;
mod hostile;
mod ids;
mod index;
mod index_format;
mod ingest;
mod matching;
mod outlets;
mod queries;
mod readme;
mod readonly;
mod scale_corpus;
mod search;
mod serve;
mod story;
mod timeline;
mod trace;
