//! Proximity of two terms in one pass. A union of phrase queries over the
//! same two terms (exact, near, near pair: see `QueryBuilder::proximity`)
//! makes each phrase scorer intersect the postings and decode the positions
//! anew; [`PairQuery`] does both once per document and scores each phrase
//! exactly as Tantivy's `PhraseQuery`, boosted as by `BoostQuery`, summed as
//! by `BooleanQuery` (same floating-point operations, same order).

use std::cmp::Ordering;

use super::first::{self, Most};
use super::label::phrase_label;
use crate::explain;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    DocId, DocSet, Score, SeekDangerResult, SegmentReader, TantivyError, Term, TERMINATED,
};

/// The Should union of phrase queries over the same two terms (in this
/// order, same field), each given as `(slop, boost)`.
#[derive(Debug, Clone)]
pub struct PairQuery {
    terms: [Term; 2],
    phrases: Vec<(u32, Score)>,
    /// Added where the exact phrase (slop 0) occurs (see [`super::first`]).
    above: Most,
}

impl PairQuery {
    /// The union of `PhraseQuery([first, second])` with each slop, boosted.
    pub fn new(terms: [Term; 2], phrases: Vec<(u32, Score)>) -> Self {
        PairQuery {
            terms,
            phrases,
            above: Most::default(),
        }
    }

    /// The same query, `above` more where the exact phrase occurs, as
    /// [`super::first::PhraseFirst`] scores it.
    pub fn exact_first(mut self, above: Most) -> Self {
        self.above = above;
        self
    }
}

impl Query for PairQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // As `PhraseQuery::phrase_weight`; `BoostQuery` boosts only when scoring.
        let bm25 = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(Bm25Weight::for_terms(statistics_provider, &self.terms)?),
            EnableScoring::Disabled { .. } => None,
        };
        let field_name = enable_scoring
            .schema()
            .get_field_name(self.terms[0].field())
            .to_owned();
        Ok(Box::new(PairWeight {
            field_name,
            terms: self.terms.clone(),
            phrases: self.phrases.clone(),
            above: self.above.when_scoring(&enable_scoring)?,
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for term in &self.terms {
            visitor(term, true);
        }
    }
}

struct PairWeight {
    /// The terms' field, by name (for explanations).
    field_name: String,
    terms: [Term; 2],
    phrases: Vec<(u32, Score)>,
    above: Score,
    /// BM25 of the two terms as a phrase; `None` when scoring is disabled.
    bm25: Option<Bm25Weight>,
}

impl PairWeight {
    /// The scorer on its first match, or `None` when a term is not in the segment.
    fn pair_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PairScorer>> {
        let Some(mut scorer) = self.unaligned_scorer(reader, boost)? else {
            return Ok(None);
        };
        let doc = scorer.left.doc();
        scorer.doc = scorer.next_match(doc);
        Ok(Some(scorer))
    }

    /// The scorer with its postings at their first documents, not yet on a
    /// match: only `seek_danger` may move it.
    fn unaligned_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<PairScorer>> {
        let field = self.terms[0].field();
        let inverted_index = reader.inverted_index(field)?;
        let read = |term: &Term| {
            inverted_index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)
        };
        let (Some(first), Some(second)) = (read(&self.terms[0])?, read(&self.terms[1])?) else {
            return Ok(None);
        };
        let fieldnorms = match (&self.bm25, reader.fieldnorms_readers().get_field(field)?) {
            (Some(_), Some(fieldnorms)) => fieldnorms,
            _ => FieldNormReader::constant(reader.max_doc(), 1),
        };
        let phrases = self
            .phrases
            .iter()
            .map(|&(slop, phrase_boost)| {
                let bm25 = self.bm25.as_ref().map(|w| w.boost_by(boost * phrase_boost));
                (slop, bm25)
            })
            .collect();
        // A phrase scorer shifts each term's positions by its distance to
        // the last term, and reads first the positions of the term in fewer
        // documents (the first term on a tie): greedy slop matching depends on it.
        let first = (first, 1);
        let second = (second, 0);
        let (left, right) = if second.0.cost() < first.0.cost() {
            (second, first)
        } else {
            (first, second)
        };
        Ok(Some(PairScorer {
            left: left.0,
            left_offset: left.1,
            right: right.0,
            right_offset: right.1,
            phrases,
            fieldnorms,
            left_positions: Vec::with_capacity(100),
            right_positions: Vec::with_capacity(100),
            above: boost * self.above,
            doc: 0,
            score: 0.0,
        }))
    }
}

