//! List views on DynamoDB cost a page, not the account.
//!
//! **The problem.** Organizations, Syncro Tenants and Microsoft Tenant Management are searched
//! (a substring anywhere in a name, domain or tenant ID), sorted by any column and cut into
//! numbered pages. DynamoDB indexes only key prefixes, so a page computed in DynamoDB means
//! reading the whole kind: at SPEC scale (10,000 Organizations, 10,000 Syncro Tenants, 5,000
//! Microsoft Tenants, ~3 MB) that is several 1 MB Query pages and hundreds of read units per view,
//! and four views a second would exhaust the partition's 3,000 read units.
//!
//! **The choice.** Each instance (a Lambda, `server serve`) keeps the listed records of the
//! accounts it serves in memory, and a per-account *generation* counts the changes to them.
//! Every change that writes a listed record writes, in the same `TransactWriteItems`, the next
//! generation (conditioned on the one it read, so generations never skip or repeat) and a
//! change-log entry naming the items it wrote. A list view then costs:
//! - **warm and current**: one strongly consistent `GetItem` of the generation (1 read unit);
//!   search, sort and the page are computed in memory (milliseconds at SPEC scale). With the
//!   session, user and account reads a page view is 4–5 requests and 4–5 read units, where it
//!   was 6–7 requests and hundreds of read units reading a kind whole;
//! - **warm, behind by k changes**: that read, one `Query` of the k change-log entries, and one
//!   `BatchGetItem` of the records they name — only the changed rows are read again. The
//!   generation item also counts the records changes wrote: a snapshot behind by more than is
//!   worth catching up (a sync of thousands) is read whole without reading the log first;
//! - **cold** (a new Lambda instance, or the change log expired after a day): the three kinds in
//!   full, strongly consistent — 8 Query pages and 1,509 read units at SPEC scale (measured in
//!   `make bench`), once per instance and account.
//!
//! Strong consistency is kept: the generation is read before anything else, so a snapshot is
//! never older than the generation it is filed under; anything newer it holds is read again,
//! harmlessly, when the next generation is caught up. The alternatives cost more or give up a
//! feature: name-keyed GSIs with cursors answer prefix search only and no numbered pages;
//! compact per-kind index items still read ~600 KB per view.
//!
//! The cost: every listed change carries two more items (2 write units each, as transaction
//! items) and a change in an account is refused for a moment only when another one takes the
//! same generation, in which case it is retried with the next. Memory: ~10 MB per account at
//! SPEC scale; the least recently used account is dropped beyond [`ListCache::CAPACITY`].

use super::keys::{self, Item, Key};
use super::{DynamoStore, unavailable};
use app::domain::*;
use app::store::{Listed, StoreResult, by_id};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One account's listed records as of a generation.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub generation: u64,
    /// The listed records of this generation, with its Suggestions (computed by the first view
    /// that asks for them: the views after it are cheap until a change makes the next one).
    pub listed: Listed,
    /// The generation item's count of changed listed items at this generation (`None` from
    /// before the count was kept).
    pub changed_total: Option<u64>,
}

/// The snapshots of the accounts this instance serves.
#[derive(Default)]
pub struct ListCache {
    accounts: Mutex<HashMap<AccountId, (Arc<Snapshot>, u64)>>,
    /// The newest generation this instance has seen or written, per account: the one its next
    /// change most likely takes over from (a change needs no read to learn it).
    generations: Mutex<HashMap<AccountId, u64>>,
    /// One queue per account for this instance's listed changes: they take the account's
    /// generations one after another instead of racing each other for them.
    writers: Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>,
    clock: AtomicU64,
}

impl ListCache {
    /// Accounts kept at once (~10 MB each at SPEC scale).
    pub const CAPACITY: usize = 16;

    /// The newest generation seen or written for the account, if any.
    pub fn known_generation(&self, account: &AccountId) -> Option<u64> {
        let known = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        known.get(account).copied()
    }

    pub fn saw_generation(&self, account: &AccountId, generation: u64) {
        let mut known = self.generations.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= 64 * Self::CAPACITY {
            known.clear();
        }
        let g = known.entry(account.clone()).or_default();
        *g = (*g).max(generation);
    }

