//! From query text to a Tantivy query: parsing (`parse`), then analysis of
//! each word with the index's analyzer, default fields, phrase proximity,
//! and the terms to highlight.

/// Implements the listed [`Weight`](tantivy::query::Weight) methods by
/// calling the same method of `self.$inner`: for the weights here that
/// change only part of what the weight they wrap does.
macro_rules! delegate_weight {
    ($inner:tt: $($method:ident),+ $(,)?) => {
        $(delegate_weight!(@ $inner $method);)+
    };
    (@ $inner:tt scorer) => {
        fn scorer(
            &self,
            reader: &tantivy::SegmentReader,
            boost: tantivy::Score,
        ) -> tantivy::Result<Box<dyn tantivy::query::Scorer>> {
            self.$inner.scorer(reader, boost)
        }
    };
    (@ $inner:tt scorer_danger) => {
        fn scorer_danger(
            &self,
            reader: &tantivy::SegmentReader,
            target: tantivy::DocId,
            boost: tantivy::Score,
        ) -> tantivy::Result<(tantivy::SeekDangerResult, Box<dyn tantivy::query::Scorer>)> {
            self.$inner.scorer_danger(reader, target, boost)
        }
    };
    (@ $inner:tt explain) => {
        fn explain(
            &self,
            reader: &tantivy::SegmentReader,
            doc: tantivy::DocId,
        ) -> tantivy::Result<tantivy::query::Explanation> {
            self.$inner.explain(reader, doc)
        }
    };
    (@ $inner:tt count) => {
        fn count(&self, reader: &tantivy::SegmentReader) -> tantivy::Result<u32> {
            self.$inner.count(reader)
        }
    };
    (@ $inner:tt for_each) => {
        fn for_each(
            &self,
            reader: &tantivy::SegmentReader,
            callback: &mut dyn FnMut(tantivy::DocId, tantivy::Score),
        ) -> tantivy::Result<()> {
            self.$inner.for_each(reader, callback)
        }
    };
    (@ $inner:tt for_each_no_score) => {
        fn for_each_no_score(
            &self,
            reader: &tantivy::SegmentReader,
            callback: &mut dyn FnMut(&[tantivy::DocId]),
        ) -> tantivy::Result<()> {
            self.$inner.for_each_no_score(reader, callback)
        }
    };
    (@ $inner:tt for_each_pruning) => {
        fn for_each_pruning(
            &self,
            threshold: tantivy::Score,
            reader: &tantivy::SegmentReader,
            callback: &mut dyn FnMut(tantivy::DocId, tantivy::Score) -> tantivy::Score,
        ) -> tantivy::Result<()> {
            self.$inner.for_each_pruning(threshold, reader, callback)
        }
    };
}

mod bonus;
mod first;
pub mod fuzzy;
mod label;
pub mod limits;
mod pair;
pub mod parse;
mod prefix;
mod topk;
mod words;

use std::sync::Arc;

use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, EnableScoring, Explanation, Occur as TantivyOccur,
    PhrasePrefixQuery, PhraseQuery, Query, TermQuery, Weight,
};
use tantivy::schema::{Field as SchemaField, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Term};

use crate::analysis;
use crate::highlight::HighlightTerms;
use crate::schema::Fields;
use bonus::BonusQuery;
use first::{Most, PhraseFirst};
pub use label::BestOf;
use label::{phrase_label, Labeled};
use pair::PairQuery;
pub use parse::{Atom, AtomKind, Clause, Expr, Field, Occur, ParseError};
use topk::TopKPhraseQuery;
use words::{NearClause, TopKWordsQuery};

/// How bare words combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// Every word must occur (the default).
    #[default]
    All,
    /// Any word may occur; passages are ranked by how well they match.
    Any,
    /// Every word must occur, with no fallback when none hold them all.
    Strict,
}

/// Weight of a title match relative to a body match.
/// (1: a title match counts as much as a body match; the two fields' BM25
/// scores add up. See docs/ranking.md for the measurements.)
const TITLE_BOOST: f32 = 1.0;
/// Extra weight for passages holding bare query words as an exact phrase.
const PHRASE_BOOST: f32 = 1.0;
/// Words this close together (in positions) count as a near phrase.
const NEAR_SLOP: u32 = 4;
/// Weight of a query word that is a function word ("what", "of", "de") when
/// the query has other words: it must still match under `--match all`, but
/// adds nothing to the score.
const STOP_WORD_WEIGHT: f32 = 0.0;
/// Weight of a passage holding two neighbouring content words of the query
/// in query order, with the query's own words between them ("heated high
/// speed aircraft" for the pair heated–aircraft).
const PAIR_PHRASE_WEIGHT: f32 = 0.2;
/// Weight of a passage holding two neighbouring content words of the query
/// within [`PAIR_WINDOW`] words of each other, in either order.
const PAIR_NEAR_WEIGHT: f32 = 0.2;
/// How many words may stand between the two words of a near pair.
const PAIR_WINDOW: u32 = 8;
/// Pairs scored per query: bounds the work for a very long query.
const MAX_PAIRS: usize = 32;

/// A clause of the title's evidence, and its terms and boost for a bound
/// (`None`: no bound).
type TitleClause = (Box<dyn Query>, Option<bonus::Bound>);

