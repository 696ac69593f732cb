//! Web archives (`.warc`, `.warc.gz`), read with the `warc` crate: every
//! HTML page the archive captured (a `response` record with a successful
//! HTTP status, or a `resource` record) is read as a saved page is, with
//! its URL and capture date kept. Other records (requests, metadata,
//! images, scripts, redirects, revisits) are not pages and are passed over.
//!
//! The capture date is when the page was archived, not when it was
//! published: it is kept as the article's `captured` note, and the article
//! is dated only by what the page says of itself.
//!
//! Streamed record by record: memory holds one page at a time.

use std::collections::HashSet;
use std::io::{BufReader, Read};
use std::path::Path;

use chrono::SecondsFormat;
use warc::{RecordType, WarcHeader, WarcReader};

use super::{SkipReason, Warning, MAX_FILE_BYTES};
use crate::article::{Article, LineMap, Metadata, Notes, Origin, Sourced};
use crate::duplicates::id_key;

/// Whether a file name is a web archive's.
pub fn is_warc(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with(".warc") || name.ends_with(".warc.gz")
}

/// Streams the pages of a web archive to `emit`.
pub fn load(
    path: &Path,
    source: &str,
    external: &Metadata,
    emit: &mut dyn FnMut(Article),
) -> Result<Vec<Warning>, SkipReason> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let file = super::Counted(file);
    let gzip = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let reader: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut archive = WarcReader::new(BufReader::with_capacity(1 << 20, reader));
    let mut records = archive.stream_records();
    let mut warnings = Vec::new();
    let mut seen = HashSet::new();
    let (mut n, mut pages, mut emitted) = (0usize, 0usize, 0usize);
    while let Some(item) = records.next_item() {
        n += 1;
        let mut record = match item {
            Ok(record) => record,
            Err(e) if n == 1 => return Err(format!("not a readable web archive ({e})")),
            Err(e) => {
                let message =
                    format!("record {n}: cannot read ({e}); the rest of the file is skipped");
                warnings.push(Warning::new(source, message));
                break;
            }
        };
        let kind = record.warc_type().clone();
        if !matches!(kind, RecordType::Response | RecordType::Resource) {
            continue;
        }
        let header = |name: WarcHeader| record.header(name).map(|v| v.trim().to_owned());
        let uri = header(WarcHeader::TargetURI)
            .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_owned())
            .unwrap_or_default();
        let content_type = header(WarcHeader::ContentType)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let payload_type = header(WarcHeader::IdentifiedPayloadType);
        let captured = record.date().to_rfc3339_opts(SecondsFormat::Secs, true);
        let is_http = content_type.starts_with("application/http");
        if kind == RecordType::Response && !is_http {
            continue; // DNS answers and the like
        }
        let at = format!("record {n} ({uri})");
        if record.content_length() > MAX_FILE_BYTES {
            if !is_http && !is_html_type(&content_type) {
                continue;
            }
            let message = format!(
                "{at}: larger than {} MB; skipped",
                MAX_FILE_BYTES / (1024 * 1024)
            );
            warnings.push(Warning::new(source, message));
            continue;
        }
        let mut block = Vec::new();
        if let Err(e) = (&mut record).take(MAX_FILE_BYTES).read_to_end(&mut block) {
            let message = format!("{at}: cannot read ({e}); the rest of the file is skipped");
            warnings.push(Warning::new(source, message));
            break;
        }
        let page = if is_http {
            match http_page(&block, payload_type.as_deref()) {
                Ok(Some(page)) => page,
                Ok(None) => continue,
                Err(reason) => {
                    warnings.push(Warning::new(source, format!("{at}: {reason}; skipped")));
                    continue;
                }
            }
        } else if is_html_type(&content_type) || looks_like_html_page(&block) {
            block
        } else {
            continue;
        };
        pages += 1;
        let super::encoding::Decoded { text, note } = super::encoding::decode(&page, true);
        if let Some(note) = note {
            warnings.push(Warning::new(source, format!("{at}: {note}")));
        }
        let mut page_warnings = Vec::new();
        let parsed = super::parse_html(&text, source, &mut page_warnings);
        warnings.extend(
            page_warnings
                .into_iter()
                .map(|w| Warning::new(source, format!("{at}: {}", w.message))),
        );
        let (own, text) = match parsed {
            Ok((own, text, _)) => (own, text),
            Err(reason) => {
                warnings.push(Warning::new(source, format!("{at}: {reason}; skipped")));
                continue;
            }
        };
        if text.trim().is_empty() {
            warnings.push(Warning::new(
                source,
                format!("{at}: no article text; skipped"),
            ));
            continue;
        }
        // One capture of a URL is one article: the same page captured again
        // (here or in another archive) is another.
        let id = if uri.is_empty() {
            format!("{source}:{n}")
        } else {
            format!("{uri}@{captured}")
        };
        if !seen.insert(id_key(&id)) {
            let message = format!("{at}: the same capture again (id '{id}'); skipped");
            warnings.push(Warning::new(source, message));
            continue;
        }
        let mut own = own;
        if own.url.is_none() && !uri.is_empty() {
            own.url = Some(Sourced::new(uri.clone(), Origin::WebArchive));
        }
        emitted += 1;
        emit(Article {
            id,
            source: source.to_owned(),
            meta: external.clone().or(own).resolved(),
            body: text,
            lines: LineMap::Unknown,
            notes: Notes {
                captured: Some(captured),
                ..Notes::default()
            },
        });
    }
    if emitted == 0 {
        return Err(if pages == 0 {
            format!("no HTML pages among its {n} records")
        } else {
            format!("no readable pages ({pages} HTML pages, none with article text)")
        });
    }
    Ok(warnings)
}

