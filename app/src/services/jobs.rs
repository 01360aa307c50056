//! Where a started sync job runs (the port [`JobRunner`]): a leaf the server's state can name
//! without depending on the use cases.

use crate::domain::AccountId;
use crate::domain::integration::sync_job::SyncJob;

/// Where a started job runs: on this server's runtime, or (on AWS) in an invocation of its
/// own, so it outlives the request that started it.
#[async_trait::async_trait]
pub trait JobRunner: Send + Sync + 'static {
    async fn launch(&self, account: &AccountId, job: SyncJob) -> Result<(), String>;
}
