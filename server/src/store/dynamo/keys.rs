//! The single-table layout of the DynamoDB store: every item's partition key (`pk`) and sort key
//! (`sk`), and how records become items. Nothing here talks to a database.
//!
//! | item                    | pk                  | sk                          |
//! |-------------------------|---------------------|-----------------------------|
//! | account                 | `A#{account}`       | `ACCOUNT`                   |
//! | Syncro Tenant           | `A#{account}`       | `ST#{id}`                   |
//! | Organization            | `A#{account}`       | `ORG#{id}`                  |
//! | Microsoft Tenant        | `A#{account}`       | `MT#{tenant id}`            |
//! | End User                | `A#{account}`       | `EU#{id}`                   |
//! | End User list row       | `A#{account}`       | `EUL#{org}#{A|I}#{name key}\u{1}{id}` |
//! | End User's Entra link   | `A#{account}`       | `EUX#{tenant}#{object id}`  |
//! | Entra ID User Sync      | `A#{account}`       | `USYNC#{Syncro Tenant}`     |
//! | its state (delta link)  | `A#{account}`       | `USYNCSTATE#{Syncro Tenant}`|
//! | user                    | `A#{account}`       | `USER#{id}`                 |
//! | unique name marker (R3) | `A#{account}`       | `NAME#{ST|ORG|EU}#{name key}` (EU: an End User's email) |
//! | audit entry (R9)        | `A#{account}`       | `AUDIT#{at, 20 digits}#{id}`|
//! | Microsoft integration   | `A#{account}`       | `INTEGRATION`               |
//! | last sync report        | `A#{account}`       | `SYNC`                      |
//! | Microsoft sync job      | `A#{account}`       | `JOB`                       |
//! | list generation         | `A#{account}`       | `GEN`                       |
//! | list change log         | `A#{account}`       | `CHG#{generation, 20 digits}`|
//! | connected account       | `INTEGRATIONS`      | `{account}`                 |
//! | email marker            | `EMAIL#{email}`     | `EMAIL`                     |
//! | "installed" marker      | `INSTALLED`         | `INSTALLED`                 |
//! | session                 | `SESSION#{sha-256}` | `SESSION`                   |
//! | failed sign-ins         | `SIGNIN#{email}`    | `SIGNIN`                    |
//!
//! An account's records share one partition, so a list is one `Query` on a sort-key prefix and
//! an account can never read another's items by key. Items that must be unique across the
//! installation (emails, session tokens) have partitions of their own. Sessions and failed
//! sign-ins carry `expires_at` (epoch seconds) for the table's TTL.
//!
//! The list generation counts the changes to an account's listed records (Syncro Tenants,
//! Organizations, Microsoft Tenants); each such change writes the next generation and a change
//! log entry naming the items it wrote, in the same transaction, so a cached copy of the lists
//! can tell with one read whether it is current and catch up by reading only what changed
//! (see `cache.rs`). Change log entries expire after a day.
//!
//! End Users are not in the list cache (an account may have 250,000). Each has a small list
//! row sorted within its Organization, active or inactive, by name key: a page of a list is one
//! `Query` of the rows from where the last page ended. `\u{1}` ends the name key, so "Ann"
//! sorts before "Ann Lee" as it does on the embedded store (a name key holds no control
//! character).

use super::entity::Entity;
use app::domain::*;
use app::store::RecordIds;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

pub type Item = HashMap<String, AttributeValue>;

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// What the item is ("st", "org", …): makes the table readable by hand.
pub const KIND: &str = "kind";
/// The TTL attribute (epoch seconds).
pub const EXPIRES_AT: &str = "expires_at";
/// The generation item's counter.
pub const GENERATION: &str = "generation";
/// A change-log entry's list of the sort keys it wrote.
pub const CHANGED: &str = "changed";
/// The generation item's running count of the listed items changes wrote: two readings tell how
/// much changed between them without reading the log.
pub const CHANGED_TOTAL: &str = "changed_total";

pub const ST_PREFIX: &str = "ST#";
pub const ORG_PREFIX: &str = "ORG#";
pub const MT_PREFIX: &str = "MT#";
pub const USER_PREFIX: &str = "USER#";
pub const AUDIT_PREFIX: &str = "AUDIT#";
pub const CHANGE_PREFIX: &str = "CHG#";
pub const END_USER_PREFIX: &str = "EU#";
pub const END_USER_ROW_PREFIX: &str = "EUL#";
pub const END_USER_LINK_PREFIX: &str = "EUX#";
pub const USER_SYNC_PREFIX: &str = "USYNC#";
pub const INTEGRATIONS_PK: &str = "INTEGRATIONS";

