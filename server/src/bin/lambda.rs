//! The AWS Lambda entry point: the same axum router as `server serve` — pages, server
//! functions, `/pkg` assets — behind a Function URL or an HTTP API, on the DynamoDB store.
//!
//! Configuration is the environment: `TENANTMAP_TABLE`, the AWS SDK's own variables, and the
//! `LEPTOS_*` overrides of `Leptos.toml` (packaged next to `bootstrap` with the site). The SDK
//! client is built once, before the runtime starts, without touching the network.

use app::api::context::AppState;
use leptos::config::get_configuration;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_ansi(false)
        .without_time() // CloudWatch stamps every line
        .init();
    let conf = get_configuration(Some("Leptos.toml"))?;
    let leptos_options = conf.leptos_options;
    app::set_asset_hashes(&leptos_options);
    let store = server::store::dynamo::from_env().await?;
    let microsoft = app::microsoft::Microsoft::from_env()?;
    let state = AppState {
        leptos_options,
        store: Arc::new(store),
        microsoft: Arc::new(microsoft),
    };
    lambda_http::run(server::router::router(state)).await
}
