//! Text analysis shared by indexing, querying and highlighting: Unicode
//! words, lower case, accents folded (`Nicolas` = `Nicolás`), English
//! stemming, no stop-word removal (so "Cartel de los Soles" is a phrase).

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token as TantivyToken, TokenFilter,
    TokenStream, Tokenizer,
};
use tantivy::Index;

/// Name under which the analyzer is registered with the index.
pub const ANALYZER: &str = "newsdex";
/// Name of the analyzer without stemming (see [`unstemmed_analyzer`]).
pub const UNSTEMMED: &str = "newsdex-unstemmed";

/// Version of the text analysis, recorded in every commit: this module's
/// revision and the exact version of the stemmer (pinned in `Cargo.toml`).
/// An index analysed otherwise holds other terms, so queries would silently
/// miss; it must be rebuilt. Bump the revision whenever a change here
/// changes the terms of some text.
pub const ANALYZER_VERSION: &str = "newsdex-1 frostem-1.20260821.8";

/// The analyzer for article text, titles, outlets and authors.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(stemmed_words())
}

/// Folded words, stemmed: the tokenizer behind [`analyzer`].
fn stemmed_words() -> CachedStemmerFilter<FoldedWords> {
    CachedStemmer.transform(FoldedWords::default())
}

/// The same analysis without stemming, for prefix queries (`narco*`).
pub fn unstemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(FoldedWords::default())
}

/// Name of the analyzer of the passages' unstemmed words (see [`SurfaceWords`]).
pub const SURFACE: &str = "newsdex-surface";

/// First character of a [`SurfaceWords`] marker term (see [`marker`]).
const MARKER: char = '\u{2}';

/// The marker term of `stem`: present in the passages where `stem` stands
/// only for words that do not start with it ("company", "companies" for
/// `compani`), so that a prefix taking the stemmed field's `stem` for a word
/// can leave those passages out.
pub fn marker(stem: &str) -> String {
    let mut term = String::with_capacity(stem.len() + 1);
    term.push(MARKER);
    term.push_str(stem);
    term
}

/// Whether an indexed term of the unstemmed words is a word (not a
/// [`marker`]).
pub fn is_surface_word(term: &[u8]) -> bool {
    term.first().is_some_and(|&b| b > 0x02)
}

/// The passages' words as written (folded, not stemmed), for prefixes, with
/// the words the stemmed field already holds left out, so that they cost
/// little. A passage's tokens are:
/// - each word whose stem differs from it ("designation", "organized"), as
///   it is;
/// - then, for each stem that in this passage comes only from words that
///   do not start with it (`compani` from "company"), its [`marker`].
///
/// A word that stems to itself ("cartel", "said", "the") is left out: the
/// stemmed field holds the word as a term. The field keeps no lengths; a
/// word of the first kind is scored by BM25 with the passage's length in
/// the stemmed field, a token per word (see `query::prefix`), so exactly as
/// if every word were indexed. The rule a prefix `p*` relies on (see
/// `query::prefix`): a passage holds a word starting with `p` if and only if
/// it holds such a word of the first kind, or its stemmed field holds a term
/// `T` starting with `p` (which is then a word that stems to itself, or a
/// stem that starts some word of the passage) and it has no marker of `T`.
#[derive(Clone, Default)]
pub struct SurfaceWords {
    words: FoldedWords,
    /// The terms of the text being analysed, concatenated, and where each ends.
    terms: String,
    ends: Vec<usize>,
    /// Stems of this text from words that do not start with them, and stems
    /// that start a word of it (one a line) with their hashes (so that a cut
    /// stem is looked for among them without a scan of the text's stems).
    cut: Vec<String>,
    whole: String,
    whole_hashes: Vec<u64>,
    token: TantivyToken,
}

