//! The `newsdex` binary: parse the command line, run the command, map the
//! outcome to an exit status (0 found, 1 nothing found, 2 error).

mod cli;
mod commands;
mod man;

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
    match commands::run(cli) {
        Ok(Outcome::Found) => ExitCode::SUCCESS,
        Ok(Outcome::NothingFound) => ExitCode::from(1),
        Ok(Outcome::Failed) => ExitCode::from(2),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            commands::note(&format!("newsdex: error: {}", message(&e)));
            ExitCode::from(2)
        }
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
