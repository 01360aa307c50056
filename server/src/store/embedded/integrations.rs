//! The embedded store: the Microsoft integration and what its syncs found ([`Integrations`]).

use super::*;

#[async_trait]
impl Integrations for EmbeddedStore {
    async fn all_microsoft_tenants(
        &self,
        account: &AccountId,
    ) -> StoreResult<Vec<MicrosoftTenant>> {
        Ok(self.with_account(account, |a| a.listed.tenants.values().cloned().collect()))
    }

    async fn integration(&self, account: &AccountId) -> StoreResult<Option<Integration>> {
        Ok(self.with_account(account, |a| a.integration.clone()))
    }

    async fn connected_accounts(&self) -> StoreResult<Vec<AccountId>> {
        let mut ids: Vec<AccountId> = self.with_state(|s| {
            s.accounts
                .iter()
                .filter(|(_, a)| a.integration.is_some())
                .map(|(id, _)| id.clone())
                .collect()
        });
        ids.sort();
        Ok(ids)
    }

    async fn sync_report(&self, account: &AccountId) -> StoreResult<Option<SyncReport>> {
        Ok(self.with_account(account, |a| a.sync_report.clone()))
    }

    async fn sync_job(&self, account: &AccountId) -> StoreResult<Option<SyncJob>> {
        Ok(self.with_account(account, |a| a.sync_job.clone()))
    }

    async fn user_sync(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<Option<UserSyncSettings>> {
        Ok(self.with_account(account, |a| a.user_syncs.get(&syncro_tenant).cloned()))
    }

    async fn user_syncs(&self, account: &AccountId) -> StoreResult<Vec<UserSyncSettings>> {
        Ok(self.with_account(account, |a| {
            let mut all: Vec<UserSyncSettings> = a.user_syncs.values().cloned().collect();
            all.sort_by_key(|u| u.syncro_tenant);
            all
        }))
    }

    async fn user_sync_state(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<Option<UserSyncState>> {
        Ok(self.with_account(account, |a| a.user_sync_states.get(&syncro_tenant).cloned()))
    }
}
