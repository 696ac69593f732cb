//! The JSON API: each endpoint answers with what the command of the same
//! name prints with `--format json` (`batch`: `--format jsonl`), from the
//! same functions of `commands`. Errors are `{"error": "…"}` with the
//! command's message.

use std::io::{self, Write};

use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::params::{Params, FILTERS, MATCH_FILTERS};
use super::AppState;
use crate::cli::{CountArgs, CountFormat, PeriodArg, SplitArg};
use crate::commands;
use newsdex::output::Format;
use newsdex::story::trace::TraceRequest;

/// The largest request body (`POST /api/batch`): 4 MiB, tens of thousands
/// of queries. A larger one is refused with 413.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// An error answer: `{"error": message}` with its status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(path: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("no such page: {path}"))
    }
}

impl From<newsdex::Error> for ApiError {
    fn from(e: newsdex::Error) -> ApiError {
        use newsdex::Error::*;
        let status = match &e {
            Query { .. } | Invalid(_) => StatusCode::BAD_REQUEST,
            Timeout { .. } => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<io::Error> for ApiError {
    fn from(e: io::Error) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            error: &'a str,
        }
        let mut body = serde_json::to_vec(&Body {
            error: &self.message,
        })
        .unwrap_or_default();
        body.push(b'\n');
        (self.status, json_headers(), body).into_response()
    }
}

fn json_headers() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CONTENT_TYPE, "application/json"),
        (header::CACHE_CONTROL, "no-store"),
    ]
}

/// A JSON answer: the bytes a command prints.
fn json(body: Vec<u8>) -> Response {
    (json_headers(), body).into_response()
}

/// A value as a command prints it with `--format json`: one line.
fn json_line(value: &impl Serialize) -> Result<Response, ApiError> {
    let mut body = serde_json::to_vec(value).map_err(io::Error::from)?;
    body.push(b'\n');
    Ok(json(body))
}

/// A request's work, run by one of the [`workers`].
type Job = Box<dyn FnOnce() + Send>;

/// Threads that work on requests, one a core, each taking the next job as
/// it finishes one, first come first served. More would only share the
/// CPU, stretching every answer; and a thread kept busy takes its next job
/// without being woken.
fn workers() -> &'static crossbeam_channel::Sender<Job> {
    static WORKERS: std::sync::OnceLock<crossbeam_channel::Sender<Job>> =
        std::sync::OnceLock::new();
    WORKERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let (tx, rx) = crossbeam_channel::unbounded::<Job>();
        for n in 0..cores {
            let rx = rx.clone();
            // A thread that cannot start leaves the others to do the work
            // (and none: each request answers an internal error).
            let _ = std::thread::Builder::new()
                .name(format!("newsdex-worker-{n}"))
                .spawn(move || rx.iter().for_each(|job| job()));
        }
        tx
    })
}

/// Runs `work` on one of the [`workers`] (searching reads files and uses
/// the CPU), once one is free; not at all when the client went away first.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let internal = |e: &dyn std::fmt::Display| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("internal error ({e}); please report this"),
        )
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        if tx.is_closed() {
            return;
        }
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = tx.send(answer);
    });
    workers()
        .send(job)
        .map_err(|_| internal(&"no thread to work on the request"))?;
    match rx.await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => Err(internal(&"the request's work panicked")),
        Err(e) => Err(internal(&e)),
    }
}

/// `GET /api/search?q=…` = `newsdex search --format json`.
pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(
        raw.as_deref(),
        &[&["q", "id", "collapse", "facets"], MATCH_FILTERS, FILTERS],
    )?;
    let filters = params.filters()?;
    let query = params.one("q")?.unwrap_or_default().to_owned();
    let id = params.one("id")?.map(str::to_owned);
    let request = commands::search_request(&filters, query, id, Format::Json);
    let (collapse, facets) = (params.flag("collapse")?, params.flag("facets")?);
    blocking(move || {
        let searcher = state.live.searcher();
        let result = commands::search_result(&searcher, &request, collapse, facets)?;
        Ok(json(commands::json_result(&result, request.articles)?))
    })
    .await
}

/// `GET /api/count?q=…&by=outlet,month` = `newsdex count --format json`.
pub async fn count(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &[&["q", "by"], MATCH_FILTERS])?;
    let args = CountArgs {
        query: vec![params.one("q")?.unwrap_or_default().to_owned()],
        by: params
            .all("by")
            .iter()
            .flat_map(|b| b.split(','))
            .map(str::to_owned)
            .collect(),
        filters: params.match_filters()?,
        format: CountFormat::Json,
    };
    let by = commands::count_dimensions(&args.by)?;
    let request = args.request();
    blocking(move || {
        let searcher = state.live.searcher();
        json_line(&commands::counted(&searcher, &request, &by)?)
    })
    .await
}

