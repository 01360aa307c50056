//! A checked file kept for a few minutes, so *Import these N changes* after a dry run does not
//! ask for the file again. Sealed by the server for the one session that checked it: the store
//! never holds it in the clear, and no other session can open it.

use crate::domain::{AccountId, Timestamp};
use serde::{Deserialize, Serialize};

/// How long a checked file is kept.
pub const PARKED_FOR_MS: i64 = 10 * 60 * 1000;

/// Largest sealed text kept (DynamoDB holds at most 400 KB in an item): a check with more
/// changes than fit is imported by choosing the file again.
pub const MAX_PARKED_CHARS: usize = 300_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parked {
    pub account: AccountId,
    /// Random: the page holds it, and only the session that sealed `sealed` can open it.
    pub id: String,
    pub sealed: String,
    pub until: Timestamp,
}

impl Parked {
    /// Kept from `now` for [`PARKED_FOR_MS`]; `None` when `sealed` is larger than is kept.
    pub fn new(account: AccountId, id: String, sealed: String, now: Timestamp) -> Option<Self> {
        (sealed.len() <= MAX_PARKED_CHARS).then(|| Parked {
            account,
            id,
            sealed,
            until: Timestamp(now.0 + PARKED_FOR_MS),
        })
    }

    /// Whether it is still kept at `at`.
    pub fn kept_at(&self, at: Timestamp) -> bool {
        at < self.until
    }
}
