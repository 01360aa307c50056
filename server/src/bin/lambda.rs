//! The AWS Lambda entry point: the same axum router as `server serve` — pages, server
//! functions, `/pkg` assets — behind a Function URL or an HTTP API, on the DynamoDB store; and
//! the scheduled Microsoft sync when EventBridge invokes it (`template.yaml`).
//!
//! Configuration is the environment: `TENANTMAP_TABLE`, the AWS SDK's own variables, the
//! `LEPTOS_*` overrides of `Leptos.toml` (packaged next to `bootstrap` with the site), and the
//! Microsoft settings (`TENANTMAP_SECRET_KEY`, base URLs). The SDK client is built once, before
//! the runtime starts, without touching the network.

use app::api::context::AppState;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Service};
use leptos::config::get_configuration;
use serde_json::value::RawValue;
use std::sync::Arc;

/// The fields that tell an EventBridge event from an HTTP one. A Function URL wraps every
/// HTTP request in its own event, so no web caller can send one of these.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default)]
    source: Option<String>,
    #[serde(rename = "detail-type", default)]
    detail_type: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
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
    let store: Arc<dyn app::store::Store> = Arc::new(server::store::dynamo::from_env().await?);
    let microsoft = Arc::new(app::microsoft::Microsoft::from_env()?);
    let state = AppState {
        leptos_options,
        store: store.clone(),
        microsoft: microsoft.clone(),
    };
    let router = server::router::router(state);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let (router, store, microsoft) = (router.clone(), store.clone(), microsoft.clone());
        async move {
            let probe: Probe = serde_json::from_str(event.payload.get())?;
            if probe.source.as_deref() == Some("aws.events")
                && probe.detail_type.as_deref() == Some("Scheduled Event")
            {
                let synced = app::microsoft::sync_all(&*store, &microsoft)
                    .await
                    .map_err(|e| e.to_string())?;
                return Ok::<_, lambda_runtime::Error>(serde_json::json!({ "synced": synced }));
            }
            let request: LambdaRequest = serde_json::from_str(event.payload.get())?;
            let mut adapter = Adapter::from(router);
            let response = adapter
                .call(LambdaEvent::new(request, event.context))
                .await?;
            Ok(serde_json::to_value(response)?)
        }
    }))
    .await
}
