//! The embedded store: changes (one atomic write each) and the lookups they are decided on ([`Records`]).

use super::*;

#[async_trait]
impl Records for EmbeddedStore {
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> StoreResult<()> {
        let account = account.clone();
        self.blocking(move |s| s.apply_blocking(&account, change))
            .await
    }

    async fn records(&self, account: &AccountId, ids: RecordIds) -> StoreResult<RecordSet> {
        Ok(self.with_account(account, |a| RecordSet {
            syncro_tenants: listing::by_ids(&a.listed.syncro, &ids.syncro_tenants),
            organizations: listing::by_ids(&a.listed.orgs, &ids.organizations),
            microsoft_tenants: listing::by_ids(&a.listed.tenants, &ids.microsoft_tenants),
            end_users: listing::by_ids(&a.end_users, &ids.end_users),
        }))
    }

    async fn end_users_linked(
        &self,
        account: &AccountId,
        tenant: MicrosoftTenantId,
        object_ids: Option<&[String]>,
    ) -> StoreResult<Vec<EndUser>> {
        Ok(self.with_account(account, |a| match object_ids {
            Some(ids) => listing::first_of_each(ids.to_vec(), String::clone)
                .into_iter()
                .filter_map(|oid| a.links.get(&(tenant, oid)))
                .filter_map(|id| a.end_users.get(id).cloned())
                .collect(),
            None => {
                let mut all: Vec<EndUser> = a
                    .links
                    .iter()
                    .filter(|((t, _), _)| *t == tenant)
                    .filter_map(|(_, id)| a.end_users.get(id).cloned())
                    .collect();
                all.sort_by_key(|e| e.id);
                all
            }
        }))
    }

    async fn end_users_by_emails(
        &self,
        account: &AccountId,
        emails: &[String],
    ) -> StoreResult<Vec<EndUser>> {
        Ok(self.with_account(account, |a| {
            let mut out: Vec<EndUser> = Vec::new();
            for e in emails {
                let holder = a.names.get(&(NameKind::EndUserEmail, e.clone()));
                if let Some(eu) = holder.and_then(|h| a.end_users.get(&EndUserId::from_uuid(*h)))
                    && !out.iter().any(|o| o.id == eu.id)
                {
                    out.push(eu.clone());
                }
            }
            out
        }))
    }
}
