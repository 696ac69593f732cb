//! Batches: many queries from one input, run in parallel, answered in input
//! order.
//!
//! Input is plain text (one query per line, `QUERY` or `ID<TAB>QUERY`) or
//! JSON Lines (`{"id"|"_id", "query"|"text", "since", "until", "outlet",
//! "limit", "offset", "sort", "match", "plain"}`, so BEIR's `queries.jsonl`
//! reads as it is). It is JSON Lines when its first non-blank line starts
//! with `{`. A `query` follows the query syntax (unless `plain` says
//! otherwise); a BEIR `text` is natural language, so it is taken as plain
//! words unless the line sets `"plain": false`. Blank lines are skipped; a
//! query without an id gets its line number. Fields of a line override the
//! defaults given to [`Queries`].
//!
//! [`run`] answers the queries on a pool of threads, turns each answer into
//! output on the thread that searched it, and hands the output to a
//! [`Sink`] in input order, reading at most a bounded window of queries
//! ahead of the answers handed on, so a batch of any size runs in bounded
//! memory.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::output::QueryError;
use crate::query::MatchMode;
use crate::search::{SearchRequest, SearchResult, Searcher, Sort};

/// Queries read ahead of the answers handed on, per thread: bounds the
/// requests queued and the answers held for reordering.
const WINDOW_PER_THREAD: usize = 32;

/// One query of a batch: its request, or why its line is not a query.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchQuery {
    /// 1-based line of the input.
    pub line: usize,
    /// The request, or the error record for a bad line.
    pub request: std::result::Result<SearchRequest, QueryError>,
}

/// The queries of a batch input, read line by line as they are needed.
pub struct Queries<R> {
    input: R,
    defaults: SearchRequest,
    line: usize,
    json: Option<bool>,
    buf: Vec<u8>,
}

impl<R: BufRead> Queries<R> {
    /// Queries read from `input`; each starts from `defaults` (whose query
    /// and id are replaced).
    pub fn new(input: R, defaults: SearchRequest) -> Self {
        Queries {
            input,
            defaults,
            line: 0,
            json: None,
            buf: Vec::new(),
        }
    }

    /// The query of one non-blank line.
    fn parse(&mut self, text: &str) -> std::result::Result<SearchRequest, QueryError> {
        let line = self.line;
        let json = *self.json.get_or_insert_with(|| text.starts_with('{'));
        let mut request = self.defaults.clone();
        if json {
            apply_record(&mut request, text, line)?;
        } else {
            let (id, query) = match text.split_once('\t') {
                Some((id, query)) => (id.trim(), query),
                None => ("", text),
            };
            request.query_id = Some(if id.is_empty() {
                line.to_string()
            } else {
                id.to_owned()
            });
            request.query = query.trim().to_owned();
        }
        if request.query.trim().is_empty() {
            return Err(QueryError {
                line,
                query_id: request.query_id,
                query: Some(request.query),
                error: "the query is empty".into(),
            });
        }
        Ok(request)
    }
}

impl<R: BufRead> Iterator for Queries<R> {
    type Item = std::io::Result<BatchQuery>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.line += 1;
            let line = self.line;
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                let error = QueryError {
                    line,
                    query_id: Some(line.to_string()),
                    query: None,
                    error: "the line is not valid UTF-8".into(),
                };
                return Some(Ok(BatchQuery {
                    line,
                    request: Err(error),
                }));
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            let text = text.trim_start().to_owned();
            let request = self.parse(&text);
            return Some(Ok(BatchQuery { line, request }));
        }
    }
}

