//! End Users over HTTP, on both stores: an Organization's End Users tab (paged, searched,
//! active and inactive), a person's page with where each field came from, adding and editing
//! by hand with pins, emails unique per account, stale edits refused, Technicians read only.

use crate::helpers::fixture::form;
use crate::helpers::*;
use app::error::AppError;
use server::store::dynamo::count::RequestCounter;

fn person<'a>(org: &'a str, name: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("organization", org),
        ("name", name),
        ("email", email),
        ("job_title", "Technician"),
    ]
}

/// A page's HTML without Leptos's hydration markers (`<!>`).
async fn page(app: &TestApp, path: &str) -> String {
    app.page(path).await.replace("<!>", "")
}

async fn scenario(app: TestApp, counter: Option<RequestCounter>) {
    let org = app.create_organization("Acme Dental", "").await.unwrap();
    let tab = format!("/organizations/{org}/end-users");
    let html = page(&app, &format!("/organizations/{org}")).await;
    assert!(
        html.contains(&format!("href=\"{tab}\"")),
        "no End Users tab"
    );
    assert!(page(&app, &tab).await.contains("No active End Users yet."));

    // Added by hand, without JavaScript: lands on the person's page.
    let res = app
        .browser_post(
            "create-end-user",
            &[("referer", format!("http://localhost{tab}/new"))],
            &[
                ("organization", org.as_str()),
                ("name", "Ann Lee"),
                ("email", "Ann@Acme.example"),
                ("other_emails", "ann.lee@acme.example, al@acme.example"),
                ("job_title", "Office Manager"),
                ("department", "Front Office"),
                ("office_location", ""),
                ("phone", "+1 617 555 0100"),
            ],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let ann_page = res.headers()["location"].to_str().unwrap().to_string();
    assert!(ann_page.starts_with("/end-users/"), "{ann_page}");
    let ann = ann_page.trim_start_matches("/end-users/").to_string();
    let html = page(&app, &ann_page).await;
    for shown in [
        "<h1>Ann Lee</h1>",
        "ann@acme.example",
        "ann.lee@acme.example, al@acme.example",
        "Office Manager",
        "Added by hand",
        "admin@msp-a.example, ",
        "Deactivate",
    ] {
        assert!(html.contains(shown), "person page lacks {shown}");
    }

    // Emails are unique per account, ignoring case; bad input names its field.
    match app
        .call(
            "create-end-user",
            &person(&org, "Ann Again", "ANN@acme.example"),
        )
        .await
    {
        Err(AppError::Validation { field, message }) => {
            assert_eq!(field, "email");
            assert_eq!(
                message,
                "ann@acme.example is already the email of End User “Ann Lee”."
            );
        }
        other => panic!("expected the email to be refused: {other:?}"),
    }
    match app
        .call("create-end-user", &person(&org, "Bad", "not an email"))
        .await
    {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "email"),
        other => panic!("{other:?}"),
    }
    match app.call("create-end-user", &person(&org, "", "")).await {
        Err(AppError::Validation { field, .. }) => assert_eq!(field, "name"),
        other => panic!("{other:?}"),
    }

    // 30 more: the tab pages 25 at a time in name order.
    for n in 0..30 {
        let (name, email) = (format!("Person {n:02}"), format!("p{n}@acme.example"));
        app.call("create-end-user", &person(&org, &name, &email))
            .await
            .unwrap();
    }
    if let Some(c) = &counter {
        c.take();
    }
    let first = page(&app, &tab).await;
    if let Some(c) = &counter {
        let made = c.take();
        println!("End Users first page on DynamoDB: {made}; {}", made.units());
        assert_eq!(
            made.ops.get("Query"),
            Some(&1),
            "one Query for the rows: {made}"
        );
        assert!(made.read_units <= 10.0, "a page costs a page: {made}");
    }
    assert!(first.contains(">Ann Lee</a>") && first.contains(">Person 23</a>"));
    assert!(!first.contains(">Person 24</a>"), "26 rows on a page of 25");
    let next = first
        .split("rel=\"next\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .expect("a Next link");
    let second = page(&app, &next).await;
    assert!(second.contains(">Person 24</a>") && second.contains(">Person 29</a>"));
    assert!(!second.contains(">Ann Lee</a>") && !second.contains("rel=\"next\""));
    assert!(second.contains("First page"));

    // Search by words in the job title and the name.
    let found = page(&app, &format!("{tab}?q=office+ann")).await;
    assert!(found.contains(">Ann Lee</a>") && !found.contains(">Person 01</a>"));

    // Edit: renamed, job title pinned; the page says who typed it and that it is pinned.
    let view = app.call("end-user", &[("id", &ann)]).await.unwrap();
    let v1 = view["version"].to_string();
    let edit = |version: String, name: &'static str| {
        vec![
            ("id", ann.clone()),
            ("version", version),
            ("name", name.to_string()),
            ("email", "ann@acme.example".to_string()),
            ("other_emails", "ann.lee@acme.example".to_string()),
            ("job_title", "Practice Manager".to_string()),
            ("department", "Front Office".to_string()),
            ("office_location", String::new()),
            ("phone", String::new()),
            ("pin_job_title", "on".to_string()),
        ]
    };
    app.call("update-end-user", &form(&edit(v1.clone(), "Ann Lee-Smith")))
        .await
        .unwrap();
    let html = page(&app, &ann_page).await;
    assert!(html.contains("<h1>Ann Lee-Smith</h1>") && html.contains("Practice Manager"));
    assert!(html.contains(" · pinned"), "the pin is not shown");
    // The page read before that edit: refused, nothing changed.
    assert_eq!(
        app.call("update-end-user", &form(&edit(v1, "Ann Stale")))
            .await,
        Err(AppError::Stale)
    );
    assert!(
        page(&app, &ann_page)
            .await
            .contains("<h1>Ann Lee-Smith</h1>")
    );

    // Deactivated: kept, listed under Inactive; then active again.
    let v = app.call("end-user", &[("id", &ann)]).await.unwrap()["version"].to_string();
    app.call(
        "set-end-user-active",
        &[("id", &ann), ("version", &v), ("active", "")],
    )
    .await
    .unwrap();
    assert!(!page(&app, &tab).await.contains(">Ann Lee-Smith</a>"));
    let inactive = page(&app, &format!("{tab}?inactive=1")).await;
    assert!(inactive.contains(">Ann Lee-Smith</a>") && !inactive.contains(">Person 00</a>"));
    assert!(page(&app, &ann_page).await.contains("Reactivate"));

    // Its history: added, edited, deactivated.
    let history = page(&app, &format!("/admin/activity?record=eu:{ann}")).await;
    for entry in [
        "Added End User “Ann Lee” to “Acme Dental”",
        "Edited End User “Ann Lee-Smith”: Name, Other emails, Job title, Phone, pins",
        "Deactivated End User “Ann Lee-Smith”",
    ] {
        assert!(history.contains(entry), "history lacks {entry}");
    }

    // A Technician reads, and is refused every change.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let res = app.get_as(Some(&tech), &tab).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap().replace("<!>", "");
    assert!(html.contains(">Person 00</a>") && !html.contains("Add End User"));
    assert_eq!(
        app.call_as(
            Some(&tech),
            "create-end-user",
            &person(&org, "Tech", "t@acme.example")
        )
        .await,
        Err(AppError::NotAllowed)
    );
    let html = app
        .get_as(Some(&tech), &format!("{ann_page}/edit"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Only Administrators can add or change End Users."));
}

#[tokio::test]
async fn end_users_on_the_embedded_store() {
    scenario(spawn_app().await, None).await;
}

#[tokio::test]
async fn end_users_on_dynamodb() {
    let (store, counter) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(std::sync::Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    scenario(app, Some(counter)).await;
}