/// A stem's hash (FNV-1a), to find a cut stem among a text's stems.
fn stem_hash(stem: &str) -> u64 {
    stem.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Tokenizer for SurfaceWords {
    type TokenStream<'a> = SurfaceWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SurfaceWordStream<'a> {
        self.terms.clear();
        self.ends.clear();
        self.cut.clear();
        self.whole.clear();
        self.whole_hashes.clear();
        let mut stem = String::new();
        {
            let mut words = self.words.token_stream(text);
            while words.advance() {
                let word = &words.token().text;
                stem.clear();
                stem.push_str(word);
                self::stem(&mut stem);
                if stem != *word {
                    self.terms.push_str(word);
                    self.ends.push(self.terms.len());
                    if !word.starts_with(stem.as_str()) {
                        self.cut.push(stem.clone());
                        continue;
                    }
                }
                // (Without allocating: one string, a stem a line.)
                self.whole.push_str(&stem);
                self.whole.push('\n');
                self.whole_hashes.push(stem_hash(&stem));
            }
        }
        if !self.cut.is_empty() {
            self.cut.sort_unstable();
            self.cut.dedup();
            for stem in &self.cut {
                let whole = self.whole_hashes.contains(&stem_hash(stem))
                    && self.whole.lines().any(|w| w == stem);
                if !whole {
                    self.terms.push_str(&marker(stem));
                    self.ends.push(self.terms.len());
                }
            }
        }
        self.token.reset();
        SurfaceWordStream {
            terms: &self.terms,
            ends: &self.ends,
            token: &mut self.token,
            next: 0,
        }
    }
}

/// The token stream of [`SurfaceWords`].
pub struct SurfaceWordStream<'a> {
    terms: &'a str,
    ends: &'a [usize],
    token: &'a mut TantivyToken,
    next: usize,
}

impl TokenStream for SurfaceWordStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(&end) = self.ends.get(self.next) else {
            return false;
        };
        let start = match self.next {
            0 => 0,
            n => self.ends[n - 1],
        };
        self.token.text.clear();
        self.token.text.push_str(&self.terms[start..end]);
        self.token.position = self.next;
        self.next += 1;
        true
    }

    fn token(&self) -> &TantivyToken {
        self.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        self.token
    }
}

/// Words of this many bytes or more are not indexed (as Tantivy's
/// `RemoveLongFilter::limit(64)` drops them).
const LONG_WORD_BYTES: usize = 64;

/// Tantivy's lower-casing and ASCII folding, for words that are not ASCII.
type FoldNonAscii = <AsciiFoldingFilter as TokenFilter>::Tokenizer<
    <LowerCaser as TokenFilter>::Tokenizer<RawTokenizer>,
>;

/// The words of a text, lower-cased and folded to ASCII: exactly the tokens
/// of Tantivy's `SimpleTokenizer` (runs of alphanumeric characters) followed
/// by `RemoveLongFilter::limit(64)`, `LowerCaser` and `AsciiFoldingFilter`,
/// in one pass. An ASCII word is lower-cased as it is copied; a word with
/// other characters goes through Tantivy's own two filters.
#[derive(Clone)]
pub struct FoldedWords {
    token: TantivyToken,
    fold_non_ascii: FoldNonAscii,
}

impl Default for FoldedWords {
    fn default() -> Self {
        FoldedWords {
            token: TantivyToken::default(),
            fold_non_ascii: AsciiFoldingFilter
                .transform(LowerCaser.transform(RawTokenizer::default())),
        }
    }
}

impl Tokenizer for FoldedWords {
    type TokenStream<'a> = FoldedWordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldedWordStream<'a> {
        self.token.reset();
        FoldedWordStream {
            text,
            next: 0,
            words: self,
        }
    }
}

/// The token stream of [`FoldedWords`].
pub struct FoldedWordStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    next: usize,
    words: &'a mut FoldedWords,
}

