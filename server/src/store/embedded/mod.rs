//! The default store: a single redb file under `$TENANTMAP_DATA`, with the records mirrored in
//! memory for fast search and paging.
//!
//! Writers are serialized by one lock; each [`ChangeSet`] is checked against the current
//! records, written in one redb transaction (durable on commit, crash-safe), and only then made
//! visible to readers. A refused change writes nothing.

mod identity;
mod integrations;
mod lists;
mod records;

use crate::store::listing;
use app::domain::discovery;
use app::domain::lists::{ListQuery, Page};
use app::domain::sync_job::{Lease, SyncJob};
use app::domain::user_sync::{UserSyncSettings, UserSyncState};
use app::domain::*;
use app::store::prelude::*;
use app::store::{MappingFilter, ParentFilter};
use async_trait::async_trait;
use redb::{Database, ReadableTable, TableDefinition};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use uuid::Uuid;

/// `{account}/{kind}/{id}` → JSON record.
const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");
/// `{account}/{at:020}/{id}` → JSON audit entry.
const AUDIT: TableDefinition<&str, &[u8]> = TableDefinition::new("audit");
/// SHA-256 of a session token (hex) → JSON session.
const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

#[derive(Default, Clone)]
struct AccountData {
    info: Option<Account>,
    users: HashMap<UserId, User>,
    syncro: HashMap<SyncroTenantId, SyncroTenant>,
    orgs: HashMap<OrganizationId, Organization>,
    tenants: HashMap<MicrosoftTenantId, MicrosoftTenant>,
    end_users: HashMap<EndUserId, EndUser>,
    /// Each Organization's End Users in list order; derived from the records.
    end_user_places: std::collections::BTreeSet<app::domain::end_users::EndUserPlace>,
    /// Entra ID user (tenant, object id) → the End User linked to it; derived from the records.
    links: HashMap<(MicrosoftTenantId, String), EndUserId>,
    user_syncs: HashMap<SyncroTenantId, UserSyncSettings>,
    user_sync_states: HashMap<SyncroTenantId, UserSyncState>,
    integration: Option<Integration>,
    sync_report: Option<SyncReport>,
    sync_job: Option<SyncJob>,
    /// R3: derived from the records on load, kept in step by the changes.
    names: HashMap<(NameKind, String), Uuid>,
}

/// Everything readers see. An email is unique within an account; the index is by both.
#[derive(Default)]
struct State {
    accounts: HashMap<AccountId, AccountData>,
    /// Derived from the users on load, kept in step by the changes.
    emails: HashMap<(String, AccountId), UserId>,
}

impl State {
    fn installed(&self) -> bool {
        self.accounts.values().any(|a| a.info.is_some())
    }
}

impl AccountData {
    fn index_names(&mut self) {
        self.names.clear();
        for st in self.syncro.values() {
            self.names
                .insert((NameKind::SyncroTenant, st.name.key()), st.id.as_uuid());
        }
        for o in self.orgs.values() {
            self.names
                .insert((NameKind::Organization, o.name.key()), o.id.as_uuid());
        }
        self.end_user_places.clear();
        for eu in self.end_users.values() {
            if let Some(e) = &eu.email {
                self.names.insert(
                    (NameKind::EndUserEmail, e.as_str().to_string()),
                    eu.id.as_uuid(),
                );
            }
            self.end_user_places.insert(eu.place());
        }
        self.links = self
            .end_users
            .values()
            .filter_map(|eu| Some((link_of(eu)?, eu.id)))
            .collect();
    }
}

/// The Entra ID user an End User is linked to.
fn link_of(eu: &EndUser) -> Option<(MicrosoftTenantId, String)> {
    match &eu.source {
        app::domain::end_users::EndUserSource::Entra { tenant, object_id } => {
            Some((*tenant, object_id.clone()))
        }
        app::domain::end_users::EndUserSource::Manual => None,
    }
}

