//! Running each command: library calls, then printing. Warnings and
//! errors go to stderr, results to stdout.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use anyhow::{Context, Result};

use newsdex::article::{Metadata, Origin, Sourced};
use newsdex::batch::{self, Answer, Sink};
use newsdex::checkpoint::CommitPolicy;
use newsdex::eval::{self, Collection, Evaluation, Qrels, Run};
use newsdex::index::{self, IndexOptions, IndexReport};
use newsdex::inspect;
use newsdex::integrity::{self, CheckReport};
use newsdex::output::{terminal, Format, Printer};
use newsdex::search::{SearchRequest, SearchResult, Searcher};
use newsdex::story::listing::CopyGroup;

use crate::cli::{
    BatchArgs, Cli, Command, CopiesArgs, CopiesFormat, CountArgs, CountFormat, EvalArgs,
    FilterArgs, FormatOnly, IndexArgs, PeriodArg, SearchArgs, ShowArgs, SplitArg, SummaryFormat,
    TimelineArgs, TraceArgs, TraceFormat,
};
use crate::Outcome;

/// Default index folder and the corpus it is built from.
pub const DEFAULT_INDEX: &str = "index";
const DEFAULT_CORPUS: &str = "corpus";

/// Runs the command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    let explicit = cli.index.is_some();
    let dir = cli.index.unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX));
    match cli.command {
        Command::Index(args) => run_index(&dir, args),
        Command::Search(args) => {
            if args.explain && !Format::from(args.output.format).shows_explain() {
                anyhow::bail!(
                    "--explain needs --format human, json or jsonl (csv, tsv and trec have no place for a score's parts)"
                );
            }
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
        Command::Copies(args) => {
            ensure_fresh(&dir, explicit)?;
            run_copies(&dir, args)
        }
        Command::Count(args) => {
            ensure_fresh(&dir, explicit)?;
            run_count(&dir, args)
        }
        Command::Timeline(args) => {
            ensure_fresh(&dir, explicit)?;
            run_timeline(&dir, args)
        }
        Command::Trace(args) => {
            ensure_fresh(&dir, explicit)?;
            run_trace(&dir, args)
        }
        Command::Batch(args) => {
            ensure_fresh(&dir, explicit)?;
            run_batch(&dir, args)
        }
        Command::Serve(args) => {
            ensure_fresh(&dir, explicit)?;
            crate::serve::run(&dir, args)
        }
        Command::Eval(args) => run_eval(args),
        Command::Check(args) => run_check(&dir, args),
        Command::Completions(args) => {
            let mut cli = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(args.shell, &mut cli, "newsdex", &mut io::stdout().lock());
            Ok(Outcome::Found)
        }
        Command::Man(args) => {
            crate::man::run(args.command.as_deref())?;
            Ok(Outcome::Found)
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

/// Prints a line on stderr, terminal-safe: it may quote file names, values
/// and queries.
pub fn note(text: &str) {
    eprintln!("{}", terminal::line(text));
}

fn print_warnings(report: &IndexReport) {
    for warning in &report.warnings {
        note(&format!("newsdex: warning: {warning}"));
    }
    for skipped in &report.skipped {
        note(&format!("newsdex: warning: {skipped}; skipped"));
    }
}

/// Runs `index`, with a progress bar (articles, MB/s, ETA) when stderr is a
/// terminal, and none otherwise.
fn index_with_bar(dir: &Path, opts: &IndexOptions) -> Result<IndexReport> {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() {
        return Ok(index::index(dir, opts)?);
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} indexing {msg} [{bar:30}] {bytes}/{total_bytes} · {binary_bytes_per_sec} · ETA {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    let mut shown = Instant::now();
    let report = index::index_with_progress(dir, opts, &mut |p| {
        // The bar draws at most a few times a second; updating it per article costs little,
        // but formatting the message does, so do that sparingly.
        if shown.elapsed().as_millis() >= 100 || p.bytes == p.total_bytes {
            shown = Instant::now();
            bar.set_length(p.total_bytes);
            bar.set_position(p.bytes);
            bar.set_message(format!("{} articles", p.articles));
        }
    });
    bar.finish_and_clear();
    Ok(report?)
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
    let report = index_with_bar(dir, &opts)?;
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

/// The request of a search with `filters`, computing what `format` shows.
pub fn search_request(
    filters: &FilterArgs,
    query: String,
    query_id: Option<String>,
    format: Format,
) -> SearchRequest {
    let mut request = filters.request(query, query_id);
    request.highlight = format.shows_highlights();
    request.stored = format.shows_passages();
    request.count = format.shows_total();
    request.suggest = !request.plain && matches!(format, Format::Human | Format::Json);
    request
}

/// The result of a search: its hits (copies folded into their best hit
/// with `collapse`), with counts by outlet and month when `facets` asks.
/// `search` prints it; `serve` answers `/api/search` with it.
pub fn search_result(
    searcher: &Searcher,
    request: &SearchRequest,
    collapse: bool,
    facets: bool,
) -> newsdex::Result<SearchResult> {
    let mut result = newsdex::story::fold::search(searcher, request, collapse)?;
    if facets {
        result.facets = Some(newsdex::story::count::facets(searcher, request)?);
    }
    Ok(result)
}

/// A result as `--format json` prints it: one line.
pub fn json_result(result: &SearchResult, articles: bool) -> io::Result<Vec<u8>> {
    let mut printer = Printer::new(Vec::new(), Format::Json, false, articles);
    printer.result(result)?;
    printer.flush()?;
    Ok(printer.into_inner())
}

fn run_search(dir: &Path, args: SearchArgs) -> Result<Outcome> {
    let searcher = Searcher::open(dir)?;
    let format = Format::from(args.output.format);
    let mut request = search_request(&args.filters, args.query.join(" "), args.query_id, format);
    request.explain = args.explain;
    // Copies fold by default where a person reads the hits.
    let collapse = args.collapse || (format == Format::Human && !args.no_collapse);
    let result = search_result(&searcher, &request, collapse, args.facets)?;
    for warning in &result.warnings {
        note(&format!("newsdex: warning: {warning}"));
    }
    for message in &result.notes {
        note(&format!("newsdex: {message}"));
    }
    if format == Format::Human {
        for suggestion in &result.suggestions {
            note(&format!("newsdex: {}", suggestion.message()));
        }
    }
    let mut printer = Printer::new(
        BufWriter::new(io::stdout().lock()),
        format,
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

/// A batch answer as output: what goes to stdout, and the lines for stderr
/// (why the query was bad, or what its search left out).
struct Rendered {
    out: Vec<u8>,
    warnings: Vec<String>,
}

/// Renders batch answers in a format (on the searching threads).
struct BatchRenderer {
    format: Format,
    color: bool,
    articles: bool,
}

impl BatchRenderer {
    fn render(&self, answer: Answer) -> io::Result<Rendered> {
        let mut printer = Printer::new(Vec::new(), self.format, self.color, self.articles);
        printer.skip_header();
        let warnings = match answer {
            Ok(result) => {
                printer.result(&result)?;
                let id = result.query_id.as_deref().unwrap_or("1");
                let warnings = result.warnings.iter();
                let warnings = warnings.map(|w| format!("newsdex: query {id}: warning: {w}"));
                let notes = result.notes.iter();
                let notes = notes.map(|note| format!("newsdex: query {id}: {note}"));
                warnings.chain(notes).collect()
            }
            Err(error) => {
                printer.query_error(&error)?;
                let id = error
                    .query_id
                    .as_deref()
                    .map(|id| format!(" (query {id})"))
                    .unwrap_or_default();
                vec![format!("newsdex: line {}{id}: {}", error.line, error.error)]
            }
        };
        Ok(Rendered {
            out: printer.into_inner(),
            warnings,
        })
    }
}

/// Writes a batch's rendered answers in input order: results to the
/// output, bad lines and warnings to stderr when `warn`.
struct BatchPrinter<W: Write> {
    printer: Printer<W>,
    warn: bool,
}

impl<W: Write> Sink<io::Result<Rendered>, anyhow::Error> for BatchPrinter<W> {
    fn answer(&mut self, rendered: io::Result<Rendered>) -> Result<()> {
        let rendered = rendered?;
        if self.warn {
            for warning in rendered.warnings {
                note(&warning);
            }
        }
        self.printer.get_mut().write_all(&rendered.out)?;
        Ok(())
    }

    fn idle(&mut self) -> Result<()> {
        Ok(self.printer.flush()?)
    }
}

/// Output buffered by `batch` between writes to stdout.
const BATCH_OUTPUT_BUFFER: usize = 256 * 1024;

/// Runs a batch of queries read from `input`, each starting from
/// `defaults`, writing the answers to `out` in `format`, in input order
/// (colour off); `warn` puts bad lines and warnings on stderr too. `batch`
/// prints to stdout with it; `serve` streams `/api/batch` with it. Returns
/// the summary and the printer, flushed.
pub fn batch_into<W: Write + Send>(
    searcher: &Searcher,
    input: Box<dyn io::Read + Send>,
    defaults: SearchRequest,
    format: Format,
    out: W,
    warn: bool,
) -> Result<(batch::BatchSummary, Printer<W>)> {
    batch_with(searcher, input, defaults, format, false, 0, out, warn)
}

#[allow(clippy::too_many_arguments)]
fn batch_with<W: Write + Send>(
    searcher: &Searcher,
    input: Box<dyn io::Read + Send>,
    defaults: SearchRequest,
    format: Format,
    color: bool,
    threads: usize,
    out: W,
    warn: bool,
) -> Result<(batch::BatchSummary, Printer<W>)> {
    // Close spellings are for a person reading one search: a batch never
    // looks for them (its `suggestions` are empty, as the README says).
    let defaults = SearchRequest {
        suggest: false,
        ..defaults
    };
    let articles = defaults.articles;
    let mut sink = BatchPrinter {
        printer: Printer::new(out, format, color, articles),
        warn,
    };
    sink.printer.header()?;
    let renderer = BatchRenderer {
        format,
        color,
        articles,
    };
    let summary = batch::run(
        searcher,
        input,
        defaults,
        threads,
        &|answer| renderer.render(answer),
        &mut sink,
    )?;
    sink.printer.flush()?;
    Ok((summary, sink.printer))
}

fn run_batch(dir: &Path, args: BatchArgs) -> Result<Outcome> {
    let started = Instant::now();
    let searcher = Searcher::open(dir)?;
    let format = Format::from(args.format);
    let defaults = search_request(&args.filters, String::new(), None, format);
    defaults.date_bounds()?;
    let input: Box<dyn io::Read + Send> = if args.input.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        let file = std::fs::File::open(&args.input)
            .with_context(|| format!("{}", args.input.display()))?;
        Box::new(file)
    };
    let threads = args.threads.map_or(0, usize::from);
    let out = BufWriter::with_capacity(BATCH_OUTPUT_BUFFER, io::stdout());
    let color = args.color.enabled();
    let (summary, mut printer) = batch_with(
        &searcher, input, defaults, format, color, threads, out, true,
    )?;
    if format == Format::Human {
        let seconds = started.elapsed().as_secs_f64();
        writeln!(
            printer.get_mut(),
            "{} queries: {} with hits, {} without, {} bad · {:.2} s ({:.0} queries/s)",
            summary.answered + summary.errors,
            summary.matched,
            summary.answered - summary.matched,
            summary.errors,
            seconds,
            (summary.answered + summary.errors) as f64 / seconds.max(1e-9)
        )?;
    }
    printer.flush()?;
    Ok(if summary.errors > 0 {
        Outcome::Failed
    } else if summary.matched > 0 {
        Outcome::Found
    } else {
        Outcome::NothingFound
    })
}

fn run_eval(args: EvalArgs) -> Result<Outcome> {
    let mut out = io::stdout().lock();
    if let Some(dir) = &args.collection {
        let collection = Collection::in_dir(dir, args.qrels.as_deref())?;
        let report = eval::run_collection(&collection, 0)?;
        for warning in &report.warnings {
            note(&format!("newsdex: warning: {warning}"));
        }
        if args.format == SummaryFormat::Json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            writeln!(
                out,
                "{}: {} articles, {} queries · indexed in {:.1} s, searched in {:.1} s",
                report.collection,
                report.articles,
                report.queries_run,
                report.index_seconds,
                report.search_seconds
            )?;
            print_measures(&mut out, &report.evaluation)?;
        }
        return Ok(Outcome::Found);
    }
    let (Some(qrels), Some(run)) = (&args.qrels, &args.run) else {
        anyhow::bail!("give a run file and --qrels QRELS, or --collection DIR");
    };
    let evaluation = eval::evaluate(&Qrels::read(qrels)?, &Run::read(run)?);
    if args.format == SummaryFormat::Json {
        writeln!(out, "{}", serde_json::to_string(&evaluation)?)?;
    } else {
        let unjudged = match evaluation.without_relevant {
            0 => String::new(),
            n => format!(" ({n} without a relevant document, scored 0)"),
        };
        writeln!(
            out,
            "{}: {} queries judged{unjudged}",
            run.display(),
            evaluation.queries
        )?;
        print_measures(&mut out, &evaluation)?;
    }
    Ok(Outcome::Found)
}

fn print_measures(out: &mut impl Write, evaluation: &Evaluation) -> io::Result<()> {
    let m = &evaluation.mean;
    writeln!(out, "nDCG@10     {:.4}", m.ndcg_cut_10)?;
    writeln!(out, "Recall@100  {:.4}", m.recall_100)?;
    writeln!(out, "MAP         {:.4}", m.map)?;
    writeln!(out, "MRR@10      {:.4}", m.recip_rank_10)?;
    writeln!(out, "P@10        {:.4}", m.p_10)
}

/// An article (`ID`) or one passage (`ID#N`) with its copies, as `show`
/// prints it; [`newsdex::Error::Invalid`] when the index holds no such article.
pub fn shown_article(searcher: &Searcher, id: &str) -> newsdex::Result<inspect::Shown> {
    let mut shown = inspect::show(searcher, id)?;
    let groups = newsdex::story::groups(searcher)?;
    if let Some(group) = groups.of(&shown.article.id) {
        shown.copies = Some(newsdex::story::listing::describe(searcher, group)?);
    }
    Ok(shown)
}

/// Marks what `query` matches in the passages of `shown`, as search marks
/// its hits (`show --query`, `/api/article/{id}?q=`).
pub fn mark_shown(
    searcher: &Searcher,
    shown: &mut inspect::Shown,
    query: &str,
    plain: bool,
) -> newsdex::Result<()> {
    let request = newsdex::search::SearchRequest {
        query: query.to_owned(),
        plain,
        ..newsdex::search::SearchRequest::default()
    };
    searcher.mark(&request, &mut shown.passages)
}

fn run_show(dir: &Path, args: ShowArgs) -> Result<Outcome> {
    let searcher = Searcher::open(dir)?;
    let mut shown = match shown_article(&searcher, &args.id) {
        Ok(shown) => shown,
        Err(newsdex::Error::Invalid(message)) => {
            note(&format!("newsdex: {message}"));
            return Ok(Outcome::NothingFound);
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(note) = &shown.note {
        eprintln!("newsdex: note: {note}");
    }
    if let Some(query) = &args.query {
        mark_shown(&searcher, &mut shown, query, args.plain)?;
    }
    let mut out = io::stdout().lock();
    if args.format == SummaryFormat::Json {
        writeln!(out, "{}", serde_json::to_string(&shown)?)?;
        return Ok(Outcome::Found);
    }
    let a = &shown.article;
    let field = |v: &Option<String>| terminal::line(v.as_deref().unwrap_or("—")).into_owned();
    writeln!(out, "id:      {}", terminal::line(&a.id))?;
    writeln!(out, "title:   {}", field(&a.title))?;
    writeln!(out, "outlet:  {}", field(&a.outlet))?;
    let date = match (&a.date, a.date_precision) {
        (Some(utc), Some(newsdex::date::Precision::Time)) => {
            format!("{} ({utc})", newsdex::output::date_text(a))
        }
        (Some(_), _) => format!("{} (day only)", newsdex::output::date_text(a)),
        (None, _) => "—".into(),
    };
    writeln!(out, "date:    {date}")?;
    writeln!(out, "author:  {}", field(&a.author))?;
    writeln!(out, "url:     {}", field(&a.url))?;
    writeln!(out, "path:    {}", field(&a.path))?;
    writeln!(out, "from:    {}", field(&shown.origins))?;
    if let Some(truncated) = &shown.truncated {
        let left_out = truncated
            .chars_left_out
            .map(|n| format!(" ({n} characters left out)"))
            .unwrap_or_default();
        writeln!(out, "text:    truncated by the source{left_out}")?;
    }
    if let Some(captured) = &shown.captured {
        writeln!(out, "captured: {captured} (web archive)")?;
    }
    if let Some(group) = &shown.copies {
        writeln!(
            out,
            "copies:  {} articles of one story (group {}; original {})",
            group.articles.len(),
            group.group,
            group.original
        )?;
        for a in group.articles.iter().filter(|a| a.id != shown.article.id) {
            writeln!(out, "         {}", copy_line(a))?;
        }
    }
    for p in &shown.passages {
        let line = p.line.map(|l| format!(", line {l}")).unwrap_or_default();
        writeln!(
            out,
            "\n#{} (bytes {}–{}{line})\n{}",
            p.index,
            p.start,
            p.end,
            terminal::safe(&p.text, &['\n'])
        )?;
    }
    Ok(Outcome::Found)
}

/// A size on disk in KB, MB or GB (1,000s), to one decimal past a megabyte.
fn size(bytes: u64) -> String {
    match bytes as f64 {
        b if b >= 1e9 => format!("{:.1} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b => format!("{:.0} KB", (b / 1e3).ceil()),
    }
}

fn run_check(dir: &Path, args: FormatOnly) -> Result<Outcome> {
    let report = integrity::check(dir)?;
    let mut out = io::stdout().lock();
    match args.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string(&report)?)?,
        SummaryFormat::Human => print_check(&mut out, &report)?,
    }
    if report.damage.is_empty() {
        return Ok(Outcome::Found);
    }
    for damage in &report.damage {
        eprintln!("newsdex: damaged: {damage}");
    }
    eprintln!(
        "newsdex: error: the index at {} is damaged; rebuild it with `newsdex index --rebuild --index {}`",
        dir.display(),
        dir.display()
    );
    Ok(Outcome::Failed)
}

fn print_check(out: &mut impl Write, r: &CheckReport) -> io::Result<()> {
    writeln!(
        out,
        "index:     {} (schema {}, text analysis {})",
        r.index,
        r.schema_version,
        r.analyzer.as_deref().unwrap_or("unrecorded")
    )?;
    writeln!(
        out,
        "files:     {} files of {} segments, {}, verified against their checksums",
        r.files,
        r.segments,
        size(r.bytes)
    )?;
    if r.damage.is_empty() {
        writeln!(out, "records:   meta.json agrees with the files")?;
        writeln!(
            out,
            "articles:  {} articles, {} passages, each article's passages whole and from one source",
            r.articles, r.passages
        )?;
        writeln!(out, "ok")?;
    } else {
        writeln!(out, "damaged:   {} problems", r.damage.len())?;
    }
    Ok(())
}

fn print_stats(out: &mut impl Write, s: &inspect::Stats) -> io::Result<()> {
    writeln!(
        out,
        "index:        {} (schema {}, {})",
        terminal::line(&s.index),
        s.schema_version,
        size(s.index_bytes)
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
        writeln!(out, "  {:>8}  {}", o.articles, terminal::line(&o.outlet))?;
    }
    Ok(())
}

/// One article of a copy group, on one line.
fn copy_line(a: &newsdex::story::listing::CopyArticle) -> String {
    let or = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.into());
    let date = a
        .date
        .as_deref()
        .map_or("undated", |d| d.get(..10).unwrap_or(d));
    format!(
        "{} · {} · {} · {} (similarity {:.2})",
        or(&a.outlet, "(no outlet)"),
        date,
        or(&a.title, "(no title)"),
        a.id,
        a.similarity
    )
}

/// Every copy group of the index with its articles, as `copies` lists them.
pub fn copy_listing(searcher: &Searcher) -> newsdex::Result<Vec<CopyGroup>> {
    let groups = newsdex::story::groups(searcher)?;
    groups
        .groups
        .iter()
        .map(|g| newsdex::story::listing::describe(searcher, g))
        .collect()
}

fn run_copies(dir: &Path, args: CopiesArgs) -> Result<Outcome> {
    let searcher = Searcher::open(dir)?;
    let listed = copy_listing(&searcher)?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        CopiesFormat::Json => writeln!(out, "{}", serde_json::to_string(&listed)?)?,
        CopiesFormat::Jsonl => {
            for group in &listed {
                writeln!(out, "{}", serde_json::to_string(group)?)?;
            }
        }
        CopiesFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record([
                "group",
                "original",
                "id",
                "outlet",
                "date",
                "title",
                "similarity",
            ])?;
            for group in &listed {
                for a in &group.articles {
                    let or = |v: &Option<String>| v.clone().unwrap_or_default();
                    csv.write_record([
                        group.group.clone(),
                        group.original.clone(),
                        a.id.clone(),
                        or(&a.outlet),
                        or(&a.date),
                        or(&a.title),
                        format!("{:.2}", a.similarity),
                    ])?;
                }
            }
            csv.flush()?;
        }
        CopiesFormat::Human => {
            for group in &listed {
                writeln!(
                    out,
                    "{} ({} articles; original {})",
                    group.group,
                    group.articles.len(),
                    group.original
                )?;
                for a in &group.articles {
                    writeln!(out, "  {}", copy_line(a))?;
                }
                writeln!(out)?;
            }
            let articles: usize = listed.iter().map(|g| g.articles.len()).sum();
            let s = if listed.len() == 1 { "" } else { "s" };
            writeln!(
                out,
                "{} group{s} of copies, {articles} articles",
                listed.len()
            )?;
        }
    }
    out.flush()?;
    Ok(if listed.is_empty() {
        Outcome::NothingFound
    } else {
        Outcome::Found
    })
}

/// The dimensions of `count --by` (blank ones ignored).
pub fn count_dimensions(by: &[String]) -> newsdex::Result<Vec<newsdex::story::count::Dimension>> {
    by.iter()
        .filter(|b| !b.trim().is_empty())
        .map(|b| newsdex::story::count::Dimension::parse(b))
        .collect()
}

/// The counts of `count`: matches of `request` per bucket of `by`.
pub fn counted(
    searcher: &Searcher,
    request: &SearchRequest,
    by: &[newsdex::story::count::Dimension],
) -> newsdex::Result<newsdex::story::count::CountResult> {
    newsdex::story::count::count(searcher, request, by)
}

fn run_count(dir: &Path, args: CountArgs) -> Result<Outcome> {
    use newsdex::story::count::{self, Dimension};
    let by = count_dimensions(&args.by)?;
    let searcher = Searcher::open(dir)?;
    let counted = counted(&searcher, &args.request(), &by)?;
    for note in &counted.notes {
        eprintln!("newsdex: {note}");
    }
    let mut out = BufWriter::new(io::stdout().lock());
    let key = |bucket: &count::Bucket, d: Dimension| -> String {
        match bucket.keys.get(d.name()).cloned().flatten() {
            Some(k) => k,
            None if d == Dimension::Outlet => "(no outlet)".into(),
            None => "undated".into(),
        }
    };
    match args.format {
        CountFormat::Json => writeln!(out, "{}", serde_json::to_string(&counted)?)?,
        CountFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            let mut header: Vec<&str> = by.iter().map(|d| d.name()).collect();
            header.extend(["articles", "passages", "stories"]);
            csv.write_record(&header)?;
            for b in &counted.buckets {
                let mut row: Vec<String> = by
                    .iter()
                    .map(|d| b.keys.get(d.name()).cloned().flatten().unwrap_or_default())
                    .collect();
                row.extend(
                    [b.tally.articles, b.tally.passages, b.tally.stories].map(|n| n.to_string()),
                );
                csv.write_record(&row)?;
            }
            csv.flush()?;
        }
        CountFormat::Human => {
            let rows: Vec<(Vec<String>, &count::Tally)> = counted
                .buckets
                .iter()
                .map(|b| (by.iter().map(|&d| key(b, d)).collect(), &b.tally))
                .chain(std::iter::once((
                    by.iter()
                        .enumerate()
                        .map(|(i, _)| {
                            if i == 0 {
                                "total".to_string()
                            } else {
                                String::new()
                            }
                        })
                        .collect(),
                    &counted.total,
                )))
                .collect();
            let widths: Vec<usize> = (0..by.len())
                .map(|i| {
                    rows.iter()
                        .map(|(k, _)| k[i].chars().count())
                        .max()
                        .unwrap_or(0)
                        .max(by[i].name().len())
                })
                .collect();
            let mut header = String::new();
            for (d, w) in by.iter().zip(&widths) {
                header.push_str(&format!("{:<w$}  ", d.name()));
            }
            writeln!(
                out,
                "{header}{:>9} {:>9} {:>9}",
                "articles", "passages", "stories"
            )?;
            for (keys, tally) in &rows {
                let mut line = String::new();
                for (k, w) in keys.iter().zip(&widths) {
                    line.push_str(&format!("{k:<w$}  "));
                }
                if by.is_empty() {
                    line.push_str("total  ");
                }
                writeln!(
                    out,
                    "{line}{:>9} {:>9} {:>9}",
                    tally.articles, tally.passages, tally.stories
                )?;
            }
            if counted.relaxed {
                writeln!(
                    out,
                    "(no passage holds every word: counted passages holding any)"
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if counted.total.articles > 0 {
        Outcome::Found
    } else {
        Outcome::NothingFound
    })
}

/// A bar of `value` against `max` in at most `width` columns, in eighths.
fn bar(value: u64, max: u64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    if max == 0 || value == 0 {
        return String::new();
    }
    let eighths = ((value as f64 / max as f64) * (width * 8) as f64).round() as usize;
    let eighths = eighths.max(1);
    format!("{}{}", "█".repeat(eighths / 8), PARTS[eighths % 8])
}

/// Columns of the longest bar of `timeline`'s terminal chart (80 columns in all).
const BAR_WIDTH: usize = 58;

/// The timeline of `timeline`: articles per period of `by` for each request,
/// or for each outlet of the one request with `split`.
pub fn timelined(
    searcher: &Searcher,
    requests: &[SearchRequest],
    by: PeriodArg,
    split: Option<SplitArg>,
) -> newsdex::Result<newsdex::story::timeline::Timeline> {
    use newsdex::story::count::Dimension;
    use newsdex::story::timeline::{self, Split};
    let by = match by {
        PeriodArg::Day => Dimension::Day,
        PeriodArg::Week => Dimension::Week,
        PeriodArg::Month => Dimension::Month,
    };
    let split = match split {
        Some(SplitArg::Outlet) => Split::Outlet,
        None => Split::Query,
    };
    timeline::timeline(searcher, requests, by, split)
}

fn run_timeline(dir: &Path, args: TimelineArgs) -> Result<Outcome> {
    use newsdex::story::timeline::Split;
    if let Some(path) = &args.plot {
        newsdex::story::plot::Kind::of(path)?;
    }
    let searcher = Searcher::open(dir)?;
    let t = timelined(&searcher, &args.requests(), args.by, args.split)?;
    let (by, split) = (t.by, t.split);
    for note in &t.notes {
        eprintln!("newsdex: {note}");
    }
    for query in &t.relaxed {
        eprintln!(
            "newsdex: no passage holds every word of '{query}': counted passages holding any"
        );
    }
    if let Some(path) = &args.plot {
        newsdex::story::plot::plot(&t, path)?;
        eprintln!("newsdex: chart written to {}", path.display());
    }
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        CountFormat::Json => writeln!(out, "{}", serde_json::to_string(&t)?)?,
        CountFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record(["series", "period", "articles"])?;
            for series in &t.series {
                for p in &series.points {
                    csv.write_record([&series.label, &p.period, &p.articles.to_string()])?;
                }
                if series.undated > 0 {
                    csv.write_record([&series.label, "", &series.undated.to_string()])?;
                }
            }
            csv.flush()?;
        }
        CountFormat::Human => {
            let max = t
                .series
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.articles))
                .max()
                .unwrap_or(0);
            let width = t
                .periods()
                .iter()
                .map(|p| p.len())
                .max()
                .unwrap_or(0)
                .max("undated".len());
            writeln!(out, "{}", terminal::line(&newsdex::story::plot::title(&t)))?;
            for series in &t.series {
                if t.series.len() > 1 || split == Split::Outlet {
                    let s = if series.articles == 1 { "" } else { "s" };
                    writeln!(
                        out,
                        "\n{} ({} article{s})",
                        terminal::line(&series.label),
                        series.articles
                    )?;
                }
                for p in &series.points {
                    let drawn = bar(p.articles, max, BAR_WIDTH);
                    writeln!(out, "{:<width$}  {drawn} {}", p.period, p.articles)?;
                }
                if series.undated > 0 {
                    writeln!(out, "{:<width$}  {}", "undated", series.undated)?;
                }
            }
            let periods = t.periods().len();
            let s = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
            let mut summary = format!(
                "\n{} in {} by {}",
                s(t.articles() as usize, "article"),
                s(periods, "period"),
                by.name()
            );
            if let (Some(first), Some(last)) = (t.periods().first(), t.periods().last()) {
                summary.push_str(&format!(" ({first} to {last})"));
            }
            if t.undated() > 0 {
                summary.push_str(&format!("; {} undated", t.undated()));
            }
            writeln!(out, "{summary}")?;
        }
    }
    out.flush()?;
    Ok(if t.articles() > 0 {
        Outcome::Found
    } else {
        Outcome::NothingFound
    })
}

/// The text of passage `target` (`ID#N`) for `trace --from`: `None` when
/// `target` names a whole article; an `Invalid` error when it names nothing.
pub fn passage_text(searcher: &Searcher, target: &str) -> newsdex::Result<Option<String>> {
    let shown = inspect::show(searcher, target)?;
    Ok(match (target.rsplit_once('#'), shown.passages.as_slice()) {
        (Some(_), [one]) => Some(one.text.clone()),
        _ => None,
    })
}

/// What `--from` must name.
pub const FROM_ONE_PASSAGE: &str = "give one passage, ID#N (as search prints it)";

/// The appearances of `trace`: where `request`'s text appears, oldest first.
pub fn traced(
    searcher: &Searcher,
    request: &newsdex::story::trace::TraceRequest,
) -> newsdex::Result<newsdex::story::trace::Trace> {
    let groups = newsdex::story::groups(searcher)?;
    newsdex::story::trace::trace(searcher, groups, request)
}

fn run_trace(dir: &Path, args: TraceArgs) -> Result<Outcome> {
    let searcher = Searcher::open(dir)?;
    let text = match &args.from {
        Some(target) => match passage_text(&searcher, target) {
            Ok(Some(text)) => text,
            Ok(None) => return Err(anyhow::anyhow!("--from {target}: {FROM_ONE_PASSAGE}")),
            Err(newsdex::Error::Invalid(message)) => {
                return Err(anyhow::anyhow!("--from {target}: {message}"))
            }
            Err(e) => return Err(e.into()),
        },
        None => args.text.join(" "),
    };
    let traced = traced(
        &searcher,
        &newsdex::story::trace::TraceRequest {
            text,
            since: args.since.clone(),
            until: args.until.clone(),
            outlets: args.outlet.clone(),
        },
    )?;
    let mut out = BufWriter::new(io::stdout().lock());
    match args.format {
        TraceFormat::Json => writeln!(out, "{}", serde_json::to_string(&traced)?)?,
        TraceFormat::Jsonl => {
            for a in &traced.appearances {
                writeln!(out, "{}", serde_json::to_string(a)?)?;
            }
        }
        TraceFormat::Csv => {
            let mut csv = csv::Writer::from_writer(&mut out);
            csv.write_record([
                "rank",
                "first",
                "match",
                "similarity",
                "article_id",
                "outlet",
                "date",
                "title",
                "url",
                "path",
                "line",
                "passage",
                "copy_group",
                "text",
            ])?;
            for (i, a) in traced.appearances.iter().enumerate() {
                let or = |v: &Option<String>| v.clone().unwrap_or_default();
                let first = traced
                    .first
                    .as_ref()
                    .is_some_and(|f| f.article.id == a.article.id);
                csv.write_record([
                    (i + 1).to_string(),
                    first.to_string(),
                    a.kind.name().to_string(),
                    format!("{:.3}", a.similarity),
                    a.article.id.clone(),
                    or(&a.article.outlet),
                    or(&a.article.date),
                    or(&a.article.title),
                    or(&a.article.url),
                    or(&a.article.path),
                    a.passage.line.map(|l| l.to_string()).unwrap_or_default(),
                    a.passage.index.to_string(),
                    a.copies
                        .as_ref()
                        .map(|c| c.group.clone())
                        .unwrap_or_default(),
                    a.passage.text.clone(),
                ])?;
            }
            csv.flush()?;
        }
        TraceFormat::Human => {
            newsdex::output::human_trace(&mut out, &traced, args.color.enabled())?
        }
    }
    out.flush()?;
    Ok(if traced.appearances.is_empty() {
        Outcome::NothingFound
    } else {
        Outcome::Found
    })
}
