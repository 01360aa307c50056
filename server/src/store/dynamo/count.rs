//! Counting DynamoDB requests and capacity units: cost is part of correctness (each user action
//! one write request, a list view a few read units whatever the account's size). Attach a
//! [`RequestCounter`] to the SDK client and read what each call made.
//!
//! Units are computed here from the items in each request and response by DynamoDB's rules,
//! not taken from `ConsumedCapacity` (moto, the test server, returns constants):
//! - reads: 4 KB per unit, rounded up per item (`GetItem`, each `BatchGetItem` item) or over a
//!   `Query` page's items together; strongly consistent reads cost 1 unit per 4 KB, eventually
//!   consistent ones half; a key that finds nothing costs the minimum;
//! - writes: 1 KB per unit, rounded up per item; items of a `TransactWriteItems` cost double.
//!   A `Put` is sized by its item; an `Update`, `Delete` or `ConditionCheck` by the larger of its
//!   key plus the values it sends and 1 KB — every record tenantmap stores is under 1 KB, so
//!   this is the size DynamoDB charges (`item_size` is unit-tested against its rules).

use aws_sdk_dynamodb::config::interceptors::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::{
    batch_get_item::{BatchGetItemInput, BatchGetItemOutput},
    delete_item::DeleteItemInput,
    get_item::{GetItemInput, GetItemOutput},
    put_item::PutItemInput,
    query::{QueryInput, QueryOutput},
    transact_write_items::TransactWriteItemsInput,
    update_item::UpdateItemInput,
};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Requests by operation name (`GetItem`, `TransactWriteItems`, …), as sent (retries aside),
/// and the capacity units they consumed.
#[derive(Clone, Debug, Default)]
pub struct RequestCounter(Arc<Mutex<Requests>>);

const WRITES: [&str; 5] = [
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
    "BatchWriteItem",
];

/// What one call made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Requests {
    pub ops: BTreeMap<String, u32>,
    pub read_units: f64,
    pub write_units: f64,
}

impl Requests {
    pub fn writes(&self) -> u32 {
        self.ops
            .iter()
            .filter(|(op, _)| WRITES.contains(&op.as_str()))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn reads(&self) -> u32 {
        self.ops.values().sum::<u32>() - self.writes()
    }
    /// `"3.0 read units, 8 write units"`.
    pub fn units(&self) -> String {
        format!(
            "{:.1} read units, {} write units",
            self.read_units, self.write_units
        )
    }
}

impl std::fmt::Display for Requests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.ops.iter().map(|(op, n)| format!("{op} {n}")).collect();
        write!(
            f,
            "{} reads, {} writes ({})",
            self.reads(),
            self.writes(),
            parts.join(", ")
        )
    }
}

