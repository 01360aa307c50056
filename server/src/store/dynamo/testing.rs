//! A moto server (the DynamoDB-compatible test server, see STACK.md) for this test process:
//! `TENANTMAP_TEST_DYNAMODB` names one, or the first test starts moto from `.venv-test`
//! (`scripts/moto_serial.py`: one request at a time, so transactions are atomic as in
//! DynamoDB) on a free loopback port; a watcher stops it when the test process ends.

use super::DynamoStore;
use super::count::RequestCounter;
use std::sync::OnceLock;

static ENDPOINT: OnceLock<String> = OnceLock::new();

/// moto scans the whole table for a Query and answers one request at a time: at the
/// bench's scale a request can take seconds that DynamoDB answers in milliseconds.
pub const MOTO_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The test server's URL (started on first use).
pub fn endpoint() -> String {
    ENDPOINT
        .get_or_init(|| {
            if let Ok(url) = std::env::var("TENANTMAP_TEST_DYNAMODB") {
                return url;
            }
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let python = root.join(".venv-test/bin/python");
            let serial = root.join("scripts/moto_serial.py");
            assert!(
                python.exists(),
                "{} is missing: run `make test-tools` (it installs moto in .venv-test)",
                python.display()
            );
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            // moto runs as long as this test process does.
            let script = format!(
                "'{}' '{}' 127.0.0.1 {port} >/dev/null 2>&1 & m=$!; \
                 while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; kill $m",
                python.display(),
                serial.display(),
                pid = std::process::id()
            );
            let mut watcher = std::process::Command::new("bash")
                .args(["-c", &script])
                .spawn()
                .expect("start moto");
            std::thread::spawn(move || watcher.wait());
            let url = format!("http://127.0.0.1:{port}");
            for _ in 0..100 {
                if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return url;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            panic!("moto did not start on {url}");
        })
        .clone()
}

/// The environment a `lambda` binary needs to serve `table` on the test server.
pub fn lambda_env(table: &str) -> Vec<(&'static str, String)> {
    vec![
        ("TENANTMAP_TABLE", table.to_string()),
        (
            "TENANTMAP_DYNAMODB_TIMEOUT_SECONDS",
            MOTO_TIMEOUT.as_secs().to_string(),
        ),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("RUST_LOG", "warn".into()),
    ]
}

/// Keeps `value` as a Secrets Manager secret on the test server (moto serves every AWS
/// service it knows on one port); returns its ARN, as `template.yaml` passes the root key.
pub async fn secret(name: &str, value: &str) -> String {
    let conf = crate::aws::defaults()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint())
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    let made = aws_sdk_secretsmanager::Client::new(&conf)
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("a secret on the test server");
    made.arn().expect("the secret's ARN").to_string()
}

/// A client of the test server whose requests `counter` counts.
pub async fn client(counter: RequestCounter) -> aws_sdk_dynamodb::Client {
    client_at(&endpoint(), counter).await
}

/// A client of the DynamoDB-compatible server at `url` (a fault-injecting proxy in front
/// of moto, in the store-fault tests).
pub async fn client_at(url: &str, counter: RequestCounter) -> aws_sdk_dynamodb::Client {
    let conf = crate::aws::defaults()
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(url.to_string())
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "tests",
        ))
        .load()
        .await;
    let conf = super::client_config(&conf, MOTO_TIMEOUT)
        .interceptor(counter)
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// A store on a table of its own (moto keeps tables in memory; they go with it), and the
/// counter of its requests.
pub async fn fresh_store() -> (DynamoStore, RequestCounter) {
    let table = format!("tenantmap-test-{}", uuid::Uuid::new_v4().simple());
    let counter = RequestCounter::default();
    let store = DynamoStore::new(client(counter.clone()).await, table);
    store.create_table().await.expect("create the test table");
    counter.take();
    (store, counter)
}

/// Every item of an account's partition, each as one line, in key order — but the audit
/// entries of sign-ins and sign-outs, which are recorded aside (one may land late): an account
/// compared before and after a call with one request (moto answers one request at a time).
pub async fn account_items(store: &DynamoStore, account: &app::domain::AccountId) -> Vec<String> {
    use aws_sdk_dynamodb::types::AttributeValue;
    let mut lines = Vec::new();
    let mut start = None;
    loop {
        let out = store
            .client
            .query()
            .table_name(&store.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(super::keys::account_pk(account)))
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .expect("query the account's partition");
        for item in out.items() {
            let session = item
                .get("action")
                .and_then(|a| a.as_s().ok())
                .is_some_and(|a| a.starts_with("session."));
            if !session {
                lines.push(canonical(&AttributeValue::M(item.clone())));
            }
        }
        match out.last_evaluated_key() {
            Some(k) if !k.is_empty() => start = Some(k.clone()),
            _ => return lines,
        }
    }
}

/// An attribute value as text, the same for the same value (maps in key order).
fn canonical(v: &aws_sdk_dynamodb::types::AttributeValue) -> String {
    use aws_sdk_dynamodb::types::AttributeValue;
    match v {
        AttributeValue::M(m) => {
            let sorted: std::collections::BTreeMap<_, _> = m.iter().collect();
            let fields: Vec<String> = sorted
                .into_iter()
                .map(|(k, v)| format!("{k:?}: {}", canonical(v)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        AttributeValue::L(l) => {
            let items: Vec<String> = l.iter().map(canonical).collect();
            format!("[{}]", items.join(", "))
        }
        other => format!("{other:?}"),
    }
}
