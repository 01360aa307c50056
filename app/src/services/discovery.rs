//! Records discovered tenants (a Microsoft sync, a CSV import, the demo loader): reads what the
//! store knows, plans the writes with [`domain::integration::discovery::plan`], and applies the parts in
//! order. See that module for the promise a large discovery keeps.
//!
//! [`domain::integration::discovery::plan`]: crate::domain::integration::discovery::plan

use crate::domain::Ctx;
use crate::domain::integration::discovery::{self, DiscoveryAudit};
use crate::domain::*;
use crate::store::prelude::*;
use std::collections::HashMap;

/// A discovery that stopped part-way: the first `written` of `total` tenants were recorded (in
/// whole, audited parts); the rest were not. Running the same sync or import again finishes it.
#[derive(Debug, thiserror::Error)]
#[error("recorded {written} of {total} Microsoft Tenants, then: {cause}")]
pub struct Interrupted {
    pub written: usize,
    pub total: usize,
    pub cause: StoreError,
}

impl From<Interrupted> for crate::error::AppError {
    fn from(e: Interrupted) -> Self {
        crate::error::AppError::Interrupted {
            written: e.written,
            total: e.total,
            reference: crate::error::logged(&e),
        }
    }
}

/// Microsoft Tenants from a CSV file (the Import CSV page and `server import-tenants`): the
/// rows that parse are recorded as a partial discovery; the others come back with their reasons.
#[tracing::instrument(skip_all, fields(account = %caller.account))]
pub async fn import_csv(
    store: &dyn Store,
    caller: &crate::auth::Caller,
    csv: &str,
) -> Result<crate::wire::ImportReport, crate::error::AppError> {
    let parsed = crate::domain::integration::tenant_import::parse(csv)?;
    let mut report = crate::wire::ImportReport {
        rejected: parsed.rejected,
        ..Default::default()
    };
    if !parsed.tenants.is_empty() {
        let audit = crate::domain::integration::discovery::DiscoveryAudit {
            action: "microsoft_tenant.import",
            summary: format!(
                "Imported {} Microsoft Tenants from CSV",
                parsed.tenants.len()
            ),
        };
        let outcome = record(
            store,
            &caller.account,
            &caller.ctx(),
            audit,
            parsed.tenants,
            crate::domain::Coverage::Partial,
        )
        .await?;
        report.added = outcome.added;
        report.updated = outcome.updated;
    }
    Ok(report)
}

/// Records `tenants` for `account` as one planned discovery (see [`discovery::plan`]).
#[tracing::instrument(skip(store, ctx, audit, tenants), fields(tenants = tenants.len()))]
pub async fn record(
    store: &dyn Store,
    account: &AccountId,
    ctx: &Ctx,
    audit: DiscoveryAudit,
    tenants: Vec<DiscoveredTenant>,
    coverage: Coverage,
) -> Result<DiscoveryOutcome, Interrupted> {
    let total = tenants.len();
    let stop = |cause| Interrupted {
        written: 0,
        total,
        cause,
    };
    // A complete sync needs every known tenant (to mark the unseen ones); an import only those
    // it names.
    let known: Vec<MicrosoftTenant> = match coverage {
        Coverage::Complete => store.all_microsoft_tenants(account).await,
        Coverage::Partial => {
            let ids: Vec<MicrosoftTenantId> = tenants.iter().map(|t| t.tenant_id).collect();
            store.microsoft_tenants_by_ids(account, &ids).await
        }
    }
    .map_err(stop)?;
    let known: HashMap<MicrosoftTenantId, discovery::Known> = known
        .iter()
        .map(|t| (t.tenant_id, discovery::Known::from(t)))
        .collect();
    let plan = discovery::plan(ctx, &audit, &known, tenants, coverage);
    let total = plan.tenants();
    let mut written = 0;
    for (change, size) in plan.changes.into_iter().zip(plan.sizes) {
        if let Err(cause) = store.apply(account, change).await {
            tracing::warn!(%account, written, total, error = %cause, "a discovery stopped part-way");
            return Err(Interrupted {
                written,
                total,
                cause,
            });
        }
        written += size;
    }
    Ok(plan.outcome)
}
