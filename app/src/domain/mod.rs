//! The shared domain: validated types, records and the rules R1–R5 as plain functions.
//!
//! Everything here compiles for the browser (instant validation) and the server (the real
//! check). Nothing here touches a store: the rules compute a [`ChangeSet`] from the records they
//! are given, and a store applies it atomically or refuses it.

#![warn(clippy::wildcard_imports)]

/// The common impls of a checked text type (a `struct $name(String)` with a `parse(&str)` that
/// checks it): `as_str`, into and out of `String` (`TryFrom` parses: serde goes through it with
/// `#[serde(try_from = "String", into = "String")]`, so stored or posted text is checked
/// again), and `Display`.
macro_rules! text_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = $crate::domain::DomainError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $name::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// `impl Kind` for a record named `$name` with a `version` field.
macro_rules! record_kind {
    ($t:ty, $name:literal) => {
        impl $crate::domain::Kind for $t {
            const NAME: &'static str = $name;
            fn version(&self) -> $crate::domain::Version {
                self.version
            }
        }
    };
}

pub mod accounts;
pub mod activity;
pub mod change;
pub mod end_users;
mod ids;
pub mod integration;
pub mod lists;
pub mod mapping;
mod names;
pub mod time;

pub use accounts::{
    ABSOLUTE_LIFETIME_MS, Account, AccountName, Email, IDLE_TIMEOUT_MS, NewUser, Password, Role,
    Session, SessionCheck, SessionEvent, SignInCheck, TOUCH_EVERY_MS, User, UserChange, add_user,
    change_user, check_session, create_account, refusals_to_record, session_event,
};
pub use activity::AuditEntry;
pub use change::{ChangeSet, Ctx, Expect, MalformedChange, Write};
pub use end_users::{EndUser, EndUserRow};
pub use ids::{
    AccountId, ClientId, EndUserId, MicrosoftTenantId, OrganizationId, SyncroTenantId, UserId,
    Version,
};
pub use integration::{
    ClientSecret, Coverage, DiscoveryOutcome, GdapAccess, Integration, IntegrationMode,
    SealedSecret, SyncFailure, SyncReport, TenantFailure,
};
pub use mapping::{
    DiscoveredTenant, GDAP_WARNING_DAYS, MicrosoftTenant, Organization, SyncroTenant,
    VERIFIED_DOMAINS_KEPT,
};
pub use names::{
    ContactDetails, NameKind, OrganizationName, SyncroTenantName, legacy_name_key, name_key,
    name_keys, sort_key,
};
pub use time::Timestamp;
#[cfg(feature = "ssr")]
pub use time::now;

use serde::{Deserialize, Serialize};

/// A kind of record, as the server functions speak of it: what it is called ("The Organization
/// was not found"), said once with the kind, and its version (R8: a form carries the version it
/// was read at).
pub trait Kind {
    const NAME: &'static str;
    fn version(&self) -> Version;
}

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
    /// Several fields of one form refused at once (see [`Problems`]).
    #[error("{}", .0.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join(" "))]
    Fields(Vec<FieldProblem>),
}

/// One field's refusal: which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// Every refusal of a form's fields, collected so a form is parsed whole and all its problems
/// are reported at once (not the first one only): each field's parse goes through
/// [`Problems::check`], then [`Problems::finish`] refuses the form if any failed.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    /// The value, or `None` with its refusal recorded (a refusal that names no field is the
    /// form's).
    pub fn check<T>(&mut self, parsed: Result<T, DomainError>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.record(e);
                None
            }
        }
    }

    fn record(&mut self, e: DomainError) {
        match e {
            DomainError::Invalid { field, message } => self.add(&field, message),
            DomainError::Fields(all) => {
                for p in all {
                    self.add(&p.field, p.message);
                }
            }
            other => self.add("form", other.to_string()),
        }
    }

    /// Records a refusal of `field` (one per field: the first stands).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if !self.0.iter().any(|p| p.field == field) {
            self.0.push(FieldProblem {
                field: field.to_string(),
                message: bounded_message(message.into()),
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `value` (the parsed parts, `Some` when each part parsed) when no field was refused;
    /// otherwise every refusal.
    pub fn finish_with<T>(self, value: Option<T>) -> Result<T, DomainError> {
        self.finish()?;
        value.ok_or_else(|| DomainError::invalid("form", "The form is incomplete"))
    }

    /// `Ok` when no field was refused; otherwise every refusal (one alone as it is).
    pub fn finish(mut self) -> Result<(), DomainError> {
        match self.0.len() {
            0 => Ok(()),
            1 => {
                let p = self.0.remove(0);
                Err(DomainError::Invalid {
                    field: p.field,
                    message: p.message,
                })
            }
            _ => Err(DomainError::Fields(self.0)),
        }
    }
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
    fn a_form_reports_every_field_it_refused() {
        use super::*;
        let mut p = Problems::default();
        let name = p.check(OrganizationName::parse(""));
        let ok = p.check(Email::parse("ann@acme.example"));
        p.check(Err::<(), _>(DomainError::invalid("phone", "Use digits")));
        p.check(Err::<(), _>(DomainError::invalid("phone", "a second one")));
        assert!(name.is_none() && ok.is_some());
        match p.finish() {
            Err(DomainError::Fields(all)) => {
                let fields: Vec<&str> = all.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(fields, ["name", "phone"]);
                assert_eq!(all[1].message, "Use digits");
            }
            other => panic!("{other:?}"),
        }
        let mut one = Problems::default();
        one.add("email", "Enter an email");
        assert_eq!(
            one.finish(),
            Err(DomainError::invalid("email", "Enter an email"))
        );
        assert_eq!(Problems::default().finish(), Ok(()));
    }

    #[test]
    fn errors_quote_a_little_of_what_was_sent() {
        assert_eq!(super::quote("abc", 2), "ab…");
        assert_eq!(super::quote("abc", 3), "abc");
        assert_eq!(super::quote("äöü", 1), "ä…");
        let long = super::DomainError::invalid("csv", "x".repeat(1_000_000));
        assert!(long.to_string().len() < 2 * super::MESSAGE_MAX_CHARS);
    }
}
