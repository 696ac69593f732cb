//! Text meant for a terminal, made safe to print: a file name, a manifest
//! value or a query may hold escape sequences (which move the cursor,
//! recolour or clear the screen) or invisible direction marks (which make a
//! name read backwards). They are shown escaped, with or without colour.

use std::borrow::Cow;
use std::path::Path;

/// Whether a character must not reach a terminal as it is: a control
/// character, or an invisible mark that changes the direction or joining
/// of what follows.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{061C}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
}

/// `text` with each such character as an escape (`\u{1b}`), except those in
/// `keep` (a passage keeps its line breaks).
pub fn safe<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    let escaped = |c: char| unsafe_char(c) && !keep.contains(&c);
    if !text.contains(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A one-line value (`safe` with nothing kept).
pub fn line(text: &str) -> Cow<'_, str> {
    safe(text, &[])
}

/// A path as a terminal may show it: as [`line`], with each byte that is
/// not UTF-8 as `\xNN`.
pub fn path(path: &Path) -> String {
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&line(chunk.valid()));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_direction_marks_are_shown_escaped() {
        assert_eq!(line("plain: Nicolás"), "plain: Nicolás");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
        assert_eq!(line("a\u{1b}[2Jb\u{7}"), "a\\u{1b}[2Jb\\u{7}");
        assert_eq!(line("evil\u{202E}txt.exe"), "evil\\u{202e}txt.exe");
        assert_eq!(line("two\nlines\t"), "two\\u{a}lines\\u{9}");
        assert_eq!(safe("two\nlines\u{9b}", &['\n']), "two\nlines\\u{9b}");
        // Right-to-left text itself is left alone.
        assert_eq!(line("مادورو"), "مادورو");
    }

    #[cfg(unix)]
    #[test]
    fn paths_show_bytes_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"c/caf\xe9\x1b[31m.txt");
        assert_eq!(path(Path::new(name)), "c/caf\\xE9\\u{1b}[31m.txt");
    }
}
