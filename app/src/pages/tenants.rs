//! Admin > RMM Settings - Microsoft Tenant Management: the table, the ⋮ menu, the Start Tenant
//! Mapping dialog (its state lives in the URL, so it works with JavaScript off), and the import.

use crate::api::*;
use crate::components::*;
use crate::islands::{Modal, RowMenu, SyncroTenantPicker};
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TenantManagement() -> impl IntoView {
    let filter = query_param("filter");
    let q = query_param("q");
    let sort = query_param("sort");
    let dir = query_param("dir");
    let page = query_param("page");
    let map = query_param("map");
    let change = query_param("change");

    // Their latest error comes back in the URL after a form post (`__err`).
    let map_action = ServerAction::<MapTenant>::new();
    let unmap = ServerAction::<UnmapTenant>::new();
    let rows = Resource::new(
        move || (filter.get(), q.get(), sort.get(), dir.get(), page.get()),
        |(f, q, s, d, p)| list_microsoft_tenants(f, q, s, d, p),
    );
    // The dialog's tenant and choices: made here, once, not inside the Administrator-only
    // part (which renders again when the signed-in user arrives, and would fetch them twice).
    let st_q = query_param("st_q");
    let dialog = Resource::new(
        move || (map.get(), st_q.get()),
        |(id, q)| async move {
            if id.is_empty() {
                return None;
            }
            Some((
                get_microsoft_tenant(id).await,
                syncro_tenant_options(q, true).await,
            ))
        },
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
    let tab = move |value: &'static str, label: &'static str, count: Option<usize>| {
        let current = move || filter.get() == value || (value.is_empty() && filter.get() == "all");
        let text = match count {
            Some(n) => format!("{label} ({n})"),
            None => label.to_string(),
        };
        view! {
            <a href=move || link(&[("filter", value), ("page", "")]) aria-current=move || current().then_some("page") class="tab">{text}</a>
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
        <div class="heading-row">
            <h1>"RMM Settings - Microsoft Tenant Management"</h1>
            <div class="buttons">
                <a class="button secondary" href="/admin/microsoft-tenants/suggestions">"Suggestions"</a>
                <a class="button secondary" href="/admin/microsoft-tenants/export.csv" download="" rel="external">"Export CSV"</a>
                <AdminOnly><a class="button secondary" href=IMPORT_PATH>"Import CSV"</a></AdminOnly>
            </div>
        </div>
        <div class="toolbar">
            <nav class="tabs" aria-label="Filter">
                <Transition fallback=move || view! { {tab("", "All", None)}{tab("unmapped", "Unmapped", None)}{tab("mapped", "Mapped", None)}{tab("attention", "Needs attention", None)} }>
                    {move || Suspend::new(async move {
                        let c = rows.await.map(|l| l.counts).ok();
                        view! {
                            {tab("", "All", c.map(|c| c.all))}
                            {tab("unmapped", "Unmapped", c.map(|c| c.unmapped))}
                            {tab("mapped", "Mapped", c.map(|c| c.mapped))}
                            {tab("attention", "Needs attention", c.map(|c| c.attention))}
                        }
                    })}
                </Transition>
            </nav>
            <SearchForm label="Search Microsoft Tenants" placeholder="Name, domain or ID" value=q.get_untracked() keep=vec![("filter", filter.get_untracked()), ("sort", sort.get_untracked()), ("dir", dir.get_untracked())]/>
        </div>
        <ErrorNote error=action_error(unmap.value())/>
        <Loaded data=rows loading="Loading Microsoft Tenants…" page={move |v, admin| match v {
                TenantList { tenants, connected, .. } if tenants.items.is_empty() => view! {
                    <p class="empty">"No Microsoft Tenants match. Change the filter, "
                        {if connected { "or Sync Now on " } else { "connect " }}
                        <a href="/admin/microsoft-integration">"the Microsoft integration"</a>", or import a CSV."</p>
                }.into_any(),
                TenantList { tenants: list, connected, .. } => {
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
            }}/>
        <AdminOnly>
            {move || {
                let id = map.get();
                let change = change.get() == "true";
                // The dialog is rebuilt only when its tenant or mode changes.
                let back = untrack(|| link(&[]));
                (!id.is_empty()).then(|| view! {
                    <MapDialog tenant_id=id change=change back=back action=map_action data=dialog/>
                })
            }}
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
                    <button type="submit" role="menuitem" data-pending="Unmapping…">"Unmap"</button>
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
            <td data-label="Domain">
                {row.default_domain}
                {(!row.other_domains.is_empty()).then(|| {
                    let n = row.other_domains.len();
                    view! {
                        <details class="domains">
                            <summary>{format!("{n} more verified domain{}", if n == 1 { "" } else { "s" })}</summary>
                            <ul>{row.other_domains.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                        </details>
                    }
                })}
            </td>
            <td data-label="Tenant ID" class="id"><code>{row.tenant_id.clone()}</code></td>
            <td data-label="Syncro Tenant">
                {match row.syncro_tenant {
                    Some(st) => view! { <a href=format!("/syncro-tenants/{}", st.id)>{st.name}</a> }.into_any(),
                    None => view! { <span class="hint">"Not mapped"</span> }.into_any(),
                }}
            </td>
            <td data-label="Last sync" class="when">
                {row.last_sync}
                {row.gdap.map(|g| view! { <span class="hint gdap">{g}</span> })}
                {row.status.map(|s| view! { <span class=format!("sync-status {}", s.kind) title=s.detail.clone()>{s.label}<span class="visually-hidden">{format!(": {}", s.detail)}</span></span> })}
            </td>
            <td class="actions">{admin.then(|| view! { <RowMenu label=label><ul role="menu">{menu}</ul></RowMenu> })}</td>
        </tr>
    }
}

/// What the mapping dialog shows: its tenant, and the Syncro Tenants it may be mapped to.
type DialogData = (
    Result<MicrosoftTenantRow, crate::error::AppError>,
    Result<Vec<NamedRef>, crate::error::AppError>,
);

/// Start Tenant Mapping (or Change Syncro Tenant): a modal dialog whose state is the URL
/// (`map`, `change`, `st_q`), so it opens, filters and submits without JavaScript too.
#[component]
fn MapDialog(
    tenant_id: String,
    change: bool,
    back: String,
    action: ServerAction<MapTenant>,
    data: Resource<Option<DialogData>>,
) -> impl IntoView {
    let st_q = query_param("st_q").get_untracked();
    let title = if change {
        "Change Syncro Tenant"
    } else {
        "Start Tenant Mapping"
    };
    let error = action_error(action.value());
    // The list's parameters, kept when the filter reloads the page.
    let keep: Vec<(&'static str, String)> = ["filter", "q", "sort", "dir", "page"]
        .into_iter()
        .map(|k| (k, query_param(k).get_untracked()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let back_form = back.clone();
    view! {
        <Modal labelled_by="map-title".to_string() back=back.clone()>
            <h2 id="map-title">{title}</h2>
            <form method="get" id="map-filter">
                {keep.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v/> }).collect_view()}
                <input type="hidden" name="map" value=tenant_id.clone()/>
                {change.then(|| view! { <input type="hidden" name="change" value="true"/> })}
            </form>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let (back, query) = (back_form.clone(), st_q.clone());
                    Suspend::new(async move {
                        let Some((tenant, options)) = data.await else {
                            return ().into_any();
                        };
                        match tenant {
                            Err(e) => view! {
                                <p class="note error" role="alert">{e.to_string()}</p>
                                <div class="buttons"><a href=back class="button secondary">"Cancel"</a></div>
                            }.into_any(),
                            Ok(t) => view! {
                                <p>"Microsoft Tenant: "<strong>{t.display_name.clone()}</strong>" ("{t.default_domain.clone()}")"
                                    {t.syncro_tenant.clone().map(|s| view! { <br/>"Currently mapped to "<strong>{s.name}</strong> })}
                                </p>
                                <ActionForm action=action>
                                    <input type="hidden" name="tenant_id" value=t.tenant_id.clone()/>
                                    <input type="hidden" name="version" value=t.version.to_string()/>
                                    <input type="hidden" name="change" value=if change { "true" } else { "" }/>
                                    <input type="hidden" name="back" value=back.clone()/>
                                    <SyncroTenantPicker select_id="st-select".to_string() filter_form="map-filter".to_string()
                                        query=query options=options.unwrap_or_default() selected=String::new() pinned=None
                                        new_option=None unmapped_only=true size=6 autofocus=true/>
                                    <ErrorNote error=error/>
                                    <div class="buttons">
                                        <button type="submit" class="primary" data-pending="Working…">{title}</button>
                                        <a href=back class="button secondary">"Cancel"</a>
                                    </div>
                                </ActionForm>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </Modal>
    }
}
