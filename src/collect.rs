//! What `--articles` (one hit per article) ranks by: a Tantivy collector
//! that keeps each article's best passage, and the BM25 of the query's
//! words over each whole article, added to it.

use std::collections::HashMap;
use std::sync::Mutex;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, Term, TERMINATED};

use crate::story::numbers::StoryNumbers;

/// An article's best-scoring passage among the matches.
#[derive(Debug, Clone)]
pub struct ArticleBest {
    /// The article id.
    pub article_id: String,
    /// Score of its best passage.
    pub score: Score,
    /// The article's date sort keys (`oldest`, `newest`), if it has a date:
    /// see [`crate::date::Published::sort_keys`].
    pub date_keys: Option<(i64, i64)>,
    /// The best passage.
    pub doc: DocAddress,
}

/// Collects the best passage of every matching article.
pub struct BestPerArticle;

/// Per-segment state of [`BestPerArticle`].
pub struct SegmentBest {
    segment: SegmentOrdinal,
    ids: Option<StrColumn>,
    oldest: Column<i64>,
    newest: Column<i64>,
    best: HashMap<u64, (Score, DocId)>,
}

impl Collector for BestPerArticle {
    type Fruit = Vec<ArticleBest>;
    type Child = SegmentBest;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentBest> {
        let fast = reader.fast_fields();
        Ok(SegmentBest {
            segment,
            ids: fast.str("article_id")?,
            oldest: fast.i64("date_oldest")?,
            newest: fast.i64("date_newest")?,
            best: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<ArticleBest>>) -> tantivy::Result<Vec<ArticleBest>> {
        let mut best: HashMap<String, ArticleBest> = HashMap::new();
        for item in fruits.into_iter().flatten() {
            match best.get(&item.article_id) {
                Some(kept) if kept.score >= item.score => {}
                _ => {
                    best.insert(item.article_id.clone(), item);
                }
            }
        }
        Ok(best.into_values().collect())
    }
}

impl SegmentCollector for SegmentBest {
    type Fruit = Vec<ArticleBest>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(ord) = self.ids.as_ref().and_then(|ids| ids.term_ords(doc).next()) else {
            return;
        };
        let entry = self.best.entry(ord).or_insert((score, doc));
        if score > entry.0 {
            *entry = (score, doc);
        }
    }

    fn harvest(self) -> Vec<ArticleBest> {
        let Some(ids) = self.ids else {
            return Vec::new();
        };
        // Looking ids up in term order reads each dictionary block once.
        let mut best: Vec<(u64, (Score, DocId))> = self.best.into_iter().collect();
        best.sort_unstable_by_key(|&(ord, _)| ord);
        let ords: Vec<u64> = best.iter().map(|&(ord, _)| ord).collect();
        let mut names = Vec::with_capacity(ords.len());
        let read = ids.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
            names.push(String::from_utf8_lossy(bytes).into_owned());
        });
        if read.is_err() || names.len() != best.len() {
            return Vec::new();
        }
        best.into_iter()
            .zip(names)
            .map(|((_, (score, doc)), article_id)| ArticleBest {
                article_id,
                score,
                date_keys: self.oldest.first(doc).zip(self.newest.first(doc)),
                doc: DocAddress::new(self.segment, doc),
            })
            .collect()
    }
}

/// BM25's term saturation, as Tantivy's passage scores use it.
const K1: Score = 1.2;
/// BM25's length normalisation, as Tantivy's passage scores use it.
const B: Score = 0.75;
/// A passage with no live article in [`ArticleTexts`].
const NO_ARTICLE: u32 = u32::MAX;

/// One field's length in words per article, by article number, and their mean.
struct FieldLengths {
    field: Field,
    /// An article's passages each hold the whole field (the title): the
    /// article's is one passage's, not their sum.
    shared: bool,
    lengths: Vec<u32>,
    average: Score,
}

/// Live passages of one article that follow each other in one segment:
/// segment ordinal, first document, and the document after the last.
type Run = (u32, DocId, DocId);

/// The articles of a snapshot as whole texts: each passage's article
/// number (see [`StoryNumbers`]), each article's passages, its length in
/// words of passage text (the sum of its passages') and of title, and what
/// BM25 needs of them, and the number of articles holding each word asked
/// about. Made once per snapshot, for scoring whole articles.
pub struct ArticleTexts {
    /// By segment ordinal, by document: its article's number.
    numbers: Vec<Vec<u32>>,
    /// By article number: its first run of live passages (an empty run
    /// for an article with none).
    runs: Vec<Run>,
    /// The further runs of the articles whose passages are not one run
    /// (an article re-indexed in part, or split across segments).
    more_runs: HashMap<u32, Vec<Run>>,
    fields: [FieldLengths; 2],
    /// Articles with a live passage.
    articles: u64,
    /// The articles holding each word asked about so far, by term.
    dfs: Mutex<HashMap<Term, u64>>,
}

