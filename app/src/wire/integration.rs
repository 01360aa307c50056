//! Admin › Microsoft Integration: the connection, a sync job and its report, a tenant CSV's
//! import report.

use crate::domain::{Integration, SyncReport};
use serde::{Deserialize, Serialize};

/// Admin > RMM Settings - Microsoft Tenant Integrations. Never carries the client secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationView {
    pub connection: Option<ConnectionView>,
    pub last_sync: Option<SyncReportView>,
    /// The sync running now, if any.
    pub running: Option<SyncJobView>,
    /// Suggestions waiting for the unmapped tenants: of high confidence, and the others.
    #[serde(default)]
    pub suggestions_high: usize,
    #[serde(default)]
    pub suggestions_other: usize,
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

/// What a CSV import did, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    /// (line number, reason)
    pub rejected: Vec<(usize, String)>,
}

impl ImportReport {
    /// What a page's link carries of the report: the first 20 rejected rows.
    pub fn for_link(&self) -> Self {
        let mut shown = self.clone();
        shown.rejected.truncate(20);
        shown
    }
}
