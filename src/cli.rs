//! The command line: clap definitions, and their translation into library
//! requests. Nothing below this module sees clap's types.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use newsdex::output::Format;
use newsdex::query::MatchMode;
use newsdex::search::{SearchRequest, Sort};

/// What the exit status means, shown under `--help`.
const EXIT_STATUS: &str = "Exit status: 0 when something was found (or indexed), 1 when nothing matched, \
2 on an error: a bad query or flag, a missing, foreign or damaged index (`check` names what is damaged), \
another process writing the index, a full disk, or `index --strict` with any warning (what was indexed stays committed).";

/// Full-text search over news articles: ranked passages with their source.
#[derive(Debug, Parser)]
#[command(name = "newsdex", version, about, long_about = None, after_help = EXIT_STATUS)]
pub struct Cli {
    /// Index folder [default: ./index, built from ./corpus when missing or stale]
    #[arg(long, global = true, env = "NEWSDEX_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The index folder the command works on, when it works on one.
    pub fn index_dir(&self) -> Option<PathBuf> {
        match self.command {
            Command::Eval(_) | Command::Completions(_) | Command::Man(_) => None,
            _ => Some(
                self.index
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(crate::commands::DEFAULT_INDEX)),
            ),
        }
    }
}

/// newsdex's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index article files (.txt, .md, .html, .jsonl) into the index; re-runs are incremental and resume a killed run
    Index(IndexArgs),
    /// Search the index; prints ranked passages with their source
    Search(SearchArgs),
    /// Show what the index holds: articles, passages, outlets, dates
    Stats(FormatOnly),
    /// Show an article (ID) or one passage (ID#N) with its metadata and its copies
    Show(ShowArgs),
    /// List the copies of one story: groups of articles that are the same story (a wire story and the versions outlets ran)
    ///
    /// A group's original is its earliest-dated article (ties: the first indexed);
    /// its articles are listed oldest first, undated last.
    Copies(CopiesArgs),
    /// Count the articles, passages and distinct stories (copies counted once) that match a query, per outlet and period
    ///
    /// Takes the query and filters of `search`. Periods are UTC; weeks are ISO
    /// weeks (2025-W47). Undated articles, and articles without an outlet, are
    /// a bucket of their own.
    Count(CountArgs),
    /// Chart how many articles match per day, week or month: one series per query, or per outlet
    ///
    /// Takes the query syntax and filters of `search` and counts as `count` does
    /// (its totals are `count --by`'s). Periods are UTC and run without a gap
    /// from the first to the last (periods without articles are zero); undated
    /// articles are counted apart and named under the chart. Human output is a
    /// bar chart for the terminal; --plot also draws the chart into an SVG or
    /// PNG file (title, axes, legend, dates on the axis).
    Timeline(TimelineArgs),
    /// Find every article that carries a quote, exactly or nearly, oldest first: who said it first, who repeated it
    ///
    /// Curly or straight quotes, case and accents do not matter; an ellipsis
    /// (… or ...) marks a cut, and the pieces are found in order. A passage
    /// with a few words changed, added or left out (at most one word in five,
    /// figures kept, quotes of 6 words or more) is a `near` match, with its
    /// similarity. Undated appearances are listed last and never called first.
    Trace(TraceArgs),
    /// Run many queries (one a line, or JSON Lines) in parallel; results in input order
    ///
    /// The flags are defaults for every query; a JSON line's own fields override
    /// them. A bad line gets a message on stderr (and an error record in json
    /// and jsonl) and the batch goes on. Exit status: 2 when a line was bad,
    /// else 0 when some query matched, 1 when none did.
    Batch(BatchArgs),
    /// Score retrieval quality: a TREC run against qrels, or a whole BEIR collection
    Eval(EvalArgs),
    /// Verify the index: every file against its checksum, Tantivy's records, and that
    /// passages and articles agree; exit 2 naming what is damaged
    Check(FormatOnly),
    /// Serve a local web page and JSON API over the index (http://127.0.0.1:8080/ by default; Ctrl-C stops)
    ///
    /// The API answers as the commands do: /api/search, /api/count, /api/copies,
    /// /api/article/ID, /api/stats, POST /api/batch. The server only reads the
    /// index and sees new commits of a running `newsdex index` without a restart.
    Serve(ServeArgs),
    /// Print a shell completion script (e.g. `newsdex completions bash > /etc/bash_completion.d/newsdex`)
    Completions(CompletionsArgs),
    /// Print a man page (roff): newsdex's, or a command's with all its options, e.g. `newsdex man search > newsdex-search.1`
    Man(ManArgs),
}