/// The address of one item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Account(AccountId),
    SyncroTenant(AccountId, SyncroTenantId),
    Organization(AccountId, OrganizationId),
    MicrosoftTenant(AccountId, MicrosoftTenantId),
    EndUser(AccountId, EndUserId),
    /// An End User's row in its Organization's list.
    EndUserRow(AccountId, app::domain::end_users::EndUserPlace),
    /// Which End User an Entra ID user (tenant, object id) is linked to.
    EndUserLink(AccountId, MicrosoftTenantId, String),
    UserSync(AccountId, SyncroTenantId),
    UserSyncState(AccountId, SyncroTenantId),
    User(AccountId, UserId),
    Name(AccountId, NameKind, String),
    Audit(AccountId, Timestamp, String),
    Integration(AccountId),
    SyncReport(AccountId),
    /// The account's Microsoft sync job (its lease and progress).
    SyncJob(AccountId),
    /// How many changes the account's listed records have had.
    Generation(AccountId),
    /// Which listed items the change that made this generation wrote.
    Change(AccountId, u64),
    /// One item per connected account, in one partition: the scheduled sync's work list.
    IntegrationIndex(AccountId),
    /// One item per (email, account) in the email's own partition: sign-in queries it for the
    /// accounts the email is a user of. (Tables from before emails were per account hold one
    /// item with the sort key `EMAIL`; the query finds it as well.)
    Email(String, AccountId),
    Installed,
    Session(String),
    SignIn(String),
    /// A checked file kept for a few minutes (`domain::mapping::parked`), by its random id.
    Parked(AccountId, String),
}

/// The partition of an email's items (see [`Key::Email`]).
pub fn email_pk(email: &str) -> String {
    format!("EMAIL#{email}")
}

pub fn account_pk(account: &AccountId) -> String {
    format!("A#{account}")
}

impl Key {
    pub fn pk(&self) -> String {
        match self {
            Key::Account(a)
            | Key::SyncroTenant(a, _)
            | Key::Organization(a, _)
            | Key::MicrosoftTenant(a, _)
            | Key::EndUser(a, _)
            | Key::EndUserRow(a, _)
            | Key::EndUserLink(a, ..)
            | Key::UserSync(a, _)
            | Key::UserSyncState(a, _)
            | Key::User(a, _)
            | Key::Name(a, ..)
            | Key::Audit(a, ..)
            | Key::Integration(a)
            | Key::SyncReport(a)
            | Key::SyncJob(a)
            | Key::Generation(a)
            | Key::Change(a, _)
            | Key::Parked(a, _) => account_pk(a),
            Key::IntegrationIndex(_) => INTEGRATIONS_PK.into(),
            Key::Email(e, _) => email_pk(e),
            Key::Installed => "INSTALLED".into(),
            Key::Session(hash) => format!("SESSION#{hash}"),
            Key::SignIn(e) => format!("SIGNIN#{e}"),
        }
    }

