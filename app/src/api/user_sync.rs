//! Entra ID User Sync on a Syncro Tenant's page: its setup (filters, routing rules), the
//! preview, applying it, and *Sync Now*. Changing or running it is for Administrators; the
//! preview reads the customer's directory, so it is for Administrators too.

// A server function's arguments are its form's fields, one each (a post without JavaScript
// names them); the setup form has fourteen.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::Caller,
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::end_users::sync::{self, UserKinds, UserSyncReport, UserSyncSettings},
    crate::domain::{OrganizationId, SyncroTenant, SyncroTenantId, Version},
    crate::error::ResultExt,
    crate::services::changes::apply,
    crate::services::changes::current,
    crate::services::user_sync::{RunRequest, run},
    crate::state::state,
    crate::store::{ParentFilter, Store},
    std::sync::Arc,
};

#[cfg(feature = "ssr")]
fn report_view(r: &UserSyncReport) -> UserSyncReportView {
    UserSyncReportView {
        at: r.at.display(),
        trigger: r.trigger.clone(),
        summary: r.summary(),
        full: r.full,
        skipped: r.skipped,
        not_brought_in: r.not_brought_in.clone(),
        review: r.review.clone(),
        review_count: r.review_count,
        braked: r.braked.clone(),
        error: r.error.clone(),
        notes: r.notes.clone(),
    }
}

/// The Syncro Tenant, its Organizations (at most 100: the rules' choices) and its settings.
#[cfg(feature = "ssr")]
async fn setup_of(
    store: &Arc<dyn Store>,
    caller: &Caller,
    id: &str,
) -> Result<
    (
        SyncroTenant,
        Vec<NamedRef>,
        Option<UserSyncSettings>,
        UserSyncView,
    ),
    AppError,
> {
    let acct = &caller.account;
    let st_id = SyncroTenantId::parse(id)?;
    let st = store.syncro_tenant(acct, st_id).await.found()?;
    let query = ListQuery {
        per_page: 100,
        ..ListQuery::default()
    };
    let orgs: Vec<NamedRef> = store
        .list_organizations(acct, &query, ParentFilter::Only(st.id))
        .await?
        .items
        .iter()
        .map(|o| NamedRef {
            id: o.id.to_string(),
            name: o.name.to_string(),
        })
        .collect();
    let mt = match st.microsoft_tenant {
        Some(t) => store.microsoft_tenant(acct, t).await?,
        None => None,
    };
    let settings = store.user_sync(acct, st.id).await?;
    let state = store.user_sync_state(acct, st.id).await?;
    let connected = store.integration(acct).await?.is_some();
    let s = settings.clone().unwrap_or_else(|| UserSyncSettings {
        syncro_tenant: st.id,
        filters: Default::default(),
        rules: Vec::new(),
        default_organization: None,
        brake_percent: sync::DEFAULT_BRAKE_PERCENT,
        approved_at: None,
        version: Version(0),
        updated_at: Default::default(),
        updated_by: String::new(),
    });
    let join = |v: &[String]| v.join(", ");
    let name_of = |id: OrganizationId| {
        orgs.iter()
            .find(|o| o.id == id.to_string())
            .map_or_else(|| id.to_string(), |o| o.name.clone())
    };
    let view = UserSyncView {
        syncro_tenant: NamedRef {
            id: st.id.to_string(),
            name: st.name.to_string(),
        },
        microsoft_tenant: mt.as_ref().map(NamedRef::from),
        connected,
        organizations: orgs.clone(),
        set_up: settings.is_some(),
        approved: s.approved_at.is_some(),
        version: s.version.0,
        kinds: match s.filters.kinds {
            UserKinds::Members => "members",
            UserKinds::Guests => "guests",
            UserKinds::Both => "both",
        }
        .into(),
        enabled_only: s.filters.enabled_only,
        licensed_only: s.filters.licensed_only,
        exclude_non_people: s.filters.exclude_non_people,
        domains: join(&s.filters.domains),
        departments: join(&s.filters.departments),
        offices: join(&s.filters.offices),
        groups: join(&s.filters.groups),
        rules: s
            .rules
            .iter()
            .map(|r| RuleView {
                field: r.field.key().into(),
                value: r.value.clone(),
                organization: r.organization.to_string(),
            })
            .collect(),
        default_organization: s
            .default_organization
            .map(|o| o.to_string())
            .unwrap_or_default(),
        brake_percent: s.brake_percent,
        shadowed: s
            .shadowed_rules()
            .iter()
            .map(|(first, later)| {
                let r = &s.rules[*later];
                format!(
                    "Rule {} ({} = {} → {}) never applies: rule {} has the same {} and comes first.",
                    later + 1,
                    r.field.label(),
                    r.value,
                    name_of(r.organization),
                    first + 1,
                    r.field.label()
                )
            })
            .collect(),
        last_run: state
            .and_then(|s| s.last_report)
            .as_ref()
            .map(report_view),
    };
    Ok((st, orgs, settings, view))
}

