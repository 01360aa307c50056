//! *Import mappings* from the mapping export: a dry run that reports every row, and the import
//! that applies exactly those changes in atomic parts (`domain::mapping::import`).

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::Caller,
    crate::auth::admin,
    crate::domain::mapping::import::{self, Outcome, Plan, Rows},
    crate::domain::mapping::parked::Parked,
    crate::domain::*,
    crate::services::operation::{Operation, entries_in},
    crate::store::prelude::*,
    std::collections::HashMap,
};

/// The file (part `file`, or pasted text `csv`) with `create` = "true" to create missing
/// Syncro Tenants and `apply` = "true" to import; otherwise a dry run. Without JavaScript the
/// report comes back in the page's link, sealed for this session.
#[server(prefix = "/api", endpoint = "import-mappings", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn import_mappings(
    data: leptos::server_fn::codec::MultipartData,
) -> Result<MappingImportReport, AppError> {
    let (caller, store) = admin().await?;
    let (csv, fields) = super::tenants::upload(data, &["create", "apply"]).await?;
    let create = fields.get("create").is_some_and(|v| v == "true");
    let apply = fields.get("apply").is_some_and(|v| v == "true");
    let rows = import::read(&csv)?;
    let (mut report, changing) = run(&*store, &caller, &rows, create, apply, IMPORT).await?;
    if !apply && !changing.is_empty() {
        report.checked = park(
            &*store,
            &caller,
            Checked {
                create,
                rows: changing,
            },
        )
        .await?;
    }
    land(report).await
}

/// *Import these N changes*: the rows a dry run found to change (`checked`: where they are
/// kept, for this session, a few minutes, once), imported without choosing the file again.
/// Each is decided again on the records as they are now.
#[server(prefix = "/api", endpoint = "import-checked-mappings")]
pub async fn import_checked_mappings(checked: String) -> Result<MappingImportReport, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let gone = || {
        AppError::validation(
            "checked",
            "The checked file is no longer kept (for 10 minutes, and one import): choose it again below.",
        )
    };
    let id = checked.trim();
    // Opened for this session first (another session's try leaves it), then taken in one
    // atomic step: of two imports of one check at once, only one runs.
    let now = crate::domain::now();
    let parked = store.parked(acct, id, now).await?.ok_or_else(gone)?;
    let _: Checked =
        crate::auth::open_for_session(CHECKED_MAPPINGS, &parked.sealed).ok_or_else(gone)?;
    let parked = store.take_parked(acct, id, now).await?.ok_or_else(gone)?;
    let checked: Checked =
        crate::auth::open_for_session(CHECKED_MAPPINGS, &parked.sealed).ok_or_else(gone)?;
    let rows = Rows {
        rows: checked.rows,
        refused: Vec::new(),
    };
    let (report, _) = run(&*store, &caller, &rows, checked.create, true, IMPORT).await?;
    land(report).await
}

/// The rows of a dry run that change, and its choice to create Syncro Tenants: what
/// *Import these N changes* imports.
#[cfg(feature = "ssr")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Checked {
    create: bool,
    rows: Vec<import::Row>,
}

/// What a parked check is sealed for.
#[cfg(feature = "ssr")]
const CHECKED_MAPPINGS: &str = "checked-mappings";

/// Keeps the check for this session; its id, or `None` when it is larger than is kept (the
/// page then asks for the file again).
#[cfg(feature = "ssr")]
async fn park(
    store: &dyn Store,
    caller: &Caller,
    checked: Checked,
) -> Result<Option<String>, AppError> {
    let sealed = crate::auth::seal_for_session(CHECKED_MAPPINGS, &checked);
    let id = uuid::Uuid::new_v4().simple().to_string();
    let Some(parked) = Parked::new(
        caller.account.clone(),
        id.clone(),
        sealed,
        crate::domain::now(),
    ) else {
        return Ok(None);
    };
    store.park(parked).await?;
    Ok(Some(id))
}

/// An import of mappings, as an operation of the activity log.
#[cfg(feature = "ssr")]
pub(super) const IMPORT: &str = "import";

