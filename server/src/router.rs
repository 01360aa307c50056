//! The one axum Router every entry point serves: pages, server functions and static assets.

use app::api::context::AppState;
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
        .leptos_routes(&state, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .nest(&format!("/{}", options.site_pkg_dir), pkg)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
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
        .layer(axum::middleware::from_fn(refuse_cross_site))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Whether a request that may change something came from another site: its `Sec-Fetch-Site`
/// is present and not `same-origin`, or its `Origin` is present and not this host.
pub fn is_cross_site(method: &http::Method, headers: &http::HeaderMap) -> bool {
    if matches!(
        *method,
        http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
    ) {
        return false;
    }
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let fetch_site = text(header::HeaderName::from_static("sec-fetch-site"));
    if fetch_site.is_some_and(|site| site != "same-origin") {
        return true;
    }
    match (text(header::ORIGIN), text(header::HOST)) {
        (None, _) => false,
        (Some(origin), Some(host)) => {
            origin.split_once("://").map(|(_, authority)| authority) != Some(host)
        }
        (Some(_), None) => true,
    }
}

/// Refuses cross-site changes before any server function runs (forged form posts).
async fn refuse_cross_site(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    if is_cross_site(req.method(), req.headers()) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return (http::StatusCode::FORBIDDEN, "Cross-site request refused.").into_response();
    }
    next.run(req).await
}

/// Serves the router on a free loopback port in the background (tests, benchmarks); returns
/// its base URL.
pub async fn spawn_on_free_port(state: AppState) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = router(state);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(%e, "test server stopped");
        }
    });
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::is_cross_site;
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
        let host = ("host", "tenantmap.example:3000");
        assert!(
            !is_cross_site(&Method::POST, &headers(&[host])),
            "a client without browser headers"
        );
        assert!(!is_cross_site(
            &Method::POST,
            &headers(&[
                host,
                ("origin", "http://tenantmap.example:3000"),
                ("sec-fetch-site", "same-origin")
            ])
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[host, ("origin", "https://evil.example")])
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[host, ("origin", "null")])
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[host, ("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_site(
            &Method::POST,
            &headers(&[host, ("sec-fetch-site", "same-site")])
        ));
        assert!(
            !is_cross_site(
                &Method::GET,
                &headers(&[host, ("sec-fetch-site", "cross-site")])
            ),
            "links from elsewhere still open pages"
        );
    }
}
