//! Admin > RMM Settings - Microsoft Tenant Integrations: connect (Single Tenant or CSP),
//! replace the client secret, disconnect, and *Sync Now*. Administrators only.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::domain::{
        ClientId, ClientSecret, Integration, IntegrationMode, MicrosoftTenantId, Version,
        integration,
    },
    crate::error::ResultExt,
    crate::services::changes::apply,
    crate::state::state,
};

/// The integration page: how the account is connected, and what the last sync did. Never
/// carries the client secret, sealed or not.
#[server(prefix = "/api", endpoint = "microsoft-integration")]
pub async fn microsoft_integration() -> Result<IntegrationView, AppError> {
    let (caller, store) = admin().await?;
    let integration = store.integration(&caller.account).await?;
    // The job before its report: a job that finishes between the two reads is then seen
    // with its report, so finished — never neither, which would leave the page with no report
    // and nothing to wait for, nor both, which would hide Sync Now until the next reload.
    let job = store.sync_job(&caller.account).await?;
    let report = store.sync_report(&caller.account).await?;
    let now = crate::domain::now();
    // After a sync, what is waiting: the matcher's result is kept per change, so this is
    // computed once for the page and Suggestions alike.
    let suggestions = match &report {
        Some(r) if r.error.is_none() => store.suggestions(&caller.account).await?,
        _ => Vec::new(),
    };
    let suggestions_high = suggestions
        .iter()
        .filter(|s| s.confidence == crate::domain::mapping::suggest::Confidence::High)
        .count();
    Ok(IntegrationView {
        suggestions_high,
        suggestions_other: suggestions.len() - suggestions_high,
        connection: integration.as_ref().map(ConnectionView::new),
        last_sync: report.as_ref().map(SyncReportView::new),
        running: job
            .filter(|j| j.is_running_given(now, report.as_ref()))
            .as_ref()
            .map(SyncJobView::new),
    })
}

/// The sync running now, if any: what the integration page looks at while one runs.
#[server(prefix = "/api", endpoint = "sync-progress")]
pub async fn sync_progress() -> Result<Option<SyncJobView>, AppError> {
    let (caller, store) = admin().await?;
    let job = store.sync_job(&caller.account).await?;
    Ok(job
        .filter(|j| j.is_running(crate::domain::now()))
        .as_ref()
        .map(SyncJobView::new))
}

/// Checks the credentials with Microsoft (a token for the directory) before anything is saved:
/// a wrong ID or secret is refused here, with Microsoft's reason, and nothing is stored.
#[cfg(feature = "ssr")]
async fn check_credentials(
    directory: MicrosoftTenantId,
    client: ClientId,
    secret: &ClientSecret,
) -> Result<(), AppError> {
    let ms = state()?.microsoft;
    ms.key()?;
    // A mistyped ID or secret is the administrator's to fix, under its field (422); anything
    // else is Microsoft's answer (502).
    ms.token(directory, client, secret)
        .await
        .map(|_| ())
        .map_err(|e| match e.field() {
            Some(field) => AppError::validation(field, e.to_string()),
            None => AppError::Integration {
                message: e.to_string(),
            },
        })
}

/// *Connect*. An account has one integration, in one mode: connecting again (in either mode)
/// is refused with what to do instead.
#[server(prefix = "/api", endpoint = "connect-microsoft")]
pub async fn connect_microsoft(
    mode: String,
    directory_tenant: String,
    client_id: String,
    client_secret: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let mut p = crate::domain::Problems::default();
    let mode = p.check(IntegrationMode::parse(&mode));
    let directory = p.check(MicrosoftTenantId::parse(&directory_tenant).map_err(|_| {
        crate::domain::DomainError::invalid(
            "directory_tenant",
            "The Directory (tenant) ID is a GUID, such as 72f988bf-86f1-41af-91ab-2d7cd011db47",
        )
    }));
    let client = p.check(ClientId::parse(&client_id));
    let secret = p.check(ClientSecret::parse(&client_secret));
    let (mode, (directory, (client, secret))) =
        p.finish_with(mode.zip(directory.zip(client.zip(secret))))?;
    let existing = store.integration(&caller.account).await?;
    let ctx = caller.ctx();
    let sealed = state()?
        .microsoft
        .key()?
        .seal(&caller.account, client, &secret);
    let new = Integration {
        mode,
        directory_tenant: directory,
        client_id: client,
        secret: sealed,
        secret_set_at: ctx.now,
        connected_at: ctx.now,
        connected_by: caller.actor.clone(),
        version: Version(1),
    };
    // The rule first (one mode at a time), then Microsoft, then the store.
    let change = integration::connect(&ctx, existing.as_ref(), new)?;
    check_credentials(directory, client, &secret).await?;
    apply(&*store, &caller.account, change, "").await?;
    crate::status::say(format!(
        "Connected as {}. Sync Now reads your Microsoft Tenants.",
        mode.label()
    ));
    leptos_axum::redirect("/admin/microsoft-integration");
    Ok(())
}

/// *Replace secret*: a new client secret (and client ID, if the app registration changed).
#[server(prefix = "/api", endpoint = "replace-microsoft-secret")]
pub async fn replace_microsoft_secret(
    version: String,
    client_id: String,
    client_secret: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let expected = Version::parse(&version)?;
    let client = ClientId::parse(&client_id)?;
    let secret = ClientSecret::parse(&client_secret)?;
    let cur = store
        .integration(&caller.account)
        .await
        .found_at(expected)?;
    check_credentials(cur.directory_tenant, client, &secret).await?;
    let sealed = state()?
        .microsoft
        .key()?
        .seal(&caller.account, client, &secret);
    let change = integration::replace_secret(&caller.ctx(), &cur, expected, client, sealed);
    apply(&*store, &caller.account, change, "").await?;
    crate::status::say("Replaced the client secret; Microsoft accepted it.");
    leptos_axum::redirect("/admin/microsoft-integration");
    Ok(())
}

/// *Disconnect*: the Microsoft Tenants and their mappings stay, shown as no longer synced.
#[server(prefix = "/api", endpoint = "disconnect-microsoft")]
pub async fn disconnect_microsoft(version: String) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let expected = Version::parse(&version)?;
    let cur = store
        .integration(&caller.account)
        .await
        .found_at(expected)?;
    let change = integration::disconnect(&caller.ctx(), &cur, expected);
    apply(&*store, &caller.account, change, "").await?;
    crate::status::say("Disconnected. The Microsoft Tenants and their mappings are kept.");
    leptos_axum::redirect("/admin/microsoft-integration");
    Ok(())
}

/// *Sync Now*: starts a sync job (outside this request: on this server's runtime, or on AWS
/// an invocation of its own) and answers at once with it; the integration page shows its
/// progress and then its report. Refused while a sync of the account is running. Without
/// JavaScript the browser goes back to `back`.
#[server(prefix = "/api", endpoint = "sync-microsoft")]
pub async fn sync_microsoft(back: String) -> Result<SyncJobView, AppError> {
    let (caller, store) = admin().await?;
    store.integration(&caller.account).await?.ok_or_else(|| {
        AppError::validation("integration", "Connect the Microsoft integration first")
    })?;
    let jobs = state()?.jobs;
    let job = crate::services::sync_job::launch_job(
        &*store,
        &*jobs,
        &caller.account,
        &format!("Sync Now by {}", caller.actor),
        &caller.actor,
    )
    .await?;
    crate::status::say("Started a sync with Microsoft.");
    if super::http::accepts_html().await {
        leptos_axum::redirect(&super::safe_back(&back, "/admin/microsoft-integration"));
    }
    Ok(SyncJobView::new(&job))
}
