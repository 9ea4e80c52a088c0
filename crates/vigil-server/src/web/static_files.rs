//! The dashboard's own stylesheet and script, compiled into the binary and
//! served under `/ui/static/` with their content hash in the file name:
//! cached for a year, replaced by a new name when they change.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct File {
    /// The name without the hash (`vigil.css`).
    name: &'static str,
    /// The served name (`vigil.0123456789.css`).
    hashed: String,
    /// `/ui/static/<hashed>`.
    url: String,
    etag: String,
    content_type: &'static str,
    body: &'static [u8],
}

static FILES: LazyLock<Vec<File>> = LazyLock::new(|| {
    [
        (
            "vigil.css",
            "text/css; charset=utf-8",
            include_bytes!("../../static/vigil.css").as_slice(),
        ),
        (
            "vigil.js",
            "text/javascript; charset=utf-8",
            include_bytes!("../../static/vigil.js").as_slice(),
        ),
    ]
    .into_iter()
    .map(|(name, content_type, body)| {
        let hash = hex::encode(&Sha256::digest(body)[..6]);
        let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
        let hashed = format!("{stem}.{hash}.{ext}");
        File {
            name,
            url: format!("/ui/static/{hashed}"),
            hashed,
            etag: format!("\"{hash}\""),
            content_type,
            body,
        }
    })
    .collect()
});

/// The URL of a static file by its plain name (`vigil.css`).
pub fn url(name: &str) -> &'static str {
    FILES
        .iter()
        .find(|f| f.name == name)
        .map_or("/ui/static/missing", |f| f.url.as_str())
}

/// `GET /ui/static/{name}`: the file, cached for a year (its name changes
/// with its content), 304 to a matching `If-None-Match`.
pub async fn serve(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = FILES.iter().find(|f| f.hashed == name) else {
        return (StatusCode::NOT_FOUND, "no such file\n").into_response();
    };
    let cache = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(&file.etag).unwrap_or(HeaderValue::from_static("\"\"")),
        ),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == file.etag));
    if matches {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (
        cache,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(file.content_type),
        )],
        file.body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_carry_the_content_hash() {
        let css = url("vigil.css");
        assert!(
            css.starts_with("/ui/static/vigil.") && css.ends_with(".css"),
            "{css}"
        );
        assert_eq!(css.len(), "/ui/static/vigil..css".len() + 12);
        assert_eq!(url("nothing"), "/ui/static/missing");
    }
}
