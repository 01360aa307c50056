//! *Map the rest*: the unmapped Microsoft Tenants no suggestion covers, each with a box to type
//! its Syncro Tenant's name in (the free ones offered as you type), and one Save for all the
//! rows changed. Saved as the mapping import maps rows (`domain::mapping::import`): every row
//! decided, refused ones reported by name all at once with what was typed kept, the others
//! mapped in atomic parts. A plain form: without JavaScript the report comes back in the link.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::domain::mapping::import::{Row, Rows},
    crate::domain::mapping::parked::Parked,
    crate::domain::*,
    crate::store::MappingFilter,
    std::collections::HashSet,
};

/// Rows per page of Map the rest, and most rows one Save may send.
pub const REST_PER_PAGE: u32 = 200;

/// Most free Syncro Tenants' names offered to type from.
pub const NAMES_OFFERED: usize = 2_000;

/// The page: a page of the unmapped tenants without a suggestion, by name, the free Syncro
/// Tenants' names, and the last Save's report when the page's link names it (`report`: where
/// it is kept for this session).
#[server(prefix = "/api", endpoint = "unmatched-tenants")]
pub async fn unmatched_tenants(
    page: String,
    #[server(default)] report: String,
) -> Result<RestView, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let suggested: HashSet<MicrosoftTenantId> = store
        .suggestions(acct)
        .await?
        .into_iter()
        .map(|s| s.tenant)
        .collect();
    let everything = ListQuery {
        per_page: u32::MAX,
        ..ListQuery::default()
    };
    let unmapped = store
        .list_microsoft_tenants(acct, &everything, MappingFilter::Unmapped)
        .await?;
    let rest: Vec<MicrosoftTenant> = unmapped
        .items
        .into_iter()
        .filter(|t| t.removed_at.is_none() && !suggested.contains(&t.tenant_id))
        .collect();
    let mut query = ListQuery::from_params("", "", "", &page);
    query.per_page = REST_PER_PAGE;
    let free = store
        .list_syncro_tenants(
            acct,
            &ListQuery {
                per_page: NAMES_OFFERED as u32,
                ..ListQuery::default()
            },
            true,
        )
        .await?;
    Ok(RestView {
        rows: Page {
            total: rest.len(),
            items: rest
                .iter()
                .skip(query.offset())
                .take(REST_PER_PAGE as usize)
                .map(|t| RestRow {
                    tenant_id: t.tenant_id.to_string(),
                    name: t.display_name.clone(),
                    domain: t.default_domain.clone(),
                })
                .collect(),
            page: query.page,
            per_page: query.per_page,
        },
        syncro_tenants: free.items.iter().map(|s| s.name.to_string()).collect(),
        free_total: free.total,
        report: kept_report(&*store, acct, &report).await?,
    })
}

/// *Save*: `tenants[]` and `choices[]` side by side, a tenant ID and the Syncro Tenant's name
/// typed for it (empty: left as it is).
#[server(prefix = "/api", endpoint = "map-the-rest")]
pub async fn map_the_rest(
    #[server(default)] tenants: Vec<String>,
    #[server(default)] choices: Vec<String>,
) -> Result<RestReport, AppError> {
    let (caller, store) = admin().await?;
    if tenants.len() != choices.len() || tenants.len() > REST_PER_PAGE as usize {
        return Err(AppError::validation(
            "choices",
            format!("Send at most {REST_PER_PAGE} rows, a Syncro Tenant for each tenant"),
        ));
    }
    let mut rows = Rows::default();
    for (n, (t, typed)) in tenants.iter().zip(&choices).enumerate() {
        let typed: String = typed.trim().chars().take(200).collect();
        if typed.is_empty() {
            continue;
        }
        rows.rows.push(Row {
            line: n + 1,
            tenant: MicrosoftTenantId::parse(t)?,
            syncro_tenant: typed,
        });
    }
    if rows.rows.is_empty() {
        return Err(AppError::validation(
            "choices",
            "Type a Syncro Tenant's name for at least one tenant",
        ));
    }
    let (report, _) =
        super::import_mappings::run(&*store, &caller, &rows, false, true, "map_rest").await?;
    // What was typed on the rows not mapped, kept for the page to show again.
    let refused: std::collections::HashMap<usize, &str> = report
        .rows
        .iter()
        .filter(|r| r.outcome == crate::domain::mapping::import::Outcome::Refused)
        .map(|r| (r.line, r.note.as_str()))
        .collect();
    let mut kept = Vec::new();
    for r in &rows.rows {
        let Some(why) = refused.get(&r.line) else {
            continue;
        };
        // The import's advice (a checkbox to create it) is not this page's: a near name is.
        let why = if why.starts_with("No Syncro Tenant") {
            match nearest_free(&*store, &caller.account, &r.syncro_tenant).await? {
                Some(near) => format!(
                    "No Syncro Tenant \"{}\": did you mean \"{near}\"?",
                    r.syncro_tenant
                ),
                None => format!(
                    "No Syncro Tenant \"{}\": type one of the names offered",
                    r.syncro_tenant
                ),
            }
        } else {
            why.to_string()
        };
        kept.push((r.tenant.to_string(), r.syncro_tenant.clone(), why));
    }
    let out = RestReport { report, kept };
    // Without JavaScript the page opens again on the report: kept for this session a few
    // minutes (a link could not hold 200 rows typed), its id in the link.
    if super::http::accepts_html().await {
        let shown = RestReport {
            report: MappingImportReport {
                rows: Vec::new(),
                ..out.report.clone()
            },
            kept: out.kept.clone(),
        };
        let sealed = crate::auth::seal_for_session(REST_REPORT, &shown);
        let id = uuid::Uuid::new_v4().simple().to_string();
        let link = match Parked::new(caller.account.clone(), id.clone(), sealed, now()) {
            Some(parked) => {
                store.park(parked).await?;
                crate::components::url(REST_PATH, &[("report", &id)])
            }
            None => REST_PATH.to_string(),
        };
        leptos_axum::redirect(&format!("{link}#problems"));
    }
    Ok(out)
}

/// The free Syncro Tenant whose name is `typed` but for one letter, or that starts with it.
#[cfg(feature = "ssr")]
async fn nearest_free(
    store: &dyn crate::store::Store,
    acct: &AccountId,
    typed: &str,
) -> Result<Option<String>, AppError> {
    use crate::domain::mapping::suggest::one_edit_apart;
    let free = store
        .list_syncro_tenants(
            acct,
            &ListQuery {
                per_page: u32::MAX,
                ..ListQuery::default()
            },
            true,
        )
        .await?;
    let typed = typed.to_lowercase();
    Ok(free.items.iter().map(|s| s.name.to_string()).find(|n| {
        let n = n.to_lowercase();
        one_edit_apart(&n, &typed) || (typed.len() >= 4 && n.starts_with(&typed))
    }))
}

pub const REST_PATH: &str = "/admin/microsoft-tenants/map-the-rest";

/// What a sealed report in the page's link is for.
#[cfg(feature = "ssr")]
const REST_REPORT: &str = "map-the-rest-report";

/// The report the page's link names (`report`: where it is kept), if it is still kept and
/// this session sealed it.
#[cfg(feature = "ssr")]
async fn kept_report(
    store: &dyn crate::store::Store,
    acct: &AccountId,
    id: &str,
) -> Result<Option<RestReport>, AppError> {
    let id = id.trim();
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    let Some(parked) = store.parked(acct, id, now()).await? else {
        return Ok(None);
    };
    Ok(crate::auth::open_for_session(REST_REPORT, &parked.sealed))
}
