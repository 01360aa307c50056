//! Forms that keep what was typed and show every error at once — one mechanism for every form.
//!
//! A form is a plain post to its server function. When the function refuses it, the browser is
//! sent back to the form's page (Leptos puts the error in the URL); the router keeps what was
//! posted as a [`Draft`] in a short-lived cookie sealed for the session (never a password or a
//! secret: [`KEPT_BACK`]), and the page renders its fields from the draft rather than from
//! what is stored. The same happens with JavaScript, since every form is a plain post.
//!
//! [`FormState::of`] gathers, for one server function, the draft and the refusal; a page reads
//! each field's value through [`FormState::value`] and shows [`ErrorSummary`] at the top of the
//! form (the GOV.UK pattern: every problem, each a link to its field, focused when the page
//! opens at `#problems`) and [`FormState::error`] beside each field. Field inputs have the id
//! `f-{name}` so the summary can link to them.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub mod edit;
pub use edit::Edit;

/// The field of a refusal that asks the person to confirm what they asked for (its counts in
/// the message), answered by posting again with `confirmed` = "true". (Not `confirm`: that is
/// the first-run form's password again.)
pub const CONFIRM: &str = "confirmed";

/// Fields never kept in a draft: what was typed there is typed again.
pub const KEPT_BACK: [&str; 6] = [
    "password",
    "confirm",
    "client_secret",
    "new_password",
    "token",
    "csv",
];

/// What was posted to a server function that refused it, to render its form again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The server function's path (`/api/create-organization`): a page fills only its own form.
    pub path: String,
    /// The posted fields, in order (a field may repeat: `rule_value[]`).
    pub fields: Vec<(String, String)>,
}

impl Draft {
    /// The draft of a form body (`application/x-www-form-urlencoded`), without [`KEPT_BACK`].
    pub fn from_form(path: &str, body: &[u8]) -> Self {
        let fields = form_pairs(body)
            .into_iter()
            .filter(|(k, _)| !KEPT_BACK.contains(&k.trim_end_matches("[]")))
            .collect();
        Draft {
            path: path.to_string(),
            fields,
        }
    }

    /// The value posted for `name` (the first, if it repeats).
    pub fn value(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Every value posted for `name`, in order.
    pub fn values(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// The pairs of a URL-encoded form body.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = |b: u8| (b as char).to_digit(16);
                    match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 2;
                        }
                        _ => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// The draft this request carries for the server function at `path` (the router put it in the
/// request's extensions from the draft cookie).
pub fn draft_for(path: &str) -> Option<Draft> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Draft>().cloned())
            .filter(|d| d.path == path)
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = path;
        None
    }
}

/// One form's state on its page: what was posted (if it was refused) and why it was refused.
/// `Copy`, so every field and the summary can hold it.
#[derive(Clone, Copy)]
pub struct FormState {
    draft: StoredValue<Option<Draft>>,
    pub error: Signal<Option<AppError>>,
}

impl FormState {
    /// The state of the form that posts to the server function `S`, through `action`.
    pub fn of<S>(action: ServerAction<S>) -> Self
    where
        S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let value = action.value();
        FormState {
            draft: StoredValue::new(draft_for(S::PATH)),
            error: Signal::derive(move || value.get().and_then(|r| r.err())),
        }
    }

    /// A form's state from its path and error (a form that is not an `ActionForm`).
    pub fn at(path: &str, error: Option<AppError>) -> Self {
        FormState {
            draft: StoredValue::new(draft_for(path)),
            error: Signal::stored(error),
        }
    }

    /// What the field shows: what was posted, else `stored` (what the record holds).
    pub fn value(&self, name: &str, stored: impl Into<String>) -> String {
        self.draft
            .with_value(|d| d.as_ref().and_then(|d| d.value(name)))
            .unwrap_or_else(|| stored.into())
    }

    /// Every value posted for a repeated field, else `stored`.
    pub fn values(&self, name: &str, stored: Vec<String>) -> Vec<String> {
        self.draft
            .with_value(|d| d.as_ref().map(|d| d.values(name)))
            .unwrap_or(stored)
    }

    /// Whether a checkbox is ticked: as posted (an unticked box is not posted), else `stored`.
    pub fn checked(&self, name: &str, stored: bool) -> bool {
        self.draft
            .with_value(|d| {
                d.as_ref()
                    .map(|d| d.value(name).is_some_and(|v| v != "false"))
            })
            .unwrap_or(stored)
    }

    /// Whether the form came back refused with what was posted.
    pub fn is_draft(&self) -> bool {
        self.draft.with_value(Option::is_some)
    }

    /// The refusal of `field`, shown under it (`id` `{field}-error`, for `aria-describedby`).
    pub fn error(&self, field: &'static str) -> impl IntoView + use<> {
        let _ = self.draft;
        let error = self.error;
        move || {
            error.get().and_then(|e| {
                e.field_problems()
                    .into_iter()
                    .find(|p| p.field == field)
                    .map(|p| {
                        view! {
                            <p class="field-error" id=format!("{field}-error")>
                                <span class="visually-hidden">"Error: "</span>
                                {p.message}
                            </p>
                        }
                    })
            })
        }
    }

    /// Whether `field` was refused (for `aria-invalid`).
    pub fn invalid(&self, field: &'static str) -> Signal<bool> {
        let error = self.error;
        Signal::derive(move || {
            error
                .get()
                .is_some_and(|e| e.field_problems().iter().any(|p| p.field == field))
        })
    }
}

