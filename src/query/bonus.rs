//! The title as evidence that never makes a match. A passage is a hit only
//! when its own text holds what the query asks for; the words and phrases
//! of the query that its article's title holds add to its score.
//! [`BonusQuery`] is `Must(required) Should(bonus)`, and keeps the top k of
//! the required part pruned: a passage whose required score plus the most
//! the bonus can add cannot beat the k-th best score so far is passed over
//! (by the required part's own pruning, block-WAND for a lone word). The
//! others are scored exactly as Tantivy's `RequiredOptionalScorer` scores
//! them (same floating-point operations, same order), so the hits are the
//! same, bit for bit.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use super::first::max_bm25;
use super::words::{boolean_weight, shared};
use crate::explain;

/// A bound is trusted only this far (see `words::BOUND_SLACK`).
const BOUND_SLACK: Score = 1.0 + 1e-5;

/// Terms (one field; a phrase when several) and a boost, whose BM25 as a
/// term or phrase query bounds part of a bonus.
pub type Bound = (Vec<Term>, Score);

/// `Must(required) Should(bonus)`, for a top k by score. Everything but
/// [`Weight::for_each_pruning`] is that Boolean query's own.
pub struct BonusQuery {
    /// The query as compiled.
    query: BooleanQuery,
    required: Box<dyn Query>,
    bonus: Box<dyn Query>,
    /// The bonus clauses' terms (one field each, as a phrase when several)
    /// and boosts, whose BM25 bounds the bonus; `None` when a clause has
    /// no such bound (a prefix), and then nothing is pruned.
    bounds: Option<Vec<Bound>>,
}

impl BonusQuery {
    /// `required`, plus `bonus` where it also matches. Each clause of
    /// `bounds` must bound a part of the bonus's score by its BM25 as a
    /// term or phrase query, boosted.
    pub fn new(
        required: Box<dyn Query>,
        bonus: Box<dyn Query>,
        bounds: Option<Vec<Bound>>,
    ) -> Self {
        let query = BooleanQuery::new(vec![
            (Occur::Must, required.box_clone()),
            (Occur::Should, bonus.box_clone()),
        ]);
        BonusQuery {
            query,
            required,
            bonus,
            bounds,
        }
    }
}

impl Clone for BonusQuery {
    fn clone(&self) -> Self {
        BonusQuery {
            query: self.query.clone(),
            required: self.required.box_clone(),
            bonus: self.bonus.box_clone(),
            bounds: self.bounds.clone(),
        }
    }
}

impl fmt::Debug for BonusQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BonusQuery({:?})", self.query)
    }
}

