//! Two people edit one record (two tabs, or two Administrators): a refused save never turns the
//! form fresh, and a stale save never writes back what its reader did not change. Each form is
//! posted exactly as its page fills it in (`helpers::html`), on both stores.

use crate::forms::refused_post;
use crate::helpers::html::{field, form_fields, pairs, with};
use crate::helpers::*;
use std::sync::Arc;

type Fields = Vec<(String, String)>;

/// The form on `page` that posts to `endpoint`, as its reader sees it.
async fn opened(app: &TestApp, page: &str, endpoint: &str) -> Fields {
    form_fields(&app.page(page).await, endpoint)
}

/// A posts `fields` from `page`: refused, and the form as it comes back.
async fn refused(app: &TestApp, endpoint: &str, page: &str, fields: &Fields) -> (String, Fields) {
    let (html, _) = refused_post(app, endpoint, page, &pairs(fields)).await;
    let back = form_fields(&html, endpoint);
    (html, back)
}

async fn organization(app: TestApp) {
    let org = app.create_organization("Foggy IT", "").await.unwrap();
    let page = format!("/organizations/{org}/edit");
    let a = opened(&app, &page, "update-organization").await;
    let first = field(&a, "version").to_string();

    // Tab B saves a phone number.
    let b = opened(&app, &page, "update-organization").await;
    app.call(
        "update-organization",
        &pairs(&with(b, "phone", "+1 617 555 0100")),
    )
    .await
    .unwrap();

    // Tab A changes the address and types an email the server refuses: the form comes back
    // with what A typed and still the version A opened.
    let typed = with(with(a, "address", "2 Elm St"), "email", "billing@");
    let (_, back) = refused(&app, "update-organization", &page, &typed).await;
    assert_eq!(
        field(&back, "version"),
        first,
        "a refusal turned the form fresh"
    );
    assert_eq!(field(&back, "address"), "2 Elm St");
    assert_eq!(field(&back, "phone"), "", "A never typed a phone");

    // A fixes the email and saves: stale (B saved since A opened it).
    let fixed = with(back, "email", "billing@foggy.example");
    let (html, merged) = refused(&app, "update-organization", &page, &fixed).await;
    assert!(
        html.contains("Someone else saved this Organization after you opened it"),
        "the stale note"
    );
    assert!(html.contains("No field was changed by both of you"));
    assert_eq!(field(&merged, "phone"), "+1 617 555 0100", "B's phone kept");
    assert_eq!(field(&merged, "address"), "2 Elm St", "A's address kept");
    assert_eq!(field(&merged, "email"), "billing@foggy.example");
    assert_ne!(field(&merged, "version"), first);

    // Saved as the form now stands: both changes are there.
    app.call("update-organization", &pairs(&merged))
        .await
        .unwrap();
    let now = app.organization(&org).await.unwrap();
    assert_eq!(now["phone"], "+1 617 555 0100");
    assert_eq!(now["address"], "2 Elm St");
    assert_eq!(now["email"], "billing@foggy.example");
    let log = activity(&app, &[]).await;
    entry_of(&log, "Updated Organization \"Foggy IT\": email, address");
    entry_of(&log, "Updated Organization \"Foggy IT\": phone");

    // Both change the phone: A chooses, field by field, between the two.
    let a = opened(&app, &page, "update-organization").await;
    let b = opened(&app, &page, "update-organization").await;
    app.call(
        "update-organization",
        &pairs(&with(b, "phone", "+1 617 555 0111")),
    )
    .await
    .unwrap();
    let (html, merged) = refused(
        &app,
        "update-organization",
        &page,
        &with(
            with(a, "phone", "+1 617 555 0199"),
            "website",
            "foggy.example",
        ),
    )
    .await;
    assert!(html.contains("One field was changed by both of you"));
    assert!(html.contains("Phone: changed by you and by someone else"));
    assert!(
        html.contains("value=\"+1 617 555 0111\"") && html.contains("value=\"+1 617 555 0199\""),
        "both values to choose from"
    );
    assert_eq!(
        field(&merged, "phone"),
        "+1 617 555 0199",
        "yours by default"
    );
    // A keeps what is stored now.
    app.call(
        "update-organization",
        &pairs(&with(merged, "phone", "+1 617 555 0111")),
    )
    .await
    .unwrap();
    let now = app.organization(&org).await.unwrap();
    assert_eq!(now["phone"], "+1 617 555 0111");
    assert_eq!(now["website"], "foggy.example");
    assert_eq!(now["address"], "2 Elm St");
}

