//! A fake Microsoft identity platform and Graph, for tests and the browser tests: the real
//! endpoints' paths, JSON field names, paging (`@odata.nextLink`), throttling (429 with
//! `Retry-After`) and refusals (AADSTS codes), over a world a test can change while it runs.
//! Not a mock of our client: the real client talks HTTP to it exactly as it talks to Microsoft.

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

#[derive(Debug, Clone)]
pub struct FakeRelationship {
    /// "active", "expired", "terminated", "approvalPending", …
    pub status: String,
    pub end: String,
    pub auto_extend: String,
}

#[derive(Debug, Clone)]
pub struct FakeCustomer {
    pub tenant_id: String,
    /// The name in the partner's contract (a frozen copy).
    pub contract_name: String,
    pub domain: String,
    /// The customer's own current name (`GET /organization` in its tenant).
    pub name: String,
    pub in_contracts: bool,
    pub relationships: Vec<FakeRelationship>,
    /// The customer consented to the app (a customer token can be had).
    pub consent: bool,
    /// Its `/organization` always answers 429.
    pub throttled: bool,
    /// More verified domains than its initial and default ones.
    pub other_domains: Vec<String>,
    /// Its directory's users and groups (Entra ID User Sync).
    pub users: Vec<FakeUser>,
    pub groups: Vec<FakeGroup>,
    /// Counts changes to users: a delta token is a value of it.
    pub clock: u64,
    /// Delta tokens older than this are refused as expired (410 `syncStateNotFound`).
    pub delta_floor: u64,
    /// `User.Read.All` granted (else 403 on users).
    pub users_granted: bool,
    /// `MailboxSettings.Read` granted (else 403 on mailbox settings).
    pub mailbox_granted: bool,
}

/// A user in a fake customer's directory.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: String,
    pub display_name: String,
    pub mail: String,
    pub upn: String,
    /// Aliases (`smtp:`), besides the primary address.
    pub aliases: Vec<String>,
    pub job_title: String,
    pub department: String,
    pub office: String,
    pub phone: String,
    pub enabled: bool,
    pub guest: bool,
    pub licensed: bool,
    /// `mailboxSettings.userPurpose`; `None`: no mailbox.
    pub purpose: Option<String>,
    pub deleted: bool,
    /// The clock value of its last change.
    pub changed_at: u64,
}

impl FakeUser {
    pub fn new(n: u32, name: &str, upn: &str, department: &str) -> Self {
        FakeUser {
            id: format!("{n:08x}-5555-4000-8000-000000000000"),
            display_name: name.into(),
            mail: upn.into(),
            upn: upn.into(),
            aliases: Vec::new(),
            job_title: String::new(),
            department: department.into(),
            office: String::new(),
            phone: String::new(),
            enabled: true,
            guest: false,
            licensed: true,
            purpose: Some("user".into()),
            deleted: false,
            changed_at: 0,
        }
    }

    fn json(&self) -> Value {
        if self.deleted {
            return json!({"id": self.id, "@removed": {"reason": "changed"}});
        }
        let mut proxies = vec![format!("SMTP:{}", self.mail)];
        proxies.extend(self.aliases.iter().map(|a| format!("smtp:{a}")));
        json!({
            "id": self.id,
            "displayName": self.display_name,
            "mail": if self.mail.is_empty() { Value::Null } else { json!(self.mail) },
            "userPrincipalName": self.upn,
            "proxyAddresses": proxies,
            "jobTitle": if self.job_title.is_empty() { Value::Null } else { json!(self.job_title) },
            "department": if self.department.is_empty() { Value::Null } else { json!(self.department) },
            "officeLocation": if self.office.is_empty() { Value::Null } else { json!(self.office) },
            "businessPhones": if self.phone.is_empty() { json!([]) } else { json!([self.phone]) },
            "mobilePhone": Value::Null,
            "accountEnabled": self.enabled,
            "userType": if self.guest { "Guest" } else { "Member" },
            "assignedLicenses": if self.licensed { json!([{"disabledPlans": [], "skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df"}]) } else { json!([]) },
        })
    }
}

/// A group: its members are users' or other groups' ids (nested).
#[derive(Debug, Clone)]
pub struct FakeGroup {
    pub id: String,
    pub members: Vec<String>,
}

