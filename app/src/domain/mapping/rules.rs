//! The rules as plain functions: each computes, from the records it was given, the writes one
//! user action needs — with the conditions that keep R1–R5 and R8 true if anything changed in
//! between. A store applies the [`ChangeSet`] atomically or refuses it whole.

use crate::domain::{
    ChangeSet, ContactDetails, Ctx, DomainError, Expect, MicrosoftTenant, MicrosoftTenantId,
    NameKind, Organization, OrganizationId, OrganizationName, SyncroTenant, SyncroTenantId,
    SyncroTenantName, Version, Write,
};
use serde_json::json;

/// Where a new Organization goes.
#[derive(Debug, Clone, Copy)]
pub enum Parent<'a> {
    /// An existing Syncro Tenant, as read.
    Existing(&'a SyncroTenant),
    /// R4: a new Syncro Tenant with the Organization's name, created in the same step.
    Automatic(SyncroTenantId),
}

/// Most Organizations one *Add Organizations* may move (each one is several writes).
pub const MAX_MOVE: usize = 40;

fn to_json<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

pub fn create_organization(
    ctx: &Ctx,
    id: OrganizationId,
    name: OrganizationName,
    contact: ContactDetails,
    parent: Parent<'_>,
) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(Write::ClaimName {
        kind: NameKind::Organization,
        key: name.key(),
        owner: id.as_uuid(),
    });
    let (parent_id, new_parent) = match parent {
        Parent::Existing(st) => {
            c.push(Write::AdjustOrganizationCount {
                id: st.id,
                delta: 1,
            });
            (st.id, None)
        }
        Parent::Automatic(st_id) => {
            let st = SyncroTenant {
                id: st_id,
                name: SyncroTenantName::from(&name),
                microsoft_tenant: None,
                organization_count: 1,
                version: Version(1),
                updated_at: ctx.now,
            };
            c.push(Write::ClaimName {
                kind: NameKind::SyncroTenant,
                key: st.name.key(),
                owner: st_id.as_uuid(),
            });
            c.push(Write::CreateSyncroTenant { record: st.clone() });
            (st_id, Some(st))
        }
    };
    let org = Organization {
        id,
        name,
        syncro_tenant: parent_id,
        contact,
        version: Version(1),
        updated_at: ctx.now,
    };
    let summary = match &new_parent {
        Some(st) => format!(
            "Created Organization \"{}\" and its Syncro Tenant \"{}\"",
            org.name, st.name
        ),
        None => format!("Created Organization \"{}\"", org.name),
    };
    let after =
        json!({ "organization": to_json(&org), "syncro_tenant": new_parent.as_ref().map(to_json) });
    c.push(Write::PutOrganization {
        record: org,
        expect: Expect::Absent,
    });
    c.push(ctx.audit_entry(
        "organization.create",
        summary,
        serde_json::Value::Null,
        after,
    ));
    c
}

/// Edit an Organization's name, contact details and parent (S2).
pub fn update_organization(
    ctx: &Ctx,
    before: &Organization,
    expected: Version,
    name: OrganizationName,
    contact: ContactDetails,
    parent: &SyncroTenant,
) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.extend(Write::move_name(
        NameKind::Organization,
        before.id.as_uuid(),
        before.name.as_str(),
        name.key(),
    ));
    if parent.id != before.syncro_tenant {
        c.push(Write::AdjustOrganizationCount {
            id: before.syncro_tenant,
            delta: -1,
        });
        c.push(Write::AdjustOrganizationCount {
            id: parent.id,
            delta: 1,
        });
    }
    let after = Organization {
        name,
        contact,
        syncro_tenant: parent.id,
        version: expected.next(),
        updated_at: ctx.now,
        ..before.clone()
    };
    let summary = organization_update_summary(before, &after, &parent.name);
    c.push(ctx.audit_entry(
        "organization.update",
        summary,
        to_json(before),
        to_json(&after),
    ));
    c.push(Write::PutOrganization {
        record: after,
        expect: Expect::Version(expected),
    });
    c
}

