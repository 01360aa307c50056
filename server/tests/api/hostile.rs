//! Text and addresses from outside the MSP, on both stores: a record named with markup — typed,
//! imported, or synced from a customer's Entra ID — is text in every page's title and body; a
//! sign-in is recorded only in the account it was for; an upload is refused unread unless an
//! Administrator sends it, and a worst-case upload is read at its own size.

use crate::helpers::*;
use app::error::AppError;
use server::fake_microsoft::{CLIENT_ID, CLIENT_SECRET, FakeCustomer, FakeUser, PARTNER_TENANT};
use server::store::dynamo::testing::fresh_store;
use std::sync::Arc;

/// A name that, unescaped in `<title>`, would end it and send the page elsewhere.
const HOSTILE: &str =
    r#"</title><meta http-equiv="refresh" content="0;url=https://evil.example/">"#;
/// The same name as a title's text shows it.
const HOSTILE_IN_TITLE: &str = "&lt;/title&gt;&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=https://evil.example/&quot;&gt;";

/// The text of the page's `<title>`, and checks that the markup of [`HOSTILE`] appears
/// nowhere in the page as markup.
fn title_of(path: &str, html: &str) -> String {
    assert!(
        !html.contains("<meta http-equiv"),
        "{path}: the name's markup is in the page"
    );
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = start + html[start..].find("</title>").expect("the title ends");
    assert_eq!(html.matches("<title>").count(), 1, "{path}: one title");
    html[start..end].to_string()
}

async fn titles(app: TestApp) {
    let org = app.create_organization(HOSTILE, "").await.unwrap();
    let st = app.organization(&org).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let person = app
        .call(
            "create-end-user",
            &[("organization", org.as_str()), ("name", HOSTILE)],
        )
        .await
        .unwrap();
    let person = person.as_str().unwrap().to_string();
    for (path, title) in [
        (
            format!("/organizations/{org}"),
            HOSTILE_IN_TITLE.to_string(),
        ),
        (
            format!("/organizations/{org}/edit"),
            format!("Edit {HOSTILE_IN_TITLE}"),
        ),
        (
            format!("/organizations/{org}/end-users"),
            format!("End Users of {HOSTILE_IN_TITLE}"),
        ),
        (
            format!("/syncro-tenants/{st}"),
            HOSTILE_IN_TITLE.to_string(),
        ),
        (format!("/end-users/{person}"), HOSTILE_IN_TITLE.to_string()),
    ] {
        let html = app.page(&path).await;
        assert_eq!(
            title_of(&path, &html),
            format!("{title} · tenantmap"),
            "{path}"
        );
        // The body shows the name as text too.
        assert!(html.contains("&lt;/title&gt;&lt;meta"), "{path}");
    }
    // A Technician opens the same pages.
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let res = app
        .get_as(Some(&tech), &format!("/end-users/{person}"))
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(title_of("/end-users (Technician)", &html).starts_with(HOSTILE_IN_TITLE));
}

#[tokio::test]
async fn markup_in_names_is_text_in_titles_on_the_embedded_store() {
    titles(spawn_app().await).await;
}

#[tokio::test]
async fn markup_in_names_is_text_in_titles_on_dynamodb() {
    titles(on_dynamodb().await).await;
}

/// A server on a fresh DynamoDB table with the account "MSP A" signed in.
async fn on_dynamodb() -> TestApp {
    let (store, _) = fresh_store().await;
    let mut app = spawn_with(Arc::new(store), tempfile::tempdir().unwrap()).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    app
}

