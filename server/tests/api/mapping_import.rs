//! *Import mappings* over HTTP, on both stores: the export read back is a dry run with zero
//! changes; an edited file maps, moves and creates as its dry run said, and refuses by name;
//! the no-JavaScript form gets its report in the page; Technicians are refused.

use crate::helpers::*;
use app::error::AppError;

const T1: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const T2: &str = "0b5e7c1a-1111-4c2b-9a11-000000000002";
const T3: &str = "0b5e7c1a-1111-4c2b-9a11-000000000003";

async fn import(app: &TestApp, csv: &str, create: bool, apply: bool) -> serde_json::Value {
    let (create, apply) = (create.to_string(), apply.to_string());
    app.call(
        "import-mappings",
        &[("csv", csv), ("create", &create), ("apply", &apply)],
    )
    .await
    .unwrap()
}

async fn scenario(app: TestApp) {
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{T1},Foggy IT,foggyit.onmicrosoft.com\n{T2},=Formula Corp,formula.onmicrosoft.com\n{T3},Acme M365,acme.onmicrosoft.com\n"
    ))
    .await;
    let boston = app
        .create_organization("Foggy IT Services", "")
        .await
        .unwrap();
    let st = app.organization(&boston).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.create_organization("Acme Dental", "").await.unwrap();
    let v = app.tenant(T1).await["version"].to_string();
    app.map_tenant(T1, &v, &st).await.unwrap();

    // The export, read back: nothing to change.
    let export = app.page("/admin/microsoft-tenants/export.csv").await;
    let dry = import(&app, &export, false, false).await;
    assert_eq!(
        (
            dry["changes"].as_u64(),
            dry["unchanged"].as_u64(),
            dry["refused"].as_u64()
        ),
        (Some(0), Some(3), Some(0)),
        "{dry}"
    );

    // Edited: Acme mapped to an existing Syncro Tenant, Formula to a new one, one bad row.
    let edited = format!(
        "Microsoft Tenant ID,Syncro Tenant\n{T1},Foggy IT Services\n{T3},acme dental\n{T2},'=Formula Holdings\nnot-an-id,X\n"
    );
    let dry = import(&app, &edited, false, false).await;
    assert_eq!(
        (dry["changes"].as_u64(), dry["refused"].as_u64()),
        (Some(1), Some(2)),
        "{dry}"
    );
    let notes: Vec<&str> = dry["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "Map \"Acme M365\" to \"Acme Dental\"",
            "No Syncro Tenant \"=Formula Holdings\": tick \"Create the Syncro Tenants that do not exist\" and check again to create it",
            "\"not-an-id\" is not a tenant ID",
        ]
    );
    assert!(
        app.tenant(T3).await["syncro_tenant"].is_null(),
        "a dry run changes nothing"
    );

    // Checked again with "Create…" ticked: the two changes are kept for this session, and
    // *Import these 2 changes* imports them without the file — once, and for no other session.
    let checked = import(&app, &edited, true, false).await;
    assert_eq!(checked["changes"].as_u64(), Some(2), "{checked}");
    let id = checked["checked"].as_str().unwrap().to_string();
    let other_admin = app.add_user("ann@msp-a.example", "administrator").await;
    let not_kept = |r: Result<serde_json::Value, AppError>| match r {
        Err(AppError::Validation { field, message }) => {
            assert_eq!(field, "checked");
            assert!(message.contains("choose it again"), "{message}");
        }
        other => panic!("{other:?}"),
    };
    not_kept(
        app.call_as(
            Some(&other_admin),
            "import-checked-mappings",
            &[("checked", &id)],
        )
        .await,
    );
    let done = app
        .call("import-checked-mappings", &[("checked", &id)])
        .await
        .unwrap();
    not_kept(
        app.call("import-checked-mappings", &[("checked", &id)])
            .await,
    );
    assert_eq!(
        (
            done["applied"].as_bool(),
            done["changes"].as_u64(),
            done["not_applied"].as_u64()
        ),
        (Some(true), Some(2), Some(0)),
        "{done}"
    );
    assert_eq!(app.tenant(T3).await["syncro_tenant"]["name"], "Acme Dental");
    assert_eq!(
        app.tenant(T2).await["syncro_tenant"]["name"],
        "=Formula Holdings"
    );
    let notes: Vec<&str> = done["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "Mapped \"Acme M365\" to \"Acme Dental\"",
            "Created the Syncro Tenant \"=Formula Holdings\" and mapped \"=Formula Corp\" to it"
        ],
        "applied rows in the past tense, by their lines"
    );
    // Imported again: nothing left to do, so nothing is kept.
    let again = import(&app, &edited, true, true).await;
    assert_eq!(again["changes"].as_u64(), Some(0), "{again}");
    let again = import(&app, &edited, true, false).await;
    assert!(again["checked"].is_null(), "{again}");

    // Without JavaScript: the report comes back in the page.
    let (content_type, body) = multipart_form(&[("csv", &export), ("apply", "false")]);
    let mut req = app
        .client
        .post(format!("{}/api/import-mappings", app.base))
        .header("accept", "text/html")
        .header("content-type", content_type)
        .header(
            "referer",
            format!("{}/admin/microsoft-tenants/import-mappings", app.base),
        );
    req = req.header("cookie", app.cookie.clone().unwrap());
    let res = req.body(body).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let html = app.page(&location).await;
    assert!(
        html.contains("Dry run: 0 changes, 3 unchanged, 0 refused. Nothing was changed."),
        "no report"
    );

    // Not a file upload (no multipart boundary): a clear 415, not a crash.
    let res = app
        .client
        .post(format!("{}/api/import-mappings", app.base))
        .header("cookie", app.cookie.clone().unwrap())
        .header("content-type", "multipart/form-data")
        .body("csv=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);

    // Technicians cannot import.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let err = app
        .call_as(
            Some(&tech),
            "import-mappings",
            &[
                ("csv", edited.as_str()),
                ("create", "true"),
                ("apply", "true"),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(err, AppError::NotAllowed);
}

#[tokio::test]
async fn mappings_round_trip_on_the_embedded_store() {
    scenario(spawn_app().await).await;
}

#[tokio::test]
async fn mappings_round_trip_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    scenario(app).await;
}

/// Round 4: two *Import these N changes* of one check at once both ran (the check was read,
/// opened and then deleted). It is taken in one step now: one runs, the other is told to
/// choose the file again — on both stores.
async fn one_check_imports_once(app: TestApp) {
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{T3},Acme M365,acme.onmicrosoft.com\n"
    ))
    .await;
    app.create_organization("Acme Dental", "").await.unwrap();
    let csv = format!("Microsoft Tenant ID,Syncro Tenant\n{T3},Acme Dental\n");
    let checked = import(&app, &csv, false, false).await;
    assert_eq!(checked["changes"].as_u64(), Some(1), "{checked}");
    let id = checked["checked"].as_str().unwrap().to_string();
    let form = [("checked", id.as_str())];
    let (one, two) = tokio::join!(
        app.call("import-checked-mappings", &form),
        app.call("import-checked-mappings", &form)
    );
    let ran: Vec<bool> = [&one, &two].iter().map(|r| r.is_ok()).collect();
    assert_eq!(ran.iter().filter(|r| **r).count(), 1, "{one:?} {two:?}");
    let refused = if one.is_ok() { two } else { one };
    assert!(
        matches!(&refused, Err(AppError::Validation { message, .. }) if message.contains("choose it again")),
        "{refused:?}"
    );
    assert_eq!(app.tenant(T3).await["syncro_tenant"]["name"], "Acme Dental");
}