async fn end_user(app: TestApp) {
    let org = app.create_organization("Acme Dental", "").await.unwrap();
    let id = app
        .call(
            "create-end-user",
            &[
                ("organization", org.as_str()),
                ("name", "Ann Lee"),
                ("email", "ann@acme.example"),
                ("other_emails", ""),
                ("job_title", ""),
                ("department", ""),
                ("office_location", ""),
                ("phone", ""),
            ],
        )
        .await
        .unwrap();
    let id = id.as_str().unwrap().to_string();
    let page = format!("/end-users/{id}/edit");
    let a = opened(&app, &page, "update-end-user").await;
    let first = field(&a, "version").to_string();
    let b = opened(&app, &page, "update-end-user").await;
    app.call(
        "update-end-user",
        &pairs(&with(
            with(b, "job_title", "Hygienist"),
            "pin_job_title",
            "on",
        )),
    )
    .await
    .unwrap();
    let typed = with(with(a, "department", "Front Office"), "email", "ann@");
    let (_, back) = refused(&app, "update-end-user", &page, &typed).await;
    assert_eq!(
        field(&back, "version"),
        first,
        "a refusal turned the form fresh"
    );
    assert_eq!(field(&back, "job_title"), "", "A never typed a job title");
    let fixed = with(
        with(back, "email", "ann.lee@acme.example"),
        "phone",
        "+1 617 555 0100",
    );
    let (html, merged) = refused(&app, "update-end-user", &page, &fixed).await;
    assert!(html.contains("Someone else saved this person after you opened it"));
    assert_eq!(
        field(&merged, "job_title"),
        "Hygienist",
        "B's job title kept"
    );
    assert_eq!(field(&merged, "pin_job_title"), "on", "B's pin kept");
    assert_eq!(field(&merged, "department"), "Front Office");
    app.call("update-end-user", &pairs(&merged)).await.unwrap();
    let now = app.call("end-user", &[("id", id.as_str())]).await.unwrap();
    let value = |key: &str| {
        now["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap()
            .clone()
    };
    assert_eq!(value("job_title")["value"], "Hygienist");
    assert_eq!(value("job_title")["pinned"], true);
    assert_eq!(value("department")["value"], "Front Office");
    assert_eq!(value("phone")["value"], "+1 617 555 0100");
}

async fn syncro_tenant(app: TestApp) {
    let org = app.create_organization("Beacon Brewing", "").await.unwrap();
    app.create_organization("Taken", "").await.unwrap();
    let st = app.organization(&org).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = format!("/syncro-tenants/{st}");
    let a = opened(&app, &page, "rename-syncro-tenant").await;
    let first = field(&a, "version").to_string();
    // A's rename is refused (the name is taken): the form keeps what A typed, and the version.
    let (_, back) = refused(
        &app,
        "rename-syncro-tenant",
        &page,
        &with(a, "name", "Taken"),
    )
    .await;
    assert_eq!(
        field(&back, "version"),
        first,
        "a refusal turned the form fresh"
    );
    assert_eq!(field(&back, "name"), "Taken", "what A typed");
    // B renames it meanwhile; A's fixed rename is stale, and the name is A's to settle.
    let b = opened(&app, &page, "rename-syncro-tenant").await;
    app.call(
        "rename-syncro-tenant",
        &pairs(&with(b, "name", "Beacon Brewing Co")),
    )
    .await
    .unwrap();
    let (html, merged) = refused(
        &app,
        "rename-syncro-tenant",
        &page,
        &with(back, "name", "Beacon Brewing Company"),
    )
    .await;
    assert!(html.contains("Someone else saved this Syncro Tenant after you opened it"));
    assert!(html.contains("Keep what is stored now: <span class=\"pre\">Beacon Brewing Co</span>"));
    assert_eq!(field(&merged, "name"), "Beacon Brewing Company");
    app.call("rename-syncro-tenant", &pairs(&merged))
        .await
        .unwrap();
    let now = app.organization(&org).await.unwrap();
    assert_eq!(now["syncro_tenant"]["name"], "Beacon Brewing Company");
}

async fn on_dynamodb() -> TestApp {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    app
}

#[tokio::test]
async fn an_organization_edit_after_a_refusal_loses_no_write_on_the_embedded_store() {
    organization(spawn_app().await).await;
}

#[tokio::test]
async fn an_organization_edit_after_a_refusal_loses_no_write_on_dynamodb() {
    organization(on_dynamodb().await).await;
}

#[tokio::test]
async fn an_end_user_edit_after_a_refusal_loses_no_write_on_the_embedded_store() {
    end_user(spawn_app().await).await;
}

#[tokio::test]
async fn an_end_user_edit_after_a_refusal_loses_no_write_on_dynamodb() {
    end_user(on_dynamodb().await).await;
}

#[tokio::test]
async fn a_syncro_tenant_rename_after_a_refusal_loses_no_write_on_the_embedded_store() {
    syncro_tenant(spawn_app().await).await;
}

#[tokio::test]
async fn a_syncro_tenant_rename_after_a_refusal_loses_no_write_on_dynamodb() {
    syncro_tenant(on_dynamodb().await).await;
}