impl ArticleTexts {
    /// Reads every live passage's article number and lengths (Tantivy's
    /// field norms) of `body` (summed per article) and `title` (the
    /// article's own).
    pub fn build(
        searcher: &tantivy::Searcher,
        numbers: &StoryNumbers,
        body: Field,
        title: Field,
    ) -> tantivy::Result<ArticleTexts> {
        let n = numbers.articles as usize;
        let mut fields = [(body, false), (title, true)].map(|(field, shared)| FieldLengths {
            field,
            shared,
            lengths: vec![0; n],
            average: 1.0,
        });
        let mut runs: Vec<Run> = vec![(0, 0, 0); n];
        let mut more_runs: HashMap<u32, Vec<Run>> = HashMap::new();
        let mut by_doc = Vec::with_capacity(searcher.segment_readers().len());
        for ((reader, segment), ordinal) in searcher
            .segment_readers()
            .iter()
            .zip(&numbers.segments)
            .zip(0u32..)
        {
            let mut of_doc = vec![NO_ARTICLE; reader.max_doc() as usize];
            if let Some(ids) = reader.fast_fields().str("article_id")? {
                let norms = [
                    reader.get_fieldnorms_reader(body)?,
                    reader.get_fieldnorms_reader(title)?,
                ];
                for doc in reader.doc_ids_alive() {
                    let Some(ord) = ids.term_ords(doc).next() else {
                        continue;
                    };
                    let number = segment.articles[ord as usize];
                    of_doc[doc as usize] = number;
                    let first = &mut runs[number as usize];
                    let last = match more_runs.get_mut(&number) {
                        Some(more) => more.last_mut().unwrap_or(first),
                        None => first,
                    };
                    if last.1 == last.2 {
                        *last = (ordinal, doc, doc + 1);
                    } else if last.0 == ordinal && last.2 == doc {
                        last.2 = doc + 1;
                    } else {
                        more_runs
                            .entry(number)
                            .or_default()
                            .push((ordinal, doc, doc + 1));
                    }
                    for (f, norms) in fields.iter_mut().zip(&norms) {
                        let length = &mut f.lengths[number as usize];
                        *length = match f.shared {
                            true => (*length).max(norms.fieldnorm(doc)),
                            false => length.saturating_add(norms.fieldnorm(doc)),
                        };
                    }
                }
            }
            by_doc.push(of_doc);
        }
        let articles = runs.iter().filter(|r| r.1 != r.2).count() as u64;
        for f in &mut fields {
            let total: u64 = f.lengths.iter().map(|&l| u64::from(l)).sum();
            f.average = (total as Score / articles.max(1) as Score).max(1.0);
        }
        Ok(ArticleTexts {
            numbers: by_doc,
            runs,
            more_runs,
            fields,
            articles,
            dfs: Mutex::default(),
        })
    }

    /// The number of the article of the passage at `doc`, if it is live.
    pub fn article(&self, doc: DocAddress) -> Option<u32> {
        let number = *self
            .numbers
            .get(doc.segment_ord as usize)?
            .get(doc.doc_id as usize)?;
        (number != NO_ARTICLE).then_some(number)
    }

    /// The runs of live passages of article number `article`.
    fn runs_of(&self, article: u32) -> impl Iterator<Item = Run> + '_ {
        let more = self.more_runs.get(&article).map(Vec::as_slice);
        std::iter::once(self.runs[article as usize])
            .chain(more.unwrap_or_default().iter().copied())
            .filter(|r| r.1 != r.2)
    }
}

/// One query word's evidence in one field of whole articles.
struct ArticleTerm {
    term: Term,
    /// Index of its field in [`ArticleTexts::fields`].
    field: usize,
    /// The query's weight of the word (a repeated word adds up).
    weight: Score,
    /// Articles holding the word.
    df: u64,
    /// BM25's idf over articles.
    idf: Score,
    /// The word's frequency in each article asked for, in the order asked.
    tf: Vec<u32>,
}

/// The query's words scored over whole articles, each article taken as one
/// document (its passages' text together, and its title): BM25 with
/// article-level frequencies and lengths, the article-level evidence that
/// is added to an article's best passage (Callan 1994). The idf is over
/// articles (each word's postings read for their documents alone); the
/// frequencies are read only in the passages of the articles asked for.
pub struct ArticleEvidence {
    /// The articles asked for, by number.
    articles: Vec<u32>,
    terms: Vec<ArticleTerm>,
}

