//! Text encodings: a file's bytes become text by its byte-order mark, as
//! UTF-8 when they are UTF-8, else by the charset the file declares (an
//! HTML `<meta charset>` or an XML declaration) or, without one, by
//! detection (`chardetng`). Replacement characters only when nothing decodes.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

/// How much of the start of a file is searched for a declared charset (the
/// HTML standard's pre-scan looks at 1024 bytes; saved pages put scripts
/// and styles first, so a little more is read).
const DECLARATION_BYTES: usize = 4096;

/// A file's text and, when it was not plain UTF-8, a warning that says how
/// it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte-order mark.
    pub text: String,
    /// What was done, for a warning naming the file; `None` for UTF-8.
    pub note: Option<String>,
}

/// Whether the start of a file holds NUL bytes that mark it as binary (a
/// UTF-16 text, which has them, is recognised by its byte-order mark).
pub fn looks_binary(head: &[u8]) -> bool {
    let utf16 = matches!(Encoding::for_bom(head), Some((e, _)) if e != UTF_8);
    !utf16 && head.iter().take(8192).any(|&b| b == 0)
}

/// Decodes a file's bytes. `markup` says the file may declare its charset
/// (HTML and XML do; plain text and Markdown cannot).
pub fn decode(bytes: &[u8], markup: bool) -> Decoded {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom..];
        if encoding == UTF_8 {
            return decode_unlabelled(body);
        }
        let (text, errors) = encoding.decode_without_bom_handling(body);
        let how = if errors {
            "decoded with replacement characters"
        } else {
            "decoded"
        };
        return Decoded {
            text: text.into_owned(),
            note: Some(format!("{} text (byte-order mark); {how}", encoding.name())),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            note: None,
        };
    }
    let declared = if markup { declared(bytes) } else { None };
    match declared {
        Some((label, encoding)) if encoding != UTF_8 => {
            if let Some(text) = strict(encoding, bytes) {
                return Decoded {
                    text: text.into_owned(),
                    note: Some(format!(
                        "not UTF-8; decoded as {} (declared as '{label}')",
                        encoding.name()
                    )),
                };
            }
            let mut decoded = decode_unlabelled(bytes);
            decoded.note = decoded.note.map(|note| {
                format!(
                    "not {label} as declared: {}",
                    note.strip_prefix("not UTF-8; ").unwrap_or(&note)
                )
            });
            decoded
        }
        _ => decode_unlabelled(bytes),
    }
}

/// Decodes bytes that declare no charset: UTF-8 when they are, or when they
/// are mostly UTF-8 with a few bad bytes (replaced); else the encoding
/// `chardetng` detects.
fn decode_unlabelled(bytes: &[u8]) -> Decoded {
    let lossy = |note: &str| Decoded {
        text: String::from_utf8_lossy(bytes).into_owned(),
        note: Some(note.to_owned()),
    };
    let utf8 = match std::str::from_utf8(bytes) {
        Ok(text) => {
            return Decoded {
                text: text.to_owned(),
                note: None,
            }
        }
        Err(_) => Utf8Census::of(bytes),
    };
    if utf8.valid_multibyte > utf8.invalid {
        return lossy("invalid UTF-8; decoded with replacement characters");
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // Where Windows-1252 reads the bytes the same way (English or Spanish
    // text with `á`, `é`), the guess is named as the commoner encoding; where
    // it reads them with fewer stray letters (`£71m` rather than `Ł71m`),
    // it is taken instead.
    let encoding = match (strict(guess, bytes), strict(WINDOWS_1252, bytes)) {
        (Some(guessed), Some(western))
            if guess != WINDOWS_1252
                && (guessed == western || stray_letters(&western) < stray_letters(&guessed)) =>
        {
            WINDOWS_1252
        }
        _ => guess,
    };
    match strict(encoding, bytes) {
        Some(text) => Decoded {
            text: text.into_owned(),
            note: Some(format!(
                "not UTF-8; decoded as {} (detected)",
                encoding.name()
            )),
        },
        None => {
            lossy("invalid UTF-8, and no encoding decodes it; decoded with replacement characters")
        }
    }
}

/// Letters outside ASCII with no letter on either side (`Ł` in `Ł71m`): a
/// sign of bytes read in the wrong encoding.
fn stray_letters(text: &str) -> usize {
    let mut count = 0;
    let mut chars = text.chars().peekable();
    let mut before_is_letter = false;
    while let Some(c) = chars.next() {
        let after_is_letter = chars.peek().is_some_and(|n| n.is_alphabetic());
        if !c.is_ascii() && c.is_alphabetic() && !before_is_letter && !after_is_letter {
            count += 1;
        }
        before_is_letter = c.is_alphabetic();
    }
    count
}

/// `bytes` in `encoding`, or `None` when they are malformed in it.
fn strict<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
    encoding.decode_without_bom_handling_and_without_replacement(bytes)
}

