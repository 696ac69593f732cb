//! Splitting an article body into passages: the units that are indexed, ranked
//! and cited.
//!
//! A passage is one or more whole paragraphs, or, for a paragraph longer than
//! [`MAX_WORDS`], a run of whole sentences. Short paragraphs (headings, one-line
//! quotes) join a neighbour so that no passage is a fragment.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// Passage size limit, in words: longer paragraphs are split at sentence ends.
pub const MAX_WORDS: usize = 150;
/// Passages with fewer words than this join a neighbouring paragraph when they fit.
pub const MIN_WORDS: usize = 25;
/// A single sentence longer than this is cut every [`MAX_WORDS`] words.
const HARD_MAX_WORDS: usize = 4 * MAX_WORDS;

/// Words after which a full stop and a space do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "U.S.", "U.K.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Jr.", "Gen.", "Sen.", "Rep.",
    "Gov.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.", "Sept.", "Oct.",
    "Nov.", "Dec.", "No.", "vs.", "e.g.", "i.e.",
];

/// A byte range of the body and the number of words in it.
struct Span {
    range: Range<usize>,
    words: usize,
}

/// Splits an article body into passages: contiguous, non-overlapping byte ranges of `body`, in order.
///
/// Every range is trimmed (it starts and ends on non-whitespace), and every
/// non-whitespace byte of `body` lies in some range.
pub fn split(body: &str) -> Vec<Range<usize>> {
    let mut passages = Vec::new();
    for paragraph in paragraphs(body) {
        let words = count_words(&body[paragraph.clone()]);
        if words <= MAX_WORDS {
            let span = Span {
                range: paragraph,
                words,
            };
            append(&mut passages, span, MIN_WORDS);
        } else {
            for chunk in chunks(body, paragraph) {
                append(&mut passages, chunk, MIN_WORDS);
            }
        }
    }
    if let [.., previous, last] = passages.as_mut_slice() {
        if last.words < MIN_WORDS && previous.words + last.words <= MAX_WORDS {
            previous.range.end = last.range.end;
            previous.words += last.words;
            passages.pop();
        }
    }
    passages.into_iter().map(|span| span.range).collect()
}

/// Extends the last span with `next` if the last span has fewer than `open_below`
/// words and the sum stays within [`MAX_WORDS`]; otherwise starts a new span.
fn append(spans: &mut Vec<Span>, next: Span, open_below: usize) {
    match spans.last_mut() {
        Some(last) if last.words < open_below && last.words + next.words <= MAX_WORDS => {
            last.range.end = next.range.end;
            last.words += next.words;
        }
        _ => spans.push(next),
    }
}

/// The trimmed paragraphs of `body`: runs of non-blank lines separated by blank
/// lines or, when no blank line separates any text, single lines.
fn paragraphs(body: &str) -> Vec<Range<usize>> {
    let mut lines: Vec<(Range<usize>, bool)> = Vec::new();
    let mut after_blank = false;
    for line in lines_of(body) {
        let line = trim(body, line);
        if line.is_empty() {
            after_blank = !lines.is_empty();
        } else {
            lines.push((line, after_blank));
            after_blank = false;
        }
    }
    let blank_separated = lines.iter().any(|&(_, after_blank)| after_blank);
    let mut paragraphs: Vec<Range<usize>> = Vec::new();
    for (line, after_blank) in lines {
        match paragraphs.last_mut() {
            Some(paragraph) if blank_separated && !after_blank => paragraph.end = line.end,
            _ => paragraphs.push(line),
        }
    }
    paragraphs
}

/// Byte ranges of the lines of `body`, ended by `\n`, `\r\n` or a lone `\r`.
/// (A line after `\r\n` starts with the `\n`, which trimming drops.)
fn lines_of(body: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = body.as_bytes();
    let mut start = 0;
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\r' || i == 0 || bytes[i - 1] != b'\r')
        .chain(std::iter::once(body.len()))
        .map(move |end| {
            let line = start..end;
            start = end + 1;
            line
        })
}

