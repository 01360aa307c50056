//! The port the server functions talk to, split by concern: [`Records`] (changes and lookups),
//! [`Lists`] (searched, paged views), [`Integrations`] (the Microsoft integration and what it
//! discovers) and [`Identity`] (accounts, users, sessions, sign-in throttling). [`Store`] is
//! their sum. Two implementations live in `server/` (the embedded store and DynamoDB), one file
//! per store and concern, and pass one contract suite split the same way. Object-safe: server
//! functions cannot be generic, so they hold an `Arc<dyn Store>`. Bring the concerns into scope
//! with `use crate::store::prelude::*`.

use crate::domain::accounts::throttle::SignInKeys;
use crate::domain::end_users::sync::{UserSyncSettings, UserSyncState};
use crate::domain::*;
use async_trait::async_trait;

/// The ids of one batch read of [`Records::records`].
#[derive(Debug, Clone, Default)]
pub struct RecordIds {
    pub syncro_tenants: Vec<SyncroTenantId>,
    pub organizations: Vec<OrganizationId>,
    pub microsoft_tenants: Vec<MicrosoftTenantId>,
    pub end_users: Vec<EndUserId>,
}

/// What one batch read of [`Records::records`] found, kind by kind.
#[derive(Debug, Clone, Default)]
pub struct RecordSet {
    pub syncro_tenants: Vec<SyncroTenant>,
    pub organizations: Vec<Organization>,
    pub microsoft_tenants: Vec<MicrosoftTenant>,
    pub end_users: Vec<EndUser>,
}

/// Records by their ids (`id` says which), to look them up while a change is planned.
pub fn by_id<K: Eq + std::hash::Hash, V>(
    records: Vec<V>,
    id: impl Fn(&V) -> K,
) -> std::collections::HashMap<K, V> {
    records.into_iter().map(|r| (id(&r), r)).collect()
}

/// Changes, applied atomically, and the records they are decided on.
#[async_trait]
pub trait Records: Send + Sync + 'static {
    /// Applies every write or none. Conditions are checked against the current data.
    ///
    /// A change takes at most [`ChangeSet::MAX_WRITES`] items ([`Write::items`]); a malformed one is
    /// refused whole ([`StoreError::Malformed`]). **Larger operations** (a CSP sync of 10,000
    /// customers, a CSV import of 20,000 rows) are a sequence of changes planned by
    /// [`crate::domain::integration::discovery::plan`]: each part is applied by this method — atomic, with
    /// its own audit entry — and the parts are not atomic together; one that stops part-way
    /// has written whole parts only, and running it again finishes it (every write is an
    /// idempotent upsert). Every store keeps this promise (contract:
    /// `large_discoveries_are_audited_parts`, `interrupted_discoveries_finish_when_run_again`).
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> StoreResult<()>;
    /// Records of the three mapped kinds and End Users, in one batch read (one request per page of ids,
    /// whatever their kinds): each known record once, in the order first asked; unknown ids
    /// are left out, and an id asked twice is answered once. A store implements this read
    /// only; the reads of one kind below are made of it.
    async fn records(&self, account: &AccountId, ids: RecordIds) -> StoreResult<RecordSet>;
    async fn syncro_tenant(
        &self,
        account: &AccountId,
        id: SyncroTenantId,
    ) -> StoreResult<Option<SyncroTenant>> {
        Ok(self.syncro_tenants_by_ids(account, &[id]).await?.pop())
    }
    async fn organization(
        &self,
        account: &AccountId,
        id: OrganizationId,
    ) -> StoreResult<Option<Organization>> {
        Ok(self.organizations_by_ids(account, &[id]).await?.pop())
    }
    async fn microsoft_tenant(
        &self,
        account: &AccountId,
        id: MicrosoftTenantId,
    ) -> StoreResult<Option<MicrosoftTenant>> {
        Ok(self.microsoft_tenants_by_ids(account, &[id]).await?.pop())
    }
    async fn microsoft_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> StoreResult<Vec<MicrosoftTenant>> {
        let ids = RecordIds {
            microsoft_tenants: ids.to_vec(),
            ..RecordIds::default()
        };
        Ok(self.records(account, ids).await?.microsoft_tenants)
    }
    async fn syncro_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> StoreResult<Vec<SyncroTenant>> {
        let ids = RecordIds {
            syncro_tenants: ids.to_vec(),
            ..RecordIds::default()
        };
        Ok(self.records(account, ids).await?.syncro_tenants)
    }
    async fn organizations_by_ids(
        &self,
        account: &AccountId,
        ids: &[OrganizationId],
    ) -> StoreResult<Vec<Organization>> {
        let ids = RecordIds {
            organizations: ids.to_vec(),
            ..RecordIds::default()
        };
        Ok(self.records(account, ids).await?.organizations)
    }
    async fn end_user(&self, account: &AccountId, id: EndUserId) -> StoreResult<Option<EndUser>> {
        let ids = RecordIds {
            end_users: vec![id],
            ..RecordIds::default()
        };
        Ok(self.records(account, ids).await?.end_users.pop())
    }
    /// The End Users linked to users of this tenant: those with these object ids, or with
    /// `None` every one (each once).
    async fn end_users_linked(
        &self,
        account: &AccountId,
        tenant: MicrosoftTenantId,
        object_ids: Option<&[String]>,
    ) -> StoreResult<Vec<EndUser>>;
    /// The End Users whose email is one of these (lowercase addresses), each once.
    async fn end_users_by_emails(
        &self,
        account: &AccountId,
        emails: &[String],
    ) -> StoreResult<Vec<EndUser>>;
}

