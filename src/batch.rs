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
//! [`run`] answers the queries on a few threads, each taking the next query,
//! turning its answer into output and handing it to a [`Sink`] in input
//! order; no thread reads more than a bounded window of queries ahead of the
//! answers handed on, nor while the answers waiting behind a slow query
//! hold more than [`MAX_HELD_BYTES`], so a batch of any size runs in
//! bounded memory.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::output::QueryError;
use crate::query::MatchMode;
use crate::search::{SearchRequest, SearchResult, Searcher, Sort};

/// Queries read ahead of the answers handed on, per thread: bounds the
/// requests queued and the answers held for reordering.
const WINDOW_PER_THREAD: usize = 32;
/// Answers waiting for an earlier, slower one may hold about this much
/// (passage text, mostly) before the threads wait for it.
pub const MAX_HELD_BYTES: usize = 64 * 1024 * 1024;
/// What an answer holds besides its passages' text, roughly.
const ANSWER_BYTES: usize = 512;
/// What a hit holds besides its passage's text, roughly.
const HIT_BYTES: usize = 256;

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
            "strict" => MatchMode::Strict,
            _ => {
                return Err(fail(format!(
                    "\"match\" must be all, any or strict, not {mode:?}"
                )))
            }
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

    /// The batch is about to wait for more input: time to flush buffered
    /// output, so that a script feeding queries one at a time gets each
    /// answer at once.
    fn idle(&mut self) -> std::result::Result<(), E> {
        Ok(())
    }
}

impl<T, E, F: FnMut(T) -> std::result::Result<(), E>> Sink<T, E> for F {
    fn answer(&mut self, answer: T) -> std::result::Result<(), E> {
        self(answer)
    }
}

/// Input read between flushes: a file is read in pieces this big, and
/// output is flushed before each read.
const INPUT_BUFFER: usize = 64 * 1024;

/// Runs the queries read from `input` (each starting from `defaults`, as
/// [`Queries`] reads them) on `threads` threads (0: one per core), turns
/// every answer into output with `prepare` on the thread that searched it,
/// and hands the output to `sink` in input order.
///
/// Each thread takes the next query from the input, answers it, and hands
/// on every answer that is next in input order, so a query crosses no
/// thread. A thread reads no further than a bounded window of queries ahead
/// of the answers handed on. Before the input is read, the sink is flushed
/// ([`Sink::idle`]), and answers coming while a read waits are flushed at
/// once: a script that feeds queries one at a time gets each answer before
/// it sends the next.
///
/// A query the searcher rejects (bad syntax, bad date) becomes an error
/// record and the batch goes on; an error reading the input or the index,
/// or one returned by `sink`, ends it after the answers before it.
///
/// # Errors
/// The first error that ends the batch.
pub fn run<E, R, P, T, S>(
    searcher: &Searcher,
    input: R,
    defaults: SearchRequest,
    threads: usize,
    prepare: &P,
    sink: &mut S,
) -> std::result::Result<BatchSummary, E>
where
    E: From<Error> + Send,
    R: Read + Send,
    P: Fn(Answer) -> T + Sync,
    T: Send,
    S: Sink<T, E> + Send + ?Sized,
{
    let held = MAX_HELD_BYTES;
    run_holding(searcher, input, defaults, threads, held, prepare, sink)
}

