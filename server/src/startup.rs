//! One start-up path. `server serve`, the Lambda, the tests and the bench assemble the
//! server's state here from what they opened (store, Microsoft client, where jobs run) and the
//! configuration; then `router::router` serves it.

use crate::config::Config;
use app::api::site::Site;
use app::microsoft::Microsoft;
use app::services::sync_job::{JobRunner, LocalJobs};
use app::state::AppState;
use app::store::Store;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

/// What the server is built from besides its configuration.
pub struct Deps {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    pub microsoft: Arc<Microsoft>,
    /// Where Microsoft sync jobs run: `None` for this process's runtime (on AWS, an invocation
    /// of the Lambda of its own: `jobs::lambda::LambdaJobs`).
    pub jobs: Option<Arc<dyn JobRunner>>,
}

/// The state for `site`, with the default bounds on password hashes and uploads.
pub fn state(site: Site, deps: Deps) -> AppState {
    // Password checks' 19 MiB blocks are returned when freed (`memory`).
    crate::memory::return_large_frees();
    let Deps {
        leptos_options,
        store,
        microsoft,
        jobs,
    } = deps;
    let jobs = jobs.unwrap_or_else(|| {
        Arc::new(LocalJobs {
            store: store.clone(),
            microsoft: microsoft.clone(),
        })
    });
    AppState {
        leptos_options,
        store,
        microsoft,
        jobs,
        hashing: Default::default(),
        uploads: Default::default(),
        site: Arc::new(site),
    }
}

/// The server as configured: the process-wide settings (asset hashes, HTTPS cookies) set once,
/// and the state with the configured site and a setup token for this run.
pub fn build(config: &Config, deps: Deps) -> AppState {
    app::set_asset_hashes(&deps.leptos_options);
    app::auth::force_https(config.secure_cookies);
    state(config.site_with_setup_token(), deps)
}

/// A state on this process for tests and the bench: the site's defaults, jobs run here.
pub fn local(
    leptos_options: LeptosOptions,
    store: Arc<dyn Store>,
    microsoft: Arc<Microsoft>,
) -> AppState {
    state(
        Site::default(),
        Deps {
            leptos_options,
            store,
            microsoft,
            jobs: None,
        },
    )
}
