//! A refused form comes back as it was left (`app::forms`): when a plain form post to a server
//! function is refused — Leptos answers with a redirect back to the form's page, the error in
//! its URL — what was posted goes along in a cookie that lives two minutes, sealed for the
//! browser's session (never a password or a secret: `forms::KEPT_BACK`), and the redirect lands
//! on the page's error summary (`#problems`). The next page request takes the draft out of the
//! cookie into the request (where the page's form reads it) and clears the cookie.
//!
//! The refusal itself rides in the redirect's URL (`__path`, `__err`), and Leptos would show any
//! such URL as the app's own focused alert — a link anyone can make. So a refused post also sets
//! a cookie with the refusal's hash, sealed for the session, and a page request whose URL carries
//! a refusal keeps it only when that cookie vouches for it: every other `__err`/`__path` is
//! stripped before the app reads the URL.

use app::auth::{Caller, sealed_purpose, value_key};
use app::forms::Draft;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, Method, header};

/// The cookie's name.
pub const COOKIE: &str = "tenantmap_draft";
/// The cookie that vouches for the refusal in the redirect's URL.
pub const REFUSAL_COOKIE: &str = "tenantmap_refusal";
/// What that cookie is sealed for.
const REFUSAL_PURPOSE: &str = "refusal";
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
    named_cookie(COOKIE, value, max_age, https)
}

fn named_cookie(name: &str, value: &str, max_age: u32, https: bool) -> Option<HeaderValue> {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .ok()
}

/// The refusal a URL (or a redirect's location) carries: the hash of its `__path` and `__err`.
fn refusal_in(url: &str) -> Option<String> {
    use sha2::Digest;
    let query = url.split_once('?')?.1.split('#').next().unwrap_or_default();
    let (mut path, mut err) = (None, None);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("__path", v)) => path = Some(v),
            Some(("__err", v)) => err = Some(v),
            _ => {}
        }
    }
    if path.is_none() && err.is_none() {
        return None;
    }
    let digest = sha2::Sha256::digest(format!(
        "{}\n{}",
        path.unwrap_or_default(),
        err.unwrap_or_default()
    ));
    Some(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// `uri` without `__path` and `__err`.
fn without_refusal(uri: &http::Uri) -> http::Uri {
    let query: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| {
            !p.is_empty() && !p.starts_with("__err=") && !p.starts_with("__path=") && {
                let key = p.split('=').next().unwrap_or_default();
                key != "__err" && key != "__path"
            }
        })
        .collect();
    let path_and_query = if query.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{}", uri.path(), query.join("&"))
    };
    http::Uri::builder()
        .path_and_query(path_and_query)
        .build()
        .unwrap_or_else(|_| http::Uri::from_static("/"))
}

pub async fn drafts(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let https = app::auth::is_https(req.headers(), req.uri());
    let session = req
        .extensions()
        .get::<Caller>()
        .map(|c| c.session.clone())
        .unwrap_or_default();
    let purpose = sealed_purpose(PURPOSE, &session);
    if req.method() == Method::POST && req.uri().path().starts_with("/api/") && !is_form_post(&req)
    {
        // A multipart upload, say: its refusal is vouched for; nothing of it is kept.
        let mut resp = next.run(req).await;
        vouch_for_refusal(&mut resp, &state, &session, https);
        return resp;
    }
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
        vouch_for_refusal(&mut resp, &state, &session, https);
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
    // A refusal in the URL is shown only as the one this session's post produced.
    let refusal = refusal_in(&req.uri().to_string());
    if let Some(mark) = &refusal {
        let vouched = app::auth::cookie_values(req.headers(), REFUSAL_COOKIE)
            .filter_map(|sealed| {
                value_key(Some(&state))
                    .open_value(&sealed_purpose(REFUSAL_PURPOSE, &session), sealed)
            })
            .any(|opened| opened == mark.as_bytes());
        if !vouched {
            *req.uri_mut() = without_refusal(req.uri());
        }
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

/// A refused post's redirect: the cookie that vouches for its refusal, for this session.
fn vouch_for_refusal(resp: &mut Response, state: &AppState, session: &str, https: bool) {
    if !refused(resp) {
        return;
    }
    let Some(mark) = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(refusal_in)
    else {
        return;
    };
    let sealed = value_key(Some(state))
        .seal_value(&sealed_purpose(REFUSAL_PURPOSE, session), mark.as_bytes());
    if let Some(v) = named_cookie(REFUSAL_COOKIE, &sealed, 120, https) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_is_read_from_the_url_and_stripped_from_it() {
        let a = refusal_in("/sign-in?__path=/api/sign-in&__err=eyJ9&next=/x").unwrap();
        assert_eq!(
            refusal_in("http://h/sign-in?next=/x&__err=eyJ9&__path=/api/sign-in#problems"),
            Some(a.clone())
        );
        assert_ne!(
            refusal_in("/sign-in?__path=/api/sign-in&__err=eyJ8"),
            Some(a)
        );
        assert_eq!(refusal_in("/sign-in?next=/x"), None);
        let uri: http::Uri = "/sign-in?__path=/api/sign-in&next=%2Fx&__err=eyJ9"
            .parse()
            .unwrap();
        assert_eq!(without_refusal(&uri).to_string(), "/sign-in?next=%2Fx");
        let uri: http::Uri = "/organizations?__err=x".parse().unwrap();
        assert_eq!(without_refusal(&uri).to_string(), "/organizations");
    }
}
