//! The test server for the HTTP tests: the real router on a free port with a fresh embedded
//! store, an account with a signed-in Administrator, and calls made the way a browser makes
//! them (URL-encoded form posts with the session cookie).

use app::error::AppError;
use app::store::prelude::*;
use leptos::config::LeptosOptions;
use server::fake_microsoft::{FakeMicrosoft, World};
use server::store::EmbeddedStore;
use std::sync::Arc;

pub mod fixture;
pub mod html;
pub mod workload;

pub const PASSWORD: &str = "a long test password";

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    /// The session cookie (`name=value`) of the account's first Administrator.
    pub cookie: Option<String>,
    /// The Microsoft this server's integration talks to.
    pub fake: FakeMicrosoft,
    /// The server's bound on password hashes at once.
    pub hashing: Arc<app::state::Hashing>,
    _dir: tempfile::TempDir,
    _serial: std::sync::MutexGuard<'static, ()>,
}

/// One test server at a time. Servers of concurrently running tests (each on its own tokio
/// runtime, in one process) were seen to leave a page render waiting forever about once in
/// fifteen runs, through Leptos' process-wide state; a real server is one router on one runtime
/// (800 concurrent page loads on the release build: no stall). Serializing keeps this honest.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

thread_local! {
    /// The bound on uploads read at once of the next server this thread spawns (a test that
    /// fills it sets it first).
    static UPLOADS: std::cell::Cell<Option<app::state::Uploads>> = const { std::cell::Cell::new(None) };
}

/// The next server this thread spawns reads at most `permits` uploads at once, each waiting at
/// most `wait` for its turn.
pub fn next_uploads(permits: usize, wait: std::time::Duration) {
    UPLOADS.with(|u| u.set(Some(app::state::Uploads::new(permits, wait))));
}

/// A server with no account yet (the first-run state), on the embedded store, its first-run
/// page opened for this machine (`TENANTMAP_LOCAL_SETUP=1`).
pub async fn spawn_empty() -> TestApp {
    spawn_empty_at(app::api::site::Site {
        local_setup: true,
        ..Default::default()
    })
    .await
}

/// A server on the given store (`dir` lives as long as the server).
// The lock is held for the whole test on purpose; each test runs on its own thread.
#[allow(clippy::await_holding_lock)]
pub async fn spawn_with(store: Arc<dyn Store>, dir: tempfile::TempDir) -> TestApp {
    spawn_with_hashing(store, dir, app::state::Hashing::default()).await
}

/// Like [`spawn_with`], with its own bound on password hashes at once.
pub async fn spawn_with_hashing(
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
    hashing: app::state::Hashing,
) -> TestApp {
    spawn_configured(store, dir, hashing, Default::default()).await
}

/// A server with no account yet, on the embedded store, configured as `site` says.
pub async fn spawn_empty_at(site: app::api::site::Site) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path()).unwrap());
    spawn_configured(store, dir, Default::default(), site).await
}

/// A server on `store` with its own bound on hashes and site configuration.
// The lock is held for the whole test on purpose; each test runs on its own thread.
#[allow(clippy::await_holding_lock)]
pub async fn spawn_configured(
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
    hashing: app::state::Hashing,
    site: app::api::site::Site,
) -> TestApp {
    // Each server talks to its own fake Microsoft (the sample partner and customers).
    let fake = FakeMicrosoft::start(World::sample()).await;
    let microsoft = Arc::new(fake_client(&fake));
    let serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let options = LeptosOptions::builder()
        .output_name("tenantmap")
        .site_root("target/site")
        .build();
    let mut state = server::startup::local(options, store.clone(), microsoft);
    state.hashing = Arc::new(hashing);
    state.site = Arc::new(site);
    if let Some(uploads) = UPLOADS.with(|u| u.take()) {
        state.uploads = Arc::new(uploads);
    }
    let hashing = state.hashing.clone();
    let base = server::router::spawn_on_free_port(state).await.unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    TestApp {
        base,
        client,
        store,
        cookie: None,
        fake,
        hashing,
        _dir: dir,
        _serial: serial,
    }
}

