//! Suggestions on Microsoft Tenant Management: the proposed mappings (`domain::mapping::suggest`), and
//! accepting the chosen ones or all those with high confidence.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::mapping::suggest::{Confidence, Suggestion},
    crate::domain::{AccountId, MicrosoftTenantId, SyncroTenantId, mapping::rules},
    crate::services::changes::store_error,
    crate::store::prelude::*,
    std::collections::HashMap,
};

/// Rows per page of the Suggestions view.
pub const SUGGESTIONS_PER_PAGE: u32 = 50;

/// Most pairs one accept may name (the form of one page holds 50; "all with high confidence"
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
    let syncro_ids: Vec<SyncroTenantId> = shown.iter().map(|s| s.syncro_tenant).collect();
    let tenants: HashMap<_, _> = store
        .listed_microsoft_tenants(account, &tenant_ids)
        .await?
        .into_iter()
        .map(|t| (t.tenant_id, t))
        .collect();
    let syncro: HashMap<_, _> = store
        .listed_syncro_tenants(account, &syncro_ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
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
) -> Result<AcceptReport, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let mut pairs: Vec<(MicrosoftTenantId, SyncroTenantId)> = Vec::new();
    if high == "true" {
        let all = store.suggestions(acct).await?;
        pairs.extend(
            all.iter()
                .filter(|s| s.confidence == Confidence::High)
                .map(|s| (s.tenant, s.syncro_tenant)),
        );
    } else {
        if picks.len() > MAX_PICKS {
            return Err(AppError::validation(
                "picks",
                format!("Accept at most {MAX_PICKS} suggestions at once"),
            ));
        }
        for pick in picks.iter().filter(|p| !p.trim().is_empty()) {
            let (t, s) = pick.split_once(':').ok_or_else(|| {
                AppError::validation("picks", "Each choice is a tenant ID and a Syncro Tenant id")
            })?;
            pairs.push((MicrosoftTenantId::parse(t)?, SyncroTenantId::parse(s)?));
        }
    }
    if pairs.is_empty() {
        return Err(AppError::validation(
            "picks",
            if high == "true" {
                "No suggestion has high confidence"
            } else {
                "Choose at least one suggestion"
            },
        ));
    }
    let report = accept(&*store, acct, &caller.ctx(), &pairs).await?;
    let mut said = format!(
        "Mapped {} Microsoft Tenant{}.",
        report.mapped,
        if report.mapped == 1 { "" } else { "s" }
    );
    if !report.not_mapped.is_empty() {
        said.push_str(&format!(" Not mapped: {}.", report.not_mapped.join("; ")));
    }
    crate::status::say(said);
    if !back.is_empty() {
        leptos_axum::redirect(&super::safe_back(
            &back,
            "/admin/microsoft-tenants/suggestions",
        ));
    }
    Ok(report)
}

/// Maps the pairs, as current as the store's records: each part is read, decided by
/// [`rules::map_tenants`] and applied atomically; a part refused because something changed
/// between the read and the write is read and decided again (up to three times).
#[cfg(feature = "ssr")]
async fn accept(
    store: &dyn Store,
    acct: &AccountId,
    ctx: &crate::domain::Ctx,
    pairs: &[(MicrosoftTenantId, SyncroTenantId)],
) -> Result<AcceptReport, AppError> {
    let mut report = AcceptReport::default();
    for (part, chunk) in pairs.chunks(rules::MAPPINGS_PER_CHANGE).enumerate() {
        let mut tries = 0;
        loop {
            tries += 1;
            let tenant_ids: Vec<_> = chunk.iter().map(|p| p.0).collect();
            let syncro_ids: Vec<_> = chunk.iter().map(|p| p.1).collect();
            let tenants: HashMap<_, _> = store
                .microsoft_tenants_by_ids(acct, &tenant_ids)
                .await?
                .into_iter()
                .map(|t| (t.tenant_id, t))
                .collect();
            let syncro: HashMap<_, _> = store
                .syncro_tenants_by_ids(acct, &syncro_ids)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect();
            let mut gone = Vec::new();
            let mut known = Vec::new();
            for (t, s) in chunk {
                match (tenants.get(t), syncro.get(s)) {
                    (Some(t), Some(s)) => known.push((t.clone(), s.clone())),
                    (None, _) => gone.push("A Microsoft Tenant you chose no longer exists".into()),
                    (Some(t), None) => gone.push(format!(
                        "\"{}\": its Syncro Tenant no longer exists",
                        t.display_name
                    )),
                }
            }
            let part_ctx = crate::domain::Ctx {
                audit_id: format!("{}-{part:04}", ctx.audit_id),
                ..ctx.clone()
            };
            let (changes, refused) = rules::map_tenants(&part_ctx, &known);
            let mapped = known.len() - refused.len();
            let outcome = match changes.into_iter().next() {
                None => Ok(()),
                Some(change) => store.apply(acct, change).await,
            };
            match outcome {
                Ok(()) => {
                    report.mapped += mapped;
                    report.not_mapped.extend(gone);
                    report
                        .not_mapped
                        .extend(refused.into_iter().map(|(_, why)| why));
                    break;
                }
                Err(StoreError::Conflict(_)) if tries < 3 => continue,
                Err(StoreError::Conflict(_)) => {
                    report.not_mapped.extend(known.iter().map(|(t, _)| {
                        format!(
                            "\"{}\": changed by someone else while accepting — try again",
                            t.display_name
                        )
                    }));
                    break;
                }
                Err(e) => return Err(store_error(store, acct, e, "").await),
            }
        }
    }
    Ok(report)
}
