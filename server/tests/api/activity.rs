//! Admin > Activity over HTTP, on both stores: sign-ins (refused ones too) and changes are
//! listed by name, filtered by kind, person, record and words, paged; *Undo* restores a
//! mapping and a rename and refuses when the record changed since; Technicians are refused.

use crate::helpers::*;
use app::error::AppError;

const T1: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

fn summaries(v: &serde_json::Value) -> Vec<String> {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["summary"].as_str().unwrap().to_string())
        .collect()
}

async fn scenario(app: TestApp) {
    // A refused sign-in of a user of this account is recorded (aside: wait for it).
    assert_eq!(
        app.sign_in("admin@msp-a.example", "not the password").await,
        Err(AppError::SignInFailed)
    );
    let mut refused = Vec::new();
    for _ in 0..50 {
        refused = summaries(&activity(&app, &[("kind", "sign-ins")]).await);
        if refused.iter().any(|s| s.starts_with("Refused")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        refused.contains(
            &"Refused a sign-in (wrong password): admin@msp-a.example from 127.0.0.1".to_string()
        ),
        "{refused:?}"
    );
    assert!(refused.contains(&"Signed in: admin@msp-a.example from 127.0.0.1".to_string()));

    // A mapping, undone from the log; undone again it is refused (it changed since).
    let org = app.create_organization("Acme Dental", "").await.unwrap();
    let st = app.organization(&org).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{T1},Acme M365,acme.onmicrosoft.com\n"
    ))
    .await;
    let v = app.tenant(T1).await["version"].to_string();
    app.map_tenant(T1, &v, &st).await.unwrap();
    let mappings = activity(&app, &[("kind", "mappings")]).await;
    assert_eq!(
        summaries(&mappings),
        ["Mapped Microsoft Tenant \"Acme M365\" to Syncro Tenant \"Acme Dental\""]
    );
    assert_eq!(mappings["rows"][0]["can_undo"], true);
    let mapped = entry_of(&mappings, "Mapped");
    let said = app
        .call("undo", &[("entry", &mapped), ("back", "")])
        .await
        .unwrap();
    assert_eq!(
        said,
        "Undone: Mapped Microsoft Tenant \"Acme M365\" to Syncro Tenant \"Acme Dental\"."
    );
    assert!(app.tenant(T1).await["syncro_tenant"].is_null());
    let err = app
        .call("undo", &[("entry", &mapped), ("back", "")])
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("\"Acme M365\" was mapped differently since"),
        "{err}"
    );
    assert!(app.tenant(T1).await["syncro_tenant"].is_null());
    assert_eq!(
        summaries(&activity(&app, &[("kind", "mappings")]).await)[0],
        "Unmapped Microsoft Tenant \"Acme M365\" from Syncro Tenant \"Acme Dental\" (undo)"
    );

    // A rename, undone.
    let version = app
        .call("syncro-tenant", &[("id", &st), ("page", "1")])
        .await
        .unwrap()["tenant"]["version"]
        .to_string();
    app.call(
        "rename-syncro-tenant",
        &[
            ("id", &st),
            ("version", &version),
            ("name", "Acme Dental Group"),
        ],
    )
    .await
    .unwrap();
    let renames = activity(&app, &[("q", "renamed")]).await;
    let renamed = entry_of(&renames, "Renamed Syncro Tenant");
    app.call("undo", &[("entry", &renamed), ("back", "")])
        .await
        .unwrap();
    assert_eq!(
        app.call("syncro-tenant", &[("id", &st), ("page", "1")])
            .await
            .unwrap()["tenant"]["name"],
        "Acme Dental"
    );

    // Organizations moved by Add Organizations, moved back.
    let north = app.create_organization("Acme North", "").await.unwrap();
    let north_st = app.organization(&north).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.call(
        "add-organizations",
        &[("id", &st), ("organizations[]", &north)],
    )
    .await
    .unwrap();
    let moved = entry_of(&activity(&app, &[("q", "acme north")]).await, "Moved");
    let said = app
        .call("undo", &[("entry", &moved), ("back", "")])
        .await
        .unwrap();
    assert_eq!(
        said,
        "Undone: Moved Acme North to Syncro Tenant \"Acme Dental\"."
    );
    assert_eq!(
        app.organization(&north).await.unwrap()["syncro_tenant"]["id"],
        north_st.as_str()
    );

    // The Syncro Tenant's history, by its name; a sync entry cannot be undone.
    let record = format!("st:{st}");
    let history = activity(&app, &[("record", &record)]).await;
    assert_eq!(history["record_name"], "Syncro Tenant “Acme Dental”");
    assert_eq!(summaries(&history).len(), 7, "{history}");
    assert!(
        summaries(&history)
            .last()
            .unwrap()
            .starts_with("Created Organization \"Acme Dental\"")
    );
    let no_undo = app
        .call(
            "undo",
            &[
                (
                    "entry",
                    &entry_of(&activity(&app, &[("kind", "syncs")]).await, ""),
                ),
                ("back", ""),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        no_undo.to_string().contains("cannot be undone"),
        "{no_undo}"
    );

    // The page, as a browser gets it: rows by name, Undo buttons, filters.
    let html = app.page(&format!("/admin/activity?record={record}")).await;
    assert!(
        html.contains("The history of Syncro Tenant “Acme Dental”."),
        "heading"
    );
    assert!(html.contains("Renamed Syncro Tenant \"Acme Dental\" to \"Acme Dental Group\""));
    assert!(html.contains(">Undo<"), "no Undo button");

    // Paged: 60 more changes make an Older page, and the pages do not overlap.
    for n in 0..60 {
        app.create_organization(&format!("Paged {n:02}"), "")
            .await
            .unwrap();
    }
    let first = activity(&app, &[]).await;
    assert_eq!(first["rows"].as_array().unwrap().len(), 50);
    let older = first["older"].as_str().unwrap().to_string();
    assert!(!older.is_empty());
    let second = activity(&app, &[("before", &older)]).await;
    let tokens = |v: &serde_json::Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["entry"].as_str().unwrap().to_string())
            .collect()
    };
    let (a, b) = (tokens(&first), tokens(&second));
    assert!(
        !b.is_empty() && b.iter().all(|t| !a.contains(t)),
        "pages overlap"
    );
    assert!(
        a.last().unwrap() > b.first().unwrap(),
        "the second page is older"
    );
    assert!(summaries(&second).contains(
        &"Created Organization \"Paged 05\" and its Syncro Tenant \"Paged 05\"".to_string()
    ));

    // A sign-out is recorded too (another session of the Administrator).
    let other = app.sign_in("admin@msp-a.example", PASSWORD).await.unwrap();
    app.call_as(Some(&other), "sign-out", &[]).await.unwrap();
    let sessions = summaries(&activity(&app, &[("kind", "sign-ins")]).await);
    assert_eq!(
        sessions[0], "Signed out: admin@msp-a.example from 127.0.0.1",
        "{sessions:?}"
    );

    // Technicians see none of it and undo nothing.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let form = [
        ("person", ""),
        ("kind", ""),
        ("record", ""),
        ("q", ""),
        ("before", ""),
    ];
    assert_eq!(
        app.call_as(Some(&tech), "activity", &form)
            .await
            .unwrap_err(),
        AppError::NotAllowed
    );
    assert_eq!(
        app.call_as(Some(&tech), "undo", &[("entry", &renamed), ("back", "")])
            .await
            .unwrap_err(),
        AppError::NotAllowed
    );
}

#[tokio::test]
async fn activity_on_the_embedded_store() {
    scenario(spawn_app().await).await;
}

#[tokio::test]
async fn activity_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    scenario(app).await;
}
