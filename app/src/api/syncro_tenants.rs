//! Syncro Tenants: the list, rename, delete, details and *Add Organizations*.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::{
        MicrosoftTenantId, OrganizationId, SyncroTenantId, SyncroTenantName, Version,
        mapping::rules,
    },
    crate::error::ResultExt,
    crate::services::changes::apply,
};

#[server(prefix = "/api", endpoint = "syncro-tenants")]
pub async fn list_syncro_tenants(
    q: String,
    page: String,
) -> Result<Page<SyncroTenantRow>, AppError> {
    let (caller, store) = caller().await?;
    let query = ListQuery::from_params(&q, "name", "asc", &page);
    let page = store
        .list_syncro_tenants(&caller.account, &query, false)
        .await?;
    let mt_ids: Vec<MicrosoftTenantId> = page
        .items
        .iter()
        .filter_map(|s| s.microsoft_tenant)
        .collect();
    let mts = store
        .listed_microsoft_tenants(&caller.account, &mt_ids)
        .await?;
    Ok(page.map(|st| {
        let mt = st
            .microsoft_tenant
            .and_then(|id| mts.iter().find(|m| m.tenant_id == id))
            .map(NamedRef::from);
        SyncroTenantRow::new(&st, mt)
    }))
}

#[server(prefix = "/api", endpoint = "syncro-tenant")]
pub async fn syncro_tenant_details(id: String, page: String) -> Result<SyncroTenantView, AppError> {
    let (caller, store) = caller().await?;
    let id = SyncroTenantId::parse(&id)?;
    let acct = &caller.account;
    let mut query = ListQuery::from_params("", "name", "asc", &page);
    query.per_page = 50;
    // The list first: the Syncro Tenant and its Microsoft Tenant are then named as of that
    // list (on DynamoDB, one read for all three).
    let orgs = store
        .list_organizations(acct, &query, crate::store::ParentFilter::Only(id))
        .await?;
    let st = store
        .listed_syncro_tenants(acct, &[id])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound {
            what: "The Syncro Tenant".into(),
        })?;
    let mt = match st.microsoft_tenant {
        Some(mt_id) => store.listed_microsoft_tenants(acct, &[mt_id]).await?.pop(),
        None => None,
    };
    Ok(SyncroTenantView {
        tenant: SyncroTenantRow::new(&st, mt.as_ref().map(NamedRef::from)),
        microsoft_tenant: mt
            .as_ref()
            .map(|m| MicrosoftTenantRow::new(m, Some(NamedRef::from(&st)))),
        organizations: orgs.map(|o| NamedRef::from(&o)),
    })
}

#[server(prefix = "/api", endpoint = "rename-syncro-tenant")]
pub async fn rename_syncro_tenant(
    id: String,
    version: String,
    name: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let name = SyncroTenantName::parse(&name)?;
    let acct = &caller.account;
    let (st, expected) = as_opened(&*store, acct, &id, &version).await?;
    let change = rules::rename_syncro_tenant(&caller.ctx(), &st, expected, name.clone());
    apply(&*store, acct, change, name.as_str()).await?;
    crate::status::say(format!("Renamed {} to {name}.", st.name));
    Ok(())
}

/// The Syncro Tenant `id` as read, if it is still as the form that changes it was opened on
/// (`version`, R8), and that version.
#[cfg(feature = "ssr")]
async fn as_opened(
    store: &dyn crate::store::Store,
    acct: &crate::domain::AccountId,
    id: &str,
    version: &str,
) -> Result<(crate::domain::SyncroTenant, Version), AppError> {
    let id = SyncroTenantId::parse(id)?;
    let expected = Version::parse(version)?;
    let st = store.syncro_tenant(acct, id).await.found_at(expected)?;
    Ok((st, expected))
}

/// R5: deletes an empty, unmapped Syncro Tenant. Redirects to the list.
#[server(prefix = "/api", endpoint = "delete-syncro-tenant")]
pub async fn delete_syncro_tenant(id: String, version: String) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let (st, expected) = as_opened(&*store, acct, &id, &version).await?;
    let change = rules::delete_syncro_tenant(&caller.ctx(), &st, expected)?;
    apply(&*store, acct, change, "").await?;
    crate::status::say(format!("Deleted {}.", st.name));
    Ok(())
}

/// *Add Organizations*: moves the chosen Organizations here in one atomic step.
#[server(prefix = "/api", endpoint = "add-organizations")]
pub async fn add_organizations(id: String, organizations: Vec<String>) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = SyncroTenantId::parse(&id)?;
    // A form may name one Organization twice (two ticked rows of one record): each moves once.
    let mut ids = Vec::with_capacity(organizations.len());
    for s in organizations.iter().filter(|s| !s.trim().is_empty()) {
        let id = OrganizationId::parse(s)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(AppError::validation(
            "organizations",
            "Choose at least one Organization",
        ));
    }
    if ids.len() > rules::MAX_MOVE {
        return Err(AppError::validation(
            "organizations",
            format!("Move at most {} Organizations at a time", rules::MAX_MOVE),
        ));
    }
    let acct = &caller.account;
    let target = store.syncro_tenant(acct, id).await.found()?;
    let orgs = store.organizations_by_ids(acct, &ids).await?;
    if orgs.len() != ids.len() {
        return Err(AppError::NotFound {
            what: "One of the chosen Organizations".into(),
        });
    }
    let change = rules::move_organizations(&caller.ctx(), &target, &orgs)?;
    apply(&*store, acct, change, "").await?;
    crate::status::say(match orgs.as_slice() {
        [one] => format!("Moved {} to {}.", one.name, target.name),
        all => format!("Moved {} Organizations to {}.", all.len(), target.name),
    });
    Ok(())
}
