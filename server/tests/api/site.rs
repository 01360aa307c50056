//! Over HTTP: who may lock whom out (sign-in throttling by email and address), which host
//! names the server answers for, the public origin behind a proxy, and the first-run page from
//! another machine.

use crate::helpers::*;
use app::api::site::{PROXY_SECRET_HEADER, Site};
use app::error::AppError;
use reqwest::StatusCode;

const PROXY_SECRET: &str = "the proxy's own secret, 32 chars";

/// An installation behind a proxy that writes the browser's address into `X-Viewer-Address`
/// and proves itself with [`PROXY_SECRET`]; the first-run link's token is known.
fn behind_a_proxy() -> Site {
    Site {
        client_address_header: Some(http::HeaderName::from_static("x-viewer-address")),
        proxy_secret: Some(PROXY_SECRET.into()),
        setup_token: Some("0123456789abcdef0123456789abcdef".into()),
        ..Default::default()
    }
}

/// A client whose connections come from `ip` (any 127.x address is this machine's loopback).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(Some(ip.parse().unwrap()))
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

async fn sign_in_from(
    app: &TestApp,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> StatusCode {
    client
        .post(format!("{}/api/sign-in", app.base))
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_do_not_lock_an_administrator_out() {
    let app = spawn_app().await;
    let attacker = client_from("127.0.0.2");
    let mut refused = Vec::new();
    for _ in 0..12 {
        refused
            .push(sign_in_from(&app, &attacker, "admin@msp-a.example", "guess guess guess").await);
    }
    assert_eq!(refused[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(refused[11], StatusCode::TOO_MANY_REQUESTS, "{refused:?}");
    // The attacker's own address must wait, even with the right password…
    assert_eq!(
        sign_in_from(&app, &attacker, "admin@msp-a.example", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // …while the Administrator, at their own address, signs in at once.
    let admin = client_from("127.0.0.3");
    assert_eq!(
        sign_in_from(&app, &admin, "admin@msp-a.example", PASSWORD).await,
        StatusCode::OK
    );
    // And their own typos, then a success, leave them their full allowance.
    for _ in 0..4 {
        let typo = sign_in_from(&app, &admin, "admin@msp-a.example", "typo typo typo").await;
        assert_eq!(typo, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        sign_in_from(&app, &admin, "admin@msp-a.example", PASSWORD).await,
        StatusCode::OK
    );
    for _ in 0..5 {
        let typo = sign_in_from(&app, &admin, "admin@msp-a.example", "typo typo typo").await;
        assert_eq!(typo, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn one_address_spraying_many_emails_is_slowed_down() {
    let app = spawn_app().await;
    let sprayer = client_from("127.0.0.4");
    let mut statuses = Vec::new();
    for i in 0..52 {
        let email = format!("user{i}@msp-a.example");
        statuses.push(sign_in_from(&app, &sprayer, &email, "Summer2026!!!").await);
    }
    assert!(
        statuses[..50]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED)
    );
    assert_eq!(statuses[50], StatusCode::TOO_MANY_REQUESTS);
    // Another address is not held back by it.
    let admin = client_from("127.0.0.5");
    assert_eq!(
        sign_in_from(&app, &admin, "admin@msp-a.example", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_host_name_nobody_configured_is_refused_and_a_configured_one_served() {
    let app = spawn_empty_at(Site {
        public_origins: vec!["https://tenantmap.msp.example".into()],
        ..Default::default()
    })
    .await;
    // DNS rebinding: a page on attacker.example, whose name now points here.
    let rebound = app
        .client
        .get(format!("{}/first-run", app.base))
        .header("host", "attacker.example:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    let says = rebound.text().await.unwrap();
    assert!(
        says.contains("does not answer for attacker.example:3000")
            && says.contains("TENANTMAP_PUBLIC_ORIGIN"),
        "{says}"
    );
    let set_up = app
        .client
        .post(format!("{}/api/set-up", app.base))
        .header("host", "attacker.example:3000")
        .form(&[
            ("account", "Rebound"),
            ("email", "x@attacker.example"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(set_up.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(!app.store.installed().await.unwrap(), "nothing was created");
    // The configured name, its address and localhost are served.
    for host in ["tenantmap.msp.example", "127.0.0.1:3000", "localhost:3000"] {
        let res = app
            .client
            .get(format!("{}/first-run", app.base))
            .header("host", host)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{host}");
    }
}

#[tokio::test]
async fn behind_a_proxy_posts_from_the_public_origin_are_accepted() {
    let post = |app: &TestApp| {
        app.client
            .post(format!("{}/api/sign-in", app.base))
            .header("host", "abc123.lambda-url.us-east-1.on.aws")
            .header("origin", "https://tenantmap.msp.example")
            .header("sec-fetch-site", "same-origin")
            .form(&[
                ("email", "admin@msp-a.example"),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
    };
    // Without the configuration every form post from the custom domain is refused…
    let mut plain = spawn_empty().await;
    plain.cookie = Some(plain.create_account("MSP A", "admin@msp-a.example").await);
    assert_eq!(post(&plain).await.unwrap().status(), StatusCode::FORBIDDEN);
    drop(plain);
    // …and with TENANTMAP_PUBLIC_ORIGIN it is this installation's own origin.
    let app = spawn_empty_at(Site {
        public_origins: vec!["https://tenantmap.msp.example".into()],
        ..Default::default()
    })
    .await;
    app.create_account("MSP A", "admin@msp-a.example").await;
    assert_eq!(post(&app).await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn the_first_run_page_from_another_machine_needs_the_setup_token() {
    let app = spawn_empty_at(behind_a_proxy()).await;
    // The proxy, on this machine (loopback), forwards a browser from afar.
    let from_afar = |path: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("x-viewer-address", "203.0.113.50:51515")
            .header(PROXY_SECRET_HEADER, PROXY_SECRET)
    };
    let page = from_afar("/first-run").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("not set up yet"), "{page}");
    assert!(
        !page.contains("Create account"),
        "no form without the token"
    );
    let set_up = |token: &'static str| {
        app.client
            .post(format!("{}/api/set-up", app.base))
            .header("x-viewer-address", "203.0.113.50:51515")
            .header(PROXY_SECRET_HEADER, PROXY_SECRET)
            .form(&[
                ("account", "MSP A"),
                ("email", "admin@msp-a.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
                ("token", token),
            ])
            .send()
    };
    let refused = set_up("wrong").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let err: AppError = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
    assert_eq!(err, AppError::SetupTokenNeeded);
    assert!(!app.store.installed().await.unwrap());
    // The link printed at start-up opens the form and creates the account.
    let page = from_afar("/first-run?token=0123456789abcdef0123456789abcdef")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Create account") && page.contains("name=\"token\""));
    let done = set_up("0123456789abcdef0123456789abcdef").await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(app.store.installed().await.unwrap());
}

/// Round 4: a TCP forwarder on this machine that adds no header (socat, an SSH tunnel) made a
/// visitor from afar "this machine" to the first-run page. Only the token `serve` prints opens
/// it now, unless `TENANTMAP_LOCAL_SETUP=1` opens it for this machine.
#[tokio::test]
async fn the_first_run_page_needs_the_token_unless_opened_for_this_machine() {
    let app = spawn_empty_at(Site {
        setup_token: Some("0123456789abcdef0123456789abcdef".into()),
        ..Default::default()
    })
    .await;
    let page = app.get("/first-run").await.text().await.unwrap();
    assert!(page.contains("not set up yet") && !page.contains("Create account"));
    let form = |token: &'static str| {
        [
            ("account", "MSP A"),
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
            ("token", token),
        ]
    };
    let refused = app.call_as(None, "set-up", &form("")).await;
    assert_eq!(refused.unwrap_err(), AppError::SetupTokenNeeded);
    assert!(!app.store.installed().await.unwrap());
    let page = app
        .get("/first-run?token=0123456789abcdef0123456789abcdef")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Create account"));
    app.call_as(None, "set-up", &form("0123456789abcdef0123456789abcdef"))
        .await
        .unwrap();
    assert!(app.store.installed().await.unwrap());
}

#[tokio::test]
async fn the_first_run_page_opened_for_this_machine_needs_no_token() {
    let app = spawn_empty().await;
    let page = app.get("/first-run").await.text().await.unwrap();
    assert!(page.contains("Create account"), "{page}");
    let res = app
        .call_as(
            None,
            "set-up",
            &[
                ("account", "MSP A"),
                ("email", "admin@msp-a.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    assert!(res.is_ok(), "{res:?}");
}

/// Anyone can write a forwarding header: on this machine it must not open the first-run page
/// (a reverse proxy here makes every visitor's connection a loopback one), and without the
/// proxy's secret it is not believed — nor is such a request served when a proxy is configured.
#[tokio::test]
async fn a_spoofed_address_header_opens_nothing_and_escapes_no_throttle() {
    // No proxy configured: a forwarded request from loopback is not "this machine".
    let app = spawn_empty().await;
    for header in ["x-forwarded-for", "forwarded", "x-real-ip"] {
        let value = if header == "forwarded" {
            "for=203.0.113.9"
        } else {
            "203.0.113.9"
        };
        let page = app
            .client
            .get(format!("{}/first-run", app.base))
            .header(header, value)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("not set up yet"), "{header}: {page}");
        assert!(!page.contains("Create account"), "{header}");
        let may = app
            .client
            .post(format!("{}/api/may-set-up", app.base))
            .header(header, value)
            .form(&[("token", "")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(may, "false", "{header}");
    }
    let refused = app
        .client
        .post(format!("{}/api/set-up", app.base))
        .header("x-forwarded-for", "127.0.0.1")
        .form(&[
            ("account", "MSP A"),
            ("email", "admin@msp-a.example"),
            ("password", PASSWORD),
            ("confirm", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(!app.store.installed().await.unwrap());
    drop(app);

    // A new address header per attempt: still counted by the real client's address.
    let app = spawn_app().await;
    let attacker = client_from("127.0.0.6");
    let mut statuses = Vec::new();
    for i in 0..8 {
        let status = attacker
            .post(format!("{}/api/sign-in", app.base))
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .form(&[
                ("email", "admin@msp-a.example"),
                ("password", "guess guess guess"),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
            .status();
        statuses.push(status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[7], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    drop(app);

    // A proxy configured: a request without its secret is refused before anything runs, so a
    // header it carries is never believed; the proxy's own requests from loopback still need
    // the setup token for the first-run page.
    let app = spawn_empty_at(behind_a_proxy()).await;
    let bypass = app
        .client
        .get(format!("{}/first-run", app.base))
        .header("x-viewer-address", "127.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(bypass.status(), StatusCode::FORBIDDEN);
    assert!(bypass.text().await.unwrap().contains("through its proxy"));
    let proxied = app
        .client
        .post(format!("{}/api/may-set-up", app.base))
        .header("x-viewer-address", "127.0.0.1")
        .header(PROXY_SECRET_HEADER, PROXY_SECRET)
        .form(&[("token", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.text().await.unwrap(), "false");
}
