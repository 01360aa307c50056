//! The status line: after a change, one short sentence at the top of the next page — "Mapped
//! Contoso to Contoso Dental." — where the eye is, and announced by screen readers.
//!
//! A change is a form post; the server function that made it says what happened (`say`), and
//! the sentence travels to the page the browser is sent to in a cookie that lives a minute and
//! is cleared by the page that shows it (`StatusLine`). It is plain text, escaped like all text.

#[cfg(feature = "ssr")]
use crate::components::enc;
use leptos::prelude::*;

/// The cookie's name.
pub const COOKIE: &str = "tenantmap_status";
/// Longer sentences are cut (a cookie holds about 4 KB; a status line is one line).
#[cfg(feature = "ssr")]
const MAX_CHARS: usize = 200;

/// Decodes a percent-encoded value (`+` is a space); `None` if it is not UTF-8.
pub fn dec(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

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
    set(&enc(&text), 60);
}

/// The sentence this request brought, if any; the response clears it so it shows once.
#[cfg(feature = "ssr")]
fn take() -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    let value = crate::auth::cookie_values(&parts.headers, COOKIE)
        .next()?
        .to_string();
    set("", 0);
    dec(&value)
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

#[cfg(test)]
mod tests {
    use super::dec;
    use crate::components::enc;

    #[test]
    fn a_sentence_survives_the_cookie() {
        for s in [
            "Mapped Contoso to Contoso Dental.",
            "Renamed \"A; B\" to Ärzte & Co = 100% (M365).",
            "",
        ] {
            let e = enc(s);
            assert!(!e.contains([';', ',', ' ', '"']), "{e}");
            assert_eq!(dec(&e).as_deref(), Some(s));
        }
    }

    #[test]
    fn broken_encodings_are_refused() {
        assert_eq!(dec("%"), Some("%".into()));
        assert_eq!(dec("%zz"), None);
        assert_eq!(dec("%C3"), None);
    }
}
