//! Recording what Microsoft (or a CSV import) reports, as a rule: from the tenants a store
//! already knows and the tenants just discovered, the writes to make — planned once here, so
//! both stores apply the same writes and keep the same promise.
//!
//! The merge: names, domains, the sync failure and GDAP access refresh; a domain Microsoft did
//! not send keeps the stored one; a tenant seen again is no longer "removed"; a mapping is
//! never touched; a complete sync marks every known tenant it did not see "removed by
//! Microsoft" (never deleted).
//!
//! **A large change is a sequence of changes.** A CSP partner may have 10,000 customers and an
//! import 20,000 rows; one transaction holds 100 writes. So the writes come in [`ChangeSet`]s of
//! at most [`TENANTS_PER_CHANGE`] tenants, each with its own audit entry naming its part and its
//! tenants ("part 3 of 12"). Each part is atomic; the parts are not atomic together. A run that
//! stops part-way has recorded whole parts only, each audited, and running the same sync or
//! import again finishes it: every write is an idempotent upsert.

use crate::domain::{
    AuditEntry, ChangeSet, Coverage, Ctx, DiscoveredTenant, MicrosoftTenant, MicrosoftTenantId,
    Timestamp, Version, Write,
};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// Most tenants one change records: the rest of the transaction is its audit entry.
pub const TENANTS_PER_CHANGE: usize = ChangeSet::MAX_WRITES - 1;

/// What a discovery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryOutcome {
    pub added: usize,
    pub updated: usize,
    /// Marked removed by Microsoft (a complete listing no longer had them).
    pub removed: usize,
}

/// What the audit log says of a discovery: its action and a one-line summary.
#[derive(Debug, Clone)]
pub struct DiscoveryAudit {
    pub action: &'static str,
    pub summary: String,
}

/// The changes of one discovery, to apply in order, and what they will have done.
#[derive(Debug, Clone)]
pub struct DiscoveryPlan {
    pub changes: Vec<ChangeSet>,
    pub outcome: DiscoveryOutcome,
    /// Tenants written in each change (recorded + marked removed), in order.
    pub sizes: Vec<usize>,
}

impl DiscoveryPlan {
    pub fn tenants(&self) -> usize {
        self.sizes.iter().sum()
    }
}

/// What a store knows of a tenant when a discovery is planned: whether it is marked removed,
/// and its name and default domain (the before-values its audit entry records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub removed: bool,
    pub name: String,
    pub default_domain: String,
}

impl From<&MicrosoftTenant> for Known {
    fn from(t: &MicrosoftTenant) -> Self {
        Known {
            removed: t.removed_at.is_some(),
            name: t.display_name.clone(),
            default_domain: t.default_domain.clone(),
        }
    }
}

/// Plans a discovery. `known` is every tenant of the account the store has (for a complete
/// sync) or at least those in `tenants` (for a partial one). A tenant listed twice is recorded
/// once, as last listed. Each part's audit entry says in words what it added, renamed and
/// marked removed, and keeps the names before.
/// The audit entry of one part: what it added, renamed (with the names before) and marked
/// removed, in words and as data.
fn part_entry(
    ctx: &Ctx,
    audit: &DiscoveryAudit,
    known: &HashMap<MicrosoftTenantId, Known>,
    chunk: &[Write],
    (part, parts): (usize, usize),
) -> Write {
    let (mut added, mut renamed, mut before_renamed, mut removed, mut before_removed) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut words: Vec<String> = Vec::new();
    let mut refreshed = 0;
    for w in chunk {
        match w {
            Write::RecordDiscovered { tenant, .. } => match known.get(&tenant.tenant_id) {
                None => {
                    added.push(json!({ "tenant": tenant.tenant_id, "name": tenant.display_name }))
                }
                Some(k) if k.name != tenant.display_name => {
                    if words.len() < 3 {
                        words.push(format!("\"{}\" is now \"{}\"", k.name, tenant.display_name));
                    }
                    before_renamed.push(json!({ "tenant": tenant.tenant_id, "name": k.name, "default_domain": k.default_domain }));
                    renamed.push(json!({ "tenant": tenant.tenant_id, "name": tenant.display_name, "default_domain": tenant.default_domain }));
                }
                Some(_) => refreshed += 1,
            },
            Write::MarkRemoved { tenant_id, .. } => {
                removed.push(json!(tenant_id));
                let name = known
                    .get(tenant_id)
                    .map(|k| k.name.as_str())
                    .unwrap_or_default();
                before_removed.push(json!({ "tenant": tenant_id, "name": name }));
            }
            _ => {}
        }
    }
    let mut said = Vec::new();
    if !added.is_empty() {
        said.push(format!("{} added", added.len()));
    }
    if !renamed.is_empty() {
        let more = renamed.len() - words.len();
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        said.push(format!(
            "{} renamed ({}{more})",
            renamed.len(),
            words.join(", ")
        ));
    }
    if !removed.is_empty() {
        said.push(format!("{} removed by Microsoft", removed.len()));
    }
    if said.is_empty() {
        said.push("nothing new".to_string());
    }
    let (id, part) = if parts == 1 {
        (ctx.audit_id.clone(), String::new())
    } else {
        (
            format!("{}-{part:05}", ctx.audit_id),
            format!(" — part {part} of {parts}"),
        )
    };
    Write::Audit(AuditEntry {
        at: ctx.now,
        id,
        actor: ctx.actor.clone(),
        action: audit.action.to_string(),
        summary: format!("{}{part}: {}", audit.summary, said.join(", ")),
        before: json!({ "renamed": before_renamed, "removed": before_removed }),
        after: json!({ "added": added, "renamed": renamed, "refreshed": refreshed, "removed": removed }),
        records: Vec::new(),
        operation: None,
    })
}

