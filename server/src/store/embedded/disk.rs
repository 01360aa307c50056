//! The redb file: opening and loading it, committing a checked change durably and only then
//! making it visible, and the sessions table.

use super::*;

pub(super) struct Inner {
    pub(super) db: Database,
    /// False only for bulk loads (benchmarks): commits skip the fsync.
    pub(super) durable: bool,
    pub(super) state: RwLock<State>,
    pub(super) writer: Mutex<()>,
    /// Mirrors the SESSIONS table.
    pub(super) sessions: Mutex<HashMap<String, Session>>,
    /// Failed sign-ins per email key. In memory only: a restart forgives them. At most
    /// `identity::MAX_FAILURE_RECORDS` entries, whatever emails are tried.
    pub(super) failures: Mutex<HashMap<String, app::domain::accounts::throttle::SignInFailures>>,
    /// Checked files kept for a few minutes, by account and id. In memory only: after a
    /// restart the file is chosen again. At most `identity::MAX_PARKED` of them.
    pub(super) parked: Mutex<HashMap<(AccountId, String), app::domain::mapping::parked::Parked>>,
}

/// The embedded store. Cheap to clone; all clones share one database.
#[derive(Clone)]
pub struct EmbeddedStore {
    pub(super) inner: Arc<Inner>,
}