/// Plans every row and, with `apply`, applies the plan in its atomic parts — one operation of
/// the activity log of `kind` ([`IMPORT`], `map_rest`), undone as one. The report, and the rows
/// that change (those a dry run offers to import).
#[cfg(feature = "ssr")]
pub(super) async fn run(
    store: &dyn Store,
    caller: &Caller,
    rows: &Rows,
    create: bool,
    apply: bool,
    kind: &str,
) -> Result<(MappingImportReport, Vec<import::Row>), AppError> {
    let plan = plan(store, caller, rows, create).await?;
    let mut report = MappingImportReport {
        applied: apply,
        ..Default::default()
    };
    let mut changing = std::collections::HashSet::new();
    for r in &plan.results {
        match r.outcome {
            Outcome::Unchanged => report.unchanged += 1,
            Outcome::Refused => report.refused += 1,
            _ => {
                report.changes += 1;
                changing.insert(r.line);
            }
        }
    }
    if apply {
        let acct = &caller.account;
        let total = plan.changes.len();
        let op = Operation::start(&caller.ctx(), kind);
        let mut entries = 0;
        for (i, change) in plan.changes.into_iter().enumerate() {
            let rows_in = entries_in(&change);
            match store.apply(acct, op.part(change)).await {
                Ok(()) => entries += rows_in,
                // A record changed meanwhile: the parts before stay; running it again finishes
                // (rows applied now read as unchanged).
                Err(StoreError::Conflict(_) | StoreError::NameTaken { .. }) => {
                    report.not_applied += rows_in;
                    tracing::info!(part = i, total, "a mapping import part met a change");
                }
                Err(e) => return Err(AppError::from(e)),
            }
        }
        let applied = report.changes.saturating_sub(report.not_applied);
        let rows_word = if applied == 1 { "row" } else { "rows" };
        let summary = if kind == IMPORT {
            format!("Imported mappings: {applied} {rows_word} applied")
        } else {
            format!("Map the rest: {applied} {rows_word} applied")
        };
        op.finish(store, acct, summary, entries).await?;
    }
    report.rows = plan
        .results
        .into_iter()
        .filter(|r| r.outcome != Outcome::Unchanged)
        .take(MAPPING_ROWS_SHOWN)
        .map(|mut r| {
            if apply {
                r.note = import::done(&r.outcome, &r.note);
            }
            r
        })
        .collect();
    let changing = rows
        .rows
        .iter()
        .filter(|r| changing.contains(&r.line))
        .cloned()
        .collect();
    Ok((report, changing))
}

/// Without JavaScript the report comes back in the page's link, sealed for this session, and
/// the page opens on it.
#[cfg(feature = "ssr")]
async fn land(report: MappingImportReport) -> Result<MappingImportReport, AppError> {
    super::land_with_report(IMPORT_PATH, "report", MAPPING_REPORT, || report.for_link()).await;
    Ok(report)
}

/// The import page: Microsoft Tenants and mappings, each in its place (it was
/// `/admin/microsoft-tenants/import-mappings`, still served).
pub const IMPORT_PATH: &str = "/admin/microsoft-tenants/import";

/// What a sealed report in the page's link is for.
pub const MAPPING_REPORT: &str = "mapping-import-report";

/// The report in the page's link, if this server sealed it for this session.
pub fn mapping_report_in_link(sealed: &str) -> Option<MappingImportReport> {
    super::sealed_in_link(MAPPING_REPORT, sealed)
}

/// Every row decided on the records as they are: the rows' tenants read strongly, the Syncro
/// Tenants they name found by name in the list and read strongly too.
#[cfg(feature = "ssr")]
async fn plan(
    store: &dyn Store,
    caller: &Caller,
    rows: &Rows,
    create: bool,
) -> Result<Plan, AppError> {
    let acct = &caller.account;
    let ids: Vec<MicrosoftTenantId> = rows.rows.iter().map(|r| r.tenant).collect();
    let tenants = store.microsoft_tenants_by_ids(acct, &ids).await?;
    let tenants = by_id(tenants, |t| t.tenant_id);
    let named: std::collections::HashSet<String> = rows
        .rows
        .iter()
        .map(|r| name_key(&r.syncro_tenant))
        .collect();
    let everything = ListQuery {
        per_page: u32::MAX,
        ..ListQuery::default()
    };
    let listed = store.list_syncro_tenants(acct, &everything, false).await?;
    let mut wanted: Vec<SyncroTenantId> = listed
        .items
        .iter()
        .filter(|s| named.contains(&s.name.key()))
        .map(|s| s.id)
        .collect();
    wanted.extend(tenants.values().filter_map(|t| t.syncro_tenant));
    let syncro: HashMap<String, SyncroTenant> = store
        .syncro_tenants_by_ids(acct, &wanted)
        .await?
        .into_iter()
        .map(|s| (s.name.key(), s))
        .collect();
    Ok(import::plan(
        &caller.ctx(),
        rows,
        &tenants,
        &syncro,
        create,
        || SyncroTenantId::from_uuid(uuid::Uuid::new_v4()),
    ))
}
