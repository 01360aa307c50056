//! API tests over HTTP: the real router on a free port with a fresh embedded store, called the
//! way a browser calls server functions (URL-encoded form posts).

use crate::helpers::*;
use app::error::AppError;
use reqwest::StatusCode;

const T1: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const T2: &str = "0b5e7c1a-1111-4c2b-9a11-000000000002";

#[tokio::test]
async fn create_organization_makes_its_syncro_tenant() {
    let app = spawn_app().await;
    let id = app.create_organization("  Acme Dental ", "").await.unwrap();
    let org = app.organization(&id).await.unwrap();
    assert_eq!(org["name"], "Acme Dental");
    assert_eq!(org["syncro_tenant"]["name"], "Acme Dental");
    assert_eq!(org["syncro_tenant"]["organization_count"], 1);
    assert_eq!(app.count("syncro-tenants").await, 1);
}

#[tokio::test]
async fn bad_names_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let long = "x".repeat(121);
    for (name, expect) in [
        ("", "required"),
        ("   ", "required"),
        (long.as_str(), "limit is 120"),
        ("Acme\u{1b}[31m", "control characters"),
        ("Con\u{200B}toso", "invisible"),
        ("\u{202E}osotnoC", "invisible"),
    ] {
        match app.create_organization(name, "").await {
            Err(AppError::Validation { field, message }) => {
                assert_eq!(field, "name");
                assert!(message.contains(expect), "{message}");
            }
            other => panic!("{name:?}: {other:?}"),
        }
    }
    assert_eq!(app.count("organizations").await, 0);
    assert_eq!(app.count("syncro-tenants").await, 0);
}

