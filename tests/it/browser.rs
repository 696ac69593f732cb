//! The page of `newsdex serve` in headless Chromium (Debian's `chromium`
//! and `chromium-driver`), driven over WebDriver: a temporary index of the
//! bundled corpus, three wire copies on three days, and an article whose text
//! holds `<script>`, `<img onerror>` and a `javascript:` link. The test clicks
//! through results, highlights, the outlet filter, the timeline, the copies,
//! the article view and the back button, and checks that nothing in the
//! articles ever runs.
//!
//! `NEWSDEX_SCREENSHOTS=update` also saves `docs/serve-results.png` and
//! `docs/serve-article.png`.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::common::{available, Project};

/// Three copies of one wire story, on three days, in three outlets; and a
/// record whose title and URL are hostile.
const WIRE: &str = r#"{"id":"wire-1","outlet":"Reuters","date":"2025-11-18T09:30:00Z","title":"Maduro rejects US terror designation","url":"https://www.reuters.com/world/maduro-rejects","text":"Venezuelan President Nicolás Maduro rejected the US designation of the Cartel de los Soles on Monday, calling it a ridiculous lie, as Washington moved 15 warships into the Caribbean.\n\nOfficials in Caracas said 3 ministers would travel to the region on Tuesday to rally support against what they call an illegal campaign."}
{"id":"wire-2","outlet":"Harbor Times","date":"2025-11-19","title":"Caracas hits back at Washington","url":"https://harbor.example/caracas","text":"Venezuelan President Nicolás Maduro rejected the US designation of the Cartel de los Soles on Monday, calling it a ridiculous lie, as Washington moved 15 warships into the Caribbean.\n\nOfficials in Caracas said 3 ministers would travel to the region on Tuesday to rally support against what they call an illegal campaign.\n\nThis story was provided by Reuters."}
{"id":"wire-3","outlet":"Valley Courier","date":"2025-11-21","title":"Maduro: designation a lie","url":"http://courier.example/maduro","text":"Venezuelan President Nicolás Maduro rejected the US designation of the Cartel de los Soles on Monday, calling it a ridiculous lie, as Washington moved 15 warships into the Caribbean.\n\nOfficials in Caracas said 3 ministers would travel to the region on Tuesday to rally support against what they call an illegal campaign."}
{"id":"trap","outlet":"Trap Wire","date":"2025-11-24","title":"<img src=x onerror=\"window.__pwned=1\">Maduro trap","url":"javascript:window.__pwned=1","text":"Maduro said nothing more on Monday."}
"#;

/// An article whose text is HTML that must stay text.
const HOSTILE: &str = "Hostile page about Maduro\n\n\
Maduro text with <script>window.__pwned=1</script> inside it.\n\n\
An image <img src=x onerror=\"window.__pwned=1\"> and a <a href=\"javascript:window.__pwned=1\">javascript: link</a> about Maduro.\n";