impl Weight for PairWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.pair_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    /// Looks at `target` only, not at the documents after it.
    fn scorer_danger(
        &self,
        reader: &SegmentReader,
        target: DocId,
        boost: Score,
    ) -> tantivy::Result<(SeekDangerResult, Box<dyn Scorer>)> {
        Ok(match self.unaligned_scorer(reader, boost)? {
            Some(mut scorer) => (scorer.seek_danger(target), Box::new(scorer)),
            None => (
                SeekDangerResult::SeekLowerBound(TERMINATED),
                Box::new(EmptyScorer),
            ),
        })
    }

    /// Each phrase found, named, boosted: they add up to the score.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_matching =
            || TantivyError::InvalidArgument(format!("Document #({doc}) does not match"));
        let mut scorer = self.pair_scorer(reader, 1.0)?.ok_or_else(not_matching)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(not_matching());
        }
        let fieldnorm_id = scorer.fieldnorms.fieldnorm_id(doc);
        let words = self
            .terms
            .clone()
            .map(|t| t.value().as_str().unwrap_or("").to_owned());
        let words = [words[0].as_str(), words[1].as_str()];
        let mut parts = Vec::new();
        // The positions of `doc` are loaded.
        for &(slop, phrase_boost) in &self.phrases {
            let count = scorer.phrase_count(slop);
            if let (Some(bm25), true) = (&self.bm25, count > 0) {
                let detail = explain::boost(phrase_boost, bm25.explain(fieldnorm_id, count));
                let name = phrase_label(&self.field_name, &words, slop);
                parts.push(explain::label(&name, detail));
            }
        }
        if self.above != 0.0 && scorer.phrase_count(0) > 0 {
            parts.push(Explanation::new(first::LABEL, self.above));
        }
        Ok(explain::sum(scorer.score(), parts))
    }
}

/// Walks the documents holding both terms (the rarer term leads) and keeps
/// those where at least one phrase occurs.
struct PairScorer {
    left: SegmentPostings,
    left_offset: u32,
    right: SegmentPostings,
    right_offset: u32,
    /// Slop and BM25 weight (boosted) of each phrase, in clause order.
    phrases: Vec<(u32, Option<Bm25Weight>)>,
    fieldnorms: FieldNormReader,
    left_positions: Vec<u32>,
    right_positions: Vec<u32>,
    /// Added where the exact phrase occurs (boosted).
    above: Score,
    doc: DocId,
    score: Score,
}

impl PairScorer {
    /// The first document from `doc` on (where `left` stands) where one of
    /// the phrases occurs, with its score computed.
    fn next_match(&mut self, mut doc: DocId) -> DocId {
        loop {
            doc = self.align(doc);
            if doc == TERMINATED || self.score_phrases() {
                return doc;
            }
            doc = self.left.advance();
        }
    }

    /// Moves both postings to the first document holding both terms from
    /// `doc` (where `left` stands) on.
    fn align(&mut self, mut doc: DocId) -> DocId {
        loop {
            if doc == TERMINATED {
                return TERMINATED;
            }
            let other = self.right.seek(doc);
            if other == doc || other == TERMINATED {
                return other;
            }
            doc = self.left.seek(other);
        }
    }

    fn read_positions(&mut self) {
        self.left
            .positions_with_offset(self.left_offset, &mut self.left_positions);
        self.right
            .positions_with_offset(self.right_offset, &mut self.right_positions);
    }