impl FoldedWordStream<'_> {
    /// The character at byte offset `at` (a character boundary before the end).
    fn char_at(&self, at: usize) -> char {
        self.text[at..].chars().next().unwrap_or_default()
    }

    /// The next run of alphanumeric characters at or after `self.next`: its
    /// byte range and whether it is all ASCII.
    fn next_word(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.text.as_bytes();
        let mut at = self.next;
        let start = loop {
            match BYTE_CLASS[usize::from(*bytes.get(at)?)] {
                ASCII_WORD => break at,
                ASCII_OTHER => at += 1,
                _ => {
                    let c = self.char_at(at);
                    if c.is_alphanumeric() {
                        break at;
                    }
                    at += c.len_utf8();
                }
            }
        };
        let mut ascii = true;
        let mut end = start;
        while let Some(&byte) = bytes.get(end) {
            match BYTE_CLASS[usize::from(byte)] {
                ASCII_WORD => end += 1,
                ASCII_OTHER => break,
                _ => {
                    let c = self.char_at(end);
                    if !c.is_alphanumeric() {
                        break;
                    }
                    ascii = false;
                    end += c.len_utf8();
                }
            }
        }
        self.next = end;
        Some((start, end, ascii))
    }
}

/// [`BYTE_CLASS`] of an ASCII letter or digit.
const ASCII_WORD: u8 = 0;
/// [`BYTE_CLASS`] of any other ASCII byte (a space, punctuation).
const ASCII_OTHER: u8 = 1;
/// [`BYTE_CLASS`] of a byte of a character beyond ASCII.
const NOT_ASCII: u8 = 2;

/// What each byte is to the word scanner: one table look-up per byte
/// rather than a chain of range tests.
static BYTE_CLASS: [u8; 256] = {
    let mut classes = [NOT_ASCII; 256];
    let mut byte: u8 = 0;
    while byte < 128 {
        classes[byte as usize] = if byte.is_ascii_alphanumeric() {
            ASCII_WORD
        } else {
            ASCII_OTHER
        };
        byte += 1;
    }
    classes
};

impl TokenStream for FoldedWordStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, end, ascii)) = self.next_word() {
            let token = &mut self.words.token;
            // Dropped words keep their position, as in Tantivy's filter chain.
            token.position = token.position.wrapping_add(1);
            if end - start >= LONG_WORD_BYTES {
                continue;
            }
            token.offset_from = start;
            token.offset_to = end;
            token.text.clear();
            let word = &self.text[start..end];
            if ascii {
                token.text.push_str(word);
                token.text.make_ascii_lowercase();
            } else {
                let mut folded = self.words.fold_non_ascii.token_stream(word);
                folded.advance();
                token.text.push_str(&folded.token().text);
            }
            return true;
        }
        false
    }

    fn token(&self) -> &TantivyToken {
        &self.words.token
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        &mut self.words.token
    }
}

/// English Snowball stemming, as Tantivy's `Stemmer` does it (the same
/// `frostem` algorithm, so the terms are identical), with a small memo of
/// words already stemmed. News text repeats its words, and stemming was a
/// fifth of the indexing time. The memo is two-way set-associative (a word
/// has two slots, in one cache line, the one used last first) and small
/// enough to stay in the CPU cache (a hash map of every word seen was no
/// faster than stemming, for its cache misses; a direct-mapped memo of the
/// same size stemmed 40 % more words at Reuters, and a stemming costs
/// some 2,400 instructions). There is one memo per thread, shared by
/// every analyzer on that thread, so building an analyzer costs nothing and
/// a query thread keeps its memo from one query to the next.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

/// Sets of two slots in the memo (a power of two): 512 KiB, in a core's L2 cache.
const MEMO_SETS: usize = 1 << 13;
/// Longest word (in bytes) the memo holds; longer words are stemmed each time.
const MEMO_WORD: usize = 24;
/// Longest new ending a memo entry holds.
const MEMO_ENDING: usize = 5;

/// A word of at most [`MEMO_WORD`] bytes, zero-padded, as machine words.
type MemoKey = [u64; MEMO_WORD / 8];

/// One memo entry, half a cache line: a word and its stem, as the length
/// of the word's beginning that the stem keeps and the ASCII ending that
/// follows it (English stems are their word with its ending rewritten).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct MemoSlot {
    word: MemoKey,
    word_len: u8,
    kept: u8,
    ending_len: u8,
    ending: [u8; MEMO_ENDING],
}

