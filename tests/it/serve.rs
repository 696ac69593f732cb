//! `newsdex serve`: the real binary on a free port over a temporary index.
//! Every API answer is compared with what the command of the same name
//! prints (`took_ms` aside); errors, the `Host` check, traversal attempts,
//! bounded requests, binding, live reload and Ctrl-C are checked too.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::Project;

const WIRE: &str = "Norway's central bank raised its key deposit rate by 25 basis points to 4.5 pct on Thursday, citing a weaker crown and inflation that has stayed above target for two years.\n\nGovernor Ida Wolden Bache said further increases could follow in June if prices kept rising at the current pace, and that the bank would watch wage talks closely.\n\nEconomists polled by Reuters had expected the bank to hold rates steady until the summer, and the crown strengthened 0.8 pct against the euro after the decision.";

fn article(outlet: &str, date: &str, title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\noutlet: {outlet}\ndate: {date}\n---\n\n{body}\n")
}

/// The bundled corpus and a wire story with a copy, indexed.
fn project() -> Project {
    let p = Project::with_corpus();
    p.write(
        "corpus/wire.md",
        article(
            "Reuters",
            "2025-03-06T09:00:00Z",
            "Norway raises rates",
            WIRE,
        ),
    );
    p.write(
        "corpus/courier.md",
        article(
            "Valley Courier",
            "2025-03-06T15:30:00Z",
            "Norway's bank lifts its rate",
            &(WIRE.replace(" pct", " percent") + "\n\nThis story was provided by Reuters."),
        ),
    );
    p.index();
    p
}

/// A running `newsdex serve`, stopped when dropped.
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    url: String,
    /// `127.0.0.1:PORT`
    addr: String,
}

impl Server {
    /// `newsdex serve --port 0 ARGS` in the project; waits for its URL.
    fn start(p: &Project, args: &[&str]) -> Server {
        Server::start_with(p, args, &[])
    }

    /// [`Server::start`] with environment variables `envs`.
    fn start_with(p: &Project, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("newsdex"))
            .current_dir(p.dir.path())
            .env_remove("NEWSDEX_INDEX")
            .env_remove("BROWSER")
            .envs(envs.iter().copied())
            .args(["serve", "--index", "index", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://"), "serve printed {line:?}");
        let addr = url["http://".len()..].trim_end_matches('/').to_owned();
        Server { child, url, addr }
    }

    /// GET `path` (with its query): status and body.
    fn get(&self, path: &str) -> (u16, String) {
        answer(ureq::get(&format!("{}{}", self.url, path.trim_start_matches('/'))).call())
    }

    /// GET `path`, expecting 200; the body as JSON.
    fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// POST `body` to `path`: status and body.
    fn post(&self, path: &str, body: &str) -> (u16, String) {
        answer(
            ureq::post(&format!("{}{}", self.url, path.trim_start_matches('/'))).send_string(body),
        )
    }

    /// A request written as it is (`request` without the final blank line):
    /// status, the headers (lowercased names) and body.
    fn raw(&self, request: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(stream, "{request}\r\nConnection: close\r\n\r\n").unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_lowercase(), body.to_owned())
    }

    /// Stops the server with SIGINT (Ctrl-C): its exit status and stderr.
    fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "serve did not stop on SIGINT"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status.code(), stderr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(response: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match response {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(status, r)) => (status, r.into_string().unwrap()),
        Err(e) => panic!("{e}"),
    }
}

