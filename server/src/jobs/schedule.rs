//! The local server's timer for Microsoft syncs (on AWS, an EventBridge schedule invokes the
//! Lambda instead: `template.yaml`).

use app::store::Store;

/// The local server's scheduled sync: every `every`, each connected account (the first run
/// one interval after start). `None` turns it off.
pub fn schedule_syncs(
    store: std::sync::Arc<dyn Store>,
    jobs: std::sync::Arc<dyn app::services::sync_job::JobRunner>,
    every: Option<std::time::Duration>,
) {
    let Some(every) = every else {
        tracing::info!("scheduled Microsoft syncs are off (TENANTMAP_SYNC_MINUTES=0)");
        return;
    };
    tokio::spawn(async move {
        let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            if let Err(e) = app::services::sync_job::sync_all(&*store, &*jobs).await {
                tracing::warn!(error = %e, "the scheduled Microsoft sync failed");
            }
        }
    });
}
