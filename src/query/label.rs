//! Names for the parts of a query, read by `search --explain` (see
//! [`crate::explain`]): [`Labeled`] names what a query scores (a phrase, a
//! prefix's words), [`BestOf`] is the better of several queries and says
//! which one a hit's score is. Both search, count and score exactly as the
//! queries they stand for.

use std::fmt;
use std::sync::Arc;

use tantivy::query::{
    BooleanWeight, DisjunctionMaxCombiner, DisjunctionMaxQuery, EnableScoring, Explanation, Occur,
    Query, Weight,
};
use tantivy::{DocId, SegmentReader, Term};

use super::words::shared;
use crate::explain;

/// The name of a phrase of `terms` in `field` with this slop:
/// `phrase body "tren de aragua"`, `near body maduro–caracas (within 8)`,
/// `near body "tren de aragua"~4`.
pub fn phrase_label(field: &str, terms: &[&str], slop: u32) -> String {
    match (slop, terms) {
        (0, _) => format!("phrase {field} \"{}\"", terms.join(" ")),
        (_, [a, b]) => format!("near {field} {a}–{b} (within {slop})"),
        _ => format!("near {field} \"{}\"~{slop}", terms.join(" ")),
    }
}

/// A query with a name for its explanation; everything else is the query's own.
pub struct Labeled {
    query: Box<dyn Query>,
    label: String,
    /// Whether the name is a group's, over the query's parts, rather than
    /// a name for the query's one piece of evidence (a phrase).
    group: bool,
}

impl Labeled {
    /// `query`, one piece of evidence (a phrase), named `label` in explanations.
    pub fn new(query: Box<dyn Query>, label: String) -> Self {
        Labeled {
            query,
            label,
            group: false,
        }
    }

    /// `query`, whose parts (a prefix's words) are grouped under `label`
    /// in explanations.
    pub fn group(query: Box<dyn Query>, label: String) -> Self {
        Labeled {
            query,
            label,
            group: true,
        }
    }
}

impl Clone for Labeled {
    fn clone(&self) -> Self {
        Labeled {
            query: self.query.box_clone(),
            label: self.label.clone(),
            group: self.group,
        }
    }
}

/// The query's own (a name changes nothing it does).
impl fmt::Debug for Labeled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.query.fmt(f)
    }
}

impl Query for Labeled {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(LabeledWeight {
            inner: self.query.weight(enable_scoring)?,
            label: self.label.clone(),
            group: self.group,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct LabeledWeight {
    inner: Box<dyn Weight>,
    label: String,
    group: bool,
}

impl Weight for LabeledWeight {
    delegate_weight!(
        inner: scorer,
        scorer_danger,
        count,
        for_each,
        for_each_no_score,
        for_each_pruning,
    );

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        Ok(match self.group {
            true => explain::group(&self.label, inner.value(), vec![inner]),
            false => explain::label(&self.label, inner),
        })
    }
}

/// The better of several queries (Tantivy's `DisjunctionMaxQuery`, no tie
/// breaker), each with a name for explanations.
pub struct BestOf {
    query: DisjunctionMaxQuery,
    named: Vec<(String, Box<dyn Query>)>,
}

impl BestOf {
    /// A document's score is the best of the `named` queries that match it.
    pub fn new(named: Vec<(String, Box<dyn Query>)>) -> Self {
        let query = DisjunctionMaxQuery::new(named.iter().map(|(_, q)| q.box_clone()).collect());
        BestOf { query, named }
    }
}

impl Clone for BestOf {
    fn clone(&self) -> Self {
        BestOf::new(
            self.named
                .iter()
                .map(|(n, q)| (n.clone(), q.box_clone()))
                .collect(),
        )
    }
}

impl fmt::Debug for BestOf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.query.fmt(f)
    }
}