/// [`run`], with answers waiting behind a slower one holding at most about
/// `max_held` bytes.
fn run_holding<E, R, P, T, S>(
    searcher: &Searcher,
    input: R,
    defaults: SearchRequest,
    threads: usize,
    max_held: usize,
    prepare: &P,
    sink: &mut S,
) -> std::result::Result<BatchSummary, E>
where
    E: From<Error> + Send,
    R: Read + Send,
    P: Fn(Answer) -> T + Sync,
    T: Send,
    S: Sink<T, E> + Send + ?Sized,
{
    let threads = match threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let window = threads * WINDOW_PER_THREAD;
    let output = Mutex::new(Output {
        sink,
        ready: BTreeMap::new(),
        held: 0,
        next: 0,
        summary: BatchSummary::default(),
        reading: false,
        window_full: false,
        failure: None,
    });
    let progress = Condvar::new();
    let reader = FlushBeforeRead {
        input,
        output: &output,
    };
    let input = Mutex::new(Input {
        queries: Queries::new(BufReader::with_capacity(INPUT_BUFFER, reader), defaults),
        taken: 0,
        done: false,
    });
    let work = || {
        while let Some((seq, query)) = take(&input, &output, &progress, window, max_held) {
            let answer = match query {
                Ok(BatchQuery {
                    line,
                    request: Ok(request),
                }) => panic::catch_unwind(AssertUnwindSafe(|| answer(searcher, &request, line)))
                    .unwrap_or_else(|_| Ok(Err(internal_error(&request, line))))
                    .map(|answer| (Status::of(&answer), weigh(&answer), prepare(answer))),
                Ok(BatchQuery {
                    request: Err(error),
                    ..
                }) => Ok((Status::Bad, ANSWER_BYTES, prepare(Err(error)))),
                Err(source) => Err(Error::Io {
                    path: "batch input".into(),
                    source,
                }),
            };
            let mut output = lock(&output);
            output.held += answer.as_ref().map_or(0, |(_, bytes, _)| *bytes);
            output.ready.insert(seq, answer);
            output.hand_on();
            if output.window_full {
                progress.notify_all();
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    let output = output.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Some(failure) = output.failure {
        return Err(failure);
    }
    output.sink.idle()?;
    Ok(output.summary)
}

/// The input side of a batch: the queries, and how many were taken.
struct Input<Q> {
    queries: Q,
    taken: usize,
    done: bool,
}

/// The output side of a batch: answers waiting for an earlier one, and the
/// sink they go to in input order.
struct Output<'s, T, E, S: ?Sized> {
    sink: &'s mut S,
    /// Answers that came before an earlier one, by input position, with
    /// what each holds in bytes.
    ready: BTreeMap<usize, Result<(Status, usize, T)>>,
    /// What the answers in `ready` hold, in bytes.
    held: usize,
    /// The input position of the next answer to hand on.
    next: usize,
    summary: BatchSummary,
    /// The input is being read: answers are flushed as they come.
    reading: bool,
    /// A thread waits for answers to be handed on before it reads more.
    window_full: bool,
    /// What ended the batch.
    failure: Option<E>,
}

impl<T, E: From<Error>, S: Sink<T, E> + ?Sized> Output<'_, T, E, S> {
    /// Hands on the answers that are next in input order.
    fn hand_on(&mut self) {
        let mut handed = false;
        while self.failure.is_none() {
            let Some(answer) = self.ready.remove(&self.next) else {
                break;
            };
            self.next += 1;
            let (status, answer) = match answer {
                Ok((status, bytes, answer)) => {
                    self.held -= bytes;
                    (status, answer)
                }
                Err(e) => {
                    self.failure = Some(e.into());
                    break;
                }
            };
            match status {
                Status::Matched => {
                    self.summary.answered += 1;
                    self.summary.matched += 1;
                }
                Status::Empty => self.summary.answered += 1,
                Status::Bad => self.summary.errors += 1,
            }
            if let Err(e) = self.sink.answer(answer) {
                self.failure = Some(e);
            }
            handed = true;
        }
        if handed && self.reading {
            self.flush();
        }
    }

    /// Flushes the sink, keeping its error as the batch's failure.
    fn flush(&mut self) {
        if self.failure.is_none() {
            if let Err(e) = self.sink.idle() {
                self.failure = Some(e);
            }
        }
    }
}

/// Takes the next query and its input position, once the window allows;
/// `None` when the input is done or the batch has failed.
fn take<Q, T, E, S: ?Sized>(
    input: &Mutex<Input<Q>>,
    output: &Mutex<Output<'_, T, E, S>>,
    progress: &Condvar,
    window: usize,
    max_held: usize,
) -> Option<(usize, std::io::Result<BatchQuery>)>
where
    Q: Iterator<Item = std::io::Result<BatchQuery>>,
{
    let mut input = lock(input);
    if input.done {
        return None;
    }
    {
        let mut output = lock(output);
        // Answers wait in `ready` only behind the next one, which a thread
        // is answering: it hands them on, and wakes this one, when done.
        while output.failure.is_none()
            && (input.taken >= output.next + window || output.held > max_held)
        {
            output.window_full = true;
            output = progress
                .wait(output)
                .unwrap_or_else(PoisonError::into_inner);
            output.window_full = false;
        }
        if output.failure.is_some() {
            input.done = true;
            return None;
        }
    }
    let query = input.queries.next();
    match query {
        None => {
            input.done = true;
            None
        }
        Some(query) => {
            // An input error ends the reading; its place in order ends the batch.
            input.done = query.is_err();
            input.taken += 1;
            Some((input.taken - 1, query))
        }
    }
}

/// The batch input, which flushes the output before each read so that
/// answers to the queries read so far are out before the read waits.
struct FlushBeforeRead<'o, R, O> {
    input: R,
    output: &'o Mutex<O>,
}