#[derive(Clone, Debug)]
enum Record {
    Syncro(SyncroTenant),
    Org(Organization),
    Tenant(MicrosoftTenant),
    EndUser(Box<EndUser>),
    UserSync(UserSyncSettings),
    UserSyncState(UserSyncState),
    Account(Account),
    User(User),
    Integration(Integration),
    SyncReport(SyncReport),
    SyncJob(SyncJob),
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Key {
    Syncro(SyncroTenantId),
    Org(OrganizationId),
    Tenant(MicrosoftTenantId),
    EndUser(EndUserId),
    UserSync(SyncroTenantId),
    UserSyncState(SyncroTenantId),
    Account,
    User(UserId),
    Integration,
    SyncReport,
    SyncJob,
}

impl Key {
    fn storage_key(&self, account: &AccountId) -> String {
        match self {
            Key::Account => format!("{account}/acct/-"),
            Key::User(id) => format!("{account}/user/{id}"),
            Key::Syncro(id) => format!("{account}/st/{id}"),
            Key::Org(id) => format!("{account}/org/{id}"),
            Key::Tenant(id) => format!("{account}/mt/{id}"),
            Key::EndUser(id) => format!("{account}/eu/{id}"),
            Key::UserSync(id) => format!("{account}/usync/{id}"),
            Key::UserSyncState(id) => format!("{account}/usyncstate/{id}"),
            Key::Integration => format!("{account}/int/-"),
            Key::SyncReport => format!("{account}/sync/-"),
            Key::SyncJob => format!("{account}/job/-"),
        }
    }
}

/// The writes of one change, checked and waiting to be committed.
#[derive(Default)]
struct Staged {
    records: HashMap<Key, Option<Record>>,
    names: HashMap<(NameKind, String), Option<Uuid>>,
    emails: HashMap<(String, AccountId), UserId>,
    audit: Vec<AuditEntry>,
}

impl Staged {
    fn account(&self, acct: &AccountData) -> Option<Account> {
        match self.records.get(&Key::Account) {
            Some(Some(Record::Account(a))) => Some(a.clone()),
            Some(_) => None,
            None => acct.info.clone(),
        }
    }
    fn user(&self, acct: &AccountData, id: UserId) -> Option<User> {
        match self.records.get(&Key::User(id)) {
            Some(Some(Record::User(u))) => Some(u.clone()),
            Some(_) => None,
            None => acct.users.get(&id).cloned(),
        }
    }
    fn syncro(&self, acct: &AccountData, id: SyncroTenantId) -> Option<SyncroTenant> {
        match self.records.get(&Key::Syncro(id)) {
            Some(Some(Record::Syncro(s))) => Some(s.clone()),
            Some(_) => None,
            None => acct.syncro.get(&id).cloned(),
        }
    }
    fn org(&self, acct: &AccountData, id: OrganizationId) -> Option<Organization> {
        match self.records.get(&Key::Org(id)) {
            Some(Some(Record::Org(o))) => Some(o.clone()),
            Some(_) => None,
            None => acct.orgs.get(&id).cloned(),
        }
    }
    fn tenant(&self, acct: &AccountData, id: MicrosoftTenantId) -> Option<MicrosoftTenant> {
        match self.records.get(&Key::Tenant(id)) {
            Some(Some(Record::Tenant(t))) => Some(t.clone()),
            Some(_) => None,
            None => acct.tenants.get(&id).cloned(),
        }
    }
    fn end_user(&self, acct: &AccountData, id: EndUserId) -> Option<EndUser> {
        match self.records.get(&Key::EndUser(id)) {
            Some(Some(Record::EndUser(e))) => Some((**e).clone()),
            Some(_) => None,
            None => acct.end_users.get(&id).cloned(),
        }
    }
    fn sync_job(&self, acct: &AccountData) -> Option<SyncJob> {
        match self.records.get(&Key::SyncJob) {
            Some(Some(Record::SyncJob(j))) => Some(j.clone()),
            Some(_) => None,
            None => acct.sync_job.clone(),
        }
    }
    fn integration(&self, acct: &AccountData) -> Option<Integration> {
        match self.records.get(&Key::Integration) {
            Some(Some(Record::Integration(i))) => Some(i.clone()),
            Some(_) => None,
            None => acct.integration.clone(),
        }
    }
    fn name_holder(&self, acct: &AccountData, key: &(NameKind, String)) -> Option<Uuid> {
        match self.names.get(key) {
            Some(holder) => *holder,
            None => acct.names.get(key).copied(),
        }
    }

