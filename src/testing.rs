//! Helpers shared by the unit tests.

/// A deterministic pseudo-random source (xorshift64) for generated test
/// input: each call gives a number below its argument.
pub fn below() -> impl FnMut(usize) -> usize {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}

/// A one-thread writer of an in-RAM index of passages with a `body` and a
/// `title` text field, and those two fields.
pub fn body_title_writer() -> (tantivy::IndexWriter, [tantivy::schema::Field; 2]) {
    let mut schema = tantivy::schema::Schema::builder();
    let body = schema.add_text_field("body", tantivy::schema::TEXT);
    let title = schema.add_text_field("title", tantivy::schema::TEXT);
    let index = tantivy::Index::create_in_ram(schema.build());
    let writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
    (writer, [body, title])
}

/// The top `k` of `query` by score: each hit's score bits and address, for
/// bit-for-bit comparisons of two queries.
pub fn top_bits(
    searcher: &tantivy::Searcher,
    query: &dyn tantivy::query::Query,
    k: usize,
) -> Vec<(u32, tantivy::DocAddress)> {
    let top = tantivy::collector::TopDocs::with_limit(k).order_by_score();
    let found = searcher.search(query, &top).unwrap();
    found
        .into_iter()
        .map(|(score, doc)| (score.to_bits(), doc))
        .collect()
}
