//! Copy groups: articles that are copies of one story, found from the
//! signatures stored in the index by MinHash LSH ([`BANDS`] bands of
//! [`BAND_WIDTH`] values) and a verification of each
//! candidate pair ([`is_copy`]). Groups are recomputed from every stored
//! signature at the end of an index run and kept beside the index in
//! [`GROUPS_FILE`], tagged with the commit they describe; a reader that
//! finds the file missing or stale recomputes them.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::story::numbers::StoryNumbers;
use crate::story::signature::{estimate, Signature, MINHASHES, VALUE_BITS};

/// The file, in the index folder, that holds the copy groups.
pub const GROUPS_FILE: &str = "copies.json";
/// LSH bands (of the signature's 128 values).
const BANDS: usize = 64;
/// Values per LSH band: two, so that a copy with half its text cut (a
/// Jaccard similarity near 0.35) is still a candidate (at 0.35, the chance
/// of missing it is under 0.1 %).
const BAND_WIDTH: usize = 2;
const _: () = assert!(
    BAND_WIDTH == 2 && BANDS * BAND_WIDTH == MINHASHES,
    "a band is one word of two values of at most 16 bits"
);
/// Least share of the shorter text's shingles the longer one must hold.
pub const MIN_CONTAINMENT: f64 = 0.6;
/// Least share of one text's figures the other must hold (either way: a
/// copy with a paragraph dropped holds fewer): a templated report with
/// other figures is another story.
pub const MIN_NUMBERS: f64 = 0.9;
/// Least size of the shorter text against the longer one (in shingles): a
/// brief quoted inside a long roundup is not a copy of it.
pub const MIN_LENGTH_RATIO: f64 = 0.1;
/// A text of fewer shingles (about as many words: two short sentences) is a
/// *brief*: a dividend note, a rate change, a headline with no body. Briefs
/// of one template share most of their few shingles whatever they report,
/// so a brief is a copy only of a text nearly the same as itself.
pub const BRIEF_SHINGLES: u32 = 30;
/// Distinct figures shared that make a brief's copy certain whatever its
/// wording (a cut earnings table): below it, a brief needs
/// [`MIN_BRIEF_JACCARD`].
pub const BRIEF_FIGURES: usize = 5;
/// Least Jaccard similarity of a brief and its copy.
pub const MIN_BRIEF_JACCARD: f64 = 0.8;

/// Whether two articles are copies of one story (see the README's "Copies
/// of one story" for why these tests).
pub fn is_copy(a: &Signature, b: &Signature) -> bool {
    copy_similarity(a, b).is_some()
}

/// The similarity of two articles (the estimated share of the shorter
/// text's shingles that the longer one holds) when they are copies of one
/// story; `None` when they are not. See [`Table::similarity`].
pub fn copy_similarity(a: &Signature, b: &Signature) -> Option<f64> {
    let mut table = Table::default();
    table.push(String::new(), None, 0, a);
    table.push(String::new(), None, 1, b);
    table.similarity(0, 1)
}

/// Estimated Jaccard similarity of the shingle sets of two articles, from
/// their band words.
#[inline(always)]
fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    // Words are compared whole, two values at a time (this loop and the
    // one in `band_pairs` are most of the grouping time).
    let same: u32 = a
        .iter()
        .zip(b)
        .map(|(x, y)| {
            let d = x ^ y;
            u32::from(d & 0xffff == 0) + u32::from(d >> 16 == 0)
        })
        .sum();
    // (Looked up: the estimate's division was a tenth of the check.)
    ESTIMATES[same as usize]
}

/// [`estimate`] of each count of equal values, computed at compile time.
static ESTIMATES: [f64; MINHASHES + 1] = {
    let mut table = [0.0; MINHASHES + 1];
    let mut same = 0;
    while same <= MINHASHES {
        table[same] = estimate(same as u32);
        same += 1;
    }
    table
};

/// An article as a check reads it: its number in the table, its band words
/// and its shingle count.
#[derive(Clone, Copy)]
struct Row<'a> {
    i: u32,
    bands: &'a [u32],
    shingles: u32,
}

/// Largest LSH bucket whose pairs are compared: a band value shared by more
/// articles than this is boilerplate, not a sign of a copy (the pairs it
/// holds are still found through their other bands).
const MAX_BUCKET: usize = 2000;

