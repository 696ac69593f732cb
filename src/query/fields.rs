//! One term in several fields (a bare word in body or title) that skips.
//! Tantivy scores such a union with a `BufferedUnionScorer`, which on a
//! `seek` past its 4,096-document window scores every document of the next
//! window, although an intersection then uses one. [`FieldsScorer`] moves
//! each field's term scorer to the target through its skip list instead,
//! and scores a document as the union does (same floating-point operations,
//! same order), so the hits are the same, bit for bit.

use std::fmt;
use std::sync::Arc;

use tantivy::index::InvertedIndexReader;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyScorer, EnableScoring, Occur, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// The window of `BufferedUnionScorer`, in documents.
const HORIZON: DocId = 4096;

/// The Should union of one term per field, each boosted. Everything but
/// [`Weight::scorer`] is the union's own, so a lone word keeps Tantivy's
/// block-WAND for its top k.
#[derive(Clone)]
pub struct FieldsQuery {
    /// The union as `QueryBuilder::atom` compiles it.
    union: BooleanQuery,
    /// The union's terms (one field each) and boosts, in clause order.
    terms: Vec<(Term, Score)>,
}

impl FieldsQuery {
    /// The union of the terms (one field each), in this order, with their boosts.
    pub fn new(terms: Vec<(Term, Score)>) -> Self {
        let clauses = terms
            .iter()
            .map(|(term, boost)| (Occur::Should, clause(term, *boost)));
        FieldsQuery {
            union: BooleanQuery::new(clauses.collect()),
            terms,
        }
    }
}

/// A clause of the union: a `TermQuery`, in a `BoostQuery` when its boost is not 1.
fn clause(term: &Term, boost: Score) -> Box<dyn Query> {
    let query = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

impl fmt::Debug for FieldsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldsQuery({:?})", self.union)
    }
}

impl Query for FieldsQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let union = self.union.weight(enable_scoring)?;
        // A count needs no scores (and then a term in every document
        // scores as `AllScorer`): the union as it is.
        if !enable_scoring.is_scoring_enabled() {
            return Ok(union);
        }
        let fields = self
            .terms
            .iter()
            .map(|(term, boost)| Ok((clause(term, *boost).weight(enable_scoring)?, term.clone())))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(FieldsWeight { union, fields }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.union.query_terms(visitor);
    }
}

struct FieldsWeight {
    union: Box<dyn Weight>,
    /// Each clause's weight and term.
    fields: Vec<(Box<dyn Weight>, Term)>,
}

impl Weight for FieldsWeight {
    delegate_weight!(union: explain, count, for_each, for_each_no_score, for_each_pruning);

    /// As the union's scorer: the term scorer alone when the other terms
    /// are not in the segment, else a [`FieldsScorer`].
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut fields = Vec::with_capacity(self.fields.len());
        for (weight, term) in &self.fields {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.is::<EmptyScorer>() {
                continue;
            }
            fields.push(Field {
                scorer,
                postings: reader.inverted_index(term.field())?,
                term: term.clone(),
            });
        }
        if fields.len() > 1 {
            return Ok(Box::new(FieldsScorer::new(fields)));
        }
        Ok(fields.pop().map_or(Box::new(EmptyScorer), |f| f.scorer))
    }
}

/// One field's term scorer, and where to read its postings afresh.
struct Field {
    scorer: Box<dyn Scorer>,
    postings: Arc<InvertedIndexReader>,
    term: Term,
}

impl Field {
    /// Whether the term is in a document at or after `target`.
    fn reaches(&self, target: DocId) -> bool {
        let doc = self.scorer.doc();
        if doc >= target || doc == TERMINATED {
            return doc != TERMINATED;
        }
        // A cost cannot fail: a term that cannot be read counts as ended.
        match self
            .postings
            .read_postings(&self.term, IndexRecordOption::Basic)
        {
            Ok(Some(mut p)) => p.doc() >= target || p.seek(target) != TERMINATED,
            _ => false,
        }
    }
}

