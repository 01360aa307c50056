//! Home: where the account stands and what to do next — the first day's checklist, then the
//! numbers that matter (unmapped, needs attention, the last sync and its problems).

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {crate::auth::caller, crate::store::ParentFilter};

/// The account at a glance, for Home.
#[server(prefix = "/api", endpoint = "home")]
pub async fn home_overview() -> Result<HomeView, AppError> {
    let (caller, store) = caller().await?;
    let acct = &caller.account;
    let now = crate::domain::now();
    let tenants = store.microsoft_tenant_counts(acct, now).await?;
    let one = ListQuery {
        per_page: 1,
        ..ListQuery::default()
    };
    let organizations = store
        .list_organizations(acct, &one, ParentFilter::Any)
        .await?
        .total;
    let integration = store.integration(acct).await?;
    let last_sync = store.sync_report(acct).await?;
    let user_syncs = store.user_syncs(acct).await?.len();
    Ok(HomeView {
        admin: caller.role == crate::domain::Role::Administrator,
        connected: integration.map(|i| i.mode.label().to_string()),
        tenants,
        organizations,
        user_syncs,
        last_sync: last_sync.as_ref().map(SyncReportView::new),
    })
}