const EMPTY_SLOT: MemoSlot = MemoSlot {
    word: [0; MEMO_WORD / 8],
    word_len: u8::MAX,
    kept: 0,
    ending_len: 0,
    ending: [0; MEMO_ENDING],
};

/// The two slots a word may occupy, one cache line: the one used last first.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct MemoSet([MemoSlot; 2]);

/// A two-way set-associative memo of stems.
struct StemMemo {
    sets: Box<[MemoSet]>,
}

thread_local! {
    static MEMO: std::cell::RefCell<StemMemo> = std::cell::RefCell::new(StemMemo::new());
}

/// `word` (at most [`MEMO_WORD`] bytes) as a memo key, built byte by byte:
/// a `copy_from_slice` of a few bytes is a call to `memcpy`, which took a
/// fifth of the time of [`StemMemo::stem`].
fn memo_key(word: &[u8]) -> MemoKey {
    let mut key = [0; MEMO_WORD / 8];
    for (at, &byte) in word.iter().enumerate() {
        key[at / 8] |= u64::from(byte) << (8 * (at % 8));
    }
    key
}

/// The memo set of a key (a multiplicative hash of its machine words).
fn memo_set(key: &MemoKey) -> usize {
    let hash = key.iter().fold(0u64, |hash, &word| {
        (hash.rotate_left(26) ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    });
    (hash >> (64 - MEMO_SETS.trailing_zeros())) as usize
}

impl StemMemo {
    fn new() -> StemMemo {
        StemMemo {
            sets: vec![MemoSet([EMPTY_SLOT; 2]); MEMO_SETS].into_boxed_slice(),
        }
    }

    /// Replaces `text` by its stem.
    fn stem(&mut self, stemmer: &frostem::Stemmer, text: &mut String) {
        if stems_to_itself(text) {
            return;
        }
        if text.len() > MEMO_WORD {
            let stem = stemmer.stem(text).into_owned();
            *text = stem;
            return;
        }
        let key = memo_key(text.as_bytes());
        let set = &mut self.sets[memo_set(&key)].0;
        let matches =
            |slot: &MemoSlot| usize::from(slot.word_len) == text.len() && slot.word == key;
        let hit = if matches(&set[0]) {
            Some(set[0])
        } else if matches(&set[1]) {
            set.swap(0, 1);
            Some(set[0])
        } else {
            None
        };
        if let Some(slot) = hit {
            text.truncate(usize::from(slot.kept));
            let ending = &slot.ending[..usize::from(slot.ending_len)];
            text.extend(ending.iter().map(|&byte| char::from(byte)));
            return;
        }
        let stem = stemmer.stem(text).into_owned();
        let mut kept = std::iter::zip(stem.bytes(), text.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        while !stem.is_char_boundary(kept) {
            kept -= 1;
        }
        let ending = &stem[kept..];
        if ending.len() <= MEMO_ENDING && ending.is_ascii() {
            let mut slot = MemoSlot {
                word: key,
                word_len: text.len() as u8,
                kept: kept as u8,
                ending_len: ending.len() as u8,
                ending: [0; MEMO_ENDING],
            };
            slot.ending[..ending.len()].copy_from_slice(ending.as_bytes());
            set[1] = set[0];
            set[0] = slot;
        }
        *text = stem;
    }
}

/// Whether English Snowball stemming certainly leaves `word` as it is: a
/// word of one or two letters (it stems words of three or more), or one that
/// ends in a digit (every ending it rewrites is letters) and has no `Y` (which
/// it turns into `y`; folding can make one). Numbers, common in news, then
/// neither take the stemmer's time nor push words out of the memo.
fn stems_to_itself(word: &str) -> bool {
    let bytes = word.as_bytes();
    bytes.len() <= 2 || (bytes.last().is_some_and(u8::is_ascii_digit) && !bytes.contains(&b'Y'))
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            inner: tokenizer,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// [`CachedStemmer`] applied to a tokenizer.
#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    inner: T,
    stemmer: frostem::Stemmer,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer,
        }
    }
}