    /// How often the phrase with this slop occurs, as `PhraseScorer` counts.
    fn phrase_count(&self, slop: u32) -> u32 {
        let (left, right) = (&self.left_positions, &self.right_positions);
        let count = if slop == 0 {
            intersection_count(left, right)
        } else {
            intersection_count_with_slop(left, right, slop)
        };
        count as u32
    }

    /// Scores the current document as the sum, in clause order, of the
    /// phrases it holds (1 when scoring is disabled); false when it holds none.
    fn score_phrases(&mut self) -> bool {
        self.read_positions();
        let fieldnorm_id = self.fieldnorms.fieldnorm_id(self.left.doc());
        let mut matched = false;
        let mut score: Score = 0.0;
        let mut scoring = true;
        for (slop, bm25) in &self.phrases {
            let count = self.phrase_count(*slop);
            match bm25 {
                Some(bm25) if count > 0 => score += bm25.score(fieldnorm_id, count),
                None => scoring = false,
                _ => {}
            }
            matched |= count > 0;
        }
        if self.above != 0.0 && self.phrase_count(0) > 0 {
            score += self.above;
        }
        self.score = if scoring { score } else { 1.0 };
        matched
    }
}

impl DocSet for PairScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            let doc = self.left.advance();
            self.doc = self.next_match(doc);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            let doc = self.left.seek(target);
            self.doc = self.next_match(doc);
        }
        self.doc
    }

    /// Whether `target` holds a phrase, without looking further: on a miss
    /// the postings may stand anywhere up to the next document holding both
    /// terms (or on `target`), and only `seek_danger` may move the scorer.
    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= TERMINATED {
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        for postings in [&mut self.left, &mut self.right] {
            let doc = if postings.doc() < target {
                postings.seek(target)
            } else {
                postings.doc()
            };
            if doc != target {
                return SeekDangerResult::SeekLowerBound(doc);
            }
        }
        if self.score_phrases() {
            self.doc = target;
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(target + 1)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    /// At most the documents of the rarer term.
    fn size_hint(&self) -> u32 {
        self.left.size_hint()
    }
}

impl Scorer for PairScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// Positions in both lists (Tantivy's `phrase_scorer::intersection_count`).
pub(super) fn intersection_count(left: &[u32], right: &[u32]) -> usize {
    let (mut left_index, mut right_index, mut count) = (0, 0, 0);
    while left_index < left.len() && right_index < right.len() {
        match left[left_index].cmp(&right[right_index]) {
            Ordering::Less => left_index += 1,
            Ordering::Equal => {
                count += 1;
                left_index += 1;
                right_index += 1;
            }
            Ordering::Greater => right_index += 1,
        }
    }
    count
}

/// Greedy matches of positions at most `slop` apart (Tantivy's
/// `phrase_scorer::intersection_count_with_slop` without `update_left`).
fn intersection_count_with_slop(left: &[u32], right: &[u32], slop: u32) -> usize {
    let (mut left_index, mut right_index, mut count) = (0, 0, 0);
    while left_index < left.len() && right_index < right.len() {
        let left_val = left[left_index];
        let right_val = right[right_index];
        if left_val.abs_diff(right_val) <= slop {
            // A later left position not past the right one is a better match.
            while left_index + 1 < left.len() && left[left_index + 1] <= right_val {
                left_index += 1;
            }
            count += 1;
            left_index += 1;
            right_index += 1;
        } else if left_val < right_val {
            left_index += 1;
        } else {
            right_index += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::schema::Schema;
    use tantivy::{doc, Searcher};

    use super::*;
    use crate::testing::top_bits;

    /// Two segments of passages: hand-made ones (exact, slop 4, slop 8,
    /// reversed, repeated terms, terms only in the title) and random ones
    /// over a small vocabulary; "kenneth" is in more documents than "derr".
    fn searcher() -> (Searcher, Schema) {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let passages = [
            "kenneth derr chairman",
            "kenneth a b c derr explained",
            "kenneth a b c d e f g derr",
            "derr kenneth",
            "derr a b kenneth a derr",
            "kenneth kenneth derr derr kenneth a derr kenneth",
            "kenneth alone",
            "derr only",
        ];
        for text in passages {
            writer.add_document(doc!(body => text)).unwrap();
        }
        writer
            .add_document(doc!(title => "kenneth derr", body => "chevron results"))
            .unwrap();
        writer.commit().unwrap();
        let vocabulary = ["kenneth", "derr", "kenneth", "a", "b", "c", "d"];
        let mut below = crate::testing::below();
        for _ in 0..300 {
            let words: Vec<&str> = (0..1 + below(30))
                .map(|_| vocabulary[below(vocabulary.len())])
                .collect();
            writer.add_document(doc!(body => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        let index = writer.index();
        (index.reader().unwrap().searcher(), index.schema())
    }

    /// The Should union of boosted phrase queries that `PairQuery` stands for.
    fn union(terms: &[Term; 2], phrases: &[(u32, Score)]) -> BooleanQuery {
        let clauses = phrases
            .iter()
            .map(|&(slop, boost)| {
                let mut phrase = PhraseQuery::new(terms.to_vec());
                phrase.set_slop(slop);
                let query: Box<dyn Query> = if boost == 1.0 {
                    Box::new(phrase)
                } else {
                    Box::new(BoostQuery::new(Box::new(phrase), boost))
                };
                (Occur::Should, query)
            })
            .collect();
        BooleanQuery::new(clauses)
    }

    #[test]
    fn scores_as_the_union_of_phrase_queries_bit_for_bit() {
        let (searcher, schema) = searcher();
        let body = schema.get_field("body").unwrap();
        let trio = [(0, 1.0 + 0.2), (4, 1.0), (8, 0.2)];
        let duo = [(0, 1.0), (4, 1.0)];
        for (first, second) in [("kenneth", "derr"), ("derr", "kenneth"), ("derr", "derr")] {
            let terms = [first, second].map(|t| Term::from_field_text(body, t));
            for phrases in [&trio[..], &duo[..]] {
                let expected = union(&terms, phrases);
                let pair = PairQuery::new(terms.clone(), phrases.to_vec());
                let want = top_bits(&searcher, &expected, 1000);
                assert!(want.len() > 50, "{first} {second}: {} hits", want.len());
                assert_eq!(
                    top_bits(&searcher, &pair, 1000),
                    want,
                    "{first} {second} {phrases:?}"
                );
                // Boosted from outside, and counted without scores.
                let boosted = |q: Box<dyn Query>| BoostQuery::new(q, 0.7);
                assert_eq!(
                    top_bits(&searcher, &boosted(Box::new(pair.clone())), 1000),
                    top_bits(&searcher, &boosted(Box::new(expected.clone())), 1000)
                );
                assert_eq!(
                    searcher.search(&pair, &Count).unwrap(),
                    searcher.search(&expected, &Count).unwrap()
                );
            }
        }
    }

    #[test]
    fn explains_each_phrase_found() {
        let (searcher, schema) = searcher();
        let body = schema.get_field("body").unwrap();
        let terms = ["kenneth", "derr"].map(|t| Term::from_field_text(body, t));
        let pair = PairQuery::new(terms, vec![(0, 1.2), (4, 1.0), (8, 0.2)]);
        let address = |word: &str| {
            let query = TermQuery::new(Term::from_field_text(body, word), IndexRecordOption::Basic);
            searcher
                .search(&query, &TopDocs::with_limit(1).order_by_score())
                .unwrap()[0]
                .1
        };
        // "kenneth a b c derr explained": slop 4 and 8, not exact.
        let explained = address("explained");
        let explanation = pair.explain(&searcher, explained).unwrap();
        let json = explanation.to_pretty_json();
        assert!(json.contains("~4") || json.contains("(within 4)"), "{json}");
        assert!(json.contains("(within 8)"), "{json}");
        assert!(!json.contains("phrase body"), "{json}");
        let score = top_bits(&searcher, &pair, 1000)
            .into_iter()
            .find(|&(_, doc)| doc == explained)
            .map(|(bits, _)| f32::from_bits(bits));
        assert_eq!(Some(explanation.value()), score);
        assert!(pair.explain(&searcher, address("alone")).is_err());
    }
}