impl Query for BestOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        if !enable_scoring.is_scoring_enabled() {
            return self.query.weight(enable_scoring);
        }
        // The weight `DisjunctionMaxQuery::weight` makes, sharing its
        // parts' weights with the explanation.
        let mut named: Vec<(String, Arc<dyn Weight>)> = Vec::with_capacity(self.named.len());
        for (name, query) in &self.named {
            named.push((name.clone(), Arc::from(query.weight(enable_scoring)?)));
        }
        let clauses = named.iter().map(|(_, w)| shared(Occur::Should, w));
        let query = Box::new(BooleanWeight::with_minimum_number_should_match(
            clauses.collect(),
            1,
            true,
            Box::new(|| DisjunctionMaxCombiner::with_tie_breaker(0.0)),
        ));
        Ok(Box::new(BestOfWeight { query, named }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct BestOfWeight {
    query: Box<dyn Weight>,
    named: Vec<(String, Arc<dyn Weight>)>,
}

impl Weight for BestOfWeight {
    delegate_weight!(
        query: scorer,
        scorer_danger,
        count,
        for_each,
        for_each_no_score,
        for_each_pruning,
    );

    /// The best part, named, with the others' scores in its name; the
    /// first part alone when no other matches.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let value = self.query.explain(reader, doc)?.value();
        let mut matched: Vec<(&str, Explanation)> = Vec::new();
        for (name, weight) in &self.named {
            if let Ok(explanation) = weight.explain(reader, doc) {
                matched.push((name, explanation));
            }
        }
        let best = matched
            .iter()
            .enumerate()
            .max_by(|a, b| a.1 .1.value().total_cmp(&b.1 .1.value()))
            .map(|(i, _)| i);
        let Some(best) = best else {
            return self.query.explain(reader, doc);
        };
        if best == 0 && matched.len() == 1 && self.named[0].0 == matched[0].0 {
            // The first, alone: nothing to choose between.
            return Ok(matched.swap_remove(0).1);
        }
        let (name, explanation) = matched.swap_remove(best);
        let mut label = name.to_owned();
        for (other, explanation) in &matched {
            label.push_str(&format!(
                " (better than {other}: {:.4})",
                explanation.value()
            ));
        }
        Ok(explain::group(&label, value, vec![explanation]))
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::doc;
    use tantivy::query::{BooleanQuery, PhraseQuery, TermQuery};
    use tantivy::schema::IndexRecordOption;

    use super::*;
    use crate::testing::top_bits;

    /// Names change nothing a query finds or scores, and the best of
    /// several explains the one that gave the score.
    #[test]
    fn names_change_no_score_and_the_best_part_is_explained() {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let vocabulary = ["oil", "price", "crude", "a", "b", "said"];
        let mut below = crate::testing::below();
        for _ in 0..2 {
            for _ in 0..500 {
                let mut text = |n: usize| {
                    let words = (0..1 + below(n)).map(|_| vocabulary[below(vocabulary.len())]);
                    words.collect::<Vec<_>>().join(" ")
                };
                let (b, t) = (text(30), text(5));
                writer.add_document(doc!(body => b, title => t)).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = writer.index().reader().unwrap().searcher();
        let term = |field, w| Term::from_field_text(field, w);
        let phrase = || -> Box<dyn Query> {
            Box::new(PhraseQuery::new(vec![
                term(body, "oil"),
                term(body, "price"),
            ]))
        };
        let word = |field, w| -> Box<dyn Query> {
            Box::new(TermQuery::new(term(field, w), IndexRecordOption::WithFreqs))
        };
        let plain = BooleanQuery::new(vec![
            (Occur::Must, word(body, "crude")),
            (Occur::Should, phrase()),
        ]);
        let named = BooleanQuery::new(vec![
            (Occur::Must, word(body, "crude")),
            (
                Occur::Should,
                Box::new(Labeled::new(phrase(), "phrase".into())),
            ),
        ]);
        let max = DisjunctionMaxQuery::new(vec![word(body, "oil"), word(title, "oil")]);
        let best = BestOf::new(vec![
            ("text".into(), word(body, "oil")),
            ("title".into(), word(title, "oil")),
        ]);
        let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
        for (a, b) in [(&plain as &dyn Query, &named as &dyn Query), (&max, &best)] {
            for k in [1, 10, 10_000] {
                assert_eq!(top_bits(&searcher, a, k), top_bits(&searcher, b, k));
            }
            assert_eq!(count(a), count(b));
        }
        let tops = top_bits(&searcher, &best, 10_000);
        let mut both = 0;
        for &(bits, address) in &tops {
            let explanation = best.explain(&searcher, address).unwrap();
            assert_eq!(explanation.value(), f32::from_bits(bits));
            let text = word(body, "oil").explain(&searcher, address);
            let in_title = word(title, "oil").explain(&searcher, address);
            let json = explanation.to_pretty_json();
            if let (Ok(text), Ok(in_title)) = (&text, &in_title) {
                both += 1;
                let better = if text.value() >= in_title.value() {
                    "text"
                } else {
                    "title"
                };
                assert!(
                    json.contains(&format!("newsdex group: {better} (better than")),
                    "{json}"
                );
            }
        }
        assert!(both > 10, "{both}");
    }
}
