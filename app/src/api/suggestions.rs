//! Suggestions on Microsoft Tenant Management: the proposed mappings (`domain::mapping::suggest`), and
//! accepting the chosen ones or all those with high confidence.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::mapping::group::MAX_GROUP,
    crate::domain::mapping::suggest::{Confidence, Suggestion},
    crate::domain::{AccountId, MicrosoftTenantId, OrganizationId, SyncroTenantId},
    crate::services::accept::{OfficePick, accept, impact},
    crate::store::prelude::*,
};

/// Rows per page of the Suggestions view.
pub const SUGGESTIONS_PER_PAGE: u32 = 200;

/// Most pairs one accept may name (the form of one page holds 200; "all with high confidence"
/// is computed on the server).
pub const MAX_PICKS: usize = 1_000;

/// One page of suggestions; `confidence` ("high", "medium", "low", or empty for all) filters.
#[server(prefix = "/api", endpoint = "suggestions")]
pub async fn list_suggestions(
    confidence: String,
    page: String,
) -> Result<SuggestionList, AppError> {
    let (caller, store) = caller().await?;
    let all = store.suggestions(&caller.account).await?;
    let count = |c: Confidence| all.iter().filter(|s| s.confidence == c).count();
    let (high, medium, low) = (
        count(Confidence::High),
        count(Confidence::Medium),
        count(Confidence::Low),
    );
    let wanted = match confidence.as_str() {
        "high" => Some(Confidence::High),
        "medium" => Some(Confidence::Medium),
        "low" => Some(Confidence::Low),
        _ => None,
    };
    let mut query = ListQuery::from_params("", "", "", &page);
    query.per_page = SUGGESTIONS_PER_PAGE;
    let chosen: Vec<&Suggestion> = all
        .iter()
        .filter(|s| wanted.is_none_or(|w| s.confidence == w))
        .collect();
    let total = chosen.len();
    let shown: Vec<&Suggestion> = chosen
        .into_iter()
        .skip(query.offset())
        .take(query.per_page as usize)
        .collect();
    let rows = rows(&*store, &caller.account, &shown).await?;
    // Nothing to suggest: say why (read only then — the usual page needs no counts).
    let counts = if all.is_empty() {
        store
            .microsoft_tenant_counts(&caller.account, crate::domain::now())
            .await?
    } else {
        TenantCounts::default()
    };
    Ok(SuggestionList {
        tenants: counts.all,
        unmapped: counts.unmapped,
        rows: Page {
            items: rows,
            total,
            page: query.page,
            per_page: query.per_page,
        },
        high,
        medium,
        low,
    })
}

/// The rows of a page of suggestions, named from the records (as current as the list).
#[cfg(feature = "ssr")]
async fn rows(
    store: &dyn Store,
    account: &AccountId,
    shown: &[&Suggestion],
) -> Result<Vec<SuggestionRow>, AppError> {
    let tenant_ids: Vec<MicrosoftTenantId> = shown.iter().map(|s| s.tenant).collect();
    let syncro_ids: Vec<SyncroTenantId> = shown
        .iter()
        .flat_map(|s| {
            let offices = s
                .group
                .iter()
                .flat_map(|g| g.syncro_tenants.iter().copied());
            std::iter::once(s.syncro_tenant)
                .chain(offices)
                .chain(s.alternatives.iter().copied())
        })
        .collect();
    let tenants = store.listed_microsoft_tenants(account, &tenant_ids).await?;
    let tenants = by_id(tenants, |t| t.tenant_id);
    let syncro = store.listed_syncro_tenants(account, &syncro_ids).await?;
    let syncro = by_id(syncro, |s| s.id);
    Ok(shown
        .iter()
        .filter_map(|s| {
            let t = tenants.get(&s.tenant)?;
            let st = syncro.get(&s.syncro_tenant)?;
            Some(SuggestionRow {
                tenant_id: t.tenant_id.to_string(),
                tenant_name: t.display_name.clone(),
                domains: t.domains().map(str::to_string).collect(),
                syncro_tenant: NamedRef::from(st),
                confidence: s.confidence,
                reason: s.reason.clone(),
                alternatives: s
                    .alternatives
                    .iter()
                    .filter_map(|id| syncro.get(id).map(NamedRef::from))
                    .collect(),
                group: match &s.group {
                    None => None,
                    Some(g) => Some(SuggestedGroup {
                        name: g.name.clone(),
                        offices: g
                            .syncro_tenants
                            .iter()
                            .map(|id| syncro.get(id).map(NamedRef::from))
                            .collect::<Option<_>>()?,
                        organizations: g.organizations.iter().map(|o| o.to_string()).collect(),
                    }),
                },
            })
        })
        .collect())
}

