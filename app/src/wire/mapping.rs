//! The mapping's pages: tenants, Syncro Tenants, Organizations, Suggestions, grouping and the
//! mapping import's report.

use super::{NamedRef, Page, TenantCounts};
use crate::domain::{MicrosoftTenant, SyncroTenant};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftTenantRow {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    /// The tenant's other verified domains.
    pub other_domains: Vec<String>,
    pub syncro_tenant: Option<NamedRef>,
    pub last_sync: String,
    pub version: u64,
    /// What is wrong with this tenant's sync, if anything.
    pub status: Option<SyncStatus>,
    /// "GDAP until 2027-09-30 12:00 UTC, extends itself" (CSP customers with an active one).
    pub gdap: Option<String>,
}

/// A tenant's sync state as the page shows it: a short label and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub label: String,
    pub detail: String,
    /// "removed", "failed" or "stale" (a CSS class).
    pub kind: String,
}

impl MicrosoftTenantRow {
    pub fn new(mt: &MicrosoftTenant, syncro_tenant: Option<NamedRef>) -> Self {
        let status = match (&mt.removed_at, &mt.sync_error) {
            (Some(at), _) => Some(SyncStatus {
                label: format!("Removed by Microsoft {}", at.display()),
                detail: "Microsoft no longer lists this tenant. It is kept, with its mapping, until an Administrator unmaps it.".into(),
                kind: "removed".into(),
            }),
            (None, Some(f)) => Some(SyncStatus {
                label: f.label().into(),
                detail: f.message(),
                kind: "failed".into(),
            }),
            (None, None) => None,
        };
        MicrosoftTenantRow {
            tenant_id: mt.tenant_id.to_string(),
            display_name: mt.display_name.clone(),
            default_domain: mt.default_domain.clone(),
            other_domains: mt.domains().skip(1).map(str::to_string).collect(),
            syncro_tenant,
            last_sync: mt.last_sync.display(),
            version: mt.version.0,
            status,
            gdap: mt.gdap.map(|g| {
                format!(
                    "GDAP until {}{}",
                    g.ends_at.display(),
                    if g.auto_extends {
                        ", extends itself"
                    } else {
                        ", does not extend itself"
                    }
                )
            }),
        }
    }
}

/// One suggested mapping, as the Suggestions view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionRow {
    pub tenant_id: String,
    pub tenant_name: String,
    /// The default domain first, then the other verified ones.
    pub domains: Vec<String>,
    pub syncro_tenant: NamedRef,
    pub confidence: crate::domain::mapping::suggest::Confidence,
    pub reason: String,
    /// Offices of one customer to group under `syncro_tenant` before mapping it.
    #[serde(default)]
    pub group: Option<SuggestedGroup>,
    /// For a Medium or Low one, the next most likely Syncro Tenants, to pick in place.
    #[serde(default)]
    pub alternatives: Vec<NamedRef>,
}

/// What accepting an office suggestion groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedGroup {
    /// The name the kept Syncro Tenant is given.
    pub name: String,
    /// The other offices' Syncro Tenants, emptied and deleted.
    pub offices: Vec<NamedRef>,
    /// Every Organization of the group (ids).
    pub organizations: Vec<String>,
}

impl SuggestionRow {
    /// The value choosing `syncro_tenant` instead (one of the alternatives).
    pub fn pick_of(&self, syncro_tenant: &NamedRef) -> String {
        format!("{}:{}", self.tenant_id, syncro_tenant.id)
    }

    /// The value of its checkbox: `<tenant ID>:<Syncro Tenant id>`, and for offices to group
    /// `:<Organization id>,<Organization id>…` after it.
    pub fn pick(&self) -> String {
        match &self.group {
            None => format!("{}:{}", self.tenant_id, self.syncro_tenant.id),
            Some(g) => format!(
                "{}:{}:{}",
                self.tenant_id,
                self.syncro_tenant.id,
                g.organizations.join(",")
            ),
        }
    }
}

/// One page of suggestions, and how many there are of each confidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestionList {
    pub rows: Page<SuggestionRow>,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    /// When there is no suggestion at all: how many Microsoft Tenants there are, and how many
    /// unmapped (so the page can say why there is nothing to suggest).
    #[serde(default)]
    pub tenants: usize,
    #[serde(default)]
    pub unmapped: usize,
}

/// What accepting suggestions did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AcceptReport {
    pub mapped: usize,
    /// Those not mapped, each with its reason, by name.
    pub not_mapped: Vec<String>,
}

/// One page of Microsoft Tenant Management, and whether Microsoft still syncs them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantList {
    pub tenants: Page<MicrosoftTenantRow>,
    pub counts: TenantCounts,
    /// False when no Microsoft integration is connected: the tenants are kept as they were.
    pub connected: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncroTenantRow {
    pub id: String,
    pub name: String,
    pub version: u64,
    pub organization_count: u32,
    pub microsoft_tenant: Option<NamedRef>,
}

