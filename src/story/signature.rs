//! An article's copy signature: what copy detection keeps of its text.
//!
//! The body is *folded* to the words a copy keeps whatever its house style
//! (lowercase, straight quotes, `U.S.` = `US`, `5%` = `5 percent` = `5 pct`,
//! `1,234` = `1234`, `mln` = `million`), cut into overlapping
//! [`SHINGLE_WORDS`]-word shingles, and summarised by a one-permutation
//! MinHash of [`MINHASHES`] values with optimal densification (see
//! [`minhash`]), with the number of distinct shingles and the first
//! [`MAX_NUMBERS`] distinct numbers of the text (the figures that tell a
//! templated report from a copy).
//! The signature is stored on the article's first passage, in the index:
//! [`VALUE_BITS`] bits of each bin a shingle fell in (the densified bins
//! are recomputed when it is read), and 16 bits of each figure.

/// Words per shingle.
pub const SHINGLE_WORDS: usize = 3;
/// MinHash values per signature.
pub const MINHASHES: usize = 128;
/// Distinct numbers kept per signature.
pub const MAX_NUMBERS: usize = 64;
/// Bits kept of each MinHash value (b-bit MinHash, Li and König 2010): two
/// different values agree by chance once in 4,096, which [`estimate`]
/// corrects for; and two unrelated articles share an LSH band of two
/// values once in 16.8 million (a few million spurious candidate pairs at
/// a million articles, against tens of millions of real ones).
pub const VALUE_BITS: u32 = 12;
/// Format tag of the encoded signature (first byte). 4: the values of the
/// filled bins only, [`VALUE_BITS`] bits each, and 16-bit figures (3: every
/// bin's value in 16 bits and 32-bit figures; 2: 128 permutations, gaoya).
const FORMAT: u8 = 4;

/// What copy detection keeps of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// MinHash of the folded text's shingles, densified: the low
    /// [`VALUE_BITS`] bits of each value.
    pub minhash: Vec<u16>,
    /// The bins a shingle fell in (bit `k` for bin `k`); the others hold
    /// values copied by densification, so they are not stored.
    pub filled: u128,
    /// Distinct shingles in the folded text.
    pub shingles: u32,
    /// 16-bit hashes of the first distinct numbers of the text, in text order.
    pub numbers: Vec<u16>,
}

/// A folded word, as [`fold_words`] passes it on.
#[derive(Clone, Copy)]
struct Word<'a> {
    /// The word, its ASCII letters in either case (a word of ASCII letters
    /// and digits only is passed as it stands in the text, without a copy).
    text: &'a str,
    /// Its [`word_hash`].
    hash: u64,
    /// Whether it holds an ASCII digit.
    figure: bool,
}