/// The articles of an index in the compact form grouping works on: per
/// article its id, date, indexing order, shingle count, its 12-bit MinHash
/// values (see [`Signature::minhash`]), two to a word as LSH bands them,
/// and its figures, sorted.
#[derive(Debug, Default)]
pub struct Table {
    ids: Vec<String>,
    dates: Vec<Option<i64>>,
    orders: Vec<u64>,
    shingles: Vec<u32>,
    bands: Vec<u32>,
    numbers: Vec<u16>,
    number_ends: Vec<u32>,
}

impl Table {
    /// An empty table with room for `articles` articles.
    pub fn with_capacity(articles: usize) -> Table {
        Table {
            ids: Vec::with_capacity(articles),
            dates: Vec::with_capacity(articles),
            orders: Vec::with_capacity(articles),
            shingles: Vec::with_capacity(articles),
            bands: Vec::with_capacity(articles * BANDS),
            numbers: Vec::new(),
            number_ends: Vec::with_capacity(articles),
        }
    }

    /// Adds an article.
    pub fn push(&mut self, id: String, date: Option<i64>, order: u64, signature: &Signature) {
        self.ids.push(id);
        self.dates.push(date);
        self.orders.push(order);
        self.shingles.push(signature.shingles);
        let value = |k: usize| u32::from(signature.minhash.get(k).copied().unwrap_or(0));
        debug_assert!(signature.minhash.iter().all(|&v| v >> VALUE_BITS == 0));
        self.bands
            .extend((0..BANDS).map(|band| (value(2 * band) << 16) | value(2 * band + 1)));
        let start = self.numbers.len();
        self.numbers.extend_from_slice(&signature.numbers);
        self.numbers[start..].sort_unstable();
        self.number_ends.push(self.numbers.len() as u32);
    }

    /// Articles in the table.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The article's band keys: two MinHash values each.
    #[inline(always)]
    fn bands(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.bands[i * BANDS..(i + 1) * BANDS]
    }