/// "Updated Organization "Foggy IT": name, phone": which fields the edit changed (R9 in words),
/// and where it moved.
fn organization_update_summary(
    before: &Organization,
    after: &Organization,
    parent: &SyncroTenantName,
) -> String {
    let (b, a) = (&before.contact, &after.contact);
    let what: Vec<&str> = [
        ("name", before.name != after.name),
        ("email", b.email != a.email),
        ("phone", b.phone != a.phone),
        ("address", b.address != a.address),
        ("website", b.website != a.website),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect();
    let mut summary = format!("Updated Organization \"{}\"", after.name);
    if !what.is_empty() {
        summary.push_str(": ");
        summary.push_str(&what.join(", "));
    }
    if after.syncro_tenant != before.syncro_tenant {
        summary.push_str(&format!(" and moved it to Syncro Tenant \"{parent}\""));
    }
    summary
}

pub fn rename_syncro_tenant(
    ctx: &Ctx,
    before: &SyncroTenant,
    expected: Version,
    name: SyncroTenantName,
) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.extend(Write::move_name(
        NameKind::SyncroTenant,
        before.id.as_uuid(),
        before.name.as_str(),
        name.key(),
    ));
    let after = SyncroTenant {
        name,
        version: expected.next(),
        updated_at: ctx.now,
        ..before.clone()
    };
    c.push(ctx.audit_entry(
        "syncro_tenant.rename",
        format!(
            "Renamed Syncro Tenant \"{}\" to \"{}\"",
            before.name, after.name
        ),
        to_json(before),
        to_json(&after),
    ));
    c.push(Write::UpdateSyncroTenant {
        record: after,
        expect: expected,
        count_delta: 0,
    });
    c
}

/// R5: only an empty, unmapped Syncro Tenant can be deleted.
pub fn delete_syncro_tenant(
    ctx: &Ctx,
    before: &SyncroTenant,
    expected: Version,
) -> Result<ChangeSet, DomainError> {
    if before.organization_count > 0 {
        let n = before.organization_count;
        return Err(DomainError::InUse(format!(
            "\"{}\" still has {n} Organization{}; move {} to another Syncro Tenant first",
            before.name,
            if n == 1 { "" } else { "s" },
            if n == 1 { "it" } else { "them" }
        )));
    }
    if before.microsoft_tenant.is_some() {
        return Err(DomainError::InUse(format!(
            "\"{}\" is mapped to a Microsoft Tenant; unmap it first",
            before.name
        )));
    }
    let mut c = ChangeSet::default();
    c.extend(Write::release_name(
        NameKind::SyncroTenant,
        before.name.as_str(),
    ));
    c.push(Write::DeleteSyncroTenant {
        id: before.id,
        expect: expected,
        moving_out: 0,
        unmapping: false,
    });
    c.push(ctx.audit_entry(
        "syncro_tenant.delete",
        format!("Deleted Syncro Tenant \"{}\"", before.name),
        to_json(before),
        serde_json::Value::Null,
    ));
    Ok(c)
}

fn check_target_free(mt: &MicrosoftTenant, st: &SyncroTenant) -> Result<(), DomainError> {
    if st.microsoft_tenant.is_some_and(|m| m != mt.tenant_id) {
        return Err(DomainError::AlreadyMapped {
            microsoft_tenant: "another Microsoft Tenant".to_string(),
            syncro_tenant: format!("\"{}\"", st.name),
        });
    }
    Ok(())
}

/// S1: map an unmapped Microsoft Tenant to an unmapped Syncro Tenant (R2).
pub fn map_tenant(
    ctx: &Ctx,
    mt: &MicrosoftTenant,
    expected: Version,
    st: &SyncroTenant,
) -> Result<ChangeSet, DomainError> {
    if mt.syncro_tenant.is_some() {
        return Err(DomainError::AlreadyMapped {
            microsoft_tenant: format!("\"{}\"", mt.display_name),
            syncro_tenant: "a Syncro Tenant".to_string(),
        });
    }
    check_target_free(mt, st)?;
    let mut c = ChangeSet::default();
    set_mapping(&mut c, mt, expected, Some(st));
    c.push(mapped_entry(ctx, mt, st, ""));
    Ok(c)
}

