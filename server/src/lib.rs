//! The server side of tenantmap: the configuration, the stores, the router, and the
//! command-line tasks.

pub mod aws;
pub mod config;
pub mod drafts;
pub mod export;
#[cfg(feature = "testkit")]
pub mod fake_microsoft;
pub mod jobs;
#[cfg(feature = "testkit")]
pub mod lambda_local;
pub mod limits;
pub mod memory;
pub mod private;
pub mod router;
pub mod startup;
pub mod store;
pub mod tasks;
