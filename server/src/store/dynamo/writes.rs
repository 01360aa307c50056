//! The DynamoDB store: each [`Write`] of a change as one `TransactWriteItems` item, with the
//! condition expression that keeps its rule, and a cancelled write read back into the typed
//! refusal the embedded store gives.

use super::*;
use app::domain::integration::sync_job::Lease;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;

/// Why a transaction was not applied.
pub(super) enum Cancelled {
    /// The condition of the item at this position failed.
    Refused(usize),
    /// Another transaction held one of its items at that moment (worth sending again).
    Busy,
    Other(StoreError),
}

/// How long a change-log entry is kept: a cache further behind reads its lists again.
const CHANGE_LOG_MS: i64 = 24 * 3600 * 1000;

impl DynamoStore {
    /// Sends one `TransactWriteItems`.
    pub(super) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), Cancelled> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(e) = result else {
            return Ok(());
        };
        if !matches!(e, aws_sdk_dynamodb::error::SdkError::ServiceError(_)) {
            return Err(Cancelled::Other(sdk(e)));
        }
        match e.into_service_error() {
            TransactWriteItemsError::TransactionCanceledException(t) => {
                let reasons = t.cancellation_reasons();
                match reasons
                    .iter()
                    .position(|r| r.code() == Some("ConditionalCheckFailed"))
                {
                    Some(i) => Err(Cancelled::Refused(i)),
                    None if reasons
                        .iter()
                        .any(|r| r.code() == Some("TransactionConflict")) =>
                    {
                        Err(Cancelled::Busy)
                    }
                    None => Err(Cancelled::Other(StoreError::Conflict(format!(
                        "transaction cancelled: {:?}",
                        reasons.iter().filter_map(|r| r.code()).collect::<Vec<_>>()
                    )))),
                }
            }
            // An ongoing transaction on the same items: the page is as good as stale.
            TransactWriteItemsError::TransactionInProgressException(_) => Err(Cancelled::Other(
                StoreError::Conflict("another change to the same records".into()),
            )),
            other => {
                use aws_sdk_dynamodb::error::ProvideErrorMetadata;
                let detail = DisplayErrorContext(&other).to_string();
                Err(Cancelled::Other(if is_retryable_code(other.code()) {
                    StoreError::Busy(detail)
                } else {
                    StoreError::Unavailable(detail)
                }))
            }
        }
    }

    /// Moves the account's list generation from `current` to the next, only from `current`,
    /// counting the `changed` listed items in its running total.
    pub(super) fn next_generation(
        &self,
        account: &AccountId,
        current: u64,
        changed: usize,
    ) -> StoreResult<TransactWriteItem> {
        let key = Key::Generation(account.clone());
        let cond = if current == 0 {
            "attribute_not_exists(pk)"
        } else {
            "#gen = :current"
        };
        let mut values = Item::from([
            (":next".into(), n(current + 1)),
            (":kind".into(), s(key.kind())),
            (":changed".into(), n(changed)),
        ]);
        if current > 0 {
            values.insert(":current".into(), n(current));
        }
        self.update(
            &key,
            "SET #gen = :next, #kind = :kind ADD #total :changed",
            Some(cond),
            HashMap::from([
                ("#gen".to_string(), keys::GENERATION.to_string()),
                ("#kind".to_string(), keys::KIND.to_string()),
                ("#total".to_string(), keys::CHANGED_TOTAL.to_string()),
            ]),
            values,
        )
    }

    /// The change-log entry of `generation`: the sort keys of the listed items it wrote.
    pub(super) fn change_entry(
        &self,
        account: &AccountId,
        generation: u64,
        changed: &[String],
    ) -> StoreResult<TransactWriteItem> {
        let key = Key::Change(account.clone(), generation);
        let mut item = key.item_key();
        item.insert(keys::KIND.into(), s(key.kind()));
        item.insert(
            keys::CHANGED.into(),
            AttributeValue::L(changed.iter().map(|k| s(k.as_str())).collect()),
        );
        item.insert(
            keys::EXPIRES_AT.into(),
            keys::ttl_seconds(Timestamp(app::domain::now().0 + CHANGE_LOG_MS)),
        );
        self.put(item, Some(Cond::absent()))
    }

    /// One write of a change as one transaction item, with the condition that keeps its rule.
    pub(super) fn transact_item(
        &self,
        account: &AccountId,
        write: &Write,
    ) -> StoreResult<TransactWriteItem> {
        let key = Key::of_write(account, write);
        let names = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        match write {
            Write::CreateSyncroTenant { record } => {
                self.put_entity(account, record, Some(Cond::absent()))
            }
            // A replace keeps the stored organization count (the store maintains it).
            Write::UpdateSyncroTenant {
                record,
                expect: v,
                count_delta,
            } => {
                let mut values = Item::from([
                    (":name".into(), s(record.name.as_str())),
                    (":ver".into(), n(record.version.0)),
                    (":at".into(), n(record.updated_at.0)),
                    (":expected".into(), n(v.0)),
                ]);
                let mut expr = match record.microsoft_tenant {
                    Some(mt) => {
                        values.insert(":mt".into(), s(mt.to_string()));
                        "SET #name = :name, #ver = :ver, updated_at = :at, microsoft_tenant = :mt"
                            .to_string()
                    }
                    None => "SET #name = :name, #ver = :ver, updated_at = :at REMOVE microsoft_tenant"
                        .to_string(),
                };
                let mut cond = "#ver = :expected".to_string();
                if *count_delta != 0 {
                    expr.push_str(" ADD organization_count :d");
                    values.insert(":d".into(), n(count_delta));
                }
                if *count_delta < 0 {
                    cond.push_str(" AND organization_count >= :min");
                    values.insert(":min".into(), n(-count_delta));
                }
                self.update(
                    &key,
                    &expr,
                    Some(&cond),
                    names(&[("#name", "name"), ("#ver", "version")]),
                    values,
                )
            }
            Write::DeleteSyncroTenant {
                expect,
                moving_out,
                unmapping,
                ..
            } => self.delete(
                &key,
                Some(
                    Cond::new(if *unmapping {
                        "#ver = :ver AND organization_count = :left"
                    } else {
                        "#ver = :ver AND organization_count = :left AND attribute_not_exists(microsoft_tenant)"
                    })
                    .name("#ver", "version")
                    .value(":ver", n(expect.0))
                    .value(":left", n(moving_out)),
                ),
            ),
            Write::AdjustOrganizationCount { delta, .. } => {
                let mut values = Item::from([(":d".into(), n(delta))]);
                let cond = if *delta < 0 {
                    values.insert(":min".into(), n(-delta));
                    "attribute_exists(pk) AND organization_count >= :min"
                } else {
                    "attribute_exists(pk)"
                };
                self.update(
                    &key,
                    "ADD organization_count :d",
                    Some(cond),
                    HashMap::new(),
                    values,
                )
            }
            Write::PutOrganization { record, expect } => self.put_entity(account, record,
                Some(Cond::expect(*expect)),
            ),
            // Only the mapping and its version: a refreshed name or domain since the read stays.
            Write::SetMapping { record, expect } => {
                let mut values = Item::from([
                    (":ver".into(), n(record.version.0)),
                    (":expected".into(), n(expect.0)),
                ]);
                let expr = match record.syncro_tenant {
                    Some(st) => {
                        values.insert(":st".into(), s(st.to_string()));
                        "SET #ver = :ver, syncro_tenant = :st"
                    }
                    None => "SET #ver = :ver REMOVE syncro_tenant",
                };
                self.update(
                    &key,
                    expr,
                    Some("#ver = :expected"),
                    names(&[("#ver", "version")]),
                    values,
                )
            }
            // An upsert that never touches the mapping or its version (a new tenant starts
            // at version 1); a domain Microsoft did not send keeps the stored one.
            Write::RecordDiscovered { tenant: t, at } => {
                let mut set = vec![
                    "tenant_id = :id",
                    "display_name = :name",
                    "last_sync = :at",
                    "#ver = if_not_exists(#ver, :one)",
                    "#kind = :kind",
                ];
                let mut remove = vec!["removed_at"];
                let mut values = Item::from([
                    (":id".into(), s(t.tenant_id.to_string())),
                    (":name".into(), s(t.display_name.clone())),
                    (":domain".into(), s(t.default_domain.clone())),
                    (":at".into(), n(at.0)),
                    (":one".into(), n(1)),
                    (":kind".into(), s(key.kind())),
                ]);
                set.push(if t.default_domain.is_empty() {
                    "default_domain = if_not_exists(default_domain, :domain)"
                } else {
                    "default_domain = :domain"
                });
                match &t.failure {
                    Some(f) => {
                        set.push("sync_error = :err");
                        values.insert(":err".into(), attribute(f)?);
                    }
                    None => remove.push("sync_error"),
                }
                match &t.gdap {
                    Some(g) => {
                        set.push("gdap = :gdap");
                        values.insert(":gdap".into(), attribute(g)?);
                    }
                    None => remove.push("gdap"),
                }
                // As `discovery::merged`: none reported keeps the ones stored.
                if !t.verified_domains.is_empty() {
                    set.push("verified_domains = :vd");
                    values.insert(":vd".into(), attribute(&t.verified_domains)?);
                }
                self.update(
                    &key,
                    &format!("SET {} REMOVE {}", set.join(", "), remove.join(", ")),
                    None,
                    names(&[("#ver", "version"), ("#kind", keys::KIND)]),
                    values,
                )
            }
            Write::MarkRemoved { at, .. } => self.update(
                &key,
                "SET removed_at = :at",
                Some("attribute_exists(pk)"),
                HashMap::new(),
                Item::from([(":at".into(), n(at.0))]),
            ),
            Write::ClaimName { owner, .. } => {
                let mut item = key.item_key();
                item.insert(keys::KIND.into(), s("name"));
                item.insert("owner".into(), s(owner.to_string()));
                self.put(
                    item,
                    Some(
                        Cond::new("attribute_not_exists(pk) OR #owner = :owner")
                            .name("#owner", "owner")
                            .value(":owner", s(owner.to_string())),
                    ),
                )
            }
            Write::ReleaseName { .. } => self.delete(&key, None),
            Write::Audit(entry) => self.put_entity(account, entry, Some(Cond::absent())),
            Write::Installed { first } => {
                let mut item = key.item_key();
                item.insert(keys::KIND.into(), s("installed"));
                self.put(item, first.then(Cond::absent))
            }
            Write::PutAccount { record } => {
                self.put_entity(account, record, Some(Cond::absent()))
            }
            Write::AdjustAdministrators { delta } => {
                let mut values = Item::from([(":d".into(), n(delta))]);
                let cond = if *delta < 0 {
                    // The count after the change must stay at least 1.
                    values.insert(":min".into(), n(1 - delta));
                    "attribute_exists(pk) AND active_administrators >= :min"
                } else {
                    "attribute_exists(pk)"
                };
                self.update(
                    &key,
                    "ADD active_administrators :d",
                    Some(cond),
                    HashMap::new(),
                    values,
                )
            }
            Write::ClaimEmail { user, .. } => {
                let mut item = key.item_key();
                item.insert(keys::KIND.into(), s("email"));
                item.insert("account".into(), s(account.as_str()));
                item.insert("user".into(), s(user.to_string()));
                self.put(
                    item,
                    Some(
                        Cond::new("attribute_not_exists(pk) OR #user = :user")
                            .name("#user", "user")
                            .value(":user", s(user.to_string())),
                    ),
                )
            }
            Write::PutUser { record, expect } => self.put_entity(account, record,
                Some(Cond::expect(*expect)),
            ),
            Write::PutEndUser { record, before } => self.put_entity(account, &**record,
                Some(Cond::expect(Expect::replacing(before.as_ref().map(|b| b.version)))),
            ),
            Write::PutUserSync { record, expect } => self.put_entity(account, record,
                Some(Cond::expect(*expect)),
            ),
            Write::PutUserSyncState(state) => self.put_entity(account, state, None),
            Write::PutIntegration { record, expect } => self.put_entity(account, record,
                Some(Cond::expect(*expect)),
            ),
            Write::DeleteIntegration { expect } => {
                self.delete(&key, Some(Cond::version(*expect)))
            }
            Write::PutSyncReport(report) => self.put_entity(account, report, None),
            Write::PutSyncJob { job, lease } => self.put_entity(account, job,
                Some(match lease {
                    Lease::Free => Cond::absent(),
                    Lease::Replace { id, heartbeat_at } => {
                        Cond::new("#id = :id AND heartbeat_at = :hb")
                            .name("#id", "id")
                            .value(":id", s(id.as_str()))
                            .value(":hb", n(heartbeat_at.0))
                    }
                    Lease::Held { id } => Cond::new("#id = :id")
                        .name("#id", "id")
                        .value(":id", s(id.as_str())),
                }),
            ),
        }
    }

    /// Why the write at a cancelled transaction's failed position was refused, in the terms of
    /// the embedded store. Reads the item as it is now to tell the cases apart.
    pub(super) async fn refusal(&self, account: &AccountId, write: &Write) -> StoreError {
        let key = Key::of_write(account, write);
        let current = self.get(&key).await;
        let attr = |name: &str| -> Option<String> {
            let item = current.as_ref().ok()?.as_ref()?;
            match item.get(name)? {
                AttributeValue::S(v) => Some(v.clone()),
                AttributeValue::N(v) => Some(v.clone()),
                _ => None,
            }
        };
        match write {
            Write::ClaimName {
                kind, key: name, ..
            } => match attr("owner").and_then(|o| uuid::Uuid::parse_str(&o).ok()) {
                Some(owner) => StoreError::NameTaken {
                    kind: *kind,
                    key: name.clone(),
                    owner,
                },
                None => StoreError::Conflict(format!("name {name} changed")),
            },
            Write::ClaimEmail { key: email, .. } => StoreError::EmailTaken(email.clone()),
            Write::Installed { .. } => StoreError::AlreadyInstalled,
            Write::AdjustAdministrators { .. } if attr(keys::PK).is_some() => {
                StoreError::LastAdministrator
            }
            Write::DeleteSyncroTenant {
                id,
                expect,
                moving_out: 0,
                ..
            } if attr("version") == Some(expect.0.to_string()) => StoreError::NotEmpty(format!(
                "\"{}\" has Organizations or a mapping and cannot be deleted",
                attr("name").unwrap_or_else(|| id.to_string())
            )),
            other => StoreError::Conflict(format!("{} changed", other.item())),
        }
    }
}
