//! The DynamoDB store: changes (one atomic write each) and the lookups they are decided on ([`Records`]).

use super::*;

#[async_trait]
impl Records for DynamoStore {
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> Result<(), StoreError> {
        let writes = change.into_writes()?;
        if writes.is_empty() {
            return Ok(());
        }
        let items = writes
            .iter()
            .map(|w| self.transact_item(account, w))
            .collect::<Result<Vec<_>, _>>()?;
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(e) = result else {
            return Ok(());
        };
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        match e.into_service_error() {
            TransactWriteItemsError::TransactionCanceledException(t) => {
                let reasons = t.cancellation_reasons();
                if let Some(i) = reasons
                    .iter()
                    .position(|r| r.code() == Some("ConditionalCheckFailed"))
                {
                    return Err(self.refusal(account, &writes[i]).await);
                }
                // Another transaction on the same items at the same moment: the page is stale.
                Err(StoreError::Conflict(format!(
                    "transaction cancelled: {:?}",
                    reasons.iter().filter_map(|r| r.code()).collect::<Vec<_>>()
                )))
            }
            // An ongoing transaction on the same items: the page is as good as stale.
            TransactWriteItemsError::TransactionInProgressException(_) => Err(
                StoreError::Conflict("another change to the same records".into()),
            ),
            other => Err(sdk(other)),
        }
    }

    async fn syncro_tenant(
        &self,
        account: &AccountId,
        id: SyncroTenantId,
    ) -> Result<Option<SyncroTenant>, StoreError> {
        self.get_record(&Key::SyncroTenant(account.clone(), id))
            .await
    }

    async fn organization(
        &self,
        account: &AccountId,
        id: OrganizationId,
    ) -> Result<Option<Organization>, StoreError> {
        self.get_record(&Key::Organization(account.clone(), id))
            .await
    }

    async fn microsoft_tenant(
        &self,
        account: &AccountId,
        id: MicrosoftTenantId,
    ) -> Result<Option<MicrosoftTenant>, StoreError> {
        self.get_record(&Key::MicrosoftTenant(account.clone(), id))
            .await
    }

    async fn microsoft_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> Result<Vec<MicrosoftTenant>, StoreError> {
        self.batch_get(
            ids.iter()
                .map(|id| Key::MicrosoftTenant(account.clone(), *id))
                .collect(),
        )
        .await
    }

    async fn syncro_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> Result<Vec<SyncroTenant>, StoreError> {
        self.batch_get(
            ids.iter()
                .map(|id| Key::SyncroTenant(account.clone(), *id))
                .collect(),
        )
        .await
    }

    async fn organizations_by_ids(
        &self,
        account: &AccountId,
        ids: &[OrganizationId],
    ) -> Result<Vec<Organization>, StoreError> {
        self.batch_get(
            ids.iter()
                .map(|id| Key::Organization(account.clone(), *id))
                .collect(),
        )
        .await
    }
}