    pub fn sk(&self) -> String {
        match self {
            Key::Account(_) => "ACCOUNT".into(),
            Key::SyncroTenant(_, id) => format!("{ST_PREFIX}{id}"),
            Key::Organization(_, id) => format!("{ORG_PREFIX}{id}"),
            Key::MicrosoftTenant(_, id) => format!("{MT_PREFIX}{id}"),
            Key::User(_, id) => format!("{USER_PREFIX}{id}"),
            Key::EndUser(_, id) => format!("{END_USER_PREFIX}{id}"),
            Key::EndUserLink(_, tenant, oid) => format!("{END_USER_LINK_PREFIX}{tenant}#{oid}"),
            Key::UserSync(_, st) => format!("{USER_SYNC_PREFIX}{st}"),
            Key::UserSyncState(_, st) => format!("USYNCSTATE#{st}"),
            Key::EndUserRow(_, p) => format!(
                "{}{}\u{1}{}",
                end_user_rows(p.organization, p.active),
                p.name_key,
                p.id
            ),
            Key::Name(_, kind, key) => format!("NAME#{}#{key}", name_kind(*kind)),
            // Zero-padded so the sort key orders by time; the id orders one millisecond.
            Key::Audit(_, at, id) => format!("{AUDIT_PREFIX}{:020}#{id}", at.0.max(0)),
            Key::Integration(_) => "INTEGRATION".into(),
            Key::SyncReport(_) => "SYNC".into(),
            Key::SyncJob(_) => "JOB".into(),
            Key::Generation(_) => "GEN".into(),
            Key::Change(_, generation) => format!("{CHANGE_PREFIX}{generation:020}"),
            Key::IntegrationIndex(a) => a.to_string(),
            Key::Email(_, a) => format!("ACCOUNT#{a}"),
            Key::Installed => "INSTALLED".into(),
            Key::Session(_) => "SESSION".into(),
            Key::SignIn(_) => "SIGNIN".into(),
            Key::Parked(_, id) => format!("PARKED#{id}"),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Key::Account(_) => "account",
            Key::SyncroTenant(..) => "st",
            Key::Organization(..) => "org",
            Key::MicrosoftTenant(..) => "mt",
            Key::User(..) => "user",
            Key::EndUser(..) => "eu",
            Key::EndUserRow(..) => "eurow",
            Key::EndUserLink(..) => "eulink",
            Key::UserSync(..) => "usync",
            Key::UserSyncState(..) => "usyncstate",
            Key::Name(..) => "name",
            Key::Audit(..) => "audit",
            Key::Integration(_) => "integration",
            Key::SyncReport(_) => "sync",
            Key::SyncJob(_) => "job",
            Key::Generation(_) => "generation",
            Key::Change(..) => "change",
            Key::IntegrationIndex(_) => "connected",
            Key::Email(..) => "email",
            Key::Installed => "installed",
            Key::Session(_) => "session",
            Key::SignIn(_) => "signin",
            Key::Parked(..) => "parked",
        }
    }

    /// The keys of one batch read of records, kind by kind.
    pub fn records(account: &AccountId, ids: &RecordIds) -> Vec<Key> {
        let a = || account.clone();
        let st = ids
            .syncro_tenants
            .iter()
            .map(|id| Key::SyncroTenant(a(), *id));
        let org = ids
            .organizations
            .iter()
            .map(|id| Key::Organization(a(), *id));
        let mt = (ids.microsoft_tenants.iter()).map(|id| Key::MicrosoftTenant(a(), *id));
        let eu = ids.end_users.iter().map(|id| Key::EndUser(a(), *id));
        st.chain(org).chain(mt).chain(eu).collect()
    }

    /// The key of a listed record of `account` from its sort key (as a change-log entry names it).
    pub fn listed(account: &AccountId, sk: &str) -> Option<Key> {
        let a = account.clone();
        if let Some(id) = sk.strip_prefix(ST_PREFIX) {
            SyncroTenantId::parse(id)
                .ok()
                .map(|id| Key::SyncroTenant(a, id))
        } else if let Some(id) = sk.strip_prefix(ORG_PREFIX) {
            OrganizationId::parse(id)
                .ok()
                .map(|id| Key::Organization(a, id))
        } else if let Some(id) = sk.strip_prefix(MT_PREFIX) {
            MicrosoftTenantId::parse(id)
                .ok()
                .map(|id| Key::MicrosoftTenant(a, id))
        } else {
            None
        }
    }

    /// True for the records the list views show (and the cache keeps).
    pub fn is_listed(&self) -> bool {
        matches!(
            self,
            Key::SyncroTenant(..) | Key::Organization(..) | Key::MicrosoftTenant(..)
        )
    }

    /// The key attributes alone (for `GetItem`, `DeleteItem`, `Update`, `ConditionCheck`).
    pub fn item_key(&self) -> Item {
        HashMap::from([
            (PK.to_string(), AttributeValue::S(self.pk())),
            (SK.to_string(), AttributeValue::S(self.sk())),
        ])
    }