    #[inline(always)]
    fn numbers(&self, i: u32) -> &[u16] {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.number_ends[i - 1] };
        &self.numbers[start as usize..self.number_ends[i] as usize]
    }

    /// When an article appeared, for ordering: dated before undated, then
    /// by date, then by indexing order.
    fn when(&self, i: u32) -> (bool, Option<i64>, u64, &str) {
        let i = i as usize;
        (
            self.dates[i].is_none(),
            self.dates[i],
            self.orders[i],
            &self.ids[i],
        )
    }

    /// Drops all but the first-indexed article of each id.
    fn dedup(&mut self) {
        // (Most tables have no duplicate: a set of the ids tells, where a
        // sort of them took a third of a second at a million articles.)
        let mut seen =
            rustc_hash::FxHashSet::with_capacity_and_hasher(self.len(), Default::default());
        if self.ids.iter().all(|id| seen.insert(id.as_str())) {
            return;
        }
        drop(seen);
        let mut by_id: Vec<u32> = (0..self.len() as u32).collect();
        by_id.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            self.ids[a]
                .cmp(&self.ids[b])
                .then(self.orders[a].cmp(&self.orders[b]))
        });
        let mut keep = vec![true; self.len()];
        for w in by_id.windows(2) {
            if self.ids[w[0] as usize] == self.ids[w[1] as usize] {
                keep[w[1] as usize] = false;
            }
        }
        let old = std::mem::take(self);
        for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            let i = i as u32;
            let signature = Signature {
                minhash: old
                    .bands(i)
                    .iter()
                    .flat_map(|&w| [(w >> 16) as u16, w as u16])
                    .collect(),
                filled: u128::MAX,
                shingles: old.shingles[i as usize],
                numbers: old.numbers(i).to_vec(),
            };
            self.push(
                old.ids[i as usize].clone(),
                old.dates[i as usize],
                old.orders[i as usize],
                &signature,
            );
        }
    }

    /// Figures that both articles hold.
    #[inline(always)]
    fn shared_numbers(&self, a: u32, b: u32) -> usize {
        let (x, y) = (self.numbers(a), self.numbers(b));
        let (mut i, mut j, mut held) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    held += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        held
    }

    /// The similarity of articles `a` and `b` (the estimated share of the
    /// shorter text's shingles that the longer one holds) when they are
    /// copies of one story, `None` when they are not:
    /// - the shorter has at least [`MIN_LENGTH_RATIO`] of the longer's
    ///   shingles;
    /// - at least [`MIN_NUMBERS`] of one's figures are among the other's;
    /// - a brief (under [`BRIEF_SHINGLES`]) is nearly the other's text
    ///   (Jaccard at least [`MIN_BRIEF_JACCARD`]);
    /// - the estimated containment is at least [`MIN_CONTAINMENT`].
    pub fn similarity(&self, a: u32, b: u32) -> Option<f64> {
        self.check(self.row(a), self.row(b))
    }

    /// The article `i` as a check reads it.
    fn row(&self, i: u32) -> Row<'_> {
        Row {
            i,
            bands: self.bands(i),
            shingles: self.shingles[i as usize],
        }
    }

    /// [`Table::similarity`] of two rows.
    #[inline(always)]
    fn check(&self, a: Row, b: Row) -> Option<f64> {
        let (short, long) = if a.shingles <= b.shingles {
            (a, b)
        } else {
            (b, a)
        };
        let (s, l) = (f64::from(short.shingles), f64::from(long.shingles));
        if s == 0.0 || s < MIN_LENGTH_RATIO * l {
            return None;
        }
        let j = jaccard(short.bands, long.bands);
        // The containment, j (s + l) / ((1 + j) s), tested without its
        // divisions: most pairs checked end here, and the divisions were
        // the slowest part of the check.
        if j * (s + l) < MIN_CONTAINMENT * (1.0 + j) * s {
            return None;
        }
        let shared = self.shared_numbers(short.i, long.i);
        let share = |i: u32| match self.numbers(i).len() {
            0 => 1.0,
            all => shared as f64 / all as f64,
        };
        if share(short.i).max(share(long.i)) < MIN_NUMBERS
            || (s < f64::from(BRIEF_SHINGLES) && shared < BRIEF_FIGURES && j < MIN_BRIEF_JACCARD)
        {
            return None;
        }
        Some((j * (s + l) / (1.0 + j) / s).min(1.0))
    }

    /// Every pair of articles that LSH makes candidates (equal in one of
    /// [`BANDS`] bands of [`BAND_WIDTH`] values) and that
    /// [`Table::similarity`] verifies, each once. Bands are sorted one at a
    /// time, so memory stays a few bytes an article; a pair is verified only
    /// in the first band it shares.
    fn verified_pairs(&self) -> Vec<(u32, u32)> {
        let rows: Vec<u32> = (0..self.len() as u32)
            .filter(|&i| self.shingles[i as usize] > 0)
            .collect();
        (0..BANDS)
            .into_par_iter()
            .flat_map_iter(|band| band_pairs(self, &rows, band))
            .collect()
    }
}

/// The pairs of [`Table::verified_pairs`] that first meet in `band`.
/// Compiled also for newer x86 vector instructions (used where the processor
/// has them): checking pairs is most of the grouping time.
#[multiversion::multiversion(targets("x86_64+avx2+popcnt"))]
fn band_pairs(table: &Table, rows: &[u32], band: usize) -> Vec<(u32, u32)> {
    // Eight words at a time without a branch between them (vectorised):
    // this check was a quarter of the grouping time at a million articles.
    let shared_before = |a: &[u32], b: &[u32]| {
        let (mut x, mut y) = (a[..band].chunks_exact(8), b[..band].chunks_exact(8));
        for (p, q) in (&mut x).zip(&mut y) {
            if p.iter().zip(q).fold(false, |eq, (s, t)| eq | (s == t)) {
                return true;
            }
        }
        x.remainder().iter().zip(y.remainder()).any(|(s, t)| s == t)
    };
    // Key and row in one word, sorted.
    let keys = sorted_keys(
        rows.iter()
            .map(|&i| (u64::from(table.bands(i)[band]) << 32) | u64::from(i))
            .collect(),
    );
    let mut found = Vec::new();
    // The band words and shingle counts of a bucket's articles, side by
    // side: its pairs then read memory in order, not all over the table.
    let (mut words, mut shingles) = (Vec::new(), Vec::new());
    for run in keys.chunk_by(|x, y| x >> 32 == y >> 32) {
        if run.len() < 2 || run.len() > MAX_BUCKET {
            continue;
        }
        words.clear();
        shingles.clear();
        for &r in run {
            words.extend_from_slice(table.bands(r as u32));
            shingles.push(table.shingles[r as u32 as usize]);
        }
        let row = |x: usize| Row {
            i: run[x] as u32,
            bands: &words[x * BANDS..(x + 1) * BANDS],
            shingles: shingles[x],
        };
        for x in 0..run.len() {
            let a = row(x);
            for y in x + 1..run.len() {
                let b = row(y);
                if !shared_before(a.bands, b.bands) && table.check(a, b).is_some() {
                    found.push((a.i.min(b.i), a.i.max(b.i)));
                }
            }
        }
    }
    found
}

