//! The port the server functions talk to, split by concern: [`Records`] (changes and lookups),
//! [`Lists`] (searched, paged views), [`Integrations`] (the Microsoft integration and what it
//! discovers) and [`Identity`] (accounts, users, sessions, sign-in throttling). [`Store`] is
//! their sum. Two implementations live in `server/` (the embedded store and DynamoDB), one file
//! per store and concern, and pass one contract suite split the same way. Object-safe: server
//! functions cannot be generic, so they hold an `Arc<dyn Store>`. Bring the concerns into scope
//! with `use crate::store::prelude::*`.

use crate::domain::accounts::throttle::SignInKeys;
use crate::domain::activity::{
    ACTIVITY_BATCH, ACTIVITY_SCAN, ActivityCursor, ActivityFilter, ActivityPage,
};
use crate::domain::end_users::sync::{UserSyncSettings, UserSyncState};
use crate::domain::end_users::{
    END_USER_BATCH, END_USER_SCAN, EndUserBatch, EndUserCursor, EndUserFilter, EndUserPage,
    EndUserPlace,
};
use crate::domain::lists::{ListQuery, Page, TenantCounts};
use crate::domain::mapping::suggest::Suggestion;
use crate::domain::*;
use async_trait::async_trait;

/// What a store's operations return.
pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A condition failed: a record was changed or deleted since it was read (R8).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A unique name is held by another record (R3); `owner` is that record's id.
    #[error("name taken: {kind:?} {key}")]
    NameTaken {
        kind: NameKind,
        key: String,
        owner: uuid::Uuid,
    },
    /// R5 refused by the store's own condition.
    #[error("not empty: {0}")]
    NotEmpty(String),
    /// The account must keep an active Administrator.
    #[error("last active administrator")]
    LastAdministrator,
    /// A sign-in email is held by another user.
    #[error("email taken: {0}")]
    EmailTaken(String),
    /// A first-run change found an account already there.
    #[error("already installed")]
    AlreadyInstalled,
    /// The change writes one item twice or holds too many writes: a bug in the rule that
    /// built it, refused before anything is written.
    #[error("{0}")]
    Malformed(#[from] MalformedChange),
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store did not answer in time or refused for load, after its own retries: the
    /// same request may work in a moment.
    #[error("store busy: {0}")]
    Busy(String),
}

/// Which Microsoft Tenants a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MappingFilter {
    #[default]
    All,
    Unmapped,
    Mapped,
    /// [`MicrosoftTenant::needs_attention`] at this moment.
    NeedsAttention(Timestamp),
}

/// Which Organizations a list shows, by parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentFilter {
    Any,
    Only(SyncroTenantId),
    Not(SyncroTenantId),
}

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

/// How current the listed records a view reads must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// As current as a list: every change made before the read is in it.
    Current,
    /// As the last list this instance read (it may be a change behind): to count the tabs or
    /// name the rows of a list just read, with no more reads.
    LastRead,
}