impl<'a> Word<'a> {
    fn of(text: &'a str) -> Word<'a> {
        let (hash, figure) = word_hash(text);
        Word { text, hash, figure }
    }
}

/// Calls `emit` with each folded word of `text` in turn: see the module
/// documentation. A word of ASCII letters and digits only (most words) is
/// hashed as it is scanned, and passed on without a copy; two buffers serve
/// the others, so folding allocates nothing per word.
fn fold_words(text: &str, mut emit: impl FnMut(Word<'_>)) {
    let mut word = String::new();
    // Characters in `word` (a dot after a single letter stays: `U.S.`).
    let mut letters = 0usize;
    let mut stripped = String::new();
    // A folded "per" waits for the next word: "per cent" is one word.
    let mut per = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        // A run of ASCII letters and digits is hashed as it is scanned, and
        // is the word when nothing before or after it joins it; otherwise
        // it is copied whole.
        if bytes[at].is_ascii_alphanumeric() {
            let start = at;
            let (mut hash, mut figure) = (FNV_OFFSET, false);
            // Eight bytes at a time (a word of up to 7 is read at once).
            loop {
                let eight = eight_at(bytes, at);
                let (alnum, digits) = classify(eight);
                let n = ((!alnum & HIGH).trailing_zeros() / 8) as usize;
                let run = u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0);
                // (Lowercase: a digit has the bit already.)
                hash = fnv_prefix(hash, eight | LOWER, n);
                figure |= digits & run != 0;
                at += n;
                if n < 8 {
                    break;
                }
            }
            if word.is_empty() && !goes_on(text, start, at) {
                let word = Word {
                    text: &text[start..at],
                    hash: mix(hash),
                    figure,
                };
                pass_on(word, run_key(bytes, start, at), &mut per, &mut emit);
            } else {
                let from = word.len();
                word.push_str(&text[start..at]);
                word[from..].make_ascii_lowercase();
                letters += at - start;
            }
            continue;
        }
        let c = if bytes[at].is_ascii() {
            // (Not a letter or digit: those were copied above.)
            at += 1;
            match bytes[at - 1] {
                b'`' => '\'',
                b => char::from(b),
            }
        } else {
            let c = text[at..].chars().next().expect("a character boundary");
            at += c.len_utf8();
            let c = match c {
                '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
                other => other,
            };
            if c.is_alphanumeric() {
                for l in c.to_lowercase() {
                    word.push(l);
                    letters += 1;
                }
                continue;
            }
            c
        };
        // A dot, comma or apostrophe between word characters stays in the
        // word; so does a dot after a single letter (`U.S.`).
        // A dash or slash between digits too: `7-3/4` is one figure.
        let inner = !word.is_empty()
            && ((matches!(c, '.' | ',' | '\'') && alphanumeric_at(text, at))
                || (c == '.' && letters == 1)
                || (matches!(c, '-' | '/')
                    && bytes.get(at).is_some_and(u8::is_ascii_digit)
                    && word.ends_with(|p: char| p.is_ascii_digit())));
        if inner {
            word.push(c);
            letters += 1;
        } else {
            if !word.is_empty() {
                flush(&word, &mut stripped, &mut per, &mut emit);
                word.clear();
                letters = 0;
            }
            if c == '%' {
                flush("pct", &mut stripped, &mut per, &mut emit);
            }
        }
    }
    if !word.is_empty() {
        flush(&word, &mut stripped, &mut per, &mut emit);
    }
    if per {
        emit(Word::of("per"));
    }
}

/// Passes on a word of [`fold_words`] (lowercase) folded: see the module
/// documentation.
fn flush(word: &str, stripped: &mut String, per: &mut bool, emit: &mut impl FnMut(Word<'_>)) {
    // (Byte loops: the characters looked for are ASCII.)
    let end = word.len()
        - word
            .bytes()
            .rev()
            .take_while(|&b| b == b'.' || b == b',')
            .count();
    let w = &word[..end];
    // A figure loses its commas (1,234.50 = 1234.50), a word its dots
    // and apostrophes too; a trailing dot ends a sentence.
    let figure = w.bytes().any(|b| b.is_ascii_digit());
    let drop: &[char] = if figure { &[','] } else { &['.', '\'', ','] };
    let dropped = w
        .bytes()
        .any(|b| b == b',' || (!figure && (b == b'.' || b == b'\'')));
    let folded = if dropped {
        stripped.clear();
        stripped.extend(w.chars().filter(|c| !drop.contains(c)));
        stripped.as_str()
    } else {
        w
    };
    if !folded.is_empty() {
        pass_on(Word::of(folded), key(folded.as_bytes()), per, emit);
    }
}

/// The high bit of each byte of a u64.
const HIGH: u64 = 0x8080_8080_8080_8080;
/// Bit 5 of each byte: ASCII lowercase.
const LOWER: u64 = 0x2020_2020_2020_2020;

/// The eight bytes of `bytes` from `at`, little-endian, zeros past the end.
fn eight_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..).and_then(|b| b.first_chunk::<8>()) {
        Some(&eight) => u64::from_le_bytes(eight),
        None => {
            let mut eight = [0; 8];
            let rest = &bytes[at.min(bytes.len())..];
            eight[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(eight)
        }
    }
}

