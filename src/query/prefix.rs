//! Prefixes (`narco*`): the words of the text that start with what the
//! user typed, folded but not stemmed, and capped, so that `a*` on a large
//! index does not walk the posting lists of tens of thousands of words.
//! Each word is then searched, and ranked, as a word of its own.
//!
//! The passages' words are in two dictionaries (see
//! [`crate::analysis::SurfaceWords`]): a word that does not stem to itself
//! ("designation") is a term of the unstemmed words; one that does
//! ("cartel") is a term of the stemmed text, and searched there. The words
//! of a prefix `p` are the unstemmed words starting with `p`, and the
//! stemmed terms `T` starting with `p` that stem to themselves (a stem such
//! as `compani`, which no word of the text may be, stems to itself too).
//! A stemmed term `T` finds the passages of every word that stems to it;
//! those are right for `p*` when the word starts with `T` (so with `p`),
//! and wrong only when it does not ("company" for `compani`): the passages
//! where every such word of `T` is of that kind hold `T`'s marker, and are
//! left out of `T`'s matches. So `p*` matches exactly the passages that
//! hold a word starting with `p`.
//!
//! The unstemmed words keep no passage lengths (they hold only some of the
//! words): a word of theirs is scored by BM25 with the passage's length in
//! the stemmed text, which has a token per word (see [`WordQuery`]).

use std::collections::HashMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, EnableScoring, Explanation, Occur, Query,
    Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TantivyError, Term};

use crate::analysis;

/// Words one prefix expands to: the most frequent this many.
pub const MAX_PREFIX_TERMS: usize = 1_000;
/// Distinct words looked at per prefix: a bound on the dictionary scan
/// (past it, the words seen so far are the candidates).
const MAX_SCANNED: usize = 200_000;

/// The words a prefix expands to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The words kept, most frequent first.
    pub words: Vec<String>,
    /// How many indexed words start with the prefix (at least; the scan
    /// stops at [`MAX_SCANNED`]).
    pub matched: usize,
}

/// The indexed words of `field` that start with `prefix`: the `max` found in
/// the most passages (ties in byte order), and how many there are.
///
/// # Errors
/// A term dictionary cannot be read.
pub fn expand(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    max: usize,
) -> tantivy::Result<Expansion> {
    let mut passages: HashMap<Vec<u8>, u64> = HashMap::new();
    scan(searcher, field, prefix, &mut passages, |_| true)?;
    Ok(ranked(passages, max))
}

/// The words of the passages that start with `prefix`, as [`expand`] gives
/// them: the unstemmed words of `words` (the field of
/// [`crate::analysis::SurfaceWords`]) and the terms of `stems` (the
/// stemmed passage text) that stem to themselves.
///
/// # Errors
/// A term dictionary cannot be read.
pub fn expand_words(
    searcher: &Searcher,
    words: Field,
    stems: Field,
    prefix: &str,
    max: usize,
) -> tantivy::Result<Expansion> {
    let mut passages: HashMap<Vec<u8>, u64> = HashMap::new();
    scan(
        searcher,
        words,
        prefix,
        &mut passages,
        analysis::is_surface_word,
    )?;
    let mut stem = String::new();
    scan(searcher, stems, prefix, &mut passages, |term| {
        let Ok(term) = std::str::from_utf8(term) else {
            return false;
        };
        stem.clear();
        stem.push_str(term);
        analysis::stem(&mut stem);
        stem == term
    })?;
    Ok(ranked(passages, max))
}

/// Adds the terms of `field` that start with `prefix` and that `keep`
/// accepts to `passages`, with their number of passages.
fn scan(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    passages: &mut HashMap<Vec<u8>, u64>,
    mut keep: impl FnMut(&[u8]) -> bool,
) -> tantivy::Result<()> {
    let start = prefix.as_bytes();
    let end = prefix_end(start);
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(field)?;
        let mut range = index.terms().range().ge(start);
        if let Some(end) = &end {
            range = range.lt(end);
        }
        let mut stream = range.into_stream()?;
        while stream.advance() {
            let doc_freq = u64::from(stream.value().doc_freq);
            if !keep(stream.key()) {
                continue;
            }
            if let Some(count) = passages.get_mut(stream.key()) {
                *count += doc_freq;
            } else if passages.len() < MAX_SCANNED {
                passages.insert(stream.key().to_vec(), doc_freq);
            }
        }
    }
    Ok(())
}