/// The real Microsoft client, pointed at `fake`, with a fresh key and short waits.
pub fn fake_client(fake: &FakeMicrosoft) -> app::microsoft::Microsoft {
    let config = app::microsoft::MicrosoftConfig {
        max_wait: std::time::Duration::from_secs(2),
        ..app::microsoft::MicrosoftConfig::at(&fake.base)
    };
    let key =
        app::microsoft::SealingKey::from_base64(&app::microsoft::SealingKey::generate()).unwrap();
    app::microsoft::Microsoft::new(config, Some(key))
}

/// A server with the account "MSP A" whose Administrator admin@msp-a.example is signed in.
pub async fn spawn_app() -> TestApp {
    let mut app = spawn_empty().await;
    app.cookie = Some(app.create_account("MSP A", "admin@msp-a.example").await);
    app
}

impl TestApp {
    /// Creates an account with its Administrator (as `server admin create` does) and returns
    /// the Administrator's session cookie.
    pub async fn create_account(&self, name: &str, email: &str) -> String {
        server::tasks::create_account(&*self.store, name, email, PASSWORD)
            .await
            .unwrap();
        self.sign_in(email, PASSWORD).await.unwrap()
    }

    /// Signs in through the sign-in server function; returns the cookie (`name=value`).
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<String, AppError> {
        let res = self
            .client
            .post(format!("{}/api/sign-in", self.base))
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .unwrap();
        let cookie = res
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
        let status = res.status();
        let text = res.text().await.unwrap();
        if status.is_success() {
            Ok(cookie.expect("a session cookie"))
        } else {
            Err(serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}")))
        }
    }

    /// Adds a user to the signed-in Administrator's account and signs them in.
    pub async fn add_user(&self, email: &str, role: &str) -> String {
        self.call(
            "add-user",
            &[("email", email), ("role", role), ("password", PASSWORD)],
        )
        .await
        .unwrap();
        self.sign_in(email, PASSWORD).await.unwrap()
    }

    /// Posts a form the way a browser without JavaScript does, with extra headers, as the
    /// Administrator.
    pub async fn browser_post(
        &self,
        endpoint: &str,
        headers: &[(&str, String)],
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("accept", "text/html");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.form(form).send().await.unwrap()
    }

