//! Where a quote came from: every article whose passage carries a quote,
//! exactly or nearly, oldest first.
//!
//! ```text
//! quote ──fold, split at ellipses──▶ fragments of words
//!       ──rarest words, OR──▶ Searcher::search (pages of candidate passages)
//!       ──align each fragment, in order, against the passage's words──▶ exact | near | no
//! ```
//!
//! Words are compared as the index folds them (case, accents; quotes and
//! apostrophes, curly or straight, are not words), unstemmed. A passage
//! carries the quote *exactly* when every fragment stands in it word for
//! word, in order; *nearly* when the fragments' best alignment with the
//! passage (word-level edit distance, free before, between and after the
//! fragments) costs at most a fifth of the quote's words, and it keeps
//! every figure of the quote. Candidates come from the index through
//! [`Searcher::search`], with the search's filters; nothing is searched
//! twice and no passage is read that the index did not return.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::Term;

use crate::analysis;
use crate::error::{Error, Result};
use crate::query::MatchMode;
use crate::search::{ArticleRef, CopiesRef, PassageRef, SearchRequest, Searcher};
use crate::story::groups::Groups;

/// Least similarity of a `near` match: one word in five may differ (a word
/// or two changed in a quote of ten or more words).
pub const NEAR_SIMILARITY: f64 = 0.8;

/// Least share of the quote's words a passage that marks a cut in it
/// (`…`) must hold: the cut stands for the rest.
pub const MIN_HELD_WITH_CUT: f64 = 0.6;

/// Quotes shorter than this (in words) match only exactly: a word changed
/// in a five-word quote makes another quote.
pub const MIN_NEAR_WORDS: usize = 6;

/// Words of the quote looked up in the index: its rarest.
const QUERY_WORDS: usize = 12;

/// Share of the passages past which a word is common: beyond the words a
/// match needs (see [`candidate_request`]), a common word is not looked
/// up, as it would make the index walk most passages to rank a few.
const COMMON_SHARE: f64 = 0.05;

/// Candidate passages read per page, and at most.
const PAGE: usize = 100;
const MAX_CANDIDATES: usize = 3000;

/// Words of a quote compared (a longer text is cut there).
const MAX_QUOTE_WORDS: usize = 400;

/// How a passage carries the quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// Word for word (each ellipsis fragment, in order).
    Exact,
    /// With a few words changed, added or left out.
    Near,
}

impl MatchKind {
    /// `exact` or `near`.
    pub fn name(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Near => "near",
        }
    }
}

/// One article that carries the quote, with its best passage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Appearance {
    /// The article, as search shows it.
    pub article: ArticleRef,
    /// The passage that carries the quote; `highlights` mark the aligned words.
    pub passage: PassageRef,
    /// `exact` or `near`.
    #[serde(rename = "match")]
    pub kind: MatchKind,
    /// 1 − (words changed, added or left out) / (words of the quote).
    pub similarity: f64,
    /// The article's copy group, `None` when it has no copies.
    pub copies: Option<CopiesRef>,
}

/// The answer of `newsdex trace`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The quote as given (or the passage's text with `--from`).
    pub query: String,
    /// The earliest dated appearance; `None` when none is dated.
    pub first: Option<Appearance>,
    /// Every appearance, oldest first, undated last.
    pub appearances: Vec<Appearance>,
    /// Candidate passages the index returned and the alignment checked.
    pub candidates: usize,
    /// Time spent, in milliseconds.
    pub took_ms: f64,
}

/// A quote to trace, with the search's filters.
#[derive(Debug, Clone, Default)]
pub struct TraceRequest {
    /// The quote.
    pub text: String,
    /// `--since`, as for search.
    pub since: Option<String>,
    /// `--until`, as for search.
    pub until: Option<String>,
    /// `--outlet`, as for search.
    pub outlets: Vec<String>,
}