/// The Microsoft integration of an account and what its syncs found.
/// What a Syncro Tenant's page shows of its Entra ID User Sync ([`Integrations::user_sync_overview`]).
#[derive(Debug, Clone, Default)]
pub struct UserSyncOverview {
    pub settings: Option<UserSyncSettings>,
    pub state: Option<UserSyncState>,
    /// The account has a Microsoft integration.
    pub connected: bool,
}

#[async_trait]
pub trait Integrations: Send + Sync + 'static {
    /// Every Microsoft Tenant of the account (a complete sync decides which ones it no longer
    /// sees). Not for pages: they list a page at a time.
    async fn all_microsoft_tenants(&self, account: &AccountId)
    -> StoreResult<Vec<MicrosoftTenant>>;
    /// The account's Microsoft integration, if connected.
    async fn integration(&self, account: &AccountId) -> StoreResult<Option<Integration>>;
    /// Every account with an integration (the scheduled sync's work list).
    async fn connected_accounts(&self) -> StoreResult<Vec<AccountId>>;
    async fn sync_report(&self, account: &AccountId) -> StoreResult<Option<SyncReport>>;
    /// A Syncro Tenant's Entra ID User Sync settings, if set up.
    async fn user_sync(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<Option<UserSyncSettings>>;
    /// Every Entra ID User Sync set up in the account (the sync job's work list).
    async fn user_syncs(&self, account: &AccountId) -> StoreResult<Vec<UserSyncSettings>>;
    /// What a Syncro Tenant's sync kept from its last run.
    async fn user_sync_state(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<Option<UserSyncState>>;
    /// The settings, the state and whether the account is connected to Microsoft, at once (a
    /// Syncro Tenant's page shows them together; DynamoDB reads them in one request).
    async fn user_sync_overview(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<UserSyncOverview> {
        Ok(UserSyncOverview {
            settings: self.user_sync(account, syncro_tenant).await?,
            state: self.user_sync_state(account, syncro_tenant).await?,
            connected: self.integration(account).await?.is_some(),
        })
    }
    /// The account's sync job, running or the last one (strongly consistent: it is a lease).
    async fn sync_job(
        &self,
        account: &AccountId,
    ) -> StoreResult<Option<crate::domain::integration::sync_job::SyncJob>>;
}

/// Accounts, users and sessions. Accounts and users are written through
/// [`Records::apply`] (`Write::PutAccount`, `PutUser`, `ClaimEmail`, …). Session tokens are
/// unique across the installation; an email is unique within an account, and found across
/// accounts at sign-in.
#[async_trait]
pub trait Identity: Send + Sync + 'static {
    /// True once any account exists (the first-run page is then gone for good).
    async fn installed(&self) -> StoreResult<bool>;
    async fn account(&self, id: &AccountId) -> StoreResult<Option<Account>>;
    async fn user(&self, account: &AccountId, id: UserId) -> StoreResult<Option<User>>;
    /// Every user with this email: one per account that has one (an email is unique within an
    /// account, and one person may be a user of several MSPs' accounts), ordered by account.
    async fn users_by_email(&self, email: &Email) -> StoreResult<Vec<User>>;
    /// The user with this email when exactly one account has one.
    async fn user_by_email(&self, email: &Email) -> StoreResult<Option<User>> {
        let mut users = self.users_by_email(email).await?;
        Ok(if users.len() == 1 { users.pop() } else { None })
    }
    /// Every user of the account, ordered by email.
    async fn list_users(&self, account: &AccountId) -> StoreResult<Vec<User>>;
    async fn put_session(&self, session: Session) -> StoreResult<()>;
    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> StoreResult<()>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Keeps a checked file for a few minutes ([`Parked`], bounded by its constructor).
    ///
    /// [`Parked`]: crate::domain::mapping::parked::Parked
    async fn park(&self, parked: crate::domain::mapping::parked::Parked) -> StoreResult<()>;
    /// The file parked under `id` for `account`, while it is kept at `at`.
    async fn parked(
        &self,
        account: &AccountId,
        id: &str,
        at: Timestamp,
    ) -> StoreResult<Option<crate::domain::mapping::parked::Parked>> {
        let found = self.parked_file(account, id).await?;
        Ok(found.filter(|p| p.kept_at(at)))
    }
    /// The file parked under `id` for `account` as stored, kept or not (a store may delete it
    /// late: DynamoDB's TTL takes its time).
    async fn parked_file(
        &self,
        account: &AccountId,
        id: &str,
    ) -> StoreResult<Option<crate::domain::mapping::parked::Parked>>;
    /// Takes the file parked under `id` for `account`: returns it and forgets it in one atomic
    /// step, so of two takes at once only one gets it (a parked file is used once).
    async fn take_parked_file(
        &self,
        account: &AccountId,
        id: &str,
    ) -> StoreResult<Option<crate::domain::mapping::parked::Parked>>;
    /// Takes it while it is kept at `at` (see [`Identity::take_parked_file`]).
    async fn take_parked(
        &self,
        account: &AccountId,
        id: &str,
        at: Timestamp,
    ) -> StoreResult<Option<crate::domain::mapping::parked::Parked>> {
        let taken = self.take_parked_file(account, id).await?;
        Ok(taken.filter(|p| p.kept_at(at)))
    }
    /// Counts one sign-in attempt under all of `keys` at once, atomically: `Some(ms)` (and
    /// nothing counted) when the attempt must wait that long first
    /// ([`throttle::sign_in_wait`]), else the attempt is counted as a failure under each key
    /// until [`Identity::sign_in_succeeded`] forgives it.
    ///
    /// [`throttle::sign_in_wait`]: crate::domain::accounts::throttle::sign_in_wait
    async fn sign_in_attempt(&self, keys: &SignInKeys, at: Timestamp) -> StoreResult<Option<i64>>;
    /// Forgives a counted attempt whose password was right ([`throttle::forgive_one`]): the
    /// email-from-address count is dropped, the others lose one.
    ///
    /// [`throttle::forgive_one`]: crate::domain::accounts::throttle::forgive_one
    async fn sign_in_succeeded(&self, keys: &SignInKeys) -> StoreResult<()>;
}

/// The whole port: every concern. Implemented for any type that implements them all.
pub trait Store: Records + Lists + Integrations + Identity {}

impl<T: Records + Lists + Integrations + Identity> Store for T {}

mod error;
pub mod listing;
mod lists;

pub use error::{StoreError, StoreResult};
pub use listing::{MappingFilter, ParentFilter};
pub use lists::{Freshness, Listed, Lists};

/// The store's traits, for calling their methods on an `&dyn Store`.
pub mod prelude {
    pub use super::{
        Freshness, Identity, Integrations, Listed, Lists, RecordIds, RecordSet, Records, Store,
        StoreError, StoreResult, UserSyncOverview, by_id,
    };
}
