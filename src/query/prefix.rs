//! Prefixes (`narco*`): the indexed words a prefix stands for, found in the
//! term dictionaries and capped, so that `a*` on a large index does not
//! walk the posting lists of tens of thousands of words.

use std::collections::HashMap;

use tantivy::query::{ConstScoreQuery, Query, TermSetQuery};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

/// Distinct words looked at per prefix: a bound on the dictionary scan
/// (past it, the words seen so far are the candidates).
const MAX_SCANNED: usize = 200_000;

/// The words a prefix expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The words kept, most frequent first.
    pub terms: Vec<Term>,
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
    let terms = ranked
        .into_iter()
        .map(|(bytes, _)| Term::from_field_text(field, &String::from_utf8_lossy(&bytes)))
        .collect();
    Ok(Expansion { terms, matched })
}

/// Passages holding any of the words, each scoring 1 (as a Tantivy regex
/// query scores).
pub fn query(terms: Vec<Term>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(
        Box::new(TermSetQuery::new(terms)),
        1.0,
    ))
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
    use tantivy::collector::Count;
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
        let words = |e: &Expansion| -> Vec<String> {
            e.terms
                .iter()
                .map(|t| t.value().as_str().unwrap().to_owned())
                .collect()
        };
        let all = expand(&searcher, body, "cart", 100).unwrap();
        assert_eq!(all.matched, 4);
        assert_eq!(words(&all), ["cartel", "carte", "cartels", "carts"]);
        let capped = expand(&searcher, body, "cart", 2).unwrap();
        assert_eq!(
            (capped.matched, words(&capped)),
            (4, vec!["cartel".into(), "carte".into()])
        );
        let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
        let regex = RegexQuery::from_pattern("cart.*", body).unwrap();
        assert_eq!(count(query(all.terms).as_ref()), count(&regex));
        assert_eq!(count(query(capped.terms).as_ref()), 3);
        assert_eq!(expand(&searcher, body, "zz", 5).unwrap().matched, 0);
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff"), None);
    }
}
