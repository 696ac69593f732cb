//! `newsdex man [COMMAND]`: man pages generated from the clap definitions
//! (so they list every option `--help` does), one for newsdex and one per
//! command, with the query syntax where queries are typed.

use std::io::{self, Write};

use clap::CommandFactory;

use crate::cli::Cli;

/// The query syntax, as a roff section (the README's table).
const QUERY_SYNTAX: &str = r#".SH "QUERY SYNTAX"
Quote the whole query for your shell; a query that starts with \- goes after \-\-.
.TP
\fBTren de Aragua\fR
passages holding every word (\-\-match all); those holding them as a phrase, or close together, rank first
.TP
\fB"Cartel de los Soles"\fR, \fB\(lq...\(rq\fR
the exact phrase; \fB"Maduro regime"~3\fR allows up to 3 words between
.TP
\fBMaduro OR Cabello\fR, \fBMaduro AND Rubio\fR, \fBNOT Petro\fR, \fB+word\fR, \fB\-word\fR, \fB( ... )\fR
Boolean logic (operators in capitals)
.TP
\fBtitle:terror\fR, \fBoutlet:canary\fR, \fBauthor:badely\fR, \fBbody:...\fR
a word, phrase, prefix or bracketed group in one field
.TP
\fBnarco*\fR
words starting with narco: the 1,000 indexed words most frequent (10,000 for all the prefixes of a query); a warning says when a prefix stood for more
.PP
Matching folds case and accents (Nicolas finds Nicolás), stems English words, and treats curly and straight quotes and apostrophes alike; an apostrophe never opens a quote.
\fB\-\-plain\fR takes the query as plain words: no operators, quotes, fields or brackets.
A query holds at most 10,000 characters; past 256 words only the first 256 are searched, with a warning.
\fB\-\-timeout\fR stops a query that runs longer (an error for that query; a batch goes on).
"#;

/// Prints the page of `command` (`None`: newsdex's own page).
pub fn print(command: Option<&str>, out: &mut impl Write) -> anyhow::Result<()> {
    let mut cli = Cli::command();
    cli.build();
    let Some(name) = command else {
        clap_mangen::Man::new(cli.clone()).render(out)?;
        writeln!(out, ".SH \"COMMANDS' OPTIONS\"")?;
        writeln!(out, "Each command's options are on its own page:")?;
        for sub in cli.get_subcommands() {
            writeln!(out, ".br\n\\fBnewsdex man {}\\fR", sub.get_name())?;
        }
        out.write_all(QUERY_SYNTAX.as_bytes())?;
        return Ok(());
    };
    let Some(sub) = cli.find_subcommand(name) else {
        let names: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
        anyhow::bail!("no command '{name}'; the commands are {}", names.join(", "));
    };
    clap_mangen::Man::new(sub.clone()).render(out)?;
    if matches!(name, "search" | "batch") {
        out.write_all(QUERY_SYNTAX.as_bytes())?;
    }
    Ok(())
}

/// [`print`] to stdout.
pub fn run(command: Option<&str>) -> anyhow::Result<()> {
    print(command, &mut io::stdout().lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(command: Option<&str>) -> String {
        let mut out = Vec::new();
        print(command, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Every command's page names each of its options (those `--help`
    /// shows), the global `--index` too; the query syntax is on newsdex's
    /// page and on those of the commands that take queries.
    #[test]
    fn each_page_documents_every_option() {
        let mut cli = Cli::command();
        cli.build();
        let top = page(None);
        assert!(top.contains("QUERY SYNTAX"));
        for sub in cli.get_subcommands() {
            let name = sub.get_name();
            assert!(top.contains(&format!("newsdex man {name}")), "{name}");
            let text = page(Some(name));
            assert!(
                text.contains(&format!("newsdex\\-{name}")),
                "{name}: its title"
            );
            for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
                if let Some(long) = arg.get_long() {
                    let flag = format!("\\-\\-{}", long.replace('-', "\\-"));
                    assert!(text.contains(&flag), "{name}: {flag}");
                }
            }
            let queries = matches!(name, "search" | "batch");
            assert_eq!(text.contains("QUERY SYNTAX"), queries, "{name}");
        }
        let search = page(Some("search"));
        for flag in ["\\-\\-timeout", "\\-\\-index", "\\-\\-since", "\\-\\-plain"] {
            assert!(search.contains(flag), "{flag}");
        }
        let mut out = Vec::new();
        let err = print(Some("serch"), &mut out).unwrap_err().to_string();
        assert!(err.starts_with("no command 'serch'; the commands are index, search"));
    }
}
