//! The DynamoDB store: one table (layout in [`keys`]), every change one `TransactWriteItems`
//! whose condition expressions keep the rules — versions for R8, name markers for R3, the
//! Syncro Tenant's organization count for R1/R5, email markers and the account's count of
//! active Administrators for the users. A cancelled transaction becomes the typed refusal the
//! embedded store gives (the same contract suite runs on both). Reads that decide a write are
//! strongly consistent.

mod cache;
pub mod count;
mod entity;
mod identity;
mod indexes;
mod integrations;
pub mod keys;
mod lists;
mod records;
mod writes;

use app::domain::*;
use app::store::prelude::*;

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

/// How much of a Query to read.
#[derive(Clone, Copy, Debug)]
enum Take {
    /// Every item, in key order.
    All,
    /// The last `n` in reverse key order.
    Newest(usize),
    /// The first `n` in key order.
    First(usize),
}

/// The DynamoDB store. Cheap to clone (the SDK client and the list cache are shared).
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    cache: std::sync::Arc<cache::ListCache>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

/// A failed request, after the SDK's own retries ([`client_config`]): `Busy` when trying again
/// later may work (throttled, timed out, connection lost, DynamoDB's own 5xx), else
/// `Unavailable`.
fn sdk<E, R>(e: aws_sdk_dynamodb::error::SdkError<E, R>) -> StoreError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_dynamodb::error::SdkError;
    let retryable = match &e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(s) => is_retryable_code(s.err().code()),
        _ => false,
    };
    let detail = DisplayErrorContext(&e).to_string();
    if retryable {
        StoreError::Busy(detail)
    } else {
        StoreError::Unavailable(detail)
    }
}

/// DynamoDB's error codes that mean "not now" rather than "never".
fn is_retryable_code(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "ThrottlingException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
                | "InternalServerError"
                | "ServiceUnavailable"
                | "InternalFailure"
        )
    )
}

/// The SDK client's retries and timeouts: up to 4 attempts with exponential backoff and full
/// jitter from 25 ms to 1 s (the SDK's standard mode, which also spends a retry budget so a
/// struggling table is not hammered), at most `attempt` per attempt (3 s by default,
/// `TENANTMAP_DYNAMODB_TIMEOUT_SECONDS`) and three attempts' worth per operation — a page
/// waits a few seconds at worst, then says to try again.
pub fn client_config(
    conf: &aws_config::SdkConfig,
    attempt: std::time::Duration,
) -> aws_sdk_dynamodb::config::Builder {
    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
    use std::time::Duration;
    aws_sdk_dynamodb::config::Builder::from(conf)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(25))
                .with_max_backoff(Duration::from_secs(1)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(attempt)
                .operation_timeout(attempt * 3 + Duration::from_secs(1))
                .build(),
        )
}

