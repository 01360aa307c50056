//! Checking a change against the records before anything is written: each write's
//! conditions (versions, name claims, counts, R1–R9 where the store keeps them), staged so a
//! refused change writes nothing.

use super::*;
use kinds::{Pending, Put};

/// The writes of one change, checked and waiting to be committed.
#[derive(Default)]
pub(super) struct Staged {
    pub(super) records: HashMap<Key, Box<dyn Pending>>,
    pub(super) names: HashMap<(NameKind, String), Option<Uuid>>,
    pub(super) emails: HashMap<(String, AccountId), UserId>,
    pub(super) audit: Vec<AuditEntry>,
}

impl Staged {
    /// The record of kind `T` with this id as the change so far leaves it.
    pub(super) fn get<T: Kept>(&self, acct: &AccountData, id: T::Id) -> Option<T> {
        match self.records.get(&Key::of::<T>(id)) {
            Some(staged) => (staged.as_any().downcast_ref::<Put<T>>()).and_then(|p| p.1.clone()),
            None => T::committed(acct, id).cloned(),
        }
    }

    fn put<T: Kept>(&mut self, record: T) {
        let id = record.id();
        self.records
            .insert(Key::of::<T>(id), Box::new(Put(id, Some(record))));
    }

    fn delete<T: Kept>(&mut self, id: T::Id) {
        self.records
            .insert(Key::of::<T>(id), Box::new(Put::<T>(id, None)));
    }

    pub(super) fn name_holder(&self, acct: &AccountData, key: &(NameKind, String)) -> Option<Uuid> {
        match self.names.get(key) {
            Some(holder) => *holder,
            None => acct.names.get(key).copied(),
        }
    }