    /// Waits for this instance's earlier listed changes to the account to be written; the turn
    /// lasts while the guard is held. (Other instances still race for generations: `apply`
    /// retries those.)
    pub async fn writer_turn(&self, account: &AccountId) -> tokio::sync::OwnedMutexGuard<()> {
        let queue = {
            let mut writers = self.writers.lock().unwrap_or_else(|e| e.into_inner());
            if writers.len() >= 64 * Self::CAPACITY {
                // Forget the queues nobody is in.
                writers.retain(|_, q| Arc::strong_count(q) > 1);
            }
            writers.entry(account.clone()).or_default().clone()
        };
        queue.lock_owned().await
    }

    pub fn get(&self, account: &AccountId) -> Option<Arc<Snapshot>> {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        let (snap, used) = accounts.get_mut(account)?;
        *used = tick;
        Some(snap.clone())
    }

    /// Keeps `snap` unless a newer one is already there; drops the least recently used account
    /// beyond the capacity.
    pub fn put(&self, account: &AccountId, snap: Arc<Snapshot>) {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if accounts
            .get(account)
            .is_some_and(|(s, _)| s.generation > snap.generation)
        {
            return;
        }
        accounts.insert(account.clone(), (snap, tick));
        while accounts.len() > Self::CAPACITY {
            let oldest = accounts
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(a, _)| a.clone());
            match oldest {
                Some(a) => accounts.remove(&a),
                None => break,
            };
        }
    }
}

/// Most changed items worth catching up one by one; beyond it a full read is about as cheap.
pub(super) const CATCH_UP_LIMIT: usize = 500;

impl DynamoStore {
    /// The account's list generation (0 before its first listed change), strongly consistent.
    pub(super) async fn generation(&self, account: &AccountId) -> StoreResult<u64> {
        Ok(self.generation_item(account).await?.0)
    }