impl Query for BonusQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            return self.query.weight(enable_scoring);
        };
        let required: Arc<dyn Weight> = Arc::from(self.required.weight(enable_scoring)?);
        // The bonus's clauses, weighed once: alone for the walk, together
        // (as the bonus query's own weight) for everything else.
        let (clauses, bonus): (Vec<Arc<dyn Weight>>, Arc<dyn Weight>) =
            match any_of_clauses(self.bonus.as_ref()) {
                Some((queries, minimum)) => {
                    let clauses = queries
                        .map(|q| q.weight(enable_scoring).map(Arc::from))
                        .collect::<tantivy::Result<Vec<Arc<dyn Weight>>>>()?;
                    let together = clauses.iter().map(|w| shared(Occur::Should, w));
                    let bonus = Arc::from(boolean_weight(together.collect(), minimum));
                    (clauses, bonus)
                }
                None => {
                    let bonus: Arc<dyn Weight> = Arc::from(self.bonus.weight(enable_scoring)?);
                    (vec![bonus.clone()], bonus)
                }
            };
        let query = boolean_weight(
            vec![
                shared(Occur::Must, &required),
                shared(Occur::Should, &bonus),
            ],
            0,
        );
        let most = match &self.bounds {
            Some(bounds) => {
                let mut most: Score = 0.0;
                for (terms, boost) in bounds {
                    most += max_bm25(statistics_provider, terms, *boost)?;
                }
                most
            }
            None => Score::INFINITY,
        };
        Ok(Box::new(BonusWeight {
            query,
            required,
            bonus,
            clauses,
            most,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct BonusWeight {
    query: Box<dyn Weight>,
    required: Arc<dyn Weight>,
    bonus: Arc<dyn Weight>,
    /// The bonus's clauses, each matching alone (the bonus is their sum).
    clauses: Vec<Arc<dyn Weight>>,
    /// The most the bonus adds to a score (infinite: unknown).
    most: Score,
}

impl Weight for BonusWeight {
    delegate_weight!(query: scorer, scorer_danger, count, for_each, for_each_no_score);

    /// The required part's parts, and the title's, named.
    fn explain(
        &self,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<tantivy::query::Explanation> {
        let required = self.required.explain(reader, doc)?;
        explain(
            self.query.as_ref(),
            required,
            self.bonus.as_ref(),
            reader,
            doc,
        )
    }

    /// The required part's pruning, with the threshold lowered by the
    /// most the bonus can add; each document it passes on gets its bonus,
    /// and goes on when the sum beats the threshold.
    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        if !self.most.is_finite() {
            return self.query.for_each_pruning(threshold, reader, callback);
        }
        let most = self.most * BOUND_SLACK;
        let lower = |threshold: Score| threshold - most - threshold.abs() * 1e-6;
        // Each clause apart: a union of them would refill its window of
        // 4,096 documents at every seek past it, for one document's score.
        let mut clauses = (self.clauses.iter())
            .map(|clause| clause.scorer(reader, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        self.required
            .for_each_pruning(lower(threshold), reader, &mut |doc, required| {
                // `RequiredOptionalScorer`'s sum (`SumCombiner` from 0) of
                // the union's (its clauses in order, from 0).
                let mut score: Score = 0.0;
                score += required;
                let mut bonus: Option<Score> = None;
                for clause in &mut clauses {
                    if clause.doc() <= doc && clause.seek(doc) == doc {
                        *bonus.get_or_insert(0.0) += clause.score();
                    }
                }
                if let Some(bonus) = bonus {
                    score += bonus;
                }
                if score > threshold {
                    threshold = callback(doc, score);
                }
                lower(threshold)
            })
    }
}

/// The clauses of `query` when it is a union (`Should` clauses only, at
/// least one of which must match), with its least number of matches.
fn any_of_clauses(query: &dyn Query) -> Option<(impl Iterator<Item = &dyn Query> + '_, usize)> {
    let query = query.downcast_ref::<BooleanQuery>()?;
    let minimum = query.get_minimum_number_should_match();
    let clauses = query.clauses();
    let union = minimum <= 1 && clauses.iter().all(|(occur, _)| *occur == Occur::Should);
    union.then(|| (clauses.iter().map(|(_, q)| q.as_ref()), minimum))
}

/// The explanation of `query`, `Must(required) Should(bonus)`: the
/// required part's (`required`), and the title's bonus where it matches.
pub(super) fn explain(
    query: &dyn Weight,
    required: tantivy::query::Explanation,
    bonus: &dyn Weight,
    reader: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<tantivy::query::Explanation> {
    let score = explain::score_of(query, reader, doc)?;
    let mut parts = vec![required];
    if let Ok(bonus) = bonus.explain(reader, doc) {
        let title = "title bonus (the article's title holds them)";
        parts.push(explain::group(title, bonus.value(), vec![bonus]));
    }
    Ok(explain::sum(score, parts))
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::{BoostQuery, PhraseQuery, TermQuery};
    use tantivy::schema::{Field, IndexRecordOption};
    use tantivy::{doc, Searcher};

    use super::*;
    use crate::testing::top_bits;

    /// Two segments of passages over a small vocabulary, most with a
    /// title, some words rare in titles, exact copies and deletions.
    fn searcher() -> (Searcher, [Field; 2]) {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let vocabulary = ["a", "b", "oil", "price", "said", "a", "b", "crude"];
        let mut below = crate::testing::below();
        for _ in 0..2 {
            for _ in 0..6_000 {
                let mut text = |n: usize| {
                    let n = 1 + below(n);
                    let words = (0..n).map(|_| vocabulary[below(vocabulary.len())]);
                    words.collect::<Vec<_>>().join(" ")
                };
                let mut body_text = text(40);
                let title_text = text(6);
                if below(10) == 0 {
                    body_text.push_str(" gone");
                }
                let copies = if below(8) == 0 { 2 } else { 1 };
                for _ in 0..copies {
                    let document = if below(4) == 0 {
                        doc!(body => body_text.clone())
                    } else {
                        doc!(body => body_text.clone(), title => title_text.clone())
                    };
                    writer.add_document(document).unwrap();
                }
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(body, "gone"));
        writer.commit().unwrap();
        (writer.index().reader().unwrap().searcher(), [body, title])
    }

    fn term(field: Field, word: &str) -> Box<dyn Query> {
        let term = Term::from_field_text(field, word);
        Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
    }

    #[test]
    fn top_k_is_the_boolean_querys_bit_for_bit() {
        let (searcher, [body, title]) = searcher();
        let phrase = |field, words: &[&str]| -> Box<dyn Query> {
            let terms = words.iter().map(|w| Term::from_field_text(field, w));
            Box::new(PhraseQuery::new(terms.collect()))
        };
        let words = |words: &[&str], occur| -> Box<dyn Query> {
            let clauses = words.iter().map(|w| (occur, term(body, w)));
            Box::new(BooleanQuery::new(clauses.collect()))
        };
        let title_words = |words: &[&str], boost: Score| {
            let clauses = words.iter().map(|w| {
                let q: Box<dyn Query> = Box::new(BoostQuery::new(term(title, w), boost));
                (Occur::Should, q)
            });
            let bounds = words
                .iter()
                .map(|w| (vec![Term::from_field_text(title, w)], boost));
            let query: Box<dyn Query> = Box::new(BooleanQuery::new(clauses.collect()));
            (query, bounds.collect::<Vec<_>>())
        };
        type Case = (Box<dyn Query>, Box<dyn Query>, Vec<Bound>);
        let mut cases: Vec<Case> = vec![
            (
                term(body, "oil"),
                term(title, "oil"),
                vec![(vec![Term::from_field_text(title, "oil")], 1.0)],
            ),
            (
                phrase(body, &["oil", "price"]),
                phrase(title, &["oil", "price"]),
                vec![(
                    ["oil", "price"]
                        .iter()
                        .map(|w| Term::from_field_text(title, w))
                        .collect(),
                    1.0,
                )],
            ),
        ];
        for (occur, boost) in [(Occur::Must, 1.0), (Occur::Should, 0.5)] {
            let (bonus, bounds) = title_words(&["crude", "price"], boost);
            cases.push((words(&["crude", "price"], occur), bonus, bounds));
        }
        for (required, bonus, bounds) in cases {
            let plain = BooleanQuery::new(vec![
                (Occur::Must, required.box_clone()),
                (Occur::Should, bonus.box_clone()),
            ]);
            let wrapped = BonusQuery::new(required, bonus, Some(bounds));
            let all = top_bits(&searcher, &plain, 1_000_000);
            assert!(all.len() > 500, "{plain:?}: {} hits", all.len());
            for k in [1, 2, 10, 100, 1_000_000] {
                assert_eq!(
                    top_bits(&searcher, &wrapped, k),
                    top_bits(&searcher, &plain, k),
                    "{plain:?} top {k}"
                );
            }
            let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
            assert_eq!(count(&wrapped), count(&plain));
        }
    }

    /// A passage whose title alone holds the word is no hit.
    #[test]
    fn the_title_alone_never_matches() {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        writer
            .add_document(doc!(body => "crude said", title => "oil"))
            .unwrap();
        writer
            .add_document(doc!(body => "oil said", title => "oil"))
            .unwrap();
        writer.add_document(doc!(body => "oil said")).unwrap();
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let bounds = vec![(vec![Term::from_field_text(title, "oil")], 1.0)];
        let query = BonusQuery::new(term(body, "oil"), term(title, "oil"), Some(bounds));
        let hits = top_bits(&searcher, &query, 10);
        let docs: Vec<DocId> = hits.iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(docs, [1, 2]);
        assert!(f32::from_bits(hits[0].0) > f32::from_bits(hits[1].0));
    }
}
