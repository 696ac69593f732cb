//! Building an article body: the text a reader sees, normalised, with a map
//! from body bytes back to source lines.

use crate::article::LineMap;

/// Lines that carry no article content: comment forms, navigation, share bars.
/// Compared case-insensitively with the trimmed line.
const BOILERPLATE_LINES: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "back to top button",
    "back to top",
    "related articles",
    "related posts",
    "share this article",
    "share this:",
    "advertisement",
    "your email address will not be published. required fields are marked *",
];

/// Whether a whole line is recognisable boilerplate.
pub fn is_boilerplate(line: &str) -> bool {
    let line = line.trim();
    line.len() <= 80
        && BOILERPLATE_LINES
            .iter()
            .any(|b| b.eq_ignore_ascii_case(line))
}

/// Whether `text` holds a control character (U+0000 to U+001F, U+007F to
/// U+009F) other than the ASCII ones in `allowed`. Scans bytes: in UTF-8 the
/// C1 controls are 0xC2 followed by 0x80 to 0x9F. Blocks without any byte
/// that may start one are passed over by a quick test that vectorises.
fn any_control(text: &str, allowed: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let bytes = text.as_bytes();
    let control_at = |at: usize, byte: u8| match byte {
        0x00..=0x1F => !allowed.contains(&byte),
        0x7F => true,
        0xC2 => bytes
            .get(at + 1)
            .is_some_and(|next| (0x80..=0x9F).contains(next)),
        _ => false,
    };
    bytes.chunks(BLOCK).enumerate().any(|(block, chunk)| {
        let maybe = chunk.iter().fold(false, |maybe, &byte| {
            maybe | (byte < 0x20) | (byte == 0x7F) | (byte == 0xC2)
        });
        maybe
            && chunk
                .iter()
                .enumerate()
                .any(|(i, &byte)| control_at(block * BLOCK + i, byte))
    })
}

/// Whether `text` holds control characters other than tab, newline and carriage return.
pub fn has_control(text: &str) -> bool {
    any_control(text, b"\t\n\r")
}

/// `text` without control characters other than tab and newline.
pub fn without_control(text: String) -> String {
    if !any_control(&text, b"\t\n") {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    push_clean(&mut out, &text);
    out
}

/// Appends `text` to `out` without control characters other than tab and
/// newline (a carriage return is dropped; line structure comes from the caller).
fn push_clean(out: &mut String, text: &str) {
    if any_control(text, b"\t\n") {
        out.extend(
            text.chars()
                .filter(|&c| !c.is_control() || c == '\t' || c == '\n'),
        );
    } else {
        out.push_str(text);
    }
}

/// Accumulates body text line by line, remembering which source line each
/// body line came from.
#[derive(Debug, Default)]
pub struct BodyBuilder {
    body: String,
    anchors: Vec<(usize, u32)>,
}

impl BodyBuilder {
    /// An empty body.
    pub fn new() -> Self {
        BodyBuilder::default()
    }

    /// Whether the next text starts a new line.
    pub fn at_line_start(&self) -> bool {
        self.body.is_empty() || self.body.ends_with('\n')
    }

    /// Appends text that stands on `source_line` (no newlines inside).
    pub fn text(&mut self, text: &str, source_line: u32) {
        if text.is_empty() {
            return;
        }
        if self.at_line_start() {
            self.anchors.push((self.body.len(), source_line));
        }
        push_clean(&mut self.body, text);
    }

    /// Appends a whole source line and ends it.
    pub fn line(&mut self, text: &str, source_line: u32) {
        self.text(text, source_line);
        self.line_break();
    }

    /// Ends the current line.
    pub fn line_break(&mut self) {
        if !self.body.is_empty() {
            self.body.push('\n');
        }
    }

    /// Ends the current block with a blank line, so the next text starts a
    /// new paragraph.
    pub fn block_break(&mut self) {
        if self.body.is_empty() {
            return;
        }
        let trimmed = self.body.trim_end_matches([' ', '\t']).len();
        self.body.truncate(trimmed);
        while !self.body.ends_with("\n\n") {
            self.body.push('\n');
        }
    }

    /// The body, trimmed at the end, and its line map.
    pub fn finish(mut self) -> (String, LineMap) {
        let trimmed = self.body.trim_end().len();
        self.body.truncate(trimmed);
        self.anchors.retain(|&(at, _)| at < trimmed);
        (self.body, LineMap::Anchored(self.anchors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_source_numbers_and_controls_go() {
        let mut b = BodyBuilder::new();
        b.line("Title\u{7}", 1);
        b.line("", 2);
        b.line("Body\r", 5);
        let (body, lines) = b.finish();
        assert_eq!(body, "Title\n\nBody");
        assert_eq!(lines.line_of(&body, 0), Some(1));
        assert_eq!(lines.line_of(&body, 7), Some(5));
    }

    #[test]
    fn control_characters_are_found_as_char_is_control_finds_them() {
        let controls = |text: &str| {
            text.chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        };
        let mut texts: Vec<String> = (0..=0x2FF_u32)
            .filter_map(char::from_u32)
            .map(|c| format!("a{c}é"))
            .collect();
        texts.push(format!("{}\u{85}", "x".repeat(63)));
        texts.push(format!("{}\u{85}", "x".repeat(62)));
        texts.push(format!("{}\u{7}", "\n".repeat(200)));
        texts.extend(
            [
                "",
                "\u{C2}",
                "é\u{85}",
                "Â\u{80}",
                "\u{2028}\u{200B}\u{FEFF}",
            ]
            .map(String::from),
        );
        for text in &texts {
            assert_eq!(has_control(text), controls(text), "{text:?}");
        }
        assert_eq!(
            without_control("a\r\u{7}\tb\u{9F}\nc\u{A0}".into()),
            "a\tb\nc\u{A0}"
        );
    }

    #[test]
    fn boilerplate_is_recognised_whole_lines_only() {
        assert!(is_boilerplate("  Leave a Reply "));
        assert!(is_boilerplate("Back to top button"));
        assert!(!is_boilerplate("Leave a reply to the minister, he said."));
    }
}
