//! The embedded store: changes (one atomic write each) and the lookups they are decided on ([`Records`]).

use super::*;

#[async_trait]
impl Records for EmbeddedStore {
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> Result<(), StoreError> {
        let account = account.clone();
        self.blocking(move |s| s.apply_blocking(&account, change))
            .await
    }

    async fn syncro_tenant(
        &self,
        account: &AccountId,
        id: SyncroTenantId,
    ) -> Result<Option<SyncroTenant>, StoreError> {
        Ok(self.with_account(account, |a| a.syncro.get(&id).cloned()))
    }

    async fn organization(
        &self,
        account: &AccountId,
        id: OrganizationId,
    ) -> Result<Option<Organization>, StoreError> {
        Ok(self.with_account(account, |a| a.orgs.get(&id).cloned()))
    }

    async fn microsoft_tenant(
        &self,
        account: &AccountId,
        id: MicrosoftTenantId,
    ) -> Result<Option<MicrosoftTenant>, StoreError> {
        Ok(self.with_account(account, |a| a.tenants.get(&id).cloned()))
    }

    async fn microsoft_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> Result<Vec<MicrosoftTenant>, StoreError> {
        let ids = listing::first_of_each(ids.to_vec(), |id| *id);
        Ok(self.with_account(account, |a| {
            ids.iter()
                .filter_map(|id| a.tenants.get(id).cloned())
                .collect()
        }))
    }

    async fn syncro_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> Result<Vec<SyncroTenant>, StoreError> {
        let ids = listing::first_of_each(ids.to_vec(), |id| *id);
        Ok(self.with_account(account, |a| {
            ids.iter()
                .filter_map(|id| a.syncro.get(id).cloned())
                .collect()
        }))
    }

    async fn organizations_by_ids(
        &self,
        account: &AccountId,
        ids: &[OrganizationId],
    ) -> Result<Vec<Organization>, StoreError> {
        let ids = listing::first_of_each(ids.to_vec(), |id| *id);
        Ok(self.with_account(account, |a| {
            ids.iter()
                .filter_map(|id| a.orgs.get(id).cloned())
                .collect()
        }))
    }

    async fn end_user(
        &self,
        account: &AccountId,
        id: EndUserId,
    ) -> Result<Option<EndUser>, StoreError> {
        Ok(self.with_account(account, |a| a.end_users.get(&id).cloned()))
    }
}
