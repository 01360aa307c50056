//! Store faults (issue 13): between the server and moto, a proxy answers one request in five
//! with a fault — DynamoDB's throttling error, a 500, a connection cut before the answer, or
//! an answer up to a second and a half late — while 4 clients write (create, rename, move,
//! map, unmap, import). The SDK's bounded retries (backoff with jitter, `client_config`)
//! carry most actions through; an action that still fails answers 503 with a reference and
//! "try again", and is then found whole or not at all. No other 5xx, R1–R3 hold at the end.
//!
//! Faults are injected before a request reaches moto. A real DynamoDB can also lose the answer
//! to a write it applied; the SDK then retries `TransactWriteItems` with the same
//! `ClientRequestToken`, which DynamoDB deduplicates (moto does not, so that case is left out).

use crate::helpers::workload::*;
use crate::helpers::*;
use app::domain::{AccountId, Email};
use app::store::prelude::*;
use server::store::dynamo::testing::{client_at, fresh_store};
use server::store::dynamo::{DynamoStore, count::RequestCounter};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// What the proxy did, by kind.
#[derive(Default)]
struct Faults {
    throttled: AtomicUsize,
    failed: AtomicUsize,
    cut: AtomicUsize,
    slow: AtomicUsize,
    passed: AtomicUsize,
}

struct Proxy {
    target: String,
    http: reqwest::Client,
    rng: AtomicU64,
    /// Of 100 requests, how many meet a fault.
    percent: AtomicU64,
    faults: Faults,
}

impl Proxy {
    fn roll(&self) -> u64 {
        // A splitmix step per request: the same sequence every run.
        let x = self
            .rng
            .fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (x ^ (x >> 31)) % 100
    }
}

fn dynamodb_error(status: u16, kind: &str) -> axum::response::Response {
    let body = format!(
        r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"injected by the test proxy"}}"#
    );
    axum::response::Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.0")
        .body(axum::body::Body::from(body))
        .unwrap()
}

async fn forward(
    axum::extract::State(proxy): axum::extract::State<Arc<Proxy>>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20).await.unwrap();
    let f = &proxy.faults;
    let roll = proxy.roll();
    let slow_ms = 250 * (1 + roll % 6);
    match (roll < proxy.percent.load(Ordering::Relaxed), roll % 4) {
        (false, _) => {
            f.passed.fetch_add(1, Ordering::Relaxed);
        }
        (true, 0) => {
            f.throttled.fetch_add(1, Ordering::Relaxed);
            return dynamodb_error(400, "ThrottlingException");
        }
        (true, 1) => {
            f.failed.fetch_add(1, Ordering::Relaxed);
            return dynamodb_error(500, "InternalServerError");
        }
        (true, 2) => {
            // Headers go out, then the connection breaks: the SDK sees a cut answer.
            f.cut.fetch_add(1, Ordering::Relaxed);
            let broken = futures::stream::once(async {
                Err::<axum::body::Bytes, _>(std::io::Error::other("connection cut"))
            });
            return axum::response::Response::builder()
                .status(200)
                .header("content-type", "application/x-amz-json-1.0")
                .body(axum::body::Body::from_stream(broken))
                .unwrap();
        }
        (true, _) => {
            f.slow.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(slow_ms)).await;
        }
    }
    let mut out = proxy
        .http
        .post(format!("{}{}", proxy.target, parts.uri.path()))
        .body(body);
    for (name, value) in &parts.headers {
        if name != "host" && name != "content-length" {
            out = out.header(name, value);
        }
    }
    let answer = out.send().await.unwrap();
    let mut res = axum::response::Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "transfer-encoding" && name != "connection" && name != "content-length" {
            res = res.header(name, value);
        }
    }
    res.body(axum::body::Body::from(answer.bytes().await.unwrap()))
        .unwrap()
}

async fn start_proxy(target: String) -> (String, Arc<Proxy>) {
    let proxy = Arc::new(Proxy {
        target,
        http: reqwest::Client::new(),
        rng: AtomicU64::new(7),
        percent: AtomicU64::new(0),
        faults: Faults::default(),
    });
    let app = axum::Router::new()
        .fallback(forward)
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, proxy)
}

/// What one client's actions came to.
#[derive(Default)]
struct Tally {
    done: usize,
    failed_whole: usize,
    failed_absent: usize,
    reads_failed: usize,
}

impl Tally {
    fn add(&mut self, t: &Tally) {
        self.done += t.done;
        self.failed_whole += t.failed_whole;
        self.failed_absent += t.failed_absent;
        self.reads_failed += t.reads_failed;
    }

    fn actions(&self) -> usize {
        self.done + self.failed_whole + self.failed_absent + self.reads_failed
    }
}

