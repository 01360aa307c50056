//! The DynamoDB store: one table (layout in [`keys`]), every change one `TransactWriteItems`
//! whose condition expressions keep the rules — versions for R8, name markers for R3, the
//! Syncro Tenant's organization count for R1/R5, email markers and the account's count of
//! active Administrators for the users. A cancelled transaction becomes the typed refusal the
//! embedded store gives (the same contract suite runs on both). Reads that decide a write are
//! strongly consistent.

pub mod count;
pub mod keys;

use app::domain::*;
use app::store::{DiscoveryOutcome, MappingFilter, ParentFilter, Store, StoreError};
use app::wire::{ListQuery, Page};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::DisplayErrorContext;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, Delete, KeySchemaElement, KeyType,
    KeysAndAttributes, Put, ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem,
    Update,
};
use keys::{Item, Key};
use std::collections::HashMap;

/// The DynamoDB store. Cheap to clone (the SDK client is shared).
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn sdk(e: impl std::error::Error) -> StoreError {
    StoreError::Unavailable(DisplayErrorContext(&e).to_string())
}

fn n(v: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A value as a native attribute (a map for a struct, a string for a unit variant).
fn attribute<T: serde::Serialize>(v: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(v).map_err(unavailable)
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A condition expression with its placeholders.
#[derive(Default)]
struct Cond {
    expr: String,
    names: HashMap<String, String>,
    values: Item,
}

impl Cond {
    fn new(expr: &str) -> Self {
        Cond {
            expr: expr.to_string(),
            ..Default::default()
        }
    }
    fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names.insert(placeholder.into(), attribute.into());
        self
    }
    fn value(mut self, placeholder: &str, v: AttributeValue) -> Self {
        self.values.insert(placeholder.into(), v);
        self
    }
    fn absent() -> Self {
        Cond::new("attribute_not_exists(pk)")
    }
    fn version(v: Version) -> Self {
        Cond::new("#ver = :ver")
            .name("#ver", "version")
            .value(":ver", n(v.0))
    }
}

/// Leaves out `null` attributes (an absent `Option`), so conditions can ask
/// `attribute_not_exists`; a missing `Option` field reads back as `None`.
fn item_of<T: serde::Serialize>(key: &Key, record: &T) -> Result<Item, StoreError> {
    let mut item = keys::to_item(key, record).map_err(unavailable)?;
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    Ok(item)
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// Creates the table (on-demand, `pk`/`sk` strings, TTL on `expires_at`): for tests and
    /// local runs; production tables come from `template.yaml`.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(unavailable)
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(unavailable)
        };
        self.client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr(keys::PK)?)
            .attribute_definitions(attr(keys::SK)?)
            .key_schema(key(keys::PK, KeyType::Hash)?)
            .key_schema(key(keys::SK, KeyType::Range)?)
            .send()
            .await
            .map_err(sdk)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .enabled(true)
                    .attribute_name(keys::EXPIRES_AT)
                    .build()
                    .map_err(unavailable)?,
            )
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table unless it exists (local runs against a DynamoDB-compatible server).
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        let exists = self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok();
        if exists {
            Ok(())
        } else {
            self.create_table().await
        }
    }

    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.item_key()))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.item().cloned())
    }

    async fn get_record<T: serde::de::DeserializeOwned>(
        &self,
        key: &Key,
    ) -> Result<Option<T>, StoreError> {
        match self.get(key).await? {
            Some(item) => keys::from_item(item).map(Some).map_err(unavailable),
            None => Ok(None),
        }
    }

    /// Every item of an account whose sort key starts with `prefix`, through all pages.
    /// The items of an account whose sort key starts with `prefix`, following
    /// `LastEvaluatedKey`: all of them in key order, or with `newest` the last `n` in reverse.
    async fn query_prefix(
        &self,
        account: &AccountId,
        prefix: &str,
        newest: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let wanted = newest.map(|n| n.saturating_sub(items.len()));
            if wanted == Some(0) {
                return Ok(items);
            }
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", s(keys::account_pk(account)))
                .expression_attribute_values(":prefix", s(prefix))
                .consistent_read(true)
                .scan_index_forward(newest.is_none())
                .set_limit(wanted.map(|n| i32::try_from(n).unwrap_or(i32::MAX)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            items.extend(out.items().iter().cloned());
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(items),
            }
        }
    }

    async fn query_records<T: serde::de::DeserializeOwned>(
        &self,
        account: &AccountId,
        prefix: &str,
        newest: Option<usize>,
    ) -> Result<Vec<T>, StoreError> {
        self.query_prefix(account, prefix, newest)
            .await?
            .into_iter()
            .map(|i| keys::from_item(i).map_err(unavailable))
            .collect()
    }

    /// `BatchGetItem` in chunks of 100, following unprocessed keys; unknown keys are left out.
    async fn batch_get<T: serde::de::DeserializeOwned>(
        &self,
        keys: Vec<Key>,
    ) -> Result<Vec<T>, StoreError> {
        let mut found: HashMap<(String, String), Item> = HashMap::new();
        for chunk in keys.chunks(100) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.iter().map(Key::item_key).collect()))
                    .consistent_read(true)
                    .build()
                    .map_err(unavailable)?,
            );
            while let Some(request) = pending.take() {
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(sdk)?;
                for item in out
                    .responses()
                    .and_then(|r| r.get(&self.table))
                    .into_iter()
                    .flatten()
                {
                    let pk = item.get(keys::PK).and_then(|v| v.as_s().ok()).cloned();
                    let sk = item.get(keys::SK).and_then(|v| v.as_s().ok()).cloned();
                    if let (Some(pk), Some(sk)) = (pk, sk) {
                        found.insert((pk, sk), item.clone());
                    }
                }
                pending = out
                    .unprocessed_keys()
                    .and_then(|u| u.get(&self.table))
                    .filter(|k| !k.keys().is_empty())
                    .cloned();
            }
        }
        // In the order asked for.
        keys.iter()
            .filter_map(|k| found.remove(&(k.pk(), k.sk())))
            .map(|i| keys::from_item(i).map_err(unavailable))
            .collect()
    }

    fn put(&self, item: Item, cond: Option<Cond>) -> Result<TransactWriteItem, StoreError> {
        let mut b = Put::builder().table_name(&self.table).set_item(Some(item));
        if let Some(c) = cond {
            b = b
                .condition_expression(c.expr)
                .set_expression_attribute_names((!c.names.is_empty()).then_some(c.names))
                .set_expression_attribute_values((!c.values.is_empty()).then_some(c.values));
        }
        Ok(TransactWriteItem::builder()
            .put(b.build().map_err(unavailable)?)
            .build())
    }

    fn update(
        &self,
        key: &Key,
        expr: &str,
        cond: Option<&str>,
        names: HashMap<String, String>,
        values: Item,
    ) -> Result<TransactWriteItem, StoreError> {
        let b = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.item_key()))
            .update_expression(expr)
            .set_condition_expression(cond.map(str::to_string))
            .set_expression_attribute_names((!names.is_empty()).then_some(names))
            .set_expression_attribute_values((!values.is_empty()).then_some(values));
        Ok(TransactWriteItem::builder()
            .update(b.build().map_err(unavailable)?)
            .build())
    }

    fn delete(&self, key: &Key, cond: Option<Cond>) -> Result<TransactWriteItem, StoreError> {
        let mut b = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key.item_key()));
        if let Some(c) = cond {
            b = b
                .condition_expression(c.expr)
                .set_expression_attribute_names((!c.names.is_empty()).then_some(c.names))
                .set_expression_attribute_values((!c.values.is_empty()).then_some(c.values));
        }
        Ok(TransactWriteItem::builder()
            .delete(b.build().map_err(unavailable)?)
            .build())
    }

    /// One write of a change as one transaction item, with the condition that keeps its rule.
    fn transact_item(
        &self,
        account: &AccountId,
        write: &Write,
    ) -> Result<TransactWriteItem, StoreError> {
        let key = Key::of_write(account, write);
        let names = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        match write {
            Write::PutSyncroTenant {
                record,
                expect: Expect::Absent,
            } => self.put(item_of(&key, record)?, Some(Cond::absent())),
            // A replace keeps the stored organization count (the store maintains it).
            Write::PutSyncroTenant {
                record,
                expect: Expect::Version(v),
            } => {
                let mut values = Item::from([
                    (":name".into(), s(record.name.as_str())),
                    (":ver".into(), n(record.version.0)),
                    (":at".into(), n(record.updated_at.0)),
                    (":expected".into(), n(v.0)),
                ]);
                let expr = match record.microsoft_tenant {
                    Some(mt) => {
                        values.insert(":mt".into(), s(mt.to_string()));
                        "SET #name = :name, #ver = :ver, updated_at = :at, microsoft_tenant = :mt"
                    }
                    None => "SET #name = :name, #ver = :ver, updated_at = :at REMOVE microsoft_tenant",
                };
                self.update(
                    &key,
                    expr,
                    Some("#ver = :expected"),
                    names(&[("#name", "name"), ("#ver", "version")]),
                    values,
                )
            }
            Write::DeleteSyncroTenant { expect, .. } => self.delete(
                &key,
                Some(
                    Cond::new(
                        "#ver = :ver AND organization_count = :zero AND attribute_not_exists(microsoft_tenant)",
                    )
                    .name("#ver", "version")
                    .value(":ver", n(expect.0))
                    .value(":zero", n(0)),
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
            Write::PutOrganization { record, expect } => self.put(
                item_of(&key, record)?,
                Some(match expect {
                    Expect::Absent => Cond::absent(),
                    Expect::Version(v) => Cond::version(*v),
                }),
            ),
            // Only the mapping and its version: a refreshed name or domain since the read stays.
            Write::PutMicrosoftTenant { record, expect } => {
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
            Write::Audit(entry) => self.put(item_of(&key, entry)?, Some(Cond::absent())),
            Write::Installed { first } => {
                let mut item = key.item_key();
                item.insert(keys::KIND.into(), s("installed"));
                self.put(item, first.then(Cond::absent))
            }
            Write::PutAccount { record } => {
                self.put(item_of(&key, record)?, Some(Cond::absent()))
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
            Write::PutUser { record, expect } => self.put(
                item_of(&key, record)?,
                Some(match expect {
                    Expect::Absent => Cond::absent(),
                    Expect::Version(v) => Cond::version(*v),
                }),
            ),
            Write::PutIntegration { record, expect } => self.put(
                item_of(&key, record)?,
                Some(match expect {
                    Expect::Absent => Cond::absent(),
                    Expect::Version(v) => Cond::version(*v),
                }),
            ),
            Write::DeleteIntegration { expect } => {
                self.delete(&key, Some(Cond::version(*expect)))
            }
            Write::IndexIntegration { connected: true } => {
                let mut item = key.item_key();
                item.insert(keys::KIND.into(), s(key.kind()));
                item.insert("account".into(), s(account.to_string()));
                self.put(item, None)
            }
            Write::IndexIntegration { connected: false } => self.delete(&key, None),
            Write::PutSyncReport(report) => self.put(item_of(&key, report)?, None),
        }
    }

    /// Why the write at a cancelled transaction's failed position was refused, in the terms of
    /// the embedded store. Reads the item as it is now to tell the cases apart.
    async fn refusal(&self, account: &AccountId, write: &Write) -> StoreError {
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
            Write::DeleteSyncroTenant { id, expect }
                if attr("version") == Some(expect.0.to_string()) =>
            {
                StoreError::NotEmpty(format!(
                    "\"{}\" has Organizations or a mapping and cannot be deleted",
                    attr("name").unwrap_or_else(|| id.to_string())
                ))
            }
            other => StoreError::Conflict(format!("{} changed", other.item())),
        }
    }
}

/// The store the environment names: `TENANTMAP_TABLE`, and the SDK's own variables (region,
/// credentials, `AWS_ENDPOINT_URL_DYNAMODB`). Builds the client once and touches no network;
/// `TENANTMAP_CREATE_TABLE=1` (local servers only) creates the table if it is missing.
pub async fn from_env() -> Result<DynamoStore, String> {
    let table = std::env::var("TENANTMAP_TABLE")
        .map_err(|_| "TENANTMAP_TABLE: the DynamoDB table to use".to_string())?;
    let conf = aws_config::load_from_env().await;
    let store = DynamoStore::new(Client::new(&conf), table);
    if std::env::var("TENANTMAP_CREATE_TABLE").is_ok_and(|v| v == "1") {
        store
            .ensure_table()
            .await
            .map_err(|e| format!("cannot create the table: {e}"))?;
    }
    Ok(store)
}

#[async_trait]
impl Store for DynamoStore {
    async fn apply(&self, account: &AccountId, change: ChangeSet) -> Result<(), StoreError> {
        if !change.is_well_formed() {
            return Err(unavailable(
                "a change must touch each item once, at most 100",
            ));
        }
        if change.writes.is_empty() {
            return Ok(());
        }
        let items = change
            .writes
            .iter()
            .map(|w| self.transact_item(account, w))
            .collect::<Result<Vec<_>, _>>()?;
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(e) = result else {
            return Ok(());
        };
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        match e.into_service_error() {
            TransactWriteItemsError::TransactionCanceledException(t) => {
                let reasons = t.cancellation_reasons();
                if let Some(i) = reasons
                    .iter()
                    .position(|r| r.code() == Some("ConditionalCheckFailed"))
                {
                    return Err(self.refusal(account, &change.writes[i]).await);
                }
                // Another transaction on the same items at the same moment: the page is stale.
                Err(StoreError::Conflict(format!(
                    "transaction cancelled: {:?}",
                    reasons.iter().filter_map(|r| r.code()).collect::<Vec<_>>()
                )))
            }
            // An ongoing transaction on the same items: the page is as good as stale.
            TransactWriteItemsError::TransactionInProgressException(_) => Err(
                StoreError::Conflict("another change to the same records".into()),
            ),
            other => Err(sdk(other)),
        }
    }

    async fn syncro_tenant(
        &self,
        account: &AccountId,
        id: SyncroTenantId,
    ) -> Result<Option<SyncroTenant>, StoreError> {
        self.get_record(&Key::SyncroTenant(account.clone(), id))
            .await
    }

    async fn organization(
        &self,
        account: &AccountId,
        id: OrganizationId,
    ) -> Result<Option<Organization>, StoreError> {
        self.get_record(&Key::Organization(account.clone(), id))
            .await
    }

    async fn microsoft_tenant(
        &self,
        account: &AccountId,
        id: MicrosoftTenantId,
    ) -> Result<Option<MicrosoftTenant>, StoreError> {
        self.get_record(&Key::MicrosoftTenant(account.clone(), id))
            .await
    }

    async fn microsoft_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[MicrosoftTenantId],
    ) -> Result<Vec<MicrosoftTenant>, StoreError> {
        self.batch_get(
            ids.iter()
                .map(|id| Key::MicrosoftTenant(account.clone(), *id))
                .collect(),
        )
        .await
    }

    async fn syncro_tenants_by_ids(
        &self,
        account: &AccountId,
        ids: &[SyncroTenantId],
    ) -> Result<Vec<SyncroTenant>, StoreError> {
        self.batch_get(
            ids.iter()
                .map(|id| Key::SyncroTenant(account.clone(), *id))
                .collect(),
        )
        .await
    }

    async fn organizations_by_ids(
        &self,
        account: &AccountId,
        ids: &[OrganizationId],
    ) -> Result<Vec<Organization>, StoreError> {
        self.batch_get(
            ids.iter()
                .map(|id| Key::Organization(account.clone(), *id))
                .collect(),
        )
        .await
    }

    async fn list_syncro_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        only_unmapped: bool,
    ) -> Result<Page<SyncroTenant>, StoreError> {
        let all: Vec<SyncroTenant> = self.query_records(account, keys::ST_PREFIX, None).await?;
        Ok(super::lists::syncro_tenants(
            all.iter(),
            query,
            only_unmapped,
        ))
    }

    async fn list_organizations(
        &self,
        account: &AccountId,
        query: &ListQuery,
        parent: ParentFilter,
    ) -> Result<Page<Organization>, StoreError> {
        let all: Vec<Organization> = self.query_records(account, keys::ORG_PREFIX, None).await?;
        Ok(super::lists::organizations(all.iter(), query, parent))
    }

    async fn list_microsoft_tenants(
        &self,
        account: &AccountId,
        query: &ListQuery,
        filter: MappingFilter,
    ) -> Result<Page<MicrosoftTenant>, StoreError> {
        let all: Vec<MicrosoftTenant> = self.query_records(account, keys::MT_PREFIX, None).await?;
        Ok(super::lists::microsoft_tenants(all.iter(), query, filter))
    }

    async fn list_audit(
        &self,
        account: &AccountId,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.query_records(account, keys::AUDIT_PREFIX, Some(limit))
            .await
    }

    async fn record_discovered_tenants(
        &self,
        account: &AccountId,
        tenants: Vec<DiscoveredTenant>,
        coverage: Coverage,
        at: Timestamp,
        audit: AuditEntry,
    ) -> Result<DiscoveryOutcome, StoreError> {
        // One transaction may not touch an item twice: the last report of a tenant wins.
        let mut tenants = tenants;
        let mut seen = std::collections::HashSet::new();
        tenants.reverse();
        tenants.retain(|t| seen.insert(t.tenant_id));
        tenants.reverse();
        // Which tenants exist already: a complete sync reads them all (one Query, it needs the
        // ones it did not see), an import only those it names (one batch read per 100).
        let existing: HashMap<MicrosoftTenantId, Option<Timestamp>> = match coverage {
            Coverage::Complete => {
                self.query_records::<MicrosoftTenant>(account, keys::MT_PREFIX, None)
                    .await?
            }
            Coverage::Partial => {
                let keys: Vec<Key> = tenants
                    .iter()
                    .map(|t| Key::MicrosoftTenant(account.clone(), t.tenant_id))
                    .collect();
                self.batch_get::<MicrosoftTenant>(keys).await?
            }
        }
        .into_iter()
        .map(|t| (t.tenant_id, t.removed_at))
        .collect();
        let mut outcome = DiscoveryOutcome::default();
        let mut items = Vec::with_capacity(tenants.len() + 1);
        for t in &tenants {
            if existing.contains_key(&t.tenant_id) {
                outcome.updated += 1;
            } else {
                outcome.added += 1;
            }
            let key = Key::MicrosoftTenant(account.clone(), t.tenant_id);
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
            // Microsoft did not say: keep the domain we have.
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
            items.push(self.update(
                &key,
                &format!("SET {} REMOVE {}", set.join(", "), remove.join(", ")),
                None,
                HashMap::from([
                    ("#ver".to_string(), "version".to_string()),
                    ("#kind".to_string(), keys::KIND.to_string()),
                ]),
                values,
            )?);
        }
        if coverage == Coverage::Complete {
            for (id, removed_at) in &existing {
                if removed_at.is_none() && !seen.contains(id) {
                    outcome.removed += 1;
                    items.push(self.update(
                        &Key::MicrosoftTenant(account.clone(), *id),
                        "SET removed_at = :at",
                        Some("attribute_exists(pk)"),
                        HashMap::new(),
                        Item::from([(":at".into(), n(at.0))]),
                    )?);
                }
            }
        }
        // Transactions of up to 99 tenants with the audit entry in the last: a sync or an
        // import of fewer than 100 tenants is one write request. A mapping is never touched.
        let key = Key::Audit(account.clone(), audit.at, audit.id.clone());
        let audit_item = self.put(item_of(&key, &audit)?, Some(Cond::absent()))?;
        let mut chunks: Vec<Vec<TransactWriteItem>> = Vec::new();
        let mut rest = items.into_iter().peekable();
        while rest.peek().is_some() {
            chunks.push(rest.by_ref().take(ChangeSet::MAX_WRITES - 1).collect());
        }
        match chunks.last_mut() {
            Some(last) => last.push(audit_item),
            None => chunks.push(vec![audit_item]),
        }
        for chunk in chunks {
            self.client
                .transact_write_items()
                .set_transact_items(Some(chunk))
                .send()
                .await
                .map_err(sdk)?;
        }
        Ok(outcome)
    }

    async fn integration(&self, account: &AccountId) -> Result<Option<Integration>, StoreError> {
        self.get_record(&Key::Integration(account.clone())).await
    }

    async fn connected_accounts(&self) -> Result<Vec<AccountId>, StoreError> {
        let mut accounts = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::INTEGRATIONS_PK))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            for item in out.items() {
                if let Some(Ok(a)) = item
                    .get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .map(|v| AccountId::parse(v))
                {
                    accounts.push(a);
                }
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(accounts),
            }
        }
    }

    async fn sync_report(&self, account: &AccountId) -> Result<Option<SyncReport>, StoreError> {
        self.get_record(&Key::SyncReport(account.clone())).await
    }

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