/// Band keys (two 12-bit values, in bits 48-59 and 32-43) with their rows
/// (bits 0-31, ascending), sorted: a radix sort of the two values, which
/// keeps the rows of a key in order (a comparison sort was a tenth of the
/// grouping time at a million articles).
#[inline(always)]
fn sorted_keys(mut keys: Vec<u64>) -> Vec<u64> {
    const VALUES: usize = 1 << VALUE_BITS;
    let mut out = vec![0u64; keys.len()];
    for shift in [32, 48] {
        let value = |k: u64| (k >> shift) as usize & (VALUES - 1);
        let mut starts = vec![0usize; VALUES + 1];
        for &k in &keys {
            starts[value(k) + 1] += 1;
        }
        for v in 0..VALUES {
            starts[v + 1] += starts[v];
        }
        for &k in &keys {
            let v = value(k);
            out[starts[v]] = k;
            starts[v] += 1;
        }
        std::mem::swap(&mut keys, &mut out);
    }
    keys
}

/// Star clustering around originals, which does not chain: articles are
/// taken oldest first (undated last; ties by indexing order), and each
/// joins the group of a verified earlier neighbour only if it is itself
/// verified against that group's original (the most similar such original
/// wins); otherwise it starts a group of its own, as its original. So
/// every member of a group is a copy of the group's original, and two
/// templated reports that are each alike a third one are not put together
/// unless they are alike the original. Returns each article's original.
fn star_clusters(table: &Table, pairs: Vec<(u32, u32)>) -> Vec<u32> {
    let n = table.len();
    // Oldest first: by a packed key, with ids only on a tie (comparing
    // `when`s read three arrays all over for each comparison).
    let mut keyed: Vec<(u64, u64, u32)> = (0..n as u32)
        .map(|i| {
            let (_, date, order, _) = table.when(i);
            let date = date.map_or(u64::MAX, |d| (d as u64) ^ (1 << 63));
            (date, order, i)
        })
        .collect();
    keyed.sort_unstable_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then_with(|| table.when(a.2).cmp(&table.when(b.2)))
    });
    let rank: Vec<u32> = keyed.into_iter().map(|k| k.2).collect();
    let mut pos = vec![0u32; n];
    for (p, &i) in rank.iter().enumerate() {
        pos[i as usize] = p as u32;
    }
    // Each verified pair as (later, earlier) positions in `rank`, in one
    // word, sorted.
    let mut edges: Vec<u64> = pairs
        .into_iter()
        .map(|(i, j)| {
            let (p, q) = (pos[i as usize], pos[j as usize]);
            (u64::from(p.max(q)) << 32) | u64::from(p.min(q))
        })
        .collect();
    edges.sort_unstable();
    edges.dedup();
    let mut center: Vec<u32> = (0..n as u32).collect();
    let mut e = 0;
    for (p, &i) in rank.iter().enumerate() {
        let mut best: Option<(f64, u32)> = None;
        while e < edges.len() && edges[e] >> 32 == p as u64 {
            let c = center[rank[edges[e] as u32 as usize] as usize];
            e += 1;
            let Some(s) = table.similarity(i, c) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((bs, bc)) => s > bs || (s == bs && pos[c as usize] < pos[bc as usize]),
            };
            if better {
                best = Some((s, c));
            }
        }
        if let Some((_, c)) = best {
            center[i as usize] = c;
        }
    }
    center
}

