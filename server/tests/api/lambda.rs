//! The real Lambda binary (`lambda`) under a Lambda Runtime API of this test's own, on a moto
//! table: S1 driven with Function URL events — sign in, create, import, map, and the page
//! shows the mapping.

use serde_json::Value;
use server::lambda_local::{LocalLambda, function_url_event};

struct Lambda {
    local: LocalLambda,
    cookie: Option<String>,
}

struct Answer {
    status: u64,
    body: String,
    cookies: Vec<String>,
}

impl Lambda {
    /// Signs in through the sign-in function; keeps the cookie and returns it as the browser
    /// got it (with its attributes).
    async fn sign_in(&mut self) -> String {
        let signed_in = self
            .invoke(
                "POST",
                "/api/sign-in",
                "",
                &[
                    ("email", "admin@msp-a.example"),
                    ("password", "a long test password"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.body);
        let cookie = signed_in.cookies.first().expect("a session cookie").clone();
        self.cookie = Some(cookie.split(';').next().unwrap().to_string());
        cookie
    }

    /// One Function URL invocation, with this browser's cookie.
    async fn invoke(&self, method: &str, path: &str, query: &str, form: &[(&str, &str)]) -> Answer {
        let cookies: Vec<String> = self.cookie.iter().cloned().collect();
        // The CSV import is a file upload; every other function takes a URL-encoded form.
        let event = if path == "/api/import-tenants" {
            let (content_type, body) = crate::helpers::multipart_form(form);
            let mut event = function_url_event(method, path, query, &cookies, &body);
            event["headers"]["content-type"] = content_type.into();
            event
        } else {
            let body = form
                .iter()
                .map(|(k, v)| format!("{k}={}", app::components::enc(v)))
                .collect::<Vec<_>>()
                .join("&");
            function_url_event(method, path, query, &cookies, &body)
        };
        let answer = self.local.invoke(event).await;
        Answer {
            status: answer["statusCode"].as_u64().unwrap_or(0),
            body: answer["body"].as_str().unwrap_or_default().to_string(),
            cookies: answer["cookies"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

async fn start() -> Lambda {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let local = LocalLambda::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_lambda")),
        &root,
        &[
            server::store::dynamo::testing::lambda_env(store.table()),
            // The debug build has no hash.txt beside it (the packaged bootstrap has).
            vec![("LEPTOS_HASH_FILES", "false".into())],
        ]
        .concat(),
    )
    .await
    .expect("start the lambda binary");
    // The first Administrator, as `server admin create` makes one (straight into the table).
    server::tasks::create_account(
        &store,
        "MSP A",
        "admin@msp-a.example",
        "a long test password",
    )
    .await
    .unwrap();
    Lambda {
        local,
        cookie: None,
    }
}

#[tokio::test]
async fn s1_through_the_real_lambda_binary() {
    let mut lambda = start().await;
    // Signed out, pages go to sign-in.
    let page = lambda
        .invoke("GET", "/admin/microsoft-tenants", "", &[])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);

    let cookie = lambda.sign_in().await;
    assert!(
        cookie.starts_with("__Host-tenantmap_session=") && cookie.contains("Secure"),
        "{cookie}"
    );

    let created = lambda
        .invoke(
            "POST",
            "/api/create-organization",
            "",
            &[
                ("name", "Contoso Dental"),
                ("email", ""),
                ("phone", ""),
                ("address", ""),
                ("syncro_tenant", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let org_id: String = serde_json::from_str(&created.body).unwrap();
    let org: Value = serde_json::from_str(
        &lambda
            .invoke("POST", "/api/organization", "", &[("id", &org_id)])
            .await
            .body,
    )
    .unwrap();
    let st = org["syncro_tenant"]["id"].as_str().unwrap().to_string();
    let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    let imported = lambda
        .invoke(
            "POST",
            "/api/import-tenants",
            "",
            &[("csv", &format!("tenantId,displayName,defaultDomainName\n{tenant},Contoso,contoso.onmicrosoft.com\n"))],
        )
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);

    // S1: the page renders, the mapping succeeds, the row shows it.
    let page = lambda
        .invoke("GET", "/admin/microsoft-tenants", "q=Contoso", &[])
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Actions for Contoso"),
        "the ⋮ menu is there"
    );
    let map = [
        ("tenant_id", tenant),
        ("version", "1"),
        ("syncro_tenant", st.as_str()),
        ("change", ""),
        ("back", "/"),
    ];
    let mapped = lambda.invoke("POST", "/api/map-tenant", "", &map).await;
    assert_eq!(mapped.status, 200, "{}", mapped.body);
    let page = lambda
        .invoke("GET", "/admin/microsoft-tenants", "q=Contoso", &[])
        .await;
    let link = format!("href=\"/syncro-tenants/{st}\">Contoso Dental");
    assert!(page.body.contains(&link), "the row links its Syncro Tenant");
    // A second mapping of the same tenant is the typed refusal, not a 500.
    let again = lambda.invoke("POST", "/api/map-tenant", "", &map).await;
    assert_eq!(again.status, 409, "{}", again.body);
}

/// Sync jobs on AWS: EventBridge's schedule invokes the binary, which starts one job per
/// connected account, each in an asynchronous invocation of its own (the local runtime answers
/// the Lambda Invoke API); *Sync Now* through the Function URL answers at once with the job,
/// which runs in its own invocation; a second Sync Now while it runs is refused. Microsoft is a
/// fake, with the URLs from the environment and the root key from Secrets Manager, as in
/// `template.yaml` (the sync opens the client secret sealed under it).
#[tokio::test]
async fn sync_jobs_run_in_invocations_of_their_own() {
    use app::domain::*;
    use server::fake_microsoft::{CLIENT_SECRET, FakeMicrosoft, PARTNER_TENANT, World};
    let fake = FakeMicrosoft::start(World::sample()).await;
    let key_text = app::microsoft::SealingKey::generate();
    let key = app::microsoft::SealingKey::from_base64(&key_text).unwrap();
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let (account, _) = server::tasks::create_account(
        &store,
        "MSP A",
        "admin@msp-a.example",
        "a long test password",
    )
    .await
    .unwrap();
    server::fake_microsoft::connect_account(
        &store,
        &key,
        &account,
        IntegrationMode::Csp,
        PARTNER_TENANT,
        CLIENT_SECRET,
    )
    .await
    .unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let local = LocalLambda::start(
        std::path::Path::new(env!("CARGO_BIN_EXE_lambda")),
        &root,
        &[
            server::store::dynamo::testing::lambda_env(store.table()),
            vec![
                ("LEPTOS_HASH_FILES", "false".into()),
                // As template.yaml passes it: the root key in Secrets Manager, by ARN.
                (
                    "TENANTMAP_SECRET_KEY_ARN",
                    server::store::dynamo::testing::secret(
                        &format!("tenantmap-root-key-{}", uuid::Uuid::new_v4().simple()),
                        &key_text,
                    )
                    .await,
                ),
                ("TENANTMAP_IDENTITY_URL", fake.base.clone()),
                ("TENANTMAP_GRAPH_URL", fake.base.clone()),
            ],
        ]
        .concat(),
    )
    .await
    .expect("start the lambda binary");
    let scheduled = serde_json::json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-27T04:00:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/tenantmap-sync"],
        "detail": {}
    });
    let answer = local.invoke(scheduled).await;
    assert_eq!(answer, serde_json::json!({ "launched": 1 }));
    let report = crate::helpers::finished_report(&store, &account, "Scheduled").await;
    assert_eq!((report.error, report.added), (None, 6));
    assert_eq!(report.trigger, "Scheduled");
    assert_eq!(
        local.async_invocations(),
        1,
        "the job ran in an invocation of its own"
    );

    // Sync Now over the Function URL: the job, at once; its report, from its own invocation.
    let mut lambda = Lambda {
        local,
        cookie: None,
    };
    lambda.sign_in().await;
    let started = lambda
        .invoke("POST", "/api/sync-microsoft", "", &[("back", "/")])
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let job: Value = serde_json::from_str(&started.body).unwrap();
    assert!(
        job["progress"]
            .as_str()
            .unwrap()
            .starts_with("Sync Now by admin@msp-a.example"),
        "{job}"
    );
    let report =
        crate::helpers::finished_report(&store, &account, "Sync Now by admin@msp-a.example").await;
    assert_eq!(
        (report.trigger.as_str(), report.updated, report.error),
        ("Sync Now by admin@msp-a.example", 6, None)
    );
    assert_eq!(lambda.local.async_invocations(), 2);

    // While a job holds the lease, Sync Now is refused with whose it is.
    let running =
        app::services::sync_job::start_job(&store, &account, "Scheduled", "Scheduled sync")
            .await
            .unwrap();
    let again = lambda
        .invoke("POST", "/api/sync-microsoft", "", &[("back", "/")])
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("already running"), "{}", again.body);
    let page = lambda
        .invoke("GET", "/admin/microsoft-integration", "", &[])
        .await;
    assert!(
        page.body.contains("Syncing with Microsoft: Scheduled"),
        "the page shows the running job"
    );
    assert_eq!(running.finished_at, None);
}