/// The audit entry of a new mapping; `how` ends its summary (" (accepted suggestion)").
fn mapped_entry(ctx: &Ctx, mt: &MicrosoftTenant, st: &SyncroTenant, how: &str) -> Write {
    ctx.audit_entry(
        "microsoft_tenant.map",
        format!(
            "Mapped Microsoft Tenant \"{}\" to Syncro Tenant \"{}\"{how}",
            mt.display_name, st.name
        ),
        json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": null }),
        json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": st.id }),
    )
}

/// Most mappings in one change when several are accepted at once: each is three writes (both
/// records and its audit entry), within [`ChangeSet::MAX_WRITES`].
pub const MAPPINGS_PER_CHANGE: usize = ChangeSet::MAX_WRITES / 3;

/// Accepted suggestions: each (tenant, Syncro Tenant) pair, as read, mapped as [`map_tenant`]
/// maps one, with its own audit entry (`<audit id>-<n>`), in changes of at most
/// [`MAPPINGS_PER_CHANGE`] — each change atomic. A pair that cannot be mapped (either side
/// mapped already, or a side named twice) is left out with its reason, by name.
pub fn map_tenants(
    ctx: &Ctx,
    pairs: &[(MicrosoftTenant, SyncroTenant)],
) -> (Vec<ChangeSet>, Vec<(MicrosoftTenantId, String)>) {
    let mut refused = Vec::new();
    let mut mapped = Vec::new();
    let mut tenants = std::collections::HashSet::new();
    let mut syncro = std::collections::HashSet::new();
    for (n, (mt, st)) in pairs.iter().enumerate() {
        let why = if mt.syncro_tenant.is_some() {
            Some(format!("\"{}\" is mapped already", mt.display_name))
        } else if st.microsoft_tenant.is_some() {
            Some(format!(
                "\"{}\" is mapped to another Microsoft Tenant",
                st.name
            ))
        } else if !tenants.insert(mt.tenant_id) {
            Some(format!("\"{}\" was chosen twice", mt.display_name))
        } else if !syncro.insert(st.id) {
            Some(format!(
                "\"{}\" was chosen for two Microsoft Tenants",
                st.name
            ))
        } else {
            None
        };
        match why {
            Some(why) => refused.push((mt.tenant_id, why)),
            None => mapped.push((n, mt, st)),
        }
    }
    let changes = mapped
        .chunks(MAPPINGS_PER_CHANGE)
        .map(|chunk| {
            let mut c = ChangeSet::default();
            for (n, mt, st) in chunk {
                set_mapping(&mut c, mt, mt.version, Some(st));
                let one = Ctx {
                    audit_id: format!("{}-{n:05}", ctx.audit_id),
                    ..ctx.clone()
                };
                c.push(mapped_entry(&one, mt, st, " (accepted suggestion)"));
            }
            c
        })
        .collect();
    (changes, refused)
}

/// *Change Syncro Tenant*: move a mapped Microsoft Tenant to another unmapped Syncro Tenant.
pub fn change_mapping(
    ctx: &Ctx,
    mt: &MicrosoftTenant,
    expected: Version,
    current: &SyncroTenant,
    target: &SyncroTenant,
) -> Result<ChangeSet, DomainError> {
    if current.id == target.id {
        return Err(DomainError::invalid(
            "syncro_tenant",
            "Choose a different Syncro Tenant",
        ));
    }
    check_target_free(mt, target)?;
    let mut c = ChangeSet::default();
    clear_syncro_side(&mut c, current);
    set_mapping(&mut c, mt, expected, Some(target));
    c.push(ctx.audit_entry(
        "microsoft_tenant.change",
        format!(
            "Changed Microsoft Tenant \"{}\" from Syncro Tenant \"{}\" to \"{}\"",
            mt.display_name, current.name, target.name
        ),
        json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": current.id }),
        json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": target.id }),
    ));
    Ok(c)
}

/// *Unmap*: both sides lose the mapping in one step.
pub fn unmap_tenant(
    ctx: &Ctx,
    mt: &MicrosoftTenant,
    expected: Version,
    current: &SyncroTenant,
) -> ChangeSet {
    let mut c = ChangeSet::default();
    clear_syncro_side(&mut c, current);
    set_mapping(&mut c, mt, expected, None);
    c.push(ctx.audit_entry(
        "microsoft_tenant.unmap",
        format!(
            "Unmapped Microsoft Tenant \"{}\" from Syncro Tenant \"{}\"",
            mt.display_name, current.name
        ),
        json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": current.id }),
        json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": null }),
    ));
    c
}

