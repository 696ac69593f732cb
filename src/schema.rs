//! The index schema: the only place index fields are declared. One Tantivy
//! document per passage; article-level data is repeated on each passage.

use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, STORED,
};

use crate::analysis::{ANALYZER, SURFACE};

/// Version of the schema and of what is stored; an index written with
/// another version must be rebuilt. (2: the dictionaries of string fast
/// fields are no longer zstd-compressed. 3: dates keep their precision and
/// offset, sort keys, and the URL's domain for outlet filters. 4: copy
/// signatures and indexing order, for copies of one story. 5: `notes`.
/// 6: the passage's words unstemmed, for prefixes. 7: of those, only the
/// words the stemmed text does not hold, see [`crate::analysis::SurfaceWords`].
/// 8: copy signatures keep a fraction such as `7-3/4` as one figure.
/// 9: copy signatures are a one-permutation MinHash. 10: copy signatures
/// keep only their filled bins, 12 bits each (signature format 4); the
/// exact fields have no field norms, and the date is not indexed. 11: the
/// unstemmed words hold no filler for the words the stemmed text holds,
/// and no field norms: they are scored with the stemmed text's lengths.)
pub const SCHEMA_VERSION: u32 = 11;

/// Field handles of the newsdex schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Article id (exact, fast).
    pub article_id: Field,
    /// Id of the source file (exact, fast, stored): the unit of incremental
    /// indexing, and the path shown to users.
    pub source: Field,
    /// Content hash of the source file (fast).
    pub source_hash: Field,
    /// Passage ordinal in its article, 0-based.
    pub passage: Field,
    /// Passage text (analysed, positions, stored).
    pub body: Field,
    /// Passage text folded but not stemmed (frequencies, no positions), for
    /// prefixes on the words as written: only the words that do not stem
    /// to themselves (see [`crate::analysis::SurfaceWords`]).
    pub body_words: Field,
    /// Article title (analysed, stored).
    pub title: Field,
    /// Outlet name (analysed for `outlet:` queries, stored).
    pub outlet: Field,
    /// Outlet name as written (exact, fast), for filters and counts.
    pub outlet_exact: Field,
    /// Byline (analysed, stored).
    pub author: Field,
    /// Publication date, UTC, second precision (fast, stored); a date
    /// known only to the day is midnight UTC.
    pub date: Field,
    /// `day` or `time`: how much of the date is known (stored).
    pub date_precision: Field,
    /// The offset from UTC the date was published with, in seconds east
    /// (stored; absent when unknown).
    pub date_offset: Field,
    /// Key of `--sort oldest` (fast): see [`crate::date::Published::sort_keys`].
    pub date_oldest: Field,
    /// Key of `--sort newest` (fast).
    pub date_newest: Field,
    /// The article URL's host, lowercase, without `www.` (exact), for
    /// `--outlet` by domain.
    pub domain: Field,
    /// Article URL (stored).
    pub url: Field,
    /// Byte offset where the passage starts in the article body (stored).
    pub start: Field,
    /// Byte offset where the passage ends in the article body (stored).
    pub end: Field,
    /// First line of the passage in its source file, 1-based (stored).
    pub line: Field,
    /// Where each metadata field came from, `field=origin,...` (stored).
    pub origins: Field,
    /// What the source says about the text (truncated, captured), as the
    /// JSON of [`crate::article::Notes`]; absent when there is nothing (stored).
    pub notes: Field,
    /// The article's copy signature (fast bytes; first passage only): see
    /// [`crate::story::signature`].
    pub story_signature: Field,
    /// The order articles were indexed in (fast; first passage only): of
    /// two copies published at the same time, the first indexed is the original.
    pub story_order: Field,
}

/// Builds the schema and its field handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let analysed = |stored: bool, positions: bool| {
        let record = if positions {
            IndexRecordOption::WithFreqsAndPositions
        } else {
            IndexRecordOption::WithFreqs
        };
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(record),
        );
        if stored {
            opts.set_stored()
        } else {
            opts
        }
    };
    // An exact value, one term a passage: matched, never scored by its
    // length, so without field norms (a byte per passage and field).
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let stored_u64 = NumericOptions::default().set_stored();
    let fields = Fields {
        article_id: b.add_text_field("article_id", exact.clone() | STORED | FAST),
        source: b.add_text_field("source", exact.clone() | FAST | STORED),
        source_hash: b.add_text_field("source_hash", exact.clone() | FAST),
        passage: b.add_u64_field("passage", NumericOptions::default().set_stored().set_fast()),
        body: b.add_text_field("body", analysed(true, true)),
        body_words: b.add_text_field(
            "body_words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(SURFACE)
                    .set_index_option(IndexRecordOption::WithFreqs)
                    .set_fieldnorms(false),
            ),
        ),
        title: b.add_text_field("title", analysed(true, true)),
        outlet: b.add_text_field("outlet", analysed(true, true)),
        outlet_exact: b.add_text_field("outlet_exact", exact.clone() | FAST),
        author: b.add_text_field("author", analysed(true, false)),
        // Not indexed: date ranges read the fast field (Tantivy's
        // `RangeQuery` does on a fast field), so a term per second of
        // publication would only take room.
        date: b.add_date_field(
            "date",
            DateOptions::default()
                .set_stored()
                .set_fast()
                .set_precision(DateTimePrecision::Seconds),
        ),
        date_precision: b.add_text_field("date_precision", STORED),
        date_offset: b.add_i64_field("date_offset", NumericOptions::default().set_stored()),
        date_oldest: b.add_i64_field("date_oldest", NumericOptions::default().set_fast()),
        date_newest: b.add_i64_field("date_newest", NumericOptions::default().set_fast()),
        domain: b.add_text_field("domain", exact),
        url: b.add_text_field("url", STORED),
        start: b.add_u64_field("start", stored_u64.clone()),
        end: b.add_u64_field("end", stored_u64.clone()),
        line: b.add_u64_field("line", stored_u64),
        origins: b.add_text_field("origins", STORED),
        notes: b.add_text_field("notes", STORED),
        story_signature: b.add_bytes_field("story_signature", FAST),
        story_order: b.add_u64_field("story_order", FAST),
    };
    (b.build(), fields)
}

/// Field handles of an opened index's schema.
pub fn fields_of(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |name: &str| schema.get_field(name);
    Ok(Fields {
        article_id: f("article_id")?,
        source: f("source")?,
        source_hash: f("source_hash")?,
        passage: f("passage")?,
        body: f("body")?,
        body_words: f("body_words")?,
        title: f("title")?,
        outlet: f("outlet")?,
        outlet_exact: f("outlet_exact")?,
        author: f("author")?,
        date: f("date")?,
        date_precision: f("date_precision")?,
        date_offset: f("date_offset")?,
        date_oldest: f("date_oldest")?,
        date_newest: f("date_newest")?,
        domain: f("domain")?,
        url: f("url")?,
        start: f("start")?,
        end: f("end")?,
        line: f("line")?,
        origins: f("origins")?,
        notes: f("notes")?,
        story_signature: f("story_signature")?,
        story_order: f("story_order")?,
    })
}
