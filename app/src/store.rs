//! The port the server functions talk to. Two implementations live in `server/` (the embedded
//! store, DynamoDB next) and pass one contract suite. Object-safe: server functions cannot be
//! generic, so they hold an `Arc<dyn Store>`.

use crate::domain::*;
use crate::wire::{ListQuery, Page};
use async_trait::async_trait;

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
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

/// Which Microsoft Tenants a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MappingFilter {
    #[default]
    All,
    Unmapped,
    Mapped,
}

/// Which Organizations a list shows, by parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentFilter {
    Any,
    Only(SyncroTenantId),
    Not(SyncroTenantId),
}

/// What "record discovered tenants" did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoveryOutcome {
    pub added: usize,
    pub updated: usize,
    /// Marked removed by Microsoft (a complete listing no longer had them).
    pub removed: usize,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Applies every write or none. Conditions are checked against the current data.
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> Result<(), StoreError>;

    async fn syncro_tenant(
        &self,
        account: &AccountId,
        id: SyncroTenantId,
    ) -> Result<Option<SyncroTenant>, StoreError>;
    async fn organization(
        &self,
        account: &AccountId,
        id: OrganizationId,
    ) -> Result<Option<Organization>, StoreError>;
    async fn microsoft_tenant(
        &self,
        account: &AccountId,
        id: MicrosoftTenantId,
    ) -> Result<Option<MicrosoftTenant>, StoreError>;
    /// Batch lookups (one request per page, not one per row); unknown ids are left out.
    async fn microsoft_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> Result<Vec<MicrosoftTenant>, StoreError>;
    async fn syncro_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> Result<Vec<SyncroTenant>, StoreError>;
    async fn organizations_by_ids(
        &self,
        account: &AccountId,
        ids: &[OrganizationId],
    ) -> Result<Vec<Organization>, StoreError>;

    /// Name-ordered, searched (case-insensitive substring of the name) and paged on the store.
    async fn list_syncro_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        only_unmapped: bool,
    ) -> Result<Page<SyncroTenant>, StoreError>;
    async fn list_organizations(
        &self,
        account: &AccountId,
        query: &ListQuery,
        parent: ParentFilter,
    ) -> Result<Page<Organization>, StoreError>;
    /// Searched by name, default domain or tenant ID.
    async fn list_microsoft_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        filter: MappingFilter,
    ) -> Result<Page<MicrosoftTenant>, StoreError>;
    /// Newest first.
    async fn list_audit(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// Upserts by tenant ID: names, domains, the sync failure and GDAP access refresh, a
    /// mapping is never touched, and a tenant seen again is no longer "removed". With
    /// [`Coverage::Complete`], every other tenant of the account is marked removed by Microsoft
    /// at `at` (never deleted). One audit entry records the batch.
    async fn record_discovered_tenants(
        &self,
        account: &AccountId,
        tenants: Vec<DiscoveredTenant>,
        coverage: Coverage,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<DiscoveryOutcome, StoreError>;

    /// The account's Microsoft integration, if connected.
    async fn integration(&self, account: &AccountId) -> Result<Option<Integration>, StoreError>;
    /// Every account with an integration (the scheduled sync's work list).
    async fn connected_accounts(&self) -> Result<Vec<AccountId>, StoreError>;
    async fn sync_report(&self, account: &AccountId) -> Result<Option<SyncReport>, StoreError>;

    // Accounts, users and sessions. Accounts and users are written through `apply`
    // (`Write::PutAccount`, `PutUser`, `ClaimEmail`, …); emails and session tokens are unique
    // across the installation, so their lookups take no account.

    /// True once any account exists (the first-run page is then gone for good).
    async fn installed(&self) -> Result<bool, StoreError>;
    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError>;
    async fn user(&self, account: &AccountId, id: UserId) -> Result<Option<User>, StoreError>;
    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError>;
    /// Every user of the account, ordered by email.
    async fn list_users(&self, account: &AccountId) -> Result<Vec<User>, StoreError>;

    async fn put_session(&self, session: Session) -> Result<(), StoreError>;
    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError>;
    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Counts one sign-in attempt for `email_key`, atomically: `Some(ms)` (and nothing
    /// counted) when the email must wait that long first ([`sign_in_wait`]), else the attempt
    /// is counted as a failure ([`note_failure`]) until [`clear_sign_in_failures`] forgives it.
    ///
    /// [`clear_sign_in_failures`]: Store::clear_sign_in_failures
    async fn sign_in_attempt(
        &self,
        email_key: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError>;
    async fn clear_sign_in_failures(&self, email_key: &str) -> Result<(), StoreError>;
}
