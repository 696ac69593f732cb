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
//!
//! With `--match any` (a union of the words) the union is not walked at
//! all (MaxScore, after Turtle and Flood, 1995): each phrase's most, and
//! each word's, is put on one of its terms (the rarest: a phrase scores
//! only where all its terms are), so a passage's score is at most the sum
//! of its terms' shares. The terms whose shares together cannot beat the
//! k-th best score so far are not walked (a passage holding none but those
//! is passed over); only passages holding one of the others are bounded,
//! and the few whose bound beats the threshold are scored as above.

use std::fmt;
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, BooleanQuery, BooleanWeight, EnableScoring, Explanation, Occur, Query, Scorer,
    SumCombiner, Weight,
};

use super::bonus::Bound;
use super::first::Most;
use crate::explain;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term, TERMINATED};

/// A bound is trusted only this far: rounding may make BM25 of a smaller
/// count a few ulps larger than BM25 of a larger one, and the bound's sum
/// is not rounded as the score's (1e-5 is far above the rounding of the
/// few operations involved).
const BOUND_SLACK: Score = 1.0 + 1e-5;

/// The same for a sum of many terms' shares (see [`AnyOf::shares`]).
const SUM_SLACK: f64 = 1.0 + 1e-4;

#[cfg(test)]
thread_local! {
    /// How many documents `for_each_pruning` scored exactly.
    static SCORED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many documents `for_each_any` walked to.
    static WALKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// A clause of the proximity boost: its query, and the phrases it scores
/// (terms in one field, boost), for the bound.
pub struct NearClause {
    /// The clause as compiled.
    pub query: Box<dyn Query>,
    /// The phrases whose scores the clause sums: its terms and boost.
    pub phrases: Vec<(Vec<Term>, Score)>,
    /// Whether the phrases are of three terms or more with slop: Tantivy
    /// may count such a phrase more often than its rarest term occurs (its
    /// sloppy intersection carries positions of two terms along), never
    /// more often than the term it intersects last: the one in most
    /// passages of the segment (the last of those in phrase order).
    pub loose: bool,
    /// What the clause adds beyond its phrases' BM25 where they occur
    /// (the exact phrase's rank above the others: see [`super::first`]).
    pub above: Most,
}

impl Clone for NearClause {
    fn clone(&self) -> Self {
        NearClause {
            query: self.query.box_clone(),
            phrases: self.phrases.clone(),
            loose: self.loose,
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
    /// When the required part is a union of words (`--match any`), each
    /// word's terms and weight (see [`TopKWordsQuery::any_of`]).
    any_of: Option<Vec<(Vec<Term>, Score)>>,
    /// The title's bonus and its bounds (see [`TopKWordsQuery::any_of`]).
    title: Option<(Box<dyn Query>, Vec<Bound>)>,
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
        TopKWordsQuery {
            query,
            words,
            near,
            any_of: None,
            title: None,
        }
    }

    /// The same query, whose required part `words` is the union of these
    /// words (any of them, or those marked required): each its terms (a
    /// phrase when several) and weight, scoring the BM25 of a term or
    /// phrase query boosted by the weight; plus, where it matches, the
    /// title's `bonus` as [`BonusQuery`](super::bonus::BonusQuery) adds it
    /// (`bounds`: its clauses' terms and boosts). Its top k then walks only
    /// the passages that hold a term (of the text or the title) that can
    /// still make a hit.
    pub fn any_of(
        mut self,
        words: Vec<(Vec<Term>, Score)>,
        bonus: Option<(Box<dyn Query>, Vec<Bound>)>,
    ) -> Self {
        if let Some((bonus, _)) = &bonus {
            self.query = BooleanQuery::new(vec![
                (Occur::Must, Box::new(self.query.clone())),
                (Occur::Should, bonus.box_clone()),
            ]);
        }
        self.any_of = Some(words);
        self.title = bonus;
        self
    }
}

impl Clone for TopKWordsQuery {
    fn clone(&self) -> Self {
        TopKWordsQuery {
            query: self.query.clone(),
            words: self.words.box_clone(),
            near: self.near.clone(),
            any_of: self.any_of.clone(),
            title: (self.title.as_ref()).map(|(q, bounds)| (q.box_clone(), bounds.clone())),
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
        let required: Arc<dyn Weight> = Arc::from(boolean_weight(
            vec![shared(Occur::Must, &words), (Occur::Should, union)],
            0,
        ));
        // With the title's bonus, as `BonusQuery` makes its weight.
        let (query, bonus): (Box<dyn Weight>, _) = match &self.title {
            Some((bonus, _)) => {
                let bonus: Arc<dyn Weight> = Arc::from(bonus.weight(enable_scoring)?);
                let clauses = vec![
                    shared(Occur::Must, &required),
                    shared(Occur::Should, &bonus),
                ];
                (boolean_weight(clauses, 0), Some(bonus))
            }
            None => (Box::new(Shared(required.clone())), None),
        };
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
                let indices = indices_of(&mut terms, phrase);
                phrases.push(BoundPhrase {
                    checked: indices.clone(),
                    terms: indices,
                    bm25: unboosted.boost_by(*boost),
                    loose: clause.loose,
                });
            }
            let above = clause.above.when_scoring(&enable_scoring)?;
            near.push((weight, phrases, above));
        }
        let any_of = match &self.any_of {
            Some(words) => {
                let mut bound = |phrases: &[(Vec<Term>, Score)]| -> tantivy::Result<_> {
                    let mut bounds = Vec::with_capacity(phrases.len());
                    for (phrase, boost) in phrases {
                        let bm25 = Bm25Weight::for_terms(statistics_provider, phrase)?;
                        let indices = indices_of(&mut terms, phrase);
                        bounds.push(BoundPhrase {
                            checked: indices.clone(),
                            terms: indices,
                            bm25: bm25.boost_by(*boost),
                            loose: false,
                        });
                    }
                    Ok(bounds)
                };
                let words = bound(words)?;
                let title = match (&self.title, bonus) {
                    (Some((_, bounds)), Some(weight)) => {
                        let field = bounds.first().and_then(|(t, _)| t.first()).map(Term::field);
                        Some((weight, bound(bounds)?, field))
                    }
                    _ => None,
                };
                // (The title's terms come last.)
                let body = (terms.iter().position(|t| t.field() != terms[0].field()))
                    .unwrap_or(terms.len());
                let mut doc_freqs = Vec::with_capacity(terms.len());
                for term in &terms {
                    doc_freqs.push(statistics_provider.doc_freq(term)?);
                }
                let mut words = words;
                let mut title = title;
                for phrase in (words.iter_mut())
                    .chain(
                        title
                            .iter_mut()
                            .flat_map(|(_, bounds, _)| bounds.iter_mut()),
                    )
                    .chain(
                        near.iter_mut()
                            .flat_map(|(_, phrases, _)| phrases.iter_mut()),
                    )
                {
                    phrase.checked.sort_by_key(|&t| doc_freqs[t]);
                }
                let mut own = vec![words.as_slice()];
                own.extend(title.as_ref().map(|(_, bounds, _)| bounds.as_slice()));
                let shares = shares(&own, &near, &doc_freqs);
                Some(AnyOf {
                    words,
                    title,
                    body,
                    shares,
                })
            }
            None => None,
        };
        Ok(Box::new(TopKWordsWeight {
            query,
            required,
            words,
            near,
            terms,
            any_of,
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

/// The indices of `phrase`'s terms in `terms`, adding those not there yet.
fn indices_of(terms: &mut Vec<Term>, phrase: &[Term]) -> Vec<usize> {
    let index = |term: &Term| {
        terms.iter().position(|t| t == term).unwrap_or_else(|| {
            terms.push(term.clone());
            terms.len() - 1
        })
    };
    phrase.iter().map(index).collect()
}

/// A phrase for the bound.
struct BoundPhrase {
    /// Its terms, as indices in `TopKWordsWeight::terms`.
    terms: Vec<usize>,
    /// The same, in the order they are checked (rarest first, with
    /// `--match any`: the first missing ends the check).
    checked: Vec<usize>,
    /// Its BM25, boosted.
    bm25: Bm25Weight,
    /// Counted at most as often as the term intersected last (see
    /// [`NearClause::loose`]), not its rarest.
    loose: bool,
}

impl BoundPhrase {
    /// The most the phrase can score in a passage whose terms occur
    /// `freqs` times (by index), of length `fieldnorm_id`, in a segment
    /// where they are in `passages` passages; `None` where it cannot occur.
    #[inline]
    fn bound(&self, freqs: &[u32], passages: &[u64], fieldnorm_id: u8) -> Option<Score> {
        let mut least = u32::MAX;
        for &t in &self.checked {
            least = least.min(freqs[t]);
            if least == 0 {
                return None;
            }
        }
        let count = match self.loose {
            // Tantivy's intersection, stably sorted by cost: the last.
            true => (self.terms.iter().enumerate())
                .max_by_key(|&(at, &t)| (passages[t], at))
                .map_or(least, |(_, &t)| freqs[t]),
            false => least,
        };
        Some(self.bm25.score(fieldnorm_id, count))
    }
}

/// A proximity clause of the weight: its weight, phrases, and amount above them.
type BoundClause = (Arc<dyn Weight>, Vec<BoundPhrase>, Score);

/// The title's bonus: its weight, its clauses' terms (in the title field)
/// and BM25, and the title field.
type TitleBonus = (Arc<dyn Weight>, Vec<BoundPhrase>, Option<Field>);

/// The words of a union (`--match any`) for its bound, term by term.
struct AnyOf {
    /// Each word's terms (a phrase when several) and BM25, boosted.
    words: Vec<BoundPhrase>,
    /// The title's bonus.
    title: Option<TitleBonus>,
    /// The terms of the passage text are `terms[..body]`, the title's after.
    body: usize,
    /// Each term's share of the most a passage can score: a passage scores
    /// at most the sum of the shares of the terms it holds.
    shares: Vec<Score>,
}

/// Each term's share (see [`AnyOf::shares`]): every word's, title
/// clause's and phrase's most (a phrase's with its clause's amount above),
/// on its rarest term. A word or phrase scores only where all its terms
/// are, so where its rarest term is; the rarest, so that common terms'
/// shares stay small.
fn shares(own: &[&[BoundPhrase]], near: &[BoundClause], doc_freqs: &[u64]) -> Vec<Score> {
    let mut shares = vec![0.0; doc_freqs.len()];
    let mut put = |terms: &[usize], most: Score| {
        let rarest = terms.iter().min_by_key(|&&t| (doc_freqs[t], t));
        if let Some(&t) = rarest {
            shares[t] += most;
        }
    };
    for word in own.iter().copied().flatten() {
        put(&word.terms, word.bm25.max_score());
    }
    for (_, phrases, above) in near {
        // (The amount is on each phrase of the clause: more than it adds.)
        for phrase in phrases {
            put(&phrase.terms, phrase.bm25.max_score() + above);
        }
    }
    shares
}

/// The postings of a weight's terms in a segment.
struct Opened {
    /// Each term's postings, `None` when not in the segment.
    postings: Vec<Option<SegmentPostings>>,
    /// Each term's cost (how many passages it is in; 0: none), by which
    /// Tantivy orders a phrase's intersection.
    passages: Vec<u64>,
    /// The lengths of the terms' field.
    fieldnorms: FieldNormReader,
}

struct TopKWordsWeight {
    /// The query's weight: the required part's, with the title's bonus
    /// when there is one.
    query: Box<dyn Weight>,
    /// `Must(words) Should(near)`.
    required: Arc<dyn Weight>,
    words: Arc<dyn Weight>,
    /// Each proximity clause's weight, phrases and amount above them.
    near: Vec<BoundClause>,
    /// The terms of the phrases and words, each once (all in the same field).
    terms: Vec<Term>,
    /// The words of a union, for walking it term by term.
    any_of: Option<AnyOf>,
}

impl TopKWordsWeight {
    /// The words' parts, and the proximity clauses found, named.
    fn explain_required(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let score = explain::score_of(self.required.as_ref(), reader, doc)?;
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

    /// The postings of `terms` in a segment (`None` for a term not in it),
    /// and their field's lengths; `None` without terms.
    fn open(&self, reader: &SegmentReader) -> tantivy::Result<Option<Opened>> {
        let Some(field) = self.terms.first().map(Term::field) else {
            return Ok(None);
        };
        let mut postings = Vec::with_capacity(self.terms.len());
        let (mut open, mut inverted_index) = (field, reader.inverted_index(field)?);
        for term in &self.terms {
            // (The title's terms, after the passage text's.)
            if term.field() != open {
                open = term.field();
                inverted_index = reader.inverted_index(open)?;
            }
            postings.push(inverted_index.read_postings(term, IndexRecordOption::WithFreqs)?);
        }
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let passages = postings
            .iter()
            .map(|p| p.as_ref().map_or(0, DocSet::cost))
            .collect();
        Ok(Some(Opened {
            postings,
            passages,
            fieldnorms,
        }))
    }

    /// The most the proximity clauses can add to a passage whose terms
    /// occur `freqs` times (by index in `terms`).
    fn near_bound(&self, freqs: &[u32], passages: &[u64], fieldnorm_id: u8) -> Score {
        let mut bound: Score = 0.0;
        for (_, phrases, above) in &self.near {
            let mut possible = false;
            for phrase in phrases {
                if let Some(most) = phrase.bound(freqs, passages, fieldnorm_id) {
                    bound += most;
                    possible = true;
                }
            }
            if possible {
                bound += above;
            }
        }
        bound
    }

    /// `doc`'s score, its words scoring `words_score`, as
    /// `RequiredOptionalScorer` sums it (`SumCombiner` from 0): the words,
    /// then the union's, itself a sum from 0 of its clauses in order.
    fn score(
        &self,
        clauses: &mut [Clause],
        reader: &SegmentReader,
        doc: DocId,
        words_score: Score,
    ) -> tantivy::Result<Score> {
        #[cfg(test)]
        SCORED.set(SCORED.get() + 1);
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
        Ok(score)
    }

    /// [`Weight::for_each_pruning`] of a union of words (see the module's
    /// documentation): the terms, fewest shares first, are split where
    /// the shares of those before cannot together beat the threshold;
    /// only the passages of the terms after are walked. The threshold must
    /// never fall (it does not, from Tantivy's collectors).
    fn for_each_any(
        &self,
        any_of: &AnyOf,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let mut words = self.words.scorer(reader, 1.0)?;
        let Some(Opened {
            mut postings,
            passages,
            fieldnorms,
        }) = self.open(reader)?
        else {
            return self.query.for_each_pruning(threshold, reader, callback);
        };
        let mut title = match &any_of.title {
            Some((bonus, bounds, field)) => {
                let norms = match field {
                    Some(field) => reader.fieldnorms_readers().get_field(*field)?,
                    None => None,
                };
                let norms = norms.unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1));
                Some((bonus.scorer(reader, 1.0)?, bounds, norms))
            }
            None => None,
        };
        // The terms in the segment, fewest shares first, and the shares of
        // those before each (summed in f64: the sums are bounds, compared
        // with slack).
        let shares = &any_of.shares;
        let mut order: Vec<usize> = (0..self.terms.len())
            .filter(|&t| postings[t].is_some())
            .collect();
        order.sort_by(|&a, &b| shares[a].total_cmp(&shares[b]));
        let mut before = Vec::with_capacity(order.len() + 1);
        let mut sum = 0.0f64;
        before.push(sum);
        for &t in &order {
            sum += f64::from(shares[t]);
            before.push(sum);
        }
        let cannot_beat = |most: f64, threshold: Score| most * SUM_SLACK <= f64::from(threshold);
        // `order[walked..]`: the terms whose passages are walked.
        let mut walked = 0;
        let mut clauses: Vec<Clause> = self.near.iter().map(|_| Clause::Unopened).collect();
        let mut freqs = vec![0u32; self.terms.len()];
        let at = |postings: &[Option<SegmentPostings>], t: usize| -> DocId {
            postings[t]
                .as_ref()
                .map_or(TERMINATED, SegmentPostings::doc)
        };
        loop {
            while walked < order.len() && cannot_beat(before[walked + 1], threshold) {
                walked += 1;
            }
            let walking = &order[walked..];
            let doc = (walking.iter().map(|&t| at(&postings, t)).min()).unwrap_or(TERMINATED);
            if doc == TERMINATED {
                return Ok(());
            }
            #[cfg(test)]
            WALKED.set(WALKED.get() + 1);
            // The shares of the terms not walked, and of the walked ones here.
            let mut most = before[walked];
            for &t in walking {
                if at(&postings, t) == doc {
                    most += f64::from(shares[t]);
                }
            }
            // The passage text's terms, then (when it holds a word) the title's.
            let seek = |freqs: &mut [u32],
                        postings: &mut [Option<SegmentPostings>],
                        from: usize,
                        to: usize| {
                for t in from..to {
                    freqs[t] = postings[t].as_mut().map_or(0, |p| term_freq(p, doc));
                }
            };
            let mut holds_a_word = false;
            if !cannot_beat(most, threshold) {
                seek(&mut freqs, &mut postings, 0, any_of.body);
                holds_a_word =
                    (any_of.words.iter()).any(|w| w.checked.iter().all(|&t| freqs[t] > 0));
            }
            if holds_a_word {
                seek(&mut freqs, &mut postings, any_of.body, self.terms.len());
                let fieldnorm_id = fieldnorms.fieldnorm_id(doc);
                let bound = |bounds: &[BoundPhrase], fieldnorm_id: u8| -> Score {
                    (bounds.iter())
                        .filter_map(|b| b.bound(&freqs, &passages, fieldnorm_id))
                        .sum()
                };
                let near_bound = self.near_bound(&freqs, &passages, fieldnorm_id);
                let title_bound = match &title {
                    Some((_, bounds, norms)) => bound(bounds, norms.fieldnorm_id(doc)),
                    None => 0.0,
                };
                let others = near_bound + title_bound;
                // The words' union says whether the passage matches (and
                // its score), where the bound does not rule it out.
                let matches = (bound(&any_of.words, fieldnorm_id) + others) * BOUND_SLACK
                    > threshold
                    && match words.doc() {
                        at if at < doc => words.seek(doc) == doc,
                        at => at == doc,
                    };
                let words_score = if matches { words.score() } else { 0.0 };
                if matches && (words_score + others) * BOUND_SLACK > threshold {
                    let mut score = self.score(&mut clauses, reader, doc, words_score)?;
                    // The title's bonus, as `BonusWeight` adds it.
                    if let Some((bonus, ..)) = &mut title {
                        let required = score;
                        score = 0.0;
                        score += required;
                        if bonus.doc() <= doc && bonus.seek(doc) == doc {
                            score += bonus.score();
                        }
                    }
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            for &t in walking {
                if let Some(p) = postings[t].as_mut().filter(|p| p.doc() == doc) {
                    p.advance();
                }
            }
        }
    }
}

impl Weight for TopKWordsWeight {
    delegate_weight!(query: scorer, scorer_danger, count, for_each, for_each_no_score);

    /// The words' parts, and the proximity clauses found, named (with the
    /// title's bonus, as `BonusQuery` names it).
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let required = self.explain_required(reader, doc)?;
        match self.any_of.as_ref().and_then(|any| any.title.as_ref()) {
            Some((bonus, ..)) => {
                super::bonus::explain(self.query.as_ref(), required, bonus.as_ref(), reader, doc)
            }
            None => Ok(required),
        }
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
        if let Some(any_of) = &self.any_of {
            return self.for_each_any(any_of, threshold, reader, callback);
        }
        // The Boolean query's required scorer is the words' (an
        // intersection of one scorer is that scorer).
        let mut words = self.words.scorer(reader, 1.0)?;
        let Some(Opened {
            mut postings,
            passages,
            fieldnorms,
        }) = self.open(reader)?
        else {
            return self.query.for_each_pruning(threshold, reader, callback);
        };
        let near_max: Score = self
            .near
            .iter()
            .map(|(_, phrases, above)| {
                let phrases: Score = phrases.iter().map(|p| p.bm25.max_score()).sum();
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
                let bound = words_score + self.near_bound(&freqs, &passages, fieldnorm_id);
                if bound * BOUND_SLACK > threshold {
                    let score = self.score(&mut clauses, reader, doc, words_score)?;
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
    use crate::query::bonus::BonusQuery;
    use crate::query::first::PhraseFirst;
    use crate::query::pair::PairQuery;
    use crate::testing::top_bits;

    /// Three segments of passages over a small vocabulary, with a title on
    /// some, exact copies (ties), deleted passages, a segment without
    /// "derr" in the body, and enough passages for pruning to pay.
    fn searcher() -> (Searcher, Schema) {
        searcher_of(&[
            "a", "b", "kenneth", "said", "derr", "chevron", "a", "b", "c",
        ])
    }

    /// As [`searcher`], over `vocabulary` (each entry equally likely).
    fn searcher_of(vocabulary: &[&str]) -> (Searcher, Schema) {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
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
            loose: slop > 0 && words.len() > 2,
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
            loose: false,
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

    /// Common words, and three rarer (in about 25 %, 18 % and 10 % of the
    /// passages).
    fn rare_vocabulary() -> Vec<&'static str> {
        let mut vocabulary = vec!["a"; 60];
        vocabulary.extend(["b"; 60].iter().chain(&["said"; 40]).chain(&["c"; 34]));
        vocabulary.extend(["kenneth", "kenneth", "kenneth", "derr", "derr", "chevron"]);
        vocabulary
    }

    /// The words of `--match any` as `QueryBuilder` compiles them: each
    /// word in the body, optional (with a weight when not 1), or excluded
    /// when it starts with `-`; and the words for [`TopKWordsQuery::any_of`].
    fn any_words(schema: &Schema, words: &[(&str, Score)]) -> (Box<dyn Query>, Vec<Bound>) {
        let body = schema.get_field("body").unwrap();
        let mut clauses = Vec::new();
        let mut scored = Vec::new();
        for &(word, weight) in words {
            let (occur, word) = match word.strip_prefix('-') {
                Some(word) => (Occur::MustNot, word),
                None => (Occur::Should, word),
            };
            let term = Term::from_field_text(body, word);
            let mut query: Box<dyn Query> =
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            if weight != 1.0 {
                query = Box::new(BoostQuery::new(query, weight));
            }
            if occur == Occur::Should {
                scored.push((vec![term], weight));
            }
            clauses.push((occur, query));
        }
        (Box::new(BooleanQuery::new(clauses)), scored)
    }

    /// Any of the words, walked term by term, with and without the title's
    /// bonus, is the Boolean query's top k, bit for bit, and explains its
    /// hits as the Boolean query wrapped in `BonusQuery` does; with a rare
    /// word, the top 10 walks a fraction of the passages holding a word.
    #[test]
    fn top_k_of_any_word_is_the_boolean_querys_bit_for_bit() {
        let (searcher, schema) = searcher_of(&rare_vocabulary());
        let title = schema.get_field("title").unwrap();
        let rare = ["kenneth", "derr", "chevron"];
        let weighted = [("said", 0.5), ("kenneth", 1.0), ("c", 2.0)];
        let excluded = [("kenneth", 1.0), ("derr", 1.0), ("-chevron", 1.0)];
        type Case<'a> = (Vec<(&'a str, Score)>, Vec<NearClause>);
        let mut cases: Vec<Case> = cases(&schema)
            .into_iter()
            .map(|(words, near)| (words.iter().map(|&w| (w, 1.0)).collect(), near))
            .collect();
        cases.push((weighted.to_vec(), vec![pair(&schema, "said", "kenneth")]));
        cases.push((
            excluded.to_vec(),
            vec![first_pair(&schema, "kenneth", "derr")],
        ));
        let (mut all_walked, mut all_held) = (0, 0);
        for ((text, near), in_title) in cases
            .into_iter()
            .flat_map(|c| [(c.clone(), false), (c, true)])
        {
            let (words, scored) = any_words(&schema, &text);
            // The title's bonus: each scored word in the title, weighted.
            let bonus = in_title.then(|| {
                let bounds: Vec<(Vec<Term>, Score)> = (scored.iter())
                    .map(|(terms, w)| {
                        (
                            vec![Term::from_field_text(
                                title,
                                terms[0].value().as_str().unwrap(),
                            )],
                            *w,
                        )
                    })
                    .collect();
                let clauses = bounds.iter().map(|(terms, w)| {
                    let query: Box<dyn Query> = Box::new(TermQuery::new(
                        terms[0].clone(),
                        IndexRecordOption::WithFreqs,
                    ));
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(query, *w)) as Box<dyn Query>,
                    )
                });
                (
                    Box::new(BooleanQuery::new(clauses.collect())) as Box<dyn Query>,
                    bounds,
                )
            });
            let plain = plain(words.box_clone(), &near);
            let (plain, reference): (Box<dyn Query>, Box<dyn Query>) = match &bonus {
                Some((bonus, bounds)) => (
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, Box::new(plain) as Box<dyn Query>),
                        (Occur::Should, bonus.box_clone()),
                    ])),
                    Box::new(BonusQuery::new(
                        Box::new(TopKWordsQuery::new(words.box_clone(), near.clone())),
                        bonus.box_clone(),
                        Some(bounds.clone()),
                    )),
                ),
                None => (
                    Box::new(plain),
                    Box::new(TopKWordsQuery::new(words.box_clone(), near.clone())),
                ),
            };
            let wrapped = TopKWordsQuery::new(words, near).any_of(scored, bonus);
            let all = top_bits(&searcher, plain.as_ref(), 1_000_000);
            assert!(all.len() > 1_000, "{text:?}: {} hits", all.len());
            for k in [1, 2, 3, 10, 30, 100, 1_000_000] {
                WALKED.set(0);
                let top = top_bits(&searcher, &wrapped, k);
                assert_eq!(
                    top,
                    top_bits(&searcher, plain.as_ref(), k),
                    "{text:?} top {k}"
                );
                let walked = WALKED.get();
                if k == 10 && text.iter().any(|(w, _)| rare.contains(w)) {
                    (all_walked, all_held) = (all_walked + walked, all_held + all.len());
                }
            }
            let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
            assert_eq!(count(&wrapped), count(plain.as_ref()));
            // The same explanations as the query wrapped in `BonusQuery`.
            let scoring = EnableScoring::enabled_from_searcher(&searcher);
            let (ours, theirs) = (
                wrapped.weight(scoring).unwrap(),
                reference.weight(scoring).unwrap(),
            );
            for (_, address) in all.iter().step_by(97) {
                let reader = searcher.segment_reader(address.segment_ord);
                let explain =
                    |w: &dyn Weight| w.explain(reader, address.doc_id).unwrap().to_pretty_json();
                assert_eq!(explain(ours.as_ref()), explain(theirs.as_ref()), "{text:?}");
            }
        }
        assert!(all_walked * 2 < all_held, "{all_walked} of {all_held}");
    }

    #[test]
    fn top_k_is_the_boolean_querys_bit_for_bit() {
        for (searcher, schema) in [searcher(), searcher_of(&rare_vocabulary())] {
            top_k_is_the_boolean_querys(&searcher, &schema);
        }
    }

    fn top_k_is_the_boolean_querys(searcher: &Searcher, schema: &Schema) {
        assert!(searcher.segment_readers().len() >= 3);
        assert!(searcher.segment_readers().iter().any(|r| r.has_deletes()));
        for (text, near) in cases(schema) {
            let plain = plain(words(schema, &text), &near);
            let wrapped = TopKWordsQuery::new(words(schema, &text), near);
            let all = top_bits(searcher, &plain, 1_000_000);
            assert!(all.len() > 300, "{text:?}: {} hits", all.len());
            // Ties: several documents with the same score.
            let mut scores: Vec<u32> = all.iter().map(|(s, _)| *s).collect();
            scores.dedup();
            assert!(scores.len() < all.len(), "{text:?}: no ties");
            for k in [1, 2, 3, 10, 30, 100, 1_000_000] {
                assert_eq!(
                    top_bits(searcher, &wrapped, k),
                    top_bits(searcher, &plain, k),
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
        let (mut all_scored, mut all_candidates) = (0, 0);
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
            // (Common words in a loose phrase, "a chevron b a" with slop,
            // score most of their candidates: the words' scores differ
            // little, and the phrase's bound counts its commonest word.)
            assert!(
                scored * 7 < candidates * 6,
                "{text:?}: {scored} of {candidates}"
            );
            all_scored += scored;
            all_candidates += candidates;
        }
        assert!(
            all_scored * 2 < all_candidates,
            "{all_scored} of {all_candidates}"
        );
    }
}
