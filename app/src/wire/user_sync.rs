//! Entra ID User Sync: its settings form, status, preview and reports.

use super::NamedRef;
use serde::{Deserialize, Serialize};

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