pub mod testing {
    //! A moto server (the DynamoDB-compatible test server, see STACK.md) for this test process:
    //! `TENANTMAP_TEST_DYNAMODB` names one, or the first test starts moto from `.venv-test`
    //! (`scripts/moto_serial.py`: one request at a time, so transactions are atomic as in
    //! DynamoDB) on a free loopback port; a watcher stops it when the test process ends.

    use super::DynamoStore;
    use super::count::RequestCounter;
    use std::sync::OnceLock;

    static ENDPOINT: OnceLock<String> = OnceLock::new();

    /// The test server's URL (started on first use).
    pub fn endpoint() -> String {
        ENDPOINT
            .get_or_init(|| {
                if let Ok(url) = std::env::var("TENANTMAP_TEST_DYNAMODB") {
                    return url;
                }
                let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
                let python = root.join(".venv-test/bin/python");
                let serial = root.join("scripts/moto_serial.py");
                assert!(
                    python.exists(),
                    "{} is missing: run `make test-tools` (it installs moto in .venv-test)",
                    python.display()
                );
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .and_then(|l| l.local_addr())
                    .map(|a| a.port())
                    .expect("a free port");
                // moto runs as long as this test process does.
                let script = format!(
                    "'{}' '{}' 127.0.0.1 {port} >/dev/null 2>&1 & m=$!; \
                     while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; kill $m",
                    python.display(),
                    serial.display(),
                    pid = std::process::id()
                );
                let mut watcher = std::process::Command::new("bash")
                    .args(["-c", &script])
                    .spawn()
                    .expect("start moto");
                std::thread::spawn(move || watcher.wait());
                let url = format!("http://127.0.0.1:{port}");
                for _ in 0..100 {
                    if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                        return url;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                panic!("moto did not start on {url}");
            })
            .clone()
    }

    /// The environment a `lambda` binary needs to serve `table` on the test server.
    pub fn lambda_env(table: &str) -> Vec<(&'static str, String)> {
        vec![
            ("TENANTMAP_TABLE", table.to_string()),
            ("AWS_ENDPOINT_URL_DYNAMODB", endpoint()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("RUST_LOG", "warn".into()),
        ]
    }

    /// A client of the test server whose requests `counter` counts.
    pub async fn client(counter: RequestCounter) -> aws_sdk_dynamodb::Client {
        let url = endpoint();
        let conf = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(url)
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "test", "test", None, None, "tests",
            ))
            .load()
            .await;
        let conf = aws_sdk_dynamodb::config::Builder::from(&conf)
            .interceptor(counter)
            .build();
        aws_sdk_dynamodb::Client::from_conf(conf)
    }

    /// A store on a table of its own (moto keeps tables in memory; they go with it), and the
    /// counter of its requests.
    pub async fn fresh_store() -> (DynamoStore, RequestCounter) {
        let table = format!("tenantmap-test-{}", uuid::Uuid::new_v4().simple());
        let counter = RequestCounter::default();
        let store = DynamoStore::new(client(counter.clone()).await, table);
        store.create_table().await.expect("create the test table");
        counter.take();
        (store, counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn fresh() -> (Arc<dyn Store>, ()) {
        (Arc::new(testing::fresh_store().await.0), ())
    }

    crate::contract_tests!(fresh());
}