    /// A page, as the Administrator.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_as(self.cookie.as_deref(), path).await
    }

    /// A page's HTML, as the Administrator (it must answer 200).
    pub async fn page(&self, path: &str) -> String {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        res.text().await.unwrap()
    }

    pub async fn get_as(&self, cookie: Option<&str>, path: &str) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        req.send().await.unwrap()
    }

    /// Calls a server function as the Administrator; Ok(body JSON) or the typed error.
    pub async fn call(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<serde_json::Value, AppError> {
        self.call_as(self.cookie.as_deref(), endpoint, form).await
    }

    /// Calls a server function with the given session cookie (or none).
    pub async fn call_as(
        &self,
        cookie: Option<&str>,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<serde_json::Value, AppError> {
        let path = if endpoint.starts_with('/') {
            endpoint.to_string()
        } else {
            format!("/api/{endpoint}")
        };
        let mut req = self.client.post(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        // The CSV import is a file upload; every other function takes a URL-encoded form.
        let res = if path == "/api/import-tenants" || path == "/api/import-mappings" {
            let (content_type, body) = multipart_form(form);
            req.header("content-type", content_type).body(body)
        } else {
            req.form(form)
        }
        .send()
        .await
        .unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        if status.is_success() || status.is_redirection() {
            Ok(if text.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
            })
        } else {
            Err(serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{endpoint} answered {status} with {text}")))
        }
    }

    pub async fn create_organization(
        &self,
        name: &str,
        syncro_tenant: &str,
    ) -> Result<String, AppError> {
        let v = self
            .call(
                "create-organization",
                &[
                    ("name", name),
                    ("email", ""),
                    ("phone", ""),
                    ("address", ""),
                    ("syncro_tenant", syncro_tenant),
                ],
            )
            .await?;
        Ok(v.as_str().unwrap().to_string())
    }

    pub async fn syncro_tenants(&self, q: &str) -> serde_json::Value {
        self.call("syncro-tenants", &[("q", q), ("page", "1")])
            .await
            .unwrap()
    }

    pub async fn organization(&self, id: &str) -> Result<serde_json::Value, AppError> {
        self.call("organization", &[("id", id)]).await
    }

    pub async fn import(&self, csv: &str) -> serde_json::Value {
        self.call("import-tenants", &[("csv", csv)]).await.unwrap()
    }

    pub async fn tenant(&self, id: &str) -> serde_json::Value {
        self.call("microsoft-tenant", &[("tenant_id", id)])
            .await
            .unwrap()
    }

    pub async fn map_tenant(
        &self,
        tenant: &str,
        version: &str,
        syncro_tenant: &str,
    ) -> Result<serde_json::Value, AppError> {
        self.call(
            "map-tenant",
            &[
                ("tenant_id", tenant),
                ("version", version),
                ("syncro_tenant", syncro_tenant),
                ("change", ""),
                ("back", "/admin/microsoft-tenants"),
            ],
        )
        .await
    }

    /// How many Microsoft Tenants are unmapped (the management page's tab).
    pub async fn count_unmapped(&self) -> u64 {
        let list = self
            .call(
                "microsoft-tenants",
                &[
                    ("filter", "unmapped"),
                    ("q", ""),
                    ("sort", ""),
                    ("dir", ""),
                    ("page", "1"),
                ],
            )
            .await
            .unwrap();
        list["counts"]["unmapped"].as_u64().unwrap()
    }

    pub async fn count(&self, endpoint: &str) -> u64 {
        let form: &[(&str, &str)] = match endpoint {
            "organizations" => &[("q", ""), ("page", "1"), ("exclude", "")],
            _ => &[("q", ""), ("page", "1")],
        };
        self.call(endpoint, form).await.unwrap()["total"]
            .as_u64()
            .unwrap()
    }
}

/// Waits (at most 15 s) for the account's sync job to finish with a report of `trigger`.
pub async fn finished_report(
    store: &dyn Store,
    account: &app::domain::AccountId,
    trigger: &str,
) -> app::domain::SyncReport {
    for _ in 0..150 {
        let job = store.sync_job(account).await.unwrap();
        let report = store.sync_report(account).await.unwrap();
        if let (Some(job), Some(report)) = (job, report)
            && job.finished_at.is_some()
            && report.trigger == trigger
        {
            return report;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no finished {trigger} sync within 15 s");
}

/// A `multipart/form-data` body of text fields, as a browser's form sends it: (content type,
/// body).
pub fn multipart_form(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "----tenantmap-test-boundary-7d1c";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Records tenants in account "MSP A" as a sync reporting them would (names, domains).
#[allow(dead_code)]
pub async fn synced(app: &TestApp, found: Vec<app::domain::DiscoveredTenant>) {
    let me = app
        .store
        .user_by_email(&app::domain::Email::parse("admin@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let ctx = app::domain::Ctx {
        actor: "sync".into(),
        now: app::domain::Timestamp(1_790_000_000_000),
        audit_id: uuid::Uuid::new_v4().to_string(),
    };
    let audit = app::domain::integration::discovery::DiscoveryAudit {
        action: "microsoft_tenant.sync",
        summary: "sync".into(),
    };
    app::services::discovery::record(
        &*app.store,
        &me.account,
        &ctx,
        audit,
        found,
        app::domain::Coverage::Partial,
    )
    .await
    .unwrap();
}

/// Admin › Activity as the Administrator, with these filters (the others empty).
pub async fn activity(app: &TestApp, filters: &[(&str, &str)]) -> serde_json::Value {
    let mut form = vec![
        ("person", ""),
        ("kind", ""),
        ("record", ""),
        ("q", ""),
        ("before", ""),
    ];
    for (k, v) in filters {
        form.retain(|(f, _)| f != k);
        form.push((k, v));
    }
    app.call("activity", &form).await.unwrap()
}

/// The newest entry whose summary starts with `start`, as its token.
pub fn entry_of(v: &serde_json::Value, start: &str) -> String {
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["summary"].as_str().unwrap().starts_with(start))
        .unwrap_or_else(|| panic!("no entry starting {start:?} in {v}"))["entry"]
        .as_str()
        .unwrap()
        .to_string()
}