/// The quote's words, folded, in fragments split at ellipses.
fn fragments(text: &str) -> Vec<Vec<analysis::Token>> {
    let mut words = analysis::unstemmed_analyzer();
    let marked = text
        .replace("[…]", "…")
        .replace("[...]", "…")
        .replace(". . .", "…")
        .replace("...", "…");
    let mut total = 0;
    marked
        .split('…')
        .filter_map(|piece| {
            let mut tokens = analysis::tokens(&mut words, piece);
            tokens.truncate(MAX_QUOTE_WORDS.saturating_sub(total));
            total += tokens.len();
            (!tokens.is_empty()).then_some(tokens)
        })
        .collect()
}

fn is_figure(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_digit())
}

/// How a passage's words carry the quote's fragments: cost ([`EDIT`] per word
/// changed, added or left out, [`CUT_WORD`] per word a cut stands for) and
/// the word range of each fragment.
#[derive(Debug, Clone, PartialEq)]
struct Alignment {
    cost: usize,
    spans: Vec<(usize, usize)>,
}

/// A passage's cut (`…`, `...`, `[…]`) as a word of its own: the quote's
/// words it stands for cost little.
pub const CUT: &str = "…";

/// The cost of a word changed, added or left out, in the alignment's units.
const EDIT: usize = 10;

/// The cost of a quote word a passage's cut stands for: a tenth of an edit,
/// so the alignment prefers words that stand in the passage to a cut.
const CUT_WORD: usize = 1;

/// The cheapest alignment of `fragment` with a run of `passage` (free
/// before and after the run): its cost and the run `[start, end)`.
fn align_one(fragment: &[&str], passage: &[&str]) -> (usize, usize, usize) {
    let n = passage.len();
    // Row i: the cost of aligning fragment[..i] with a run ending at j,
    // and where that run starts.
    let mut cost: Vec<usize> = vec![0; n + 1];
    let mut start: Vec<usize> = (0..=n).collect();
    let (mut next_cost, mut next_start) = (vec![0; n + 1], vec![0; n + 1]);
    for (i, word) in fragment.iter().enumerate() {
        next_cost[0] = (i + 1) * EDIT;
        next_start[0] = 0;
        for j in 1..=n {
            let cut = passage[j - 1] == CUT;
            let diagonal = cost[j - 1] + EDIT * usize::from(passage[j - 1] != *word);
            // A quote word left out: cheap where the passage marks a cut
            // inside the run (not where the run would start after it).
            let up = cost[j] + if cut && start[j] < j { CUT_WORD } else { EDIT };
            // A passage word added: free for the cut's mark.
            let left = next_cost[j - 1] + if cut { 0 } else { EDIT };
            let (c, s) = if diagonal <= up && diagonal <= left {
                (diagonal, start[j - 1])
            } else if up <= left {
                (up, start[j])
            } else {
                (left, next_start[j - 1])
            };
            next_cost[j] = c;
            next_start[j] = s;
        }
        std::mem::swap(&mut cost, &mut next_cost);
        std::mem::swap(&mut start, &mut next_start);
    }
    let (end, best) = cost
        .iter()
        .enumerate()
        // Ties: the longest run (a cut may stand for the quote's tail).
        .min_by_key(|(j, c)| (**c, std::cmp::Reverse(*j)))
        .map(|(j, c)| (j, *c))
        .unwrap_or((0, fragment.len() * EDIT));
    (best, start[end].min(end), end)
}

/// The fragments aligned one after another with `passage`.
fn align(fragments: &[Vec<&str>], passage: &[&str]) -> Alignment {
    let mut from = 0;
    let mut alignment = Alignment {
        cost: 0,
        spans: Vec::new(),
    };
    for fragment in fragments {
        let (cost, start, end) = align_one(fragment, &passage[from..]);
        alignment.cost += cost;
        alignment.spans.push((from + start, from + end));
        from += end;
    }
    alignment
}

