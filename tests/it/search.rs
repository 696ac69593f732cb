//! `newsdex search` on the bundled corpus.
