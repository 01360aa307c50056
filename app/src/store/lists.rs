//! The searched, paged views ([`Lists`]). The views of the listed records (Syncro Tenants,
//! Organizations, Microsoft Tenants: their lists, the tabs' counts, the Suggestions) are
//! written once, here and in `listing.rs`, over what each store reads with
//! [`Lists::read_listed`]; a store writes its own End User rows and activity log reads.

use super::error::{StoreError, StoreResult};
use super::listing::{self, MappingFilter, ParentFilter};
use crate::domain::activity::{
    ACTIVITY_BATCH, ACTIVITY_SCAN, ActivityCursor, ActivityFilter, ActivityPage,
};
use crate::domain::end_users::{
    END_USER_BATCH, END_USER_SCAN, EndUserBatch, EndUserCursor, EndUserFilter, EndUserPage,
    EndUserPlace,
};
use crate::domain::lists::{ListQuery, Page, TenantCounts};
use crate::domain::mapping::suggest::Suggestion;
use crate::domain::*;
use async_trait::async_trait;

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
    /// [`Records::syncro_tenants_by_ids`](super::Records::syncro_tenants_by_ids).
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
