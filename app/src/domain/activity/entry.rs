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
    /// The bulk operation this entry is a part of (*Accept all*, an import, *Map the rest*):
    /// the id of the operation's own entry, which Activity shows in its parts' place and
    /// undoes them with. `None` (and absent in older entries) for a change of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
}

/// The action of an operation's own entry starts with this (`operation.accept`, …).
pub const OPERATION: &str = "operation.";

impl AuditEntry {
    /// Whether this is a bulk operation's own entry (its parts name it).
    pub fn is_operation(&self) -> bool {
        self.action.starts_with(OPERATION)
    }

    /// How many parts the operation's entry says it has.
    pub fn parts(&self) -> usize {
        self.after
            .get("parts")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An entry written before operations existed still reads, as a change of its own.
    #[test]
    fn an_older_entry_reads_as_no_operation_s_part() {
        let old = r#"{"at":1,"id":"a1","actor":"admin@msp.example","action":"microsoft_tenant.map","summary":"Mapped","before":null,"after":null,"records":["mt:1"]}"#;
        let e: AuditEntry = serde_json::from_str(old).unwrap();
        assert_eq!(e.operation, None);
        assert!(!e.is_operation());
        // And a part written now names its operation; one of its own leaves the field out.
        let json = serde_json::to_string(&e).unwrap();
        assert!(!json.contains("operation"), "{json}");
        let part = AuditEntry {
            operation: Some("op1".into()),
            ..e
        };
        let back: AuditEntry =
            serde_json::from_str(&serde_json::to_string(&part).unwrap()).unwrap();
        assert_eq!(back.operation.as_deref(), Some("op1"));
    }
}
