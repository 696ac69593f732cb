//! Spellings: `Aragua~` (`~1`, `~2`) finds the words of the passages within
//! that many edits (insertions, deletions, substitutions, transpositions of
//! two neighbours) of the word as typed, folded and unstemmed; and, without
//! `~`, the close spellings a search mentions (`also 1 passage with
//! "Aragau": add ~ to include it`).
//!
//! The words are found as prefixes find theirs (see [`super::prefix`]): in
//! the unstemmed words of the passages and in the stemmed terms that stem
//! to themselves, here through Tantivy's Levenshtein automaton over each
//! term dictionary, so the work grows with the words near the query, not
//! with the dictionary. Each word found is then searched as if it had been
//! typed (by its stem, an ordinary Tantivy term query), weighted below the
//! word as typed: see [`weight`].

use std::collections::HashMap;
use std::sync::OnceLock;

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

use crate::analysis;

/// Largest edit distance accepted after `~`.
pub const MAX_DISTANCE: u8 = 2;
/// Words one `word~` expands to besides the word itself: those in the most
/// passages.
pub const MAX_FUZZY_TERMS: usize = 50;
/// How much one edit weighs down a word found by its spelling, on top of
/// its rarity (see [`weight`]).
pub const EDIT_WEIGHT: f32 = 0.5;
/// Shortest query word (in characters) whose close spellings a search
/// mentions: shorter words have too many real neighbours ("oil", "soil").
const HINT_MIN_CHARS: usize = 5;
/// A close spelling is mentioned when it is in at most this many passages,
/// and in fewer than the word as typed: at most this share of them...
const HINT_MAX_PASSAGES: u64 = 20;
const HINT_MAX_SHARE: f64 = 0.25;
/// ... or at most this many (so a variant of a rare name is mentioned too).
const HINT_FEW_PASSAGES: u64 = 2;
/// Close spellings mentioned per query.
const MAX_HINTS: usize = 3;
/// Query words looked at for close spellings: the first this many (of a
/// long natural-language query, the rest cost work and say little).
const MAX_HINT_WORDS: usize = 8;

/// The edit distance of a bare `word~`, as Elasticsearch's `AUTO` decides
/// it: 0 for words of one or two characters, 1 for three to five, 2 beyond.
pub fn auto_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    }
}

/// A word of the passages close to a query word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Near {
    /// The word, folded and unstemmed (or a stem that stems to itself).
    pub word: String,
    /// Its edit distance from the query word.
    pub distance: u8,
    /// Passages holding it (in the dictionary it was found in).
    pub passages: u64,
}

/// The Levenshtein automaton builder of a distance, built once (a few
/// milliseconds for distance 2).
fn builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let distance = distance.min(MAX_DISTANCE);
    BUILDERS[usize::from(distance)].get_or_init(|| LevenshteinAutomatonBuilder::new(distance, true))
}

/// A Levenshtein DFA as an automaton over a term dictionary, for the terms
/// that start with `prefix` (empty: every term): the prefix prunes the walk
/// at its first bytes, where a DFA alone branches to every letter.
struct Dfa<'a> {
    dfa: &'a DFA,
    prefix: &'a [u8],
}

/// A [`Dfa`] state: the DFA's, and the bytes of the prefix read (or
/// [`OFF_PREFIX`]).
type DfaState = (u32, usize);

/// The position of a term that left the prefix.
const OFF_PREFIX: usize = usize::MAX;

impl Automaton for Dfa<'_> {
    type State = DfaState;

    fn start(&self) -> DfaState {
        (self.dfa.initial_state(), 0)
    }

    fn is_match(&self, state: &DfaState) -> bool {
        state.1 >= self.prefix.len() && matches!(self.dfa.distance(state.0), Distance::Exact(_))
    }

    fn can_match(&self, state: &DfaState) -> bool {
        state.0 != levenshtein_automata::SINK_STATE && state.1 != OFF_PREFIX
    }

    fn accept(&self, state: &DfaState, byte: u8) -> DfaState {
        let read = match state.1 {
            OFF_PREFIX => OFF_PREFIX,
            n if n >= self.prefix.len() => n,
            n if self.prefix[n] == byte => n + 1,
            _ => OFF_PREFIX,
        };
        (self.dfa.transition(state.0, byte), read)
    }
}

