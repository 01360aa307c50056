//! The one axum Router every entry point serves: pages, server functions and static assets.

use crate::limits::{FORM_BODY_LIMIT, IMPORT_BODY_LIMIT};
use app::api::site::{NotThroughProxy, Peer, Site};
use app::state::AppState;
use app::{App, shell};
use axum::Router;
use http::{HeaderValue, header};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Builds the router over a ready [`AppState`].
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    let pkg_dir =
        std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    // Hashed file names never change content: cache them for a year. Without hashes, revalidate.
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let pkg = Router::new()
        .fallback_service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ));
    Router::new()
        .route(
            crate::export::PATH,
            axum::routing::get(crate::export::mapping_csv),
        )
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest(&format!("/{}", options.site_pkg_dir), pkg)
        // Pages no route matches (the 404 page) render the same shell — its status line and
        // session reads need the state too.
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            {
                let state = state.clone();
                move || leptos::prelude::provide_context(state.clone())
            },
            shell,
        ))
        // Inside the compression, so it reads the error as the server function wrote it.
        .layer(axum::middleware::from_fn(error_status))
        // Inside the body limits: a form's body is read whole before a draft is kept of it.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::drafts::drafts,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            body_limits,
        ))
        .layer(CompressionLayer::new())
        // Same-origin referrers keep the no-JavaScript redirect back to the form working.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // No page of tenantmap uses the camera, the microphone, the location, payments or USB.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(
                "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
            ),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            sessions,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            host_and_client,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The files of `public/` (copied to the site root by `scripts/build-site.sh`): served to anyone,
/// signed in or not — a browser asks for the icons and the manifest, a crawler for `robots.txt`,
/// without a session. A test checks this list against the folder.
pub const PUBLIC_FILES: [&str; 7] = [
    "/robots.txt",
    "/favicon.svg",
    "/manifest.webmanifest",
    "/apple-touch-icon.png",
    "/icon-192.png",
    "/icon-512.png",
    "/icon-maskable-512.png",
];

/// Whether a request that may change something came from another site: its `Sec-Fetch-Site`
/// is present and not `same-origin`, or its `Origin` is present and neither this host nor a
/// configured public origin.
pub fn is_cross_site(site: &Site, method: &http::Method, headers: &http::HeaderMap) -> bool {
    if matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
    ) {
        return false;
    }
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let fetch_site = text(header::HeaderName::from_static("sec-fetch-site"));
    if fetch_site.is_some_and(|s| s != "same-origin") {
        return true;
    }
    match text(header::ORIGIN) {
        None => false,
        Some(origin) => !site.is_own_origin(origin, text(header::HOST)),
    }
}

