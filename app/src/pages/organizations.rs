//! Organizations: list, details, and the New / Edit form with ORGANIZATION SETTINGS.

use crate::api::*;
use crate::components::*;
use crate::error::AppError;
use crate::islands::SyncroTenantPicker;
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn OrganizationList() -> impl IntoView {
    let q = query_param("q");
    let page = query_param("page");
    let rows = Resource::new(
        move || (q.get(), page.get()),
        |(q, p)| list_organizations(q, p, String::new()),
    );
    let me = use_me();
    view! {
        <Title text="Organizations"/>
        <div class="heading-row">
            <h1>"Organizations"</h1>
            <AdminOnly><a class="button primary" href="/organizations/new">"New Organization"</a></AdminOnly>
        </div>
        <p class="hint">"Organizations were formerly called Customers."</p>
        <div class="toolbar"><SearchForm label="Search Organizations" value=q.get_untracked()/></div>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = is_admin(me).await;
                match rows.await {
                    Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) => {
                        let pages = list.pages();
                        let (pg, total) = (list.page, list.total);
                        let any = !list.items.is_empty();
                        view! {
                            {(admin && any).then(|| view! {
                                <form method="get" action=crate::pages::group::PATH id="group" class="toolbar">
                                    <button type="submit" class="secondary">"Group under one Syncro Tenant"</button>
                                    <span class="hint">"Select the Organizations below, then group them: one Syncro Tenant, one Microsoft Tenant."</span>
                                </form>
                            })}
                            <table class="grid">
                                <thead><tr>
                                    {admin.then(|| view! { <th scope="col"><span class="visually-hidden">"Select"</span></th> })}
                                    <th scope="col">"Name"</th><th scope="col">"Syncro Tenant"</th>
                                </tr></thead>
                                <tbody>
                                    {list.items.into_iter().map(|o| view! {
                                        <tr>
                                            {admin.then(|| view! {
                                                <td data-label="Select"><input type="checkbox" name="o" form="group" value=o.id.clone() aria-label=format!("Select {}", o.name)/></td>
                                            })}
                                            <td data-label="Name"><a href=format!("/organizations/{}", o.id)>{o.name}</a></td>
                                            <td data-label="Syncro Tenant">{o.syncro_tenant.map(|s| view! { <a href=format!("/syncro-tenants/{}", s.id)>{s.name}</a> })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager page=pg pages=pages total=total link=move |p| url("/organizations", &[("q", &q.get()), ("page", &p.to_string())])/>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let org = Resource::new(move || id.get(), organization_details);
    let me = use_me();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = is_admin(me).await;
                match org.await {
                    Err(e) => view! { <Title text="Organization"/><h1>"Organization"</h1><p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(o) => view! {
                        <Title text=o.name.clone()/>
                        <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "{o.name.clone()}</p>
                        <div class="heading-row">
                            <h1>{o.name.clone()}</h1>
                            {admin.then(|| view! {
                                <div class="buttons">
                                    <a class="button secondary" href=url("/admin/activity", &[("record", &format!("org:{}", o.id))])>"History"</a>
                                    <a class="button" href=format!("/organizations/{}/edit", o.id)>"Edit"</a>
                                </div>
                            })}
                        </div>
                        <crate::pages::end_users::OrganizationTabs id=o.id.clone() end_users=false/>
                        <dl class="facts">
                            <dt>"Syncro Tenant"</dt>
                            <dd><a href=format!("/syncro-tenants/{}", o.syncro_tenant.id)>{o.syncro_tenant.name.clone()}</a></dd>
                            <dt>"Microsoft Tenant"</dt>
                            <dd>{match o.microsoft_tenant.clone() {
                                Some(m) => view! { <a href=url("/admin/microsoft-tenants", &[("q", &m.tenant_id)])>{m.display_name}</a>" ("{m.default_domain}")" }.into_any(),
                                None => view! { <span class="hint">"Not mapped"</span> }.into_any(),
                            }}</dd>
                            <dt>"Email"</dt><dd>{o.email.clone()}</dd>
                            <dt>"Phone"</dt><dd>{o.phone.clone()}</dd>
                            <dt>"Website"</dt><dd>{(!o.website.is_empty()).then(|| view! { <a href=format!("https://{}", o.website) rel="noopener noreferrer" target="_blank">{o.website.clone()}</a> })}</dd>
                            <dt>"Address"</dt><dd class="pre">{o.address.clone()}</dd>
                        </dl>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn NewOrganization() -> impl IntoView {
    let action = ServerAction::<CreateOrganization>::new();
    let error = action_error(action.value());
    view! {
        <Title text="New Organization"/>
        <p class="crumbs"><a href="/organizations">"Organizations"</a>" › New"</p>
        <h1>"New Organization"</h1>
        <AdminOnly fallback=administrators_only>
        <ActionForm action=action attr:class="form">
            <OrganizationFields name=String::new() email=String::new() phone=String::new() website=String::new() address=String::new() error=error/>
            <SyncroTenantField current=None error=error/>
            <ErrorNote error=Signal::derive(move || error.get().filter(|e| e.field().is_none()))/>
            <div class="buttons">
                <button type="submit" class="primary" data-pending="Saving…">"Save"</button>
                <a class="button secondary" href="/organizations">"Cancel"</a>
            </div>
        </ActionForm>
        <GetForm id="st-filter"/>
        </AdminOnly>
    }
}

fn administrators_only() -> impl IntoView {
    view! { <p class="note" role="status">"Only Administrators can create or change Organizations."</p> }
}

#[component]
pub fn EditOrganization() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let org = Resource::new(move || id.get(), organization_details);
    let action = ServerAction::<UpdateOrganization>::new();
    let error = action_error(action.value());
    let me = use_me();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = is_admin(me).await;
                match org.await {
                    Err(e) => view! { <Title text="Edit Organization"/><h1>"Edit Organization"</h1><p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(o) => view! {
                        <Title text=format!("Edit {}", o.name)/>
                        <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "<a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a>" › Edit"</p>
                        <h1>"Edit Organization"</h1>
                        {if admin { view! {
                        <ActionForm action=action attr:class="form">
                            <input type="hidden" name="id" value=o.id.clone()/>
                            <input type="hidden" name="version" value=o.version.to_string()/>
                            <OrganizationFields name=o.name.clone() email=o.email.clone() phone=o.phone.clone() website=o.website.clone() address=o.address.clone() error=error/>
                            <SyncroTenantField current=Some(NamedRef { id: o.syncro_tenant.id.clone(), name: o.syncro_tenant.name.clone() }) error=error/>
                            <ErrorNote error=Signal::derive(move || error.get().filter(|e| e.field().is_none()))/>
                            <div class="buttons">
                                <button type="submit" class="primary" data-pending="Saving…">"Save"</button>
                                <a class="button secondary" href=format!("/organizations/{}", o.id)>"Cancel"</a>
                            </div>
                        </ActionForm>
                        <GetForm id="st-filter"/>
                        }.into_any() } else { administrators_only().into_any() }}
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The error for one field, shown under it.
fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().filter(|e| e.field() == Some(field)).map(|e| {
            let pick = match &e {
                AppError::NameTaken { existing_id: Some(id), kind, .. } if kind == "Syncro Tenant" => Some(id.clone()),
                _ => None,
            };
            view! {
                <p class="field-error" role="alert" id=format!("{field}-error")>
                    {e.to_string()}
                    {pick.map(|id| view! { " "<a href=format!("/syncro-tenants/{id}")>"Open the existing Syncro Tenant"</a>" or choose it under ORGANIZATION SETTINGS." })}
                </p>
            }
        })
    }
}

#[component]
fn OrganizationFields(
    name: String,
    email: String,
    phone: String,
    website: String,
    address: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <label for="org-name">"Name"</label>
        <input id="org-name" name="name" value=name required=true autocomplete="organization"/>
        {field_error(error, "name")}
        <div class="cols">
            <div>
                <label for="org-email">"Email"</label>
                <input id="org-email" name="email" type="email" value=email autocomplete="email"/>
                {field_error(error, "email")}
            </div>
            <div>
                <label for="org-phone">"Phone"</label>
                <input id="org-phone" name="phone" type="tel" value=phone autocomplete="tel"/>
                {field_error(error, "phone")}
            </div>
        </div>
        <label for="org-website">"Website"</label>
        <input id="org-website" name="website" value=website inputmode="url" autocomplete="url" placeholder="foggyit.com"/>
        {field_error(error, "website")}
        <label for="org-address">"Address"</label>
        <textarea id="org-address" name="address" rows="3">{address}</textarea>
        {field_error(error, "address")}
    }
}

/// ORGANIZATION SETTINGS: the parent Syncro Tenant. On a new Organization the default is a new
/// Syncro Tenant named after it (R4). The search box belongs to the page's `st-filter` GET form.
#[component]
fn SyncroTenantField(current: Option<NamedRef>, error: Signal<Option<AppError>>) -> impl IntoView {
    let st_q = query_param("st_q").get_untracked();
    let options = Resource::new(|| (), {
        let q = st_q.clone();
        move |_| syncro_tenant_options(q.clone(), false)
    });
    view! {
        <h2 class="section">"ORGANIZATION SETTINGS"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading Syncro Tenants…"</p> }>
            {move || {
                let (current, query) = (current.clone(), st_q.clone());
                Suspend::new(async move {
                    let new_option = current.is_none().then(|| "Create a new Syncro Tenant named after this Organization".to_string());
                    view! {
                        <SyncroTenantPicker select_id="org-st".to_string() filter_form="st-filter".to_string()
                            query=query options=options.await.unwrap_or_default()
                            selected=current.as_ref().map(|c| c.id.clone()).unwrap_or_default() pinned=current
                            new_option=new_option unmapped_only=false size=0 autofocus=false/>
                    }
                })
            }}
        </Suspense>
        <p class="hint">"Organizations that share one Microsoft Tenant share one Syncro Tenant."</p>
        {field_error(error, "syncro_tenant")}
    }
}