/// A query ready to run, with what to highlight in its hits.
pub struct Compiled {
    /// The Tantivy query: passages whose text holds what the query asks
    /// for, their article's title adding to the score.
    pub query: Box<dyn Query>,
    /// The same query over articles' titles in place of passage text: what
    /// finds articles that match by their title alone.
    pub title: Option<Box<dyn Query>>,
    /// Terms and phrases to mark in passages.
    pub highlight: HighlightTerms,
    /// The passage-text terms of the query's bare words that score, with
    /// their weights (once per occurrence in the query): what scores a
    /// whole article (see [`crate::collect::ArticleEvidence`]).
    pub words: Vec<(Term, f32)>,
}

impl Compiled {
    /// The queries behind [`Shared`] pointers: a search clones them (to add
    /// filters, to walk titles), and a clone then copies a pointer, not a
    /// tree of clauses.
    fn shared(self) -> Compiled {
        let shared =
            |query: Box<dyn Query>| -> Box<dyn Query> { Box::new(Shared(Arc::from(query))) };
        Compiled {
            query: shared(self.query),
            title: self.title.map(shared),
            ..self
        }
    }
}

/// A query shared by its clones; it runs as the query it holds.
#[derive(Clone)]
struct Shared(Arc<dyn Query>);

/// The query's own (sharing changes nothing it does).
impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl Query for Shared {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        self.0.weight(enable_scoring)
    }

    fn explain(
        &self,
        searcher: &tantivy::Searcher,
        doc: DocAddress,
    ) -> tantivy::Result<Explanation> {
        self.0.explain(searcher, doc)
    }

    fn count(&self, searcher: &tantivy::Searcher) -> tantivy::Result<usize> {
        self.0.count(searcher)
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

/// Turns parsed queries into Tantivy queries over the newsdex schema.
pub struct QueryBuilder<'a> {
    fields: &'a Fields,
    /// The index searched: prefixes expand to its words.
    searcher: &'a tantivy::Searcher,
    /// Prefixes that stand for more words than were searched: as typed,
    /// how many words they stand for, how many were searched.
    capped: Vec<(String, usize, usize)>,
    /// The field that atoms without a field search: the passage text, or
    /// the title when compiling [`Compiled::title`].
    target: SchemaField,
    /// The title's evidence for the passage query being compiled: each
    /// clause, and its terms and boost for a bound (`None`: no bound).
    bonus: Vec<TitleClause>,
    analyzer: TextAnalyzer,
    unstemmed: TextAnalyzer,
    /// Whether the query being compiled has a bare word that is not a stop word.
    has_content: bool,
    /// Whether a `MatchMode::Any` compilation relaxes only bare words (the
    /// fallback of `--match all`), keeping phrases, fields, `+word` and
    /// groups required.
    relaxing: bool,
    /// Whether the query's bare words are all in capitals ("WHAT ARE THE
    /// EFFECTS"), so a word in capitals is not taken for an acronym.
    capitals: bool,
    /// Words the prefixes of the query being compiled may still expand to
    /// (see [`limits::MAX_QUERY_PREFIX_TERMS`]).
    prefix_budget: usize,
    /// The scored bare words of the passage query being compiled (see
    /// [`Compiled::words`]).
    words: Vec<(Term, f32)>,
}

impl<'a> QueryBuilder<'a> {
    /// A builder for the given schema fields, over the index `searcher` reads.
    pub fn new(fields: &'a Fields, searcher: &'a tantivy::Searcher) -> Self {
        QueryBuilder {
            fields,
            searcher,
            capped: Vec::new(),
            prefix_budget: limits::MAX_QUERY_PREFIX_TERMS,
            target: fields.body,
            bonus: Vec::new(),
            analyzer: analysis::analyzer(),
            unstemmed: analysis::unstemmed_analyzer(),
            has_content: false,
            relaxing: false,
            capitals: false,
            words: Vec::new(),
        }
    }

    /// What the queries compiled so far left out: the rarer words of
    /// prefixes that stand for too many, in one message.
    pub fn warning(&self) -> Option<String> {
        let [(typed, matched, kept), rest @ ..] = self.capped.as_slice() else {
            return None;
        };
        if rest.is_empty() {
            return Some(format!(
                "'{typed}*' stands for {matched} words; only the {kept} most frequent were searched"
            ));
        }
        let shown: Vec<String> = self
            .capped
            .iter()
            .take(3)
            .map(|(typed, matched, kept)| format!("'{typed}*' ({matched}, {kept} searched)"))
            .collect();
        let more = match self.capped.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        Some(format!(
            "{} prefixes stand for more words than were searched (the most frequent were): {}{more}",
            self.capped.len(),
            shown.join(", ")
        ))
    }

    /// The words of passages that start with `prefix` (folded, unstemmed),
    /// the most frequent [`prefix::MAX_PREFIX_TERMS`]; `typed` is the
    /// prefix as written, for the message when there are more.
    fn expand(&mut self, typed: &str, prefix: &str) -> Vec<String> {
        let max = prefix::MAX_PREFIX_TERMS.min(self.prefix_budget.max(1));
        let (words, stems) = (self.fields.body_words, self.fields.body);
        let expansion = prefix::expand_words(self.searcher, words, stems, prefix, max);
        self.expanded(typed, prefix, expansion)
    }

    /// The words of `field` that start with `prefix`: the most frequent
    /// [`prefix::MAX_PREFIX_TERMS`], and no more than the query's prefixes
    /// may still expand to (at least one).
    fn expand_in(&mut self, field: SchemaField, typed: &str, prefix: &str) -> Vec<String> {
        let max = prefix::MAX_PREFIX_TERMS.min(self.prefix_budget.max(1));
        let expansion = prefix::expand(self.searcher, field, prefix, max);
        self.expanded(typed, prefix, expansion)
    }

