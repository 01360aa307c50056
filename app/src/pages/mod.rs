//! One module per page of SPEC.md.

pub mod account;
pub mod activity;
pub mod end_users;
pub mod group;
pub mod import_mappings;
pub mod integration;
pub mod organizations;
pub mod suggestions;
pub mod syncro;
pub mod tenants;
pub mod user_sync;

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <h1>"tenantmap"</h1>
        <p class="lead">"Map your customers' Microsoft 365 tenants to Syncro Tenants and Organizations."</p>
        <ul class="cards">
            <li><a href="/admin/microsoft-tenants"><strong>"RMM Settings - Microsoft Tenant Management"</strong><span>"Map each Microsoft Tenant to a Syncro Tenant."</span></a></li>
            <li><a href="/syncro-tenants"><strong>"Syncro Tenants"</strong><span>"Rename, group Organizations, see mappings."</span></a></li>
            <li><a href="/organizations"><strong>"Organizations"</strong><span>"Your billed customers and their Syncro Tenant."</span></a></li>
        </ul>
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
