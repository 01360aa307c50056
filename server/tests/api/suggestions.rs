//! Suggestions over HTTP, on both stores: the view names tenants, Syncro Tenants, confidence
//! and reason; Technicians read but cannot accept; accepting maps in atomic parts and reports
//! by name what became taken meanwhile; the no-JavaScript form redirects back and says what it
//! did; the page renders the rows server-side.

use crate::helpers::*;
use app::domain::{DiscoveredTenant, MicrosoftTenantId};
use app::error::AppError;

/// Tenant `n`'s ID.
fn tid(n: u32) -> String {
    format!("{n:08x}-0000-4000-8000-00000000abcd")
}

/// Records tenants as a sync reports them (name, verified domains).
async fn synced_with(app: &TestApp, tenants: &[(u32, &str, &[&str])]) {
    let found = tenants
        .iter()
        .map(|(n, name, domains)| {
            let id = MicrosoftTenantId::parse(&tid(*n)).unwrap();
            DiscoveredTenant::from_graph(id, name, &format!("tenant{n}.onmicrosoft.com"))
                .with_verified_domains(domains.iter().copied())
        })
        .collect();
    synced(app, found).await;
}

async fn organization(app: &TestApp, name: &str, email: &str, website: &str) -> String {
    let id = app
        .call(
            "create-organization",
            &[
                ("name", name),
                ("email", email),
                ("phone", ""),
                ("address", ""),
                ("website", website),
                ("syncro_tenant", ""),
            ],
        )
        .await
        .unwrap();
    let org = app.organization(id.as_str().unwrap()).await.unwrap();
    org["syncro_tenant"]["id"].as_str().unwrap().to_string()
}

/// An MSP's first day: eight customers, five of them recognizable.
async fn first_day(app: &TestApp) -> Vec<String> {
    let sts = vec![
        organization(app, "Foggy IT Services - Boston", "it@foggyit.com", "").await,
        organization(
            app,
            "Harbor Legal LLC",
            "",
            "https://www.harborlegal.net/about",
        )
        .await,
        organization(app, "Acme Dental", "", "").await,
        organization(app, "Smith and Sons", "", "").await,
        organization(app, "Northwind Health", "", "").await,
    ];
    synced_with(
        app,
        &[
            (1, "FIT Holdings", &["fit.onmicrosoft.com", "foggyit.com"]),
            (2, "HL Partners", &["harborlegal.net"]),
            (3, "Acme Dental (M365)", &[]),
            (4, "Smith & Sons, Inc.", &[]),
            (5, "Northwind Traders", &[]),
            (6, "Unrelated GmbH", &[]),
        ],
    )
    .await;
    sts
}

