//! The DynamoDB store: the searched, sorted, paged views ([`Lists`]).

use super::*;

#[async_trait]
impl Lists for DynamoStore {
    async fn list_syncro_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        only_unmapped: bool,
    ) -> Result<Page<SyncroTenant>, StoreError> {
        let all: Vec<SyncroTenant> = self.query_records(account, keys::ST_PREFIX, None).await?;
        Ok(crate::store::listing::syncro_tenants(
            all.iter(),
            query,
            only_unmapped,
        ))
    }

    async fn list_organizations(
        &self,
        account: &AccountId,
        query: &ListQuery,
        parent: ParentFilter,
    ) -> Result<Page<Organization>, StoreError> {
        let all: Vec<Organization> = self.query_records(account, keys::ORG_PREFIX, None).await?;
        Ok(crate::store::listing::organizations(
            all.iter(),
            query,
            parent,
        ))
    }

    async fn list_microsoft_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        filter: MappingFilter,
    ) -> Result<Page<MicrosoftTenant>, StoreError> {
        let all: Vec<MicrosoftTenant> = self.query_records(account, keys::MT_PREFIX, None).await?;
        Ok(crate::store::listing::microsoft_tenants(
            all.iter(),
            query,
            filter,
        ))
    }

    async fn list_audit(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.query_records(account, keys::AUDIT_PREFIX, Some(limit))
            .await
    }
}