/// Maps several Microsoft Tenants at once — a bulk mapping, not only of suggestions: `picks[]`
/// (`<tenant ID>:<Syncro Tenant id>` each, any pairs of the caller's account; each is checked
/// as a single mapping is, R2) — the Suggestions page's *Accept selected* — or, with `high` =
/// "true", every suggestion of high confidence as the matcher makes them now (*Accept all with
/// high confidence*). Maps them in atomic parts of
/// [`rules::MAPPINGS_PER_CHANGE`]; a pair whose tenant or Syncro Tenant was mapped meanwhile is
/// reported by name and the rest still apply. Redirects to `back` without JavaScript.
#[server(prefix = "/api", endpoint = "map-tenants")]
pub async fn map_tenants(
    #[server(default)] picks: Vec<String>,
    #[server(default)] high: String,
    #[server(default)] back: String,
    /// "true" once the person saw what grouping offices renames and deletes, and said yes.
    #[server(default)]
    confirmed: String,
) -> Result<AcceptReport, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let mut pairs: Vec<(MicrosoftTenantId, SyncroTenantId)> = Vec::new();
    let mut offices: Vec<OfficePick> = Vec::new();
    if high == "true" {
        let all = store.suggestions(acct).await?;
        for s in all.iter().filter(|s| s.confidence == Confidence::High) {
            match &s.group {
                None => pairs.push((s.tenant, s.syncro_tenant)),
                Some(g) => offices.push(OfficePick {
                    tenant: s.tenant,
                    syncro_tenant: s.syncro_tenant,
                    organizations: g.organizations.clone(),
                }),
            }
        }
    } else {
        if picks.len() > MAX_PICKS {
            return Err(AppError::validation(
                "picks",
                format!("Accept at most {MAX_PICKS} suggestions at once"),
            ));
        }
        for pick in picks.iter().filter(|p| !p.trim().is_empty()) {
            let malformed = || {
                AppError::validation("picks", "Each choice is a tenant ID and a Syncro Tenant id")
            };
            let mut parts = pick.splitn(3, ':');
            let (Some(t), Some(s)) = (parts.next(), parts.next()) else {
                return Err(malformed());
            };
            let (tenant, syncro_tenant) = (MicrosoftTenantId::parse(t)?, SyncroTenantId::parse(s)?);
            match parts.next() {
                None => pairs.push((tenant, syncro_tenant)),
                Some(orgs) => {
                    let organizations = orgs
                        .split(',')
                        .take(MAX_GROUP + 1)
                        .map(OrganizationId::parse)
                        .collect::<Result<Vec<_>, _>>()?;
                    if organizations.is_empty() || organizations.len() > MAX_GROUP {
                        return Err(malformed());
                    }
                    offices.push(OfficePick {
                        tenant,
                        syncro_tenant,
                        organizations,
                    });
                }
            }
        }
    }
    if pairs.is_empty() && offices.is_empty() {
        return Err(AppError::validation(
            "picks",
            if high == "true" {
                "No suggestion has high confidence"
            } else {
                "Choose at least one suggestion"
            },
        ));
    }
    // Grouping offices renames and deletes Syncro Tenants: said with its counts, and done only
    // once confirmed (the refusal is the question; the page asks it with a Yes).
    if !offices.is_empty() && confirmed != "true" {
        let (renames, deletes) = impact(&*store, acct, &offices).await?;
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        return Err(AppError::validation(
            crate::forms::CONFIRM,
            format!(
                "This maps {} and groups {} offices under one Syncro Tenant each: it renames {} and deletes {}. Undo puts them back.",
                plural(
                    pairs.len() + offices.len(),
                    "Microsoft Tenant",
                    "Microsoft Tenants"
                ),
                plural(offices.len(), "customer's", "customers'"),
                plural(renames, "Syncro Tenant", "Syncro Tenants"),
                plural(deletes, "Syncro Tenant", "Syncro Tenants"),
            ),
        ));
    }
    let (report, entry) = accept(&*store, acct, &caller.ctx(), &pairs, &offices).await?;
    let mut said = format!(
        "Mapped {} Microsoft Tenant{}.",
        report.mapped,
        if report.mapped == 1 { "" } else { "s" }
    );
    if !report.not_mapped.is_empty() {
        said.push_str(&format!(" Not mapped: {}.", report.not_mapped.join("; ")));
    }
    // One Undo for the whole: the operation's entry.
    match entry {
        Some(at) => crate::status::say_undoable(said, at.token()),
        None => crate::status::say(said),
    }
    if !back.is_empty() {
        leptos_axum::redirect(&super::safe_back(
            &back,
            "/admin/microsoft-tenants/suggestions",
        ));
    }
    Ok(report)
}