/// `GET /api/timeline?q=…&q=…&by=week&split=outlet` = `newsdex timeline --format json`.
pub async fn timeline(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &[&["q", "by", "split"], MATCH_FILTERS])?;
    let filters = params.match_filters()?;
    let requests: Vec<_> = params
        .all("q")
        .into_iter()
        .map(|query| filters.request(query))
        .collect();
    if requests.is_empty() {
        return Err(ApiError::bad_request(
            "give at least one query: q=… (repeat it for one series each)",
        ));
    }
    let by = params.choice("by", PeriodArg::Month)?;
    let split = params.optional_choice::<SplitArg>("split")?;
    blocking(move || {
        json_line(&commands::timelined(
            &state.live.searcher(),
            &requests,
            by,
            split,
        )?)
    })
    .await
}

/// `GET /api/trace?text=…` or `?from=ID%23N` = `newsdex trace --format json`.
pub async fn trace(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(
        raw.as_deref(),
        &[&["text", "from", "since", "until", "outlet"]],
    )?;
    let text = params.one("text")?.map(str::to_owned);
    let from = params.one("from")?.map(str::to_owned);
    let (since, until) = (
        params.one("since")?.map(str::to_owned),
        params.one("until")?.map(str::to_owned),
    );
    let outlets = params.all("outlet");
    blocking(move || {
        let searcher = state.live.searcher();
        let text = match (text, from) {
            (Some(text), None) => text,
            (None, Some(target)) => match commands::passage_text(&searcher, &target) {
                Ok(Some(text)) => text,
                Ok(None) => {
                    return Err(ApiError::bad_request(format!(
                        "from {target}: {}",
                        commands::FROM_ONE_PASSAGE
                    )))
                }
                // The message `show` gives for an id the index does not hold.
                Err(newsdex::Error::Invalid(message)) => {
                    return Err(ApiError::new(StatusCode::NOT_FOUND, message))
                }
                Err(e) => return Err(e.into()),
            },
            _ => {
                return Err(ApiError::bad_request(
                    "give the quote as text=… or a passage as from=ID#N (one of them)",
                ))
            }
        };
        let request = TraceRequest {
            text,
            since,
            until,
            outlets,
        };
        json_line(&commands::traced(&searcher, &request)?)
    })
    .await
}

/// `GET /api/copies` = `newsdex copies --format json`.
pub async fn copies(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    blocking(move || json_line(&commands::copy_listing(&state.live.searcher())?)).await
}

/// `GET /api/article/{id}` = `newsdex show ID --format json`; `ID#N` (`%23`) is one passage;
/// `?q=QUERY` (`&plain`) = `show --query QUERY` (`--plain`): the query's matches marked.
pub async fn article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &[&["q", "plain"]])?;
    let query = params.one("q")?.map(str::to_owned);
    let plain = params.flag("plain")?;
    blocking(move || {
        let searcher = state.live.searcher();
        match commands::shown_article(&searcher, &id) {
            Ok(mut shown) => {
                if let Some(query) = &query {
                    commands::mark_shown(&searcher, &mut shown, query, plain)?;
                }
                json_line(&shown)
            }
            // The message `show` prints for an id the index does not hold.
            Err(newsdex::Error::Invalid(message)) => {
                Err(ApiError::new(StatusCode::NOT_FOUND, message))
            }
            Err(e) => Err(e.into()),
        }
    })
    .await
}

/// `GET /api/stats` = `newsdex stats --format json`.
pub async fn stats(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    blocking(move || json_line(&newsdex::inspect::stats(&state.live.searcher())?)).await
}

/// `POST /api/batch` (body: queries, one a line, or JSON Lines; the
/// parameters are the flags of `batch`) = `newsdex batch --format jsonl`,
/// streamed as the answers come, in input order.
pub async fn batch(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), &[MATCH_FILTERS, FILTERS])?;
    let filters = params.filters()?;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than {} MiB; split the batch",
                MAX_BODY / (1024 * 1024)
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    let input = axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| too_large())?;
    let defaults = commands::search_request(&filters, String::new(), None, Format::Jsonl);
    defaults.date_bounds()?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(4);
    let searcher = state.live.searcher();
    tokio::task::spawn_blocking(move || {
        let out = ChannelWriter {
            tx,
            buf: Vec::new(),
        };
        // The client going away ends the batch; nothing to report.
        let _ = commands::batch_into(
            &searcher,
            Box::new(io::Cursor::new(input)),
            defaults,
            Format::Jsonl,
            out,
            false,
        );
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|bytes| (Ok::<_, io::Error>(bytes), rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "application/jsonl"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Output of a batch, handed to the response in pieces of about
/// [`CHUNK`] bytes, and at each flush.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Bytes>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

/// Any other path: 404.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(uri.path())
}
