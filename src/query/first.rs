//! The exact phrase first. A query of several bare words ("Cartel de los
//! Soles") is also scored as the exact phrase; a passage that holds the
//! phrase as written gains, on top of the phrase's BM25, the most that a
//! passage without it can score (its words, their looser proximity, its
//! title), so every passage holding the phrase ranks above every passage
//! that does not, however often the latter repeats the words apart.
//! [`PhraseFirst`] adds that amount ([`Most`]) to a phrase query's score.

use std::fmt;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

use crate::explain;

/// The name of the amount in explanations.
pub const LABEL: &str = "the exact phrase ranks above every passage without it";

/// `Bm25Weight::for_terms(statistics, terms)?.boost_by(boost).max_score()`,
/// bit for bit, without building the weight (its explanation and its table
/// of 256 lengths, for one number). Tantivy 0.27's BM25: k1 1.2, b 0.75.
pub fn max_bm25(
    statistics: &dyn Bm25StatisticsProvider,
    terms: &[Term],
    boost: Score,
) -> tantivy::Result<Score> {
    const K1: Score = 1.2;
    const B: Score = 0.75;
    let field = terms.first().expect("BM25 needs a term").field();
    let total_num_tokens = statistics.total_num_tokens(field)?;
    let total_num_docs = statistics.total_num_docs()?;
    let average_fieldnorm = total_num_tokens as Score / total_num_docs as Score;
    let idf = |doc_freq: u64| {
        let x = ((total_num_docs - doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
        (1.0 + x).ln()
    };
    let idf = match terms {
        [term] => idf(statistics.doc_freq(term)?),
        _ => {
            let mut sum: Score = 0.0;
            for term in terms {
                sum += idf(statistics.doc_freq(term)?);
            }
            sum
        }
    };
    let mut weight = idf * (1.0 + K1);
    if boost != 1.0 {
        weight *= boost;
    }
    let longest = FieldNormReader::id_to_fieldnorm(u8::MAX) as Score;
    let norm = K1 * (1.0 - B + B * longest / average_fieldnorm);
    let term_freq = 2_013_265_944u32 as Score;
    Ok(weight * (term_freq / (term_freq + norm)))
}

/// The most a passage can score without the phrase: the sum of parts
/// (terms in one field, a phrase when several, and a weight), each at the
/// most its BM25 gives; none: 0.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Most(pub Vec<(Vec<Term>, Score)>);

impl Most {
    /// The amount, with the search's statistics, a little above the sum
    /// (bounds are trusted only so far: see `words::BOUND_SLACK`).
    pub fn value(&self, statistics: &dyn Bm25StatisticsProvider) -> tantivy::Result<Score> {
        let mut sum: Score = 0.0;
        for (terms, weight) in &self.0 {
            sum += max_bm25(statistics, terms, *weight)?;
        }
        Ok(sum * (1.0 + 1e-4))
    }

    /// The amount where scoring is enabled, else 0.
    pub fn when_scoring(&self, enable_scoring: &EnableScoring<'_>) -> tantivy::Result<Score> {
        match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } if !self.0.is_empty() => self.value(*statistics_provider),
            _ => Ok(0.0),
        }
    }
}

/// A phrase query whose matches score [`Most`] more.
pub struct PhraseFirst {
    phrase: Box<dyn Query>,
    most: Most,
}

impl PhraseFirst {
    /// `phrase`, its score raised by `most` where it matches.
    pub fn new(phrase: Box<dyn Query>, most: Most) -> Self {
        PhraseFirst { phrase, most }
    }
}

impl Clone for PhraseFirst {
    fn clone(&self) -> Self {
        PhraseFirst::new(self.phrase.box_clone(), self.most.clone())
    }
}

impl fmt::Debug for PhraseFirst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhraseFirst({:?}, {:?})", self.phrase, self.most)
    }
}

impl Query for PhraseFirst {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let phrase = self.phrase.weight(enable_scoring)?;
        if !enable_scoring.is_scoring_enabled() {
            return Ok(phrase);
        }
        Ok(Box::new(PhraseFirstWeight {
            phrase,
            above: self.most.when_scoring(&enable_scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.phrase.query_terms(visitor);
    }
}

struct PhraseFirstWeight {
    phrase: Box<dyn Weight>,
    above: Score,
}

impl Weight for PhraseFirstWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(PhraseFirstScorer {
            phrase: self.phrase.scorer(reader, boost)?,
            above: self.above * boost,
        }))
    }

    /// The phrase's own parts, and the amount.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let phrase = self.phrase.explain(reader, doc)?;
        let score = explain::score_of(self, reader, doc)?;
        Ok(explain::sum(
            score,
            vec![phrase, Explanation::new(LABEL, self.above)],
        ))
    }
}

struct PhraseFirstScorer {
    phrase: Box<dyn Scorer>,
    above: Score,
}

impl DocSet for PhraseFirstScorer {
    fn advance(&mut self) -> DocId {
        self.phrase.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.phrase.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> tantivy::SeekDangerResult {
        self.phrase.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.phrase.doc()
    }

    fn size_hint(&self) -> u32 {
        self.phrase.size_hint()
    }
}

impl Scorer for PhraseFirstScorer {
    fn score(&mut self) -> Score {
        self.phrase.score() + self.above
    }
}

#[cfg(test)]
mod tests {
    use tantivy::doc;
    use tantivy::query::Bm25Weight;

    use super::*;

    /// The bound computed apart is Tantivy's, bit for bit, for one term
    /// and for phrases, boosted or not, rare and common words.
    #[test]
    fn max_bm25_is_tantivys_max_score() {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        let mut below = crate::testing::below();
        let words = ["oil", "price", "crude", "said", "opec", "barrel"];
        for _ in 0..3_000 {
            let n = 1 + below(60);
            let text: Vec<_> = (0..n)
                .map(|_| {
                    // Skewed: the first words are the commonest.
                    let among = 1 + below(words.len());
                    words[below(among)]
                })
                .collect();
            let heading = words[below(words.len())];
            writer
                .add_document(doc!(body => text.join(" "), title => heading))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let terms = |field, words: &[&str]| -> Vec<Term> {
            words
                .iter()
                .map(|w| Term::from_field_text(field, w))
                .collect()
        };
        let cases = [
            terms(body, &["oil"]),
            terms(body, &["barrel"]),
            terms(body, &["oil", "barrel", "said"]),
            terms(title, &["crude"]),
            terms(title, &["opec", "price"]),
        ];
        for terms in &cases {
            for boost in [1.0, 0.2, 0.5, 2.0] {
                let tantivy = Bm25Weight::for_terms(&searcher, terms).unwrap();
                let expected = tantivy.boost_by(boost).max_score();
                let got = max_bm25(&searcher, terms, boost).unwrap();
                assert_eq!(got.to_bits(), expected.to_bits(), "{terms:?} × {boost}");
            }
        }
    }
}