impl FakeCustomer {
    pub fn new(n: u32, name: &str, domain: &str) -> Self {
        FakeCustomer {
            tenant_id: format!("{n:08x}-0000-4000-8000-00000000c0de"),
            contract_name: name.into(),
            domain: domain.into(),
            name: name.into(),
            in_contracts: true,
            relationships: vec![FakeRelationship::active("2027-06-30T00:00:00Z", "P180D")],
            consent: true,
            throttled: false,
            other_domains: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            clock: 1,
            delta_floor: 0,
            users_granted: true,
            mailbox_granted: true,
        }
    }

    /// Adds a user (a change the next delta reports).
    pub fn add_user(&mut self, mut user: FakeUser) {
        self.clock += 1;
        user.changed_at = self.clock;
        self.users.push(user);
    }

    /// Changes the user with this UPN (the next delta reports it).
    pub fn change_user(&mut self, upn: &str, f: impl FnOnce(&mut FakeUser)) {
        self.clock += 1;
        let clock = self.clock;
        let u = self
            .users
            .iter_mut()
            .find(|u| u.upn == upn)
            .unwrap_or_else(|| panic!("no fake user {upn}"));
        f(u);
        u.changed_at = clock;
    }

    /// Every delta token handed out so far is refused from now on.
    pub fn expire_delta_tokens(&mut self) {
        self.clock += 1;
        self.delta_floor = self.clock;
    }

    /// The users (by id) of a group, nested groups included.
    fn members_of(&self, group: &str, seen: &mut Vec<String>) -> Vec<String> {
        if seen.iter().any(|g| g == group) {
            return Vec::new();
        }
        seen.push(group.to_string());
        let Some(g) = self.groups.iter().find(|g| g.id == group) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in &g.members {
            if self.groups.iter().any(|x| &x.id == m) {
                out.extend(self.members_of(m, seen));
            } else {
                out.push(m.clone());
            }
        }
        out
    }
}

