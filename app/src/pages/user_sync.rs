//! Entra ID User Sync: the panel on a Syncro Tenant's page (its state, last run, *Sync Now*),
//! the setup form (filters, routing rules) and the preview that must be applied before the
//! sync runs with new settings.

use crate::api::*;
use crate::components::*;
use crate::error::AppError;
use crate::forms::{Edit, ErrorSummary, FormState, TextInput, edit::flag};
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// What the app needs in the customer's tenant, said where the sync is set up.
const PERMISSIONS: &str = "The app needs User.Read.All (and GroupMember.Read.All for groups) in the customer's tenant. With MailboxSettings.Read as well, shared, room and equipment mailboxes are told apart from people; without it they cannot be.";

fn report(r: UserSyncReportView, admin: bool, st: String) -> impl IntoView {
    let braked = r.braked.clone();
    view! {
        <p class="last-run"><strong>"Last run: "</strong>{format!("{} ({}): {}", r.at, r.trigger, r.summary)}
            {(r.skipped > 0).then(|| format!("; {} not brought in (filters, or no rule)", r.skipped))}</p>
        {r.error.map(|e| view! { <p class="note error" role="alert">{e}</p> })}
        {braked.map(|b| view! {
            <div class="note warning" role="alert">
                <p>{b}</p>
                {admin.then(|| view! {
                    <form method="post" action="/api/sync-users-now">
                        <input type="hidden" name="syncro_tenant" value=st.clone()/>
                        <input type="hidden" name="past_the_brake" value="1"/>
                        <button type="submit" class="danger" data-pending="Syncing…">"Apply anyway"</button>
                    </form>
                })}
            </div>
        })}
        {r.notes.into_iter().map(|n| view! { <p class="hint">{n}</p> }).collect_view()}
        {(!r.review.is_empty()).then(|| view! {
            <h3>{format!("To review ({})", r.review_count)}</h3>
            <ul class="review">
                {r.review.into_iter().map(|(who, why)| view! { <li><strong>{who}</strong>": "{why}</li> }).collect_view()}
            </ul>
        })}
    }
}

/// The panel on a Syncro Tenant's details page; `mapped_to` names its Microsoft Tenant and
/// `status` is what `user_sync_status` said (loaded by the page, which also needs `connected`).
#[component]
pub fn UserSyncPanel(
    id: String,
    admin: bool,
    mapped_to: Option<String>,
    status: Result<UserSyncStatusView, AppError>,
) -> impl IntoView {
    let st = id;
    let body = match status {
        Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
        Ok(_) if mapped_to.is_none() => view! {
            <p>"Map a Microsoft Tenant to this Syncro Tenant to bring its users in as End Users."</p>
        }.into_any(),
        Ok(v) if !v.set_up && !v.connected => view! {
            <p>"Bring this tenant's users in as the End Users of its Organizations, and keep them current."</p>
            <NeedsMicrosoft what="Entra ID User Sync" admin=admin/>
        }.into_any(),
        Ok(v) if !v.set_up => view! {
            <p>"Bring this tenant's users in as the End Users of its Organizations, and keep them current."</p>
            {admin.then(|| view! { <a class="button primary" href=format!("/syncro-tenants/{st}/user-sync")>"Set Up Entra ID User Sync"</a> })}
        }.into_any(),
        Ok(v) => view! {
            {if v.approved {
                view! { <p>{format!("On: {} syncs with every Microsoft sync.", mapped_to.unwrap_or_default())}</p> }.into_any()
            } else {
                view! { <p class="note warning">"Settings saved but not applied: preview them, then apply."</p> }.into_any()
            }}
            {(!v.connected).then(|| view! { <NeedsMicrosoft what="Entra ID User Sync" admin=admin/> })}
            {v.last_run.map(|r| report(r, admin, st.clone()))}
            {(admin && v.connected).then(|| view! {
                <div class="buttons">
                    {v.approved.then(|| view! {
                        <form method="post" action="/api/sync-users-now">
                            <input type="hidden" name="syncro_tenant" value=st.clone()/>
                            <button type="submit" data-pending="Syncing…">"Sync Users Now"</button>
                        </form>
                    })}
                    <a class="button secondary" href=format!("/syncro-tenants/{st}/user-sync/preview")>"Preview"</a>
                    <a class="button secondary" href=format!("/syncro-tenants/{st}/user-sync")>"Change settings"</a>
                </div>
            })}
        }.into_any(),
    };
    view! {
        <section class="panel user-sync" aria-labelledby="user-sync-heading">
            <h2 id="user-sync-heading">"Entra ID User Sync"</h2>
            {body}
        </section>
    }
}

