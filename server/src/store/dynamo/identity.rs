//! The DynamoDB store: accounts, users, sessions and sign-in throttling ([`Identity`]).

use super::*;

#[async_trait]
impl Identity for DynamoStore {
    async fn installed(&self) -> Result<bool, StoreError> {
        Ok(self.get(&Key::Installed).await?.is_some())
    }

    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        self.get_record(&Key::Account(id.clone())).await
    }

    async fn user(&self, account: &AccountId, id: UserId) -> Result<Option<User>, StoreError> {
        self.get_record(&Key::User(account.clone(), id)).await
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let Some(marker) = self.get(&Key::Email(email.as_str().to_string())).await? else {
            return Ok(None);
        };
        let text = |name: &str| marker.get(name).and_then(|v| v.as_s().ok()).cloned();
        let (Some(account), Some(user)) = (text("account"), text("user")) else {
            return Ok(None);
        };
        let account = AccountId::parse(&account).map_err(unavailable)?;
        let user = UserId::parse(&user).map_err(unavailable)?;
        self.user(&account, user).await
    }

    async fn list_users(&self, account: &AccountId) -> Result<Vec<User>, StoreError> {
        let mut users: Vec<User> = self.query_records(account, keys::USER_PREFIX, None).await?;
        users.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(users)
    }

    async fn put_session(&self, session: Session) -> Result<(), StoreError> {
        let key = Key::Session(session.token_hash.clone());
        let mut item = item_of(&key, &session)?;
        item.insert(
            keys::EXPIRES_AT.into(),
            keys::ttl_seconds(session.ends_at()),
        );
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        self.get_record(&Key::Session(token_hash.to_string())).await
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
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

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Key::Session(token_hash.to_string()).item_key()))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn sign_in_attempt(
        &self,
        email_key: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let key = Key::SignIn(email_key.to_string());
        // Read, decide, and write only if nobody counted in between (a few tries at most).
        for _ in 0..8 {
            let current: Option<SignInFailures> = self.get_record(&key).await?;
            let f = current.unwrap_or_default();
            if let Some(wait) = sign_in_wait(f, at) {
                return Ok(Some(wait));
            }
            let next = note_failure(f, at);
            let mut item = item_of(&key, &next)?;
            item.insert(
                keys::EXPIRES_AT.into(),
                keys::ttl_seconds(Timestamp(next.last.0 + FAILURE_MEMORY_MS)),
            );
            let cond = match current {
                None => Cond::absent(),
                Some(old) => Cond::new("#count = :count AND #last = :last")
                    .name("#count", "count")
                    .name("#last", "last")
                    .value(":count", n(old.count))
                    .value(":last", n(old.last.0)),
            };
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression(cond.expr)
                .set_expression_attribute_names((!cond.names.is_empty()).then_some(cond.names))
                .set_expression_attribute_values(Some(cond.values).filter(|v| !v.is_empty()))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(None),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception()) => {}
                Err(e) => return Err(sdk(e)),
            }
        }
        Err(StoreError::Conflict(
            "too many sign-in attempts at once for one email".into(),
        ))
    }

    async fn clear_sign_in_failures(&self, email_key: &str) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Key::SignIn(email_key.to_string()).item_key()))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}