    /// The words of an expansion, counted against the query's budget.
    fn expanded(
        &mut self,
        typed: &str,
        prefix: &str,
        expansion: tantivy::Result<prefix::Expansion>,
    ) -> Vec<String> {
        match expansion {
            Ok(expansion) => {
                let kept = expansion.words.len();
                self.prefix_budget = self.prefix_budget.saturating_sub(kept);
                if expansion.matched > kept && !self.capped.iter().any(|(t, ..)| t == typed) {
                    self.capped
                        .push((typed.to_owned(), expansion.matched, kept));
                }
                expansion.words
            }
            // An unreadable dictionary: the prefix's own word, exactly.
            Err(_) => vec![prefix.to_owned()],
        }
    }

    /// Compiles `expr` as the fallback of `--match all`: its bare words
    /// become optional, and everything the user insisted on (a phrase, a
    /// field, `+word`, a group or `OR`) stays required.
    pub fn compile_relaxed(&mut self, expr: &Expr) -> Option<Compiled> {
        self.relaxing = true;
        let compiled = self.compile(expr, MatchMode::Any);
        self.relaxing = false;
        compiled
    }

    /// Compiles `expr`; `None` when it holds no searchable word at all.
    pub fn compile(&mut self, expr: &Expr, mode: MatchMode) -> Option<Compiled> {
        self.compile_tree(expr, mode).map(Compiled::shared)
    }

    /// [`Self::compile`], the queries as built.
    fn compile_tree(&mut self, expr: &Expr, mode: MatchMode) -> Option<Compiled> {
        self.prefix_budget = limits::MAX_QUERY_PREFIX_TERMS;
        let mut highlight = HighlightTerms::default();
        let analyzer = &mut self.analyzer;
        let capitals = !bare_words(expr).any(|w| w.chars().any(char::is_lowercase));
        self.capitals = capitals;
        self.has_content = bare_words(expr)
            .any(|w| !is_query_stop_word(w, capitals) && !analysis::terms(analyzer, w).is_empty());
        self.target = self.fields.body;
        self.bonus.clear();
        self.words.clear();
        let query = self.expr(expr, mode, false, &mut highlight);
        let bonus = std::mem::take(&mut self.bonus);
        let words = std::mem::take(&mut self.words);
        self.target = self.fields.title;
        let title = self.expr(expr, mode, false, &mut HighlightTerms::default());
        self.target = self.fields.body;
        self.bonus.clear();
        let query = query?;
        let near = self.proximity(expr, &bonus);
        let query: Box<dyn Query> = if !near.is_empty() {
            let top_k = TopKWordsQuery::new(query, near);
            let bounds: Option<Vec<_>> = bonus.iter().map(|(_, b)| b.clone()).collect();
            match (self.any_words(expr, mode), bounds) {
                // Any of the words: the title's bonus bounded in the same walk.
                (Some(any), Some(bounds)) => {
                    let clauses = bonus.into_iter().map(|(q, _)| (TantivyOccur::Should, q));
                    let in_title = boolean(clauses.collect()).map(|bonus| (bonus, bounds));
                    return Some(Compiled {
                        query: Box::new(top_k.any_of(any, in_title)),
                        title,
                        highlight,
                        words,
                    });
                }
                _ => Box::new(top_k),
            }
        } else {
            match (self.lone_phrase(expr), bonus.as_slice()) {
                // The phrase in the body, and in the title as its bonus:
                // one walk bounds both.
                (Some(mut phrases), [(in_title, Some((terms, boost)))]) => {
                    phrases.push((terms.clone(), *boost));
                    let union = BooleanQuery::new(vec![
                        (TantivyOccur::Must, query),
                        (TantivyOccur::Should, in_title.box_clone()),
                    ]);
                    let query = TopKPhraseQuery::new(Box::new(union), phrases);
                    return Some(Compiled {
                        query: Box::new(query),
                        title,
                        highlight,
                        words,
                    });
                }
                (Some(phrases), _) => Box::new(TopKPhraseQuery::new(query, phrases)),
                (None, _) => query,
            }
        };
        let query = match bonus.len() {
            0 => query,
            _ => {
                let bounds: Option<Vec<_>> = bonus.iter().map(|(_, b)| b.clone()).collect();
                let clauses = bonus.into_iter().map(|(q, _)| (TantivyOccur::Should, q));
                let bonus = boolean(clauses.collect())?;
                Box::new(BonusQuery::new(query, bonus, bounds))
            }
        };
        Some(Compiled {
            query,
            title,
            highlight,
            words,
        })
    }

    /// With `--match any` and bare words only (exclusions aside), the
    /// words as [`QueryBuilder::atom`] scores them in the passage text:
    /// each word's terms and weight, every word of the words' query.
    fn any_words(&mut self, expr: &Expr, mode: MatchMode) -> Option<Vec<(Vec<Term>, f32)>> {
        let (MatchMode::Any, true, Expr::Seq(clauses)) = (mode, only_words(expr), expr) else {
            return None;
        };
        let body = self.fields.body;
        let mut words = Vec::new();
        for clause in clauses {
            let (Occur::Default | Occur::Must, Expr::Atom(atom)) = (clause.occur, &clause.expr)
            else {
                continue;
            };
            let (None, AtomKind::Word(w)) = (atom.field, &atom.kind) else {
                continue;
            };
            let terms = analysis::terms(&mut self.analyzer, w);
            let stop = terms.len() == 1 && self.has_content && is_query_stop_word(w, self.capitals);
            // An optional function word is left out (see `scores_nothing`);
            // a required one stays, scoring nothing.
            if terms.is_empty() || (stop && clause.occur == Occur::Default) {
                continue;
            }
            let weight = if stop { STOP_WORD_WEIGHT } else { 1.0 };
            let terms = terms.iter().map(|t| Term::from_field_text(body, t));
            words.push((terms.collect(), weight));
        }
        Some(words)
    }

