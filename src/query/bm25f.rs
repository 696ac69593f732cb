//! The title's part of a word's score, BM25F-style (Robertson, Zaragoza
//! and Taylor 2004): the word's frequency in the article's title, weighted
//! and normalised by the title's length, is added to its frequency in the
//! passage, normalised by the passage's length, and the sum saturates once
//! with the passage's idf. The passage's own BM25 of the word is scored by
//! its term query, as before; [`TitleBm25F`] scores what the title adds to
//! it, `BM25F(passage tf, title tf) − BM25(passage tf)`, on the passages
//! whose title holds the word. Their sum is the word's BM25F. A word found
//! in the title only saturates like one found in the text: a title does
//! not double a word's weight as a second field's BM25 summed in would.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, EmptyScorer, EnableScoring, Explanation, Query, Scorer, TermQuery,
    Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// Tantivy's BM25 constants (fixed in `tantivy::query::Bm25Weight`).
const K1: Score = 1.2;
const B: Score = 0.75;

/// What a word's title adds to its BM25 in a passage: a term query over
/// the title whose score is the BM25F increment.
#[derive(Clone, Debug)]
pub struct TitleBm25F {
    /// The word in the passage text (stemmed).
    body: Term,
    /// The same word in the title.
    title: Term,
    /// A title occurrence counts as this many passage occurrences (before
    /// length normalisation).
    title_weight: Score,
}

impl TitleBm25F {
    /// The title's part of `body`'s BM25F, `title` being the same word in
    /// the title field.
    pub fn new(body: Term, title: Term, title_weight: Score) -> Self {
        TitleBm25F {
            body,
            title,
            title_weight,
        }
    }
}

/// BM25's `(1 + k1)`-free length part of each field norm: the
/// normalisation `K1 × (1 − b + b × dl / avgdl)` per fieldnorm id, as
/// Tantivy computes it.
fn norms(average: Score) -> Box<[Score; 256]> {
    let mut cache = Box::new([0.0; 256]);
    for (id, norm) in cache.iter_mut().enumerate() {
        let length = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
        *norm = K1 * (1.0 - B + B * length / average);
    }
    cache
}