/// What grouping needs of one article.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Article id.
    pub id: String,
    /// Publication instant (seconds since 1970, UTC), if dated.
    pub date: Option<i64>,
    /// Indexing order (see [`crate::pipeline::Batch::new`]).
    pub order: u64,
    /// Copy signature.
    pub signature: Signature,
}

/// One member of a copy group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Article id.
    pub id: String,
    /// Estimated share of the shorter text of this article and the original
    /// that the other holds (1 for the original).
    pub similarity: f64,
}

/// A group of two or more copies of one story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    /// The group's id: derived from its first-indexed article, so it stays
    /// as later copies join.
    pub group: String,
    /// The earliest-dated article (ties: the first indexed).
    pub original: String,
    /// Members oldest first, undated last; the original among them.
    pub members: Vec<Member>,
}

/// Every copy group of an index commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    /// The index commit the groups describe (see [`commit_key`]).
    pub commit: String,
    /// The groups, largest first.
    pub groups: Vec<Group>,
    /// Article id → position in `groups`.
    #[serde(skip)]
    by_article: FxHashMap<String, usize>,
}

impl Groups {
    /// Groups the candidates.
    pub fn compute(commit: String, candidates: Vec<Candidate>) -> Groups {
        let mut table = Table::default();
        for c in candidates {
            table.push(c.id, c.date, c.order, &c.signature);
        }
        Groups::compute_table(commit, table)
    }

    /// Groups the articles of `table`: candidate pairs from LSH, each
    /// verified ([`copy_similarity`]), then star clustering around originals
    /// (see [`star_clusters`]).
    pub fn compute_table(commit: String, mut table: Table) -> Groups {
        table.dedup();
        let n = table.len();
        let pairs = table.verified_pairs();
        let centers = star_clusters(&table, pairs);
        let mut sizes = vec![0u32; n];
        for &c in &centers {
            sizes[c as usize] += 1;
        }
        let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, &c) in centers.iter().enumerate() {
            if sizes[c as usize] > 1 {
                members.entry(c).or_default().push(i as u32);
            }
        }
        let mut groups: Vec<Group> = members
            .into_iter()
            .filter(|(_, m)| m.len() > 1)
            .map(|(center, mut m)| {
                let first = *m
                    .iter()
                    .min_by_key(|&&i| table.orders[i as usize])
                    .expect("a group has members");
                let group = format!(
                    "g{}",
                    &blake3::hash(table.ids[first as usize].as_bytes()).to_hex()[..12]
                );
                m.sort_by_key(|&i| table.when(i));
                debug_assert_eq!(m[0], center);
                Group {
                    group,
                    original: table.ids[center as usize].clone(),
                    members: m
                        .iter()
                        .map(|&i| Member {
                            id: table.ids[i as usize].clone(),
                            similarity: if i == center {
                                1.0
                            } else {
                                let s = table.similarity(i, center).unwrap_or(0.0);
                                (s * 100.0).round() / 100.0
                            },
                        })
                        .collect(),
                }
            })
            .collect();
        groups.sort_by(|a, b| {
            b.members
                .len()
                .cmp(&a.members.len())
                .then_with(|| a.original.cmp(&b.original))
        });
        Groups::indexed(commit, groups)
    }

    /// The groups, with their index by article.
    pub(crate) fn indexed(commit: String, groups: Vec<Group>) -> Groups {
        // (Sized at once and hashed with Fx: at a million articles, SipHash
        // and the growing made this half of reading the groups.)
        let mut by_article = FxHashMap::with_capacity_and_hasher(
            groups.iter().map(|g| g.members.len()).sum(),
            Default::default(),
        );
        for (g, group) in groups.iter().enumerate() {
            by_article.extend(group.members.iter().map(|m| (m.id.clone(), g)));
        }
        Groups {
            commit,
            groups,
            by_article,
        }
    }

    /// The group an article belongs to.
    pub fn of(&self, article_id: &str) -> Option<&Group> {
        self.by_article.get(article_id).map(|&g| &self.groups[g])
    }

    /// The position in [`Groups::groups`] of an article's group.
    pub fn position(&self, article_id: &str) -> Option<usize> {
        self.by_article.get(article_id).copied()
    }

    /// Reads the groups file of the index in `dir`; `None` when there is
    /// none or it cannot be read.
    pub fn load(dir: &Path) -> Option<Groups> {
        let text = std::fs::read(dir.join(GROUPS_FILE)).ok()?;
        let groups: Groups = serde_json::from_slice(&text).ok()?;
        Some(Groups::indexed(groups.commit, groups.groups))
    }

    /// Writes the groups file into `dir`, whole or not at all.
    pub fn save(&self, dir: &Path) -> Result<()> {
        crate::story::write_whole(dir, GROUPS_FILE, |out| {
            serde_json::to_writer(out, self).map_err(std::io::Error::other)
        })
    }
}