    /// The generation and its count of changed listed items (see [`keys::CHANGED_TOTAL`]).
    async fn generation_item(&self, account: &AccountId) -> StoreResult<(u64, Option<u64>)> {
        let item = self.get(&Key::Generation(account.clone())).await?;
        let number = |name: &str| {
            item.as_ref()
                .and_then(|i| i.get(name))
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<u64>().ok())
        };
        let generation = number(keys::GENERATION).unwrap_or(0);
        self.cache.saw_generation(account, generation);
        // No item: nothing changed yet. An item from before the count: unknown.
        let total = match item {
            None => Some(0),
            Some(_) => number(keys::CHANGED_TOTAL),
        };
        Ok((generation, total))
    }

    /// The account's listed records, current as of a generation read now.
    pub(super) async fn snapshot(&self, account: &AccountId) -> StoreResult<Arc<Snapshot>> {
        let (current, total) = self.generation_item(account).await?;
        let cached = self.cache.get(account);
        if let Some(snap) = cached.as_ref().filter(|s| s.generation == current) {
            return Ok(snap.clone());
        }
        let caught_up = match cached {
            Some(old) if old.generation < current => {
                self.catch_up(account, &old, current, total).await?
            }
            _ => None,
        };
        let snap = Arc::new(match caught_up {
            Some(snap) => snap,
            None => self.load(account, current, total).await?,
        });
        self.cache.put(account, snap.clone());
        Ok(snap)
    }

    /// The cached snapshot as it is (for naming a list's related rows right after the list was
    /// read), or a current one when there is none.
    pub(super) async fn last_snapshot(&self, account: &AccountId) -> StoreResult<Arc<Snapshot>> {
        match self.cache.get(account) {
            Some(snap) => Ok(snap),
            None => self.snapshot(account).await,
        }
    }

    async fn load(
        &self,
        account: &AccountId,
        generation: u64,
        changed_total: Option<u64>,
    ) -> StoreResult<Snapshot> {
        let syncro: Vec<SyncroTenant> = self.query_records(account, keys::ST_PREFIX, None).await?;
        let orgs: Vec<Organization> = self.query_records(account, keys::ORG_PREFIX, None).await?;
        let tenants: Vec<MicrosoftTenant> =
            self.query_records(account, keys::MT_PREFIX, None).await?;
        tracing::debug!(%account, generation, "loaded the list snapshot");
        Ok(Snapshot {
            generation,
            changed_total,
            listed: Listed {
                syncro: by_id(syncro, |r| r.id),
                orgs: by_id(orgs, |r| r.id),
                tenants: by_id(tenants, |r| r.tenant_id),
                suggestions: Default::default(),
            },
        })
    }

    /// `old` brought to `current` by reading only what the change log says changed; `None` when
    /// the log no longer reaches back (entries expire) or too much changed — known without
    /// reading the log when both generations carry their count (`total`, now).
    async fn catch_up(
        &self,
        account: &AccountId,
        old: &Snapshot,
        current: u64,
        total: Option<u64>,
    ) -> StoreResult<Option<Snapshot>> {
        if let (Some(then), Some(now)) = (old.changed_total, total)
            && now.saturating_sub(then) > CATCH_UP_LIMIT as u64
        {
            return Ok(None);
        }
        let from = Key::Change(account.clone(), old.generation + 1).sk();
        let to = Key::Change(account.clone(), current).sk();
        let entries = self.query_between(account, &from, &to).await?;
        if entries.len() as u64 != current - old.generation {
            return Ok(None);
        }
        let mut changed: HashSet<Key> = HashSet::new();
        for entry in &entries {
            let Some(list) = entry.get(keys::CHANGED).and_then(|v| v.as_l().ok()) else {
                return Ok(None);
            };
            for sk in list.iter().filter_map(|v| v.as_s().ok()) {
                match Key::listed(account, sk) {
                    Some(k) => changed.insert(k),
                    None => return Ok(None),
                };
            }
        }
        if changed.len() > CATCH_UP_LIMIT {
            return Ok(None);
        }
        let keys: Vec<Key> = changed.into_iter().collect();
        let found = self.batch_get_items(keys.clone()).await?;
        let mut next = Snapshot {
            generation: current,
            changed_total: total,
            listed: Listed {
                suggestions: Default::default(),
                ..old.listed.clone()
            },
        };
        for key in &keys {
            match key {
                Key::SyncroTenant(_, id) => next.listed.syncro.remove(id).map(drop),
                Key::Organization(_, id) => next.listed.orgs.remove(id).map(drop),
                Key::MicrosoftTenant(_, id) => next.listed.tenants.remove(id).map(drop),
                _ => None,
            };
        }
        for item in found {
            let kind = item.get(keys::KIND).and_then(|v| v.as_s().ok()).cloned();
            match kind.as_deref() {
                Some("st") => {
                    let r: SyncroTenant = keys::from_item(item).map_err(unavailable)?;
                    next.listed.syncro.insert(r.id, r);
                }
                Some("org") => {
                    let r: Organization = keys::from_item(item).map_err(unavailable)?;
                    next.listed.orgs.insert(r.id, r);
                }
                Some("mt") => {
                    let r: MicrosoftTenant = keys::from_item(item).map_err(unavailable)?;
                    next.listed.tenants.insert(r.tenant_id, r);
                }
                _ => return Ok(None),
            }
        }
        Ok(Some(next))
    }

    /// The account's items with `from <= sk <= to`, strongly consistent, through all pages.
    pub(super) async fn query_between(
        &self,
        account: &AccountId,
        from: &str,
        to: &str,
    ) -> StoreResult<Vec<Item>> {
        self.query_account(
            account,
            "sk BETWEEN :a AND :b",
            &[from, to],
            super::Take::All,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(n: usize) -> AccountId {
        AccountId::parse(&format!("msp-{n}")).unwrap()
    }

    fn snap(generation: u64) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            generation,
            ..Snapshot::default()
        })
    }

    #[test]
    fn the_cache_keeps_the_newest_snapshot_and_the_recently_used_accounts() {
        let cache = ListCache::default();
        cache.put(&account(0), snap(5));
        cache.put(&account(0), snap(4));
        assert_eq!(cache.get(&account(0)).unwrap().generation, 5, "never older");
        cache.put(&account(0), snap(6));
        assert_eq!(cache.get(&account(0)).unwrap().generation, 6);
        for n in 1..=ListCache::CAPACITY {
            cache.get(&account(0)); // account 0 stays in use
            cache.put(&account(n), snap(1));
        }
        assert!(cache.get(&account(0)).is_some());
        assert!(
            cache.get(&account(1)).is_none(),
            "the least recently used went"
        );
    }
}