impl ArticleEvidence {
    /// The evidence of `words` (passage-text terms and their query
    /// weights), in the passage text and in the title, with their idf over
    /// the articles; no article asked for yet (see [`ArticleEvidence::gather`]).
    pub fn new(
        texts: &ArticleTexts,
        words: &[(Term, Score)],
        searcher: &tantivy::Searcher,
    ) -> tantivy::Result<ArticleEvidence> {
        let mut merged: Vec<(String, Score)> = Vec::new();
        for (term, weight) in words {
            let Some(text) = term.value().as_str().map(str::to_owned) else {
                continue;
            };
            match merged.iter_mut().find(|(t, _)| *t == text) {
                Some((_, w)) => *w += weight,
                None => merged.push((text, *weight)),
            }
        }
        let mut terms = Vec::with_capacity(merged.len() * 2);
        for (text, weight) in merged {
            for (index, f) in texts.fields.iter().enumerate() {
                let term = Term::from_field_text(f.field, &text);
                let known = texts.dfs.lock().ok().and_then(|d| d.get(&term).copied());
                let df = match known {
                    Some(df) => df,
                    None => {
                        let df = article_df(searcher, texts, &term)?.min(texts.articles);
                        if let Ok(mut dfs) = texts.dfs.lock() {
                            dfs.insert(term.clone(), df);
                        }
                        df
                    }
                };
                let n = texts.articles;
                let idf = (1.0 + ((n - df) as Score + 0.5) / (df as Score + 0.5)).ln();
                terms.push(ArticleTerm {
                    term,
                    field: index,
                    weight,
                    df,
                    idf,
                    tf: Vec::new(),
                });
            }
        }
        Ok(ArticleEvidence {
            articles: Vec::new(),
            terms,
        })
    }

    /// More than any article's evidence can be: each word's BM25 at its
    /// saturation (`idf × (k1 + 1)`), summed.
    pub fn most(&self) -> Score {
        self.terms
            .iter()
            .map(|t| t.weight.max(0.0) * t.idf * (K1 + 1.0))
            .sum()
    }

    /// How many articles were asked for so far.
    pub fn articles(&self) -> usize {
        self.articles.len()
    }

