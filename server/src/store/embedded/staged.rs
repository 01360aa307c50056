//! Checking a change against the records before anything is written: each write's
//! conditions (versions, name claims, counts, R1–R9 where the store keeps them), staged so a
//! refused change writes nothing.

use super::*;

/// The writes of one change, checked and waiting to be committed.
#[derive(Default)]
pub(super) struct Staged {
    pub(super) records: HashMap<Key, Option<Record>>,
    pub(super) names: HashMap<(NameKind, String), Option<Uuid>>,
    pub(super) emails: HashMap<(String, AccountId), UserId>,
    pub(super) audit: Vec<AuditEntry>,
}

impl Staged {
    pub(super) fn account(&self, acct: &AccountData) -> Option<Account> {
        match self.records.get(&Key::Account) {
            Some(Some(Record::Account(a))) => Some(a.clone()),
            Some(_) => None,
            None => acct.info.clone(),
        }
    }
    pub(super) fn user(&self, acct: &AccountData, id: UserId) -> Option<User> {
        match self.records.get(&Key::User(id)) {
            Some(Some(Record::User(u))) => Some(u.clone()),
            Some(_) => None,
            None => acct.users.get(&id).cloned(),
        }
    }
    pub(super) fn syncro(&self, acct: &AccountData, id: SyncroTenantId) -> Option<SyncroTenant> {
        match self.records.get(&Key::Syncro(id)) {
            Some(Some(Record::Syncro(s))) => Some(s.clone()),
            Some(_) => None,
            None => acct.listed.syncro.get(&id).cloned(),
        }
    }
    pub(super) fn org(&self, acct: &AccountData, id: OrganizationId) -> Option<Organization> {
        match self.records.get(&Key::Org(id)) {
            Some(Some(Record::Org(o))) => Some(o.clone()),
            Some(_) => None,
            None => acct.listed.orgs.get(&id).cloned(),
        }
    }
    pub(super) fn tenant(
        &self,
        acct: &AccountData,
        id: MicrosoftTenantId,
    ) -> Option<MicrosoftTenant> {
        match self.records.get(&Key::Tenant(id)) {
            Some(Some(Record::Tenant(t))) => Some(t.clone()),
            Some(_) => None,
            None => acct.listed.tenants.get(&id).cloned(),
        }
    }
    pub(super) fn end_user(&self, acct: &AccountData, id: EndUserId) -> Option<EndUser> {
        match self.records.get(&Key::EndUser(id)) {
            Some(Some(Record::EndUser(e))) => Some((**e).clone()),
            Some(_) => None,
            None => acct.end_users.get(&id).cloned(),
        }
    }
    pub(super) fn sync_job(&self, acct: &AccountData) -> Option<SyncJob> {
        match self.records.get(&Key::SyncJob) {
            Some(Some(Record::SyncJob(j))) => Some(j.clone()),
            Some(_) => None,
            None => acct.sync_job.clone(),
        }
    }
    pub(super) fn integration(&self, acct: &AccountData) -> Option<Integration> {
        match self.records.get(&Key::Integration) {
            Some(Some(Record::Integration(i))) => Some(i.clone()),
            Some(_) => None,
            None => acct.integration.clone(),
        }
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
                if self.account(acct).is_some() || record.id != *account {
                    return conflict(format!("account {} exists", record.id));
                }
                self.records
                    .insert(Key::Account, Some(Record::Account(record)));
            }
            Write::AdjustAdministrators { delta } => {
                let Some(mut a) = self.account(acct) else {
                    return conflict(format!("account {account} is gone"));
                };
                match a.active_administrators.checked_add_signed(delta) {
                    Some(n) if n >= 1 => a.active_administrators = n,
                    _ => return Err(StoreError::LastAdministrator),
                }
                self.records.insert(Key::Account, Some(Record::Account(a)));
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
                let ok = expect.holds(self.integration(acct).map(|c| c.version));
                if !ok {
                    return conflict(format!("integration of {account} changed"));
                }
                self.records
                    .insert(Key::Integration, Some(Record::Integration(record)));
            }
            Write::DeleteIntegration { expect } => match self.integration(acct) {
                Some(cur) if cur.version == expect => {
                    self.records.insert(Key::Integration, None);
                }
                _ => return conflict(format!("integration of {account} changed")),
            },
            Write::PutSyncReport(report) => {
                self.records
                    .insert(Key::SyncReport, Some(Record::SyncReport(report)));
            }
            Write::PutSyncJob { job, lease } => {
                let held = match (&lease, self.sync_job(acct)) {
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
                self.records
                    .insert(Key::SyncJob, Some(Record::SyncJob(job)));
            }
            Write::PutUser { record, expect } => {
                let ok = expect.holds(self.user(acct, record.id).map(|c| c.version));
                if !ok || record.account != *account {
                    return conflict(format!("user {} changed", record.id));
                }
                self.records
                    .insert(Key::User(record.id), Some(Record::User(record)));
            }
            Write::CreateSyncroTenant { record } => {
                if self.syncro(acct, record.id).is_some() {
                    return conflict(format!("syncro tenant {} exists", record.id));
                }
                self.records
                    .insert(Key::Syncro(record.id), Some(Record::Syncro(record)));
            }
            Write::UpdateSyncroTenant {
                record,
                expect,
                count_delta,
            } => {
                let count = match self.syncro(acct, record.id) {
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
                self.records
                    .insert(Key::Syncro(record.id), Some(Record::Syncro(record)));
            }
            Write::DeleteSyncroTenant {
                id,
                expect,
                moving_out,
                unmapping,
            } => match self.syncro(acct, id) {
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
                    self.records.insert(Key::Syncro(id), None);
                }
                _ => return conflict(format!("syncro tenant {id} changed")),
            },
            Write::AdjustOrganizationCount { id, delta } => {
                let Some(mut cur) = self.syncro(acct, id) else {
                    return conflict(format!("syncro tenant {id} is gone"));
                };
                let Some(count) = cur.organization_count.checked_add_signed(delta) else {
                    return conflict(format!("syncro tenant {id} count would go negative"));
                };
                cur.organization_count = count;
                self.records
                    .insert(Key::Syncro(id), Some(Record::Syncro(cur)));
            }
            Write::PutOrganization { record, expect } => {
                let ok = expect.holds(self.org(acct, record.id).map(|c| c.version));
                if !ok {
                    return conflict(format!("organization {} changed", record.id));
                }
                self.records
                    .insert(Key::Org(record.id), Some(Record::Org(record)));
            }
            Write::PutEndUser { record, before } => {
                let expect = Expect::replacing(before.map(|b| b.version));
                let ok = expect.holds(self.end_user(acct, record.id).map(|c| c.version));
                if !ok {
                    return conflict(format!("end user {} changed", record.id));
                }
                self.records
                    .insert(Key::EndUser(record.id), Some(Record::EndUser(record)));
            }
            Write::PutUserSync { record, expect } => {
                let cur = match self.records.get(&Key::UserSync(record.syncro_tenant)) {
                    Some(Some(Record::UserSync(u))) => Some(u.clone()),
                    Some(_) => None,
                    None => acct.user_syncs.get(&record.syncro_tenant).cloned(),
                };
                let ok = expect.holds(cur.map(|c| c.version));
                if !ok {
                    return conflict(format!("user sync of {} changed", record.syncro_tenant));
                }
                self.records.insert(
                    Key::UserSync(record.syncro_tenant),
                    Some(Record::UserSync(record)),
                );
            }
            Write::PutUserSyncState(state) => {
                self.records.insert(
                    Key::UserSyncState(state.syncro_tenant),
                    Some(Record::UserSyncState(state)),
                );
            }
            Write::SetMapping { record, expect } => {
                match self.tenant(acct, record.tenant_id) {
                    // Only the mapping and its version are written: a refresh of the discovered
                    // name or domain since the read is kept.
                    Some(cur) if cur.version == expect => {
                        let next = MicrosoftTenant {
                            syncro_tenant: record.syncro_tenant,
                            version: record.version,
                            ..cur
                        };
                        self.records
                            .insert(Key::Tenant(record.tenant_id), Some(Record::Tenant(next)));
                    }
                    _ => return conflict(format!("microsoft tenant {} changed", record.tenant_id)),
                }
            }
            Write::RecordDiscovered { tenant, at } => {
                let next =
                    discovery::merged(self.tenant(acct, tenant.tenant_id).as_ref(), &tenant, at);
                self.records
                    .insert(Key::Tenant(next.tenant_id), Some(Record::Tenant(next)));
            }
            Write::MarkRemoved { tenant_id, at } => {
                let Some(cur) = self.tenant(acct, tenant_id) else {
                    return conflict(format!("microsoft tenant {tenant_id} is gone"));
                };
                let next = MicrosoftTenant {
                    removed_at: Some(at),
                    ..cur
                };
                self.records
                    .insert(Key::Tenant(tenant_id), Some(Record::Tenant(next)));
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
