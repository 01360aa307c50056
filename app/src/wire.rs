//! What crosses the wire between server functions and pages. Separate from the stored records
//! (joined by `From`), so the storage layout can change without changing the pages.

use crate::domain::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::lists::{ListQuery, PER_PAGE, Page, SortKey, TenantCounts};

/// A name with its id: a link or a dropdown option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

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
}

impl SuggestionRow {
    /// The value of its checkbox: `<tenant ID>:<Syncro Tenant id>`.
    pub fn pick(&self) -> String {
        format!("{}:{}", self.tenant_id, self.syncro_tenant.id)
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

/// Admin > RMM Settings - Microsoft Tenant Integrations. Never carries the client secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationView {
    pub connection: Option<ConnectionView>,
    pub last_sync: Option<SyncReportView>,
    /// The sync running now, if any.
    pub running: Option<SyncJobView>,
}

/// A sync job as the page shows it while it runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncJobView {
    /// "Sync Now by … (2026-11-27 14:03 UTC); 340 of 5000 customers read, …".
    pub progress: String,
    pub customers_done: usize,
    pub customers_total: usize,
    /// When it started (ms): its report carries the same, so a page knows when it arrived.
    pub started_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    /// "single" or "csp".
    pub mode: String,
    pub mode_label: String,
    pub directory_tenant: String,
    pub client_id: String,
    pub secret_set_at: String,
    pub connected_at: String,
    pub connected_by: String,
    pub version: u64,
}

impl ConnectionView {
    pub fn new(i: &Integration) -> Self {
        ConnectionView {
            mode: i.mode.as_str().into(),
            mode_label: i.mode.label().into(),
            directory_tenant: i.directory_tenant.to_string(),
            client_id: i.client_id.to_string(),
            secret_set_at: i.secret_set_at.display(),
            connected_at: i.connected_at.display(),
            connected_by: i.connected_by.clone(),
            version: i.version.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReportView {
    /// When the sync started (ms): the same as its job's.
    pub started_ms: i64,
    pub finished_at: String,
    pub trigger: String,
    pub error: Option<String>,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub failure_count: usize,
    pub failures: Vec<FailureRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureRow {
    pub tenant_id: String,
    pub display_name: String,
    pub label: String,
    pub detail: String,
}

#[cfg(feature = "ssr")]
impl SyncJobView {
    pub fn new(j: &crate::domain::integration::sync_job::SyncJob) -> Self {
        SyncJobView {
            progress: j.progress(),
            customers_done: j.customers_done,
            customers_total: j.customers_total,
            started_ms: j.started_at.0,
        }
    }
}

impl SyncReportView {
    pub fn new(r: &SyncReport) -> Self {
        SyncReportView {
            started_ms: r.started_at.0,
            finished_at: r.finished_at.display(),
            trigger: r.trigger.clone(),
            error: r.error.clone(),
            added: r.added,
            updated: r.updated,
            removed: r.removed,
            failure_count: r.failure_count,
            failures: r
                .failures
                .iter()
                .map(|f| FailureRow {
                    tenant_id: f.tenant_id.to_string(),
                    display_name: f.display_name.clone(),
                    label: f.failure.label().into(),
                    detail: f.failure.message(),
                })
                .collect(),
        }
    }
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

impl From<&SyncroTenant> for NamedRef {
    fn from(st: &SyncroTenant) -> Self {
        NamedRef {
            id: st.id.to_string(),
            name: st.name.to_string(),
        }
    }
}
impl From<&Organization> for NamedRef {
    fn from(o: &Organization) -> Self {
        NamedRef {
            id: o.id.to_string(),
            name: o.name.to_string(),
        }
    }
}
impl From<&MicrosoftTenant> for NamedRef {
    fn from(m: &MicrosoftTenant) -> Self {
        NamedRef {
            id: m.tenant_id.to_string(),
            name: m.display_name.clone(),
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub summary: String,
}

/// What a CSV import did, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    /// (line number, reason)
    pub rejected: Vec<(usize, String)>,
}

/// The signed-in user, for the header and for showing or hiding the changing actions (the
/// server checks the role again on every change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub account_name: String,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Administrator
    }
}

/// A row of Admin > Users. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub version: u64,
    pub is_you: bool,
}

impl UserRow {
    pub fn new(u: &User, you: UserId) -> Self {
        UserRow {
            id: u.id.to_string(),
            email: u.email.to_string(),
            role: u.role,
            active: u.active,
            version: u.version.0,
            is_you: u.id == you,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

/// One recorded change on Admin > Activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityRow {
    /// Where the entry is (a cursor token): names it for *Undo*.
    pub entry: String,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub summary: String,
    pub can_undo: bool,
}

/// A page of Admin > Activity, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub rows: Vec<ActivityRow>,
    /// The next (older) page's `before`, or "" at the oldest.
    pub older: String,
    /// The account's users' emails, for the person filter.
    pub people: Vec<String>,
    /// The record whose history this is, by name ("" for every record).
    pub record_name: String,
    /// How many entries were looked at for this page.
    pub scanned: usize,
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

/// Most rows a mapping import report lists.
pub const MAPPING_ROWS_SHOWN: usize = 200;

/// An End User in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserListRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub department: String,
    pub synced: bool,
}

/// A page of an Organization's End Users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUsersView {
    pub organization: NamedRef,
    pub inactive: bool,
    pub rows: Vec<EndUserListRow>,
    /// The `after` of the next page, when there is one.
    pub next: Option<String>,
    /// True when a search looked through its most rows before filling the page.
    pub searched_far: bool,
}

/// One field of a person, with where its value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserFieldView {
    /// The form field's name (`name`, `job_title`, …).
    pub key: String,
    pub label: String,
    pub value: String,
    /// "Entra ID, 2026-11-28 06:00 UTC" or "admin@msp.example, …"; empty without a value.
    pub origin: String,
    pub pinned: bool,
}

/// A person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserView {
    pub id: String,
    pub version: u64,
    pub organization: NamedRef,
    pub name: String,
    pub active: bool,
    /// "Added by hand" or "Synced from Entra ID (…)".
    pub source: String,
    pub fields: Vec<EndUserFieldView>,
    pub pinned_person: bool,
}

/// A routing rule as the setup form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    /// `department`, `domain`, `office` or `group`.
    pub field: String,
    pub value: String,
    /// The Organization's id.
    pub organization: String,
}

