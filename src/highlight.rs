//! Highlights: byte ranges in a passage that mark what the query matched,
//! found by analysing the passage with the index's analyzer, so `Nicolas`
//! marks `Nicolás` and a phrase is marked as one span.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, Token};

/// What a query asks to highlight, as analysed terms.
#[derive(Debug, Clone, Default)]
pub struct HighlightTerms {
    /// Quoted phrases and multi-term words (`Venezuela's`): marked whole.
    pub phrases: Vec<Vec<String>>,
    /// All bare words in query order: two or more of them standing together
    /// in this order are marked as one span.
    pub sequence: Vec<String>,
    /// Single terms, marked on their own unless they are stop words.
    pub terms: HashSet<String>,
    /// Prefixes of `word*` queries (unstemmed).
    pub prefixes: Vec<String>,
}

impl HighlightTerms {
    /// Byte ranges in `text` to highlight, sorted and not overlapping;
    /// `unstemmed` is an [`analysis::unstemmed_analyzer`].
    pub fn ranges(&self, unstemmed: &mut TextAnalyzer, text: &str) -> Vec<[usize; 2]> {
        let mut tokens = analysis::tokens(unstemmed, text);
        // The unstemmed terms are needed for prefixes only.
        let unstemmed = if self.prefixes.is_empty() {
            Vec::new()
        } else {
            tokens.clone()
        };
        let may_match = self.stem(&mut tokens);
        let mut marked = vec![false; tokens.len()];
        let mut spans = Vec::new();
        for phrase in &self.phrases {
            mark_runs(&tokens, &mut marked, &mut spans, |at| {
                matches_at(&tokens, at, phrase).then_some(phrase.len())
            });
        }
        if self.sequence.len() >= 2 {
            mark_runs(&tokens, &mut marked, &mut spans, |at| {
                let longest = (0..self.sequence.len())
                    .map(|s| {
                        tokens[at..]
                            .iter()
                            .zip(&self.sequence[s..])
                            .take_while(|(t, q)| t.term == **q)
                            .count()
                    })
                    .max()
                    .unwrap_or(0);
                (longest >= 2).then_some(longest)
            });
        }
        let only_stop_words = self.terms.iter().all(|t| analysis::is_stop_word(t));
        for (i, token) in tokens.iter().enumerate() {
            if marked[i] {
                continue;
            }
            let term_hit = may_match[i]
                && self.terms.contains(&token.term)
                && (only_stop_words || !analysis::is_stop_word(&token.term));
            let prefix_hit = unstemmed
                .get(i)
                .is_some_and(|u| self.prefixes.iter().any(|p| u.term.starts_with(p.as_str())));
            if term_hit || prefix_hit {
                spans.push([token.start, token.end]);
            }
        }
        spans.sort_unstable();
        spans
    }
}

impl HighlightTerms {
    /// Stems the unstemmed `tokens`' terms, as the index's analyzer does,
    /// except words that cannot stem to a query term (a stem starts with its
    /// word's first character): they keep their unstemmed term, which
    /// matches no query term either. Stemming every word of a passage was
    /// most of the cost of highlighting. Gives, token by token, whether its
    /// term may be a query term.
    fn stem(&self, tokens: &mut [Token]) -> Vec<bool> {
        let query_terms = self
            .phrases
            .iter()
            .flatten()
            .chain(&self.sequence)
            .chain(&self.terms);
        let mut firsts: Vec<char> = query_terms.filter_map(|t| t.chars().next()).collect();
        firsts.sort_unstable();
        firsts.dedup();
        tokens
            .iter_mut()
            .map(|token| {
                let may_match = token
                    .term
                    .chars()
                    .next()
                    .is_some_and(|c| firsts.contains(&c));
                if may_match {
                    analysis::stem(&mut token.term);
                }
                may_match
            })
            .collect()
    }
}

fn matches_at(tokens: &[Token], at: usize, phrase: &[String]) -> bool {
    tokens.len() >= at + phrase.len()
        && tokens[at..at + phrase.len()]
            .iter()
            .zip(phrase)
            .all(|(t, p)| t.term == *p)
}

/// Marks runs of unmarked tokens found by `run_at` (which gives a run's
/// length at a position) as single spans.
fn mark_runs(
    tokens: &[Token],
    marked: &mut [bool],
    spans: &mut Vec<[usize; 2]>,
    run_at: impl Fn(usize) -> Option<usize>,
) {
    let mut i = 0;
    while i < tokens.len() {
        match run_at(i) {
            Some(len) if marked[i..i + len].iter().all(|m| !m) => {
                spans.push([tokens[i].start, tokens[i + len - 1].end]);
                marked[i..i + len].iter_mut().for_each(|m| *m = true);
                i += len;
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms_for(words: &[&str]) -> HighlightTerms {
        let mut a = analysis::analyzer();
        let mut hl = HighlightTerms::default();
        for w in words {
            let t = analysis::terms(&mut a, w);
            hl.terms.extend(t.iter().cloned());
            hl.sequence.extend(t);
        }
        hl
    }

    fn marked<'a>(text: &'a str, hl: &HighlightTerms) -> Vec<&'a str> {
        hl.ranges(&mut analysis::unstemmed_analyzer(), text)
            .iter()
            .map(|[s, e]| &text[*s..*e])
            .collect()
    }

    #[test]
    fn bare_words_together_are_one_span_and_stray_stop_words_are_not_marked() {
        let hl = terms_for(&["Tren", "de", "Aragua"]);
        let text = "the Cartel de los Soles works with Tren de Aragua and with Aragua alone";
        assert_eq!(marked(text, &hl), vec!["Tren de Aragua", "Aragua"]);
    }

    #[test]
    fn accents_fold_in_highlights() {
        let hl = terms_for(&["Nicolas", "Maduro"]);
        assert_eq!(
            marked("President Nicolás Maduro said", &hl),
            vec!["Nicolás Maduro"]
        );
    }

    #[test]
    fn phrases_are_marked_whole_and_prefixes_by_start() {
        let mut a = analysis::analyzer();
        let hl = HighlightTerms {
            phrases: vec![analysis::terms(&mut a, "legitimate government")],
            prefixes: vec!["narco".into()],
            ..HighlightTerms::default()
        };
        let text = "Venezuela’s legitimate government fights narcoterrorists";
        assert_eq!(
            marked(text, &hl),
            vec!["legitimate government", "narcoterrorists"]
        );
    }
}
