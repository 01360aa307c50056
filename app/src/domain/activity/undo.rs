//! *Undo* in the activity log: a new change that restores what a recorded change replaced —
//! a mapping, a Syncro Tenant's name, an Organization's details and parent, Organizations moved
//! by *Add Organizations*, a grouping under one Syncro Tenant — refused with the
//! reason when the record was changed since (R8), so an undo never overwrites later work.
//!
//! [`what_to_undo`] reads the entry; the server function reads the records it names, and
//! [`undo`] decides on them with the ordinary rules, so an undo keeps R1–R5 like any change.

use crate::domain::mapping::rules;
use crate::domain::{
    AuditEntry, ChangeSet, Ctx, DomainError, Expect, MicrosoftTenant, MicrosoftTenantId, NameKind,
    Organization, OrganizationId, SyncroTenant, SyncroTenantId, Write,
};

/// What an entry changed, as far as an undo needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum Undoable {
    /// A Microsoft Tenant's mapping went from `before` to `after`.
    Mapping {
        tenant: MicrosoftTenantId,
        before: Option<SyncroTenantId>,
        after: Option<SyncroTenantId>,
    },
    /// A Syncro Tenant was renamed.
    Rename {
        before: SyncroTenant,
        after: SyncroTenant,
    },
    /// An Organization's name, contact details or parent were edited.
    Organization {
        before: Organization,
        after: Organization,
    },
    /// *Add Organizations* moved these Organizations to `target`, each from its own parent.
    Moves {
        target: SyncroTenantId,
        moves: Vec<(OrganizationId, SyncroTenantId)>,
    },
    /// *Group under one Syncro Tenant*: `moves` went to `after` (which was `before`, or new),
    /// the `deleted` Syncro Tenants were left empty and deleted, and `mapping` (a Microsoft
    /// Tenant, and what it was mapped to before) was mapped to it.
    Group {
        before: Option<SyncroTenant>,
        after: SyncroTenant,
        moves: Vec<(OrganizationId, SyncroTenantId)>,
        deleted: Vec<SyncroTenant>,
        mapping: Option<(MicrosoftTenantId, Option<SyncroTenantId>)>,
    },
}

/// The field a refused undo of a bulk operation names when some of its parts changed since:
/// the page then offers to undo the others.
pub const UNDO_REST: &str = "undo_rest";

/// Whether entries of this action offer *Undo* (a bulk operation's: its parts, together).
pub fn can_undo(action: &str) -> bool {
    action.starts_with(super::OPERATION)
        || matches!(
            action,
            "microsoft_tenant.map"
                | "microsoft_tenant.unmap"
                | "microsoft_tenant.change"
                | "syncro_tenant.rename"
                | "syncro_tenant.add_organizations"
                | "syncro_tenant.group"
                | "organization.update"
        )
}

/// What the entry changed; refused for entries that cannot be undone.
pub fn what_to_undo(entry: &AuditEntry) -> Result<Undoable, DomainError> {
    let cannot = || DomainError::InUse("This change cannot be undone from the activity log".into());
    if !can_undo(&entry.action) {
        return Err(cannot());
    }
    let side = |v: &serde_json::Value| -> Result<Option<SyncroTenantId>, DomainError> {
        match v.get("syncro_tenant") {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(id) => serde_json::from_value(id.clone())
                .map(Some)
                .map_err(|_| cannot()),
        }
    };
    Ok(match entry.action.as_str() {
        "syncro_tenant.rename" => Undoable::Rename {
            before: record(&entry.before).ok_or_else(cannot)?,
            after: record(&entry.after).ok_or_else(cannot)?,
        },
        "syncro_tenant.add_organizations" => {
            let before = moves_of(&entry.before).ok_or_else(cannot)?;
            let after = moves_of(&entry.after).ok_or_else(cannot)?;
            let target = after.first().map(|(_, t)| *t).ok_or_else(cannot)?;
            if after.iter().any(|(_, t)| *t != target) {
                return Err(cannot());
            }
            Undoable::Moves {
                target,
                moves: before,
            }
        }
        "syncro_tenant.group" => {
            let pairs = moves_of(&entry.before["organizations"]).ok_or_else(cannot)?;
            let mapping = match &entry.before["microsoft_tenant"] {
                serde_json::Value::Null => None,
                m => Some((record(&m["microsoft_tenant"]).ok_or_else(cannot)?, side(m)?)),
            };
            Undoable::Group {
                before: match &entry.before["syncro_tenant"] {
                    serde_json::Value::Null => None,
                    v => Some(record(v).ok_or_else(cannot)?),
                },
                after: record(&entry.after["syncro_tenant"]).ok_or_else(cannot)?,
                moves: pairs,
                deleted: record(&entry.before["deleted"]).ok_or_else(cannot)?,
                mapping,
            }
        }
        "organization.update" => Undoable::Organization {
            before: record(&entry.before).ok_or_else(cannot)?,
            after: record(&entry.after).ok_or_else(cannot)?,
        },
        _ => Undoable::Mapping {
            tenant: entry
                .after
                .get("microsoft_tenant")
                .and_then(|t| serde_json::from_value(t.clone()).ok())
                .ok_or_else(cannot)?,
            before: side(&entry.before)?,
            after: side(&entry.after)?,
        },
    })
}