/// One client: `ops` changes; a change answered 503 is looked up in the store at once
/// (through the fault-free handle) and must be whole or absent.
async fn write(
    client: Client,
    me: usize,
    ops: usize,
    truth: Arc<dyn Store>,
    a: AccountId,
) -> (Tally, Model) {
    let mut model = Model::default();
    let mut n = 0;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ ((me as u64 + 1) * 0x9e37_79b9));
    let mut tally = Tally::default();
    for _ in 0..ops {
        let op = next_op(&model, me, &mut n, &mut rng);
        match client.send(&op).await {
            None => tally.reads_failed += 1,
            Some(Outcome::Done(_)) => {
                model = model.after(&op);
                tally.done += 1;
            }
            Some(Outcome::Failed(..)) => {
                let state = own_state(&*truth, &a).await;
                let done = model.after(&op);
                if done.holds_in(&state) {
                    model = done;
                    tally.failed_whole += 1;
                } else {
                    assert!(model.holds_in(&state), "client {me}: {op:?} is half there");
                    tally.failed_absent += 1;
                }
            }
            Some(Outcome::Refused(e)) => panic!("client {me}: {op:?} refused: {e}"),
            Some(Outcome::Lost) => panic!("client {me}: {op:?} got no answer"),
        }
    }
    (tally, model)
}

#[tokio::test]
async fn store_faults_end_in_whole_changes_or_a_retryable_503() {
    let (truth, _) = fresh_store().await;
    let (proxy_url, proxy) = start_proxy(server::store::dynamo::testing::endpoint()).await;
    let faulty = DynamoStore::new(
        client_at(&proxy_url, RequestCounter::default()).await,
        truth.table(),
    );
    let truth: Arc<dyn Store> = Arc::new(truth);
    server::tasks::create_account(&*truth, "Faulty MSP", "admin@faulty.example", PASSWORD)
        .await
        .unwrap();
    let account = truth
        .user_by_email(&Email::parse("admin@faulty.example").unwrap())
        .await
        .unwrap()
        .unwrap()
        .account;
    let app = spawn_with(Arc::new(faulty), tempfile::tempdir().unwrap()).await;
    proxy.percent.store(20, Ordering::Relaxed);
    // Signing in is an action like any other: it may have to be tried again.
    let mut cookie = None;
    for _ in 0..10 {
        if let Ok(c) = app.sign_in("admin@faulty.example", PASSWORD).await {
            cookie = Some(c);
            break;
        }
    }
    let cookie = cookie.expect("signed in within 10 tries");
    // Phase 1, one request in five faulty: retries carry the actions through. Phase 2, three
    // in five: some actions run out of retries and answer 503.
    // An action at three faults in five may take several slow, retried requests: more than
    // the test kit's 5 s per request.
    let patient = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let mut models = Vec::new();
    let mut phases = Vec::new();
    for (phase, percent, ops) in [(0, 20, 40), (1, 60, 12)] {
        proxy.percent.store(percent, Ordering::Relaxed);
        let clients = (0..4).map(|i| {
            let client = Client {
                http: patient.clone(),
                base: app.base.clone(),
                cookie: cookie.clone(),
            };
            let me = phase * 4 + i;
            tokio::spawn(write(client, me, ops, truth.clone(), account.clone()))
        });
        let mut total = Tally::default();
        for t in futures::future::join_all(clients).await {
            let (t, model) = t.unwrap();
            models.push(model);
            total.add(&t);
        }
        phases.push(total);
    }
    proxy.percent.store(0, Ordering::Relaxed);
    // With the writers done: the rules across records, and every acknowledged change.
    let state = state_checked(&*truth, &account).await;
    for (me, model) in models.iter().enumerate() {
        assert!(
            model.holds_in(&state),
            "client {me}: an acknowledged change is missing"
        );
    }
    let f = &proxy.faults;
    let injected = [&f.throttled, &f.failed, &f.cut, &f.slow].map(|c| c.load(Ordering::Relaxed));
    println!(
        "requests to the store: {} passed, throttled {}, 500 {}, cut {}, slow {}",
        f.passed.load(Ordering::Relaxed),
        injected[0],
        injected[1],
        injected[2],
        injected[3],
    );
    for (p, t) in phases.iter().enumerate() {
        println!(
            "phase {}: {} actions, {} done, 503 then found whole {}, 503 and absent {}, 503 on the reads before {}",
            p + 1,
            t.actions(),
            t.done,
            t.failed_whole,
            t.failed_absent,
            t.reads_failed
        );
    }
    assert!(
        injected.iter().all(|n| *n > 5),
        "every kind of fault happened: {injected:?}"
    );
    let one = &phases[0];
    assert!(
        one.done * 10 >= one.actions() * 9,
        "at one fault in five, retries carry at least 90% of the actions through: {} of {}",
        one.done,
        one.actions()
    );
    let two = &phases[1];
    assert!(
        two.done < two.actions(),
        "at three faults in five some actions answer 503"
    );
}
