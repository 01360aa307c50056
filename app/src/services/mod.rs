//! Use cases that span several store calls (server only): each reads what a rule needs, runs
//! the rule, and applies its changes. Server functions, the scheduled sync and the command line
//! call them; none of them holds HTTP or page concerns.

pub mod accept;
pub mod accounts;
pub mod changes;
pub mod customers;
pub mod discovery;
pub mod jobs;
pub mod operation;
pub mod sync_job;
pub mod user_sync;
