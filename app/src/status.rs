//! The status line: after a change, one short sentence at the top of the next page — "Mapped
//! Contoso to Contoso Dental." — where the eye is, and announced by screen readers.
//!
//! A change is a form post; the server function that made it says what happened (`say`), and
//! the sentence travels to the page the browser is sent to in a cookie that lives a minute and
//! is cleared by the page that shows it (`StatusLine`). It is plain text, escaped like all text,
//! and sealed for the browser's session with the server's key: a cookie planted by anyone else
//! (another port or subdomain of the host) shows nothing.

use leptos::prelude::*;

/// The cookie's name.
pub const COOKIE: &str = "tenantmap_status";
/// What the cookie's value is sealed for.
#[cfg(feature = "ssr")]
const PURPOSE: &str = "status";
/// Longer sentences are cut (a cookie holds about 4 KB; a status line is one line).
#[cfg(feature = "ssr")]
const MAX_CHARS: usize = 200;

/// Sets the status cookie on this response (`max_age` 0 clears it).
#[cfg(feature = "ssr")]
fn set(value: &str, max_age: u32) {
    crate::api::context::set_cookie(|https| {
        let secure = if https { "; Secure" } else { "" };
        format!("{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    });
}

/// Says what a change did, on the next page this browser shows.
#[cfg(feature = "ssr")]
pub fn say(sentence: impl AsRef<str>) {
    let text: String = sentence.as_ref().chars().take(MAX_CHARS).collect();
    set(&crate::api::context::seal_for_session(PURPOSE, &text), 60);
}

/// The sentence this request brought, if any; the response clears it so it shows once.
#[cfg(feature = "ssr")]
fn take() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let value = crate::auth::cookie_values(&parts.headers, COOKIE)
        .next()?
        .to_string();
    set("", 0);
    crate::api::context::open_for_session(PURPOSE, &value)
        .map(|t| t.chars().take(MAX_CHARS).collect::<String>())
        .filter(|t| !t.trim().is_empty())
}

/// The status line at the top of the page, when the last change said something.
#[component]
pub fn StatusLine() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let sentence = take();
    #[cfg(not(feature = "ssr"))]
    let sentence: Option<String> = None;
    sentence.map(|text| view! { <crate::islands::Announce text/> })
}
