//! The interactive parts of the pages: the only components compiled to WASM (`#[island]`).
//!
//! Every page is server HTML that works whole without JavaScript — forms post and the server
//! answers with the next page. An island only adds to a page that already works: keys for the
//! ⋮ menu and the dialog, filtering as one types, a pending state on the button pressed, the
//! progress of a running sync. Each one takes plain serializable props and renders the same
//! HTML on the server as in the browser. Keep them small: their code, and everything it
//! reaches, is the first download (`make bench` measures it).

use crate::wire::NamedRef;
use leptos::prelude::*;

mod row_keys;
pub use row_keys::RowKeys;

#[cfg(feature = "hydrate")]
use leptos::wasm_bindgen::JsCast;

/// Focuses an element if it is an HTML element.
#[cfg(feature = "hydrate")]
fn focus(el: impl JsCast) {
    if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// After each time the server wrote in UTC ("2026-12-03 05:46 UTC"), the reader's own time in
/// the browser's zone ("(06:46 your time)"). Only in the server's HTML, not inside the other
/// islands (their text is theirs to redraw). Without JavaScript the UTC time stands alone.
#[cfg(feature = "hydrate")]
fn show_local_times() {
    use crate::domain::time::{displayed_times, local_label};
    use leptos::web_sys::{Node, js_sys::Date};
    let Some(main) = document().get_element_by_id("main") else {
        return;
    };
    // 4: NodeFilter.SHOW_TEXT.
    let Ok(walker) = document().create_tree_walker_with_what_to_show(&main, 4) else {
        return;
    };
    let mut texts = Vec::new();
    while let Ok(Some(node)) = walker.next_node() {
        texts.push(node);
    }
    for node in texts {
        let Some(text) = node.text_content() else {
            continue;
        };
        let found = displayed_times(&text);
        let Some(parent) = node.parent_element() else {
            continue;
        };
        // A form's text is what it sends: never changed.
        let own_island = !matches!(parent.tag_name().as_str(), "TEXTAREA" | "OPTION" | "SCRIPT")
            && parent
                .closest("leptos-island")
                .ok()
                .flatten()
                .is_some_and(|island| island.contains(Some(main.as_ref() as &Node)));
        if found.is_empty() || !own_island {
            continue;
        }
        let mut shown = String::with_capacity(text.len() + 24 * found.len());
        let mut from = 0;
        for (end, at) in found {
            shown.push_str(&text[from..end]);
            let offset = Date::new(&(at.0 as f64).into()).get_timezone_offset();
            if let Some(label) = local_label(at, offset as i64) {
                shown.push_str(&label);
            }
            from = end;
        }
        shown.push_str(&text[from..]);
        node.set_text_content(Some(&shown));
    }
}

/// The page's `<main>`. With JavaScript, a submitted form's submit button says what is
/// happening (its `data-pending` text, e.g. "Saving…") and is disabled until the next page
/// arrives, so a second press cannot send the change twice.
#[island]
pub fn Main(children: Children) -> impl IntoView {
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            let button = ev
                .submitter()
                .map(leptos::web_sys::Element::from)
                .or_else(|| {
                    let form = ev.target()?.dyn_into::<leptos::web_sys::Element>().ok()?;
                    form.query_selector("[type=submit]").ok().flatten()
                })
                .and_then(|b| b.dyn_into::<leptos::web_sys::HtmlButtonElement>().ok());
            if let Some(button) = button
                && let Some(text) = button.get_attribute("data-pending")
            {
                // After the form's data is taken: a button disabled before would not send its
                // own name and value ("Accept all with high confidence" is `high=true`). Not a
                // microtask (`spawn_local`): those run between this event and the form's
                // submission.
                set_timeout(
                    move || {
                        button.set_text_content(Some(&text));
                        button.set_disabled(true);
                        let _ = button.set_attribute("aria-busy", "true");
                    },
                    std::time::Duration::ZERO,
                );
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    // Islands hydrate outermost first, the rest of the page's islands in the same task: a
    // mark set after this task tells when the page is interactive (`make bench` reads it).
    #[cfg(feature = "hydrate")]
    set_timeout(
        || {
            show_local_times();
            if let Some(p) = leptos::prelude::window().performance() {
                let _ = p.mark("tenantmap:interactive");
            }
        },
        std::time::Duration::ZERO,
    );
    view! { <main id="main" on:submit=on_submit>{children()}</main> }
}

/// The ⋮ menu: a native disclosure (it opens without JavaScript and by keyboard); this adds
/// arrow keys between the items, Escape to close it, and closes it when an item is followed.
#[island]
pub fn RowMenu(label: String, children: Children) -> impl IntoView {
    let details = NodeRef::<leptos::html::Details>::new();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            let Some(d) = details.get() else { return };
            let key = ev.key();
            if key == "Escape" {
                d.set_open(false);
                if let Ok(Some(summary)) = d.query_selector("summary") {
                    focus(summary);
                }
                return;
            }
            if key != "ArrowDown" && key != "ArrowUp" {
                return;
            }
            ev.prevent_default();
            d.set_open(true);
            let Ok(items) = d.query_selector_all("[role=menuitem]") else {
                return;
            };
            let active = leptos::prelude::document().active_element();
            let n = items.length();
            let current = (0..n).find(|&i| {
                matches!((items.item(i), active.as_ref()), (Some(item), Some(a)) if a.is_same_node(Some(&item)))
            });
            let next = match (current, key.as_str()) {
                (None, "ArrowUp") => n.saturating_sub(1),
                (None, _) => 0,
                (Some(i), "ArrowDown") => (i + 1) % n.max(1),
                (Some(i), _) => (i + n - 1) % n.max(1),
            };
            if let Some(item) = items.item(next) {
                focus(item);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, details);
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            // Following a link item closes the menu (the dialog opens over the page).
            let on_item = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
                .is_some_and(|el| {
                    el.tag_name() == "A" && el.get_attribute("role").as_deref() == Some("menuitem")
                });
            if on_item && let Some(d) = details.get() {
                d.set_open(false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <details class="menu" node_ref=details on:keydown=on_key on:click=on_click>
            <summary role="button" aria-haspopup="menu" aria-label=label>"⋮"</summary>
            {children()}
        </details>
    }
}

/// A modal dialog whose state is the page's URL: Escape goes `back` (the page without the
/// dialog) and Tab keeps focus inside. Without JavaScript its Cancel link does the same.
#[island]
pub fn Modal(labelled_by: String, back: String, children: Children) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Div>::new();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            match ev.key().as_str() {
                "Escape" => {
                    let _ = leptos::prelude::window().location().assign(&back);
                }
                "Tab" => {
                    let Some(d) = dialog.get() else { return };
                    let Ok(all) = d.query_selector_all(
                        "a[href], button:not([disabled]), input:not([type=hidden]), select, textarea",
                    ) else {
                        return;
                    };
                    let (Some(first), Some(last)) =
                        (all.item(0), all.item(all.length().max(1) - 1))
                    else {
                        return;
                    };
                    let active = leptos::prelude::document().active_element();
                    let at = |node: &leptos::web_sys::Node| {
                        active.as_ref().is_some_and(|a| a.is_same_node(Some(node)))
                    };
                    if ev.shift_key() && at(&first) {
                        ev.prevent_default();
                        focus(last);
                    } else if !ev.shift_key() && at(&last) {
                        ev.prevent_default();
                        focus(first);
                    }
                }
                _ => {}
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &back, dialog);
    };
    view! {
        <div class="backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby=labelled_by node_ref=dialog on:keydown=on_key>
                {children()}
            </div>
        </div>
    }
}

/// Choosing a Syncro Tenant: a search box and a list. Without JavaScript the box belongs to the
/// page's GET form `filter_form` and its Filter button reloads the page with `st_q`; with it,
/// the list follows the box as one types (`syncro_tenant_options`, 50 at most).
#[island]
pub fn SyncroTenantPicker(
    /// The list's id and form field name (`syncro_tenant`).
    select_id: String,
    /// The id of the GET form the search box submits without JavaScript.
    filter_form: String,
    query: String,
    /// The first list, rendered by the server for `query`.
    options: Vec<NamedRef>,
    /// The chosen Syncro Tenant's id ("" for none).
    selected: String,
    /// Offered first whatever the filter (the Organization's current Syncro Tenant).
    pinned: Option<NamedRef>,
    /// A first option with the value "" (a new Syncro Tenant named after the Organization).
    new_option: Option<String>,
    /// Only Syncro Tenants not yet mapped to a Microsoft Tenant (the mapping dialog).
    unmapped_only: bool,
    /// Rows shown at once; 0 for a dropdown.
    size: u32,
    /// Focus the search box when the page opens (the mapping dialog).
    autofocus: bool,
) -> impl IntoView {
    let required = new_option.is_none();
    let chosen = RwSignal::new(selected);
    let options = RwSignal::new(options);
    // Answers can arrive out of order: only the latest search's is shown.
    let latest = StoredValue::new(0u32);
    let search = move |q: String| {
        let n = latest.get_value().wrapping_add(1);
        latest.set_value(n);
        leptos::task::spawn_local(async move {
            if let Ok(found) = crate::api::syncro_tenant_options(q, unmapped_only).await
                && latest.get_value() == n
            {
                options.set(found);
            }
        });
    };
    let on_input = move |ev: leptos::ev::Event| search(event_target_value(&ev));
    let input = NodeRef::<leptos::html::Input>::new();
    let select = NodeRef::<leptos::html::Select>::new();
    // Typed or chosen before the page was ready: keep the choice when the list is drawn again,
    // and filter by what is in the box now.
    #[cfg(feature = "hydrate")]
    {
        let query = query.clone();
        set_timeout(
            move || {
                if let Some(el) = select.get_untracked()
                    && !el.value().is_empty()
                {
                    chosen.set(el.value());
                }
                if let Some(el) = input.get_untracked()
                    && el.value() != query
                {
                    search(el.value());
                }
            },
            std::time::Duration::ZERO,
        );
    }
    let list = move || {
        let mut opts = options.get();
        if let Some(p) = pinned.clone() {
            opts.retain(|o| o.id != p.id);
            opts.insert(0, p);
        }
        let chosen = chosen.get_untracked();
        opts.into_iter()
            .map(|o| {
                let is = o.id == chosen;
                view! { <option value=o.id selected=is>{o.name}</option> }
            })
            .collect_view()
    };
    let empty = move || options.with(Vec::is_empty) && unmapped_only;
    let search_id = format!("{select_id}-q");
    view! {
        <label for=search_id.clone()>"Find a Syncro Tenant"</label>
        <div class="row">
            <input id=search_id type="search" class="filter" name="st_q" form=filter_form.clone() value=query
                placeholder="Type to filter" autocomplete="off" autofocus=autofocus node_ref=input on:input=on_input/>
            <button type="submit" form=filter_form class="secondary">"Filter"</button>
        </div>
        <label for=select_id.clone()>"Syncro Tenant"</label>
        <select id=select_id name="syncro_tenant" size=(size > 0).then(|| size.to_string())
            required=required node_ref=select
            on:change=move |ev| chosen.set(event_target_value(&ev))>
            {new_option.map(|text| view! { <option value="" selected=chosen.get_untracked().is_empty()>{text}</option> })}
            {list}
        </select>
        {move || empty().then(|| view! { <p class="hint">"No unmapped Syncro Tenant matches. Each Syncro Tenant can be mapped to one Microsoft Tenant."</p> })}
    }
}

/// A sync running on the server: its progress, looked at again every 2 seconds; when it has
/// finished the page loads again with its report. Without JavaScript, "Show its progress"
/// reloads by hand.
#[island]
pub fn SyncProgress(job: crate::wire::SyncJobView) -> impl IntoView {
    let job = RwSignal::new(job);
    #[cfg(feature = "hydrate")]
    {
        fn look_again(job: RwSignal<crate::wire::SyncJobView>) {
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        match crate::api::sync_progress().await {
                            Ok(Some(now)) => {
                                job.set(now);
                                look_again(job);
                            }
                            Ok(None) => {
                                let _ = leptos::prelude::window().location().reload();
                            }
                            // Signed out or offline: the link below still works.
                            Err(_) => {}
                        }
                    });
                },
                std::time::Duration::from_secs(2),
            );
        }
        look_again(job);
    }
    view! {
        <div class="note sync-running" role="status">
            <p>{move || format!("Syncing with Microsoft: {}.", job.with(|j| j.progress.clone()))}</p>
            {move || job.with(|j| (j.customers_total > 0).then(|| view! {
                <progress max=j.customers_total.to_string() value=j.customers_done.to_string() aria-label="Customers read"></progress>
            }))}
            <p class="hint">"It runs on the server: you may leave this page. "<a href="/admin/microsoft-integration">"Show its progress"</a></p>
        </div>
    }
}

