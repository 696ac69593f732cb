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

mod fields;
pub mod limits;
mod pair;
pub mod parse;
mod prefix;
mod topk;
mod words;

use tantivy::query::{
    BooleanQuery, BoostQuery, Occur as TantivyOccur, PhrasePrefixQuery, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field as SchemaField, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

use crate::analysis;
use crate::highlight::HighlightTerms;
use crate::schema::Fields;
use fields::FieldsQuery;
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

/// A query ready to run, with what to highlight in its hits.
pub struct Compiled {
    /// The Tantivy query.
    pub query: Box<dyn Query>,
    /// Terms and phrases to mark in passages.
    pub highlight: HighlightTerms,
}

/// Turns parsed queries into Tantivy queries over the newsdex schema.
pub struct QueryBuilder<'a> {
    fields: &'a Fields,
    /// The index searched: prefixes expand to its words.
    searcher: &'a tantivy::Searcher,
    analyzer: TextAnalyzer,
    unstemmed: TextAnalyzer,
    /// Whether the query being compiled has a bare word that is not a stop word.
    has_content: bool,
    /// Words the prefixes of the query being compiled may still expand to.
    prefix_budget: usize,
    /// Prefixes that stand for more words than were searched: as typed,
    /// how many words they stand for, how many were searched.
    capped: Vec<(String, usize, usize)>,
    /// Whether a `MatchMode::Any` compilation relaxes only bare words (the
    /// fallback of `--match all`), keeping phrases, fields, `+word` and
    /// groups required.
    relaxing: bool,
    /// Whether the query's bare words are all in capitals ("WHAT ARE THE
    /// EFFECTS"), so a word in capitals is not taken for an acronym.
    capitals: bool,
}

impl<'a> QueryBuilder<'a> {
    /// A builder for the given schema fields, over the index `searcher` reads.
    pub fn new(fields: &'a Fields, searcher: &'a tantivy::Searcher) -> Self {
        QueryBuilder {
            fields,
            searcher,
            analyzer: analysis::analyzer(),
            unstemmed: analysis::unstemmed_analyzer(),
            has_content: false,
            prefix_budget: limits::MAX_QUERY_PREFIX_TERMS,
            capped: Vec::new(),
            relaxing: false,
            capitals: false,
        }
    }

    /// What the queries compiled so far left out to stay within the limits
    /// of [`limits`]: the rarer words of prefixes, in one message.
    pub fn warning(&self) -> Option<String> {
        let [(typed, matched, kept), rest @ ..] = self.capped.as_slice() else {
            return None;
        };
        if rest.is_empty() {
            let words = if *kept == 1 { "word was" } else { "words were" };
            return Some(format!(
                "'{typed}*' stands for {matched} indexed words; only the {kept} most frequent {words} searched"
            ));
        }
        let shown: Vec<String> = self.capped[..self.capped.len().min(3)]
            .iter()
            .map(|(typed, matched, kept)| format!("'{typed}*' ({matched}, {kept} searched)"))
            .collect();
        let more = match self.capped.len() {
            n if n > 3 => format!(" and {} more", n - 3),
            _ => String::new(),
        };
        Some(format!(
            "{} prefixes stand for more indexed words than were searched (the most frequent were): {}{more}",
            self.capped.len(),
            shown.join(", ")
        ))
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
        self.prefix_budget = limits::MAX_QUERY_PREFIX_TERMS;
        let mut highlight = HighlightTerms::default();
        let analyzer = &mut self.analyzer;
        let capitals = !bare_words(expr).any(|w| w.chars().any(char::is_lowercase));
        self.capitals = capitals;
        self.has_content = bare_words(expr)
            .any(|w| !is_query_stop_word(w, capitals) && !analysis::terms(analyzer, w).is_empty());
        let query = self.expr(expr, mode, false, true, &mut highlight)?;
        let near = self.proximity(expr);
        let query: Box<dyn Query> = if !near.is_empty() {
            Box::new(TopKWordsQuery::new(query, near))
        } else {
            match self.lone_phrase(expr) {
                Some(phrases) => Box::new(TopKPhraseQuery::new(query, phrases)),
                None => query,
            }
        };
        Some(Compiled { query, highlight })
    }

    /// When the whole query is one exact phrase over the default fields,
    /// the phrases of the union `atom` compiles it to: per field, its
    /// terms and boost.
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

