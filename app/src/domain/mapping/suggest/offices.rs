//! Offices of one customer that the Syncro side keeps as Syncro Tenants of their own ("Acme
//! Dental - Boston", "Acme Dental - Salem") while Microsoft has one tenant for them: one
//! suggestion, to group their Organizations under one Syncro Tenant named for the customer and
//! map that to the tenant (accepted as *Group under one Syncro Tenant* is applied).

use super::Confidence;
use super::index::{Evidence, Index, SAME_BUT_OFFICE};
use crate::domain::mapping::group::{MAX_GROUP, common_name};
use crate::domain::{OrganizationId, SyncroTenantId};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What an office suggestion groups under its Syncro Tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeGroup {
    /// The name the Syncro Tenant is given: what the offices' names share ("Acme Dental").
    pub name: String,
    /// The other offices' Syncro Tenants, emptied by the grouping (and deleted).
    pub syncro_tenants: Vec<SyncroTenantId>,
    /// Every Organization of the group, the kept Syncro Tenant's own first.
    pub organizations: Vec<OrganizationId>,
}

/// One tenant's offices: the candidates it has strong evidence for (a domain or the name, with
/// or without the office) whose Syncro Tenants' names are one name apart from the office and
/// have Organizations, at least two, with the evidence for each; `None` when there are no such offices.
pub(super) fn offices_of<'p>(
    index: &Index<'_>,
    strong: impl IntoIterator<Item = (usize, &'p Evidence)>,
) -> Option<Vec<(usize, &'p Evidence)>> {
    let mut by_name: HashMap<&str, Vec<(usize, &'p Evidence)>> = HashMap::new();
    for (c, e) in strong {
        // Grouping moves Organizations: a Syncro Tenant with none is no office to group.
        if e.confidence != Confidence::High
            || e.score < SAME_BUT_OFFICE
            || index.candidates[c].orgs.is_empty()
        {
            continue;
        }
        let core = index.candidates[c].core.as_str();
        if !core.is_empty() {
            by_name.entry(core).or_default().push((c, e));
        }
    }
    let orgs = |g: &[(usize, &Evidence)]| -> usize {
        g.iter().map(|(c, _)| index.candidates[*c].orgs.len()).sum()
    };
    by_name
        .into_iter()
        .filter(|(_, g)| g.len() >= 2 && orgs(g) <= MAX_GROUP)
        // The most offices; of equals, the first name (the same answer every time).
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(a.0)))
        .map(|(_, mut g)| {
            g.sort_by_key(|(c, _)| index.candidates[*c].syncro.name.as_str());
            g
        })
}

/// The Syncro Tenant kept (the one named for the customer, else the first by name), and the
/// group.
pub(super) fn group_of(index: &Index<'_>, members: &[usize]) -> (usize, OfficeGroup) {
    let name_of = |c: usize| index.candidates[c].syncro.name.as_str();
    let mut name = common_name(members.iter().map(|c| name_of(*c)));
    if name.is_empty() {
        name = name_of(members[0]).to_string();
    }
    let key = name.to_lowercase();
    let kept = members
        .iter()
        .copied()
        .min_by_key(|c| {
            let n = name_of(*c);
            (n.to_lowercase() != key, n)
        })
        .unwrap_or(members[0]);
    let mut organizations: Vec<OrganizationId> =
        index.candidates[kept].orgs.iter().map(|o| o.id).collect();
    let mut syncro_tenants = Vec::new();
    for &c in members.iter().filter(|c| **c != kept) {
        syncro_tenants.push(index.candidates[c].syncro.id);
        organizations.extend(index.candidates[c].orgs.iter().map(|o| o.id));
    }
    (
        kept,
        OfficeGroup {
            name,
            syncro_tenants,
            organizations,
        },
    )
}
