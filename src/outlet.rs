//! Outlets as users type them: an `--outlet` value matches an outlet by the
//! words of its name (`guardian` finds "The Guardian", case and accents
//! ignored) or by the domain of the article's URL (`theguardian.com`); a
//! value that matches nothing gets the names that are close. Also: an
//! outlet written as a URL (as web clippers do) is a URL, not a name.

use crate::analysis;

/// How many close names a message offers.
const MAX_CLOSE: usize = 5;

/// Whether `text` is a web address (`https://…`, `http://…`) rather than a name.
pub fn is_url(text: &str) -> bool {
    let text = text.trim();
    !text.contains(char::is_whitespace) && host(text).is_some_and(|h| h.contains('.'))
}

/// The host of an `http(s)://` URL, as written.
fn host(url: &str) -> Option<&str> {
    let scheme = url.find("://")?;
    if !["http", "https"]
        .iter()
        .any(|s| url[..scheme].eq_ignore_ascii_case(s))
    {
        return None;
    }
    let rest = &url[scheme + 3..];
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit('@').next()?;
    let host = authority.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// The domain of an `http(s)://` URL: its host, lower case, without a
/// leading `www.` (`https://www.TheGuardian.com/x` gives `theguardian.com`).
pub fn domain(url: &str) -> Option<String> {
    let host = host(url.trim())?.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (host.contains('.')).then(|| host.to_owned())
}

/// The words of a name, lower case and without accents.
fn words(text: &str) -> Vec<String> {
    analysis::terms(&mut analysis::unstemmed_analyzer(), text)
}

/// Whether an `--outlet` value names the outlet `name`: the same words
/// (`the guardian`, `The Guardian`), the words standing together in the name
/// (`guardian`, `new york` for "The New York Times"), or the name written
/// as one word (`theguardian`). Case and accents are ignored.
pub fn names_outlet(filter: &str, name: &str) -> bool {
    let wanted = words(filter);
    let have = words(name);
    if wanted.is_empty() || have.is_empty() {
        return false;
    }
    have.windows(wanted.len()).any(|w| w == wanted) || wanted.concat() == have.concat()
}

/// Whether an `--outlet` value names the site `domain` (as [`domain`]
/// gives it): the domain itself or a parent of it (`bbc.co.uk` for
/// `news.bbc.co.uk`), a URL on it, or one word that is a label of the
/// domain (`bbc`) or, from four letters, part of one (`guardian` in
/// `theguardian.com`).
pub fn names_domain(filter: &str, domain_name: &str) -> bool {
    let filter = filter.trim();
    let wanted = match domain(filter) {
        Some(from_url) => from_url,
        None => filter.to_lowercase(),
    };
    let wanted = wanted.strip_prefix("www.").unwrap_or(&wanted);
    if wanted.contains('.') {
        return domain_name == wanted
            || domain_name
                .strip_suffix(wanted)
                .is_some_and(|sub| sub.ends_with('.'));
    }
    let word = words(wanted).concat();
    if word.is_empty() {
        return false;
    }
    let labels: Vec<&str> = domain_name.split('.').collect();
    let names = &labels[..labels.len().saturating_sub(1)];
    names
        .iter()
        .any(|label| *label == word || (word.len() >= 4 && label.contains(word.as_str())))
}

/// The outlets among `names` that are close to a value that matched none:
/// a word of the name within a typo or two of a word of the value, or
/// starting with it; the closest first, at most a few.
pub fn close<'a>(filter: &str, names: &[&'a str]) -> Vec<&'a str> {
    let wanted = words(filter);
    let joined = wanted.concat();
    if joined.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .filter_map(|&name| {
            let have = words(name);
            let mut best = edit_distance(&joined, &have.concat());
            for w in &wanted {
                for h in &have {
                    let d = if w.len() >= 3 && h.starts_with(w.as_str()) {
                        0
                    } else {
                        edit_distance(w, h)
                    };
                    best = best.min(d);
                }
            }
            let allowed = (wanted.iter().map(String::len).max().unwrap_or(0) / 4).max(1);
            (best <= allowed).then_some((best, name))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(MAX_CLOSE)
        .map(|(_, name)| name)
        .collect()
}

/// Edits (insert, delete, substitute, swap neighbours) from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut rows = vec![(0..=b.len()).collect::<Vec<usize>>()];
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (rows[i - 1][j] + 1)
                .min(row[j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(rows[i - 2][j - 2] + 1);
            }
        }
        rows.push(row);
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_their_domains() {
        assert!(is_url("https://www.theguardian.com/world/2025/nov/24/x"));
        assert!(is_url("HTTP://bbc.co.uk"));
        for text in [
            "The Guardian",
            "theguardian.com",
            "ftp://x.org",
            "https://",
            "https://a b.com",
        ] {
            assert!(!is_url(text), "{text}");
        }
        assert_eq!(
            domain("https://www.TheGuardian.com/world?x=1").as_deref(),
            Some("theguardian.com")
        );
        assert_eq!(
            domain("http://user@news.bbc.co.uk:8080/a").as_deref(),
            Some("news.bbc.co.uk")
        );
        assert_eq!(domain("https://localhost/a"), None);
        assert_eq!(domain("not a url"), None);
    }

    #[test]
    fn outlet_names_match_by_words_case_and_accents_ignored() {
        for (filter, name) in [
            ("guardian", "The Guardian"),
            ("The Guardian", "The Guardian"),
            ("GUARDIAN", "The Guardian"),
            ("theguardian", "The Guardian"),
            ("new york", "The New York Times"),
            ("el pais", "El País"),
            ("país", "EL PAIS"),
            ("canary", "The Canary"),
        ] {
            assert!(names_outlet(filter, name), "{filter} ~ {name}");
        }
        for (filter, name) in [
            ("guard", "The Guardian"),
            ("york new", "The New York Times"),
            ("the", "BBC"),
            ("", "BBC"),
        ] {
            assert!(!names_outlet(filter, name), "{filter} !~ {name}");
        }
    }

    #[test]
    fn domains_match_by_name_parent_url_or_label() {
        for (filter, site) in [
            ("theguardian.com", "theguardian.com"),
            ("www.theguardian.com", "theguardian.com"),
            ("https://www.theguardian.com/world", "theguardian.com"),
            ("bbc.co.uk", "news.bbc.co.uk"),
            ("bbc", "news.bbc.co.uk"),
            ("guardian", "theguardian.com"),
            ("The Guardian", "theguardian.com"),
        ] {
            assert!(names_domain(filter, site), "{filter} ~ {site}");
        }
        for (filter, site) in [
            ("guardian.com", "theguardian.com"),
            ("com", "theguardian.com"),
            ("ap", "japantimes.co.jp"),
            ("bbc.com", "bbc.co.uk"),
        ] {
            assert!(!names_domain(filter, site), "{filter} !~ {site}");
        }
    }

    #[test]
    fn close_names_are_offered_for_typos() {
        let names = ["The Guardian", "BBC", "The Canary", "Reuters", "El País"];
        assert_eq!(close("gaurdian", &names), ["The Guardian"]);
        assert_eq!(close("Reuter", &names), ["Reuters"]);
        assert_eq!(close("el pias", &names), ["El País"]);
        assert_eq!(close("bbd", &names), ["BBC"]);
        assert!(close("zzzzzz", &names).is_empty());
        assert_eq!(edit_distance("abc", "acb"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
