//! A fake Microsoft identity platform and Graph, for tests and the browser tests: the real
//! endpoints' paths, JSON field names, paging (`@odata.nextLink`), throttling (429 with
//! `Retry-After`) and refusals (AADSTS codes), over a world a test can change while it runs.
//! Not a mock of our client: the real client talks HTTP to it exactly as it talks to Microsoft.

#![warn(clippy::wildcard_imports)]

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The partner's (or the single tenant's) own directory.
pub const PARTNER_TENANT: &str = "0a0a0a0a-0000-4000-8000-000000000001";
pub const CLIENT_ID: &str = "c1c1c1c1-0000-4000-8000-000000000002";
pub const CLIENT_SECRET: &str = "fake~secret.Value-0123456789";

mod directory;
mod world;

use directory::{
    add_customer, change_user, mailbox_settings, one_user, transitive_members, users_delta,
};
pub use world::{FakeCustomer, FakeGroup, FakeRelationship, FakeUser, World};

struct Fake {
    base: String,
    world: Arc<Mutex<World>>,
}

/// A running fake Microsoft; stops when dropped.
pub struct FakeMicrosoft {
    pub base: String,
    pub world: Arc<Mutex<World>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeMicrosoft {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

impl FakeMicrosoft {
    /// Serves `world` on a free port of 127.0.0.1.
    pub async fn start(world: World) -> FakeMicrosoft {
        Self::start_on("127.0.0.1:0", world).await
    }

    pub async fn start_on(addr: &str, world: World) -> FakeMicrosoft {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .expect("a port for the fake Microsoft");
        let base = format!("http://{}", listener.local_addr().expect("its address"));
        let world = Arc::new(Mutex::new(world));
        let fake = Arc::new(Fake {
            base: base.clone(),
            world: world.clone(),
        });
        let app = axum::Router::new()
            .route("/{tenant}/oauth2/v2.0/token", post(token))
            .route("/v1.0/organization", get(organization))
            .route(
                "/v1.0/tenantRelationships/delegatedAdminRelationships",
                get(relationships),
            )
            .route("/v1.0/contracts", get(contracts))
            .route("/v1.0/users/delta", get(users_delta))
            .route("/v1.0/users/{id}", get(one_user))
            .route("/v1.0/users/{id}/mailboxSettings", get(mailbox_settings))
            .route(
                "/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user",
                get(transitive_members),
            )
            // Test controls (browser tests change the world while they run).
            .route("/_fake/customers", post(add_customer))
            .route("/_fake/users/change", post(change_user))
            .with_state(fake);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeMicrosoft {
            base,
            world,
            task: Some(task),
        }
    }

    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Serves until the process ends (the `fake-microsoft` binary).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

fn aad_error(status: StatusCode, error: &str, code: u64, description: &str) -> Response {
    (
        status,
        axum::Json(json!({
            "error": error,
            "error_description": format!("AADSTS{code}: {description}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nCorrelation ID: 00000000-0000-0000-0000-000000000000\r\nTimestamp: 2026-11-27 00:00:00Z"),
            "error_codes": [code],
            "timestamp": "2026-11-27 00:00:00Z",
            "trace_id": "00000000-0000-0000-0000-000000000000",
            "correlation_id": "00000000-0000-0000-0000-000000000000",
        })),
    )
        .into_response()
}

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": message, "innerError": {}}})),
    )
        .into_response()
}

async fn token(
    State(fake): State<Arc<Fake>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut world = fake.world.lock().unwrap_or_else(|e| e.into_inner());
    *world.seen.entry(format!("token:{tenant}")).or_default() += 1;
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    if field("scope") != app::microsoft::DEFAULT_SCOPE {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid.",
        );
    }
    let known = tenant == PARTNER_TENANT || world.customers.iter().any(|c| c.tenant_id == tenant);
    if !known {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    if field("client_id") != CLIENT_ID {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{}' was not found in the directory '{tenant}'.",
                field("client_id")
            ),
        );
    }
    if field("client_secret") != CLIENT_SECRET {
        return aad_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
        );
    }
    let token = if tenant == PARTNER_TENANT {
        "partner".to_string()
    } else {
        let consent = world
            .customers
            .iter()
            .any(|c| c.tenant_id == tenant && c.consent);
        if !consent {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "unauthorized_client",
                700016,
                &format!(
                    "Application with identifier '{CLIENT_ID}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
                ),
            );
        }
        format!("customer:{tenant}")
    };
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": token,
    }))
    .into_response()
}

/// The tenant of the request's bearer token (after the throttling a test asked for). The error
/// is the answer to send, as axum handlers return it.
#[allow(clippy::result_large_err)]
fn authorize<'a>(
    fake: &'a Fake,
    headers: &HeaderMap,
    path: &str,
) -> Result<(String, std::sync::MutexGuard<'a, World>), Response> {
    let mut world = fake.world.lock().unwrap_or_else(|e| e.into_inner());
    *world.seen.entry(format!("graph:{path}")).or_default() += 1;
    if world.throttle_next > 0 {
        world.throttle_next -= 1;
        *world.seen.entry("throttled".into()).or_default() += 1;
        return Err((
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "1")],
            axum::Json(json!({"error": {"code": "TooManyRequests", "message": "Too many requests.", "innerError": {}}})),
        )
            .into_response());
    }
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_string();
    let tenant = if token == "partner" {
        PARTNER_TENANT.to_string()
    } else if let Some(t) = token.strip_prefix("customer:") {
        t.to_string()
    } else {
        return Err(graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty.",
        ));
    };
    Ok((tenant, world))
}