    /// The key of the item a [`Write`] of `account` touches. Two writes of one change never
    /// share a key (`ChangeSet::into_writes`), which DynamoDB requires of a transaction.
    pub fn of_write(account: &AccountId, write: &Write) -> Key {
        let a = account.clone();
        match write {
            Write::CreateSyncroTenant { record } | Write::UpdateSyncroTenant { record, .. } => {
                record.key_in(account)
            }
            Write::DeleteSyncroTenant { id, .. } | Write::AdjustOrganizationCount { id, .. } => {
                Key::SyncroTenant(a, *id)
            }
            Write::PutOrganization { record, .. } => record.key_in(account),
            Write::SetMapping { record, .. } => record.key_in(account),
            Write::RecordDiscovered { tenant, .. } => {
                MicrosoftTenant::key(account, tenant.tenant_id)
            }
            Write::MarkRemoved { tenant_id, .. } => Key::MicrosoftTenant(a, *tenant_id),
            Write::ClaimName { kind, key, .. } | Write::ReleaseName { kind, key } => {
                Key::Name(a, *kind, key.clone())
            }
            Write::Audit(entry) => entry.key_in(account),
            Write::Installed { .. } => Key::Installed,
            Write::PutAccount { .. } | Write::AdjustAdministrators { .. } => Key::Account(a),
            Write::ClaimEmail { key, .. } => Key::Email(key.clone(), a),
            Write::PutUser { record, .. } => record.key_in(account),
            Write::PutEndUser { record, .. } => record.key_in(account),
            Write::PutUserSync { record, .. } => record.key_in(account),
            Write::PutUserSyncState(st) => st.key_in(account),
            Write::PutIntegration { .. } | Write::DeleteIntegration { .. } => Key::Integration(a),
            Write::PutSyncReport(r) => r.key_in(account),
            Write::PutSyncJob { job, .. } => job.key_in(account),
        }
    }
}

/// The sort-key prefix of an Organization's active (or inactive) End User rows.
pub fn end_user_rows(org: OrganizationId, active: bool) -> String {
    format!(
        "{END_USER_ROW_PREFIX}{org}#{}#",
        if active { 'A' } else { 'I' }
    )
}

fn name_kind(kind: NameKind) -> &'static str {
    match kind {
        NameKind::SyncroTenant => "ST",
        NameKind::Organization => "ORG",
        NameKind::EndUserEmail => "EU",
    }
}

/// A record as a full item: its fields as native DynamoDB attributes (numbers stay numbers, so
/// conditions can compare `version` and `organization_count`), plus `pk`, `sk` and `kind`.
pub fn to_item<T: serde::Serialize>(key: &Key, record: &T) -> Result<Item, serde_dynamo::Error> {
    let mut item: Item = serde_dynamo::to_item(record)?;
    item.extend(key.item_key());
    item.insert(KIND.into(), AttributeValue::S(key.kind().into()));
    Ok(item)
}

/// The record in an item (the key attributes are ignored).
pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T, serde_dynamo::Error> {
    serde_dynamo::from_item(item)
}

