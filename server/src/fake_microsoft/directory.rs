//! A customer's directory as Graph serves it: users and their delta, one user, mailbox
//! settings, group members; and the test-only routes that change the world while it runs.

use super::{Fake, FakeCustomer, FakeUser, World, authorize, graph_error, page, skip};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

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
pub(super) async fn users_delta(
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

pub(super) async fn one_user(
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

pub(super) async fn mailbox_settings(
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

pub(super) async fn transitive_members(
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
pub(super) struct NewCustomer {
    n: u32,
    name: String,
    domain: String,
    #[serde(default)]
    users: Vec<NewUser>,
}

#[derive(serde::Deserialize)]
pub(super) struct NewUser {
    n: u32,
    name: String,
    upn: String,
    #[serde(default)]
    department: String,
}

pub(super) async fn add_customer(
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
pub(super) struct UserChange {
    tenant_id: String,
    upn: String,
    #[serde(default)]
    deleted: Option<bool>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    department: Option<String>,
}

pub(super) async fn change_user(
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
