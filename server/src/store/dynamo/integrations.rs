//! The DynamoDB store: the Microsoft integration and what its syncs found ([`Integrations`]).

use super::*;
use app::domain::end_users::sync::{UserSyncSettings, UserSyncState};

#[async_trait]
impl Integrations for DynamoStore {
    async fn all_microsoft_tenants(
        &self,
        account: &AccountId,
    ) -> StoreResult<Vec<MicrosoftTenant>> {
        // Current as of a generation read now: a warm instance reads only what changed.
        Ok(self
            .snapshot(account)
            .await?
            .listed
            .tenants
            .values()
            .cloned()
            .collect())
    }

    async fn integration(&self, account: &AccountId) -> StoreResult<Option<Integration>> {
        self.entity::<Integration>(account, ()).await
    }

    async fn connected_accounts(&self) -> StoreResult<Vec<AccountId>> {
        let mut accounts = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::INTEGRATIONS_PK))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            for item in out.items() {
                if let Some(Ok(a)) = item
                    .get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .map(|v| AccountId::parse(v))
                {
                    accounts.push(a);
                }
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(accounts),
            }
        }
    }

    async fn sync_report(&self, account: &AccountId) -> StoreResult<Option<SyncReport>> {
        self.entity::<SyncReport>(account, ()).await
    }

    async fn sync_job(
        &self,
        account: &AccountId,
    ) -> StoreResult<Option<app::domain::integration::sync_job::SyncJob>> {
        self.entity(account, ()).await
    }

    async fn user_sync(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<Option<UserSyncSettings>> {
        self.entity(account, syncro_tenant).await
    }

    async fn user_syncs(&self, account: &AccountId) -> StoreResult<Vec<UserSyncSettings>> {
        self.query_records(account, keys::USER_SYNC_PREFIX, None)
            .await
    }

    /// One `BatchGetItem` of both items.
    async fn user_sync_overview(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<UserSyncOverview> {
        let keys = vec![
            Key::UserSync(account.clone(), syncro_tenant),
            Key::UserSyncState(account.clone(), syncro_tenant),
            Key::Integration(account.clone()),
        ];
        let mut overview = UserSyncOverview::default();
        for item in self.batch_get_items(keys).await? {
            match item.get(keys::KIND) {
                Some(AttributeValue::S(k)) if k == "usyncstate" => {
                    overview.state = Some(keys::from_item(item).map_err(unavailable)?);
                }
                Some(AttributeValue::S(k)) if k == "integration" => overview.connected = true,
                _ => overview.settings = Some(keys::from_item(item).map_err(unavailable)?),
            }
        }
        Ok(overview)
    }

    async fn user_sync_state(
        &self,
        account: &AccountId,
        syncro_tenant: SyncroTenantId,
    ) -> StoreResult<Option<UserSyncState>> {
        self.entity(account, syncro_tenant).await
    }
}
