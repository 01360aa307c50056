//! Crashes (issue 13): the real `server` binary is killed with SIGKILL while 8 clients write —
//! create Organizations (and their Syncro Tenants), rename Syncro Tenants, move Organizations,
//! map and unmap Microsoft Tenants, import CSV — then started again, 20 times at random
//! moments, on both stores. After every kill the store must hold R1–R3 (and each Syncro
//! Tenant's Organization count), every acknowledged change, and each change that was in
//! flight either whole or not at all.
//!
//! Each client changes only records it created, so what it saw acknowledged is exactly what
//! must be there; its one request in flight at the kill may have gone either way.

use crate::helpers::PASSWORD;
use crate::helpers::workload::*;
use app::store::prelude::*;
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

const CLIENTS: usize = 8;
const KILLS: usize = 20;
const ADMIN: &str = "admin@crash.example";

/// A running `server serve` and how it was started.
struct Server {
    child: Child,
    base: String,
}

fn start(env: &[(&str, String)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .current_dir(&root)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TENANTMAP_SYNC_MINUTES", "0")
        .env("RUST_LOG", "error")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the server");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Server { child, base };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

async fn sign_in(http: &reqwest::Client, base: &str) -> String {
    let res = http
        .post(format!("{base}/api/sign-in"))
        .form(&[("email", ADMIN), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Kills and restarts the server `KILLS` times under 8 writing clients; `open` gives the store
/// the test checks with while the server is down (and drops it before the server starts).
async fn crash_and_check<F, Fut>(env: Vec<(&'static str, String)>, writing_ms: (u64, u64), open: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Arc<dyn Store>>,
{
    let account = {
        let store = open().await;
        server::tasks::create_account(&*store, "Crash MSP", ADMIN, PASSWORD)
            .await
            .unwrap();
        let user = store
            .user_by_email(&app::domain::Email::parse(ADMIN).unwrap())
            .await
            .unwrap()
            .unwrap();
        user.account
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut models = vec![Model::default(); CLIENTS];
    let mut counters = [0usize; CLIENTS];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let (mut acked_total, mut in_flight_total) = (0, 0);
    // At least `KILLS` kills, and on until the acknowledged changes are enough to prove
    // something (a busy machine, or a moto serving other tests, writes fewer per run).
    let mut kill = 0;
    while kill < KILLS || (acked_total <= KILLS * CLIENTS && kill < 3 * KILLS) {
        kill += 1;
        let mut server = start(&env);
        let cookie = sign_in(&http, &server.base).await;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|me| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let client = Client {
                    http: http.clone(),
                    base: server.base.clone(),
                    cookie: cookie.clone(),
                };
                tokio::spawn(run_client(
                    client,
                    models[me].clone(),
                    me,
                    counters[me],
                    Rng(seed | 1),
                ))
            })
            .collect();
        // A random moment within `writing_ms`.
        let wait = writing_ms.0 + (seed >> 33) % (writing_ms.1 - writing_ms.0);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        let store = open().await;
        let state = state_checked(&*store, &account).await;
        for (me, handle) in clients.into_iter().enumerate() {
            let (model, in_flight, n, acked) = handle.await.unwrap();
            acked_total += acked;
            counters[me] = n;
            models[me] = match in_flight {
                None => model,
                Some(op) => {
                    in_flight_total += 1;
                    let done = model.after(&op);
                    if done.holds_in(&state) { done } else { model }
                }
            };
            assert!(
                models[me].holds_in(&state),
                "kill {kill}, client {me}: an acknowledged change is missing or a change is half there\nexpected {:?}",
                models[me]
            );
        }
        drop(store);
    }
    println!(
        "{kill} kills: {acked_total} acknowledged changes kept, {in_flight_total} in flight whole or not at all"
    );
    assert!(
        acked_total > KILLS * CLIENTS,
        "too few changes to prove anything"
    );
}

#[tokio::test]
async fn kill_9_under_load_loses_no_acknowledged_change_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let env = vec![("TENANTMAP_DATA", path.display().to_string())];
    crash_and_check(env, (150, 1_500), || {
        let path = path.clone();
        async move {
            // The killed process's lock on the file goes with it.
            Arc::new(server::store::EmbeddedStore::open(&path).unwrap()) as Arc<dyn Store>
        }
    })
    .await;
}

#[tokio::test]
async fn kill_9_under_load_loses_no_acknowledged_change_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut env = server::store::dynamo::testing::lambda_env(store.table());
    env.push(("TENANTMAP_STORE", "dynamodb".into()));
    env.retain(|(k, _)| *k != "RUST_LOG");
    let store: Arc<dyn Store> = Arc::new(store);
    // moto answers one request at a time: longer runs for as many changes.
    crash_and_check(env, (1_000, 4_000), || {
        let store = store.clone();
        async move { store }
    })
    .await;
}
