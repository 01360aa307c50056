//! What page views and changes cost on AWS: DynamoDB on-demand units (computed from the bytes
//! of each request and response, `server::store::dynamo::count`) and Lambda time (the real
//! release binary under the local Runtime API, against the same moto table) at list prices.

use server::lambda_local::{LocalLambda, function_url_event};
use std::path::Path;
use std::time::{Duration, Instant};

/// The prices, in one place: AWS list prices for us-east-1 (on-demand DynamoDB since the
/// November 2024 reduction; Lambda on arm64). Function URLs cost nothing extra.
pub mod prices {
    /// Dollars per DynamoDB read request unit (on demand): $0.125 per million.
    pub const READ_UNIT: f64 = 0.125 / 1e6;
    /// Dollars per DynamoDB write request unit (on demand): $0.625 per million.
    pub const WRITE_UNIT: f64 = 0.625 / 1e6;
    /// Dollars per Lambda GB-second on arm64.
    pub const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
    /// Dollars per Lambda invocation: $0.20 per million.
    pub const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
    /// The function's memory (template.yaml `MemorySize`), in MB.
    pub const LAMBDA_MB: f64 = 512.0;
    /// The same in GB, as Lambda bills it.
    pub const LAMBDA_GB: f64 = LAMBDA_MB / 1024.0;
}

/// Average DynamoDB units of one page view or one change, measured over HTTP.
#[derive(Clone, Copy, Debug, Default)]
pub struct Units {
    pub read: f64,
    pub write: f64,
}

/// Dollars per 100,000 of something that costs `units` and `ms` of Lambda time.
fn per_100k(units: Units, ms: f64) -> (f64, f64) {
    let dynamo = units.read * prices::READ_UNIT + units.write * prices::WRITE_UNIT;
    let lambda =
        ms / 1000.0 * prices::LAMBDA_GB * prices::LAMBDA_GB_SECOND + prices::LAMBDA_REQUEST;
    (dynamo * 1e5, lambda * 1e5)
}

/// Times warm page views and changes through the real `lambda` binary on `table` and prints
/// the cost table. The bench account (pages::EMAIL) must exist in the table.
pub async fn table(root: &Path, table: &str, page: Units, change: Units, cold_read_units: f64) {
    let binary = root.join("target/release/lambda");
    let env = server::store::dynamo::testing::lambda_env(table);
    let lambda = match LocalLambda::start(&binary, root, &env).await {
        Ok(l) => l,
        Err(e) => {
            println!("  cost table: cannot start {} ({e})", binary.display());
            return;
        }
    };
    let body = format!(
        "email={}&password={}&next=%2F",
        app::components::enc(crate::pages::EMAIL),
        app::components::enc(crate::pages::PASSWORD)
    );
    let answer = lambda
        .invoke(function_url_event("POST", "/api/sign-in", "", &[], &body))
        .await;
    let cookie = answer["cookies"][0]
        .as_str()
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let cookies = std::slice::from_ref(&cookie);
    let view = || function_url_event("GET", "/admin/microsoft-tenants", "", cookies, "");
    // The first view loads the account into this instance (through moto: minutes at SPEC scale).
    let t = Instant::now();
    let first = lambda.invoke_within(view(), Duration::from_secs(600)).await;
    assert_eq!(first["statusCode"], 200, "{first}");
    let cold_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut views = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        assert_eq!(lambda.invoke(view()).await["statusCode"], 200);
        views.push(t.elapsed());
    }
    let mut changes = Vec::new();
    for i in 0..20 {
        let form = format!(
            "name={}&email=&phone=&address=&syncro_tenant=",
            app::components::enc(&format!("Cost Check {i:02}"))
        );
        let event = function_url_event("POST", "/api/create-organization", "", cookies, &form);
        let t = Instant::now();
        let answer = lambda.invoke(event).await;
        changes.push(t.elapsed());
        assert_eq!(answer["statusCode"], 200, "{answer}");
    }
    views.sort();
    changes.sort();
    let median = |v: &[Duration]| crate::pages::percentile(v, 0.5);
    let (view_ms, change_ms) = (median(&views), median(&changes));
    println!(
        "\nCost on AWS (on-demand DynamoDB ${:.3}/M read units, ${:.3}/M write units; Lambda arm64 \
         {} MB at ${:.10}/GB-s + ${:.2}/M requests):",
        prices::READ_UNIT * 1e6,
        prices::WRITE_UNIT * 1e6,
        prices::LAMBDA_MB,
        prices::LAMBDA_GB_SECOND,
        prices::LAMBDA_REQUEST * 1e6
    );
    println!(
        "  Lambda time under the local Runtime API (moto on loopback; DynamoDB in AWS answers in \
         a few ms): page view median {view_ms:.1} ms, change (S3) median {change_ms:.1} ms"
    );
    println!(
        "  {:<28} {:>12} {:>12} {:>10} {:>10} {:>12}",
        "per 100,000", "read units", "write units", "DynamoDB", "Lambda", "total"
    );
    for (what, units, ms) in [
        ("page views (warm)", page, view_ms),
        ("changes (S1–S4)", change, change_ms),
    ] {
        let (dynamo, lambda) = per_100k(units, ms);
        println!(
            "  {what:<28} {:>12.0} {:>12.0} {:>9.4}$ {:>9.4}$ {:>11.4}$",
            units.read * 1e5,
            units.write * 1e5,
            dynamo,
            lambda,
            dynamo + lambda
        );
    }
    let (cold, _) = per_100k(
        Units {
            read: cold_read_units,
            write: 0.0,
        },
        0.0,
    );
    println!(
        "  a cold instance loads an account once: {cold_read_units:.0} read units (${:.6}), \
         {cold_ms:.0} ms through moto",
        cold / 1e5
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_add_up_at_list_prices() {
        // 4 read units and 100 ms at 512 MB per view: $0.05 of DynamoDB and $0.0867 of Lambda
        // (time $0.0667 + requests $0.02) per 100,000.
        let (dynamo, lambda) = per_100k(
            Units {
                read: 4.0,
                write: 0.0,
            },
            100.0,
        );
        assert!((dynamo - 0.05).abs() < 1e-9, "{dynamo}");
        assert!((lambda - 0.086_667).abs() < 1e-5, "{lambda}");
    }
}
