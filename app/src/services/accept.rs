//! Accepting suggestions (or any chosen pairs) in bulk: plain pairs are mapped in atomic parts
//! of [`rules::MAPPINGS_PER_CHANGE`]; offices of one customer are grouped under one Syncro
//! Tenant and mapped, one atomic change per customer ([`group::group`], as the Group page
//! applies it). Each part is read, decided and applied as current as the store's records; one
//! refused because something changed between the read and the write is read and decided again
//! (up to three times). What cannot be mapped is reported by name, and the rest still applies.

use crate::domain::activity::ActivityCursor;
use crate::domain::mapping::group::{self, GroupTarget, Grouping};
use crate::domain::mapping::rules;
use crate::domain::{
    AccountId, Ctx, MicrosoftTenantId, OrganizationId, SyncroTenantId, SyncroTenantName,
};
use crate::error::AppError;
use crate::services::changes::store_error;
use crate::services::operation::{Operation, entries_in};
use crate::store::prelude::*;
use crate::wire::AcceptReport;

/// Tries of a part refused as stale before it is reported as changed by someone else.
const TRIES: usize = 3;

/// One tenant and the offices to group for it: the Syncro Tenant kept and every Organization
/// of the group.
#[derive(Debug, Clone)]
pub struct OfficePick {
    pub tenant: MicrosoftTenantId,
    pub syncro_tenant: SyncroTenantId,
    pub organizations: Vec<OrganizationId>,
}

/// Maps the pairs and groups the offices, as one operation of the activity log: what was
/// mapped and what was not, and where the operation's entry is (to undo it whole).
#[tracing::instrument(skip_all, fields(account = %acct, pairs = pairs.len(), groups = offices.len()))]
pub async fn accept(
    store: &dyn Store,
    acct: &AccountId,
    ctx: &Ctx,
    pairs: &[(MicrosoftTenantId, SyncroTenantId)],
    offices: &[OfficePick],
) -> Result<(AcceptReport, Option<ActivityCursor>), AppError> {
    let mut report = AcceptReport::default();
    // One operation in the log: its parts' entries inside one entry, undone together.
    let op = Operation::start(ctx, "accept");
    let mut tally = Tally::default();
    for (part, chunk) in pairs.chunks(rules::MAPPINGS_PER_CHANGE).enumerate() {
        let ctx = part_ctx(ctx, part);
        map_part(store, acct, &ctx, &op, chunk, &mut report, &mut tally).await?;
    }
    let first = pairs.len().div_ceil(rules::MAPPINGS_PER_CHANGE);
    for (i, pick) in offices.iter().enumerate() {
        let ctx = part_ctx(ctx, first + i);
        group_part(store, acct, &ctx, &op, pick, &mut report, &mut tally).await?;
    }
    let entry = op
        .finish(store, acct, tally.summary(), tally.entries)
        .await
        .map_err(AppError::from)?;
    Ok((report, entry))
}

/// What accepting would do beyond mapping, for its confirmation: how many Syncro Tenants the
/// office groups rename (the kept one, to the name the offices share) and delete (the emptied
/// ones), read from the records as they are now.
pub async fn impact(
    store: &dyn Store,
    acct: &AccountId,
    offices: &[OfficePick],
) -> Result<(usize, usize), AppError> {
    let org_ids: Vec<OrganizationId> = offices
        .iter()
        .flat_map(|p| p.organizations.iter().copied())
        .collect();
    let orgs = by_id(store.organizations_by_ids(acct, &org_ids).await?, |o| o.id);
    let mut st_ids: Vec<SyncroTenantId> = orgs.values().map(|o| o.syncro_tenant).collect();
    st_ids.extend(offices.iter().map(|p| p.syncro_tenant));
    st_ids.sort_unstable();
    st_ids.dedup();
    let sts = by_id(store.syncro_tenants_by_ids(acct, &st_ids).await?, |s| s.id);
    let (mut renames, mut deletes) = (0, 0);
    for pick in offices {
        let mut parents: Vec<SyncroTenantId> = pick
            .organizations
            .iter()
            .filter_map(|o| orgs.get(o).map(|o| o.syncro_tenant))
            .collect();
        parents.push(pick.syncro_tenant);
        parents.sort_unstable();
        parents.dedup();
        deletes += parents.len().saturating_sub(1);
        let names = parents
            .iter()
            .filter_map(|p| sts.get(p))
            .map(|s| s.name.as_str());
        let shared = group::common_name(names);
        if sts
            .get(&pick.syncro_tenant)
            .is_some_and(|kept| !shared.is_empty() && kept.name.as_str() != shared)
        {
            renames += 1;
        }
    }
    Ok((renames, deletes))
}

/// What the accepted parts did, for the operation's entry.
#[derive(Default)]
struct Tally {
    entries: usize,
    mapped: usize,
    grouped: usize,
}

impl Tally {
    fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut s = format!(
            "Accepted {}: mapped {}",
            plural(self.mapped + self.grouped, "suggestion", "suggestions"),
            plural(
                self.mapped + self.grouped,
                "Microsoft Tenant",
                "Microsoft Tenants"
            ),
        );
        if self.grouped > 0 {
            s.push_str(&format!(
                ", grouping {} offices under one Syncro Tenant",
                plural(self.grouped, "customer's", "customers'")
            ));
        }
        s
    }
}

