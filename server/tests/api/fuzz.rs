//! Hostile input to every server function over HTTP (issue 13): each function's real arguments
//! (`crate::helpers::fixture::cases`), mutated at random — wrong types, huge and empty strings,
//! control, invisible and right-to-left characters, markup, missing, repeated and unknown
//! fields, bodies that are not forms at all — posted signed out, as a Technician, as another
//! account's Administrator and as this account's Administrator, on both stores.
//!
//! Every answer must be a clear refusal or a success: no 5xx. A refused call must change
//! nothing in the account (compared record by record, audit log included).

use crate::helpers::fixture::*;
use crate::helpers::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

/// Values a careless or hostile client sends.
fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".into()),
        Just("-1".into()),
        Just("0".into()),
        Just("18446744073709551616".into()),
        Just("1e309".into()),
        Just("NaN".into()),
        Just("true".into()),
        Just("null".into()),
        Just("[]".into()),
        Just("{\"$ne\":null}".into()),
        Just("\u{0}".into()),
        Just("a\u{202e}txt.exe".into()),
        Just("Con\u{200b}toso".into()),
        Just("<script>alert(1)</script>".into()),
        Just("../../etc/passwd".into()),
        Just("' OR 1=1 --".into()),
        Just("00000000-0000-0000-0000-000000000000".into()),
        Just("72F988BF-86F1-41AF-91AB-2D7CD011DB47".into()),
        Just("x".repeat(10_000)),
        Just("é".repeat(4_000)),
        Just("\u{1F600}".repeat(500)),
        "[\\PC]{0,64}",
        "[\\x00-\\x1f\\x7f]{1,16}",
        "[0-9]{1,30}",
        any::<String>(),
    ]
}

