//! The embedded store: accounts, users, sessions and sign-in throttling ([`Identity`]).

use super::*;

#[async_trait]
impl Identity for EmbeddedStore {
    async fn installed(&self) -> Result<bool, StoreError> {
        Ok(self.with_state(State::installed))
    }

    async fn account(&self, id: &AccountId) -> Result<Option<Account>, StoreError> {
        Ok(self.with_account(id, |a| a.info.clone()))
    }

    async fn user(&self, account: &AccountId, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self.with_account(account, |a| a.users.get(&id).cloned()))
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        Ok(self.with_state(|s| {
            let (account, id) = s.emails.get(email.as_str())?;
            s.accounts.get(account)?.users.get(id).cloned()
        }))
    }

    async fn list_users(&self, account: &AccountId) -> Result<Vec<User>, StoreError> {
        let mut users: Vec<User> =
            self.with_account(account, |a| a.users.values().cloned().collect());
        users.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(users)
    }

    async fn put_session(&self, session: Session) -> Result<(), StoreError> {
        self.blocking(move |s| {
            let now = session.last_seen;
            let mut sessions = s.inner.sessions.lock().unwrap_or_else(|e| e.into_inner());
            // Sweep what has expired anyway, in the same transaction.
            let expired: Vec<String> = sessions
                .values()
                .filter(|x| now >= x.ends_at())
                .map(|x| x.token_hash.clone())
                .collect();
            s.write_sessions(Some(&session), &expired)?;
            for hash in &expired {
                sessions.remove(hash);
            }
            sessions.insert(session.token_hash.clone(), session);
            Ok(())
        })
        .await
    }

    async fn session(&self, token_hash: &str) -> Result<Option<Session>, StoreError> {
        let sessions = self
            .inner
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        Ok(sessions.get(token_hash).cloned())
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> Result<(), StoreError> {
        let hash = token_hash.to_string();
        self.blocking(move |s| {
            let mut sessions = s.inner.sessions.lock().unwrap_or_else(|e| e.into_inner());
            let Some(current) = sessions.get(&hash) else {
                return Ok(());
            };
            let touched = Session {
                last_seen: at,
                ..current.clone()
            };
            s.write_sessions(Some(&touched), &[])?;
            sessions.insert(hash, touched);
            Ok(())
        })
        .await
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let hash = token_hash.to_string();
        self.blocking(move |s| {
            let mut sessions = s.inner.sessions.lock().unwrap_or_else(|e| e.into_inner());
            s.write_sessions(None, std::slice::from_ref(&hash))?;
            sessions.remove(&hash);
            Ok(())
        })
        .await
    }

    async fn sign_in_attempt(
        &self,
        email_key: &str,
        at: Timestamp,
    ) -> Result<Option<i64>, StoreError> {
        let mut failures = self
            .inner
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let f = failures.get(email_key).copied().unwrap_or_default();
        if let Some(wait) = sign_in_wait(f, at) {
            return Ok(Some(wait));
        }
        failures.insert(email_key.to_string(), note_failure(f, at));
        Ok(None)
    }

    async fn clear_sign_in_failures(&self, email_key: &str) -> Result<(), StoreError> {
        self.inner
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(email_key);
        Ok(())
    }
}
