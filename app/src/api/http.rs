//! What a server function may read from, or add to, the HTTP exchange itself.

use leptos::prelude::*;

/// True for a plain HTML form post (JavaScript off): it asks for HTML, not a server fn reply.
pub async fn accepts_html() -> bool {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Adds a `Set-Cookie` header to this response; `cookie(https)` builds it for the scheme the
/// browser used.
pub fn set_cookie(cookie: impl FnOnce(bool) -> String) {
    let https = use_context::<http::request::Parts>()
        .map(|p| crate::auth::is_https(&p.headers, &p.uri))
        .unwrap_or(false);
    if let (Some(resp), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie(https)),
    ) {
        resp.append_header(http::header::SET_COOKIE, value);
    }
}
