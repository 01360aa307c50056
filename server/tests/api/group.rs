//! *Group under one Syncro Tenant* over HTTP, on both stores: the Foggy IT consolidation (S4)
//! in one step — the page offers the shared name and the tenant, the preview says every step,
//! a stale preview changes nothing, a Technician is refused, and the no-JavaScript apply lands
//! on the Syncro Tenant's page showing the tenant and the three offices.

use crate::helpers::*;
use app::domain::{DiscoveredTenant, MicrosoftTenantId};
use app::error::AppError;

const FOGGY: &str = "00000001-0000-4000-8000-00000000abcd";

async fn synced_foggy(app: &TestApp) {
    let id = MicrosoftTenantId::parse(FOGGY).unwrap();
    synced(
        app,
        vec![DiscoveredTenant::from_graph(
            id,
            "Foggy IT",
            "foggyit.onmicrosoft.com",
        )],
    )
    .await;
}

/// `counter`: the DynamoDB store's request counter (the grouping must be one transaction).
async fn scenario(app: TestApp, counter: Option<server::store::dynamo::count::RequestCounter>) {
    let mut orgs = Vec::new();
    let mut parents = Vec::new();
    for office in ["Boston", "Waltham", "Burlington"] {
        let id = app
            .create_organization(&format!("Foggy IT Services - {office}"), "")
            .await
            .unwrap();
        let org = app.organization(&id).await.unwrap();
        parents.push(org["syncro_tenant"]["id"].as_str().unwrap().to_string());
        orgs.push(id);
    }
    app.create_organization("Acme Dental", "").await.unwrap();
    synced_foggy(&app).await;
    let chosen: String = orgs.iter().map(|o| format!("o={o}&")).collect();

    // The Organizations list offers the grouping to an Administrator.
    let list = app.page("/organizations?q=Foggy").await;
    assert!(
        list.contains("Group under one Syncro Tenant"),
        "no group button"
    );
    assert!(
        list.contains("aria-label=\"Select Foggy IT Services - Waltham\""),
        "no checkbox"
    );

    // The page offers the words the names share, and finds the tenant by them.
    let html = app.page(&format!("/organizations/group?{chosen}")).await;
    assert!(html.contains("3 Organizations"), "count missing");
    assert!(
        html.contains("value=\"Foggy IT Services\""),
        "name not offered"
    );
    assert!(
        html.contains("Foggy IT (foggyit.onmicrosoft.com)"),
        "tenant not offered"
    );
    for office in ["Boston", "Waltham", "Burlington"] {
        assert!(
            html.contains(&format!("Foggy IT Services - {office}")),
            "{office} missing"
        );
    }

    // The preview, as the page shows it.
    let choice = format!(
        "{chosen}target={}&name=Foggy+IT+Services&tenant={FOGGY}&preview=1",
        parents[0]
    );
    let html = app.page(&format!("/organizations/group?{choice}")).await;
    for step in [
        "Rename the Syncro Tenant “Foggy IT Services - Boston” to “Foggy IT Services”.",
        "Move “Foggy IT Services - Waltham” from “Foggy IT Services - Waltham”.",
        "Map the Microsoft Tenant “Foggy IT” (foggyit.onmicrosoft.com) to it.",
        "Delete the Syncro Tenant “Foggy IT Services - Burlington”, left empty.",
    ] {
        let step = step.replace(['“', '”'], "\"");
        assert!(html.contains(&step), "preview lacks {step}");
    }
    assert!(html.contains(">Apply<"), "no Apply button");

    let mut form: Vec<(&str, &str)> = orgs.iter().map(|o| ("orgs[]", o.as_str())).collect();
    form.extend([
        ("target", parents[0].as_str()),
        ("name", "Foggy IT Services"),
        ("tenant", FOGGY),
        ("keep_empty", "false"),
    ]);
    let mut plan_form: Vec<(&str, &str)> = orgs.iter().map(|o| ("orgs[]", o.as_str())).collect();
    plan_form.extend([
        ("target", parents[0].as_str()),
        ("name", "Foggy IT Services"),
        ("tenant", FOGGY),
        ("tenant_query", ""),
        ("keep_empty", ""),
        ("preview", "1"),
    ]);
    let plan = app.call("plan-grouping", &plan_form).await.unwrap();
    let digest = plan["digest"].as_str().unwrap().to_string();
    assert_eq!(plan["preview"].as_array().unwrap().len(), 7, "{plan}");

    // A preview that no longer says what would happen changes nothing.
    let mut stale = form.clone();
    stale.push(("digest", "0123"));
    assert_eq!(
        app.call("group-organizations", &stale).await.unwrap_err(),
        AppError::Stale
    );
    assert_eq!(app.count("syncro-tenants").await, 4);

    // A Technician cannot group.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let mut applied = form.clone();
    applied.push(("digest", &digest));
    assert_eq!(
        app.call_as(Some(&tech), "group-organizations", &applied)
            .await
            .unwrap_err(),
        AppError::NotAllowed
    );
    assert_eq!(app.count("syncro-tenants").await, 4);

    // Without JavaScript: the form posts and lands on the Syncro Tenant's page.
    let back = format!("/organizations/group?{choice}");
    let referer = [("referer", format!("{}{back}", app.base))];
    if let Some(c) = &counter {
        c.take();
    }
    let res = app
        .browser_post("group-organizations", &referer, &applied)
        .await;
    if let Some(c) = &counter {
        let made = c.take();
        println!("grouping Foggy IT on DynamoDB: {made}; {}", made.units());
        assert_eq!(made.writes(), 1, "one atomic change: {made}");
    }
    assert!(res.status().is_redirection(), "{}", res.status());
    let target = format!("/syncro-tenants/{}", parents[0]);
    assert_eq!(res.headers()["location"], target.as_str());
    let page = app.page(&target).await;
    assert!(page.contains("Foggy IT Services"), "name missing");
    assert!(page.contains(">Foggy IT<"), "tenant missing on the left");
    for office in ["Boston", "Waltham", "Burlington"] {
        assert!(
            page.contains(&format!(">Foggy IT Services - {office}<")),
            "{office} missing"
        );
    }
    assert_eq!(app.count("syncro-tenants").await, 2);
    assert_eq!(
        app.tenant(FOGGY).await["syncro_tenant"]["name"],
        "Foggy IT Services"
    );

    // Applying the same preview again is refused: it no longer describes what would happen.
    assert!(app.call("group-organizations", &applied).await.is_err());

    // Undo: the name back, the tenant unmapped, the emptied Syncro Tenants back with their
    // offices (same ids, so links to them work again).
    let grouped = entry_of(&activity(&app, &[]).await, "Grouped 3 Organizations");
    let said = app
        .call("undo", &[("entry", &grouped), ("back", "")])
        .await
        .unwrap();
    assert!(
        said.as_str().unwrap().starts_with("Undone: Grouped 3"),
        "{said}"
    );
    assert_eq!(app.count("syncro-tenants").await, 4);
    assert!(app.tenant(FOGGY).await["syncro_tenant"].is_null());
    for (office, parent) in ["Boston", "Waltham", "Burlington"].iter().zip(&parents) {
        let page = app
            .page(&format!("/syncro-tenants/{parent}"))
            .await
            .replace("<!>", "");
        assert!(
            page.contains(&format!("<h1>Foggy IT Services - {office}</h1>"))
                && page.contains(&format!(">Foggy IT Services - {office}</a></li>"))
                && page.contains("Organizations (1)"),
            "{office} not restored: {page}"
        );
    }
    // Undone once: a second undo finds the records changed.
    assert!(matches!(
        app.call("undo", &[("entry", &grouped), ("back", "")]).await,
        Err(AppError::InUse { .. })
    ));

    // Under a new Syncro Tenant, mapped: undone, it is deleted and its tenant unmapped.
    let mut new_plan: Vec<(&str, &str)> = orgs.iter().map(|o| ("orgs[]", o.as_str())).collect();
    new_plan.extend([
        ("target", ""),
        ("name", "Foggy IT"),
        ("tenant", FOGGY),
        ("tenant_query", ""),
        ("keep_empty", ""),
        ("preview", "1"),
    ]);
    let plan = app.call("plan-grouping", &new_plan).await.unwrap();
    let digest = plan["digest"].as_str().unwrap().to_string();
    let mut apply: Vec<(&str, &str)> = orgs.iter().map(|o| ("orgs[]", o.as_str())).collect();
    apply.extend([
        ("target", ""),
        ("name", "Foggy IT"),
        ("tenant", FOGGY),
        ("keep_empty", "false"),
        ("digest", &digest),
    ]);
    let made = app.call("group-organizations", &apply).await.unwrap();
    let made = made.as_str().unwrap().to_string();
    assert_eq!(app.count("syncro-tenants").await, 2);
    // Renamed since: refused with the reason, nothing changed.
    let v = app
        .call("syncro-tenant", &[("id", &made), ("page", "1")])
        .await
        .unwrap()["tenant"]["version"]
        .to_string();
    app.call(
        "rename-syncro-tenant",
        &[("id", &made), ("version", &v), ("name", "Foggy")],
    )
    .await
    .unwrap();
    let grouped = entry_of(&activity(&app, &[]).await, "Grouped 3 Organizations");
    match app.call("undo", &[("entry", &grouped), ("back", "")]).await {
        Err(AppError::InUse { message }) => assert!(
            message.contains("\"Foggy IT\" was renamed since"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(app.count("syncro-tenants").await, 2);
    let v = app
        .call("syncro-tenant", &[("id", &made), ("page", "1")])
        .await
        .unwrap()["tenant"]["version"]
        .to_string();
    app.call(
        "rename-syncro-tenant",
        &[("id", &made), ("version", &v), ("name", "Foggy IT")],
    )
    .await
    .unwrap();
    app.call("undo", &[("entry", &grouped), ("back", "")])
        .await
        .unwrap();
    assert_eq!(app.count("syncro-tenants").await, 4);
    assert!(app.tenant(FOGGY).await["syncro_tenant"].is_null());
    assert_eq!(
        app.get(&format!("/syncro-tenants/{made}")).await.status(),
        404
    );
    for parent in &parents {
        assert!(
            app.page(&format!("/syncro-tenants/{parent}"))
                .await
                .contains("Organizations (1)")
        );
    }
    // Its name is free again.
    app.create_organization("Foggy IT", "").await.unwrap();
}

#[tokio::test]
async fn foggy_it_in_one_step_on_the_embedded_store() {
    scenario(spawn_app().await, None).await;
}

#[tokio::test]
async fn foggy_it_in_one_step_on_dynamodb() {
    let (store, counter) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    scenario(app, Some(counter)).await;
}