/// Applies a JSON Lines record to `request`: its id and query, and the
/// fields that override the defaults.
fn apply_record(
    request: &mut SearchRequest,
    text: &str,
    line: usize,
) -> std::result::Result<(), QueryError> {
    let bad = |query_id: Option<String>, query: Option<String>, error: String| QueryError {
        line,
        query_id,
        query,
        error,
    };
    let record: Map<String, Value> = match serde_json::from_str(text) {
        Ok(Value::Object(record)) => record,
        Ok(_) => {
            return Err(bad(
                Some(line.to_string()),
                None,
                "not a JSON object".into(),
            ))
        }
        Err(e) => {
            return Err(bad(
                Some(line.to_string()),
                None,
                format!("not valid JSON: {e}"),
            ))
        }
    };
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| record.get(*k).filter(|v| !v.is_null()))
    };
    let id = match get(&["id", "_id"]) {
        None => line.to_string(),
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => {
            return Err(bad(
                Some(line.to_string()),
                None,
                "\"id\" must be a string or a number".into(),
            ))
        }
    };
    let query = get(&["query", "text"])
        .and_then(Value::as_str)
        .map(str::to_owned);
    let fail = |error: String| bad(Some(id.clone()), query.clone(), error);
    let string = |key: &str| match record.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(fail(format!("\"{key}\" must be a string"))),
    };
    let count = |key: &str| match record.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| fail(format!("\"{key}\" must be a non-negative integer"))),
    };
    match get(&["query", "text"]) {
        Some(Value::String(_)) => {}
        Some(_) => return Err(fail("\"query\" must be a string".into())),
        None => return Err(fail("no \"query\" (or \"text\") field".into())),
    }
    if let Some(since) = string("since")? {
        request.since = Some(since);
    }
    if let Some(until) = string("until")? {
        request.until = Some(until);
    }
    match record.get("outlet") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => request.outlets = vec![s.clone()],
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            request.outlets = items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
        Some(_) => {
            return Err(fail(
                "\"outlet\" must be a string or a list of strings".into(),
            ))
        }
    }
    if let Some(limit) = count("limit")? {
        request.limit = limit;
    }
    if let Some(offset) = count("offset")? {
        request.offset = offset;
    }
    if let Some(sort) = string("sort")? {
        request.sort = match sort.to_ascii_lowercase().as_str() {
            "relevance" => Sort::Relevance,
            "newest" => Sort::Newest,
            "oldest" => Sort::Oldest,
            _ => {
                return Err(fail(format!(
                    "\"sort\" must be relevance, newest or oldest, not {sort:?}"
                )))
            }
        };
    }
    if let Some(mode) = string("match")? {
        request.match_mode = match mode.to_ascii_lowercase().as_str() {
            "all" => MatchMode::All,
            "any" => MatchMode::Any,
            _ => return Err(fail(format!("\"match\" must be all or any, not {mode:?}"))),
        };
    }
    match record.get("plain") {
        // BEIR's `text` is natural language ("can't", "- (a)"), not query syntax.
        None | Some(Value::Null) if !record.contains_key("query") => request.plain = true,
        None | Some(Value::Null) => {}
        Some(Value::Bool(plain)) => request.plain = *plain,
        Some(_) => return Err(fail("\"plain\" must be true or false".into())),
    }
    request.query_id = Some(id);
    request.query = query.unwrap_or_default();
    Ok(())
}

/// What a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    /// Queries answered (with or without hits).
    pub answered: usize,
    /// Answered queries with at least one hit.
    pub matched: usize,
    /// Bad lines and queries that could not run (error records).
    pub errors: usize,
}

/// One answer of a batch, in input order.
pub type Answer = std::result::Result<SearchResult, QueryError>;

/// Receives a batch's answers, in input order, each as the batch's
/// `prepare` function made it.
pub trait Sink<T, E> {
    /// One query's prepared answer.
    fn answer(&mut self, answer: T) -> std::result::Result<(), E>;

    /// No answer has come for a moment: time to flush buffered output, so
    /// that a script feeding queries one at a time gets each answer at once.
    fn idle(&mut self) -> std::result::Result<(), E> {
        Ok(())
    }
}

impl<T, E, F: FnMut(T) -> std::result::Result<(), E>> Sink<T, E> for F {
    fn answer(&mut self, answer: T) -> std::result::Result<(), E> {
        self(answer)
    }
}

/// How long the writer waits for the next answer before it calls
/// [`Sink::idle`]: answers coming in quick succession share one flush.
const IDLE_AFTER: Duration = Duration::from_millis(1);

