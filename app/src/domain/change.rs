//! A change: the item-level writes one user action is made of, applied all-or-nothing, and
//! who made it ([`Ctx`]).

use crate::domain::{
    Account, AuditEntry, DiscoveredTenant, Integration, MicrosoftTenant, MicrosoftTenantId,
    NameKind, Organization, SyncReport, SyncroTenant, SyncroTenantId, Timestamp, User, UserId,
    Version,
};
use serde::{Deserialize, Serialize};

/// Who is acting, and when. The audit id is supplied so the rules stay deterministic.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: String,
    pub now: Timestamp,
    pub audit_id: String,
}

impl Ctx {
    pub(crate) fn audit_entry(
        &self,
        action: &str,
        summary: String,
        before: serde_json::Value,
        after: serde_json::Value,
    ) -> Write {
        Write::Audit(AuditEntry {
            at: self.now,
            id: self.audit_id.clone(),
            actor: self.actor.clone(),
            action: action.to_string(),
            summary,
            before,
            after,
            records: Vec::new(),
            operation: None,
        })
    }
}

/// The condition a write puts on the record it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expect {
    /// The record must not exist yet.
    Absent,
    /// The record must exist at exactly this version (R8).
    Version(Version),
}

impl Expect {
    /// `Absent` for a new record, else the version the record replaced was read at.
    pub fn replacing(read_at: Option<Version>) -> Expect {
        read_at.map_or(Expect::Absent, Expect::Version)
    }

    /// Whether a record now at `current` (`None`: not there) is what the write expects.
    pub fn holds(self, current: Option<Version>) -> bool {
        match (self, current) {
            (Expect::Absent, None) => true,
            (Expect::Version(v), Some(cur)) => cur == v,
            _ => false,
        }
    }
}

/// One item-level write. A [`ChangeSet`] of them is applied all-or-nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Write {
    /// A new Syncro Tenant, with its initial organization count (it must not exist).
    CreateSyncroTenant {
        record: SyncroTenant,
    },
    /// The name and the mapping of a Syncro Tenant at `expect` (R8), with its next version; the
    /// organization count is the store's, plus `count_delta` (Organizations that move here in
    /// the same change: one item is written once per change).
    UpdateSyncroTenant {
        record: SyncroTenant,
        expect: Version,
        #[serde(default)]
        count_delta: i32,
    },
    /// Only when it has no mapping and no Organizations but the `moving_out` ones that leave it
    /// in the same change (R5), at this version. `unmapping`: its mapping is cleared in the
    /// same change (its Microsoft Tenant's `SetMapping`), as when a grouping is undone.
    DeleteSyncroTenant {
        id: SyncroTenantId,
        expect: Version,
        #[serde(default)]
        moving_out: u32,
        #[serde(default)]
        unmapping: bool,
    },
    /// Add `delta` to the count; the Syncro Tenant must exist (R1).
    AdjustOrganizationCount {
        id: SyncroTenantId,
        delta: i32,
    },
    PutOrganization {
        record: Organization,
        expect: Expect,
    },
    /// Record a tenant as discovered (an upsert: see [`discovery::merged`]); never touches
    /// the mapping or its version.
    ///
    /// [`discovery::merged`]: crate::domain::integration::discovery::merged
    RecordDiscovered {
        tenant: DiscoveredTenant,
        at: Timestamp,
    },
    /// A complete sync no longer lists this tenant (it must exist): marked, never deleted.
    MarkRemoved {
        tenant_id: MicrosoftTenantId,
        at: Timestamp,
    },
    /// Sets (or clears) a Microsoft Tenant's mapping and its next version, at `expect` (R8).
    /// Only those two fields are written: a name or domain refreshed by a sync since the read
    /// stays.
    SetMapping {
        record: MicrosoftTenant,
        expect: Version,
    },
    /// Reserve a unique name key (R3); refused if another record holds it.
    ClaimName {
        kind: NameKind,
        key: String,
        owner: uuid::Uuid,
    },
    /// Give a name key back.
    ReleaseName {
        kind: NameKind,
        key: String,
    },
    /// An End User replacing `before`, the record as read (`None`: new), at its version (R8).
    /// Every End User change is made through
    /// [`end_users::put`](crate::domain::end_users::put), which claims and releases its email.
    /// A store keeps what it needs to list and find End Users from the two records: the
    /// embedded store from its records, DynamoDB as list-row and link items of its own.
    PutEndUser {
        record: Box<crate::domain::EndUser>,
        before: Option<Box<crate::domain::EndUser>>,
    },
    /// The Entra ID User Sync settings of a Syncro Tenant, at `expect` (R8).
    PutUserSync {
        record: crate::domain::end_users::sync::UserSyncSettings,
        expect: Expect,
    },
    /// What a Syncro Tenant's sync keeps between runs (its delta link, its last report).
    PutUserSyncState(crate::domain::end_users::sync::UserSyncState),
    Audit(AuditEntry),
    /// The installation has an account. `first`: refused if it had one already (first run).
    Installed {
        first: bool,
    },
    /// Create an account (it must not exist).
    PutAccount {
        record: Account,
    },
    /// Add `delta` to the account's active Administrators; refused if that leaves none.
    AdjustAdministrators {
        delta: i32,
    },
    /// Reserve a sign-in email within the account; refused if another of its users holds it.
    /// (Another account's user with the same email is no concern of this one: saying so would
    /// tell one MSP who uses another.)
    ClaimEmail {
        key: String,
        user: UserId,
    },
    PutUser {
        record: User,
        expect: Expect,
    },
    /// Connect (`Expect::Absent`) or replace (`Expect::Version`) the account's integration. A
    /// store that lists connected accounts for the scheduled sync keeps that list in step.
    PutIntegration {
        record: Integration,
        expect: Expect,
    },
    /// Disconnect: the integration must be at this version.
    DeleteIntegration {
        expect: Version,
    },
    /// The last sync's report (replaces the previous one).
    PutSyncReport(SyncReport),
    /// The account's sync job: started, its progress, or finished (see [`Lease`]).
    ///
    /// [`Lease`]: crate::domain::integration::sync_job::Lease
    PutSyncJob {
        job: crate::domain::integration::sync_job::SyncJob,
        lease: crate::domain::integration::sync_job::Lease,
    },
}