fn n(v: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A value as a native attribute (a map for a struct, a string for a unit variant).
fn attribute<T: serde::Serialize>(v: &T) -> StoreResult<AttributeValue> {
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
    /// R8 for a put: a new record must not exist, a replaced one must be at the version read.
    fn expect(e: Expect) -> Self {
        match e {
            Expect::Absent => Cond::absent(),
            Expect::Version(v) => Cond::version(v),
        }
    }
    /// The expression and its placeholders as a request builder takes them (`None` where empty,
    /// as DynamoDB refuses an empty map).
    fn parts(cond: Option<Cond>) -> CondParts {
        match cond {
            None => (None, None, None),
            Some(c) => (
                Some(c.expr),
                (!c.names.is_empty()).then_some(c.names),
                (!c.values.is_empty()).then_some(c.values),
            ),
        }
    }
}

type CondParts = (
    Option<String>,
    Option<HashMap<String, String>>,
    Option<Item>,
);

/// Leaves out `null` attributes (an absent `Option`), so conditions can ask
/// `attribute_not_exists`; a missing `Option` field reads back as `None`.
fn item_of<T: serde::Serialize>(key: &Key, record: &T) -> StoreResult<Item> {
    let mut item = keys::to_item(key, record).map_err(unavailable)?;
    item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
    Ok(item)
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore {
            client,
            table: table.into(),
            cache: Default::default(),
        }
    }

    /// Creates the table (on-demand, `pk`/`sk` strings, TTL on `expires_at`): for tests and
    /// local runs; production tables come from `template.yaml`.
    pub async fn create_table(&self) -> StoreResult<()> {
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
    pub async fn ensure_table(&self) -> StoreResult<()> {
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

    async fn get(&self, key: &Key) -> StoreResult<Option<Item>> {
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
    ) -> StoreResult<Option<T>> {
        match self.get(key).await? {
            Some(item) => keys::from_item(item).map(Some).map_err(unavailable),
            None => Ok(None),
        }
    }

    /// The items of an account whose sort key starts with `prefix`, following
    /// `LastEvaluatedKey`: all of them in key order, or with `newest` the last `n` in reverse.
    async fn query_prefix(
        &self,
        account: &AccountId,
        prefix: &str,
        newest: Option<usize>,
    ) -> StoreResult<Vec<Item>> {
        let take = newest.map_or(Take::All, Take::Newest);
        self.query_account(account, "begins_with(sk, :a)", &[prefix], take)
            .await
    }

    /// One strongly consistent Query of an account's partition, `pk = :pk AND {sort}` with the
    /// sort condition's values bound to `:a`, `:b`, …, through every page (or as many as `take`
    /// says).
    async fn query_account(
        &self,
        account: &AccountId,
        sort: &str,
        values: &[&str],
        take: Take,
    ) -> StoreResult<Vec<Item>> {
        let (limit, forward) = match take {
            Take::All => (None, true),
            Take::Newest(n) => (Some(n), false),
            Take::First(n) => (Some(n), true),
        };
        let mut bound = Item::from([(":pk".to_string(), s(keys::account_pk(account)))]);
        for (name, v) in [":a", ":b"].iter().zip(values) {
            bound.insert(name.to_string(), s(*v));
        }
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let wanted = limit.map(|n| n.saturating_sub(items.len()));
            if wanted == Some(0) {
                return Ok(items);
            }
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression(format!("pk = :pk AND {sort}"))
                .set_expression_attribute_values(Some(bound.clone()))
                .consistent_read(true)
                .scan_index_forward(forward)
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
    ) -> StoreResult<Vec<T>> {
        self.query_prefix(account, prefix, newest)
            .await?
            .into_iter()
            .map(|i| keys::from_item(i).map_err(unavailable))
            .collect()
    }

    /// `BatchGetItem` in chunks of 100, following unprocessed keys; unknown keys are left out.
    /// A key asked for twice is read once (DynamoDB refuses a request that names a key twice).
    async fn batch_get<T: serde::de::DeserializeOwned>(
        &self,
        keys: Vec<Key>,
    ) -> StoreResult<Vec<T>> {
        self.batch_get_items(keys)
            .await?
            .into_iter()
            .map(|i| keys::from_item(i).map_err(unavailable))
            .collect()
    }

    /// The items of `keys` (each once, in the order first asked), strongly consistent.
    async fn batch_get_items(&self, keys: Vec<Key>) -> StoreResult<Vec<Item>> {
        let keys = crate::store::listing::first_of_each(keys, |k| (k.pk(), k.sk()));
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
        Ok(keys
            .iter()
            .filter_map(|k| found.remove(&(k.pk(), k.sk())))
            .collect())
    }

    fn put(&self, item: Item, cond: Option<Cond>) -> StoreResult<TransactWriteItem> {
        let (expr, names, values) = Cond::parts(cond);
        let b = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(expr)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values);
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
    ) -> StoreResult<TransactWriteItem> {
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

    fn delete(&self, key: &Key, cond: Option<Cond>) -> StoreResult<TransactWriteItem> {
        let (expr, names, values) = Cond::parts(cond);
        let b = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key.item_key()))
            .set_condition_expression(expr)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values);
        Ok(TransactWriteItem::builder()
            .delete(b.build().map_err(unavailable)?)
            .build())
    }
}

/// The store on `table`, with the AWS SDK's own configuration (region, credentials,
/// `AWS_ENDPOINT_URL_DYNAMODB`). Builds the client once and touches no network unless
/// `create_table` (local servers only) asks to create a missing table.
pub async fn connect(
    conf: &aws_config::SdkConfig,
    table: &str,
    create_table: bool,
    attempt_timeout: std::time::Duration,
) -> Result<DynamoStore, String> {
    let client = Client::from_conf(client_config(conf, attempt_timeout).build());
    let store = DynamoStore::new(client, table);
    if create_table {
        store
            .ensure_table()
            .await
            .map_err(|e| format!("cannot create the table: {e}"))?;
    }
    Ok(store)
}

