//! The `newsdex` binary: parse the command line, run the command, map the
//! outcome to an exit status (0 found, 1 nothing found, 2 error).

mod cli;
mod commands;
mod man;
mod serve;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system allocator: indexing allocates and frees
/// a string or a vector per token and per document, and zstd allocates a
/// large context for every stored block a search decompresses, which
/// glibc's thread arenas grow and trim with a system call each time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a command's run means for the exit status.
pub enum Outcome {
    /// Something was found or done (exit 0).
    Found,
    /// Nothing matched (exit 1).
    NothingFound,
    /// The command finished but must report failure (exit 2), e.g. `--strict` with warnings.
    Failed,
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let index = cli.index_dir();
    // A panic is reported below, as an error, not by the default hook.
    std::panic::set_hook(Box::new(|info| {
        let mut last = PANIC.lock().unwrap_or_else(|e| e.into_inner());
        last.get_or_insert_with(|| info.to_string());
    }));
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commands::run(cli)));
    match outcome {
        Ok(Ok(Outcome::Found)) => ExitCode::SUCCESS,
        Ok(Ok(Outcome::NothingFound)) => ExitCode::from(1),
        Ok(Ok(Outcome::Failed)) => ExitCode::from(2),
        Ok(Err(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            // An error from inside Tantivy may be damage that opening the
            // index did not look for (files beyond its checksum budget).
            let damage = match e.downcast_ref::<newsdex::Error>() {
                Some(newsdex::Error::Tantivy(_) | newsdex::Error::IndexRead(_)) => {
                    index.as_deref().and_then(diagnose)
                }
                _ => None,
            };
            match damage {
                Some(damage) => commands::note(&format!("newsdex: error: {damage}")),
                None => commands::note(&format!("newsdex: error: {}", message(&e))),
            }
            ExitCode::from(2)
        }
        Err(_) => {
            let panic = PANIC
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .unwrap_or_default();
            match index.as_deref().map(|dir| (dir, diagnose(dir))) {
                Some((_, Some(damage))) => eprintln!("newsdex: error: {damage}"),
                Some((dir, None)) => eprintln!(
                    "newsdex: error: internal error ({panic}); `newsdex check` finds the index at {} sound: please report this",
                    dir.display()
                ),
                None => eprintln!("newsdex: error: internal error ({panic}); please report this"),
            }
            ExitCode::from(2)
        }
    }
}

/// The first panic's message and place.
static PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// The damage `newsdex check` finds in the index at `dir`, as the error
/// that refuses it; `None` when it finds none (or there is no index). A
/// check that itself fails on the files is damage too.
fn diagnose(dir: &std::path::Path) -> Option<newsdex::Error> {
    let checked = std::panic::catch_unwind(|| newsdex::integrity::check(dir));
    match checked {
        Ok(Ok(report)) => report
            .damage
            .into_iter()
            .next()
            .map(|damage| damage.into_error(dir)),
        Ok(Err(_)) => None,
        Err(_) => Some(newsdex::Error::Corrupt {
            dir: dir.to_path_buf(),
            reason: "its files cannot be read".into(),
        }),
    }
}

/// An error and its causes, each said once: a cause whose text the message
/// already ends with (an I/O error a library error quotes) is not repeated.
fn message(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !message.ends_with(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

/// A closed pipe (`newsdex search … | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