/// Whether, and how, `passage` carries the quote (`fragments`, `words` in
/// all); the alignment for the highlights.
fn verify(
    fragments: &[Vec<&str>],
    words: usize,
    passage: &[&str],
) -> Option<(MatchKind, f64, Alignment)> {
    // Words of the quote the passage lacks must be changed or left out:
    // a floor on the cost, cheap to check before aligning.
    let mut have: HashMap<&str, usize> = HashMap::new();
    for w in passage {
        *have.entry(w).or_default() += 1;
    }
    let mut missing = 0;
    for w in fragments.iter().flatten() {
        match have.get_mut(w) {
            Some(n) if *n > 0 => *n -= 1,
            _ => missing += 1,
        }
    }
    let near_allowed = words >= MIN_NEAR_WORDS;
    let allowed = if near_allowed {
        ((1.0 - NEAR_SIMILARITY) * words as f64 + 1e-9).floor() as usize
    } else {
        0
    };
    if missing > allowed && !passage.contains(&CUT) {
        return None;
    }
    let alignment = align(fragments, passage);
    // Ten words a cut stands for cost as much as one changed.
    let edits = alignment.cost / EDIT;
    if edits > allowed {
        return None;
    }
    let cut = alignment
        .spans
        .iter()
        .any(|&(s, e)| passage[s..e].contains(&CUT));
    if alignment.cost == 0 && !cut {
        return Some((MatchKind::Exact, 1.0, alignment));
    }
    // A near match keeps the quote's figures ("4.5 pct" is not "5.0 pct"),
    // but for those a cut may stand for.
    let aligned: HashSet<&str> = alignment
        .spans
        .iter()
        .flat_map(|&(s, e)| passage[s..e].iter().copied())
        .collect();
    if !cut
        && fragments
            .iter()
            .flatten()
            .any(|w| is_figure(w) && !aligned.contains(w))
    {
        return None;
    }
    // With a cut, the share of the quote's words the aligned run holds.
    let similarity = if cut {
        let mut have: HashMap<&str, usize> = HashMap::new();
        for &(s, e) in &alignment.spans {
            for w in &passage[s..e] {
                *have.entry(w).or_default() += 1;
            }
        }
        let held = fragments
            .iter()
            .flatten()
            .filter(|w| match have.get_mut(*w) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            })
            .count();
        let held = held as f64 / words as f64;
        if held < MIN_HELD_WITH_CUT {
            return None;
        }
        held
    } else {
        1.0 - edits as f64 / words as f64
    };
    Some((MatchKind::Near, similarity, alignment))
}

/// A passage's words, folded, with a [`CUT`] where the text marks a cut
/// between two words.
fn passage_words(
    analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    text: &str,
) -> Vec<analysis::Token> {
    let tokens = analysis::tokens(analyzer, text);
    let mut out = Vec::with_capacity(tokens.len());
    let mut at = 0;
    for t in tokens {
        let between = &text[at..t.start];
        if between.contains('…') || between.contains("...") || between.contains(". . .") {
            out.push(analysis::Token {
                term: CUT.into(),
                start: at,
                end: t.start,
            });
        }
        at = t.end;
        out.push(t);
    }
    out
}

