//! The best passages by score over every segment, one threshold for all.
//!
//! Tantivy's `TopDocs` finds each segment's own top k, each from a
//! threshold of nothing, and merges them: a query whose weight prunes by
//! the threshold (`Weight::for_each_pruning`: Block-WAND, the MaxScore of
//! [`crate::query`]) walks most of every segment before its k-th best
//! rises. Here the segments are walked one after another, the smallest
//! first, into one top k: the k-th best score so far is where the next
//! segment starts, so the large segments are walked from a threshold
//! near the final one and mostly passed over.
//!
//! The hits are `TopDocs`'s, in its order: the k best by score, ties by
//! the lower address (segment ordinal, then document). A passage scoring
//! exactly the k-th best can still enter when its segment's ordinal is
//! below the k-th's (segments are not walked in ordinal order): the
//! threshold given to the weight is then the float just below. (A union
//! of terms alone, which Tantivy walks by Block-WAND, sums a passage's
//! terms in an order that depends on the threshold: there, as between two
//! of Tantivy's own walks, a score may differ in its last bit. newsdex's
//! own pruning weights score as the plain query, whatever the threshold.)

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::Range;

use tantivy::query::Weight;
use tantivy::{DocAddress, Score, Searcher};

/// A hit in the top k, ordered worst first (the heap's top is the k-th).
struct Hit {
    score: Score,
    address: DocAddress,
}

impl Ord for Hit {
    /// Worse is greater: a lower score, then a higher address.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .score
            .partial_cmp(&self.score)
            .unwrap_or(Ordering::Equal)
            .then_with(|| self.address.cmp(&other.address))
    }
}

impl PartialOrd for Hit {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Hit {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Hit {}

/// The hits `range` of `weight`'s matches by score (best first, ties by
/// address), as `TopDocs::with_limit(range.len()).and_offset(range.start)
/// .order_by_score()` finds them.
///
/// # Errors
/// Errors reading the index.
pub fn top_by_score(
    searcher: &Searcher,
    weight: &dyn Weight,
    range: Range<usize>,
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let readers = searcher.segment_readers();
    let mut order: Vec<usize> = (0..readers.len()).collect();
    // The smallest first: a few thousand passages give the threshold that
    // the large segments start from (measured faster than the largest
    // first at a million articles: BENCHMARKS.md, 2026-12-03, eleventh session).
    order.sort_by_key(|&s| readers[s].num_docs());
    top_in_order(searcher, weight, range, &order)
}

/// [`top_by_score`], the segments walked in `order` (ordinals).
fn top_in_order(
    searcher: &Searcher,
    weight: &dyn Weight,
    range: Range<usize>,
    order: &[usize],
) -> tantivy::Result<Vec<(Score, DocAddress)>> {
    let k = range.end;
    if range.is_empty() {
        return Ok(Vec::new());
    }
    let mut top: BinaryHeap<Hit> = BinaryHeap::with_capacity(k.min(1024));
    let readers = searcher.segment_readers();
    for &segment in order {
        let reader = &readers[segment];
        let ord = segment as u32;
        // Below it, a passage of this segment cannot enter the top k.
        let threshold = |top: &BinaryHeap<Hit>| match top.peek() {
            Some(kth) if top.len() == k => {
                if ord < kth.address.segment_ord {
                    kth.score.next_down()
                } else {
                    kth.score
                }
            }
            _ => Score::MIN,
        };
        let alive = reader.alive_bitset();
        let start = threshold(&top);
        weight.for_each_pruning(start, reader, &mut |doc, score| {
            if alive.is_some_and(|alive| alive.is_deleted(doc)) {
                return threshold(&top);
            }
            let hit = Hit {
                score,
                address: DocAddress::new(ord, doc),
            };
            if top.len() < k {
                top.push(hit);
            } else if let Some(mut kth) = top.peek_mut() {
                if hit < *kth {
                    *kth = hit;
                }
            }
            threshold(&top)
        })?;
    }
    let mut hits = top.into_vec();
    hits.sort();
    Ok(hits
        .into_iter()
        .skip(range.start)
        .map(|hit| (hit.score, hit.address))
        .collect())
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{doc, Term};

    use super::*;

    /// Four segments, the largest not the first, of short passages over a
    /// small vocabulary: exact copies in several segments (ties of score
    /// across segments), and deleted passages.
    fn searcher() -> (Searcher, tantivy::schema::Field) {
        let (mut writer, [body, _]) = crate::testing::body_title_writer();
        let vocabulary = ["oil", "price", "said", "rose", "wheat", "oil"];
        let mut below = crate::testing::below();
        let mut copies: Vec<String> = Vec::new();
        for size in [150, 900, 60, 400] {
            for _ in 0..size {
                let text = if !copies.is_empty() && below(4) == 0 {
                    copies[below(copies.len())].clone()
                } else {
                    let n = 1 + below(8);
                    let words: Vec<&str> = (0..n).map(|_| vocabulary[below(6)]).collect();
                    let mut text = words.join(" ");
                    if below(10) == 0 {
                        text.push_str(" gone");
                    }
                    copies.push(text.clone());
                    text
                };
                writer.add_document(doc!(body => text)).unwrap();
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(body, "gone"));
        writer.commit().unwrap();
        let index = writer.index();
        (index.reader().unwrap().searcher(), body)
    }

    #[test]
    fn the_hits_are_top_docs_in_its_order() {
        let (searcher, body) = searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        assert!(searcher.segment_readers().iter().any(|r| r.has_deletes()));
        // Every order of the segments, so that ties fall in segments
        // walked before and after the k-th's.
        let mut orders = Vec::new();
        for order in 0..256usize {
            let order: Vec<usize> = (0..4).map(|at| (order >> (2 * at)) & 3).collect();
            let mut sorted = order.clone();
            sorted.sort();
            if sorted == [0, 1, 2, 3] {
                orders.push(order);
            }
        }
        assert_eq!(orders.len(), 24);
        let term = |w: &str| -> Box<dyn Query> {
            let term = Term::from_field_text(body, w);
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
        };
        // (Not a union of terms alone: Tantivy's Block-WAND adds a
        // passage's terms in an order that depends on the threshold, so
        // its score may differ in the last bit from one walk to another.)
        let queries: Vec<Box<dyn Query>> = vec![
            term("wheat"),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term("price")),
                (Occur::Should, term("said")),
            ])),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term("oil")),
                (Occur::Should, term("wheat")),
                (Occur::Should, term("rose")),
            ])),
        ];
        for query in &queries {
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let weight = query.weight(scoring).unwrap();
            for k in (1..=12).chain([20, 29, 50, 100, 400, 5000]) {
                for offset in [0, 1, 7, 40] {
                    let top = TopDocs::with_limit(k).and_offset(offset).order_by_score();
                    let expected = searcher.search(query.as_ref(), &top).unwrap();
                    let mut got =
                        vec![top_by_score(&searcher, weight.as_ref(), offset..offset + k).unwrap()];
                    for order in &orders {
                        got.push(
                            top_in_order(&searcher, weight.as_ref(), offset..offset + k, order)
                                .unwrap(),
                        );
                    }
                    let bits = |hits: &[(Score, DocAddress)]| -> Vec<(u32, DocAddress)> {
                        hits.iter().map(|(s, d)| (s.to_bits(), *d)).collect()
                    };
                    for got in &got {
                        assert_eq!(
                            bits(got),
                            bits(&expected),
                            "{query:?} top {k} from {offset}"
                        );
                    }
                }
            }
        }
    }
}