impl RequestCounter {
    /// What was counted since the last `take`, and a fresh start.
    pub fn take(&self) -> Requests {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn add(&self, f: impl FnOnce(&mut Requests)) {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// What the request side of an operation tells about its cost, kept until its response.
#[derive(Clone, Debug)]
struct Pending {
    consistent: bool,
    /// Keys a `BatchGetItem` asked for (each costs at least the minimum).
    batch_keys: usize,
}

impl Storable for Pending {
    type Storer = StoreReplace<Self>;
}

/// An item's size by DynamoDB's rules: each attribute's name plus its value.
pub fn item_size(item: &HashMap<String, AttributeValue>) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

fn value_size(v: &AttributeValue) -> usize {
    match v {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) => v.iter().map(String::len).sum(),
        AttributeValue::Ns(v) => v.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::L(v) => 3 + v.iter().map(|e| 1 + value_size(e)).sum::<usize>(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, e)| 1 + k.len() + value_size(e))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// One byte per two significant digits, plus one.
fn number_size(n: &str) -> usize {
    let digits: String = n.chars().filter(char::is_ascii_digit).collect();
    let significant = digits
        .trim_start_matches('0')
        .trim_end_matches('0')
        .len()
        .max(1);
    significant.div_ceil(2) + 1
}

fn units(size: usize, per_unit: usize) -> f64 {
    size.div_ceil(per_unit).max(1) as f64
}

fn read_units(size: usize, consistent: bool) -> f64 {
    units(size, 4096) * if consistent { 1.0 } else { 0.5 }
}

/// The write units of a request, from what it sends.
fn write_units(input: &aws_smithy_runtime_api::client::interceptors::context::Input) -> f64 {
    let sent = |key: Option<&HashMap<String, AttributeValue>>,
                values: Option<&HashMap<String, AttributeValue>>| {
        key.map(item_size).unwrap_or(0) + values.map(item_size).unwrap_or(0)
    };
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        return units(i.item().map(item_size).unwrap_or(0), 1024);
    }
    if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        return units(sent(i.key(), i.expression_attribute_values()), 1024);
    }
    if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        return units(sent(i.key(), None), 1024);
    }
    if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        return i
            .transact_items()
            .iter()
            .map(|t| {
                let size = if let Some(p) = t.put() {
                    item_size(p.item())
                } else if let Some(u) = t.update() {
                    sent(Some(u.key()), u.expression_attribute_values())
                } else if let Some(d) = t.delete() {
                    sent(Some(d.key()), None)
                } else if let Some(c) = t.condition_check() {
                    sent(Some(c.key()), None)
                } else {
                    0
                };
                2.0 * units(size, 1024)
            })
            .sum();
    }
    0.0
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    // Once per operation (retries are not counted), after the operation's own configuration —
    // which names it — is in place.
    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "Unnamed".into());
        let input = context.input();
        let consistent = if let Some(i) = input.downcast_ref::<GetItemInput>() {
            i.consistent_read() == Some(true)
        } else if let Some(i) = input.downcast_ref::<QueryInput>() {
            i.consistent_read() == Some(true)
        } else if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
            i.request_items()
                .is_some_and(|r| r.values().all(|k| k.consistent_read() == Some(true)))
        } else {
            false
        };
        let batch_keys = input
            .downcast_ref::<BatchGetItemInput>()
            .and_then(|i| i.request_items())
            .map(|r| r.values().map(|k| k.keys().len()).sum())
            .unwrap_or(0);
        let written = write_units(input);
        cfg.interceptor_state().store_put(Pending {
            consistent,
            batch_keys,
        });
        self.add(|r| {
            *r.ops.entry(op).or_default() += 1;
            r.write_units += written;
        });
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (Some(pending), Ok(output)) = (cfg.load::<Pending>(), context.output_or_error()) else {
            return Ok(());
        };
        let c = pending.consistent;
        let read = if let Some(o) = output.downcast_ref::<GetItemOutput>() {
            read_units(o.item().map(item_size).unwrap_or(0), c)
        } else if let Some(o) = output.downcast_ref::<QueryOutput>() {
            read_units(o.items().iter().map(item_size).sum(), c)
        } else if let Some(o) = output.downcast_ref::<BatchGetItemOutput>() {
            let items: Vec<_> = o
                .responses()
                .into_iter()
                .flat_map(|r| r.values())
                .flatten()
                .collect();
            let unprocessed: usize = o
                .unprocessed_keys()
                .map(|u| u.values().map(|k| k.keys().len()).sum())
                .unwrap_or(0);
            let missing = pending.batch_keys.saturating_sub(items.len() + unprocessed);
            items
                .iter()
                .map(|i| read_units(item_size(i), c))
                .sum::<f64>()
                + missing as f64 * read_units(0, c)
        } else {
            0.0
        };
        self.add(|r| r.read_units += read);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.into())
    }

    #[test]
    fn item_sizes_follow_dynamodbs_rules() {
        // "pk" (2) + "A#acme" (6) + "n" (1) + 123 (2 digits per byte, +1: 3) + "ok" (2) + bool (1)
        let item = HashMap::from([
            ("pk".to_string(), s("A#acme")),
            ("n".to_string(), AttributeValue::N("123".into())),
            ("ok".to_string(), AttributeValue::Bool(true)),
        ]);
        assert_eq!(item_size(&item), 2 + 6 + 1 + 3 + 2 + 1);
        assert_eq!(number_size("1000"), 2, "trailing zeros are trimmed");
        // A list: 3 + (1 + element) per element; a map adds each key.
        assert_eq!(
            value_size(&AttributeValue::L(vec![s("ab"), s("c")])),
            3 + 3 + 2
        );
        let m = AttributeValue::M(HashMap::from([("k".to_string(), s("vv"))]));
        assert_eq!(value_size(&m), 3 + 1 + 1 + 2);
    }

    #[test]
    fn units_round_up_per_4_kb_read_and_1_kb_written() {
        assert_eq!(read_units(0, true), 1.0, "a miss costs the minimum");
        assert_eq!(read_units(4096, true), 1.0);
        assert_eq!(read_units(4097, true), 2.0);
        assert_eq!(read_units(4097, false), 1.0);
        assert_eq!(units(1025, 1024), 2.0);
    }
}
