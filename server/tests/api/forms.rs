//! Forms over HTTP, as a browser posts them (with or without JavaScript, every form is a plain
//! post), on both stores: a refused form comes back with what was typed — never a password —
//! and every problem at once, at its summary; a stale edit keeps what was typed beside what is
//! stored now.

use crate::helpers::*;
use std::sync::Arc;

/// Follows a refused post back to its form: (the page's HTML, where it landed).
pub(crate) async fn refused_post(
    app: &TestApp,
    endpoint: &str,
    from: &str,
    form: &[(&str, &str)],
) -> (String, String) {
    let res = app
        .browser_post(
            endpoint,
            &[("referer", format!("{}{from}", app.base))],
            form,
        )
        .await;
    assert!(
        res.status().is_redirection(),
        "{endpoint}: {}",
        res.status()
    );
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("__err="), "{location}");
    assert!(
        location.ends_with("#problems"),
        "lands on the summary: {location}"
    );
    let draft = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("tenantmap_draft="))
        .expect("the draft cookie");
    assert!(
        draft.contains("HttpOnly") && draft.contains("Max-Age=120"),
        "{draft}"
    );
    let draft = draft.split(';').next().unwrap().to_string();
    // What vouches for the refusal in the URL (else the page shows none).
    let refusal = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("tenantmap_refusal="))
        .expect("the refusal's cookie");
    let refusal = refusal.split(';').next().unwrap().to_string();
    let path = location
        .trim_start_matches(&app.base)
        .split('#')
        .next()
        .unwrap()
        .to_string();
    let cookie = format!(
        "{}; {draft}; {refusal}",
        app.cookie.clone().unwrap_or_default()
    );
    let page = app.get_as(Some(&cookie), &path).await;
    assert_eq!(page.status(), 200);
    let cleared = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("tenantmap_draft=;"));
    assert!(cleared, "the page takes the draft once");
    (page.text().await.unwrap().replace("<!>", ""), location)
}

async fn organization_form(app: TestApp) {
    // Four bad fields: all four refused at once, each value as typed.
    let (html, _) = refused_post(
        &app,
        "create-organization",
        "/organizations/new",
        &[
            ("name", ""),
            ("email", "not an email"),
            ("phone", "call me"),
            ("address", "1 Main St"),
            ("website", "foggy it"),
            ("syncro_tenant", ""),
        ],
    )
    .await;
    assert!(
        html.contains("There are 4 problems"),
        "{}",
        &html[html.find("<main").unwrap()..]
    );
    for (field, message) in [
        ("name", "Name is required"),
        ("email", "Enter an email address like office@example.com"),
        (
            "phone",
            "Use digits, spaces and + - ( ) only, up to 40 characters",
        ),
        (
            "website",
            "Enter a website like foggyit.com or https://www.foggyit.com",
        ),
    ] {
        assert!(
            html.contains(&format!("<li><a href=\"#f-{field}\">{message}</a></li>")),
            "summary lacks {field}"
        );
        assert!(
            html.contains(&format!("id=\"{field}-error\"")),
            "no error under {field}"
        );
    }
    for typed in [
        "value=\"not an email\"",
        "value=\"call me\"",
        "value=\"foggy it\"",
        ">1 Main St</textarea>",
    ] {
        assert!(html.contains(typed), "lost {typed}");
    }
    // A name taken: one problem, the other fields as typed.
    app.create_organization("Acme Dental", "").await.unwrap();
    let (html, _) = refused_post(
        &app,
        "create-organization",
        "/organizations/new",
        &[
            ("name", "Acme Dental"),
            ("email", "office@acme.example"),
            ("phone", "+1 617 555 0100"),
            ("address", ""),
            ("website", ""),
            ("syncro_tenant", ""),
        ],
    )
    .await;
    assert!(html.contains("There is a problem"));
    assert!(
        html.contains("value=\"office@acme.example\"")
            && html.contains("value=\"+1 617 555 0100\"")
    );
    assert!(html.contains("is already taken by"), "the name's refusal");

    // A stale edit: what this person typed stays, what is stored now is shown beside it.
    let org = app.create_organization("Foggy IT", "").await.unwrap();
    let details = app.organization(&org).await.unwrap();
    let st = details["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let edit = |name: &'static str, email: &'static str, version: &'static str| {
        vec![
            ("id", org.clone()),
            ("version", version.to_string()),
            ("name", name.to_string()),
            ("email", email.to_string()),
            ("phone", String::new()),
            ("address", String::new()),
            ("website", String::new()),
            ("syncro_tenant", st.clone()),
        ]
    };
    let someone_else = edit("Foggy IT Services", "", "1");
    let pairs: Vec<(&str, &str)> = someone_else.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.call("update-organization", &pairs).await.unwrap();
    let mine = edit("Foggy IT", "billing@foggy.example", "1");
    let pairs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (html, _) = refused_post(
        &app,
        "update-organization",
        &format!("/organizations/{org}/edit"),
        &pairs,
    )
    .await;
    assert!(
        html.contains("Someone else saved this after you opened it: check the form below"),
        "the stale note"
    );
    assert!(
        html.contains("value=\"billing@foggy.example\""),
        "lost what was typed"
    );
    assert!(html.contains("value=\"Foggy IT\""));
    assert!(html.contains("Keep what is stored now: <span class=\"pre\">Foggy IT Services</span>"));
    assert!(
        html.contains("name=\"version\" value=\"2\""),
        "Save keeps theirs"
    );
}