    fn check(
        &mut self,
        state: &State,
        account: &AccountId,
        acct: &AccountData,
        write: Write,
    ) -> Result<(), StoreError> {
        let conflict = |what: String| Err(StoreError::Conflict(what));
        match write {
            Write::Installed { first } => {
                if first && state.installed() {
                    return Err(StoreError::AlreadyInstalled);
                }
            }
            Write::PutAccount { record } => {
                if self.account(acct).is_some() || record.id != *account {
                    return conflict(format!("account {} exists", record.id));
                }
                self.records
                    .insert(Key::Account, Some(Record::Account(record)));
            }
            Write::AdjustAdministrators { delta } => {
                let Some(mut a) = self.account(acct) else {
                    return conflict(format!("account {account} is gone"));
                };
                match a.active_administrators.checked_add_signed(delta) {
                    Some(n) if n >= 1 => a.active_administrators = n,
                    _ => return Err(StoreError::LastAdministrator),
                }
                self.records.insert(Key::Account, Some(Record::Account(a)));
            }
            Write::ClaimEmail { key, user } => {
                let at = (key, account.clone());
                let holder = self.emails.get(&at).or_else(|| state.emails.get(&at));
                if holder.is_some_and(|h| *h != user) {
                    return Err(StoreError::EmailTaken(at.0));
                }
                self.emails.insert(at, user);
            }
            Write::PutIntegration { record, expect } => {
                let ok = match (expect, self.integration(acct)) {
                    (Expect::Absent, None) => true,
                    (Expect::Version(v), Some(cur)) => cur.version == v,
                    _ => false,
                };
                if !ok {
                    return conflict(format!("integration of {account} changed"));
                }
                self.records
                    .insert(Key::Integration, Some(Record::Integration(record)));
            }
            Write::DeleteIntegration { expect } => match self.integration(acct) {
                Some(cur) if cur.version == expect => {
                    self.records.insert(Key::Integration, None);
                }
                _ => return conflict(format!("integration of {account} changed")),
            },
            // The embedded store finds connected accounts from the integrations themselves.
            Write::IndexIntegration { .. } => {}
            Write::PutSyncReport(report) => {
                self.records
                    .insert(Key::SyncReport, Some(Record::SyncReport(report)));
            }
            Write::PutSyncJob { job, lease } => {
                let held = match (&lease, self.sync_job(acct)) {
                    (Lease::Free, None) => true,
                    (Lease::Replace { id, heartbeat_at }, Some(cur)) => {
                        cur.id == *id && cur.heartbeat_at == *heartbeat_at
                    }
                    (Lease::Held { id }, Some(cur)) => cur.id == *id,
                    _ => false,
                };
                if !held {
                    return conflict(format!("the sync job of {account} changed"));
                }
                self.records
                    .insert(Key::SyncJob, Some(Record::SyncJob(job)));
            }
            Write::PutUser { record, expect } => {
                let ok = match (expect, self.user(acct, record.id)) {
                    (Expect::Absent, None) => true,
                    (Expect::Version(v), Some(cur)) => cur.version == v,
                    _ => false,
                };
                if !ok || record.account != *account {
                    return conflict(format!("user {} changed", record.id));
                }
                self.records
                    .insert(Key::User(record.id), Some(Record::User(record)));
            }
            Write::CreateSyncroTenant { record } => {
                if self.syncro(acct, record.id).is_some() {
                    return conflict(format!("syncro tenant {} exists", record.id));
                }
                self.records
                    .insert(Key::Syncro(record.id), Some(Record::Syncro(record)));
            }
            Write::UpdateSyncroTenant {
                record,
                expect,
                count_delta,
            } => {
                let count = match self.syncro(acct, record.id) {
                    Some(cur) if cur.version == expect => {
                        cur.organization_count.checked_add_signed(count_delta)
                    }
                    _ => None,
                };
                let Some(organization_count) = count else {
                    return conflict(format!("syncro tenant {} changed", record.id));
                };
                let record = SyncroTenant {
                    organization_count,
                    ..record
                };
                self.records
                    .insert(Key::Syncro(record.id), Some(Record::Syncro(record)));
            }
            Write::DeleteSyncroTenant {
                id,
                expect,
                moving_out,
            } => match self.syncro(acct, id) {
                Some(cur) if cur.version == expect => {
                    if moving_out > 0 && cur.organization_count != moving_out {
                        return conflict(format!("syncro tenant {id} gained Organizations"));
                    }
                    if cur.organization_count > moving_out || cur.microsoft_tenant.is_some() {
                        return Err(StoreError::NotEmpty(format!(
                            "\"{}\" has Organizations or a mapping and cannot be deleted",
                            cur.name
                        )));
                    }
                    self.records.insert(Key::Syncro(id), None);
                }
                _ => return conflict(format!("syncro tenant {id} changed")),
            },
            Write::AdjustOrganizationCount { id, delta } => {
                let Some(mut cur) = self.syncro(acct, id) else {
                    return conflict(format!("syncro tenant {id} is gone"));
                };
                let Some(count) = cur.organization_count.checked_add_signed(delta) else {
                    return conflict(format!("syncro tenant {id} count would go negative"));
                };
                cur.organization_count = count;
                self.records
                    .insert(Key::Syncro(id), Some(Record::Syncro(cur)));
            }
            Write::PutOrganization { record, expect } => {
                let ok = match (expect, self.org(acct, record.id)) {
                    (Expect::Absent, None) => true,
                    (Expect::Version(v), Some(cur)) => cur.version == v,
                    _ => false,
                };
                if !ok {
                    return conflict(format!("organization {} changed", record.id));
                }
                self.records
                    .insert(Key::Org(record.id), Some(Record::Org(record)));
            }
            Write::PutEndUser { record, expect } => {
                let ok = match (expect, self.end_user(acct, record.id)) {
                    (Expect::Absent, None) => true,
                    (Expect::Version(v), Some(cur)) => cur.version == v,
                    _ => false,
                };
                if !ok {
                    return conflict(format!("end user {} changed", record.id));
                }
                self.records
                    .insert(Key::EndUser(record.id), Some(Record::EndUser(record)));
            }
            // Lists and links are indexed from the records themselves.
            Write::ListEndUser { .. } | Write::LinkEndUser { .. } => {}
            Write::PutUserSync { record, expect } => {
                let cur = match self.records.get(&Key::UserSync(record.syncro_tenant)) {
                    Some(Some(Record::UserSync(u))) => Some(u.clone()),
                    Some(_) => None,
                    None => acct.user_syncs.get(&record.syncro_tenant).cloned(),
                };
                let ok = match (expect, cur) {
                    (Expect::Absent, None) => true,
                    (Expect::Version(v), Some(cur)) => cur.version == v,
                    _ => false,
                };
                if !ok {
                    return conflict(format!("user sync of {} changed", record.syncro_tenant));
                }
                self.records.insert(
                    Key::UserSync(record.syncro_tenant),
                    Some(Record::UserSync(record)),
                );
            }
            Write::PutUserSyncState(state) => {
                self.records.insert(
                    Key::UserSyncState(state.syncro_tenant),
                    Some(Record::UserSyncState(state)),
                );
            }
            Write::SetMapping { record, expect } => {
                match self.tenant(acct, record.tenant_id) {
                    // Only the mapping and its version are written: a refresh of the discovered
                    // name or domain since the read is kept.
                    Some(cur) if cur.version == expect => {
                        let next = MicrosoftTenant {
                            syncro_tenant: record.syncro_tenant,
                            version: record.version,
                            ..cur
                        };
                        self.records
                            .insert(Key::Tenant(record.tenant_id), Some(Record::Tenant(next)));
                    }
                    _ => return conflict(format!("microsoft tenant {} changed", record.tenant_id)),
                }
            }
            Write::RecordDiscovered { tenant, at } => {
                let next =
                    discovery::merged(self.tenant(acct, tenant.tenant_id).as_ref(), &tenant, at);
                self.records
                    .insert(Key::Tenant(next.tenant_id), Some(Record::Tenant(next)));
            }
            Write::MarkRemoved { tenant_id, at } => {
                let Some(cur) = self.tenant(acct, tenant_id) else {
                    return conflict(format!("microsoft tenant {tenant_id} is gone"));
                };
                let next = MicrosoftTenant {
                    removed_at: Some(at),
                    ..cur
                };
                self.records
                    .insert(Key::Tenant(tenant_id), Some(Record::Tenant(next)));
            }
            Write::ClaimName { kind, key, owner } => {
                let k = (kind, key);
                match self.name_holder(acct, &k) {
                    Some(holder) if holder != owner => {
                        return Err(StoreError::NameTaken {
                            kind,
                            key: k.1,
                            owner: holder,
                        });
                    }
                    _ => {
                        self.names.insert(k, Some(owner));
                    }
                }
            }
            Write::ReleaseName { kind, key } => {
                self.names.insert((kind, key), None);
            }
            Write::Audit(entry) => self.audit.push(entry),
        }
        Ok(())
    }
}

struct Inner {
    db: Database,
    /// False only for bulk loads (benchmarks): commits skip the fsync.
    durable: bool,
    state: RwLock<State>,
    writer: Mutex<()>,
    /// Mirrors the SESSIONS table.
    sessions: Mutex<HashMap<String, Session>>,
    /// Failed sign-ins per email key. In memory only: a restart forgives them. At most
    /// `identity::MAX_FAILURE_RECORDS` entries, whatever emails are tried.
    failures: Mutex<HashMap<String, app::domain::throttle::SignInFailures>>,
}

/// The embedded store. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl EmbeddedStore {
    /// Opens (or creates) `tenantmap.redb` in `dir` and loads it.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, true)
    }

    /// Like [`open`](Self::open); `durable = false` trades crash safety for bulk-load speed.
    pub fn open_with(dir: &Path, durable: bool) -> Result<Self, StoreError> {
        crate::private::dir(dir).map_err(unavailable)?;
        let file = dir.join("tenantmap.redb");
        crate::private::file(&file).map_err(unavailable)?;
        let db = Database::create(file).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        {
            txn.open_table(RECORDS).map_err(unavailable)?;
            txn.open_table(AUDIT).map_err(unavailable)?;
            txn.open_table(SESSIONS).map_err(unavailable)?;
        }
        txn.commit().map_err(unavailable)?;
        let mut state: HashMap<AccountId, AccountData> = HashMap::new();
        let mut sessions = HashMap::new();
        {
            let read = db.begin_read().map_err(unavailable)?;
            let table = read.open_table(RECORDS).map_err(unavailable)?;
            for row in table.iter().map_err(unavailable)? {
                let (k, v) = row.map_err(unavailable)?;
                let key = k.value();
                let mut parts = key.splitn(3, '/');
                let (Some(account), Some(kind)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let account = AccountId::parse(account).map_err(unavailable)?;
                let acct = state.entry(account).or_default();
                let bytes = v.value();
                match kind {
                    "st" => {
                        let r: SyncroTenant = serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.syncro.insert(r.id, r);
                    }
                    "org" => {
                        let r: Organization = serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.orgs.insert(r.id, r);
                    }
                    "mt" => {
                        let r: MicrosoftTenant =
                            serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.tenants.insert(r.tenant_id, r);
                    }
                    "eu" => {
                        let r: EndUser = serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.end_users.insert(r.id, r);
                    }
                    "usync" => {
                        let r: UserSyncSettings =
                            serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.user_syncs.insert(r.syncro_tenant, r);
                    }
                    "usyncstate" => {
                        let r: UserSyncState =
                            serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.user_sync_states.insert(r.syncro_tenant, r);
                    }
                    "acct" => {
                        acct.info = Some(serde_json::from_slice(bytes).map_err(unavailable)?);
                    }
                    "user" => {
                        let r: User = serde_json::from_slice(bytes).map_err(unavailable)?;
                        acct.users.insert(r.id, r);
                    }
                    "int" => {
                        acct.integration =
                            Some(serde_json::from_slice(bytes).map_err(unavailable)?);
                    }
                    "sync" => {
                        acct.sync_report =
                            Some(serde_json::from_slice(bytes).map_err(unavailable)?);
                    }
                    "job" => {
                        acct.sync_job = Some(serde_json::from_slice(bytes).map_err(unavailable)?);
                    }
                    other => {
                        return Err(unavailable(format!("unknown record kind {other} in {key}")));
                    }
                }
            }
            let table = read.open_table(SESSIONS).map_err(unavailable)?;
            for row in table.iter().map_err(unavailable)? {
                let (k, v) = row.map_err(unavailable)?;
                let s: Session = serde_json::from_slice(v.value()).map_err(unavailable)?;
                sessions.insert(k.value().to_string(), s);
            }
        }
        let mut emails = HashMap::new();
        for (id, acct) in state.iter_mut() {
            acct.index_names();
            for u in acct.users.values() {
                emails.insert((u.email.as_str().to_string(), id.clone()), u.id);
            }
        }
        Ok(EmbeddedStore {
            inner: Arc::new(Inner {
                db,
                durable,
                state: RwLock::new(State {
                    accounts: state,
                    emails,
                }),
                writer: Mutex::new(()),
                sessions: Mutex::new(sessions),
                failures: Mutex::new(HashMap::new()),
            }),
        })
    }

    fn with_account<T>(&self, account: &AccountId, f: impl FnOnce(&AccountData) -> T) -> T {
        let state = self.inner.state.read().unwrap_or_else(|e| e.into_inner());
        match state.accounts.get(account) {
            Some(acct) => f(acct),
            None => f(&AccountData::default()),
        }
    }

    fn with_state<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        let state = self.inner.state.read().unwrap_or_else(|e| e.into_inner());
        f(&state)
    }

    /// Writes session rows and removes others in one durable transaction. Called with the
    /// sessions lock held, so the table and the map change in the same order.
    fn write_sessions(&self, put: Option<&Session>, remove: &[String]) -> Result<(), StoreError> {
        let mut txn = self.inner.db.begin_write().map_err(unavailable)?;
        if !self.inner.durable {
            txn.set_durability(redb::Durability::None);
        }
        {
            let mut table = txn.open_table(SESSIONS).map_err(unavailable)?;
            if let Some(s) = put {
                let b = serde_json::to_vec(s).map_err(unavailable)?;
                table
                    .insert(s.token_hash.as_str(), b.as_slice())
                    .map_err(unavailable)?;
            }
            for hash in remove {
                table.remove(hash.as_str()).map_err(unavailable)?;
            }
        }
        txn.commit().map_err(unavailable)
    }

    /// Commits staged writes durably, then makes them visible. Called with the writer lock held.
    fn commit(&self, account: &AccountId, staged: Staged) -> Result<(), StoreError> {
        let mut txn = self.inner.db.begin_write().map_err(unavailable)?;
        if !self.inner.durable {
            txn.set_durability(redb::Durability::None);
        }
        {
            let mut table = txn.open_table(RECORDS).map_err(unavailable)?;
            for (key, record) in &staged.records {
                let k = key.storage_key(account);
                let bytes = match record {
                    Some(Record::Syncro(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::Org(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::Tenant(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::EndUser(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::UserSync(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::UserSyncState(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::Account(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::User(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::Integration(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::SyncReport(r)) => Some(serde_json::to_vec(r)),
                    Some(Record::SyncJob(r)) => Some(serde_json::to_vec(r)),
                    None => None,
                };
                match bytes {
                    Some(b) => {
                        table
                            .insert(k.as_str(), b.map_err(unavailable)?.as_slice())
                            .map_err(unavailable)?;
                    }
                    None => {
                        table.remove(k.as_str()).map_err(unavailable)?;
                    }
                }
            }
            let mut audit = txn.open_table(AUDIT).map_err(unavailable)?;
            for entry in &staged.audit {
                let k = format!("{account}/{:020}/{}", entry.at.0.max(0), entry.id);
                let b = serde_json::to_vec(entry).map_err(unavailable)?;
                // An entry is never overwritten (DynamoDB's condition says the same); returning
                // drops the transaction, so nothing of this change is written.
                let existing = audit
                    .insert(k.as_str(), b.as_slice())
                    .map_err(unavailable)?;
                if existing.is_some() {
                    return Err(StoreError::Conflict(format!(
                        "audit entry {} exists",
                        entry.id
                    )));
                }
            }
        }
        txn.commit().map_err(unavailable)?;

        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        state.emails.extend(staged.emails);
        let acct = state.accounts.entry(account.clone()).or_default();
        for (key, record) in staged.records {
            match (key, record) {
                (Key::Syncro(id), Some(Record::Syncro(r))) => {
                    acct.syncro.insert(id, r);
                }
                (Key::Syncro(id), _) => {
                    acct.syncro.remove(&id);
                }
                (Key::Org(id), Some(Record::Org(r))) => {
                    acct.orgs.insert(id, r);
                }
                (Key::Org(id), _) => {
                    acct.orgs.remove(&id);
                }
                (Key::Tenant(id), Some(Record::Tenant(r))) => {
                    acct.tenants.insert(id, r);
                }
                (Key::Tenant(id), _) => {
                    acct.tenants.remove(&id);
                }
                (Key::EndUser(id), record) => {
                    if let Some(old) = acct.end_users.remove(&id) {
                        acct.end_user_places.remove(&old.place());
                        if let Some(l) = link_of(&old) {
                            acct.links.remove(&l);
                        }
                    }
                    if let Some(Record::EndUser(r)) = record {
                        acct.end_user_places.insert(r.place());
                        if let Some(l) = link_of(&r) {
                            acct.links.insert(l, id);
                        }
                        acct.end_users.insert(id, *r);
                    }
                }
                (Key::UserSync(id), Some(Record::UserSync(r))) => {
                    acct.user_syncs.insert(id, r);
                }
                (Key::UserSync(id), _) => {
                    acct.user_syncs.remove(&id);
                }
                (Key::UserSyncState(id), Some(Record::UserSyncState(r))) => {
                    acct.user_sync_states.insert(id, r);
                }
                (Key::UserSyncState(id), _) => {
                    acct.user_sync_states.remove(&id);
                }
                (Key::Account, Some(Record::Account(a))) => acct.info = Some(a),
                (Key::Account, _) => acct.info = None,
                (Key::User(id), Some(Record::User(u))) => {
                    acct.users.insert(id, u);
                }
                (Key::User(id), _) => {
                    acct.users.remove(&id);
                }
                (Key::Integration, Some(Record::Integration(i))) => acct.integration = Some(i),
                (Key::Integration, _) => acct.integration = None,
                (Key::SyncReport, Some(Record::SyncReport(r))) => acct.sync_report = Some(r),
                (Key::SyncReport, _) => acct.sync_report = None,
                (Key::SyncJob, Some(Record::SyncJob(j))) => acct.sync_job = Some(j),
                (Key::SyncJob, _) => acct.sync_job = None,
            }
        }
        for (key, holder) in staged.names {
            match holder {
                Some(owner) => acct.names.insert(key, owner),
                None => acct.names.remove(&key),
            };
        }
        Ok(())
    }

    fn apply_blocking(&self, account: &AccountId, change: ChangeSet) -> Result<(), StoreError> {
        let writes = change.into_writes()?;
        let _writer = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let staged = self.with_state(|state| {
            let empty = AccountData::default();
            let acct = state.accounts.get(account).unwrap_or(&empty);
            let mut staged = Staged::default();
            for w in writes {
                staged.check(state, account, acct, w)?;
            }
            Ok::<_, StoreError>(staged)
        })?;
        self.commit(account, staged)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(EmbeddedStore) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(this))
            .await
            .map_err(unavailable)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn fresh() -> (Arc<dyn Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        (Arc::new(EmbeddedStore::open(dir.path()).unwrap()), dir)
    }

    crate::contract_tests!(fresh());

    #[tokio::test]
    async fn survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let a = crate::store::contract::acct();
        let (org, st, admin, session, ann) = {
            let store = EmbeddedStore::open(dir.path()).unwrap();
            let (_, admin) =
                crate::store::contract::new_account(&store, "msp-a", "admin@msp-a.example", true)
                    .await
                    .unwrap();
            let session = Session {
                token_hash: "ef".repeat(32),
                account: admin.account.clone(),
                user: admin.id,
                epoch: admin.session_epoch,
                created_at: Timestamp(1),
                last_seen: Timestamp(1),
            };
            store.put_session(session.clone()).await.unwrap();
            let (org, st) = crate::store::contract::create_org(&store, &a, "Acme Dental")
                .await
                .unwrap();
            let ann = crate::store::contract::add_end_user(
                &store,
                &a,
                &org,
                "Ann Lee",
                "ann@acme.example",
            )
            .await
            .unwrap();
            (org, st, admin, session, ann)
        };
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert!(store.installed().await.unwrap());
        assert_eq!(
            store.user_by_email(&admin.email).await.unwrap(),
            Some(admin.clone())
        );
        assert_eq!(
            store.session(&session.token_hash).await.unwrap(),
            Some(session)
        );
        // The email index is rebuilt: the same email again in the account is refused.
        let again = crate::store::contract::new_user("ADMIN@msp-a.example", Role::Technician);
        assert!(matches!(
            store
                .apply(
                    &admin.account,
                    add_user(&crate::store::contract::ctx(), &admin.account, again)
                )
                .await,
            Err(StoreError::EmailTaken(_))
        ));
        assert_eq!(
            store.organization(&a, org.id).await.unwrap(),
            Some(org.clone())
        );
        assert_eq!(store.syncro_tenant(&a, st.id).await.unwrap(), Some(st));
        assert!(matches!(
            crate::store::contract::create_org(&store, &a, "ACME DENTAL").await,
            Err(StoreError::NameTaken { .. })
        ));
        assert_eq!(store.list_audit(&a, 10).await.unwrap().len(), 2);
        // End Users: the record, its place in the list and its email are back.
        assert_eq!(store.end_user(&a, ann.id).await.unwrap(), Some(ann.clone()));
        let rows = store
            .end_user_rows(&a, org.id, true, None, 10)
            .await
            .unwrap();
        assert_eq!(rows, [ann.row()]);
        assert!(matches!(
            crate::store::contract::add_end_user(&store, &a, &org, "Ann Two", "ANN@acme.example")
                .await,
            Err(StoreError::NameTaken { .. })
        ));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::store::contract::{self, Op};
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0..30usize, proptest::option::of(0..30usize)).prop_map(|(name, parent)| Op::CreateOrg { name, parent }),
            1 => (0..30usize, 0..30usize).prop_map(|(st, name)| Op::RenameSyncro { st, name }),
            2 => (0..30usize, 0..30usize).prop_map(|(org, st)| Op::EditOrgParent { org, st }),
            1 => (proptest::collection::vec(0..30usize, 1..4), 0..30usize).prop_map(|(orgs, st)| Op::MoveOrgs { orgs, st }),
            2 => (0..30usize, 0..30usize).prop_map(|(mt, st)| Op::Map { mt, st }),
            1 => (0..30usize).prop_map(|mt| Op::Unmap { mt }),
            1 => (0..30usize).prop_map(|st| Op::Delete { st }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Random sequences of operations never break R1–R3 (checked after every step).
        #[test]
        fn random_sessions_keep_the_rules(ops in proptest::collection::vec(op(), 1..40)) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let store = EmbeddedStore::open_with(dir.path(), false).unwrap();
                let a = contract::acct();
                for i in 0..4u128 {
                    contract::discover(&store, &a, i, &format!("Tenant {i}")).await;
                }
                for op in &ops {
                    contract::run_op(&store, &a, op).await;
                }
            });
        }
    }
}