impl Write {
    /// Gives back every key the stored name `name` may be claimed under (its key, and its
    /// legacy key where that differs: see `names::name_keys`).
    pub fn release_name(kind: NameKind, name: &str) -> Vec<Write> {
        crate::domain::name_keys(name)
            .into_iter()
            .map(|key| Write::ReleaseName { kind, key })
            .collect()
    }

    /// Moves the claim of a record renamed from `before` to the name whose key is `key`: claims
    /// `key` and gives back every other key `before` may be held under. Nothing when the new
    /// key is the only one the old name could hold (a change of case or spacing).
    pub fn move_name(kind: NameKind, owner: uuid::Uuid, before: &str, key: String) -> Vec<Write> {
        let old = crate::domain::name_keys(before);
        if old == [key.as_str()] {
            return Vec::new();
        }
        let mut writes: Vec<Write> = old
            .into_iter()
            .filter(|k| *k != key)
            .map(|key| Write::ReleaseName { kind, key })
            .collect();
        writes.insert(0, Write::ClaimName { kind, key, owner });
        writes
    }

    /// The most items a store may write for this write: its record, and the index items a
    /// store may keep beside it (an End User's list rows, old and new, and its link to an
    /// Entra ID user, old and new; the list of connected accounts beside an integration).
    /// Counted so that every change fits one DynamoDB transaction.
    pub fn items(&self) -> usize {
        match self {
            Write::PutEndUser { .. } => 5,
            Write::PutIntegration {
                expect: Expect::Absent,
                ..
            }
            | Write::DeleteIntegration { .. } => 2,
            _ => 1,
        }
    }