    /// `seeked`: whether the query is a required or excluded clause, whose
    /// scorer is moved by seeks more than walked through.
    fn expr(
        &mut self,
        expr: &Expr,
        mode: MatchMode,
        negated: bool,
        seeked: bool,
        hl: &mut HighlightTerms,
    ) -> Option<Box<dyn Query>> {
        match expr {
            Expr::Atom(atom) => self.atom(atom, negated, seeked, hl),
            Expr::Or(items) => {
                let clauses: Vec<_> = items
                    .iter()
                    .filter_map(|e| self.expr(e, mode, negated, false, hl))
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
                        let negated = negated || occur == TantivyOccur::MustNot;
                        let seeked = occur != TantivyOccur::Should;
                        self.expr(&c.expr, mode, negated, seeked, hl)
                            .map(|q| (occur, q))
                    })
                    .collect();
                boolean(clauses)
            }
        }
    }

    /// The fields an atom searches, with their weights.
    fn fields_for(&self, field: Option<Field>) -> Vec<(SchemaField, f32)> {
        let f = self.fields;
        match field {
            None => vec![(f.body, 1.0), (f.title, TITLE_BOOST)],
            Some(Field::Body) => vec![(f.body, 1.0)],
            Some(Field::Title) => vec![(f.title, 1.0)],
            Some(Field::Outlet) => vec![(f.outlet, 1.0)],
            Some(Field::Author) => vec![(f.author, 1.0)],
        }
    }

    fn atom(
        &mut self,
        atom: &Atom,
        negated: bool,
        seeked: bool,
        hl: &mut HighlightTerms,
    ) -> Option<Box<dyn Query>> {
        let in_passage = matches!(atom.field, None | Some(Field::Body));
        let remember = in_passage && !negated;
        let per_field: Vec<(Box<dyn Query>, f32)> = match &atom.kind {
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
                // The union `boolean` makes of the clauses below, but skipping
                // where seeked (a union of unions walks every document of its
                // clauses, and Tantivy's buffered union does that faster).
                let word = matches!(atom.kind, AtomKind::Word(_)) && seeked;
                if let (true, None, [term]) = (word, atom.field, &terms[..]) {
                    let fields = self.fields_for(None).into_iter();
                    let terms =
                        fields.map(|(f, boost)| (Term::from_field_text(f, term), boost * weight));
                    return Some(Box::new(FieldsQuery::new(terms.collect())));
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
                self.fields_for(atom.field)
                    .into_iter()
                    .map(|(field, boost)| (self.prefix_query(field, text, &terms), boost))
                    .collect()
            }
        };
        let clauses = per_field
            .into_iter()
            .map(|(q, boost)| {
                let q: Box<dyn Query> = if boost == 1.0 {
                    q
                } else {
                    Box::new(BoostQuery::new(q, boost))
                };
                (TantivyOccur::Should, q)
            })
            .collect();
        boolean(clauses)
    }

    /// Whether the field records word positions (phrases need them).
    fn has_positions(&self, field: SchemaField) -> bool {
        field != self.fields.author
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
        Box::new(phrase)
    }

    /// Terms whose last word starts with the given prefix (`typed`, as the
    /// user wrote it). One word: the indexed words it expands to, at most
    /// [`limits::MAX_PREFIX_TERMS`] and what is left of the query's budget
    /// (at least one). Several: a phrase prefix where the field has
    /// positions (Tantivy expands its last word 50 ways at most), else every
    /// word but the last and the last's expansion.
    fn prefix_query(
        &mut self,
        field: SchemaField,
        typed: &str,
        terms: &[String],
    ) -> Box<dyn Query> {
        let to_term = |t: &String| Term::from_field_text(field, t);
        let (last, before) = match terms.split_last() {
            Some(split) => split,
            None => return Box::new(BooleanQuery::new(Vec::new())),
        };
        if !before.is_empty() && self.has_positions(field) {
            return Box::new(PhrasePrefixQuery::new(terms.iter().map(to_term).collect()));
        }
        let max = limits::MAX_PREFIX_TERMS.min(self.prefix_budget.max(1));
        let expansion = match prefix::expand(self.searcher, field, last, max) {
            Ok(expansion) => expansion,
            // An unreadable dictionary: the prefix's own word, exactly.
            Err(_) => prefix::Expansion {
                terms: vec![to_term(last)],
                matched: 1,
            },
        };
        self.prefix_budget = self.prefix_budget.saturating_sub(expansion.terms.len());
        // One entry per prefix: the first field's (the passage text's).
        let kept = expansion.terms.len();
        if expansion.matched > kept && !self.capped.iter().any(|(t, ..)| t == typed) {
            self.capped
                .push((typed.to_owned(), expansion.matched, kept));
        }
        let mut clauses: Vec<(TantivyOccur, Box<dyn Query>)> = before
            .iter()
            .map(|t| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(to_term(t), IndexRecordOption::WithFreqs));
                (TantivyOccur::Must, q)
            })
            .collect();
        let expanded = prefix::query(expansion.terms);
        if clauses.is_empty() {
            return expanded;
        }
        clauses.push((TantivyOccur::Must, expanded));
        Box::new(BooleanQuery::new(clauses))
    }

    /// Proximity evidence for several bare words: boosts for passages that
    /// hold them all as an exact phrase, or close together; and, pair by
    /// pair, for neighbouring content words standing in query order or near
    /// each other (after the sequential dependence model of Metzler and
    /// Croft, 2005). The clauses of their Should union, each with the
    /// phrases it scores; none for fewer than two words.
    fn proximity(&mut self, expr: &Expr) -> Vec<NearClause> {
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
        // Phrases all over the same two terms (a two-word query): one pass.
        let Some((first, _, _)) = phrases.first() else {
            return Vec::new();
        };
        if let [a, b] = first.as_slice() {
            if phrases.iter().all(|(t, _, _)| t == first) {
                let slops_and_weights = phrases.iter().map(|&(_, s, w)| (s, w)).collect();
                let terms = [to_term(a), to_term(b)];
                let weights = phrases.iter().map(|&(_, _, w)| (terms.to_vec(), w));
                return vec![NearClause {
                    phrases: weights.collect(),
                    query: Box::new(PairQuery::new(terms, slops_and_weights)),
                }];
            }
        }
        phrases
            .into_iter()
            .map(|(terms, slop, weight)| {
                let query = self.terms_query(body, &terms, slop);
                let query: Box<dyn Query> = if weight == 1.0 {
                    query
                } else {
                    Box::new(BoostQuery::new(query, weight))
                };
                NearClause {
                    query,
                    phrases: vec![(terms.iter().map(to_term).collect(), weight)],
                }
            })
            .collect()
    }
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

    /// An in-RAM index of the newsdex schema: passages (body, title) over
    /// a few words, with the cases the planner treats apart (a name as a
    /// phrase or scattered, function words, a phrase in the title only),
    /// in several segments; and its fields. Built once.
    fn passages() -> &'static (tantivy::Index, Fields) {
        static PASSAGES: std::sync::OnceLock<(tantivy::Index, Fields)> = std::sync::OnceLock::new();
        PASSAGES.get_or_init(build_passages)
    }

    fn build_passages() -> (tantivy::Index, Fields) {
        let (schema, fields) = crate::schema::build();
        let index = tantivy::Index::create_in_ram(schema);
        crate::analysis::register(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let texts = [
            ("Kenneth Derr said the price of oil rose", ""),
            (
                "Derr met Kenneth at a meeting on the price of crude oil",
                "Oil price",
            ),
            ("the company said the price of gas fell", "the company said"),
            ("oil and gas prices", "crude oil"),
            ("of the company, the board said", ""),
            ("Kenneth spoke. Later, much later, Derr left", "gas"),
        ];
        let mut below = crate::testing::below();
        for segment in 0..3 {
            for i in 0..200 {
                let (body, title) = texts[(i + segment) % texts.len()];
                let filler = ["x", "y", "z"][below(3)].repeat(1 + below(4));
                let body = format!("{body} {filler}");
                let doc = tantivy::doc!(fields.body => body, fields.title => title);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        (index, fields)
    }

    /// Hits by score bits and address.
    type Hits = Vec<(u32, tantivy::DocAddress)>;

    /// The top `k` of `text` as compiled, twice: as a top k alone (the
    /// planner's pruned walk) and with a count of every match (the plain
    /// Boolean walk), hit by hit with score bits; and the body of each hit.
    fn top_both_ways(text: &str, mode: MatchMode, k: usize) -> (Hits, Hits, Vec<String>) {
        use tantivy::collector::{Count, TopDocs};
        use tantivy::schema::Value;
        let (index, fields) = passages();
        let searcher = index.reader().unwrap().searcher();
        let expr = parse::parse(text).unwrap();
        let mut builder = QueryBuilder::new(fields, &searcher);
        let compiled = builder.compile(&expr, mode).unwrap();
        let top = || TopDocs::with_limit(k).order_by_score();
        let bits = |hits: Vec<(f32, tantivy::DocAddress)>| -> Hits {
            hits.into_iter().map(|(s, d)| (s.to_bits(), d)).collect()
        };
        let pruned = bits(searcher.search(compiled.query.as_ref(), &top()).unwrap());
        let (all, _) = searcher
            .search(compiled.query.as_ref(), &(top(), Count))
            .unwrap();
        let all = bits(all);
        let bodies = all
            .iter()
            .map(|(_, address)| {
                let doc: tantivy::TantivyDocument = searcher.doc(*address).unwrap();
                let body = doc.get_first(fields.body).and_then(|v| v.as_str());
                body.unwrap_or_default().to_owned()
            })
            .collect();
        (pruned, all, bodies)
    }

    /// Whatever walk the planner picks for a query (a pair of words, bare
    /// words with proximity, a lone phrase, required and excluded words),
    /// its top k is the plain Boolean walk's, bit for bit.
    #[test]
    fn planned_queries_rank_as_the_plain_boolean_walk() {
        let queries = [
            "Kenneth Derr",
            "price of oil",
            "\"Kenneth Derr\"",
            "oil -price title:gas \"crude oil\"",
            "oil +price -gas",
            "oil OR price",
            "\"the company said\"",
            "+\"of the\"",
            "(\"of the\")",
            "\"the company\"~2",
            "title:\"the company\"",
            "\"of the\" oil",
            "the company",
            "oil -gas prices",
        ];
        for text in queries {
            for mode in [MatchMode::All, MatchMode::Any] {
                for k in [1, 3, 10, 1000] {
                    let (pruned, all, _) = top_both_ways(text, mode, k);
                    assert_eq!(pruned, all, "{text:?} {mode:?} top {k}");
                }
            }
        }
    }

    #[test]
    fn bare_words_standing_together_rank_first() {
        let (_, _, bodies) = top_both_ways("Kenneth Derr", MatchMode::All, 1000);
        let together = bodies
            .iter()
            .take_while(|b| b.contains("Kenneth Derr"))
            .count();
        assert!(together > 0 && together < bodies.len(), "{together}");
        let apart = bodies[together..].iter();
        assert!(apart.clone().all(|b| !b.contains("Kenneth Derr")));
        assert!(apart.clone().any(|b| b.starts_with("Derr met Kenneth")));
        assert!(apart.clone().any(|b| b.starts_with("Kenneth spoke")));
    }

    #[test]
    fn required_excluded_and_optional_words_keep_their_meaning() {
        for mode in [MatchMode::All, MatchMode::Any] {
            let (_, _, bodies) = top_both_ways("oil +price -gas", mode, 1000);
            assert!(!bodies.is_empty());
            for body in &bodies {
                assert!(
                    body.contains("price") && !body.contains("gas"),
                    "{mode:?}: {body}"
                );
            }
        }
        let (_, _, all) = top_both_ways("oil price", MatchMode::All, 1000);
        assert!(all.iter().all(|b| b.contains("oil") && b.contains("price")));
        let (_, _, any) = top_both_ways("oil price", MatchMode::Any, 1000);
        assert!(any.len() > all.len());
        let (_, _, phrase) = top_both_ways("\"the company said\"", MatchMode::All, 1000);
        assert!(!phrase.is_empty());
        // The body holds the phrase, or the title does.
        let titled = phrase
            .iter()
            .filter(|b| !b.contains("the company said"))
            .count();
        assert!(titled < phrase.len());
    }

    #[test]
    fn bare_words_skip_fields_phrases_and_exclusions() {
        let expr = parse::parse("what title:x \"a b\" -not Tren de Aragua").unwrap();
        let words: Vec<&str> = bare_words(&expr).collect();
        assert_eq!(words, ["what", "Tren", "de", "Aragua"]);
    }
}
