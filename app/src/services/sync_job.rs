//! The Microsoft sync job, as a use case: take the account's lease, list its tenants
//! (`services::customers`, through the Graph adapter), record them as a complete discovery, run Entra ID
//! User Sync for the Syncro Tenants set up for it, and keep the report. Where the job runs is a
//! [`JobRunner`]: this process's runtime (`LocalJobs`), or on AWS an invocation of its own.

use crate::domain::Ctx;
use crate::domain::integration::discovery::DiscoveryAudit;
use crate::domain::integration::sync_job::{self, SyncJob};
use crate::domain::now;
use crate::domain::*;
use crate::error::AppError;
use crate::microsoft::Microsoft;
use crate::services::customers::{self, Progress};
use crate::services::discovery;
pub use crate::services::jobs::JobRunner;
use crate::store::prelude::*;
use futures::StreamExt;

/// One sync of an account, in this task: lists its tenants from Microsoft and records them
/// (complete, so tenants Microsoft no longer lists are marked removed). Never fails: a failure
/// to list at all, or of the store part-way, changes no more tenants and is the report's error.
#[tracing::instrument(skip_all, fields(%account, job = %job.id))]
async fn collect(
    store: &dyn Store,
    ms: &Microsoft,
    account: &AccountId,
    job: &SyncJob,
    progress: &Progress,
) -> SyncReport {
    let mut report = SyncReport {
        started_at: job.started_at,
        finished_at: job.started_at,
        trigger: job.trigger.clone(),
        error: None,
        added: 0,
        updated: 0,
        removed: 0,
        failures: Vec::new(),
        failure_count: 0,
    };
    let listed = async {
        let integration = store
            .integration(account)
            .await
            .map_err(|e| AppError::internal(e).to_string())?
            .ok_or("Connect the Microsoft integration first")?;
        let secret = ms.key().map_err(|e| e.to_string())?.open(
            account,
            integration.client_id,
            &integration.secret,
        )?;
        let graph = ms
            .customers(&integration, &secret)
            .await
            .map_err(|e| e.to_string())?;
        let tenants = customers::list(&graph, integration.mode, progress)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>((integration, tenants))
    };
    match listed.await {
        Ok((integration, tenants)) => {
            let at = now();
            report.failures = tenants
                .iter()
                .filter_map(|t| {
                    Some(TenantFailure {
                        tenant_id: t.tenant_id,
                        display_name: t.display_name.clone(),
                        failure: t.failure.clone()?,
                    })
                })
                .collect();
            report.failure_count = report.failures.len();
            report.failures.truncate(SyncReport::MAX_FAILURES);
            let audit = DiscoveryAudit {
                action: "microsoft_tenant.sync",
                summary: format!(
                    "Synced {} Microsoft Tenants from Microsoft ({}); {} could not be read fully",
                    tenants.len(),
                    integration.mode.label(),
                    report.failure_count
                ),
            };
            let ctx = Ctx {
                actor: job.actor.clone(),
                now: at,
                audit_id: uuid::Uuid::new_v4().to_string(),
            };
            // A store failure part-way is reported like a Microsoft one: the parts recorded
            // stay, and the next sync finishes the rest.
            match discovery::record(store, account, &ctx, audit, tenants, Coverage::Complete).await
            {
                Ok(outcome) => {
                    report.added = outcome.added;
                    report.updated = outcome.updated;
                    report.removed = outcome.removed;
                    sync_users(store, ms, account, job).await;
                }
                Err(stopped) => report.error = Some(AppError::from(stopped).to_string()),
            }
        }
        Err(e) => {
            tracing::warn!(%account, error = %e, "a Microsoft sync could not list the tenants");
            report.error = Some(e);
        }
    }
    report.finished_at = now();
    report
}

/// Entra ID User Sync of every Syncro Tenant set up (and applied) for it, after the tenants
/// are recorded: each run reads its tenant's changes and keeps its own report (shown on the
/// Syncro Tenant's page), so one tenant's failure never stops the others.
#[tracing::instrument(skip_all, fields(%account, job = %job.id))]
async fn sync_users(store: &dyn Store, ms: &Microsoft, account: &AccountId, job: &SyncJob) {
    let settings = match store.user_syncs(account).await {
        Ok(all) => all,
        Err(e) => {
            tracing::warn!(%account, error = %e, "user syncs not read");
            return;
        }
    };
    let req = crate::services::user_sync::RunRequest {
        trigger: job.trigger.clone(),
        actor: job.actor.clone(),
        preview: false,
        full: false,
        past_the_brake: false,
    };
    futures::stream::iter(settings.into_iter().filter(|s| s.approved_at.is_some()))
        .for_each_concurrent(ms.config.concurrency.max(1), |s| {
            let req = &req;
            async move {
                let st = match store.syncro_tenant(account, s.syncro_tenant).await {
                    Ok(Some(st)) if st.microsoft_tenant.is_some() => st,
                    _ => return,
                };
                let r = crate::services::user_sync::run(store, ms, account, &st, &s, req).await;
                tracing::info!(%account, syncro_tenant = %st.id, summary = %r.report.summary(), error = ?r.report.error, "user sync ran");
            }
        })
        .await;
}

