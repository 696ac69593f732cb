//! Retrieval-effectiveness measures computed the way `trec_eval` 9.x does.
//!
//! Reads relevance judgments ([`Qrels`]) and ranked runs ([`Run`]) and scores them with
//! [`evaluate`]: nDCG@10, recall@100, MAP, RR@10 and P@10, per query and averaged over
//! every query of the judgments, as `trec_eval -c` and `ir_measures` average: a query with
//! no relevant document, or absent from the run, counts with 0.
//!
//! Ids are compared as a TREC run writes them ([`crate::output::trec_id`]): whitespace and
//! control characters as `%XX`. A run file and TREC qrels hold them so already; the ids of
//! tab-separated (BEIR) qrels and of [`Run::push`] are written so here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::output::trec_id;

/// Relevance judgments: query id → (doc id → graded relevance; > 0 is relevant).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Qrels {
    judgments: HashMap<String, HashMap<String, i32>>,
}

/// A ranked run: query id → (doc id, score) list as read (any order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    results: HashMap<String, Vec<(String, f64)>>,
}

/// An error reading qrels or a run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file (or reader name) being read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A line is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Parse {
        /// The file (or reader name) being read.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong with the line.
        message: String,
    },
}

/// The measures newsdex reports, for one query or averaged.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize, Default)]
pub struct Measures {
    /// `trec_eval` `ndcg_cut.10`: linear gains, log2 discount, ideal from all judgments.
    pub ndcg_cut_10: f64,
    /// `trec_eval` `recall.100`: relevant docs in the top 100 / all relevant docs.
    pub recall_100: f64,
    /// `trec_eval` `map`: average precision over the whole ranking.
    pub map: f64,
    /// Reciprocal rank of the first relevant doc in the top 10, else 0 (`RR@10`).
    pub recip_rank_10: f64,
    /// `trec_eval` `P.10`: relevant docs in the top 10 / 10.
    pub p_10: f64,
}

/// The result of [`evaluate`]: mean and per-query measures.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evaluation {
    /// Number of queries averaged: every query of the judgments.
    pub queries: usize,
    /// Of those, queries without a relevant document (each scores 0).
    pub without_relevant: usize,
    /// The measures averaged over those queries.
    pub mean: Measures,
    /// The measures of each averaged query (zeros for a query absent from the run).
    pub per_query: BTreeMap<String, Measures>,
}

impl Qrels {
    /// Creates empty judgments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads TREC qrels (`qid iter docid rel`, whitespace separated) or BEIR TSV
    /// (`query-id\tcorpus-id\tscore`, with or without the header line).
    ///
    /// The format is detected per line (3 fields → BEIR, 4 → TREC); blank lines are skipped.
    /// A line with a tab is split at tabs only, so its ids may hold spaces.
    ///
    /// # Errors
    /// [`EvalError::Io`] if the file cannot be read; [`EvalError::Parse`], naming the path and
    /// 1-based line, for a line with the wrong field count or a non-integer relevance.
    pub fn read(path: &Path) -> Result<Qrels, EvalError> {
        Self::from_reader(open(path)?, &path.to_string_lossy())
    }

    /// Reads qrels like [`Qrels::read`] from `reader`, with `name` as the path in errors.
    pub fn from_reader(reader: impl BufRead, name: &str) -> Result<Qrels, EvalError> {
        let mut qrels = Qrels::new();
        for_each_line(reader, name, true, |line, fields| {
            let (query, doc, rel) = match *fields {
                [query, doc, rel] => (query, doc, rel),
                [query, _, doc, rel] => (query, doc, rel),
                _ => {
                    return Err(format!(
                        "expected 3 (BEIR) or 4 (TREC) fields, found {}",
                        fields.len()
                    ))
                }
            };
            match rel.parse() {
                Ok(rel) => qrels.insert(query, doc, rel),
                // The BEIR header `query-id corpus-id score`.
                Err(_) if line == 1 && fields.len() == 3 => {}
                Err(err) => return Err(format!("bad relevance {rel:?}: {err}")),
            }
            Ok(())
        })?;
        Ok(qrels)
    }

    /// Records the relevance of `doc` for `query`, replacing an earlier judgment.
    pub fn insert(&mut self, query: &str, doc: &str, rel: i32) {
        self.judgments
            .entry(trec_id(query).into_owned())
            .or_default()
            .insert(trec_id(doc).into_owned(), rel);
    }