/// Runs `queries` on `threads` threads (0: one per core), turns every
/// answer into output with `prepare` on the thread that searched it, and
/// hands the output to `sink` in input order. The input is read on a
/// thread of its own, at most a bounded window of queries ahead of the
/// answers handed on.
///
/// A query the searcher rejects (bad syntax, bad date) becomes an error
/// record and the batch goes on; an error reading the input or the index,
/// or one returned by `sink`, ends it after the answers before it.
///
/// # Errors
/// The first error that ends the batch.
pub fn run<E, I, P, T, S>(
    searcher: &Searcher,
    queries: I,
    threads: usize,
    prepare: &P,
    sink: &mut S,
) -> std::result::Result<BatchSummary, E>
where
    E: From<Error>,
    I: IntoIterator<Item = std::io::Result<BatchQuery>>,
    I::IntoIter: Send,
    P: Fn(Answer) -> T + Sync,
    T: Send,
    S: Sink<T, E> + ?Sized,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("newsdex-batch-{i}"))
        .build()
        .map_err(|e| Error::Invalid(format!("cannot start {threads} threads: {e}")))?;
    let window = pool.current_num_threads() * WINDOW_PER_THREAD;
    let queries = queries.into_iter();
    let mut summary = BatchSummary::default();
    std::thread::scope(|threads| {
        let (answers, answered) = mpsc::channel::<(usize, Result<(Status, T)>)>();
        // One permit per query read and not yet handed on: bounds memory.
        let (permits, released) = mpsc::sync_channel::<()>(window);
        let pool = &pool;
        threads.spawn(move || {
            pool.in_place_scope(|scope| {
                for (seq, query) in queries.enumerate() {
                    if permits.send(()).is_err() {
                        return; // the batch has failed
                    }
                    let request = match query {
                        Ok(BatchQuery {
                            line,
                            request: Ok(request),
                        }) => (line, request),
                        Ok(BatchQuery {
                            request: Err(error),
                            ..
                        }) => {
                            let _ = answers.send((seq, Ok((Status::Bad, prepare(Err(error))))));
                            continue;
                        }
                        Err(source) => {
                            let path = "batch input".into();
                            let _ = answers.send((seq, Err(Error::Io { path, source })));
                            return;
                        }
                    };
                    let answers = answers.clone();
                    scope.spawn(move |_| {
                        let (line, request) = request;
                        let answer = panic::catch_unwind(AssertUnwindSafe(|| {
                            answer(searcher, &request, line)
                        }))
                        .unwrap_or_else(|_| Ok(Err(internal_error(&request, line))))
                        .map(|answer| (Status::of(&answer), prepare(answer)));
                        // The receiver is gone only when the batch has failed.
                        let _ = answers.send((seq, answer));
                    });
                }
            });
        });
        // Answers that came back before an earlier one, by input position.
        let mut ready: BTreeMap<usize, Result<(Status, T)>> = BTreeMap::new();
        let mut next = 0;
        loop {
            let (seq, answer) = match answered.recv_timeout(IDLE_AFTER) {
                Ok(received) => received,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    sink.idle()?;
                    match answered.recv() {
                        Ok(received) => received,
                        Err(_) => break,
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            ready.insert(seq, answer);
            while let Some(answer) = ready.remove(&next) {
                let (status, answer) = answer?;
                match status {
                    Status::Matched => {
                        summary.answered += 1;
                        summary.matched += 1;
                    }
                    Status::Empty => summary.answered += 1,
                    Status::Bad => summary.errors += 1,
                }
                sink.answer(answer)?;
                next += 1;
                let _ = released.recv();
            }
        }
        sink.idle()
    })?;
    Ok(summary)
}

/// What an answer counts as in the [`BatchSummary`].
#[derive(Clone, Copy)]
enum Status {
    Matched,
    Empty,
    Bad,
}

impl Status {
    fn of(answer: &Answer) -> Status {
        match answer {
            Ok(result) if result.total_hits > 0 => Status::Matched,
            Ok(_) => Status::Empty,
            Err(_) => Status::Bad,
        }
    }
}

/// Runs one query: its own errors (bad syntax, bad date) become an error
/// record; others (the index cannot be read) end the batch.
fn answer(searcher: &Searcher, request: &SearchRequest, line: usize) -> Result<Answer> {
    let error = |error: String| {
        Ok(Err(QueryError {
            line,
            query_id: request.query_id.clone(),
            query: Some(request.query.clone()),
            error,
        }))
    };
    match searcher.search(request) {
        Ok(result) => Ok(Ok(result)),
        Err(Error::Query { reason, .. }) => error(format!("bad query: {reason}")),
        Err(Error::Invalid(reason)) => error(reason),
        Err(e) => Err(e),
    }
}

/// The record for a query whose search failed on a bug (a panic), so the
/// batch still answers every other query.
fn internal_error(request: &SearchRequest, line: usize) -> QueryError {
    QueryError {
        line,
        query_id: request.query_id.clone(),
        query: Some(request.query.clone()),
        error: "internal error while searching (please report it)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Vec<BatchQuery> {
        let defaults = SearchRequest {
            limit: 7,
            ..SearchRequest::default()
        };
        Queries::new(input.as_bytes(), defaults)
            .map(|q| q.unwrap())
            .collect()
    }

    fn ok(query: &BatchQuery) -> &SearchRequest {
        query.request.as_ref().unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn plain_lines_take_ids_from_tabs_or_line_numbers() {
        let queries = parse("Maduro\r\n\n  \nq7\tTren de Aragua \n\t\"Cartel de los Soles\"\n");
        let seen: Vec<_> = queries
            .iter()
            .map(|q| {
                (
                    q.line,
                    ok(q).query_id.as_deref().unwrap(),
                    ok(q).query.as_str(),
                    ok(q).limit,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, "1", "Maduro", 7),
                (4, "q7", "Tren de Aragua", 7),
                (5, "5", "\"Cartel de los Soles\"", 7)
            ]
        );
        assert!(!ok(&queries[0]).plain);
    }

    #[test]
    fn json_lines_override_the_defaults() {
        let queries = parse(concat!(
            "\u{feff}{\"id\": 3, \"query\": \"a\", \"limit\": 2, \"outlet\": [\"BBC\", \"AP\"], \"match\": \"ANY\",",
            " \"sort\": \"newest\", \"since\": \"2025\", \"until\": null, \"offset\": 1, \"extra\": {}}\n",
            "{\"_id\": \"b\", \"text\": \"can't - (a)\", \"metadata\": {}}\n",
            "{\"text\": \"x\", \"plain\": false, \"outlet\": \"BBC\"}\n",
        ));
        let a = ok(&queries[0]);
        assert_eq!(a.query_id.as_deref(), Some("3"));
        assert_eq!(
            (a.limit, a.offset, a.match_mode, a.sort),
            (2, 1, MatchMode::Any, Sort::Newest)
        );
        assert_eq!(
            (a.outlets.clone(), a.since.as_deref(), a.until.as_deref()),
            (vec!["BBC".into(), "AP".into()], Some("2025"), None)
        );
        assert!(!a.plain, "a query follows the query syntax");
        let b = ok(&queries[1]);
        assert_eq!(
            (b.query_id.as_deref(), b.query.as_str(), b.limit),
            (Some("b"), "can't - (a)", 7)
        );
        assert!(b.plain, "BEIR text is plain words");
        let c = ok(&queries[2]);
        assert_eq!(
            (c.query_id.as_deref(), c.plain, c.outlets.clone()),
            (Some("3"), false, vec!["BBC".to_string()])
        );
    }

    #[test]
    fn bad_lines_become_error_records_and_reading_goes_on() {
        let queries = parse(concat!(
            "{\"id\": \"ok\", \"query\": \"a\"}\n",
            "not json\n",
            "[1, 2]\n",
            "{\"id\": \"n\", \"query\": \"a\", \"limit\": -1}\n",
            "{\"id\": \"m\", \"query\": \"a\", \"match\": \"most\"}\n",
            "{\"id\": \"e\", \"query\": \"  \"}\n",
            "{\"id\": \"q\"}\n",
            "{\"id\": [1], \"query\": \"a\"}\n",
            "{\"query\": \"a\", \"outlet\": 5}\n",
        ));
        assert_eq!(queries.len(), 9);
        assert!(queries[0].request.is_ok());
        let errors: Vec<(usize, Option<&str>, &str)> = queries[1..]
            .iter()
            .map(|q| {
                let e = q.request.as_ref().unwrap_err();
                assert_eq!(e.line, q.line);
                (e.line, e.query_id.as_deref(), e.error.as_str())
            })
            .collect();
        assert!(errors[0].2.starts_with("not valid JSON"), "{errors:?}");
        assert_eq!(errors[1], (3, Some("3"), "not a JSON object"));
        assert_eq!(
            errors[2],
            (4, Some("n"), "\"limit\" must be a non-negative integer")
        );
        assert_eq!(
            errors[3],
            (5, Some("m"), "\"match\" must be all or any, not \"most\"")
        );
        assert_eq!(errors[4], (6, Some("e"), "the query is empty"));
        assert_eq!(
            errors[5],
            (7, Some("q"), "no \"query\" (or \"text\") field")
        );
        assert_eq!(
            errors[6],
            (8, Some("8"), "\"id\" must be a string or a number")
        );
        assert_eq!(
            errors[7],
            (
                9,
                Some("9"),
                "\"outlet\" must be a string or a list of strings"
            )
        );
    }

    #[test]
    fn invalid_utf8_is_a_bad_line() {
        let input: &[u8] = b"Maduro\n\xff\xfe\nRubio\n";
        let queries: Vec<_> = Queries::new(input, SearchRequest::default())
            .map(|q| q.unwrap())
            .collect();
        assert_eq!(queries.len(), 3);
        assert_eq!(
            queries[1].request.as_ref().unwrap_err().error,
            "the line is not valid UTF-8"
        );
        assert_eq!(ok(&queries[2]).query, "Rubio");
    }
}
