//! *Undo* in the activity log: a new change that restores what a recorded change replaced —
//! a mapping, a Syncro Tenant's name, an Organization's details and parent, Organizations moved
//! by *Add Organizations* — refused with the
//! reason when the record was changed since (R8), so an undo never overwrites later work.
//!
//! [`what_to_undo`] reads the entry; the server function reads the records it names, and
//! [`undo`] decides on them with the ordinary rules, so an undo keeps R1–R5 like any change.

use super::rules::{self, Ctx};
use super::*;

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
}

/// Whether entries of this action offer *Undo*.
pub fn can_undo(action: &str) -> bool {
    matches!(
        action,
        "microsoft_tenant.map"
            | "microsoft_tenant.unmap"
            | "microsoft_tenant.change"
            | "syncro_tenant.rename"
            | "syncro_tenant.add_organizations"
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
            let pairs = |v: &serde_json::Value| -> Option<Vec<(OrganizationId, SyncroTenantId)>> {
                v.as_array()?
                    .iter()
                    .map(|m| {
                        Some((
                            record(m.get("organization")?)?,
                            record(m.get("syncro_tenant")?)?,
                        ))
                    })
                    .collect()
            };
            let before = pairs(&entry.before).ok_or_else(cannot)?;
            let after = pairs(&entry.after).ok_or_else(cannot)?;
            let target = after.first().map(|(_, t)| *t).ok_or_else(cannot)?;
            if after.iter().any(|(_, t)| *t != target) {
                return Err(cannot());
            }
            Undoable::Moves {
                target,
                moves: before,
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
    };
    Ok(change.noted(" (undo)"))
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
    let mut back: Vec<(SyncroTenantId, i32)> = Vec::new();
    let mut names = Vec::new();
    for (id, from) in moves {
        let org = now
            .organizations
            .iter()
            .find(|o| o.id == *id)
            .ok_or_else(|| changed_since("An Organization was deleted".into()))?;
        if org.syncro_tenant != target {
            return Err(changed_since(format!("\"{}\" was moved", org.name)));
        }
        let parent = st(*from)?;
        match back.iter_mut().find(|(p, _)| p == from) {
            Some((_, n)) => *n += 1,
            None => back.push((*from, 1)),
        }
        names.push(format!("\"{}\" to \"{}\"", org.name, parent.name));
        c.push(Write::PutOrganization {
            record: Organization {
                syncro_tenant: *from,
                version: org.version.next(),
                updated_at: ctx.now,
                ..org.clone()
            },
            expect: Expect::Version(org.version),
        });
    }
    let moved: i32 = back.iter().map(|(_, n)| n).sum();
    for (id, delta) in back {
        c.push(Write::AdjustOrganizationCount { id, delta });
    }
    c.push(Write::AdjustOrganizationCount {
        id: target,
        delta: -moved,
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

#[cfg(test)]
mod tests {
    use super::*;
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
        }
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
            "syncro_tenant.group",
            "session.sign_in",
        ] {
            assert!(!can_undo(action));
            assert!(what_to_undo(&entry(action, json!(null), json!(null))).is_err());
        }
        // A damaged entry is refused, not a panic.
        let e = entry(
            "microsoft_tenant.map",
            json!({}),
            json!({ "microsoft_tenant": "nope" }),
        );
        assert!(what_to_undo(&e).is_err());
    }
}
