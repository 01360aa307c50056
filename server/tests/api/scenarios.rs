//! S1–S4 over HTTP on both stores, asserting what the pages show — names, links and counts —
//! never just a status: a page renders its errors with status 200, which is how a
//! DynamoDB-only failure of the Organizations list once reached `main`.

use crate::helpers::*;
use std::sync::Arc;

async fn on_embedded() -> TestApp {
    spawn_app().await
}

async fn on_dynamodb() -> TestApp {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    app
}

/// The page has a link to `href` whose text is `text`.
fn assert_link(html: &str, href: &str, text: &str) {
    let found = html
        .match_indices(&format!("href=\"{href}\""))
        .any(|(i, _)| {
            let rest = &html[i..];
            let body = &rest[rest.find('>').unwrap_or(0) + 1..];
            let body = body.split("</a>").next().unwrap_or("");
            strip_comments(body) == text
        });
    if !found {
        let at = html.find(&format!("href=\"{href}\"")).unwrap_or(0);
        let cut: String = html[at.saturating_sub(100)..].chars().take(400).collect();
        panic!("no link {href:?} named {text:?} in the page: …{cut}");
    }
}

/// Leptos marks hydration boundaries with comments (`<!>`, `<!--…-->`) inside text.
fn strip_comments(s: &str) -> String {
    let s = s.replace("<!>", "");
    let s = s.as_str();
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once("-->").map_or("", |(_, r)| r);
    }
    out.push_str(rest);
    out
}

fn assert_no_error(html: &str, path: &str) {
    assert!(
        !html.contains("Something went wrong"),
        "{path} shows an error:\n{}",
        html.split("role=\"alert\"").nth(1).unwrap_or(html)
    );
}

const FOGGY: &str = "0f0661e4-7c2a-4a8e-9d8b-5a5b1e0f0661";

/// S4 end to end, then every page that shows its result.
async fn foggy_it(app: TestApp) {
    let mut orgs = Vec::new();
    for place in ["Boston", "Waltham", "Burlington"] {
        let name = format!("Foggy IT Services - {place}");
        orgs.push(app.create_organization(&name, "").await.unwrap());
    }
    let boston = app.organization(&orgs[0]).await.unwrap();
    let st = boston["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let version = app.syncro_tenants("Boston").await["items"][0]["version"].to_string();
    app.call(
        "rename-syncro-tenant",
        &[
            ("id", &st),
            ("version", &version),
            ("name", "Foggy IT Services"),
        ],
    )
    .await
    .unwrap();
    // Waltham named twice, as a form with two ticked rows of one record sends it.
    app.call(
        "add-organizations",
        &[
            ("id", &st),
            ("organizations[]", &orgs[1]),
            ("organizations[]", &orgs[2]),
            ("organizations[]", &orgs[1]),
        ],
    )
    .await
    .unwrap();
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{FOGGY},Foggy IT,foggyit.onmicrosoft.com\n"
    ))
    .await;
    let version = app.tenant(FOGGY).await["version"].to_string();
    app.map_tenant(FOGGY, &version, &st).await.unwrap();

    // The Syncro Tenant's page: "Foggy IT" on the left, the three Organizations on the right.
    let path = format!("/syncro-tenants/{st}");
    let html = app.page(&path).await;
    assert_no_error(&html, &path);
    assert!(html.contains("Organizations (3)"), "{path}: the count");
    assert_link(
        &html,
        &format!("/admin/microsoft-tenants?q={FOGGY}"),
        "Foggy IT",
    );
    for (id, place) in orgs.iter().zip(["Boston", "Waltham", "Burlington"]) {
        assert_link(
            &html,
            &format!("/organizations/{id}"),
            &format!("Foggy IT Services - {place}"),
        );
    }

    // The Organizations list: three rows sharing one Syncro Tenant (DynamoDB once refused the
    // page's batch read of that parent, named three times).
    let html = app.page("/organizations").await;
    assert_no_error(&html, "/organizations");
    for (id, place) in orgs.iter().zip(["Boston", "Waltham", "Burlington"]) {
        assert_link(
            &html,
            &format!("/organizations/{id}"),
            &format!("Foggy IT Services - {place}"),
        );
    }
    let parent_links = html
        .matches(&format!("href=\"/syncro-tenants/{st}\""))
        .count();
    assert_eq!(parent_links, 3, "each row links its Syncro Tenant");
    assert!(html.contains("3 in all"), "/organizations: the total");

    // Syncro Tenants: the renamed one with its Microsoft Tenant and 3 Organizations; the two
    // automatic ones that were emptied are still there with 0.
    let html = app.page("/syncro-tenants").await;
    assert_no_error(&html, "/syncro-tenants");
    assert_link(&html, &format!("/syncro-tenants/{st}"), "Foggy IT Services");
    assert!(html.contains("Foggy IT Services - Waltham"));
    assert!(html.contains("3 in all"), "/syncro-tenants: the total");
    let row = html
        .split("<tr")
        .find(|r| r.contains(&format!("/syncro-tenants/{st}\"")))
        .unwrap();
    assert!(strip_comments(row).contains(">3</td>"), "the count: {row}");
    assert!(row.contains("Foggy IT"), "the mapped tenant: {row}");

    // Microsoft Tenant Management: the row names its Syncro Tenant as a link.
    let html = app.page("/admin/microsoft-tenants").await;
    assert_no_error(&html, "/admin/microsoft-tenants");
    assert_link(&html, &format!("/syncro-tenants/{st}"), "Foggy IT Services");
    assert!(html.contains("foggyit.onmicrosoft.com"));

    // Each Organization's page: its Syncro Tenant and, through it, the Microsoft Tenant.
    for id in &orgs {
        let path = format!("/organizations/{id}");
        let html = app.page(&path).await;
        assert_no_error(&html, &path);
        assert_link(&html, &format!("/syncro-tenants/{st}"), "Foggy IT Services");
        assert_link(
            &html,
            &format!("/admin/microsoft-tenants?q={FOGGY}"),
            "Foggy IT",
        );
    }
}

#[tokio::test]
async fn foggy_it_pages_show_names_links_and_counts_on_the_embedded_store() {
    foggy_it(on_embedded().await).await;
}

#[tokio::test]
async fn foggy_it_pages_show_names_links_and_counts_on_dynamodb() {
    foggy_it(on_dynamodb().await).await;
}
