//! The AWS Lambda entry point: the same axum router as `server serve` — pages, server
//! functions, `/pkg` assets — behind a Function URL or an HTTP API, on the DynamoDB store; the
//! scheduled Microsoft sync when EventBridge invokes it (one job per connected account); and a
//! sync job when the function invokes itself for one (`server::jobs::lambda`, `template.yaml`).
//!
//! Configuration is `server::config::Config` (read once: `TENANTMAP_TABLE`, the Microsoft
//! settings), the AWS SDK's own variables, and the `LEPTOS_*` overrides of `Leptos.toml`
//! (packaged next to `bootstrap` with the site). The SDK clients are built once, before the
//! runtime starts; the only request before it is the read of the root key from Secrets
//! Manager (`TENANTMAP_SECRET_KEY_ARN`).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Service};
use leptos::config::get_configuration;
use serde_json::value::RawValue;
use std::sync::Arc;

/// The fields that tell an EventBridge event or a job's own invocation from an HTTP one. A
/// Function URL wraps every HTTP request in its own event, so no web caller can send these.
#[derive(serde::Deserialize)]
struct Probe {
    #[serde(default)]
    source: Option<String>,
    #[serde(rename = "detail-type", default)]
    detail_type: Option<String>,
    #[serde(default)]
    tenantmap_job: Option<server::jobs::lambda::JobRef>,
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
    let mut config = server::config::Config::from_env()?;
    let aws = server::aws::load_from_env().await;
    // The root key, from Secrets Manager: the one request before the runtime starts.
    config.read_secret_key(&aws).await?;
    let table = config
        .table
        .as_deref()
        .ok_or("TENANTMAP_TABLE: the DynamoDB table to use")?;
    let store: Arc<dyn app::store::Store> = Arc::new(
        server::store::dynamo::connect(&aws, table, false, config.dynamodb_timeout).await?,
    );
    let microsoft = Arc::new(config.microsoft_client()?);
    // Lambda names the running function; its sync jobs are invocations of it.
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME")
        .map_err(|_| "AWS_LAMBDA_FUNCTION_NAME: set by Lambda for the running function")?;
    let jobs: Arc<dyn app::services::sync_job::JobRunner> =
        Arc::new(server::jobs::lambda::LambdaJobs::new(&aws, function));
    let state = server::startup::build(
        &config,
        server::startup::Deps {
            leptos_options,
            store: store.clone(),
            microsoft: microsoft.clone(),
            jobs: Some(jobs.clone()),
        },
    );
    // The address the Function URL or HTTP API saw the request come from.
    let router = server::router::router(state).layer(axum::middleware::map_request(
        |mut req: axum::extract::Request| async move {
            use lambda_http::RequestExt;
            let source = match req.request_context_ref() {
                Some(lambda_http::request::RequestContext::ApiGatewayV2(c)) => {
                    c.http.source_ip.as_deref().and_then(|ip| ip.parse().ok())
                }
                _ => None,
            };
            if let Some(ip) = source {
                req.extensions_mut().insert(app::api::site::Peer(ip));
            }
            req
        },
    ));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Box<RawValue>>| {
        let (router, store, microsoft, jobs) = (
            router.clone(),
            store.clone(),
            microsoft.clone(),
            jobs.clone(),
        );
        async move {
            let probe: Probe = serde_json::from_str(event.payload.get())?;
            if let Some(job) = probe.tenantmap_job {
                let done = server::jobs::lambda::run(&*store, &microsoft, job).await;
                return Ok::<_, lambda_runtime::Error>(done);
            }
            if probe.source.as_deref() == Some("aws.events")
                && probe.detail_type.as_deref() == Some("Scheduled Event")
            {
                let launched = app::services::sync_job::sync_all(&*store, &*jobs)
                    .await
                    .map_err(|e| e.to_string())?;
                return Ok(serde_json::json!({ "launched": launched }));
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
