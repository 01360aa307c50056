//! Organizations: list, details, and the New / Edit form with ORGANIZATION SETTINGS.

use crate::api::*;
use crate::components::*;
use crate::error::AppError;
use crate::forms::{Edit, ErrorSummary, FormState};
use crate::islands::SyncroTenantPicker;
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn OrganizationList() -> impl IntoView {
    let q = query_param("q");
    let page = query_param("page");
    // "Select all on this page": the same page with every box ticked (works without JavaScript).
    let all = query_param("all");
    let rows = Resource::new(
        move || (q.get(), page.get()),
        |(q, p)| list_organizations(q, p, String::new()),
    );
    view! {
        <Title text="Organizations"/>
        <div class="heading-row">
            <h1>"Organizations"</h1>
            <AdminOnly><a class="button primary" href="/organizations/new">"New Organization"</a></AdminOnly>
        </div>
        <p class="hint">"Organizations were formerly called Customers."</p>
        <div class="toolbar"><SearchForm label="Search Organizations" value=q.get_untracked()/></div>
        <Loaded data=rows page={move |v, admin| match v {
                // None yet, or none that match: say so and what to do next.
                list if list.items.is_empty() => {
                    let searched = !q.get_untracked().trim().is_empty();
                    view! {
                        <p class="empty">
                            {if searched {
                                view! { {format!("No Organizations match “{}”. ", q.get_untracked().trim())}<a href="/organizations">"Show all"</a> }.into_any()
                            } else if admin {
                                view! { "No Organizations yet. "<a href="/organizations/new">"New Organization"</a>" — or import the mapping file under "<a href=crate::api::IMPORT_PATH>"Import CSV"</a>" to create them with their Syncro Tenants." }.into_any()
                            } else {
                                view! { "No Organizations yet. An Administrator adds them." }.into_any()
                            }}
                        </p>
                    }.into_any()
                }
                list => {
                    let pages = list.pages();
                    let (pg, total) = (list.page, list.total);
                    let any = !list.items.is_empty();
                    view! {
                        {(admin && any).then(|| view! {
                            <form method="get" action=crate::pages::group::PATH id="group" class="toolbar">
                                <button type="submit" class="secondary">"Group under one Syncro Tenant"</button>
                                {if all.get_untracked().is_empty() {
                                    view! { <a href=url("/organizations", &[("q", &q.get_untracked()), ("page", &page.get_untracked()), ("all", "1")])>"Select all on this page"</a> }.into_any()
                                } else {
                                    view! { <a href=url("/organizations", &[("q", &q.get_untracked()), ("page", &page.get_untracked())])>"Clear the selection"</a> }.into_any()
                                }}
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
                                            <td data-label="Select"><input type="checkbox" name="o" form="group" value=o.id.clone() checked=!all.get_untracked().is_empty() aria-label=format!("Select {}", o.name)/></td>
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
            }}/>
    }
}

#[component]
pub fn OrganizationPage() -> impl IntoView {
    let id = path_id();
    let org = Resource::new(move || id.get(), organization_details);
    view! {
        <Loaded data=org record="Organization" page={move |o, admin| view! {
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
            }.into_any()}/>
    }
}

#[component]
pub fn NewOrganization() -> impl IntoView {
    let action = ServerAction::<CreateOrganization>::new();
    let form = FormState::of(action);
    let choices = syncro_tenant_choices();
    view! {
        <Title text="New Organization"/>
        <p class="crumbs"><a href="/organizations">"Organizations"</a>" › New"</p>
        <h1>"New Organization"</h1>
        <AdminOnly fallback=administrators_only>
        <ErrorSummary form=form/>
        <ActionForm action=action attr:class="form" attr:novalidate=true>
            <OrganizationFields form=form edit=None/>
            <SyncroTenantField current=None selected=None form=form options=choices/>
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
    let id = path_id();
    let org = Resource::new(move || id.get(), organization_details);
    let action = ServerAction::<UpdateOrganization>::new();
    let form = FormState::of(action);
    let choices = syncro_tenant_choices();
    view! {
        <Loaded data=org record="Edit Organization" page={move |o, admin| {
                // The form carries the Organization as first opened through every refused
                // save; a stale one is merged field by field onto what is stored now.
                let edit = organization_edit(form, &o);
                let current = NamedRef { id: o.syncro_tenant.id.clone(), name: o.syncro_tenant.name.clone() };
                let st_now = edit.conflict("syncro_tenant").map(|_| o.syncro_tenant.name.clone());
                view! {
                <Title text=format!("Edit {}", o.name)/>
                <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "<a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a>" › Edit"</p>
                <h1>"Edit Organization"</h1>
                {if admin { view! {
                <ErrorSummary form=form/>
                {edit.stale_note("Organization")}
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="id" value=o.id.clone()/>
                    {edit.carried()}
                    <OrganizationFields form=form edit=Some(edit.clone())/>
                    <SyncroTenantField current=Some(current) selected=Some(edit.value("syncro_tenant")) form=form options=choices/>
                    {st_now.map(|name| view! { <p class="hint stored-now">"Stored now: "{name}" — choose it above to keep it"</p> })}
                    <div class="buttons">
                        <button type="submit" class="primary" data-pending="Saving…">"Save"</button>
                        <a class="button secondary" href=format!("/organizations/{}", o.id)>"Cancel"</a>
                    </div>
                </ActionForm>
                <GetForm id="st-filter"/>
                }.into_any() } else { administrators_only().into_any() }}
            }.into_any()}}/>
    }
}

/// The edit form of an Organization stored now as `o`.
fn organization_edit(form: FormState, o: &OrganizationView) -> Edit {
    Edit::new(
        form,
        o.version,
        vec![
            ("name", o.name.clone()),
            ("email", o.email.clone()),
            ("phone", o.phone.clone()),
            ("website", o.website.clone()),
            ("address", o.address.clone()),
            ("syncro_tenant", o.syncro_tenant.id.clone()),
        ],
        &[],
    )
}

/// A field of the Organization form: its label, its input (`f-{name}`, described by its error),
/// its refusal — and, after a stale save where both people changed it, the choice between
/// the two values instead of the input.
fn text_field(
    form: &FormState,
    edit: &Option<Edit>,
    name: &'static str,
    label: &'static str,
    input: impl FnOnce(String, String, Signal<bool>) -> AnyView,
) -> impl IntoView {
    if let Some(choice) = edit.as_ref().and_then(|e| e.choice(name, label)) {
        return view! { {choice} {form.error(name)} }.into_any();
    }
    let value = match edit {
        Some(e) => e.value(name),
        None => form.value(name, ""),
    };
    let id = format!("f-{name}");
    view! {
        <label for=id.clone()>{label}</label>
        {input(id, value, form.invalid(name))}
        {form.error(name)}
    }
    .into_any()
}

/// The Organization's own fields: blank on a new one, the record's (`edit`) on an edit.
#[component]
fn OrganizationFields(form: FormState, edit: Option<Edit>) -> impl IntoView {
    let described = |field: &'static str| format!("{field}-error");
    let taken = {
        let error = form.error;
        move || {
            error.get().and_then(|e| match e {
                // "Already taken by …": a link to whoever holds the name.
                AppError::NameTaken { existing_id: Some(id), kind, existing, .. } => Some(if kind == "Syncro Tenant" {
                    view! {
                        <p class="hint"><a href=format!("/syncro-tenants/{id}")>{format!("Open the existing Syncro Tenant “{existing}”")}</a>" or choose it under ORGANIZATION SETTINGS."</p>
                    }.into_any()
                } else {
                    view! {
                        <p class="hint"><a href=format!("/organizations/{id}")>{format!("Open the Organization “{existing}”")}</a></p>
                    }.into_any()
                }),
                _ => None,
            })
        }
    };
    view! {
        {text_field(&form, &edit, "name", "Name", move |id, value, invalid| view! {
            <input id=id name="name" value=value required=true autocomplete="organization"
                aria-invalid=move || invalid.get().then_some("true") aria-describedby=described("name")/>
        }.into_any())}
        {taken}
        <div class="cols">
            <div>
                {text_field(&form, &edit, "email", "Email", move |id, value, invalid| view! {
                    <input id=id name="email" type="email" value=value autocomplete="email"
                        aria-invalid=move || invalid.get().then_some("true") aria-describedby=described("email")/>
                }.into_any())}
            </div>
            <div>
                {text_field(&form, &edit, "phone", "Phone", move |id, value, invalid| view! {
                    <input id=id name="phone" type="tel" value=value autocomplete="tel"
                        aria-invalid=move || invalid.get().then_some("true") aria-describedby=described("phone")/>
                }.into_any())}
            </div>
        </div>
        {text_field(&form, &edit, "website", "Website", move |id, value, invalid| view! {
            <input id=id name="website" value=value inputmode="url" autocomplete="url" placeholder="foggyit.com"
                aria-invalid=move || invalid.get().then_some("true") aria-describedby=described("website")/>
        }.into_any())}
        {text_field(&form, &edit, "address", "Address", move |id, value, invalid| view! {
            <textarea id=id name="address" rows="3"
                aria-invalid=move || invalid.get().then_some("true") aria-describedby=described("address")>{value}</textarea>
        }.into_any())}
    }
}

/// The Syncro Tenants the form offers (those matching `st_q`). Made with the page, once: a
/// resource made inside a part that renders again (the Administrator-only part, when the user
/// arrives) would be fetched twice.
fn syncro_tenant_choices() -> Resource<Result<Vec<NamedRef>, AppError>> {
    let st_q = query_param("st_q");
    Resource::new(move || st_q.get(), |q| syncro_tenant_options(q, false))
}

/// ORGANIZATION SETTINGS: the parent Syncro Tenant. On a new Organization the default is a new
/// Syncro Tenant named after it (R4). The search box belongs to the page's `st-filter` GET form.
#[component]
fn SyncroTenantField(
    current: Option<NamedRef>,
    /// The choice an edit form shows (else what was posted, else `current`).
    selected: Option<String>,
    form: FormState,
    options: Resource<Result<Vec<NamedRef>, AppError>>,
) -> impl IntoView {
    let st_q = query_param("st_q").get_untracked();
    view! {
        <h2 class="section">"ORGANIZATION SETTINGS"</h2>
        <Suspense fallback=|| view! { <p class="loading">"Loading Syncro Tenants…"</p> }>
            {move || {
                let (current, query) = (current.clone(), st_q.clone());
                let selected = selected.clone().unwrap_or_else(|| form.value(
                    "syncro_tenant",
                    current.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
                ));
                Suspend::new(async move {
                    let new_option = current.is_none().then(|| "Create a new Syncro Tenant named after this Organization".to_string());
                    view! {
                        <SyncroTenantPicker select_id="f-syncro_tenant".to_string() filter_form="st-filter".to_string()
                            query=query options=options.await.unwrap_or_default()
                            selected=selected pinned=current
                            new_option=new_option unmapped_only=false size=0 autofocus=false/>
                    }
                })
            }}
        </Suspense>
        <p class="hint">"Organizations that share one Microsoft Tenant share one Syncro Tenant."</p>
        {form.error("syncro_tenant")}
    }
}