async fn scenario(app: TestApp) {
    let sts = first_day(&app).await;
    let list = app
        .call("suggestions", &[("confidence", ""), ("page", "1")])
        .await
        .unwrap();
    let rows = list["rows"]["items"].as_array().unwrap();
    let seen: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["tenant_name"].as_str().unwrap().to_string(),
                r["syncro_tenant"]["name"].as_str().unwrap().to_string(),
                r["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        seen,
        [
            s("Acme Dental (M365)", "Acme Dental", "High"),
            s("FIT Holdings", "Foggy IT Services - Boston", "High"),
            s("HL Partners", "Harbor Legal LLC", "High"),
            s("Smith & Sons, Inc.", "Smith and Sons", "High"),
        ],
        "{list}"
    );
    assert_eq!(list["high"], 4);
    assert_eq!(
        rows[1]["reason"],
        "foggyit.com is a domain of Organization “Foggy IT Services - Boston”"
    );
    assert_eq!(
        rows[2]["reason"],
        "harborlegal.net is a domain of Organization “Harbor Legal LLC”"
    );
    assert_eq!(rows[1]["domains"][0], "tenant1.onmicrosoft.com");

    // A Technician reads them but cannot accept.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let pick = format!("{}:{}", tid(3), sts[2]);
    assert!(
        app.call_as(
            Some(&tech),
            "suggestions",
            &[("confidence", "high"), ("page", "1")]
        )
        .await
        .is_ok()
    );
    assert_eq!(
        app.call_as(Some(&tech), "map-tenants", &[("picks[]", &pick)])
            .await,
        Err(AppError::NotAllowed)
    );

    // Bad picks are refused before anything is read.
    match app.call("map-tenants", &[("picks[]", "nonsense")]).await {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "picks"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        app.call("map-tenants", &[("picks[]", "")]).await,
        Err(AppError::Validation { .. })
    ));

    // Someone maps Acme Dental's Syncro Tenant to Northwind Traders meanwhile: accepting
    // Acme Dental and Smith & Sons maps Smith & Sons and names the one that was taken.
    let t5 = app.tenant(&tid(5)).await;
    app.map_tenant(&tid(5), &t5["version"].to_string(), &sts[2])
        .await
        .unwrap();
    let smith = format!("{}:{}", tid(4), sts[3]);
    let report = app
        .call("map-tenants", &[("picks[]", &pick), ("picks[]", &smith)])
        .await
        .unwrap();
    assert_eq!(report["mapped"], 1, "{report}");
    assert_eq!(
        report["not_mapped"],
        serde_json::json!(["\"Acme Dental\" is mapped to another Microsoft Tenant"])
    );
    assert_eq!(
        app.tenant(&tid(4)).await["syncro_tenant"]["name"],
        "Smith and Sons"
    );

    // The page, server-side: the rows that are left, with their checkboxes.
    let html = app.page("/admin/microsoft-tenants/suggestions").await;
    for text in [
        "Suggested mappings",
        "FIT Holdings",
        "Foggy IT Services - Boston",
        "HL Partners",
        "High (2)",
        "Accept all with high confidence (2)",
        &format!(r#"value="{}:{}""#, tid(1), sts[0]),
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    assert!(
        !html.contains("Smith &amp; Sons"),
        "a mapped tenant is still suggested"
    );

    // Without JavaScript: "Accept all with high confidence" posts the form and comes back.
    let back = "/admin/microsoft-tenants/suggestions?confidence=high";
    let referer = [("referer", format!("{}{back}", app.base))];
    let res = app
        .browser_post(
            "map-tenants",
            &referer,
            &[("picks[]", ""), ("high", "true"), ("back", back)],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(res.headers()["location"], back);
    assert_eq!(
        app.tenant(&tid(1)).await["syncro_tenant"]["name"],
        "Foggy IT Services - Boston"
    );
    assert_eq!(
        app.tenant(&tid(2)).await["syncro_tenant"]["name"],
        "Harbor Legal LLC"
    );
    let left = app
        .call("suggestions", &[("confidence", ""), ("page", "1")])
        .await
        .unwrap();
    assert_eq!(left["rows"]["total"], 0, "{left}");
    let html = app.page("/admin/microsoft-tenants/suggestions").await;
    let unmapped = app.count_unmapped().await;
    let said = if unmapped == 0 {
        "Nothing to suggest: every Microsoft Tenant is mapped.".to_string()
    } else {
        format!("No suggestion here for the {unmapped} unmapped Microsoft Tenants")
    };
    assert!(html.contains(&said), "empty state missing: {said}");
    // Every mapping is in the activity record.
    let audit = app
        .store
        .list_audit(
            &app.store
                .user_by_email(&app::domain::Email::parse("admin@msp-a.example").unwrap())
                .await
                .unwrap()
                .unwrap()
                .account,
            100,
        )
        .await
        .unwrap();
    let accepted = audit
        .iter()
        .filter(|e| e.summary.contains("(accepted suggestion)"))
        .count();
    assert_eq!(accepted, 3);
}

#[tokio::test]
async fn suggestions_on_the_embedded_store() {
    scenario(spawn_app().await).await;
}

#[tokio::test]
async fn suggestions_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    scenario(app).await;
}

/// Offices of one customer kept as Syncro Tenants of their own, one Microsoft Tenant between
/// them: one High row naming them all; accepting it (ticked, or among all with high confidence)
/// groups their Organizations under one Syncro Tenant named for the customer, deletes the
/// emptied ones and maps it, in one change with its activity entry.
async fn offices(app: TestApp) {
    let harbor = [
        organization(
            &app,
            "Harbor Dental - Boston",
            "billing@harbordental.com",
            "",
        )
        .await,
        organization(
            &app,
            "Harbor Dental - Salem",
            "billing@harbordental.com",
            "",
        )
        .await,
        organization(&app, "Harbor Dental - Lynn", "", "").await,
    ];
    let keane = [
        organization(&app, "Keane Plumbing - North", "ap@keaneplumbing.com", "").await,
        organization(&app, "Keane Plumbing - South", "ap@keaneplumbing.com", "").await,
    ];
    synced_with(
        &app,
        &[
            (11, "Harbor Dental", &["harbordental.com"]),
            (12, "Keane Plumbing Inc.", &["keaneplumbing.com"]),
        ],
    )
    .await;
    let list = app
        .call("suggestions", &[("confidence", "high"), ("page", "1")])
        .await
        .unwrap();
    assert_eq!(list["high"], 2, "{list}");
    let row = &list["rows"]["items"][0];
    assert_eq!(row["tenant_name"], "Harbor Dental");
    assert_eq!(
        row["syncro_tenant"]["name"], "Harbor Dental - Boston",
        "{row}"
    );
    assert_eq!(row["group"]["name"], "Harbor Dental");
    let offices: Vec<&str> = row["group"]["offices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(offices, ["Harbor Dental - Lynn", "Harbor Dental - Salem"]);
    assert!(
        row["reason"]
            .as_str()
            .unwrap()
            .starts_with("Offices of one customer: “Harbor Dental - Boston”, “Harbor Dental - Lynn”, “Harbor Dental - Salem”"),
        "{row}"
    );

    // The page offers the group as one row with one checkbox (hydration markers aside).
    let html = app
        .page("/admin/microsoft-tenants/suggestions")
        .await
        .replace("<!>", "");
    for text in [
        "Group 3 Organizations under one Syncro Tenant named ",
        "<strong>Harbor Dental</strong>",
        "Harbor Dental - Salem</a> — its Organizations move, then it is deleted",
        r#"aria-label="Group 3 offices under Harbor Dental and map Harbor Dental to it""#,
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    let pick = html
        .split(r#"name="picks[]" value=""#)
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    assert!(pick.starts_with(&tid(11)), "{pick}");

    // A forged pick naming Organizations of another account's or none is refused or reported.
    assert!(matches!(
        app.call(
            "map-tenants",
            &[("picks[]", &format!("{}:{}:", tid(11), harbor[0]))]
        )
        .await,
        Err(AppError::Validation { .. })
    ));

    // Grouping renames and deletes Syncro Tenants: asked first, with its counts.
    match app.call("map-tenants", &[("picks[]", &pick)]).await {
        Err(AppError::Validation { field, message }) => {
            assert_eq!(field, "confirmed");
            assert_eq!(
                message,
                "This maps 1 Microsoft Tenant and groups 1 customer's offices under one Syncro Tenant each: it renames 1 Syncro Tenant and deletes 2 Syncro Tenants. Undo puts them back."
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        app.tenant(&tid(11)).await["syncro_tenant"].is_null(),
        "asked, not done"
    );
    let report = app
        .call("map-tenants", &[("picks[]", &pick), ("confirmed", "true")])
        .await
        .unwrap();
    assert_eq!(report["mapped"], 1, "{report}");
    let t = app.tenant(&tid(11)).await;
    assert_eq!(t["syncro_tenant"]["name"], "Harbor Dental", "{t}");
    let st = app
        .call(
            "syncro-tenant",
            &[
                ("id", t["syncro_tenant"]["id"].as_str().unwrap()),
                ("page", "1"),
            ],
        )
        .await
        .unwrap();
    let names: Vec<&str> = st["organizations"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Harbor Dental - Boston",
            "Harbor Dental - Lynn",
            "Harbor Dental - Salem"
        ]
    );
    let left = app.syncro_tenants("Harbor Dental").await;
    assert_eq!(
        left["total"], 1,
        "the emptied Syncro Tenants are deleted: {left}"
    );

    // The other customer's offices, among all with high confidence (confirmed).
    let report = app
        .call("map-tenants", &[("high", "true"), ("confirmed", "true")])
        .await
        .unwrap();
    assert_eq!(report["mapped"], 1, "{report}");
    let t = app.tenant(&tid(12)).await;
    assert_eq!(t["syncro_tenant"]["name"], "Keane Plumbing", "{t}");
    assert_eq!(app.syncro_tenants("Keane Plumbing").await["total"], 1);
    assert_eq!(keane.len() + harbor.len(), 5);
    let entries = activity(&app, &[]).await;
    assert!(
        entries.to_string().contains("Harbor Dental"),
        "the grouping is in Activity: {entries}"
    );
}

#[tokio::test]
async fn offices_on_the_embedded_store() {
    offices(spawn_app().await).await;
}

#[tokio::test]
async fn offices_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    offices(app).await;
}

/// An uncertain suggestion offers the next likely Syncro Tenants beside it, picked in place:
/// the row's choice is one of them, and accepting maps the one chosen.
async fn uncertain(app: TestApp) {
    let clinic = organization(&app, "Bayside Veterinary Clinic", "", "").await;
    let hospital = organization(&app, "Bayside Veterinary Hospital", "", "").await;
    synced_with(&app, &[(21, "Bayside Veterinary", &[])]).await;
    let list = app
        .call("suggestions", &[("confidence", ""), ("page", "1")])
        .await
        .unwrap();
    let row = &list["rows"]["items"][0];
    assert_ne!(row["confidence"], "High", "{row}");
    let suggested = row["syncro_tenant"]["id"].as_str().unwrap();
    let other = if suggested == clinic {
        &hospital
    } else {
        &clinic
    };
    assert_eq!(row["alternatives"][0]["id"], other.as_str(), "{row}");

    let html = app
        .page("/admin/microsoft-tenants/suggestions")
        .await
        .replace("<!>", "");
    for text in [
        r#"aria-label="Map Bayside Veterinary to""#,
        r#"<option value="">Not now</option>"#,
        &format!(r#"<option value="{}:{other}">"#, tid(21)),
        "Another Syncro Tenant…",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    // "Not now" sends nothing; the alternative is mapped when chosen.
    let report = app
        .call(
            "map-tenants",
            &[
                ("picks[]", ""),
                ("picks[]", &format!("{}:{other}", tid(21))),
            ],
        )
        .await
        .unwrap();
    assert_eq!(report["mapped"], 1, "{report}");
    assert_eq!(
        app.tenant(&tid(21)).await["syncro_tenant"]["id"],
        other.as_str()
    );
}

#[tokio::test]
async fn uncertain_on_the_embedded_store() {
    uncertain(spawn_app().await).await;
}

#[tokio::test]
async fn uncertain_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    uncertain(app).await;
}

/// Map the rest: the unmapped tenants no suggestion covers, typed in one form; what cannot be
/// mapped comes back on its row as typed, with why, and the others are mapped.
async fn the_rest(app: TestApp) {
    organization(&app, "Quill & Ink Stationers", "", "").await;
    organization(&app, "Zephyr Aviation", "", "").await;
    organization(&app, "Bayside Veterinary Clinic", "", "").await;
    synced_with(
        &app,
        &[
            (31, "QIS Holdings", &[]),
            (32, "ZA Group", &[]),
            (33, "Bayside Veterinary Clinic", &[]),
        ],
    )
    .await;
    let view = app
        .call("unmatched-tenants", &[("page", "1")])
        .await
        .unwrap();
    let names: Vec<&str> = view["rows"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    // Bayside has a suggestion: it is not among the rest.
    assert_eq!(names, ["QIS Holdings", "ZA Group"], "{view}");
    assert_eq!(view["free_total"], 3);

    let html = app
        .page("/admin/microsoft-tenants/map-the-rest")
        .await
        .replace("<!>", "");
    for text in [
        "<h1>Map the rest</h1>",
        r#"<datalist id="free-syncro-tenants">"#,
        r#"<option value="Zephyr Aviation">"#,
        &format!(r#"name="tenants[]" value="{}""#, tid(31)),
    ] {
        assert!(html.contains(text), "{text} missing");
    }

    // One Save: one typed right, one mistyped; without JavaScript it comes back to the page.
    let back = "/admin/microsoft-tenants/map-the-rest";
    let res = app
        .browser_post(
            "map-the-rest",
            &[("referer", format!("{}{back}", app.base))],
            &[
                ("tenants[]", &tid(31)),
                ("choices[]", "Quill & Ink Stationers"),
                ("tenants[]", &tid(32)),
                ("choices[]", "Zephyr Aviatoin"),
            ],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(back), "{location}");
    assert_eq!(
        app.tenant(&tid(31)).await["syncro_tenant"]["name"],
        "Quill & Ink Stationers"
    );
    assert!(app.tenant(&tid(32)).await["syncro_tenant"].is_null());
    let html = app.page(&location).await.replace("<!>", "");
    for text in [
        "Mapped 1 Microsoft Tenant. 1 not mapped: see the rows below.",
        r#"value="Zephyr Aviatoin""#,
        r#"No Syncro Tenant "Zephyr Aviatoin": did you mean "Zephyr Aviation"?"#,
    ] {
        assert!(html.contains(text), "{text} missing: {html}");
    }
    assert!(
        !html.contains("QIS Holdings"),
        "a mapped tenant is still listed"
    );

    // Nothing typed, or forged rows, are refused with a clear error.
    assert!(matches!(
        app.call(
            "map-the-rest",
            &[("tenants[]", &tid(32)), ("choices[]", "")]
        )
        .await,
        Err(AppError::Validation { .. })
    ));
    assert!(matches!(
        app.call("map-the-rest", &[("tenants[]", &tid(32))]).await,
        Err(AppError::Validation { .. })
    ));
}

#[tokio::test]
async fn the_rest_on_the_embedded_store() {
    the_rest(spawn_app().await).await;
}

#[tokio::test]
async fn the_rest_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    the_rest(app).await;
}

/// Issue 35: *Accept all with high confidence* is one operation — one Activity row with its
/// parts inside, one Undo for the whole (from the status line or Activity); an Undo refused by
/// name where a part changed since, then the others undone.
async fn accepting_all_is_one_undoable_operation(app: TestApp) {
    let names: Vec<String> = (0..40).map(|i| format!("Customer {i:02} Dental")).collect();
    for name in &names {
        organization(&app, name, "", "").await;
    }
    organization(
        &app,
        "Harbor Dental - Boston",
        "billing@harbordental.com",
        "",
    )
    .await;
    organization(
        &app,
        "Harbor Dental - Salem",
        "billing@harbordental.com",
        "",
    )
    .await;
    let mut tenants: Vec<(u32, &str, &[&str])> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (100 + i as u32, n.as_str(), &[][..]))
        .collect();
    tenants.push((11, "Harbor Dental", &["harbordental.com"]));
    synced_with(&app, &tenants).await;
    let syncro_before = app.count("syncro-tenants").await;

    // It groups one customer's offices: asked first, with what it renames and deletes.
    match app.call("map-tenants", &[("high", "true")]).await {
        Err(AppError::Validation { field, message }) => {
            assert_eq!(field, "confirmed");
            assert!(
                message
                    .starts_with("This maps 41 Microsoft Tenants and groups 1 customer's offices")
                    && message.contains("it renames 1 Syncro Tenant and deletes 1 Syncro Tenant."),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let report = app
        .call("map-tenants", &[("high", "true"), ("confirmed", "true")])
        .await
        .unwrap();
    assert_eq!(report["mapped"], 41, "{report}");
    assert_eq!(
        app.count("syncro-tenants").await,
        syncro_before - 1,
        "Salem grouped"
    );
    let log = activity(&app, &[]).await;
    let row = &log["rows"][0];
    assert_eq!(
        row["summary"],
        "Accepted 41 suggestions: mapped 41 Microsoft Tenants, grouping 1 customer's offices under one Syncro Tenant"
    );
    assert_eq!(
        (row["kind"].as_str(), row["parts"].as_u64()),
        (Some("Bulk change"), Some(41))
    );
    assert_eq!(row["can_undo"], true);
    let shown: Vec<&str> = log["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["summary"].as_str().unwrap())
        .collect();
    assert!(
        !shown
            .iter()
            .any(|s| s.starts_with("Mapped Microsoft Tenant")),
        "its parts are inside it, not beside it: {shown:?}"
    );
    let op = row["operation"].as_str().unwrap().to_string();
    let parts = activity(&app, &[("operation", op.as_str())]).await;
    assert_eq!(parts["rows"].as_array().unwrap().len(), 41);
    // A part's record still shows it in its history.
    let history = activity(&app, &[("record", &format!("mt:{}", tid(105)))]).await;
    assert!(
        history["rows"][0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Mapped Microsoft Tenant")
    );

    // Someone unmaps one of them meanwhile: the Undo is refused, naming it.
    let t = app.tenant(&tid(105)).await;
    let v = t["version"].to_string();
    app.call(
        "unmap-tenant",
        &[("tenant_id", tid(105).as_str()), ("version", v.as_str())],
    )
    .await
    .unwrap();
    let entry = row["entry"].as_str().unwrap().to_string();
    match app.call("undo", &[("entry", entry.as_str())]).await {
        Err(AppError::Validation { field, message }) => {
            assert_eq!(field, "undo_rest");
            assert!(
                message.starts_with("Not undone: 1 of its parts changed since")
                    && message.contains("Customer 05 Dental")
                    && message.contains("Undo the other 40"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.count_unmapped().await, 1, "nothing undone");
    // Undo the others: all 40, and Harbor's offices come back.
    let said = app
        .call("undo", &[("entry", entry.as_str()), ("rest", "true")])
        .await
        .unwrap();
    assert!(
        said.as_str()
            .unwrap()
            .starts_with("Undid 40 parts of: Accepted 41 suggestions"),
        "{said}"
    );
    assert_eq!(app.count_unmapped().await, 41);
    assert_eq!(app.count("syncro-tenants").await, syncro_before);
    let log = activity(&app, &[]).await;
    assert!(
        log["rows"][0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Undid 40 parts of:")
    );
}

#[tokio::test]
async fn accepting_all_is_one_undoable_operation_on_the_embedded_store() {
    accepting_all_is_one_undoable_operation(spawn_app().await).await;
}

#[tokio::test]
async fn accepting_all_is_one_undoable_operation_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    accepting_all_is_one_undoable_operation(app).await;
}
