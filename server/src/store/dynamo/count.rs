//! Counting DynamoDB requests: cost is part of correctness (each user action one write request,
//! each page a few reads, never one per row). Attach a [`RequestCounter`] to the SDK client
//! and read what each call made.

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Requests by operation name (`GetItem`, `TransactWriteItems`, …), as sent (retries aside).
#[derive(Clone, Debug, Default)]
pub struct RequestCounter(Arc<Mutex<BTreeMap<String, u32>>>);

const WRITES: [&str; 5] = [
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "TransactWriteItems",
    "BatchWriteItem",
];

/// What one call made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requests(pub BTreeMap<String, u32>);

impl Requests {
    pub fn writes(&self) -> u32 {
        self.0
            .iter()
            .filter(|(op, _)| WRITES.contains(&op.as_str()))
            .map(|(_, n)| n)
            .sum()
    }
    pub fn reads(&self) -> u32 {
        self.0.values().sum::<u32>() - self.writes()
    }
}

impl std::fmt::Display for Requests {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(op, n)| format!("{op} {n}")).collect();
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
        Requests(std::mem::take(
            &mut *self.0.lock().unwrap_or_else(|e| e.into_inner()),
        ))
    }
}

impl Intercept for RequestCounter {
    fn name(&self) -> &'static str {
        "RequestCounter"
    }

    // Once per operation (retries are not counted), after the operation's own configuration —
    // which names it — is in place.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let op = cfg
            .load::<Metadata>()
            .map(|m| m.name().to_string())
            .unwrap_or_else(|| "Unnamed".into());
        *self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(op)
            .or_default() += 1;
        Ok(())
    }
}