/// Takes the account's sync lease for a new job, unless a sync is running (then the error
/// says whose, since when, and how far it got).
#[tracing::instrument(skip(store), fields(%account))]
pub async fn start_job(
    store: &dyn Store,
    account: &AccountId,
    trigger: &str,
    actor: &str,
) -> Result<SyncJob, AppError> {
    let ctx = Ctx {
        actor: actor.to_string(),
        now: now(),
        audit_id: uuid::Uuid::new_v4().to_string(),
    };
    let job = SyncJob::new(&ctx, trigger);
    for _ in 0..2 {
        let current = store.sync_job(account).await?;
        let change = sync_job::start(&ctx, current.as_ref(), job.clone())?;
        match store.apply(account, change).await {
            Ok(()) => return Ok(job),
            // Another start won in between: read it again, to say so.
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(AppError::internal(e)),
        }
    }
    Err(AppError::InUse {
        message: "A sync with Microsoft is starting right now. Wait for it to finish.".into(),
    })
}

/// Runs a started job to its end: the sync, its progress written every
/// [`sync_job::HEARTBEAT_MS`] (which keeps the lease), then the report and the finished job in
/// one change. A job that lost its lease (another took over after it fell silent) stops
/// writing progress and its report is dropped.
#[tracing::instrument(skip_all, fields(%account, job = %job.id))]
pub async fn run_job(
    store: &dyn Store,
    ms: &Microsoft,
    account: &AccountId,
    job: SyncJob,
) -> SyncReport {
    let progress = Progress::default();
    let work = collect(store, ms, account, &job, &progress);
    tokio::pin!(work);
    let beat = std::time::Duration::from_millis(sync_job::HEARTBEAT_MS as u64);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + beat, beat);
    let report = loop {
        tokio::select! {
            report = &mut work => break report,
            _ = tick.tick() => {
                let mut now_job = progress.applied_to(&job);
                now_job.heartbeat_at = now();
                if let Err(e) = store.apply(account, sync_job::progress(&now_job)).await {
                    tracing::warn!(%account, job = %job.id, error = %e, "sync progress not written");
                }
            }
        }
    };
    let done = progress.applied_to(&job);
    let finish = sync_job::finish(&done, report.clone(), now());
    if let Err(e) = store.apply(account, finish).await {
        tracing::warn!(%account, job = %job.id, error = %e, "sync finished after losing its lease; report dropped");
    }
    report
}

/// One sync now, in this task, under the lease (the command line, tests, the bench).
#[tracing::instrument(skip(store, ms), fields(%account))]
pub async fn sync_account(
    store: &dyn Store,
    ms: &Microsoft,
    account: &AccountId,
    trigger: &str,
    actor: &str,
) -> Result<SyncReport, AppError> {
    let job = start_job(store, account, trigger, actor).await?;
    Ok(run_job(store, ms, account, job).await)
}

/// Runs jobs as tasks on this process's runtime (`server serve`, tests).
pub struct LocalJobs {
    pub store: std::sync::Arc<dyn Store>,
    pub microsoft: std::sync::Arc<Microsoft>,
}

#[async_trait::async_trait]
impl JobRunner for LocalJobs {
    async fn launch(&self, account: &AccountId, job: SyncJob) -> Result<(), String> {
        let (store, ms, account) = (self.store.clone(), self.microsoft.clone(), account.clone());
        tokio::spawn(async move {
            let report = run_job(&*store, &ms, &account, job).await;
            tracing::info!(%account, error = ?report.error, added = report.added, "sync job finished");
        });
        Ok(())
    }
}

/// Starts a job and hands it to `runner`; a job that cannot be launched is finished at once
/// with the reason, so its lease is not held for nothing.
#[tracing::instrument(skip(store, runner), fields(%account))]
pub async fn launch_job(
    store: &dyn Store,
    runner: &dyn JobRunner,
    account: &AccountId,
    trigger: &str,
    actor: &str,
) -> Result<SyncJob, AppError> {
    let job = start_job(store, account, trigger, actor).await?;
    tracing::info!(%account, job = %job.id, %trigger, "sync job started");
    if let Err(why) = runner.launch(account, job.clone()).await {
        let at = now();
        let report = SyncReport {
            started_at: job.started_at,
            finished_at: at,
            trigger: job.trigger.clone(),
            error: Some(format!("The sync could not be started: {why}")),
            added: 0,
            updated: 0,
            removed: 0,
            failures: Vec::new(),
            failure_count: 0,
        };
        let _ = store
            .apply(account, sync_job::finish(&job, report, at))
            .await;
        return Err(AppError::internal(why));
    }
    Ok(job)
}

/// The schedule: one job per connected account, each launched on its own (on AWS, its own
/// invocation), so a large account never starves the others. An account whose sync is still
/// running is skipped. Returns how many jobs were launched.
#[tracing::instrument(skip_all)]
pub async fn sync_all(store: &dyn Store, runner: &dyn JobRunner) -> Result<usize, AppError> {
    let accounts = store.connected_accounts().await?;
    let mut launched = 0;
    for account in &accounts {
        match launch_job(store, runner, account, "Scheduled", "Scheduled sync").await {
            Ok(_) => launched += 1,
            Err(e) => tracing::warn!(%account, error = %e, "scheduled sync not started"),
        }
    }
    tracing::info!(
        accounts = accounts.len(),
        launched,
        "scheduled Microsoft syncs launched"
    );
    Ok(launched)
}
