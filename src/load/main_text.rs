//! The main text of a saved web page, found by two independent extractors that must agree.
//!
//! `rs-trafilatura` (a port of trafilatura) and `dom_smoothie` (a port of Mozilla's
//! Readability.js) each find the article text on their own; each alone reaches F1 0.95–0.96
//! on the extraction benchmark, and each lets through boxes the other drops (a photo
//! gallery's captions, a "more stories" list, a comment). A paragraph of Readability's text
//! is kept when trafilatura's text holds it too (most of its word 4-grams), so what only
//! one of them took for article text is left out; F1 0.976 on the benchmark's shared half
//! (docs/extraction.md). When only one of them finds text, its text is used.
//!
//! trafilatura's work grows faster than the page (seconds past 10,000 elements), so it only
//! reads pages of up to [`TRAFILATURA_ELEMENTS`] elements; larger pages are read by
//! Readability alone. The choice depends on the page only, never on time taken, so a page
//! always gives the same text.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};

/// Share of a paragraph's word 4-grams the other extractor's text must hold for it to be kept.
const AGREEMENT: f64 = 0.5;

/// The most elements a page may have for trafilatura to read it too.
pub const TRAFILATURA_ELEMENTS: usize = 5_000;

/// Paragraphs of the main text of a page of `elements` elements, in page order; empty when
/// neither extractor finds any.
pub fn paragraphs(html: &str, elements: usize) -> Vec<String> {
    let readability = guarded(|| by_readability(html));
    let trafilatura = if elements <= TRAFILATURA_ELEMENTS {
        guarded(|| by_trafilatura(html))
    } else {
        String::new()
    };
    let blocks = if readability.is_empty() {
        blocks(&trafilatura)
    } else {
        blocks(&readability)
    };
    if trafilatura.is_empty() || readability.is_empty() {
        return joined(blocks);
    }
    let kept = agreed(&blocks, &trafilatura);
    if kept.is_empty() {
        joined(blocks)
    } else {
        kept
    }
}

/// Runs an extractor, taking a panic inside it for "found nothing".
fn guarded(extract: impl FnOnce() -> String) -> String {
    panic::catch_unwind(AssertUnwindSafe(extract)).unwrap_or_default()
}

/// trafilatura's main text (tables kept, comments not), paragraphs separated by blank lines.
fn by_trafilatura(html: &str) -> String {
    let options = rs_trafilatura::Options {
        // Its fallback on pages without an article repeats and runs together cell texts.
        use_fallback_extraction: false,
        ..rs_trafilatura::Options::default()
    };
    rs_trafilatura::extract_with_options(html, &options)
        .map(|result| result.content_text)
        .unwrap_or_default()
}

/// Readability's main text, formatted with a blank line between blocks.
fn by_readability(html: &str) -> String {
    let config = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..dom_smoothie::Config::default()
    };
    dom_smoothie::Readability::new(html, None, Some(config))
        .and_then(|mut readability| readability.parse())
        .map(|article| article.text_content.to_string())
        .unwrap_or_default()
}

/// Blocks (separated by blank lines) of non-empty lines, whitespace collapsed.
fn blocks(text: &str) -> Vec<Vec<String>> {
    let mut blocks = vec![Vec::new()];
    for line in text.lines() {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        match blocks.last_mut() {
            Some(block) if !line.is_empty() => block.push(line),
            Some(block) if !block.is_empty() => blocks.push(Vec::new()),
            _ => {}
        }
    }
    blocks.retain(|block| !block.is_empty());
    blocks
}

/// Paragraphs: each block's lines joined by line breaks.
fn joined(blocks: Vec<Vec<String>>) -> Vec<String> {
    blocks.into_iter().map(|block| block.join("\n")).collect()
}

/// The blocks, as paragraphs, with only the lines that `other` holds: most of their word
/// 4-grams, or, for a line of fewer than four words, all its words in a row.
fn agreed(blocks: &[Vec<String>], other: &str) -> Vec<String> {
    let other_words = words(other);
    let mut other_grams: HashMap<&[&str], usize> = HashMap::new();
    for gram in other_words.windows(4) {
        *other_grams.entry(gram).or_default() += 1;
    }
    let holds = |line: &String| {
        let own = words(line);
        if own.is_empty() {
            return false;
        }
        if own.len() < 4 {
            return other_words.windows(own.len()).any(|w| w == own.as_slice());
        }
        let grams = own.len() - 3;
        let held = own
            .windows(4)
            .filter(|gram| other_grams.contains_key(gram))
            .count();
        held as f64 >= AGREEMENT * grams as f64
    };
    let kept = blocks
        .iter()
        .map(|block| block.iter().filter(|line| holds(line)).cloned().collect())
        .filter(|block: &Vec<String>| !block.is_empty())
        .collect();
    joined(kept)
}

/// Word tokens as the benchmark counts them: runs of letters, digits and underscores.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_only_one_extractor_took_are_dropped() {
        let readability = blocks(
            "Photo: Caption of a gallery image\n\n\
             The minister said on Monday\nthat the talks would resume next week.\n\n\
             Close\n\n\nOK",
        );
        let trafilatura = "The minister said on Monday that the talks would resume next week. OK";
        assert_eq!(
            agreed(&readability, trafilatura),
            [
                "The minister said on Monday\nthat the talks would resume next week.",
                "OK"
            ]
        );
    }

    #[test]
    fn a_page_with_a_story_in_div_blocks_is_read() {
        let sentence = "The ministry confirmed the figures in a statement on Tuesday evening.";
        let body: String = (0..8)
            .map(|i| format!("<div class=\"text-block\">{i}. {sentence} {sentence}</div>\n"))
            .collect();
        let html = format!(
            "<html><head><title>Story</title></head><body><nav><a href=/>Home</a></nav>\
             <div class=\"article-body\">{body}</div>\
             <div class=\"newsletter\"><div>Sign up for our daily briefing</div></div>\
             <footer>© Example</footer></body></html>"
        );
        let found = paragraphs(&html, 40);
        assert_eq!(found.len(), 8, "{found:?}");
        assert!(found[0].starts_with("0. The ministry"));
    }
}