/// `newsdex serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port; the URL printed says which)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; anything but a loopback address lets anyone who can reach it read the collection
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the page in a web browser once the server listens (when one can be found)
    #[arg(long)]
    pub open: bool,
}

/// `newsdex man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (its options); none: newsdex's page
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

/// `newsdex completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `newsdex index`
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files and folders to index
    #[arg(value_name = "PATH", default_value = "corpus")]
    pub paths: Vec<PathBuf>,
    /// Start from an empty index
    #[arg(long)]
    pub rebuild: bool,
    /// A manifest (CSV or JSON Lines) giving metadata by file path
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Outlet for every article of this run (overrides everything)
    #[arg(long, value_name = "NAME")]
    pub outlet: Option<String>,
    /// Date for every article of this run (overrides everything)
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Fail (exit 2) when any file gets a warning; what was indexed stays
    #[arg(long)]
    pub strict: bool,
    /// Output format of the summary
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
    /// Commit after every N articles as well as every few seconds (for tests of crash safety)
    #[arg(long, value_name = "N", hide = true)]
    pub commit_every: Option<usize>,
}

/// `newsdex search`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", AND/OR/NOT, +word, -word, title:, outlet:, prefix*, spelling~
    /// (several arguments are joined with spaces)
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Query id in the output (TREC qid) [default: none; TREC uses 1]
    #[arg(long, value_name = "ID")]
    pub query_id: Option<String>,
    /// Fold copies of one story into their best hit ("also in 4 more outlets: …") [default: on for human output]
    #[arg(long, overrides_with = "no_collapse")]
    pub collapse: bool,
    /// Show every copy of a story as its own hit
    #[arg(long, overrides_with = "collapse")]
    pub no_collapse: bool,
    /// With --format json: add counts by outlet and by month ("facets") to the result
    #[arg(long)]
    pub facets: bool,
    /// Show how each hit's score was made: each word's BM25 per field, phrases and proximity, the title's part, an article's best passage and whole text
    /// (human: a tree under each hit; json and jsonl: an "explain" tree per hit; not with csv, tsv or trec)
    #[arg(long)]
    pub explain: bool,
}

/// `newsdex copies`
#[derive(Debug, Args)]
pub struct CopiesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = CopiesFormat::Human)]
    pub format: CopiesFormat,
}

/// Formats of `newsdex copies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CopiesFormat {
    Human,
    Json,
    Jsonl,
    Csv,
}

/// `newsdex count`
#[derive(Debug, Args)]
pub struct CountArgs {
    /// The query, as for search (several arguments are joined with spaces)
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub query: Vec<String>,
    /// Buckets: outlet, year, month, week or day (repeatable, or a comma list: --by outlet,month) [default: only the total]
    #[arg(long, value_name = "DIM", value_delimiter = ',')]
    pub by: Vec<String>,
    #[command(flatten)]
    pub filters: MatchFilterArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = CountFormat::Human)]
    pub format: CountFormat,
}

/// Formats of `newsdex count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CountFormat {
    Human,
    Json,
    Csv,
}

impl CountArgs {
    /// The search request whose matches are counted.
    pub fn request(&self) -> SearchRequest {
        self.filters.request(self.query.join(" "))
    }
}