/// One page of `items`, with `@odata.nextLink` when more follow.
fn page(fake: &Fake, world: &World, path: &str, items: Vec<Value>, skip: usize) -> Response {
    let size = world.page_size.max(1);
    let chunk: Vec<Value> = items.iter().skip(skip).take(size).cloned().collect();
    let mut body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#{}", fake.base, path.trim_start_matches("/v1.0/")),
        "value": chunk,
    });
    if skip + size < items.len() {
        body["@odata.nextLink"] = json!(format!("{}{path}?$skiptoken={}", fake.base, skip + size));
    }
    axum::Json(body).into_response()
}

fn skip(q: &HashMap<String, String>) -> usize {
    q.get("$skiptoken")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn org_json(id: &str, name: &str, initial: &str, domain: &str, others: &[String]) -> Value {
    let mut domains = vec![
        json!({"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": initial == domain, "isInitial": true, "name": initial, "type": "Managed"}),
    ];
    if initial != domain {
        domains.push(json!({"capabilities": "Email", "isDefault": true, "isInitial": false, "name": domain, "type": "Managed"}));
    }
    domains.extend(others.iter().map(|d| {
        json!({"capabilities": "Email", "isDefault": false, "isInitial": false, "name": d, "type": "Managed"})
    }));
    json!({
        "id": id,
        "displayName": name,
        "tenantType": "AAD",
        "verifiedDomains": domains,
    })
}

async fn organization(State(fake): State<Arc<Fake>>, headers: HeaderMap) -> Response {
    let path = "/v1.0/organization";
    let (tenant, world) = match authorize(&fake, &headers, path) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let org = if tenant == PARTNER_TENANT {
        org_json(
            PARTNER_TENANT,
            &world.partner_name,
            &world.partner_domain,
            &world.partner_domain,
            &[],
        )
    } else {
        match world.customers.iter().find(|c| c.tenant_id == tenant) {
            Some(c) if c.throttled => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "0")],
                    axum::Json(json!({"error": {"code": "TooManyRequests", "message": "Too many requests."}})),
                )
                    .into_response();
            }
            Some(c) => org_json(
                &c.tenant_id,
                &c.name,
                &c.initial,
                &c.domain,
                &c.other_domains,
            ),
            None => {
                return graph_error(
                    StatusCode::FORBIDDEN,
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                );
            }
        }
    };
    page(&fake, &world, path, vec![org], 0)
}

async fn relationships(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = "/v1.0/tenantRelationships/delegatedAdminRelationships";
    let (tenant, world) = match authorize(&fake, &headers, path) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if tenant != PARTNER_TENANT {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "This tenant is not a partner.",
        );
    }
    let mut items = Vec::new();
    for c in &world.customers {
        for (i, r) in c.relationships.iter().enumerate() {
            items.push(json!({
                "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
                "id": format!("{}-{i}", &c.tenant_id[..8]),
                "displayName": format!("GDAP {}", c.contract_name),
                "duration": "P730D",
                "status": r.status,
                "autoExtendDuration": r.auto_extend,
                "createdDateTime": "2025-01-01T00:00:00Z",
                "activatedDateTime": "2025-01-02T00:00:00Z",
                "lastModifiedDateTime": "2025-01-02T00:00:00Z",
                "endDateTime": r.end,
                "customer": {"tenantId": c.tenant_id, "displayName": c.contract_name},
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}]},
            }));
        }
    }
    page(&fake, &world, path, items, skip(&q))
}

async fn contracts(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = "/v1.0/contracts";
    let (tenant, world) = match authorize(&fake, &headers, path) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if tenant != PARTNER_TENANT {
        return graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let items = world
        .customers
        .iter()
        .filter(|c| c.in_contracts)
        .map(|c| {
            json!({
                "id": format!("{}-contract", &c.tenant_id[..8]),
                "contractType": "ResellerPartner",
                "customerId": c.tenant_id,
                "defaultDomainName": c.domain,
                "displayName": c.contract_name,
            })
        })
        .collect();
    page(&fake, &world, path, items, skip(&q))
}

/// Connects `account` to the fake Microsoft straight through the store, as the integration
/// page does once Microsoft has accepted the credentials (a connection already there is
/// disconnected first). `secret` is sealed with `key`, the key the server under test holds.
pub async fn connect_account(
    store: &dyn app::store::Store,
    key: &app::microsoft::SealingKey,
    account: &app::domain::AccountId,
    mode: app::domain::IntegrationMode,
    directory: &str,
    secret: &str,
) -> Result<(), app::store::StoreError> {
    use app::domain::{
        ClientId, ClientSecret, Integration, MicrosoftTenantId, Timestamp, Version, integration,
    };
    let ctx = |id: &str| app::domain::Ctx {
        actor: "admin@msp.example".into(),
        now: Timestamp(1),
        audit_id: format!("{id}-{}", uuid::Uuid::new_v4()),
    };
    if let Some(cur) = store.integration(account).await? {
        store
            .apply(
                account,
                integration::disconnect(&ctx("disconnect"), &cur, cur.version),
            )
            .await?;
    }
    let client = ClientId::parse(CLIENT_ID).expect("the fake's client ID");
    let secret = ClientSecret::parse(secret).expect("a secret");
    let integration = Integration {
        mode,
        directory_tenant: MicrosoftTenantId::parse(directory).expect("a tenant ID"),
        client_id: client,
        secret: key.seal(account, client, &secret),
        secret_set_at: Timestamp(1),
        connected_at: Timestamp(1),
        connected_by: "admin@msp.example".into(),
        version: Version(1),
    };
    let change = integration::connect(&ctx("connect"), None, integration).expect("not connected");
    store.apply(account, change).await
}
