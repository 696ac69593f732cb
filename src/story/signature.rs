//! An article's copy signature: what copy detection keeps of its text.
//!
//! The body is *folded* to the words a copy keeps whatever its house style
//! (lowercase, straight quotes, `U.S.` = `US`, `5%` = `5 percent` = `5 pct`,
//! `1,234` = `1234`, `mln` = `million`), cut into overlapping
//! [`SHINGLE_WORDS`]-word shingles, and summarised by a MinHash of
//! [`MINHASHES`] values (gaoya's `MinHasher32`, fixed seed), with the number
//! of distinct shingles and the first [`MAX_NUMBERS`] distinct numbers of
//! the text (the figures that tell a templated report from a copy).
//! The signature is stored on the article's first passage, in the index.

use std::hash::{Hash, Hasher};

use gaoya::minhash::{MinHasher, MinHasher32};

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;
/// MinHash values per signature.
pub const MINHASHES: usize = 128;
/// Distinct numbers kept per signature.
pub const MAX_NUMBERS: usize = 64;
/// Format tag of the encoded signature (first byte).
const FORMAT: u8 = 2;

/// What copy detection keeps of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// MinHash of the folded text's shingles.
    pub minhash: Vec<u32>,
    /// Distinct shingles in the folded text.
    pub shingles: u32,
    /// Hashes of the first distinct numbers of the text, in text order.
    pub numbers: Vec<u32>,
}

/// The one MinHasher (its permutations come from a fixed seed, so signatures
/// of different runs compare).
fn hasher() -> &'static MinHasher32<fnv::FnvBuildHasher> {
    static HASHER: std::sync::OnceLock<MinHasher32<fnv::FnvBuildHasher>> =
        std::sync::OnceLock::new();
    HASHER.get_or_init(|| MinHasher32::new(MINHASHES))
}

/// The folded words of `text`: see the module documentation.
pub fn fold(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let chars: Vec<char> = text.chars().collect();
    let flush = |word: &mut String, words: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let w = w.trim_end_matches(['.', ',']);
        if w.is_empty() {
            return;
        }
        let folded = if w.bytes().any(|b| b.is_ascii_digit()) {
            // A figure: 1,234.50 = 1234.50; a trailing dot ends a sentence.
            w.replace(',', "")
        } else {
            w.replace(['.', '\'', ','], "")
        };
        let canonical = match folded.as_str() {
            "percent" | "pc" => "pct",
            "mln" | "mn" | "m" => "million",
            "bln" | "bn" => "billion",
            "dlrs" | "dlr" | "dollar" => "dollars",
            "usa" => "us",
            other => other,
        };
        if !canonical.is_empty() {
            words.push(canonical.to_string());
        }
    };
    for (i, &c) in chars.iter().enumerate() {
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' => '\'',
            other => other,
        };
        // A dot, comma or apostrophe between word characters stays in the
        // word; so does a dot after a single letter (`U.S.`).
        // A dash or slash between digits too: `7-3/4` is one figure.
        let next_alnum = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        let next_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        let inner = !word.is_empty()
            && ((matches!(c, '.' | ',' | '\'') && next_alnum)
                || (c == '.' && word.chars().count() == 1)
                || (matches!(c, '-' | '/')
                    && next_digit
                    && word.ends_with(|p: char| p.is_ascii_digit())));
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if inner {
            word.push(c);
        } else {
            flush(&mut word, &mut words);
            if c == '%' {
                words.push("pct".into());
            }
        }
    }
    flush(&mut word, &mut words);
    // "per cent" is one word.
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        if w == "cent" && out.last().is_some_and(|p| p == "per") {
            out.pop();
            out.push("pct".into());
        } else {
            out.push(w);
        }
    }
    out
}

fn hash32<T: Hash + ?Sized>(value: &T) -> u32 {
    let mut h = fnv::FnvHasher::default();
    value.hash(&mut h);
    h.finish() as u32
}

impl Signature {
    /// The signature of an article body.
    pub fn of(text: &str) -> Signature {
        let words = fold(text);
        let mut shingles: Vec<u32> = if words.len() < SHINGLE_WORDS {
            (!words.is_empty())
                .then(|| hash32(&words))
                .into_iter()
                .collect()
        } else {
            words.windows(SHINGLE_WORDS).map(hash32).collect()
        };
        shingles.sort_unstable();
        shingles.dedup();
        let minhash = hasher().create_signature(shingles.iter());
        let mut numbers = Vec::new();
        for w in &words {
            if w.bytes().any(|b| b.is_ascii_digit()) {
                let h = hash32(w);
                if !numbers.contains(&h) {
                    numbers.push(h);
                    if numbers.len() == MAX_NUMBERS {
                        break;
                    }
                }
            }
        }
        Signature {
            minhash,
            shingles: shingles.len() as u32,
            numbers,
        }
    }

