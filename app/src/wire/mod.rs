//! What crosses the wire between server functions and pages. Separate from the stored records
//! (joined by `From`), so the storage layout can change without changing the pages.

#![warn(clippy::wildcard_imports)]

use crate::domain::{MicrosoftTenant, Organization, SyncroTenant};
use serde::{Deserialize, Serialize};

pub use crate::domain::lists::{ListQuery, PER_PAGE, Page, SortKey, TenantCounts};

mod activity;
mod end_users;
mod integration;
mod mapping;
mod user_sync;
mod users;

pub use activity::{ActivityRow, ActivityView, AuditRow};
pub use end_users::{EndUserFieldView, EndUserListRow, EndUserView, EndUsersView};
pub use integration::{
    ConnectionView, FailureRow, ImportReport, IntegrationView, SyncJobView, SyncReportView,
};
pub use mapping::{
    AcceptReport, GroupMember, GroupView, MAPPING_ROWS_SHOWN, MappingImportReport,
    MicrosoftTenantRow, OrganizationRow, OrganizationView, RestReport, RestRow, RestView,
    SuggestedGroup, SuggestionList, SuggestionRow, SyncStatus, SyncroTenantRow, SyncroTenantView,
    TenantList,
};
pub use user_sync::{
    PreviewPersonView, RuleView, UserSyncPreviewView, UserSyncReportView, UserSyncStatusView,
    UserSyncView,
};
pub use users::{Me, UserRow};

/// A name with its id: a link or a dropdown option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
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