/// Tantivy's idf, `ln(1 + (N − n + 0.5) / (n + 0.5))`.
fn idf(doc_freq: u64, docs: u64) -> Score {
    let x = (docs.saturating_sub(doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// The average length of a field over the index's passages.
fn average_length(stats: &dyn Bm25StatisticsProvider, term: &Term) -> tantivy::Result<Score> {
    let docs = stats.total_num_docs()?.max(1);
    let tokens = stats.total_num_tokens(term.field())?;
    Ok((tokens as Score / docs as Score).max(1.0))
}

impl Query for TitleBm25F {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let title_query = TermQuery::new(self.title.clone(), IndexRecordOption::WithFreqs);
        let EnableScoring::Enabled {
            statistics_provider: stats,
            ..
        } = enable_scoring
        else {
            return title_query.weight(enable_scoring);
        };
        let docs = stats.total_num_docs()?;
        // The passage's idf; a word no passage holds (a title-only
        // match) takes the title's.
        let doc_freq = match stats.doc_freq(&self.body)? {
            0 => stats.doc_freq(&self.title)?,
            n => n,
        };
        let idf = idf(doc_freq, docs);
        let (body_average, title_average) = (
            average_length(stats, &self.body)?,
            average_length(stats, &self.title)?,
        );
        Ok(Box::new(TitleBm25FWeight {
            query: self.clone(),
            idf,
            doc_freq,
            docs,
            body_average,
            title_average,
            body_norms: norms(body_average),
            title_norms: norms(title_average),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.title, false);
    }
}

struct TitleBm25FWeight {
    query: TitleBm25F,
    idf: Score,
    /// The idf's figures, for `explain`.
    doc_freq: u64,
    docs: u64,
    body_average: Score,
    title_average: Score,
    body_norms: Box<[Score; 256]>,
    title_norms: Box<[Score; 256]>,
}

impl TitleBm25FWeight {
    fn open(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Option<TitleScorer>> {
        let read = |term: &Term| -> tantivy::Result<Option<SegmentPostings>> {
            let index = reader.inverted_index(term.field())?;
            Ok(index.read_postings(term, IndexRecordOption::WithFreqs)?)
        };
        let Some(title) = read(&self.query.title)? else {
            return Ok(None);
        };
        let fieldnorms = |term: &Term| -> tantivy::Result<FieldNormReader> {
            Ok(reader
                .fieldnorms_readers()
                .get_field(term.field())?
                .unwrap_or_else(|| FieldNormReader::constant(reader.max_doc(), 1)))
        };
        Ok(Some(TitleScorer {
            weight: boost * self.idf * (1.0 + K1),
            title_weight: self.query.title_weight,
            body: read(&self.query.body)?,
            body_fieldnorms: fieldnorms(&self.query.body)?,
            title_fieldnorms: fieldnorms(&self.query.title)?,
            body_norms: self.body_norms.clone(),
            title_norms: self.title_norms.clone(),
            title,
        }))
    }
}

impl Weight for TitleBm25FWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.open(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    /// One leaf: the increment, with the figures of both fields.
    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let no_match = || {
            let message = format!("Document #({doc}) does not match");
            tantivy::TantivyError::InvalidArgument(message)
        };
        let mut scorer = self.open(reader, 1.0)?.ok_or_else(no_match)?;
        if scorer.title.doc() > doc || scorer.title.seek(doc) != doc {
            return Err(no_match());
        }
        let score = scorer.score();
        let (body_tf, body_length, title_tf, title_length) = scorer.figures();
        let value = self.query.title.value();
        let word = value.as_str().unwrap_or("?");
        let description = format!(
            "title \"{word}\" in the word's BM25F (title tf ×{}): title tf={title_tf} \
             dl={title_length} avgdl={:.1}, body tf={body_tf} dl={body_length} avgdl={:.1}, \
             idf={:.3} (in {} of {} passages), minus the body's own BM25",
            self.query.title_weight,
            self.title_average,
            self.body_average,
            self.idf,
            self.doc_freq,
            self.docs,
        );
        Ok(Explanation::new_with_string(description, score))
    }
}

/// Walks the title's postings; reads the word's frequency in the passage
/// at each document.
struct TitleScorer {
    /// `idf × (1 + k1)`, boosted.
    weight: Score,
    title_weight: Score,
    title: SegmentPostings,
    body: Option<SegmentPostings>,
    body_fieldnorms: FieldNormReader,
    title_fieldnorms: FieldNormReader,
    body_norms: Box<[Score; 256]>,
    title_norms: Box<[Score; 256]>,
}

impl TitleScorer {
    /// The word's frequency in the current document's passage text.
    fn body_tf(&mut self) -> u32 {
        let doc = self.title.doc();
        let Some(body) = self.body.as_mut() else {
            return 0;
        };
        let at = if body.doc() < doc {
            body.seek(doc)
        } else {
            body.doc()
        };
        if at == doc {
            body.term_freq()
        } else {
            0
        }
    }

    /// Body tf and length, title tf and length, at the current document.
    fn figures(&mut self) -> (u32, u32, u32, u32) {
        let doc = self.title.doc();
        (
            self.body_tf(),
            self.body_fieldnorms.fieldnorm(doc),
            self.title.term_freq(),
            self.title_fieldnorms.fieldnorm(doc),
        )
    }
}

impl DocSet for TitleScorer {
    fn advance(&mut self) -> DocId {
        self.title.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.title.seek(target)
    }

    fn doc(&self) -> DocId {
        self.title.doc()
    }

    fn size_hint(&self) -> u32 {
        self.title.size_hint()
    }
}

impl Scorer for TitleScorer {
    fn score(&mut self) -> Score {
        let doc = self.title.doc();
        let body_tf = self.body_tf() as Score;
        let title_tf = self.title.term_freq() as Score;
        let body_norm = self.body_norms[self.body_fieldnorms.fieldnorm_id(doc) as usize];
        let title_norm = self.title_norms[self.title_fieldnorms.fieldnorm_id(doc) as usize];
        // The body's BM25, as Tantivy's term scorer computes it.
        let body = self.weight * (body_tf / (body_tf + body_norm));
        // Frequencies over K1-scaled norms: x / (x + 1) is BM25F's saturation.
        let x = body_tf / body_norm + self.title_weight * title_tf / title_norm;
        let both = self.weight * (x / (x + 1.0));
        (both - body).max(0.0)
    }
}
