//! The page's files, embedded in the binary at build time: nothing is read
//! from disk, or fetched, when the server runs. Only the names listed here
//! exist; any other path is a 404, whatever it spells (`..`, `%2e%2e%2f`,
//! an absolute path).

use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::api::ApiError;

/// An embedded file served under `/assets/NAME`.
struct Asset {
    name: &'static str,
    mime: &'static str,
    body: &'static [u8],
}

/// The page, `GET /` (whatever its query: the page reads its state from it).
const PAGE: &[u8] = include_bytes!("assets/index.html");

/// The files under `/assets/`. Add a file here to serve it.
const ASSETS: &[Asset] = &[
    Asset {
        name: "app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("assets/app.js"),
    },
    Asset {
        name: "app.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("assets/app.css"),
    },
];

/// `GET /`
pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
        .into_response()
}

/// `GET /assets/{name}`: an embedded file, or 404.
pub async fn asset(Path(name): Path<String>) -> Result<Response, ApiError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.name == name)
        .ok_or_else(|| ApiError::not_found(&format!("/assets/{name}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, asset.mime),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        asset.body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn asset_names_are_plain_file_names() {
        for asset in super::ASSETS {
            assert!(
                !asset.name.is_empty()
                    && asset
                        .name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    && !asset.name.starts_with('.'),
                "{}",
                asset.name
            );
        }
    }
}
