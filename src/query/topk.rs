//! The best hits of a lone exact phrase without reading the positions of
//! every candidate. A quoted phrase compiles to `PhraseQuery`s: the
//! passage text's, required, and the title's, a bonus (`Must(body)
//! Should(title)`); for the top k Tantivy scores every document holding all
//! the terms, and each one costs a decoding of positions. Here a document's
//! phrase count is bounded by the smallest frequency of the terms in it (no
//! positions needed), BM25 grows with the count, so a document whose bound
//! cannot beat the k-th best score so far is passed over. The others are
//! scored exactly as the union scores them (same floating-point operations,
//! same order, as `RequiredOptionalScorer`), so the hits are the same, bit
//! for bit. The bound is tried
//! as the terms are sought, rarest first: a document whose rarer terms
//! already bound it below the threshold is passed over without seeking
//! the common ones ("the", "said"), the costly part of a phrase's top k.

use std::fmt;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EnableScoring, Query, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::pair::intersection_count;

/// A bound is trusted only this far: rounding may make BM25 of a smaller
/// count a few ulps larger than BM25 of a larger one (1e-5 is far above
/// the rounding of the few operations involved).
const BOUND_SLACK: Score = 1.0 + 1e-5;

#[cfg(test)]
thread_local! {
    /// How many documents `Candidates::align` passed over by their bound.
    static PASSED_OVER: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Exact phrase queries (one field each), the first required and the
/// others optional, for a top k by score. Everything but
/// [`Weight::for_each_pruning`] is the Boolean query's own.
pub struct TopKPhraseQuery {
    /// The query as compiled: `PhraseQuery(terms)` per phrase, boosted
    /// (`BoostQuery`) when its boost is not 1, the first `Must`, the others
    /// `Should` (in a union of them when there are several).
    union: Box<dyn Query>,
    /// The phrases in clause order: terms (one field), boost.
    phrases: Vec<(Vec<Term>, Score)>,
}

impl TopKPhraseQuery {
    /// Wraps `union`, which must be the first phrase alone, or
    /// `Must(first) Should(second)` (the second alone or the Should union
    /// of the others), of exact (slop 0) `PhraseQuery::new(terms)` per
    /// phrase, each boosted by `BoostQuery` when its boost is not 1.
    pub fn new(union: Box<dyn Query>, phrases: Vec<(Vec<Term>, Score)>) -> Self {
        TopKPhraseQuery { union, phrases }
    }
}

impl Clone for TopKPhraseQuery {
    fn clone(&self) -> Self {
        TopKPhraseQuery {
            union: self.union.box_clone(),
            phrases: self.phrases.clone(),
        }
    }
}

impl fmt::Debug for TopKPhraseQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TopKPhraseQuery({:?})", self.union)
    }
}