impl<R, T, E, S> Read for FlushBeforeRead<'_, R, Output<'_, T, E, S>>
where
    R: Read,
    E: From<Error>,
    S: Sink<T, E> + ?Sized,
{
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        {
            let mut output = lock(self.output);
            output.flush();
            if output.failure.is_some() {
                return Ok(0); // the batch has failed: read no more
            }
            output.reading = true;
        }
        let read = self.input.read(buf);
        lock(self.output).reading = false;
        read
    }
}

/// Locks a batch's shared state; a panic elsewhere does not hide it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
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

/// Roughly what an answer holds in memory, in bytes: its passages' text
/// and a little per hit (the output made of it is about as big).
fn weigh(answer: &Answer) -> usize {
    let hits = answer.as_ref().map_or(&[][..], |result| &result.hits);
    let text: usize = hits.iter().map(|h| h.passage.text.len() + HIT_BYTES).sum();
    ANSWER_BYTES + text
}

/// Runs one query: its own errors (bad syntax, bad date, a timeout, a
/// query the index cannot answer) become an error record; others (the
/// index cannot be read) end the batch.
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
        Err(Error::Timeout { seconds, .. }) => {
            error(format!("stopped after {seconds} s (--timeout)"))
        }
        Err(Error::Tantivy(e)) => error(format!("search failed: {e}")),
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
            (
                5,
                Some("m"),
                "\"match\" must be all, any or strict, not \"most\""
            )
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

    /// While the first query is slow, the others are answered only as far
    /// as the window, or the bytes the answers held behind it may take,
    /// allow; then every answer comes, in input order.
    #[test]
    fn answers_behind_a_slow_query_stay_bounded() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::Duration;

        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("c.jsonl");
        let records: String = (0..50)
            .map(|i| format!("{{\"id\":\"r{i}\",\"text\":\"Oil prices rose {i} times.\"}}\n"))
            .collect();
        std::fs::write(&corpus, records).unwrap();
        let index = dir.path().join("index");
        let options = crate::index::IndexOptions {
            roots: vec![corpus],
            ..Default::default()
        };
        crate::index::index(&index, &options).unwrap();
        let searcher = Searcher::open(&index).unwrap();
        let input = "oil prices\n".repeat(1_000);
        let threads = 3;
        let window = threads * WINDOW_PER_THREAD;
        // (bytes held at most, answers behind the slow one at most, at least)
        for (max_held, bound, least) in [(MAX_HELD_BYTES, window, threads), (1, threads, 1)] {
            let answered = AtomicUsize::new(0);
            let behind = AtomicUsize::new(0);
            let prepare = |answer: Answer| {
                let id = answer.as_ref().unwrap().query_id.clone().unwrap();
                if id == "1" {
                    std::thread::sleep(Duration::from_millis(400));
                    behind.store(answered.load(Ordering::SeqCst), Ordering::SeqCst);
                }
                answered.fetch_add(1, Ordering::SeqCst);
                id
            };
            let mut ids = Vec::new();
            let mut sink = |id: String| {
                ids.push(id);
                Ok::<(), Error>(())
            };
            let defaults = SearchRequest::default();
            let summary = run_holding(
                &searcher,
                input.as_bytes(),
                defaults,
                threads,
                max_held,
                &prepare,
                &mut sink,
            )
            .unwrap();
            assert_eq!(summary.matched, 1_000);
            let expected: Vec<String> = (1..=1_000).map(|i| i.to_string()).collect();
            assert_eq!(ids, expected);
            let behind = behind.load(Ordering::SeqCst);
            assert!(
                behind <= bound,
                "{behind} answered behind the slow one, bound {bound}"
            );
            assert!(behind >= least, "the other threads went on: {behind}");
        }
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