/// The token stream of [`CachedStemmerFilter`].
pub struct CachedStemmerStream<S> {
    tail: S,
    stemmer: frostem::Stemmer,
}

impl<S: TokenStream> TokenStream for CachedStemmerStream<S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let stemmer = &self.stemmer;
        let text = &mut self.tail.token_mut().text;
        MEMO.with(|memo| memo.borrow_mut().stem(stemmer, text));
        true
    }

    fn token(&self) -> &TantivyToken {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        self.tail.token_mut()
    }
}

/// Replaces `word` (lower-cased and folded, as [`unstemmed_analyzer`] gives
/// it) by its stem, as [`analyzer`] would, through the same per-thread memo.
///
/// English Snowball stemming only rewrites endings, so a stem always starts
/// with its word's first character: a caller may skip words that cannot
/// stem to a wanted term.
pub fn stem(word: &mut String) {
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
    MEMO.with(|memo| memo.borrow_mut().stem(&stemmer, word));
}

/// Registers the analyzer; it is not saved in the index, so this runs every
/// time an index is opened. The index's copy replays the tokens of a short
/// text analysed just before (see [`ReplayRepeated`]).
pub fn register(index: &Index) {
    let analyzer = ReplayRepeated::new(stemmed_words());
    index
        .tokenizers()
        .register(ANALYZER, TextAnalyzer::from(analyzer));
    index.tokenizers().register(UNSTEMMED, unstemmed_analyzer());
    index
        .tokenizers()
        .register(SURFACE, TextAnalyzer::from(SurfaceWords::default()));
}

/// Texts up to this many bytes are remembered for [`ReplayRepeated`]:
/// titles, outlets and bylines, not passages.
const REPLAY_TEXT_BYTES: usize = 128;

/// A tokenizer that remembers the tokens of the last short text it analysed
/// and replays them when the same text comes again. Every passage of an
/// article repeats its title, outlet and byline, and the index writer gives
/// each field its own tokenizer, so those are analysed once per article
/// rather than once per passage. The tokens are the inner tokenizer's.
#[derive(Clone)]
pub struct ReplayRepeated<T> {
    inner: T,
    /// The remembered text; its tokens are only valid when `complete`.
    text: String,
    /// Whether `tokens` hold every token of `text`.
    complete: bool,
    /// The remembered tokens, their texts concatenated in `terms`.
    tokens: Vec<RecordedToken>,
    terms: String,
    /// The token a replay hands out.
    token: TantivyToken,
}

/// A token of the remembered text, its term a range of the concatenated terms.
#[derive(Clone, Copy)]
pub struct RecordedToken {
    offset_from: usize,
    offset_to: usize,
    position: usize,
    position_length: usize,
    term_end: usize,
}

impl<T> ReplayRepeated<T> {
    /// Wraps `inner`, with nothing remembered.
    pub fn new(inner: T) -> ReplayRepeated<T> {
        ReplayRepeated {
            inner,
            text: String::new(),
            complete: false,
            tokens: Vec::new(),
            terms: String::new(),
            token: TantivyToken::default(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for ReplayRepeated<T> {
    type TokenStream<'a> = ReplayStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        if self.complete && self.text == text {
            return ReplayStream::Replay {
                tokens: &self.tokens,
                terms: &self.terms,
                token: &mut self.token,
                next: 0,
            };
        }
        self.complete = false;
        self.tokens.clear();
        self.terms.clear();
        self.text.clear();
        let record = text.len() <= REPLAY_TEXT_BYTES;
        if record {
            self.text.push_str(text);
        }
        ReplayStream::Inner {
            inner: self.inner.token_stream(text),
            record: record.then_some(Recording {
                tokens: &mut self.tokens,
                terms: &mut self.terms,
                complete: &mut self.complete,
            }),
        }
    }
}

/// Where a [`ReplayStream`] records the tokens it passes on.
pub struct Recording<'a> {
    tokens: &'a mut Vec<RecordedToken>,
    terms: &'a mut String,
    complete: &'a mut bool,
}

/// The token stream of [`ReplayRepeated`]: the inner tokenizer's stream,
/// recorded for short texts, or a replay of the remembered tokens.
pub enum ReplayStream<'a, S> {
    /// A text analysed afresh.
    Inner {
        /// The inner tokenizer's stream.
        inner: S,
        /// Where its tokens are recorded, for a short text.
        record: Option<Recording<'a>>,
    },
    /// The remembered tokens of a repeated text.
    Replay {
        /// The remembered tokens.
        tokens: &'a [RecordedToken],
        /// Their terms, concatenated.
        terms: &'a str,
        /// The token handed out.
        token: &'a mut TantivyToken,
        /// Index of the next token to hand out.
        next: usize,
    },
}

