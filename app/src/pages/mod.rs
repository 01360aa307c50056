//! One module per page of SPEC.md.

pub mod activity;
pub mod end_users;
pub mod group;
pub mod import_mappings;
pub mod integration;
pub mod map_rest;
pub mod organizations;
pub mod suggestions;
pub mod syncro_tenants;
pub mod tenants;
pub mod user_sync;
pub mod users;

use crate::components::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;

/// Home: on the first day, what to do next (a checklist with what is done); afterwards, the
/// numbers that matter. Technicians see where the account stands, not tasks only an
/// Administrator can do.
#[component]
pub fn Home() -> impl IntoView {
    let overview = Resource::new(|| (), |_| crate::api::home_overview());
    view! {
        <Title text="Home"/>
        <h1>"tenantmap"</h1>
        <p class="lead">"Map your customers' Microsoft 365 tenants to Syncro Tenants and Organizations."</p>
        <Loaded data=overview page={move |v, _| view! { <Overview v/> }.into_any()}/>
        <ul class="cards">
            <li><a href="/admin/microsoft-tenants"><strong>"RMM Settings - Microsoft Tenant Management"</strong><span>"Map each Microsoft Tenant to a Syncro Tenant."</span></a></li>
            <li><a href="/syncro-tenants"><strong>"Syncro Tenants"</strong><span>"Rename, group Organizations, see mappings."</span></a></li>
            <li><a href="/organizations"><strong>"Organizations"</strong><span>"Your billed customers and their Syncro Tenant."</span></a></li>
        </ul>
    }
}

#[component]
fn Overview(v: crate::wire::HomeView) -> impl IntoView {
    let t = v.tenants;
    let steps = v.steps();
    let next = steps.iter().position(|(_, done, _)| !done);
    let figures = view! {
        <dl class="figures">
            <div><dt>"Microsoft Tenants"</dt><dd>{t.all}</dd></div>
            <div><dt>"Unmapped"</dt><dd><a href="/admin/microsoft-tenants?filter=unmapped">{t.unmapped}</a></dd></div>
            <div><dt>"Needs attention"</dt><dd><a href="/admin/microsoft-tenants?filter=attention">{t.attention}</a></dd></div>
            <div><dt>"Organizations"</dt><dd><a href="/organizations">{v.organizations}</a></dd></div>
        </dl>
    };
    let last_sync = match (&v.connected, v.last_sync.clone()) {
        (None, _) => view! { <p class="hint">"Not connected to Microsoft: tenants come from CSV imports."</p> }.into_any(),
        (Some(mode), None) => view! { <p class="hint">{format!("Connected as {mode}; not synced yet.")}</p> }.into_any(),
        (Some(mode), Some(r)) => {
            let problem = match (&r.error, r.failure_count) {
                (Some(e), _) => format!(" It could not list the tenants: {e}"),
                (None, 0) => " No problems.".to_string(),
                (None, 1) => " 1 tenant could not be read.".to_string(),
                (None, n) => format!(" {n} tenants could not be read."),
            };
            let ok = r.error.is_none() && r.failure_count == 0;
            view! {
                <p class=if ok { "hint" } else { "note warning" }>
                    {format!("Connected as {mode}. Last sync {} ({}).{problem}", r.finished_at, r.trigger)}
                    {(!ok && v.admin).then(|| view! { " "<a href="/admin/microsoft-integration">"See the sync's report"</a> })}
                </p>
            }.into_any()
        }
    };
    view! {
        {(!v.all_done()).then(|| view! {
            <section class="panel checklist" aria-labelledby="start-heading">
                <h2 id="start-heading">{if v.admin { "Getting started" } else { "Where the account stands" }}</h2>
                <ol>
                    {steps.into_iter().enumerate().map(|(i, (what, done, href))| {
                        let is_next = next == Some(i);
                        let state = if done { "Done" } else if is_next { "Next" } else { "To do" };
                        view! {
                            <li class:done=done class:next=is_next aria-current=is_next.then_some("step")>
                                <span class="step-state">{state}<span class="visually-hidden">": "</span></span>
                                {if v.admin && !done {
                                    view! { <a href=href>{what}</a> }.into_any()
                                } else {
                                    view! { <span>{what}</span> }.into_any()
                                }}
                                {(i == 2 && t.all > 0 && !done).then(|| view! {
                                    <span class="hint">{format!(" — {} of {} mapped", t.mapped, t.all)}</span>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {(!v.admin).then(|| view! { <p class="hint">"An Administrator of your account takes these steps."</p> })}
            </section>
        })}
        {figures}
        {last_sync}
    }
}

#[component]
pub fn AdminIndex() -> impl IntoView {
    view! {
        <Title text="Admin"/>
        <h1>"Admin"</h1>
        <ul class="cards">
            <li><a href="/admin/microsoft-tenants"><strong>"RMM Settings - Microsoft Tenant Management"</strong><span>"Microsoft Tenants, their Syncro Tenants, and CSV import."</span></a></li>
            <crate::components::AdminOnly>
                <li><a href="/admin/microsoft-integration"><strong>"RMM Settings - Microsoft Tenant Integrations"</strong><span>"Connect as Single Tenant or CSP, Sync Now, sync problems."</span></a></li>
                <li><a href="/admin/users"><strong>"Users"</strong><span>"Who signs in, as Administrator or Technician."</span></a></li>
                <li><a href="/admin/activity"><strong>"Activity"</strong><span>"Every change and sign-in: who, when, what. Undo a mapping, rename or edit."</span></a></li>
            </crate::components::AdminOnly>
        </ul>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <h1>"Page not found"</h1>
        <p><a href="/">"Go to the start page"</a></p>
    }
}