    /// The judged query ids, in no particular order.
    pub fn queries(&self) -> impl Iterator<Item = &str> {
        self.judgments.keys().map(String::as_str)
    }
}

impl Run {
    /// Creates an empty run.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a TREC run: `qid Q0 docid rank score tag` (6 whitespace-separated fields).
    ///
    /// The rank column is ignored, as `trec_eval` does; blank lines are skipped.
    ///
    /// # Errors
    /// [`EvalError::Io`] if the file cannot be read; [`EvalError::Parse`], naming the path and
    /// 1-based line, for a line without 6 fields or with a non-numeric score.
    pub fn read(path: &Path) -> Result<Run, EvalError> {
        Self::from_reader(open(path)?, &path.to_string_lossy())
    }

    /// Reads a run like [`Run::read`] from `reader`, with `name` as the path in errors.
    pub fn from_reader(reader: impl BufRead, name: &str) -> Result<Run, EvalError> {
        let mut run = Run::new();
        for_each_line(reader, name, false, |_, fields| {
            let [query, _, doc, _, score, _] = *fields else {
                return Err(format!(
                    "expected 6 fields (qid Q0 docid rank score tag), found {}",
                    fields.len()
                ));
            };
            let score = score
                .parse()
                .map_err(|err| format!("bad score {score:?}: {err}"))?;
            run.push_field(query, doc, score);
            Ok(())
        })?;
        Ok(run)
    }

    /// Appends a retrieved `doc` with its `score` to `query`'s results (ids as searched,
    /// before [`trec_id`] writes them as one field).
    pub fn push(&mut self, query: &str, doc: &str, score: f64) {
        self.push_field(&trec_id(query), &trec_id(doc), score);
    }

    /// [`Run::push`] with ids as a TREC line holds them.
    fn push_field(&mut self, query: &str, doc: &str, score: f64) {
        self.results
            .entry(query.to_owned())
            .or_default()
            .push((doc.to_owned(), score));
    }

    /// `query`'s doc ids in `trec_eval` rank order: score descending, compared as C `float`
    /// like `trec_eval` stores it, ties broken by doc id descending (byte order); a repeated
    /// doc id keeps its first occurrence.
    fn ranking(&self, query: &str) -> Option<Vec<&str>> {
        let results = self.results.get(query)?;
        let mut seen = HashSet::new();
        let mut ranked: Vec<(f32, &str)> = results
            .iter()
            .filter(|(doc, _)| seen.insert(doc.as_str()))
            // `+ 0.0` turns -0.0 into 0.0 so that `total_cmp` ties them, as C's `>` does.
            .map(|(doc, score)| (*score as f32 + 0.0, doc.as_str()))
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(a.1)));
        Some(ranked.into_iter().map(|(_, doc)| doc).collect())
    }
}

/// Scores `run` against `qrels`, as `trec_eval -c` does: every judged query is averaged,
/// a query without a relevant doc (rel ≥ 1) or absent from the run scoring 0 on every
/// measure; run queries without judgments are ignored.
pub fn evaluate(qrels: &Qrels, run: &Run) -> Evaluation {
    let relevant = |judged: &HashMap<String, i32>| judged.values().any(|&rel| rel >= 1);
    let per_query: BTreeMap<String, Measures> = qrels
        .judgments
        .iter()
        .map(|(query, judged)| {
            let measures = match run.ranking(query) {
                Some(ranking) if relevant(judged) => score_query(judged, &ranking),
                _ => Measures::default(),
            };
            (query.clone(), measures)
        })
        .collect();
    let without_relevant = qrels.judgments.values().filter(|j| !relevant(j)).count();
    let n = per_query.len().max(1) as f64;
    let mean = |measure: fn(&Measures) -> f64| per_query.values().map(measure).sum::<f64>() / n;
    Evaluation {
        queries: per_query.len(),
        without_relevant,
        mean: Measures {
            ndcg_cut_10: mean(|m| m.ndcg_cut_10),
            recall_100: mean(|m| m.recall_100),
            map: mean(|m| m.map),
            recip_rank_10: mean(|m| m.recip_rank_10),
            p_10: mean(|m| m.p_10),
        },
        per_query,
    }
}