/// The panel on a Syncro Tenant's page: set up, applied, the last run (one read on DynamoDB:
/// the page names the Syncro Tenant and its mapping already).
#[server(prefix = "/api", endpoint = "user-sync-status")]
pub async fn user_sync_status(syncro_tenant: String) -> Result<UserSyncStatusView, AppError> {
    let (caller, store) = caller().await?;
    let st = SyncroTenantId::parse(&syncro_tenant)?;
    let crate::store::UserSyncOverview {
        settings,
        state,
        connected,
    } = store.user_sync_overview(&caller.account, st).await?;
    Ok(UserSyncStatusView {
        connected,
        set_up: settings.is_some(),
        approved: settings.is_some_and(|s| s.approved_at.is_some()),
        last_run: state.and_then(|s| s.last_report).as_ref().map(report_view),
    })
}

#[server(prefix = "/api", endpoint = "user-sync")]
pub async fn user_sync_setup(syncro_tenant: String) -> Result<UserSyncView, AppError> {
    let (caller, store) = caller().await?;
    Ok(setup_of(&store, &caller, &syncro_tenant).await?.3)
}

/// *Save* the setup (`version` 0: the first). Lands on the preview: nothing syncs with new
/// settings until a preview of them is applied.
#[server(prefix = "/api", endpoint = "save-user-sync")]
pub async fn save_user_sync(
    syncro_tenant: String,
    version: String,
    #[server(default)] kinds: String,
    #[server(default)] enabled_only: String,
    #[server(default)] licensed_only: String,
    #[server(default)] exclude_non_people: String,
    #[server(default)] domains: String,
    #[server(default)] departments: String,
    #[server(default)] offices: String,
    #[server(default)] groups: String,
    #[server(default)] rule_field: Vec<String>,
    #[server(default)] rule_value: Vec<String>,
    #[server(default)] rule_org: Vec<String>,
    #[server(default)] default_organization: String,
    #[server(default)] brake_percent: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let expected = Version::parse(&version)?;
    let (st, orgs, existing, _) = setup_of(&store, &caller, &syncro_tenant).await?;
    current(
        expected,
        existing.as_ref().map_or(Version(0), |e| e.version),
    )?;
    let org_ids: Vec<OrganizationId> = orgs
        .iter()
        .filter_map(|o| OrganizationId::parse(&o.id).ok())
        .collect();
    // Empty rows (the form's blank ones) are left out; the three columns go together.
    let rules: Vec<(String, String, String)> = rule_field
        .into_iter()
        .zip(rule_value)
        .zip(rule_org)
        .map(|((f, v), o)| (f, v, o))
        .filter(|(_, v, _)| !v.trim().is_empty())
        .collect();
    let on = |v: &str| !v.is_empty() && v != "false";
    let parsed = sync::parse_settings(
        &org_ids,
        &kinds,
        on(&enabled_only),
        on(&licensed_only),
        on(&exclude_non_people),
        &domains,
        &departments,
        &offices,
        &groups,
        &rules,
        &default_organization,
        &brake_percent,
    )?;
    let change = sync::save(&caller.ctx(), &st, existing.as_ref(), parsed);
    apply(&*store, &caller.account, change, st.name.as_str()).await?;
    crate::status::say("Saved. Check the preview, then apply it to sync.");
    leptos_axum::redirect(&format!("/syncro-tenants/{}/user-sync/preview", st.id));
    Ok(())
}