/// Counts of well-formed multi-byte UTF-8 sequences and of bytes that are
/// not part of any well-formed sequence.
#[derive(Debug, Default, PartialEq, Eq)]
struct Utf8Census {
    valid_multibyte: usize,
    invalid: usize,
}

impl Utf8Census {
    fn of(mut bytes: &[u8]) -> Utf8Census {
        let mut census = Utf8Census::default();
        loop {
            let (valid, rest) = match std::str::from_utf8(bytes) {
                Ok(text) => (text, &[][..]),
                Err(e) => {
                    let (valid, after) = bytes.split_at(e.valid_up_to());
                    let bad = e.error_len().unwrap_or(after.len());
                    census.invalid += bad;
                    (
                        std::str::from_utf8(valid).unwrap_or_default(),
                        &after[bad..],
                    )
                }
            };
            census.valid_multibyte += valid.chars().filter(|c| !c.is_ascii()).count();
            if rest.is_empty() {
                return census;
            }
            bytes = rest;
        }
    }
}

/// The charset a page declares near its start: an XML declaration's
/// `encoding`, or a `<meta charset>` / `<meta http-equiv="Content-Type"
/// content="…; charset=…">`. Returns the label as written and its encoding
/// (an unknown label is no declaration; UTF-16 in a byte-oriented page
/// means UTF-8, as browsers take it).
fn declared(bytes: &[u8]) -> Option<(String, &'static Encoding)> {
    let head = &bytes[..bytes.len().min(DECLARATION_BYTES)];
    let head: String = head
        .iter()
        .map(|&b| char::from(b.to_ascii_lowercase()))
        .collect();
    let xml = head
        .trim_start()
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split("?>").next())
        .and_then(|decl| attribute(decl, "encoding"));
    let meta = || {
        head.split("<meta")
            .skip(1)
            .filter_map(|tag| tag.split('>').next())
            .find_map(|tag| attribute(tag, "charset"))
    };
    let label = xml.or_else(meta)?;
    let encoding = Encoding::for_label(label.as_bytes())?;
    let encoding = if encoding == UTF_16LE || encoding == UTF_16BE {
        UTF_8
    } else {
        encoding
    };
    Some((label, encoding))
}

