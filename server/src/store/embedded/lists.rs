//! The embedded store: the searched, sorted, paged views ([`Lists`]).

use super::*;
use app::domain::activity::ActivityCursor;
use app::domain::end_users::EndUserBatch;
use app::domain::lists::TenantCounts;
use app::domain::mapping::suggest::{self, Suggestion};

#[async_trait]
impl Lists for EmbeddedStore {
    async fn end_user_rows(
        &self,
        account: &AccountId,
        batch: &EndUserBatch,
    ) -> StoreResult<Vec<EndUserRow>> {
        use std::ops::Bound;
        let after = &batch.after;
        Ok(self.with_account(account, |a| {
            a.end_user_places
                .range((Bound::Excluded(after), Bound::Unbounded))
                .take_while(|p| p.organization == after.organization && p.active == after.active)
                .take(batch.n)
                .filter_map(|p| a.end_users.get(&p.id).map(EndUser::row))
                .collect()
        }))
    }

    async fn list_syncro_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        only_unmapped: bool,
    ) -> StoreResult<Page<SyncroTenant>> {
        Ok(self.with_account(account, |a| {
            listing::syncro_tenants(a.syncro.values(), query, only_unmapped)
        }))
    }

    async fn list_organizations(
        &self,
        account: &AccountId,
        query: &ListQuery,
        parent: ParentFilter,
    ) -> StoreResult<Page<Organization>> {
        Ok(self.with_account(account, |a| {
            listing::organizations(a.orgs.values(), query, parent)
        }))
    }

    async fn list_microsoft_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        filter: MappingFilter,
    ) -> StoreResult<Page<MicrosoftTenant>> {
        Ok(self.with_account(account, |a| {
            listing::microsoft_tenants(a.tenants.values(), query, filter)
        }))
    }

    async fn microsoft_tenant_counts(
        &self,
        account: &AccountId,
        now: Timestamp,
    ) -> StoreResult<TenantCounts> {
        Ok(self.with_account(account, |a| listing::tenant_counts(a.tenants.values(), now)))
    }

    async fn listed_syncro_tenants(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> StoreResult<Vec<SyncroTenant>> {
        self.syncro_tenants_by_ids(account, ids).await
    }

    async fn listed_microsoft_tenants(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> StoreResult<Vec<MicrosoftTenant>> {
        self.microsoft_tenants_by_ids(account, ids).await
    }

    async fn suggestions(&self, account: &AccountId) -> StoreResult<Vec<Suggestion>> {
        Ok(self.with_account(account, |a| {
            a.suggestions
                .get_or_init(|| {
                    suggest::suggest(a.tenants.values(), a.syncro.values(), a.orgs.values())
                })
                .clone()
        }))
    }

    async fn audit_before(
        &self,
        account: &AccountId,
        before: Option<&ActivityCursor>,
        n: usize,
    ) -> StoreResult<Vec<AuditEntry>> {
        let read = self.inner.db.begin_read().map_err(unavailable)?;
        let table = read.open_table(AUDIT).map_err(unavailable)?;
        let start = format!("{account}/");
        let end = match before {
            Some(c) => format!("{account}/{}", c.sort_key('/')),
            None => format!("{account}0"), // '0' sorts right after '/'
        };
        let mut out = Vec::new();
        for row in table
            .range(start.as_str()..end.as_str())
            .map_err(unavailable)?
            .rev()
            .take(n)
        {
            let (_, v) = row.map_err(unavailable)?;
            out.push(serde_json::from_slice(v.value()).map_err(unavailable)?);
        }
        Ok(out)
    }

    async fn audit_entry(
        &self,
        account: &AccountId,
        at: &ActivityCursor,
    ) -> StoreResult<Option<AuditEntry>> {
        let read = self.inner.db.begin_read().map_err(unavailable)?;
        let table = read.open_table(AUDIT).map_err(unavailable)?;
        let key = format!("{account}/{}", at.sort_key('/'));
        match table.get(key.as_str()).map_err(unavailable)? {
            Some(v) => Ok(Some(
                serde_json::from_slice(v.value()).map_err(unavailable)?,
            )),
            None => Ok(None),
        }
    }
}
