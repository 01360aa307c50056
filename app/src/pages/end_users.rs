//! End Users: an Organization's End Users tab, a person's page (each field and where it came
//! from), and the Add / Edit forms with pins.

use crate::api::*;
use crate::components::*;
use crate::forms::{Edit, ErrorSummary, FormState, edit::flag};
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// The Organization page's tabs: Details and End Users.
#[component]
pub fn OrganizationTabs(id: String, end_users: bool) -> impl IntoView {
    let current = |on: bool| on.then_some("page");
    view! {
        <nav class="tabs" aria-label="Organization">
            <a class="tab" href=format!("/organizations/{id}") aria-current=current(!end_users)>"Details"</a>
            <a class="tab" href=format!("/organizations/{id}/end-users") aria-current=current(end_users)>"End Users"</a>
        </nav>
    }
}

#[component]
pub fn EndUsersPage() -> impl IntoView {
    let id = path_id();
    let (q, inactive, after) = (
        query_param("q"),
        query_param("inactive"),
        query_param("after"),
    );
    let list = Resource::new(
        move || (id.get(), q.get(), inactive.get(), after.get()),
        |(id, q, inactive, after)| list_end_users(id, q, inactive, after),
    );
    view! {
        <Loaded data=list record="End Users" page={move |v, _| {
                let org = v.organization.clone();
                let base = format!("/organizations/{}/end-users", org.id);
                let state = if v.inactive { "1" } else { "" };
                let tab = |on: bool, label: &'static str, value: &str| {
                    view! { <a class="tab" href=url(&base, &[("inactive", value), ("q", &q.get_untracked())]) aria-current=on.then_some("page")>{label}</a> }
                };
                let empty = v.rows.is_empty();
                let new_href = format!("{base}/new");
                view! {
                    <Title text=format!("End Users of {}", org.name)/>
                    <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "<a href=format!("/organizations/{}", org.id)>{org.name.clone()}</a>" › End Users"</p>
                    <div class="heading-row">
                        <h1>{org.name.clone()}</h1>
                        <AdminOnly><a class="button primary" href=new_href.clone()>"Add End User"</a></AdminOnly>
                    </div>
                    <OrganizationTabs id=org.id.clone() end_users=true/>
                    <div class="toolbar">
                        <nav class="tabs" aria-label="Status">
                            {tab(!v.inactive, "Active", "")}
                            {tab(v.inactive, "Inactive", "1")}
                        </nav>
                        <SearchForm label="Search End Users" value=q.get_untracked() keep=vec![("inactive", state.to_string())]/>
                    </div>
                    {if empty && v.next.is_none() {
                        view! { <p class="note" role="status">{match (v.inactive, q.get_untracked().is_empty()) {
                            (_, false) => "No End User matches this search.",
                            (false, true) => "No active End Users yet.",
                            (true, true) => "No inactive End Users.",
                        }}</p> }.into_any()
                    } else {
                        view! {
                            <table class="grid">
                                <thead><tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Job title"</th><th scope="col">"Department"</th><th scope="col">"Source"</th></tr></thead>
                                <tbody>
                                    {v.rows.into_iter().map(|r| view! {
                                        <tr>
                                            <td data-label="Name"><a href=format!("/end-users/{}", r.id)>{r.name}</a></td>
                                            <td data-label="Email">{r.email}</td>
                                            <td data-label="Job title">{r.job_title}</td>
                                            <td data-label="Department">{r.department}</td>
                                            <td data-label="Source">{if r.synced { "Entra ID" } else { "Added by hand" }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                    <nav class="pager" aria-label="Pages">
                        {v.searched_far.then(|| view! { <span>"Looked through 2,000 people without filling the page."</span> })}
                        {(!after.get_untracked().is_empty()).then(|| view! { <a href=url(&base, &[("inactive", state), ("q", &q.get_untracked())])>"First page"</a> })}
                        {v.next.map(|n| view! { <a href=url(&base, &[("inactive", state), ("q", &q.get_untracked()), ("after", &n)]) rel="next">"Next"</a> })}
                    </nav>
                }.into_any()
            }}/>
    }
}

/// The fields of the Add and Edit forms; `pins` adds a "Pin" checkbox to each (Edit).
#[component]
fn EndUserFields(
    fields: Vec<EndUserFieldView>,
    pins: bool,
    form: FormState,
    /// An edit: the person as stored, carried through refusals and merged when stale.
    #[prop(optional)]
    edit: Option<Edit>,
) -> impl IntoView {
    fields
        .into_iter()
        .map(|f| {
            let key: &'static str = match f.key.as_str() {
                "name" => "name",
                "email" => "email",
                "other_emails" => "other_emails",
                "job_title" => "job_title",
                "department" => "department",
                "office_location" => "office_location",
                _ => "phone",
            };
            let input_id = format!("f-{key}");
            let (kind, auto) = match key {
                "email" => ("email", "email"),
                "phone" => ("tel", "tel"),
                "name" => ("text", "name"),
                "job_title" => ("text", "organization-title"),
                _ => ("text", "off"),
            };
            let hint = (key == "other_emails").then(|| view! { <p class="hint">"Aliases, separated by commas."</p> });
            let value = match &edit {
                Some(e) => e.value(key),
                None => form.value(key, f.value.clone()),
            };
            let pin = format!("pin_{key}");
            let pinned = match &edit {
                Some(e) => e.checked(&pin),
                None => form.checked(&pin, f.pinned),
            };
            let invalid = form.invalid(key);
            let input = match edit.as_ref().and_then(|e| e.choice(key, &f.label)) {
                Some(choice) => choice,
                None => view! {
                    <label for=input_id.clone()>{f.label.clone()}</label>
                    <input id=input_id name=key type=kind value=value autocomplete=auto required=key == "name"
                        aria-invalid=move || invalid.get().then_some("true") aria-describedby=format!("{key}-error")/>
                }.into_any(),
            };
            view! {
                <div class="field">
                    {input}
                    {hint}
                    {pins.then(|| view! {
                        <label class="check"><input type="checkbox" name=pin checked=pinned/>{format!(" Pin {}: a sync never changes it", f.label.to_lowercase())}</label>
                    })}
                    {form.error(key)}
                </div>
            }
        })
        .collect_view()
}

/// The edit form of the End User stored now as `p`: its fields, their pins and the person's pin.
fn end_user_edit(form: FormState, p: &EndUserView) -> Edit {
    const KEYS: [&str; 7] = [
        "name",
        "email",
        "other_emails",
        "job_title",
        "department",
        "office_location",
        "phone",
    ];
    const PINS: [&str; 8] = [
        "pin_name",
        "pin_email",
        "pin_other_emails",
        "pin_job_title",
        "pin_department",
        "pin_office_location",
        "pin_phone",
        "pin_person",
    ];
    let mut stored = Vec::new();
    for (key, pin) in KEYS.into_iter().zip(PINS) {
        let f = p.fields.iter().find(|f| f.key == key);
        stored.push((key, f.map(|f| f.value.clone()).unwrap_or_default()));
        stored.push((pin, flag(f.is_some_and(|f| f.pinned))));
    }
    stored.push(("pin_person", flag(p.pinned_person)));
    Edit::new(form, p.version, stored, &PINS)
}

fn blank_fields() -> Vec<EndUserFieldView> {
    [
        ("name", "Name"),
        ("email", "Email"),
        ("other_emails", "Other emails"),
        ("job_title", "Job title"),
        ("department", "Department"),
        ("office_location", "Office location"),
        ("phone", "Phone"),
    ]
    .into_iter()
    .map(|(key, label)| EndUserFieldView {
        key: key.into(),
        label: label.into(),
        value: String::new(),
        origin: String::new(),
        pinned: false,
    })
    .collect()
}

fn administrators_only() -> impl IntoView {
    view! { <p class="note" role="status">"Only Administrators can add or change End Users."</p> }
}

#[component]
pub fn NewEndUser() -> impl IntoView {
    let id = path_id();
    let org = Resource::new(move || id.get(), organization_details);
    let action = ServerAction::<CreateEndUser>::new();
    let form = FormState::of(action);
    view! {
        <Title text="Add End User"/>
        <Loaded data=org record="Add End User" page={move |o, admin| {
                let org_id = o.id.clone();
                let back = format!("/organizations/{}/end-users", o.id);
                view! {
                <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "<a href=back.clone()>{o.name.clone()}</a>" › Add End User"</p>
                <h1>{format!("Add End User to {}", o.name)}</h1>
                {if admin { view! {
                    <ErrorSummary form=form/>
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="organization" value=org_id.clone()/>
                        <EndUserFields fields=blank_fields() pins=false form=form/>
                        <div class="buttons">
                            <button type="submit" class="primary" data-pending="Saving…">"Save"</button>
                            <a class="button secondary" href=back.clone()>"Cancel"</a>
                        </div>
                    </ActionForm>
                }.into_any() } else { administrators_only().into_any() }}
            }.into_any() }}/>
    }
}

#[component]
pub fn EndUserPage() -> impl IntoView {
    let id = path_id();
    let eu = Resource::new(move || id.get(), end_user_details);
    let toggle = ServerAction::<SetEndUserActive>::new();
    let error = action_error(toggle.value());
    view! {
        <Loaded data=eu record="End User" page={move |p, admin| {
                let history = url("/admin/activity", &[("record", &format!("eu:{}", p.id))]);
                let edit = format!("/end-users/{}/edit", p.id);
                let (pid, version) = (p.id.clone(), p.version.to_string());
                view! {
                <Title text=p.name.clone()/>
                <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "<a href=format!("/organizations/{}/end-users", p.organization.id)>{p.organization.name.clone()}</a>" › "{p.name.clone()}</p>
                <div class="heading-row">
                    <h1>{p.name.clone()}</h1>
                    {admin.then(|| view! {
                        <div class="buttons">
                            <a class="button secondary" href=history>"History"</a>
                            <ActionForm action=toggle>
                                <input type="hidden" name="id" value=pid/>
                                <input type="hidden" name="version" value=version/>
                                {(!p.active).then(|| view! { <input type="hidden" name="active" value="1"/> })}
                                <button type="submit" class="secondary" data-pending="Saving…">{if p.active { "Deactivate" } else { "Reactivate" }}</button>
                            </ActionForm>
                            <a class="button" href=edit>"Edit"</a>
                        </div>
                    })}
                </div>
                <ErrorNote error=error/>
                <dl class="facts">
                    <dt>"Organization"</dt>
                    <dd><a href=format!("/organizations/{}/end-users", p.organization.id)>{p.organization.name.clone()}</a></dd>
                    <dt>"Status"</dt>
                    <dd>{if p.active { "Active" } else { "Inactive" }}</dd>
                    <dt>"Source"</dt>
                    <dd>{p.source.clone()}{p.pinned_person.then_some(" · Pinned: a sync neither changes nor deactivates this person")}</dd>
                </dl>
                <table class="grid">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Value"</th><th scope="col">"Came from"</th></tr></thead>
                    <tbody>
                        {p.fields.into_iter().map(|f| view! {
                            <tr>
                                <th scope="row" data-label="Field">{f.label}</th>
                                <td data-label="Value">{f.value}</td>
                                <td data-label="Came from">{f.origin}{f.pinned.then_some(" · pinned")}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any() }}/>
    }
}

#[component]
pub fn EditEndUser() -> impl IntoView {
    let id = path_id();
    let eu = Resource::new(move || id.get(), end_user_details);
    let action = ServerAction::<UpdateEndUser>::new();
    let form = FormState::of(action);
    view! {
        <Title text="Edit End User"/>
        <Loaded data=eu record="Edit End User" page={move |p, admin| {
                let (pid, fields) = (p.id.clone(), p.fields.clone());
                let edit = end_user_edit(form, &p);
                let pinned_person = edit.checked("pin_person");
                view! {
                <p class="crumbs"><a href="/organizations">"Organizations"</a>" › "<a href=format!("/organizations/{}/end-users", p.organization.id)>{p.organization.name.clone()}</a>" › "<a href=format!("/end-users/{}", p.id)>{p.name.clone()}</a>" › Edit"</p>
                <h1>{format!("Edit {}", p.name)}</h1>
                {if admin { view! {
                    <ErrorSummary form=form/>
                    {edit.stale_note("person")}
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="id" value=pid.clone()/>
                        {edit.carried()}
                        <EndUserFields fields=fields.clone() pins=true form=form edit=edit.clone()/>
                        <label class="check"><input type="checkbox" name="pin_person" checked=pinned_person/>" Pin this person: a sync neither changes nor deactivates them"</label>
                        <div class="buttons">
                            <button type="submit" class="primary" data-pending="Saving…">"Save"</button>
                            <a class="button secondary" href=format!("/end-users/{pid}")>"Cancel"</a>
                        </div>
                    </ActionForm>
                }.into_any() } else { administrators_only().into_any() }}
            }.into_any() }}/>
    }
}
