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

    /// Upserts by tenant ID: names and domains refresh, a mapping is never touched. One audit
    /// entry records the batch.
    async fn record_discovered_tenants(
        &self,
        account: &AccountId,
        tenants: Vec<DiscoveredTenant>,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<DiscoveryOutcome, StoreError>;
}