pub(super) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl EmbeddedStore {
    /// Opens (or creates) `tenantmap.redb` in `dir` and loads it.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        Self::open_with(dir, true)
    }

    /// Like [`open`](Self::open); `durable = false` trades crash safety for bulk-load speed.
    pub fn open_with(dir: &Path, durable: bool) -> StoreResult<Self> {
        crate::private::dir(dir).map_err(unavailable)?;
        let file = dir.join("tenantmap.redb");
        crate::private::file(&file).map_err(unavailable)?;
        let db = Database::create(file).map_err(unavailable)?;
        let txn = db.begin_write().map_err(unavailable)?;
        {
            txn.open_table(RECORDS).map_err(unavailable)?;
            txn.open_table(AUDIT).map_err(unavailable)?;
            txn.open_table(SESSIONS).map_err(unavailable)?;
        }
        txn.commit().map_err(unavailable)?;
        let mut state: HashMap<AccountId, AccountData> = HashMap::new();
        let mut sessions = HashMap::new();
        {
            let read = db.begin_read().map_err(unavailable)?;
            let table = read.open_table(RECORDS).map_err(unavailable)?;
            for row in table.iter().map_err(unavailable)? {
                let (k, v) = row.map_err(unavailable)?;
                let key = k.value();
                let mut parts = key.splitn(3, '/');
                let (Some(account), Some(kind)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let account = AccountId::parse(account).map_err(unavailable)?;
                let acct = state.entry(account).or_default();
                let Some((_, load)) = kinds::KINDS.iter().find(|(k, _)| *k == kind) else {
                    return Err(unavailable(format!("unknown record kind {kind} in {key}")));
                };
                load(acct, v.value())?;
            }
            let table = read.open_table(SESSIONS).map_err(unavailable)?;
            for row in table.iter().map_err(unavailable)? {
                let (k, v) = row.map_err(unavailable)?;
                let s: Session = serde_json::from_slice(v.value()).map_err(unavailable)?;
                sessions.insert(k.value().to_string(), s);
            }
        }
        let mut emails = HashMap::new();
        for (id, acct) in state.iter_mut() {
            acct.index_names();
            for u in acct.users.values() {
                emails.insert((u.email.as_str().to_string(), id.clone()), u.id);
            }
        }
        Ok(EmbeddedStore {
            inner: Arc::new(Inner {
                db,
                durable,
                state: RwLock::new(State {
                    accounts: state,
                    emails,
                }),
                writer: Mutex::new(()),
                sessions: Mutex::new(sessions),
                failures: Mutex::new(HashMap::new()),
                parked: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub(super) fn with_account<T>(
        &self,
        account: &AccountId,
        f: impl FnOnce(&AccountData) -> T,
    ) -> T {
        let state = self.inner.state.read().unwrap_or_else(|e| e.into_inner());
        match state.accounts.get(account) {
            Some(acct) => f(acct),
            None => f(&AccountData::default()),
        }
    }

    pub(super) fn with_state<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        let state = self.inner.state.read().unwrap_or_else(|e| e.into_inner());
        f(&state)
    }

    /// Writes session rows and removes others in one durable transaction. Called with the
    /// sessions lock held, so the table and the map change in the same order.
    pub(super) fn write_sessions(
        &self,
        put: Option<&Session>,
        remove: &[String],
    ) -> StoreResult<()> {
        let mut txn = self.inner.db.begin_write().map_err(unavailable)?;
        if !self.inner.durable {
            txn.set_durability(redb::Durability::None);
        }
        {
            let mut table = txn.open_table(SESSIONS).map_err(unavailable)?;
            if let Some(s) = put {
                let b = serde_json::to_vec(s).map_err(unavailable)?;
                table
                    .insert(s.token_hash.as_str(), b.as_slice())
                    .map_err(unavailable)?;
            }
            for hash in remove {
                table.remove(hash.as_str()).map_err(unavailable)?;
            }
        }
        txn.commit().map_err(unavailable)
    }

    /// Commits staged writes durably, then makes them visible. Called with the writer lock held.
    pub(super) fn commit(&self, account: &AccountId, staged: Staged) -> StoreResult<()> {
        let mut txn = self.inner.db.begin_write().map_err(unavailable)?;
        if !self.inner.durable {
            txn.set_durability(redb::Durability::None);
        }
        {
            let mut table = txn.open_table(RECORDS).map_err(unavailable)?;
            for (key, record) in &staged.records {
                let k = key.storage_key(account);
                match record.json().map_err(unavailable)? {
                    Some(b) => {
                        table
                            .insert(k.as_str(), b.as_slice())
                            .map_err(unavailable)?;
                    }
                    None => {
                        table.remove(k.as_str()).map_err(unavailable)?;
                    }
                }
            }
            let mut audit = txn.open_table(AUDIT).map_err(unavailable)?;
            for entry in &staged.audit {
                let k = format!("{account}/{:020}/{}", entry.at.0.max(0), entry.id);
                let b = serde_json::to_vec(entry).map_err(unavailable)?;
                // An entry is never overwritten (DynamoDB's condition says the same); returning
                // drops the transaction, so nothing of this change is written.
                let existing = audit
                    .insert(k.as_str(), b.as_slice())
                    .map_err(unavailable)?;
                if existing.is_some() {
                    return Err(StoreError::Conflict(format!(
                        "audit entry {} exists",
                        entry.id
                    )));
                }
            }
        }
        txn.commit().map_err(unavailable)?;

        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        state.emails.extend(staged.emails);
        let acct = state.accounts.entry(account.clone()).or_default();
        acct.listed.suggestions = Default::default();
        for record in staged.records.into_values() {
            record.commit(acct);
        }
        for (key, holder) in staged.names {
            match holder {
                Some(owner) => acct.names.insert(key, owner),
                None => acct.names.remove(&key),
            };
        }
        Ok(())
    }

    pub(super) fn apply_blocking(&self, account: &AccountId, change: ChangeSet) -> StoreResult<()> {
        let writes = change.into_writes()?;
        let _writer = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let staged = self.with_state(|state| {
            let empty = AccountData::default();
            let acct = state.accounts.get(account).unwrap_or(&empty);
            let mut staged = Staged::default();
            for w in writes {
                staged.check(state, account, acct, w)?;
            }
            Ok::<_, StoreError>(staged)
        })?;
        self.commit(account, staged)
    }

    pub(super) async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(EmbeddedStore) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(this))
            .await
            .map_err(unavailable)?
    }
}