/// A key naming an index commit: its opstamp and segments.
pub fn commit_key(index: &tantivy::Index) -> Result<String> {
    let metas = index.load_metas()?;
    let mut segments: Vec<String> = metas
        .segments
        .iter()
        .map(|s| format!("{}:{}", s.id().uuid_string(), s.num_deleted_docs()))
        .collect();
    segments.sort();
    let digest = blake3::hash(segments.join(",").as_bytes()).to_hex();
    Ok(format!("{}-{}", metas.opstamp, &digest[..16]))
}

/// Reads every article's signature, date and order from the index. The
/// dictionaries of ids and signatures are read in ordinal order, each block
/// once (a look-up by ordinal decodes half a block: most of the reading
/// time at 100,000 articles).
pub fn candidates(searcher: &tantivy::Searcher) -> Result<Table> {
    // (id ordinal, signature ordinal, document) of each article's first
    // passage, the one that holds the signature, segment by segment.
    let mut segments = Vec::new();
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let (Some(ids), Some(signatures)) =
            (fast.str("article_id")?, fast.bytes("story_signature")?)
        else {
            continue;
        };
        let rows: Vec<(u64, u64, tantivy::DocId)> = segment
            .doc_ids_alive()
            .filter_map(|doc| {
                let s = signatures.term_ords(doc).next()?;
                Some((ids.term_ords(doc).next()?, s, doc))
            })
            .collect();
        segments.push((segment, ids, signatures, rows));
    }
    // (Sized at once: growing the table copied it and faulted its pages in
    // again.)
    let mut out = Table::with_capacity(segments.iter().map(|s| s.3.len()).sum());
    for (segment, ids, signatures, mut rows) in segments {
        let fast = segment.fast_fields();
        let dates = fast.date("date")?;
        let orders = fast.u64("story_order")?;
        rows.sort_unstable();
        let ords: Vec<u64> = rows.iter().map(|r| r.0).collect();
        let mut names = Vec::with_capacity(rows.len());
        ids.dictionary().sorted_ords_to_term_cb(&ords, |id| {
            names.push(String::from_utf8_lossy(id).into_owned())
        })?;
        let mut rows: Vec<(u64, String, tantivy::DocId)> = rows
            .into_iter()
            .zip(names)
            .map(|((_, s, doc), id)| (s, id, doc))
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        let ords: Vec<u64> = rows.iter().map(|r| r.0).collect();
        let mut rows = rows.into_iter();
        signatures
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |bytes| {
                let Some((_, id, doc)) = rows.next() else {
                    return;
                };
                if let Some(signature) = Signature::decode(bytes) {
                    out.push(
                        id,
                        dates.first(doc).map(|d| d.into_timestamp_secs()),
                        orders.first(doc).unwrap_or(u64::MAX),
                        &signature,
                    );
                }
            })?;
    }
    Ok(out)
}

/// Recomputes the copy groups of the index and writes them beside it,
/// with the article and story numbers they give (see
/// [`crate::story::numbers`]).
pub fn refresh(index: &tantivy::Index, dir: &Path) -> Result<Groups> {
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let groups = Groups::compute_table(commit_key(index)?, candidates(&searcher)?);
    groups.save(dir)?;
    StoryNumbers::build(&searcher, &groups)?.save(dir, &groups.commit, &searcher)?;
    Ok(groups)
}

