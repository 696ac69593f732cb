//! Parses the query text a reporter types into an [`Expr`] tree.
//!
//! Grammar (operators `AND`, `OR`, `NOT` only in upper case):
//! ```text
//! query    := disjunct ( OR disjunct )*
//! disjunct := clause ( [AND] clause )*
//! clause   := '+' clause | '-' clause | NOT clause | primary
//! primary  := '(' query ')' | FIELD ':' (atom | '(' query ')') | atom
//! atom     := phrase [ '~' DIGITS ] | word [ '*' | '~' [ DIGIT ] ]
//! ```
//! The text is first split into tokens, then parsed by recursive descent.
//! Only brackets recurse, and their depth is capped, so no input can
//! overflow the stack.

/// Longest accepted query, in characters.
const MAX_CHARS: usize = 10_000;
/// Deepest accepted bracket nesting.
const MAX_DEPTH: usize = 64;
/// Largest accepted phrase slop (`"a b"~N`).
const MAX_SLOP: u32 = 100;
/// Largest accepted edit distance of a spelling (`word~N`).
const MAX_EDITS: u8 = super::fuzzy::MAX_DISTANCE;

/// How a clause takes part in its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occur {
    /// Follows the match mode: all → must, any → should.
    Default,
    /// Must match (`+x`, or either side of `a AND b`).
    Must,
    /// Must not match (`-x`, `NOT x`).
    MustNot,
}

/// What an atom searches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtomKind {
    /// A bare word as typed (may contain apostrophes, hyphens, dots, colons).
    Word(String),
    /// `word*`: words starting with this text (held without the star).
    Prefix(String),
    /// `word~` or `word~N`: words within `N` edits of this text (held
    /// without the tilde); `None`: as many as the word's length allows.
    Fuzzy {
        /// The word as typed.
        text: String,
        /// Edits allowed, 0 to 2 (`None`: see `fuzzy::auto_distance`).
        distance: Option<u8>,
    },
    /// `"quoted text"`, optionally followed by `~N` (slop `N`, else 0).
    Phrase {
        /// The text between the quotes, trimmed.
        text: String,
        /// How far apart the words may be.
        slop: u32,
    },
}

/// A single search term, optionally restricted to a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Atom {
    /// The field to search (`title:x`); `None` means the default fields.
    pub field: Option<Field>,
    /// The term itself.
    pub kind: AtomKind,
}

/// A searchable field, written `title:`, `body:`, `outlet:` or `author:` (any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The headline.
    Title,
    /// The article text.
    Body,
    /// The publication.
    Outlet,
    /// The byline.
    Author,
}

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        match name.to_ascii_lowercase().as_str() {
            "title" => Some(Field::Title),
            "body" => Some(Field::Body),
            "outlet" => Some(Field::Outlet),
            "author" => Some(Field::Author),
            _ => None,
        }
    }
}

/// One member of a [`Expr::Seq`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    /// How the clause takes part.
    pub occur: Occur,
    /// What the clause matches.
    pub expr: Expr,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A single term.
    Atom(Atom),
    /// `a OR b OR c` (at least two items).
    Or(Vec<Expr>),
    /// Clauses joined by adjacency or `AND`.
    Seq(Vec<Clause>),
}

impl Expr {
    /// True when the expression can match something on its own
    /// (has at least one atom not under `MustNot`).
    pub fn has_positive(&self) -> bool {
        match self {
            Expr::Atom(_) => true,
            Expr::Or(items) => items.iter().any(Expr::has_positive),
            Expr::Seq(clauses) => clauses
                .iter()
                .any(|c| c.occur != Occur::MustNot && c.expr.has_positive()),
        }
    }
}

/// Why a query could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at column {column}")]
pub struct ParseError {
    /// Where the problem is: 1-based, counted in characters.
    pub column: usize,
    /// What is wrong, for the user.
    pub message: String,
}