/// What a query matches, the same for `search`, `batch`, `count` and
/// `timeline`: dates, outlets, how bare words combine, plain words.
#[derive(Debug, Args, Clone)]
pub struct MatchFilterArgs {
    /// Keep articles dated on or after this (YYYY, YYYY-MM, YYYY-MM-DD or a datetime)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Keep articles dated on or before this (inclusive: 2025-11 includes all of November, a datetime includes that second)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Keep only this outlet: words of its name (guardian finds The Guardian; case and accents ignored) or its site's domain (repeatable)
    #[arg(long, value_name = "NAME")]
    pub outlet: Vec<String>,
    /// all: passages holding every word (when none do, the bare words are relaxed to any); any: passages holding some word; strict: every word, never relaxed
    #[arg(long = "match", value_enum, default_value_t = MatchArg::All)]
    pub match_mode: MatchArg,
    /// Take the query as plain words: no operators, quotes, fields or brackets
    #[arg(long)]
    pub plain: bool,
}

impl MatchFilterArgs {
    /// The search request of `query` under these filters.
    pub fn request(&self, query: String) -> SearchRequest {
        SearchRequest {
            query,
            plain: self.plain,
            match_mode: self.match_mode.into(),
            since: self.since.clone(),
            until: self.until.clone(),
            outlets: self.outlet.clone(),
            ..SearchRequest::default()
        }
    }
}

/// `newsdex timeline`
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Queries, one series each (quote a query of several words: `newsdex timeline "oil prices" opec`)
    #[arg(required = true, num_args = 1.., value_name = "QUERY")]
    pub queries: Vec<String>,
    /// Period: day, week (ISO) or month
    #[arg(long, value_enum, default_value_t = PeriodArg::Month)]
    pub by: PeriodArg,
    /// One series per outlet of the (single) query: the 8 with most articles, then "other"
    #[arg(long, value_enum, value_name = "WHAT")]
    pub split: Option<SplitArg>,
    /// Also draw the chart into FILE (.svg or .png)
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    #[command(flatten)]
    pub filters: MatchFilterArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = CountFormat::Human)]
    pub format: CountFormat,
}

/// `timeline --by`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Day,
    Week,
    Month,
}

/// `timeline --split`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    Outlet,
}

impl TimelineArgs {
    /// The search request of each query.
    pub fn requests(&self) -> Vec<SearchRequest> {
        self.queries
            .iter()
            .map(|query| self.filters.request(query.clone()))
            .collect()
    }
}

/// `newsdex trace`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("quote").required(true).args(["text", "from"]))]
pub struct TraceArgs {
    /// The quote, or a sentence copied from an article (several arguments are joined with spaces)
    #[arg(num_args = 1.., value_name = "TEXT")]
    pub text: Vec<String>,
    /// Trace the text of this passage (ID#N, as search prints it)
    #[arg(long, value_name = "ID#N", conflicts_with = "text")]
    pub from: Option<String>,
    /// Keep articles dated on or after this (YYYY, YYYY-MM, YYYY-MM-DD or a datetime)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Keep articles dated on or before this (inclusive, as for search)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Keep only this outlet, as for search (repeatable)
    #[arg(long, value_name = "NAME")]
    pub outlet: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TraceFormat::Human)]
    pub format: TraceFormat,
    /// Colour in human output (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

/// Formats of `newsdex trace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    Human,
    Json,
    Jsonl,
    Csv,
}

/// `newsdex batch`
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Queries, one a line: `QUERY`, `ID<TAB>QUERY`, or JSON Lines
    /// `{"id", "query", "since", "until", "outlet", "limit", "offset", "sort", "match", "plain"}`
    /// (`_id` and `text` also work, so BEIR's queries.jsonl reads as it is); `-` reads stdin
    #[arg(value_name = "FILE", default_value = "-")]
    pub input: PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format: json gives one result object per query, in input order
    #[arg(long, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,
    /// Colour in human output (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Queries run at once [default: one per core]; 1 runs them one after another
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// `newsdex eval`
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("input").required(true).args(["run", "collection"]))]
pub struct EvalArgs {
    /// A TREC run (`qid Q0 docid rank score tag`) to score against --qrels
    #[arg(value_name = "RUN", requires = "qrels")]
    pub run: Option<PathBuf>,
    /// Relevance judgments: TREC qrels or BEIR TSV [with --collection: default DIR/qrels/test.tsv]
    #[arg(long, value_name = "QRELS")]
    pub qrels: Option<PathBuf>,
    /// A BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv): index it into a
    /// temporary index, run every query (--articles --match any --plain, 1000 deep) and score it
    #[arg(long, value_name = "DIR", conflicts_with = "run")]
    pub collection: Option<PathBuf>,
    /// Output format (json adds per-query figures)
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
}

