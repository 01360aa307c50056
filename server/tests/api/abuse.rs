//! Abuse over HTTP (issue 13): what anyone who reaches the server can make it do. Each test here
//! fails without the fix it names.

use crate::helpers::*;
use app::error::AppError;
use app::state::Hashing;

/// Holds every password-hash permit of `app`, as a flood of hashes would.
fn hold_all(app: &TestApp) -> Vec<tokio::sync::SemaphorePermit<'_>> {
    std::iter::from_fn(|| app.hashing.try_hold()).collect()
}

#[tokio::test]
async fn no_one_signed_out_or_not_an_administrator_causes_a_password_hash() {
    let app = spawn_app().await;
    let tech = app.add_user("tech@msp-a.example", "Technician").await;
    let users = app.call("users", &[]).await.unwrap();
    let admin = &users.as_array().unwrap()[0];
    let (id, version) = (admin["id"].as_str().unwrap(), admin["version"].to_string());
    let form = [
        ("id", id),
        ("version", version.trim_matches('"')),
        ("password", "a new long password"),
    ];
    // With every permit taken, a call that hashed first would answer 503 (busy), not this.
    let held = hold_all(&app);
    assert_eq!(held.len(), Hashing::DEFAULT_PERMITS);
    assert_eq!(
        app.call_as(None, "set-user-password", &form).await,
        Err(AppError::NotSignedIn)
    );
    assert_eq!(
        app.call_as(Some(&tech), "set-user-password", &form).await,
        Err(AppError::NotAllowed)
    );
    assert_eq!(
        app.call_as(
            Some(&tech),
            "add-user",
            &[
                ("email", "x@msp-a.example"),
                ("role", "Technician"),
                ("password", "a new long password")
            ]
        )
        .await,
        Err(AppError::NotAllowed)
    );
    // An Administrator's change waits for a permit and is refused when none comes: 503, not
    // a queue without end, and nothing changed.
    let busy = app.call("set-user-password", &form).await;
    assert_eq!(busy, Err(AppError::Busy));
    drop(held);
    app.call("set-user-password", &form).await.unwrap();
}

