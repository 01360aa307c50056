//! On AWS a Microsoft sync job runs in an invocation of its own: the function invokes itself
//! asynchronously (`InvocationType=Event`) with the job's account and id, so *Sync Now* answers
//! at once and the job outlives the request, and the schedule fans out one invocation per
//! connected account (template.yaml grants the function `lambda:InvokeFunction` on itself).
//!
//! A Function URL wraps every HTTP request in an event of its own shape, so no web caller can
//! send a [`JobEvent`]; and the invocation runs the job only while it is still the account's
//! running job (its lease).

use app::domain::AccountId;
use app::domain::integration::sync_job::SyncJob;
use app::microsoft::Microsoft;
use app::services::sync_job::JobRunner;
use app::store::Store;
use aws_sdk_lambda::error::DisplayErrorContext;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use serde::{Deserialize, Serialize};

/// The event of a job's own invocation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobEvent {
    pub tenantmap_job: JobRef,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobRef {
    pub account: String,
    pub id: String,
}

/// Launches jobs as asynchronous invocations of `function` (this function).
pub struct LambdaJobs {
    client: aws_sdk_lambda::Client,
    function: String,
}

impl LambdaJobs {
    /// `function` is the name Lambda gives the running function (`AWS_LAMBDA_FUNCTION_NAME`).
    pub fn new(conf: &aws_config::SdkConfig, function: String) -> Self {
        LambdaJobs {
            client: aws_sdk_lambda::Client::new(conf),
            function,
        }
    }
}

#[async_trait::async_trait]
impl JobRunner for LambdaJobs {
    async fn launch(&self, account: &AccountId, job: SyncJob) -> Result<(), String> {
        let event = JobEvent {
            tenantmap_job: JobRef {
                account: account.to_string(),
                id: job.id,
            },
        };
        let payload = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
        self.client
            .invoke()
            .function_name(&self.function)
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(payload))
            .send()
            .await
            .map_err(|e| DisplayErrorContext(&e).to_string())?;
        Ok(())
    }
}

/// Runs the job an event names, if it is still the account's running job; says what it did.
pub async fn run(store: &dyn Store, ms: &Microsoft, job: JobRef) -> serde_json::Value {
    let Ok(account) = AccountId::parse(&job.account) else {
        return serde_json::json!({ "skipped": "not an account" });
    };
    let current = match store.sync_job(&account).await {
        Ok(current) => current,
        Err(e) => return serde_json::json!({ "error": e.to_string() }),
    };
    match current {
        Some(current) if current.id == job.id && current.is_running(app::domain::now()) => {
            let report = app::services::sync_job::run_job(store, ms, &account, current).await;
            serde_json::json!({
                "added": report.added,
                "updated": report.updated,
                "removed": report.removed,
                "error": report.error,
            })
        }
        _ => serde_json::json!({ "skipped": "the job is no longer running" }),
    }
}