/// A customer's directory names a person with markup; Entra ID User Sync brings them in, and
/// their page's title is text.
async fn synced_user(app: TestApp) {
    let mut evil = FakeCustomer::new(9, "Evil Corp", "evilcorp.onmicrosoft.com");
    evil.add_user(FakeUser::new(1, HOSTILE, "mallory@evilcorp.example", ""));
    app.fake.world().customers.push(evil);
    let csp = [
        ("mode", "csp"),
        ("directory_tenant", PARTNER_TENANT),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
    ];
    app.call("connect-microsoft", &csp).await.unwrap();
    app.call("sync-microsoft", &[("back", "/")]).await.unwrap();
    let me = app
        .store
        .user_by_email(&app::domain::Email::parse("admin@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    finished_report(&*app.store, &me.account, "Sync Now by admin@msp-a.example").await;
    let org = app.create_organization("Evil Corp", "").await.unwrap();
    let st = app.organization(&org).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tenant = "00000009-0000-4000-8000-00000000c0de";
    let v = app.tenant(tenant).await["version"].to_string();
    app.map_tenant(tenant, &v, &st).await.unwrap();
    app.call(
        "save-user-sync",
        &[
            ("syncro_tenant", st.as_str()),
            ("version", "0"),
            ("kinds", "members"),
            ("default_organization", org.as_str()),
            ("brake_percent", "10"),
        ],
    )
    .await
    .unwrap();
    app.call(
        "apply-user-sync",
        &[("syncro_tenant", st.as_str()), ("version", "1")],
    )
    .await
    .unwrap();
    let list = app.page(&format!("/organizations/{org}/end-users")).await;
    let at = list.find("href=\"/end-users/").expect("the synced person") + "href=\"".len();
    let path = &list[at..at + list[at..].find('"').unwrap()];
    let html = app.page(path).await;
    assert_eq!(
        title_of(path, &html),
        format!("{HOSTILE_IN_TITLE} · tenantmap")
    );
}

#[tokio::test]
async fn a_synced_name_with_markup_is_text_on_the_embedded_store() {
    synced_user(spawn_app().await).await;
}

#[tokio::test]
async fn a_synced_name_with_markup_is_text_on_dynamodb() {
    synced_user(on_dynamodb().await).await;
}

/// The account's activity, newest first, as summaries.
async fn activity(app: &TestApp, cookie: &str) -> Vec<String> {
    let html = app
        .get_as(Some(cookie), "/admin/activity")
        .await
        .text()
        .await
        .unwrap();
    html.match_indices("Refused a sign-in")
        .map(|(at, _)| html[at..at + html[at..].find('<').unwrap()].to_string())
        .collect()
}

/// One account's Administrator adds another MSP's user's email to their own account. Neither
/// watching (the other user signs in elsewhere) nor flooding (signing in to one's own account
/// with that email) reaches the other account's activity — or the watcher's.
async fn sign_ins_stay_in_their_account(app: TestApp) {
    let (b, _) =
        server::tasks::create_account(&*app.store, "MSP B", "admin@msp-b.example", PASSWORD)
            .await
            .unwrap();
    let b_admin = app.sign_in("admin@msp-b.example", PASSWORD).await.unwrap();
    // MSP A's Administrator adds MSP B's Administrator's email to MSP A, with A's password.
    app.call(
        "add-user",
        &[
            ("email", "admin@msp-b.example"),
            ("role", "technician"),
            ("password", "msp a's own password"),
        ],
    )
    .await
    .unwrap();
    // Watching: B's Administrator signs in to B; a typo first.
    assert_eq!(
        app.sign_in("admin@msp-b.example", "a typo of B's password")
            .await,
        Err(AppError::SignInFailed)
    );
    app.sign_in("admin@msp-b.example", PASSWORD).await.unwrap();
    // Flooding: A signs in to A with that email, again and again.
    for _ in 0..10 {
        app.sign_in("admin@msp-b.example", "msp a's own password")
            .await
            .unwrap();
    }
    let a_admin = app.cookie.clone().unwrap();
    assert_eq!(
        activity(&app, &a_admin).await,
        Vec::<String>::new(),
        "A sees nothing of B's user"
    );
    assert_eq!(
        activity(&app, &b_admin).await,
        Vec::<String>::new(),
        "B's log holds no refusals A caused"
    );
    // A refusal that was B's user's beyond doubt — the sign-in chose B — is B's alone.
    let refused = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .form(&[
            ("email", "admin@msp-b.example"),
            ("password", "another typo"),
            ("next", "/"),
            ("account", &b.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let mut b_log = Vec::new();
    for _ in 0..50 {
        b_log = activity(&app, &b_admin).await;
        if !b_log.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        b_log,
        ["Refused a sign-in (wrong password): admin@msp-b.example from 127.0.0.1"]
    );
    assert!(activity(&app, &a_admin).await.is_empty());
}

#[tokio::test]
async fn sign_ins_stay_in_their_account_on_the_embedded_store() {
    sign_ins_stay_in_their_account(spawn_app().await).await;
}

#[tokio::test]
async fn sign_ins_stay_in_their_account_on_dynamodb() {
    sign_ins_stay_in_their_account(on_dynamodb().await).await;
}

/// An upload is refused before its body is read unless an Administrator sends it: the answer
/// comes while the client has sent only the start of a 5 MB body.
#[tokio::test]
async fn uploads_are_refused_unread_unless_an_administrator_sends_them() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let host = app.base.trim_start_matches("http://").to_string();
    for (cookie, status) in [("", "401"), (tech.as_str(), "403")] {
        for path in ["/api/import-tenants", "/api/import-mappings"] {
            let mut conn = tokio::net::TcpStream::connect(&host).await.unwrap();
            let head = format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n\
                 Content-Type: multipart/form-data; boundary=b\r\n\
                 Content-Length: 5000000\r\n\r\n\
                 --b\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n"
            );
            conn.write_all(head.as_bytes()).await.unwrap();
            // Nothing more is sent: were the body read, no answer would come.
            let mut answer = vec![0u8; 12];
            tokio::time::timeout(
                std::time::Duration::from_secs(3),
                conn.read_exact(&mut answer),
            )
            .await
            .unwrap_or_else(|_| panic!("{path} waited for the body of a {status}"))
            .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&answer),
                format!("HTTP/1.1 {status}"),
                "{path}"
            );
        }
    }
}

/// A worst-case upload — 5 MB of blank lines, of one huge field, of commas — is answered with
/// what is wrong with it, in a few hundred bytes, on both imports.
#[tokio::test]
async fn worst_case_uploads_are_answered_briefly() {
    let app = spawn_app().await;
    let blank = "\n".repeat(4_990_000);
    let huge_header = format!("{}\n", "h".repeat(1_200_000));
    let huge_field = format!(
        "Microsoft Tenant ID,Syncro Tenant\n72f988bf-86f1-41af-91ab-2d7cd011db47,{}\n",
        "x".repeat(1_000_000)
    );
    let commas = format!(
        "tenantId,displayName,defaultDomainName\n{}\n",
        ",".repeat(4_000_000)
    );
    for (endpoint, csv) in [
        ("import-tenants", blank.as_str()),
        ("import-mappings", blank.as_str()),
        ("import-tenants", huge_header.as_str()),
        ("import-mappings", huge_header.as_str()),
    ] {
        match app.call(endpoint, &[("csv", csv)]).await {
            Err(AppError::Validation { field, message }) => {
                assert_eq!(field, "csv");
                assert!(message.len() < 400, "{endpoint}: {} bytes", message.len());
            }
            other => panic!("{endpoint}: {other:?}"),
        }
    }
    // One row refused, by line, quoting a little of what it held.
    let report = app
        .call("import-tenants", &[("csv", commas.as_str())])
        .await
        .unwrap();
    assert_eq!(report["rejected"][0][0], 2);
    assert_eq!(report["rejected"][0][1], "more than 64 fields");
    // The mapping import's refused row, without JavaScript: the report rides in the link.
    let (content_type, body) = multipart_form(&[("csv", huge_field.as_str())]);
    let res = app
        .client
        .post(format!("{}/api/import-mappings", app.base))
        .header("cookie", app.cookie.clone().unwrap())
        .header("accept", "text/html")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let location = res.headers()["location"].to_str().unwrap();
    assert!(location.len() < 4_000, "a {} byte link", location.len());
    let html = app.page(location).await;
    assert!(html.contains("No Microsoft Tenant"), "the row's refusal");
}

/// Uploads past the bound wait a little for a turn, then are told the server is busy (503,
/// "try again"), unread; the other forms go on.
#[tokio::test]
async fn uploads_past_the_bound_are_told_to_try_again() {
    next_uploads(0, std::time::Duration::from_millis(200));
    let app = spawn_app().await;
    match app
        .call(
            "import-tenants",
            &[("csv", "tenantId,displayName,defaultDomainName\n")],
        )
        .await
    {
        Err(AppError::ImportsBusy) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        app.count("organizations").await,
        0,
        "other calls are served"
    );
}

/// URL-safe base64 without padding, as Leptos writes a refusal into a redirect.
fn base64_url(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | *b as u32) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Round 4: a refusal is read from the URL Leptos redirects to (`__path`, `__err`), so a link
/// could put anyone's sentence, or a forged "choose your account" list, on the real sign-in
/// page as the app's own alert — also through `next=` after a real sign-in. Only the refusal
/// this browser's own post produced is shown.
#[tokio::test]
async fn a_refusal_in_a_link_is_shown_only_to_the_browser_whose_post_was_refused() {
    let app = spawn_app().await;
    let lie = AppError::Validation {
        field: "form".into(),
        message: "Microsoft revoked the partner secret: re-enter it at evil.example".into(),
    };
    let forged_list = AppError::ChooseAccount {
        accounts: vec![app::error::AccountChoice {
            id: "evil".into(),
            name: "Pick me (evil.example)".into(),
        }],
    };
    for error in [lie, forged_list] {
        let err = base64_url(&serde_json::to_vec(&error).unwrap());
        let link = format!("/sign-in?__path=/api/sign-in&__err={err}");
        let res = app.get_as(None, &link).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        assert!(
            !html.contains("evil.example") && !html.contains("role=\"alert\""),
            "a link's refusal was shown: {}",
            &html[html.find("<main").unwrap()..]
        );
        assert!(html.contains("name=\"password\""), "the sign-in form");
        // After a real sign-in, `next=` leads to a page with the same refusal in its URL.
        let next = format!("/organizations/new?__path=/api/create-organization&__err={err}");
        let html = app.page(&next).await;
        assert!(!html.contains("evil.example"), "through next=");
        assert!(html.contains("New Organization"));
    }
    // A real refusal of a sign-in is still shown, in the browser that posted it.
    let res = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/sign-in", app.base))
        .form(&[
            ("email", "admin@msp-a.example"),
            ("password", "wrong password!"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let vouch = crate::helpers::html::refusal_cookie(&res);
    let path = location.trim_start_matches(&app.base);
    let html = app.get_as(Some(&vouch), path).await.text().await.unwrap();
    assert!(html.contains("role=\"alert\""), "the real refusal is shown");
    let html = app.get_as(None, path).await.text().await.unwrap();
    assert!(!html.contains("role=\"alert\""), "not to another browser");
}
