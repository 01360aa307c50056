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
    crate::api::http::set_cookie(|https| {
        let secure = if https { "; Secure" } else { "" };
        format!("{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    });
}

/// What the status line says, and the activity entry its *Undo* undoes (if the change can be).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Said {
    text: String,
    #[serde(default)]
    undo: Option<String>,
}

/// Says what a change did, on the next page this browser shows.
#[cfg(feature = "ssr")]
pub fn say(sentence: impl AsRef<str>) {
    keep(Said {
        text: sentence.as_ref().to_string(),
        undo: None,
    });
}

/// Says what a change did, with *Undo* beside it: the change's activity entry
/// (`ActivityCursor::token`), undone as Admin › Activity undoes it.
#[cfg(feature = "ssr")]
pub fn say_undoable(sentence: impl AsRef<str>, entry: String) {
    keep(Said {
        text: sentence.as_ref().to_string(),
        undo: Some(entry),
    });
}

#[cfg(feature = "ssr")]
fn keep(mut said: Said) {
    said.text = one_period(said.text.chars().take(MAX_CHARS).collect());
    set(&crate::auth::seal_for_session(PURPOSE, &said), 60);
}

/// A sentence ending in a name that ends in "." ("Created Acme Inc..") ends in one period.
#[cfg(any(feature = "ssr", test))]
fn one_period(mut text: String) -> String {
    if text.ends_with("..") && !text.ends_with("...") {
        text.pop();
    }
    text
}

/// What this request brought, if anything; the response clears it so it shows once.
#[cfg(feature = "ssr")]
fn take() -> Option<(Said, String)> {
    let parts = use_context::<http::request::Parts>()?;
    let value = crate::auth::cookie_values(&parts.headers, COOKIE)
        .next()?
        .to_string();
    set("", 0);
    let here = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    crate::auth::open_for_session::<Said>(PURPOSE, &value)
        .map(|mut s| {
            s.text = s.text.chars().take(MAX_CHARS).collect();
            s
        })
        .filter(|s| !s.text.trim().is_empty())
        .map(|s| (s, here))
}

/// The status line at the top of the page, when the last change said something — with *Undo*
/// when that change can be undone (a plain form: it works without JavaScript).
#[component]
pub fn StatusLine() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let said = take();
    #[cfg(not(feature = "ssr"))]
    let said: Option<(Said, String)> = None;
    said.map(|(said, here)| {
        view! {
            <div class="status-row">
                <crate::islands::Announce text=said.text/>
                {said.undo.map(|entry| view! {
                    <form method="post" action="/api/undo" class="inline-form undo">
                        <input type="hidden" name="entry" value=entry/>
                        <input type="hidden" name="back" value=here/>
                        <button type="submit" class="small secondary" data-pending="Undoing…">"Undo"</button>
                    </form>
                })}
            </div>
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_ending_in_a_period_ends_the_sentence() {
        assert_eq!(
            super::one_period("Created Acme Inc..".into()),
            "Created Acme Inc."
        );
        assert_eq!(super::one_period("Created Acme.".into()), "Created Acme.");
        assert_eq!(super::one_period("Wait...".into()), "Wait...");
    }
}
