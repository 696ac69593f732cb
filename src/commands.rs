//! Running each command: library calls, then printing. Warnings and
//! errors go to stderr, results to stdout.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};

use newsdex::article::{Metadata, Origin, Sourced};
use newsdex::checkpoint::CommitPolicy;
use newsdex::index::{self, IndexOptions, IndexReport};
use newsdex::inspect;
use newsdex::output::Printer;
use newsdex::search::Searcher;

use crate::cli::{Cli, Command, IndexArgs, SearchArgs, ShowArgs, SummaryFormat};
use crate::Outcome;

/// Default index folder and the corpus it is built from.
const DEFAULT_INDEX: &str = "index";
const DEFAULT_CORPUS: &str = "corpus";

/// Runs the command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    let explicit = cli.index.is_some();
    let dir = cli.index.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
    match cli.command {
        Command::Index(args) => run_index(&dir, args),
        Command::Search(args) => {
            ensure_fresh(&dir, explicit)?;
            run_search(&dir, args)
        }
        Command::Stats(args) => {
            ensure_fresh(&dir, explicit)?;
            let stats = inspect::stats(&Searcher::open(&dir)?)?;
            let mut out = io::stdout().lock();
            match args.format {
                SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string(&stats)?)?,
                SummaryFormat::Human => print_stats(&mut out, &stats)?,
            }
            Ok(Outcome::Found)
        }
        Command::Show(args) => {
            ensure_fresh(&dir, explicit)?;
            run_show(&dir, args)
        }
    }
}

