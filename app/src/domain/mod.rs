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
pub use names::{ContactDetails, NameKind, OrganizationName, SyncroTenantName, name_key};
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
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }
}
