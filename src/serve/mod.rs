//! `newsdex serve`: a web page and a JSON API over the index, on the
//! user's own machine.
//!
//! ```text
//! request ──guard (Host, length)──▶ router ──▶ page / assets (embedded)
//!                                        └──▶ api ──commands::…──▶ Searcher (live: latest commit)
//! ```
//!
//! The API calls the functions the commands print from, so an answer is
//! what the command prints with `--format json`. The server listens on
//! 127.0.0.1 unless told otherwise, answers only requests addressed to it
//! by that address or `localhost`, sends no CORS header, and serves only
//! the files embedded in the binary.

mod api;
mod assets;
mod guard;
mod live;
mod params;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use axum::routing::{get, post};
use axum::Router;

use crate::cli::ServeArgs;
use crate::commands::note;
use crate::Outcome;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    live: Arc<live::Live>,
    hosts: Arc<guard::Hosts>,
}

/// How long requests still running at Ctrl-C get to finish.
const GRACE: Duration = Duration::from_secs(5);

/// Runs `newsdex serve` until Ctrl-C (or SIGTERM).
pub fn run(dir: &Path, args: ServeArgs) -> Result<Outcome> {
    let live = Arc::new(live::Live::open(dir)?);
    // Requests are worked on by threads of `api`'s own, one a core; the
    // blocking pool streams batches.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads((4 * cores).max(8))
        .enable_all()
        .build()
        .context("cannot start the server's threads")?;
    runtime.block_on(serve(live, args))?;
    // Searches still running past the grace period are not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(Outcome::Found)
}

/// The API's routes. A command's endpoint is one line here.
fn api() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(api::search))
        .route("/api/count", get(api::count))
        .route("/api/timeline", get(api::timeline))
        .route("/api/trace", get(api::trace))
        .route("/api/copies", get(api::copies))
        .route("/api/article/{*id}", get(api::article))
        .route("/api/stats", get(api::stats))
        .route("/api/batch", post(api::batch))
}

/// The whole site: the page, its assets, the API; everything else is a 404.
fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(assets::page))
        .route("/assets/{name}", get(assets::asset))
        .merge(api())
        .fallback(api::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}

async fn serve(live: Arc<live::Live>, args: ServeArgs) -> Result<()> {
    let wanted = SocketAddr::new(args.bind, args.port);
    let listener = tokio::net::TcpListener::bind(wanted)
        .await
        .with_context(|| format!("cannot listen on {wanted}"))?;
    let addr = listener.local_addr()?;
    let url = page_url(addr);
    if !args.bind.is_loopback() {
        note(&format!(
            "newsdex: warning: listening on {addr}: anyone who can reach this address can read the whole collection"
        ));
    }
    let stopped = stop_signal()?;
    // The URL alone on stdout, for scripts (and tests) to read.
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{url}")?;
        out.flush()?;
    }
    note(&format!(
        "newsdex: serving {} at {url} (Ctrl-C stops)",
        live.dir().display()
    ));
    if args.open {
        open_browser(&url);
    }
    let state = AppState {
        live,
        hosts: Arc::new(guard::Hosts::new(args.bind, addr.port())),
    };
    let stop = Arc::new(tokio::sync::Notify::new());
    let server = axum::serve(listener, router(state)).with_graceful_shutdown({
        let stop = stop.clone();
        async move {
            stopped.await;
            stop.notify_one();
        }
    });
    tokio::select! {
        served = server => served.context("the server stopped")?,
        _ = async {
            stop.notified().await;
            tokio::time::sleep(GRACE).await;
        } => {}
    }
    note("newsdex: stopped");
    Ok(())
}

/// The page's address: the bound one, or localhost for one bound to every address.
fn page_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Ctrl-C, or SIGTERM on Unix: the handlers are in place when this
/// returns, so a signal sent as soon as the URL is printed stops the server.
fn stop_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot catch Ctrl-C")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot catch SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// Opens `url` in the user's browser, when one can be found; says so when not.
fn open_browser(url: &str) {
    use std::process::{Command, Stdio};
    let mut candidates: Vec<Vec<String>> = Vec::new();
    if let Ok(browser) = std::env::var("BROWSER") {
        candidates.extend(
            browser
                .split(':')
                .filter(|b| !b.trim().is_empty())
                .map(|b| vec![b.to_owned()]),
        );
    }
    if cfg!(target_os = "macos") {
        candidates.push(vec!["open".into()]);
    } else if cfg!(windows) {
        candidates.push(vec!["cmd".into(), "/C".into(), "start".into(), "".into()]);
    } else {
        candidates.push(vec!["xdg-open".into()]);
    }
    for command in candidates {
        let spawned = Command::new(&command[0])
            .args(&command[1..])
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return;
        }
    }
    note(&format!(
        "newsdex: no web browser found to open; open {url} in one"
    ));
}