    /// When the whole query is one exact phrase over the passage text, the
    /// phrase `atom` compiles it to: its terms and boost.
    fn lone_phrase(&mut self, expr: &Expr) -> Option<Vec<(Vec<Term>, f32)>> {
        let atom = match expr {
            Expr::Atom(atom) => atom,
            Expr::Seq(clauses) => match clauses.as_slice() {
                [clause] if clause.occur != Occur::MustNot => {
                    return self.lone_phrase(&clause.expr)
                }
                _ => return None,
            },
            Expr::Or(_) => return None,
        };
        let (None, AtomKind::Phrase { text, slop: 0 }) = (atom.field, &atom.kind) else {
            return None;
        };
        let terms = analysis::terms(&mut self.analyzer, text);
        if terms.len() < 2 {
            return None;
        }
        let phrases = self
            .fields_for(None)
            .into_iter()
            .map(|(field, boost)| {
                let terms = terms.iter().map(|t| Term::from_field_text(field, t));
                (terms.collect(), boost)
            })
            .collect();
        Some(phrases)
    }

    fn expr(
        &mut self,
        expr: &Expr,
        mode: MatchMode,
        negated: bool,
        hl: &mut HighlightTerms,
    ) -> Option<Box<dyn Query>> {
        match expr {
            Expr::Atom(atom) => self.atom(atom, negated, hl),
            Expr::Or(items) => {
                let clauses: Vec<_> = items
                    .iter()
                    .filter_map(|e| self.expr(e, mode, negated, hl))
                    .map(|q| (TantivyOccur::Should, q))
                    .collect();
                boolean(clauses)
            }
            Expr::Seq(clauses) => {
                let clauses: Vec<_> = clauses
                    .iter()
                    .filter_map(|c| {
                        let occur = match (c.occur, mode) {
                            (Occur::Must, _)
                            | (Occur::Default, MatchMode::All | MatchMode::Strict) => {
                                TantivyOccur::Must
                            }
                            (Occur::Default, MatchMode::Any)
                                if self.relaxing && !is_bare_word(&c.expr) =>
                            {
                                TantivyOccur::Must
                            }
                            (Occur::Default, MatchMode::Any) => TantivyOccur::Should,
                            (Occur::MustNot, _) => TantivyOccur::MustNot,
                        };
                        // An optional function word would score nothing:
                        // it makes no hit either.
                        if occur == TantivyOccur::Should && self.scores_nothing(&c.expr) {
                            return None;
                        }
                        let negated = negated || occur == TantivyOccur::MustNot;
                        self.expr(&c.expr, mode, negated, hl).map(|q| (occur, q))
                    })
                    .collect();
                boolean(clauses)
            }
        }
    }

