//! Files that are not UTF-8: a Windows-1252 text file (detected) and a
//! Latin-1 page that declares its charset are read as their authors wrote
//! them, with a warning naming the encoding used, and nothing is dropped.

use serde_json::Value;

use crate::common::Project;

/// `show ID --format json`, parsed.
fn show(project: &Project, id: &str) -> Value {
    serde_json::from_str(&project.stdout(&["show", id, "--format", "json"], 0)).unwrap()
}

/// The article's passages joined.
fn text_of(shown: &Value) -> String {
    shown["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/encoding")
        .join(name);
    std::fs::read(path).unwrap()
}

/// A project with the two fixtures in `news/` and a manifest giving the
/// text file its outlet and URL.
fn project() -> Project {
    let p = Project::empty();
    for name in ["maduro-cp1252.txt", "cabello-latin1.html"] {
        p.write(&format!("news/{name}"), fixture(name));
    }
    p.write(
        "news/manifest.csv",
        "path,outlet,url\nmaduro-cp1252.txt,Reuters,https://www.reuters.com/world/americas/maduro-lie-2025-11-28/\n",
    );
    p
}

#[test]
fn non_utf8_files_are_decoded_with_a_warning_naming_the_encoding() {
    let p = project();
    let out = p.run(&["index", "news"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("2 added") && summary.contains("0 skipped"),
        "no silent drop: {summary}"
    );
    assert!(
        stderr.contains("news/maduro-cp1252.txt: not UTF-8; decoded as windows-1252 (detected)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "news/cabello-latin1.html: not UTF-8; decoded as windows-1252 (declared as 'iso-8859-1')"
        ),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "one warning a file: {stderr}");
    assert!(!stderr.contains('\u{FFFD}'));

    let text = show(&p, "news/maduro-cp1252.txt");
    let a = &text["article"];
    assert_eq!(a["title"], "Maduro calls the designation a lie");
    assert_eq!(a["outlet"], "Reuters");
    assert_eq!(
        a["url"],
        "https://www.reuters.com/world/americas/maduro-lie-2025-11-28/"
    );
    // The dateline has no year; the article's other date gives it.
    assert_eq!(a["date"], "2025-11-28T00:00:00Z");
    assert_eq!(a["date_precision"], "day");
    assert_eq!(a["date_local"], Value::Null);
    let body = text_of(&text);
    for words in [
        "President Nicolás Maduro",
        "“Nobody believes it,”",
        "Padrino López",
    ] {
        assert!(body.contains(words), "{words} in {body}");
    }
    assert!(!body.contains('\u{FFFD}'));

    let page = show(&p, "news/cabello-latin1.html");
    let a = &page["article"];
    assert_eq!(a["title"], "Diosdado Cabello responde a Washington");
    assert_eq!(a["outlet"], "El Diario de Caracas");
    assert_eq!(a["author"], "María Pérez");
    assert_eq!(
        a["url"],
        "https://www.eldiariodecaracas.example/politica/cabello-responde"
    );
    assert_eq!(a["date"], "2025-11-24T23:40:00Z");
    assert_eq!(a["date_precision"], "time");
    assert_eq!(a["date_local"], "2025-11-24T19:40:00-04:00");
    let body = text_of(&page);
    assert!(body.contains("«show mediático»"), "{body}");
    assert!(body.contains("y añadió que Venezuela"), "{body}");

    // Accents fold both ways on the decoded text.
    let hits = p.stdout(&["search", "Nicolas Maduro", "--format", "jsonl"], 0);
    assert!(hits.contains("news/maduro-cp1252.txt"), "{hits}");
    let hits = p.stdout(&["search", "anadio", "--format", "jsonl"], 0);
    assert!(hits.contains("news/cabello-latin1.html"), "{hits}");
}

#[test]
fn utf16_text_with_a_byte_order_mark_is_read_not_skipped_as_binary() {
    let p = Project::empty();
    let text = "Łódź reporters\n\nThe cartel designation was debated in Łódź on Monday.\n";
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    p.write("news/utf16.txt", bytes);
    let out = p.run(&["index", "news"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("news/utf16.txt: UTF-16LE text (byte-order mark); decoded"),
        "{stderr}"
    );
    let shown = show(&p, "news/utf16.txt");
    assert_eq!(shown["article"]["title"], "Łódź reporters");
    assert!(text_of(&shown).contains("debated in Łódź"));
}
