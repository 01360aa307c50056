//! The mapping export over HTTP, on both stores: the file a spreadsheet opens, for anyone
//! signed in to the account and only with that account's records.

use crate::helpers::*;

const T1: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const T2: &str = "0b5e7c1a-1111-4c2b-9a11-000000000002";

async fn scenario(app: TestApp) {
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{T1},Foggy IT,foggyit.onmicrosoft.com\n{T2},=Formula Corp,formula.onmicrosoft.com\n"
    ))
    .await;
    let boston = app
        .create_organization("Foggy IT Services - Boston", "")
        .await
        .unwrap();
    let st = app.organization(&boston).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.create_organization("Foggy IT Services - Waltham", &st)
        .await
        .unwrap();
    let v = app.tenant(T1).await["version"].to_string();
    app.map_tenant(T1, &v, &st).await.unwrap();

    let res = app.get("/admin/microsoft-tenants/export.csv").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"tenantmap-mapping-20"),
        "{disposition}"
    );
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Microsoft Tenant ID,Microsoft Tenant,Default domain,Syncro Tenant,Organizations,Last sync,Sync problem"
    );
    assert!(
        lines[1].starts_with(&format!("{T2},'=Formula Corp,formula.onmicrosoft.com,,,")),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with(&format!(
            "{T1},Foggy IT,foggyit.onmicrosoft.com,Foggy IT Services - Boston,Foggy IT Services - Boston; Foggy IT Services - Waltham,"
        )),
        "{}",
        lines[2]
    );
    assert_eq!(lines.len(), 4, "two tenants, and the last line's end");

    // A Technician may export; another account gets its own (empty) mapping; signed out, the
    // browser is sent to sign in.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let res = app
        .get_as(Some(&tech), "/admin/microsoft-tenants/export.csv")
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Foggy IT"));
    let other = app.create_account("MSP B", "admin@msp-b.example").await;
    let theirs = app
        .get_as(Some(&other), "/admin/microsoft-tenants/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("Foggy"), "{theirs}");
    assert_eq!(theirs.trim_start_matches('\u{feff}').lines().count(), 1);
    let res = app
        .get_as(None, "/admin/microsoft-tenants/export.csv")
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in?next=")
    );
    // The page links to it.
    let html = app.page("/admin/microsoft-tenants").await;
    assert!(html.contains(r#"href="/admin/microsoft-tenants/export.csv""#));
}

#[tokio::test]
async fn export_on_the_embedded_store() {
    scenario(spawn_app().await).await;
}

#[tokio::test]
async fn export_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    scenario(app).await;
}
