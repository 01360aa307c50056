//! The real Lambda binary (`lambda`) under a Lambda Runtime API of this test's own, on a moto
//! table: S1 driven with Function URL events — sign in, create, import, map, and the page
//! shows the mapping.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// An invocation: its request id and its event.
type Invocation = (String, Value);

#[derive(Clone, Default)]
struct Runtime {
    /// Events waiting for the function to ask for them.
    queue: Arc<tokio::sync::Mutex<Option<mpsc::Receiver<Invocation>>>>,
    /// Who waits for the answer to which request id.
    waiting: Arc<Mutex<HashMap<String, oneshot::Sender<Value>>>>,
}

async fn next(State(rt): State<Runtime>) -> (HeaderMap, String) {
    let mut queue = rt.queue.lock().await;
    let (id, event) = queue
        .as_mut()
        .expect("queue")
        .recv()
        .await
        .expect("the test hung up");
    let mut headers = HeaderMap::new();
    headers.insert("lambda-runtime-aws-request-id", id.parse().unwrap());
    headers.insert(
        "lambda-runtime-deadline-ms",
        "99999999999999".parse().unwrap(),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:tenantmap"
            .parse()
            .unwrap(),
    );
    (headers, event.to_string())
}

async fn respond(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> &'static str {
    let value: Value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    if let Some(tx) = rt.waiting.lock().unwrap().remove(&id) {
        let _ = tx.send(value);
    }
    "{}"
}

async fn failed(State(rt): State<Runtime>, Path(id): Path<String>, body: String) -> &'static str {
    if let Some(tx) = rt.waiting.lock().unwrap().remove(&id) {
        let _ = tx.send(json!({ "statusCode": 599, "body": body }));
    }
    "{}"
}

struct Lambda {
    events: mpsc::Sender<Invocation>,
    runtime: Runtime,
    child: std::process::Child,
    cookie: Option<String>,
}

impl Drop for Lambda {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

struct Answer {
    status: u64,
    body: String,
    cookies: Vec<String>,
}

impl Lambda {
    /// One Function URL invocation (payload format 2.0), over HTTPS as far as the app knows.
    async fn invoke(&self, method: &str, path: &str, query: &str, form: &[(&str, &str)]) -> Answer {
        let id = uuid::Uuid::new_v4().to_string();
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut headers = json!({
            "host": "abc123.lambda-url.us-east-1.on.aws",
            "x-forwarded-proto": "https",
            "user-agent": "lambda-test",
        });
        if method == "POST" {
            headers["content-type"] = json!("application/x-www-form-urlencoded");
        }
        let event = json!({
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "cookies": self.cookie.iter().collect::<Vec<_>>(),
            "headers": headers,
            "requestContext": {
                "accountId": "anonymous",
                "apiId": "abc123",
                "domainName": "abc123.lambda-url.us-east-1.on.aws",
                "domainPrefix": "abc123",
                "http": { "method": method, "path": path, "protocol": "HTTP/1.1",
                          "sourceIp": "127.0.0.1", "userAgent": "lambda-test" },
                "requestId": id,
                "routeKey": "$default",
                "stage": "$default",
                "time": "26/Nov/2026:22:00:00 +0000",
                "timeEpoch": 1_795_000_000_000u64
            },
            "body": body,
            "isBase64Encoded": false
        });
        let (tx, rx) = oneshot::channel();
        self.runtime.waiting.lock().unwrap().insert(id.clone(), tx);
        self.events.send((id, event)).await.unwrap();
        let answer = tokio::time::timeout(std::time::Duration::from_secs(20), rx)
            .await
            .expect("the function answered in time")
            .unwrap();
        Answer {
            status: answer["statusCode"].as_u64().unwrap_or(0),
            body: answer["body"].as_str().unwrap_or_default().to_string(),
            cookies: answer["cookies"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

fn urlencoding(s: &str) -> String {
    app::components::enc(s)
}

async fn start() -> Lambda {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let (tx, rx) = mpsc::channel(8);
    let runtime = Runtime::default();
    *runtime.queue.lock().await = Some(rx);
    let api = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(respond),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .with_state(runtime.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, api).await.unwrap() });
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_lambda"))
        .current_dir(&root)
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "tenantmap")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/tenantmap")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("TENANTMAP_TABLE", store.table())
        .env(
            "AWS_ENDPOINT_URL_DYNAMODB",
            server::store::dynamo::testing::endpoint(),
        )
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("RUST_LOG", "warn")
        // The debug build has no hash.txt beside it (the packaged bootstrap has).
        .env("LEPTOS_HASH_FILES", "false")
        .spawn()
        .expect("start the lambda binary");
    // The first Administrator, as `server admin create` makes one (straight into the table).
    server::tasks::create_account(
        &store,
        "MSP A",
        "admin@msp-a.example",
        "a long test password",
    )
    .await
    .unwrap();
    Lambda {
        events: tx,
        runtime,
        child,
        cookie: None,
    }
}

#[tokio::test]
async fn s1_through_the_real_lambda_binary() {
    let mut lambda = start().await;
    // Signed out, pages go to sign-in.
    let page = lambda
        .invoke("GET", "/admin/microsoft-tenants", "", &[])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let signed_in = lambda
        .invoke(
            "POST",
            "/api/sign-in",
            "",
            &[
                ("email", "admin@msp-a.example"),
                ("password", "a long test password"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    let cookie = signed_in.cookies.first().expect("a session cookie").clone();
    assert!(
        cookie.starts_with("__Host-tenantmap_session=") && cookie.contains("Secure"),
        "{cookie}"
    );
    lambda.cookie = Some(cookie.split(';').next().unwrap().to_string());

    let created = lambda
        .invoke(
            "POST",
            "/api/create-organization",
            "",
            &[
                ("name", "Contoso Dental"),
                ("email", ""),
                ("phone", ""),
                ("address", ""),
                ("syncro_tenant", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let org_id: String = serde_json::from_str(&created.body).unwrap();
    let org: Value = serde_json::from_str(
        &lambda
            .invoke("POST", "/api/organization", "", &[("id", &org_id)])
            .await
            .body,
    )
    .unwrap();
    let st = org["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let imported = lambda
        .invoke(
            "POST",
            "/api/import-tenants",
            "",
            &[("csv", &format!("tenantId,displayName,defaultDomainName\n{tenant},Contoso,contoso.onmicrosoft.com\n"))],
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);

    // S1: the page renders, the mapping succeeds, the row shows it.
    let page = lambda
        .invoke("GET", "/admin/microsoft-tenants", "q=Contoso", &[])
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Actions for Contoso"),
        "the ⋮ menu is there"
    );
    let map = [
        ("tenant_id", tenant),
        ("version", "1"),
        ("syncro_tenant", st.as_str()),
        ("change", ""),
        ("back", "/"),
    ];
    let mapped = lambda.invoke("POST", "/api/map-tenant", "", &map).await;
    assert_eq!(mapped.status, 200, "{}", mapped.body);
    let page = lambda
        .invoke("GET", "/admin/microsoft-tenants", "q=Contoso", &[])
        .await;
    let link = format!("href=\"/syncro-tenants/{st}\">Contoso Dental");
    assert!(page.body.contains(&link), "the row links its Syncro Tenant");
    // A second mapping of the same tenant is the typed refusal, not a 500.
    let again = lambda.invoke("POST", "/api/map-tenant", "", &map).await;
    assert_eq!(again.status, 409, "{}", again.body);
}