#[tokio::test]
async fn one_check_imports_once_on_the_embedded_store() {
    one_check_imports_once(spawn_app().await).await;
}

#[tokio::test]
async fn one_check_imports_once_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    one_check_imports_once(app).await;
}

/// Issue 35: an import of 200 rows was 200 Undos in Activity. It is one operation now: one
/// row, one Undo for the whole — on both stores.
async fn an_import_is_undone_with_one_undo(app: TestApp) {
    let id = |n: usize| format!("{n:08x}-2000-4000-8000-000000000200");
    let mut tenants = String::from("tenantId,displayName,defaultDomainName\n");
    let mut csv = String::from("Microsoft Tenant ID,Syncro Tenant\n");
    for n in 0..200 {
        tenants.push_str(&format!(
            "{},Client {n:03} M365,client{n}.onmicrosoft.com\n",
            id(n)
        ));
        csv.push_str(&format!("{},Client {n:03}\n", id(n)));
    }
    app.import(&tenants).await;
    let done = import(&app, &csv, true, true).await;
    assert_eq!(done["changes"].as_u64(), Some(200), "{done}");
    assert_eq!(app.count_unmapped().await, 0);
    let log = activity(&app, &[]).await;
    let row = &log["rows"][0];
    assert_eq!(row["summary"], "Imported mappings: 200 rows applied");
    assert_eq!(row["parts"].as_u64(), Some(200));
    let entry = row["entry"].as_str().unwrap();
    // moto answers one request at a time and copies the table per transaction: the undo's
    // seven transactions of up to 32 parts take it longer than the helper's 5 s.
    let slow = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let res = slow
        .post(format!("{}/api/undo", app.base))
        .header("cookie", app.cookie.clone().unwrap())
        .form(&[("entry", entry)])
        .send()
        .await
        .unwrap();
    eprintln!("undo of 200 parts: {:?}", started.elapsed());
    assert!(res.status().is_success(), "{}", res.status());
    let said: serde_json::Value = res.json().await.unwrap();
    assert!(
        said.as_str()
            .unwrap()
            .starts_with("Undid 200 parts of: Imported mappings"),
        "{said}"
    );
    assert_eq!(app.count_unmapped().await, 200, "every row undone");
}

#[tokio::test]
async fn an_import_is_undone_with_one_undo_on_the_embedded_store() {
    an_import_is_undone_with_one_undo(spawn_app().await).await;
}

#[tokio::test]
async fn an_import_is_undone_with_one_undo_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    an_import_is_undone_with_one_undo(app).await;
}