/// What a run of Entra ID User Sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncReportView {
    pub at: String,
    pub trigger: String,
    /// "3 created, 1 matched" or "no changes".
    pub summary: String,
    pub full: bool,
    pub skipped: usize,
    pub review: Vec<(String, String)>,
    pub review_count: usize,
    pub braked: Option<String>,
    pub error: Option<String>,
    pub notes: Vec<String>,
    /// Who was not brought in, and why (at most 100).
    #[serde(default)]
    pub not_brought_in: Vec<(String, String)>,
}

/// A Syncro Tenant's Entra ID User Sync: its settings (or the defaults) and its last run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncView {
    pub syncro_tenant: NamedRef,
    pub microsoft_tenant: Option<NamedRef>,
    /// False while the account is not connected to Microsoft: the sync has nothing to read.
    pub connected: bool,
    pub organizations: Vec<NamedRef>,
    pub set_up: bool,
    /// A preview of these settings was applied: the sync runs with them.
    pub approved: bool,
    /// 0 before the first save.
    pub version: u64,
    /// `members`, `guests` or `both`.
    pub kinds: String,
    pub enabled_only: bool,
    pub licensed_only: bool,
    pub exclude_non_people: bool,
    pub domains: String,
    pub departments: String,
    pub offices: String,
    pub groups: String,
    pub rules: Vec<RuleView>,
    pub default_organization: String,
    pub brake_percent: u8,
    /// Rules an earlier rule makes useless, in words.
    pub shadowed: Vec<String>,
    pub last_run: Option<UserSyncReportView>,
}

/// What a Syncro Tenant's page shows of its user sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncStatusView {
    /// False while the account is not connected to Microsoft: nothing can sync.
    pub connected: bool,
    pub set_up: bool,
    pub approved: bool,
    pub last_run: Option<UserSyncReportView>,
}

/// A person in a preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewPersonView {
    /// "Create", "Match", "Update", "Move", "Deactivate", "Reactivate".
    pub what: String,
    pub name: String,
    pub email: String,
    pub organization: String,
    /// The fields Entra replaces on an End User already here ("Job title: A → B").
    #[serde(default)]
    pub changes: Vec<String>,
}

/// What applying the settings would do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncPreviewView {
    pub setup: UserSyncView,
    pub report: UserSyncReportView,
    pub people: Vec<PreviewPersonView>,
}

/// Home: where the account stands (`api::home_overview`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// The caller is an Administrator (the next steps are theirs to take).
    pub admin: bool,
    /// How the account is connected to Microsoft ("CSP partner", "Single Tenant"), if it is.
    pub connected: Option<String>,
    pub tenants: TenantCounts,
    pub organizations: usize,
    /// Syncro Tenants with Entra ID User Sync set up.
    pub user_syncs: usize,
    pub last_sync: Option<SyncReportView>,
}

impl HomeView {
    /// The first day's steps, in order: (what, done, where to do it).
    pub fn steps(&self) -> [(&'static str, bool, &'static str); 4] {
        let t = &self.tenants;
        [
            (
                "Connect Microsoft, or import your Microsoft Tenants from a CSV",
                self.connected.is_some() || t.all > 0,
                "/admin/microsoft-integration",
            ),
            (
                "Add or import your Organizations (your billed customers)",
                self.organizations > 0,
                "/organizations/new",
            ),
            (
                "Map each Microsoft Tenant to a Syncro Tenant with Suggestions",
                t.all > 0 && t.unmapped == 0,
                "/admin/microsoft-tenants/suggestions",
            ),
            (
                "Set up Entra ID User Sync on a mapped Syncro Tenant",
                self.user_syncs > 0,
                "/syncro-tenants",
            ),
        ]
    }

    /// Every step is done.
    pub fn all_done(&self) -> bool {
        self.steps().iter().all(|(_, done, _)| *done)
    }
}
