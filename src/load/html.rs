//! Saved news web pages: metadata, and the main text as paragraphs.
//!
//! A page is first checked against the work bounds ([`super::page_bounds`]). Its metadata
//! comes from one iterative pass over the `scraper` (html5ever) tree: `<meta>`, `<title>`,
//! canonical link, JSON-LD. Its main text comes from two extractors that must agree
//! ([`super::main_text`]); when they find none, the page's readable text is taken instead
//! (everything outside navigation, headers, footers, forms, scripts and boxes marked as
//! boilerplate) and the article says so. Prompts (consent, paywall, newsletter, links to
//! other stories) are dropped from either ([`super::walls`]). All tree walks here are
//! iterative, so deeply nested markup cannot overflow the stack.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use scraper::node::Element;
use scraper::{ElementRef, Html, Node};
use serde_json::{Map, Value};

use super::{main_text, page_bounds, walls};

/// What a saved article page yields: metadata as found (raw strings, not parsed) and the main
/// text as paragraphs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HtmlArticle {
    /// `og:title`, else `<title>` without a trailing " - Site" (also `|`, `–`, `—`) when
    /// "Site" is the site name, else the article's first `<h1>`, else JSON-LD `headline`.
    pub title: Option<String>,
    /// `og:site_name`, else the JSON-LD article's publisher name.
    pub site_name: Option<String>,
    /// `article:published_time`, else the first `<time datetime>` in the article, else
    /// JSON-LD `datePublished`; the raw string, e.g. "2025-11-17T02:08:21-05:00".
    pub published: Option<String>,
    /// `<meta name="author">`, else `article:author` unless it is a URL, else the JSON-LD
    /// author name(s), joined with ", ".
    pub author: Option<String>,
    /// `<link rel="canonical">`, else `og:url`, else JSON-LD `url` / `mainEntityOfPage`.
    pub url: Option<String>,
    /// `<html lang>`.
    pub language: Option<String>,
    /// The article's main text, one entry per block, whitespace collapsed, in page order.
    pub paragraphs: Vec<String>,
    /// Whether no main text was found and `paragraphs` is the page's readable text instead.
    pub readable_fallback: bool,
}
/// Main text shorter than this is checked against the page's readable text: when the page
/// has none (only menus, links and furniture), neither has the article.
const SHORT_TEXT_WORDS: usize = 25;

/// Tags whose whole subtree is never article text.
const DROP_TAGS: &[&str] = &[
    "head",
    "nav",
    "aside",
    "footer",
    "header",
    "form",
    "script",
    "style",
    "noscript",
    "iframe",
    "button",
    "svg",
    "figcaption",
    "template",
    "select",
    "textarea",
    "object",
    "embed",
];

/// Class or id fragments (lowercase) that mark boilerplate boxes; "ad-" is matched separately.
const DROP_MARKERS: &[&str] = &[
    "cookie",
    "consent",
    "banner",
    "newsletter",
    "subscribe",
    "share",
    "social",
    "related",
    "recommend",
    "promo",
    "advert",
    "comments",
    "breadcrumb",
    "popup",
    "modal",
];

/// Elements whose text becomes one paragraph.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "div",
    "td",
    "th",
    "dd",
    "dt",
];

/// Phrasing elements; any other element inside a block separates words.
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
    "wbr",
];

/// Whole-block texts (lowercase, trailing punctuation removed) that are page furniture.
const BOILERPLATE: &[&str] = &[
    "advertisement",
    "story continues below advertisement",
    "back to top",
    "back to top button",
    "leave a reply",
    "leave a comment",
    "related",
    "related articles",
    "related stories",
    "read more",
    "most popular",
    "share this",
    "share this article",
];