#[tokio::test]
async fn duplicate_names_name_the_existing_syncro_tenant() {
    let app = spawn_app().await;
    app.create_organization("Acme Dental", "").await.unwrap();
    match app.create_organization("ACME  dental", "").await {
        Err(AppError::NameTaken { kind, existing, .. }) => {
            assert_eq!(kind, "Organization");
            assert_eq!(existing, "Acme Dental");
        }
        other => panic!("{other:?}"),
    }
    // Only the Syncro Tenant name collides: R4 refuses and names it.
    let st = app.syncro_tenants("acme").await["items"][0].clone();
    app.call(
        "rename-syncro-tenant",
        &[
            ("id", st["id"].as_str().unwrap()),
            ("version", &st["version"].to_string()),
            ("name", "Acme Group"),
        ],
    )
    .await
    .unwrap();
    app.create_organization("Acme Group Dental", "")
        .await
        .unwrap();
    match app.create_organization("acme group", "").await {
        Err(AppError::NameTaken {
            kind,
            existing,
            existing_id,
            ..
        }) => {
            assert_eq!(kind, "Syncro Tenant");
            assert_eq!(existing, "Acme Group");
            assert_eq!(existing_id.as_deref(), st["id"].as_str());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(app.count("organizations").await, 2);
    assert_eq!(app.count("syncro-tenants").await, 2);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_refused() {
    let app = spawn_app().await;
    assert!(matches!(
        app.organization("not-an-id").await,
        Err(AppError::Validation { .. })
    ));
    assert!(matches!(
        app.organization("00000000-0000-0000-0000-000000000000")
            .await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        app.map_tenant("nope", "1", "").await,
        Err(AppError::Validation { .. })
    ));
    assert!(matches!(
        app.map_tenant(T1, "1", "00000000-0000-0000-0000-000000000000")
            .await,
        Err(AppError::NotFound { .. })
    ));
    assert!(matches!(
        app.create_organization("Acme", "00000000-0000-0000-0000-000000000000")
            .await,
        Err(AppError::NotFound { .. })
    ));
    // A missing argument is a validation error too, not a crash.
    assert!(matches!(
        app.call("map-tenant", &[("tenant_id", T1)]).await,
        Err(AppError::Validation { .. })
    ));
    assert_eq!(app.count("organizations").await, 0);
}

#[tokio::test]
async fn mapping_is_one_to_one_and_stale_pages_are_refused() {
    let app = spawn_app().await;
    let report = app.import(&format!("tenantId,displayName,defaultDomainName\n{T1},Foggy IT,foggyit.onmicrosoft.com\nbad,row,x\n{T2},Contoso,contoso.onmicrosoft.com\n")).await;
    assert_eq!(report["added"], 2);
    assert_eq!(report["rejected"][0][0], 3);
    let a = app
        .create_organization("Foggy IT Services", "")
        .await
        .unwrap();
    let b = app.create_organization("Contoso Ltd", "").await.unwrap();
    let st_a = app.organization(&a).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let st_b = app.organization(&b).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.tenant(T1).await["version"].to_string();
    app.map_tenant(T1, &v, &st_a).await.unwrap();
    // The page that still shows the old version is refused (R8)...
    assert_eq!(
        app.map_tenant(T1, &v, &st_b).await.unwrap_err(),
        AppError::Stale
    );
    // ... a fresh page is told the tenant is already mapped ...
    let v2 = app.tenant(T1).await["version"].to_string();
    assert!(matches!(
        app.map_tenant(T1, &v2, &st_b).await,
        Err(AppError::AlreadyMapped { .. })
    ));
    // ... and a mapped Syncro Tenant cannot take a second Microsoft Tenant (R2).
    let v3 = app.tenant(T2).await["version"].to_string();
    assert!(matches!(
        app.map_tenant(T2, &v3, &st_a).await,
        Err(AppError::AlreadyMapped { .. })
    ));
    assert_eq!(app.tenant(T1).await["syncro_tenant"]["id"], st_a.as_str());
    assert!(app.tenant(T2).await["syncro_tenant"].is_null());
    // R5: a mapped Syncro Tenant with an Organization cannot be deleted.
    let st = app.syncro_tenants("Foggy").await["items"][0].clone();
    assert!(matches!(
        app.call(
            "delete-syncro-tenant",
            &[("id", &st_a), ("version", &st["version"].to_string())]
        )
        .await,
        Err(AppError::InUse { .. })
    ));
    assert_eq!(app.count("syncro-tenants").await, 2);
}

#[tokio::test]
async fn form_posts_without_javascript_redirect_back_with_the_result() {
    let app = spawn_app().await;
    let referer = [("referer", format!("{}/organizations/new", app.base))];
    let res = app
        .browser_post("create-organization", &referer, &new_organization(""))
        .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("/organizations/new") && location.contains("__err="),
        "{location}"
    );
    // The page rendered at that URL, in the browser that posted, shows the error next to the
    // form: the redirect set the cookie that vouches for it.
    let vouch = crate::helpers::html::refusal_cookie(&res);
    let path = location.trim_start_matches(&app.base).to_string();
    let cookie = format!("{}; {vouch}", app.cookie.clone().unwrap());
    let page = app.get_as(Some(&cookie), &path).await.text().await.unwrap();
    assert!(page.contains("Name is required"), "error not shown");
    // The same link anywhere else (sent to someone, or forged) shows no refusal.
    let page = app.page(&path).await;
    assert!(!page.contains("Name is required"), "a link's refusal shown");
    assert!(page.contains("New Organization"));
    let res = app
        .browser_post(
            "create-organization",
            &referer,
            &new_organization("Acme Dental"),
        )
        .await;
    assert!(res.status().is_redirection());
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/organizations/")
    );
}

#[tokio::test]
async fn a_change_says_what_it_did_on_the_next_page_once() {
    let app = spawn_app().await;
    let referer = [("referer", format!("{}/organizations/new", app.base))];
    let res = app
        .browser_post(
            "create-organization",
            &referer,
            &new_organization("Acme <Dental>"),
        )
        .await;
    assert!(res.status().is_redirection());
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let said = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("tenantmap_status="))
        .expect("the status cookie")
        .to_string();
    assert!(
        said.contains("Max-Age=60") && said.contains("HttpOnly"),
        "{said}"
    );
    let pair = said.split(';').next().unwrap();
    // The next page shows it (escaped, like any text) and clears it.
    let cookies = format!("{}; {pair}", app.cookie.as_deref().unwrap());
    let next = app.get_as(Some(&cookies), &location).await;
    let cleared = next
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("tenantmap_status=;") && v.contains("Max-Age=0"));
    assert!(cleared, "the page clears the status cookie");
    let html = next.text().await.unwrap();
    assert!(
        html.contains(r#"class="status-line">Created Acme &lt;Dental&gt;."#),
        "status line not shown"
    );
    // Without the cookie (the browser dropped it), no status line.
    let again = app.page(&location).await;
    assert!(!again.contains("status-line"), "shown twice");
}

#[tokio::test]
async fn cross_site_form_posts_are_refused_and_change_nothing() {
    // The posts carry the Administrator's valid session cookie, as a browser would send it
    // along with a forged form on another site (SameSite=Lax keeps it off cross-site POSTs in
    // current browsers; this is the second wall).
    let app = spawn_app().await;
    assert!(app.cookie.is_some());
    let form = new_organization("Forged Dental");
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = app
            .browser_post("create-organization", &[(header, value.to_string())], &form)
            .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    assert_eq!(app.count("organizations").await, 0);
    // The app's own form post (same origin) goes through.
    let origin = app.base.clone();
    let same = [
        ("origin", origin),
        ("sec-fetch-site", "same-origin".to_string()),
    ];
    let res = app.browser_post("create-organization", &same, &form).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(app.count("organizations").await, 1);
}

#[tokio::test]
async fn pages_render_server_side_and_escape_names() {
    let app = spawn_app().await;
    app.import(&format!("tenantId,displayName,defaultDomainName\n{T1},<script>alert(1)</script>,foggyit.onmicrosoft.com\n")).await;
    app.create_organization("<img src=x onerror=alert(1)>", "")
        .await
        .unwrap();
    for path in [
        "/admin/microsoft-tenants",
        "/organizations",
        "/syncro-tenants",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(
            !html.contains("<script>alert(1)") && !html.contains("<img src=x"),
            "{path} injects markup"
        );
        assert!(html.contains("&lt;"), "{path} shows the name as text");
    }
    let html = app
        .get("/admin/microsoft-tenants")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Actions for &lt;script&gt;"),
        "the ⋮ button is labelled"
    );
    let res = app.get("/organizations").await;
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