/// What applying the saved settings would do now: who would be created, matched, updated,
/// moved, deactivated; nothing is written.
#[server(prefix = "/api", endpoint = "preview-user-sync")]
pub async fn preview_user_sync(syncro_tenant: String) -> Result<UserSyncPreviewView, AppError> {
    let (caller, store) = admin().await?;
    let (st, orgs, settings, setup) = setup_of(&store, &caller, &syncro_tenant).await?;
    let settings = settings.ok_or_else(|| AppError::InUse {
        message: "Set up Entra ID User Sync first.".into(),
    })?;
    let ms = state()?.microsoft;
    let req = RunRequest {
        trigger: format!("Preview by {}", caller.actor),
        actor: caller.actor.clone(),
        preview: true,
        full: true,
        past_the_brake: false,
    };
    let result = run(&*store, &*ms, &caller.account, &st, &settings, &req).await;
    let org_name = |id: Option<OrganizationId>| {
        id.and_then(|id| orgs.iter().find(|o| o.id == id.to_string()))
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    Ok(UserSyncPreviewView {
        setup,
        report: report_view(&result.report),
        people: result
            .people
            .into_iter()
            .map(|p| PreviewPersonView {
                what: p.what,
                name: p.name,
                email: p.email,
                organization: org_name(p.organization),
                changes: p.changes,
            })
            .collect(),
    })
}

/// Runs a sync of `st` now, in this request (one tenant's users), and says what it did.
#[cfg(feature = "ssr")]
async fn run_now(
    store: &Arc<dyn Store>,
    caller: &Caller,
    st: &SyncroTenant,
    settings: &UserSyncSettings,
    trigger: String,
    full: bool,
    past_the_brake: bool,
) -> Result<(), AppError> {
    let ms = state()?.microsoft;
    let req = RunRequest {
        trigger,
        actor: caller.actor.clone(),
        preview: false,
        full,
        past_the_brake,
    };
    let report = run(&**store, &*ms, &caller.account, st, settings, &req)
        .await
        .report;
    crate::status::say(match (&report.error, &report.braked) {
        (Some(e), _) => format!("Entra ID User Sync did not run: {e}"),
        (None, Some(_)) => {
            "Entra ID User Sync stopped before deactivating many people: see below.".into()
        }
        (None, None) => format!("Entra ID User Sync: {}.", report.summary()),
    });
    leptos_axum::redirect(&format!("/syncro-tenants/{}", st.id));
    Ok(())
}

/// *Apply*: the previewed settings (at `version`) are approved and every user is synced now.
#[server(prefix = "/api", endpoint = "apply-user-sync")]
pub async fn apply_user_sync(syncro_tenant: String, version: String) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let expected = Version::parse(&version)?;
    let (st, _, settings, _) = setup_of(&store, &caller, &syncro_tenant).await?;
    let settings = settings.ok_or(AppError::Stale)?;
    current(expected, settings.version)?;
    let approve = sync::approve(&caller.ctx(), &st, &settings);
    apply(&*store, &caller.account, approve, st.name.as_str()).await?;
    let settings = store.user_sync(&caller.account, st.id).await.found()?;
    let trigger = format!("Applied by {}", caller.actor);
    run_now(&store, &caller, &st, &settings, trigger, true, false).await
}

/// *Sync Now* on the Syncro Tenant's page (`past_the_brake`: the Administrator confirms a run
/// the brake held).
#[server(prefix = "/api", endpoint = "sync-users-now")]
pub async fn sync_users_now(
    syncro_tenant: String,
    #[server(default)] past_the_brake: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let (st, _, settings, _) = setup_of(&store, &caller, &syncro_tenant).await?;
    let settings = settings
        .filter(|s| s.approved_at.is_some())
        .ok_or_else(|| AppError::InUse {
            message: "Preview and apply the Entra ID User Sync settings first.".into(),
        })?;
    let confirmed = !past_the_brake.is_empty();
    let trigger = if confirmed {
        format!("Applied anyway by {}", caller.actor)
    } else {
        format!("Sync Now by {}", caller.actor)
    };
    run_now(&store, &caller, &st, &settings, trigger, false, confirmed).await
}