#[cfg(any(test, feature = "testkit"))]
pub mod testing;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn fresh() -> (Arc<dyn Store>, ()) {
        (Arc::new(testing::fresh_store().await.0), ())
    }

    crate::contract_tests!(fresh());

    use crate::store::contract::{acct, create_org};
    use app::domain::lists::ListQuery;

    async fn organization_names(store: &DynamoStore) -> Vec<String> {
        let query = ListQuery {
            per_page: 1000,
            ..ListQuery::default()
        };
        let page = store
            .list_organizations(&acct(), &query, app::store::ParentFilter::Any)
            .await
            .unwrap();
        page.items.iter().map(|o| o.name.to_string()).collect()
    }

    /// Two instances (two Lambdas) on one table, each with its own list cache: what one
    /// changes is in the other's next list — one change behind, many, past the change log, and
    /// under concurrent changes from both — and a current list costs one read.
    #[tokio::test]
    async fn list_caches_of_two_instances_stay_current() {
        let (a, counter) = testing::fresh_store().await;
        let b = DynamoStore::new(a.client.clone(), a.table.clone());
        let account = acct();
        for name in ["Boston", "Waltham"] {
            create_org(&a, &account, name).await.unwrap();
        }
        assert_eq!(organization_names(&b).await, ["Boston", "Waltham"]);

        counter.take();
        assert_eq!(organization_names(&b).await.len(), 2);
        let r = counter.take();
        assert_eq!(
            r.to_string(),
            "1 reads, 0 writes (GetItem 1)",
            "current: one read"
        );

        create_org(&a, &account, "Burlington").await.unwrap();
        counter.take();
        assert_eq!(
            organization_names(&b).await,
            ["Boston", "Burlington", "Waltham"]
        );
        let r = counter.take();
        assert_eq!(
            r.to_string(),
            "3 reads, 0 writes (BatchGetItem 1, GetItem 1, Query 1)",
            "one behind: the generation, its change-log entry, the changed rows"
        );

        // Thirty changes behind, then the log expired (as after a day): a full read.
        for i in 0..30 {
            create_org(&a, &account, &format!("Harbor {i:02}"))
                .await
                .unwrap();
        }
        assert_eq!(organization_names(&b).await.len(), 33);
        let log = a
            .query_between(&account, keys::CHANGE_PREFIX, "CHG#~")
            .await
            .unwrap();
        assert_eq!(log.len(), 33, "one entry per listed change");
        for item in &log {
            a.client
                .delete_item()
                .table_name(&a.table)
                .key(keys::PK, item[keys::PK].clone())
                .key(keys::SK, item[keys::SK].clone())
                .send()
                .await
                .unwrap();
        }
        create_org(&a, &account, "Summit").await.unwrap();
        assert_eq!(organization_names(&b).await.len(), 34);

        // Both instances change the account at once: every change lands, generations stay
        // contiguous, and both see all of them.
        let mut tasks = Vec::new();
        for i in 0..12 {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                create_org(&store, &acct(), &format!("Parallel {i:02}"))
                    .await
                    .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(a.generation(&account).await.unwrap(), 34 + 12);
        assert_eq!(organization_names(&a).await.len(), 46);
        assert_eq!(organization_names(&b).await.len(), 46);
    }

    /// A snapshot behind by more changed records than are worth catching up one by one is read
    /// whole, without first reading the change log to find that out: the generation item
    /// counts the records changes wrote.
    #[tokio::test]
    async fn a_snapshot_far_behind_is_read_whole_without_the_change_log() {
        use app::domain::integration::discovery::TENANTS_PER_CHANGE;
        use app::domain::{Coverage, DiscoveredTenant};
        let (a, counter) = testing::fresh_store().await;
        let b = DynamoStore::new(a.client.clone(), a.table.clone());
        let account = acct();
        create_org(&a, &account, "Boston").await.unwrap();
        assert_eq!(organization_names(&b).await, ["Boston"]);

        // Six parts of a sync: more tenants than a catch-up reads one by one.
        let n = 6 * TENANTS_PER_CHANGE;
        assert!(n > cache::CATCH_UP_LIMIT);
        let tenants = (0..n as u128)
            .map(|i| {
                let id = MicrosoftTenantId::from_uuid(uuid::Uuid::from_u128(0x9000_0000 + i));
                DiscoveredTenant::from_graph(id, &format!("Customer {i}"), &format!("c{i}.com"))
            })
            .collect();
        crate::store::contract::record(&a, &account, tenants, Coverage::Partial).await;

        counter.take();
        assert_eq!(b.all_microsoft_tenants(&account).await.unwrap().len(), n);
        assert_eq!(
            counter.take().to_string(),
            "4 reads, 0 writes (GetItem 1, Query 3)",
            "the generation, then the three kinds whole (no change-log Query)"
        );
    }

    /// Many changes to one account at once through one instance take their generations in
    /// turn: each is one transaction, none is sent twice, and none is refused.
    #[tokio::test]
    async fn one_instances_concurrent_changes_to_an_account_do_not_race() {
        let (a, counter) = testing::fresh_store().await;
        create_org(&a, &acct(), "First").await.unwrap();
        counter.take();
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let store = a.clone();
                tokio::spawn(
                    async move { create_org(&store, &acct(), &format!("Burst {i:02}")).await },
                )
            })
            .collect();
        for t in tasks {
            t.await.unwrap().expect("every change lands");
        }
        let sent = counter.take();
        assert_eq!(
            sent.ops.get("TransactWriteItems").copied(),
            Some(40),
            "one transaction per change, none retried: {sent}"
        );
        assert_eq!(a.generation(&acct()).await.unwrap(), 41);
    }
}