/// Extracts an article from a saved web page; the error says why the page has no article
/// text to index (past the work bounds, or only a consent wall or paywall). Never panics.
pub fn extract(html: &str) -> Result<HtmlArticle, String> {
    let elements = page_bounds::check(html)?;
    let doc = Html::parse_document(html);
    let scan = Scan::new(&doc);
    let ld = LdArticle::find(&scan.json_ld);
    let container = scan.container().and_then(|id| doc.tree.get(id));
    let mut paragraphs = main_text::paragraphs(html, elements);
    paragraphs.retain(|p| !is_furniture(p));
    let words: usize = paragraphs
        .iter()
        .map(|p| p.split_whitespace().count())
        .sum();
    let root = doc.tree.root();
    let readable = (words < SHORT_TEXT_WORDS).then(|| readable_text(root, true));
    if let Some(readable) = &readable {
        // A few words the extractors took from menus or links, or from a page that is not
        // an article (a table, a notice): the page's readable text says more, or nothing.
        let readable_words: usize = readable.iter().map(|p| p.split_whitespace().count()).sum();
        if readable.is_empty() || readable_words > words {
            paragraphs.clear();
        }
    }
    let readable_fallback = paragraphs.is_empty();
    if readable_fallback {
        paragraphs = readable.unwrap_or_default();
    }
    let mut paragraphs = walls::without_prompts(paragraphs)?;
    if paragraphs.is_empty() {
        // All the page shows sits in boxes marked as boilerplate: a consent wall or a paywall
        // is skipped as such; any other text is taken rather than losing the page.
        paragraphs = walls::without_prompts(readable_text(root, false))?;
    }
    let in_container = |tag: &str| {
        container?
            .descendants()
            .filter_map(ElementRef::wrap)
            .filter(|el| el.value().name() == tag)
            .find_map(|el| match tag {
                "time" => clean(el.attr("datetime").unwrap_or_default()),
                _ => clean(&el.text().collect::<String>()),
            })
    };

    let site_name = scan.meta("og:site_name").or(ld.publisher);
    let title = scan
        .meta("og:title")
        .or_else(|| Some(strip_site(scan.title.clone()?, site_name.as_deref())))
        .or_else(|| in_container("h1"))
        .or(ld.headline);
    let author = scan
        .meta("author")
        .or_else(|| {
            scan.meta("article:author").filter(|a| {
                !["http://", "https://", "//"]
                    .iter()
                    .any(|p| a.starts_with(p))
            })
        })
        .or(ld.author);
    Ok(HtmlArticle {
        title,
        published: scan
            .meta("article:published_time")
            .or_else(|| in_container("time"))
            .or(ld.published),
        author,
        url: scan
            .canonical
            .clone()
            .or_else(|| scan.meta("og:url"))
            .or(ld.url),
        language: doc.root_element().attr("lang").and_then(clean),
        site_name,
        paragraphs,
        readable_fallback,
    })
}

/// What one pass over the whole document collects.
#[derive(Default)]
struct Scan {
    /// `<meta>` content by lowercased `property` / `name`; the first non-empty one wins.
    meta: HashMap<String, String>,
    /// The first HTML `<title>`.
    title: Option<String>,
    /// The first `<link rel="canonical">` href.
    canonical: Option<String>,
    /// Every JSON-LD script body that parses.
    json_ld: Vec<Value>,
    /// Non-dropped `<article>` elements in document order, with their `<p>` text length.
    articles: Vec<(NodeId, usize)>,
    /// The first non-dropped `[itemprop=articleBody]`, `<main>` and `[role=main]`.
    landmarks: [Option<NodeId>; 3],
    /// While walking: the dropped element whose subtree is being skipped.
    skip: Option<NodeId>,
    /// While walking: indexes into `articles` of the open `<article>` elements.
    open_articles: Vec<usize>,
    /// While walking: text lengths of the open `<p>` elements.
    open_ps: Vec<usize>,
}