impl<S: TokenStream> TokenStream for ReplayStream<'_, S> {
    fn advance(&mut self) -> bool {
        match self {
            ReplayStream::Inner { inner, record } => {
                let more = inner.advance();
                if let Some(r) = record {
                    if more {
                        let t = inner.token();
                        r.terms.push_str(&t.text);
                        r.tokens.push(RecordedToken {
                            offset_from: t.offset_from,
                            offset_to: t.offset_to,
                            position: t.position,
                            position_length: t.position_length,
                            term_end: r.terms.len(),
                        });
                    } else {
                        *r.complete = true;
                    }
                }
                more
            }
            ReplayStream::Replay {
                tokens,
                terms,
                token,
                next,
            } => {
                let Some(recorded) = tokens.get(*next) else {
                    return false;
                };
                let term_start = match next.checked_sub(1) {
                    Some(previous) => tokens[previous].term_end,
                    None => 0,
                };
                *next += 1;
                token.offset_from = recorded.offset_from;
                token.offset_to = recorded.offset_to;
                token.position = recorded.position;
                token.position_length = recorded.position_length;
                token.text.clear();
                token.text.push_str(&terms[term_start..recorded.term_end]);
                true
            }
        }
    }

    fn token(&self) -> &TantivyToken {
        match self {
            ReplayStream::Inner { inner, .. } => inner.token(),
            ReplayStream::Replay { token, .. } => token,
        }
    }

    fn token_mut(&mut self) -> &mut TantivyToken {
        match self {
            ReplayStream::Inner { inner, .. } => inner.token_mut(),
            ReplayStream::Replay { token, .. } => token,
        }
    }
}

/// A token of analysed text: its index term and its byte range in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The term as indexed (lower-cased, folded, stemmed).
    pub term: String,
    /// Byte offset of the first byte in the original text.
    pub start: usize,
    /// Byte offset after the last byte in the original text.
    pub end: usize,
}

/// Analyses `text` into terms with their byte ranges.
pub fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(Token {
            term: token.text.clone(),
            start: token.offset_from,
            end: token.offset_to,
        });
    }
    out
}

/// Analysed terms of `text`, without offsets.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    tokens(analyzer, text).into_iter().map(|t| t.term).collect()
}

/// Function words not worth highlighting on their own (English, Spanish,
/// Portuguese, French). They are still indexed and searched.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "the", "to", "was", "with", "de", "del", "la", "las", "el", "los", "y", "en", "un",
    "una", "da", "do", "das", "dos", "e", "o", "os", "em", "le", "les", "des", "du", "et", "au",
    "aux", "s",
];

/// Whether an analysed term is a stop word.
pub fn is_stop_word(term: &str) -> bool {
    STOP_WORDS.contains(&term)
}

/// English function words that a natural-language query ("what are the
/// effects of …") carries around its content words: the NLTK English list
/// with a few modal verbs, plus [`STOP_WORDS`]. Query-time only: the index
/// keeps every word.
#[rustfmt::skip]
const QUERY_STOP_WORDS: &[&str] = &[
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
    "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which", "who",
    "whom", "this", "that", "these", "those", "am", "were", "been", "being", "have", "has", "had",
    "having", "do", "does", "did", "doing", "but", "if", "because", "until", "while", "about",
    "against", "between", "through", "during", "before", "after", "above", "below", "up", "down",
    "out", "off", "over", "under", "again", "further", "then", "once", "here", "there", "when",
    "where", "why", "how", "all", "any", "both", "each", "few", "more", "most", "other", "some",
    "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very", "t", "can",
    "will", "just", "should", "now", "could", "would", "must", "might", "shall", "also",
];

