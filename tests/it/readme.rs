//! The README's examples are what newsdex prints. Each ```text block whose
//! lines start with `$ newsdex …` is run, command by command, on a fresh copy
//! of the bundled corpus (indexed first, unless the block runs `newsdex
//! index` itself), and each command's output (stderr, then stdout) is
//! compared with the lines under it, times and sizes masked. `$ cat FILE`
//! followed by lines writes FILE. A block right after a line
//! `<!-- $ newsdex … -->` is that command's output on a fresh clone (no
//! index yet); one after `<!-- not run: WHY -->` is not run (its articles
//! are not in the bundled corpus). `../shared/` stands for the shared data
//! beside the checkout.
//!
//! `NEWSDEX_README=update cargo test --test it readme` rewrites the
//! examples in README.md with what newsdex prints now.

use std::path::{Path, PathBuf};

use crate::common::{available, Project};

/// One thing a block does.
#[derive(Debug)]
enum Step {
    /// `$ cat FILE`: write the lines below it.
    Write { file: String, content: String },
    /// `$ newsdex ARGS`: its output is the README's lines `output` (a
    /// range of line numbers, 0-based, end excluded).
    Run {
        command: String,
        output: std::ops::Range<usize>,
    },
}

/// A block of examples, run in one fresh project.
#[derive(Debug)]
struct Block {
    /// The README line of the opening fence (0-based).
    fence: usize,
    /// The block is the output of a fresh clone's first command.
    fresh: bool,
    steps: Vec<Step>,
}

fn readme_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// The blocks of examples in the README's lines.
fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```text" {
            i += 1;
            continue;
        }
        let fence = i;
        let end = (fence + 1..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .expect("a closed block");
        let before = lines[..fence].iter().rev().find(|l| !l.trim().is_empty());
        let hidden = before.and_then(|l| {
            let l = l.trim();
            l.strip_prefix("<!-- $ newsdex ")?
                .strip_suffix("-->")
                .map(|c| c.trim().to_owned())
        });
        let mut steps = Vec::new();
        // An example on articles that are not in the bundled corpus.
        let not_run = before.is_some_and(|l| l.trim().starts_with("<!-- not run"));
        if let (false, Some(command)) = (not_run, hidden) {
            steps.push(Step::Run {
                command,
                output: fence + 1..end,
            });
        } else if !not_run && lines[fence + 1].starts_with("$ ") {
            let mut j = fence + 1;
            while j < end {
                let next = (j + 1..end)
                    .find(|&k| lines[k].starts_with("$ "))
                    .unwrap_or(end);
                let line = lines[j];
                if let Some(file) = line.strip_prefix("$ cat ") {
                    let content: String = lines[j + 1..next]
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect();
                    steps.push(Step::Write {
                        file: file.trim().to_owned(),
                        content,
                    });
                } else if let Some(command) = line.strip_prefix("$ newsdex ") {
                    steps.push(Step::Run {
                        command: command.trim().to_owned(),
                        output: j + 1..next,
                    });
                } else {
                    panic!(
                        "README.md:{}: an example runs only newsdex and cat: {line}",
                        j + 1
                    );
                }
                j = next;
            }
        }
        if !steps.is_empty() {
            blocks.push(Block {
                fence,
                fresh: before.is_some_and(|l| l.trim().starts_with("<!--")),
                steps,
            });
        }
        i = end + 1;
    }
    blocks
}

/// Splits a command line as a shell would: words, "double" and 'single' quotes.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quote, mut any) = (Vec::new(), String::new(), None, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            (None, c) => word.push(c),
        }
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    words
}

/// The byte ranges of the times (`0.4 ms`, `1.1 s`, `620 queries/s`),
/// sizes (`46 KB`, `0.1 MB`) and segment counts in `text`, number and unit.
fn masked_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    // And counts that vary with the machine: an index built by more threads
    // has more segments.
    const UNITS: [&str; 8] = [
        " ms",
        " s",
        " queries/s",
        " KB",
        " MB",
        " GB",
        " files of",
        " segments",
    ];
    let mut ranges = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find(|c: char| c.is_ascii_digit()) {
        let start = at + found;
        let end = text[start..]
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .map_or(text.len(), |n| start + n);
        let after = &text[end..];
        let unit = UNITS.iter().find(|u| {
            after.starts_with(**u) && !after[u.len()..].starts_with(|c: char| c.is_alphanumeric())
        });
        let word_start = !text[..start].ends_with(|c: char| c.is_alphanumeric() || c == '.');
        if let (Some(unit), true) = (unit, word_start) {
            ranges.push(start..end + unit.len());
        }
        at = end;
    }
    ranges
}

/// The text with its times and sizes as `#`.
fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for range in masked_ranges(text) {
        out.push_str(&text[at..range.start]);
        out.push('#');
        at = range.end;
    }
    out + &text[at..]
}