/// The `max` words of the most passages (ties in byte order), and how many
/// words there are.
fn ranked(passages: HashMap<Vec<u8>, u64>, max: usize) -> Expansion {
    let matched = passages.len();
    let mut ranked: Vec<(Vec<u8>, u64)> = passages.into_iter().collect();
    ranked.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    ranked.truncate(max);
    let words = ranked
        .into_iter()
        .map(|(bytes, _)| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    Expansion { words, matched }
}

/// Passages holding any of the passage words `words` (as
/// [`expand_words`] gives them), each word scored by its BM25 in the field
/// that holds it, the scores of the words a passage holds added up.
pub fn words_query(
    searcher: &Searcher,
    words_field: Field,
    stems_field: Field,
    words: &[String],
) -> Box<dyn Query> {
    let mut stem = String::new();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|w| {
            stem.clear();
            stem.push_str(w);
            analysis::stem(&mut stem);
            if stem != *w {
                let word = Term::from_field_text(words_field, w);
                let q: Box<dyn Query> = Box::new(WordQuery::new(word, stems_field));
                return (Occur::Should, q);
            }
            let found = term_query(stems_field, w);
            let marker = Term::from_field_text(words_field, &analysis::marker(w));
            let q = match searcher.doc_freq(&marker) {
                Ok(0) => found,
                _ => {
                    let not: Box<dyn Query> =
                        Box::new(TermQuery::new(marker, IndexRecordOption::Basic));
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, found),
                        (Occur::MustNot, not),
                    ]))
                }
            };
            (Occur::Should, q)
        })
        .collect();
    match clauses.len() {
        1 => clauses.pop().expect("one clause").1,
        _ => Box::new(BooleanQuery::new(clauses)),
    }
}

fn term_query(field: Field, word: &str) -> Box<dyn Query> {
    let term = Term::from_field_text(field, word);
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// A term of the unstemmed words (see [`crate::analysis::SurfaceWords`]),
/// scored by BM25 as a [`TermQuery`] is, with the passage lengths (field
/// norms and their average) of `lengths`, the stemmed passage text: the
/// unstemmed words hold no lengths of their own.
#[derive(Clone, Debug)]
pub struct WordQuery {
    term: Term,
    lengths: Field,
}

impl WordQuery {
    /// The passages holding `term`, scored with the lengths of `lengths`.
    pub fn new(term: Term, lengths: Field) -> Self {
        WordQuery { term, lengths }
    }
}

/// The statistics of a searcher, with the number of tokens of one field
/// read from another.
struct LengthsOf<'a> {
    statistics: &'a dyn Bm25StatisticsProvider,
    field: Field,
    lengths: Field,
}

impl Bm25StatisticsProvider for LengthsOf<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let field = if field == self.field {
            self.lengths
        } else {
            field
        };
        self.statistics.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.statistics.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.statistics.doc_freq(term)
    }
}

impl Query for WordQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let EnableScoring::Enabled {
            statistics_provider,
            ..
        } = enable_scoring
        else {
            let matches = TermQuery::new(self.term.clone(), IndexRecordOption::Basic);
            return matches.weight(enable_scoring);
        };
        let statistics = LengthsOf {
            statistics: statistics_provider,
            field: self.term.field(),
            lengths: self.lengths,
        };
        let bm25 = Bm25Weight::for_terms(&statistics, std::slice::from_ref(&self.term))?;
        Ok(Box::new(WordWeight {
            query: self.clone(),
            bm25,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// The weight of a [`WordQuery`].
struct WordWeight {
    query: WordQuery,
    bm25: Bm25Weight,
}

impl WordWeight {
    fn word_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<WordScorer> {
        let postings = reader
            .inverted_index(self.query.term.field())?
            .read_postings(&self.query.term, IndexRecordOption::WithFreqs)?
            .unwrap_or_else(SegmentPostings::empty);
        Ok(WordScorer {
            postings,
            lengths: reader.get_fieldnorms_reader(self.query.lengths)?,
            bm25: self.bm25.boost_by(boost),
        })
    }
}

impl Weight for WordWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(self.word_scorer(reader, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.word_scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "Document #({doc}) does not match"
            )));
        }
        let mut explanation = scorer
            .bm25
            .explain(scorer.length(), scorer.postings.term_freq());
        explanation.add_context(format!("Term={:?}", self.query.term));
        Ok(explanation)
    }
}

/// The scorer of a [`WordQuery`] in one segment: a term's postings, scored
/// with another field's lengths. (Not Tantivy's `TermScorer`, whose block
/// maxima, which block-max WAND skips by, come from its own field's.)
struct WordScorer {
    postings: SegmentPostings,
    lengths: FieldNormReader,
    bm25: Bm25Weight,
}

impl WordScorer {
    fn length(&self) -> u8 {
        self.lengths.fieldnorm_id(self.postings.doc())
    }
}

