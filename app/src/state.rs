//! What the server carries from start-up to every request (server only): the store, the
//! Microsoft client, where sync jobs run, the bounds on password hashes and uploads, and the
//! site's configuration.

use crate::error::AppError;
use crate::store::Store;
use leptos::prelude::*;
use std::sync::Arc;

/// The state the axum router carries and every server function can read.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    /// The Microsoft integration's client (its token cache lives as long as the server).
    pub microsoft: Arc<crate::microsoft::Microsoft>,
    /// Where Microsoft sync jobs run (this runtime, or on AWS an invocation of their own).
    pub jobs: Arc<dyn crate::services::jobs::JobRunner>,
    /// Bounds the password hashes running at once.
    pub hashing: Arc<Hashing>,
    /// Bounds the CSV uploads read at once.
    pub uploads: Arc<Uploads>,
    /// Public origins, the client-address header, the setup token.
    pub site: Arc<crate::api::site::Site>,
}

/// At most `permits` of something costly at once: a request waits up to `wait` for a turn and
/// is otherwise refused with `busy` (a 503) — never queued without end.
struct Bounded {
    permits: tokio::sync::Semaphore,
    wait: std::time::Duration,
    busy: AppError,
}

impl Bounded {
    fn new(permits: usize, wait: std::time::Duration, busy: AppError) -> Self {
        Bounded {
            permits: tokio::sync::Semaphore::new(permits),
            wait,
            busy,
        }
    }

    async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| self.busy.clone())?
            .map_err(AppError::internal)
    }
}

/// Password hashing is deliberately expensive (argon2id, 19 MiB and ~25 ms of a core each), so
/// unbounded it is a way to exhaust a server's memory and CPU without signing in. At most
/// `permits` hashes run at once; a request waits up to `wait` for one and is otherwise refused
/// with `AppError::Busy` (503).
pub struct Hashing(Bounded);

impl Hashing {
    /// 8 at once: 152 MiB at most, within a 512 MB Lambda; more would only queue on the cores.
    pub const DEFAULT_PERMITS: usize = 8;
    /// How long a request waits for a permit before it is refused.
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

    pub fn new(permits: usize, wait: std::time::Duration) -> Self {
        Hashing(Bounded::new(permits, wait, AppError::Busy))
    }

    /// Takes a permit without hashing, as a busy hash would (tests use it to see what a server
    /// at its bound answers).
    pub fn try_hold(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.0.permits.try_acquire().ok()
    }

    /// A permit for one hash, waiting up to `wait` for it; `Busy` when none came.
    pub async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.0.turn().await
    }

    /// Runs `f` (a hash) off the async workers once a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.permit().await?;
        blocking(f).await
    }
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing::new(Self::DEFAULT_PERMITS, Self::WAIT)
    }
}

/// CSV uploads (the two imports) are read whole before they are checked: each holds up to
/// 5 MB while it is read and parsed. At most `permits` are read at once per instance; another
/// waits up to [`Uploads::WAIT`] for a turn and is otherwise answered `ImportsBusy` (503) with
/// its body unread — so many uploads at once cannot take a server's (or a Lambda's) memory.
pub struct Uploads(Bounded);

impl Uploads {
    /// Two at once: ~2 × 1.5 × 5 MB at most (`make bench` measures it), a fraction of a
    /// 512 MB Lambda.
    pub const DEFAULT_PERMITS: usize = 2;
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(3);

    pub fn new(permits: usize, wait: std::time::Duration) -> Self {
        Uploads(Bounded::new(permits, wait, AppError::ImportsBusy))
    }

    /// A turn to read one upload, waiting up to `wait`.
    pub async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.0.turn().await
    }
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads::new(Self::DEFAULT_PERMITS, Self::WAIT)
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The server's state, from the request's context (every server function runs inside one).
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

/// Runs CPU-heavy work (password hashing) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)
}