/// Each part its own audit entry (`<audit id>-<part>`).
fn part_ctx(ctx: &Ctx, part: usize) -> Ctx {
    Ctx {
        audit_id: format!("{}-{part:04}", ctx.audit_id),
        ..ctx.clone()
    }
}

async fn map_part(
    store: &dyn Store,
    acct: &AccountId,
    ctx: &Ctx,
    op: &Operation,
    chunk: &[(MicrosoftTenantId, SyncroTenantId)],
    report: &mut AcceptReport,
    tally: &mut Tally,
) -> Result<(), AppError> {
    for tries in 1..=TRIES {
        // Both sides of every pair in one batch read.
        let ids = RecordIds {
            microsoft_tenants: chunk.iter().map(|p| p.0).collect(),
            syncro_tenants: chunk.iter().map(|p| p.1).collect(),
            ..RecordIds::default()
        };
        let found = store.records(acct, ids).await?;
        let tenants = by_id(found.microsoft_tenants, |t| t.tenant_id);
        let syncro = by_id(found.syncro_tenants, |s| s.id);
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
        let (changes, refused) = rules::map_tenants(ctx, &known);
        let mapped = known.len() - refused.len();
        let mut entries = 0;
        let outcome = match changes.into_iter().next() {
            None => Ok(()),
            Some(change) => {
                entries = entries_in(&change);
                store.apply(acct, op.part(change)).await
            }
        };
        match outcome {
            Ok(()) => {
                report.mapped += mapped;
                tally.mapped += mapped;
                tally.entries += entries;
                report.not_mapped.extend(gone);
                report
                    .not_mapped
                    .extend(refused.into_iter().map(|(_, why)| why));
                return Ok(());
            }
            Err(StoreError::Conflict(_)) if tries < TRIES => continue,
            Err(StoreError::Conflict(_)) => {
                report.not_mapped.extend(
                    known
                        .iter()
                        .map(|(t, _)| changed_meanwhile(&t.display_name)),
                );
                return Ok(());
            }
            Err(e) => return Err(store_error(store, acct, e, "").await),
        }
    }
    Ok(())
}

/// One customer's offices: read, grouped under the kept Syncro Tenant with the name their
/// names share (as the suggestion said, from the records as they are now), and mapped.
async fn group_part(
    store: &dyn Store,
    acct: &AccountId,
    ctx: &Ctx,
    op: &Operation,
    pick: &OfficePick,
    report: &mut AcceptReport,
    tally: &mut Tally,
) -> Result<(), AppError> {
    for tries in 1..=TRIES {
        let Some(tenant) = store
            .microsoft_tenants_by_ids(acct, &[pick.tenant])
            .await?
            .into_iter()
            .next()
        else {
            report
                .not_mapped
                .push("A Microsoft Tenant you chose no longer exists".into());
            return Ok(());
        };
        let who = &tenant.display_name;
        let organizations = store
            .organizations_by_ids(acct, &pick.organizations)
            .await?;
        let mut parent_ids: Vec<SyncroTenantId> =
            organizations.iter().map(|o| o.syncro_tenant).collect();
        parent_ids.push(pick.syncro_tenant);
        parent_ids.sort_unstable();
        parent_ids.dedup();
        let mut parents = store.syncro_tenants_by_ids(acct, &parent_ids).await?;
        parents.sort_by_cached_key(|p| (p.name.key(), p.id));
        let Some(kept) = parents.iter().find(|p| p.id == pick.syncro_tenant) else {
            report
                .not_mapped
                .push(format!("\"{who}\": its Syncro Tenant no longer exists"));
            return Ok(());
        };
        if organizations.len() != pick.organizations.len() {
            report.not_mapped.push(format!(
                "\"{who}\": some of its offices' Organizations no longer exist — group them on the Group page"
            ));
            return Ok(());
        }
        let shared = group::common_name(parents.iter().map(|p| p.name.as_str()));
        let name = SyncroTenantName::parse(&shared).unwrap_or_else(|_| kept.name.clone());
        let grouping = Grouping {
            organizations: &organizations,
            parents: &parents,
            target: GroupTarget::Existing(kept),
            name: &name,
            tenant: Some(&tenant),
            delete_empty: true,
        };
        let plan = match group::group(ctx, &grouping) {
            Ok(plan) => plan,
            Err(e) => {
                report.not_mapped.push(format!("\"{who}\": {e}"));
                return Ok(());
            }
        };
        let entries = entries_in(&plan.change);
        match store.apply(acct, op.part(plan.change)).await {
            Ok(()) => {
                report.mapped += 1;
                tally.grouped += 1;
                tally.entries += entries;
                return Ok(());
            }
            Err(StoreError::Conflict(_)) if tries < TRIES => continue,
            Err(StoreError::Conflict(_)) => {
                report.not_mapped.push(changed_meanwhile(who));
                return Ok(());
            }
            Err(StoreError::NameTaken { .. }) => {
                report.not_mapped.push(format!(
                    "\"{who}\": another Syncro Tenant is named “{name}” — group these offices on the Group page"
                ));
                return Ok(());
            }
            Err(e) => return Err(store_error(store, acct, e, name.as_str()).await),
        }
    }
    Ok(())
}

fn changed_meanwhile(name: &str) -> String {
    format!("\"{name}\": changed by someone else while accepting — try again")
}