fn err(column: usize, message: impl Into<String>) -> ParseError {
    let message = message.into();
    ParseError { column, message }
}

/// Parses query text with operators, quotes, fields and brackets.
///
/// # Errors
/// A [`ParseError`] with the column and a message for the user when the text is
/// empty, too long, or breaks the grammar (unclosed quote, unknown field, ...).
pub fn parse(input: &str) -> Result<Expr, ParseError> {
    check_length(input)?;
    let chars: Vec<char> = input.chars().collect();
    let mut parser = Parser {
        tokens: lex(&chars)?,
        pos: 0,
    };
    let expr = parser.query(0, None)?;
    match parser.tokens.get(parser.pos) {
        // `query` stops only at the end or at a `)`.
        Some(t) => Err(err(t.col, "unexpected ')'")),
        None => Ok(expr),
    }
}

/// Fails when the query is longer than [`MAX_CHARS`] characters.
fn check_length(input: &str) -> Result<(), ParseError> {
    // A quick bound first: a character is at most 4 bytes.
    if input.len() <= MAX_CHARS {
        return Ok(());
    }
    let n = input.chars().count();
    if n <= MAX_CHARS {
        return Ok(());
    }
    let msg = format!("query is too long ({n} characters; the limit is {MAX_CHARS})");
    Err(err(MAX_CHARS + 1, msg))
}

/// `--plain`: no operators, quotes, fields or brackets; AND/OR/NOT are words.
/// Returns Seq of Default Word atoms (possibly empty Seq).
///
/// # Errors
/// A [`ParseError`] when the text is longer than [`MAX_CHARS`] characters,
/// as with [`parse`].
pub fn parse_plain(input: &str) -> Result<Expr, ParseError> {
    check_length(input)?;
    let word = |w: &str| {
        Expr::Atom(Atom {
            field: None,
            kind: AtomKind::Word(w.into()),
        })
    };
    let clause = |w| Clause {
        occur: Occur::Default,
        expr: word(w),
    };
    Ok(Expr::Seq(
        input
            .split(is_space)
            .filter(|w| !w.is_empty())
            .map(clause)
            .collect(),
    ))
}