    /// Whether an expression is a bare function word that adds nothing to
    /// the score of a query with other words.
    fn scores_nothing(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Atom(Atom {
                field: None,
                kind: AtomKind::Word(w),
            }) => self.has_content && is_query_stop_word(w, self.capitals),
            _ => false,
        }
    }

    /// The fields an atom searches, with their weights.
    fn fields_for(&self, field: Option<Field>) -> Vec<(SchemaField, f32)> {
        let f = self.fields;
        match field {
            None => vec![(self.target, 1.0)],
            Some(Field::Body) => vec![(f.body, 1.0)],
            Some(Field::Title) => vec![(f.title, 1.0)],
            Some(Field::Outlet) => vec![(f.outlet, 1.0)],
            Some(Field::Author) => vec![(f.author, 1.0)],
        }
    }

    /// Whether an atom's title adds to the score of the passages that
    /// match it: a word, phrase or prefix without a field, not excluded,
    /// in the passage query.
    fn earns_bonus(&self, atom: &Atom, negated: bool) -> bool {
        atom.field.is_none() && !negated && self.target == self.fields.body
    }

    fn atom(
        &mut self,
        atom: &Atom,
        negated: bool,
        hl: &mut HighlightTerms,
    ) -> Option<Box<dyn Query>> {
        let in_passage = matches!(atom.field, None | Some(Field::Body));
        let remember = in_passage && !negated && self.target == self.fields.body;
        let bonus = self.earns_bonus(atom, negated);
        let per_field: Vec<(Box<dyn Query>, f32)> = match &atom.kind {
            AtomKind::Fuzzy { text, distance } => {
                return self.spelling(atom, text, *distance, negated, hl);
            }
            AtomKind::Word(text) | AtomKind::Phrase { text, .. } => {
                let slop = match &atom.kind {
                    AtomKind::Phrase { slop, .. } => *slop,
                    _ => 0,
                };
                let terms = analysis::terms(&mut self.analyzer, text);
                if terms.is_empty() {
                    return None;
                }
                if remember {
                    if terms.len() == 1 {
                        hl.terms.insert(terms[0].clone());
                    } else {
                        hl.phrases.push(terms.clone());
                    }
                    if matches!(atom.kind, AtomKind::Word(_)) {
                        hl.sequence.extend(terms.iter().cloned());
                    }
                }
                let weight = match (&atom.kind, atom.field) {
                    (AtomKind::Word(w), None)
                        if terms.len() == 1
                            && self.has_content
                            && is_query_stop_word(w, self.capitals) =>
                    {
                        STOP_WORD_WEIGHT
                    }
                    _ => 1.0,
                };
                if remember && weight > 0.0 && matches!(atom.kind, AtomKind::Word(_)) {
                    let body = self.fields.body;
                    let terms = terms
                        .iter()
                        .map(|t| (Term::from_field_text(body, t), weight));
                    self.words.extend(terms);
                }
                if bonus && weight > 0.0 {
                    let title = self.fields.title;
                    let query = self.terms_query(title, &terms, slop);
                    let boost = TITLE_BOOST * weight;
                    let terms = terms.iter().map(|t| Term::from_field_text(title, t));
                    self.bonus
                        .push((boosted(query, boost), Some((terms.collect(), boost))));
                }
                self.fields_for(atom.field)
                    .into_iter()
                    .map(|(field, boost)| (self.terms_query(field, &terms, slop), boost * weight))
                    .collect()
            }
            AtomKind::Prefix(text) => {
                let terms = analysis::terms(&mut self.unstemmed, text);
                let last = terms.last()?.clone();
                if remember {
                    hl.prefixes.push(last.clone());
                }
                let text_field = matches!(atom.field, None | Some(Field::Body | Field::Title));
                if let (true, [_]) = (text_field, &terms[..]) {
                    return Some(self.word_prefix(atom, text, &last, bonus));
                }
                if bonus {
                    let query = self.prefix_query(self.fields.title, text, &terms);
                    self.bonus.push((boosted(query, TITLE_BOOST), None));
                }
                self.fields_for(atom.field)
                    .into_iter()
                    .map(|(field, boost)| (self.prefix_query(field, text, &terms), boost))
                    .collect()
            }
        };
        let clauses = per_field
            .into_iter()
            .map(|(q, boost)| (TantivyOccur::Should, boosted(q, boost)))
            .collect();
        boolean(clauses)
    }

    /// A one-word prefix in the passage text or the title: the words of
    /// the passages that start with it, unstemmed, each ranked by its BM25;
    /// in the title (stemmed), those words' stems.
    fn word_prefix(
        &mut self,
        atom: &Atom,
        typed: &str,
        prefix: &str,
        bonus: bool,
    ) -> Box<dyn Query> {
        let words = self.expand(typed, prefix);
        let mut stems: Vec<String> = words
            .iter()
            .map(|w| {
                let mut stem = w.clone();
                analysis::stem(&mut stem);
                stem
            })
            .collect();
        stems.sort_unstable();
        stems.dedup();
        if bonus {
            // Each stem a clause of its own, with its bound.
            for stem in &stems {
                let term = Term::from_field_text(self.fields.title, stem);
                let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                let query = boosted(Box::new(query), TITLE_BOOST);
                self.bonus.push((query, Some((vec![term], TITLE_BOOST))));
            }
        }
        let in_title = atom.field == Some(Field::Title)
            || (atom.field.is_none() && self.target == self.fields.title);
        if words.is_empty() {
            return Box::new(EmptyQuery);
        }
        let (query, n) = if in_title {
            (prefix::query(self.fields.title, &stems), stems.len())
        } else {
            (
                prefix::words_query(
                    self.searcher,
                    self.fields.body_words,
                    self.fields.body,
                    &words,
                ),
                words.len(),
            )
        };
        let s = if n == 1 { "" } else { "s" };
        Box::new(Labeled::group(
            query,
            format!("prefix {typed}* ({n} word{s})"),
        ))
    }

    /// `word~N`: the word as typed, and the words of the passages within
    /// `distance` edits of it (see [`fuzzy`]), each searched by its stem as
    /// a word of its own, weighted by [`fuzzy::weight`]; in the title (a
    /// bonus, or the title-only query), the same stems. A text that is not
    /// one word (`U.S.~`), or a field other than the text and the title,
    /// searches the words as typed.
    fn spelling(
        &mut self,
        atom: &Atom,
        text: &str,
        distance: Option<u8>,
        negated: bool,
        hl: &mut HighlightTerms,
    ) -> Option<Box<dyn Query>> {
        let as_word = || Atom {
            field: atom.field,
            kind: AtomKind::Word(text.to_owned()),
        };
        let text_field = matches!(atom.field, None | Some(Field::Body | Field::Title));
        let words = analysis::terms(&mut self.unstemmed, text);
        let ([word], true) = (words.as_slice(), text_field) else {
            return self.atom(&as_word(), negated, hl);
        };
        let distance = distance.unwrap_or_else(|| fuzzy::auto_distance(word));
        let (words_field, stems_field) = (self.fields.body_words, self.fields.body);
        let near = fuzzy::near(
            self.searcher,
            (words_field, stems_field),
            word,
            distance,
            "",
            fuzzy::MAX_FUZZY_TERMS,
        )
        .unwrap_or_default();
        let mut typed_stem = word.clone();
        analysis::stem(&mut typed_stem);
        // Each stem once, at its smallest distance; the word as typed first.
        let mut stems: Vec<(String, u8)> = vec![(typed_stem.clone(), 0)];
        for found in near {
            let mut stem = found.word;
            analysis::stem(&mut stem);
            match stems.iter_mut().find(|(s, _)| *s == stem) {
                Some((_, d)) => *d = (*d).min(found.distance),
                None => stems.push((stem, found.distance)),
            }
        }
        let remember = matches!(atom.field, None | Some(Field::Body))
            && !negated
            && self.target == self.fields.body;
        if remember {
            hl.terms.extend(stems.iter().map(|(s, _)| s.clone()));
        }
        let in_title = atom.field == Some(Field::Title)
            || (atom.field.is_none() && self.target == self.fields.title);
        let field = if in_title {
            self.fields.title
        } else {
            self.fields.body
        };
        let bonus = self.earns_bonus(atom, negated);
        let mut clauses = Vec::with_capacity(stems.len());
        for (stem, distance) in &stems {
            // The weight from the passages' statistics, in the title too.
            let weight = fuzzy::weight(self.searcher, stems_field, &typed_stem, stem, *distance);
            let query = |field: SchemaField| -> Box<dyn Query> {
                let term = Term::from_field_text(field, stem);
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
            };
            if bonus {
                let title = self.fields.title;
                let boost = TITLE_BOOST * weight;
                let term = Term::from_field_text(title, stem);
                self.bonus
                    .push((boosted(query(title), boost), Some((vec![term], boost))));
            }
            clauses.push((TantivyOccur::Should, boosted(query(field), weight)));
        }
        boolean(clauses)
    }

    /// One term, or several as a phrase (fields without positions: all of them).
    fn terms_query(&self, field: SchemaField, terms: &[String], slop: u32) -> Box<dyn Query> {
        let to_term = |t: &String| Term::from_field_text(field, t);
        if terms.len() == 1 {
            return Box::new(TermQuery::new(
                to_term(&terms[0]),
                IndexRecordOption::WithFreqs,
            ));
        }
        if !self.has_positions(field) {
            let musts = terms
                .iter()
                .map(|t| {
                    let q: Box<dyn Query> =
                        Box::new(TermQuery::new(to_term(t), IndexRecordOption::WithFreqs));
                    (TantivyOccur::Must, q)
                })
                .collect();
            return Box::new(BooleanQuery::new(musts));
        }
        let mut phrase = PhraseQuery::new(terms.iter().map(to_term).collect());
        phrase.set_slop(slop);
        let words: Vec<&str> = terms.iter().map(String::as_str).collect();
        let label = phrase_label(self.field_name(field), &words, slop);
        Box::new(Labeled::new(Box::new(phrase), label))
    }

    /// A field's name in explanations.
    fn field_name(&self, field: SchemaField) -> &str {
        self.searcher.schema().get_field_name(field)
    }

    /// Whether the field records word positions (phrases need them).
    fn has_positions(&self, field: SchemaField) -> bool {
        field != self.fields.author
    }

    /// Terms whose last word starts with the given prefix (`typed`, as
    /// written): a phrase prefix where the field has positions and there
    /// are several words (Tantivy expands the last 50 ways at most); else
    /// every word but the last, and the words of the field the last one
    /// starts (see [`QueryBuilder::expand_in`]), each ranked by its BM25.
    fn prefix_query(
        &mut self,
        field: SchemaField,
        typed: &str,
        terms: &[String],
    ) -> Box<dyn Query> {
        let to_term = |t: &String| Term::from_field_text(field, t);
        let Some((last, before)) = terms.split_last() else {
            return Box::new(EmptyQuery);
        };
        if !before.is_empty() && self.has_positions(field) {
            return Box::new(PhrasePrefixQuery::new(terms.iter().map(to_term).collect()));
        }
        let words = self.expand_in(field, typed, last);
        if words.is_empty() {
            return Box::new(EmptyQuery);
        }
        let n = words.len();
        let s = if n == 1 { "" } else { "s" };
        let label = format!("prefix {typed}* ({n} word{s})");
        let expanded: Box<dyn Query> =
            Box::new(Labeled::group(prefix::query(field, &words), label));
        if before.is_empty() {
            return expanded;
        }
        let mut clauses: Vec<(TantivyOccur, Box<dyn Query>)> = before
            .iter()
            .map(|t| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(to_term(t), IndexRecordOption::WithFreqs));
                (TantivyOccur::Must, q)
            })
            .collect();
        clauses.push((TantivyOccur::Must, expanded));
        Box::new(BooleanQuery::new(clauses))
    }

    /// Proximity evidence for several bare words: boosts for passages that
    /// hold them all as an exact phrase, or close together; and, pair by
    /// pair, for neighbouring content words standing in query order or near
    /// each other (after the sequential dependence model of Metzler and
    /// Croft, 2005). The clauses of their Should union, each with the
    /// phrases it scores; none for fewer than two words.
    fn proximity(&mut self, expr: &Expr, bonus: &[TitleClause]) -> Vec<NearClause> {
        let mut terms = Vec::new();
        let mut content = Vec::new();
        for w in bare_words(expr) {
            let analysed = analysis::terms(&mut self.analyzer, w);
            let stop =
                self.has_content && analysed.len() == 1 && is_query_stop_word(w, self.capitals);
            for term in analysed {
                if !stop {
                    content.push(terms.len());
                }
                terms.push(term);
            }
        }
        if terms.len() < 2 {
            return Vec::new();
        }
        // Each phrase: its terms, slop and weight.
        let mut phrases: Vec<(Vec<String>, u32, f32)> = Vec::new();
        let whole = terms.len() <= 16;
        // A pair spanning the whole query ("oil prices") has the whole
        // query's exact phrase as its own: run that phrase once, with both
        // weights (a boost multiplies the score, so the sum is the same).
        let pair_is_whole = |i: usize, j: usize| whole && i == 0 && j == terms.len() - 1;
        if whole {
            let spanning = content.windows(2).any(|p| pair_is_whole(p[0], p[1]));
            let extra = if spanning { PAIR_PHRASE_WEIGHT } else { 0.0 };
            phrases.push((terms.clone(), 0, PHRASE_BOOST + extra));
            phrases.push((terms.clone(), NEAR_SLOP, 1.0));
        }
        for pair in content.windows(2).take(MAX_PAIRS) {
            let (i, j) = (pair[0], pair[1]);
            if !pair_is_whole(i, j) {
                phrases.push((terms[i..=j].to_vec(), 0, PAIR_PHRASE_WEIGHT));
            }
            // Stop words between the two count as part of the window.
            let window = PAIR_WINDOW + (j - i - 1) as u32;
            let ends = vec![terms[i].clone(), terms[j].clone()];
            phrases.push((ends, window, PAIR_NEAR_WEIGHT));
        }
        let body = self.fields.body;
        let to_term = |t: &String| Term::from_field_text(body, t);
        // The exact phrase of a query of words only ranks first.
        let above = match (whole, only_words(expr)) {
            (true, true) => most_without_phrase(body, &terms, &content, &phrases[1..], bonus),
            _ => Most::default(),
        };
        // Phrases all over the same two terms (a two-word query): one pass.
        let Some((first, _, _)) = phrases.first() else {
            return Vec::new();
        };
        if let [a, b] = first.as_slice() {
            if phrases.iter().all(|(t, _, _)| t == first) {
                let slops_and_weights = phrases.iter().map(|&(_, s, w)| (s, w)).collect();
                let terms = [to_term(a), to_term(b)];
                let weights = phrases.iter().map(|&(_, _, w)| (terms.to_vec(), w));
                let weights = weights.collect();
                let query = PairQuery::new(terms, slops_and_weights).exact_first(above.clone());
                return vec![NearClause {
                    phrases: weights,
                    loose: false,
                    query: Box::new(query),
                    above,
                }];
            }
        }
        phrases
            .into_iter()
            .enumerate()
            .map(|(i, (terms, slop, weight))| {
                let query = self.terms_query(body, &terms, slop);
                let mut query: Box<dyn Query> = if weight == 1.0 {
                    query
                } else {
                    Box::new(BoostQuery::new(query, weight))
                };
                // The whole query's exact phrase comes first.
                let above = match (whole, i) {
                    (true, 0) => above.clone(),
                    _ => Most::default(),
                };
                if !above.0.is_empty() {
                    query = Box::new(PhraseFirst::new(query, above.clone()));
                }
                NearClause {
                    query,
                    loose: slop > 0 && terms.len() > 2,
                    phrases: vec![(terms.iter().map(to_term).collect(), weight)],
                    above,
                }
            })
            .collect()
    }
}