/// The words of the passages within `distance` edits of `word` (folded,
/// unstemmed) that start with `prefix`: the unstemmed words of `words` and
/// the terms of `stems` that stem to themselves, those in the most passages
/// first (at most `max`, the word itself always first when the passages
/// hold it).
///
/// # Errors
/// A term dictionary cannot be read.
pub fn near(
    searcher: &Searcher,
    (words, stems): (Field, Field),
    word: &str,
    distance: u8,
    prefix: &str,
    max: usize,
) -> tantivy::Result<Vec<Near>> {
    let dfa = builder(distance).build_dfa(word);
    let automaton = Dfa {
        dfa: &dfa,
        prefix: prefix.as_bytes(),
    };
    let mut found: HashMap<Vec<u8>, u64> = HashMap::new();
    let mut stem = String::new();
    for (field, stemmed) in [(words, false), (stems, true)] {
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let mut stream = index.terms().search(&automaton).into_stream()?;
            while stream.advance() {
                let key = stream.key();
                let keep = if stemmed {
                    std::str::from_utf8(key).is_ok_and(|term| {
                        stem.clear();
                        stem.push_str(term);
                        analysis::stem(&mut stem);
                        stem == term
                    })
                } else {
                    analysis::is_surface_word(key)
                };
                if keep {
                    *found.entry(key.to_vec()).or_default() += u64::from(stream.value().doc_freq);
                }
            }
        }
    }
    let mut near: Vec<Near> = found
        .into_iter()
        .filter_map(|(bytes, passages)| {
            let distance = match dfa.eval(&bytes) {
                Distance::Exact(d) => d,
                Distance::AtLeast(_) => return None,
            };
            let word = String::from_utf8(bytes).ok()?;
            Some(Near {
                word,
                distance,
                passages,
            })
        })
        .collect();
    near.sort_unstable_by(|a, b| {
        (a.distance > 0)
            .cmp(&(b.distance > 0))
            .then(b.passages.cmp(&a.passages))
            .then_with(|| a.word.cmp(&b.word))
    });
    near.truncate(max);
    Ok(near)
}

/// BM25's inverse document frequency of a term in `n` documents of `total`.
fn idf(n: u64, total: u64) -> f32 {
    let (n, total) = (n as f32, total as f32);
    (1.0 + (total - n + 0.5) / (n + 0.5)).ln()
}

/// The boost of a word found `distance` edits from the word typed, searched
/// by its stem `found_stem` beside the typed word's stem `typed_stem` in
/// `field`: [`EDIT_WEIGHT`] per edit, and no more than the typed word's
/// rarity, so a rare misspelling does not outscore the word itself
/// (`EDIT_WEIGHT^distance × min(1, idf(typed) / idf(found))`).
pub fn weight(
    searcher: &Searcher,
    field: Field,
    typed_stem: &str,
    found_stem: &str,
    distance: u8,
) -> f32 {
    if distance == 0 || typed_stem == found_stem {
        return 1.0;
    }
    let total = searcher.num_docs();
    let df = |stem: &str| {
        searcher
            .doc_freq(&Term::from_field_text(field, stem))
            .unwrap_or(0)
    };
    let rarity = (idf(df(typed_stem), total) / idf(df(found_stem), total)).min(1.0);
    EDIT_WEIGHT.powi(i32::from(distance)) * rarity
}