/// `[{ "organization": …, "syncro_tenant": … }, …]` as pairs.
fn moves_of(v: &serde_json::Value) -> Option<Vec<(OrganizationId, SyncroTenantId)>> {
    v.as_array()?
        .iter()
        .map(|m| {
            Some((
                record(m.get("organization")?)?,
                record(m.get("syncro_tenant")?)?,
            ))
        })
        .collect()
}

fn record<T: serde::de::DeserializeOwned>(v: &serde_json::Value) -> Option<T> {
    serde_json::from_value(v.clone()).ok()
}

/// The records an undo is decided on, read now.
#[derive(Debug, Clone, Default)]
pub struct Now {
    pub tenant: Option<MicrosoftTenant>,
    /// Syncro Tenants named by the entry, as they are now (missing ones were deleted).
    pub syncro_tenants: Vec<SyncroTenant>,
    /// The Organizations named by the entry, as they are now (missing ones were deleted).
    pub organizations: Vec<Organization>,
}

fn changed_since(what: String) -> DomainError {
    DomainError::InUse(format!(
        "{what} since, so this cannot be undone. Change it directly instead."
    ))
}

/// The change that restores the entry's before-state on the records as they are `now`.
pub fn undo(ctx: &Ctx, what: &Undoable, now: &Now) -> Result<ChangeSet, DomainError> {
    let st = |id: SyncroTenantId| {
        now.syncro_tenants
            .iter()
            .find(|s| s.id == id)
            .ok_or_else(|| changed_since("Its Syncro Tenant was deleted".into()))
    };
    let change = match what {
        Undoable::Mapping { before, after, .. } => {
            let mt = now
                .tenant
                .as_ref()
                .ok_or_else(|| changed_since("The Microsoft Tenant is gone".into()))?;
            if mt.syncro_tenant != *after {
                return Err(changed_since(format!(
                    "\"{}\" was mapped differently",
                    mt.display_name
                )));
            }
            match (after, before) {
                (Some(a), None) => rules::unmap_tenant(ctx, mt, mt.version, st(*a)?),
                (None, Some(b)) => rules::map_tenant(ctx, mt, mt.version, st(*b)?)?,
                (Some(a), Some(b)) => rules::change_mapping(ctx, mt, mt.version, st(*a)?, st(*b)?)?,
                (None, None) => return Err(changed_since("Nothing to restore".into())),
            }
        }
        Undoable::Rename { before, after } => {
            let current = st(after.id)?;
            if current.name != after.name {
                return Err(changed_since(format!(
                    "\"{}\" was renamed again",
                    after.name
                )));
            }
            rules::rename_syncro_tenant(ctx, current, current.version, before.name.clone())
        }
        Undoable::Organization { before, after } => {
            let current = now
                .organizations
                .iter()
                .find(|o| o.id == after.id)
                .ok_or_else(|| changed_since("The Organization was deleted".into()))?;
            if current.version != after.version {
                return Err(changed_since(format!(
                    "\"{}\" was edited again",
                    current.name
                )));
            }
            rules::update_organization(
                ctx,
                current,
                current.version,
                before.name.clone(),
                before.contact.clone(),
                st(before.syncro_tenant)?,
            )
        }
        Undoable::Moves { target, moves } => move_back(ctx, *target, moves, now, st)?,
        Undoable::Group {
            before,
            after,
            moves,
            deleted,
            mapping,
        } => ungroup(ctx, before.as_ref(), after, moves, deleted, *mapping, now)?,
    };
    Ok(change.noted(" (undo)"))
}