/// The bytes of `eight` that are ASCII letters or digits, and those that are
/// ASCII digits: the high bit of each byte set (SWAR: a byte of 7 bits plus
/// `0x80 - lo` has its high bit set when the byte is at least `lo`).
fn classify(eight: u64) -> (u64, u64) {
    const fn each(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    let ascii = !eight & HIGH;
    let low = eight & !HIGH;
    let digits = (low + each(0x80 - b'0')) & !(low + each(0x7f - b'9'));
    let lower = low | LOWER;
    let letters = (lower + each(0x80 - b'a')) & !(lower + each(0x7f - b'z'));
    ((digits | letters) & ascii, digits & ascii & HIGH)
}

/// [`fnv`] of the first `n` bytes of `eight` (low byte first), without a
/// branch on `n`.
fn fnv_prefix(mut hash: u64, eight: u64, n: usize) -> u64 {
    for i in 0..8 {
        let next = fnv(hash, (eight >> (8 * i)) as u8);
        hash = std::hint::select_unpredictable(i < n, next, hash);
    }
    hash
}

/// Whether the word `text[start..end]`, a run of ASCII letters and digits
/// after no other word character, goes on past `end` (the rules of
/// [`fold_words`] for a word of `end - start` letters).
fn goes_on(text: &str, start: usize, end: usize) -> bool {
    let bytes = text.as_bytes();
    match bytes.get(end) {
        None => false,
        Some(b'.' | b',' | b'\'' | b'`') => {
            (bytes[end] == b'.' && end - start == 1) || alphanumeric_at(text, end + 1)
        }
        Some(b'-' | b'/') => {
            bytes[end - 1].is_ascii_digit() && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
        }
        Some(b) if b.is_ascii() => false,
        // A letter, or an apostrophe that may stand between letters.
        Some(_) => text[end..].chars().next().is_some_and(|c| {
            c.is_alphanumeric() || matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}')
        }),
    }
}

/// Whether the character at byte `at` of `text` (a character boundary) is a
/// letter or digit.
fn alphanumeric_at(text: &str, at: usize) -> bool {
    match text.as_bytes().get(at) {
        None => false,
        Some(b) if b.is_ascii() => b.is_ascii_alphanumeric(),
        Some(_) => text[at..].chars().next().is_some_and(char::is_alphanumeric),
    }
}

/// Passes a folded word with the [`key`] of its text to `emit` in its
/// canonical spelling, holding back a "per" until the next word tells
/// whether it is "per cent".
fn pass_on(word: Word<'_>, key: u64, per: &mut bool, emit: &mut impl FnMut(Word<'_>)) {
    let spelling = respelling(key);
    if std::mem::take(per) {
        if spelling == Some("cent") {
            emit(Word::of("pct"));
            return;
        }
        emit(Word::of("per"));
    }
    match spelling {
        Some("per") => *per = true,
        Some(other) => emit(Word::of(other)),
        None => emit(word),
    }
}

/// A word of up to 7 bytes, its ASCII letters lowercased, in a u64 (a word
/// holds no NUL, so the key tells it from any other); 0 for a longer word.
const fn key(word: &[u8]) -> u64 {
    if word.len() > 7 {
        return 0;
    }
    let mut key = 0;
    let mut i = 0;
    while i < word.len() {
        key |= (word[i].to_ascii_lowercase() as u64) << (8 * i);
        i += 1;
    }
    key
}

/// The [`key`] of `bytes[start..end]`, ASCII letters and digits, read at
/// once (without a branch on its length, which is hard to predict).
fn run_key(bytes: &[u8], start: usize, end: usize) -> u64 {
    let Some(&eight) = bytes.get(start..).and_then(|b| b.first_chunk::<8>()) else {
        return key(&bytes[start..end]);
    };
    let len = end - start;
    // (Lowercase: a digit has the bit already.)
    let low = (u64::from_le_bytes(eight) | LOWER) & ((1 << (8 * len.min(7))) - 1);
    if len <= 7 {
        low
    } else {
        0
    }
}

/// The words another spelling (or "per" and "cent", which a "per cent"
/// joins) stands for, by [`key`].
const SPELLINGS: [(u64, &str); 13] = [
    (key(b"percent"), "pct"),
    (key(b"pc"), "pct"),
    (key(b"mln"), "million"),
    (key(b"mn"), "million"),
    (key(b"m"), "million"),
    (key(b"bln"), "billion"),
    (key(b"bn"), "billion"),
    (key(b"dlrs"), "dollars"),
    (key(b"dlr"), "dollars"),
    (key(b"dollar"), "dollars"),
    (key(b"usa"), "us"),
    (key(b"per"), "per"),
    (key(b"cent"), "cent"),
];

