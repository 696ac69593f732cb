//! `newsdex trace`: every article carrying a quote, exactly or nearly,
//! oldest first, the earliest dated named first, nothing unrelated.

use serde_json::Value;

use crate::common::Project;

fn article(outlet: &str, date: Option<&str>, title: &str, body: &str) -> String {
    let date = date.map(|d| format!("date: {d}\n")).unwrap_or_default();
    format!("---\ntitle: {title}\noutlet: {outlet}\n{date}---\n\n{body}\n")
}

const QUOTE: &str =
    "We will not allow the cartels to poison our streets, and we will act with every tool we have";

/// The quote in seven outlets (the earliest not indexed first, one undated,
/// curly quotes, a cut, a changed word, other sentences around it), and two
/// articles that share its words but not the quote.
fn spread() -> Project {
    let p = Project::empty();
    let put = |file: &str, outlet: &str, date: Option<&str>, body: &str| {
        p.write(
            &format!("corpus/{file}.md"),
            article(outlet, date, &format!("{outlet} on the cartels"), body),
        );
    };
    put("a-star", "Daily Star", Some("2025-11-17T08:00:00Z"),
        &format!("The minister spoke in the capital on Monday.\n\n\"{QUOTE},\" she told reporters. She did not take questions."));
    put("b-courier", "Valley Courier", Some("2025-11-16T22:15:00Z"),
        &format!("In an interview late on Sunday the minister said: “{QUOTE}.”\n\nThe ministry later confirmed the remarks."));
    put("c-harbor", "Harbor Times", Some("2025-11-18"),
        "Officials were defiant. “We will not allow the cartels to poison our streets … we will act with every tool we have,” the minister said.");
    put("d-metro", "Metro Daily", Some("2025-11-19"),
        "The minister repeated her warning: \"We will not allow the cartels to poison our cities, and we will act with every tool we have.\"");
    put(
        "e-wire",
        "Wire Digest",
        None,
        &format!("Quote of the week: {QUOTE}."),
    );
    put("f-gazette", "Gazette", Some("2025-11-20"),
        &format!("Asked again on Thursday, she said it once more. '{QUOTE}.' Critics called the plan vague and costly."));
    put("g-review", "The Review", Some("2025-11-21"),
        "Our streets have every tool they need, the mayor said; the cartels will not act, and we have to allow the poison to be tested.");
    put("h-post", "Evening Post", Some("2025-11-15"),
        "The cartels poison our streets, the police chief said, and we have asked the minister to act with every tool she has.");
    p.index();
    p
}

fn trace(p: &Project, args: &[&str]) -> Value {
    let mut all = vec!["trace"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    serde_json::from_str(&p.stdout(&all, 0)).unwrap()
}

#[test]
fn the_earliest_is_first_every_copy_is_listed_and_nothing_unrelated() {
    let p = spread();
    let t = trace(&p, &[QUOTE]);
    let ids: Vec<&str> = t["appearances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["article"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "corpus/b-courier.md",
            "corpus/a-star.md",
            "corpus/c-harbor.md",
            "corpus/d-metro.md",
            "corpus/f-gazette.md",
            "corpus/e-wire.md",
        ],
        "{t}"
    );
    assert_eq!(t["first"]["article"]["id"], "corpus/b-courier.md");
    assert_eq!(t["first"]["article"]["outlet"], "Valley Courier");
    let by_id = |id: &str| {
        t["appearances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["article"]["id"] == id)
            .unwrap()
            .clone()
    };
    for exact in ["a-star", "b-courier", "e-wire", "f-gazette"] {
        let a = by_id(&format!("corpus/{exact}.md"));
        assert_eq!(a["match"], "exact", "{a}");
        assert_eq!(a["similarity"], 1.0);
    }
    for near in ["c-harbor", "d-metro"] {
        let a = by_id(&format!("corpus/{near}.md"));
        assert_eq!(a["match"], "near", "{a}");
        let s = a["similarity"].as_f64().unwrap();
        assert!((0.7..1.0).contains(&s), "{a}");
    }
    // The passage is the search contract's, its highlight the quote.
    let star = by_id("corpus/a-star.md");
    let text = star["passage"]["text"].as_str().unwrap();
    let [start, end] =
        [0, 1].map(|i| star["passage"]["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&text[start..end], QUOTE);
    // Its copy group, as search names it (the short articles that are
    // little but the quote are copies of one another).
    // (exit 1 and `[]` when the copy rules find no group among them).
    let listed = p.run(&["copies", "--format", "json"]);
    assert!(matches!(listed.status.code(), Some(0 | 1)), "{listed:?}");
    let copies: Value = serde_json::from_slice(&listed.stdout).unwrap();
    let group = copies.as_array().unwrap().iter().find(|g| {
        g["articles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "corpus/a-star.md")
    });
    match group {
        Some(g) => assert_eq!(star["copies"]["group"], g["group"], "{star}"),
        None => assert!(star["copies"].is_null(), "{star}"),
    }

    // Human output names the first and says the undated one is last.
    let human = p.stdout(&["trace", QUOTE], 0);
    assert!(human.contains("first appearance"), "{human}");
    assert!(
        human.contains("6 appearances (4 exact, 2 near) in 6 outlets; first: Valley Courier · 2025-11-16 22:15")
            && human.contains("; 1 undated, listed last"),
        "{human}"
    );
    assert!(
        !human.contains("Evening Post") && !human.contains("The Review"),
        "{human}"
    );
}

#[test]
fn a_quote_with_a_cut_a_passage_and_the_other_formats() {
    let p = spread();
    // The quote cut by the user: its pieces in order.
    let t = trace(
        &p,
        &["“We will not allow the cartels … every tool we have”"],
    );
    let n = t["appearances"].as_array().unwrap().len();
    assert_eq!(n, 6, "{t}");
    assert_eq!(t["first"]["article"]["id"], "corpus/b-courier.md");

    // --from a passage traces its text.
    let t = trace(&p, &["--from", "corpus/d-metro.md#0"]);
    let metro = t["appearances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["article"]["id"] == "corpus/d-metro.md")
        .unwrap();
    assert_eq!(metro["match"], "exact");
    assert_eq!(t["first"]["article"]["id"], "corpus/b-courier.md");
    assert_eq!(t["first"]["match"], "near");
    let out = p.run(&["trace", "--from", "corpus/nothing.md#0"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");

    // Only undated appearances: none is called first.
    let t = trace(&p, &["Quote of the week"]);
    assert!(t["first"].is_null(), "{t}");
    assert_eq!(t["appearances"][0]["article"]["id"], "corpus/e-wire.md");

    let jsonl = p.stdout(&["trace", QUOTE, "--format", "jsonl"], 0);
    assert_eq!(jsonl.lines().count(), 6);
    for line in jsonl.lines() {
        let a: Value = serde_json::from_str(line).unwrap();
        assert!(a["match"] == "exact" || a["match"] == "near");
    }
    let csv = p.stdout(&["trace", QUOTE, "--format", "csv"], 0);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[0][1], "true");
    assert_eq!(&rows[0][5], "Valley Courier");

    p.stdout(
        &["trace", "the harbour bridge was painted green on Tuesday"],
        1,
    );
    let out = p.run(&["trace", "… “ ”"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no words"));
}
