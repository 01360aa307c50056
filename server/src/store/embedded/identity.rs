//! The embedded store: accounts, users, sessions and sign-in throttling ([`Identity`]).

use super::*;
use app::domain::accounts::throttle::{
    FAILURE_MEMORY_MS, SignInCounts, SignInFailures, SignInKeys, forgive_one, sign_in_wait,
};
use app::domain::mapping::parked::{PARKED_FOR_MS, Parked};

/// How many failed-sign-in records the embedded store remembers (a few MB). Anyone can try
/// any email from any address, so without a bound the map grows with every one ever tried.
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

/// How many checked files the embedded store keeps at once (each at most
/// `MAX_PARKED_CHARS`: 19 MB in all); the one that would expire first makes room.
pub const MAX_PARKED: usize = 64;
/// Checked files kept for one account at once; its oldest makes room for its next.
pub const MAX_PARKED_PER_ACCOUNT: usize = 8;

#[async_trait]
impl Identity for EmbeddedStore {
    async fn installed(&self) -> StoreResult<bool> {
        Ok(self.with_state(State::installed))
    }

    async fn account(&self, id: &AccountId) -> StoreResult<Option<Account>> {
        Ok(self.with_account(id, |a| a.info.clone()))
    }

    async fn user(&self, account: &AccountId, id: UserId) -> StoreResult<Option<User>> {
        Ok(self.with_account(account, |a| a.users.get(&id).cloned()))
    }

    async fn users_by_email(&self, email: &Email) -> StoreResult<Vec<User>> {
        Ok(self.with_state(|s| {
            let mut users: Vec<User> = s
                .accounts
                .iter()
                .filter_map(|(account, a)| {
                    let id = s
                        .emails
                        .get(&(email.as_str().to_string(), account.clone()))?;
                    a.users.get(id).cloned()
                })
                .collect();
            users.sort_by(|a, b| a.account.cmp(&b.account));
            users
        }))
    }

    async fn list_users(&self, account: &AccountId) -> StoreResult<Vec<User>> {
        let mut users: Vec<User> =
            self.with_account(account, |a| a.users.values().cloned().collect());
        users.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(users)
    }

    async fn put_session(&self, session: Session) -> StoreResult<()> {
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

    async fn session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let sessions = self
            .inner
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        Ok(sessions.get(token_hash).cloned())
    }

    async fn touch_session(&self, token_hash: &str, at: Timestamp) -> StoreResult<()> {
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

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let hash = token_hash.to_string();
        self.blocking(move |s| {
            let mut sessions = s.inner.sessions.lock().unwrap_or_else(|e| e.into_inner());
            s.write_sessions(None, std::slice::from_ref(&hash))?;
            sessions.remove(&hash);
            Ok(())
        })
        .await
    }

    async fn park(&self, parked: Parked) -> StoreResult<()> {
        let mut all = self.inner.parked.lock().unwrap_or_else(|e| e.into_inner());
        all.retain(|_, p| p.until.0 > parked.until.0 - PARKED_FOR_MS);
        // An account makes room among its own: its dry runs never push out another's.
        loop {
            let own = all.iter().filter(|((a, _), _)| *a == parked.account);
            if own.clone().count() < MAX_PARKED_PER_ACCOUNT {
                break;
            }
            let Some(first) = own.min_by_key(|(_, p)| p.until).map(|(k, _)| k.clone()) else {
                break;
            };
            all.remove(&first);
        }
        while all.len() >= MAX_PARKED {
            let Some(first) = all
                .iter()
                .min_by_key(|(_, p)| p.until)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            all.remove(&first);
        }
        all.insert((parked.account.clone(), parked.id.clone()), parked);
        Ok(())
    }

    async fn parked_file(&self, account: &AccountId, id: &str) -> StoreResult<Option<Parked>> {
        let all = self.inner.parked.lock().unwrap_or_else(|e| e.into_inner());
        Ok(all.get(&(account.clone(), id.to_string())).cloned())
    }

    async fn take_parked_file(&self, account: &AccountId, id: &str) -> StoreResult<Option<Parked>> {
        let mut all = self.inner.parked.lock().unwrap_or_else(|e| e.into_inner());
        Ok(all.remove(&(account.clone(), id.to_string())))
    }

    async fn sign_in_attempt(&self, keys: &SignInKeys, at: Timestamp) -> StoreResult<Option<i64>> {
        let mut failures = self
            .inner
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let counts = SignInCounts::from_records(keys.all().map(|k| failures.get(k).copied()));
        if let Some(wait) = sign_in_wait(&counts, at) {
            return Ok(Some(wait));
        }
        for (key, next) in keys.all().into_iter().zip(counts.with_failure(at)) {
            if !failures.contains_key(key) {
                make_room(&mut failures, at);
            }
            failures.insert(key.to_string(), next);
        }
        Ok(None)
    }

    async fn sign_in_succeeded(&self, keys: &SignInKeys) -> StoreResult<()> {
        let mut failures = self
            .inner
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        failures.remove(&keys.email_from_address);
        for key in [&keys.address, &keys.email] {
            match failures.get(key).copied().and_then(forgive_one) {
                Some(f) => failures.insert(key.clone(), f),
                None => failures.remove(key),
            };
        }
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
        let victim = SignInKeys::new("victim@msp.example", "192.0.2.1");
        for _ in 0..3 {
            store
                .sign_in_attempt(&victim, Timestamp(1_000))
                .await
                .unwrap();
        }
        // From as many addresses (three records each).
        let flood = |i: usize, domain: &str| {
            let address = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
            SignInKeys::new(&format!("x{i}@{domain}"), &address)
        };
        for i in 0..MAX_FAILURE_RECORDS / 3 + 5_000 {
            let at = Timestamp(2_000 + i as i64);
            let counted = store.sign_in_attempt(&flood(i, "flood.example"), at).await;
            assert_eq!(counted.unwrap(), None);
            assert!(len() <= MAX_FAILURE_RECORDS);
        }
        assert!(len() > MAX_FAILURE_RECORDS / 2);
        // Later, when the map is full again, what no longer counts is forgotten first.
        let later = 2_000 + FAILURE_MEMORY_MS * 2;
        let room = (MAX_FAILURE_RECORDS - len()) / 3;
        for i in 0..=room {
            let at = Timestamp(later + i as i64);
            let counted = store.sign_in_attempt(&flood(i, "late.example"), at).await;
            assert_eq!(counted.unwrap(), None);
        }
        let failures = store.inner.failures.lock().unwrap();
        assert!(
            failures.values().all(|f| f.last.0 >= later),
            "the old are gone"
        );
        assert!(failures.len() <= 3 * (room + 1));
    }
}