/// The measures of one query with at least one relevant judgment, given its ranking.
fn score_query(judged: &HashMap<String, i32>, ranking: &[&str]) -> Measures {
    let rels: Vec<i32> = ranking
        .iter()
        .map(|doc| judged.get(*doc).copied().unwrap_or(0))
        .collect();
    let relevant = |rel: &i32| *rel >= 1;
    let num_rel = judged.values().filter(|rel| relevant(rel)).count() as f64;
    let mut ideal: Vec<i32> = judged.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let mut hits = 0.0;
    let mut precision_sum = 0.0;
    for (i, _) in rels.iter().enumerate().filter(|(_, rel)| relevant(rel)) {
        hits += 1.0;
        precision_sum += hits / (i + 1) as f64;
    }
    Measures {
        ndcg_cut_10: dcg_10(&rels) / dcg_10(&ideal),
        recall_100: rels.iter().take(100).filter(|rel| relevant(rel)).count() as f64 / num_rel,
        map: precision_sum / num_rel,
        recip_rank_10: rels
            .iter()
            .take(10)
            .position(relevant)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64),
        p_10: rels.iter().take(10).filter(|rel| relevant(rel)).count() as f64 / 10.0,
    }
}

/// DCG of the first 10 gains: gain = relevance (negatives count 0), discount 1/log2(rank + 1).
fn dcg_10(rels: &[i32]) -> f64 {
    rels.iter()
        .take(10)
        .enumerate()
        .map(|(i, &rel)| f64::from(rel.max(0)) / ((i + 2) as f64).log2())
        .sum()
}

fn open(path: &Path) -> Result<BufReader<File>, EvalError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|source| EvalError::Io {
            path: path.to_owned(),
            source,
        })
}