/// The canonical spelling of the word of [`key`] `key`, if it has another:
/// one look-up in [`SPELLING_SLOTS`] (comparing with each of
/// [`SPELLINGS`] took a quarter of the fold's time).
fn respelling(key: u64) -> Option<&'static str> {
    let (k, word) = SPELLING_SLOTS[slot(key, SLOT_FACTOR)];
    (k == key).then_some(word)
}

/// Bits of a slot of [`SPELLING_SLOTS`].
const SLOT_BITS: u32 = 5;

/// The slot of `key` under the multiplier `factor`.
const fn slot(key: u64, factor: u64) -> usize {
    (key.wrapping_mul(factor) >> (64 - SLOT_BITS)) as usize
}

/// A multiplier that gives each key of [`SPELLINGS`] a slot of its own (a
/// perfect hash): the first that does of the odd numbers drawn by [`mix`].
const SLOT_FACTOR: u64 = {
    let mut seed = 0;
    'search: loop {
        seed += 1;
        let factor = mix(seed) | 1;
        let mut taken = 0u64;
        let mut i = 0;
        while i < SPELLINGS.len() {
            let bit = 1 << slot(SPELLINGS[i].0, factor);
            if taken & bit != 0 {
                continue 'search;
            }
            taken |= bit;
            i += 1;
        }
        break factor;
    }
};

/// [`SPELLINGS`] by the slot of their key; the other slots hold a key no
/// word has (a word's key has a zero high byte).
const SPELLING_SLOTS: [(u64, &str); 1 << SLOT_BITS] = {
    let mut slots = [(u64::MAX, ""); 1 << SLOT_BITS];
    let mut i = 0;
    while i < SPELLINGS.len() {
        slots[slot(SPELLINGS[i].0, SLOT_FACTOR)] = SPELLINGS[i];
        i += 1;
    }
    slots
};

/// The folded words of `text`: see the module documentation.
pub fn fold(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    fold_words(text, |w| words.push(w.text.to_ascii_lowercase()));
    words
}

/// Murmur3's 64-bit finaliser: every input bit moves every output bit.
const fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A folded word's 64-bit hash (FNV-1a of its bytes with ASCII letters
/// lowercased, mixed), and whether it holds an ASCII digit.
fn word_hash(word: &str) -> (u64, bool) {
    let mut h = FNV_OFFSET;
    let mut digit = false;
    for &b in word.as_bytes() {
        digit |= b.is_ascii_digit();
        h = fnv(h, b.to_ascii_lowercase());
    }
    (mix(h), digit)
}