/// Whether a MIME type is HTML's.
fn is_html_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("text/html")
        || essence.eq_ignore_ascii_case("application/xhtml+xml")
}

/// Whether bytes start like an HTML document.
fn looks_like_html_page(bytes: &[u8]) -> bool {
    let head: Vec<u8> = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(u8::to_ascii_lowercase)
        .collect();
    head.starts_with(b"<!doctype html") || head.starts_with(b"<html")
}

/// The HTML payload of an archived HTTP response: `None` when it is not a
/// successful HTML response (a redirect, an error page, an image), or why
/// it cannot be read.
fn http_page(block: &[u8], payload_type: Option<&str>) -> Result<Option<Vec<u8>>, String> {
    let (head_len, sep) = match memchr::memmem::find(block, b"\r\n\r\n") {
        Some(at) => (at, 4),
        None => match memchr::memmem::find(block, b"\n\n") {
            Some(at) => (at, 2),
            None => return Err("an HTTP response without a header end".into()),
        },
    };
    let head = String::from_utf8_lossy(&block[..head_len]);
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or("an HTTP response without a status line")?;
    if !(200..300).contains(&status) {
        return Ok(None);
    }
    let mut content_type = None;
    let (mut chunked, mut encoding) = (false, None);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_ascii_lowercase();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => content_type = Some(value),
            "transfer-encoding" => chunked = value.contains("chunked"),
            "content-encoding" if value != "identity" => encoding = Some(value),
            _ => {}
        }
    }
    let mut payload = block[head_len + sep..].to_vec();
    if chunked {
        if let Some(joined) = dechunk(&payload) {
            payload = joined;
        }
    }
    if let Some(encoding) = encoding {
        payload = decompress(&payload, &encoding)?;
    }
    let html = match content_type.as_deref().or(payload_type) {
        Some(t) => is_html_type(t),
        None => looks_like_html_page(&payload),
    };
    Ok(html.then_some(payload))
}

/// A body sent in chunks, joined; `None` when it is not well-formed.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let end = memchr::memchr(b'\n', data)?;
        let size_text = std::str::from_utf8(&data[..end]).ok()?;
        let size_text = size_text.split(';').next()?.trim();
        let size = usize::from_str_radix(size_text, 16).ok()?;
        data = &data[end + 1..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = &data[size..];
        data = data.strip_prefix(b"\r\n").or(data.strip_prefix(b"\n"))?;
    }
}

/// A body compressed with `encoding` (gzip or deflate), decompressed.
fn decompress(data: &[u8], encoding: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let limit = MAX_FILE_BYTES;
    let read = match encoding {
        "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(data)
            .take(limit)
            .read_to_end(&mut out),
        "deflate" => {
            let zlib = flate2::read::ZlibDecoder::new(data)
                .take(limit)
                .read_to_end(&mut out);
            if zlib.is_err() {
                out.clear();
                flate2::read::DeflateDecoder::new(data)
                    .take(limit)
                    .read_to_end(&mut out)
            } else {
                zlib
            }
        }
        other => {
            return Err(format!(
                "the page is compressed with '{other}', which newsdex does not read"
            ))
        }
    };
    read.map_err(|e| format!("the page's {encoding} compression is damaged ({e})"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_responses_give_their_html_payload() {
        let ok = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<p>hi\r\n4\r\n</p>\r\n0\r\n\r\n";
        assert_eq!(http_page(ok, None).unwrap().unwrap(), b"<p>hi</p>");
        let redirect =
            b"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Type: text/html\r\n\r\nmoved";
        assert_eq!(http_page(redirect, None).unwrap(), None);
        let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
        assert_eq!(http_page(image, None).unwrap(), None);
        let br = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n\r\nxx";
        assert!(http_page(br, None).unwrap_err().contains("'br'"));
    }

    #[test]
    fn gzip_pages_are_decompressed() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"<html><p>zipped</p></html>").unwrap();
        let mut block =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        block.extend(gz.finish().unwrap());
        assert_eq!(
            http_page(&block, None).unwrap().unwrap(),
            b"<html><p>zipped</p></html>"
        );
    }
}