/// Epoch seconds for the TTL attribute from a timestamp in milliseconds.
pub fn ttl_seconds(at: Timestamp) -> AttributeValue {
    AttributeValue::N((at.0.max(0) / 1000).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn acct() -> AccountId {
        AccountId::parse("acme").unwrap()
    }

    fn syncro_tenant() -> SyncroTenant {
        SyncroTenant {
            id: SyncroTenantId::from_uuid(Uuid::from_u128(1)),
            name: SyncroTenantName::parse("Foggy IT Services").unwrap(),
            microsoft_tenant: None,
            organization_count: 3,
            version: Version(7),
            updated_at: Timestamp(1_795_000_000_000),
        }
    }

    #[test]
    fn records_become_items_with_native_attributes() {
        let st = syncro_tenant();
        let key = Key::SyncroTenant(acct(), st.id);
        let item = to_item(&key, &st).unwrap();
        assert_eq!(item[PK], AttributeValue::S("A#acme".into()));
        assert_eq!(
            item[SK],
            AttributeValue::S("ST#00000000-0000-0000-0000-000000000001".into())
        );
        assert_eq!(item[KIND], AttributeValue::S("st".into()));
        assert_eq!(item["version"], AttributeValue::N("7".into()));
        assert_eq!(item["organization_count"], AttributeValue::N("3".into()));
        assert_eq!(item["name"], AttributeValue::S("Foggy IT Services".into()));
        assert_eq!(item["microsoft_tenant"], AttributeValue::Null(true));
        let back: SyncroTenant = from_item(item).unwrap();
        assert_eq!(back, st);
    }

    #[test]
    fn an_accounts_records_share_its_partition_and_sort_by_kind() {
        let a = acct();
        let id = Uuid::from_u128(2);
        let keys = [
            Key::Account(a.clone()),
            Key::SyncroTenant(a.clone(), SyncroTenantId::from_uuid(id)),
            Key::Organization(a.clone(), OrganizationId::from_uuid(id)),
            Key::MicrosoftTenant(a.clone(), MicrosoftTenantId::from_uuid(id)),
            Key::User(a.clone(), UserId::from_uuid(id)),
            Key::Name(a.clone(), NameKind::Organization, "acme dental".into()),
            Key::Audit(a.clone(), Timestamp(5), "x".into()),
            Key::Generation(a.clone()),
            Key::Change(a.clone(), 7),
        ];
        assert!(keys.iter().all(|k| k.pk() == "A#acme"));
        assert!(keys[1].sk().starts_with(ST_PREFIX));
        assert!(keys[2].sk().starts_with(ORG_PREFIX));
        assert!(keys[3].sk().starts_with(MT_PREFIX));
        assert!(keys[4].sk().starts_with(USER_PREFIX));
        assert_eq!(keys[5].sk(), "NAME#ORG#acme dental");
        // No prefix is a prefix of another kind's keys.
        let prefixes = [
            ST_PREFIX,
            ORG_PREFIX,
            MT_PREFIX,
            USER_PREFIX,
            AUDIT_PREFIX,
            "NAME#",
            "ACCOUNT",
            "GEN",
            CHANGE_PREFIX,
        ];
        for k in &keys {
            assert_eq!(
                prefixes.iter().filter(|p| k.sk().starts_with(*p)).count(),
                1,
                "{k:?}"
            );
        }
        // Another account's keys are in another partition.
        let other = AccountId::parse("acme-2").unwrap();
        assert_ne!(Key::Account(other).pk(), keys[0].pk());
    }

    #[test]
    fn change_log_keys_sort_by_generation_and_only_listed_records_are_cached() {
        let a = acct();
        assert_eq!(Key::Change(a.clone(), 42).sk(), "CHG#00000000000000000042");
        assert!(Key::Change(a.clone(), 9).sk() < Key::Change(a.clone(), 10).sk());
        assert_eq!(Key::Generation(a.clone()).sk(), "GEN");
        let id = Uuid::from_u128(3);
        assert!(Key::Organization(a.clone(), OrganizationId::from_uuid(id)).is_listed());
        assert!(!Key::User(a.clone(), UserId::from_uuid(id)).is_listed());
        assert!(!Key::Name(a.clone(), NameKind::Organization, "x".into()).is_listed());
        let org = Key::Organization(a.clone(), OrganizationId::from_uuid(id));
        assert_eq!(Key::listed(&a, &org.sk()), Some(org));
        let mt = Key::MicrosoftTenant(a.clone(), MicrosoftTenantId::from_uuid(id));
        assert_eq!(Key::listed(&a, &mt.sk()), Some(mt));
        assert_eq!(Key::listed(&a, "USER#x"), None);
    }

    #[test]
    fn audit_keys_sort_by_time() {
        let a = acct();
        let early = Key::Audit(a.clone(), Timestamp(999), "b".into()).sk();
        let late = Key::Audit(a, Timestamp(1_000), "a".into()).sk();
        assert!(early < late, "{early} < {late}");
    }

    #[test]
    fn global_items_have_partitions_of_their_own() {
        assert_eq!(
            Key::Email("ann@x.example".into(), acct()).pk(),
            "EMAIL#ann@x.example"
        );
        assert_eq!(Key::Session("ab".into()).pk(), "SESSION#ab");
        assert_eq!(Key::Installed.item_key().len(), 2);
        assert_eq!(
            ttl_seconds(Timestamp(1_795_000_000_999)),
            AttributeValue::N("1795000000".into())
        );
    }

    #[test]
    fn every_write_of_a_change_has_its_own_key() {
        // The domain's own "one item once" rule and the table keys agree.
        let a = acct();
        let st = syncro_tenant();
        let writes = [
            Write::CreateSyncroTenant { record: st.clone() },
            Write::ClaimName {
                kind: NameKind::SyncroTenant,
                key: "foggy".into(),
                owner: Uuid::from_u128(1),
            },
            Write::ClaimName {
                kind: NameKind::Organization,
                key: "foggy".into(),
                owner: Uuid::from_u128(1),
            },
            Write::AdjustAdministrators { delta: 1 },
            Write::ClaimEmail {
                key: "a@x.example".into(),
                user: UserId::from_uuid(Uuid::from_u128(1)),
            },
            Write::Installed { first: true },
        ];
        let keys: std::collections::HashSet<Key> =
            writes.iter().map(|w| Key::of_write(&a, w)).collect();
        let items: std::collections::HashSet<String> = writes.iter().map(Write::item).collect();
        assert_eq!(keys.len(), writes.len());
        assert_eq!(items.len(), writes.len());
        assert_eq!(
            Key::of_write(
                &a,
                &Write::AdjustOrganizationCount {
                    id: st.id,
                    delta: 1
                }
            ),
            Key::SyncroTenant(a.clone(), st.id)
        );
    }
}
