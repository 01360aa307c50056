//! Admin > Activity: which recorded changes (R9) a view shows — by person, kind of change,
//! record and words — and where a page of them ends. The same on every store: a store only
//! hands over its entries newest first ([`crate::store::Lists::audit_before`]); the filter and
//! the paging are written here once.

use crate::domain::{AuditEntry, Timestamp};
use serde::{Deserialize, Serialize};

/// Entries read from the store at a time while a page is filled.
pub const ACTIVITY_BATCH: usize = 100;

/// Most entries one page looks through: a filter that matches rarely ends the page early
/// with an "Older" link, rather than reading the whole history in one request.
pub const ACTIVITY_SCAN: usize = 1_000;

/// Entries on one page.
pub const ACTIVITY_PER_PAGE: usize = 50;

/// The kinds of change the activity view filters by, each a set of audit actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityKind {
    Mappings,
    SyncroTenants,
    Organizations,
    Syncs,
    Integration,
    Users,
    SignIns,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 7] = [
        ActivityKind::Mappings,
        ActivityKind::SyncroTenants,
        ActivityKind::Organizations,
        ActivityKind::Syncs,
        ActivityKind::Integration,
        ActivityKind::Users,
        ActivityKind::SignIns,
    ];

    /// Its name in a URL.
    pub fn key(self) -> &'static str {
        match self {
            ActivityKind::Mappings => "mappings",
            ActivityKind::SyncroTenants => "syncro-tenants",
            ActivityKind::Organizations => "organizations",
            ActivityKind::Syncs => "syncs",
            ActivityKind::Integration => "integration",
            ActivityKind::Users => "users",
            ActivityKind::SignIns => "sign-ins",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Mappings => "Mappings",
            ActivityKind::SyncroTenants => "Syncro Tenants",
            ActivityKind::Organizations => "Organizations",
            ActivityKind::Syncs => "Syncs and imports",
            ActivityKind::Integration => "Microsoft integration",
            ActivityKind::Users => "Users",
            ActivityKind::SignIns => "Sign-ins",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Whether an audit action is of this kind.
    pub fn covers(self, action: &str) -> bool {
        match self {
            ActivityKind::Mappings => matches!(
                action,
                "microsoft_tenant.map" | "microsoft_tenant.unmap" | "microsoft_tenant.change"
            ),
            ActivityKind::SyncroTenants => action.starts_with("syncro_tenant."),
            ActivityKind::Organizations => action.starts_with("organization."),
            ActivityKind::Syncs => {
                matches!(action, "microsoft_tenant.sync" | "microsoft_tenant.import")
            }
            ActivityKind::Integration => action.starts_with("integration."),
            ActivityKind::Users => action.starts_with("user.") || action.starts_with("account."),
            ActivityKind::SignIns => action.starts_with("session."),
        }
    }
}

/// What an activity view shows. Empty parts match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityFilter {
    /// The email of the person who acted (case-insensitive).
    pub actor: String,
    pub kind: Option<ActivityKind>,
    /// One record's history: `st:<id>`, `org:<id>` or `mt:<tenant ID>`.
    pub record: String,
    /// Words that must all be in the summary or the person's email (case-insensitive).
    pub search: String,
    /// The parts of one bulk operation (its entry's id). Without it, a bulk operation is one
    /// row — its own entry — and its parts show only in a record's history, a kind of change
    /// or a search.
    pub operation: String,
}

impl ActivityFilter {
    pub fn matches(&self, e: &AuditEntry) -> bool {
        if !self.operation.is_empty() {
            if e.operation.as_deref() != Some(self.operation.as_str()) {
                return false;
            }
        } else if e.operation.is_some()
            && self.record.is_empty()
            && self.kind.is_none()
            && self.search.trim().is_empty()
        {
            return false;
        }
        if !self.actor.is_empty() && !e.actor.eq_ignore_ascii_case(&self.actor) {
            return false;
        }
        if self.kind.is_some_and(|k| !k.covers(&e.action)) {
            return false;
        }
        if !self.record.is_empty() && !e.records.contains(&self.record) {
            return false;
        }
        if self.search.trim().is_empty() {
            return true;
        }
        let text = format!("{} {}", e.summary, e.actor).to_lowercase();
        self.search
            .to_lowercase()
            .split_whitespace()
            .all(|w| text.contains(w))
    }
}