/// The union of the term scorers of one term in several fields, leapfrogging.
pub struct FieldsScorer {
    /// The fields' scorers, in clause order.
    fields: Vec<Field>,
    doc: DocId,
    /// Where the window of a `BufferedUnionScorer` at the same place would
    /// start: its cost counts only the terms that reach past its window.
    window: DocId,
}

impl FieldsScorer {
    fn new(fields: Vec<Field>) -> Self {
        let mut scorer = FieldsScorer {
            fields,
            doc: 0,
            window: 0,
        };
        scorer.settle();
        scorer.window = scorer.doc;
        scorer
    }

    /// Moves to the first document of a field, and the window as the union does.
    fn settle(&mut self) -> DocId {
        self.doc = self
            .fields
            .iter()
            .map(|f| f.scorer.doc())
            .min()
            .unwrap_or(TERMINATED);
        // The union refills (starts a new window at the next document) when
        // that is past its window.
        if self.doc >= self.window + HORIZON {
            self.window = self.doc;
        }
        self.doc
    }
}

impl DocSet for FieldsScorer {
    fn advance(&mut self) -> DocId {
        for field in &mut self.fields {
            if field.scorer.doc() == self.doc {
                field.scorer.advance();
            }
        }
        self.settle()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for field in &mut self.fields {
            if field.scorer.doc() < target {
                field.scorer.seek(target);
            }
        }
        self.settle()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// At most the sum of the terms' documents.
    fn size_hint(&self) -> u32 {
        let sizes = self.fields.iter().map(|f| f.scorer.size_hint());
        sizes.fold(0, u32::saturating_add)
    }

    /// The cost of the union at the same place: the sum of the costs of
    /// the terms it still holds, those past its window. An intersection
    /// orders its scorers by cost, and so sums their scores in that order.
    fn cost(&self) -> u64 {
        if self.doc == TERMINATED {
            return 0;
        }
        let end = self.window + HORIZON;
        let held = self.fields.iter().filter(|f| f.reaches(end));
        held.map(|f| f.scorer.cost()).sum()
    }
}

impl Scorer for FieldsScorer {
    /// `SumCombiner`'s sum: from 0, in clause order.
    fn score(&mut self) -> Score {
        let mut score: Score = 0.0;
        for field in &mut self.fields {
            if field.scorer.doc() == self.doc {
                score += field.scorer.score();
            }
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::schema::Field as SchemaField;
    use tantivy::{doc, Searcher};

    use super::*;
    use crate::testing::top_bits;

    /// Two segments of passages over "a", "b", "c" in body and title: a
    /// word in the title only, the body only, both or neither, with runs
    /// far longer than a union's window where a word is rare; the second
    /// segment has no "b" in any title, and deleted passages.
    fn searcher() -> (Searcher, [SchemaField; 2]) {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let mut below = crate::testing::below();
        for segment in 0..2 {
            for i in 0..30_000 {
                // Every 10,000 passages, a word is rare (1 in 2,000) for a while.
                let rare = [i / 10_000 == 1, (i / 7_000) % 2 == 0, i % 9_000 < 6_000];
                let mut text = |in_title: bool| {
                    let mut words = vec!["x"];
                    for (w, word) in ["a", "b", "c"].iter().enumerate() {
                        let odds = if rare[w] { 2_000 } else { 4 };
                        let none = in_title && segment == 1 && *word == "b";
                        if below(odds) == 0 && !none {
                            words.push(word);
                        }
                    }
                    if below(20) == 0 {
                        words.push("gone");
                    }
                    words.join(" ")
                };
                let (b, t) = (text(false), text(true));
                writer.add_document(doc!(body => b, title => t)).unwrap();
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(body, "gone"));
        writer.commit().unwrap();
        (writer.index().reader().unwrap().searcher(), [body, title])
    }

    /// The word's terms in body and title with the boosts.
    fn terms(fields: [SchemaField; 2], word: &str, boosts: [Score; 2]) -> Vec<(Term, Score)> {
        let terms = fields.map(|f| Term::from_field_text(f, word));
        terms.into_iter().zip(boosts).collect()
    }

    /// The union as `QueryBuilder::atom` compiled it before `FieldsQuery`.
    fn plain(terms: &[(Term, Score)]) -> Box<dyn Query> {
        let clauses = terms.iter().map(|(term, boost)| {
            let query = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            let query: Box<dyn Query> = if *boost == 1.0 {
                query
            } else {
                Box::new(BoostQuery::new(query, *boost))
            };
            (Occur::Should, query)
        });
        Box::new(BooleanQuery::new(clauses.collect()))
    }

    const BOOSTS: [[Score; 2]; 3] = [[1.0, 1.0], [1.0, 0.5], [0.0, 0.0]];

    #[test]
    fn the_scorer_moves_scores_and_costs_as_the_union() {
        let (searcher, fields) = searcher();
        let mut below = crate::testing::below();
        // The union's costs seen: it drops a term that ends in its window.
        let mut costs = std::collections::BTreeSet::new();
        for reader in searcher.segment_readers() {
            for (word, boosts) in ["a", "b", "c"].into_iter().zip(BOOSTS) {
                let terms = terms(fields, word, boosts);
                let scoring = EnableScoring::enabled_from_searcher(&searcher);
                let plain = plain(&terms).weight(scoring).unwrap();
                let wrapped = FieldsQuery::new(terms).weight(scoring).unwrap();
                let mut steps = 0;
                for _ in 0..4 {
                    let mut plain = plain.scorer(reader, 1.5).unwrap();
                    let mut wrapped = wrapped.scorer(reader, 1.5).unwrap();
                    while plain.doc() != TERMINATED {
                        assert_eq!(wrapped.doc(), plain.doc());
                        assert_eq!(wrapped.score().to_bits(), plain.score().to_bits());
                        assert_eq!(wrapped.cost(), plain.cost(), "{word} at {}", plain.doc());
                        costs.insert((word, plain.cost()));
                        let gap = [1, 2, 60, 3_000, 4_096, 5_000, 12_000][below(7)];
                        let target = plain.doc() + gap as DocId;
                        if below(4) > 0 {
                            plain.advance();
                            wrapped.advance();
                        } else {
                            plain.seek(target);
                            wrapped.seek(target);
                        }
                        steps += 1;
                    }
                    assert_eq!(wrapped.doc(), TERMINATED);
                    assert_eq!(wrapped.cost(), plain.cost());
                }
                assert!(steps > 60, "{word}: {steps} steps");
            }
        }
        assert!(costs.len() > 6, "{costs:?}");
    }

    #[test]
    fn intersections_and_lone_words_find_the_unions_hits_bit_for_bit() {
        let (searcher, fields) = searcher();
        let words: [&[&str]; 5] = [&["a"], &["b"], &["a", "b"], &["c", "b"], &["a", "b", "c"]];
        for words in words {
            for boosts in BOOSTS {
                let clauses = |wrap: bool| {
                    let clauses = words.iter().enumerate().map(|(i, word)| {
                        // A stop word (boost 0) among others.
                        let boosts = if i == 1 { boosts } else { [1.0, 1.0] };
                        let terms = terms(fields, word, boosts);
                        let query = if wrap {
                            Box::new(FieldsQuery::new(terms))
                        } else {
                            plain(&terms)
                        };
                        (Occur::Must, query)
                    });
                    BooleanQuery::new(clauses.collect())
                };
                let (plain, wrapped) = (clauses(false), clauses(true));
                let all = top_bits(&searcher, &plain, 1_000_000);
                assert!(all.len() > 100, "{words:?}: {} hits", all.len());
                for k in [1, 10, 100, 1_000_000] {
                    assert_eq!(
                        top_bits(&searcher, &wrapped, k),
                        top_bits(&searcher, &plain, k),
                        "{words:?} {boosts:?} top {k}"
                    );
                }
                let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
                assert_eq!(count(&wrapped), count(&plain));
            }
        }
    }
}
