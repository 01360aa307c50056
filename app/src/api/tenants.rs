//! Microsoft Tenant Management: the list, mapping, and the CSV import.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::{MicrosoftTenantId, SyncroTenantId, Version, mapping::rules},
    crate::error::ResultExt,
    crate::services::changes::apply,
    crate::store::{MappingFilter, RecordIds},
};

/// One page of the Microsoft Tenant Management table.
#[server(prefix = "/api", endpoint = "microsoft-tenants")]
pub async fn list_microsoft_tenants(
    filter: String,
    q: String,
    sort: String,
    dir: String,
    page: String,
) -> Result<TenantList, AppError> {
    let (caller, store) = caller().await?;
    let query = ListQuery::from_params(&q, &sort, &dir, &page);
    let now = crate::domain::now();
    let filter = match filter.as_str() {
        "unmapped" => MappingFilter::Unmapped,
        "mapped" => MappingFilter::Mapped,
        "attention" => MappingFilter::NeedsAttention(now),
        _ => MappingFilter::All,
    };
    let page = store
        .list_microsoft_tenants(&caller.account, &query, filter)
        .await?;
    let st_ids: Vec<SyncroTenantId> = page.items.iter().filter_map(|m| m.syncro_tenant).collect();
    let sts = store
        .listed_syncro_tenants(&caller.account, &st_ids)
        .await?;
    let counts = store.microsoft_tenant_counts(&caller.account, now).await?;
    let connected = store.integration(&caller.account).await?.is_some();
    let tenants = page.map(|m| {
        let st = m
            .syncro_tenant
            .and_then(|id| sts.iter().find(|s| s.id == id))
            .map(NamedRef::from);
        MicrosoftTenantRow::new(&m, st)
    });
    Ok(TenantList {
        tenants,
        counts,
        connected,
    })
}

/// The Syncro Tenants a dropdown offers, filtered by name on the server (at most 50).
#[server(prefix = "/api", endpoint = "syncro-tenant-options")]
pub async fn syncro_tenant_options(
    q: String,
    unmapped_only: bool,
) -> Result<Vec<NamedRef>, AppError> {
    let (caller, store) = caller().await?;
    let mut query = ListQuery::from_params(&q, "name", "asc", "1");
    query.per_page = 50;
    let page = store
        .list_syncro_tenants(&caller.account, &query, unmapped_only)
        .await?;
    Ok(page.items.iter().map(NamedRef::from).collect())
}

/// One Microsoft Tenant, for the mapping dialog.
#[server(prefix = "/api", endpoint = "microsoft-tenant")]
pub async fn get_microsoft_tenant(tenant_id: String) -> Result<MicrosoftTenantRow, AppError> {
    let (caller, store) = caller().await?;
    let id = MicrosoftTenantId::parse(&tenant_id)?;
    let mt = store.microsoft_tenant(&caller.account, id).await.found()?;
    let st = match mt.syncro_tenant {
        Some(st) => store
            .syncro_tenant(&caller.account, st)
            .await?
            .as_ref()
            .map(NamedRef::from),
        None => None,
    };
    Ok(MicrosoftTenantRow::new(&mt, st))
}

/// *Start Tenant Mapping* (S1), and *Change Syncro Tenant* when the tenant is already mapped
/// and `change` is "true". Redirects to `back` (the page without the dialog) on success.
#[server(prefix = "/api", endpoint = "map-tenant")]
pub async fn map_tenant(
    tenant_id: String,
    version: String,
    syncro_tenant: String,
    change: String,
    back: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = MicrosoftTenantId::parse(&tenant_id)?;
    let expected = Version::parse(&version)?;
    if syncro_tenant.trim().is_empty() {
        return Err(AppError::validation(
            "syncro_tenant",
            "Choose a Syncro Tenant",
        ));
    }
    let st_id = SyncroTenantId::parse(&syncro_tenant)?;
    let acct = &caller.account;
    // Both in one read (one request on DynamoDB).
    let ids = RecordIds {
        microsoft_tenants: vec![id],
        syncro_tenants: vec![st_id],
        ..RecordIds::default()
    };
    let mut found = store.records(acct, ids).await?;
    let mt = found.microsoft_tenants.pop().found_at(expected)?;
    let target = found.syncro_tenants.pop().found()?;
    let ctx = caller.ctx();
    let (change_set, said) = match (mt.syncro_tenant, change == "true") {
        (Some(current), true) => {
            let current = store
                .syncro_tenant(acct, current)
                .await?
                .ok_or(AppError::Stale)?;
            let said = format!(
                "Moved {} from {} to {}.",
                mt.display_name, current.name, target.name
            );
            (
                rules::change_mapping(&ctx, &mt, expected, &current, &target)?,
                said,
            )
        }
        _ => (
            rules::map_tenant(&ctx, &mt, expected, &target)?,
            format!("Mapped {} to {}.", mt.display_name, target.name),
        ),
    };
    apply(&*store, acct, change_set, "").await?;
    crate::status::say_undoable(said, undo_token(&ctx));
    leptos_axum::redirect(&super::safe_back(&back, "/admin/microsoft-tenants"));
    Ok(())
}