impl Query for TopKPhraseQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let union = self.union.weight(enable_scoring)?;
        // As `PhraseQuery::phrase_weight`.
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(
                self.phrases
                    .iter()
                    .map(|(terms, _)| Bm25Weight::for_terms(statistics_provider, terms))
                    .collect::<tantivy::Result<Vec<_>>>()?,
            ),
            EnableScoring::Disabled { .. } => None,
        };
        Ok(Box::new(TopKPhraseWeight {
            union,
            phrases: self.phrases.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.union.query_terms(visitor);
    }
}

struct TopKPhraseWeight {
    union: Box<dyn Weight>,
    phrases: Vec<(Vec<Term>, Score)>,
    /// BM25 of each phrase (unboosted); `None` when scoring is disabled.
    bm25: Option<Vec<Bm25Weight>>,
}

impl Weight for TopKPhraseWeight {
    delegate_weight!(union: scorer, scorer_danger, explain, count, for_each, for_each_no_score);

    /// As the Boolean query's (every document holding the first phrase, in
    /// order, passed on when its score beats the threshold), but a document
    /// whose bound does not beat the threshold is not scored: its score
    /// could not either.
    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let Some(bm25) = &self.bm25 else {
            return self.union.for_each_pruning(threshold, reader, callback);
        };
        // The clauses are scored with boost 1 × the clause's boost.
        let mut phrases = Vec::with_capacity(self.phrases.len());
        for (i, ((terms, boost), bm25)) in self.phrases.iter().zip(bm25).enumerate() {
            match Candidates::open(reader, terms, bm25.boost_by(*boost))? {
                Some(phrase) => phrases.push(phrase),
                // No required phrase in the segment: no hit.
                None if i == 0 => return Ok(()),
                None => {}
            }
        }
        let mut left = Vec::with_capacity(100);
        let mut right = Vec::with_capacity(100);
        let (required, optional) = phrases.split_first_mut().expect("the required phrase");
        loop {
            let doc = required.doc;
            if doc == TERMINATED {
                return Ok(());
            }
            for phrase in optional.iter_mut() {
                phrase.seek(doc);
            }
            let mut bound: Score = required.bound();
            for phrase in optional.iter().filter(|p| p.doc == doc) {
                bound += phrase.bound();
            }
            if bound * BOUND_SLACK > threshold {
                let count = required.phrase_count(&mut left, &mut right);
                if count > 0 {
                    // `RequiredOptionalScorer`'s sum (`SumCombiner` from
                    // 0): the required phrase, then the optional ones'
                    // union (itself a sum from 0 when there are several).
                    let mut score: Score = 0.0;
                    score += required.bm25.score(required.fieldnorm_id(), count);
                    let mut bonus: Score = 0.0;
                    let mut matched = false;
                    for phrase in optional.iter_mut().filter(|p| p.doc == doc) {
                        let count = phrase.phrase_count(&mut left, &mut right);
                        if count > 0 {
                            bonus += phrase.bm25.score(phrase.fieldnorm_id(), count);
                            matched = true;
                        }
                    }
                    if matched {
                        score += bonus;
                    }
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
            }
            // Before the optional phrases' next candidates the required
            // phrase's documents score by it alone: it passes over those
            // its bound keeps under the threshold.
            for phrase in optional.iter_mut().filter(|p| p.doc == doc) {
                phrase.advance(0, threshold);
            }
            let alone_below = optional.iter().map(|p| p.doc).min().unwrap_or(TERMINATED);
            required.advance(alone_below, threshold);
        }
    }
}

/// The documents of a segment holding every term of a phrase, as
/// `PhraseScorer` walks them.
struct Candidates {
    /// Each term's postings and the shift of its positions (its distance
    /// to the last term), ordered as `Intersection::new` orders them:
    /// by cost, phrase order on a tie.
    postings: Vec<(SegmentPostings, u32)>,
    fieldnorms: FieldNormReader,
    /// BM25 of the phrase, boosted.
    bm25: Bm25Weight,
    /// The current candidate, or `TERMINATED`.
    doc: DocId,
}

impl Candidates {
    /// The phrase's candidates, or `None` when a term is not in the segment
    /// (the union then has no scorer for it).
    fn open(
        reader: &SegmentReader,
        terms: &[Term],
        bm25: Bm25Weight,
    ) -> tantivy::Result<Option<Candidates>> {
        let field = terms[0].field();
        let inverted_index = reader.inverted_index(field)?;
        let last = terms.len() as u32 - 1;
        let mut postings = Vec::with_capacity(terms.len());
        for (offset, term) in terms.iter().enumerate() {
            let read =
                inverted_index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)?;
            let Some(read) = read else {
                return Ok(None);
            };
            postings.push((read, last - offset as u32));
        }
        postings.sort_by_key(|(p, _)| p.cost());
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let mut candidates = Candidates {
            postings,
            fieldnorms,
            bm25,
            doc: 0,
        };
        let first = candidates.postings[0].0.doc();
        candidates.doc = candidates.align(first, 0, Score::NEG_INFINITY);
        Ok(Some(candidates))
    }

    /// Moves every postings to the first document holding all the terms
    /// from `doc` (where the first postings stands) on, passing over a
    /// document before `alone_below` as soon as the terms sought so far
    /// bound its score to at most `threshold` (before seeking the others).
    fn align(&mut self, mut doc: DocId, alone_below: DocId, threshold: Score) -> DocId {
        let Candidates {
            postings,
            fieldnorms,
            bm25,
            ..
        } = self;
        let (lead, others) = postings.split_first_mut().expect("a phrase has terms");
        let cannot_beat = |doc: DocId, least: u32| {
            let cannot = bm25.score(fieldnorms.fieldnorm_id(doc), least) * BOUND_SLACK <= threshold;
            #[cfg(test)]
            PASSED_OVER.with(|passed| passed.set(passed.get() + u64::from(cannot)));
            cannot
        };
        'candidate: loop {
            if doc == TERMINATED {
                return TERMINATED;
            }
            let prune = doc < alone_below;
            let mut least = lead.0.term_freq();
            if prune && cannot_beat(doc, least) {
                doc = lead.0.advance();
                continue 'candidate;
            }
            for (postings, _) in others.iter_mut() {
                let other = if postings.doc() < doc {
                    postings.seek(doc)
                } else {
                    postings.doc()
                };
                if other > doc {
                    doc = lead.0.seek(other);
                    continue 'candidate;
                }
                if prune && postings.term_freq() < least {
                    least = postings.term_freq();
                    if cannot_beat(doc, least) {
                        doc = lead.0.advance();
                        continue 'candidate;
                    }
                }
            }
            return doc;
        }
    }

    /// Moves to the first candidate at or after `target` (none passed over).
    fn seek(&mut self, target: DocId) {
        if self.doc < target {
            let doc = self.postings[0].0.seek(target);
            self.doc = self.align(doc, 0, Score::MIN);
        }
    }

    /// Moves to the next candidate, passing over those before
    /// `alone_below` that cannot beat `threshold` (see [`Self::align`]).
    fn advance(&mut self, alone_below: DocId, threshold: Score) {
        let doc = self.postings[0].0.advance();
        self.doc = self.align(doc, alone_below, threshold);
    }

    fn fieldnorm_id(&self) -> u8 {
        self.fieldnorms.fieldnorm_id(self.doc)
    }

    /// At least the phrase's score in the current document: the phrase
    /// occurs at most as often as its rarest term there.
    fn bound(&self) -> Score {
        let least = self.postings.iter().map(|(p, _)| p.term_freq()).min();
        self.bm25.score(self.fieldnorm_id(), least.unwrap_or(0))
    }

    /// How often the phrase occurs in the current document, counted as
    /// `PhraseScorer` counts an exact phrase.
    fn phrase_count(&mut self, left: &mut Vec<u32>, right: &mut Vec<u32>) -> u32 {
        let (first, rest) = self.postings.split_first_mut().expect("a phrase has terms");
        let (last, middle) = rest.split_last_mut().expect("a phrase has two terms");
        first.0.positions_with_offset(first.1, left);
        for (postings, shift) in middle {
            postings.positions_with_offset(*shift, right);
            intersection(left, right);
            if left.is_empty() {
                return 0;
            }
        }
        last.0.positions_with_offset(last.1, right);
        intersection_count(left, right) as u32
    }
}