/// `actual` with the times and sizes that `old` shows, where both have as
/// many: an updated example keeps the README's figures (measured on a
/// release build), not those of the test's debug build.
fn with_figures_of(actual: &str, old: &str) -> String {
    let (ours, theirs) = (masked_ranges(actual), masked_ranges(old));
    if ours.len() != theirs.len() {
        return actual.to_owned();
    }
    let mut out = String::with_capacity(actual.len());
    let mut at = 0;
    for (mine, old_range) in ours.into_iter().zip(theirs) {
        out.push_str(&actual[at..mine.start]);
        out.push_str(&old[old_range]);
        at = mine.end;
    }
    out + &actual[at..]
}

/// What `newsdex ARGS` prints in `project`: stderr, then stdout, with the
/// shared data's path written `../shared/` again.
fn output(project: &Project, args: &[String], shared: &str) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = project.run(&args);
    let text =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    text.replace(shared, "../shared/")
}

#[test]
fn the_readme_examples_are_what_newsdex_prints() {
    let path = readme_path();
    let readme = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    let blocks = blocks(&lines);
    assert!(blocks.len() >= 6, "{} example blocks", blocks.len());
    let shared_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    // Paths are printed canonical: /work/shared rather than /work/x/../shared.
    let shared_dir = shared_dir.canonicalize().unwrap_or(shared_dir);
    let shared = format!("{}/", shared_dir.display());
    let update = std::env::var("NEWSDEX_README").is_ok_and(|v| v == "update");
    let mut replacements: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut mismatches = Vec::new();
    'blocks: for block in &blocks {
        let project = Project::with_corpus();
        let indexes = block.steps.iter().any(|s| {
            matches!(s, Step::Run { command, .. } if shell_words(command).first().is_some_and(|w| w == "index"))
        });
        if !block.fresh && !indexes {
            project.stdout(&["index"], 0);
        }
        for step in &block.steps {
            match step {
                Step::Write { file, content } => project.write(file, content),
                Step::Run {
                    command,
                    output: range,
                } => {
                    let mut args = shell_words(command);
                    for arg in &mut args {
                        if arg.contains("../shared/") {
                            let real = arg.replace("../shared/", &shared);
                            let what = format!("{arg} (README.md:{})", block.fence + 1);
                            if !available(Path::new(&real).exists(), &what) {
                                continue 'blocks;
                            }
                            *arg = real;
                        }
                    }
                    let actual = output(&project, &args, &shared);
                    let expected: String = lines[range.clone()]
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect();
                    if masked(&actual) != masked(&expected) {
                        mismatches.push(format!(
                            "README.md:{}: `newsdex {command}` prints\n{actual}\nbut the README shows\n{expected}",
                            range.start
                        ));
                        replacements.push((range.clone(), with_figures_of(&actual, &expected)));
                    }
                }
            }
        }
    }
    if update && !replacements.is_empty() {
        let mut new: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        replacements.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
        for (range, actual) in replacements {
            let actual: Vec<String> = actual.lines().map(str::to_owned).collect();
            new.splice(range, actual);
        }
        std::fs::write(&path, new.join("\n") + "\n").unwrap();
        eprintln!("README.md: {} examples rewritten", mismatches.len());
        return;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
fn example_parsing_and_masking() {
    assert_eq!(
        shell_words(r#"search "Nicolas Maduro" --articles 'a b' "" x"#),
        ["search", "Nicolas Maduro", "--articles", "a b", "", "x"]
    );
    let text =
        "3 passages · 0.4 ms · 2 s (612 queries/s) · schema 3, 46 KB · 1.5 MB · x2 s · 10 search";
    assert_eq!(
        masked(text),
        "3 passages · # · # (#) · schema 3, # · # · x2 s · 10 search"
    );
    assert_eq!(
        with_figures_of("3 hits · 9.1 ms · 1.2 MB", "2 hits · 0.4 ms · 48 KB"),
        "3 hits · 0.4 ms · 48 KB"
    );
    let readme = "intro\n```text\n$ cat q.txt\nMaduro\n$ newsdex batch q.txt\nout 1\n```\n<!-- $ newsdex search x -->\n\n```text\nfresh\n```\n```text\nnot an example\n```\n<!-- not run: elsewhere -->\n```text\n$ newsdex search y\nz\n```\n";
    let lines: Vec<&str> = readme.lines().collect();
    let blocks = blocks(&lines);
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert!(
        matches!(&blocks[0].steps[0], Step::Write { file, content } if file == "q.txt" && content == "Maduro\n")
    );
    assert!(
        matches!(&blocks[0].steps[1], Step::Run { command, output } if command == "batch q.txt" && *output == (5..6))
    );
    assert!(blocks[1].fresh);
    assert!(
        matches!(&blocks[1].steps[0], Step::Run { command, output } if command == "search x" && *output == (10..11))
    );
}