/// Splits a long paragraph into chunks of whole sentences, packed greedily up to
/// [`MAX_WORDS`] words. A sentence longer than [`HARD_MAX_WORDS`] is cut at the
/// whitespace before every [`MAX_WORDS`]th word.
fn chunks(body: &str, paragraph: Range<usize>) -> Vec<Span> {
    // Line breaks inside a paragraph are soft: only punctuation ends a sentence.
    // Both are one byte, so offsets in `text` are offsets in the paragraph.
    let text = body[paragraph.clone()].replace(['\r', '\n'], " ");
    let mut chunks = Vec::new();
    let mut start = 0;
    for (at, piece) in text.split_sentence_bound_indices() {
        let end = at + piece.len();
        if end < text.len() && !ends_sentence(piece) {
            continue;
        }
        let mut sentence = Span {
            range: start..end,
            words: count_words(&text[start..end]),
        };
        if sentence.words > HARD_MAX_WORDS {
            for word in text[start..end]
                .split_whitespace()
                .skip(MAX_WORDS)
                .step_by(MAX_WORDS)
            {
                let cut = word.as_ptr() as usize - text.as_ptr() as usize;
                let head = Span {
                    range: sentence.range.start..cut,
                    words: MAX_WORDS,
                };
                append(&mut chunks, head, MAX_WORDS);
                sentence.range.start = cut;
                sentence.words -= MAX_WORDS;
            }
        }
        append(&mut chunks, sentence, MAX_WORDS);
        start = end;
    }
    chunks
        .into_iter()
        .map(|chunk| {
            let range = chunk.range.start + paragraph.start..chunk.range.end + paragraph.start;
            Span {
                range: trim(body, range),
                words: chunk.words,
            }
        })
        .collect()
}

/// Whether a sentence piece really ends a sentence: it ends in whitespace (the
/// segmenter may break inside `end?Next`) and not after an abbreviation.
fn ends_sentence(piece: &str) -> bool {
    let text = piece.trim_end();
    text.len() < piece.len()
        && text.split_whitespace().next_back().is_some_and(|word| {
            let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
            !is_abbreviation(word)
        })
}

/// Whether `word` is a common abbreviation or an initial such as `J.`.
fn is_abbreviation(word: &str) -> bool {
    let mut chars = word.chars();
    ABBREVIATIONS.contains(&word)
        || matches!(
            (chars.next(), chars.next(), chars.next()),
            (Some(initial), Some('.'), None) if initial.is_uppercase()
        )
}

/// The number of whitespace-separated words in `text`, as
/// `text.split_whitespace().count()` gives it; ASCII text is counted by a
/// loop over bytes that vectorises.
fn count_words(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let space = |byte: u8| matches!(byte, b'\t'..=b'\r' | b' ');
    let bytes = text.as_bytes();
    let first = bytes.first().is_some_and(|&byte| !space(byte));
    let starts = bytes
        .windows(2)
        .filter(|pair| space(pair[0]) && !space(pair[1]))
        .count();
    usize::from(first) + starts
}