fn org_options(orgs: &[NamedRef], selected: &str) -> impl IntoView {
    orgs.iter()
        .map(|o| view! { <option value=o.id.clone() selected=o.id == selected>{o.name.clone()}</option> })
        .collect_view()
}

fn rule_row(n: usize, r: RuleView, orgs: &[NamedRef]) -> impl IntoView {
    let field = r.field.clone();
    let opt = move |value: &'static str, label: &'static str| view! { <option value=value selected=field == value>{label}</option> };
    view! {
        <fieldset class="rule">
            <legend>{format!("Rule {n}")}</legend>
            <label for=format!("rule-field-{n}")>"When the user's"</label>
            <select id=format!("rule-field-{n}") name="rule_field[]">
                {opt("department", "Department")}
                {opt("domain", "Domain (UPN or mail)")}
                {opt("office", "Office location")}
                {opt("group", "Group (object ID, nested too)")}
            </select>
            <label for=format!("rule-value-{n}")>"is"</label>
            <input id=format!("rule-value-{n}") name="rule_value[]" value=r.value/>
            <label for=format!("rule-org-{n}")>"put them in"</label>
            <select id=format!("rule-org-{n}") name="rule_org[]">{org_options(orgs, &r.organization)}</select>
        </fieldset>
    }
}

