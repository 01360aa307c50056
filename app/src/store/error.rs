//! What a store answers when it refuses or fails.

use crate::domain::{MalformedChange, NameKind};

/// What a store's operations return.
pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A condition failed: a record was changed or deleted since it was read (R8).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A unique name is held by another record (R3); `owner` is that record's id.
    #[error("name taken: {kind:?} {key}")]
    NameTaken {
        kind: NameKind,
        key: String,
        owner: uuid::Uuid,
    },
    /// R5 refused by the store's own condition.
    #[error("not empty: {0}")]
    NotEmpty(String),
    /// The account must keep an active Administrator.
    #[error("last active administrator")]
    LastAdministrator,
    /// A sign-in email is held by another user.
    #[error("email taken: {0}")]
    EmailTaken(String),
    /// A first-run change found an account already there.
    #[error("already installed")]
    AlreadyInstalled,
    /// The change writes one item twice or holds too many writes: a bug in the rule that
    /// built it, refused before anything is written.
    #[error("{0}")]
    Malformed(#[from] MalformedChange),
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The store did not answer in time or refused for load, after its own retries: the
    /// same request may work in a moment.
    #[error("store busy: {0}")]
    Busy(String),
}