/// The copy groups of the index as it is: the groups file when it describes
/// the current commit, else computed afresh (and not written: readers do
/// not write).
pub fn current(index: &tantivy::Index, dir: &Path, searcher: &tantivy::Searcher) -> Result<Groups> {
    let key = commit_key(index)?;
    match Groups::load(dir) {
        Some(groups) if groups.commit == key => Ok(groups),
        _ => Ok(Groups::compute_table(key, candidates(searcher)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: &str, date: Option<i64>, order: u64, text: &str) -> Candidate {
        Candidate {
            id: id.into(),
            date,
            order,
            signature: Signature::of(text),
        }
    }

    const STORY: &str = "The central bank of Norway raised its key deposit rate by 25 basis points to 4.5 pct on Thursday, citing a weaker crown and inflation that has stayed above target for two years.\n\nGovernor Ida Wolden Bache said further increases could follow in June if prices kept rising at the current pace.\n\nEconomists polled by Reuters had expected the bank to hold rates steady until the summer.";

    #[test]
    fn copies_group_with_the_earliest_as_original() {
        let copy = STORY
            .replace("pct", "percent")
            .replace(" until the summer", "")
            + "\n\nThis story was provided by Reuters.";
        let other = "Oil prices fell on Friday as traders weighed rising stockpiles against supply cuts by producers, with Brent crude down 1.2 pct at 82 dollars a barrel.";
        let groups = Groups::compute(
            "k".into(),
            vec![
                candidate("a", Some(200), 1, STORY),
                candidate("b", Some(100), 2, &copy),
                candidate("c", None, 3, STORY),
                candidate("d", Some(100), 4, other),
            ],
        );
        assert_eq!(groups.groups.len(), 1);
        let g = &groups.groups[0];
        assert_eq!(g.original, "b");
        let ids: Vec<&str> = g.members.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["b", "a", "c"]);
        assert!(groups.of("d").is_none());
        assert_eq!(groups.of("c").map(|g| &g.group), Some(&g.group));
    }

    #[test]
    fn groups_do_not_chain_through_a_longer_text() {
        // `ab` holds both `a` and `b`, so each is verified against it, but
        // `a` and `b` share nothing: `b` is not a copy of the original `a`.
        let other = "Wheat growers in the northern plains said heavy spring rain had delayed planting across much of the region, and traders in Chicago expected smaller harvests of the hard red variety unless the weather turned dry within the next few weeks, leaving mills short of the grain they prefer for bread.";
        let both = format!("{STORY}\n\n{other}");
        let groups = Groups::compute(
            "k".into(),
            vec![
                candidate("a", Some(100), 1, STORY),
                candidate("ab", Some(200), 2, &both),
                candidate("b", Some(300), 3, other),
            ],
        );
        assert!(is_copy(&Signature::of(other), &Signature::of(&both)));
        assert_eq!(groups.groups.len(), 1, "{groups:?}");
        let ids: Vec<&str> = groups.groups[0]
            .members
            .iter()
            .map(|m| m.id.as_str())
            .collect();
        assert_eq!(ids, ["a", "ab"]);
        assert!(groups.of("b").is_none());
    }

    #[test]
    fn briefs_of_one_template_are_not_copies_but_a_re_filed_brief_is() {
        let chase = "Chase Manhattan Bank said it raised its prime rate to 7-3/4 pct from 7-1/2 pct, effective today.";
        let irving = "Irving Trust Co said it raised its prime rate to 7-3/4 pct from 7-1/2 pct, effective today.";
        assert!(!is_copy(&Signature::of(chase), &Signature::of(irving)));
        assert!(is_copy(
            &Signature::of(chase),
            &Signature::of(&chase.replace(" pct", " percent"))
        ));
    }

    #[test]
    fn a_template_with_other_figures_is_not_a_copy() {
        let other = STORY
            .replace("25 basis", "50 basis")
            .replace("4.5", "4.75")
            .replace("two years", "three years");
        assert!(!is_copy(&Signature::of(STORY), &Signature::of(&other)));
    }

    #[test]
    fn band_keys_sort_as_a_comparison_sort_would() {
        let mut state = 7u64;
        let keys: Vec<u64> = (0..50_000u64)
            .map(|row| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Few distinct values, so that keys repeat.
                let (high, low) = ((state >> 40) & 0x3f, (state >> 20) & 0xfff);
                (high << 48) | (low << 32) | row
            })
            .collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        assert_eq!(sorted_keys(keys), expected);
    }
}