/// A child process killed when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something listens on `port`, failing if `child` exits first.
fn wait_for_port(port: u16, child: &mut Killed, what: &str) {
    let start = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Some(status) = child.0.try_wait().unwrap() {
            panic!("{what} exited ({status}) before listening on port {port}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} did not listen on port {port} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A program on the PATH (or at one of Debian's paths).
fn program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in names {
        for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn newsdex_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_newsdex"))
}

#[test]
fn the_page_searches_filters_and_shows_articles_in_chromium() {
    let browser = program(&["chromium", "chromium-browser"]);
    let driver = program(&["chromedriver"]);
    if !available(
        browser.is_some() && driver.is_some(),
        "chromium and chromedriver (apt-get install chromium chromium-driver)",
    ) {
        return;
    }
    let (browser, driver) = (browser.unwrap(), driver.unwrap());

    let project = Project::with_corpus();
    project.write("corpus/wire.jsonl", WIRE);
    project.write("corpus/hostile.txt", HOSTILE);
    project.index();

    // `--port 0`: any free port; the server prints its URL alone on stdout.
    let mut server = Killed(
        Command::new(newsdex_bin())
            .current_dir(project.dir.path())
            .env_remove("NEWSDEX_INDEX")
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start newsdex serve"),
    );
    let mut url = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let base = url.trim().trim_end_matches('/').to_owned();
    assert!(
        base.starts_with("http://"),
        "the URL newsdex serve prints: {url:?}"
    );

    let driver_port = free_port();
    let mut chromedriver = Killed(
        Command::new(&driver)
            .arg(format!("--port={driver_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    wait_for_port(driver_port, &mut chromedriver, "chromedriver");

    let profile = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = session(driver_port, &browser, profile.path()).await;
        clicks(&client, &base).await;
        let _ = client.close().await;
    });
}

async fn session(driver_port: u16, browser: &Path, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": browser,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                "--window-size=1280,1000", "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session with headless chromium")
}

/// Polls `check` (a script returning a value) until `ok` holds, or fails
/// after 30 s with `what` and the last value (the machine may be busy).
async fn until(client: &Client, script: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.expect(script);
        if ok(&value) {
            return value;
        }
        if start.elapsed() > Duration::from_secs(30) {
            panic!("{what}: still {value} after 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

async fn pwned(client: &Client) -> Value {
    client
        .execute("return typeof window.__pwned;", vec![])
        .await
        .unwrap()
}

/// What the page's hits show: their outlets, dates and article ids.
const HITS: &str = "return [...document.querySelectorAll('#results li.hit')].map(li => ({
    id: li.dataset.article,
    outlet: li.querySelector('.outlet').textContent,
    date: (li.querySelector('time') || {}).textContent,
    datetime: li.querySelector('time').getAttribute('datetime'),
  }));";

async fn hits(client: &Client) -> Vec<Value> {
    client
        .execute(HITS, vec![])
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

async fn screenshot(client: &Client, name: &str) {
    if std::env::var("NEWSDEX_SCREENSHOTS").as_deref() != Ok("update") {
        return;
    }
    let png = client.screenshot().await.unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::write(&path, png).unwrap();
    eprintln!("wrote {}", path.display());
}

async fn drag(client: &Client, from: &Element, to: &Element) {
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: from.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveToElement {
            element: to.clone(),
            duration: Some(Duration::from_millis(100)),
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(mouse).await.unwrap();
}

async fn clicks(client: &Client, base: &str) {
    // The screenshots first, on a query the hostile articles do not match.
    client
        .goto(&format!("{base}/?q=Maduro+designation&articles=1"))
        .await
        .unwrap();
    until(
        client,
        "return document.querySelectorAll('#results li.hit').length > 0 && document.querySelectorAll('#outlets li').length > 0 && document.querySelectorAll('#tl-chart .tl-slot').length > 0;",
        "results, outlets and timeline of Maduro designation",
        |v| v == &json!(true),
    )
    .await;
    screenshot(client, "serve-results.png").await;
    client
        .goto(&format!(
            "{base}/?q=Maduro+designation&articles=1&article=corpus%2Fus-to-designate-cartel-de-los-soles.md"
        ))
        .await
        .unwrap();
    until(
        client,
        "return document.querySelectorAll('#article-passages .passage mark').length;",
        "the article with the search's matches marked",
        |v| v.as_u64().is_some_and(|n| n >= 5),
    )
    .await;
    screenshot(client, "serve-article.png").await;

    // Results, as the terminal shows them, with highlights.
    client.goto(&format!("{base}/?q=Maduro")).await.unwrap();
    let summary = until(
        client,
        "return document.getElementById('summary').textContent;",
        "the summary of a search for Maduro",
        |v| v.as_str().is_some_and(|s| s.contains("matched")),
    )
    .await;
    assert!(
        summary.as_str().unwrap().contains("matched “Maduro”"),
        "{summary}"
    );
    let shown = hits(client).await;
    assert_eq!(shown.len(), 10, "a first page of ten hits: {shown:?}");
    let marks = client
        .execute(
            "return [...document.querySelectorAll('#results .passage mark')].map(m => m.textContent);",
            vec![],
        )
        .await
        .unwrap();
    let marks = marks.as_array().unwrap();
    assert!(marks.len() >= 10, "every hit marks Maduro: {marks:?}");
    assert!(
        marks
            .iter()
            .all(|m| m.as_str().unwrap().eq_ignore_ascii_case("maduro")),
        "only Maduro is marked: {marks:?}"
    );

    // The hostile article: its HTML is text, its javascript: URL no link.
    let hostile = text_of(client, "li.hit[data-article='corpus/hostile.txt'] .passage").await;
    assert!(
        hostile.contains("<script>window.__pwned=1</script>")
            && hostile.contains("<img src=x onerror=\"window.__pwned=1\">"),
        "the article's HTML shows as text: {hostile}"
    );
    let trap = text_of(client, "li.hit[data-article='trap'] .hit-title").await;
    assert!(trap.starts_with("<img src=x onerror="), "{trap}");
    let dom = client
        .execute(
            "return {
               imgs: document.querySelectorAll('img').length,
               scripts: document.querySelectorAll('script').length,
               jsLinks: [...document.querySelectorAll('a')].filter(a => !/^https?:$/.test(a.protocol)).length,
               trapUrl: document.querySelector(\"li.hit[data-article='trap'] .url-text\").textContent,
             };",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        dom,
        json!({"imgs": 0, "scripts": 1, "jsLinks": 0, "trapUrl": "javascript:window.__pwned=1"}),
        "no image, no script but app.js, no link other than http(s)"
    );
    assert_eq!(pwned(client).await, json!("undefined"));

    // Copies folded: "also in 2 more outlets" expands to the other two.
    let fold = client
        .find(Locator::Css("li.hit .copies-toggle"))
        .await
        .expect("a hit with folded copies");
    assert!(fold.text().await.unwrap().contains("also in 2 more"));
    fold.click().await.unwrap();
    let copies = until(
        client,
        "return [...document.querySelectorAll('li.hit .copies .copy-list li .outlet')].map(o => o.textContent);",
        "the folded copies, expanded",
        |v| v.as_array().is_some_and(|a| a.len() == 2),
    )
    .await;
    let mut copies: Vec<&str> = copies
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    copies.sort();
    let shown_outlet = text_of(client, "li.hit:has(.copies) .outlet").await;
    let mut all = copies.clone();
    all.push(&shown_outlet);
    all.sort();
    assert_eq!(all, ["Harbor Times", "Reuters", "Valley Courier"]);

    // The outlet filter: its counts, then a click keeps only that outlet.
    let outlets = client
        .execute(
            "return [...document.querySelectorAll('#outlets li')].map(li => li.textContent);",
            vec![],
        )
        .await
        .unwrap();
    for row in ["BBC1⊘", "Reuters1⊘", "Trap Wire1⊘", "outlet unknown4"] {
        assert!(
            outlets.as_array().unwrap().contains(&json!(row)),
            "{outlets}"
        );
    }
    let bbc = client
        .find(Locator::XPath(
            "//ul[@id='outlets']//button[@class='outlet-name' and text()='BBC']",
        ))
        .await
        .expect("BBC among the outlets");
    bbc.click().await.unwrap();
    until(
        client,
        "return location.search;",
        "the URL after clicking BBC",
        |v| v.as_str().is_some_and(|s| s.contains("outlet=BBC")),
    )
    .await;
    let only = until(
        client,
        "return [...document.querySelectorAll('#results li.hit .outlet')].map(o => o.textContent);",
        "hits from BBC only",
        |v| {
            v.as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|o| o == "BBC"))
        },
    )
    .await;
    assert_eq!(
        text_of(client, "#outlets li.included .outlet-name").await,
        "BBC",
        "{only}"
    );

    // The back button restores the search without the filter.
    client.back().await.unwrap();
    until(
        client,
        "return [location.search, document.querySelectorAll('#results li.hit').length, document.querySelectorAll('#outlets li.included').length];",
        "the search without the outlet filter, after Back",
        |v| v == &json!(["?q=Maduro", 10, 0]),
    )
    .await;

    // Leaving an outlet out.
    client
        .find(Locator::Css(
            "#outlets li button.outlet-exclude[aria-label='Leave out Reuters']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    until(
        client,
        "return location.search.includes('exclude=Reuters') && document.querySelectorAll('#outlets li.excluded').length === 1 && document.getElementById('summary').textContent.includes('matched');",
        "Reuters left out",
        |v| v == &json!(true),
    )
    .await;
    assert!(hits(client).await.iter().all(|h| h["outlet"] != "Reuters"));
    client.back().await.unwrap();

    // The timeline: a bar per day from Nov 17 to Nov 24; dragging from the
    // 18th to the 19th sets the dates, and only those days remain.
    let slots = until(
        client,
        "return document.documentElement.dataset.rendered === '?q=Maduro' && [...document.querySelectorAll('#tl-chart .tl-slot')].map(g => g.dataset.since);",
        "the timeline's days",
        |v| v.as_array().is_some_and(|a| a.len() >= 8),
    )
    .await;
    for day in ["2025-11-17", "2025-11-18", "2025-11-21", "2025-11-24"] {
        assert!(slots.as_array().unwrap().contains(&json!(day)), "{slots}");
    }
    let from = client
        .find(Locator::Css(
            "#tl-chart .tl-slot[data-since='2025-11-18'] .tl-hitbox",
        ))
        .await
        .unwrap();
    let to = client
        .find(Locator::Css(
            "#tl-chart .tl-slot[data-since='2025-11-19'] .tl-hitbox",
        ))
        .await
        .unwrap();
    drag(client, &from, &to).await;
    until(
        client,
        "return [location.search, document.getElementById('since').value, document.getElementById('until').value];",
        "the dates after dragging over the timeline",
        |v| v == &json!(["?q=Maduro&since=2025-11-18&until=2025-11-19", "2025-11-18", "2025-11-19"]),
    )
    .await;
    let dated = until(
        client,
        "return document.getElementById('summary').textContent.includes('left out by the date filter');",
        "the summary of the date filter",
        |v| v == &json!(true),
    )
    .await;
    assert_eq!(dated, json!(true));
    let shown = hits(client).await;
    assert!(!shown.is_empty());
    for h in &shown {
        let day = h["datetime"].as_str().unwrap();
        assert!(
            day.starts_with("2025-11-18") || day.starts_with("2025-11-19"),
            "{shown:?}"
        );
    }
    let in_range = client
        .execute(
            "return [...document.querySelectorAll('#tl-chart .tl-slot.in-range')].map(g => g.dataset.since);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(in_range, json!(["2025-11-18", "2025-11-19"]));

    // Keyboard: type a query and press Enter.
    let q = client.find(Locator::Id("q")).await.unwrap();
    q.clear().await.unwrap();
    q.send_keys("Cabello\u{E007}").await.unwrap();
    until(
        client,
        "return [location.search.startsWith('?q=Cabello'), document.getElementById('summary').textContent.includes('“Cabello”')];",
        "a search typed and sent with Enter",
        |v| v == &json!([true, true]),
    )
    .await;

    // The article view: click a hit's title.
    client.goto(&format!("{base}/?q=Maduro")).await.unwrap();
    let title = client
        .wait()
        .for_element(Locator::Css(
            "li.hit[data-article='wire-1'] .hit-title a, li.hit:has(.copies) .hit-title a",
        ))
        .await
        .unwrap();
    title.click().await.unwrap();
    let article = until(
        client,
        "const v = document.getElementById('article-view');
         return !v.hidden && document.querySelectorAll('#article-passages li.passage-item').length > 0 && {
           id: document.querySelector('#article-meta dd').textContent,
           passages: document.querySelectorAll('#article-passages li.passage-item').length,
           traces: document.querySelectorAll('#article-passages a.trace-link').length,
           copies: document.querySelectorAll('#article-copies-list li').length,
           origins: [...document.querySelectorAll('#article-meta .origin')].map(o => o.textContent),
           search: location.search,
         };",
        "the article view",
        |v| v.is_object(),
    )
    .await;
    assert_eq!(article["passages"], article["traces"], "{article}");
    assert_eq!(article["copies"], json!(3), "{article}");
    assert!(
        article["origins"]
            .as_array()
            .unwrap()
            .contains(&json!("from json field")),
        "{article}"
    );
    assert!(article["search"].as_str().unwrap().contains("article="));
    let marked = client
        .execute(
            "return [...document.querySelectorAll('#article-passages mark')].map(m => m.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(marked, json!(["Maduro"]), "the search's matches, marked");
    // Back to the results.
    client.back().await.unwrap();
    until(
        client,
        "return [location.search, document.getElementById('results-view').hidden];",
        "the results again after Back",
        |v| v == &json!(["?q=Maduro", false]),
    )
    .await;

    // The hostile article in the article view, and its trace link.
    client
        .goto(&format!("{base}/?q=Maduro&article=corpus%2Fhostile.txt"))
        .await
        .unwrap();
    let text = until(
        client,
        "return document.getElementById('article-passages').textContent;",
        "the hostile article's text",
        |v| v.as_str().is_some_and(|s| s.contains("<script>")),
    )
    .await;
    assert!(text
        .as_str()
        .unwrap()
        .contains("javascript:window.__pwned=1"));
    client
        .find(Locator::Css("a.trace-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let trace = until(
        client,
        "const b = document.getElementById('trace-body');
         return !document.getElementById('trace-view').hidden && !b.textContent.includes('Tracing…')
           && [location.search, b.textContent, b.querySelectorAll(\"li.hit[data-article='corpus/hostile.txt'] .passage\").length];",
        "the trace view",
        |v| v.is_array(),
    )
    .await;
    assert!(
        trace[0]
            .as_str()
            .unwrap()
            .contains("trace=corpus%2Fhostile.txt%230"),
        "{trace}"
    );
    // The passage traced is found where it stands (its text shown as text).
    assert_eq!(trace[2], json!(1), "{trace}");
    assert!(trace[1].as_str().unwrap().contains("exact"), "{trace}");
    assert_eq!(pwned(client).await, json!("undefined"));
}