impl DocSet for WordScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for WordScorer {
    fn score(&mut self) -> Score {
        self.bm25.score(self.length(), self.postings.term_freq())
    }
}

/// Passages holding any of the words of `field`, each word scored by its
/// BM25, the scores of the words a passage holds added up.
pub fn query(field: Field, words: &[String]) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .map(|w| {
            let term = Term::from_field_text(field, w);
            let q: Box<dyn Query> = Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (Occur::Should, q)
        })
        .collect();
    match clauses.len() {
        1 => clauses.pop().expect("one clause").1,
        _ => Box::new(BooleanQuery::new(clauses)),
    }
}

/// The first byte string after every string starting with `prefix`, if any.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::RegexQuery;

    #[test]
    fn the_most_frequent_words_are_kept_and_match_as_a_regex_would() {
        let (mut writer, [body, _]) = crate::testing::body_title_writer();
        for text in [
            "carte cartel",
            "cartel cartels",
            "cartel car",
            "carts",
            "scar",
        ] {
            writer.add_document(tantivy::doc!(body => text)).unwrap();
            writer.commit().unwrap();
        }
        let searcher = writer.index().reader().unwrap().searcher();
        let all = expand(&searcher, body, "cart", 100).unwrap();
        assert_eq!(all.matched, 4);
        assert_eq!(all.words, ["cartel", "carte", "cartels", "carts"]);
        let capped = expand(&searcher, body, "cart", 2).unwrap();
        assert_eq!(
            (capped.matched, capped.words.clone()),
            (4, vec!["cartel".into(), "carte".into()])
        );
        let count = |q: &dyn Query| searcher.search(q, &Count).unwrap();
        let regex = RegexQuery::from_pattern("cart.*", body).unwrap();
        assert_eq!(count(query(body, &all.words).as_ref()), count(&regex));
        assert_eq!(count(query(body, &capped.words).as_ref()), 3);
        assert_eq!(expand(&searcher, body, "zz", 5).unwrap().matched, 0);
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff"), None);
    }

    /// A word of the unstemmed words (no fillers, no lengths) scores bit for
    /// bit as it would in a field holding every word with its lengths.
    #[test]
    fn a_word_scores_with_the_passage_lengths_of_the_stemmed_text() {
        use tantivy::schema::{Schema, TextFieldIndexing, TextOptions};
        let text = |tokenizer: &str, option: IndexRecordOption, norms: bool| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(option)
                    .set_fieldnorms(norms),
            )
        };
        let mut schema = Schema::builder();
        let positions = IndexRecordOption::WithFreqsAndPositions;
        let body = schema.add_text_field("body", text(analysis::ANALYZER, positions, true));
        let freqs = IndexRecordOption::WithFreqs;
        let words = schema.add_text_field("words", text(analysis::SURFACE, freqs, false));
        let all = schema.add_text_field("all", text(analysis::UNSTEMMED, freqs, true));
        let index = tantivy::Index::create_in_ram(schema.build());
        analysis::register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for passage in [
            "The designation of the cartel was announced.",
            "Designations, designations: the designation said nothing of the companies.",
            "A cartel.",
            "designation",
            "The company said its designation was organized by the organizers of the cartel.",
        ] {
            writer
                .add_document(tantivy::doc!(body => passage, words => passage, all => passage))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        for word in ["designation", "designations", "organized", "companies"] {
            let ours = WordQuery::new(Term::from_field_text(words, word), body);
            let every = TermQuery::new(
                Term::from_field_text(all, word),
                IndexRecordOption::WithFreqs,
            );
            let expected = crate::testing::top_bits(&searcher, &every, 10);
            assert!(!expected.is_empty(), "{word}");
            assert_eq!(
                crate::testing::top_bits(&searcher, &ours, 10),
                expected,
                "{word}"
            );
        }
    }

    /// Unlike a regex query, which scores every match 1, the words rank
    /// by BM25: a rare word above a common one.
    #[test]
    fn the_words_rank_by_bm25() {
        let (mut writer, [body, _]) = crate::testing::body_title_writer();
        for text in ["cartel x", "cartel y", "cartel z", "cartography w"] {
            writer.add_document(tantivy::doc!(body => text)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let words = expand(&searcher, body, "cart", 10).unwrap().words;
        let top = TopDocs::with_limit(4).order_by_score();
        let hits = searcher.search(query(body, &words).as_ref(), &top).unwrap();
        assert_eq!(hits[0].1.doc_id, 3, "the rare word first");
        assert!(hits[0].0 > hits[1].0);
    }
}
