//! Every server function the app registers, called (a) signed out, (b) as a Technician and
//! (c) as an Administrator of another account with this account's real ids — then (d) as this
//! account's Administrator, to prove the arguments were real and only the caller was wrong.
//!
//! A server function added later without a case here fails `every_registered_function_has_a_case`;
//! one added without a check fails (a), (b) or (c).

use crate::helpers::fixture::*;
use crate::helpers::*;
use app::domain::Email;
use app::error::AppError;
use std::collections::BTreeSet;

#[tokio::test]
async fn every_registered_function_has_a_case() {
    let (app, f, ..) = setup().await;
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let mut covered: BTreeSet<String> = cases(&app, &f, "x")
        .await
        .into_iter()
        .map(|c| c.0.to_string())
        .collect();
    covered.extend(SESSION_FUNCTIONS.iter().map(|s| s.to_string()));
    assert_eq!(
        registered, covered,
        "every server function needs a case in server/tests/authz.rs (a new one: add it, with the arguments that name real records)"
    );
}

#[tokio::test]
async fn only_the_right_people_reach_each_server_function() {
    let (app, f, tech_cookie, other_admin) = setup().await;
    let before = snapshot(&*app.store, &f.account).await;
    let markers: Vec<String> = ["Alpha", "Beta", "Gamma", "MSP A", "msp-a.example", T1, T2]
        .iter()
        .map(|s| s.to_string())
        .chain([f.org_a, f.org_b].iter().map(|i| i.to_string()))
        .chain([f.st_a, f.st_b, f.st_empty].iter().map(|i| i.to_string()))
        .chain([f.tech.to_string(), f.eu_a.to_string()])
        .collect();

    // (a) Signed out: every function answers "not signed in".
    for (path, _, args) in cases(&app, &f, "a").await {
        let r = app.call_as(None, path, &form(&args)).await;
        assert_eq!(r, Err(AppError::NotSignedIn), "{path} signed out");
    }
    assert_eq!(
        snapshot(&*app.store, &f.account).await,
        before,
        "(a) changed something"
    );

    // (b) A Technician of the account reads, and is refused every change.
    for (path, kind, args) in cases(&app, &f, "b").await {
        let r = app.call_as(Some(&tech_cookie), path, &form(&args)).await;
        match kind {
            Kind::Read => assert!(r.is_ok(), "{path} as Technician: {r:?}"),
            Kind::AdminRead | Kind::Change => {
                assert_eq!(r, Err(AppError::NotAllowed), "{path} as Technician")
            }
        }
    }
    assert_eq!(
        snapshot(&*app.store, &f.account).await,
        before,
        "(b) changed something"
    );

    // (c) An Administrator of another account, with this account's ids: refused, or answered
    // from their own account — never a record of this one.
    for (path, _, args) in cases(&app, &f, "c").await {
        let r = app.call_as(Some(&other_admin), path, &form(&args)).await;
        let text = match &r {
            Ok(v) => v.to_string(),
            Err(e) => e.to_string(),
        };
        for m in &markers {
            assert!(
                !text.contains(m.as_str()),
                "{path} as another account's Administrator leaked {m}: {text}"
            );
        }
    }
    assert_eq!(
        snapshot(&*app.store, &f.account).await,
        before,
        "(c) changed account A"
    );

    // (d) This account's Administrator: every change goes through with the same kind of
    // arguments, so the refusals above were about the caller alone.
    for (path, kind, _) in cases(&app, &f, "d").await {
        // Re-read versions before each call: the changes run one after another.
        let args = cases(&app, &f, "d")
            .await
            .into_iter()
            .find(|c| c.0 == path)
            .unwrap()
            .2;
        let r = app.call(path, &form(&args)).await;
        assert!(
            r.is_ok(),
            "{path} ({kind:?}) as this account's Administrator: {r:?}"
        );
    }
    assert_ne!(snapshot(&*app.store, &f.account).await, before);
}

#[tokio::test]
async fn session_functions_refuse_what_they_must() {
    let (app, _f, tech_cookie, _) = setup().await;
    // Signed out: a wrong password is refused; set-up is refused once an account exists;
    // sign-out needs a session.
    assert_eq!(
        app.call_as(
            None,
            "sign-in",
            &[
                ("email", "admin@msp-a.example"),
                ("password", "wrong"),
                ("next", "/")
            ]
        )
        .await,
        Err(AppError::SignInFailed)
    );
    assert_eq!(
        app.call_as(
            None,
            "set-up",
            &[
                ("account", "Takeover"),
                ("email", "x@evil.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD)
            ]
        )
        .await,
        Err(AppError::AlreadySetUp)
    );
    assert_eq!(
        app.call_as(
            Some(&tech_cookie),
            "set-up",
            &[
                ("account", "Takeover"),
                ("email", "x@evil.example"),
                ("password", PASSWORD),
                ("confirm", PASSWORD)
            ]
        )
        .await,
        Err(AppError::AlreadySetUp)
    );
    // may-set-up tells only whether this request could use the first-run page (from this
    // machine: yes; the account's existence is set-up's to refuse).
    assert_eq!(
        app.call_as(None, "may-set-up", &[("token", "")]).await,
        Ok(serde_json::json!(true))
    );
    assert_eq!(
        app.call_as(None, "sign-out", &[]).await,
        Err(AppError::NotSignedIn)
    );
    // A Technician may sign out (it ends only their own session).
    app.call_as(Some(&tech_cookie), "sign-out", &[])
        .await
        .unwrap();
    assert_eq!(
        app.call_as(Some(&tech_cookie), "whoami", &[]).await,
        Err(AppError::NotSignedIn)
    );
    assert!(
        app.store
            .user_by_email(&Email::parse("x@evil.example").unwrap())
            .await
            .unwrap()
            .is_none()
    );
}