/// Searched, filtered, sorted and paged on the store: a page view costs a page. The views of
/// the listed records are written once, here, over what a store reads with
/// [`Lists::read_listed`].
#[async_trait]
pub trait Lists: Send + Sync + 'static {
    /// Calls `f` once with the account's listed records, as current as `fresh` asks.
    async fn read_listed(
        &self,
        account: &AccountId,
        fresh: Freshness,
        f: &mut (dyn for<'l> FnMut(&'l Listed) + Send),
    ) -> StoreResult<()>;
    /// Name-ordered, searched (case-insensitive substring of the name) and paged on the store.
    async fn list_syncro_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        only_unmapped: bool,
    ) -> StoreResult<Page<SyncroTenant>> {
        read(self, account, Freshness::Current, |l| {
            listing::syncro_tenants(l.syncro.values(), query, only_unmapped)
        })
        .await
    }
    async fn list_organizations(
        &self,
        account: &AccountId,
        query: &ListQuery,
        parent: ParentFilter,
    ) -> StoreResult<Page<Organization>> {
        read(self, account, Freshness::Current, |l| {
            listing::organizations(l.orgs.values(), query, parent)
        })
        .await
    }
    /// Searched by name, default domain or tenant ID.
    async fn list_microsoft_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        filter: MappingFilter,
    ) -> StoreResult<Page<MicrosoftTenant>> {
        read(self, account, Freshness::Current, |l| {
            listing::microsoft_tenants(l.tenants.values(), query, filter)
        })
        .await
    }
    /// How many Microsoft Tenants each filter shows (the tabs' counts), as current as the list
    /// just read: no more reads.
    async fn microsoft_tenant_counts(
        &self,
        account: &AccountId,
        now: Timestamp,
    ) -> StoreResult<TenantCounts> {
        read(self, account, Freshness::LastRead, |l| {
            listing::tenant_counts(l.tenants.values(), now)
        })
        .await
    }
    /// The Syncro Tenants with these ids, to name the rows of a list just read (as current as
    /// that list; each once, unknown ids left out). Not for deciding a change: that reads
    /// [`Records::syncro_tenants_by_ids`].
    async fn listed_syncro_tenants(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> StoreResult<Vec<SyncroTenant>> {
        read(self, account, Freshness::LastRead, |l| {
            listing::by_ids(&l.syncro, ids)
        })
        .await
    }
    /// The Microsoft Tenants with these ids, to name the rows of a list just read.
    async fn listed_microsoft_tenants(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> StoreResult<Vec<MicrosoftTenant>> {
        read(self, account, Freshness::LastRead, |l| {
            listing::by_ids(&l.tenants, ids)
        })
        .await
    }
    /// Suggested mappings for the account's unmapped Microsoft Tenants, strongest first
    /// ([`suggest::suggest`] over the records as current as a list), computed once per
    /// version of the listed records.
    ///
    /// [`suggest::suggest`]: crate::domain::mapping::suggest::suggest
    async fn suggestions(&self, account: &AccountId) -> StoreResult<Vec<Suggestion>> {
        read(self, account, Freshness::Current, Listed::suggestions).await
    }
    /// A batch of rows of an Organization's active (or inactive) End Users, in name order
    /// (name key, then id).
    async fn end_user_rows(
        &self,
        account: &AccountId,
        batch: &EndUserBatch,
    ) -> StoreResult<Vec<EndUserRow>>;
    /// A page of an Organization's End Users matching `filter`, in name order, from `after`:
    /// read from [`Lists::end_user_rows`] a page at a time (in batches of [`END_USER_BATCH`]
    /// when searching), looking at no more than [`END_USER_SCAN`] rows (then the page ends
    /// early, with its `next` link).
    async fn end_users(
        &self,
        account: &AccountId,
        organization: OrganizationId,
        filter: &EndUserFilter,
        after: Option<EndUserCursor>,
        per_page: usize,
    ) -> StoreResult<EndUserPage> {
        let mut page = EndUserPage::default();
        let mut cursor = after;
        let searching = !filter.words.trim().is_empty();
        // Without words, one more than a page tells whether there is a next one.
        let batch = if searching {
            END_USER_BATCH
        } else {
            per_page + 1
        };
        loop {
            let after = EndUserPlace::at(organization, !filter.inactive, cursor.as_ref());
            let rows = self
                .end_user_rows(account, &EndUserBatch { after, n: batch })
                .await?;
            let last_batch = rows.len() < batch;
            for row in rows {
                if filter.matches(&row) {
                    if page.rows.len() == per_page {
                        page.next = cursor;
                        return Ok(page);
                    }
                    page.rows.push(row.clone());
                }
                page.scanned += 1;
                cursor = Some(EndUserCursor::of(&row));
            }
            if last_batch {
                return Ok(page);
            }
            if page.scanned >= END_USER_SCAN {
                page.next = cursor;
                return Ok(page);
            }
        }
    }
    /// The newest `limit` audit entries, newest first.
    async fn list_audit(&self, account: &AccountId, limit: usize) -> StoreResult<Vec<AuditEntry>> {
        self.audit_before(account, None, limit).await
    }
    /// At most `n` of the account's audit entries older than `before` (from the newest when
    /// `None`), newest first.
    async fn audit_before(
        &self,
        account: &AccountId,
        before: Option<&ActivityCursor>,
        n: usize,
    ) -> StoreResult<Vec<AuditEntry>>;
    /// The audit entry at this place, if there is one.
    async fn audit_entry(
        &self,
        account: &AccountId,
        at: &ActivityCursor,
    ) -> StoreResult<Option<AuditEntry>>;
    /// A page of the account's activity matching `filter`, newest first, from `before`: filled
    /// from [`Lists::audit_before`] in batches of [`ACTIVITY_BATCH`], looking at no more than
    /// [`ACTIVITY_SCAN`] entries (then the page ends early, with its `older` link).
    async fn activity(
        &self,
        account: &AccountId,
        filter: &ActivityFilter,
        before: Option<ActivityCursor>,
        per_page: usize,
    ) -> StoreResult<ActivityPage> {
        let mut page = ActivityPage::default();
        let mut cursor = before;
        loop {
            let batch = self
                .audit_before(account, cursor.as_ref(), ACTIVITY_BATCH)
                .await?;
            let last_batch = batch.len() < ACTIVITY_BATCH;
            for e in batch {
                page.scanned += 1;
                cursor = Some(ActivityCursor::of(&e));
                if filter.matches(&e) {
                    page.entries.push(e);
                    if page.entries.len() == per_page {
                        page.older = cursor;
                        return Ok(page);
                    }
                }
            }
            if last_batch {
                return Ok(page);
            }
            if page.scanned >= ACTIVITY_SCAN {
                page.older = cursor;
                return Ok(page);
            }
        }
    }
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
    /// Forgets it (a parked file is used once).
    async fn unpark(&self, account: &AccountId, id: &str) -> StoreResult<()>;
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

/// The store's traits, for calling their methods on an `&dyn Store`.
/// An account's listed records — its Syncro Tenants, Organizations and Microsoft Tenants — as
/// a store keeps them for its lists, with the Suggestions made of them once.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub syncro: std::collections::HashMap<SyncroTenantId, SyncroTenant>,
    pub orgs: std::collections::HashMap<OrganizationId, Organization>,
    pub tenants: std::collections::HashMap<MicrosoftTenantId, MicrosoftTenant>,
    /// Computed by the first view that asks, until the records change.
    pub suggestions: std::sync::OnceLock<Vec<Suggestion>>,
}

impl Listed {
    /// The Suggestions for these records, computed on the first call.
    pub fn suggestions(&self) -> Vec<Suggestion> {
        self.suggestions
            .get_or_init(|| {
                crate::domain::mapping::suggest::suggest(
                    self.tenants.values(),
                    self.syncro.values(),
                    self.orgs.values(),
                )
            })
            .clone()
    }
}

/// What `f` makes of the account's listed records ([`Lists::read_listed`]).
async fn read<S, R>(
    store: &S,
    account: &AccountId,
    fresh: Freshness,
    f: impl FnOnce(&Listed) -> R + Send,
) -> StoreResult<R>
where
    S: Lists + ?Sized,
    R: Send,
{
    let (mut f, mut out) = (Some(f), None);
    let mut once = |l: &Listed| out = f.take().map(|f| f(l));
    store.read_listed(account, fresh, &mut once).await?;
    out.ok_or_else(|| StoreError::Unavailable("the listed records were not read".into()))
}

pub mod listing;

pub mod prelude {
    pub use super::{
        Freshness, Identity, Integrations, Listed, Lists, RecordIds, RecordSet, Records, Store,
        StoreError, StoreResult, UserSyncOverview, by_id,
    };
}
