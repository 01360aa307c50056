//! Syncro Tenants: the list, and the details page (rename, mapping on the left, Organizations
//! on the right, *Add Organizations*).

use crate::api::*;
use crate::components::*;
use crate::forms::{Edit, FormState};

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SyncroTenantList() -> impl IntoView {
    let q = query_param("q");
    let page = query_param("page");
    let delete = ServerAction::<DeleteSyncroTenant>::new();
    let rows = Resource::new(
        move || (q.get(), page.get()),
        |(q, p)| list_syncro_tenants(q, p),
    );
    view! {
        <Title text="Syncro Tenants"/>
        <h1>"Syncro Tenants"</h1>
        <p class="hint">"A Syncro Tenant groups Organizations and maps to one Microsoft Tenant."</p>
        <div class="toolbar"><SearchForm label="Search Syncro Tenants" value=q.get_untracked()/></div>
        <ErrorNote error=action_error(delete.value())/>
        <Loaded data=rows page={move |v, admin| match v {
                list if list.items.is_empty() => view! {
                    <p class="empty">{if q.get_untracked().trim().is_empty() {
                        "No Syncro Tenants yet: each Organization gets one when it is created (or joins one you choose).".to_string()
                    } else {
                        format!("No Syncro Tenants match “{}”.", q.get_untracked().trim())
                    }}" "<a href="/organizations">"Organizations"</a></p>
                }.into_any(),
                list => {
                    let pages = list.pages();
                    let (pg, total) = (list.page, list.total);
                    view! {
                        <table class="grid">
                            <thead><tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Microsoft Tenant"</th>
                                <th scope="col">"Organizations"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|st| {
                                    let deletable = admin && st.organization_count == 0 && st.microsoft_tenant.is_none();
                                    let label = format!("Delete {}", st.name);
                                    view! {
                                        <tr>
                                            <td data-label="Name"><a href=format!("/syncro-tenants/{}", st.id)>{st.name.clone()}</a></td>
                                            <td data-label="Microsoft Tenant">{st.microsoft_tenant.map(|m| m.name)}</td>
                                            <td data-label="Organizations">{st.organization_count}</td>
                                            <td class="actions">
                                                {deletable.then(|| view! {
                                                    <Confirm label="Delete" name=label.clone() class="danger small"
                                                        question=format!("Delete the Syncro Tenant “{}”? It has no Organizations and no mapping.", st.name)>
                                                        <ActionForm action=delete>
                                                            <input type="hidden" name="id" value=st.id.clone()/>
                                                            <input type="hidden" name="version" value=st.version.to_string()/>
                                                            <button type="submit" class="danger small" data-pending="Deleting…">{format!("Yes, delete {}", st.name)}</button>
                                                        </ActionForm>
                                                    </Confirm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <Pager page=pg pages=pages total=total link=move |p| url("/syncro-tenants", &[("q", &q.get()), ("page", &p.to_string())])/>
                    }.into_any()
                }
            }}/>
    }
}

#[component]
pub fn SyncroTenantDetailsPage() -> impl IntoView {
    let id = path_id();
    let org_q = query_param("org_q");
    let rename = ServerAction::<RenameSyncroTenant>::new();
    let rename_form = FormState::of(rename);
    let add = ServerAction::<AddOrganizations>::new();
    let unmap = ServerAction::<UnmapTenant>::new();
    let sync = ServerAction::<SyncMicrosoft>::new();
    let me = use_me();
    let details = Resource::new(move || id.get(), |id| syncro_tenant_details(id, "1".into()));
    let sync_status = Resource::new(move || id.get(), user_sync_status);
    // Only once asked for by name: a Syncro Tenant's page costs a page (on DynamoDB, another
    // list read would be a sixth request).
    let candidates = Resource::new(
        move || (id.get(), org_q.get()),
        |(id, q)| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                list_organizations(q, "1".into(), id).await.map(Some)
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = is_admin(me).await;
                match details.await {
                    Err(e) => view! { <RecordError title="Syncro Tenant" error=e/> }.into_any(),
                    Ok(d) => {
                        let status = sync_status.await;
                        let connected = status.as_ref().is_ok_and(|s| s.connected);
                        let st = d.tenant.clone();
                        let back = format!("/syncro-tenants/{}", st.id);
                        let st_id = st.id.clone();
                        view! {
                            <Title text=st.name.clone()/>
                            <p class="crumbs"><a href="/syncro-tenants">"Syncro Tenants"</a>" › "{st.name.clone()}</p>
                            <div class="heading-row">
                                <h1>{st.name.clone()}</h1>
                                {admin.then(|| view! { <a class="button secondary" href=url("/admin/activity", &[("record", &format!("st:{}", st.id))])>"History"</a> })}
                            </div>
                            {admin.then(|| {
                                // Kept through a refused rename, merged onto what is stored
                                // now when someone else renamed it meanwhile.
                                let edit = Edit::new(rename_form, st.version, vec![("name", st.name.clone())], &[]);
                                let choice = edit.choice("name", "Syncro Tenant name");
                                let label = choice.is_none().then(|| view! { <label for="f-name">"Syncro Tenant name"</label> });
                                let input = choice.unwrap_or_else(|| view! {
                                    <input id="f-name" name="name" value=edit.value("name") required=true/>
                                }.into_any());
                                view! {
                            <ActionForm action=rename attr:class="inline-form" attr:novalidate=true>
                                <input type="hidden" name="id" value=st.id.clone()/>
                                {edit.carried()}
                                {edit.stale_note("Syncro Tenant")}
                                {label}
                                <div class="row">
                                    {input}
                                    <button type="submit" data-pending="Saving…">"Rename"</button>
                                </div>
                                <ErrorNote error=action_error(rename.value())/>
                            </ActionForm>
                            }})}
                            <div class="split">
                                <section class="panel" aria-labelledby="mt-heading">
                                    <h2 id="mt-heading">"Microsoft Tenant"</h2>
                                    {match d.microsoft_tenant.clone() {
                                        Some(mt) => view! {
                                            <p class="mapped-tenant"><a href=url("/admin/microsoft-tenants", &[("q", &mt.tenant_id)])>{mt.display_name.clone()}</a></p>
                                            <p class="hint">{mt.default_domain.clone()}<br/><code>{mt.tenant_id.clone()}</code><br/>"Last sync: "{mt.last_sync.clone()}</p>
                                            {mt.gdap.clone().map(|g| view! { <p class="hint">{g}</p> })}
                                            {mt.status.clone().map(|s| view! { <p class=format!("note sync-status {}", s.kind)>{s.label}": "{s.detail}</p> })}
                                            {admin.then(|| view! {
                                                {if connected {
                                                    view! { <super::integration::SyncNowForm action=sync back=back.clone()/> }.into_any()
                                                } else {
                                                    view! { <NeedsMicrosoft what="Sync Now" admin=true/> }.into_any()
                                                }}
                                                <ErrorNote error=action_error(sync.value())/>
                                                <ActionForm action=unmap>
                                                    <input type="hidden" name="tenant_id" value=mt.tenant_id.clone()/>
                                                    <input type="hidden" name="version" value=mt.version.to_string()/>
                                                    <button type="submit" class="secondary">"Unmap"</button>
                                                </ActionForm>
                                            })}
                                            <ErrorNote error=action_error(unmap.value())/>
                                        }.into_any(),
                                        None => view! {
                                            <p>"Not mapped. "{admin.then(|| view! { <a href="/admin/microsoft-tenants?filter=unmapped">"Map a Microsoft Tenant"</a> })}</p>
                                        }.into_any(),
                                    }}
                                </section>
                                <section class="panel" aria-labelledby="org-heading">
                                    <h2 id="org-heading">{format!("Organizations ({})", st.organization_count)}</h2>
                                    <ul class="orgs">
                                        {d.organizations.items.iter().map(|o| view! { <li><a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a></li> }).collect_view()}
                                    </ul>
                                    {(d.organizations.total > d.organizations.items.len()).then(|| view! { <p class="hint">{format!("Showing {} of {}.", d.organizations.items.len(), d.organizations.total)}</p> })}
                                </section>
                            </div>
                            <super::user_sync::UserSyncPanel id=st_id admin=admin status=status mapped_to=d.microsoft_tenant.as_ref().map(|m| m.display_name.clone())/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
        <AdminOnly>
        <section class="panel add-orgs" aria-labelledby="add-heading">
            <h2 id="add-heading">"Add Organizations"</h2>
            <p class="hint">"Move Organizations into this Syncro Tenant. They leave their current Syncro Tenant in the same step."</p>
            <GetForm class="search" role="search">
                <label for="org-q" class="visually-hidden">"Find Organizations"</label>
                <input id="org-q" type="search" name="org_q" value=org_q.get_untracked() placeholder="Find Organizations"/>
                <button type="submit">"Find"</button>
            </GetForm>
            <ActionForm action=add>
                <input type="hidden" name="id" value=move || id.get()/>
                <input type="hidden" name="organizations[]" value=""/>
                <Loaded data=candidates page={move |v, _| match v {
                        None => view! { <p class="hint">"Find the Organizations to add by name."</p> }.into_any(),
                        Some(list) if list.items.is_empty() => view! { <p class="empty">"No other Organizations match."</p> }.into_any(),
                        Some(list) => view! {
                            <fieldset>
                                <legend class="visually-hidden">"Organizations to add"</legend>
                                {list.items.into_iter().map(|o| view! {
                                    <label class="check">
                                        <input type="checkbox" name="organizations[]" value=o.id.clone()/>
                                        {o.name.clone()}
                                        <span class="hint">{o.syncro_tenant.map(|s| format!(" — now in {}", s.name))}</span>
                                    </label>
                                }).collect_view()}
                            </fieldset>
                        }.into_any(),
                    }}/>
                <ErrorNote error=action_error(add.value())/>
                <button type="submit" class="primary" data-pending="Adding…">"Add Organizations"</button>
            </ActionForm>
        </section>
        </AdminOnly>
    }
}
