//! Pieces the pages share: error notes, the pager, the search form, query-string helpers.

use crate::error::AppError;
use crate::wire::{Me, NamedRef};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `path?k=v&…`, leaving out empty values.
pub fn url(path: &str, pairs: &[(&str, &str)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", q.join("&"))
    }
}

/// The record a page's path names (its `:id`), as a reactive string.
pub fn path_id() -> Memo<String> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.read().get("id").unwrap_or_default())
}

/// A query parameter of the current URL, as a reactive string ("" when absent).
pub fn query_param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

/// The error of the latest submission, shown next to the action that caused it.
#[component]
pub fn ErrorNote(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let class = match e {
                AppError::Stale => "note error stale",
                _ => "note error",
            };
            let sign_in = (e == AppError::NotSignedIn)
                .then(|| view! { " "<a href="/sign-in" rel="external">"Sign in"</a> });
            // A refused post lands here (`#problems`, focused): beside the action it refused.
            view! { <p class=class role="alert" id="problems" tabindex="-1" autofocus=true>{e.to_string()}{sign_in}</p> }
        })
    }
}

/// The signed-in user, loaded once per page load by the app shell.
pub type MeResource = Resource<Result<Me, AppError>>;

pub fn use_me() -> MeResource {
    expect_context::<MeResource>()
}

/// A page's data as it comes: `loading` until it is there (the last page stays while it
/// reloads), then `page` with it and whether the reader is an Administrator. If the read
/// failed, its error stands in the page's place: under `record`'s title as a record's page
/// that is not there ([`RecordError`]), or else as a note.
#[component]
pub fn Loaded<T, V, F>(
    data: Resource<Result<T, AppError>>,
    page: F,
    #[prop(default = "Loading…")] loading: &'static str,
    #[prop(optional)] record: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T, bool) -> V + Clone + Send + Sync + 'static,
{
    let me = use_me();
    view! {
        <Transition fallback=move || view! { <p class="loading">{loading}</p> }>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    let admin = is_admin(me).await;
                    match (data.await, record) {
                        (Ok(v), _) => page(v, admin).into_any(),
                        (Err(e), Some(title)) => view! { <RecordError title error=e/> }.into_any(),
                        (Err(e), None) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// Whether the signed-in user may see the changing actions. Only for what is shown: every
/// changing server function checks the role again (R6).
pub async fn is_admin(me: MeResource) -> bool {
    me.await.is_ok_and(|m| m.is_admin())
}

/// Shows its children to Administrators only (and `fallback` to everyone else).
#[component]
pub fn AdminOnly(#[prop(optional, into)] fallback: ViewFn, children: ChildrenFn) -> impl IntoView {
    let me = use_me();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (children, fallback) = (children.clone(), fallback.clone());
                Suspend::new(async move {
                    if is_admin(me).await { children().into_any() } else { fallback.run() }
                })
            }}
        </Suspense>
    }
}

/// Said before a form or button that reads from Microsoft while the account is not connected:
/// what is missing, and (to an Administrator) the link that fixes it. A Technician is told who
/// can, never asked to do it.
#[component]
pub fn NeedsMicrosoft(what: &'static str, admin: bool) -> impl IntoView {
    view! {
        <p class="note needs-microsoft">
            {format!("{what} reads from Microsoft, and this account is not connected to Microsoft yet. ")}
            {if admin {
                view! { <a href="/admin/microsoft-integration">"Connect Microsoft"</a>" first." }.into_any()
            } else {
                view! { "An Administrator connects it (Admin › Microsoft Integration)." }.into_any()
            }}
        </p>
    }
}

/// The error of a form submission that belongs to one field, shown under it.
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field() == Some(field))
            .map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })
    }
}

/// The error a form post to the server function `S` came back with (the server puts it in the
/// URL it answers with), for a form that is not an `ActionForm` (a multipart upload).
pub fn form_error<S>() -> Option<AppError>
where
    S: leptos::server_fn::ServerFn<Error = AppError>,
{
    use leptos::server_fn::error::ServerFnUrlError;
    let e = use_context::<leptos::server::ServerActionError>()?;
    (e.path() == S::PATH).then(|| ServerFnUrlError::<AppError>::decode_err(e.err()))
}

/// Turns an action's latest value into its error, if any.
pub fn action_error<T: Clone + Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// A GET form (search, filters): the server answers with the page for its fields.
#[component]
pub fn GetForm(
    #[prop(optional, into)] class: String,
    #[prop(optional)] role: Option<&'static str>,
    /// Lets controls elsewhere on the page submit this form (`form="id"`).
    #[prop(optional)]
    id: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! { <form method="get" id=id class=class role=role>{children.map(|c| c())}</form> }
}