/// How many Organizations go to each Syncro Tenant.
type PerParent = Vec<(SyncroTenantId, u32)>;

/// Puts each Organization of `moves` back under the Syncro Tenant it came from, if every one
/// is still under `target`: how many go back to each Syncro Tenant, and the Organizations in
/// the order of `moves`.
fn organizations_back<'a>(
    ctx: &Ctx,
    c: &mut ChangeSet,
    target: SyncroTenantId,
    moves: &[(OrganizationId, SyncroTenantId)],
    now: &'a Now,
) -> Result<(PerParent, Vec<&'a Organization>), DomainError> {
    let mut back: PerParent = Vec::new();
    let mut orgs = Vec::new();
    for (id, from) in moves {
        let org = now
            .organizations
            .iter()
            .find(|o| o.id == *id)
            .ok_or_else(|| changed_since("An Organization was deleted".into()))?;
        if org.syncro_tenant != target {
            return Err(changed_since(format!("\"{}\" was moved", org.name)));
        }
        match back.iter_mut().find(|(p, _)| p == from) {
            Some((_, n)) => *n += 1,
            None => back.push((*from, 1)),
        }
        c.push(Write::PutOrganization {
            record: Organization {
                syncro_tenant: *from,
                version: org.version.next(),
                updated_at: ctx.now,
                ..org.clone()
            },
            expect: Expect::Version(org.version),
        });
        orgs.push(org);
    }
    Ok((back, orgs))
}

/// Moves Organizations back to the Syncro Tenants they came from, if all are still where the
/// move put them.
fn move_back<'a>(
    ctx: &Ctx,
    target: SyncroTenantId,
    moves: &[(OrganizationId, SyncroTenantId)],
    now: &'a Now,
    st: impl Fn(SyncroTenantId) -> Result<&'a SyncroTenant, DomainError>,
) -> Result<ChangeSet, DomainError> {
    let to = st(target)?;
    let mut c = ChangeSet::default();
    let (back, orgs) = organizations_back(ctx, &mut c, target, moves, now)?;
    let mut names = Vec::new();
    for (org, (_, from)) in orgs.iter().zip(moves) {
        names.push(format!("\"{}\" to \"{}\"", org.name, st(*from)?.name));
    }
    let moved: u32 = back.iter().map(|(_, n)| n).sum();
    for (id, k) in back {
        c.push(Write::AdjustOrganizationCount {
            id,
            delta: k as i32,
        });
    }
    c.push(Write::AdjustOrganizationCount {
        id: target,
        delta: -(moved as i32),
    });
    c.push(ctx.audit_entry(
        "syncro_tenant.move_back",
        format!(
            "Moved back from Syncro Tenant \"{}\": {}",
            to.name,
            names.join(", ")
        ),
        serde_json::json!(
                moves
                    .iter()
                    .map(|(o, _)| serde_json::json!({ "organization": o, "syncro_tenant": target }))
                    .collect::<Vec<_>>()
            ),
        serde_json::json!(
                moves
                    .iter()
                    .map(|(o, f)| serde_json::json!({ "organization": o, "syncro_tenant": f }))
                    .collect::<Vec<_>>()
            ),
    ));
    Ok(c)
}