/// The search request for candidate passages: the quote's rarest words,
/// any of them. A passage that carries a quote of `words` words lacks at
/// most two fifths of them (a near match, a fifth; with a cut, the share
/// [`MIN_HELD_WITH_CUT`] leaves out), so it holds one of any more words of
/// the quote than that: those are looked up (up to [`QUERY_WORDS`]), and
/// more of the quote's words only while they are not common.
fn candidate_request(
    searcher: &Searcher,
    req: &TraceRequest,
    words_in_quote: usize,
) -> SearchRequest {
    let mut stemmed = analysis::analyzer();
    let tokens = analysis::tokens(&mut stemmed, &req.text);
    let snapshot = searcher.tantivy_searcher();
    let body = searcher.store().fields.body;
    let mut seen = HashSet::new();
    let mut words: Vec<(u64, usize, String)> = Vec::new();
    for (at, t) in tokens.iter().enumerate() {
        if !seen.insert(t.term.clone()) {
            continue;
        }
        let original = req.text[t.start..t.end].to_string();
        let stop = analysis::is_query_stop_word(&original.to_lowercase());
        let df = snapshot
            .doc_freq(&Term::from_field_text(body, &t.term))
            .unwrap_or(0);
        // Stop words last; then the rarest first.
        let rank = if stop { u64::MAX } else { df };
        words.push((rank, at, original));
    }
    words.sort();
    let needed = ((1.0 - MIN_HELD_WITH_CUT) * words_in_quote as f64 + 1e-9).floor() as usize + 1;
    let common = COMMON_SHARE * snapshot.num_docs() as f64;
    let mut kept = 0;
    for (rank, _, _) in &words {
        if kept >= QUERY_WORDS || (kept >= needed && *rank as f64 > common) {
            break;
        }
        kept += 1;
    }
    words.truncate(kept);
    words.sort_by_key(|(_, at, _)| *at);
    SearchRequest {
        query: words
            .into_iter()
            .map(|(_, _, w)| w)
            .collect::<Vec<_>>()
            .join(" "),
        plain: true,
        match_mode: MatchMode::Any,
        since: req.since.clone(),
        until: req.until.clone(),
        outlets: req.outlets.clone(),
        limit: PAGE,
        highlight: false,
        stored: true,
        count: false,
        ..SearchRequest::default()
    }
}