/// Refuses cross-site changes before any server function runs (forged form posts).
async fn refuse_cross_site(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if is_cross_site(&state.site, req.method(), req.headers()) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return (http::StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

/// Answers only for this installation's names (no DNS rebinding of a local install: see
/// [`Site::knows_host`]), and notes who is asking (`ClientAddress`, from [`Site::client_of`]):
/// the trusted proxy's header when the request proves it came through the proxy, else the
/// Lambda event's source ([`Peer`], put there by the Lambda entry point), else the
/// connection's peer. With a proxy configured, a request that bypassed it is refused.
async fn host_and_client(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    if let Some(host) = host.filter(|h| !state.site.knows_host(h)) {
        tracing::warn!(%host, "refused a request for an unknown host");
        let message = format!(
            "This tenantmap does not answer for {host}. If that is its address, set TENANTMAP_PUBLIC_ORIGIN to it (for example https://{host})."
        );
        return (http::StatusCode::MISDIRECTED_REQUEST, message).into_response();
    }
    let peer = req.extensions().get::<Peer>().map(|p| p.0).or_else(|| {
        req.extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip())
    });
    match state.site.client_of(peer, req.headers()) {
        Ok(Some(client)) => {
            req.extensions_mut().insert(client);
        }
        Ok(None) => {}
        Err(NotThroughProxy) => {
            tracing::warn!(
                ?peer,
                "refused a request that did not come through the proxy"
            );
            return (
                http::StatusCode::FORBIDDEN,
                "This tenantmap is reached through its proxy only.",
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// Where a page request goes, given who asks. `None`: serve it.
pub fn page_gate(path: &str, signed_in: bool, installed: bool) -> Option<String> {
    const PUBLIC: [&str; 2] = ["/sign-in", "/first-run"];
    match (path, signed_in, installed) {
        ("/first-run", _, false) => None,
        ("/first-run", true, true) | ("/sign-in", true, _) => Some("/".into()),
        ("/first-run", false, true) => Some("/sign-in".into()),
        (_, false, false) => Some("/first-run".into()),
        (p, false, true) if !PUBLIC.contains(&p) => Some(app::components::url(
            "/sign-in",
            &[("next", if p == "/" { "" } else { p })],
        )),
        _ => None,
    }
}

/// The session layer: finds the caller from the session cookie once per request and puts it
/// in the request's extensions (where `auth::caller` looks), sends signed-out page
/// requests to sign-in (or first-run), and tells the browser to drop a cookie whose session
/// has ended. Static assets skip it.
async fn sessions(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use app::auth::{Resolved, clear_cookie, is_https, resolve};
    use axum::response::{IntoResponse, Redirect};
    let path = req.uri().path().to_string();
    if path.starts_with(&format!("/{}/", state.leptos_options.site_pkg_dir)) {
        return next.run(req).await;
    }
    if PUBLIC_FILES.contains(&path.as_str()) {
        let mut resp = next.run(req).await;
        resp.headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("public, max-age=86400"));
        return resp;
    }
    let https = is_https(req.headers(), req.uri());
    if app::auth::session_cookie_count(req.headers(), https) > 1 {
        tracing::warn!(%path, "refused a request with two session cookies");
        let message = "Your browser sent two session cookies for this site, so it is not clear who you are. They are cleared now: sign in again.";
        let mut resp = (http::StatusCode::BAD_REQUEST, message).into_response();
        for clear in app::auth::clear_cookies_along(&path, https) {
            if let Ok(v) = HeaderValue::from_str(&clear) {
                resp.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        return resp;
    }
    let resolved = match resolve(&*state.store, req.headers(), https).await {
        Ok(r) => r,
        Err(e) => {
            // A server function's caller reads the typed error; a page shows the sentence.
            let err = app::error::AppError::from(e);
            let status = http::StatusCode::from_u16(err.status()).unwrap_or_default();
            if path.starts_with("/api/") {
                let body = serde_json::to_string(&err).unwrap_or_default();
                return (status, [(header::CONTENT_TYPE, "application/json")], body)
                    .into_response();
            }
            return (status, err.to_string()).into_response();
        }
    };
    let signed_in = matches!(resolved, Resolved::SignedIn(_));
    if let Resolved::SignedIn(caller) = &resolved {
        req.extensions_mut().insert(caller.clone());
    }
    let is_page = req.method() == http::Method::GET && !path.starts_with("/api/");
    let mut resp = if is_page {
        // Only a signed-out page request needs to know whether any account exists.
        let installed = signed_in || state.store.installed().await.unwrap_or(true);
        let full = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or(path.clone());
        let target = page_gate(&path, signed_in, installed).map(|t| {
            // Keep the query string of the page asked for.
            if t.starts_with("/sign-in?next=") && full != path {
                app::components::url("/sign-in", &[("next", &full)])
            } else {
                t
            }
        });
        match target {
            Some(to) => Redirect::to(&to).into_response(),
            None => next.run(req).await,
        }
    } else {
        next.run(req).await
    };
    let headers = resp.headers_mut();
    if matches!(resolved, Resolved::Ended)
        && !headers.contains_key(header::SET_COOKIE)
        && let Ok(v) = HeaderValue::from_str(&clear_cookie(https))
    {
        headers.append(header::SET_COOKIE, v);
    }
    // Pages and answers are per user: no shared or back-button cache keeps them.
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    // Served over HTTPS, the browser keeps to HTTPS for this host for a year.
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
    resp
}

/// The server functions that take a CSV file as `multipart/form-data`.
const UPLOADS: [&str; 2] = ["/api/import-tenants", "/api/import-mappings"];

/// A typed error as a server function would answer it (JSON, with its status).
fn answer(err: app::error::AppError) -> axum::response::Response {
    use axum::response::IntoResponse;
    let status = http::StatusCode::from_u16(err.status()).unwrap_or_default();
    let body = serde_json::to_string(&err).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Bounds a request's body by its route's limit before anything else reads it: a larger one is
/// answered 413 with what the limit is, whoever sends it, and never reaches a server function.
/// A form (64 KB) is read here whole. An upload is refused unread unless an Administrator
/// sends it (the session layer has run), waits for its turn among the uploads read at once
/// (`Uploads`), and is then streamed to the server function through the limit — held once, by
/// the function that reads it.
async fn body_limits(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use app::error::AppError;
    if req.method() == http::Method::GET || req.method() == http::Method::HEAD {
        return next.run(req).await;
    }
    let upload = UPLOADS.contains(&req.uri().path());
    let (limit, message) = if upload {
        (
            IMPORT_BODY_LIMIT,
            "The file is larger than 5 MB: import it in parts.",
        )
    } else {
        (
            FORM_BODY_LIMIT,
            "The request is too large: a form here is at most 64 KB.",
        )
    };
    let too_large = || {
        let mut resp = answer(AppError::validation("form", message));
        *resp.status_mut() = http::StatusCode::PAYLOAD_TOO_LARGE;
        resp
    };
    if upload {
        match req.extensions().get::<app::auth::Caller>() {
            None => return answer(AppError::NotSignedIn),
            Some(c) if c.role != app::domain::Role::Administrator => {
                return answer(AppError::NotAllowed);
            }
            Some(_) => {}
        }
        // The upload's decoder panics on a body that is not multipart with a boundary
        // (server_fn 0.8 `expect`s one): refuse anything else here, clearly.
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if content_type.is_none_or(|ct| multer::parse_boundary(ct).is_err()) {
            let mut resp = answer(AppError::validation(
                "csv",
                "The import takes a file upload (multipart/form-data): use the form on its page.",
            ));
            *resp.status_mut() = http::StatusCode::UNSUPPORTED_MEDIA_TYPE;
            return resp;
        }
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    if upload {
        let _turn = match state.uploads.turn().await {
            Ok(turn) => turn,
            Err(e) => return answer(e),
        };
        let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
        return next
            .run(axum::extract::Request::from_parts(parts, body))
            .await;
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            ))
            .await
        }
        Err(_) => too_large(),
    }
}

/// Gives a failed server function call the status of its typed error (Leptos answers every
/// failure with 500): 401 not signed in, 403 not allowed, 404, 409 conflicts, 422 bad input,
/// 429 slow down. Only real server errors stay 500 (and only they are logged as failures).
async fn error_status(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let is_api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    if !is_api || resp.status() != http::StatusCode::INTERNAL_SERVER_ERROR {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    // Our own JSON error, a few hundred bytes; should one ever not be read, the answer is
    // still an error with a reference, not an empty body.
    let bytes = match axum::body::to_bytes(body, 1 << 20).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let err = app::error::AppError::internal(format!("unreadable error answer: {e}"));
            serde_json::to_vec(&err).unwrap_or_default().into()
        }
    };
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes)
        && let Ok(status) = http::StatusCode::from_u16(err.status())
    {
        parts.status = status;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Serves the router on a free loopback port in the background (tests, benchmarks); returns
/// its base URL.
pub async fn spawn_on_free_port(state: AppState) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(%e, "test server stopped");
        }
    });
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::{PUBLIC_FILES, Site, is_cross_site, page_gate};

    #[test]
    fn every_file_of_public_is_served_without_a_session() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../public");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| format!("/{}", e.file_name().to_string_lossy()))
            .collect();
        files.sort();
        let mut listed: Vec<String> = PUBLIC_FILES.iter().map(|f| f.to_string()).collect();
        listed.sort();
        assert_eq!(files, listed);
    }

    #[test]
    fn signed_out_pages_go_to_sign_in_or_first_run() {
        assert_eq!(page_gate("/organizations", true, true), None);
        assert_eq!(
            page_gate("/organizations", false, true).as_deref(),
            Some("/sign-in?next=%2Forganizations")
        );
        assert_eq!(page_gate("/", false, true).as_deref(), Some("/sign-in"));
        assert_eq!(page_gate("/sign-in", false, true), None);
        assert_eq!(page_gate("/sign-in", true, true).as_deref(), Some("/"));
        assert_eq!(
            page_gate("/organizations", false, false).as_deref(),
            Some("/first-run")
        );
        assert_eq!(
            page_gate("/sign-in", false, false).as_deref(),
            Some("/first-run")
        );
        assert_eq!(page_gate("/first-run", false, false), None);
        assert_eq!(
            page_gate("/first-run", false, true).as_deref(),
            Some("/sign-in")
        );
        assert_eq!(page_gate("/first-run", true, true).as_deref(), Some("/"));
    }
    use http::{HeaderMap, Method};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    http::HeaderName::from_static(k),
                    http::HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn only_same_origin_changes_pass() {
        let site = Site::default();
        let host = ("host", "tenantmap.example:3000");
        assert!(
            !is_cross_site(&site, &Method::POST, &headers(&[host])),
            "a client without browser headers"
        );
        assert!(!is_cross_site(
            &site,
            &Method::POST,
            &headers(&[
                host,
                ("origin", "http://tenantmap.example:3000"),
                ("sec-fetch-site", "same-origin")
            ])
        ));
        assert!(is_cross_site(
            &site,
            &Method::POST,
            &headers(&[host, ("origin", "https://evil.example")])
        ));
        assert!(is_cross_site(
            &site,
            &Method::POST,
            &headers(&[host, ("origin", "null")])
        ));
        assert!(is_cross_site(
            &site,
            &Method::POST,
            &headers(&[host, ("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_site(
            &site,
            &Method::POST,
            &headers(&[host, ("sec-fetch-site", "same-site")])
        ));
        assert!(
            !is_cross_site(
                &site,
                &Method::GET,
                &headers(&[host, ("sec-fetch-site", "cross-site")])
            ),
            "links from elsewhere still open pages"
        );
    }

    #[test]
    fn behind_a_proxy_the_public_origin_is_own() {
        let lambda = ("host", "abc.lambda-url.us-east-1.on.aws");
        let from_cloudfront = headers(&[
            lambda,
            ("origin", "https://tenantmap.msp.example"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(is_cross_site(
            &Site::default(),
            &Method::POST,
            &from_cloudfront
        ));
        let site = Site {
            public_origins: vec!["https://tenantmap.msp.example".into()],
            ..Default::default()
        };
        assert!(!is_cross_site(&site, &Method::POST, &from_cloudfront));
    }
}