pub fn plan(
    ctx: &Ctx,
    audit: &DiscoveryAudit,
    known: &HashMap<MicrosoftTenantId, Known>,
    tenants: Vec<DiscoveredTenant>,
    coverage: Coverage,
) -> DiscoveryPlan {
    let mut last: HashMap<MicrosoftTenantId, usize> = HashMap::new();
    for (i, t) in tenants.iter().enumerate() {
        last.insert(t.tenant_id, i);
    }
    let seen: HashSet<MicrosoftTenantId> = last.keys().copied().collect();
    let mut outcome = DiscoveryOutcome::default();
    let mut writes = Vec::with_capacity(seen.len());
    for (i, t) in tenants.into_iter().enumerate() {
        if last.get(&t.tenant_id) != Some(&i) {
            continue;
        }
        if known.contains_key(&t.tenant_id) {
            outcome.updated += 1;
        } else {
            outcome.added += 1;
        }
        writes.push(Write::RecordDiscovered {
            tenant: t,
            at: ctx.now,
        });
    }
    if coverage == Coverage::Complete {
        let mut gone: Vec<MicrosoftTenantId> = known
            .iter()
            .filter(|(id, k)| !k.removed && !seen.contains(id))
            .map(|(id, _)| *id)
            .collect();
        gone.sort_unstable();
        outcome.removed = gone.len();
        writes.extend(gone.into_iter().map(|tenant_id| Write::MarkRemoved {
            tenant_id,
            at: ctx.now,
        }));
    }
    let parts = writes.len().div_ceil(TENANTS_PER_CHANGE).max(1);
    let mut changes = Vec::with_capacity(parts);
    let mut sizes = Vec::with_capacity(parts);
    let mut rest = writes.into_iter().peekable();
    for part in 1..=parts {
        let chunk: Vec<Write> = rest.by_ref().take(TENANTS_PER_CHANGE).collect();
        let entry = part_entry(ctx, audit, known, &chunk, (part, parts));
        sizes.push(chunk.len());
        let mut c = ChangeSet::default();
        for w in chunk {
            c.push(w);
        }
        c.push(entry);
        changes.push(c);
    }
    DiscoveryPlan {
        changes,
        outcome,
        sizes,
    }
}