/// *Unmap*: clears both sides of a mapping in one step.
#[server(prefix = "/api", endpoint = "unmap-tenant")]
pub async fn unmap_tenant(tenant_id: String, version: String) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = MicrosoftTenantId::parse(&tenant_id)?;
    let expected = Version::parse(&version)?;
    let acct = &caller.account;
    let mt = store.microsoft_tenant(acct, id).await.found_at(expected)?;
    let Some(st_id) = mt.syncro_tenant else {
        return Err(AppError::validation(
            "tenant_id",
            format!("\"{}\" is not mapped", mt.display_name),
        ));
    };
    let current = store
        .syncro_tenant(acct, st_id)
        .await?
        .ok_or(AppError::Stale)?;
    let ctx = caller.ctx();
    let change = rules::unmap_tenant(&ctx, &mt, expected, &current);
    apply(&*store, acct, change, "").await?;
    crate::status::say_undoable(
        format!("Unmapped {} from {}.", mt.display_name, current.name),
        undo_token(&ctx),
    );
    Ok(())
}

/// The activity entry a change made with `ctx` wrote, as *Undo* names it.
#[cfg(feature = "ssr")]
pub(crate) fn undo_token(ctx: &crate::domain::Ctx) -> String {
    crate::domain::activity::ActivityCursor {
        at: ctx.now,
        id: ctx.audit_id.clone(),
    }
    .token()
}

/// Imports Microsoft Tenants from CSV (`tenantId,displayName,defaultDomainName`), posted as
/// `multipart/form-data`: the part `file` (a chosen file) if it is not empty, else the part
/// `csv` (pasted text). Good rows are recorded; bad rows are reported by line number.
#[server(prefix = "/api", endpoint = "import-tenants", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn import_tenants(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<ImportReport, AppError> {
    let (caller, store) = admin().await?;
    let csv = csv_upload(data).await?;
    let report = crate::services::discovery::import_csv(&*store, &caller, &csv).await?;
    // Without JavaScript: the report with its first rejected rows, in the redirect's link.
    let shown = || report.for_link();
    super::land_with_report(super::IMPORT_PATH, "import", IMPORT_REPORT, shown).await;
    Ok(report)
}

/// What a sealed import report in the page's link is for.
pub const IMPORT_REPORT: &str = "import-report";

/// The import report in the page's link, if this server sealed it for this session.
pub fn import_report_in_link(sealed: &str) -> Option<ImportReport> {
    super::sealed_in_link(IMPORT_REPORT, sealed)
}

/// The largest CSV an import takes (about 50,000 rows).
#[cfg(feature = "ssr")]
const MAX_CSV_BYTES: usize = 5_000_000;

/// The CSV of an import form: the file's bytes if one was chosen, else the pasted text; UTF-8,
/// at most `MAX_CSV_BYTES`, read part by part so a larger upload stops there.
#[cfg(feature = "ssr")]
async fn csv_upload(data: leptos::server_fn::codec::MultipartData) -> Result<String, AppError> {
    Ok(upload(data, &[]).await?.0)
}

/// A CSV upload: the part `file` if not empty, else `csv`, as UTF-8 text; and the short
/// fields named in `fields` (at most 100 bytes each), by name.
#[cfg(feature = "ssr")]
pub(crate) async fn upload(
    data: leptos::server_fn::codec::MultipartData,
    fields: &[&str],
) -> Result<(String, std::collections::HashMap<String, String>), AppError> {
    fn malformed(e: impl std::fmt::Display) -> AppError {
        AppError::validation("csv", format!("The upload could not be read: {e}"))
    }
    let mut parts = data
        .into_inner()
        .ok_or_else(|| AppError::validation("csv", "The upload could not be read"))?;
    let (mut file, mut text) = (Vec::new(), Vec::new());
    let mut small = std::collections::HashMap::new();
    while let Some(mut part) = parts.next_field().await.map_err(malformed)? {
        let name = part.name().unwrap_or_default().to_string();
        if fields.contains(&name.as_str()) {
            let mut value = Vec::new();
            while let Some(chunk) = part.chunk().await.map_err(malformed)? {
                if value.len() + chunk.len() > 100 {
                    return Err(AppError::validation(
                        "csv",
                        format!(
                            "The field {} is too long",
                            crate::domain::quote(&name, crate::domain::QUOTED_CHARS)
                        ),
                    ));
                }
                value.extend_from_slice(&chunk);
            }
            small.insert(name, String::from_utf8_lossy(&value).into_owned());
            continue;
        }
        let into = match name.as_str() {
            "file" => &mut file,
            "csv" => &mut text,
            _ => continue,
        };
        while let Some(chunk) = part.chunk().await.map_err(malformed)? {
            if into.len() + chunk.len() > MAX_CSV_BYTES {
                return Err(AppError::validation("csv", "The file is larger than 5 MB"));
            }
            into.extend_from_slice(&chunk);
        }
    }
    let mut bytes = if file.is_empty() { text } else { file };
    // A spreadsheet's UTF-8 export may start with a byte order mark.
    if bytes.starts_with("\u{feff}".as_bytes()) {
        bytes.drain(..3);
    }
    // In place: the upload is held once.
    let text = String::from_utf8(bytes).map_err(|_| {
        AppError::validation(
            "csv",
            "The file is not UTF-8 text: save it as CSV UTF-8 and try again",
        )
    })?;
    Ok((text, small))
}
