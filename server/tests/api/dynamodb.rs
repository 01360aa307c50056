//! The app on the DynamoDB store (moto), over HTTP: S1–S4 work, and every call stays inside its
//! request budget — each change one write request, each warm page view at most 5 requests and
//! 10 read units whatever the account's size (the list cache, `store/dynamo/cache.rs`).

use crate::helpers::*;
use server::store::dynamo::count::{RequestCounter, Requests};
use server::store::dynamo::testing::fresh_store;
use std::sync::Arc;

/// Most reads a change may make (session, user, the records it decides on).
const CHANGE_READS: u32 = 8;
/// A warm page view: session, user, account, the list generation (and the integration on
/// Microsoft Tenant Management) — the rows come from the instance's list cache.
const PAGE_REQUESTS: u32 = 5;
const PAGE_READ_UNITS: f64 = 10.0;

async fn spawn_dynamo() -> (TestApp, RequestCounter) {
    let (store, counter) = fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    counter.take();
    (app, counter)
}

/// Runs one call and returns what it cost.
async fn measured<T>(
    counter: &RequestCounter,
    f: impl std::future::Future<Output = T>,
) -> (T, Requests) {
    counter.take();
    let out = f.await;
    (out, counter.take())
}

fn change(label: &str, r: &Requests, report: &mut Vec<String>) {
    report.push(format!("{label:<44} {r}; {}", r.units()));
    assert!(
        !r.ops.contains_key("Unnamed"),
        "every request is named: {r}"
    );
    assert_eq!(r.writes(), 1, "{label}: {r}");
    assert!(r.reads() <= CHANGE_READS, "{label}: {r}");
}

fn page(label: &str, r: &Requests, report: &mut Vec<String>) {
    report.push(format!("{label:<44} {r}; {}", r.units()));
    assert_eq!(r.writes(), 0, "{label}: {r}");
    assert!(r.reads() <= PAGE_REQUESTS, "{label}: {r}");
    assert!(r.read_units <= PAGE_READ_UNITS, "{label}: {}", r.units());
}

#[tokio::test]
async fn scenarios_on_dynamodb_stay_within_their_request_budget() {
    let (app, counter) = spawn_dynamo().await;
    let mut report = Vec::new();
    let t1 = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    // S3: a new Organization gets its own Syncro Tenant — one write.
    let (acme, r) = measured(&counter, app.create_organization("Acme Dental", "")).await;
    change("S3 create Organization", &r, &mut report);
    let acme = app.organization(&acme.unwrap()).await.unwrap();
    assert_eq!(acme["syncro_tenant"]["name"], "Acme Dental");

    // S4: three Organizations, rename, move two, map.
    let mut orgs = Vec::new();
    for place in ["Boston", "Waltham", "Burlington"] {
        orgs.push(
            app.create_organization(&format!("Foggy IT Services - {place}"), "")
                .await
                .unwrap(),
        );
    }
    let boston = app.organization(&orgs[0]).await.unwrap();
    let st = boston["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let st_version = app.syncro_tenants("Boston").await["items"][0]["version"].to_string();
    let (r1, r) = measured(
        &counter,
        app.call(
            "rename-syncro-tenant",
            &[
                ("id", &st),
                ("version", &st_version),
                ("name", "Foggy IT Services"),
            ],
        ),
    )
    .await;
    r1.unwrap();
    change("S4 rename Syncro Tenant", &r, &mut report);
    let (r2, r) = measured(
        &counter,
        app.call(
            "add-organizations",
            &[
                ("id", &st),
                ("organizations[]", &orgs[1]),
                ("organizations[]", &orgs[2]),
            ],
        ),
    )
    .await;
    r2.unwrap();
    change("S4 add 2 Organizations", &r, &mut report);
    let csv =
        format!("tenantId,displayName,defaultDomainName\n{t1},Foggy IT,foggyit.onmicrosoft.com\n");
    let (report_json, r) = measured(&counter, app.import(&csv)).await;
    assert_eq!(report_json["added"], 1);
    change("import 1 Microsoft Tenant", &r, &mut report);
    let version = app.tenant(t1).await["version"].to_string();
    // S1: map — one write.
    let (mapped, r) = measured(&counter, app.map_tenant(t1, &version, &st)).await;
    mapped.unwrap();
    change("S1 map Microsoft Tenant", &r, &mut report);
    let details = app
        .call("syncro-tenant", &[("id", &st), ("page", "1")])
        .await
        .unwrap();
    assert_eq!(details["microsoft_tenant"]["display_name"], "Foggy IT");
    assert_eq!(details["organizations"]["total"], 3);

    // S2: choose a parent in ORGANIZATION SETTINGS — one write.
    let org = app.organization(&orgs[1]).await.unwrap();
    let acme_st = acme["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let (moved, r) = measured(
        &counter,
        app.call(
            "update-organization",
            &[
                ("id", &orgs[1]),
                ("version", &org["version"].to_string()),
                ("name", "Foggy IT Services - Waltham"),
                ("email", ""),
                ("phone", ""),
                ("address", ""),
                ("syncro_tenant", &acme_st),
            ],
        ),
    )
    .await;
    moved.unwrap();
    change("S2 change parent Syncro Tenant", &r, &mut report);

    // Warm pages: the same few reads with 5 rows as with 30 (the first view of each may catch
    // up with the changes since; the second shows what a page view costs).
    let paths = [
        "/admin/microsoft-tenants".to_string(),
        "/organizations".to_string(),
        "/syncro-tenants".to_string(),
        format!("/syncro-tenants/{st}"),
    ];
    let mut before = Vec::new();
    for path in &paths {
        app.get(path).await;
        let (res, r) = measured(&counter, app.get(path)).await;
        assert_eq!(res.status(), 200, "{path}");
        page(&format!("page {path} (few rows)"), &r, &mut report);
        before.push(r.reads());
    }
    let mut rows = String::from("tenantId,displayName,defaultDomainName\n");
    for i in 0..30u32 {
        app.create_organization(&format!("Harbor Clinic {i}"), "")
            .await
            .unwrap();
        rows.push_str(&format!(
            "0b5e7c1a-1111-4c2b-9a11-{i:012},Harbor {i},harbor{i}.onmicrosoft.com\n"
        ));
    }
    app.import(&rows).await;
    for (i, path) in paths.iter().enumerate() {
        let (res, r) = measured(&counter, app.get(path)).await;
        assert_eq!(res.status(), 200, "{path}");
        report.push(format!(
            "{:<44} {r}; {}",
            format!("page {path} (caught up)"),
            r.units()
        ));
        let (res, r) = measured(&counter, app.get(path)).await;
        assert_eq!(res.status(), 200, "{path}");
        page(&format!("page {path} (35 rows)"), &r, &mut report);
        assert_eq!(r.reads(), before[i], "{path}: reads grow with rows");
    }
    eprintln!("DynamoDB requests per call:\n  {}", report.join("\n  "));
}