/// Whether a lower-case query word is a function word (see [`QUERY_STOP_WORDS`]).
pub fn is_query_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word) || QUERY_STOP_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tantivy's filter chain that [`FoldedWords`] does in one pass.
    fn tantivy_words() -> TextAnalyzer {
        use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(64))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    /// Every token of `text` with its text, offsets and position.
    fn all_tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<TantivyToken> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        stream.process(&mut |token| out.push(token.clone()));
        out
    }

    #[test]
    fn folded_words_are_tantivys_tokens() {
        let long = "x".repeat(63);
        let texts = [
            String::new(),
            " ,. ".into(),
            "Hello, happy TAX payer! 1987 U.S. it's 3.5 pct".into(),
            "Nicolás MADURO, São Paulo, Ærø, straße, İstanbul, ΣΟΦΊΑ, Ⅻ, ٣٤, 東京都".into(),
            "naïve café-crème—“quoted” 😀emoji😀 tab\tnew\nline\u{a0}nbsp".into(),
            format!("{long} {long}y {long}é é{long} {long}yy short"),
            "ends in é".into(),
            "\u{301}combining a\u{301}e".into(),
        ];
        let (mut ours, mut theirs) = (unstemmed_analyzer(), tantivy_words());
        for text in &texts {
            assert_eq!(
                all_tokens(&mut ours, text),
                all_tokens(&mut theirs, text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn folded_words_match_tantivy_on_random_text() {
        const PIECES: &[&str] = &[
            "a", "Z", "q", "7", "é", "É", "ß", "İ", "Σ", "ﬁ", "٣", "東", "😀", " ", " ", ".", "'",
            "’", "-", "\n", "\u{a0}", "\u{301}", "word", "WORD", "x1", "Ⅻ",
        ];
        let mut below = crate::testing::below();
        let (mut ours, mut theirs) = (unstemmed_analyzer(), tantivy_words());
        for _ in 0..2000 {
            let length = below(120);
            let text: String = (0..length).map(|_| PIECES[below(PIECES.len())]).collect();
            assert_eq!(
                all_tokens(&mut ours, &text),
                all_tokens(&mut theirs, &text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn accents_fold_and_words_stem() {
        let mut a = analyzer();
        assert_eq!(
            terms(&mut a, "Nicolás Maduro"),
            terms(&mut a, "nicolas maduro")
        );
        assert_eq!(terms(&mut a, "designations"), vec!["design"]);
    }

    #[test]
    fn the_memo_stems_exactly_as_tantivy_does() {
        use tantivy::tokenizer::{Language, SimpleTokenizer, Stemmer};
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let text = "Designations designated designating; running runs ran. \
                    The generously generous generation's generations running again \
                    dying skies happiness cafés naïvetés ﬁnalizing ßtraßes ŁÓDŹ \
                    internationalizations internationalization 1980s 0x1f year2000 \
                    abcdefghijklmnopqrstuvwx abcdefghijklmnopqrstuvwxies";
        // Twice, so the second pass is answered from the memo.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut plain, text));
        }
    }

    #[test]
    fn the_memo_stems_exactly_as_tantivy_does_when_it_is_full() {
        use tantivy::tokenizer::{Language, SimpleTokenizer, Stemmer};
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = analyzer();
        // Several times more words than the memo has slots, so sets fill,
        // words evict each other and are found in either slot of their set.
        let mut rng = 7u64;
        let mut word = || {
            let mut w = String::new();
            for _ in 0..4 {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                w.push_str(
                    ["ra", "te", "ni", "so", "gen", "ly", "at", "ion"][(rng >> 61) as usize],
                );
            }
            w.push_str(
                ["s", "ing", "ed", "ies", "ations", "ness", "ly", ""][(rng >> 58 & 7) as usize],
            );
            w
        };
        let words: Vec<String> = (0..4 * 2 * MEMO_SETS).map(|_| word()).collect();
        for pass in 0..3 {
            for chunk in words.chunks(97).skip(pass) {
                let text = chunk.join(" ");
                assert_eq!(terms(&mut cached, &text), terms(&mut plain, &text));
            }
        }
    }

    #[test]
    fn repeated_texts_replay_the_same_tokens() {
        let mut index_analyzer = TextAnalyzer::from(ReplayRepeated::new(
            CachedStemmer.transform(FoldedWords::default()),
        ));
        let mut fresh = analyzer();
        let title = "Cafés: Nicolás Maduro's RUNNING mates";
        let long = "word ".repeat(REPLAY_TEXT_BYTES / 4);
        let texts = [
            title, title, title, "Reuters", title, &long, &long, title, "", "", "a", "a", title,
        ];
        for text in texts {
            assert_eq!(
                all_tokens(&mut index_analyzer, text),
                all_tokens(&mut fresh, text)
            );
        }
        // A stream left before its end is not replayed as if it were whole.
        let mut stream = index_analyzer.token_stream("one two three");
        assert!(stream.advance());
        drop(stream);
        assert_eq!(
            all_tokens(&mut index_analyzer, "one two three"),
            all_tokens(&mut fresh, "one two three")
        );
    }

    #[test]
    fn words_left_unstemmed_stem_to_themselves() {
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let alphabet: Vec<char> = ('a'..='z')
            .chain('0'..='9')
            .chain(['é', 'ß', 'Y'])
            .collect();
        let mut words: Vec<String> = Vec::new();
        for &a in &alphabet {
            words.push(a.to_string());
            for &b in &alphabet {
                words.push(format!("{a}{b}"));
                for &c in &alphabet {
                    words.push(format!("{a}{b}{c}1"));
                    words.push(format!("{a}{b}{c}ies7"));
                }
            }
        }
        words.extend(
            [
                "1980s0",
                "running2",
                "generously9",
                "yelling4",
                "skies5",
                "y2",
            ]
            .map(String::from),
        );
        for word in words.iter().filter(|w| stems_to_itself(w)) {
            assert_eq!(stemmer.stem(word), word.as_str());
        }
    }

    #[test]
    fn stems_start_with_their_words_first_character() {
        let mut a = unstemmed_analyzer();
        let text = "dying lying tying skies skis idly gently ugly early only singly \
                    yelling yields ties cries generously communism arsenal Ångström 1980s";
        for word in terms(&mut a, text) {
            let mut stem = word.clone();
            super::stem(&mut stem);
            assert_eq!(stem.chars().next(), word.chars().next(), "{word} -> {stem}");
        }
    }

    #[test]
    fn surface_words_hold_what_the_stems_do_not() {
        let mut a = TextAnalyzer::from(SurfaceWords::default());
        let text = "The company's companies, a cartel; cartels. Happy?";
        let terms = terms(&mut a, text);
        // the, s, a, cartel stem to themselves; company stems to a stem
        // it does not start with, but "companies" starts with it; "happy"
        // is the only word of `happi`, so the passage holds its marker.
        let mut expected: Vec<String> = ["company", "companies", "cartels", "happy"]
            .map(String::from)
            .to_vec();
        expected.push(marker("happi"));
        assert_eq!(terms, expected);
        assert!(!is_surface_word(marker("happi").as_bytes()));
        assert!(is_surface_word(b"0day"));
    }

    #[test]
    fn curly_and_straight_apostrophes_analyse_alike() {
        let mut a = analyzer();
        assert_eq!(terms(&mut a, "Venezuela’s"), terms(&mut a, "Venezuela's"));
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let mut a = analyzer();
        let text = "el señor Nicolás";
        let toks = tokens(&mut a, text);
        assert_eq!(&text[toks[2].start..toks[2].end], "Nicolás");
    }
}
