//! Where Microsoft sync jobs run and when: on AWS each job is an invocation of the Lambda
//! itself (`lambda`); the local server runs them on its own runtime on a timer (`schedule`).
//! The job itself is the use case `app::services::sync_job`.

pub mod lambda;
mod schedule;

pub use schedule::schedule_syncs;