#[tokio::test]
async fn the_organization_form_keeps_what_was_typed_on_the_embedded_store() {
    organization_form(spawn_app().await).await;
}

#[tokio::test]
async fn the_organization_form_keeps_what_was_typed_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    organization_form(app).await;
}

/// First-run, Admin › Users, the Microsoft connection and Add End User: several bad fields
/// come back at once, each value as typed, no password or secret.
#[tokio::test]
async fn first_run_keeps_what_was_typed() {
    let long = "M".repeat(121);
    let empty = spawn_empty().await;
    let (html, _) = refused_post(
        &empty,
        "set-up",
        "/first-run",
        &[
            ("account", long.as_str()),
            ("email", "not-an-email"),
            ("password", "short"),
            ("confirm", "short"),
        ],
    )
    .await;
    assert!(
        html.contains("There are 3 problems"),
        "{}",
        &html[html.find("<main").unwrap()..]
    );
    assert!(html.contains(&format!("value=\"{long}\"")) && html.contains("value=\"not-an-email\""));
    assert!(
        !html.contains("value=\"short\""),
        "a password is never kept"
    );
}

async fn other_forms(app: TestApp) {
    // A record that does not exist (or a link that names none) is a 404 page that says so.
    for path in [
        "/organizations/00000000-0000-0000-0000-000000000000",
        "/syncro-tenants/not-an-id",
        "/end-users/00000000-0000-0000-0000-000000000000",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Go to the start page"), "{path}");
    }

    let (html, _) = refused_post(
        &app,
        "add-user",
        "/admin/users",
        &[
            ("email", "ann@"),
            ("role", "administrator"),
            ("password", "short"),
        ],
    )
    .await;
    assert!(html.contains("There are 2 problems"));
    assert!(html.contains("value=\"ann@\""));
    assert!(
        html.contains("<option value=\"administrator\" selected"),
        "the role as chosen"
    );

    let (html, _) = refused_post(
        &app,
        "connect-microsoft",
        "/admin/microsoft-integration",
        &[
            ("mode", "single"),
            ("directory_tenant", "contoso.onmicrosoft.com"),
            ("client_id", "not-a-guid"),
            ("client_secret", "Abc8Q~a-real-looking-secret"),
        ],
    )
    .await;
    assert!(
        html.contains("There are 2 problems"),
        "{}",
        &html[html.find("<main").unwrap()..]
    );
    assert!(
        html.contains("value=\"contoso.onmicrosoft.com\"") && html.contains("value=\"not-a-guid\"")
    );
    assert!(
        html.contains("value=\"single\" checked"),
        "the mode as chosen"
    );
    assert!(!html.contains("Abc8Q~"), "a secret is never kept");

    let org = app.create_organization("Acme Dental", "").await.unwrap();
    let (html, _) = refused_post(
        &app,
        "create-end-user",
        &format!("/organizations/{org}/end-users/new"),
        &[
            ("organization", org.as_str()),
            ("name", "Ann Lee"),
            ("email", "ann@"),
            ("other_emails", "ann.lee@acme.example, nope"),
            ("job_title", &"J".repeat(300)),
            ("department", "Front Office"),
            ("office_location", ""),
            ("phone", ""),
        ],
    )
    .await;
    assert!(
        html.contains("There are 3 problems"),
        "{}",
        &html[html.find("<main").unwrap()..]
    );
    for typed in [
        "value=\"Ann Lee\"",
        "value=\"ann@\"",
        "value=\"Front Office\"",
    ] {
        assert!(html.contains(typed), "lost {typed}");
    }
}

#[tokio::test]
async fn other_forms_keep_what_was_typed_on_the_embedded_store() {
    other_forms(spawn_app().await).await;
}