/// Undoes a grouping: the Organizations back where they were, the Syncro Tenants it deleted
/// re-created (same id, name, and their Organizations), the one they were grouped under
/// renamed back and unmapped if the grouping mapped it, or deleted if the grouping created it.
/// Refused with the reason if any of it was changed since.
fn ungroup(
    ctx: &Ctx,
    before: Option<&SyncroTenant>,
    after: &SyncroTenant,
    moves: &[(OrganizationId, SyncroTenantId)],
    deleted: &[SyncroTenant],
    mapping: Option<(MicrosoftTenantId, Option<SyncroTenantId>)>,
    now: &Now,
) -> Result<ChangeSet, DomainError> {
    let target = now
        .syncro_tenants
        .iter()
        .find(|s| s.id == after.id)
        .ok_or_else(|| changed_since(format!("\"{}\" was deleted", after.name)))?;
    if target.name != after.name {
        return Err(changed_since(format!("\"{}\" was renamed", after.name)));
    }
    if target.microsoft_tenant != after.microsoft_tenant {
        return Err(changed_since(format!(
            "\"{}\" was mapped differently",
            after.name
        )));
    }
    let mut c = ChangeSet::default();

    // The Microsoft Tenant the grouping mapped, unmapped again.
    let mut unmapped = None;
    if let Some((id, was)) = mapping.filter(|(_, was)| *was != Some(after.id)) {
        let mt = now
            .tenant
            .as_ref()
            .filter(|mt| mt.tenant_id == id && mt.syncro_tenant == Some(after.id))
            .ok_or_else(|| changed_since("Its Microsoft Tenant was mapped differently".into()))?;
        if was.is_some() {
            // A grouping never takes a mapped Microsoft Tenant from another Syncro Tenant.
            return Err(changed_since(
                "Its Microsoft Tenant was mapped differently".into(),
            ));
        }
        c.push(Write::SetMapping {
            record: MicrosoftTenant {
                syncro_tenant: None,
                version: mt.version.next(),
                ..mt.clone()
            },
            expect: mt.version,
        });
        unmapped = Some(mt.display_name.clone());
    }

    // The Organizations, back to where they came from.
    let (back, orgs) = organizations_back(ctx, &mut c, after.id, moves, now)?;
    let names: Vec<String> = orgs.iter().map(|o| format!("\"{}\"", o.name)).collect();
    let moved: u32 = back.iter().map(|(_, n)| n).sum();

    // The Syncro Tenants they came from: re-created if the grouping deleted them.
    let mut recreated = Vec::new();
    for (id, k) in back {
        match deleted.iter().find(|d| d.id == id) {
            Some(d) => {
                if now.syncro_tenants.iter().any(|s| s.id == id) {
                    return Err(changed_since(format!("\"{}\" exists again", d.name)));
                }
                c.push(Write::ClaimName {
                    kind: NameKind::SyncroTenant,
                    key: d.name.key(),
                    owner: id.as_uuid(),
                });
                c.push(Write::CreateSyncroTenant {
                    record: SyncroTenant {
                        microsoft_tenant: None,
                        organization_count: k,
                        version: d.version.next(),
                        updated_at: ctx.now,
                        ..d.clone()
                    },
                });
                recreated.push(format!("\"{}\"", d.name));
            }
            None => {
                if !now.syncro_tenants.iter().any(|s| s.id == id) {
                    return Err(changed_since(
                        "A Syncro Tenant they came from was deleted".into(),
                    ));
                }
                c.push(Write::AdjustOrganizationCount {
                    id,
                    delta: k as i32,
                });
            }
        }
    }

    // The Syncro Tenant they were grouped under: as it was, or gone if the grouping made it.
    let mut summary = format!("Undid the grouping under Syncro Tenant \"{}\"", after.name);
    match before {
        None => {
            if target.organization_count != moved {
                return Err(changed_since(format!(
                    "Organizations joined \"{}\"",
                    after.name
                )));
            }
            c.extend(Write::release_name(
                NameKind::SyncroTenant,
                target.name.as_str(),
            ));
            c.push(Write::DeleteSyncroTenant {
                id: target.id,
                expect: target.version,
                moving_out: moved,
                unmapping: target.microsoft_tenant.is_some(),
            });
            summary.push_str(&format!("; deleted \"{}\"", after.name));
        }
        Some(b) => {
            c.extend(Write::move_name(
                NameKind::SyncroTenant,
                target.id.as_uuid(),
                target.name.as_str(),
                b.name.key(),
            ));
            c.push(Write::UpdateSyncroTenant {
                record: SyncroTenant {
                    name: b.name.clone(),
                    microsoft_tenant: if unmapped.is_some() {
                        None
                    } else {
                        target.microsoft_tenant
                    },
                    organization_count: target.organization_count.saturating_sub(moved),
                    version: target.version.next(),
                    updated_at: ctx.now,
                    ..target.clone()
                },
                expect: target.version,
                count_delta: -(moved as i32),
            });
            if b.name != target.name {
                summary.push_str(&format!("; renamed back to \"{}\"", b.name));
            }
        }
    }
    if !names.is_empty() {
        summary.push_str(&format!("; moved back {}", names.join(", ")));
    }
    if !recreated.is_empty() {
        summary.push_str(&format!("; re-created {}", recreated.join(", ")));
    }
    if let Some(mt) = unmapped {
        summary.push_str(&format!("; unmapped Microsoft Tenant \"{mt}\""));
    }
    let pairs = |to: Option<SyncroTenantId>| {
        moves
            .iter()
            .map(|(o, f)| serde_json::json!({ "organization": o, "syncro_tenant": to.unwrap_or(*f) }))
            .collect::<Vec<_>>()
    };
    c.push(ctx.audit_entry(
        "syncro_tenant.ungroup",
        summary,
        serde_json::json!({ "syncro_tenant": target, "organizations": pairs(Some(after.id)) }),
        serde_json::json!({ "syncro_tenant": before, "organizations": pairs(None), "recreated": deleted }),
    ));
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(9),
            audit_id: "u1".into(),
        }
    }

    fn st(n: u128, name: &str, mt: Option<MicrosoftTenantId>) -> SyncroTenant {
        SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(n)),
            name: SyncroTenantName::parse(name).unwrap(),
            microsoft_tenant: mt,
            organization_count: 1,
            version: Version(4),
            updated_at: Timestamp(1),
        }
    }

    fn tenant(st: Option<SyncroTenantId>) -> MicrosoftTenant {
        MicrosoftTenant {
            tenant_id: MicrosoftTenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap(),
            display_name: "Foggy IT".into(),
            default_domain: "foggyit.onmicrosoft.com".into(),
            verified_domains: vec![],
            syncro_tenant: st,
            last_sync: Timestamp(1),
            version: Version(2),
            sync_error: None,
            removed_at: None,
            gdap: None,
        }
    }

    fn entry(action: &str, before: serde_json::Value, after: serde_json::Value) -> AuditEntry {
        AuditEntry {
            at: Timestamp(5),
            id: "e".into(),
            actor: "a".into(),
            action: action.into(),
            summary: String::new(),
            before,
            after,
            records: vec![],
            operation: None,
        }
    }

    /// Two offices grouped under a new Syncro Tenant mapped to Foggy IT, their old Syncro
    /// Tenants deleted: the entry, the records as they are after it, and the offices.
    fn grouped() -> (AuditEntry, Now, Vec<Organization>, Vec<SyncroTenant>) {
        let parents = vec![
            st(1, "Foggy - Boston", None),
            st(2, "Foggy - Waltham", None),
        ];
        let orgs: Vec<Organization> = parents
            .iter()
            .enumerate()
            .map(|(i, p)| Organization {
                id: OrganizationId::from_uuid(uuid::Uuid::from_u128(10 + i as u128)),
                name: OrganizationName::parse(&p.name.to_string()).unwrap(),
                syncro_tenant: p.id,
                contact: ContactDetails::default(),
                version: Version(2),
                updated_at: Timestamp(1),
            })
            .collect();
        let mt = tenant(None);
        let name = SyncroTenantName::parse("Foggy IT").unwrap();
        let new = SyncroTenantId::from_uuid(uuid::Uuid::from_u128(3));
        let plan = crate::domain::mapping::group::group(
            &ctx(),
            &crate::domain::mapping::group::Grouping {
                organizations: &orgs,
                parents: &parents,
                target: crate::domain::mapping::group::GroupTarget::New(new),
                name: &name,
                tenant: Some(&mt),
                delete_empty: true,
            },
        )
        .unwrap();
        let Some(Write::Audit(e)) = plan.change.writes().last().cloned() else {
            panic!("no entry")
        };
        let now = Now {
            tenant: Some(tenant(Some(new))),
            syncro_tenants: vec![SyncroTenant {
                organization_count: 2,
                version: Version(1),
                ..st(3, "Foggy IT", Some(mt.tenant_id))
            }],
            organizations: orgs
                .iter()
                .map(|o| Organization {
                    syncro_tenant: new,
                    version: Version(3),
                    ..o.clone()
                })
                .collect(),
        };
        (e, now, orgs, parents)
    }

    #[test]
    fn a_grouping_is_undone_whole() {
        let (e, now, orgs, parents) = grouped();
        let what = what_to_undo(&e).unwrap();
        let writes = undo(&ctx(), &what, &now).unwrap().into_writes().unwrap();
        // Each office back under its own Syncro Tenant, re-created with its id and name.
        for (o, p) in orgs.iter().zip(&parents) {
            assert!(writes.iter().any(|w| matches!(w,
                Write::PutOrganization { record, expect: Expect::Version(Version(3)) }
                    if record.id == o.id && record.syncro_tenant == p.id)));
            assert!(writes.iter().any(|w| matches!(w,
                Write::CreateSyncroTenant { record }
                    if record.id == p.id && record.name == p.name && record.organization_count == 1
                        && record.version == Version(5))));
        }
        // The new one deleted with its mapping, which goes back to none.
        assert!(writes.iter().any(|w| matches!(
            w,
            Write::DeleteSyncroTenant {
                moving_out: 2,
                unmapping: true,
                expect: Version(1),
                ..
            }
        )));
        assert!(writes.iter().any(
            |w| matches!(w, Write::SetMapping { record, .. } if record.syncro_tenant.is_none())
        ));
        let Some(Write::Audit(undone)) = writes.last() else {
            panic!()
        };
        assert_eq!(
            undone.summary,
            "Undid the grouping under Syncro Tenant \"Foggy IT\"; deleted \"Foggy IT\"; moved back \"Foggy - Boston\", \"Foggy - Waltham\"; re-created \"Foggy - Boston\", \"Foggy - Waltham\"; unmapped Microsoft Tenant \"Foggy IT\" (undo)"
        );
    }

    #[test]
    fn a_grouping_changed_since_is_not_undone() {
        let (e, now, _, _) = grouped();
        let what = what_to_undo(&e).unwrap();
        let refused = |now: &Now| match undo(&ctx(), &what, now) {
            Err(DomainError::InUse(why)) => why,
            other => panic!("{other:?}"),
        };
        let mut moved = now.clone();
        moved.organizations[1].syncro_tenant = SyncroTenantId::from_uuid(uuid::Uuid::from_u128(7));
        assert!(refused(&moved).starts_with("\"Foggy - Waltham\" was moved since"));
        let mut joined = now.clone();
        joined.syncro_tenants[0].organization_count = 3;
        assert!(refused(&joined).starts_with("Organizations joined \"Foggy IT\" since"));
        let mut remapped = now.clone();
        remapped.tenant = Some(tenant(None));
        assert!(refused(&remapped).starts_with("Its Microsoft Tenant was mapped differently"));
        let mut renamed = now.clone();
        renamed.syncro_tenants[0].name = SyncroTenantName::parse("Fog").unwrap();
        assert!(refused(&renamed).starts_with("\"Foggy IT\" was renamed since"));
        let mut back = now;
        back.syncro_tenants.push(st(1, "Foggy - Boston", None));
        assert!(refused(&back).starts_with("\"Foggy - Boston\" exists again"));
    }

    #[test]
    fn a_mapping_is_undone_unless_it_changed_since() {
        let target = st(1, "Foggy IT Services", None);
        let mt = tenant(None);
        let mapped = rules::map_tenant(&ctx(), &mt, mt.version, &target).unwrap();
        let Some(Write::Audit(e)) = mapped.writes().last().cloned() else {
            panic!("no entry")
        };
        let what = what_to_undo(&e).unwrap();
        assert_eq!(
            what,
            Undoable::Mapping {
                tenant: mt.tenant_id,
                before: None,
                after: Some(target.id)
            }
        );
        // As it is after the mapping: the undo unmaps both sides.
        let now = Now {
            tenant: Some(tenant(Some(target.id))),
            syncro_tenants: vec![st(1, "Foggy IT Services", Some(mt.tenant_id))],
            organizations: vec![],
        };
        let c = undo(&ctx(), &what, &now).unwrap();
        let writes = c.into_writes().unwrap();
        assert!(writes.iter().any(
            |w| matches!(w, Write::SetMapping { record, .. } if record.syncro_tenant.is_none())
        ));
        let Some(Write::Audit(u)) = writes.last() else {
            panic!("no entry")
        };
        assert!(u.summary.ends_with(" (undo)"), "{}", u.summary);
        // Mapped elsewhere meanwhile: refused, saying why.
        let other = st(2, "Other", Some(mt.tenant_id));
        let moved = Now {
            tenant: Some(tenant(Some(other.id))),
            syncro_tenants: vec![other],
            organizations: vec![],
        };
        let err = undo(&ctx(), &what, &moved).unwrap_err();
        assert!(
            err.to_string().contains("mapped differently since"),
            "{err}"
        );
    }

    #[test]
    fn a_rename_is_undone_only_from_the_name_it_gave() {
        let before = st(1, "Foggy IT Services - Boston", None);
        let after = SyncroTenant {
            name: SyncroTenantName::parse("Foggy IT Services").unwrap(),
            version: Version(5),
            ..before.clone()
        };
        let e = entry(
            "syncro_tenant.rename",
            serde_json::to_value(&before).unwrap(),
            serde_json::to_value(&after).unwrap(),
        );
        let what = what_to_undo(&e).unwrap();
        let now = Now {
            syncro_tenants: vec![after.clone()],
            ..Now::default()
        };
        let c = undo(&ctx(), &what, &now).unwrap();
        assert!(c.writes().iter().any(
            |w| matches!(w, Write::UpdateSyncroTenant { record, .. } if record.name == before.name)
        ));
        let again = SyncroTenant {
            name: SyncroTenantName::parse("Foggy").unwrap(),
            ..after
        };
        let now = Now {
            syncro_tenants: vec![again],
            ..Now::default()
        };
        assert!(undo(&ctx(), &what, &now).is_err());
    }

    #[test]
    fn moved_organizations_go_back_unless_one_moved_again() {
        let (a, b, target) = (
            st(1, "Waltham", None),
            st(2, "Burlington", None),
            st(3, "Foggy IT Services", None),
        );
        let org = |n: u128, name: &str, parent: &SyncroTenant| Organization {
            id: OrganizationId::from_uuid(uuid::Uuid::from_u128(100 + n)),
            name: OrganizationName::parse(name).unwrap(),
            syncro_tenant: parent.id,
            contact: ContactDetails::default(),
            version: Version(1),
            updated_at: Timestamp(1),
        };
        let (oa, ob) = (
            org(1, "Waltham office", &a),
            org(2, "Burlington office", &b),
        );
        let moved = rules::move_organizations(&ctx(), &target, &[oa.clone(), ob.clone()]).unwrap();
        let Some(Write::Audit(e)) = moved.writes().last().cloned() else {
            panic!("no entry")
        };
        let what = what_to_undo(&e).unwrap();
        let there = |o: &Organization| Organization {
            syncro_tenant: target.id,
            version: Version(2),
            ..o.clone()
        };
        let now = Now {
            syncro_tenants: vec![a.clone(), b.clone(), target.clone()],
            organizations: vec![there(&oa), there(&ob)],
            ..Now::default()
        };
        let c = undo(&ctx(), &what, &now).unwrap();
        let writes = c.into_writes().unwrap();
        assert!(writes.iter().any(|w| matches!(w, Write::PutOrganization { record, expect: Expect::Version(Version(2)) } if record.id == oa.id && record.syncro_tenant == a.id)));
        assert!(writes.iter().any(
            |w| matches!(w, Write::AdjustOrganizationCount { id, delta: -2 } if *id == target.id)
        ));
        let Some(Write::Audit(u)) = writes.last() else {
            panic!("no entry")
        };
        assert_eq!(
            u.summary,
            "Moved back from Syncro Tenant \"Foggy IT Services\": \"Waltham office\" to \"Waltham\", \"Burlington office\" to \"Burlington\" (undo)"
        );
        // One was moved elsewhere since: nothing is moved back.
        let elsewhere = Organization {
            syncro_tenant: b.id,
            ..there(&oa)
        };
        let now = Now {
            organizations: vec![elsewhere, there(&ob)],
            ..now
        };
        let err = undo(&ctx(), &what, &now).unwrap_err();
        assert!(
            err.to_string()
                .contains("\"Waltham office\" was moved since"),
            "{err}"
        );
    }

    #[test]
    fn other_entries_are_not_undone() {
        for action in [
            "microsoft_tenant.sync",
            "syncro_tenant.ungroup",
            "session.sign_in",
        ] {
            assert!(!can_undo(action));
            assert!(what_to_undo(&entry(action, json!(null), json!(null))).is_err());
        }
        assert!(what_to_undo(&entry("syncro_tenant.group", json!(null), json!(null))).is_err());
        // A damaged entry is refused, not a panic.
        let e = entry(
            "microsoft_tenant.map",
            json!({}),
            json!({ "microsoft_tenant": "nope" }),
        );
        assert!(what_to_undo(&e).is_err());
    }
}