/// Where a page of activity ends: the next page holds the entries older than this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityCursor {
    pub at: Timestamp,
    pub id: String,
}

impl ActivityCursor {
    pub fn of(e: &AuditEntry) -> Self {
        ActivityCursor {
            at: e.at,
            id: e.id.clone(),
        }
    }

    /// From a link (`<ms>-<entry id>`); anything else is no cursor (the newest page).
    pub fn parse(s: &str) -> Option<Self> {
        let (at, id) = s.split_once('-')?;
        let at: i64 = at.parse().ok().filter(|t| *t >= 0)?;
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| ActivityCursor {
            at: Timestamp(at),
            id: id.to_string(),
        })
    }

    /// For a link.
    pub fn token(&self) -> String {
        format!("{}-{}", self.at.0, self.id)
    }

    /// The store's sort key after the account's prefix: time, then id.
    pub fn sort_key(&self, separator: char) -> String {
        format!("{:020}{separator}{}", self.at.0.max(0), self.id)
    }
}

/// One page of activity, newest first.
#[derive(Debug, Clone, Default)]
pub struct ActivityPage {
    pub entries: Vec<AuditEntry>,
    /// The next page, when there may be older entries.
    pub older: Option<ActivityCursor>,
    /// How many entries were looked at.
    pub scanned: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn entry(actor: &str, action: &str, summary: &str, records: &[&str]) -> AuditEntry {
        AuditEntry {
            at: Timestamp(1),
            id: "e1".into(),
            actor: actor.into(),
            action: action.into(),
            summary: summary.into(),
            before: serde_json::Value::Null,
            after: serde_json::Value::Null,
            records: records.iter().map(|r| r.to_string()).collect(),
            operation: None,
        }
    }

    #[test]
    fn filters_match_person_kind_record_and_words() {
        let e = entry(
            "Admin@MSP.example",
            "microsoft_tenant.map",
            "Mapped Microsoft Tenant \"Foggy IT\" to Syncro Tenant \"Foggy IT Services\"",
            &["st:1", "mt:2"],
        );
        let all = ActivityFilter::default();
        assert!(all.matches(&e));
        let f = |actor: &str, kind, record: &str, search: &str| ActivityFilter {
            actor: actor.into(),
            kind,
            record: record.into(),
            search: search.into(),
            ..Default::default()
        };
        assert!(f("admin@msp.example", None, "", "").matches(&e));
        assert!(!f("tech@msp.example", None, "", "").matches(&e));
        assert!(f("", Some(ActivityKind::Mappings), "", "").matches(&e));
        assert!(!f("", Some(ActivityKind::SyncroTenants), "", "").matches(&e));
        assert!(f("", None, "mt:2", "").matches(&e));
        assert!(!f("", None, "mt:3", "").matches(&e));
        assert!(f("", None, "", "foggy  SERVICES").matches(&e));
        assert!(f("", None, "", "admin@msp").matches(&e));
        assert!(!f("", None, "", "foggy acme").matches(&e));

        // A bulk operation's part: in its place, the operation's own entry; among its
        // operation's parts, in a record's history and in a search, itself.
        let part = AuditEntry {
            operation: Some("op1".into()),
            ..e.clone()
        };
        assert!(!all.matches(&part));
        assert!(!f("admin@msp.example", None, "", "").matches(&part));
        assert!(f("", None, "mt:2", "").matches(&part));
        assert!(f("", None, "", "foggy").matches(&part));
        assert!(f("", Some(ActivityKind::Mappings), "", "").matches(&part));
        let parts = |op: &str| ActivityFilter {
            operation: op.into(),
            ..Default::default()
        };
        assert!(parts("op1").matches(&part));
        assert!(!parts("op2").matches(&part));
        assert!(!parts("op1").matches(&e));
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = ActivityCursor {
            at: Timestamp(1_790_000_000_123),
            id: "5f0c-ab".into(),
        };
        assert_eq!(ActivityCursor::parse(&c.token()), Some(c.clone()));
        assert_eq!(c.sort_key('#'), "00000001790000000123#5f0c-ab");
        for junk in ["", "12", "-1-x", "x-y", "12-a/b", "12-", "12-a#b"] {
            assert_eq!(ActivityCursor::parse(junk), None, "{junk}");
        }
        for kind in ActivityKind::ALL {
            assert_eq!(ActivityKind::parse(kind.key()), Some(kind));
        }
    }
}