fn set_mapping(
    c: &mut ChangeSet,
    mt: &MicrosoftTenant,
    expected: Version,
    st: Option<&SyncroTenant>,
) {
    if let Some(st) = st {
        c.push(Write::UpdateSyncroTenant {
            record: SyncroTenant {
                microsoft_tenant: Some(mt.tenant_id),
                version: st.version.next(),
                ..st.clone()
            },
            expect: st.version,
            count_delta: 0,
        });
    }
    c.push(Write::SetMapping {
        record: MicrosoftTenant {
            syncro_tenant: st.map(|s| s.id),
            version: expected.next(),
            ..mt.clone()
        },
        expect: expected,
    });
}

/// The Syncro Tenant's side of a mapping cleared (it keeps its name and Organizations).
pub(crate) fn clear_syncro_side(c: &mut ChangeSet, st: &SyncroTenant) {
    c.push(Write::UpdateSyncroTenant {
        record: SyncroTenant {
            microsoft_tenant: None,
            version: st.version.next(),
            ..st.clone()
        },
        expect: st.version,
        count_delta: 0,
    });
}

/// *Add Organizations*: move the chosen Organizations under `target` in one step.
pub fn move_organizations(
    ctx: &Ctx,
    target: &SyncroTenant,
    orgs: &[Organization],
) -> Result<ChangeSet, DomainError> {
    let moving: Vec<&Organization> = orgs
        .iter()
        .filter(|o| o.syncro_tenant != target.id)
        .collect();
    if moving.is_empty() {
        return Err(DomainError::invalid(
            "organizations",
            "Choose at least one Organization that is not already here",
        ));
    }
    if moving.len() > MAX_MOVE {
        return Err(DomainError::invalid(
            "organizations",
            format!("Move at most {MAX_MOVE} Organizations at a time"),
        ));
    }
    let mut c = ChangeSet::default();
    let mut from: std::collections::BTreeMap<SyncroTenantId, i32> = Default::default();
    let mut seen = std::collections::HashSet::new();
    for o in &moving {
        if !seen.insert(o.id) {
            continue;
        }
        *from.entry(o.syncro_tenant).or_default() -= 1;
        c.push(Write::PutOrganization {
            record: Organization {
                syncro_tenant: target.id,
                version: o.version.next(),
                updated_at: ctx.now,
                ..(*o).clone()
            },
            expect: Expect::Version(o.version),
        });
    }
    let moved = seen.len() as i32;
    for (id, delta) in from {
        c.push(Write::AdjustOrganizationCount { id, delta });
    }
    c.push(Write::AdjustOrganizationCount {
        id: target.id,
        delta: moved,
    });
    let names: Vec<&str> = moving.iter().map(|o| o.name.as_str()).collect();
    c.push(ctx.audit_entry(
        "syncro_tenant.add_organizations",
        format!(
            "Moved {} to Syncro Tenant \"{}\"",
            names.join(", "),
            target.name
        ),
        json!(
                moving
                    .iter()
                    .map(|o| json!({ "organization": o.id, "syncro_tenant": o.syncro_tenant }))
                    .collect::<Vec<_>>()
            ),
        json!(
                moving
                    .iter()
                    .map(|o| json!({ "organization": o.id, "syncro_tenant": target.id }))
                    .collect::<Vec<_>>()
            ),
    ));
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(1),
            audit_id: "a1".into(),
        }
    }
    fn st(name: &str, count: u32) -> SyncroTenant {
        SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(
                name.len() as u128 + 100 * count as u128,
            )),
            name: SyncroTenantName::parse(name).unwrap(),
            microsoft_tenant: None,
            organization_count: count,
            version: Version(3),
            updated_at: Timestamp(0),
        }
    }
    fn mt() -> MicrosoftTenant {
        MicrosoftTenant {
            tenant_id: MicrosoftTenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap(),
            display_name: "Foggy IT".into(),
            default_domain: "foggyit.onmicrosoft.com".into(),
            verified_domains: Vec::new(),
            syncro_tenant: None,
            last_sync: Timestamp(0),
            version: Version(5),
            sync_error: None,
            removed_at: None,
            gdap: None,
        }
    }

    #[test]
    fn an_organization_edit_says_which_fields_it_changed() {
        let parent = st("Foggy IT", 1);
        let before = Organization {
            id: OrganizationId::from_uuid(uuid::Uuid::from_u128(8)),
            name: OrganizationName::parse("Foggy IT").unwrap(),
            contact: Default::default(),
            syncro_tenant: parent.id,
            version: Version(2),
            updated_at: Timestamp(0),
        };
        let summary = |name: &str, phone: &str, address: &str, to: &SyncroTenant| {
            let contact = ContactDetails {
                phone: phone.into(),
                address: address.into(),
                ..Default::default()
            };
            let name = OrganizationName::parse(name).unwrap();
            let c = update_organization(&ctx(), &before, Version(2), name, contact, to);
            c.writes()
                .iter()
                .find_map(|w| match w {
                    Write::Audit(a) => Some(a.summary.clone()),
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(
            summary("Foggy IT", "+1 617 555 0100", "1 Main St", &parent),
            "Updated Organization \"Foggy IT\": phone, address"
        );
        assert_eq!(
            summary("Foggy IT Services", "", "", &st("Boston", 2)),
            "Updated Organization \"Foggy IT Services\": name and moved it to Syncro Tenant \"Boston\""
        );
        assert_eq!(
            summary("Foggy IT", "", "", &parent),
            "Updated Organization \"Foggy IT\""
        );
    }

    #[test]
    fn automatic_syncro_tenant_is_created_with_the_organization() {
        let st_id = SyncroTenantId::from_uuid(uuid::Uuid::from_u128(9));
        let org_id = OrganizationId::from_uuid(uuid::Uuid::from_u128(8));
        let c = create_organization(
            &ctx(),
            org_id,
            OrganizationName::parse("Acme Dental").unwrap(),
            Default::default(),
            Parent::Automatic(st_id),
        );
        assert!(c.clone().into_writes().is_ok());
        let st = c.writes().iter().find_map(|w| match w {
            Write::CreateSyncroTenant { record } => Some(record),
            _ => None,
        });
        assert_eq!(st.unwrap().name.as_str(), "Acme Dental");
        assert_eq!(st.unwrap().organization_count, 1);
        assert!(c.writes().contains(&Write::ClaimName {
            kind: NameKind::SyncroTenant,
            key: "acme dental".into(),
            owner: st_id.as_uuid()
        }));
        assert!(c.writes().iter().any(|w| matches!(w, Write::PutOrganization { record, expect: Expect::Absent } if record.syncro_tenant == st_id)));
        assert!(c.writes().iter().any(|w| matches!(w, Write::Audit(_))));
    }

    #[test]
    fn mapping_refuses_a_mapped_side() {
        let mut m = mt();
        let s = st("Foggy IT Services", 3);
        let c = map_tenant(&ctx(), &m, Version(5), &s).unwrap();
        assert!(c.clone().into_writes().is_ok());
        assert!(c.writes().iter().any(|w| matches!(w, Write::SetMapping { record, expect: Version(5) } if record.syncro_tenant == Some(s.id))));
        assert!(c.writes().iter().any(|w| matches!(w, Write::UpdateSyncroTenant { record, expect: Version(3), .. } if record.microsoft_tenant == Some(m.tenant_id))));
        m.syncro_tenant = Some(s.id);
        assert!(matches!(
            map_tenant(&ctx(), &m, Version(5), &s),
            Err(DomainError::AlreadyMapped { .. })
        ));
        let mut other = st("Other", 0);
        other.microsoft_tenant =
            Some(MicrosoftTenantId::parse("00000000-0000-0000-0000-000000000001").unwrap());
        assert!(matches!(
            map_tenant(&ctx(), &mt(), Version(5), &other),
            Err(DomainError::AlreadyMapped { .. })
        ));
    }

    #[test]
    fn delete_needs_an_empty_unmapped_syncro_tenant() {
        assert!(
            matches!(delete_syncro_tenant(&ctx(), &st("A", 2), Version(3)), Err(DomainError::InUse(m)) if m.contains("2 Organizations"))
        );
        let mut mapped = st("A", 0);
        mapped.microsoft_tenant = Some(mt().tenant_id);
        assert!(delete_syncro_tenant(&ctx(), &mapped, Version(3)).is_err());
        assert!(
            delete_syncro_tenant(&ctx(), &st("A", 0), Version(3))
                .unwrap()
                .into_writes()
                .is_ok()
        );
    }

    #[test]
    fn moving_aggregates_counts_per_source() {
        let target = st("Foggy IT Services", 1);
        let from = st("Foggy IT Services - Waltham", 1);
        let orgs: Vec<Organization> = (0..3u128)
            .map(|i| Organization {
                id: OrganizationId::from_uuid(uuid::Uuid::from_u128(1000 + i)),
                name: OrganizationName::parse(&format!("Org {i}")).unwrap(),
                syncro_tenant: from.id,
                contact: Default::default(),
                version: Version(1),
                updated_at: Timestamp(0),
            })
            .collect();
        let c = move_organizations(&ctx(), &target, &orgs).unwrap();
        assert!(c.clone().into_writes().is_ok());
        assert!(c.writes().contains(&Write::AdjustOrganizationCount {
            id: from.id,
            delta: -3
        }));
        assert!(c.writes().contains(&Write::AdjustOrganizationCount {
            id: target.id,
            delta: 3
        }));
        assert!(
            move_organizations(&ctx(), &from, &orgs).is_err(),
            "nothing to move"
        );
    }

    #[test]
    fn renaming_to_the_same_key_claims_nothing() {
        let s = st("Foggy IT Services - Boston", 1);
        let c = rename_syncro_tenant(
            &ctx(),
            &s,
            Version(3),
            SyncroTenantName::parse("foggy it services - BOSTON").unwrap(),
        );
        assert!(
            !c.writes()
                .iter()
                .any(|w| matches!(w, Write::ClaimName { .. }))
        );
        let c = rename_syncro_tenant(
            &ctx(),
            &s,
            Version(3),
            SyncroTenantName::parse("Foggy IT Services").unwrap(),
        );
        assert!(
            c.writes()
                .iter()
                .any(|w| matches!(w, Write::ClaimName { key, .. } if key == "foggy it services"))
        );
        assert!(c.clone().into_writes().is_ok());
    }

    #[test]
    fn accepted_mappings_are_atomic_parts_and_refusals_are_named() {
        let tenant = |n: u128, name: &str| MicrosoftTenant {
            tenant_id: MicrosoftTenantId::from_uuid(uuid::Uuid::from_u128(n)),
            display_name: name.into(),
            ..mt()
        };
        let syncro = |n: u128, name: &str| SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(1000 + n)),
            ..st(name, 0)
        };
        let mut pairs: Vec<(MicrosoftTenant, SyncroTenant)> = (0..70)
            .map(|n| {
                (
                    tenant(n, &format!("Tenant {n}")),
                    syncro(n, &format!("Customer {n}")),
                )
            })
            .collect();
        let mut mapped = tenant(100, "Mapped Already");
        mapped.syncro_tenant = Some(SyncroTenantId::from_uuid(uuid::Uuid::from_u128(5)));
        pairs.push((mapped, syncro(100, "Free")));
        let mut taken = syncro(101, "Taken");
        taken.microsoft_tenant = Some(MicrosoftTenantId::from_uuid(uuid::Uuid::from_u128(6)));
        pairs.push((tenant(101, "Wants Taken"), taken));
        pairs.push((tenant(0, "Tenant 0"), syncro(102, "Second Choice")));

        let (changes, refused) = map_tenants(&ctx(), &pairs);
        assert_eq!(
            changes.iter().map(ChangeSet::len).collect::<Vec<_>>(),
            [96, 96, 18],
            "32 mappings (3 writes each) per change"
        );
        assert!(changes.iter().all(|c| c.clone().into_writes().is_ok()));
        let why: Vec<&str> = refused.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            why,
            [
                "\"Mapped Already\" is mapped already",
                "\"Taken\" is mapped to another Microsoft Tenant",
                "\"Tenant 0\" was chosen twice",
            ]
        );
        let audits = changes
            .iter()
            .flat_map(|c| c.writes())
            .filter(|w| matches!(w, Write::Audit(_)))
            .count();
        assert_eq!(audits, 70, "one audit entry per mapping");
    }
}
