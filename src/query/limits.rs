//! Bounds on the work one query may ask for. A query's cost grows with its
//! words (each a posting list to walk and score, each pair a proximity
//! clause) and with the words its prefixes expand to; past these limits the
//! query is cut down, and the search says what it left out.

use super::parse::{Atom, AtomKind, Clause, Expr, Occur};

/// Words searched per query: the first this many words (of bare words,
/// phrases and prefixes, in query order) are kept, the rest dropped. A long
/// natural-language question (a few dozen words) stays whole.
pub const MAX_QUERY_WORDS: usize = 256;
/// Indexed words all the prefixes of one query expand to together (each
/// at most [`super::prefix::MAX_PREFIX_TERMS`]); a prefix after the budget
/// is spent keeps its most frequent word only.
pub const MAX_QUERY_PREFIX_TERMS: usize = 10_000;

/// `expr` with at most [`MAX_QUERY_WORDS`] words, and a warning saying what
/// was dropped when some were; `None` when nothing is left.
pub fn bound(expr: Expr) -> (Option<Expr>, Option<String>) {
    let words = count_words(&expr);
    if words <= MAX_QUERY_WORDS {
        return (Some(expr), None);
    }
    let mut budget = MAX_QUERY_WORDS;
    let kept = keep(expr, &mut budget);
    let warning =
        format!("the query has {words} words; only the first {MAX_QUERY_WORDS} were searched");
    (kept, Some(warning))
}

/// Words of an atom: those of its text, at least one.
fn atom_words(kind: &AtomKind) -> usize {
    match kind {
        AtomKind::Word(_) | AtomKind::Prefix(_) | AtomKind::Fuzzy { .. } => 1,
        AtomKind::Phrase { text, .. } => text.split_whitespace().count().max(1),
    }
}

fn count_words(expr: &Expr) -> usize {
    match expr {
        Expr::Atom(atom) => atom_words(&atom.kind),
        Expr::Or(items) => items.iter().map(count_words).sum(),
        Expr::Seq(clauses) => clauses.iter().map(|c| count_words(&c.expr)).sum(),
    }
}

/// The part of `expr` that fits in `budget` words, in query order; a phrase
/// longer than what is left keeps its first words.
fn keep(expr: Expr, budget: &mut usize) -> Option<Expr> {
    if *budget == 0 {
        return None;
    }
    match expr {
        Expr::Atom(Atom { field, kind }) => {
            let words = atom_words(&kind);
            let kind = match kind {
                AtomKind::Phrase { text, slop } if words > *budget => {
                    let text = text.split_whitespace().take(*budget);
                    let text = text.collect::<Vec<_>>().join(" ");
                    AtomKind::Phrase { text, slop }
                }
                kind => kind,
            };
            *budget = budget.saturating_sub(words);
            Some(Expr::Atom(Atom { field, kind }))
        }
        Expr::Or(items) => {
            let mut kept: Vec<Expr> = items.into_iter().filter_map(|e| keep(e, budget)).collect();
            match kept.len() {
                0 => None,
                1 => kept.pop(),
                _ => Some(Expr::Or(kept)),
            }
        }
        Expr::Seq(clauses) => {
            let mut kept: Vec<Clause> = clauses
                .into_iter()
                .filter_map(|c| {
                    let expr = keep(c.expr, budget)?;
                    Some(Clause {
                        occur: c.occur,
                        expr,
                    })
                })
                .collect();
            match kept.as_slice() {
                [] => None,
                // As the parser writes a lone clause that follows the match mode.
                [Clause {
                    occur: Occur::Default,
                    ..
                }] => kept.pop().map(|c| c.expr),
                _ => Some(Expr::Seq(kept)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse::{parse, parse_plain};

    #[test]
    fn short_queries_are_kept_whole() {
        let expr = parse("a \"b c\" (d OR e*) -f").unwrap();
        assert_eq!(bound(expr.clone()), (Some(expr), None));
    }

    #[test]
    fn long_queries_keep_their_first_words_and_say_so() {
        let text: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let (kept, warning) = bound(parse_plain(&text.join(" ")).unwrap());
        assert_eq!(kept, parse_plain(&text[..MAX_QUERY_WORDS].join(" ")).ok());
        assert_eq!(
            warning.as_deref(),
            Some("the query has 300 words; only the first 256 were searched")
        );
        // A phrase counts its words, and is cut when it does not fit.
        let long = format!("x OR \"{}\" y", text.join(" "));
        let (kept, warning) = bound(parse(&long).unwrap());
        let phrase = format!("x OR \"{}\"", text[..MAX_QUERY_WORDS - 1].join(" "));
        assert_eq!(kept, Some(parse(&phrase).unwrap()));
        assert!(warning.unwrap().starts_with("the query has 302 words"));
    }
}
