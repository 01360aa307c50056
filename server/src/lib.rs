//! The server side of tenantmap: the stores, the router, and the command-line tasks.

#[cfg(feature = "testkit")]
pub mod fake_microsoft;
pub mod lambda_jobs;
#[cfg(feature = "testkit")]
pub mod lambda_local;
pub mod router;
pub mod store;
pub mod tasks;
