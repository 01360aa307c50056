//! The embedded store: accounts, users, sessions and sign-in throttling ([`Identity`]).

use super::*;
use app::domain::FAILURE_MEMORY_MS;

/// How many emails' failed sign-ins the embedded store remembers (a few MB). Anyone can try
/// any email, so without a bound the map grows with every one ever tried.
pub const MAX_FAILURE_RECORDS: usize = 100_000;

/// Makes room for one more record: first forgets what no longer counts (older than the failure
/// memory), then, if the map is still full (a flood of distinct emails within minutes), the
/// oldest tenth — so each insert stays cheap on average.
fn make_room(failures: &mut HashMap<String, SignInFailures>, at: Timestamp) {
    if failures.len() < MAX_FAILURE_RECORDS {
        return;
    }
    failures.retain(|_, f| at.0 - f.last.0 < FAILURE_MEMORY_MS);
    if failures.len() >= MAX_FAILURE_RECORDS {
        let mut by_age: Vec<(i64, String)> = failures
            .iter()
            .map(|(k, f)| (f.last.0, k.clone()))
            .collect();
        let drop = MAX_FAILURE_RECORDS / 10;
        by_age.select_nth_unstable(drop);
        for (_, key) in by_age.into_iter().take(drop) {
            failures.remove(&key);
        }
    }
}

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
        if !failures.contains_key(email_key) {
            make_room(&mut failures, at);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn failed_sign_ins_are_remembered_for_a_bounded_number_of_emails() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).unwrap();
        let len = || store.inner.failures.lock().unwrap().len();
        // A victim's failures, then a flood of distinct emails.
        for _ in 0..3 {
            store
                .sign_in_attempt("victim@msp.example", Timestamp(1_000))
                .await
                .unwrap();
        }
        for i in 0..MAX_FAILURE_RECORDS + 5_000 {
            let at = Timestamp(2_000 + i as i64);
            store
                .sign_in_attempt(&format!("x{i}@flood.example"), at)
                .await
                .unwrap();
            assert!(len() <= MAX_FAILURE_RECORDS);
        }
        assert!(len() > MAX_FAILURE_RECORDS / 2);
        // Later, when the map is full again, what no longer counts is forgotten first.
        let later = 2_000 + FAILURE_MEMORY_MS * 2;
        let room = MAX_FAILURE_RECORDS - len();
        for i in 0..=room {
            let at = Timestamp(later + i as i64);
            store
                .sign_in_attempt(&format!("y{i}@late.example"), at)
                .await
                .unwrap();
        }
        let failures = store.inner.failures.lock().unwrap();
        assert!(
            failures.keys().all(|k| k.ends_with("@late.example")),
            "the old are gone"
        );
        assert!(failures.len() <= room + 1);
    }
}