/// With the default index and a `corpus/` folder beside it, (re)builds the
/// index when it is missing or older than the corpus, so a fresh clone
/// answers its first search.
fn ensure_fresh(dir: &Path, explicit: bool) -> Result<()> {
    let corpus = Path::new(DEFAULT_CORPUS);
    if explicit || !corpus.is_dir() {
        return Ok(());
    }
    let built = std::fs::metadata(dir.join("meta.json"))
        .and_then(|m| m.modified())
        .ok();
    let stale = match built {
        None => true,
        Some(built) => newest_change(corpus).is_some_and(|changed| changed > built),
    };
    if stale {
        eprintln!(
            "newsdex: {} {} from {}/ …",
            if built.is_some() {
                "updating"
            } else {
                "building"
            },
            dir.display(),
            DEFAULT_CORPUS
        );
        let opts = IndexOptions {
            roots: vec![corpus.to_path_buf()],
            ..IndexOptions::default()
        };
        match index::index(dir, &opts) {
            Ok(report) => print_warnings(&report),
            // Another process is writing the index: search its last commit.
            Err(newsdex::Error::Locked(_)) if built.is_some() => {
                eprintln!(
                    "newsdex: another process is updating {}; searching its last commit",
                    dir.display()
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The latest modification time of anything under `root`.
fn newest_change(root: &Path) -> Option<SystemTime> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .max()
}

fn print_warnings(report: &IndexReport) {
    for warning in &report.warnings {
        eprintln!("newsdex: warning: {warning}");
    }
    for skipped in &report.skipped {
        eprintln!("newsdex: warning: {skipped}; skipped");
    }
}

fn run_index(dir: &Path, args: IndexArgs) -> Result<Outcome> {
    let started = Instant::now();
    let date = args
        .date
        .as_deref()
        .map(newsdex::date::parse_date)
        .transpose()
        .context("--date")?;
    let opts = IndexOptions {
        roots: args.paths,
        rebuild: args.rebuild,
        manifest: args.manifest,
        overrides: Metadata {
            outlet: args.outlet.map(|o| Sourced::new(o, Origin::CommandLine)),
            date: date.map(|d| Sourced::new(d, Origin::CommandLine)),
            ..Metadata::default()
        },
        commit: CommitPolicy {
            articles: args.commit_every.filter(|&n| n > 0),
            ..CommitPolicy::default()
        },
    };
    for root in &opts.roots {
        if !root.exists() {
            anyhow::bail!("{}: no such file or folder", root.display());
        }
    }
    let report = index::index(dir, &opts)?;
    print_warnings(&report);
    let mut out = io::stdout().lock();
    match args.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string(&report)?)?,
        SummaryFormat::Human => writeln!(
            out,
            "{}: {} added, {} updated, {} removed, {} unchanged, {}{} skipped, {} ignored · {} articles, {} passages written, {} warnings · {:.1} s",
            dir.display(),
            report.added,
            report.updated,
            report.removed,
            report.unchanged,
            if report.resumed > 0 { format!("{} resumed, ", report.resumed) } else { String::new() },
            report.skipped.len(),
            report.ignored,
            report.articles,
            report.passages,
            report.warnings.len(),
            started.elapsed().as_secs_f64()
        )?,
    }
    let warned = !report.warnings.is_empty() || !report.skipped.is_empty();
    Ok(if args.strict && warned {
        Outcome::Failed
    } else {
        Outcome::Found
    })
}

fn run_search(dir: &Path, args: SearchArgs) -> Result<Outcome> {
    let searcher = Searcher::open(dir)?;
    let request = args.filters.request(args.query.join(" "), args.query_id);
    let result = searcher.search(&request)?;
    let mut printer = Printer::new(
        BufWriter::new(io::stdout().lock()),
        args.output.format.into(),
        args.output.color.enabled(),
        request.articles,
    );
    printer.result(&result)?;
    printer.flush()?;
    Ok(if result.total_hits > 0 {
        Outcome::Found
    } else {
        Outcome::NothingFound
    })
}

fn run_show(dir: &Path, args: ShowArgs) -> Result<Outcome> {
    let searcher = Searcher::open(dir)?;
    let shown = match inspect::show(&searcher, &args.id) {
        Ok(shown) => shown,
        Err(newsdex::Error::Invalid(message)) => {
            eprintln!("newsdex: {message}");
            return Ok(Outcome::NothingFound);
        }
        Err(e) => return Err(e.into()),
    };
    let mut out = io::stdout().lock();
    if args.format == SummaryFormat::Json {
        writeln!(out, "{}", serde_json::to_string(&shown)?)?;
        return Ok(Outcome::Found);
    }
    let a = &shown.article;
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    writeln!(out, "id:      {}", a.id)?;
    writeln!(out, "title:   {}", field(&a.title))?;
    writeln!(out, "outlet:  {}", field(&a.outlet))?;
    writeln!(out, "date:    {}", field(&a.date))?;
    writeln!(out, "author:  {}", field(&a.author))?;
    writeln!(out, "url:     {}", field(&a.url))?;
    writeln!(out, "path:    {}", field(&a.path))?;
    writeln!(out, "from:    {}", field(&shown.origins))?;
    for p in &shown.passages {
        let line = p.line.map(|l| format!(", line {l}")).unwrap_or_default();
        writeln!(
            out,
            "\n#{} (bytes {}–{}{line})\n{}",
            p.index, p.start, p.end, p.text
        )?;
    }
    Ok(Outcome::Found)
}

fn print_stats(out: &mut impl Write, s: &inspect::Stats) -> io::Result<()> {
    writeln!(
        out,
        "index:        {} (schema {}, {:.1} MB)",
        s.index,
        s.schema_version,
        s.index_bytes as f64 / 1e6
    )?;
    writeln!(out, "articles:     {}", s.articles)?;
    writeln!(out, "passages:     {}", s.passages)?;
    match &s.date_range {
        Some(r) => writeln!(out, "dates:        {} to {}", &r.first[..10], &r.last[..10])?,
        None => writeln!(out, "dates:        none")?,
    }
    writeln!(out, "undated:      {}", s.undated)?;
    writeln!(out, "unattributed: {} (no outlet)", s.unattributed)?;
    writeln!(out, "outlets:      {}", s.outlets.len())?;
    for o in &s.outlets {
        writeln!(out, "  {:>8}  {}", o.articles, o.outlet)?;
    }
    Ok(())
}