/// A search box that submits as a GET form.
#[component]
pub fn SearchForm(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    /// Other parameters to keep, as hidden fields.
    #[prop(optional)]
    keep: Vec<(&'static str, String)>,
    /// What to type, in a few words (the label when not given).
    #[prop(optional, into)]
    placeholder: Option<String>,
) -> impl IntoView {
    let placeholder = placeholder.unwrap_or_else(|| label.clone());
    view! {
        <GetForm class="search" role="search">
            <label>
                <span class="visually-hidden">{label.clone()}</span>
                <input type="search" name="q" value=value placeholder=placeholder/>
            </label>
            {keep.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
            <button type="submit">"Search"</button>
        </GetForm>
    }
}

/// Previous / next links for a paged list. `link(page)` builds the URL of a page.
#[component]
pub fn Pager(
    page: u32,
    pages: u32,
    total: usize,
    link: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    let numbers = page_numbers(page, pages);
    view! {
        <nav class="pager" aria-label="Pages">
            <span>{format!("Page {page} of {pages} · {total} in all")}</span>
            {(page > 1).then(|| view! { <a href=link(page - 1) rel="prev">"Previous"</a> })}
            {(pages > 1).then(|| view! {
                <ol class="page-numbers">
                    {numbers.into_iter().map(|n| match n {
                        None => view! { <li class="gap" aria-hidden="true">"…"</li> }.into_any(),
                        Some(n) if n == page => view! { <li><a href=link(n) aria-current="page">{n}</a></li> }.into_any(),
                        Some(n) => view! { <li><a href=link(n) aria-label=format!("Page {n}")>{n}</a></li> }.into_any(),
                    }).collect_view()}
                </ol>
            })}
            {(page < pages).then(|| view! { <a href=link(page + 1) rel="next">"Next"</a> })}
        </nav>
    }
}

/// The page numbers a pager shows: the first, the last, and two either side of `page`, with
/// `None` for each gap ("1 … 4 5 6 7 8 … 20").
pub fn page_numbers(page: u32, pages: u32) -> Vec<Option<u32>> {
    let mut out = Vec::new();
    let mut last = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || n.abs_diff(page) <= 2 {
            if n > last + 1 {
                out.push(None);
            }
            out.push(Some(n));
            last = n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pagers_show_the_ends_and_the_pages_near() {
        let shown = |p, n| {
            super::page_numbers(p, n)
                .into_iter()
                .map(|x| x.map_or("…".to_string(), |n| n.to_string()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(shown(6, 20), "1 … 4 5 6 7 8 … 20");
        assert_eq!(shown(1, 3), "1 2 3");
        assert_eq!(shown(1, 10), "1 2 3 … 10");
        assert_eq!(shown(10, 10), "1 … 8 9 10");
        assert_eq!(shown(1, 1), "1");
    }
}

/// Options of a Syncro Tenant dropdown.
pub fn options_view(options: Vec<NamedRef>, selected: String) -> impl IntoView {
    options
        .into_iter()
        .map(|o| {
            let is = o.id == selected;
            view! { <option value=o.id selected=is>{o.name}</option> }
        })
        .collect_view()
}

/// A destructive action asked about first, without JavaScript: the button (`label`) opens the
/// question and the button that does it (`children`, a form); pressing `label` again closes it.
#[component]
pub fn Confirm(
    /// The button that asks ("Delete").
    #[prop(into)]
    label: String,
    /// Its accessible name when `label` alone is not enough ("Delete Acme Dental").
    #[prop(optional, into)]
    name: Option<String>,
    /// What will happen, as a question.
    #[prop(into)]
    question: String,
    /// The asking button's look ("danger small").
    #[prop(optional, into)]
    class: String,
    children: Children,
) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary class=format!("button {class}") aria-label=name>{label}</summary>
            <div class="confirm-box">
                <p>{question}</p>
                {children()}
            </div>
        </details>
    }
}

/// A record page whose record could not be read: its title, heading and why — answered 404
/// when the record does not exist (or the link names none), so a stale bookmark or a mistyped
/// id is a "not found" to the browser and to crawlers alike.
#[component]
pub fn RecordError(#[prop(into)] title: String, error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if matches!(
        error,
        AppError::NotFound { .. } | AppError::Validation { .. }
    ) && let Some(resp) = use_context::<leptos_axum::ResponseOptions>()
    {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <leptos_meta::Title text=title.clone()/>
        <h1>{title}</h1>
        <p class="note error" role="alert">{error.to_string()}</p>
        <p><a href="/">"Go to the start page"</a></p>
    }
}