    /// Asks for `articles` (article numbers) after those asked for before:
    /// reads each word's frequency in their passages (a seek in the
    /// word's postings to each run of passages), in every segment.
    pub fn gather(
        &mut self,
        searcher: &tantivy::Searcher,
        texts: &ArticleTexts,
        articles: &[u32],
    ) -> tantivy::Result<()> {
        let first = self.articles.len();
        self.articles.extend_from_slice(articles);
        // Runs in document order, each with its article's place.
        let mut runs: Vec<(Run, usize)> = articles
            .iter()
            .enumerate()
            .flat_map(|(k, &a)| texts.runs_of(a).map(move |run| (run, first + k)))
            .collect();
        runs.sort_unstable();
        for t in &mut self.terms {
            t.tf.resize(self.articles.len(), 0);
            let shared = texts.fields[t.field].shared;
            for segment in runs.chunk_by(|a, b| a.0 .0 == b.0 .0) {
                let reader = searcher.segment_reader(segment[0].0 .0);
                let inverted = reader.inverted_index(t.term.field())?;
                let Some(mut postings) =
                    inverted.read_postings(&t.term, IndexRecordOption::WithFreqs)?
                else {
                    continue;
                };
                for &((_, start, end), i) in segment {
                    let mut doc = postings.doc();
                    if doc < start {
                        doc = postings.seek(start);
                    }
                    while doc < end {
                        let count = &mut t.tf[i];
                        *count = match shared {
                            true => (*count).max(postings.term_freq()),
                            false => *count + postings.term_freq(),
                        };
                        doc = postings.advance();
                    }
                    if doc == TERMINATED {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The `i`th article asked for: its BM25, each word's part per field
    /// with its value, name (`body "word"`) and figures (`BM25 tf=… dl=…`).
    pub fn parts(
        &self,
        texts: &ArticleTexts,
        i: usize,
        schema: &tantivy::schema::Schema,
    ) -> Vec<(Score, String, String)> {
        self.terms
            .iter()
            .filter(|t| t.tf[i] > 0)
            .map(|t| {
                let (value, length, average) = t.score(texts, self.articles[i], t.tf[i]);
                let name = format!(
                    "{} \"{}\"",
                    schema.get_field_name(t.term.field()),
                    t.term.value().as_str().unwrap_or_default()
                );
                let figures = format!(
                    "BM25 tf={} dl={length} avgdl={average:.1} idf={:.3} (in {} of {} articles)",
                    t.tf[i], t.idf, t.df, texts.articles
                );
                (value, name, figures)
            })
            .collect()
    }

    /// The `i`th article asked for: its BM25.
    pub fn score(&self, texts: &ArticleTexts, i: usize) -> Score {
        self.terms
            .iter()
            .filter(|t| t.tf[i] > 0)
            .map(|t| t.score(texts, self.articles[i], t.tf[i]).0)
            .sum()
    }
}

impl ArticleTerm {
    /// The word's BM25 in article number `article`, where it occurs `tf`
    /// times, with the article's length and the mean length.
    fn score(&self, texts: &ArticleTexts, article: u32, tf: u32) -> (Score, u32, Score) {
        let f = &texts.fields[self.field];
        let length = f.lengths[article as usize];
        let norm = K1 * (1.0 - B + B * length as Score / f.average);
        let tf = tf as Score;
        let value = self.weight * self.idf * (K1 + 1.0) * tf / (tf + norm);
        (value, length, f.average)
    }
}

/// The articles holding `term`: its postings' documents only (no
/// frequencies), an article counted at its first passage in them (an
/// article's passages follow each other; those that do not are remembered).
fn article_df(
    searcher: &tantivy::Searcher,
    texts: &ArticleTexts,
    term: &Term,
) -> tantivy::Result<u64> {
    let mut df = 0;
    let mut split = std::collections::HashSet::new();
    for (reader, numbers) in searcher.segment_readers().iter().zip(&texts.numbers) {
        let inverted = reader.inverted_index(term.field())?;
        let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? else {
            continue;
        };
        let mut last = NO_ARTICLE;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let number = numbers[doc as usize];
            if number != NO_ARTICLE && number != last {
                last = number;
                if texts.more_runs.is_empty()
                    || !texts.more_runs.contains_key(&number)
                    || split.insert(number)
                {
                    df += 1;
                }
            }
            doc = postings.advance();
        }
    }
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST, STRING, TEXT};

    /// An article whose passages lie in two segments is one text: its
    /// word frequencies and length are its passages' sums, its title counts
    /// once, and idf is over articles, not passages.
    #[test]
    fn an_article_is_the_sum_of_its_passages_wherever_they_lie() {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("article_id", STRING | FAST);
        let body = schema.add_text_field("body", TEXT);
        let title = schema.add_text_field("title", TEXT);
        let index = tantivy::Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let segments: [&[(&str, &str, &str)]; 2] = [
            &[
                ("long", "grain grain barges", "grain report"),
                ("other", "weather calm", "market"),
            ],
            &[
                ("long", "grain stores filled today", "grain report"),
                ("third", "barges waited", ""),
            ],
        ];
        for segment in segments {
            for (a, b, t) in segment {
                writer
                    .add_document(tantivy::doc!(id => *a, body => *b, title => *t))
                    .unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let numbers = StoryNumbers::build(&searcher, &Default::default()).unwrap();
        let texts = ArticleTexts::build(&searcher, &numbers, body, title).unwrap();
        let long = texts.article(DocAddress::new(0, 0)).unwrap();
        assert_eq!(texts.article(DocAddress::new(1, 0)), Some(long));
        let words = [(Term::from_field_text(body, "grain"), 1.0)];
        let mut evidence = ArticleEvidence::new(&texts, &words, &searcher).unwrap();
        evidence.gather(&searcher, &texts, &[long]).unwrap();
        let figures: Vec<String> = evidence
            .parts(&texts, 0, searcher.schema())
            .into_iter()
            .map(|(_, name, figures)| format!("{name}: {figures}"))
            .collect();
        assert_eq!(
            figures,
            [
                "body \"grain\": BM25 tf=3 dl=7 avgdl=3.7 idf=0.981 (in 1 of 3 articles)",
                "title \"grain\": BM25 tf=1 dl=2 avgdl=1.0 idf=0.981 (in 1 of 3 articles)",
            ]
        );
        // BM25 over articles: idf ln(1 + 2.5 / 1.5), tf 3 in 7 words against 11/3.
        let idf = (1.0f32 + 2.5 / 1.5).ln();
        let norm = K1 * (1.0 - B + B * 7.0 / (11.0 / 3.0));
        let text = idf * (K1 + 1.0) * 3.0 / (3.0 + norm);
        let norm = K1 * (1.0 - B + B * 2.0 / 1.0);
        let in_title = idf * (K1 + 1.0) / (1.0 + norm);
        assert!((evidence.score(&texts, 0) - (text + in_title)).abs() < 1e-5);
    }
}
