//! Lambda cold start, measured locally: the real `lambda` binary (release) under the local
//! Runtime API, on a moto table; from process start to its first response, median of several
//! starts. And the size of the deployed bootstrap.

use server::lambda_local::{LocalLambda, function_url_event};
use std::path::Path;
use std::time::{Duration, Instant};

/// Budget for the median cold start (process start to first response), locally.
const COLD_START_BUDGET_MS: f64 = 250.0;
const STARTS: usize = 7;

pub async fn measure(root: &Path) -> bool {
    let binary = root.join("target/release/lambda");
    println!(
        "\nLambda cold start ({}, {STARTS} starts):",
        binary.display()
    );
    if !binary.exists() {
        println!(
            "  {} is missing (make bench builds it)  FAIL",
            binary.display()
        );
        return false;
    }
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let (email, password) = (crate::pages::EMAIL, crate::pages::PASSWORD);
    server::tasks::create_account(&store, "Bench MSP", email, password)
        .await
        .unwrap();
    let env = server::store::dynamo::testing::lambda_env(store.table());
    // A session made by one run serves the next ones: sessions live in the table.
    let cookie = {
        let lambda = LocalLambda::start(&binary, root, &env).await.unwrap();
        let body = format!(
            "email={}&password={}&next=%2F",
            app::components::enc(email),
            app::components::enc(password)
        );
        let answer = lambda
            .invoke(function_url_event("POST", "/api/sign-in", "", &[], &body))
            .await;
        assert_eq!(answer["statusCode"], 200, "{answer}");
        answer["cookies"][0]
            .as_str()
            .expect("a session cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let page = || {
        function_url_event(
            "GET",
            "/admin/microsoft-tenants",
            "",
            std::slice::from_ref(&cookie),
            "",
        )
    };
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let t = Instant::now();
        let lambda = LocalLambda::start(&binary, root, &env).await.unwrap();
        let answer = lambda.invoke(page()).await;
        cold.push(t.elapsed());
        assert_eq!(answer["statusCode"], 200, "{answer}");
        let t = Instant::now();
        let answer = lambda.invoke(page()).await;
        warm.push(t.elapsed());
        assert_eq!(answer["statusCode"], 200);
    }
    cold.sort();
    warm.sort();
    let median = |v: &[Duration]| crate::pages::percentile(v, 0.5);
    let pass = median(&cold) < COLD_START_BUDGET_MS;
    println!(
        "  process start to the first signed-in page: median {:.1} ms (min {:.1}, max {:.1}); \
         the next request {:.1} ms  (budget median < {COLD_START_BUDGET_MS} ms)  {}",
        median(&cold),
        cold[0].as_secs_f64() * 1000.0,
        cold[STARTS - 1].as_secs_f64() * 1000.0,
        median(&warm),
        crate::verdict(pass)
    );
    for (what, path) in [
        ("this machine's release binary", binary),
        (
            "the deployed arm64 bootstrap (make lambda)",
            root.join("target/lambda/lambda/bootstrap"),
        ),
    ] {
        match std::fs::metadata(&path) {
            Ok(m) => println!(
                "  {what}: {:.1} MB ({} bytes)",
                m.len() as f64 / 1e6,
                m.len()
            ),
            Err(_) => println!("  {what}: not built ({})", path.display()),
        }
    }
    pass
}
