//! *Group under one Syncro Tenant* (S4 in one step), reached from the Organizations list with
//! the chosen Organizations: choose the Syncro Tenant to keep (or a new one) and its name,
//! optionally the Microsoft Tenant, then **Preview** (a GET of this page: it works without
//! JavaScript) and **Apply** — one atomic change that does exactly what the preview listed.

use crate::api::*;
use crate::components::*;
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub const PATH: &str = "/organizations/group";

#[component]
pub fn GroupPage() -> impl IntoView {
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        let q = query.read();
        let one = |k: &str| q.get(k).unwrap_or_default();
        (
            q.get_all("o").unwrap_or_default(),
            q.get("target").unwrap_or_else(|| "auto".to_string()),
            one("name"),
            one("tenant"),
            one("tenant_query"),
            one("keep_empty"),
            one("preview"),
        )
    });
    let view_of = Resource::new(
        move || choice.get(),
        |(o, target, name, tenant, tq, keep, preview)| {
            plan_grouping(o, target, name, tenant, tq, keep, preview)
        },
    );
    let apply = ServerAction::<GroupOrganizations>::new();
    view! {
        <Title text="Group under one Syncro Tenant"/>
        <p class="crumbs"><a href="/organizations">"Organizations"</a>" › Group under one Syncro Tenant"</p>
        <h1>"Group under one Syncro Tenant"</h1>
        <AdminOnly fallback=|| view! { <p class="note" role="status">"Only Administrators can group Organizations."</p> }>
            <Loaded data=view_of page={move |v, _| view! { <GroupForm v apply/> }.into_any()}/>
        </AdminOnly>
    }
}

#[component]
fn GroupForm(v: GroupView, apply: ServerAction<GroupOrganizations>) -> impl IntoView {
    let problem = v.problem.clone();
    let field = |f: &'static str| {
        problem
            .as_ref()
            .filter(|e| e.field() == Some(f))
            .map(|e| view! { <p class="field-error" role="alert" id=format!("{f}-error")>{e.to_string()}</p> })
    };
    // Where Preview lands (`#preview`): the preview, or what keeps it from being made.
    let other_problem = problem
        .as_ref()
        .map(|e| view! { <p class="note error" role="alert" id="preview" tabindex="-1">{e.to_string()}</p> });
    let name_error = field("name");
    let target_error = field("target");
    let tenant_error = field("tenant");
    let count = v.organizations.len();
    let new_chosen = v.target.is_empty();
    view! {
        <form method="get" action=PATH class="form group-form" id="group-form">
            <h2 class="section">{format!("{count} Organization{}", if count == 1 { "" } else { "s" })}</h2>
            <ul class="members">
                {v.organizations.iter().map(|o| view! {
                    <li>
                        <input type="hidden" name="o" value=o.id.clone()/>
                        <a href=format!("/organizations/{}", o.id)>{o.name.clone()}</a>
                        <span class="hint">{format!(" — now under \u{201c}{}\u{201d}", o.syncro_tenant.name)}</span>
                    </li>
                }).collect_view()}
            </ul>
            <fieldset>
                <legend>"Syncro Tenant to keep"</legend>
                {v.parents.iter().map(|p| {
                    let id = format!("target-{}", p.id);
                    view! {
                        <label class="check" for=id>
                            <input type="radio" id=id.clone() name="target" value=p.id.clone() checked=p.id == v.target/>
                            {format!("Keep \u{201c}{}\u{201d}", p.name)}
                        </label>
                    }
                }).collect_view()}
                <label class="check" for="target-new">
                    <input type="radio" id="target-new" name="target" value="" checked=new_chosen/>
                    "A new Syncro Tenant"
                </label>
                {target_error}
            </fieldset>
            <label for="group-name">"Name"</label>
            <input id="group-name" name="name" value=v.name.clone() required=true maxlength="120"/>
            <p class="hint">"Offered: the words the Organizations' names begin with. The Syncro Tenant kept is renamed to it."</p>
            {name_error}
            <h2 class="section">"Microsoft Tenant"</h2>
            <label for="group-tq">"Find a Microsoft Tenant"</label>
            <div class="row">
                <input id="group-tq" type="search" class="filter" name="tenant_query" value=v.tenant_query.clone() placeholder="Name, domain or tenant ID" autocomplete="off"/>
                <button type="submit" class="secondary">"Find"</button>
            </div>
            <label for="group-tenant">"Map it to"</label>
            <select id="group-tenant" name="tenant">
                <option value="" selected=v.tenant.is_empty()>"Leave the mapping as it is"</option>
                {v.tenants.iter().map(|t| {
                    let label = match &t.syncro_tenant {
                        Some(st) => format!("{} ({}) — mapped to \u{201c}{}\u{201d}", t.display_name, t.default_domain, st.name),
                        None => format!("{} ({})", t.display_name, t.default_domain),
                    };
                    view! { <option value=t.tenant_id.clone() selected=t.tenant_id == v.tenant>{label}</option> }
                }).collect_view()}
            </select>
            {tenant_error}
            <label class="check" for="group-keep">
                <input type="checkbox" id="group-keep" name="keep_empty" value="true" checked=!v.delete_empty/>
                "Keep the Syncro Tenants left without Organizations (otherwise they are deleted)"
            </label>
            <div class="buttons">
                <button type="submit" name="preview" value="1" class="primary" formaction=format!("{PATH}#preview")>"Preview"</button>
                <a class="button secondary" href="/organizations">"Cancel"</a>
            </div>
        </form>
        {other_problem}
        {v.preview.clone().map(|steps| view! { <GroupPreview v=v.clone() steps apply/> })}
    }
}

#[component]
fn GroupPreview(
    v: GroupView,
    steps: Vec<String>,
    apply: ServerAction<GroupOrganizations>,
) -> impl IntoView {
    let error = action_error(apply.value());
    view! {
        <section class="form preview" aria-labelledby="preview-heading" id="preview" tabindex="-1">
            <h2 id="preview-heading" class="section">"Preview"</h2>
            <p>"Applying does this, all at once or not at all:"</p>
            <ol class="steps">{steps.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ol>
            <ActionForm action=apply>
                <input type="hidden" name="orgs[]" value=""/>
                {v.organizations.iter().map(|o| view! { <input type="hidden" name="orgs[]" value=o.id.clone()/> }).collect_view()}
                <input type="hidden" name="target" value=v.target.clone()/>
                <input type="hidden" name="name" value=v.name.clone()/>
                <input type="hidden" name="tenant" value=v.tenant.clone()/>
                <input type="hidden" name="keep_empty" value=(!v.delete_empty).to_string()/>
                <input type="hidden" name="digest" value=v.digest.clone()/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Applying…">"Apply"</button>
                </div>
            </ActionForm>
            <ErrorNote error=error/>
        </section>
    }
}
