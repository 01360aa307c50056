//! One entry of the activity log (R9).

use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// R9: who, when, what, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    /// Unique per entry (a UUID); orders entries written in the same millisecond.
    pub id: String,
    pub actor: String,
    pub action: String,
    pub summary: String,
    /// `null` when there was nothing before (a stored `null` may come back as a missing field).
    #[serde(default)]
    pub before: serde_json::Value,
    #[serde(default)]
    pub after: serde_json::Value,
    /// The records the change wrote (`st:<id>`, `org:<id>`, `mt:<tenant ID>`): each record's
    /// history. Filled in from the change's writes ([`ChangeSet::into_writes`]).
    #[serde(default)]
    pub records: Vec<String>,
}