/// How one call's arguments are spoiled.
#[derive(Debug, Clone)]
enum Mutation {
    /// One argument gets a hostile value.
    Replace(usize, String),
    /// One argument is left out.
    Drop(usize),
    /// One argument is sent twice, the second time hostile.
    Repeat(usize, String),
    /// An argument the function does not take.
    Unknown(String, String),
    /// Every argument hostile.
    All(Vec<String>),
    /// A body that is not a form: JSON, bytes that are not UTF-8, a broken percent-escape.
    Raw(&'static str, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let raw = prop_oneof![
        Just(("application/json", b"{\"q\":[1,2,{}]}".to_vec())),
        Just((
            "application/x-www-form-urlencoded",
            vec![0xff, 0xfe, b'=', 0x80]
        )),
        Just((
            "application/x-www-form-urlencoded",
            b"q=%E0%A4%A&page=%".to_vec()
        )),
        Just(("application/x-www-form-urlencoded", b"=&&==&[]=1".to_vec())),
        Just(("text/plain", b"hello".to_vec())),
        Just(("multipart/form-data; boundary=x", b"--x\r\n\r\n".to_vec())),
    ];
    prop_oneof![
        4 => (0usize..8, hostile_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
        1 => (0usize..8).prop_map(Mutation::Drop),
        1 => (0usize..8, hostile_value()).prop_map(|(i, v)| Mutation::Repeat(i, v)),
        1 => ("[a-z_\\[\\]]{1,12}", hostile_value()).prop_map(|(k, v)| Mutation::Unknown(k, v)),
        1 => proptest::collection::vec(hostile_value(), 8).prop_map(Mutation::All),
        1 => raw.prop_map(|(t, b)| Mutation::Raw(t, b)),
    ]
}

/// The body (content type, bytes) of `args` spoiled by `m`.
fn spoil(path: &str, args: &Args, m: &Mutation) -> (String, Vec<u8>) {
    let mut fields: Vec<(String, String)> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let at = |i: &usize| {
        if fields.is_empty() {
            None
        } else {
            Some(i % fields.len())
        }
    };
    match m {
        Mutation::Replace(i, v) => {
            if let Some(i) = at(i) {
                fields[i].1 = v.clone();
            }
        }
        Mutation::Drop(i) => {
            if let Some(i) = at(i) {
                fields.remove(i);
            }
        }
        Mutation::Repeat(i, v) => {
            if let Some(i) = at(i) {
                fields.push((fields[i].0.clone(), v.clone()));
            }
        }
        Mutation::Unknown(k, v) => fields.push((k.clone(), v.clone())),
        Mutation::All(vs) => {
            for (f, v) in fields.iter_mut().zip(vs) {
                f.1 = v.clone();
            }
        }
        Mutation::Raw(content_type, bytes) => return (content_type.to_string(), bytes.clone()),
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if path == "/api/import-tenants" || path == "/api/import-mappings" {
        let (content_type, body) = multipart_form(&pairs);
        (content_type, body.into_bytes())
    } else {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", app::components::enc(k), app::components::enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        (
            "application/x-www-form-urlencoded".into(),
            body.into_bytes(),
        )
    }
}

/// Waits (up to 15 s) until no Microsoft sync job of the account is running.
async fn sync_settled(app: &TestApp, f: &Fixture) {
    for _ in 0..150 {
        let job = app.store.sync_job(&f.account).await.unwrap();
        if job.is_none_or(|j| j.finished_at.is_some()) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("a sync job still running after 15 s");
}

/// Posts `count` spoiled calls of every function as each role; returns the calls made.
/// Who calls: every role, or one of them (`only`: an index into the four), so the slow
/// DynamoDB run can be four tests that run side by side.
async fn fuzz(
    app: &TestApp,
    f: &Fixture,
    tech: &str,
    other: &str,
    count: usize,
    only: Option<usize>,
    table: Option<&server::store::DynamoStore>,
) -> usize {
    // On DynamoDB the account is compared item by item, in one request (the records as the
    // store lists them take a dozen, and moto answers one at a time).
    let snapshot = |a| async move {
        match table {
            Some(t) => server::store::dynamo::testing::account_items(t, a)
                .await
                .join("\n"),
            None => snapshot(&*app.store, a).await,
        }
    };
    let mut runner = TestRunner::new(Config {
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    let admin = app.cookie.clone().unwrap();
    let roles = [
        ("signed out", None),
        ("Technician", Some(tech.to_string())),
        ("another account's Administrator", Some(other.to_string())),
        ("Administrator", Some(admin)),
    ];
    let mut calls = 0;
    let mut before = snapshot(&f.account).await;
    let mut statuses = std::collections::BTreeMap::new();
    for (i, (role, cookie)) in roles.iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        // The record functions, then those of the session (sign-in ends the caller's earlier
        // session when it succeeds, sign-out ends it: last).
        let mut all: Vec<(&str, Args)> = cases(app, f, "fuzz")
            .await
            .into_iter()
            .map(|(path, _, args)| (path, args))
            .collect();
        let s = |v: &str| v.to_string();
        all.extend([
            (
                "/api/may-set-up",
                vec![("token", s("0123456789abcdef0123456789abcdef"))],
            ),
            (
                "/api/set-up",
                vec![
                    ("account", s("Takeover")),
                    ("email", s("x@evil.example")),
                    ("password", s(PASSWORD)),
                    ("confirm", s(PASSWORD)),
                    ("token", s("")),
                ],
            ),
            (
                "/api/sign-in",
                vec![
                    ("email", s("admin@msp-a.example")),
                    ("password", s("a wrong password")),
                    ("next", s("/")),
                    ("account", s("")),
                ],
            ),
            ("/api/sign-out", vec![]),
        ]);
        assert_eq!(
            all.len(),
            leptos::server_fn::axum::server_fn_paths().count(),
            "every server function is fuzzed"
        );
        for (path, args) in all {
            for _ in 0..count {
                let m = mutation().new_tree(&mut runner).unwrap().current();
                let (content_type, body) = spoil(path, &args, &m);
                let mut req = app
                    .client
                    .post(format!("{}{path}", app.base))
                    .header("content-type", content_type)
                    .body(body);
                if let Some(c) = cookie {
                    req = req.header("cookie", c);
                }
                let res = req.send().await.unwrap();
                let status = res.status();
                let text = res.text().await.unwrap_or_default();
                calls += 1;
                *statuses.entry(status.as_u16()).or_insert(0usize) += 1;
                assert!(
                    !status.is_server_error(),
                    "{path} as {role} with {m:?}: {status} {}",
                    text.chars().take(300).collect::<String>()
                );
                // A call that started a Microsoft sync goes on writing after its answer: wait
                // for the job, so that nothing else writes to the account meanwhile and the
                // last call's "after" is this one's "before".
                if status.is_success() {
                    sync_settled(app, f).await;
                }
                let after = snapshot(&f.account).await;
                if !status.is_success() {
                    assert_eq!(
                        after, before,
                        "{path} as {role} was refused ({status}) but changed the account: {m:?}"
                    );
                }
                before = after;
            }
        }
    }
    println!("{calls} calls, by status: {statuses:?}");
    calls
}

#[tokio::test]
async fn hostile_input_to_every_function_gets_no_5xx_and_a_refusal_changes_nothing() {
    let (app, f, tech, other) = setup().await;
    let calls = fuzz(&app, &f, &tech, &other, 12, None, None).await;
    assert!(calls > 1_000, "{calls} calls");
}

/// On DynamoDB, one test per role (each on a table of its own): the same calls as one test,
/// run side by side.
async fn on_dynamodb(role: usize) {
    let (app, f, tech, other, table) = setup_on_dynamodb().await;
    let calls = fuzz(&app, &f, &tech, &other, 6, Some(role), Some(&table)).await;
    assert!(calls > 120, "{calls} calls");
}

#[tokio::test]
async fn hostile_input_on_dynamodb_signed_out() {
    on_dynamodb(0).await;
}

#[tokio::test]
async fn hostile_input_on_dynamodb_as_a_technician() {
    on_dynamodb(1).await;
}

#[tokio::test]
async fn hostile_input_on_dynamodb_as_another_accounts_administrator() {
    on_dynamodb(2).await;
}

#[tokio::test]
async fn hostile_input_on_dynamodb_as_an_administrator() {
    on_dynamodb(3).await;
}
