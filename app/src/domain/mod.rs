//! The shared domain: validated types, records and the rules R1–R5 as plain functions.
//!
//! Everything here compiles for the browser (instant validation) and the server (the real
//! check). Nothing here touches a store: the rules compute a [`ChangeSet`] from the records they
//! are given, and a store applies it atomically or refuses it.

pub mod activity;
pub mod csv_export;
pub mod csv_import;
pub mod discovery;
pub mod end_users;
pub mod group;
mod ids;
pub mod mapping_import;
pub mod microsoft;
mod names;
mod records;
pub mod rules;
pub mod suggest;
pub mod sync_job;
pub mod throttle;
pub mod undo;
pub mod user_sync;
pub mod user_sync_plan;
mod users;

pub use discovery::DiscoveryOutcome;
pub use end_users::{EndUser, EndUserRow};
pub use ids::{
    AccountId, ClientId, EndUserId, MicrosoftTenantId, OrganizationId, SyncroTenantId, UserId,
    Version,
};
pub use microsoft::{
    ClientSecret, Coverage, GdapAccess, Integration, IntegrationMode, SealedSecret, SyncFailure,
    SyncReport, TenantFailure,
};
pub use names::{
    ContactDetails, NameKind, OrganizationName, SyncroTenantName, legacy_name_key, name_key,
    name_keys, sort_key,
};
pub use records::{
    AuditEntry, ChangeSet, DiscoveredTenant, Expect, GDAP_WARNING_DAYS, MalformedChange,
    MicrosoftTenant, Organization, SyncroTenant, Timestamp, VERIFIED_DOMAINS_KEPT, Write,
};
pub use users::*;

use serde::{Deserialize, Serialize};

/// Why input or a requested change was refused by the domain itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum DomainError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{microsoft_tenant} is already mapped to {syncro_tenant}")]
    AlreadyMapped {
        microsoft_tenant: String,
        syncro_tenant: String,
    },
    #[error("{0}")]
    InUse(String),
    /// An account always keeps one active Administrator.
    #[error("the last active Administrator cannot be demoted or disabled")]
    LastAdministrator,
}

impl DomainError {
    /// Input refused, with why; the message is bounded (see [`bounded_message`]).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.to_string(),
            message: bounded_message(message.into()),
        }
    }
}

/// How much of an input an error quotes.
pub const QUOTED_CHARS: usize = 200;

/// At most `max` characters of `text`, with "…" when cut: how an error quotes what was sent,
/// never at the input's own length.
pub fn quote(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The longest message an error carries: room for a sentence and a quoted input.
pub const MESSAGE_MAX_CHARS: usize = 600;

/// A message cut to [`MESSAGE_MAX_CHARS`]: the net under every refusal, so that one quoting
/// its input in full still answers in a few hundred bytes (and fits a redirect's URL).
pub fn bounded_message(message: String) -> String {
    if message.len() <= MESSAGE_MAX_CHARS {
        message
    } else {
        quote(&message, MESSAGE_MAX_CHARS)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn errors_quote_a_little_of_what_was_sent() {
        assert_eq!(super::quote("abc", 2), "ab…");
        assert_eq!(super::quote("abc", 3), "abc");
        assert_eq!(super::quote("äöü", 1), "ä…");
        let long = super::DomainError::invalid("csv", "x".repeat(1_000_000));
        assert!(long.to_string().len() < 2 * super::MESSAGE_MAX_CHARS);
    }
}
