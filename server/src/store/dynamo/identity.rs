//! The DynamoDB store: accounts, users, sessions and sign-in throttling ([`Identity`]).

use super::writes::Cancelled;
use super::*;
use app::domain::accounts::throttle::{
    FAILURE_MEMORY_MS, SignInCounts, SignInFailures, SignInKeys, sign_in_wait,
};
use app::domain::mapping::parked::Parked;

#[async_trait]
impl Identity for DynamoStore {
    async fn installed(&self) -> StoreResult<bool> {
        Ok(self.get(&Key::Installed).await?.is_some())
    }

    async fn account(&self, id: &AccountId) -> StoreResult<Option<Account>> {
        self.entity(id, ()).await
    }

    async fn user(&self, account: &AccountId, id: UserId) -> StoreResult<Option<User>> {
        self.entity(account, id).await
    }

    async fn users_by_email(&self, email: &Email) -> StoreResult<Vec<User>> {
        // A handful of items at most (one per account the email is a user of).
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", s(keys::email_pk(email.as_str())))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        let mut wanted = Vec::new();
        for marker in out.items() {
            let text = |name: &str| marker.get(name).and_then(|v| v.as_s().ok()).cloned();
            let (Some(account), Some(user)) = (text("account"), text("user")) else {
                continue;
            };
            let account = AccountId::parse(&account).map_err(unavailable)?;
            let user = UserId::parse(&user).map_err(unavailable)?;
            wanted.push(Key::User(account, user));
        }
        let mut users: Vec<User> = self.batch_get(wanted).await?;
        users.sort_by(|a, b| a.account.cmp(&b.account));
        Ok(users)
    }

    async fn list_users(&self, account: &AccountId) -> StoreResult<Vec<User>> {
        let mut users: Vec<User> = self.query_records(account, keys::USER_PREFIX, None).await?;
        users.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(users)
    }

    async fn put_session(&self, session: Session) -> StoreResult<()> {
        let key = Key::Session(session.token_hash.clone());
        self.put_expiring(&key, &session, session.ends_at()).await
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        self.get_record(&Key::Session(token_hash.to_string())).await
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> StoreResult<()> {
        let Some(current) = self.session(token_hash).await? else {
            return Ok(());
        };
        let touched = Session {
            last_seen: at,
            ..current
        };
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Key::Session(token_hash.to_string()).item_key()))
            .update_expression("SET last_seen = :at, expires_at = :exp")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":at", n(at.0))
            .expression_attribute_values(":exp", keys::ttl_seconds(touched.ends_at()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Deleted in between (signed out): nothing to touch.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(sdk(e)),
        }
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Key::Session(token_hash.to_string()).item_key()))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn park(&self, parked: Parked) -> StoreResult<()> {
        let key = Key::Parked(parked.account.clone(), parked.id.clone());
        // DynamoDB deletes it some time after; `parked` stops returning it on time.
        self.put_expiring(&key, &parked, parked.until).await
    }

    async fn parked_file(&self, account: &AccountId, id: &str) -> StoreResult<Option<Parked>> {
        self.get_record(&Key::Parked(account.clone(), id.to_string()))
            .await
    }

    async fn take_parked_file(&self, account: &AccountId, id: &str) -> StoreResult<Option<Parked>> {
        // One DeleteItem that returns what it deleted: of two at once, only one gets the item.
        let old = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(
                Key::Parked(account.clone(), id.to_string()).item_key(),
            ))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?
            .attributes;
        match old {
            Some(item) if !item.is_empty() => keys::from_item(item).map(Some).map_err(unavailable),
            _ => Ok(None),
        }
    }

    async fn sign_in_attempt(&self, keys: &SignInKeys, at: Timestamp) -> StoreResult<Option<i64>> {
        let keys = keys.all().map(|k| Key::SignIn(k.to_string()));
        // Read the three counts (one request), decide, and write all three only if nobody
        // counted in between (a few tries at most).
        for _ in 0..8 {
            let mut found: HashMap<String, SignInFailures> = HashMap::new();
            for item in self.batch_get_items(keys.to_vec()).await? {
                let pk = item.get(keys::PK).and_then(|v| v.as_s().ok()).cloned();
                let record = keys::from_item::<SignInFailures>(item).map_err(unavailable)?;
                found.extend(pk.map(|pk| (pk, record)));
            }
            let current = keys.each_ref().map(|k| found.get(&k.pk()).copied());
            let counts = SignInCounts::from_records(current);
            if let Some(wait) = sign_in_wait(&counts, at) {
                return Ok(Some(wait));
            }
            let mut writes = Vec::with_capacity(3);
            for ((key, old), next) in keys.iter().zip(current).zip(counts.with_failure(at)) {
                let mut item = item_of(key, &next)?;
                item.insert(
                    keys::EXPIRES_AT.into(),
                    keys::ttl_seconds(Timestamp(next.last.0 + FAILURE_MEMORY_MS)),
                );
                writes.push(self.put(item, Some(unchanged(old)))?);
            }
            match self.transact(writes).await {
                Ok(()) => return Ok(None),
                Err(Cancelled::Refused(_) | Cancelled::Busy) => {}
                Err(Cancelled::Other(e)) => return Err(e),
            }
        }
        Err(StoreError::Conflict(
            "too many sign-in attempts at once for one email".into(),
        ))
    }

    async fn sign_in_succeeded(&self, keys: &SignInKeys) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(
                Key::SignIn(keys.email_from_address.clone()).item_key(),
            ))
            .send()
            .await
            .map_err(sdk)?;
        // One less under the two others, where something is counted (forgiving is not worth
        // a retry: at worst one attempt too many stays counted for a day).
        for key in [&keys.address, &keys.email] {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Key::SignIn(key.clone()).item_key()))
                .update_expression("SET #count = #count - :one")
                .condition_expression("#count > :zero")
                .expression_attribute_names("#count", "count")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":zero", n(0))
                .send()
                .await;
            match result {
                Ok(_) => {}
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(sdk(e)),
            }
        }
        Ok(())
    }
}

/// The condition that a sign-in count is still what was read (absent, or the same count and
/// time).
fn unchanged(old: Option<SignInFailures>) -> Cond {
    match old {
        None => Cond::absent(),
        Some(old) => Cond::new("#count = :count AND #last = :last")
            .name("#count", "count")
            .name("#last", "last")
            .value(":count", n(old.count))
            .value(":last", n(old.last.0)),
    }
}

impl DynamoStore {
    /// Puts a record that DynamoDB's time to live deletes some time after `until`.
    async fn put_expiring<T: serde::Serialize>(
        &self,
        key: &Key,
        record: &T,
        until: Timestamp,
    ) -> StoreResult<()> {
        let mut item = item_of(key, record)?;
        item.insert(keys::EXPIRES_AT.into(), keys::ttl_seconds(until));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}
