//! Sign-in, sessions, first run and Admin > Users over HTTP (R6, R7, S5).

use crate::helpers::*;
use app::error::AppError;
use reqwest::StatusCode;

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

fn set_cookie(res: &reqwest::Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn user_id(app: &TestApp, email: &str) -> (String, String) {
    let users = app.call("users", &[]).await.unwrap();
    let u = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == email)
        .unwrap_or_else(|| panic!("no user {email}"));
    (
        u["id"].as_str().unwrap().to_string(),
        u["version"].to_string(),
    )
}

#[tokio::test]
async fn the_first_run_page_works_once() {
    let app = spawn_empty().await;
    for path in ["/", "/organizations", "/sign-in"] {
        let res = app.get_as(None, path).await;
        assert!(res.status().is_redirection(), "{path}");
        assert_eq!(location(&res), "/first-run", "{path}");
    }
    let page = app.get_as(None, "/first-run").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Set up tenantmap"));

    let set_up = |password: &'static str, confirm: &'static str| {
        [
            ("account", "Foggy IT Services"),
            ("email", "owner@foggy.example"),
            ("password", password),
            ("confirm", confirm),
        ]
    };
    assert!(matches!(
        app.call_as(None, "set-up", &set_up("short", "short")).await,
        Err(AppError::Validation { field, .. }) if field == "password"
    ));
    assert!(matches!(
        app.call_as(None, "set-up", &set_up(PASSWORD, "something else entirely")).await,
        Err(AppError::Validation { field, .. }) if field == "confirm"
    ));
    let res = app
        .client
        .post(format!("{}/api/set-up", app.base))
        .form(&set_up(PASSWORD, PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = set_cookie(&res).split(';').next().unwrap().to_string();
    let me = app.call_as(Some(&cookie), "whoami", &[]).await.unwrap();
    assert_eq!(me["role"], "Administrator");
    assert_eq!(me["account_name"], "Foggy IT Services");

    // Never again: not the page, not the function.
    assert_eq!(
        app.call_as(None, "set-up", &set_up(PASSWORD, PASSWORD))
            .await,
        Err(AppError::AlreadySetUp)
    );
    let res = app.get_as(None, "/first-run").await;
    assert_eq!(location(&res), "/sign-in");
    let res = app.get_as(Some(&cookie), "/first-run").await;
    assert_eq!(location(&res), "/");
}

#[tokio::test]
async fn signed_out_pages_go_to_sign_in_and_come_back() {
    let app = spawn_app().await;
    let res = app.get_as(None, "/organizations?q=acme").await;
    assert!(res.status().is_redirection());
    assert_eq!(location(&res), "/sign-in?next=%2Forganizations%3Fq%3Dacme");
    let page = app.get_as(None, "/sign-in").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sign in") && html.contains("autocomplete=\"current-password\""));
    // Without JavaScript the form post redirects to where the user was going.
    let res = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .header("accept", "text/html")
        .form(&[
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("next", "/organizations?q=acme"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/organizations?q=acme");
    // `next` never leads off the site.
    let res = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .header("accept", "text/html")
        .form(&[
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/");
    // Signed in, the sign-in page sends you home.
    assert_eq!(location(&app.get("/sign-in").await), "/");
    assert_eq!(app.get("/organizations").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_never_tells_whether_an_email_exists_and_slows_down() {
    let app = spawn_app().await;
    let try_sign_in = |email: &'static str, password: &'static str| app.sign_in(email, password);
    assert_eq!(
        try_sign_in("admin@msp-a.example", "wrong password").await,
        Err(AppError::SignInFailed)
    );
    assert_eq!(
        try_sign_in("nobody@msp-a.example", "wrong password").await,
        Err(AppError::SignInFailed)
    );
    for email in ["admin@msp-a.example", "nobody@msp-a.example"] {
        let mut last = None;
        for _ in 0..6 {
            last = Some(try_sign_in(email, "wrong password").await);
        }
        assert!(
            matches!(last, Some(Err(AppError::TooManyAttempts { wait_seconds })) if wait_seconds > 0),
            "{email}: {last:?}"
        );
    }
    // Even the right password waits now; another email does not.
    assert!(matches!(
        try_sign_in("admin@msp-a.example", PASSWORD).await,
        Err(AppError::TooManyAttempts { .. })
    ));
    app.add_user("tech@msp-a.example", "technician").await;
}

#[tokio::test]
async fn session_cookies_are_http_only_lax_new_each_time_and_secure_over_https() {
    let app = spawn_app().await;
    let form = [
        ("email", "admin@msp-a.example"),
        ("password", PASSWORD),
        ("next", "/"),
    ];
    let plain = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let c = set_cookie(&plain);
    assert!(c.starts_with("tenantmap_session="), "{c}");
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(c.contains(attr), "{c}");
    }
    assert!(!c.contains("Secure"));
    let https = app
        .client
        .post(format!("{}/api/sign-in", app.base))
        .header("x-forwarded-proto", "https")
        .form(&form)
        .send()
        .await
        .unwrap();
    let c2 = set_cookie(&https);
    assert!(
        c2.starts_with("__Host-tenantmap_session=") && c2.contains("; Secure"),
        "{c2}"
    );
    let token = |c: &str| {
        c.split(';')
            .next()
            .unwrap()
            .split('=')
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert_ne!(token(&c), token(&c2), "a new token at every sign-in");
    assert_eq!(token(&c).len(), 64);
    // No password or hash ever comes back.
    let users = app.call("users", &[]).await.unwrap().to_string();
    assert!(
        !users.contains("argon2") && !users.contains("password"),
        "{users}"
    );
}

#[tokio::test]
async fn sign_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let cookie = app.sign_in("admin@msp-a.example", PASSWORD).await.unwrap();
    let res = app
        .client
        .post(format!("{}/api/sign-out", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookie(&res).contains("Max-Age=0"));
    // The same cookie, replayed, is worth nothing.
    assert_eq!(
        app.call_as(Some(&cookie), "whoami", &[]).await,
        Err(AppError::NotSignedIn)
    );
    let res = app.get_as(Some(&cookie), "/organizations").await;
    assert!(location(&res).starts_with("/sign-in"));
    assert!(
        set_cookie(&res).contains("Max-Age=0"),
        "the browser is told to forget it"
    );
    // The other session of the same user goes on.
    assert!(app.call("whoami", &[]).await.is_ok());
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_at_once() {
    let app = spawn_app().await;
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let me = app.call_as(Some(&tech), "whoami", &[]).await.unwrap();
    assert_eq!(me["role"], "Technician");
    let (id, version) = user_id(&app, "tech@msp-a.example").await;
    app.call(
        "set-user-active",
        &[("id", &id), ("version", &version), ("active", "false")],
    )
    .await
    .unwrap();
    assert_eq!(
        app.call_as(
            Some(&tech),
            "organizations",
            &[("q", ""), ("page", "1"), ("exclude", "")]
        )
        .await,
        Err(AppError::NotSignedIn)
    );
    assert_eq!(
        app.sign_in("tech@msp-a.example", PASSWORD).await,
        Err(AppError::SignInFailed),
        "a disabled user cannot sign in, and is told nothing more"
    );
    // Enabled again: a new sign-in works, the old session stays ended.
    let (id, version) = user_id(&app, "tech@msp-a.example").await;
    app.call(
        "set-user-active",
        &[("id", &id), ("version", &version), ("active", "true")],
    )
    .await
    .unwrap();
    let again = app.sign_in("tech@msp-a.example", PASSWORD).await.unwrap();
    assert!(app.call_as(Some(&again), "whoami", &[]).await.is_ok());
    assert_eq!(
        app.call_as(Some(&tech), "whoami", &[]).await,
        Err(AppError::NotSignedIn)
    );
}

#[tokio::test]
async fn a_new_password_ends_the_sessions_of_that_user() {
    let app = spawn_app().await;
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let (id, version) = user_id(&app, "tech@msp-a.example").await;
    assert!(matches!(
        app.call("set-user-password", &[("id", &id), ("version", &version), ("password", "short")]).await,
        Err(AppError::Validation { field, .. }) if field == "password"
    ));
    app.call(
        "set-user-password",
        &[
            ("id", &id),
            ("version", &version),
            ("password", "a brand new password"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        app.call_as(Some(&tech), "whoami", &[]).await,
        Err(AppError::NotSignedIn)
    );
    assert_eq!(
        app.sign_in("tech@msp-a.example", PASSWORD).await,
        Err(AppError::SignInFailed)
    );
    app.sign_in("tech@msp-a.example", "a brand new password")
        .await
        .unwrap();
    // A stale page (old version) cannot set it again.
    assert_eq!(
        app.call(
            "set-user-password",
            &[
                ("id", &id),
                ("version", &version),
                ("password", "yet another password")
            ]
        )
        .await,
        Err(AppError::Stale)
    );
}

#[tokio::test]
async fn the_last_active_administrator_stays() {
    let app = spawn_app().await;
    let (me, version) = user_id(&app, "admin@msp-a.example").await;
    assert_eq!(
        app.call(
            "set-user-role",
            &[("id", &me), ("version", &version), ("role", "technician")]
        )
        .await,
        Err(AppError::LastAdministrator)
    );
    assert!(matches!(
        app.call("set-user-active", &[("id", &me), ("version", &version), ("active", "false")]).await,
        Err(AppError::Validation { field, .. }) if field == "active"
    ));
    // With a second Administrator, the first may step down.
    let second = app.add_user("second@msp-a.example", "administrator").await;
    app.call(
        "set-user-role",
        &[("id", &me), ("version", &version), ("role", "technician")],
    )
    .await
    .unwrap();
    // ...and is a Technician at once: no more changes.
    assert_eq!(
        app.call(
            "add-user",
            &[
                ("email", "x@msp-a.example"),
                ("role", "technician"),
                ("password", PASSWORD)
            ]
        )
        .await,
        Err(AppError::NotAllowed)
    );
    // The second Administrator cannot now disable or demote themselves away.
    let (id2, v2) = {
        let users = app.call_as(Some(&second), "users", &[]).await.unwrap();
        let u = users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "second@msp-a.example")
            .unwrap()
            .clone();
        (
            u["id"].as_str().unwrap().to_string(),
            u["version"].to_string(),
        )
    };
    assert_eq!(
        app.call_as(
            Some(&second),
            "set-user-role",
            &[("id", &id2), ("version", &v2), ("role", "technician")]
        )
        .await,
        Err(AppError::LastAdministrator)
    );
    // Emails are unique across the installation.
    assert!(matches!(
        app.call_as(
            Some(&second),
            "add-user",
            &[
                ("email", "ADMIN@msp-a.example"),
                ("role", "technician"),
                ("password", PASSWORD)
            ]
        )
        .await,
        Err(AppError::EmailTaken { .. })
    ));
}

#[tokio::test]
async fn names_with_markup_are_shown_as_text() {
    let app = spawn_empty().await;
    let cookie = app
        .create_account("<img src=x onerror=alert(1)> MSP", "admin@markup.example")
        .await;
    app.call_as(
        Some(&cookie),
        "create-organization",
        &[
            ("name", "<script>alert(1)</script> Dental"),
            ("email", ""),
            ("phone", ""),
            ("address", ""),
            ("syncro_tenant", ""),
        ],
    )
    .await
    .unwrap();
    for path in ["/organizations", "/syncro-tenants", "/admin/users", "/"] {
        let html = app.get_as(Some(&cookie), path).await.text().await.unwrap();
        assert!(
            !html.contains("<img src=x") && !html.contains("<script>alert(1)"),
            "{path} injects markup"
        );
    }
    // An email cannot carry markup at all.
    assert!(matches!(
        app.call_as(Some(&cookie), "add-user", &[("email", "<b>@x.example"), ("role", "technician"), ("password", PASSWORD)]).await,
        Err(AppError::Validation { field, .. }) if field == "email"
    ));
}

#[tokio::test]
async fn failures_carry_their_http_status() {
    let app = spawn_app().await;
    let tech = app.add_user("tech@msp-a.example", "technician").await;
    let post = |cookie: Option<String>,
                endpoint: &'static str,
                form: Vec<(&'static str, &'static str)>| {
        let mut req = app.client.post(format!("{}/api/{endpoint}", app.base));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        async move { req.form(&form).send().await.unwrap().status().as_u16() }
    };
    let org = |name: &'static str| {
        vec![
            ("name", name),
            ("email", ""),
            ("phone", ""),
            ("address", ""),
            ("syncro_tenant", ""),
        ]
    };
    assert_eq!(post(None, "create-organization", org("A")).await, 401);
    // Browsers ask for compressed answers (a body this long gets compressed); same status.
    let compressed = app
        .client
        .post(format!("{}/api/create-organization", app.base))
        .header("cookie", app.cookie.clone().unwrap())
        .header("accept-encoding", "br, gzip")
        .form(&org(""))
        .send()
        .await
        .unwrap();
    assert_eq!(compressed.status().as_u16(), 422);
    assert_eq!(post(Some(tech), "create-organization", org("A")).await, 403);
    assert_eq!(
        post(app.cookie.clone(), "create-organization", org("")).await,
        422
    );
    assert_eq!(
        post(app.cookie.clone(), "create-organization", org("Acme")).await,
        200
    );
    assert_eq!(
        post(app.cookie.clone(), "create-organization", org("ACME")).await,
        409
    );
    assert_eq!(
        post(
            app.cookie.clone(),
            "organization",
            vec![("id", "00000000-0000-0000-0000-000000000000")]
        )
        .await,
        404
    );
    assert_eq!(
        post(
            None,
            "sign-in",
            vec![
                ("email", "admin@msp-a.example"),
                ("password", "nope"),
                ("next", "/")
            ]
        )
        .await,
        401
    );
}
