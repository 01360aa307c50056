//! A Microsoft sync as a job: it runs outside the web request that started it, reports its
//! progress, and holds a lease so one account never runs two syncs at once.
//!
//! The lease is the account's one job record. Starting a sync replaces the record only when
//! the job read is finished or abandoned (no heartbeat for [`LEASE_MS`]: its Lambda or server
//! died), with a condition on that job's id and heartbeat, so of two starters only one wins. A
//! running job writes its progress (and so its heartbeat) every few seconds, only while the
//! record is still its own; its last change writes the sync report and finishes the job.

use crate::domain::{ChangeSet, Ctx, DomainError, SyncReport, Timestamp, Write};
use serde::{Deserialize, Serialize};

/// A job silent this long is abandoned and another may start.
pub const LEASE_MS: i64 = 2 * 60 * 1000;
/// How often a running job writes its progress.
pub const HEARTBEAT_MS: i64 = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncJob {
    pub id: String,
    /// "Sync Now by someone@example.com" or "Scheduled".
    pub trigger: String,
    pub actor: String,
    pub started_at: Timestamp,
    pub heartbeat_at: Timestamp,
    /// Customers read so far, of `customers_total` (0 while Microsoft's lists are being read).
    pub customers_done: usize,
    pub customers_total: usize,
    /// Customers that could not be read fully so far.
    pub failures: usize,
    #[serde(default)]
    pub finished_at: Option<Timestamp>,
}

impl SyncJob {
    pub fn new(ctx: &Ctx, trigger: &str) -> Self {
        SyncJob {
            id: ctx.audit_id.clone(),
            trigger: trigger.to_string(),
            actor: ctx.actor.clone(),
            started_at: ctx.now,
            heartbeat_at: ctx.now,
            customers_done: 0,
            customers_total: 0,
            failures: 0,
            finished_at: None,
        }
    }

    /// Still running at `now`: not finished, and heard from within the lease.
    pub fn is_running(&self, now: Timestamp) -> bool {
        self.finished_at.is_none() && now.0 - self.heartbeat_at.0 < LEASE_MS
    }

    /// Still running at `now` as far as a reader of the job, then of the last report, can
    /// tell: a report of this job (the same start) means it finished between the two reads.
    pub fn is_running_given(&self, now: Timestamp, report: Option<&SyncReport>) -> bool {
        self.is_running(now) && report.is_none_or(|r| r.started_at != self.started_at)
    }

    /// "started 14:03 UTC by …; 340 of 5,000 customers read, 3 could not be read so far".
    pub fn progress(&self) -> String {
        let read = if self.customers_total == 0 {
            "reading Microsoft's lists".to_string()
        } else {
            format!(
                "{} of {} customers read",
                self.customers_done, self.customers_total
            )
        };
        let failures = match self.failures {
            0 => String::new(),
            1 => ", 1 could not be read so far".into(),
            n => format!(", {n} could not be read so far"),
        };
        format!(
            "{} ({}); {read}{failures}",
            self.trigger,
            self.started_at.display()
        )
    }
}

/// What a [`Write::PutSyncJob`] requires of the job record it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lease {
    /// No job yet.
    Free,
    /// The finished or abandoned job that was read, unchanged since (same id and heartbeat).
    Replace { id: String, heartbeat_at: Timestamp },
    /// The job's own record (progress, finish): refused once another job took over.
    Held { id: String },
}

/// Starts `job` unless another sync of the account is running at `ctx.now`.
pub fn start(ctx: &Ctx, current: Option<&SyncJob>, job: SyncJob) -> Result<ChangeSet, DomainError> {
    let lease = match current {
        Some(cur) if cur.is_running(ctx.now) => {
            return Err(DomainError::InUse(format!(
                "A sync with Microsoft is already running: {}. Wait for it to finish.",
                cur.progress()
            )));
        }
        Some(cur) => Lease::Replace {
            id: cur.id.clone(),
            heartbeat_at: cur.heartbeat_at,
        },
        None => Lease::Free,
    };
    let mut c = ChangeSet::default();
    c.push(Write::PutSyncJob { job, lease });
    Ok(c)
}

/// The job's progress (and heartbeat), while it is still the account's job.
pub fn progress(job: &SyncJob) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(Write::PutSyncJob {
        job: job.clone(),
        lease: Lease::Held { id: job.id.clone() },
    });
    c
}

/// The job's end: its report and the finished job, in one change.
pub fn finish(job: &SyncJob, report: SyncReport, at: Timestamp) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(Write::PutSyncReport(report));
    c.push(Write::PutSyncJob {
        job: SyncJob {
            finished_at: Some(at),
            heartbeat_at: at,
            ..job.clone()
        },
        lease: Lease::Held { id: job.id.clone() },
    });
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn ctx(now: i64) -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(now),
            audit_id: format!("job-{now}"),
        }
    }

    #[test]
    fn one_sync_at_a_time_until_it_finishes_or_goes_silent() {
        let first = SyncJob::new(&ctx(1_000), "Sync Now by admin@msp.example");
        let c = start(&ctx(1_000), None, first.clone()).unwrap();
        assert!(matches!(
            &c.writes()[0],
            Write::PutSyncJob {
                lease: Lease::Free,
                ..
            }
        ));

        let err = start(
            &ctx(5_000),
            Some(&first),
            SyncJob::new(&ctx(5_000), "Scheduled"),
        );
        let Err(DomainError::InUse(message)) = err else {
            panic!("a second start while one runs is refused: {err:?}")
        };
        assert!(message.contains("already running"), "{message}");
        assert!(message.contains("reading Microsoft's lists"), "{message}");

        // Silent past the lease: abandoned, replaced only as it was read.
        let late = 1_000 + LEASE_MS;
        let c = start(
            &ctx(late),
            Some(&first),
            SyncJob::new(&ctx(late), "Scheduled"),
        )
        .unwrap();
        assert!(
            matches!(&c.writes()[0], Write::PutSyncJob { lease: Lease::Replace { id, .. }, .. } if *id == first.id)
        );

        // Finished: a new one may start at once.
        let done = SyncJob {
            finished_at: Some(Timestamp(2_000)),
            ..first
        };
        assert!(start(&ctx(2_001), Some(&done), SyncJob::new(&ctx(2_001), "x")).is_ok());
    }

    #[test]
    fn a_job_read_running_whose_report_is_already_written_has_finished() {
        let job = SyncJob::new(&ctx(1_000), "Scheduled");
        let report = |started_at| SyncReport {
            started_at: Timestamp(started_at),
            finished_at: Timestamp(1_500),
            trigger: "Scheduled".into(),
            error: None,
            added: 6,
            updated: 0,
            removed: 0,
            failures: vec![],
            failure_count: 0,
        };
        assert!(job.is_running_given(Timestamp(1_600), None));
        assert!(job.is_running_given(Timestamp(1_600), Some(&report(500))));
        assert!(!job.is_running_given(Timestamp(1_600), Some(&report(1_000))));
    }

    #[test]
    fn progress_reads_as_a_sentence() {
        let mut job = SyncJob::new(&ctx(0), "Scheduled");
        job.customers_total = 5_000;
        job.customers_done = 340;
        job.failures = 3;
        assert_eq!(
            job.progress(),
            "Scheduled (1970-01-01 00:00 UTC); 340 of 5000 customers read, 3 could not be read so far"
        );
    }
}