#[tokio::test]
async fn sign_ins_past_the_bound_on_hashes_answer_503_and_cost_nothing() {
    let app = spawn_app().await;
    let held = hold_all(&app);
    let res = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .form(&[
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let err: AppError = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(err, AppError::Busy);
    // A refusal for being busy is not a failed sign-in: the right password works at once after.
    drop(held);
    app.sign_in("admin@msp-a.example", PASSWORD).await.unwrap();
    for _ in 0..5 {
        let held = hold_all(&app);
        assert_eq!(
            app.sign_in("admin@msp-a.example", "wrong password").await,
            Err(AppError::Busy)
        );
        drop(held);
    }
    app.sign_in("admin@msp-a.example", PASSWORD).await.unwrap();
}

#[tokio::test]
async fn a_request_with_two_session_cookies_is_refused_and_both_are_cleared() {
    let app = spawn_app().await;
    let mine = app.cookie.clone().unwrap();
    // Another account's session, planted with `Path=/api` (sent first by the browser).
    let planted = app.create_account("MSP B", "admin@msp-b.example").await;
    let both = format!("{planted}; {mine}");
    let res = app
        .client
        .post(format!("{}/api/organizations", app.base))
        .header("cookie", &both)
        .form(&[("q", ""), ("page", "1"), ("exclude", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let cleared: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    for path in ["/", "/api", "/api/organizations"] {
        assert!(
            cleared
                .iter()
                .any(|c| c.contains(&format!("Path={path};")) && c.contains("Max-Age=0")),
            "{path}: {cleared:?}"
        );
    }
    assert!(res.text().await.unwrap().contains("two session cookies"));
    // A page too; one cookie alone still works.
    assert_eq!(
        app.get_as(Some(&both), "/organizations").await.status(),
        400
    );
    assert_eq!(
        app.get_as(Some(&mine), "/organizations").await.status(),
        200
    );
}

#[tokio::test]
async fn oversized_and_malformed_bodies_get_clear_4xx_answers() {
    let app = spawn_app().await;
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        app.client
            .post(format!("{}{path}", app.base))
            .header("content-type", content_type.to_string())
            .header("cookie", app.cookie.clone().unwrap())
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    // A form far larger than any form of the app, signed out or in.
    let big = format!(
        "email=a%40b.example&next=%2F&password={}",
        "x".repeat(3 << 20)
    );
    for path in ["/api/sign-in", "/api/create-organization"] {
        let res = post(path, form, big.clone().into_bytes()).await.unwrap();
        assert_eq!(res.status(), 413, "{path}");
        let text = res.text().await.unwrap();
        assert!(text.contains("too large"), "{path}: {text}");
    }
    // Not UTF-8, and not a form at all.
    for (body, content_type) in [
        (
            b"name=\xff\xfe&email=&phone=&address=&syncro_tenant=".to_vec(),
            form,
        ),
        (b"{\"name\": 1}".to_vec(), "application/json"),
        (vec![b'%'; 1000], form),
    ] {
        let res = post("/api/create-organization", content_type, body)
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert!(
            (400..500).contains(&status),
            "{content_type}: {status} {text}"
        );
        let err: AppError = serde_json::from_str(&text).unwrap();
        assert!(matches!(err, AppError::Validation { .. }), "{err:?}");
    }
    // The CSV import takes up to 5 MB; past that the answer says so.
    let row = format!(
        "{},A Tenant,a.onmicrosoft.com\n",
        "72f988bf-86f1-41af-91ab-2d7cd011db47"
    );
    let csv = format!(
        "tenantId,displayName,defaultDomainName\n{}",
        row.repeat(6_000_000 / row.len())
    );
    let (content_type, body) = multipart_form(&[("csv", &csv)]);
    let res = post("/api/import-tenants", &content_type, body.into_bytes())
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("5 MB"));
    let form = [
        ("filter", ""),
        ("q", ""),
        ("sort", ""),
        ("dir", ""),
        ("page", "1"),
    ];
    let list = app.call("microsoft-tenants", &form).await.unwrap();
    assert_eq!(list["tenants"]["total"], 0, "nothing imported");
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_with_this_pages_nonce() {
    let app = spawn_app().await;
    let res = app.get("/organizations").await;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let csp = header("content-security-policy");
    let policy = header("permissions-policy");
    assert!(policy.contains("camera=()"), "{policy}");
    assert_eq!(
        header("strict-transport-security"),
        "",
        "plain HTTP: no HSTS"
    );
    let html = res.text().await.unwrap();
    // The island loader carries this response's nonce; no inline script runs without it.
    let loader = "<script type=\"module\" nonce=\"";
    let at = html.find(loader).expect("the island loader") + loader.len();
    let nonce: String = html[at..].chars().take_while(|c| *c != '"').collect();
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(
        csp.contains(&format!(
            "script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"
        )),
        "{csp}"
    );
    for directive in [
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(directive), "{directive}: {csp}");
    }
    // Every script element (the loader, Leptos' own data scripts) carries it.
    let tagged = format!("<script type=\"module\" nonce=\"{nonce}\">");
    let plain = format!("<script nonce=\"{nonce}\">");
    assert_eq!(
        html.matches("<script").count(),
        html.matches(&tagged).count() + html.matches(&plain).count(),
        "a script without this nonce"
    );
    // Another page view gets another nonce.
    let again = app.get("/organizations").await;
    let csp2 = again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(csp, csp2);
    // Behind HTTPS (a proxy or the Lambda's Function URL), HSTS.
    let res = app
        .client
        .get(format!("{}/sign-in", app.base))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

/// Sign-ins for one email at once, as a script would send them: each answers "wrong password"
/// or "slow down", never a server error, on both stores.
async fn burst_of_sign_ins(app: &TestApp, n: usize) {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let tries = (0..n).map(|_| {
        client
            .post(format!("{}/api/sign-in", app.base))
            .form(&[
                ("email", "admin@msp-a.example"),
                ("password", "a wrong password"),
                ("next", "/"),
            ])
            .send()
    });
    let answers = futures::future::join_all(tries).await;
    let mut statuses: Vec<u16> = answers
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    statuses.sort();
    statuses.dedup();
    assert!(
        statuses.iter().all(|s| [401, 429].contains(s)),
        "{statuses:?}"
    );
    assert!(
        statuses.contains(&429),
        "the burst is slowed down: {statuses:?}"
    );
}

#[tokio::test]
async fn a_burst_of_sign_ins_for_one_email_answers_429_not_500() {
    burst_of_sign_ins(&spawn_app().await, 40).await;
}

#[tokio::test]
async fn a_burst_of_sign_ins_for_one_email_answers_429_not_500_on_dynamodb() {
    // A bound on hashes as wide as the burst: every attempt reaches the store at once.
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let dir = tempfile::tempdir().unwrap();
    let hashing = Hashing::new(50, std::time::Duration::from_secs(30));
    let mut app = spawn_with_hashing(std::sync::Arc::new(store), dir, hashing).await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    burst_of_sign_ins(&app, 50).await;
}

#[tokio::test]
async fn only_this_server_writes_the_import_report_and_the_status_line_a_page_shows() {
    let mut app = spawn_app().await;
    // A link someone else wrote: a report of their choosing in the query.
    let forged =
        r#"{"added":0,"updated":0,"rejected":[[1,"Your session expired: call 555-0100"]]}"#;
    let page = app
        .page(&format!(
            "/admin/microsoft-tenants/import?import={}",
            app::components::enc(forged)
        ))
        .await;
    assert!(!page.contains("555-0100"), "a forged report was shown");
    // A status cookie planted beside the session (another port of the same host).
    let planted = format!(
        "{}; tenantmap_status=Call%20555-0100",
        app.cookie.as_deref().unwrap()
    );
    let page = app
        .get_as(Some(&planted), "/organizations")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("555-0100"),
        "a planted status line was shown"
    );
    // The real ones show, in the session that made them and no other.
    let (content_type, body) = multipart_form(&[(
        "csv",
        "tenantId,displayName,defaultDomainName\n\
         8a1d0e7c-1111-4222-8333-444455556666,Sealed Dental,sealed.onmicrosoft.com\n\
         not-a-guid,Broken,broken.onmicrosoft.com",
    )]);
    let res = app
        .client
        .post(format!("{}/api/import-tenants", app.base))
        .header("accept", "text/html")
        .header("cookie", app.cookie.as_deref().unwrap())
        .header("content-type", content_type)
        .header("referer", format!("{}/admin/microsoft-tenants", app.base))
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        !location.contains("Sealed") && !location.contains("added"),
        "{location}"
    );
    let page = app.page(&location).await;
    assert!(
        page.contains("Added 1, updated 0, rejected 1.") && page.contains("Line 3:"),
        "the report is missing"
    );
    app.cookie = Some(app.sign_in("admin@msp-a.example", PASSWORD).await.unwrap());
    let other_session = app.page(&location).await;
    assert!(
        !other_session.contains("Added 1"),
        "another session's report was shown"
    );
}

async fn add(app: &TestApp, email: &str, password: &str) -> Result<serde_json::Value, AppError> {
    let form = [
        ("email", email),
        ("role", "technician"),
        ("password", password),
    ];
    app.call("add-user", &form).await
}

/// The account a session cookie is signed in to.
async fn account_of(app: &TestApp, cookie: &str) -> String {
    let me = app.call_as(Some(cookie), "whoami", &[]).await.unwrap();
    me["account_name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn adding_a_user_tells_nothing_of_other_accounts_and_each_account_signs_in_on_its_own() {
    let mut app = spawn_app().await;
    app.cookie = Some(app.create_account("MSP B", "admin@msp-b.example").await);
    // B adds A's Administrator's email, and an email nobody has: the same answer.
    let taken_elsewhere = add(&app, "admin@msp-a.example", "b's first password").await;
    let fresh = add(&app, "nobody-yet@msp-b.example", "b's first password").await;
    assert_eq!(taken_elsewhere, fresh);
    assert!(fresh.is_ok(), "{fresh:?}");
    // Within B the email is now taken, and says so (B may know its own users).
    assert!(matches!(
        add(&app, "ADMIN@msp-a.example", "b's first password").await,
        Err(AppError::EmailTaken { .. })
    ));
    // Each password opens its own account.
    let to_b = app
        .sign_in("admin@msp-a.example", "b's first password")
        .await
        .unwrap();
    assert_eq!(account_of(&app, &to_b).await, "MSP B");
    let to_a = app.sign_in("admin@msp-a.example", PASSWORD).await.unwrap();
    assert_eq!(account_of(&app, &to_a).await, "MSP A");
    // One password for both: the person chooses, and only between the accounts it opens.
    let users = app.call("users", &[]).await.unwrap();
    let b_user = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "admin@msp-a.example")
        .unwrap();
    let (id, version) = (
        b_user["id"].as_str().unwrap(),
        b_user["version"].to_string(),
    );
    let form = [
        ("id", id),
        ("version", version.as_str()),
        ("password", PASSWORD),
    ];
    app.call("set-user-password", &form).await.unwrap();
    let choose = app
        .sign_in("admin@msp-a.example", PASSWORD)
        .await
        .unwrap_err();
    let AppError::ChooseAccount { accounts } = choose else {
        panic!("{choose:?}")
    };
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["MSP A", "MSP B"]);
    // Without JavaScript the sign-in page comes back with the choice.
    let res = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .header("accept", "text/html")
        .header("referer", format!("{}/sign-in", app.base))
        .form(&[
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let vouch = crate::helpers::html::refusal_cookie(&res);
    let page = app
        .get_as(Some(&vouch), location.trim_start_matches(&app.base))
        .await
        .text()
        .await
        .unwrap();
    for a in &accounts {
        assert!(
            page.contains(&format!(r#"name="account" value="{}""#, a.id)) && page.contains(&a.name),
            "the choice of {} is not on the page",
            a.name
        );
    }
    assert!(
        page.contains("open more than one account"),
        "no explanation"
    );
    let res = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .form(&[
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("next", "/"),
            ("account", accounts[1].id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap();
    assert_eq!(account_of(&app, cookie).await, "MSP B");
}

/// Round 4: each password check allocates a 19 MiB block, and glibc kept those blocks once
/// freed — unauthenticated sign-ins from a few addresses grew a fresh server by hundreds of
/// megabytes for good. With large frees returned (`server::memory`), 200 wrong sign-ins from 20
/// addresses, eight at once, leave the server within 100 MB of where it started. (nextest runs
/// each test in a process of its own, so the figure is this server's.)
#[tokio::test]
async fn unauthenticated_sign_ins_leave_no_memory_behind() {
    let site = app::api::site::Site {
        client_address_header: Some(http::HeaderName::from_static("x-forwarded-for")),
        proxy_secret: Some("s3cret".into()),
        ..Default::default()
    };
    let app = spawn_empty_at(site).await;
    let before = server::memory::resident_bytes().expect("VmRSS");
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap();
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for round in 0..25 {
        let tries = (0..8).map(|i| {
            client
                .post(format!("{}/api/sign-in", app.base))
                .header(app::api::site::PROXY_SECRET_HEADER, "s3cret")
                .header(
                    "x-forwarded-for",
                    format!("203.0.113.{}", (round * 8 + i) % 20 + 1),
                )
                .form(&[
                    ("email", format!("nobody{round}-{i}@example.com")),
                    ("password", "a wrong password".into()),
                    ("next", "/".into()),
                ])
                .send()
        });
        for answer in futures::future::join_all(tries).await {
            *statuses
                .entry(answer.unwrap().status().as_u16())
                .or_default() += 1;
        }
    }
    // Every one was a real check (refused for its password), none turned away unhashed.
    assert_eq!(statuses.get(&401), Some(&200), "{statuses:?}");
    let after = server::memory::resident_bytes().unwrap();
    let grown = after.saturating_sub(before) / (1 << 20);
    eprintln!("200 wrong sign-ins: resident memory grew {grown} MiB");
    assert!(grown <= 100, "200 sign-ins left {grown} MiB behind");
}
