//! Text analysis shared by indexing, querying and highlighting: Unicode
//! words, lower case, accents folded (`Nicolas` = `Nicolás`), English
//! stemming, no stop-word removal (so "Cartel de los Soles" is a phrase).

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
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
        .filter(Stemmer::new(Language::English))
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