    /// The item this write touches; no change touches one item twice (DynamoDB refuses that).
    pub fn item(&self) -> String {
        match self {
            Write::CreateSyncroTenant { record } | Write::UpdateSyncroTenant { record, .. } => {
                format!("st:{}", record.id)
            }
            Write::DeleteSyncroTenant { id, .. } | Write::AdjustOrganizationCount { id, .. } => {
                format!("st:{id}")
            }
            Write::PutOrganization { record, .. } => format!("org:{}", record.id),
            Write::SetMapping { record, .. } => format!("mt:{}", record.tenant_id),
            Write::RecordDiscovered { tenant, .. } => format!("mt:{}", tenant.tenant_id),
            Write::MarkRemoved { tenant_id, .. } => format!("mt:{tenant_id}"),
            Write::ClaimName { kind, key, .. } | Write::ReleaseName { kind, key } => {
                format!("name:{kind:?}:{key}")
            }
            Write::PutEndUser { record, .. } => format!("eu:{}", record.id),
            Write::PutUserSync { record, .. } => format!("usync:{}", record.syncro_tenant),
            Write::PutUserSyncState(s) => format!("usyncstate:{}", s.syncro_tenant),
            Write::Audit(a) => format!("audit:{}", a.id),
            Write::Installed { .. } => "installed".to_string(),
            Write::PutAccount { .. } | Write::AdjustAdministrators { .. } => "account".to_string(),
            Write::ClaimEmail { key, .. } => format!("email:{key}"),
            Write::PutUser { record, .. } => format!("user:{}", record.id),
            Write::PutIntegration { .. } | Write::DeleteIntegration { .. } => {
                "integration".to_string()
            }
            Write::PutSyncReport(_) => "sync-report".to_string(),
            Write::PutSyncJob { .. } => "sync-job".to_string(),
        }
    }
}

/// The writes of one user action, applied atomically with their conditions.
///
/// Built only through [`ChangeSet::push`], which notes a second write to one item or a change
/// past [`ChangeSet::MAX_WRITES`]; a store reads the writes only through
/// [`ChangeSet::into_writes`], which refuses such a change — so every store refuses it alike
/// (DynamoDB itself would refuse only the first kind, and only at run time).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChangeSet {
    writes: Vec<Write>,
    /// The items its writes may take ([`Write::items`]).
    #[serde(skip)]
    items: usize,
    #[serde(skip)]
    malformed: Option<String>,
}

/// A change that no store may apply: it writes one item twice, or takes too many items.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a change may write each item once and at most {max} items: {0}", max = ChangeSet::MAX_WRITES)]
pub struct MalformedChange(pub String);

impl ChangeSet {
    /// Most items one change may take ([`Write::items`]): DynamoDB's 100 items per
    /// `TransactWriteItems`, less the two a store may add of its own (the DynamoDB store's list
    /// generation and change-log entry).
    pub const MAX_WRITES: usize = 98;

    pub fn push(&mut self, w: Write) {
        if self.malformed.is_none() {
            let item = w.item();
            if self.writes.iter().any(|x| x.item() == item) {
                self.malformed = Some(format!("{item} is written twice"));
            } else if self.items + w.items() > Self::MAX_WRITES {
                self.malformed = Some(format!("more than {} items", Self::MAX_WRITES));
            }
        }
        self.items += w.items();
        self.writes.push(w);
    }

    /// Pushes each of `writes`.
    pub fn extend(&mut self, writes: impl IntoIterator<Item = Write>) {
        for w in writes {
            self.push(w);
        }
    }

    /// Joins `other` into this change when it writes none of this change's items and both fit
    /// in one; else gives it back. Its audit entries keep the records of their own writes.
    pub fn join(&mut self, other: ChangeSet) -> Result<(), ChangeSet> {
        let overlaps = other
            .writes
            .iter()
            .any(|w| self.writes.iter().any(|x| x.item() == w.item()));
        if overlaps || other.malformed.is_some() || self.items + other.items > Self::MAX_WRITES {
            return Err(other);
        }
        match other.clone().into_writes() {
            Ok(writes) => {
                self.extend(writes);
                Ok(())
            }
            Err(_) => Err(other),
        }
    }

    /// The writes, to look at (tests, and a store's refusal of a failed write).
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// The same change, its audit entries' summaries ending in `note` (" (undo)").
    pub fn noted(mut self, note: &str) -> Self {
        for w in &mut self.writes {
            if let Write::Audit(entry) = w {
                entry.summary.push_str(note);
            }
        }
        self
    }