#[component]
pub fn UserSyncSetupPage() -> impl IntoView {
    let id = path_id();
    let setup = Resource::new(move || id.get(), user_sync_setup);
    let save = ServerAction::<SaveUserSync>::new();
    let form = FormState::of(save);
    view! {
        <Title text="Set Up Entra ID User Sync"/>
        <Loaded data=setup record="Entra ID User Sync" page={move |v, admin| {
                let st = v.syncro_tenant.clone();
                let orgs = v.organizations.clone();
                let several = orgs.len() > 1;
                // The rules as posted when the form came back refused, else as saved.
                let mut rules: Vec<RuleView> = if form.is_draft() {
                    let fields = form.values("rule_field[]", Vec::new());
                    let values = form.values("rule_value[]", Vec::new());
                    let orgs_of = form.values("rule_org[]", Vec::new());
                    fields.into_iter().zip(values).zip(orgs_of)
                        .filter(|((_, value), _)| !value.trim().is_empty())
                        .map(|((field, value), organization)| RuleView { field, value, organization })
                        .collect()
                } else {
                    v.rules.clone()
                };
                rules.extend((0..2).map(|_| RuleView { field: "department".into(), value: String::new(), organization: String::new() }));
                // The settings as first opened ride every refusal; a stale save is merged
                // field by field onto what is stored now.
                let edit = Edit::new(form, v.version, vec![
                    ("kinds", v.kinds.clone()),
                    ("enabled_only", flag(v.enabled_only)),
                    ("licensed_only", flag(v.licensed_only)),
                    ("exclude_non_people", flag(v.exclude_non_people)),
                    ("domains", v.domains.clone()),
                    ("departments", v.departments.clone()),
                    ("offices", v.offices.clone()),
                    ("groups", v.groups.clone()),
                    ("default_organization", v.default_organization.clone()),
                    ("brake_percent", v.brake_percent.to_string()),
                ], &["enabled_only", "licensed_only", "exclude_non_people"]);
                let only = orgs.first().map(|o| o.id.clone()).unwrap_or_default();
                let default = if several { edit.value("default_organization") } else { only };
                let kinds = edit.value("kinds");
                let (enabled_only, licensed_only, exclude_non_people) = (
                    edit.checked("enabled_only"),
                    edit.checked("licensed_only"),
                    edit.checked("exclude_non_people"),
                );
                let brake = edit.value("brake_percent");
                let (domains, departments, offices, groups) = (
                    edit.value("domains"),
                    edit.value("departments"),
                    edit.value("offices"),
                    edit.value("groups"),
                );
                view! {
                    <p class="crumbs"><a href="/syncro-tenants">"Syncro Tenants"</a>" › "<a href=format!("/syncro-tenants/{}", st.id)>{st.name.clone()}</a>" › Entra ID User Sync"</p>
                    <h1>{format!("Entra ID User Sync of {}", st.name)}</h1>
                    {match (&v.microsoft_tenant, admin) {
                        (None, _) => view! { <p class="note">"Map a Microsoft Tenant to this Syncro Tenant first."</p> }.into_any(),
                        (Some(_), false) => view! { <p class="note" role="status">"Only Administrators can set up the sync."</p> }.into_any(),
                        (Some(_), true) if !v.connected => view! { <NeedsMicrosoft what="Entra ID User Sync" admin=true/> }.into_any(),
                        (Some(mt), true) => view! {
                            <p class="hint">{format!("Users of {} become End Users of this Syncro Tenant's Organizations. {PERMISSIONS}", mt.name)}</p>
                            <ErrorSummary form=form/>
                            {edit.stale_note("Entra ID User Sync")}
                            <ActionForm action=save attr:class="form" attr:novalidate=true>
                                <input type="hidden" name="syncro_tenant" value=st.id.clone()/>
                                {edit.carried()}
                                <h2 class="section">"Which users"</h2>
                                <label for="f-kinds">"Kind"</label>
                                <select id="f-kinds" name="kinds">
                                    <option value="members" selected=kinds == "members">"Members"</option>
                                    <option value="guests" selected=kinds == "guests">"Guests"</option>
                                    <option value="both" selected=kinds == "both">"Members and guests"</option>
                                </select>
                                {form.error("kinds")}
                                <label class="check"><input type="checkbox" name="enabled_only" value="true" checked=enabled_only/>" Enabled accounts only (a disabled account's End User becomes inactive)"</label>
                                <label class="check"><input type="checkbox" name="licensed_only" value="true" checked=licensed_only/>" Licensed users only"</label>
                                <label class="check"><input type="checkbox" name="exclude_non_people" value="true" checked=exclude_non_people/>" Leave out shared, room and equipment mailboxes"</label>
                                <TextInput form=form name="domains" label="Domains (UPN or mail)" value=domains.clone() shown=true placeholder="Any: or foggy.com, waltham.foggy.com"/>
                                <TextInput form=form name="departments" label="Departments" value=departments.clone() shown=true placeholder="Any"/>
                                <TextInput form=form name="offices" label="Office locations" value=offices.clone() shown=true placeholder="Any"/>
                                <TextInput form=form name="groups" label="Groups (object IDs; members of nested groups count)" value=groups.clone() shown=true placeholder="Any"/>
                                {if several { view! {
                                    <h2 class="section" id="f-rules" tabindex="-1">"Routing rules"</h2>
                                    <p class="hint">"In order: the first rule that matches decides. Blank rows are left out; save to get more."</p>
                                    {v.shadowed.clone().into_iter().map(|s| view! { <p class="note warning">{s}</p> }).collect_view()}
                                    {rules.into_iter().enumerate().map(|(i, r)| rule_row(i + 1, r, &orgs)).collect_view()}
                                    {form.error("rules")}
                                    <label for="f-default_organization">"Everyone else"</label>
                                    <select id="f-default_organization" name="default_organization">
                                        <option value="" selected=default.is_empty()>"Leave unassigned (not brought in)"</option>
                                        {org_options(&orgs, &default)}
                                    </select>
                                }.into_any() } else { view! {
                                    <input type="hidden" name="rule_field[]" value=""/>
                                    <input type="hidden" name="rule_value[]" value=""/>
                                    <input type="hidden" name="rule_org[]" value=""/>
                                    <input type="hidden" name="default_organization" value=default/>
                                    <p class="hint">{format!("Everyone goes to {}.", orgs.first().map(|o| o.name.clone()).unwrap_or_default())}</p>
                                }.into_any() }}
                                {form.error("default_organization")}
                                <label for="f-brake_percent">"Stop and ask when one run would deactivate more than (%)"</label>
                                <input id="f-brake_percent" name="brake_percent" type="number" min="1" max="100" value=brake
                                    aria-describedby="brake_percent-error"/>
                                {form.error("brake_percent")}
                                <div class="buttons">
                                    <button type="submit" class="primary" data-pending="Saving…">"Save and preview"</button>
                                    <a class="button secondary" href=format!("/syncro-tenants/{}", st.id)>"Cancel"</a>
                                </div>
                            </ActionForm>
                        }.into_any(),
                    }}
                }.into_any()
            }}/>
    }
}

