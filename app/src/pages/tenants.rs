//! Admin > RMM Settings - Microsoft Tenant Management: the table, the ⋮ menu, the Start Tenant
//! Mapping dialog (its state lives in the URL, so it works with JavaScript off), and the import.

use crate::api::*;
use crate::components::*;
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

#[component]
pub fn TenantManagement() -> impl IntoView {
    let filter = query_param("filter");
    let q = query_param("q");
    let sort = query_param("sort");
    let dir = query_param("dir");
    let page = query_param("page");
    let map = query_param("map");
    let change = query_param("change");

    let map_action = ServerAction::<MapTenant>::new();
    let unmap = ServerAction::<UnmapTenant>::new();
    let import = ServerAction::<ImportTenants>::new();
    let me = use_me();
    let rows = Resource::new(
        move || {
            (
                filter.get(),
                q.get(),
                sort.get(),
                dir.get(),
                page.get(),
                map_action.version().get(),
                unmap.version().get(),
                import.version().get(),
            )
        },
        |(f, q, s, d, p, ..)| list_microsoft_tenants(f, q, s, d, p),
    );
    // The list's own URL with some parameters replaced; the dialog's parameters dropped.
    let link = move |over: &[(&str, &str)]| {
        let mut pairs: Vec<(&str, String)> = vec![
            ("filter", filter.get()),
            ("q", q.get()),
            ("sort", sort.get()),
            ("dir", dir.get()),
            ("page", page.get()),
        ];
        for (k, v) in over {
            if let Some(p) = pairs.iter_mut().find(|p| p.0 == *k) {
                p.1 = v.to_string();
            } else {
                pairs.push((k, v.to_string()));
            }
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        url("/admin/microsoft-tenants", &pairs)
    };
    let tab = move |value: &'static str, label: &'static str| {
        let current = move || filter.get() == value || (value.is_empty() && filter.get() == "all");
        view! {
            <a href=move || link(&[("filter", value), ("page", "")]) aria-current=move || current().then_some("page") class="tab">{label}</a>
        }
    };
    let sort_link = move |key: &'static str, label: &'static str| {
        let active = move || sort.get() == key || (key == "name" && sort.get().is_empty());
        let next_dir = move || {
            if active() && dir.get() != "desc" {
                "desc"
            } else {
                ""
            }
        };
        let arrow = move || {
            if !active() {
                ""
            } else if dir.get() == "desc" {
                " ↓"
            } else {
                " ↑"
            }
        };
        view! { <a href=move || link(&[("sort", key), ("dir", next_dir()), ("page", "")])>{label}{arrow}</a> }
    };

    view! {
        <Title text="RMM Settings - Microsoft Tenant Management"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › RMM Settings"</p>
        <h1>"RMM Settings - Microsoft Tenant Management"</h1>
        <div class="toolbar">
            <nav class="tabs" aria-label="Filter">
                {tab("", "All")}
                {tab("unmapped", "Unmapped")}
                {tab("mapped", "Mapped")}
            </nav>
            <SearchForm label="Search Microsoft Tenants" value=q.get_untracked() keep=vec![("filter", filter.get_untracked()), ("sort", sort.get_untracked()), ("dir", dir.get_untracked())]/>
        </div>
        <ErrorNote error=action_error(unmap.value())/>
        <Transition fallback=|| view! { <p class="loading">"Loading Microsoft Tenants…"</p> }>
            {move || Suspend::new(async move {
                let admin = is_admin(me).await;
                match rows.await {
                    Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(TenantList { tenants, connected }) if tenants.items.is_empty() => view! {
                        <p class="empty">"No Microsoft Tenants match. Change the filter, "
                            {if connected { "or Sync Now on " } else { "connect " }}
                            <a href="/admin/microsoft-integration">"the Microsoft integration"</a>", or import a CSV."</p>
                    }.into_any(),
                    Ok(TenantList { tenants: list, connected }) => {
                        let pages = list.pages();
                        let (pg, total) = (list.page, list.total);
                        view! {
                            {(!connected).then(|| view! {
                                <p class="note stale">"Not synced: no Microsoft integration is connected, so these tenants are kept as they were. "
                                    <a href="/admin/microsoft-integration">"Microsoft Tenant Integrations"</a></p>
                            })}
                            <table class="grid">
                                <thead>
                                    <tr>
                                        <th scope="col">{sort_link("name", "Name")}</th>
                                        <th scope="col">{sort_link("domain", "Default domain")}</th>
                                        <th scope="col">"Tenant ID"</th>
                                        <th scope="col">"Syncro Tenant"</th>
                                        <th scope="col">{sort_link("last_sync", "Last sync")}</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.items.into_iter().map(|row| view! { <TenantRow row=row unmap=unmap link=link admin=admin/> }).collect_view()}
                                </tbody>
                            </table>
                            <Pager page=pg pages=pages total=total link=move |p| link(&[("page", &p.to_string())])/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <AdminOnly>
            {move || {
                let id = map.get();
                let change = change.get() == "true";
                // The dialog is rebuilt only when its tenant or mode changes.
                let back = untrack(|| link(&[]));
                (!id.is_empty()).then(|| view! {
                    <MapDialog tenant_id=id change=change back=back action=map_action/>
                })
            }}
            <ImportSection action=import/>
        </AdminOnly>
    }
}

#[component]
fn TenantRow(
    row: MicrosoftTenantRow,
    unmap: ServerAction<UnmapTenant>,
    link: impl Fn(&[(&str, &str)]) -> String + Copy + Send + Sync + 'static,
    /// Technicians get no ⋮ menu: it holds only changing actions.
    admin: bool,
) -> impl IntoView {
    let label = format!("Actions for {}", row.display_name);
    let mapped = row.syncro_tenant.is_some();
    let tid = row.tenant_id.clone();
    let map_href = link(&[("map", &tid)]);
    let change_href = link(&[("map", &tid), ("change", "true")]);
    let version = row.version.to_string();
    let menu = if mapped {
        view! {
            <li role="none"><a role="menuitem" href=change_href>"Change Syncro Tenant"</a></li>
            <li role="none">
                <ActionForm action=unmap>
                    <input type="hidden" name="tenant_id" value=tid.clone()/>
                    <input type="hidden" name="version" value=version/>
                    <button type="submit" role="menuitem">"Unmap"</button>
                </ActionForm>
            </li>
        }
        .into_any()
    } else {
        view! { <li role="none"><a role="menuitem" href=map_href>"Map Syncro Tenant"</a></li> }
            .into_any()
    };
    view! {
        <tr>
            <td data-label="Name">{row.display_name.clone()}</td>
            <td data-label="Default domain">{row.default_domain}</td>
            <td data-label="Tenant ID"><code>{row.tenant_id.clone()}</code></td>
            <td data-label="Syncro Tenant">
                {row.syncro_tenant.map(|st| view! { <a href=format!("/syncro-tenants/{}", st.id)>{st.name}</a> })}
            </td>
            <td data-label="Last sync">
                {row.last_sync}
                {row.status.map(|s| view! { <span class=format!("sync-status {}", s.kind) title=s.detail.clone()>{s.label}<span class="visually-hidden">{format!(": {}", s.detail)}</span></span> })}
            </td>
            <td class="actions">{admin.then(|| view! { <RowMenu label=label>{menu}</RowMenu> })}</td>
        </tr>
    }
}

/// The ⋮ menu: a native disclosure (works without JavaScript and by keyboard), with arrow keys
/// and Escape added when JavaScript runs.
#[component]
pub fn RowMenu(label: String, children: Children) -> impl IntoView {
    let details = NodeRef::<leptos::html::Details>::new();
    let focus = |el: leptos::web_sys::Node| {
        if let Ok(el) = leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::HtmlElement>(el) {
            let _ = el.focus();
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(d) = details.get() else { return };
        let key = ev.key();
        if key == "Escape" {
            d.set_open(false);
            if let Ok(Some(summary)) = d.query_selector("summary") {
                focus(summary.into());
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
        let doc = leptos::prelude::document();
        let active = doc.active_element();
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
    };
    view! {
        <details class="menu" node_ref=details on:keydown=on_key
            on:click=move |ev: leptos::ev::MouseEvent| {
                // Following a link item closes the menu (the dialog opens over the page).
                let on_item = ev.target().and_then(|t| leptos::wasm_bindgen::JsCast::dyn_into::<leptos::web_sys::Element>(t).ok())
                    .is_some_and(|el| el.tag_name() == "A" && el.get_attribute("role").as_deref() == Some("menuitem"));
                if on_item && let Some(d) = details.get() {
                    d.set_open(false);
                }
            }>
            <summary role="button" aria-haspopup="menu" aria-label=label>"⋮"</summary>
            <ul role="menu">{children()}</ul>
        </details>
    }
}

/// Start Tenant Mapping (or Change Syncro Tenant): a modal dialog whose state is the URL.
#[component]
fn MapDialog(
    tenant_id: String,
    change: bool,
    back: String,
    action: ServerAction<MapTenant>,
) -> impl IntoView {
    let st_q = query_param("st_q");
    let filter_text = RwSignal::new(st_q.get_untracked());
    // The choice survives the list being filtered and redrawn.
    let chosen = RwSignal::new(String::new());
    let tenant = Resource::new(
        {
            let id = tenant_id.clone();
            move || id.clone()
        },
        get_microsoft_tenant,
    );
    let options = Resource::new(
        move || filter_text.get(),
        |q| syncro_tenant_options(q, true),
    );
    let first = NodeRef::<leptos::html::Input>::new();
    let last = NodeRef::<leptos::html::A>::new();
    Effect::new(move |_| {
        if let Some(el) = first.get() {
            let _ = el.focus();
        }
    });
    let navigate = use_navigate();
    let back_for_key = back.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        match ev.key().as_str() {
            "Escape" => navigate(&back_for_key, Default::default()),
            "Tab" => {
                // Keep focus inside the dialog.
                let active = leptos::prelude::document().active_element();
                let is = |el: Option<leptos::web_sys::Element>| match (el, active.as_ref()) {
                    (Some(e), Some(a)) => a.is_same_node(Some(&e)),
                    _ => false,
                };
                if ev.shift_key() && is(first.get().map(Into::into)) {
                    ev.prevent_default();
                    if let Some(l) = last.get() {
                        let _ = l.focus();
                    }
                } else if !ev.shift_key() && is(last.get().map(Into::into)) {
                    ev.prevent_default();
                    if let Some(f) = first.get() {
                        let _ = f.focus();
                    }
                }
            }
            _ => {}
        }
    };
    let title = if change {
        "Change Syncro Tenant"
    } else {
        "Start Tenant Mapping"
    };
    let error = action_error(action.value());
    // The list's parameters, kept when the filter form reloads the page without JavaScript.
    let keep: Vec<(&'static str, String)> = ["filter", "q", "sort", "dir", "page"]
        .into_iter()
        .map(|k| (k, query_param(k).get_untracked()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let (tid_filter, tid_form) = (tenant_id.clone(), tenant_id);
    view! {
        <div class="backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="map-title" on:keydown=on_key>
                <h2 id="map-title">{title}</h2>
                <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match tenant.await {
                            Ok(t) => view! {
                                <p>"Microsoft Tenant: "<strong>{t.display_name.clone()}</strong>" ("{t.default_domain.clone()}")"
                                    {t.syncro_tenant.clone().map(|s| view! { <br/>"Currently mapped to "<strong>{s.name}</strong> })}
                                </p>
                            }.into_any(),
                            Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
                <GetForm class="filter">
                    {keep.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
                    <input type="hidden" name="map" value=tid_filter/>
                    {change.then(|| view! { <input type="hidden" name="change" value="true"/> })}
                    <label for="st-filter">"Find a Syncro Tenant"</label>
                    <div class="row">
                        <input id="st-filter" type="search" name="st_q" node_ref=first autocomplete="off"
                            prop:value=move || filter_text.get()
                            on:input=move |ev| filter_text.set(event_target_value(&ev))/>
                        <button type="submit" class="secondary">"Filter"</button>
                    </div>
                </GetForm>
                <ActionForm action=action>
                    <input type="hidden" name="tenant_id" value=tid_form/>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            tenant.await.ok().map(|t| view! { <input type="hidden" name="version" value=t.version.to_string()/> })
                        })}
                    </Transition>
                    <input type="hidden" name="change" value=if change { "true" } else { "" }/>
                    <input type="hidden" name="back" value=back.clone()/>
                    <label for="st-select">"Syncro Tenant"</label>
                    <Transition fallback=|| view! { <select id="st-select" name="syncro_tenant" disabled=true><option>"Loading…"</option></select> }>
                        {move || Suspend::new(async move {
                            let opts = options.await.unwrap_or_default();
                            let none = opts.is_empty();
                            view! {
                                <select id="st-select" name="syncro_tenant" size="6" required=true on:change=move |ev| chosen.set(event_target_value(&ev))>
                                    {options_view(opts, chosen.get_untracked())}
                                </select>
                                {none.then(|| view! { <p class="hint">"No unmapped Syncro Tenant matches. Each Syncro Tenant can be mapped to one Microsoft Tenant."</p> })}
                            }
                        })}
                    </Transition>
                    <ErrorNote error=error/>
                    <div class="buttons">
                        <button type="submit" class="primary" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { "Working…" } else { title }}
                        </button>
                        <a href=back.clone() node_ref=last class="button secondary">"Cancel"</a>
                    </div>
                </ActionForm>
            </div>
        </div>
    }
}

#[component]
fn ImportSection(action: ServerAction<ImportTenants>) -> impl IntoView {
    // The report of the latest import: from the action, or (JavaScript off) from the URL.
    let from_url = query_param("import");
    let report = move || {
        action.value().get().or_else(|| {
            serde_json::from_str::<ImportReport>(&from_url.get())
                .ok()
                .map(Ok)
        })
    };
    let csv_text = RwSignal::new(String::new());
    // With JavaScript, a chosen file is read into the box; without it, paste the CSV.
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            let file = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            if let Some(file) = file {
                let text = file.text();
                leptos::task::spawn_local(async move {
                    if let Ok(value) = wasm_bindgen_futures::JsFuture::from(text).await {
                        csv_text.set(value.as_string().unwrap_or_default());
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, csv_text);
    };
    view! {
        <section class="import">
            <h2>"Import Microsoft Tenants"</h2>
            <p class="hint">"Choose or paste a CSV with the header "<code>"tenantId,displayName,defaultDomainName"</code>". Known tenants are refreshed; their mappings are kept. Rows with errors are reported by line; the others are imported."</p>
            <ActionForm action=action>
                <label for="csv-file">"CSV file"</label>
                <input id="csv-file" type="file" accept=".csv,text/csv" on:change=on_file/>
                <label for="csv">"CSV"</label>
                <textarea id="csv" name="csv" rows="5" placeholder="tenantId,displayName,defaultDomainName"
                    prop:value=move || csv_text.get() on:input=move |ev| csv_text.set(event_target_value(&ev))></textarea>
                <button type="submit" disabled=move || action.pending().get()>{move || if action.pending().get() { "Importing…" } else { "Import" }}</button>
            </ActionForm>
            {move || report().map(|r| match r {
                Ok(r) => view! {
                    <div class="note ok" role="status">
                        <p>{format!("Added {}, updated {}, rejected {}.", r.added, r.updated, r.rejected.len())}</p>
                        <ul>{r.rejected.into_iter().map(|(line, why)| view! { <li>{format!("Line {line}: {why}")}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