/// FNV-1a's initial state.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a's step: one more byte.
fn fnv(h: u64, byte: u8) -> u64 {
    (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

/// A shingle's 64-bit hash, from the hashes of its words in order.
fn shingle_hash(words: &[u64]) -> u64 {
    mix(words.iter().fold(0x9e37_79b9_7f4a_7c15, |h: u64, &w| {
        (h ^ w).wrapping_mul(0x0100_0000_01b3).rotate_left(31)
    }))
}

/// One-permutation MinHash with optimal densification (Shrivastava, "Optimal
/// Densification for Fast and Accurate Minwise Hashing", ICML 2017): one
/// hash per shingle, whose top 7 bits pick one of [`MINHASHES`] bins and
/// whose low 32 bits are the value; each bin keeps its least value. An
/// empty bin (a text of few shingles) takes the value of the first
/// non-empty bin in a sequence of bins drawn from a hash of its number, the
/// same for every text (see [`densify`]), so that two texts agree in a bin
/// with a probability of their Jaccard similarity, as with [`MINHASHES`]
/// permutations, at the cost of one hash per shingle instead of
/// [`MINHASHES`]. Each value is cut to its low [`VALUE_BITS`] bits. Returns
/// the values and the filled bins; the empty bins are left to [`densify`].
fn minhash(shingles: &[u64]) -> ([u16; MINHASHES], u128) {
    const _: () = assert!(MINHASHES == 128, "bins are picked by the top 7 bits");
    let mut values = [u32::MAX; MINHASHES];
    let mut filled = 0u128;
    for &h in shingles {
        let bin = (h >> 57) as usize;
        values[bin] = values[bin].min(h as u32);
        filled |= 1 << bin;
    }
    (values.map(|v| (v & VALUE_MASK) as u16), filled)
}

/// The low [`VALUE_BITS`] bits.
const VALUE_MASK: u32 = (1 << VALUE_BITS) - 1;

/// Gives each bin not in `filled` the value of the first filled bin in its
/// sequence of draws (every bin 0 when none is filled).
fn densify(values: &mut [u16], filled: u128) {
    if filled == 0 {
        values.fill(0);
        return;
    }
    let table = draws();
    let (low, high) = (filled as u64, (filled >> 64) as u64);
    let is_filled = |j: u8| (if j < 64 { low } else { high } >> (j & 63)) as u32 & 1;
    let mut empty = !filled;
    while empty != 0 {
        let bin = empty.trailing_zeros() as usize;
        empty &= empty - 1;
        // Eight draws at a time, without a branch between them: this runs
        // for every signature grouping reads, and a branch a draw was
        // mispredicted once a bin (a fifth of reading them at a million).
        let source = table[bin].chunks_exact(8).find_map(|draws| {
            let hits = (0..8).fold(0u32, |hits, k| hits | is_filled(draws[k]) << k);
            (hits != 0).then(|| usize::from(draws[hits.trailing_zeros() as usize]))
        });
        let source = source.unwrap_or_else(|| {
            (DRAWS as u64 + 1..)
                .map(|attempt| draw(bin, attempt))
                .find(|&j| filled & (1 << j) != 0)
                .expect("a bin is filled")
        });
        values[bin] = values[source];
    }
}

/// The estimated Jaccard similarity of two texts whose signatures agree in
/// `same` of their [`MINHASHES`] values, corrected for values that agree by
/// chance in their low [`VALUE_BITS`] bits (Li and König, "b-Bit Minwise
/// Hashing", WWW 2010, with the chance of `2^-b` of sparse data).
pub const fn estimate(same: u32) -> f64 {
    let chance = 1.0 / (1u32 << VALUE_BITS) as f64;
    let p = same as f64 / MINHASHES as f64;
    ((p - chance) / (1.0 - chance)).max(0.0)
}

/// How many distinct values `hashes` holds (well-mixed hashes: an
/// open-addressing set in `slots`, linear in their number, where a sort took
/// a fifth of the signature's time).
fn distinct(hashes: &[u64], slots: &mut Vec<u64>) -> usize {
    let size = (4 * hashes.len()).next_power_of_two().max(2);
    let shift = 64 - size.trailing_zeros();
    // 0 marks an empty slot; a hash of 0 is counted apart.
    slots.clear();
    slots.resize(size, 0);
    let (mut count, mut zero) = (0, false);
    for &h in hashes {
        if h == 0 {
            zero = true;
            continue;
        }
        let mut at = (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> shift) as usize;
        loop {
            match slots[at] {
                0 => {
                    slots[at] = h;
                    count += 1;
                    break;
                }
                v if v == h => break,
                _ => at = (at + 1) & (size - 1),
            }
        }
    }
    count + usize::from(zero)
}

/// What a thread keeps from one signature to the next, so that a signature
/// allocates only what it returns.
#[derive(Default)]
struct Scratch {
    /// The hash of each folded word, in text order.
    words: Vec<u64>,
    /// The hash of each figure (a word holding a digit), in text order.
    figures: Vec<u64>,
    /// The hash of each shingle, in text order.
    shingles: Vec<u64>,
    /// The slots of [`distinct`].
    slots: Vec<u64>,
}

impl Scratch {
    /// Gives back the memory of a long text's buffers.
    fn trim(&mut self) {
        /// Hashes kept per buffer at most (1 MB).
        const KEPT: usize = 1 << 17;
        for buffer in [
            &mut self.words,
            &mut self.figures,
            &mut self.shingles,
            &mut self.slots,
        ] {
            if buffer.capacity() > KEPT {
                *buffer = Vec::new();
            }
        }
    }
}

thread_local! {
    /// Each thread's [`Scratch`].
    static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
}

/// The bin an empty `bin` tries at its `attempt`th draw (from 1).
fn draw(bin: usize, attempt: u64) -> usize {
    (mix(((bin as u64) << 32) | attempt) >> 57) as usize
}

/// Draws of each bin kept in a table (a text of 4 shingles or more rarely
/// needs more).
const DRAWS: usize = 64;

/// The first [`DRAWS`] draws of each bin.
fn draws() -> &'static [[u8; DRAWS]; MINHASHES] {
    static TABLE: std::sync::OnceLock<[[u8; DRAWS]; MINHASHES]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        std::array::from_fn(|bin| std::array::from_fn(|k| draw(bin, k as u64 + 1) as u8))
    })
}