impl Scan {
    /// Walks the document once; metadata comes from everywhere, container data only from
    /// outside dropped subtrees.
    fn new(doc: &Html) -> Self {
        let mut scan = Scan::default();
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => scan.open(node),
                Edge::Close(node) if scan.skip == Some(node.id()) => scan.skip = None,
                Edge::Close(node) if scan.skip.is_none() => scan.close(node),
                Edge::Close(_) => {}
            }
        }
        scan
    }

    /// Handles the start of a node.
    fn open(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(text) if self.skip.is_none() => {
                if let Some(len) = self.open_ps.last_mut() {
                    *len += text.chars().filter(|c| !c.is_whitespace()).count();
                }
            }
            Node::Element(el) => {
                self.collect_metadata(node, el);
                if self.skip.is_some() || is_dropped(el) {
                    self.skip = self.skip.or(Some(node.id()));
                    return;
                }
                match el.name() {
                    "article" => {
                        self.open_articles.push(self.articles.len());
                        self.articles.push((node.id(), 0));
                    }
                    "p" => self.open_ps.push(0),
                    _ => {}
                }
                let has = |attr, value: &str| {
                    el.attr(attr).is_some_and(|v| {
                        v.split_whitespace().any(|t| t.eq_ignore_ascii_case(value))
                    })
                };
                let hits = [
                    has("itemprop", "articleBody"),
                    el.name() == "main",
                    has("role", "main"),
                ];
                for (slot, hit) in self.landmarks.iter_mut().zip(hits) {
                    if hit && slot.is_none() {
                        *slot = Some(node.id());
                    }
                }
            }
            _ => {}
        }
    }

    /// Handles the end of a node outside dropped subtrees.
    fn close(&mut self, node: NodeRef<'_, Node>) {
        match node.value().as_element().map(Element::name) {
            Some("article") => {
                let done = self.open_articles.pop();
                if let (Some(done), Some(&outer)) = (done, self.open_articles.last()) {
                    self.articles[outer].1 += self.articles[done].1;
                }
            }
            Some("p") => {
                let len = self.open_ps.pop().unwrap_or_default();
                if let Some(&article) = self.open_articles.last() {
                    self.articles[article].1 += len;
                }
            }
            _ => {}
        }
    }

    /// Records `<meta>`, `<title>`, canonical `<link>` and JSON-LD `<script>` data.
    fn collect_metadata(&mut self, node: NodeRef<'_, Node>, el: &Element) {
        let text = || ElementRef::wrap(node).map(|e| e.text().collect::<String>());
        match el.name() {
            "meta" => {
                let Some(content) = el.attr("content").and_then(clean) else {
                    return;
                };
                for key in [el.attr("property"), el.attr("name")].into_iter().flatten() {
                    let key = key.trim().to_ascii_lowercase();
                    self.meta.entry(key).or_insert_with(|| content.clone());
                }
            }
            "title" if self.title.is_none() && &*el.name.ns == "http://www.w3.org/1999/xhtml" => {
                self.title = text().as_deref().and_then(clean);
            }
            "link" if self.canonical.is_none() => {
                let rel = el.attr("rel").unwrap_or_default();
                if rel
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    self.canonical = el.attr("href").and_then(clean);
                }
            }
            "script" => {
                let kind = el.attr("type").unwrap_or_default().trim();
                if kind.eq_ignore_ascii_case("application/ld+json") {
                    if let Some(Ok(value)) = text().map(|t| serde_json::from_str(t.trim())) {
                        self.json_ld.push(value);
                    }
                }
            }
            _ => {}
        }
    }

    /// A `<meta>` value by key.
    fn meta(&self, key: &str) -> Option<String> {
        self.meta.get(key).cloned()
    }

    /// The element the article's own `<h1>` and `<time>` are looked for in: the `<article>`
    /// with the most paragraph text, else `[itemprop=articleBody]`, `<main>`, `[role=main]`.
    fn container(&self) -> Option<NodeId> {
        // `rev()` so that ties go to the earliest element.
        let article = self.articles.iter().rev().max_by_key(|(_, len)| *len);
        article
            .map(|a| a.0)
            .or_else(|| self.landmarks.iter().flatten().next().copied())
    }
}

/// Whether an element's subtree is left out of the main text.
fn is_dropped(el: &Element) -> bool {
    is_hidden_or_furniture(el) || is_marked_box(el)
}

/// Whether an element is hidden, or of a kind that never holds article text (`nav`, `script`…).
fn is_hidden_or_furniture(el: &Element) -> bool {
    let name = el.name();
    let hidden_style = el.attr("style").is_some_and(|s| {
        let s: String = s.split_whitespace().collect();
        s.to_ascii_lowercase().contains("display:none")
    });
    DROP_TAGS.contains(&name) || el.attr("hidden").is_some() || hidden_style
}

/// Whether an element's class or id marks it as a box of boilerplate (cookie notice, share
/// bar, newsletter sign-up, related stories, advertisement…).
fn is_marked_box(el: &Element) -> bool {
    if matches!(el.name(), "html" | "body" | "main" | "article") {
        return false;
    }
    [el.attr("class"), el.id()].into_iter().flatten().any(|v| {
        let v = v.to_ascii_lowercase();
        DROP_MARKERS.iter().any(|m| v.contains(m))
            || v.match_indices("ad-")
                .any(|(i, _)| i == 0 || !v.as_bytes()[i - 1].is_ascii_alphanumeric())
    })
}

