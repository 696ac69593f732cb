//! Text analysis shared by indexing, querying and highlighting: Unicode
//! words, lower case, accents folded (`Nicolas` = `Nicolás`), English
//! stemming, no stop-word removal (so "Cartel de los Soles" is a phrase).

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
    Token as TantivyToken, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::Index;

/// Name under which the analyzer is registered with the index.
pub const ANALYZER: &str = "newsdex";

/// The analyzer for article text, titles, outlets and authors.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(CachedStemmer)
        .build()
}

/// The same analysis without stemming, for prefix queries (`narco*`).
pub fn unstemmed_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// English Snowball stemming, as Tantivy's `Stemmer` does it (the same
/// `frostem` algorithm, so the terms are identical), with a small memo of
/// words already stemmed. News text repeats its words, and stemming was a
/// fifth of the indexing time. The memo is direct-mapped and small enough to
/// stay in the CPU cache (a hash map of every word seen was no faster than
/// stemming, for its cache misses). There is one memo per thread, shared by
/// every analyzer on that thread, so building an analyzer costs nothing and
/// a query thread keeps its memo from one query to the next.
#[derive(Clone, Copy, Debug, Default)]
pub struct CachedStemmer;

/// Slots of the memo (a power of two).
const MEMO_SLOTS: usize = 1 << 11;
/// Longest word (in bytes) the memo holds; longer words are stemmed each time.
const MEMO_WORD: usize = 22;

/// One memo entry: a word and its stem, inline.
#[derive(Clone, Copy)]
struct MemoSlot {
    word_len: u8,
    stem_len: u8,
    word: [u8; MEMO_WORD],
    stem: [u8; MEMO_WORD],
}

const EMPTY_SLOT: MemoSlot = MemoSlot {
    word_len: u8::MAX,
    stem_len: 0,
    word: [0; MEMO_WORD],
    stem: [0; MEMO_WORD],
};

/// A direct-mapped memo of stems.
struct StemMemo {
    slots: Box<[MemoSlot]>,
    hasher: rustc_hash::FxBuildHasher,
}

thread_local! {
    static MEMO: std::cell::RefCell<StemMemo> = std::cell::RefCell::new(StemMemo::new());
}

impl StemMemo {
    fn new() -> StemMemo {
        StemMemo {
            slots: vec![EMPTY_SLOT; MEMO_SLOTS].into_boxed_slice(),
            hasher: rustc_hash::FxBuildHasher,
        }
    }

    fn slot(&self, word: &str) -> usize {
        use std::hash::BuildHasher;
        (self.hasher.hash_one(word) as usize) & (MEMO_SLOTS - 1)
    }

    /// Replaces `text` by its stem.
    fn stem(&mut self, stemmer: &frostem::Stemmer, text: &mut String) {
        if text.len() > MEMO_WORD {
            let stem = stemmer.stem(text).into_owned();
            *text = stem;
            return;
        }
        let at = self.slot(text);
        let slot = &self.slots[at];
        if usize::from(slot.word_len) == text.len() && &slot.word[..text.len()] == text.as_bytes() {
            if let Ok(stem) = std::str::from_utf8(&slot.stem[..usize::from(slot.stem_len)]) {
                text.clear();
                text.push_str(stem);
                return;
            }
        }
        let stem = stemmer.stem(text).into_owned();
        if stem.len() <= MEMO_WORD {
            let slot = &mut self.slots[at];
            slot.word_len = text.len() as u8;
            slot.word[..text.len()].copy_from_slice(text.as_bytes());
            slot.stem_len = stem.len() as u8;
            slot.stem[..stem.len()].copy_from_slice(stem.as_bytes());
        }
        *text = stem;
    }
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
/// time an index is opened.
pub fn register(index: &Index) {
    index.tokenizers().register(ANALYZER, analyzer());
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
        use tantivy::tokenizer::{Language, Stemmer};
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer)
            .build();
        let text = "Designations designated designating; running runs ran. \
                    The generously generous generation's generations running again";
        // Twice, so the second pass is answered from the memo.
        for _ in 0..2 {
            assert_eq!(tokens(&mut cached, text), tokens(&mut plain, text));
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