/// A signature as stored in the index: the format, the count of
/// figures, the count of shingles (LEB128), the count of filled bins
/// and, unless none or all are, their bit set (16 bytes); then the
/// filled bins' values, two to three bytes, and the figures, two bytes
/// each, little-endian.
fn encode(minhash: &[u16], bins: u128, shingles: u32, numbers: &[u16]) -> Vec<u8> {
    let filled = bins.count_ones() as usize;
    let mut out = Vec::with_capacity(24 + 3 * filled / 2 + 2 * numbers.len());
    out.push(FORMAT);
    out.push(numbers.len() as u8);
    let mut shingles = shingles;
    while shingles >= 0x80 {
        out.push((shingles as u8) | 0x80);
        shingles >>= 7;
    }
    out.push(shingles as u8);
    out.push(filled as u8);
    if filled != 0 && filled != MINHASHES {
        out.extend_from_slice(&bins.to_le_bytes());
    }
    // The filled bins' values, without a branch on each bin.
    let mut values = [0u16; MINHASHES];
    let mut count = 0;
    for (bin, &value) in minhash.iter().enumerate() {
        values[count] = value;
        count += (bins >> bin) as usize & 1;
    }
    for pair in values[..count].chunks(2) {
        let (a, b) = (pair[0], pair.get(1).copied().unwrap_or(0));
        let packed = u32::from(a) | (u32::from(b) << VALUE_BITS);
        let bytes = if pair.len() == 2 { 3 } else { 2 };
        out.extend_from_slice(&packed.to_le_bytes()[..bytes]);
    }
    for v in numbers {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// A signature as [`Signature::sketch`] makes it: its empty bins not
/// densified (their values are meaningless).
struct Sketch {
    minhash: [u16; MINHASHES],
    filled: u128,
    shingles: u32,
    numbers: Vec<u16>,
}

impl Signature {
    /// The signature of an article body.
    pub fn of(text: &str) -> Signature {
        let sketch = Signature::sketch(text);
        let mut minhash = sketch.minhash.to_vec();
        densify(&mut minhash, sketch.filled);
        Signature {
            minhash,
            filled: sketch.filled,
            shingles: sketch.shingles,
            numbers: sketch.numbers,
        }
    }

    /// The signature of an article body as stored in the index: what
    /// [`Signature::encode`] gives, without densifying the bins it leaves out.
    pub fn encoded(text: &str) -> Vec<u8> {
        let s = Signature::sketch(text);
        encode(&s.minhash, s.filled, s.shingles, &s.numbers)
    }

    /// The signature of `text` with its empty bins not densified. Folding,
    /// hashing the shingles, the MinHash and the count of distinct shingles
    /// are each a loop of their own, over the thread's [`Scratch`] (counted
    /// in the loop that folds, the shingles made it wait on each word's
    /// hash, and it was slower).
    fn sketch(text: &str) -> Sketch {
        const _: () = assert!(SHINGLE_WORDS == 3, "a shingle is the last three words");
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch {
                words,
                figures,
                shingles,
                slots,
            } = scratch;
            words.clear();
            figures.clear();
            fold_words(text, |w| {
                words.push(w.hash);
                if w.figure {
                    figures.push(w.hash);
                }
            });
            let mut numbers = Vec::new();
            for &h in figures.iter() {
                if numbers.len() < MAX_NUMBERS && !numbers.contains(&(h as u16)) {
                    numbers.push(h as u16);
                }
            }
            shingles.clear();
            // A text of fewer words is one shingle.
            if (1..SHINGLE_WORDS).contains(&words.len()) {
                shingles.push(shingle_hash(words));
            }
            shingles.extend(words.windows(SHINGLE_WORDS).map(shingle_hash));
            let (minhash, filled) = minhash(shingles);
            let sketch = Sketch {
                minhash,
                filled,
                shingles: distinct(shingles, slots) as u32,
                numbers,
            };
            scratch.trim();
            sketch
        })
    }

    /// The signature as stored in the index (see [`encode`]).
    pub fn encode(&self) -> Vec<u8> {
        encode(&self.minhash, self.filled, self.shingles, &self.numbers)
    }

    /// Reads a stored signature; `None` when it is not one of this version.
    pub fn decode(bytes: &[u8]) -> Option<Signature> {
        let (&[format, numbers], mut rest) = bytes.split_first_chunk::<2>()?;
        if format != FORMAT {
            return None;
        }
        let mut shingles = 0u32;
        for shift in (0..35).step_by(7) {
            let (&byte, tail) = rest.split_first()?;
            rest = tail;
            shingles |= u32::from(byte & 0x7f).checked_shl(shift)?;
            if byte < 0x80 {
                break;
            }
        }
        let (&count, mut rest) = rest.split_first()?;
        let count = usize::from(count);
        let filled = match count {
            0 => 0,
            MINHASHES => u128::MAX,
            _ => {
                let (mask, tail) = rest.split_first_chunk::<16>()?;
                rest = tail;
                u128::from_le_bytes(*mask)
            }
        };
        let value_bytes = count / 2 * 3 + count % 2 * 2;
        if count > MINHASHES
            || filled.count_ones() as usize != count
            || rest.len() != value_bytes + 2 * usize::from(numbers)
        {
            return None;
        }
        let (packed, numbers) = rest.split_at(value_bytes);
        // The filled bins in order, two values to three bytes.
        let mut minhash = vec![0u16; MINHASHES];
        let mut bins = filled;
        for c in packed.chunks(3) {
            let word = u32::from_le_bytes([c[0], c[1], c.get(2).copied().unwrap_or(0), 0]);
            for value in [word & VALUE_MASK, word >> VALUE_BITS] {
                if bins != 0 {
                    minhash[bins.trailing_zeros() as usize] = value as u16;
                    bins &= bins - 1;
                }
            }
        }
        densify(&mut minhash, filled);
        Some(Signature {
            minhash,
            filled,
            shingles,
            numbers: numbers
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect(),
        })
    }

    /// Estimated Jaccard similarity of the two shingle sets (see [`estimate`]).
    pub fn jaccard(&self, other: &Signature) -> f64 {
        let same = self
            .minhash
            .iter()
            .zip(&other.minhash)
            .filter(|(a, b)| a == b)
            .count();
        estimate(same as u32)
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
    fn words_fold_alike_whichever_way_they_are_read() {
        // Words of ASCII letters and digits only are read eight bytes at a
        // time and hashed as they stand; the others character by character.
        // Both fold as before (the expected words are main's at ec82f52).
        let cases: [(&str, &[&str]); 12] = [
            (
                "USA PerCent MLN Dlrs percents Percentage",
                &["us", "pct", "million", "dollars", "percents", "percentage"],
            ),
            ("per", &["per"]),
            ("rose 5%, per CENT.", &["rose", "5", "pct", "pct"]),
            ("per\u{2014}cent per", &["pct", "per"]),
            (
                "PER \u{201c}CENT\u{201d} up 5\u{a0}% from 1,000.",
                &["pct", "up", "5", "pct", "from", "1000"],
            ),
            (
                "élan naïve l’été café’s ÉCOLE",
                &["élan", "naïve", "lété", "cafés", "école"],
            ),
            (
                "a b/c 1-a 12-3 x-1 1/2%",
                &["a", "b", "c", "1", "a", "12-3", "x", "1", "1/2", "pct"],
            ),
            (
                "Mr. J. Smith e.g. it's rock`n`roll",
                &["mr", "j", "smith", "eg", "its", "rocknroll"],
            ),
            (
                "abcdefgh abcdefghijklmnopq 12345678 1234567",
                &["abcdefgh", "abcdefghijklmnopq", "12345678", "1234567"],
            ),
            ("Ünited États USA’s", &["ünited", "états", "usas"]),
            ("x86_64 Q3 2a.b.c.", &["x86", "64", "q3", "2a.b.c"]),
            (
                "中国5%增长 US-made İstanbul",
                &["中国5", "pct", "增长", "us", "made", "i\u{307}stanbul"],
            ),
        ];
        for (text, words) in cases {
            assert_eq!(fold(text), words, "{text}");
        }
    }

    #[test]
    fn encoding_round_trips() {
        let short = Signature::of("Shares rose 5 pct on Monday, the company said in 1987.");
        assert_ne!(short.filled, u128::MAX);
        let words: Vec<String> = (0..2000).map(|i| format!("w{i}x")).collect();
        let long = Signature::of(&words.join(" "));
        assert_eq!(long.filled, u128::MAX);
        for s in [short, long, Signature::of(""), Signature::of("one two")] {
            let bytes = s.encode();
            assert_eq!(Signature::decode(&bytes), Some(s));
            assert_eq!(Signature::decode(&bytes[..bytes.len() - 1]), None);
        }
        assert_eq!(Signature::decode(&[9, 0, 1]), None);
    }

    #[test]
    fn distinct_counts_each_value_once() {
        let values: Vec<u64> = (0..500u64).map(|i| mix(i % 37 + 1)).chain([0, 0]).collect();
        let mut slots = vec![7; 5000];
        assert_eq!(distinct(&values, &mut slots), 38);
        assert_eq!(distinct(&[], &mut slots), 0);
    }

    #[test]
    fn each_spelling_has_a_slot_of_its_own() {
        for (key, word) in SPELLINGS {
            assert_eq!(respelling(key), Some(word));
        }
        for other in ["the", "pct", "dollars", "percents", "", "m.", "mlns"] {
            assert_eq!(respelling(key(other.as_bytes())), None, "{other}");
        }
    }

    #[test]
    fn the_estimate_corrects_chance_agreement() {
        assert_eq!(estimate(MINHASHES as u32), 1.0);
        assert_eq!(estimate(0), 0.0);
        assert!(estimate(64) < 0.5);
    }

    #[test]
    fn signatures_do_not_change_between_builds() {
        // Signatures are stored in the index: a change to folding or hashing
        // would leave old signatures incomparable (the format byte and the
        // schema version then have to change).
        let s = Signature::of("The central bank raised its key rate by half a point.");
        assert_eq!(s.shingles, 9);
        assert_eq!(&s.minhash[..4], &EXPECTED_FIRST_MINHASHES);
    }

    const EXPECTED_FIRST_MINHASHES: [u16; 4] = [2853, 1516, 4000, 2625];

    #[test]
    fn the_one_permutation_minhash_estimates_jaccard_long_and_short() {
        let words: Vec<String> = (0..500).map(|i| format!("w{i}x")).collect();
        let text = |from: usize, to: usize| words[from..to].join(" ");
        // 398 shingles each, 298 shared: Jaccard 0.60.
        let (a, b) = (Signature::of(&text(0, 400)), Signature::of(&text(100, 500)));
        assert!((a.jaccard(&b) - 0.6).abs() < 0.12, "{}", a.jaccard(&b));
        // 18 shingles each, 13 shared (most bins empty, densified): 0.57.
        let (a, b) = (Signature::of(&text(0, 20)), Signature::of(&text(5, 25)));
        assert!((a.jaccard(&b) - 0.57).abs() < 0.2, "{}", a.jaccard(&b));
        assert_eq!(a.jaccard(&Signature::of(&text(0, 20))), 1.0);
        assert!(a.jaccard(&Signature::of(&text(200, 220))) < 0.1);
    }

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
