//! The Microsoft integration (SPEC: Admin › Microsoft Integration): how an account is
//! connected, a sync as a job with a lease, and what a sync or a tenant CSV discovered turned
//! into writes. The client that talks to Graph lives in `crate::microsoft` (server only).

pub mod discovery;
mod records;
pub mod sync_job;
pub mod tenant_import;

pub use discovery::DiscoveryOutcome;
pub use records::{
    ClientSecret, Coverage, GdapAccess, Integration, IntegrationMode, SealedSecret, SyncFailure,
    SyncReport, TenantFailure, connect, disconnect, replace_secret,
};