/// Every appearance of `req.text` in the index, oldest first.
///
/// # Errors
/// [`Error::Invalid`] for a quote without words or a bad filter; errors
/// reading the index.
pub fn trace(searcher: &Searcher, groups: &Groups, req: &TraceRequest) -> Result<Trace> {
    let started = Instant::now();
    let quote = fragments(&req.text);
    if quote.is_empty() {
        return Err(Error::Invalid(format!(
            "trace: '{}' has no words to look for",
            req.text.trim()
        )));
    }
    let quote: Vec<Vec<&str>> = quote
        .iter()
        .map(|f| f.iter().map(|t| t.term.as_str()).collect())
        .collect();
    let words: usize = quote.iter().map(Vec::len).sum();
    let mut search = candidate_request(searcher, req, words);
    let mut unstemmed = analysis::unstemmed_analyzer();

    let mut best: HashMap<String, Appearance> = HashMap::new();
    let mut candidates = 0;
    loop {
        let page = searcher.search(&search)?;
        let got = page.hits.len();
        let mut late_matches = 0;
        for (i, hit) in page.hits.into_iter().enumerate() {
            candidates += 1;
            let tokens = passage_words(&mut unstemmed, &hit.passage.text);
            let passage: Vec<&str> = tokens.iter().map(|t| t.term.as_str()).collect();
            let Some((kind, similarity, alignment)) = verify(&quote, words, &passage) else {
                continue;
            };
            if i >= got * 3 / 4 {
                late_matches += 1;
            }
            let better = best
                .get(&hit.article.id)
                .is_none_or(|kept| similarity > kept.similarity);
            if !better {
                continue;
            }
            let mut passage = hit.passage;
            passage.highlights = alignment
                .spans
                .iter()
                .filter(|(s, e)| e > s)
                .map(|&(s, e)| [tokens[s].start, tokens[e - 1].end])
                .collect();
            let copies = groups.of(&hit.article.id).map(|g| CopiesRef {
                group: g.group.clone(),
                count: g.members.len(),
                original: g.original.clone(),
            });
            best.insert(
                hit.article.id.clone(),
                Appearance {
                    article: hit.article,
                    passage,
                    kind,
                    similarity,
                    copies,
                },
            );
        }
        // The best candidates come first: when the page's last quarter
        // still carried the quote, the next page may too.
        if got < search.limit || late_matches == 0 || candidates >= MAX_CANDIDATES {
            break;
        }
        search.offset += got;
    }

    let mut appearances: Vec<Appearance> = best.into_values().collect();
    appearances.sort_by(|a, b| {
        let (x, y) = (&a.article.date, &b.article.date);
        x.is_none()
            .cmp(&y.is_none())
            .then_with(|| x.cmp(y))
            .then_with(|| {
                b.kind
                    .eq(&MatchKind::Exact)
                    .cmp(&a.kind.eq(&MatchKind::Exact))
            })
            .then_with(|| a.article.id.cmp(&b.article.id))
    });
    let first = appearances
        .first()
        .filter(|a| a.article.date.is_some())
        .cloned();
    Ok(Trace {
        query: req.text.clone(),
        first,
        appearances,
        candidates,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(quote: &str, passage: &str) -> Option<(MatchKind, f64)> {
        let frags = fragments(quote);
        let frags: Vec<Vec<&str>> = frags
            .iter()
            .map(|f| f.iter().map(|t| t.term.as_str()).collect())
            .collect();
        let n = frags.iter().map(Vec::len).sum();
        let p = passage_words(&mut analysis::unstemmed_analyzer(), passage);
        let p: Vec<&str> = p.iter().map(|t| t.term.as_str()).collect();
        verify(&frags, n, &p).map(|(k, s, _)| (k, s))
    }

    const SAID: &str = "Prices will keep rising until the central bank acts on wages and rents";

    #[test]
    fn quotes_curly_or_straight_and_sentences_around_are_exact() {
        let passage = format!("He spoke on Monday. “{SAID},” he said. Then he left.");
        assert_eq!(
            check(&format!("\"{SAID}\""), &passage),
            Some((MatchKind::Exact, 1.0))
        );
        assert_eq!(
            check(
                "Prices will keep rising … acts on wages and rents",
                &passage
            ),
            Some((MatchKind::Exact, 1.0))
        );
    }

    #[test]
    fn a_changed_word_is_near_and_a_changed_figure_or_another_sentence_is_not() {
        let changed = SAID.replace("keep rising", "keep climbing");
        let (kind, similarity) = check(SAID, &changed).unwrap();
        assert_eq!(kind, MatchKind::Near);
        assert!(
            (similarity - (1.0 - 1.0 / 13.0)).abs() < 1e-9,
            "{similarity}"
        );
        assert_eq!(
            check(
                "Rates rose 25 basis points to 4.5 pct on Thursday",
                "Rates rose 50 basis points to 4.5 pct on Thursday"
            ),
            None
        );
        assert_eq!(
            check(
                SAID,
                "The central bank said prices and rents are rising, and wages will follow"
            ),
            None
        );
    }

    #[test]
    fn a_cut_marked_in_the_passage_is_near() {
        let cut = "Prices will keep rising … acts on wages and rents, he said.";
        let (kind, similarity) = check(SAID, cut).unwrap();
        assert_eq!(kind, MatchKind::Near);
        assert!((similarity - 9.0 / 13.0).abs() < 1e-9, "{similarity}");
        assert_eq!(check(SAID, "Prices will keep rising … he said."), None);
    }

    #[test]
    fn a_cut_early_in_the_passage_is_near() {
        let quote = "The company, based in San Diego, Calif., said the Extractor dramatically simplifies the isolation and purification of DNA and RNA from actual clnical samples.";
        let passage = "The company, based in San Diego, Calif., said the … simplifies the isolation and purification of DNA and RNA from actual clnical samples.";
        assert_eq!(check(quote, passage).map(|(k, _)| k), Some(MatchKind::Near));
    }

    #[test]
    fn short_quotes_match_only_exactly() {
        assert_eq!(check("lift rates again", "lift rates once again"), None);
        assert!(check("lift rates again", "They will lift rates again.").is_some());
    }

    #[test]
    fn fragments_are_aligned_in_order() {
        assert_eq!(
            check("acts on wages and rents … Prices will keep rising", SAID).map(|(k, _)| k),
            None
        );
    }
}