    pub(super) fn check(
        &mut self,
        state: &State,
        account: &AccountId,
        acct: &AccountData,
        write: Write,
    ) -> StoreResult<()> {
        let conflict = |what: String| Err(StoreError::Conflict(what));
        match write {
            Write::Installed { first } => {
                if first && state.installed() {
                    return Err(StoreError::AlreadyInstalled);
                }
            }
            Write::PutAccount { record } => {
                if self.get::<Account>(acct, One).is_some() || record.id != *account {
                    return conflict(format!("account {} exists", record.id));
                }
                self.put(record);
            }
            Write::AdjustAdministrators { delta } => {
                let Some(mut a) = self.get::<Account>(acct, One) else {
                    return conflict(format!("account {account} is gone"));
                };
                match a.active_administrators.checked_add_signed(delta) {
                    Some(n) if n >= 1 => a.active_administrators = n,
                    _ => return Err(StoreError::LastAdministrator),
                }
                self.put(a);
            }
            Write::ClaimEmail { key, user } => {
                let at = (key, account.clone());
                let holder = self.emails.get(&at).or_else(|| state.emails.get(&at));
                if holder.is_some_and(|h| *h != user) {
                    return Err(StoreError::EmailTaken(at.0));
                }
                self.emails.insert(at, user);
            }
            Write::PutIntegration { record, expect } => {
                let ok = expect.holds(self.get::<Integration>(acct, One).map(|c| c.version));
                if !ok {
                    return conflict(format!("integration of {account} changed"));
                }
                self.put(record);
            }
            Write::DeleteIntegration { expect } => match self.get::<Integration>(acct, One) {
                Some(cur) if cur.version == expect => {
                    self.delete::<Integration>(One);
                }
                _ => return conflict(format!("integration of {account} changed")),
            },
            Write::PutSyncReport(report) => {
                self.put(report);
            }
            Write::PutSyncJob { job, lease } => {
                let held = match (&lease, self.get::<SyncJob>(acct, One)) {
                    (Lease::Free, None) => true,
                    (Lease::Replace { id, heartbeat_at }, Some(cur)) => {
                        cur.id == *id && cur.heartbeat_at == *heartbeat_at
                    }
                    (Lease::Held { id }, Some(cur)) => cur.id == *id,
                    _ => false,
                };
                if !held {
                    return conflict(format!("the sync job of {account} changed"));
                }
                self.put(job);
            }
            Write::PutUser { record, expect } => {
                let ok = expect.holds(self.get::<User>(acct, record.id).map(|c| c.version));
                if !ok || record.account != *account {
                    return conflict(format!("user {} changed", record.id));
                }
                self.put(record);
            }
            Write::CreateSyncroTenant { record } => {
                if self.get::<SyncroTenant>(acct, record.id).is_some() {
                    return conflict(format!("syncro tenant {} exists", record.id));
                }
                self.put(record);
            }
            Write::UpdateSyncroTenant {
                record,
                expect,
                count_delta,
            } => {
                let count = match self.get::<SyncroTenant>(acct, record.id) {
                    Some(cur) if cur.version == expect => {
                        cur.organization_count.checked_add_signed(count_delta)
                    }
                    _ => None,
                };
                let Some(organization_count) = count else {
                    return conflict(format!("syncro tenant {} changed", record.id));
                };
                let record = SyncroTenant {
                    organization_count,
                    ..record
                };
                self.put(record);
            }
            Write::DeleteSyncroTenant {
                id,
                expect,
                moving_out,
                unmapping,
            } => match self.get::<SyncroTenant>(acct, id) {
                Some(cur) if cur.version == expect => {
                    if moving_out > 0 && cur.organization_count != moving_out {
                        return conflict(format!("syncro tenant {id} gained Organizations"));
                    }
                    if cur.organization_count > moving_out
                        || (cur.microsoft_tenant.is_some() && !unmapping)
                    {
                        return Err(StoreError::NotEmpty(format!(
                            "\"{}\" has Organizations or a mapping and cannot be deleted",
                            cur.name
                        )));
                    }
                    self.delete::<SyncroTenant>(id);
                }
                _ => return conflict(format!("syncro tenant {id} changed")),
            },
            Write::AdjustOrganizationCount { id, delta } => {
                let Some(mut cur) = self.get::<SyncroTenant>(acct, id) else {
                    return conflict(format!("syncro tenant {id} is gone"));
                };
                let Some(count) = cur.organization_count.checked_add_signed(delta) else {
                    return conflict(format!("syncro tenant {id} count would go negative"));
                };
                cur.organization_count = count;
                self.put(cur);
            }
            Write::PutOrganization { record, expect } => {
                let ok = expect.holds(self.get::<Organization>(acct, record.id).map(|c| c.version));
                if !ok {
                    return conflict(format!("organization {} changed", record.id));
                }
                self.put(record);
            }
            Write::PutEndUser { record, before } => {
                let expect = Expect::replacing(before.map(|b| b.version));
                let ok = expect.holds(self.get::<EndUser>(acct, record.id).map(|c| c.version));
                if !ok {
                    return conflict(format!("end user {} changed", record.id));
                }
                self.put(*record);
            }
            Write::PutUserSync { record, expect } => {
                let cur = self.get::<UserSyncSettings>(acct, record.syncro_tenant);
                let ok = expect.holds(cur.map(|c| c.version));
                if !ok {
                    return conflict(format!("user sync of {} changed", record.syncro_tenant));
                }
                self.put(record);
            }
            Write::PutUserSyncState(state) => {
                self.put(state);
            }
            Write::SetMapping { record, expect } => {
                match self.get::<MicrosoftTenant>(acct, record.tenant_id) {
                    // Only the mapping and its version are written: a refresh of the discovered
                    // name or domain since the read is kept.
                    Some(cur) if cur.version == expect => {
                        let next = MicrosoftTenant {
                            syncro_tenant: record.syncro_tenant,
                            version: record.version,
                            ..cur
                        };
                        self.put(next);
                    }
                    _ => return conflict(format!("microsoft tenant {} changed", record.tenant_id)),
                }
            }
            Write::RecordDiscovered { tenant, at } => {
                let next = discovery::merged(
                    self.get::<MicrosoftTenant>(acct, tenant.tenant_id).as_ref(),
                    &tenant,
                    at,
                );
                self.put(next);
            }
            Write::MarkRemoved { tenant_id, at } => {
                let Some(cur) = self.get::<MicrosoftTenant>(acct, tenant_id) else {
                    return conflict(format!("microsoft tenant {tenant_id} is gone"));
                };
                let next = MicrosoftTenant {
                    removed_at: Some(at),
                    ..cur
                };
                self.put(next);
            }
            Write::ClaimName { kind, key, owner } => {
                let k = (kind, key);
                match self.name_holder(acct, &k) {
                    Some(holder) if holder != owner => {
                        return Err(StoreError::NameTaken {
                            kind,
                            key: k.1,
                            owner: holder,
                        });
                    }
                    _ => {
                        self.names.insert(k, Some(owner));
                    }
                }
            }
            Write::ReleaseName { kind, key } => {
                self.names.insert((kind, key), None);
            }
            Write::Audit(entry) => self.audit.push(entry),
        }
        Ok(())
    }
}