/// The record a [`Write::RecordDiscovered`] leaves: `current` refreshed, or a new unmapped one.
pub fn merged(
    current: Option<&MicrosoftTenant>,
    t: &DiscoveredTenant,
    at: Timestamp,
) -> MicrosoftTenant {
    match current {
        Some(cur) => MicrosoftTenant {
            display_name: t.display_name.clone(),
            default_domain: if t.default_domain.is_empty() {
                cur.default_domain.clone()
            } else {
                t.default_domain.clone()
            },
            verified_domains: if t.verified_domains.is_empty() {
                cur.verified_domains.clone()
            } else {
                t.verified_domains.clone()
            },
            last_sync: at,
            sync_error: t.failure.clone(),
            removed_at: None,
            gdap: t.gdap,
            ..cur.clone()
        },
        None => MicrosoftTenant {
            tenant_id: t.tenant_id,
            display_name: t.display_name.clone(),
            default_domain: t.default_domain.clone(),
            verified_domains: t.verified_domains.clone(),
            syncro_tenant: None,
            last_sync: at,
            version: Version(1),
            sync_error: t.failure.clone(),
            removed_at: None,
            gdap: t.gdap,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(1_000),
            audit_id: "a1".into(),
        }
    }

    fn id(n: u128) -> MicrosoftTenantId {
        MicrosoftTenantId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn found(n: u128, name: &str) -> DiscoveredTenant {
        DiscoveredTenant::from_graph(id(n), name, &format!("t{n}.onmicrosoft.com"))
    }

    fn known(pairs: &[(u128, bool)]) -> HashMap<MicrosoftTenantId, Known> {
        pairs
            .iter()
            .map(|(n, removed)| {
                let k = Known {
                    removed: *removed,
                    name: format!("Known {n}"),
                    default_domain: format!("t{n}.onmicrosoft.com"),
                };
                (id(*n), k)
            })
            .collect()
    }

    fn audit() -> DiscoveryAudit {
        DiscoveryAudit {
            action: "microsoft_tenant.sync",
            summary: "Synced".into(),
        }
    }

    #[test]
    fn a_small_discovery_is_one_change_with_its_audit_entry() {
        let known = known(&[(1, false), (2, false), (3, true)]);
        let plan = plan(
            &ctx(),
            &audit(),
            &known,
            vec![found(1, "One"), found(4, "Four"), found(1, "One again")],
            Coverage::Complete,
        );
        assert_eq!(
            plan.outcome,
            DiscoveryOutcome {
                added: 1,
                updated: 1,
                removed: 1
            },
            "3 was removed already; 1 listed twice counts once"
        );
        assert_eq!(plan.changes.len(), 1);
        let writes = plan.changes[0].clone().into_writes().unwrap();
        // A tenant listed twice is written once, as last listed.
        assert!(
            matches!(&writes[0], Write::RecordDiscovered { tenant, .. } if tenant.tenant_id == id(4))
        );
        assert!(
            matches!(&writes[1], Write::RecordDiscovered { tenant, .. } if tenant.display_name == "One again")
        );
        assert!(matches!(&writes[2], Write::MarkRemoved { tenant_id, .. } if *tenant_id == id(2)));
        let Write::Audit(a) = writes.last().unwrap() else {
            panic!("the audit entry comes last")
        };
        assert_eq!(
            (a.id.as_str(), a.summary.as_str()),
            (
                "a1",
                "Synced: 1 added, 1 renamed (\"Known 1\" is now \"One again\"), 1 removed by Microsoft"
            )
        );
        assert_eq!(a.after["removed"][0], id(2).to_string());
        assert_eq!(a.before["removed"][0]["name"], "Known 2");
        assert_eq!(a.before["renamed"][0]["name"], "Known 1");
        assert_eq!(a.after["renamed"][0]["name"], "One again");
        assert_eq!(a.after["added"][0]["name"], "Four");
    }

    #[test]
    fn a_partial_discovery_marks_nothing_removed() {
        let known = known(&[(1, false), (2, false)]);
        let plan = plan(
            &ctx(),
            &audit(),
            &known,
            vec![found(1, "One")],
            Coverage::Partial,
        );
        assert_eq!(plan.outcome.removed, 0);
        assert_eq!(plan.tenants(), 1);
    }

    #[test]
    fn an_empty_discovery_still_leaves_its_audit_entry() {
        let plan = plan(&ctx(), &audit(), &HashMap::new(), vec![], Coverage::Partial);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].len(), 1);
    }

    #[test]
    fn a_large_discovery_is_parts_that_each_fit_one_transaction_with_their_audit_entry() {
        // 20,000 rows (the import limit) plus 1,000 known tenants no longer listed.
        let known = known(&(100_000..101_000).map(|n| (n, false)).collect::<Vec<_>>());
        let tenants: Vec<_> = (0..20_000).map(|n| found(n, "T")).collect();
        let plan = plan(&ctx(), &audit(), &known, tenants, Coverage::Complete);
        assert_eq!(plan.outcome.added, 20_000);
        assert_eq!(plan.outcome.removed, 1_000);
        assert_eq!(plan.changes.len(), 21_000usize.div_ceil(TENANTS_PER_CHANGE));
        assert_eq!(plan.tenants(), 21_000);
        let mut ids = HashSet::new();
        for (i, c) in plan.changes.iter().enumerate() {
            let writes = c.clone().into_writes().expect("well formed");
            assert!(writes.len() <= ChangeSet::MAX_WRITES);
            let Write::Audit(a) = writes.last().unwrap() else {
                panic!("each part ends with its audit entry")
            };
            assert!(ids.insert(a.id.clone()), "audit ids are unique");
            assert!(
                a.summary
                    .contains(&format!("part {} of {}:", i + 1, plan.changes.len())),
                "{}",
                a.summary
            );
            // DynamoDB's item limit is 400 KB: a part's entry (97 tenants with their names
            // before and after) is some KB whatever the total.
            assert!(serde_json::to_vec(a).unwrap().len() < 32_000);
        }
    }

    #[test]
    fn merging_keeps_the_mapping_and_a_domain_microsoft_did_not_send() {
        let st = SyncroTenantId::from_uuid(uuid::Uuid::from_u128(9));
        let cur = MicrosoftTenant {
            syncro_tenant: Some(st),
            version: Version(4),
            removed_at: Some(Timestamp(5)),
            ..merged(None, &found(1, "Old"), Timestamp(1))
        };
        let mut t = found(1, "New");
        t.default_domain = String::new();
        let next = merged(Some(&cur), &t, Timestamp(7));
        assert_eq!(next.display_name, "New");
        assert_eq!(next.default_domain, "t1.onmicrosoft.com");
        assert_eq!((next.syncro_tenant, next.version), (Some(st), Version(4)));
        assert_eq!((next.removed_at, next.last_sync), (None, Timestamp(7)));
    }
}
