//! The parallel stage of indexing: articles become passages, and passages
//! become Tantivy documents, on all cores.
//!
//! The loader hands articles to a [`Batch`], which holds at most
//! [`BATCH_ARTICLES`] of them (so memory stays bounded whatever the corpus
//! size). A full batch is split and turned into documents in parallel, then
//! given to the index's one writer in input order, so the index is the same
//! whichever thread built what. The writer's own threads do the tokenising
//! and posting lists, within its fixed memory budget.

use std::sync::Arc;

use rayon::prelude::*;
use tantivy::indexer::UserOperation;
use tantivy::{IndexWriter, TantivyDocument};

use crate::article::Article;
use crate::error::Result;
use crate::passage;
use crate::schema::Fields;
use crate::story::signature::Signature;

/// Articles held before they are turned into documents together.
pub const BATCH_ARTICLES: usize = 256;

/// Passages of an article sent to the index writer in one message. Its
/// queue holds up to 10,000 messages, so this bounds the documents waiting
/// there whatever the length of the articles.
const PASSAGES_PER_MESSAGE: usize = 8;

/// Room for the type tags, lengths and numbers of a document's values.
const DOCUMENT_OVERHEAD_BYTES: usize = 128;

/// The Tantivy documents of one article: one per passage. The first also
/// holds the article's copy signature and its indexing `order`.
pub fn documents(f: &Fields, article: &Article, hash: &str, order: u64) -> Vec<TantivyDocument> {
    let ranges = passage::split(&article.body);
    let meta = &article.meta;
    let origins = meta.origins();
    let notes = (!article.notes.is_empty())
        .then(|| serde_json::to_string(&article.notes).expect("notes serialise"));
    let date = meta.date.as_ref().map(|d| d.value);
    let domain = meta
        .url
        .as_ref()
        .and_then(|u| crate::outlet::domain(&u.value));
    let starts: Vec<usize> = ranges.iter().map(|r| r.start).collect();
    let lines = article.lines.lines_of(&article.body, &starts);
    // Bytes of a document besides its passage, so that it is allocated once
    // at its size (the default 1 KB grows to 2 KB for most passages, and
    // documents wait in the index writer's queue by the thousand).
    let text_len = |value: &Option<crate::article::Sourced<String>>| {
        value.as_ref().map_or(0, |v| v.value.len())
    };
    let article_bytes = article.id.len()
        + article.source.len()
        + hash.len()
        + text_len(&meta.title)
        + 2 * text_len(&meta.outlet)
        + text_len(&meta.author)
        + text_len(&meta.url)
        + origins.len()
        + notes.as_ref().map_or(0, String::len)
        + DOCUMENT_OVERHEAD_BYTES;
    let mut docs = Vec::with_capacity(ranges.len());
    for ((ordinal, range), line) in ranges.into_iter().enumerate().zip(lines) {
        let mut doc = TantivyDocument::with_capacity(article_bytes + range.len());
        doc.add_text(f.article_id, &article.id);
        doc.add_text(f.source, &article.source);
        doc.add_text(f.source_hash, hash);
        doc.add_u64(f.passage, ordinal as u64);
        doc.add_text(f.body, &article.body[range.clone()]);
        doc.add_text(f.body_words, &article.body[range.clone()]);
        doc.add_u64(f.start, range.start as u64);
        doc.add_u64(f.end, range.end as u64);
        if let Some(line) = line {
            doc.add_u64(f.line, u64::from(line));
        }
        if let Some(title) = &meta.title {
            doc.add_text(f.title, &title.value);
        }
        if let Some(outlet) = &meta.outlet {
            doc.add_text(f.outlet, &outlet.value);
            doc.add_text(f.outlet_exact, &outlet.value);
        }
        if let Some(author) = &meta.author {
            doc.add_text(f.author, &author.value);
        }
        if let Some(url) = &meta.url {
            doc.add_text(f.url, &url.value);
        }
        if let Some(domain) = &domain {
            doc.add_text(f.domain, domain);
        }
        if let Some(date) = date {
            let instant = tantivy::DateTime::from_timestamp_secs(date.utc.timestamp());
            doc.add_date(f.date, instant);
            doc.add_text(f.date_precision, date.precision.name());
            if let Some(offset) = date.offset {
                doc.add_i64(f.date_offset, i64::from(offset.local_minus_utc()));
            }
            let keys = date.sort_keys();
            doc.add_i64(f.date_oldest, keys.oldest);
            doc.add_i64(f.date_newest, keys.newest);
        }
        if !origins.is_empty() {
            doc.add_text(f.origins, &origins);
        }
        if let Some(notes) = &notes {
            doc.add_text(f.notes, notes);
        }
        if ordinal == 0 {
            if crate::story::enabled() {
                doc.add_bytes(f.story_signature, &Signature::encoded(&article.body));
            }
            doc.add_u64(f.story_order, order);
        }
        docs.push(doc);
    }
    docs
}

/// Articles waiting to be written, with the content hash of their source
/// and their indexing order.
pub struct Batch<'f> {
    fields: &'f Fields,
    pending: Vec<(Article, Arc<str>, u64)>,
    next_order: u64,
}

impl<'f> Batch<'f> {
    /// An empty batch. The articles of a run are numbered in the order they
    /// come, after those of earlier runs: their order is the run's start
    /// (seconds since 1970) in the high 32 bits, their count in the low ones.
    pub fn new(fields: &'f Fields) -> Batch<'f> {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Batch {
            fields,
            pending: Vec::with_capacity(BATCH_ARTICLES),
            next_order: started << 32,
        }
    }

    /// Adds an article; writes the batch to `writer` when it is full.
    /// Returns the passages written (0 until the batch is written).
    pub fn push(
        &mut self,
        writer: &IndexWriter,
        article: Article,
        hash: Arc<str>,
    ) -> Result<usize> {
        self.pending.push((article, hash, self.next_order));
        self.next_order += 1;
        if self.pending.len() >= BATCH_ARTICLES {
            self.flush(writer)
        } else {
            Ok(0)
        }
    }

    /// Writes the pending articles to `writer` (their documents built in
    /// parallel, added in order). Returns the passages written.
    pub fn flush(&mut self, writer: &IndexWriter) -> Result<usize> {
        if self.pending.is_empty() {
            return Ok(0);
        }
        let f = self.fields;
        let built: Vec<Vec<TantivyDocument>> = self
            .pending
            .par_iter()
            .map(|(article, hash, order)| documents(f, article, hash, *order))
            .collect();
        self.pending.clear();
        let mut passages = 0;
        for docs in built {
            passages += docs.len();
            // An article's passages go to the same indexing thread, whose
            // analyzer then replays their shared title, outlet and byline;
            // a long article goes in parts, so that a message of the
            // writer's queue stays small.
            let mut docs = docs.into_iter();
            while !docs.as_slice().is_empty() {
                let part = docs.len().min(PASSAGES_PER_MESSAGE);
                writer.run(docs.by_ref().take(part).map(UserOperation::Add))?;
            }
        }
        Ok(passages)
    }
}
