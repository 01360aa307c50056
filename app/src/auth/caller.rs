//! Who is calling: the caller the session layer found, the Administrator check (R6), the
//! browser's address and the first-run check.

use crate::domain::{AccountId, Ctx, Role, UserId, now};
use crate::error::AppError;
use crate::state::state;
use crate::store::Store;
use leptos::prelude::*;
use std::sync::Arc;

/// Who is calling, and in which account: found by the session layer from the session cookie
/// alone (`crate::auth::resolve`) and kept in the request's extensions. The account never comes
/// from a request parameter.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: AccountId,
    pub user: UserId,
    /// The user's email: the "who" of the audit log.
    pub actor: String,
    pub role: Role,
    /// The SHA-256 of the session token (sign-out deletes it).
    pub session: String,
}

impl Caller {
    /// The context the rules need: who, when, and a fresh audit id.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            actor: self.actor.clone(),
            now: now(),
            audit_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

/// The browser's address (the router puts it in every request; `None` only outside one).
pub fn client_address() -> Option<crate::api::site::ClientAddress> {
    use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::api::site::ClientAddress>()
            .copied()
    })
}

/// Whether this request may use the first-run page: with the setup token printed at start-up,
/// or — where `Site::local_setup` opens it — from this machine (its own connection, not
/// through a proxy: `Site::client_of`).
pub fn may_set_up(token: &str) -> bool {
    let Ok(state) = state() else { return false };
    let from_here = client_address().is_some_and(|c| c.this_machine);
    (state.site.local_setup && from_here) || state.site.is_setup_token(token)
}

/// The signed-in caller of this request, or "not signed in". Every server function except
/// sign-in and first-run goes through here or through [`admin`]. Fails closed: a request the
/// session layer did not see has no caller.
pub async fn caller() -> Result<(Caller, Arc<dyn Store>), AppError> {
    let state = state()?;
    let caller = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().cloned())
        .ok_or(AppError::NotSignedIn)?;
    Ok((caller, state.store))
}

/// The caller, who must be an Administrator (R6).
pub async fn admin() -> Result<(Caller, Arc<dyn Store>), AppError> {
    let (caller, store) = caller().await?;
    if caller.role != Role::Administrator {
        return Err(AppError::NotAllowed);
    }
    Ok((caller, store))
}