/// The most a passage without the whole query's exact phrase can score:
/// the words' BM25 in `body` (`content`: the indices in `terms` of those
/// that score), the other proximity phrases' and the title's, each at its
/// most; none when a part of the title has no such bound.
fn most_without_phrase(
    body: SchemaField,
    terms: &[String],
    content: &[usize],
    others: &[(Vec<String>, u32, f32)],
    bonus: &[TitleClause],
) -> Most {
    let to_terms = |words: &[String]| -> Vec<Term> {
        let terms = words.iter().map(|w| Term::from_field_text(body, w));
        terms.collect()
    };
    let words = content
        .iter()
        .map(|&i| Some((to_terms(&terms[i..=i]), 1.0)));
    let phrases = others.iter().map(|(t, _, w)| Some((to_terms(t), *w)));
    let titles = bonus.iter().map(|(_, bound)| bound.clone());
    let parts: Option<Vec<_>> = words.chain(phrases).chain(titles).collect();
    Most(parts.unwrap_or_default())
}

/// The close spellings of the query's bare content words that the passages
/// hold (see [`fuzzy::suggestions`]); none when the dictionaries cannot be read.
pub fn suggestions(
    fields: &Fields,
    searcher: &tantivy::Searcher,
    expr: &Expr,
    known: &fuzzy::Hints,
) -> Vec<fuzzy::Suggestion> {
    let words: Vec<&str> = match expr {
        Expr::Atom(Atom {
            field: None,
            kind: AtomKind::Word(w),
        }) => vec![w.as_str()],
        _ => bare_words(expr).collect(),
    };
    let capitals = !words.iter().any(|w| w.chars().any(char::is_lowercase));
    let words: Vec<&str> = words
        .into_iter()
        .filter(|w| !is_query_stop_word(w, capitals))
        .collect();
    fuzzy::suggestions(searcher, fields.body_words, fields.body, &words, known).unwrap_or_default()
}