impl SyncroTenantRow {
    pub fn new(st: &SyncroTenant, microsoft_tenant: Option<NamedRef>) -> Self {
        SyncroTenantRow {
            id: st.id.to_string(),
            name: st.name.to_string(),
            version: st.version.0,
            organization_count: st.organization_count,
            microsoft_tenant,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub syncro_tenant: Option<NamedRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub version: u64,
    pub email: String,
    pub phone: String,
    pub address: String,
    /// The website's domain, or empty.
    pub website: String,
    pub syncro_tenant: SyncroTenantRow,
    pub microsoft_tenant: Option<MicrosoftTenantRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncroTenantView {
    pub tenant: SyncroTenantRow,
    pub microsoft_tenant: Option<MicrosoftTenantRow>,
    pub organizations: Page<NamedRef>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn tenant() -> MicrosoftTenant {
        MicrosoftTenant {
            tenant_id: MicrosoftTenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47").unwrap(),
            display_name: "Contoso".into(),
            default_domain: "contoso.com".into(),
            verified_domains: Vec::new(),
            syncro_tenant: None,
            last_sync: Timestamp(0),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        }
    }

    #[test]
    fn rows_say_what_is_wrong_with_a_tenants_sync() {
        assert_eq!(MicrosoftTenantRow::new(&tenant(), None).status, None);
        let failing = MicrosoftTenant {
            sync_error: Some(SyncFailure::NoConsent),
            ..tenant()
        };
        let s = MicrosoftTenantRow::new(&failing, None).status.unwrap();
        assert_eq!(
            (s.label.as_str(), s.kind.as_str()),
            ("No consent", "failed")
        );
        assert!(s.detail.contains("consent"));
        // Removed wins over a failure: the tenant is gone from Microsoft's lists.
        let gone = MicrosoftTenant {
            removed_at: Some(Timestamp(86_400_000)),
            ..failing
        };
        let s = MicrosoftTenantRow::new(&gone, None).status.unwrap();
        assert_eq!(s.label, "Removed by Microsoft 1970-01-02 00:00 UTC");
        assert_eq!(s.kind, "removed");
    }
}

/// An Organization chosen for *Group under one Syncro Tenant*, with where it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupMember {
    pub id: String,
    pub name: String,
    pub syncro_tenant: NamedRef,
}

/// The *Group under one Syncro Tenant* page: the choices, and once asked, the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupView {
    pub organizations: Vec<GroupMember>,
    /// The Syncro Tenants they are under now: the ones that can be kept.
    pub parents: Vec<NamedRef>,
    /// The chosen Syncro Tenant's id, or "" for a new one.
    pub target: String,
    pub name: String,
    /// Microsoft Tenants to choose from: those mapped to the parents, then unmapped ones
    /// matching `tenant_query`.
    pub tenants: Vec<MicrosoftTenantRow>,
    /// The chosen Microsoft Tenant's ID, or "" to leave the mapping as it is.
    pub tenant: String,
    pub tenant_query: String,
    pub delete_empty: bool,
    /// What applying does, in order; `None` until previewed.
    pub preview: Option<Vec<String>>,
    /// Names the preview, so that applying does exactly what was shown or nothing.
    pub digest: String,
    /// Why the choice cannot be applied as it is.
    pub problem: Option<crate::error::AppError>,
}

/// What importing mappings does (a dry run) or did, row by row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct MappingImportReport {
    /// False for a dry run: nothing was written.
    pub applied: bool,
    pub changes: usize,
    pub unchanged: usize,
    pub refused: usize,
    /// The rows that change or are refused, by line (at most [`MAPPING_ROWS_SHOWN`]).
    pub rows: Vec<crate::domain::mapping::import::RowResult>,
    /// Rows of changes not applied because their records changed meanwhile (run it again).
    pub not_applied: usize,
    /// After a dry run: where its changes are kept for *Import these N changes* (`None` when
    /// there are none, or more than is kept).
    #[serde(default)]
    pub checked: Option<String>,
}

impl MappingImportReport {
    /// What a page's link carries of the report: the first 15 rows.
    pub fn for_link(&self) -> Self {
        let mut shown = self.clone();
        shown.rows.truncate(15);
        shown
    }
}

/// *Map the rest*: a page of the unmapped tenants no suggestion covers, and the free Syncro
/// Tenants' names to type from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestView {
    pub rows: Page<RestRow>,
    /// The free Syncro Tenants' names (the first ones by name when there are very many).
    pub syncro_tenants: Vec<String>,
    pub free_total: usize,
    /// What the last Save did, when the page's link carries it.
    pub report: Option<RestReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestRow {
    pub tenant_id: String,
    pub name: String,
    pub domain: String,
}

/// What *Save* on Map the rest did, and the rows it could not map: (tenant ID, what was
/// typed, why), to show them again as typed, each with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestReport {
    pub report: MappingImportReport,
    pub kept: Vec<(String, String, String)>,
}

/// Most rows a mapping import report lists.
pub const MAPPING_ROWS_SHOWN: usize = 200;