    /// The writes to apply, unless the change is malformed. Its audit entries name the
    /// Syncro Tenants, Organizations, Microsoft Tenants and End Users it writes (their history).
    /// Marks its audit entries as parts of the bulk operation `operation` (its entry's id).
    pub fn part_of(mut self, operation: &str) -> Self {
        for w in &mut self.writes {
            if let Write::Audit(entry) = w {
                entry.operation = Some(operation.to_string());
            }
        }
        self
    }

    pub fn into_writes(self) -> Result<Vec<Write>, MalformedChange> {
        if let Some(why) = self.malformed {
            return Err(MalformedChange(why));
        }
        let records: Vec<String> = self
            .writes
            .iter()
            .map(Write::item)
            // A Syncro Tenant's user sync settings are part of its history.
            .map(|i| match i.strip_prefix("usync:") {
                Some(st) => format!("st:{st}"),
                None => i,
            })
            .filter(|i| {
                ["st:", "org:", "mt:", "eu:"]
                    .iter()
                    .any(|p| i.starts_with(p))
            })
            .collect();
        let mut writes = self.writes;
        for w in &mut writes {
            if let Write::Audit(entry) = w
                && entry.records.is_empty()
            {
                entry.records = records.clone();
            }
        }
        Ok(writes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expectation_holds_only_for_what_it_names() {
        assert!(Expect::Absent.holds(None));
        assert!(!Expect::Absent.holds(Some(Version(1))));
        assert!(Expect::Version(Version(3)).holds(Some(Version(3))));
        assert!(!Expect::Version(Version(3)).holds(Some(Version(4))));
        assert!(!Expect::Version(Version(3)).holds(None));
    }

    #[test]
    fn timestamps_display_in_utc() {
        assert_eq!(Timestamp(0).display(), "1970-01-01 00:00 UTC");
        assert_eq!(
            Timestamp(1_795_000_000_000).display(),
            "2026-11-18 11:06 UTC"
        );
        assert_eq!(Timestamp(951_782_400_000).display(), "2000-02-29 00:00 UTC");
    }

    fn audit(id: &str) -> Write {
        Write::Audit(AuditEntry {
            at: Timestamp(1),
            id: id.into(),
            actor: "a".into(),
            action: "x".into(),
            summary: String::new(),
            before: serde_json::Value::Null,
            after: serde_json::Value::Null,
            records: vec![],
            operation: None,
        })
    }

    #[test]
    fn a_change_writes_each_item_once_and_fits_one_transaction() {
        let mut c = ChangeSet::default();
        c.push(audit("1"));
        c.push(Write::Installed { first: false });
        assert_eq!(c.clone().into_writes().unwrap().len(), 2);
        c.push(audit("1"));
        let err = c.into_writes().unwrap_err();
        assert!(err.0.contains("audit:1 is written twice"), "{err}");

        let mut c = ChangeSet::default();
        for i in 0..ChangeSet::MAX_WRITES {
            c.push(audit(&i.to_string()));
        }
        assert!(c.clone().into_writes().is_ok());
        c.push(audit("one too many"));
        assert!(c.into_writes().is_err());
    }

    #[test]
    fn discovered_tenants_are_validated() {
        let t = DiscoveredTenant::parse(
            "72f988bf-86f1-41af-91ab-2d7cd011db47",
            " Foggy IT ",
            "FoggyIT.onmicrosoft.com",
        )
        .unwrap();
        assert_eq!(t.display_name, "Foggy IT");
        assert_eq!(t.default_domain, "foggyit.onmicrosoft.com");
        assert!(DiscoveredTenant::parse("nope", "Foggy IT", "foggyit.onmicrosoft.com").is_err());
        assert!(
            DiscoveredTenant::parse(
                "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "",
                "foggyit.onmicrosoft.com"
            )
            .is_err()
        );
        assert!(
            DiscoveredTenant::parse("72f988bf-86f1-41af-91ab-2d7cd011db47", "X", "not a domain")
                .is_err()
        );
    }
}
