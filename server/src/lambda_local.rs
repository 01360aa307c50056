//! A Lambda Runtime API of our own, on a loopback port: runs the real `lambda` binary as the
//! Lambda service would (the binary asks for the next invocation, answers it, asks again), so
//! the tests and `make bench` drive it with Function URL events without AWS. The same port
//! answers the Lambda Invoke API for asynchronous invocations (`InvocationType: Event`), which
//! the binary makes of itself for sync jobs: they join the queue like any other event.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// An invocation: its request id and its event.
type Invocation = (String, Value);

#[derive(Clone)]
struct Runtime {
    /// Where asynchronous invocations are queued.
    events: mpsc::Sender<Invocation>,
    /// How many asynchronous invocations the function made.
    async_invocations: Arc<std::sync::atomic::AtomicUsize>,
    /// Events waiting for the function to ask for them.
    queue: Arc<tokio::sync::Mutex<Option<mpsc::Receiver<Invocation>>>>,
    /// Who waits for the answer to which request id.
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>,
}

async fn next(State(rt): State<Runtime>) -> Result<(HeaderMap, String), http::StatusCode> {
    let mut queue = rt.queue.lock().await;
    let Some((id, event)) = queue.as_mut().expect("queue").recv().await else {
        return Err(http::StatusCode::GONE);
    };
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: &str| {
        if let Ok(v) = value.parse() {
            headers.insert(name, v);
        }
    };
    set("lambda-runtime-aws-request-id", &id);
    set("lambda-runtime-deadline-ms", "99999999999999");
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:tenantmap",
    );
    Ok((headers, event.to_string()))
}

async fn respond(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> &'static str {
    let value: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    if let Some(tx) = rt
        .waiting
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id)
    {
        let _ = tx.send(value);
    }
    "{}"
}

async fn failed(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> &'static str {
    if let Some(tx) = rt
        .waiting
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id)
    {
        let _ = tx.send(json!({ "statusCode": 599, "body": body }));
    }
    "{}"
}

/// `POST /2015-03-31/functions/{name}/invocations` with `X-Amz-Invocation-Type: Event`: queued,
/// answered 202 at once (only asynchronous invocations are served here).
async fn invoke_async(
    State(rt): State<Runtime>,
    Path(_name): Path<String>,
    headers: HeaderMap,
    body: String,
) -> http::StatusCode {
    let asynchronous = headers
        .get("x-amz-invocation-type")
        .is_some_and(|v| v == "Event");
    let Ok(event) = serde_json::from_str::<Value>(&body) else {
        return http::StatusCode::BAD_REQUEST;
    };
    if !asynchronous {
        return http::StatusCode::NOT_IMPLEMENTED;
    }
    rt.async_invocations
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    match rt
        .events
        .send((uuid::Uuid::new_v4().to_string(), event))
        .await
    {
        Ok(()) => http::StatusCode::ACCEPTED,
        Err(_) => http::StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The `lambda` binary running under a local Runtime API; killed when dropped.
pub struct LocalLambda {
    events: mpsc::Sender<Invocation>,
    runtime: Runtime,
    child: std::process::Child,
}

impl Drop for LocalLambda {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl LocalLambda {
    /// Starts `binary` in `dir` with the Lambda environment and `env` on top.
    pub async fn start(
        binary: &std::path::Path,
        dir: &std::path::Path,
        env: &[(&str, String)],
    ) -> std::io::Result<LocalLambda> {
        let (tx, rx) = mpsc::channel(64);
        let runtime = Runtime {
            events: tx.clone(),
            async_invocations: Default::default(),
            queue: Default::default(),
            waiting: Default::default(),
        };
        *runtime.queue.lock().await = Some(rx);
        let api = axum::Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(respond),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
            .route(
                "/2015-03-31/functions/{name}/invocations",
                post(invoke_async),
            )
            .with_state(runtime.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, api).await });
        let mut command = std::process::Command::new(binary);
        command
            .current_dir(dir)
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "tenantmap")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/tenantmap")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
            .env("AWS_ENDPOINT_URL_LAMBDA", format!("http://{addr}"));
        for (k, v) in env {
            command.env(k, v);
        }
        Ok(LocalLambda {
            events: tx,
            runtime,
            child: command.spawn()?,
        })
    }

    /// How many asynchronous invocations (sync jobs) the function has made of itself.
    pub fn async_invocations(&self) -> usize {
        self.runtime
            .async_invocations
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Sends one event and waits (at most 20 s) for the function's answer.
    pub async fn invoke(&self, event: Value) -> Value {
        self.invoke_within(event, Duration::from_secs(20)).await
    }

    /// Sends one event and waits at most `patience` for the function's answer.
    pub async fn invoke_within(&self, event: Value, patience: Duration) -> Value {
        let id = uuid::Uuid::new_v4().to_string();
        let mut event = event;
        event["requestContext"]["requestId"] = json!(id);
        let (tx, rx) = oneshot::channel();
        self.runtime
            .waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.clone(), tx);
        if self.events.send((id, event)).await.is_err() {
            return json!({ "statusCode": 599, "body": "the runtime stopped" });
        }
        match tokio::time::timeout(patience, rx).await {
            Ok(Ok(answer)) => answer,
            _ => json!({ "statusCode": 599, "body": format!("no answer in {patience:?}") }),
        }
    }
}

/// A Function URL event (payload format 2.0) over HTTPS as far as the app knows; `body` is
/// sent as a form when not empty.
pub fn function_url_event(
    method: &str,
    path: &str,
    query: &str,
    cookies: &[String],
    body: &str,
) -> Value {
    let mut headers = json!({
        "host": "abc123.lambda-url.us-east-1.on.aws",
        "x-forwarded-proto": "https",
        "user-agent": "tenantmap-local",
    });
    if method == "POST" {
        headers["content-type"] = json!("application/x-www-form-urlencoded");
    }
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "cookies": cookies,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "domainPrefix": "abc123",
            "http": { "method": method, "path": path, "protocol": "HTTP/1.1",
                      "sourceIp": "127.0.0.1", "userAgent": "tenantmap-local" },
            "requestId": "",
            "routeKey": "$default",
            "stage": "$default",
            "time": "26/Nov/2026:22:00:00 +0000",
            "timeEpoch": 1_795_000_000_000u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}