fn new_organization(name: &str) -> [(&str, &str); 5] {
    [
        ("name", name),
        ("email", ""),
        ("phone", ""),
        ("address", ""),
        ("syncro_tenant", ""),
    ]
}

#[test]
fn leptos_toml_matches_the_cargo_leptos_metadata() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let runtime = leptos::config::get_config_from_str(
        &std::fs::read_to_string(root.join("Leptos.toml")).unwrap(),
    )
    .unwrap();
    let cargo: toml_like::Meta = toml_like::read(&root.join("Cargo.toml"));
    assert_eq!(runtime.output_name.as_ref(), cargo.get("output-name"));
    assert_eq!(runtime.site_root.as_ref(), cargo.get("site-root"));
    assert_eq!(runtime.site_pkg_dir.as_ref(), cargo.get("site-pkg-dir"));
    assert_eq!(runtime.site_addr.to_string(), cargo.get("site-addr"));
    assert_eq!(runtime.hash_files.to_string(), cargo.get("hash-files"));
}

/// Reads the `key = "value"` lines of `[[workspace.metadata.leptos]]` (enough for this check).
mod toml_like {
    pub struct Meta(Vec<(String, String)>);
    impl Meta {
        pub fn get(&self, key: &str) -> &str {
            self.0
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{key} missing"))
        }
    }
    pub fn read(path: &std::path::Path) -> Meta {
        let text = std::fs::read_to_string(path).unwrap();
        let section = text.split("[[workspace.metadata.leptos]]").nth(1).unwrap();
        let section = section.split("\n[").next().unwrap();
        Meta(
            section
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
                .collect(),
        )
    }
}

/// The WASM, the local server and the Lambda must agree on every server function's URL:
/// they are fixed (`endpoint = "..."`), with no path hash. Forms post to the URLs the server
/// renders; the islands call theirs from the WASM, and each of those must be one the server has.
#[test]
fn server_function_urls_are_fixed_and_the_wasm_calls_them() {
    let paths: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p)
        .collect();
    assert!(paths.len() >= 20, "{paths:?}");
    for path in &paths {
        let endpoint = path
            .strip_prefix("/api/")
            .unwrap_or_else(|| panic!("{path}"));
        assert!(
            endpoint
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{path} is not a fixed endpoint"
        );
    }
    let pkg = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site/pkg");
    let wasm: Vec<u8> = std::fs::read_dir(&pkg)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".wasm"))
        .flat_map(|e| std::fs::read(e.path()).unwrap_or_default())
        .collect();
    if wasm.is_empty() {
        return;
    }
    let called: std::collections::BTreeSet<String> = wasm
        .windows(5)
        .enumerate()
        // Not a source path in a panic message (`app/src/api/…`).
        .filter(|(i, w)| *w == b"/api/" && (*i == 0 || !wasm[i - 1].is_ascii_alphanumeric()))
        .map(|(i, _)| {
            let tail = wasm[i + 5..]
                .iter()
                .take_while(|b| b.is_ascii_lowercase() || **b == b'-')
                .map(|b| *b as char)
                .collect::<String>();
            format!("/api/{tail}")
        })
        .collect();
    for path in ["/api/syncro-tenant-options", "/api/sync-progress"] {
        assert!(
            called.contains(path),
            "the built WASM does not call {path}: rebuild the site (make build)"
        );
    }
    for path in &called {
        assert!(
            paths.contains(&path.as_str()),
            "the WASM calls {path}, which the server does not have"
        );
    }
}

#[tokio::test]
async fn the_tabs_count_and_needs_attention_lists_what_to_fix() {
    let app = spawn_app().await;
    app.import(&format!(
        "tenantId,displayName,defaultDomainName\n{T1},Alpha Mapped,alpha.onmicrosoft.com\n{T2},Beta Waiting,beta.onmicrosoft.com\n"
    ))
    .await;
    let org = app.create_organization("Alpha Dental", "").await.unwrap();
    let st = app.organization(&org).await.unwrap()["syncro_tenant"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.tenant(T1).await["version"].to_string();
    app.map_tenant(T1, &v, &st).await.unwrap();
    let html = app.page("/admin/microsoft-tenants").await;
    for tab in [
        "All (2)",
        "Unmapped (1)",
        "Mapped (1)",
        "Needs attention (1)",
    ] {
        assert!(html.contains(tab), "{tab} missing");
    }
    let html = app.page("/admin/microsoft-tenants?filter=attention").await;
    assert!(html.contains("Beta Waiting"));
    assert!(!html.contains("Alpha Mapped"));
}