impl FakeRelationship {
    pub fn active(end: &str, auto_extend: &str) -> Self {
        FakeRelationship {
            status: "active".into(),
            end: end.into(),
            auto_extend: auto_extend.into(),
        }
    }
    pub fn expired(end: &str) -> Self {
        FakeRelationship {
            status: "expired".into(),
            end: end.into(),
            auto_extend: "PT0S".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct World {
    pub partner_name: String,
    pub partner_domain: String,
    pub customers: Vec<FakeCustomer>,
    /// Items per page of every collection.
    pub page_size: usize,
    /// The next this many Graph requests answer 429 (`Retry-After: 1`).
    pub throttle_next: usize,
    /// Requests seen, by kind ("token:{tenant}", "graph:{path}", "throttled").
    pub seen: HashMap<String, usize>,
}

impl World {
    /// A partner with six customers, one of each case a sync must handle, two per page.
    pub fn sample() -> World {
        let mut contoso = FakeCustomer::new(1, "Contoso", "contoso.onmicrosoft.com");
        contoso.name = "Contoso Group".into(); // renamed since the contract
        let mut fabrikam = FakeCustomer::new(2, "Fabrikam", "fabrikam.onmicrosoft.com");
        fabrikam.other_domains = vec!["fabrikam.com".into(), "fabrikam-events.net".into()];
        fabrikam.relationships = vec![
            FakeRelationship::expired("2025-01-31T00:00:00Z"),
            FakeRelationship::active("2027-01-31T00:00:00Z", "PT0S"),
            FakeRelationship::active("2027-09-30T12:00:00Z", "P180D"),
        ];
        let mut northwind = FakeCustomer::new(3, "Northwind Traders", "northwind.onmicrosoft.com");
        northwind.consent = false;
        let mut tailspin = FakeCustomer::new(4, "Tailspin Toys", "tailspin.onmicrosoft.com");
        tailspin.relationships = vec![FakeRelationship::expired("2026-03-01T00:00:00Z")];
        let mut woodgrove = FakeCustomer::new(5, "Woodgrove Bank", "woodgrove.onmicrosoft.com");
        woodgrove.relationships.clear();
        let mut litware = FakeCustomer::new(6, "Litware", "litware.onmicrosoft.com");
        litware.throttled = true;
        World {
            partner_name: "Foggy IT Partner".into(),
            partner_domain: "foggyit.onmicrosoft.com".into(),
            customers: vec![contoso, fabrikam, northwind, tailspin, woodgrove, litware],
            page_size: 2,
            throttle_next: 0,
            seen: HashMap::new(),
        }
    }

    pub fn customer(&mut self, name: &str) -> &mut FakeCustomer {
        self.customers
            .iter_mut()
            .find(|c| c.contract_name == name)
            .unwrap_or_else(|| panic!("no fake customer {name}"))
    }

    pub fn seen(&self, what: &str) -> usize {
        self.seen.get(what).copied().unwrap_or(0)
    }
}

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

fn org_json(id: &str, name: &str, domain: &str, others: &[String]) -> Value {
    let initial = domain.split('.').next().unwrap_or("x").to_string() + ".onmicrosoft.com";
    let mut domains = vec![
        json!({"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": false, "isInitial": true, "name": initial, "type": "Managed"}),
        json!({"capabilities": "Email", "isDefault": true, "isInitial": false, "name": domain, "type": "Managed"}),
    ];
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
            Some(c) => org_json(&c.tenant_id, &c.name, &c.domain, &c.other_domains),
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
    use app::domain::{integration, *};
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

/// The customer whose token this is, with `User.Read.All` granted.
#[allow(clippy::result_large_err)]
fn directory<'a>(world: &'a World, tenant: &str) -> Result<&'a FakeCustomer, Response> {
    match world.customers.iter().find(|c| c.tenant_id == tenant) {
        Some(c) if c.users_granted => Ok(c),
        _ => Err(graph_error(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )),
    }
}

/// `GET /users/delta`: every user (first round), or with `$deltatoken` the users changed since
/// (deleted ones as `@removed`); pages end in a `@odata.deltaLink`. An old token is refused
/// like Graph refuses an expired one.
async fn users_delta(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = "/v1.0/users/delta";
    let (tenant, mut world) = match authorize(&fake, &headers, path) {
        Ok(x) => x,
        Err(r) => return r,
    };
    // `Prefer: odata.maxpagesize=N` asks for pages of at most N (as Graph, up to 999); without
    // it Graph's default (100 here), and never more than the world's page size.
    let asked: Option<usize> = headers
        .get("prefer")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("odata.maxpagesize="))
        .and_then(|n| n.trim().parse().ok());
    if let Some(n) = asked {
        *world
            .seen
            .entry(format!("delta maxpagesize={n}"))
            .or_default() += 1;
    }
    let c = match directory(&world, &tenant) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let since: Option<u64> = q.get("$deltatoken").and_then(|t| t.parse().ok());
    if since.is_some_and(|t| t < c.delta_floor) {
        return graph_error(
            StatusCode::GONE,
            "syncStateNotFound",
            "The sync state for this request was not found.",
        );
    }
    let items: Vec<Value> = c
        .users
        .iter()
        .filter(|u| match since {
            Some(t) => u.changed_at > t,
            None => !u.deleted,
        })
        .map(FakeUser::json)
        .collect();
    let size = asked
        .map_or(world.page_size.min(100), |n| n.min(999))
        .min(world.page_size)
        .max(1);
    let at = skip(&q);
    let chunk: Vec<Value> = items.iter().skip(at).take(size).cloned().collect();
    let mut body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#users(id,displayName)", fake.base),
        "value": chunk,
    });
    if at + size < items.len() {
        let token = since
            .map(|t| format!("&$deltatoken={t}"))
            .unwrap_or_default();
        body["@odata.nextLink"] = json!(format!(
            "{}{path}?$skiptoken={}{token}",
            fake.base,
            at + size
        ));
    } else {
        body["@odata.deltaLink"] = json!(format!("{}{path}?$deltatoken={}", fake.base, c.clock));
    }
    axum::Json(body).into_response()
}

async fn one_user(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (tenant, world) = match authorize(&fake, &headers, "/v1.0/users/{id}") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match directory(&world, &tenant) {
        Ok(c) => c,
        Err(r) => return r,
    };
    match c.users.iter().find(|u| u.id == id && !u.deleted) {
        Some(u) => axum::Json(u.json()).into_response(),
        None => graph_error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            "Resource does not exist.",
        ),
    }
}