/// The readable text under `root` as blocks: the innermost open block owns each text node,
/// so nested blocks never repeat text; hidden and furniture elements, boilerplate lines and
/// (with `boxes`) boxes marked as boilerplate are left out.
fn readable_text(root: NodeRef<'_, Node>, boxes: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let (mut open_links, mut links) = (0usize, 0usize);
    let mut skip = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(node) if skip.is_none() => match node.value() {
                Node::Text(text) => {
                    if open_links > 0 {
                        links += text.chars().filter(|c| !c.is_whitespace()).count();
                    }
                    buf.push_str(text);
                }
                Node::Element(el) if is_hidden_or_furniture(el) || (boxes && is_marked_box(el)) => {
                    skip = Some(node.id());
                }
                Node::Element(el) if BLOCK_TAGS.contains(&el.name()) => {
                    flush(&mut buf, &mut links, &mut out);
                }
                Node::Element(el) if el.name() == "a" => open_links += 1,
                Node::Element(el) if !INLINE_TAGS.contains(&el.name()) => buf.push(' '),
                _ => {}
            },
            Edge::Close(node) if skip == Some(node.id()) => skip = None,
            Edge::Close(node) if skip.is_none() => match node.value() {
                Node::Element(el) if BLOCK_TAGS.contains(&el.name()) => {
                    flush(&mut buf, &mut links, &mut out);
                }
                Node::Element(el) if el.name() == "a" => open_links = open_links.saturating_sub(1),
                Node::Element(el) if !INLINE_TAGS.contains(&el.name()) => buf.push(' '),
                _ => {}
            },
            _ => {}
        }
    }
    flush(&mut buf, &mut links, &mut out);
    out
}

/// Whether a whole block is page furniture ("Advertisement", "Back to top", …).
fn is_furniture(block: &str) -> bool {
    let key = block.trim_end_matches([':', '.', '!', '…']).to_lowercase();
    BOILERPLATE.contains(&key.as_str())
}

/// Ends the current block: its collapsed text becomes a paragraph unless it is empty,
/// furniture, or mostly link text (a menu, a list of other stories).
fn flush(buf: &mut String, links: &mut usize, out: &mut Vec<String>) {
    if let Some(line) = clean(buf) {
        let chars = buf.chars().filter(|c| !c.is_whitespace()).count();
        if !is_furniture(&line) && *links * 2 <= chars {
            out.push(line);
        }
    }
    buf.clear();
    *links = 0;
}

/// The fields taken from the first JSON-LD object typed `*Article` or `*BlogPosting`.
#[derive(Default)]
struct LdArticle {
    headline: Option<String>,
    published: Option<String>,
    author: Option<String>,
    publisher: Option<String>,
    url: Option<String>,
}

impl LdArticle {
    /// Searches every object (including `@graph` members) iteratively; `{"@id": …}`
    /// references to authors and publishers are resolved against objects defining that id.
    fn find(values: &[Value]) -> Self {
        let mut by_id: HashMap<&str, &Map<String, Value>> = HashMap::new();
        let mut article = None;
        let mut stack: Vec<&Value> = values.iter().rev().collect();
        while let Some(value) = stack.pop() {
            match value {
                Value::Array(items) => stack.extend(items.iter().rev()),
                Value::Object(obj) => {
                    if let Some(id) = obj
                        .get("@id")
                        .and_then(Value::as_str)
                        .filter(|_| obj.len() > 1)
                    {
                        by_id.entry(id).or_insert(obj);
                    }
                    let types = match obj.get("@type") {
                        Some(Value::Array(types)) => types.iter().collect(),
                        Some(t) => vec![t],
                        None => Vec::new(),
                    };
                    let is_article = types
                        .iter()
                        .filter_map(|t| t.as_str())
                        .any(|t| t.ends_with("Article") || t.ends_with("BlogPosting"));
                    if is_article && article.is_none() {
                        article = Some(obj);
                    }
                    stack.extend(obj.values().rev());
                }
                _ => {}
            }
        }
        let Some(article) = article else {
            return Self::default();
        };
        let text = |key: &str| article.get(key).and_then(Value::as_str).and_then(clean);
        let name = |value: &Value| -> Option<String> {
            let obj = value.as_object()?;
            let obj = match obj.get("@id").and_then(Value::as_str) {
                Some(id) if !obj.contains_key("name") => *by_id.get(id)?,
                _ => obj,
            };
            obj.get("name").and_then(Value::as_str).and_then(clean)
        };
        let names = |key: &str| match article.get(key)? {
            Value::String(s) => clean(s),
            Value::Array(items) => {
                let all: Vec<String> = items
                    .iter()
                    .filter_map(|v| v.as_str().and_then(clean).or_else(|| name(v)))
                    .collect();
                Some(all.join(", ")).filter(|s| !s.is_empty())
            }
            other => name(other),
        };
        let main_entity = match article.get("mainEntityOfPage") {
            Some(Value::Object(obj)) => obj.get("@id").and_then(Value::as_str).and_then(clean),
            Some(Value::String(s)) => clean(s),
            _ => None,
        };
        LdArticle {
            headline: text("headline"),
            published: text("datePublished"),
            author: names("author"),
            publisher: names("publisher"),
            url: text("url").or(main_entity),
        }
    }
}