/// The bare words of a query (no field, not excluded), in query order.
fn bare_words(expr: &Expr) -> impl Iterator<Item = &str> {
    let clauses = match expr {
        Expr::Seq(clauses) => clauses.as_slice(),
        _ => &[],
    };
    clauses
        .iter()
        .filter_map(|clause| match (clause.occur, &clause.expr) {
            (
                Occur::Default | Occur::Must,
                Expr::Atom(Atom {
                    field: None,
                    kind: AtomKind::Word(w),
                }),
            ) => Some(w.as_str()),
            _ => None,
        })
}

/// Whether a query is bare words only (exclusions aside): nothing else
/// adds to a passage's score.
fn only_words(expr: &Expr) -> bool {
    match expr {
        Expr::Seq(clauses) => clauses
            .iter()
            .all(|c| c.occur == Occur::MustNot || is_bare_word(&c.expr)),
        _ => false,
    }
}

/// Whether an expression is a bare word: no field, quotes, star or group.
fn is_bare_word(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Atom(Atom {
            field: None,
            kind: AtomKind::Word(_),
        })
    )
}

/// Whether a query word is a function word ("what", "of", "de") whose own
/// match says little; an acronym in capitals ("WHO", "US", "IT") is not,
/// unless the whole query is in capitals (`capitals`: "WHAT ARE THE …"),
/// where capitals say nothing.
fn is_query_stop_word(word: &str, capitals: bool) -> bool {
    let acronym = !capitals
        && word.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && word.chars().all(|c| !c.is_alphabetic() || c.is_uppercase());
    !acronym && analysis::is_query_stop_word(&word.to_lowercase())
}