/// A close spelling of a query word, which a search mentions without
/// searching it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suggestion {
    /// The query word, as typed.
    pub word: String,
    /// The close spelling found in the passages, folded (lower case, no
    /// accents).
    pub spelling: String,
    /// Passages holding the spelling (by its stem, as a search for it would
    /// find them).
    pub passages: u64,
}

impl Suggestion {
    /// The line a person reads: `also 1 passage with "Aragau": add ~ to
    /// include it` (the spelling capitalised as the query word is).
    pub fn message(&self) -> String {
        let mut spelling = self.spelling.clone();
        if self.word.chars().next().is_some_and(char::is_uppercase) {
            let mut chars = spelling.chars();
            if let Some(first) = chars.next() {
                spelling = first.to_uppercase().chain(chars).collect();
            }
        }
        let passages = match self.passages {
            1 => "1 passage".to_owned(),
            n => format!("{n} passages"),
        };
        format!("also {passages} with \"{spelling}\": add ~ to include it")
    }
}

/// Whether two stems are one word's forms: the same, or one the other's
/// start ("terror" of *terrorism* and "terrorist"; "venezuela" and
/// "venezuelan"), so that a variant is not taken for a spelling.
fn same_family(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The close spellings worth mentioning for the query words `typed` (bare
/// content words): for a word of at least [`HINT_MIN_CHARS`] characters,
/// the word of the passages within 1 edit that starts with the same letter, stems otherwise and is rare beside it (a likely misspelling or variant,
/// not another common word): in fewer passages than the typed word, and in
/// at most [`HINT_MAX_SHARE`] of them or at most [`HINT_FEW_PASSAGES`], and
/// never in more than [`HINT_MAX_PASSAGES`]; any spelling when the typed
/// word is in no passage. Of those, the one in the most passages; at most
/// [`MAX_HINTS`] in all, looking at the first [`MAX_HINT_WORDS`] words.
/// The work: one automaton walk of two dictionaries per word, and a count
/// of the passages of each rare candidate, once per word in `known`.
///
/// # Errors
/// A term dictionary cannot be read.
pub fn suggestions(
    searcher: &Searcher,
    words: Field,
    stems: Field,
    typed: &[&str],
    known: &Hints,
) -> tantivy::Result<Vec<Suggestion>> {
    let mut unstemmed = analysis::unstemmed_analyzer();
    let mut out: Vec<Suggestion> = Vec::new();
    for &typed_word in typed.iter().take(MAX_HINT_WORDS) {
        if out.len() >= MAX_HINTS {
            break;
        }
        let [word] = analysis::terms(&mut unstemmed, typed_word)
            .try_into()
            .unwrap_or_default();
        if word.chars().count() < HINT_MIN_CHARS || word.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let found = match known.get(&word) {
            Some(found) => found,
            None => {
                let found = spelling(searcher, (words, stems), &word)?;
                known.put(word, found.clone());
                found
            }
        };
        if let Some((spelling, passages)) = found {
            if !out.iter().any(|s| s.spelling == spelling) {
                out.push(Suggestion {
                    word: typed_word.to_owned(),
                    spelling,
                    passages,
                });
            }
        }
    }
    Ok(out)
}

/// The close spelling of one folded query word that [`suggestions`]
/// mentions, with its passages.
fn spelling(
    searcher: &Searcher,
    (words, stems): (Field, Field),
    word: &str,
) -> tantivy::Result<Option<(String, u64)>> {
    // One edit: the automaton of two costs milliseconds to build.
    let distance = 1;
    let mut typed_stem = word.to_owned();
    analysis::stem(&mut typed_stem);
    let count = |stem: &str| -> tantivy::Result<u64> {
        let term = Term::from_field_text(stems, stem);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        Ok(searcher.search(&query, &tantivy::collector::Count)? as u64)
    };
    // (The typed word's passages only bound the others': its document
    // frequency is enough, deleted passages and all.)
    let typed_passages = searcher.doc_freq(&Term::from_field_text(stems, &typed_stem))?;
    let limit = match typed_passages {
        0 => u64::MAX,
        n => {
            let share = (n as f64 * HINT_MAX_SHARE) as u64;
            HINT_MAX_PASSAGES.min(share.max(HINT_FEW_PASSAGES.min(n - 1)))
        }
    };
    let mut best: Option<(String, u64)> = None;
    // Typing rarely gets the first letter wrong ("Soles", "holes").
    let first = word.chars().next().map(String::from).unwrap_or_default();
    for found in near(searcher, (words, stems), word, distance, &first, usize::MAX)? {
        let mut stem = found.word.clone();
        analysis::stem(&mut stem);
        if found.distance == 0 || same_family(&stem, &typed_stem) || found.passages > limit {
            continue;
        }
        let passages = count(&stem)?;
        if passages == 0 || passages > limit {
            continue;
        }
        if best.as_ref().is_none_or(|b| passages > b.1) {
            best = Some((found.word, passages));
        }
    }
    Ok(best)
}

/// Query words whose close spellings are looked up at most this many at
/// once in [`Hints`]: forgotten all together past it.
const HINTS_KEPT: usize = 10_000;

/// The close spelling [`suggestions`] found for each folded query word
/// (and its passages), for one snapshot of an index: its term dictionaries
/// do not change, so a searcher that answers many queries (a server, a
/// batch) walks them once per word.
#[derive(Debug, Default)]
pub struct Hints(std::sync::Mutex<HashMap<String, Option<(String, u64)>>>);

impl Hints {
    fn get(&self, word: &str) -> Option<Option<(String, u64)>> {
        let known = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        known.get(word).cloned()
    }

    fn put(&self, word: String, found: Option<(String, u64)>) {
        let mut known = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if known.len() >= HINTS_KEPT {
            known.clear();
        }
        known.insert(word, found);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `near` over an index whose passages hold `words` (both fields).
    fn near_in(words: &[&str], word: &str, prefix: &str) -> Vec<String> {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        for w in words {
            writer
                .add_document(tantivy::doc!(body => *w, title => *w))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let mut found: Vec<String> = near(&searcher, (title, body), word, 1, prefix, 10)
            .unwrap()
            .into_iter()
            .map(|n| n.word)
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_known_word_is_suggested_as_before_and_named_as_typed() {
        let (mut writer, [body, title]) = crate::testing::body_title_writer();
        for w in ["aragua", "aragua", "aragua", "aragua", "aragua", "aragau"] {
            writer
                .add_document(tantivy::doc!(body => w, title => w))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = writer.index().reader().unwrap().searcher();
        let known = Hints::default();
        let found = |typed: &str| {
            suggestions(&searcher, title, body, &[typed], &known)
                .unwrap()
                .into_iter()
                .map(|s| (s.word, s.spelling, s.passages))
                .collect::<Vec<_>>()
        };
        let first = found("Aragua");
        assert_eq!(first, [("Aragua".to_owned(), "aragau".to_owned(), 1)]);
        // The second time from what the first looked up.
        assert_eq!(known.get("aragua"), Some(Some(("aragau".to_owned(), 1))));
        assert_eq!(found("Aragua"), first);
        assert_eq!(
            found("ARAGUA"),
            [("ARAGUA".to_owned(), "aragau".to_owned(), 1)]
        );
    }

    #[test]
    fn a_prefix_keeps_only_the_spellings_that_start_with_it() {
        let words = ["aragua", "aragau", "bragua", "arágua", "xyz"];
        assert_eq!(
            near_in(&words, "aragua", ""),
            ["aragau", "aragua", "arágua", "bragua"]
        );
        assert_eq!(
            near_in(&words, "aragua", "a"),
            ["aragau", "aragua", "arágua"]
        );
        assert_eq!(near_in(&words, "aragua", "b"), ["bragua"]);
        assert!(near_in(&words, "aragua", "x").is_empty());
    }
}
