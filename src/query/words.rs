//! The best hits of several bare words without reading the positions of
//! every candidate. Bare words compile to the required words (`Must`) and
//! an optional proximity boost (`Should`: phrase queries over the body, or
//! a `PairQuery`). For the top k Tantivy scores every document holding the
//! words, and the proximity clauses decode positions for each one. Here a
//! document's proximity score is bounded without positions (a phrase occurs
//! at most as often as its rarest term, and BM25 grows with the count); a
//! document whose words' score plus that bound cannot beat the k-th best
//! score so far is passed over. The others are scored exactly as Tantivy's
//! `RequiredOptionalScorer` scores them (same floating-point operations,
//! same order), so the hits are the same, bit for bit.

use std::fmt;
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BooleanWeight, EnableScoring, Explanation, Occur, Query, Scorer,
    SumCombiner, Weight,
};

use super::first::Most;
use crate::explain;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// A bound is trusted only this far: rounding may make BM25 of a smaller
/// count a few ulps larger than BM25 of a larger one, and the bound's sum
/// is not rounded as the score's (1e-5 is far above the rounding of the
/// few operations involved).
const BOUND_SLACK: Score = 1.0 + 1e-5;

#[cfg(test)]
thread_local! {
    /// How many documents `for_each_pruning` scored exactly.
    static SCORED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A clause of the proximity boost: its query, and the phrases it scores
/// (terms in one field, boost), for the bound.
pub struct NearClause {
    /// The clause as compiled.
    pub query: Box<dyn Query>,
    /// The phrases whose scores the clause sums: its terms and boost.
    pub phrases: Vec<(Vec<Term>, Score)>,
    /// What the clause adds beyond its phrases' BM25 where they occur
    /// (the exact phrase's rank above the others: see [`super::first`]).
    pub above: Most,
}

impl Clone for NearClause {
    fn clone(&self) -> Self {
        NearClause {
            query: self.query.box_clone(),
            phrases: self.phrases.clone(),
            above: self.above.clone(),
        }
    }
}

/// `Must(words) Should(near)`, for a top k by score. Everything but
/// [`Weight::for_each_pruning`] is that Boolean query's own.
pub struct TopKWordsQuery {
    /// The query as compiled.
    query: BooleanQuery,
    /// The required part.
    words: Box<dyn Query>,
    /// The clauses of the proximity boost, in order: a union of them when
    /// there are several, the clause itself when there is one.
    near: Vec<NearClause>,
}

impl TopKWordsQuery {
    /// `words`, required, boosted by the Should union of the `near`
    /// clauses (the clause alone when there is one). Each clause's score
    /// must be the sum of BM25 scores of phrases, each occurring at most
    /// as often as its rarest term.
    pub fn new(words: Box<dyn Query>, near: Vec<NearClause>) -> Self {
        let union: Box<dyn Query> = match near.as_slice() {
            [clause] => clause.query.box_clone(),
            clauses => {
                let clauses = clauses.iter().map(|c| (Occur::Should, c.query.box_clone()));
                Box::new(BooleanQuery::new(clauses.collect()))
            }
        };
        let query = BooleanQuery::new(vec![
            (Occur::Must, words.box_clone()),
            (Occur::Should, union),
        ]);
        TopKWordsQuery { query, words, near }
    }
}

impl Clone for TopKWordsQuery {
    fn clone(&self) -> Self {
        TopKWordsQuery {
            query: self.query.clone(),
            words: self.words.box_clone(),
            near: self.near.clone(),
        }
    }
}

impl fmt::Debug for TopKWordsQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TopKWordsQuery({:?})", self.query)
    }
}