/// A labelled input of a form (`id` `f-{name}`): what was posted when the form came back
/// refused (never for a password), else `value`; its hint and its refusal under it, both
/// tied to it for screen readers.
#[component]
pub fn TextInput(
    form: FormState,
    name: &'static str,
    label: &'static str,
    /// What is stored (an edit form), or "".
    #[prop(optional, into)]
    value: String,
    /// The input's `type` ("text" when not given).
    #[prop(optional)]
    kind: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] minlength: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    /// `value` is what the field shows as it is (an [`Edit`]'s, already merged with the draft).
    #[prop(optional)]
    shown: bool,
) -> impl IntoView {
    let kind = kind.unwrap_or("text");
    let value = if kind == "password" {
        String::new()
    } else if shown {
        value
    } else {
        form.value(name, value)
    };
    let id = format!("f-{name}");
    let invalid = form.invalid(name);
    let described = match hint {
        Some(_) => format!("{name}-hint {name}-error"),
        None => format!("{name}-error"),
    };
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id name=name type=kind value=value autocomplete=autocomplete placeholder=placeholder
            minlength=minlength required=required autofocus=autofocus
            aria-invalid=move || invalid.get().then_some("true") aria-describedby=described/>
        {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{h}</p> })}
        {form.error(name)}
    }
}

/// "There is a problem": every refusal of the form, each a link to its field; the form's own
/// refusals (not one field's) as text. Focused when the page opens (the refused post lands at
/// `#problems`), so the eye and a screen reader start here.
#[component]
pub fn ErrorSummary(form: FormState) -> impl IntoView {
    let error = form.error;
    move || {
        // A refusal that is a question (field `confirmed`: "this renames 5 and deletes 7 — go
        // ahead?") is asked by its own form, not listed as a problem.
        let question = error.get().is_some_and(|e| {
            let problems = e.field_problems();
            !problems.is_empty() && problems.iter().all(|p| p.field == CONFIRM)
        });
        error.get().filter(|_| !question).map(|e| {
            let problems = e.field_problems();
            let merged = matches!(e, AppError::Stale) && form.is_draft();
            let items = if merged {
                // An edit form came back merged with what is stored now (`edit`): reloading
                // would lose what was typed.
                vec![(None, "Someone else saved this after you opened it: check the form below, then Save.".to_string())]
            } else if problems.is_empty() {
                vec![(None, e.to_string())]
            } else {
                problems
                    .into_iter()
                    .map(|p| ((p.field != "form").then_some(p.field), p.message))
                    .collect()
            };
            let stale = matches!(e, AppError::Stale);
            let sign_in = matches!(e, AppError::NotSignedIn)
                .then(|| view! { <a href="/sign-in" rel="external">"Sign in"</a> });
            view! {
                <div class="error-summary" id="problems" tabindex="-1" role="alert" autofocus=true
                    aria-labelledby="problems-title" class:stale=stale>
                    <h2 id="problems-title">{if items.len() > 1 { format!("There are {} problems", items.len()) } else { "There is a problem".to_string() }}</h2>
                    <ul>
                        {items.into_iter().map(|(field, message)| match field {
                            Some(f) => view! { <li><a href=format!("#f-{f}")>{message}</a></li> }.into_any(),
                            None => view! { <li>{message}</li> }.into_any(),
                        }).collect_view()}
                    </ul>
                    {sign_in}
                </div>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_keeps_what_was_typed_but_never_a_secret() {
        let d = Draft::from_form(
            "/api/x",
            b"name=Acme+%26+Sons&email=a%40b.example&password=hunter2&client_secret=s&rule_value%5B%5D=one&rule_value%5B%5D=two&bad=%zz",
        );
        assert_eq!(d.value("name").as_deref(), Some("Acme & Sons"));
        assert_eq!(d.value("email").as_deref(), Some("a@b.example"));
        assert_eq!(d.value("password"), None);
        assert_eq!(d.value("client_secret"), None);
        assert_eq!(d.values("rule_value[]"), ["one", "two"]);
        assert_eq!(d.value("bad").as_deref(), Some("%zz"));
    }
}