/// The query, in a `BoostQuery` when the boost is not 1.
fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// A Boolean query of the clauses, or the clause itself when there is one.
fn boolean(mut clauses: Vec<(TantivyOccur, Box<dyn Query>)>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 if clauses[0].0 != TantivyOccur::MustNot => Some(clauses.pop()?.1),
        _ => Some(Box::new(BooleanQuery::new(clauses))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_words_but_not_acronyms_are_query_stop_words() {
        for word in [
            "what", "What", "are", "of", "the", "de", "los", "how", "must",
        ] {
            assert!(is_query_stop_word(word, false), "{word}");
        }
        for word in ["WHO", "US", "IT", "Maduro", "aircraft", "may", "us"] {
            assert!(!is_query_stop_word(word, false), "{word}");
        }
        // In a query all in capitals, capitals do not make an acronym.
        for word in ["WHO", "IT", "WHAT", "OF"] {
            assert!(is_query_stop_word(word, true), "{word}");
        }
        for word in ["US", "MADURO", "AIRCRAFT"] {
            assert!(!is_query_stop_word(word, true), "{word}");
        }
    }

    /// The Tantivy query `text` compiles to, as its debug text.
    fn compiled(text: &str, mode: MatchMode) -> String {
        let (schema, fields) = crate::schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(&index);
        let searcher = index.reader().unwrap().searcher();
        let expr = parse::parse(text).unwrap();
        let compiled = QueryBuilder::new(&fields, &searcher)
            .compile(&expr, mode)
            .unwrap();
        format!("{:?}", compiled.query)
    }

    #[test]
    fn two_word_proximity_is_one_pair_query() {
        let compile = |text: &str| compiled(text, MatchMode::All).matches("PairQuery").count();
        assert_eq!(compile("Kenneth Derr"), 1);
        assert_eq!(compile("price of oil"), 0);
        assert_eq!(compile("\"Kenneth Derr\""), 0);
    }

    #[test]
    fn optional_function_words_are_left_out_required_ones_stay() {
        let count = |text: &str, mode| compiled(text, mode).matches("\"the\"").count();
        // (The whole-query phrase "the oil" holds it in both.)
        let all = count("the oil", MatchMode::All);
        assert_eq!(count("+the oil", MatchMode::Any), all);
        assert_eq!(count("the oil", MatchMode::Any), all - 1);
        // A query of function words only keeps them.
        assert!(count("the of", MatchMode::Any) > 0);
    }

    #[test]
    fn the_title_is_a_bonus_of_bare_words_and_phrases_only() {
        // A lone phrase's bonus is its title phrase, in a Boolean query.
        let bonus = |text: &str| {
            let query = compiled(text, MatchMode::All);
            query.starts_with("BonusQuery") || query.starts_with("TopKPhraseQuery(BooleanQuery")
        };
        for text in ["oil", "oil prices", "\"crude oil\"", "oil OR gas"] {
            assert!(bonus(text), "{text}");
        }
        for text in ["title:oil", "body:oil", "outlet:reuters"] {
            assert!(!bonus(text), "{text}");
        }
    }

    #[test]
    fn a_lone_exact_phrase_is_a_top_k_phrase_query() {
        let compile = |text: &str| compiled(text, MatchMode::All).contains("TopKPhraseQuery");
        assert!(compile("\"the company said\""));
        assert!(compile("+\"of the\""));
        assert!(compile("(\"of the\")"));
        for text in [
            "\"the company\"~2",
            "title:\"the company\"",
            "\"company\"",
            "\"of the\" oil",
            "\"of the\" OR \"in the\"",
            "\"of the\" -oil",
            "the company",
        ] {
            assert!(!compile(text), "{text}");
        }
    }

    #[test]
    fn several_bare_words_are_a_top_k_words_query() {
        let compile = |text: &str, mode| compiled(text, mode).contains("TopKWordsQuery");
        for text in ["Kenneth Derr", "price of oil", "oil -gas prices"] {
            assert!(compile(text, MatchMode::All), "{text}");
        }
        assert!(compile("Kenneth Derr", MatchMode::Any));
        for text in ["oil", "title:oil prices", "\"crude oil\""] {
            assert!(!compile(text, MatchMode::All), "{text}");
        }
    }

    #[test]
    fn bare_words_skip_fields_phrases_and_exclusions() {
        let expr = parse::parse("what title:x \"a b\" -not Tren de Aragua").unwrap();
        let words: Vec<&str> = bare_words(&expr).collect();
        assert_eq!(words, ["what", "Tren", "de", "Aragua"]);
    }
}
