//! Server functions: thin adapters that authorize the caller, parse input into domain types, run
//! a rule and the store, and return wire types. Every one of them is a public HTTP endpoint with
//! a fixed URL (`/api/...`), so the WASM and any server build agree on it.

mod activity;
mod end_users;
mod group;
mod home;
#[cfg(feature = "ssr")]
pub mod http;
mod import_mappings;
mod integration;
mod map_rest;
mod organizations;
#[cfg(feature = "ssr")]
pub mod site;
mod suggestions;
mod syncro_tenants;
mod tenants;
mod user_sync;
mod users;

pub use activity::*;
pub use end_users::*;
pub use group::*;
pub use home::*;
pub use import_mappings::*;
pub use integration::*;
pub use map_rest::*;
pub use organizations::*;
pub use suggestions::*;
pub use syncro_tenants::*;
pub use tenants::*;
pub use user_sync::*;
pub use users::*;

/// A redirect target from a form: only a path on this site (no open redirects).
pub fn safe_back(back: &str, fallback: &str) -> String {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ok {
        back.to_string()
    } else {
        fallback.to_string()
    }
}

/// Without JavaScript a form post cannot receive its report in the response: it comes back
/// in the redirect to `page`, in the link's `param` sealed for this session (a link someone
/// else wrote shows nothing), and the page opens on it (`#problems`). `shown` is what of the
/// report the link carries.
#[cfg(feature = "ssr")]
async fn land_with_report<T: serde::Serialize>(
    page: &str,
    param: &str,
    purpose: &str,
    shown: impl FnOnce() -> T,
) {
    if http::accepts_html().await {
        let sealed = crate::auth::seal_for_session(purpose, &shown());
        let link = crate::components::url(page, &[(param, &sealed)]);
        leptos_axum::redirect(&format!("{link}#problems"));
    }
}

/// A report sealed into the page's link for `purpose`, if this server sealed it for this
/// session. Only the server opens it (the browser renders what the server sent).
fn sealed_in_link<T: serde::de::DeserializeOwned>(purpose: &str, sealed: &str) -> Option<T> {
    #[cfg(feature = "ssr")]
    {
        crate::auth::open_for_session(purpose, sealed)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (purpose, sealed);
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn back_links_stay_on_the_site() {
        assert_eq!(
            super::safe_back("/admin/microsoft-tenants?filter=unmapped", "/"),
            "/admin/microsoft-tenants?filter=unmapped"
        );
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(super::safe_back(bad, "/x"), "/x", "{bad}");
        }
    }
}
