//! Admin › Activity: entries, one page of them, and a record's history.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub summary: String,
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
    /// A bulk operation's own entry: its id (for the link to its parts), else "".
    #[serde(default)]
    pub operation: String,
    /// How many parts the operation holds.
    #[serde(default)]
    pub parts: usize,
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