/// `value` without its `took_ms` fields (at any depth).
fn timeless(mut value: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("took_ms");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

/// What `newsdex ARGS` prints, as JSON (exit 0 or 1).
fn cli_json(p: &Project, args: &[&str]) -> Value {
    let out = p.run(args);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "newsdex {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A path segment with everything but unreserved characters %-encoded.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn every_api_answer_is_what_the_command_prints() {
    let p = project();
    let server = Server::start(&p, &[]);
    // (query string, the same request on the command line)
    let searches: &[(&str, &[&str])] = &[
        ("q=maduro", &["maduro"]),
        (
            "q=%22Tren+de+Aragua%22&limit=3&offset=1",
            &["\"Tren de Aragua\"", "--limit", "3", "--offset", "1"],
        ),
        (
            "q=cartel&sort=newest&articles=true",
            &["cartel", "--sort", "newest", "--articles"],
        ),
        (
            "q=cartel&outlet=bbc&outlet=canary",
            &["cartel", "--outlet", "bbc", "--outlet", "canary"],
        ),
        (
            "q=cartel&since=2025-11-17&until=2025-11",
            &["cartel", "--since", "2025-11-17", "--until", "2025-11"],
        ),
        (
            "q=norway+bank&collapse=true&facets",
            &["norway bank", "--collapse", "--facets"],
        ),
        (
            "q=norway+zyzzyva&match=any&plain=1",
            &["norway zyzzyva", "--match", "any", "--plain"],
        ),
        ("q=zyzzyva", &["zyzzyva"]),
    ];
    for (query, args) in searches {
        let api = server.json(&format!("/api/search?{query}"));
        let mut cli = vec!["search", "--format", "json"];
        cli.extend_from_slice(args);
        assert_eq!(
            timeless(api),
            timeless(cli_json(&p, &cli)),
            "/api/search?{query}"
        );
    }
    let found = server.json("/api/search?q=norway+bank&collapse=true");
    assert!(
        found["hits"][0]["copies"].is_object(),
        "the copy folds: {found}"
    );

    let api = server.json("/api/count?q=cartel&by=outlet,month&by=year");
    let cli = cli_json(
        &p,
        &[
            "count",
            "cartel",
            "--by",
            "outlet,month",
            "--by",
            "year",
            "--format",
            "json",
        ],
    );
    assert_eq!(api, cli);
    assert_eq!(
        server.json("/api/copies"),
        cli_json(&p, &["copies", "--format", "json"])
    );
    assert_eq!(
        server.json("/api/stats"),
        cli_json(&p, &["stats", "--format", "json"])
    );
    let copies = server.json("/api/copies");
    assert_eq!(copies.as_array().unwrap().len(), 1, "{copies}");

    // Timelines: a series per query, or per outlet of one query.
    let timelines: &[(&str, &[&str])] = &[
        (
            "q=cartel&q=norway+bank&by=week",
            &["cartel", "norway bank", "--by", "week"],
        ),
        (
            "q=cartel&split=outlet&since=2025-11&match=any",
            &[
                "cartel", "--split", "outlet", "--since", "2025-11", "--match", "any",
            ],
        ),
    ];
    for (query, args) in timelines {
        let api = server.json(&format!("/api/timeline?{query}"));
        let mut cli = vec!["timeline", "--format", "json"];
        cli.extend_from_slice(args);
        assert_eq!(
            timeless(api.clone()),
            timeless(cli_json(&p, &cli)),
            "/api/timeline?{query}"
        );
        assert!(!api["series"].as_array().unwrap().is_empty(), "{api}");
    }

    // Trace: a quote, and a passage by its id; the wire story is first.
    let quote = "Governor Ida Wolden Bache said further increases could follow in June";
    let api = server.json(&format!("/api/trace?text={}", encode(quote)));
    assert_eq!(
        timeless(api.clone()),
        timeless(cli_json(&p, &["trace", quote, "--format", "json"]))
    );
    assert_eq!(api["first"]["article"]["outlet"], "Reuters", "{api}");
    assert_eq!(api["appearances"].as_array().unwrap().len(), 2, "{api}");
    let wire = &api["first"];
    let passage = format!(
        "{}#{}",
        wire["article"]["id"].as_str().unwrap(),
        wire["passage"]["index"]
    );
    let api = server.json(&format!(
        "/api/trace?from={}&outlet=courier",
        encode(&passage)
    ));
    assert_eq!(
        timeless(api.clone()),
        timeless(cli_json(
            &p,
            &["trace", "--from", &passage, "--outlet", "courier", "--format", "json"]
        ))
    );
    assert_eq!(api["appearances"].as_array().unwrap().len(), 1, "{api}");

    // An article, and one passage of it, by their ids as search gives them.
    let hit = &found["hits"][0];
    let id = hit["article"]["id"].as_str().unwrap();
    let api = server.json(&format!("/api/article/{}", encode(id)));
    assert_eq!(api, cli_json(&p, &["show", id, "--format", "json"]));
    assert!(api["copies"].is_object(), "{api}");
    let passage = format!("{id}#{}", hit["passage"]["index"]);
    let api = server.json(&format!("/api/article/{}", encode(&passage)));
    assert_eq!(api, cli_json(&p, &["show", &passage, "--format", "json"]));
    // `q` = `show --query`: the query's matches marked in the passages.
    let api = server.json(&format!("/api/article/{}?q=Norway", encode(id)));
    assert_eq!(
        api,
        cli_json(&p, &["show", id, "--query", "Norway", "--format", "json"])
    );
    assert!(
        api["passages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| !p["highlights"].as_array().unwrap().is_empty()),
        "{api}"
    );

    // A batch, streamed as JSON Lines: the lines `batch --format jsonl` prints.
    let input = "maduro\nq2\tTren de Aragua\n(broken AND\nnorway\n";
    let (status, body) = server.post("/api/batch?limit=2&articles=1", input);
    assert_eq!(status, 200, "{body}");
    let out = p
        .cmd(&["batch", "--format", "jsonl", "--limit", "2", "--articles"])
        .write_stdin(input)
        .output()
        .unwrap();
    let lines = |text: &str| -> Vec<Value> {
        text.lines()
            .map(|l| timeless(serde_json::from_str(l).unwrap()))
            .collect()
    };
    let api = lines(&body);
    assert_eq!(api, lines(&String::from_utf8(out.stdout).unwrap()));
    assert_eq!(api.len(), 2 + 1 + 1 + 2, "{body}");
    assert!(
        api.iter().any(|l| l["error"].is_string()),
        "the bad line's record: {body}"
    );
}

#[test]
fn errors_are_json_with_the_commands_message_and_a_fitting_status() {
    let p = project();
    let server = Server::start(&p, &[]);
    let error = |path: &str, status: u16| -> String {
        let (got, body) = server.get(path);
        assert_eq!(got, status, "GET {path}: {body}");
        let body: Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"));
        body["error"].as_str().unwrap().to_owned()
    };
    let cli_error = |args: &[&str]| -> String {
        let out = p.run(args);
        String::from_utf8(out.stderr).unwrap().trim().to_owned()
    };
    // A bad query or filter: 400 with the command's message.
    let message = error("/api/search?q=%28maduro+AND", 400);
    assert_eq!(
        format!("newsdex: error: {message}"),
        cli_error(&["search", "(maduro AND"])
    );
    let message = error("/api/search?q=maduro&since=yesterday", 400);
    assert_eq!(
        format!("newsdex: error: {message}"),
        cli_error(&["search", "maduro", "--since", "yesterday"])
    );
    let message = error("/api/search", 400);
    assert_eq!(
        format!("newsdex: error: {message}"),
        cli_error(&["search", ""])
    );
    let message = error("/api/count?q=maduro&by=decade", 400);
    assert_eq!(
        format!("newsdex: error: {message}"),
        cli_error(&["count", "maduro", "--by", "decade"])
    );
    let message = error("/api/trace?from=no-such-article%231", 404);
    assert_eq!(
        format!("newsdex: error: --from no-such-article#1: {message}"),
        cli_error(&["trace", "--from", "no-such-article#1"])
    );
    assert!(error("/api/trace", 400).contains("text="));
    assert!(error("/api/trace?text=a&from=b%231", 400).contains("one of them"));
    assert!(error("/api/timeline?by=week", 400).contains("q="));
    assert!(error("/api/timeline?q=x&by=year", 400).contains("'by'"));
    // A bad parameter names it.
    assert!(error("/api/search?q=x&sort=sideways", 400).contains("sort"));
    assert!(error("/api/search?q=x&limit=lots", 400).contains("limit"));
    assert!(error("/api/search?q=x&limit=1000000", 400).contains("at most"));
    assert!(error("/api/search?q=x&limt=5", 400).contains("unknown parameter 'limt'"));
    assert!(error("/api/search?q=x&q=y", 400).contains("more than once"));
    // An unknown article: 404 with the message `show` prints.
    let message = error("/api/article/no-such-article", 404);
    assert_eq!(
        format!("newsdex: {message}"),
        cli_error(&["show", "no-such-article"])
    );
    // Unknown paths and methods.
    assert!(error("/api/nothing", 404).contains("/api/nothing"));
    assert!(error("/nothing.html", 404).contains("/nothing.html"));
    let (status, body) = server.post("/api/search?q=maduro", "");
    assert_eq!(status, 405, "{body}");
    assert!(body.contains("\"error\""), "{body}");
    // A bad batch default is refused before reading the batch.
    let (status, body) = server.post("/api/batch?since=soon", "maduro\n");
    assert_eq!(status, 400, "{body}");
}

#[test]
fn requests_and_bodies_are_bounded() {
    let p = project();
    let server = Server::start(&p, &[]);
    // A body over the limit: 413, from its declared length.
    let (status, _, body) = server.raw(&format!(
        "POST /api/batch HTTP/1.1\r\nHost: {}\r\nContent-Length: {}",
        server.addr,
        5 * 1024 * 1024
    ));
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("MiB"), "{body}");
    // A body just under it is read.
    let queries = "maduro\n".repeat(3 * 1024 * 1024 / 7 / 64);
    let (status, body) = server.post("/api/batch?limit=1", &queries);
    assert_eq!(status, 200);
    assert_eq!(body.lines().count(), queries.lines().count());
    // An over-long request target: 414.
    let (status, body) = server.get(&format!("/api/search?q={}", "a+".repeat(5000)));
    assert_eq!(status, 414, "{body}");
}

#[test]
fn only_the_embedded_files_are_served_and_the_page_carries_security_headers() {
    let p = project();
    p.write("secret.txt", "SECRET-CONTENT");
    let server = Server::start(&p, &[]);
    let host = format!("Host: {}", server.addr);
    let (status, head, page) = server.raw(&format!("GET /?q=maduro HTTP/1.1\r\n{host}"));
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let csp = head
        .lines()
        .find(|l| l.starts_with("content-security-policy:"))
        .expect(&head);
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(!head.contains("access-control-allow"), "no CORS: {head}");
    // The page's scripts are files, never inline.
    for tag in page.split("<script").skip(1) {
        let tag = &tag[..tag.find('>').unwrap()];
        assert!(tag.contains("src="), "inline script: <script{tag}>");
    }
    for asset in ["/assets/app.js", "/assets/app.css"] {
        let (status, head, _) = server.raw(&format!("GET {asset} HTTP/1.1\r\n{host}"));
        assert_eq!(status, 200, "{asset}");
        assert!(head.contains("nosniff"), "{head}");
    }
    for path in [
        "/../secret.txt",
        "/assets/../secret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e%2fsecret.txt",
        "/assets/%2E%2E/secret.txt",
        "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e%5csecret.txt",
        "/%2e%2e/secret.txt",
        "/assets//etc/passwd",
        "/assets/%2fetc%2fpasswd",
        "//etc/passwd",
        "/etc/passwd",
        "/secret.txt",
        "/assets/",
        "/assets/app.js/..",
        "/src/serve/assets/app.js",
        "/Cargo.toml",
    ] {
        let (status, head, body) = server.raw(&format!("GET {path} HTTP/1.1\r\n{host}"));
        assert!(
            matches!(status, 400 | 404),
            "GET {path}: {status}\n{head}\n{body}"
        );
        assert!(
            !body.contains("SECRET-CONTENT") && !body.contains("root:"),
            "GET {path}: {body}"
        );
    }
    // A request in absolute form names a host too; a path there is no file either.
    let (status, _, body) = server.raw(&format!(
        "GET http://{}/../secret.txt HTTP/1.1\r\n{host}",
        server.addr
    ));
    assert!(matches!(status, 400 | 404), "{status} {body}");
    assert!(!body.contains("SECRET-CONTENT"));
    // A cross-origin request gets no CORS header; a preflight is not allowed.
    let (_, head, _) = server.raw(&format!(
        "GET /api/stats HTTP/1.1\r\n{host}\r\nOrigin: http://evil.example"
    ));
    assert!(!head.contains("access-control-allow"), "{head}");
    let (status, head, _) = server.raw(&format!(
        "OPTIONS /api/stats HTTP/1.1\r\n{host}\r\nOrigin: http://evil.example\r\nAccess-Control-Request-Method: GET"
    ));
    assert_eq!(status, 405);
    assert!(!head.contains("access-control-allow"), "{head}");
}

#[test]
fn requests_for_another_host_name_are_refused() {
    let p = project();
    let server = Server::start(&p, &[]);
    let port = server.addr.rsplit_once(':').unwrap().1.to_owned();
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "localhost".to_owned(),
    ] {
        let (status, _, body) = server.raw(&format!("GET /api/stats HTTP/1.1\r\nHost: {host}"));
        assert_eq!(status, 200, "Host: {host}: {body}");
    }
    // DNS rebinding: another name resolving to 127.0.0.1.
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        format!("localhost:{}", port.parse::<u32>().unwrap() + 1),
    ] {
        for path in ["/api/stats", "/", "/assets/app.js"] {
            let (status, _, body) = server.raw(&format!("GET {path} HTTP/1.1\r\nHost: {host}"));
            assert_eq!(status, 403, "Host: {host} {path}: {body}");
            let error: Value = serde_json::from_str(&body).unwrap();
            assert!(error["error"].as_str().unwrap().contains("Host"), "{body}");
        }
    }
    // HTTP/1.0 without a Host header.
    let (status, _, _) = server.raw("GET /api/stats HTTP/1.0");
    assert_eq!(status, 400);
}