/// Collapses whitespace runs to one space and trims; `None` when nothing is left.
fn clean(s: &str) -> Option<String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!s.is_empty()).then_some(s)
}

/// Removes a trailing " - Site" (or `|`, `–`, `—`) from a page title.
fn strip_site(title: String, site: Option<&str>) -> String {
    let stripped = site.and_then(|site| {
        let rest = title.strip_suffix(site)?;
        [" - ", " | ", " – ", " — "]
            .iter()
            .find_map(|sep| rest.strip_suffix(sep))
            .and_then(clean)
    });
    stripped.unwrap_or(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts the metadata exactly and the paragraphs' count, first, last and absent texts.
    fn check(
        html: &str,
        meta: HtmlArticle,
        count: usize,
        (first, last): (&str, &str),
        absent: &[&str],
    ) -> Vec<String> {
        let article = extract(html).unwrap();
        let paragraphs = article.paragraphs.clone();
        assert_eq!(
            HtmlArticle {
                paragraphs: Vec::new(),
                ..article
            },
            meta
        );
        assert_eq!(paragraphs.len(), count, "{paragraphs:#?}");
        assert_eq!(paragraphs.first().map(String::as_str), Some(first));
        assert_eq!(paragraphs.last().map(String::as_str), Some(last));
        for text in absent {
            assert!(
                !paragraphs.iter().any(|p| p.contains(text)),
                "{text:?} leaked"
            );
        }
        paragraphs
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn bbc_style_page() {
        let paragraphs = check(
            include_str!("../../tests/fixtures/html/bbc-style.html"),
            HtmlArticle {
                title: some(
                    "US designates Venezuela’s Cartel de los Soles a terrorist organisation",
                ),
                site_name: some("Example News"),
                published: some("2025-11-17T14:30:00-05:00"),
                author: some("Jane Doe"),
                url: some("https://www.example.com/news/articles/c0ex4mple1o"),
                language: some("en-GB"),
                paragraphs: Vec::new(),
                readable_fallback: false,
            },
            11,
            (
                "The United States has formally designated Venezuela’s Cartel de los Soles as a \
                 foreign terrorist organisation, a step Washington says is aimed at the government \
                 of President Nicolás Maduro.",
                "Additional reporting by John Smith in Caracas.",
            ),
            &[
                "cookies",
                "Skip to content",
                "Tech",
                "Latin America",
                "correspondent",
                "Getty",
                "Advertisement",
                "scroll-depth",
                "Share this",
                "Facebook",
                "Related stories",
                "US strikes boats",
                "Sign up",
                "More to explore",
                "Copyright",
                "analytics",
            ],
        );
        assert_eq!(
            paragraphs[2],
            "“The Cartel de los Soles is a criminal enterprise run from the highest levels of the \
             Venezuelan state,” a senior State Department official told reporters in Washington."
        );
        assert_eq!(paragraphs[3], "What is the Cartel de los Soles?");
        assert_eq!(
            paragraphs[8],
            "Banks must block any transactions involving the group\n\
             Anyone who knowingly helps it can face prosecution in US courts"
        );
        assert!(paragraphs[9].starts_with("Analysts said the move could open the way\nfor further"));
    }

    #[test]
    fn div_layout_with_json_ld_graph() {
        check(
            include_str!("../../tests/fixtures/html/no-article-tag.html"),
            HtmlArticle {
                title: some("US labels Venezuela’s Cartel de los Soles a terrorist group"),
                site_name: some("Example Times"),
                published: some("2025-11-17T02:08:21-05:00"),
                author: some("Carlos Ortega"),
                url: some(
                    "https://www.example-times.com/world/2025/11/17/\
                     venezuela-cartel-de-los-soles-terrorist-designation/",
                ),
                language: some("en-US"),
                paragraphs: Vec::new(),
                readable_fallback: false,
            },
            7,
            (
                "WASHINGTON — The United States said on Monday it would designate Venezuela’s \
                 Cartel de los Soles as a foreign terrorist organization, escalating pressure on \
                 the government of President Nicolás Maduro.",
                "Reporting by Carlos Ortega; Editing by Ana Ruiz",
            ),
            &[
                "Home",
                "Subscribe",
                "Read more",
                "Caribbean",
                "Topics",
                "Latest news",
                "Colombia’s president",
                "Most read",
                "independent newsroom",
                "©",
                "dataLayer",
            ],
        );
    }

    #[test]
    fn comment_section_is_left_out() {
        let paragraphs = check(
            include_str!("../../tests/fixtures/html/comments.html"),
            HtmlArticle {
                title: some("Cartel de los Soles: what the US terror designation means"),
                site_name: some("Example Gazette"),
                published: some("2025-11-24T09:15:00+00:00"),
                author: some("Maria Fernández"),
                url: some(
                    "https://gazette.example.net/2025/11/24/cartel-de-los-soles-terror-designation/",
                ),
                language: some("en-US"),
                paragraphs: Vec::new(),
                readable_fallback: false,
            },
            9,
            (
                "As of today, the United States treats the Cartel de los Soles as a foreign \
                 terrorist organization. Here is what the designation does, and what it does not do.",
                "The government of Nicolás Maduro has denied that the group exists and called the \
                 designation an attack on Venezuela’s sovereignty.",
            ),
            &[
                "Leave a Reply", "Cancel reply", "replies on", "Pedro", "sceptical",
                "Thank you for explaining", "Reply", "email address", "Share this", "Facebook",
                "Related", "Caracas, the Venezuelan capital", "By Maria", "Skip to the content",
                "Venezuelan oil exports", "To the top",
            ],
        );
        assert_eq!(
            paragraphs[3],
            "Financial institutions must report blocked assets to the Treasury."
        );
    }

    #[test]
    fn minimal_page() {
        assert_eq!(
            extract(include_str!("../../tests/fixtures/html/minimal.html")).unwrap(),
            HtmlArticle {
                title: some("Cartel de los Soles designation: what we know"),
                paragraphs: vec![
                    "The United States has designated Venezuela's Cartel de los Soles as a foreign \
                     terrorist organisation."
                        .to_string(),
                    "The State Department says the group is led by senior officials, including \
                     Nicolás Maduro; Caracas denies it exists."
                        .to_string(),
                    "The designation took effect on 24 November 2025.".to_string(),
                ],
                ..HtmlArticle::default()
            }
        );
    }

    #[test]
    fn readable_text_keeps_each_text_once_and_leaves_menus_out() {
        let html = "<body><ul><li><p>x</p></li></ul><blockquote><p>a</p>b</blockquote>\
                    <p>one<br>two</p><p>long<wbr>word</p><li>outer<ul><li>inner</li></ul>tail</li>\
                    <pre>  code\n  block </pre><h1>Headline</h1><li>cell<div>split</div></li>\
                    <div><a href=/a>Menu</a> <a href=/b>entries</a></div>loose <a href=/c>text</a>";
        let doc = Html::parse_document(html);
        assert_eq!(
            readable_text(doc.tree.root(), true),
            [
                "x",
                "a",
                "b",
                "one two",
                "longword",
                "outer",
                "inner",
                "tail",
                "code block",
                "Headline",
                "cell",
                "split",
                "loose text"
            ]
        );
    }

    #[test]
    fn boilerplate_boxes_and_lines_are_dropped() {
        let html = r#"<main class="has-share-bar"><p class="lead-paragraph">The lead paragraph of the story, which says what happened, where it happened, to whom, and what the people it happened to said about it.</p>
            <div id="Cookie-Consent"><p>We use cookies. Accept all</p></div>
            <p hidden>Hidden</p><p style="display: none">Invisible</p><p>ADVERTISEMENT</p>
            <h3>Related Articles</h3><div class="download-box"><p>The second paragraph is kept.</p>\
            </div></main>"#;
        assert_eq!(
            extract(html).unwrap().paragraphs,
            [
                "The lead paragraph of the story, which says what happened, where it happened, \
                 to whom, and what the people it happened to said about it.",
                "The second paragraph is kept."
            ]
        );
    }

    #[test]
    fn teaser_articles_do_not_beat_the_story_body() {
        let body = "Story sentence with plenty of words in it. ".repeat(10);
        let html = format!(
            "<aside><article><p>{body}{body}</p></article></aside>\
             <div class=card><article><p>Short teaser.</p></article></div>\
             <div class=story><p>{body}</p><p>{body}</p><p>Last.</p></div>\
             <div class=links><p><a href=/a>{body}{body}{body}</a></p></div>"
        );
        let paragraphs = extract(&html).unwrap().paragraphs;
        assert_eq!(paragraphs.len(), 3);
        assert_eq!(paragraphs[2], "Last.");
    }

    #[test]
    fn metadata_fallbacks() {
        let html = r#"<html lang=" es "><head><title>Title - Other Site</title>
            <meta property="og:site_name" content="Site">
            <meta property="article:author" content="https://example.com/jane">
            <meta name="og:url" content="https://example.com/a">
            <script type="application/ld+json">{"@type":["Thing","ReportageNewsArticle"],
              "author":[{"@type":"Person","name":"Ana"},"Luis"],"datePublished":" 2025-11-24 "}
            </script><script type="application/ld+json">{not json</script></head>
            <body><p>Text.</p></body></html>"#;
        assert_eq!(
            extract(html).unwrap(),
            HtmlArticle {
                title: some("Title - Other Site"),
                site_name: some("Site"),
                published: some("2025-11-24"),
                author: some("Ana, Luis"),
                url: some("https://example.com/a"),
                language: some("es"),
                paragraphs: vec!["Text.".to_string()],
                readable_fallback: false,
            }
        );
    }

    #[test]
    fn empty_and_non_article_pages() {
        assert_eq!(
            extract("").unwrap(),
            HtmlArticle {
                readable_fallback: true,
                ..HtmlArticle::default()
            }
        );
        let links = "<html><body><nav><a href=/>Home</a></nav><footer>© Site</footer></body>";
        assert_eq!(extract(links).unwrap().paragraphs, Vec::<String>::new());
    }

    #[test]
    fn garbage_does_not_panic() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let bytes: Vec<u8> = (0..200_000).map(|_| next() as u8).collect();
        let _ = extract(&String::from_utf8_lossy(&bytes));
        let tokens = [
            "<div>",
            "</div>",
            "<p>",
            "</p>",
            "<a href=x>",
            "</a>",
            "<table><td>",
            "<b>",
            "</i>",
            "text ",
            "&amp",
            "<!--",
            "-->",
            "<script>",
            "</script>",
            "<article>",
            "<li>",
            "<br>",
            "<",
            ">",
            "\"",
            "\0",
            "<svg><title>",
            "<template>",
            "<select>",
            "</body>",
            "<html lang=x>",
            "<script type=application/ld+json>{\"@graph\":[",
            "<meta property=og:title content=",
        ];
        let soup: String = (0..50_000)
            .map(|_| tokens[next() as usize % tokens.len()])
            .collect();
        let _ = extract(&soup);
    }

    #[test]
    fn deep_nesting_is_read_up_to_the_bound_and_refused_past_it() {
        let html = format!("{}<p>deep</p>", "<div>".repeat(10_000));
        assert!(extract(&html).unwrap_err().contains("nest more than"));
        let depth = page_bounds::MAX_DEPTH - 10;
        for tag in ["div", "blockquote", "section"] {
            let html = format!(
                "<html><body>{}<p>The deep paragraph of the page.</p>",
                format!("<{tag}>").repeat(depth)
            );
            assert_eq!(
                extract(&html).unwrap().paragraphs,
                ["The deep paragraph of the page."]
            );
        }
    }
}
