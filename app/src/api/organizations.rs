//! Organizations: the list, details, New and Edit (with ORGANIZATION SETTINGS).

use crate::domain::mapping::OrganizationForm;
use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::{
        OrganizationId, SyncroTenantId, Version,
        mapping::rules::{self, Parent},
    },
    crate::error::ResultExt,
    crate::services::changes::apply,
    crate::store::ParentFilter,
};

/// One page of Organizations; `exclude` leaves out those of one Syncro Tenant (for the
/// *Add Organizations* picker).
#[server(prefix = "/api", endpoint = "organizations")]
pub async fn list_organizations(
    q: String,
    page: String,
    exclude: String,
) -> Result<Page<OrganizationRow>, AppError> {
    let (caller, store) = caller().await?;
    let mut query = ListQuery::from_params(&q, "name", "asc", &page);
    let parent = if exclude.is_empty() {
        ParentFilter::Any
    } else {
        query.per_page = 10;
        ParentFilter::Not(SyncroTenantId::parse(&exclude)?)
    };
    let page = store
        .list_organizations(&caller.account, &query, parent)
        .await?;
    let items = page.items;
    let st_ids: Vec<SyncroTenantId> = items.iter().map(|o| o.syncro_tenant).collect();
    let sts = store
        .listed_syncro_tenants(&caller.account, &st_ids)
        .await?;
    let rows = items
        .iter()
        .map(|o| OrganizationRow {
            id: o.id.to_string(),
            name: o.name.to_string(),
            syncro_tenant: sts
                .iter()
                .find(|s| s.id == o.syncro_tenant)
                .map(NamedRef::from),
        })
        .collect();
    Ok(Page {
        items: rows,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    })
}

#[server(prefix = "/api", endpoint = "organization")]
pub async fn organization_details(id: String) -> Result<OrganizationView, AppError> {
    let (caller, store) = caller().await?;
    let id = OrganizationId::parse(&id)?;
    let acct = &caller.account;
    let org = store.organization(acct, id).await.found()?;
    let st = store
        .syncro_tenant(acct, org.syncro_tenant)
        .await?
        .ok_or_else(|| {
            AppError::internal(format!("R1 broken: organization {} has no parent", org.id))
        })?;
    let mt = match st.microsoft_tenant {
        Some(m) => store.microsoft_tenant(acct, m).await?,
        None => None,
    };
    Ok(OrganizationView {
        id: org.id.to_string(),
        name: org.name.to_string(),
        version: org.version.0,
        email: org.contact.email.clone(),
        phone: org.contact.phone.clone(),
        address: org.contact.address.clone(),
        website: org.contact.website.clone(),
        syncro_tenant: SyncroTenantRow::new(&st, mt.as_ref().map(NamedRef::from)),
        microsoft_tenant: mt
            .as_ref()
            .map(|m| MicrosoftTenantRow::new(m, Some(NamedRef::from(&st)))),
    })
}

/// *New Organization*. An empty `syncro_tenant` means "Create a new Syncro Tenant named after
/// this Organization" (R4). Redirects to the new Organization's page.
#[server(prefix = "/api", endpoint = "create-organization")]
pub async fn create_organization(
    #[server(flatten)] fields: OrganizationForm,
    syncro_tenant: String,
) -> Result<String, AppError> {
    let (caller, store) = admin().await?;
    let (name, contact) = fields.parse()?;
    let acct = &caller.account;
    let id = OrganizationId::from_uuid(uuid::Uuid::new_v4());
    let ctx = caller.ctx();
    let change = if syncro_tenant.trim().is_empty() {
        let st_id = SyncroTenantId::from_uuid(uuid::Uuid::new_v4());
        rules::create_organization(&ctx, id, name.clone(), contact, Parent::Automatic(st_id))
    } else {
        let st_id = SyncroTenantId::parse(&syncro_tenant)?;
        let st = store.syncro_tenant(acct, st_id).await.found()?;
        rules::create_organization(&ctx, id, name.clone(), contact, Parent::Existing(&st))
    };
    apply(&*store, acct, change, name.as_str()).await?;
    crate::status::say(format!("Created {name}."));
    leptos_axum::redirect(&format!("/organizations/{id}"));
    Ok(id.to_string())
}

/// *Edit Organization* (S2): name, contact details and parent Syncro Tenant.
#[server(prefix = "/api", endpoint = "update-organization")]
pub async fn update_organization(
    id: String,
    version: String,
    #[server(flatten)] fields: OrganizationForm,
    syncro_tenant: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = OrganizationId::parse(&id)?;
    let expected = Version::parse(&version)?;
    let (name, contact) = fields.parse()?;
    let st_id = SyncroTenantId::parse(&syncro_tenant)?;
    let acct = &caller.account;
    let org = store.organization(acct, id).await.found_at(expected)?;
    let st = store.syncro_tenant(acct, st_id).await.found()?;
    let change =
        rules::update_organization(&caller.ctx(), &org, expected, name.clone(), contact, &st);
    apply(&*store, acct, change, name.as_str()).await?;
    crate::status::say(format!("Saved {name}."));
    leptos_axum::redirect(&format!("/organizations/{id}"));
    Ok(())
}