/// The value after `name` `=` in a tag or declaration, unquoted (`charset`
/// also inside a `content` value: `text/html; charset=iso-8859-1`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start().trim_start_matches(['"', '\'']);
        let label: String = value
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "-_.:".contains(*c))
            .collect();
        if !label.is_empty() {
            return Some(label);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Spanish sentence in Windows-1252.
    const CP1252: &[u8] = b"El se\xF1or Nicol\xE1s Maduro, presidente de Venezuela, dijo que la designaci\xF3n es \x93una mentira\x94.";
    /// [`CP1252`] as it reads.
    const SPANISH: &str = "El señor Nicolás Maduro, presidente de Venezuela, dijo que la designación es “una mentira”.";

    #[test]
    fn utf8_stays_as_it_is_and_loses_its_bom() {
        let plain = decode("Nicolás".as_bytes(), false);
        assert_eq!(plain.text, "Nicolás");
        assert_eq!(plain.note, None);
        let bom = decode(b"\xEF\xBB\xBFNicol\xC3\xA1s", false);
        assert_eq!(bom.text, "Nicolás");
        assert_eq!(bom.note, None);
    }

    #[test]
    fn windows_1252_is_detected_and_named() {
        let d = decode(CP1252, false);
        assert_eq!(d.text, SPANISH);
        assert_eq!(
            d.note.as_deref(),
            Some("not UTF-8; decoded as windows-1252 (detected)")
        );
        // English with one accented name: Central European encodings read
        // it the same way, and it is named as the commoner one.
        let reuters = b"CARACAS, Nov 28 (Reuters) - Venezuelan President Nicol\xE1s Maduro said on Friday the designation was a lie.";
        let d = decode(reuters, false);
        assert!(d.text.contains("Nicolás Maduro"));
        assert_eq!(
            d.note.as_deref(),
            Some("not UTF-8; decoded as windows-1252 (detected)")
        );
        // Polish in Windows-1250 stays Windows-1250.
        let polish = b"\xA3\xF3d\x9F i Krak\xF3w to miasta w Polsce, gdzie \xBFyje wiele os\xF3b.";
        let d = decode(polish, false);
        assert_eq!(
            d.text,
            "Łódź i Kraków to miasta w Polsce, gdzie żyje wiele osób."
        );
        assert_eq!(
            d.note.as_deref(),
            Some("not UTF-8; decoded as windows-1250 (detected)")
        );
        // A pound sign is not a stray capital letter.
        let pounds =
            b"Chelsea have this morning paid the \xA371.6million fee to the Spanish league.";
        let d = decode(pounds, false);
        assert!(d.text.contains("the £71.6million fee"), "{}", d.text);
        assert_eq!(
            d.note.as_deref(),
            Some("not UTF-8; decoded as windows-1252 (detected)")
        );
    }

    #[test]
    fn a_declared_charset_is_used_first() {
        let page = [
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\"></head><p>".as_slice(),
            b"\xA3\xF3d\xBC</p>",
        ]
        .concat();
        let d = decode(&page, true);
        assert!(d.text.ends_with("<p>Łódź</p>"), "{}", d.text);
        assert_eq!(
            d.note.as_deref(),
            Some("not UTF-8; decoded as ISO-8859-2 (declared as 'iso-8859-2')")
        );
        let meta = [b"<meta charset='latin1'>".as_slice(), CP1252].concat();
        assert!(decode(&meta, true)
            .note
            .unwrap()
            .contains("windows-1252 (declared as 'latin1')"));
        let xml = [
            b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<p>".as_slice(),
            CP1252,
        ]
        .concat();
        assert!(decode(&xml, true).text.contains("Nicolás"));
        // Plain text cannot declare: the same bytes are detected.
        assert!(decode(&meta, false).note.unwrap().ends_with("(detected)"));
    }

    #[test]
    fn a_declaration_that_does_not_fit_falls_back_to_detection() {
        let page = [
            b"<meta charset=\"shift_jis\">".as_slice(),
            b"caf\xE9 \x80\xFF",
        ]
        .concat();
        let d = decode(&page, true);
        assert!(
            d.note
                .as_deref()
                .unwrap()
                .starts_with("not shift_jis as declared: decoded as"),
            "{:?}",
            d.note
        );
        assert!(!d.text.contains('\u{FFFD}'));
    }

    #[test]
    fn mostly_utf8_keeps_utf8_with_replacements() {
        let d = decode("Nicolás, señor, café \u{2014} ".as_bytes(), false);
        assert_eq!(d.note, None);
        let mixed = ["Nicolás, señor, café ".as_bytes(), b"\xFF"].concat();
        let d = decode(&mixed, false);
        assert_eq!(d.text, "Nicolás, señor, café \u{FFFD}");
        assert_eq!(
            d.note.as_deref(),
            Some("invalid UTF-8; decoded with replacement characters")
        );
    }

    #[test]
    fn utf16_with_a_bom_is_text_not_binary() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Łódź".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert!(!looks_binary(&bytes));
        let d = decode(&bytes, false);
        assert_eq!(d.text, "Łódź");
        assert_eq!(
            d.note.as_deref(),
            Some("UTF-16LE text (byte-order mark); decoded")
        );
        assert!(looks_binary(b"ab\0cd"));
    }

    #[test]
    fn never_panics_on_odd_bytes() {
        let mut below = crate::testing::below();
        for _ in 0..2000 {
            let bytes: Vec<u8> = (0..below(64)).map(|_| below(256) as u8).collect();
            let _ = decode(&bytes, true);
            let _ = decode(&bytes, false);
        }
        for odd in [
            &b"<meta charset="[..],
            b"<?xml encoding=",
            b"<meta charset=\"\">\xFF",
            b"\xFE\xFF\x00",
        ] {
            let _ = decode(odd, true);
        }
    }
}