    /// The signature as stored in the index.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(6 + 4 * (self.minhash.len() + self.numbers.len()));
        out.push(FORMAT);
        out.push(self.numbers.len() as u8);
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for v in self.minhash.iter().chain(&self.numbers) {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Reads a stored signature; `None` when it is not one of this version.
    pub fn decode(bytes: &[u8]) -> Option<Signature> {
        let (&[format, numbers], rest) = bytes.split_first_chunk::<2>()?;
        let numbers = numbers as usize;
        if format != FORMAT || rest.len() != 4 * (1 + MINHASHES + numbers) {
            return None;
        }
        let mut values = rest
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        let shingles = values.next()?;
        let minhash: Vec<u32> = values.by_ref().take(MINHASHES).collect();
        Some(Signature {
            minhash,
            shingles,
            numbers: values.collect(),
        })
    }

    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn jaccard(&self, other: &Signature) -> f64 {
        gaoya::minhash::compute_minhash_similarity(&self.minhash, &other.minhash)
    }

    /// Estimated share of the smaller text's shingles that the other holds
    /// (1.0 for a copy with its last paragraphs cut).
    pub fn containment(&self, other: &Signature) -> f64 {
        let j = self.jaccard(other);
        let (a, b) = (f64::from(self.shingles), f64::from(other.shingles));
        let smaller = a.min(b);
        if smaller == 0.0 {
            return 0.0;
        }
        (j * (a + b) / (1.0 + j) / smaller).min(1.0)
    }

    /// Share of the numbers of `self` that `other` holds too (1.0 when
    /// `self` has none).
    pub fn numbers_in(&self, other: &Signature) -> f64 {
        if self.numbers.is_empty() {
            return 1.0;
        }
        let held = self
            .numbers
            .iter()
            .filter(|n| other.numbers.contains(n))
            .count();
        held as f64 / self.numbers.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn house_style_folds_away() {
        assert_eq!(
            fold("The U.S. rate rose 5% to 1,234.5 mln dlrs, it’s said."),
            fold("The US rate rose 5 percent to 1234.5 million dollars, it's said")
        );
        assert_eq!(fold("up 3 per cent"), vec!["up", "3", "pct"]);
        // A fraction is one figure; a dash between words is not kept.
        assert_eq!(
            fold("prime rate to 7-3/4 from 7-1/2, a U.S.-Japan pact"),
            vec!["prime", "rate", "to", "7-3/4", "from", "7-1/2", "a", "us", "japan", "pact"]
        );
    }

    #[test]
    fn encoding_round_trips() {
        let s = Signature::of("Shares rose 5 pct on Monday, the company said in 1987.");
        assert_eq!(Signature::decode(&s.encode()), Some(s));
        assert_eq!(Signature::decode(&[9, 0, 1]), None);
    }

    #[test]
    fn signatures_do_not_change_between_builds() {
        // Signatures are stored in the index: a dependency update that
        // changed them would leave old signatures incomparable.
        let s = Signature::of("The central bank raised its key rate by half a point.");
        assert_eq!(s.shingles, 9);
        assert_eq!(&s.minhash[..4], &EXPECTED_FIRST_MINHASHES);
    }

    const EXPECTED_FIRST_MINHASHES: [u32; 4] = [129922493, 160281314, 112163156, 136930211];

    #[test]
    fn a_cut_copy_is_contained_and_other_figures_are_not() {
        let full = "Exports rose 12 pct to 4.5 billion dlrs in March from a year earlier, the trade ministry said on Tuesday.\n\nImports fell 3 pct to 3.9 billion dlrs, leaving a surplus of 600 mln dlrs, the ministry said.\n\nAnalysts had expected a smaller surplus after a weak February.";
        let cut = "Exports rose 12 percent to $4.5 billion in March from a year earlier, the trade ministry said on Tuesday.\n\nImports fell 3 percent to 3.9 billion dlrs, leaving a surplus of 600 mln dlrs, the ministry said.";
        let a = Signature::of(full);
        let b = Signature::of(cut);
        assert!(b.containment(&a) > 0.7, "{}", b.containment(&a));
        assert_eq!(b.numbers_in(&a), 1.0);
        let other = Signature::of(
            &full
                .replace("12", "7")
                .replace("4.5", "4.1")
                .replace("600", "420"),
        );
        assert!(other.numbers_in(&a) < 0.7);
    }
}
