//! *Group under one Syncro Tenant* (S4 in one step): chosen Organizations move under one Syncro
//! Tenant — an existing one, renamed if asked, or a new one — which may be mapped to a
//! Microsoft Tenant, and the Syncro Tenants they leave empty are deleted, all in one atomic
//! change. [`group`] computes that change and the same plan in words for the preview, so what
//! the preview says is what applying does.

use crate::domain::{
    ChangeSet, Ctx, DomainError, Expect, MicrosoftTenant, NameKind, Organization, SyncroTenant,
    SyncroTenantId, SyncroTenantName, Version, Write,
};
use serde_json::json;

/// Most Organizations one grouping may move: each is up to three writes (the Organization, and
/// its old Syncro Tenant's count or deletion with its name), within [`ChangeSet::MAX_WRITES`].
pub const MAX_GROUP: usize = 30;

/// The Syncro Tenant the Organizations end up under.
#[derive(Debug, Clone, Copy)]
pub enum GroupTarget<'a> {
    /// An existing one, as read (renamed when the chosen name differs).
    Existing(&'a SyncroTenant),
    /// A new one, with this id.
    New(SyncroTenantId),
}

/// What the Administrator chose, with every record as read.
#[derive(Debug, Clone, Copy)]
pub struct Grouping<'a> {
    pub organizations: &'a [Organization],
    /// The Syncro Tenants the Organizations are under now.
    pub parents: &'a [SyncroTenant],
    pub target: GroupTarget<'a>,
    pub name: &'a SyncroTenantName,
    /// Map the Syncro Tenant to this Microsoft Tenant; `None` leaves its mapping as it is.
    pub tenant: Option<&'a MicrosoftTenant>,
    /// Delete the Syncro Tenants left without Organizations (and without a mapping: R5).
    pub delete_empty: bool,
}

/// The change, and what it does in words (the preview), in order.
#[derive(Debug, Clone)]
pub struct GroupPlan {
    pub change: ChangeSet,
    pub steps: Vec<String>,
    pub target: SyncroTenantId,
}

/// The name offered first: the words the Organizations' names start with, without a trailing
/// separator ("Foggy IT Services - Boston", "… - Waltham" → "Foggy IT Services"); the first
/// name when they share no word.
pub fn common_name<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut names = names.into_iter();
    let Some(first) = names.next() else {
        return String::new();
    };
    let mut common: Vec<&str> = first.split_whitespace().collect();
    for name in names {
        let shared = common
            .iter()
            .zip(name.split_whitespace())
            .take_while(|(a, b)| a.to_lowercase() == b.to_lowercase())
            .count();
        common.truncate(shared);
    }
    while common
        .last()
        .is_some_and(|w| w.chars().all(|c| !c.is_alphanumeric()))
    {
        common.pop();
    }
    let joined = common.join(" ");
    let joined = joined.trim_end_matches([',', ':', ';', '-', '–', '—', '|', '/']);
    if joined.is_empty() {
        first.trim().to_string()
    } else {
        joined.to_string()
    }
}