/// Whitespace, control characters and invisible direction/format marks.
fn is_space(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Separates tokens and is otherwise ignored (`~` only means slop right
/// after a phrase, and a spelling right after a word when a gap, a bracket,
/// a quote or the end follows it, or a digit and then one of those).
fn is_gap(c: char) -> bool {
    is_space(c) || c == '~'
}

fn is_quote_open(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

fn is_quote_close(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

#[derive(Debug, Clone)]
enum Tok {
    Open,
    Close,
    Plus,
    Minus,
    And,
    Or,
    Not,
    /// `name:`, always directly followed by a word, phrase or `(`.
    Field(Field),
    Atom(AtomKind),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    col: usize,
}

fn lex(chars: &[char]) -> Result<Vec<Token>, ParseError> {
    let mut tokens: Vec<Token> = Vec::new();
    // Whether a `+`/`-` here is an operator: at the start, after a gap, `(` or another operator.
    let (mut i, mut op_ok) = (0, true);
    while let Some(&c) = chars.get(i) {
        let col = i + 1;
        if is_gap(c) {
            (i, op_ok) = (i + 1, true);
            continue;
        }
        let (tok, next) = match c {
            '(' => (Tok::Open, i + 1),
            ')' => (Tok::Close, i + 1),
            '+' | '-' if op_ok => {
                if chars.get(i + 1).is_none_or(|&n| is_gap(n)) {
                    return Err(err(col, format!("expected a term after '{c}'")));
                }
                (if c == '+' { Tok::Plus } else { Tok::Minus }, i + 1)
            }
            _ if is_quote_open(c) => lex_phrase(chars, i)?,
            _ => {
                let after_field = matches!(tokens.last().map(|t| &t.tok), Some(Tok::Field(_)));
                lex_word(chars, i, after_field)?
            }
        };
        op_ok = matches!(tok, Tok::Open | Tok::Plus | Tok::Minus);
        tokens.push(Token { tok, col });
        i = next;
    }
    Ok(tokens)
}

/// Lexes a phrase whose opening quote is at `start`; returns it and the index after it.
fn lex_phrase(chars: &[char], start: usize) -> Result<(Tok, usize), ParseError> {
    let close = chars[start + 1..]
        .iter()
        .position(|&c| is_quote_close(c))
        .ok_or_else(|| err(start + 1, "unclosed quote"))?
        + start
        + 1;
    let text: String = chars[start + 1..close]
        .iter()
        .map(|&c| if is_space(c) { ' ' } else { c })
        .collect();
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(err(start + 1, "empty phrase"));
    }
    let (mut end, mut slop) = (close + 1, 0);
    if chars.get(end) == Some(&'~') {
        let digits: String = chars[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        if !digits.is_empty() {
            slop = digits
                .parse()
                .ok()
                .filter(|&n| n <= MAX_SLOP)
                .ok_or_else(|| err(end + 1, format!("phrase slop must be at most {MAX_SLOP}")))?;
            end += 1 + digits.len();
        }
    }
    Ok((Tok::Atom(AtomKind::Phrase { text, slop }), end))
}

/// Lexes a word (or operator, or field name) starting at `start`; returns it and the index after it.
/// Right after a field name, the word is taken literally (`title:AND`).
fn lex_word(chars: &[char], start: usize, after_field: bool) -> Result<(Tok, usize), ParseError> {
    let is_break = |c: char| is_gap(c) || matches!(c, '(' | ')') || is_quote_open(c);
    let end = chars[start..]
        .iter()
        .position(|&c| is_break(c))
        .map_or(chars.len(), |p| start + p);
    let run = &chars[start..end];
    let text: String = run.iter().collect();
    if !after_field {
        match text.as_str() {
            "AND" => return Ok((Tok::And, end)),
            "OR" => return Ok((Tok::Or, end)),
            "NOT" => return Ok((Tok::Not, end)),
            _ => {}
        }
        // `name:` directly followed by a letter, digit, quote or `(` is a field.
        let name_len = run.iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let then = chars.get(start + name_len + 1);
        if name_len > 0
            && run.get(name_len) == Some(&':')
            && then.is_some_and(|&c| c.is_alphanumeric() || c == '(' || is_quote_open(c))
        {
            let name = &text[..name_len];
            return match Field::from_name(name) {
                Some(field) => Ok((Tok::Field(field), start + name_len + 1)),
                None => Err(err(
                    start + 1,
                    format!("unknown field '{name}' (known fields: title, body, outlet, author)"),
                )),
            };
        }
    }
    let kind = match run.iter().position(|&c| c == '*') {
        None => AtomKind::Word(text),
        Some(p) if p + 1 < run.len() => {
            return Err(err(
                start + p + 1,
                "wildcards are only allowed at the end of a word",
            ));
        }
        Some(p) if !run[..p].iter().any(|c| c.is_alphanumeric()) => {
            return Err(err(
                start + p + 1,
                "a wildcard needs at least one letter before it",
            ));
        }
        Some(p) => AtomKind::Prefix(run[..p].iter().collect()),
    };
    if let (AtomKind::Word(text), Some('~')) = (&kind, chars.get(end)) {
        let digits = chars[end + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        let after = end + 1 + digits;
        if chars.get(after).is_none_or(|&c| is_break(c)) {
            let distance = match digits {
                0 => None,
                _ => Some(
                    chars[end + 1..after]
                        .iter()
                        .collect::<String>()
                        .parse::<u8>()
                        .ok()
                        .filter(|&n| n <= MAX_EDITS)
                        .ok_or_else(|| {
                            err(end + 2, format!("edits after '~' must be 0 to {MAX_EDITS}"))
                        })?,
                ),
            };
            let text = text.clone();
            return Ok((Tok::Atom(AtomKind::Fuzzy { text, distance }), after));
        }
    }
    Ok((Tok::Atom(kind), end))
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    /// Consumes the next token if `want` accepts it; returns its column.
    fn eat(&mut self, want: fn(&Tok) -> bool) -> Option<usize> {
        let col = self.tokens.get(self.pos).filter(|t| want(&t.tok))?.col;
        self.pos += 1;
        Some(col)
    }

    /// Fails unless the next token can start a clause.
    fn expect_term_after(&self, col: usize, op: &str) -> Result<(), ParseError> {
        match self.peek() {
            Some(Tok::Open | Tok::Plus | Tok::Minus | Tok::Not | Tok::Field(_) | Tok::Atom(_)) => {
                Ok(())
            }
            _ => Err(err(col, format!("expected a term after '{op}'"))),
        }
    }

    fn query(&mut self, depth: usize, field: Option<Field>) -> Result<Expr, ParseError> {
        let mut items = vec![self.disjunct(depth, field)?];
        while let Some(col) = self.eat(|t| matches!(t, Tok::Or)) {
            self.expect_term_after(col, "OR")?;
            items.push(self.disjunct(depth, field)?);
        }
        if items.len() == 1 {
            return Ok(items.swap_remove(0));
        }
        Ok(Expr::Or(items))
    }

    fn disjunct(&mut self, depth: usize, field: Option<Field>) -> Result<Expr, ParseError> {
        fn require(clause: &mut Clause) {
            if clause.occur == Occur::Default {
                clause.occur = Occur::Must;
            }
        }
        let mut clauses = vec![self.clause(depth, field)?];
        while !matches!(self.peek(), None | Some(Tok::Or | Tok::Close)) {
            let Some(col) = self.eat(|t| matches!(t, Tok::And)) else {
                clauses.push(self.clause(depth, field)?);
                continue;
            };
            self.expect_term_after(col, "AND")?;
            if let Some(left) = clauses.last_mut() {
                require(left);
            }
            let mut right = self.clause(depth, field)?;
            require(&mut right);
            clauses.push(right);
        }
        if clauses.len() == 1 && clauses[0].occur == Occur::Default {
            return Ok(clauses.swap_remove(0).expr);
        }
        Ok(Expr::Seq(clauses))
    }

    /// Prefix operators and field names are consumed in a loop, so long runs of them cannot
    /// exhaust the stack. Combined operators: `-`/`NOT` anywhere wins, else `+`.
    fn clause(&mut self, depth: usize, mut field: Option<Field>) -> Result<Clause, ParseError> {
        let mut occur = Occur::Default;
        let expr = loop {
            // The only way to run out of tokens here is an empty token list.
            let Some(Token { tok, col }) = self.tokens.get(self.pos).cloned() else {
                return Err(err(1, "empty query"));
            };
            self.pos += 1;
            let (op, name) = match tok {
                Tok::Atom(kind) => break Expr::Atom(Atom { field, kind }),
                Tok::Open => break self.group(col, depth + 1, field)?,
                Tok::Field(f) => {
                    field = Some(f);
                    continue;
                }
                Tok::Close => return Err(err(col, "unexpected ')'")),
                Tok::And => return Err(err(col, "expected a term before 'AND'")),
                Tok::Or => return Err(err(col, "expected a term before 'OR'")),
                Tok::Plus => (Occur::Must, "+"),
                Tok::Minus => (Occur::MustNot, "-"),
                Tok::Not => (Occur::MustNot, "NOT"),
            };
            self.expect_term_after(col, name)?;
            if occur != Occur::MustNot {
                occur = op;
            }
        };
        Ok(Clause { occur, expr })
    }

    /// Parses the inside of brackets whose `(` (at column `open`) was just consumed.
    fn group(
        &mut self,
        open: usize,
        depth: usize,
        field: Option<Field>,
    ) -> Result<Expr, ParseError> {
        match self.peek() {
            _ if depth > MAX_DEPTH => return Err(err(open, "brackets nested too deeply")),
            Some(Tok::Close) => return Err(err(open, "empty brackets")),
            None => return Err(err(open, "missing ')'")),
            Some(_) => {}
        }
        let expr = self.query(depth, field)?;
        match self.eat(|t| matches!(t, Tok::Close)) {
            Some(_) => Ok(expr),
            None => Err(err(open, "missing ')'")),
        }
    }
}

/// Query syntax that parses back to the same expression: how a part of a
/// query is named to the user ("no passage holds \"Maduro resigned\"").
impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expr::Atom(atom) => {
                if let Some(field) = atom.field {
                    let name = match field {
                        Field::Title => "title",
                        Field::Body => "body",
                        Field::Outlet => "outlet",
                        Field::Author => "author",
                    };
                    write!(f, "{name}:")?;
                }
                match &atom.kind {
                    AtomKind::Word(w) => write!(f, "{w}"),
                    AtomKind::Prefix(p) => write!(f, "{p}*"),
                    AtomKind::Fuzzy {
                        text,
                        distance: None,
                    } => write!(f, "{text}~"),
                    AtomKind::Fuzzy {
                        text,
                        distance: Some(d),
                    } => write!(f, "{text}~{d}"),
                    AtomKind::Phrase { text, slop: 0 } => write!(f, "\"{text}\""),
                    AtomKind::Phrase { text, slop } => write!(f, "\"{text}\"~{slop}"),
                }
            }
            Expr::Or(items) => {
                for (i, item) in items.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " OR " };
                    match item {
                        Expr::Seq(c) if c.len() > 1 => write!(f, "{sep}({item})")?,
                        _ => write!(f, "{sep}{item}")?,
                    }
                }
                Ok(())
            }
            Expr::Seq(clauses) => {
                for (i, clause) in clauses.iter().enumerate() {
                    let sign = match clause.occur {
                        Occur::Default => "",
                        Occur::Must => "+",
                        Occur::MustNot => "-",
                    };
                    let sep = if i == 0 { "" } else { " " };
                    match &clause.expr {
                        Expr::Atom(_) => write!(f, "{sep}{sign}{}", clause.expr)?,
                        group => write!(f, "{sep}{sign}({group})")?,
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Occur::{Default as D, Must as M, MustNot as N};
    use super::*;

    fn atom(field: Option<Field>, kind: AtomKind) -> Expr {
        Expr::Atom(Atom { field, kind })
    }
    fn w(s: &str) -> Expr {
        atom(None, AtomKind::Word(s.into()))
    }
    fn phrase(text: &str, slop: u32) -> Expr {
        atom(
            None,
            AtomKind::Phrase {
                text: text.into(),
                slop,
            },
        )
    }
    fn seq(clauses: Vec<(Occur, Expr)>) -> Expr {
        Expr::Seq(
            clauses
                .into_iter()
                .map(|(occur, expr)| Clause { occur, expr })
                .collect(),
        )
    }
    fn words(ws: &[&str]) -> Expr {
        seq(ws.iter().map(|s| (D, w(s))).collect())
    }
    fn ok(input: &str) -> Expr {
        parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
    }
    fn fails(input: &str, column: usize, message: &str) {
        let expected = ParseError {
            column,
            message: message.into(),
        };
        assert_eq!(parse(input), Err(expected), "{input:?}");
    }

    #[test]
    fn a_tilde_after_a_word_asks_for_its_spellings() {
        let fuzzy = |text: &str, distance| {
            atom(
                None,
                AtomKind::Fuzzy {
                    text: text.into(),
                    distance,
                },
            )
        };
        assert_eq!(ok("Aragua~"), fuzzy("Aragua", None));
        assert_eq!(ok("Aragua~1"), fuzzy("Aragua", Some(1)));
        assert_eq!(ok("(Aragua~2)"), fuzzy("Aragua", Some(2)));
        assert_eq!(ok("Aragua~0"), fuzzy("Aragua", Some(0)));
        assert_eq!(
            ok("Tren de Aragua~"),
            seq(vec![
                (D, w("Tren")),
                (D, w("de")),
                (D, fuzzy("Aragua", None))
            ])
        );
        assert_eq!(
            ok("title:Aragua~1"),
            atom(
                Some(Field::Title),
                AtomKind::Fuzzy {
                    text: "Aragua".into(),
                    distance: Some(1)
                }
            )
        );
        // Not followed by a gap: `~` still only separates words.
        assert_eq!(ok("a~b"), words(&["a", "b"]));
        assert_eq!(ok("a~1b"), words(&["a", "1b"]));
        fails("Aragua~3", 8, "edits after '~' must be 0 to 2");
        fails("Aragua~12", 8, "edits after '~' must be 0 to 2");
        // Round trip through the display form.
        for text in ["Aragua~", "Aragua~2"] {
            assert_eq!(ok(text).to_string(), text);
        }
    }

    #[test]
    fn words_keep_apostrophes_hyphens_and_dots() {
        assert_eq!(ok("Venezuela's"), w("Venezuela's"));
        let apostrophes = ["can't", "Maduro’s", "Aragua'", "'tis", "‘Tren’"];
        assert_eq!(ok(&apostrophes.join(" ")), words(&apostrophes));
        let others = [
            "MS-13",
            "narco-trafficking",
            "U.S.",
            "and",
            "or",
            "not",
            "C++",
        ];
        assert_eq!(ok(&others.join(" ")), words(&others));
        assert_eq!(ok("a~b ~ c"), words(&["a", "b", "c"]));
    }

    #[test]
    fn phrases_with_any_quotes_and_slop() {
        for q in [
            "\"Tren de Aragua\"",
            "“Tren de Aragua”",
            "„Tren de Aragua“",
            "” Tren de Aragua \"",
        ] {
            assert_eq!(ok(q), phrase("Tren de Aragua", 0), "{q}");
        }
        assert_eq!(ok("\"Nicolás Maduro\"~3"), phrase("Nicolás Maduro", 3));
        assert_eq!(ok("\"a b\"~100"), phrase("a b", 100));
        assert_eq!(
            ok("\"a b\"~ c"),
            seq(vec![(D, phrase("a b", 0)), (D, w("c"))])
        );
        assert_eq!(ok("\"Maduro's aides\""), phrase("Maduro's aides", 0));
        fails("\"a b\"~101", 6, "phrase slop must be at most 100");
        fails(
            "\"a b\"~99999999999999999999",
            6,
            "phrase slop must be at most 100",
        );
        fails("x \"Tren de", 3, "unclosed quote");
        fails("x “Tren de", 3, "unclosed quote");
        fails("a \"\" b", 3, "empty phrase");
        fails("“ ”", 1, "empty phrase");
    }

    #[test]
    fn apostrophes_never_open_quotes() {
        assert_eq!(ok("'Tren de Aragua'"), words(&["'Tren", "de", "Aragua'"]));
        assert_eq!(ok("’"), w("’"));
    }

    #[test]
    fn fields() {
        let t = |kind| atom(Some(Field::Title), kind);
        let word = |s: &str| AtomKind::Word(s.into());
        assert_eq!(ok("title:Maduro"), t(word("Maduro")));
        let slop2 = AtomKind::Phrase {
            text: "a b".into(),
            slop: 2,
        };
        assert_eq!(ok("TITLE:\"a b\"~2"), t(slop2));
        assert_eq!(ok("Outlet:2024"), atom(Some(Field::Outlet), word("2024")));
        assert_eq!(ok("title:narco*"), t(AtomKind::Prefix("narco".into())));
        assert_eq!(ok("title:AND"), t(word("AND")));
        let body = atom(Some(Field::Body), word("b"));
        assert_eq!(
            ok("title:(a OR body:b)"),
            Expr::Or(vec![t(word("a")), body])
        );
        let author = atom(Some(Field::Author), word("x"));
        assert_eq!(ok("-author:x"), seq(vec![(N, author)]));
        let unknown = "(known fields: title, body, outlet, author)";
        fails("a foo:bar", 3, &format!("unknown field 'foo' {unknown}"));
        fails("Re:\"x\"", 1, &format!("unknown field 'Re' {unknown}"));
    }

    #[test]
    fn colons_that_are_not_fields() {
        assert_eq!(ok("said: x"), words(&["said:", "x"]));
        assert_eq!(ok("Note:"), w("Note:"));
        let others = ["https://x.com", "10:30", "title:-x", "Venezuela's:x"];
        assert_eq!(ok(&others.join(" ")), words(&others));
    }

    #[test]
    fn prefixes() {
        assert_eq!(ok("narco*"), atom(None, AtomKind::Prefix("narco".into())));
        assert_eq!(
            ok("Maduro’s*"),
            atom(None, AtomKind::Prefix("Maduro’s".into()))
        );
        fails("a *", 3, "a wildcard needs at least one letter before it");
        fails("'*", 2, "a wildcard needs at least one letter before it");
        fails(
            "na*rco",
            3,
            "wildcards are only allowed at the end of a word",
        );
        fails("ab**", 3, "wildcards are only allowed at the end of a word");
    }

    #[test]
    fn prefix_operators() {
        let expected = seq(vec![(M, w("a")), (N, w("b")), (N, w("c")), (D, w("d-e"))]);
        assert_eq!(ok("+a -b NOT c d-e"), expected);
        assert_eq!(ok("(a)-b"), words(&["a", "-b"]));
        assert_eq!(ok("+-x"), seq(vec![(N, w("x"))]));
        assert_eq!(ok("NOT +x"), seq(vec![(N, w("x"))]));
        assert_eq!(ok("-(a b)"), seq(vec![(N, words(&["a", "b"]))]));
        fails("- x", 1, "expected a term after '-'");
        fails("a +", 3, "expected a term after '+'");
        fails("a -)", 3, "expected a term after '-'");
        fails("a NOT", 3, "expected a term after 'NOT'");
    }

    #[test]
    fn and_or_precedence() {
        assert_eq!(ok("a b OR c"), Expr::Or(vec![words(&["a", "b"]), w("c")]));
        assert_eq!(ok("a OR b OR c"), Expr::Or(vec![w("a"), w("b"), w("c")]));
        assert_eq!(
            ok("a b AND -c"),
            seq(vec![(D, w("a")), (M, w("b")), (N, w("c"))])
        );
        let and = seq(vec![(M, w("x")), (M, w("y"))]);
        assert_eq!(ok("x AND y OR z"), Expr::Or(vec![and, w("z")]));
        let or = Expr::Or(vec![w("a"), w("b")]);
        assert_eq!(ok("(a OR b) c"), seq(vec![(D, or), (D, w("c"))]));
        assert_eq!(ok("((a))"), w("a"));
    }

    #[test]
    fn misplaced_operators() {
        fails("AND a", 1, "expected a term before 'AND'");
        fails("(OR a)", 2, "expected a term before 'OR'");
        fails("a AND", 3, "expected a term after 'AND'");
        fails("a AND OR b", 3, "expected a term after 'AND'");
        fails("a OR", 3, "expected a term after 'OR'");
        fails("a OR OR b", 3, "expected a term after 'OR'");
        fails("NOT", 1, "expected a term after 'NOT'");
    }

    #[test]
    fn brackets() {
        fails("a (b c", 3, "missing ')'");
        fails("((a)", 1, "missing ')'");
        fails("title:(", 7, "missing ')'");
        fails("a b)", 4, "unexpected ')'");
        fails(") a", 1, "unexpected ')'");
        fails("a ()", 3, "empty brackets");
        let deep = |n| format!("{}a{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(ok(&deep(64)), w("a"));
        fails(&deep(65), 65, "brackets nested too deeply");
    }

    #[test]
    fn invisible_characters_are_whitespace() {
        let input = "a\u{200F}b\tc\u{0}d\u{FEFF}e\u{202E}f\u{2066}g\u{7F}h";
        assert_eq!(ok(input), words(&["a", "b", "c", "d", "e", "f", "g", "h"]));
        assert_eq!(ok("\"a\u{200E}b\""), phrase("a b", 0));
        fails("", 1, "empty query");
        fails(" \u{200F}\t\n ~ ", 1, "empty query");
    }

    #[test]
    fn length_limit() {
        assert!(parse(&"a ".repeat(5_000)).is_ok());
        let message = "query is too long (10001 characters; the limit is 10000)";
        fails(&"é".repeat(10_001), 10_001, message);
    }

    #[test]
    fn plain_mode() {
        let plain = parse_plain(" AND \"x\u{200F}title:y (z) -w* ").unwrap();
        assert_eq!(plain, words(&["AND", "\"x", "title:y", "(z)", "-w*"]));
        assert_eq!(parse_plain("Maduro"), Ok(words(&["Maduro"])));
        assert_eq!(parse_plain(" \u{0} "), Ok(Expr::Seq(vec![])));
        // The length limit holds for plain words too.
        assert!(parse_plain(&"é ".repeat(5_000)).is_ok());
        let message = "query is too long (10001 characters; the limit is 10000)";
        let too_long = parse_plain(&"é".repeat(10_001)).unwrap_err();
        assert_eq!(
            (too_long.column, too_long.message.as_str()),
            (10_001, message)
        );
    }

    #[test]
    fn positive_parts() {
        for q in ["a", "a -b", "-a OR b", "NOT (a -b) c"] {
            assert!(ok(q).has_positive(), "{q}");
        }
        for q in ["-maduro", "NOT x", "-(a b)", "-a OR NOT b", "+(-a)"] {
            assert!(!ok(q).has_positive(), "{q}");
        }
        assert!(!parse_plain("").unwrap().has_positive());
    }

    #[test]
    fn fuzz_never_panics() {
        let deep = "(".repeat(40);
        let pieces = [
            "(", ")", "\"", "“", "”", "„", "'", "’", "~", "~5", "*", "+", "-", ":", " ", " ",
            "AND", "OR", "NOT", "a", "b", "title:", "foo:", "é", "\u{200F}", "\u{0}", &deep,
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        for _ in 0..20_000 {
            let len = next() % 24;
            let input: String = (0..len).map(|_| pieces[next() % pieces.len()]).collect();
            if let Ok(expr) = parse(&input) {
                expr.has_positive();
            }
            parse_plain(&input).unwrap().has_positive();
        }
        for (run, parses) in [
            ("-", true),
            ("+-", true),
            ("NOT ", true),
            ("a OR ", true),
            ("(", false),
        ] {
            let input = run.repeat(9_999 / run.len()) + "x";
            assert_eq!(parse(&input).is_ok(), parses, "{run}");
        }
    }

    #[test]
    fn an_expression_prints_as_query_syntax_that_parses_back() {
        for text in [
            "Maduro",
            "\"Maduro resigned\" Caracas",
            "outlet:elpais Iberia",
            "+Rubio -Petro narco*",
            "\"Maduro regime\"~3",
            "(Maduro OR Cabello) title:(Soles AND Cartel)",
            "a OR (b c) OR d",
        ] {
            let expr = parse(text).unwrap();
            assert_eq!(parse(&expr.to_string()).unwrap(), expr, "{text} -> {expr}");
        }
        let phrase = parse("\"Maduro resigned\" Caracas").unwrap();
        let Expr::Seq(clauses) = phrase else { panic!() };
        assert_eq!(clauses[0].expr.to_string(), "\"Maduro resigned\"");
    }
}
