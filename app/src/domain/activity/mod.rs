//! Admin › Activity (SPEC R9): who changed what and when, the views of that log, and *Undo*.

mod entry;
pub mod undo;
mod view;

pub use entry::{AuditEntry, OPERATION};
pub use view::{
    ACTIVITY_BATCH, ACTIVITY_PER_PAGE, ACTIVITY_SCAN, ActivityCursor, ActivityFilter, ActivityKind,
    ActivityPage,
};