/// Filters and ranking options shared by search commands.
#[derive(Debug, Args, Clone)]
pub struct FilterArgs {
    #[command(flatten)]
    pub matching: MatchFilterArgs,
    /// Number of hits
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip first
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Order of hits
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    /// One hit per article, shown by its best passage, scored by it and by the whole article's words
    #[arg(long)]
    pub articles: bool,
    /// Stop a query that runs longer than this (seconds, or e.g. 500ms): an error for that query
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<Duration>,
}

/// `--timeout`: seconds (`2`, `0.5`, `2s`) or milliseconds (`500ms`), more than 0.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let (number, scale) = match text.trim() {
        t if t.ends_with("ms") => (&t[..t.len() - 2], 1e-3),
        t if t.ends_with('s') => (&t[..t.len() - 1], 1.0),
        t => (t, 1.0),
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .map(|n| n * scale)
        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            format!("'{text}' is not a time: give seconds (2, 0.5) or milliseconds (500ms)")
        })
}

/// Output options of commands that print hits.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Colour in human output (auto: on a terminal, unless NO_COLOR is set)
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
}

/// `--format` of `stats` and `show`.
#[derive(Debug, Args)]
pub struct FormatOnly {
    /// Output format
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
}

/// `newsdex show`
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id (as printed by search), or ID#N for one passage
    pub id: String,
    /// Mark what this query matches in the passages (as search marks its
    /// hits: in `highlights` with --format json)
    #[arg(long, value_name = "QUERY")]
    pub query: Option<String>,
    /// Take --query as plain words (no operators, quotes or fields)
    #[arg(long, requires = "query")]
    pub plain: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = SummaryFormat::Human)]
    pub format: SummaryFormat,
}

/// Result formats.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Human,
    Json,
    Jsonl,
    Csv,
    Tsv,
    Trec,
}

/// Formats of summaries (`index`, `stats`, `show`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Human,
    Json,
}

/// `--sort`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    Oldest,
}

/// `--match`
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MatchArg {
    All,
    Any,
    Strict,
}

impl From<MatchArg> for MatchMode {
    fn from(arg: MatchArg) -> MatchMode {
        match arg {
            MatchArg::All => MatchMode::All,
            MatchArg::Any => MatchMode::Any,
            MatchArg::Strict => MatchMode::Strict,
        }
    }
}

/// `--color`
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Human => Format::Human,
            FormatArg::Json => Format::Json,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Tsv => Format::Tsv,
            FormatArg::Trec => Format::Trec,
        }
    }
}

impl FilterArgs {
    /// The search request for `query` with these filters.
    pub fn request(&self, query: String, query_id: Option<String>) -> SearchRequest {
        SearchRequest {
            query_id,
            limit: self.limit,
            offset: self.offset,
            sort: match self.sort {
                SortArg::Relevance => Sort::Relevance,
                SortArg::Newest => Sort::Newest,
                SortArg::Oldest => Sort::Oldest,
            },
            articles: self.articles,
            highlight: true,
            stored: true,
            count: true,
            suggest: false,
            timeout: self.timeout,
            explain: false,
            ..self.matching.request(query)
        }
    }
}

impl ColorArg {
    /// Whether to colour output written to stdout.
    pub fn enabled(self) -> bool {
        use std::io::IsTerminal;
        match self {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn timeouts_are_seconds_or_milliseconds() {
        use std::time::Duration;
        let parse = super::parse_timeout;
        assert_eq!(parse("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse("250ms"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "x", "", "ms", "inf", "NaN", "1e300"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
