//! What every request passes before it is answered, and what every answer
//! carries: the `Host` check against DNS rebinding, a bound on the length
//! of the request target, and security headers. Errors of the HTTP layer
//! (a wrong method, a malformed path) become JSON errors like the API's own.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::api::ApiError;
use super::AppState;

/// The longest request target (path and query) answered: 8 KiB. A query
/// is a few words; this leaves room for many outlets.
pub const MAX_TARGET: usize = 8 * 1024;

/// The page's Content-Security-Policy: scripts, styles, images and API
/// calls from this server only; no inline script or style, no frames,
/// no plugins, no other origin.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The names by which the server may be addressed.
#[derive(Debug, Clone)]
pub struct Hosts {
    /// The address the server listens on.
    bind: IpAddr,
    /// The port it listens on.
    port: u16,
}

impl Hosts {
    pub fn new(bind: IpAddr, port: u16) -> Hosts {
        Hosts { bind, port }
    }

    /// Whether a `Host` header names this server: `localhost`, a loopback
    /// address or the bound address, with this port or none. A server
    /// bound to every address (`0.0.0.0`, `::`) also takes any address
    /// literal (a name is what DNS rebinding needs).
    pub fn allows(&self, host: &str) -> bool {
        let (name, port) = split_host(host);
        if port.is_some_and(|p| p != self.port) {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match name.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || ip == self.bind || self.bind.is_unspecified(),
            Err(_) => false,
        }
    }
}

/// `name[:port]` or `[v6]:port` → the name (without brackets) and the port.
/// An unparsable port is `Some(0)`, which no server listens on.
fn split_host(host: &str) -> (&str, Option<u16>) {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((name, after)) => (name, after.strip_prefix(':')),
            None => (host, None),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if !name.contains(':') => (name, Some(port)),
            _ => (host, None),
        }
    };
    (name, port.map(|p| p.parse().unwrap_or(0)))
}

/// Checks a request, answers it, and adds the security headers.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let refused = check(&state, &request);
    let mut response = match refused {
        Some(error) => error.into_response(),
        None => {
            let asked = format!("{} {}", request.method(), request.uri().path());
            as_json_error(next.run(request).await, &asked).await
        }
    };
    let headers = response.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn check(state: &AppState, request: &Request) -> Option<ApiError> {
    let target = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target > MAX_TARGET {
        return Some(ApiError::new(
            StatusCode::URI_TOO_LONG,
            format!(
                "the request is {target} bytes long; at most {} KiB",
                MAX_TARGET / 1024
            ),
        ));
    }
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("(not text)"));
    match host {
        Some(host) if state.hosts.allows(host) => None,
        Some(host) => Some(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "refused: the Host header '{host}' does not name this server (use http://localhost:{}/); \
                 newsdex answers only its own address, so other web pages cannot read the collection",
                state.hosts.port
            ),
        )),
        None => Some(ApiError::bad_request("refused: the request has no Host header")),
    }
}

/// An error of the HTTP layer (no body or a text one) as `{"error": …}`.
async fn as_json_error(response: Response, asked: &str) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = match (status, text.is_empty()) {
        (StatusCode::METHOD_NOT_ALLOWED, _) => format!("method not allowed: {asked}"),
        (_, false) => text,
        (_, true) => status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    let mut answer = ApiError::new(status, message).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_this_server_by_name_or_address() {
        let local = Hosts::new("127.0.0.1".parse().unwrap(), 8080);
        for ok in [
            "localhost",
            "localhost:8080",
            "LOCALHOST:8080",
            "127.0.0.1:8080",
            "127.0.0.1",
            "[::1]:8080",
            "[::1]",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8080",
            "localhost:8081",
            "localhost:x",
            "127.0.0.1:80",
            "10.0.0.2:8080",
            "localhost.evil.example:8080",
            "",
            "[::1",
        ] {
            assert!(!local.allows(bad), "{bad}");
        }
        let everywhere = Hosts::new("0.0.0.0".parse().unwrap(), 8080);
        assert!(everywhere.allows("10.0.0.2:8080"));
        assert!(everywhere.allows("[fe80::1]:8080"));
        assert!(!everywhere.allows("evil.example:8080"));
        let lan = Hosts::new("192.168.1.5".parse().unwrap(), 80);
        assert!(lan.allows("192.168.1.5"));
        assert!(!lan.allows("192.168.1.6"));
    }
}
