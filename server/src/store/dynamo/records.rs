//! The DynamoDB store: changes (one atomic write each) and the lookups they are decided on ([`Records`]).

use super::indexes::index_items;
use super::writes::Cancelled;
use super::*;

/// How often a change is sent again when other instances' changes keep taking the generation it
/// read (each time after a random pause that grows, so a burst of changes spreads out).
const GENERATION_TRIES: u32 = 24;

/// The longest pause between two tries, in milliseconds.
const GENERATION_PAUSE_CAP_MS: u64 = 400;

/// A random pause before try `attempt` (from 1): "full jitter" of an exponential backoff from
/// 10 ms, capped.
fn generation_pause(attempt: u32) -> std::time::Duration {
    let ceiling = (10u64 << attempt.min(10)).min(GENERATION_PAUSE_CAP_MS);
    let ms = (uuid::Uuid::new_v4().as_u128() % u128::from(ceiling + 1)) as u64;
    std::time::Duration::from_millis(ms)
}

#[async_trait]
impl Records for DynamoStore {
    /// One `TransactWriteItems`. A change to listed records also takes the account's next list
    /// generation and writes its change-log entry (see `cache.rs`); when another change took
    /// that generation first, the transaction is sent again with the next one.
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> StoreResult<()> {
        let writes = change.into_writes()?;
        if writes.is_empty() {
            return Ok(());
        }
        // Each write's own item first, so a refused condition's position names its write; then
        // the index items the writes need (unconditional).
        let mut items = writes
            .iter()
            .map(|w| self.transact_item(account, w))
            .collect::<Result<Vec<_>, _>>()?;
        for (key, item) in index_items(account, &writes)? {
            items.push(match item {
                Some(item) => self.put(item, None)?,
                None => self.delete(&key, None)?,
            });
        }
        let listed: Vec<String> = writes
            .iter()
            .map(|w| Key::of_write(account, w))
            .filter(Key::is_listed)
            .map(|k| k.sk())
            .collect();
        if listed.is_empty() {
            return match self.transact(items).await {
                Ok(()) => Ok(()),
                Err(Cancelled::Refused(i)) => Err(self.refusal(account, &writes[i]).await),
                Err(Cancelled::Busy) => Err(StoreError::Conflict(
                    "another change to the same records at the same moment".into(),
                )),
                Err(Cancelled::Other(e)) => Err(e),
            };
        }
        // This instance's changes to the account take their generations in turn; within the
        // turn, the generation it last saw is current unless another instance wrote since: no
        // read needed.
        let _turn = self.cache.writer_turn(account).await;
        let mut hint = self.cache.known_generation(account);
        for attempt in 0..GENERATION_TRIES {
            if attempt > 0 {
                tokio::time::sleep(generation_pause(attempt)).await;
            }
            let generation = match hint.take() {
                Some(g) => g,
                None => self.generation(account).await?,
            };
            let mut all = items.clone();
            all.push(self.next_generation(account, generation, listed.len())?);
            all.push(self.change_entry(account, generation + 1, &listed)?);
            match self.transact(all).await {
                Ok(()) => {
                    self.cache.saw_generation(account, generation + 1);
                    return Ok(());
                }
                Err(Cancelled::Refused(i)) if i < writes.len() => {
                    return Err(self.refusal(account, &writes[i]).await);
                }
                // The generation moved on (or another transaction held it): again, with the
                // current one.
                Err(Cancelled::Refused(_)) | Err(Cancelled::Busy) => continue,
                Err(Cancelled::Other(e)) => return Err(e),
            }
        }
        // Not the user's stale page: the account is busy. Worth trying again in a moment.
        Err(StoreError::Busy(
            "too many changes to this account at once".into(),
        ))
    }

    /// One BatchGetItem (a request per 100 keys) for every kind asked.
    async fn records(&self, account: &AccountId, ids: RecordIds) -> StoreResult<RecordSet> {
        fn push<T: serde::de::DeserializeOwned>(to: &mut Vec<T>, item: Item) -> StoreResult<()> {
            to.push(keys::from_item(item).map_err(unavailable)?);
            Ok(())
        }
        let mut found = RecordSet::default();
        for item in self.batch_get_items(Key::records(account, &ids)).await? {
            let sk = item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned();
            let kind = |prefix| sk.as_deref().is_some_and(|sk| sk.starts_with(prefix));
            if kind(keys::ST_PREFIX) {
                push(&mut found.syncro_tenants, item)?;
            } else if kind(keys::ORG_PREFIX) {
                push(&mut found.organizations, item)?;
            } else if kind(keys::MT_PREFIX) {
                push(&mut found.microsoft_tenants, item)?;
            } else {
                push(&mut found.end_users, item)?;
            }
        }
        Ok(found)
    }

    /// The links' items (one `Query` of the tenant's, or `BatchGetItem` of these), then the
    /// End Users they name (`BatchGetItem`).
    async fn end_users_linked(
        &self,
        account: &AccountId,
        tenant: MicrosoftTenantId,
        object_ids: Option<&[String]>,
    ) -> StoreResult<Vec<EndUser>> {
        let links = match object_ids {
            None => {
                let prefix = format!("{}{tenant}#", keys::END_USER_LINK_PREFIX);
                self.query_prefix(account, &prefix, None).await?
            }
            Some(ids) => {
                let keys = ids
                    .iter()
                    .map(|oid| Key::EndUserLink(account.clone(), tenant, oid.clone()))
                    .collect();
                self.batch_get_items(keys).await?
            }
        };
        self.end_users_named(account, links, "end_user").await
    }

    /// The email claims (`BatchGetItem`), then the End Users holding them.
    async fn end_users_by_emails(
        &self,
        account: &AccountId,
        emails: &[String],
    ) -> StoreResult<Vec<EndUser>> {
        let keys = emails
            .iter()
            .map(|e| Key::Name(account.clone(), NameKind::EndUserEmail, e.clone()))
            .collect();
        let claims = self.batch_get_items(keys).await?;
        self.end_users_named(account, claims, "owner").await
    }
}

impl DynamoStore {
    /// The End Users whose ids the items' `attr` holds (each once, in the items' order).
    async fn end_users_named(
        &self,
        account: &AccountId,
        items: Vec<keys::Item>,
        attr: &str,
    ) -> StoreResult<Vec<EndUser>> {
        let ids: Vec<Key> = items
            .iter()
            .filter_map(|i| match i.get(attr) {
                Some(AttributeValue::S(v)) => EndUserId::parse(v).ok(),
                _ => None,
            })
            .map(|id| Key::EndUser(account.clone(), id))
            .collect();
        self.batch_get(ids).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_from_ten_milliseconds_to_the_cap() {
        for attempt in 1..GENERATION_TRIES {
            let ceiling = (10u64 << attempt.min(10)).min(GENERATION_PAUSE_CAP_MS);
            for _ in 0..50 {
                assert!(generation_pause(attempt).as_millis() as u64 <= ceiling);
            }
        }
        assert_eq!((10u64 << 10).min(GENERATION_PAUSE_CAP_MS), 400);
    }
}
