//! A refused form comes back as it was left (`app::forms`): when a plain form post to a server
//! function is refused — Leptos answers with a redirect back to the form's page, the error in
//! its URL — what was posted goes along in a cookie that lives two minutes, sealed for the
//! browser's session (never a password or a secret: `forms::KEPT_BACK`), and the redirect lands
//! on the page's error summary (`#problems`). The next page request takes the draft out of the
//! cookie into the request (where the page's form reads it) and clears the cookie.

use app::auth::{Caller, sealed_purpose, value_key};
use app::forms::Draft;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, Method, header};

/// The cookie's name.
pub const COOKIE: &str = "tenantmap_draft";
/// What the cookie's value is sealed for.
const PURPOSE: &str = "draft";
/// A draft larger than this is not kept (a cookie holds about 4 KB): the form comes back with
/// its error and what is stored. No form of tenantmap comes near it when typed by hand.
const MAX_COOKIE: usize = 3_800;

fn is_form_post(req: &Request) -> bool {
    let header = |name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && header(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
        && header(header::ACCEPT).contains("text/html")
}

/// The redirect Leptos answers a refused plain form post with: back, the error in the URL.
fn refused(resp: &Response) -> bool {
    resp.status().is_redirection()
        && resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.contains("__err="))
}

fn cookie(value: &str, max_age: u32, https: bool) -> Option<HeaderValue> {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

pub async fn drafts(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let https = app::auth::is_https(req.headers(), req.uri());
    let session = req
        .extensions()
        .get::<Caller>()
        .map(|c| c.session.clone())
        .unwrap_or_default();
    let purpose = sealed_purpose(PURPOSE, &session);
    if is_form_post(&req) {
        let path = req.uri().path().to_string();
        let (parts, body) = req.into_parts();
        // The body was read whole (and bounded) by `router::body_limits`: this is a copy.
        let Ok(bytes) = axum::body::to_bytes(body, crate::limits::FORM_BODY_LIMIT).await else {
            return next
                .run(Request::from_parts(parts, axum::body::Body::empty()))
                .await;
        };
        let mut resp = next
            .run(Request::from_parts(
                parts,
                axum::body::Body::from(bytes.clone()),
            ))
            .await;
        if refused(&resp) {
            let draft = Draft::from_form(&path, &bytes);
            let json = serde_json::to_string(&draft).unwrap_or_default();
            let sealed = value_key(Some(&state)).seal_value(&purpose, json.as_bytes());
            if sealed.len() <= MAX_COOKIE
                && let Some(v) = cookie(&sealed, 120, https)
            {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
            // Land on the form's summary of what to fix.
            if let Some(location) = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .filter(|l| !l.contains('#'))
                .and_then(|l| HeaderValue::from_str(&format!("{l}#problems")).ok())
            {
                resp.headers_mut().insert(header::LOCATION, location);
            }
        }
        return resp;
    }
    let sealed = app::auth::cookie_values(req.headers(), COOKIE)
        .next()
        .map(str::to_string);
    let Some(sealed) = sealed.filter(|_| req.method() == Method::GET) else {
        return next.run(req).await;
    };
    if let Some(draft) = value_key(Some(&state))
        .open_value(&purpose, &sealed)
        .and_then(|json| serde_json::from_slice::<Draft>(&json).ok())
    {
        req.extensions_mut().insert(draft);
    }
    let mut resp = next.run(req).await;
    if let Some(v) = cookie("", 0, https) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