#[test]
fn it_listens_on_loopback_unless_told_and_warns_when_told() {
    let p = project();
    let server = Server::start(&p, &[]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let (code, stderr) = server.interrupt();
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(code, Some(0), "{stderr}");

    let server = Server::start(&p, &["--bind", "0.0.0.0"]);
    let (status, _) = server.get("/api/stats");
    assert_eq!(status, 200);
    let (code, stderr) = server.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("warning: listening on 0.0.0.0:")
            && stderr.contains("anyone who can reach this address can read"),
        "{stderr}"
    );
}

#[test]
fn ctrl_c_stops_it_cleanly_and_open_without_a_browser_is_no_error() {
    let p = project();
    // No browser to be found: a note, and the server runs on.
    let server = Server::start_with(&p, &["--open"], &[("PATH", "/nonexistent")]);
    let (status, _) = server.get("/api/stats");
    assert_eq!(status, 200);
    let (code, stderr) = server.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("no web browser found to open"), "{stderr}");
    assert!(stderr.contains("newsdex: stopped"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn open_launches_the_browser_with_the_page() {
    use std::os::unix::fs::PermissionsExt;
    let p = project();
    let opened = p.path("opened.txt");
    p.write(
        "browser.sh",
        format!("#!/bin/sh\necho \"$1\" > '{}'\n", opened.display()),
    );
    let browser = p.path("browser.sh");
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let server = Server::start_with(&p, &["--open"], &[("BROWSER", browser.to_str().unwrap())]);
    let started = Instant::now();
    while !opened.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(std::fs::read_to_string(&opened).unwrap().trim(), server.url);
}

#[test]
fn it_sees_new_commits_of_a_concurrent_index_without_a_restart() {
    let p = project();
    let server = Server::start(&p, &[]);
    let hits = |server: &Server| {
        server.json("/api/search?q=quokka")["total_hits"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(hits(&server), 0);
    let before = server.json("/api/stats")["articles"].as_u64().unwrap();
    p.write(
        "corpus/quokka.md",
        article(
            "Perth Post",
            "2025-04-01",
            "Quokkas",
            "A quokka was seen on Rottnest Island.",
        ),
    );
    p.index();
    assert_eq!(hits(&server), 1, "the new commit is searched");
    assert_eq!(
        server.json("/api/stats")["articles"].as_u64().unwrap(),
        before + 1
    );
    let api = server.json("/api/search?q=quokka");
    assert_eq!(
        timeless(api),
        timeless(cli_json(&p, &["search", "quokka", "--format", "json"]))
    );
    // Removing it is seen too.
    std::fs::remove_file(p.path("corpus/quokka.md")).unwrap();
    p.index();
    assert_eq!(hits(&server), 0);
}