/// Keeps in `left` the positions also in `right` (Tantivy's
/// `phrase_scorer::intersection`).
fn intersection(left: &mut Vec<u32>, right: &[u32]) {
    let (mut left_index, mut right_index, mut count) = (0, 0, 0);
    while left_index < left.len() && right_index < right.len() {
        let left_val = left[left_index];
        match left_val.cmp(&right[right_index]) {
            std::cmp::Ordering::Less => left_index += 1,
            std::cmp::Ordering::Equal => {
                left[count] = left_val;
                count += 1;
                left_index += 1;
                right_index += 1;
            }
            std::cmp::Ordering::Greater => right_index += 1,
        }
    }
    left.truncate(count);
}

#[cfg(test)]
mod tests {
    use tantivy::collector::Count;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery};
    use tantivy::schema::Schema;
    use tantivy::{doc, Searcher};

    use super::*;
    use crate::testing::top_bits;

    /// Three segments of short passages (hundreds per term, of different
    /// average lengths) over a small vocabulary, with a title on some,
    /// exact copies (ties), deleted passages, a segment without "derr",
    /// and "oil price" whose words occur only together.
    fn searcher() -> (Searcher, Schema) {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let vocabulary = ["a", "b", "said", "kenneth", "derr", "a", "b"];
        let mut below = crate::testing::below();
        for segment in 0..3 {
            // The last segment has no "derr".
            let size = if segment == 2 { 4 } else { vocabulary.len() };
            // Segments of different average lengths.
            let longest = [40, 15, 60][segment];
            let text = |below: &mut dyn FnMut(usize) -> usize| {
                let n = 1 + below(longest);
                let mut words: Vec<&str> = (0..n).map(|_| vocabulary[below(size)]).collect();
                // A phrase whose words occur only in it: its count is its
                // words' frequency, the bound is tight.
                if below(3) == 0 {
                    for _ in 0..1 + below(3) {
                        words.insert(below(words.len() + 1), "oil price");
                    }
                }
                words.join(" ")
            };
            for _ in 0..400 {
                let mut body_text = text(&mut below);
                if below(10) == 0 {
                    body_text.push_str(" gone");
                }
                let copies = if below(8) == 0 { 3 } else { 1 };
                for _ in 0..copies {
                    let document = if below(3) == 0 {
                        doc!(body => body_text.clone(), title => text(&mut below))
                    } else {
                        doc!(body => body_text.clone())
                    };
                    writer.add_document(document).unwrap();
                }
            }
            let document = doc!(title => "kenneth derr said");
            writer.add_document(document).unwrap();
            writer.commit().unwrap();
        }
        writer.delete_term(Term::from_field_text(body, "gone"));
        writer.commit().unwrap();
        let index = writer.index();
        (index.reader().unwrap().searcher(), index.schema())
    }

    /// The query `QueryBuilder` makes of a phrase: in the body, required,
    /// and in the title, a bonus.
    fn union(phrases: &[(Vec<Term>, Score)]) -> BooleanQuery {
        let clauses = phrases
            .iter()
            .enumerate()
            .map(|(i, (terms, boost))| {
                let phrase = Box::new(PhraseQuery::new(terms.clone()));
                let query: Box<dyn Query> = if *boost == 1.0 {
                    phrase
                } else {
                    Box::new(BoostQuery::new(phrase, *boost))
                };
                (if i == 0 { Occur::Must } else { Occur::Should }, query)
            })
            .collect();
        BooleanQuery::new(clauses)
    }

    #[test]
    fn top_k_is_the_unions_bit_for_bit() {
        let (searcher, schema) = searcher();
        assert!(searcher.segment_readers().len() >= 3);
        assert!(searcher.segment_readers().iter().any(|r| r.has_deletes()));
        let fields = ["body", "title"].map(|f| schema.get_field(f).unwrap());
        let texts: [&[&str]; 6] = [
            &["kenneth", "derr"],
            &["derr", "kenneth", "said"],
            &["a", "a"],
            &["a", "b", "a", "said"],
            &["said", "a", "b"],
            &["oil", "price"],
        ];
        for text in texts {
            PASSED_OVER.with(|passed| passed.set(0));
            for boosts in [[1.0, 1.0], [1.0, 0.5], [0.3, 2.0]] {
                let phrases: Vec<(Vec<Term>, Score)> = fields
                    .iter()
                    .zip(boosts)
                    .map(|(&field, boost)| {
                        let terms = text.iter().map(|t| Term::from_field_text(field, t));
                        (terms.collect(), boost)
                    })
                    .collect();
                let plain = union(&phrases);
                let wrapped = TopKPhraseQuery::new(Box::new(plain.clone()), phrases);
                let all = top_bits(&searcher, &plain, 100_000);
                assert!(all.len() > 20, "{text:?}: {} hits", all.len());
                for k in (1..=40).chain([60, 100, 300, 100_000]) {
                    assert_eq!(
                        top_bits(&searcher, &wrapped, k),
                        top_bits(&searcher, &plain, k),
                        "{text:?} {boosts:?} top {k}"
                    );
                }
                assert_eq!(
                    searcher.search(&wrapped, &Count).unwrap(),
                    searcher.search(&plain, &Count).unwrap()
                );
            }
            // The bound did pass over documents (a bound too small would
            // then have lost hits).
            let passed_over = PASSED_OVER.with(|passed| passed.get());
            assert!(passed_over > 100, "{text:?}: {passed_over} passed over");
        }
    }
}
