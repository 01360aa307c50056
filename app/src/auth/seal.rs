//! Values the browser carries back (report links, the status line, form drafts): sealed with
//! the server's key for one purpose and one session.

use super::Caller;
use crate::state::{AppState, state};
use leptos::prelude::*;

/// The key that seals what the browser carries back for this server (links, cookies): the
/// configured one, else one made for this process (a value then opens only where it was
/// sealed — enough for a redirect to the same server).
pub fn value_key(state: Option<&AppState>) -> crate::microsoft::SealingKey {
    static PROCESS_KEY: std::sync::OnceLock<crate::microsoft::SealingKey> =
        std::sync::OnceLock::new();
    if let Some(key) = state.and_then(|s| s.microsoft.key().ok()) {
        return key.clone();
    }
    PROCESS_KEY
        .get_or_init(|| {
            crate::microsoft::SealingKey::from_base64(&crate::microsoft::SealingKey::generate())
                .expect("a fresh key")
        })
        .clone()
}

/// The purpose a value is sealed for, bound to a browser's session (its token's hash; empty
/// when signed out): a value made in another session, or by anyone else, does not open.
pub fn sealed_purpose(purpose: &str, session: &str) -> String {
    format!("tenantmap/{purpose}/{session}")
}

/// The purpose a value is sealed for, bound to this request's session.
fn session_purpose(purpose: &str) -> String {
    let session = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().map(|c| c.session.clone()))
        .unwrap_or_default();
    sealed_purpose(purpose, &session)
}

/// Seals `value`, as JSON, for this session to carry back (see [`open_for_session`]). What is
/// sealed is plain data (text, numbers, lists), whose JSON cannot fail.
pub fn seal_for_session<T: serde::Serialize>(purpose: &str, value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    value_key(state().ok().as_ref()).seal_value(&session_purpose(purpose), &json)
}

/// What [`seal_for_session`] sealed for `purpose` in this session; `None` for anything else.
pub fn open_for_session<T: serde::de::DeserializeOwned>(purpose: &str, sealed: &str) -> Option<T> {
    let bytes = value_key(state().ok().as_ref()).open_value(&session_purpose(purpose), sealed)?;
    serde_json::from_slice(&bytes).ok()
}