impl Query for TopKWordsQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            return self.query.weight(enable_scoring);
        };
        // The Boolean query's weight, as `BooleanQuery::weight` makes it,
        // sharing its parts' weights with the pruning.
        let words: Arc<dyn Weight> = Arc::from(self.words.weight(enable_scoring)?);
        let mut clauses: Vec<Arc<dyn Weight>> = Vec::with_capacity(self.near.len());
        for clause in &self.near {
            clauses.push(Arc::from(clause.query.weight(enable_scoring)?));
        }
        let union: Box<dyn Weight> = match clauses.as_slice() {
            [clause] => Box::new(Shared(clause.clone())),
            clauses => {
                let clauses = clauses.iter().map(|c| shared(Occur::Should, c));
                // A union alone: one clause must match.
                boolean_weight(clauses.collect(), 1)
            }
        };
        let query = boolean_weight(vec![shared(Occur::Must, &words), (Occur::Should, union)], 0);
        // BM25 of each phrase (as `PhraseQuery::phrase_weight`), boosted
        // as by `BoostQuery`.
        let mut terms: Vec<Term> = Vec::new();
        let mut bm25: Vec<(&[Term], Bm25Weight)> = Vec::new();
        let mut near = Vec::with_capacity(self.near.len());
        for (clause, weight) in self.near.iter().zip(clauses) {
            let mut phrases = Vec::with_capacity(clause.phrases.len());
            for (phrase, boost) in &clause.phrases {
                let unboosted = match bm25.iter().find(|(t, _)| *t == phrase.as_slice()) {
                    Some((_, weight)) => weight.clone(),
                    None => {
                        let weight = Bm25Weight::for_terms(statistics_provider, phrase)?;
                        bm25.push((phrase, weight.clone()));
                        weight
                    }
                };
                let indices = phrase.iter().map(|term| {
                    terms.iter().position(|t| t == term).unwrap_or_else(|| {
                        terms.push(term.clone());
                        terms.len() - 1
                    })
                });
                phrases.push((indices.collect(), unboosted.boost_by(*boost)));
            }
            let above = clause.above.when_scoring(&enable_scoring)?;
            near.push((weight, phrases, above));
        }
        Ok(Box::new(TopKWordsWeight {
            query,
            words,
            near,
            terms,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

/// The weight `BooleanQuery::weight` makes of these clauses' weights.
pub(super) fn boolean_weight(
    clauses: Vec<(Occur, Box<dyn Weight>)>,
    minimum_number_should_match: usize,
) -> Box<dyn Weight> {
    Box::new(BooleanWeight::with_minimum_number_should_match(
        clauses,
        minimum_number_should_match,
        true,
        Box::new(SumCombiner::default),
    ))
}

pub(super) fn shared(occur: Occur, weight: &Arc<dyn Weight>) -> (Occur, Box<dyn Weight>) {
    (occur, Box::new(Shared(weight.clone())))
}

/// A weight used in two places: everything is the weight's own.
struct Shared(Arc<dyn Weight>);

impl Weight for Shared {
    delegate_weight!(
        0: scorer,
        scorer_danger,
        explain,
        count,
        for_each,
        for_each_no_score,
        for_each_pruning,
    );
}

/// A phrase for the bound: its terms (indices in `TopKWordsWeight::terms`)
/// and BM25 weight, boosted.
type BoundPhrase = (Vec<usize>, Bm25Weight);

struct TopKWordsWeight {
    query: Box<dyn Weight>,
    words: Arc<dyn Weight>,
    /// Each proximity clause's weight, phrases and amount above them.
    near: Vec<(Arc<dyn Weight>, Vec<BoundPhrase>, Score)>,
    /// The terms of the phrases, each once (all in the same field).
    terms: Vec<Term>,
}

impl Weight for TopKWordsWeight {
    delegate_weight!(query: scorer, scorer_danger, count, for_each, for_each_no_score);

    /// The words' parts, and the proximity clauses found, named.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let score = explain::score_of(self.query.as_ref(), reader, doc)?;
        let words = self.words.explain(reader, doc)?;
        let mut parts = vec![explain::group("words", words.value(), vec![words])];
        let near: Vec<Explanation> = self
            .near
            .iter()
            .filter_map(|(weight, ..)| weight.explain(reader, doc).ok())
            .collect();
        if !near.is_empty() {
            let value = near.iter().map(Explanation::value).sum();
            let name = "proximity (the words together, in order or near)";
            parts.push(explain::group(name, value, near));
        }
        Ok(explain::sum(score, parts))
    }

    /// As the Boolean query's (every document holding the words, in order,
    /// passed on when its score beats the threshold), but a document whose
    /// bound does not beat the threshold is not scored: its score could not
    /// either.
    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        // The Boolean query's required scorer is the words' (an
        // intersection of one scorer is that scorer).
        let mut words = self.words.scorer(reader, 1.0)?;
        let Some(field) = self.terms.first().map(Term::field) else {
            return self.query.for_each_pruning(threshold, reader, callback);
        };
        let inverted_index = reader.inverted_index(field)?;
        let mut postings = Vec::with_capacity(self.terms.len());
        for term in &self.terms {
            postings.push(inverted_index.read_postings(term, IndexRecordOption::WithFreqs)?);
        }
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let near_max: Score = self
            .near
            .iter()
            .map(|(_, phrases, above)| {
                let phrases: Score = phrases.iter().map(|(_, bm25)| bm25.max_score()).sum();
                phrases + above
            })
            .sum();
        let mut clauses: Vec<Clause> = self.near.iter().map(|_| Clause::Unopened).collect();
        let mut freqs = vec![0u32; self.terms.len()];
        let mut doc = words.doc();
        while doc != TERMINATED {
            let words_score = words.score();
            if (words_score + near_max) * BOUND_SLACK > threshold {
                for (freq, postings) in freqs.iter_mut().zip(&mut postings) {
                    *freq = postings.as_mut().map_or(0, |p| term_freq(p, doc));
                }
                let fieldnorm_id = fieldnorms.fieldnorm_id(doc);
                let mut bound = words_score;
                for (_, phrases, above) in &self.near {
                    let mut possible = false;
                    for (terms, bm25) in phrases {
                        let least = terms.iter().map(|&t| freqs[t]).min().unwrap_or(0);
                        if least > 0 {
                            bound += bm25.score(fieldnorm_id, least);
                            possible = true;
                        }
                    }
                    if possible {
                        bound += above;
                    }
                }
                if bound * BOUND_SLACK > threshold {
                    #[cfg(test)]
                    SCORED.set(SCORED.get() + 1);
                    // `RequiredOptionalScorer`'s sum (`SumCombiner` from 0):
                    // the words, then the union's, itself a sum from 0 of
                    // its clauses in order.
                    let mut near: Score = 0.0;
                    let mut matched = false;
                    for (clause, (weight, ..)) in clauses.iter_mut().zip(&self.near) {
                        if let Some(score) = clause.score(weight.as_ref(), reader, doc)? {
                            near += score;
                            matched = true;
                        }
                    }
                    let mut score: Score = 0.0;
                    score += words_score;
                    if matched {
                        score += near;
                    }
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            doc = words.advance();
        }
        Ok(())
    }
}

/// The term's frequency in `doc` (0 when not in it); `doc` is past the
/// documents asked before.
fn term_freq(postings: &mut SegmentPostings, doc: DocId) -> u32 {
    let at = if postings.doc() < doc {
        postings.seek(doc)
    } else {
        postings.doc()
    };
    if at == doc {
        postings.term_freq()
    } else {
        0
    }
}

/// A proximity clause's scorer in a segment, opened at the first document
/// scored, then moved only by `seek_danger` (which looks at that document
/// alone, not at those after it).
enum Clause {
    Unopened,
    /// The scorer, and the first document it may match from.
    Open(Box<dyn Scorer>, DocId),
}

impl Clause {
    /// The clause's score in `doc`, or `None` when it does not match there;
    /// `doc` is past the documents asked before.
    fn score(
        &mut self,
        weight: &dyn Weight,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<Option<Score>> {
        let found = match self {
            Clause::Unopened => {
                let (found, scorer) = weight.scorer_danger(reader, doc, 1.0)?;
                *self = Clause::Open(scorer, doc);
                found
            }
            Clause::Open(_, next) if *next > doc => return Ok(None),
            Clause::Open(scorer, _) => scorer.seek_danger(doc),
        };
        let Clause::Open(scorer, next) = self else {
            unreachable!("the clause was opened");
        };
        match found {
            SeekDangerResult::Found => {
                *next = doc + 1;
                Ok(Some(scorer.score()))
            }
            SeekDangerResult::SeekLowerBound(bound) => {
                *next = bound;
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::{BoostQuery, PhraseQuery, TermQuery};
    use tantivy::schema::Schema;
    use tantivy::{doc, Searcher};

    use super::*;
    use crate::query::first::PhraseFirst;
    use crate::query::pair::PairQuery;
    use crate::testing::top_bits;

    /// Three segments of passages over a small vocabulary, with a title on
    /// some, exact copies (ties), deleted passages, a segment without
    /// "derr" in the body, and enough passages for pruning to pay.
    fn searcher() -> (Searcher, Schema) {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let vocabulary = [
            "a", "b", "kenneth", "said", "derr", "chevron", "a", "b", "c",
        ];
        let mut below = crate::testing::below();
        for segment in 0..3 {
            let size = vocabulary.len();
            let text = |below: &mut dyn FnMut(usize) -> usize, no_derr: bool| {
                let n = 1 + below(40);
                let words = (0..n).map(|_| vocabulary[below(size)]);
                let words = words.filter(|w| !(no_derr && *w == "derr"));
                words.collect::<Vec<_>>().join(" ")
            };
            for _ in 0..3_000 {
                let mut body_text = text(&mut below, segment == 2);
                if below(10) == 0 {
                    body_text.push_str(" gone");
                }
                let copies = if below(8) == 0 { 3 } else { 1 };
                for _ in 0..copies {
                    let document = if below(3) == 0 {
                        doc!(body => body_text.clone(), title => text(&mut below, false))
                    } else {
                        doc!(body => body_text.clone())
                    };
                    writer.add_document(document).unwrap();
                }
            }
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(body, "gone"));
        writer.commit().unwrap();
        let index = writer.index();
        (index.reader().unwrap().searcher(), index.schema())
    }

    /// The required words as `QueryBuilder` compiles them: each word in
    /// the body.
    fn words(schema: &Schema, words: &[&str]) -> Box<dyn Query> {
        let body = schema.get_field("body").unwrap();
        let clauses = words.iter().map(|word| {
            let term = Term::from_field_text(body, word);
            let query: Box<dyn Query> =
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (Occur::Must, query)
        });
        Box::new(BooleanQuery::new(clauses.collect()))
    }

    /// A phrase over the body with this slop, boosted.
    fn phrase(schema: &Schema, words: &[&str], slop: u32, boost: Score) -> NearClause {
        let body = schema.get_field("body").unwrap();
        let terms: Vec<Term> = words
            .iter()
            .map(|w| Term::from_field_text(body, w))
            .collect();
        let mut query = PhraseQuery::new(terms.clone());
        query.set_slop(slop);
        let query: Box<dyn Query> = if boost == 1.0 {
            Box::new(query)
        } else {
            Box::new(BoostQuery::new(Box::new(query), boost))
        };
        NearClause {
            query,
            phrases: vec![(terms, boost)],
            above: Most::default(),
        }
    }

    /// The pair clause of two words: exact, near, near pair.
    fn pair(schema: &Schema, first: &str, second: &str) -> NearClause {
        let body = schema.get_field("body").unwrap();
        let terms = [first, second].map(|w| Term::from_field_text(body, w));
        let phrases = vec![(0, 1.2), (4, 1.0), (8, 0.2)];
        NearClause {
            query: Box::new(PairQuery::new(terms.clone(), phrases.clone())),
            phrases: phrases.iter().map(|&(_, w)| (terms.to_vec(), w)).collect(),
            above: Most::default(),
        }
    }

    /// An amount for a phrase first: the most of `words` in the body.
    fn most(schema: &Schema, words: &[&str]) -> Most {
        let body = schema.get_field("body").unwrap();
        let terms = words
            .iter()
            .map(|w| (vec![Term::from_field_text(body, w)], 1.0));
        Most(terms.collect())
    }

    /// The clause, its phrase first by the most of `words`.
    fn first(schema: &Schema, clause: NearClause, words: &[&str]) -> NearClause {
        let above = most(schema, words);
        NearClause {
            query: Box::new(PhraseFirst::new(clause.query, above.clone())),
            above,
            ..clause
        }
    }

    /// The pair clause, its exact phrase first.
    fn first_pair(schema: &Schema, first: &str, second: &str) -> NearClause {
        let clause = pair(schema, first, second);
        let body = schema.get_field("body").unwrap();
        let terms = [first, second].map(|w| Term::from_field_text(body, w));
        let query = PairQuery::new(terms, vec![(0, 1.2), (4, 1.0), (8, 0.2)]);
        let above = most(schema, &[first, second]);
        NearClause {
            query: Box::new(query.exact_first(above.clone())),
            above,
            ..clause
        }
    }

    /// The queries to compare: words and their proximity clauses.
    fn cases(schema: &Schema) -> Vec<(Vec<&'static str>, Vec<NearClause>)> {
        let s = schema;
        vec![
            (vec!["kenneth", "derr"], vec![pair(s, "kenneth", "derr")]),
            (vec!["derr", "kenneth"], vec![pair(s, "derr", "kenneth")]),
            (vec!["a", "b"], vec![pair(s, "a", "b")]),
            (vec!["said", "said"], vec![pair(s, "said", "said")]),
            (
                vec!["kenneth", "derr", "said"],
                vec![
                    phrase(s, &["kenneth", "derr", "said"], 0, 1.0),
                    phrase(s, &["kenneth", "derr", "said"], 4, 1.0),
                    phrase(s, &["kenneth", "derr"], 0, 0.2),
                    phrase(s, &["kenneth", "derr"], 8, 0.2),
                    phrase(s, &["derr", "said"], 0, 0.2),
                    phrase(s, &["derr", "said"], 8, 0.2),
                ],
            ),
            (
                vec!["kenneth", "derr", "said"],
                vec![
                    first(
                        s,
                        phrase(s, &["kenneth", "derr", "said"], 0, 1.0),
                        &["kenneth", "derr", "said", "a"],
                    ),
                    phrase(s, &["kenneth", "derr", "said"], 4, 1.0),
                    phrase(s, &["derr", "said"], 8, 0.2),
                ],
            ),
            (
                vec!["kenneth", "derr"],
                vec![first_pair(s, "kenneth", "derr")],
            ),
            (
                vec!["a", "chevron", "b", "a"],
                vec![
                    phrase(s, &["a", "chevron", "b", "a"], 0, 1.0),
                    phrase(s, &["a", "chevron", "b", "a"], 4, 1.0),
                    phrase(s, &["chevron", "b"], 0, 0.2),
                    phrase(s, &["chevron", "b"], 8, 0.2),
                ],
            ),
        ]
    }

    /// The Boolean query `TopKWordsQuery` stands for, built apart.
    fn plain(words: Box<dyn Query>, near: &[NearClause]) -> BooleanQuery {
        let union: Box<dyn Query> = if near.len() == 1 {
            near[0].query.box_clone()
        } else {
            let clauses = near.iter().map(|c| (Occur::Should, c.query.box_clone()));
            Box::new(BooleanQuery::new(clauses.collect()))
        };
        BooleanQuery::new(vec![(Occur::Must, words), (Occur::Should, union)])
    }

    #[test]
    fn top_k_is_the_boolean_querys_bit_for_bit() {
        let (searcher, schema) = searcher();
        assert!(searcher.segment_readers().len() >= 3);
        assert!(searcher.segment_readers().iter().any(|r| r.has_deletes()));
        for (text, near) in cases(&schema) {
            let plain = plain(words(&schema, &text), &near);
            let wrapped = TopKWordsQuery::new(words(&schema, &text), near);
            let all = top_bits(&searcher, &plain, 1_000_000);
            assert!(all.len() > 1_000, "{text:?}: {} hits", all.len());
            // Ties: several documents with the same score.
            let mut scores: Vec<u32> = all.iter().map(|(s, _)| *s).collect();
            scores.dedup();
            assert!(scores.len() < all.len(), "{text:?}: no ties");
            for k in [1, 2, 3, 10, 30, 100, 1_000_000] {
                assert_eq!(
                    top_bits(&searcher, &wrapped, k),
                    top_bits(&searcher, &plain, k),
                    "{text:?} top {k}"
                );
            }
            let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
            assert_eq!(count(&wrapped), count(&plain));
        }
    }

    /// Each candidate's bound is at least its score, and the top 10 scores
    /// only a few of the candidates exactly.
    #[test]
    fn the_bound_holds_and_prunes() {
        let (searcher, schema) = searcher();
        for (text, near) in cases(&schema) {
            let plain = plain(words(&schema, &text), &near);
            let wrapped = TopKWordsQuery::new(words(&schema, &text), near);
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let weight = wrapped.weight(scoring).unwrap();
            let plain_weight = plain.weight(scoring).unwrap();
            let (mut candidates, mut scored) = (0, 0);
            for reader in searcher.segment_readers() {
                // With no threshold, every candidate is scored: the bound is
                // each candidate's bound.
                let mut scores = Vec::new();
                plain_weight
                    .for_each_pruning(Score::MIN, reader, &mut |doc, score| {
                        scores.push((doc, score));
                        Score::MIN
                    })
                    .unwrap();
                candidates += scores.len();
                // A threshold just under each score lets it through: the
                // bound is not below the score.
                for &(doc, score) in scores.iter().step_by(scores.len() / 20 + 1) {
                    let mut seen = None;
                    weight
                        .for_each_pruning(score.next_down(), reader, &mut |d, s| {
                            if d == doc {
                                seen = Some(s);
                            }
                            score.next_down()
                        })
                        .unwrap();
                    assert_eq!(seen.map(f32::to_bits), Some(score.to_bits()), "{text:?}");
                }
                let mut threshold = Score::MIN;
                let mut best = Vec::new();
                let before = SCORED.get();
                weight
                    .for_each_pruning(Score::MIN, reader, &mut |_, s| {
                        best.push(s);
                        best.sort_by(|a, b| b.total_cmp(a));
                        best.truncate(10);
                        if best.len() == 10 {
                            threshold = best[9];
                        }
                        threshold
                    })
                    .unwrap();
                scored += SCORED.get() - before;
            }
            assert!(scored > 0);
            // (Three common words score about half their candidates: the
            // words' scores differ little, the phrases' bounds much.)
            assert!(
                scored * 3 < candidates * 2,
                "{text:?}: {scored} of {candidates}"
            );
        }
    }
}