/// Plans the grouping: refused with a clear reason when a rule would break; otherwise every
/// write with its R8 condition — a record changed since it was read refuses the whole change.
pub fn group(ctx: &Ctx, g: &Grouping<'_>) -> Result<GroupPlan, DomainError> {
    // By name, so the preview reads in a stable order whatever order they were chosen in.
    let mut orgs: Vec<&Organization> = Vec::new();
    for o in g.organizations {
        if !orgs.iter().any(|x| x.id == o.id) {
            orgs.push(o);
        }
    }
    orgs.sort_by_cached_key(|o| (o.name.key(), o.id));
    if orgs.is_empty() {
        return Err(DomainError::invalid(
            "organizations",
            "Choose the Organizations to group",
        ));
    }
    if orgs.len() > MAX_GROUP {
        return Err(DomainError::invalid(
            "organizations",
            format!("Group at most {MAX_GROUP} Organizations at a time"),
        ));
    }
    let parent = |id: SyncroTenantId| g.parents.iter().find(|p| p.id == id);
    let (target_id, before) = match g.target {
        GroupTarget::Existing(t) => (t.id, Some(t)),
        GroupTarget::New(id) => (id, None),
    };
    if let Some(p) = g
        .parents
        .iter()
        .find(|p| p.id != target_id && p.name.key() == g.name.key())
    {
        return Err(DomainError::invalid(
            "name",
            format!(
                "\"{}\" is the name of one of these Syncro Tenants: choose it as the one to keep",
                p.name
            ),
        ));
    }
    let mut steps = Vec::new();
    let mut c = ChangeSet::default();

    // The Microsoft Tenant (R2 on both sides).
    let mut mapping = before.and_then(|t| t.microsoft_tenant);
    if let Some(mt) = g.tenant
        && mt.syncro_tenant != Some(target_id)
    {
        if let Some(now) = mt.syncro_tenant {
            let holder = parent(now).map_or("another Syncro Tenant".to_string(), |p| {
                format!("\"{}\"", p.name)
            });
            return Err(DomainError::AlreadyMapped {
                microsoft_tenant: format!("\"{}\"", mt.display_name),
                syncro_tenant: format!(
                    "{holder}; choose that Syncro Tenant to keep, or unmap it first"
                ),
            });
        }
        if let Some(t) = before
            && t.microsoft_tenant.is_some()
        {
            return Err(DomainError::invalid(
                "tenant",
                format!(
                    "\"{}\" is mapped to another Microsoft Tenant: unmap it first, or leave the mapping as it is",
                    t.name
                ),
            ));
        }
        mapping = Some(mt.tenant_id);
        c.push(Write::SetMapping {
            record: MicrosoftTenant {
                syncro_tenant: Some(target_id),
                version: mt.version.next(),
                ..mt.clone()
            },
            expect: mt.version,
        });
    }

    // The Organizations that move, by the Syncro Tenant they leave.
    let moving: Vec<&Organization> = orgs
        .iter()
        .copied()
        .filter(|o| o.syncro_tenant != target_id)
        .collect();
    let mut leaving: Vec<(SyncroTenantId, u32)> = Vec::new();
    for o in &moving {
        match leaving.iter_mut().find(|(id, _)| *id == o.syncro_tenant) {
            Some((_, k)) => *k += 1,
            None => leaving.push((o.syncro_tenant, 1)),
        }
        c.push(Write::PutOrganization {
            record: Organization {
                syncro_tenant: target_id,
                version: o.version.next(),
                updated_at: ctx.now,
                ..(*o).clone()
            },
            expect: Expect::Version(o.version),
        });
    }
    let moved = moving.len() as u32;

    // The Syncro Tenant they end up under.
    let after = SyncroTenant {
        id: target_id,
        name: g.name.clone(),
        microsoft_tenant: mapping,
        organization_count: before.map_or(0, |t| t.organization_count) + moved,
        version: before.map_or(Version(1), |t| t.version.next()),
        updated_at: ctx.now,
    };
    match before {
        None => {
            c.push(Write::ClaimName {
                kind: NameKind::SyncroTenant,
                key: g.name.key(),
                owner: target_id.as_uuid(),
            });
            c.push(Write::CreateSyncroTenant {
                record: after.clone(),
            });
            steps.push(format!("Create the Syncro Tenant \"{}\".", g.name));
        }
        Some(t) => {
            c.extend(Write::move_name(
                NameKind::SyncroTenant,
                t.id.as_uuid(),
                t.name.as_str(),
                g.name.key(),
            ));
            if t.name.as_str() != g.name.as_str() {
                steps.push(format!(
                    "Rename the Syncro Tenant \"{}\" to \"{}\".",
                    t.name, g.name
                ));
            }
            let changed =
                t.name.as_str() != g.name.as_str() || t.microsoft_tenant != mapping || moved > 0;
            if changed {
                c.push(Write::UpdateSyncroTenant {
                    record: after.clone(),
                    expect: t.version,
                    count_delta: moved as i32,
                });
            }
        }
    }
    for o in &orgs {
        let from = parent(o.syncro_tenant);
        let from_name = from.map_or("?".to_string(), |p| p.name.to_string());
        // Moving from a mapped Syncro Tenant to one mapped elsewhere (or not at all): the
        // Organization's Microsoft Tenant changes, which is said, not left to be found out.
        let loses = from
            .and_then(|p| p.microsoft_tenant)
            .filter(|mt| Some(*mt) != mapping)
            .map(|_| match mapping {
                Some(_) => " It leaves the Microsoft Tenant its Syncro Tenant is mapped to for this one's.",
                None => " It loses its Microsoft Tenant: the Syncro Tenant it leaves is mapped, this one is not.",
            })
            .unwrap_or_default();
        steps.push(if o.syncro_tenant == target_id {
            format!("Keep \"{}\" (already under it).", o.name)
        } else {
            format!("Move \"{}\" from \"{from_name}\".{loses}", o.name)
        });
    }
    if let Some(mt) = g.tenant.filter(|mt| mt.syncro_tenant != Some(target_id)) {
        steps.push(format!(
            "Map the Microsoft Tenant \"{}\" ({}) to it.",
            mt.display_name, mt.default_domain
        ));
    }

    // The Syncro Tenants they leave: emptied ones are deleted when asked and R5 allows.
    let mut deleted = Vec::new();
    for (id, k) in leaving {
        let Some(p) = parent(id) else {
            return Err(DomainError::InUse(
                "An Organization moved meanwhile: reload and try again".to_string(),
            ));
        };
        let emptied = p.organization_count == k;
        if emptied && g.delete_empty && p.microsoft_tenant.is_none() {
            c.extend(Write::release_name(NameKind::SyncroTenant, p.name.as_str()));
            c.push(Write::DeleteSyncroTenant {
                id,
                expect: p.version,
                moving_out: k,
                unmapping: false,
            });
            steps.push(format!(
                "Delete the Syncro Tenant \"{}\", left empty.",
                p.name
            ));
            deleted.push(p);
        } else {
            c.push(Write::AdjustOrganizationCount {
                id,
                delta: -(k as i32),
            });
            let left = p.organization_count.saturating_sub(k);
            steps.push(if !emptied {
                format!(
                    "Keep the Syncro Tenant \"{}\" with its {left} other Organization{}.",
                    p.name,
                    if left == 1 { "" } else { "s" }
                )
            } else if p.microsoft_tenant.is_some() {
                format!("Keep the Syncro Tenant \"{}\", left empty: it is mapped to a Microsoft Tenant (unmap it to delete it).", p.name)
            } else {
                format!("Keep the Syncro Tenant \"{}\", left empty.", p.name)
            });
        }
    }
    if c.is_empty() {
        return Err(DomainError::invalid(
            "organizations",
            "Nothing to change: these Organizations are already grouped like this",
        ));
    }

    let names: Vec<&str> = moving.iter().map(|o| o.name.as_str()).collect();
    let mut summary = format!(
        "Grouped {} Organization{} under Syncro Tenant \"{}\"",
        orgs.len(),
        if orgs.len() == 1 { "" } else { "s" },
        g.name
    );
    if let Some(t) = before.filter(|t| t.name.as_str() != g.name.as_str()) {
        summary.push_str(&format!(" (renamed from \"{}\")", t.name));
    }
    if !names.is_empty() {
        summary.push_str(&format!("; moved {}", names.join(", ")));
    }
    if let Some(mt) = g.tenant.filter(|mt| mt.syncro_tenant != Some(target_id)) {
        summary.push_str(&format!(
            "; mapped to Microsoft Tenant \"{}\"",
            mt.display_name
        ));
    }
    if !deleted.is_empty() {
        let gone: Vec<String> = deleted.iter().map(|p| format!("\"{}\"", p.name)).collect();
        summary.push_str(&format!("; deleted {}", gone.join(", ")));
    }
    let moves = |to: Option<SyncroTenantId>| {
        moving
            .iter()
            .map(
                |o| json!({ "organization": o.id, "syncro_tenant": to.unwrap_or(o.syncro_tenant) }),
            )
            .collect::<Vec<_>>()
    };
    c.push(ctx.audit_entry(
        "syncro_tenant.group",
        summary,
        json!({
            "syncro_tenant": before,
            "organizations": moves(None),
            "deleted": deleted,
            "microsoft_tenant": g.tenant.map(|mt| json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": mt.syncro_tenant })),
        }),
        json!({
            "syncro_tenant": after,
            "organizations": moves(Some(target_id)),
            "microsoft_tenant": g.tenant.map(|mt| json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": target_id })),
        }),
    ));
    Ok(GroupPlan {
        change: c,
        steps,
        target: target_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@example.com".into(),
            now: Timestamp(5),
            audit_id: "a1".into(),
        }
    }

    fn st(n: u128, name: &str, count: u32) -> SyncroTenant {
        SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(n)),
            name: SyncroTenantName::parse(name).unwrap(),
            microsoft_tenant: None,
            organization_count: count,
            version: Version(3),
            updated_at: Timestamp(1),
        }
    }

    fn org(n: u128, name: &str, parent: &SyncroTenant) -> Organization {
        Organization {
            id: OrganizationId::from_uuid(uuid::Uuid::from_u128(100 + n)),
            name: OrganizationName::parse(name).unwrap(),
            syncro_tenant: parent.id,
            contact: ContactDetails::default(),
            version: Version(2),
            updated_at: Timestamp(1),
        }
    }

    fn tenant(n: u128, name: &str) -> MicrosoftTenant {
        MicrosoftTenant {
            tenant_id: MicrosoftTenantId::parse(&uuid::Uuid::from_u128(900 + n).to_string())
                .unwrap(),
            display_name: name.into(),
            default_domain: "foggyit.onmicrosoft.com".into(),
            verified_domains: vec![],
            syncro_tenant: None,
            last_sync: Timestamp(1),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        }
    }

    #[test]
    fn the_offered_name_is_the_words_the_names_share() {
        let names = [
            "Foggy IT Services - Boston",
            "Foggy IT Services - Waltham",
            "foggy it services – Burlington",
        ];
        assert_eq!(common_name(names), "Foggy IT Services");
        assert_eq!(common_name(["Acme: North", "Acme: South"]), "Acme");
        assert_eq!(common_name(["Acme Dental"]), "Acme Dental");
        assert_eq!(common_name(["Acme", "Zenith"]), "Acme");
        assert_eq!(common_name(Vec::<&str>::new()), "");
    }

    #[test]
    fn foggy_it_is_one_change_renaming_moving_mapping_and_deleting() {
        let boston = st(1, "Foggy IT Services - Boston", 1);
        let waltham = st(2, "Foggy IT Services - Waltham", 1);
        let burlington = st(3, "Foggy IT Services - Burlington", 2);
        let orgs = [
            org(1, "Foggy IT Services - Boston", &boston),
            org(2, "Foggy IT Services - Waltham", &waltham),
            org(3, "Foggy IT Services - Burlington", &burlington),
        ];
        let foggy = tenant(1, "Foggy IT");
        let name = SyncroTenantName::parse("Foggy IT Services").unwrap();
        let parents = [boston.clone(), waltham.clone(), burlington.clone()];
        let plan = group(
            &ctx(),
            &Grouping {
                organizations: &orgs,
                parents: &parents,
                target: GroupTarget::Existing(&boston),
                name: &name,
                tenant: Some(&foggy),
                delete_empty: true,
            },
        )
        .unwrap();
        assert_eq!(
            plan.steps,
            [
                "Rename the Syncro Tenant \"Foggy IT Services - Boston\" to \"Foggy IT Services\".",
                "Keep \"Foggy IT Services - Boston\" (already under it).",
                "Move \"Foggy IT Services - Burlington\" from \"Foggy IT Services - Burlington\".",
                "Move \"Foggy IT Services - Waltham\" from \"Foggy IT Services - Waltham\".",
                "Map the Microsoft Tenant \"Foggy IT\" (foggyit.onmicrosoft.com) to it.",
                "Keep the Syncro Tenant \"Foggy IT Services - Burlington\" with its 1 other Organization.",
                "Delete the Syncro Tenant \"Foggy IT Services - Waltham\", left empty.",
            ]
        );
        let writes = plan.change.clone().into_writes().unwrap();
        assert!(writes.iter().any(|w| matches!(w,
            Write::UpdateSyncroTenant { record, count_delta: 2, .. }
                if record.microsoft_tenant == Some(foggy.tenant_id) && record.name == name)));
        assert!(writes.iter().any(|w| matches!(w,
            Write::DeleteSyncroTenant { id, moving_out: 1, .. } if *id == waltham.id)));
        assert!(writes.iter().any(|w| matches!(w,
            Write::AdjustOrganizationCount { id, delta: -1 } if *id == burlington.id)));
        assert!(writes.iter().any(|w| matches!(w,
            Write::SetMapping { record, .. } if record.syncro_tenant == Some(boston.id))));
        let Some(Write::Audit(entry)) = writes.last() else {
            panic!("no audit entry")
        };
        assert!(
            entry
                .summary
                .contains("(renamed from \"Foggy IT Services - Boston\")"),
            "{}",
            entry.summary
        );
        assert!(
            entry
                .summary
                .contains("deleted \"Foggy IT Services - Waltham\""),
            "{}",
            entry.summary
        );
    }

    #[test]
    fn the_preview_says_when_an_organization_loses_its_microsoft_tenant() {
        let mut boston = st(1, "Acme Boston", 1);
        let waltham = st(2, "Acme Waltham", 1);
        let acme = tenant(7, "Acme Waltham (M365)");
        let mut waltham_mapped = waltham.clone();
        waltham_mapped.microsoft_tenant = Some(acme.tenant_id);
        boston.microsoft_tenant = None;
        let orgs = [
            org(1, "Acme Boston", &boston),
            org(2, "Acme Waltham", &waltham_mapped),
        ];
        let parents = [boston.clone(), waltham_mapped.clone()];
        let name = SyncroTenantName::parse("Acme").unwrap();
        let plan = group(
            &ctx(),
            &Grouping {
                organizations: &orgs,
                parents: &parents,
                target: GroupTarget::Existing(&boston),
                name: &name,
                tenant: None,
                delete_empty: true,
            },
        )
        .unwrap();
        assert!(
            plan.steps.contains(&"Move \"Acme Waltham\" from \"Acme Waltham\". It loses its Microsoft Tenant: the Syncro Tenant it leaves is mapped, this one is not.".to_string()),
            "{:?}",
            plan.steps
        );
    }

    #[test]
    fn refusals_say_why() {
        let boston = st(1, "Foggy IT Services - Boston", 1);
        let waltham = st(2, "Foggy IT Services - Waltham", 1);
        let orgs = [
            org(1, "Foggy IT Services - Boston", &boston),
            org(2, "Foggy IT Services - Waltham", &waltham),
        ];
        let parents = [boston.clone(), waltham.clone()];
        let plan = |target, name: &str, tenant: Option<&MicrosoftTenant>| {
            let name = SyncroTenantName::parse(name).unwrap();
            group(
                &ctx(),
                &Grouping {
                    organizations: &orgs,
                    parents: &parents,
                    target,
                    name: &name,
                    tenant,
                    delete_empty: true,
                },
            )
            .map(|p| p.steps)
        };
        let new = GroupTarget::New(SyncroTenantId::from_uuid(uuid::Uuid::from_u128(7)));
        // A new Syncro Tenant cannot take the name of one it empties in the same change.
        let err = plan(new, "foggy it services - waltham", None).unwrap_err();
        assert!(
            err.to_string().contains("choose it as the one to keep"),
            "{err}"
        );
        // A tenant mapped elsewhere is named with its holder.
        let mut mapped = tenant(1, "Foggy IT");
        mapped.syncro_tenant = Some(waltham.id);
        let err = plan(GroupTarget::Existing(&boston), "Foggy IT", Some(&mapped)).unwrap_err();
        assert!(
            err.to_string().contains("\"Foggy IT Services - Waltham\""),
            "{err}"
        );
        // …but it may stay where it is when that is the one kept.
        let steps = plan(GroupTarget::Existing(&waltham), "Foggy IT", Some(&mapped)).unwrap();
        assert!(!steps.iter().any(|s| s.starts_with("Map ")), "{steps:?}");
        assert!(steps.contains(
            &"Delete the Syncro Tenant \"Foggy IT Services - Boston\", left empty.".to_string()
        ));
        // A new one: both emptied ones go.
        let steps = plan(new, "Foggy IT Services", None).unwrap();
        assert_eq!(steps[0], "Create the Syncro Tenant \"Foggy IT Services\".");
        assert_eq!(steps.iter().filter(|s| s.starts_with("Delete")).count(), 2);
        // Nothing to do.
        let lone = [orgs[0].clone()];
        let name = boston.name.clone();
        let err = group(
            &ctx(),
            &Grouping {
                organizations: &lone,
                parents: &parents,
                target: GroupTarget::Existing(&boston),
                name: &name,
                tenant: None,
                delete_empty: true,
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("Nothing to change"), "{err}");
        // The largest grouping fits one transaction.
        let many: Vec<(SyncroTenant, Organization)> = (0..MAX_GROUP as u128)
            .map(|n| {
                let p = st(1000 + n, &format!("Office {n}"), 1);
                let o = org(1000 + n, &format!("Office {n}"), &p);
                (p, o)
            })
            .collect();
        let (ps, os): (Vec<_>, Vec<_>) = many.into_iter().unzip();
        let t = tenant(2, "Offices");
        let name = SyncroTenantName::parse("Offices").unwrap();
        let plan = group(
            &ctx(),
            &Grouping {
                organizations: &os,
                parents: &ps,
                target: new,
                name: &name,
                tenant: Some(&t),
                delete_empty: true,
            },
        )
        .unwrap();
        assert!(plan.change.into_writes().is_ok());
    }
}