async fn mailbox_settings(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (tenant, world) = match authorize(&fake, &headers, "/v1.0/users/{id}/mailboxSettings") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match directory(&world, &tenant) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !c.mailbox_granted {
        return graph_error(
            StatusCode::FORBIDDEN,
            "ErrorAccessDenied",
            "Access is denied. Check credentials and try again.",
        );
    }
    match c.users.iter().find(|u| u.id == id && !u.deleted) {
        Some(FakeUser {
            purpose: Some(p), ..
        }) => axum::Json(json!({"userPurpose": p})).into_response(),
        _ => graph_error(
            StatusCode::NOT_FOUND,
            "MailboxNotEnabledForRESTAPI",
            "The mailbox is either inactive, soft-deleted, or is hosted on-premise.",
        ),
    }
}

async fn transitive_members(
    State(fake): State<Arc<Fake>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let path = format!("/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user");
    let (tenant, world) = match authorize(&fake, &headers, "/v1.0/groups/{id}/transitiveMembers") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let c = match directory(&world, &tenant) {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !c.groups.iter().any(|g| g.id == id) {
        return graph_error(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            &format!("Resource '{id}' does not exist."),
        );
    }
    let mut members = c.members_of(&id, &mut Vec::new());
    members.sort();
    members.dedup();
    let items = members.into_iter().map(|m| json!({"id": m})).collect();
    page(&fake, &world, &path, items, skip(&q))
}

/// A directory a browser test adds (outside the partner's contracts and GDAP relationships):
/// `{"n": 70, "name": "Foggy IT", "domain": "…", "users":
/// [{"n": 1, "name": "Ann Lee", "upn": "ann@…", "department": "Boston Office"}]}`. Adding one
/// that exists changes nothing.
#[derive(serde::Deserialize)]
struct NewCustomer {
    n: u32,
    name: String,
    domain: String,
    #[serde(default)]
    users: Vec<NewUser>,
}

#[derive(serde::Deserialize)]
struct NewUser {
    n: u32,
    name: String,
    upn: String,
    #[serde(default)]
    department: String,
}

async fn add_customer(
    State(fake): State<Arc<Fake>>,
    axum::Json(c): axum::Json<NewCustomer>,
) -> Response {
    let mut world = fake.world.lock().unwrap_or_else(|e| e.into_inner());
    let mut customer = FakeCustomer::new(c.n, &c.name, &c.domain);
    // A directory of its own (a Single Tenant connection's), not one of the partner's
    // customers: the partner's syncs in other tests keep listing the sample's six.
    customer.in_contracts = false;
    customer.relationships.clear();
    let id = customer.tenant_id.clone();
    if !world.customers.iter().any(|x| x.tenant_id == id) {
        for u in c.users {
            customer.add_user(FakeUser::new(u.n, &u.name, &u.upn, &u.department));
        }
        world.customers.push(customer);
    }
    axum::Json(json!({ "tenantId": id })).into_response()
}

/// `{"tenantId": "…", "upn": "…", "deleted": true}` (or `enabled`, `department`).
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserChange {
    tenant_id: String,
    upn: String,
    #[serde(default)]
    deleted: Option<bool>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    department: Option<String>,
}

async fn change_user(
    State(fake): State<Arc<Fake>>,
    axum::Json(ch): axum::Json<UserChange>,
) -> Response {
    let mut world = fake.world.lock().unwrap_or_else(|e| e.into_inner());
    let Some(c) = world
        .customers
        .iter_mut()
        .find(|c| c.tenant_id == ch.tenant_id)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !c.users.iter().any(|u| u.upn == ch.upn) {
        return StatusCode::NOT_FOUND.into_response();
    }
    c.change_user(&ch.upn, |u| {
        if let Some(d) = ch.deleted {
            u.deleted = d;
        }
        if let Some(e) = ch.enabled {
            u.enabled = e;
        }
        if let Some(d) = ch.department {
            u.department = d;
        }
    });
    StatusCode::NO_CONTENT.into_response()
}
