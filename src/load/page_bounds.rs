//! Work bounds for one saved web page, checked before any HTML parser sees it.
//!
//! A hostile or broken page (100,000 unclosed `<b>`, tens of thousands of nested
//! `<div>`s or tables, hundreds of thousands of elements) can keep a tree builder and
//! the extractors after it busy for minutes. One linear pass over the raw markup counts
//! the elements and follows how deep they nest, as a browser would build them closely
//! enough for a bound: void elements and self-closed tags do not nest, elements whose
//! end tag is optional (`<p>`, `<li>`, `<td>`, …) are counted but not nested, an end
//! tag closes the nearest open element of its name, and the text of `<script>`,
//! `<style>`, comments and the like is passed over. A page past either limit is
//! skipped with the reason; real news pages stay far below both.

/// The deepest element nesting accepted (real pages: under 100).
pub const MAX_DEPTH: usize = 512;

/// The most elements accepted in one page (real news pages: a few hundred to a few
/// thousand; the extractors' work grows faster than the page past this).
pub const MAX_ELEMENTS: usize = 50_000;

/// Elements that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr", "frame", "basefont", "bgsound", "image", "isindex",
];

/// Elements whose end tag may be left out; they do not nest in this count.
const OPTIONAL_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Elements whose content is text up to their own end tag, never markup.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// Checks that a page is within the work bounds and returns how many elements it has
/// (outside raw text); the error says which limit it passes.
pub fn check(html: &str) -> Result<usize, String> {
    let bytes = html.as_bytes();
    let mut open: Vec<&[u8]> = Vec::new();
    let mut elements = 0usize;
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &bytes[at..]) {
        at += lt + 1;
        let rest = &bytes[at..];
        if rest.starts_with(b"!--") {
            at += find(&rest[3..], b"-->").map_or(rest.len(), |end| end + 6);
            continue;
        }
        if matches!(rest.first(), Some(b'!' | b'?')) {
            at += memchr::memchr(b'>', rest).map_or(rest.len(), |end| end + 1);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = usize::from(closing);
        let name_len = rest[name_start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'_'))
            .count();
        if name_len == 0 || !rest[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = &rest[name_start..name_start + name_len];
        let tag_end = end_of_tag(rest);
        at += tag_end;
        if closing {
            if let Some(i) = open.iter().rposition(|o| o.eq_ignore_ascii_case(name)) {
                open.truncate(i);
            }
            continue;
        }
        elements += 1;
        if elements > MAX_ELEMENTS {
            return Err(format!(
                "page has more than {MAX_ELEMENTS} HTML elements (too large or malformed to read safely)"
            ));
        }
        let is = |list: &[&str]| list.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(name));
        let self_closed = tag_end >= 2 && rest[tag_end - 2] == b'/';
        if is(RAW_TEXT) && !self_closed {
            at += raw_text_end(&bytes[at..], name);
            continue;
        }
        if self_closed || is(VOID) || is(OPTIONAL_END) {
            continue;
        }
        open.push(name);
        if open.len() > MAX_DEPTH {
            return Err(format!(
                "HTML elements nest more than {MAX_DEPTH} deep (unclosed or runaway tags)"
            ));
        }
    }
    Ok(elements)
}

/// Where `needle` starts in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// The length of a tag from just after its `<` to just after its `>`, skipping
/// quoted attribute values; the rest of the input when it never closes.
fn end_of_tag(rest: &[u8]) -> usize {
    let mut quote = None;
    for (i, &b) in rest.iter().enumerate() {
        match (quote, b) {
            (None, b'>') => return i + 1,
            (None, b'"' | b'\'') if i > 0 && matches!(rest[i - 1], b'=' | b' ') => {
                quote = Some(b);
            }
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
    }
    rest.len()
}

/// The length of raw text up to and including `</name>`; the rest when it never ends.
fn raw_text_end(rest: &[u8], name: &[u8]) -> usize {
    let mut at = 0;
    while let Some(i) = find(&rest[at..], b"</") {
        at += i + 2;
        let after = &rest[at..];
        if after.len() >= name.len() && after[..name.len()].eq_ignore_ascii_case(name) {
            return at + end_of_tag(after);
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markup_passes() {
        let page = "<!DOCTYPE html><html><head><title>a < b</title><script>if (a<b) { x('<div>') }</script>\
                    <!-- <div><div> --></head><body><p>one<p>two<ul><li>a<li>b</ul>\
                    <img src=x><br/><div class=\"a>b\"><table><tr><td>x<td>y</table></div></body></html>";
        assert_eq!(check(page), Ok(17));
        let mixed_case = format!(
            "{}</body>",
            "<DIV><Span>x</span></div>".repeat(MAX_DEPTH * 2)
        );
        assert_eq!(check(&mixed_case), Ok(MAX_DEPTH * 4));
    }

    #[test]
    fn runaway_nesting_and_element_floods_are_refused() {
        for page in [
            "<b>x".repeat(MAX_DEPTH + 1),
            "<a href=/x>link ".repeat(MAX_DEPTH + 1),
            "<div>".repeat(20_000),
            "<table><tr><td>".repeat(5_000),
        ] {
            assert!(
                check(&page).unwrap_err().contains("nest"),
                "{}",
                &page[..20]
            );
        }
        let flood = "<p>unclosed paragraph ".repeat(MAX_ELEMENTS + 1);
        assert!(check(&flood).unwrap_err().contains("elements"));
    }

    #[test]
    fn unterminated_constructs_do_not_hang_or_panic() {
        for page in [
            "<",
            "<!--",
            "<script>",
            "<div class=\"x",
            "</",
            "<a",
            "<?xml",
            "<1>",
        ] {
            assert!(check(page).is_ok(), "{page}");
        }
    }
}