#[component]
pub fn UserSyncPreviewPage() -> impl IntoView {
    let id = path_id();
    let preview = Resource::new(move || id.get(), preview_user_sync);
    let apply = ServerAction::<ApplyUserSync>::new();
    view! {
        <Title text="Preview: Entra ID User Sync"/>
        <Loaded data=preview loading="Reading the tenant's users…" record="Preview" page={move |p, _| {
                let st = p.setup.syncro_tenant.clone();
                let r = p.report.clone();
                let failed = r.error.is_some();
                view! {
                    <p class="crumbs"><a href="/syncro-tenants">"Syncro Tenants"</a>" › "<a href=format!("/syncro-tenants/{}", st.id)>{st.name.clone()}</a>" › Preview"</p>
                    <h1>{format!("Preview: Entra ID User Sync of {}", st.name)}</h1>
                    {r.error.clone().map(|e| view! { <p class="note error" role="alert">{e}</p> })}
                    {(!failed).then(|| view! {
                        <p class="lead">{format!("Applying would: {}.", r.summary)}
                            {(r.skipped > 0).then(|| match r.skipped {
                                1 => " 1 user is not brought in (filters, or no rule).".to_string(),
                                n => format!(" {n} users are not brought in (filters, or no rule)."),
                            })}</p>
                    })}
                    {p.setup.shadowed.into_iter().map(|s| view! { <p class="note warning">{s}</p> }).collect_view()}
                    {r.notes.into_iter().map(|n| view! { <p class="hint">{n}</p> }).collect_view()}
                    {(!p.people.is_empty()).then(|| view! {
                        <table class="grid">
                            <thead><tr><th scope="col">"What"</th><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Organization"</th><th scope="col">"Entra replaces"</th></tr></thead>
                            <tbody>
                                {p.people.into_iter().map(|x| view! {
                                    <tr><td data-label="What">{x.what}</td><td data-label="Name">{x.name}</td><td data-label="Email">{x.email}</td><td data-label="Organization">{x.organization}</td>
                                        <td data-label="Entra replaces">{(!x.changes.is_empty()).then(|| view! { <ul class="changes">{x.changes.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul> })}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                    {(!r.not_brought_in.is_empty()).then(|| view! {
                        <h2>{format!("Not brought in ({})", r.skipped)}</h2>
                        <ul class="review">{r.not_brought_in.clone().into_iter().map(|(who, why)| view! { <li><strong>{who}</strong>": "{why}</li> }).collect_view()}</ul>
                        {(r.skipped > r.not_brought_in.len()).then(|| view! { <p class="hint">{format!("…and {} more.", r.skipped - r.not_brought_in.len())}</p> })}
                    })}
                    {(!r.review.is_empty()).then(|| view! {
                        <h2>{format!("To review ({}): not matched, so as not to guess", r.review_count)}</h2>
                        <ul class="review">{r.review.into_iter().map(|(who, why)| view! { <li><strong>{who}</strong>": "{why}</li> }).collect_view()}</ul>
                    })}
                    <ActionForm action=apply attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="syncro_tenant" value=st.id.clone()/>
                        <input type="hidden" name="version" value=p.setup.version.to_string()/>
                        <ErrorNote error=action_error(apply.value())/>
                        <div class="buttons">
                            {(!failed).then(|| view! { <button type="submit" class="primary" data-pending="Syncing…">"Apply and sync now"</button> })}
                            <a class="button secondary" href=format!("/syncro-tenants/{}/user-sync", st.id)>"Change settings"</a>
                        </div>
                    </ActionForm>
                }.into_any()
            }}/>
    }
}
