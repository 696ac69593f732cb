//! Prefixes (`narco*`): the words of the text that start with what the
//! user typed, folded but not stemmed, found in the term dictionary of the
//! passages' unstemmed words and capped, so that `a*` on a large index does
//! not walk the posting lists of tens of thousands of words. Each word is
//! then searched, and ranked, as a word of its own.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

/// Words one prefix expands to: the most frequent this many.
pub const MAX_PREFIX_TERMS: usize = 1_000;
/// Distinct words looked at per prefix: a bound on the dictionary scan
/// (past it, the words seen so far are the candidates).
const MAX_SCANNED: usize = 200_000;

/// The words a prefix expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The words kept, most frequent first.
    pub words: Vec<String>,
    /// How many indexed words start with the prefix (at least; the scan
    /// stops at [`MAX_SCANNED`]).
    pub matched: usize,
}

/// The indexed words of `field` that start with `prefix`: the `max` found in
/// the most passages (ties in byte order), and how many there are.
///
/// # Errors
/// A term dictionary cannot be read.
pub fn expand(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    max: usize,
) -> tantivy::Result<Expansion> {
    let mut passages: HashMap<Vec<u8>, u64> = HashMap::new();
    let start = prefix.as_bytes();
    let end = prefix_end(start);
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut range = index.terms().range().ge(start);
        if let Some(end) = &end {
            range = range.lt(end);
        }
        let mut stream = range.into_stream()?;
        while stream.advance() {
            let doc_freq = u64::from(stream.value().doc_freq);
            if let Some(count) = passages.get_mut(stream.key()) {
                *count += doc_freq;
            } else if passages.len() < MAX_SCANNED {
                passages.insert(stream.key().to_vec(), doc_freq);
            }
        }
    }
    let matched = passages.len();
    let mut ranked: Vec<(Vec<u8>, u64)> = passages.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(max);
    let words = ranked
        .into_iter()
        .map(|(bytes, _)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    Ok(Expansion { words, matched })
}

/// Passages holding any of the words of `field`, each word scored by its
/// BM25, the scores of the words a passage holds added up.
pub fn query(field: Field, words: &[String]) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|w| {
            let term = Term::from_field_text(field, w);
            let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (Occur::Should, q)
        })
        .collect();
    match clauses.len() {
        1 => clauses.pop().expect("one clause").1,
        _ => Box::new(BooleanQuery::new(clauses)),
    }
}

/// The first byte string after every string starting with `prefix`, if any.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::RegexQuery;

    #[test]
    fn the_most_frequent_words_are_kept_and_match_as_a_regex_would() {
        let (mut writer, [body, _]) = crate::testing::body_title_writer();
        for text in [
            "carte cartel",
            "cartel cartels",
            "cartel car",
            "carts",
            "scar",
        ] {
            writer.add_document(tantivy::doc!(body => text)).unwrap();
            writer.commit().unwrap();
        }
        let searcher = writer.index().reader().unwrap().searcher();
        let all = expand(&searcher, body, "cart", 100).unwrap();
        assert_eq!(all.matched, 4);
        assert_eq!(all.words, ["cartel", "carte", "cartels", "carts"]);
        let capped = expand(&searcher, body, "cart", 2).unwrap();
        assert_eq!(
            (capped.matched, capped.words.clone()),
            (4, vec!["cartel".into(), "carte".into()])
        );
        let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
        let regex = RegexQuery::from_pattern("cart.*", body).unwrap();
        assert_eq!(count(query(body, &all.words).as_ref()), count(&regex));
        assert_eq!(count(query(body, &capped.words).as_ref()), 3);
        assert_eq!(expand(&searcher, body, "zz", 5).unwrap().matched, 0);
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff"), None);
    }

    /// Unlike a regex query, which scores every match 1, the words rank
    /// by BM25: a rare word above a common one.
    #[test]
    fn the_words_rank_by_bm25() {
        let (mut writer, [body, _]) = crate::testing::body_title_writer();
        for text in ["cartel x", "cartel y", "cartel z", "cartography w"] {
            writer.add_document(tantivy::doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let words = expand(&searcher, body, "cart", 10).unwrap().words;
        let top = TopDocs::with_limit(4).order_by_score();
        let hits = searcher.search(query(body, &words).as_ref(), &top).unwrap();
        assert_eq!(hits[0].1.doc_id, 3, "the rare word first");
        assert!(hits[0].0 > hits[1].0);
    }
}