/// Calls `parse(line_number, fields)` on each non-blank line, turning its message into
/// [`EvalError::Parse`]. Fields are separated by whitespace or, with `tabs` and a line
/// holding a tab, by tabs only.
fn for_each_line(
    reader: impl BufRead,
    name: &str,
    tabs: bool,
    mut parse: impl FnMut(usize, &[&str]) -> Result<(), String>,
) -> Result<(), EvalError> {
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| EvalError::Io {
            path: name.into(),
            source,
        })?;
        let line = line.trim_end_matches(['\r', '\n']);
        let fields: Vec<&str> = if tabs && line.contains('\t') {
            let fields = line.split('\t').map(str::trim);
            fields.filter(|f| !f.is_empty()).collect()
        } else {
            line.split_whitespace().collect()
        };
        if !fields.is_empty() {
            parse(index + 1, &fields).map_err(|message| EvalError::Parse {
                path: name.into(),
                line: index + 1,
                message,
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Graded qrels mixing TREC and BEIR lines.
    /// q1: 4 relevant (d1:2, d2:1, d4:3, d9:1 never retrieved), d3 judged non-relevant.
    /// q2: 2 relevant (d5:1, d7:2), d6 judged -1 (not relevant, gain 0).
    /// q3: no relevant doc → zeros. q4: relevant but absent from the run → zeros.
    const QRELS: &str = "query-id\tcorpus-id\tscore\n\
        q1 0 d1 2\nq1 0 d2 1\nq1 0 d3 0\nq1 0 d4 3\nq1\td9\t1\n\n\
        q2\td5\t1\nq2\td6\t-1\nq2\td7\t2\n\
        q3 0 d1 0\n\
        q4 0 d8 1\n";

    /// q1: d1/d2 tie at 4.0 → d2 first (doc id descending); the second d1 is a duplicate
    /// and is ignored. Ranking: d3(0) d2(1) d1(2) d4(3) dx(unjudged).
    /// q2: 2.0000000001 and 2.0 are the same C float → tie → dz before d5.
    /// Ranking: d6(-1) dz(-) d5(1) d7(2). q3 scores 0 (nothing relevant); q5 is unjudged and
    /// ignored.
    const RUN: &str = "q1 Q0 d3 1 5.0 t\nq1 Q0 d1 2 4.0 t\nq1 Q0 d2 3 4.0 t\nq1 Q0 d4 4 3 t\n\
        q1 Q0 dx 5 2.0 t\nq1 Q0 d1 6 1.0 t\n\n\
        q2 Q0 d7 1 1.0 t\nq2 Q0 d5 2 2.0000000001 t\nq2 Q0 dz 3 2.0 t\nq2 Q0 d6 4 3.0 t\n\
        q3 Q0 d1 1 1.0 t\nq5 Q0 d1 1 1.0 t\n";

    fn assert_close(actual: Measures, expected: Measures) {
        let pairs = [
            (actual.ndcg_cut_10, expected.ndcg_cut_10),
            (actual.recall_100, expected.recall_100),
            (actual.map, expected.map),
            (actual.recip_rank_10, expected.recip_rank_10),
            (actual.p_10, expected.p_10),
        ];
        for (a, e) in pairs {
            assert!((a - e).abs() < 1e-9, "{actual:?} != {expected:?}");
        }
    }

    fn tiny() -> Evaluation {
        let qrels = Qrels::from_reader(QRELS.as_bytes(), "qrels").unwrap();
        let run = Run::from_reader(RUN.as_bytes(), "run").unwrap();
        evaluate(&qrels, &run)
    }

    #[test]
    fn tiny_run_per_query() {
        let eval = tiny();
        assert_eq!(
            eval.per_query.keys().collect::<Vec<_>>(),
            ["q1", "q2", "q3", "q4"]
        );
        let l2 = f64::log2;
        // q1 rels by rank [0, 1, 2, 3, 0]:
        // DCG  = 1/log2(3) + 2/log2(4) + 3/log2(5) = 0.630930 + 1 + 1.292030 = 2.922959
        // IDCG = 3/1 + 2/log2(3) + 1/log2(4) + 1/log2(5) = 3 + 1.261860 + 0.5 + 0.430677 = 5.192536
        // nDCG = 0.562916; recall = 3/4; AP = (1/2 + 2/3 + 3/4) / 4 = 0.479167; RR = 1/2; P = 3/10.
        let q1 = Measures {
            ndcg_cut_10: (1.0 / l2(3.0) + 2.0 / l2(4.0) + 3.0 / l2(5.0))
                / (3.0 + 2.0 / l2(3.0) + 1.0 / l2(4.0) + 1.0 / l2(5.0)),
            recall_100: 0.75,
            map: (1.0 / 2.0 + 2.0 / 3.0 + 3.0 / 4.0) / 4.0,
            recip_rank_10: 0.5,
            p_10: 0.3,
        };
        assert!((q1.ndcg_cut_10 - 0.562916).abs() < 1e-6);
        assert_close(eval.per_query["q1"], q1);
        // q2 rels by rank [-1, 0, 1, 2]:
        // DCG  = 1/log2(4) + 2/log2(5) = 0.5 + 0.861353 = 1.361353
        // IDCG = 2/1 + 1/log2(3) = 2.630930 (the -1 judgment adds nothing)
        // nDCG = 0.517442; recall = 2/2; AP = (1/3 + 2/4) / 2 = 0.416667; RR = 1/3; P = 2/10.
        let q2 = Measures {
            ndcg_cut_10: (1.0 / l2(4.0) + 2.0 / l2(5.0)) / (2.0 + 1.0 / l2(3.0)),
            recall_100: 1.0,
            map: (1.0 / 3.0 + 2.0 / 4.0) / 2.0,
            recip_rank_10: 1.0 / 3.0,
            p_10: 0.2,
        };
        assert!((q2.ndcg_cut_10 - 0.517442).abs() < 1e-6);
        assert_close(eval.per_query["q2"], q2);
        assert_close(eval.per_query["q3"], Measures::default());
        assert_close(eval.per_query["q4"], Measures::default());
    }

    #[test]
    fn tiny_run_mean() {
        let eval = tiny();
        assert_eq!((eval.queries, eval.without_relevant), (4, 1));
        // Means over q1, q2, q3 (= 0, nothing relevant) and q4 (= 0, not in the run), as
        // trec_eval -c averages:
        // nDCG = (0.562916 + 0.517442) / 4 = 0.270089; recall = (0.75 + 1) / 4 = 0.4375;
        // MAP = (0.479167 + 0.416667) / 4 = 0.223958; RR = (1/2 + 1/3) / 4 = 0.208333;
        // P@10 = (0.3 + 0.2) / 4 = 0.125.
        let expected = Measures {
            ndcg_cut_10: 0.360_119_136_437_131_45 * 3.0 / 4.0,
            recall_100: 1.75 / 4.0,
            map: 0.298_611_111_111_111_1 * 3.0 / 4.0,
            recip_rank_10: (0.5 + 1.0 / 3.0) / 4.0,
            p_10: 0.5 / 4.0,
        };
        assert_close(eval.mean, expected);
    }

    #[test]
    fn cutoffs() {
        // 120 docs; the relevant ones at ranks 11 and 101 (of 2 relevant):
        // nDCG@10 = RR@10 = P@10 = 0; recall@100 = 1/2; AP = (1/11 + 2/101) / 2 = 0.055356.
        let mut qrels = Qrels::new();
        let mut run = Run::new();
        for rank in 1..=120 {
            let doc = format!("d{rank}");
            run.push("q", &doc, f64::from(1000 - rank));
            if rank == 11 || rank == 101 {
                qrels.insert("q", &doc, 1);
            }
        }
        let eval = evaluate(&qrels, &run);
        let expected = Measures {
            recall_100: 0.5,
            map: (1.0 / 11.0 + 2.0 / 101.0) / 2.0,
            ..Measures::default()
        };
        assert_close(eval.mean, expected);
    }

    #[test]
    fn tab_separated_ids_may_hold_spaces_and_match_the_runs_escaped_ids() {
        let qrels = "query-id\tcorpus-id\tscore\nmy query\tmy doc.txt\t1\nmy query\td2\t0\n";
        let qrels = Qrels::from_reader(qrels.as_bytes(), "q").unwrap();
        let file = Run::from_reader("my%20query Q0 my%20doc.txt 1 2.0 t\n".as_bytes(), "r");
        let mut pushed = Run::new();
        pushed.push("my query", "my doc.txt", 2.0);
        for run in [file.unwrap(), pushed] {
            let eval = evaluate(&qrels, &run);
            assert_eq!(eval.queries, 1);
            assert_close(
                eval.per_query["my%20query"],
                Measures {
                    ndcg_cut_10: 1.0,
                    recall_100: 1.0,
                    map: 1.0,
                    recip_rank_10: 1.0,
                    p_10: 0.1,
                },
            );
        }
    }

    #[test]
    fn empty_inputs_average_to_zero() {
        let eval = evaluate(&Qrels::new(), &Run::new());
        assert_eq!((eval.queries, eval.mean), (0, Measures::default()));
    }

    #[test]
    fn reads_formats() {
        let qrels = Qrels::from_reader(QRELS.as_bytes(), "qrels").unwrap();
        let mut queries: Vec<&str> = qrels.queries().collect();
        queries.sort_unstable();
        assert_eq!(queries, ["q1", "q2", "q3", "q4"]);
        assert_eq!(qrels.judgments["q1"]["d9"], 1);
        assert_eq!(qrels.judgments["q2"]["d6"], -1);
        let run = Run::from_reader(RUN.as_bytes(), "run").unwrap();
        assert_eq!(run.ranking("q1").unwrap(), ["d3", "d2", "d1", "d4", "dx"]);
        assert_eq!(run.ranking("q2").unwrap(), ["d6", "dz", "d5", "d7"]);
        assert_eq!(run.ranking("missing"), None);
    }

    #[test]
    fn parse_errors_name_file_and_line() {
        let err =
            Qrels::from_reader("q1 0 d1 1\n\nq1 0 d2 high\n".as_bytes(), "x.qrels").unwrap_err();
        assert!(matches!(&err, EvalError::Parse { line: 3, .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            r#"x.qrels:3: bad relevance "high": invalid digit found in string"#
        );
        // A header is only accepted on the first line.
        let err = Qrels::from_reader(
            "q1\td1\t1\nquery-id\tcorpus-id\tscore\n".as_bytes(),
            "b.tsv",
        )
        .unwrap_err();
        assert!(matches!(err, EvalError::Parse { line: 2, .. }), "{err:?}");
        let err = Qrels::from_reader("q1 d1\n".as_bytes(), "x").unwrap_err();
        assert!(matches!(err, EvalError::Parse { line: 1, .. }), "{err:?}");
        let err = Run::from_reader("q Q0 d 1 1.0 t\nq Q0 d 1 1.0\n".as_bytes(), "r").unwrap_err();
        assert_eq!(
            err.to_string(),
            "r:2: expected 6 fields (qid Q0 docid rank score tag), found 5"
        );
        let err = Run::from_reader("q Q0 d 1 x t\n".as_bytes(), "r").unwrap_err();
        assert!(matches!(err, EvalError::Parse { line: 1, .. }), "{err:?}");
    }

    #[test]
    fn missing_file_is_io_error() {
        let err = Run::read(Path::new("/nonexistent/run.trec")).unwrap_err();
        assert!(
            matches!(&err, EvalError::Io { path, .. } if path == Path::new("/nonexistent/run.trec"))
        );
        assert!(err
            .to_string()
            .starts_with("cannot read /nonexistent/run.trec: "));
    }
}