/// The status line's sentence (`status.rs`). Without JavaScript it is simply on the page; with
/// it, it is put back into the live region once the page is ready, so a screen reader says it.
#[island]
pub fn Announce(text: String) -> impl IntoView {
    let shown = RwSignal::new(text.clone());
    let line = NodeRef::<leptos::html::P>::new();
    #[cfg(feature = "hydrate")]
    set_timeout(
        move || {
            // Its box is kept while it is empty, its width as well as its height: nothing
            // beside or under it moves (the *Undo* beside it, or on a phone the whole page when
            // *Undo* would fit beside an empty line) — a tap in that moment lands where it was
            // aimed. Through the CSSOM: the Content-Security-Policy allows no inline styles.
            let style = line.get_untracked().map(|p| {
                let box_ = p.get_bounding_client_rect();
                let style = leptos::web_sys::HtmlElement::style(&p);
                let _ = style.set_property("min-width", &format!("{}px", box_.width()));
                let _ = style.set_property("min-height", &format!("{}px", box_.height()));
                style
            });
            shown.set(String::new());
            set_timeout(
                move || {
                    shown.set(text);
                    // The same sentence fills the same box: let it follow the window again.
                    if let Some(style) = style {
                        let _ = style.remove_property("min-width");
                        let _ = style.remove_property("min-height");
                    }
                },
                std::time::Duration::from_millis(100),
            );
        },
        std::time::Duration::ZERO,
    );
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
    view! { <p class="status-line" role="status" node_ref=line>{move || shown.get()}</p> }
}