/// `range` of `body` without leading and trailing whitespace (empty if blank).
fn trim(body: &str, range: Range<usize>) -> Range<usize> {
    let text = &body[range.clone()];
    let start = range.start + (text.len() - text.trim_start().len());
    let end = range.start + text.trim_end().len();
    start..end.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The passages of `body` as text.
    fn passages(body: &str) -> Vec<&str> {
        split(body).into_iter().map(|range| &body[range]).collect()
    }

    /// A sentence of `n` words.
    fn sentence(n: usize) -> String {
        format!("Word{}.", " word".repeat(n - 1))
    }

    #[test]
    fn empty_and_blank_bodies_have_no_passages() {
        assert!(split("").is_empty());
        assert!(split(" \n\r\n\t\u{a0}\r \n").is_empty());
    }

    #[test]
    fn heading_joins_the_paragraph_after_it() {
        let (first, second) = (sentence(40), sentence(30));
        let body = format!("Covert operations underway\n\n{first}\n\n{second}\n");
        let heading_and_first = format!("Covert operations underway\n\n{first}");
        assert_eq!(passages(&body), [heading_and_first.as_str(), &second]);
    }

    #[test]
    fn short_last_paragraph_joins_the_previous_one() {
        let first = sentence(40);
        let body = format!("{first}\n\nDialogue? Yes!");
        assert_eq!(passages(&body), [body.as_str()]);
        // ...but only while the sum stays within MAX_WORDS.
        let long = sentence(145);
        let body = format!("{long}\n\nDialogue? Yes! Very short indeed, to be sure, of course.");
        assert_eq!(passages(&body).len(), 2);
    }

    #[test]
    fn short_paragraphs_accumulate_until_min_words() {
        let line = sentence(5);
        let body = [line.as_str(); 10].join("\n\n");
        let five = [line.as_str(); 5].join("\n\n");
        assert_eq!(passages(&body), [five.as_str(), &five]);
    }

    #[test]
    fn body_without_blank_lines_uses_lines_as_paragraphs() {
        let (first, second) = (sentence(30), sentence(30));
        for newline in ["\n", "\r\n", "\r"] {
            let body = format!("{first}{newline}{second}{newline}");
            assert_eq!(passages(&body), [first.as_str(), &second], "{newline:?}");
        }
        // With a blank line anywhere between text, lines within a paragraph stay together.
        let body = format!("{first}\n{second}\r\n\r\n{first}");
        let joined = format!("{first}\n{second}");
        assert_eq!(passages(&body), [joined.as_str(), &first]);
    }

    #[test]
    fn passages_are_trimmed_paragraphs() {
        let (first, second) = (sentence(30), sentence(30));
        let body = format!(" \u{a0}\t{first} \t\r\n \r\n\u{a0}{second}\u{3000}\r\n");
        assert_eq!(passages(&body), [first.as_str(), &second]);
    }

    #[test]
    fn long_paragraph_is_split_at_sentence_ends_not_after_abbreviations() {
        let start = vec![sentence(5); 29].join(" ");
        let start = start.replace("word.", "end.");
        for abbreviation in ["U.S.", "Mr.", "Dr.", "Jan.", "e.g.", "J.", "(Gen."] {
            let tricky = format!("Officials with {abbreviation} Smith said the plan would work.");
            let body = format!("{start} {tricky} {}", sentence(20));
            let expected = [start.clone(), format!("{tricky} {}", sentence(20))];
            assert_eq!(passages(&body), expected, "{abbreviation}");
        }
    }

    #[test]
    fn hard_wrapped_lines_do_not_end_sentences() {
        let long = sentence(100).replace("word word word word word", "word word\nword word word");
        let body = format!("{long} {}\n\nNext paragraph.", sentence(100));
        let result = passages(&body);
        assert_eq!(result[0], long);
    }

    #[test]
    fn long_sentence_stays_whole_up_to_the_hard_limit() {
        let long = sentence(HARD_MAX_WORDS);
        let body = format!("{} {long} {}", sentence(100), sentence(100));
        assert_eq!(passages(&body), [sentence(100), long, sentence(100)]);
    }

    #[test]
    fn endless_sentence_is_cut_every_max_words() {
        let body = vec!["word"; 1000].join(" \t ");
        let passages = passages(&body);
        let counts: Vec<usize> = passages.iter().map(|text| count_words(text)).collect();
        assert_eq!(counts, [150, 150, 150, 150, 150, 150, 100]);
    }

    #[test]
    fn large_bodies_split_in_linear_time() {
        let endless = "word ".repeat(400_000);
        assert_eq!(split(&endless).len(), 400_000 / MAX_WORDS + 1);
        let sentences = format!("{} ", sentence(10)).repeat(40_000);
        assert_eq!(
            split(&sentences).len(),
            40_000_usize.div_ceil(MAX_WORDS / 10)
        );
    }

    /// A xorshift64 generator.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn words_are_counted_as_split_whitespace_counts_them() {
        let texts = [
            "",
            " ",
            "one",
            " two  words ",
            "a\tb\nc\x0bd\x0ce\rf\u{85}g\u{a0}h\u{2029}i\u{3000}j\u{200b}k",
            "é ü😀 \u{1680}x",
        ];
        for text in texts {
            assert_eq!(
                count_words(text),
                text.split_whitespace().count(),
                "{text:?}"
            );
        }
    }

    /// Checks the invariants of [`split`] on `body`.
    fn check(body: &str) {
        let ranges = split(body);
        let mut covered = 0;
        for range in &ranges {
            assert!(covered <= range.start && range.start < range.end && range.end <= body.len());
            let text = &body[range.clone()];
            assert_eq!(text, text.trim(), "{body:?}");
            assert!(count_words(text) <= HARD_MAX_WORDS);
            assert!(body[covered..range.start].trim().is_empty(), "{body:?}");
            covered = range.end;
        }
        assert!(body[covered..].trim().is_empty(), "{body:?}");
    }

    #[test]
    fn random_bodies_keep_the_invariants() {
        const FRAGMENTS: &[&str] = &[
            "word",
            "Venezuela",
            "U.S.",
            "Mr.",
            "J.",
            "end.",
            "why?",
            "yes!",
            "\"quoted.\"",
            " ",
            " ",
            " ",
            "\t",
            "\n",
            "\n\n",
            "\r\n",
            "\r",
            "\u{a0}",
            "\u{2029}",
            "😀",
            "مرحبا",
            "שלום.",
            "…",
            "e.g.",
            "3.14",
            "end?Next",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..3000 {
            let body = if round % 4 == 0 {
                let bytes: Vec<u8> = (0..rng.below(3000)).map(|_| rng.below(256) as u8).collect();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                let length = rng.below(if round % 10 == 1 { 3000 } else { 400 });
                (0..length)
                    .map(|_| FRAGMENTS[rng.below(FRAGMENTS.len())])
                    .collect()
            };
            check(&body);
            assert_eq!(count_words(&body), body.split_whitespace().count());
        }
    }
}
