//! The DynamoDB store: the searched, sorted, paged views ([`Lists`]), computed from the
//! account's list snapshot — one strongly consistent read when it is current (see `cache.rs`).

use super::*;
use crate::store::listing;
use app::domain::activity::ActivityCursor;
use app::domain::end_users::EndUserBatch;
use app::domain::lists::TenantCounts;
use app::domain::mapping::suggest::{self, Suggestion};

#[async_trait]
impl Lists for DynamoStore {
    /// One Query of the rows `BETWEEN` where the batch starts (the place's own row,
    /// inclusive, dropped if it is there) and the end of the list's prefix.
    async fn end_user_rows(
        &self,
        account: &AccountId,
        batch: &EndUserBatch,
    ) -> StoreResult<Vec<EndUserRow>> {
        let after = &batch.after;
        let prefix = keys::end_user_rows(after.organization, after.active);
        // '$' follows '#': the first key past every row of this list.
        let end = format!("{}$", prefix.trim_end_matches('#'));
        let from = Key::EndUserRow(account.clone(), after.clone()).sk();
        let items = self
            .query_account(
                account,
                "sk BETWEEN :a AND :b",
                &[&from, &end],
                Take::First(batch.n + usize::from(!after.is_start())),
            )
            .await?;
        let mut rows = Vec::with_capacity(batch.n);
        for item in items {
            let row: EndUserRow = keys::from_item(item).map_err(unavailable)?;
            if row.id == after.id || rows.len() == batch.n {
                continue;
            }
            rows.push(row);
        }
        Ok(rows)
    }

    async fn list_syncro_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        only_unmapped: bool,
    ) -> StoreResult<Page<SyncroTenant>> {
        let snap = self.snapshot(account).await?;
        Ok(listing::syncro_tenants(
            snap.syncro.values(),
            query,
            only_unmapped,
        ))
    }

    async fn list_organizations(
        &self,
        account: &AccountId,
        query: &ListQuery,
        parent: ParentFilter,
    ) -> StoreResult<Page<Organization>> {
        let snap = self.snapshot(account).await?;
        Ok(listing::organizations(snap.orgs.values(), query, parent))
    }

    async fn list_microsoft_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        filter: MappingFilter,
    ) -> StoreResult<Page<MicrosoftTenant>> {
        let snap = self.snapshot(account).await?;
        Ok(listing::microsoft_tenants(
            snap.tenants.values(),
            query,
            filter,
        ))
    }

    async fn microsoft_tenant_counts(
        &self,
        account: &AccountId,
        now: Timestamp,
    ) -> StoreResult<TenantCounts> {
        let snap = self.last_snapshot(account).await?;
        Ok(listing::tenant_counts(snap.tenants.values(), now))
    }

    async fn listed_syncro_tenants(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> StoreResult<Vec<SyncroTenant>> {
        let snap = self.last_snapshot(account).await?;
        Ok(listing::first_of_each(ids.to_vec(), |id| *id)
            .iter()
            .filter_map(|id| snap.syncro.get(id).cloned())
            .collect())
    }

    async fn listed_microsoft_tenants(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> StoreResult<Vec<MicrosoftTenant>> {
        let snap = self.last_snapshot(account).await?;
        Ok(listing::first_of_each(ids.to_vec(), |id| *id)
            .iter()
            .filter_map(|id| snap.tenants.get(id).cloned())
            .collect())
    }

    async fn suggestions(&self, account: &AccountId) -> StoreResult<Vec<Suggestion>> {
        let snap = self.snapshot(account).await?;
        Ok(snap
            .suggestions
            .get_or_init(|| {
                suggest::suggest(
                    snap.tenants.values(),
                    snap.syncro.values(),
                    snap.orgs.values(),
                )
            })
            .clone())
    }

    /// One Query, newest first; `BETWEEN` the prefix and the cursor's own key (inclusive,
    /// so one more is read and the cursor's entry is dropped).
    async fn audit_before(
        &self,
        account: &AccountId,
        before: Option<&ActivityCursor>,
        n: usize,
    ) -> StoreResult<Vec<AuditEntry>> {
        let Some(c) = before else {
            return self
                .query_records(account, keys::AUDIT_PREFIX, Some(n))
                .await;
        };
        let upper = format!("{}{}", keys::AUDIT_PREFIX, c.sort_key('#'));
        let items = self
            .query_account(
                account,
                "sk BETWEEN :a AND :b",
                &[keys::AUDIT_PREFIX, &upper],
                Take::Newest(n + 1),
            )
            .await?;
        let mut out = Vec::with_capacity(n);
        for item in items {
            let e: AuditEntry = keys::from_item(item).map_err(unavailable)?;
            if (e.at, e.id.as_str()) != (c.at, c.id.as_str()) && out.len() < n {
                out.push(e);
            }
        }
        Ok(out)
    }

    async fn audit_entry(
        &self,
        account: &AccountId,
        at: &ActivityCursor,
    ) -> StoreResult<Option<AuditEntry>> {
        self.get_record(&Key::Audit(account.clone(), at.at, at.id.clone()))
            .await
    }
}
