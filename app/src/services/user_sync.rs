//! One run of Entra ID User Sync for one Syncro Tenant: reads its Microsoft Tenant's users from
//! Graph (the changes since the kept delta link, or all of them), what the store knows of them,
//! plans with [`plan::plan`], and — unless previewing or braked — applies the parts
//! in order, then keeps the new delta link and the report.
//!
//! A run that stops part-way keeps the old delta link: the next run reads the same changes
//! again, and what was written already is found linked and left as it is.

use crate::domain::Ctx;
use crate::domain::end_users::sync::plan::{self, Known, Outcome, Plan};
use crate::domain::end_users::sync::*;
use crate::domain::now;
use crate::domain::*;
use crate::microsoft::users::{Directories, Directory, Graph};
use crate::microsoft::{GraphError, Microsoft};
use crate::store::prelude::*;
use futures::StreamExt;
use std::collections::HashMap;

/// How a run was asked for.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// "Sync Now by admin@…", "Scheduled", "Applied by admin@…".
    pub trigger: String,
    pub actor: String,
    /// Plan only: nothing is written, not even the delta link.
    pub preview: bool,
    /// Read every user, not only the changes (after the settings changed).
    pub full: bool,
    /// The Administrator confirmed a run the brake held.
    pub past_the_brake: bool,
}

/// A person in a preview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PreviewRow {
    pub name: String,
    pub email: String,
    /// "Create", "Match", "Update", "Move", "Deactivate", "Reactivate".
    pub what: String,
    pub organization: Option<OrganizationId>,
    /// For an End User already here: each field Entra replaces ("Job title: Associate →
    /// Associate Attorney").
    pub changes: Vec<String>,
}

/// What a run did (or would do), and for a preview each person.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub report: UserSyncReport,
    pub people: Vec<PreviewRow>,
}

fn failed(trigger: &str, why: String) -> RunResult {
    RunResult {
        report: UserSyncReport {
            at: now(),
            trigger: trigger.to_string(),
            error: Some(why),
            ..Default::default()
        },
        people: Vec::new(),
    }
}

/// In words, for a tenant's administrator: what to grant when Graph refuses.
fn graph_refusal(e: &GraphError) -> String {
    match e {
        GraphError::Api {
            status: 401 | 403, ..
        } => format!(
            "Microsoft refused to list this tenant's users ({e}). Grant the app User.Read.All (and GroupMember.Read.All for group filters) in the customer's tenant, with admin consent, then sync again."
        ),
        GraphError::Token { .. } => format!(
            "Microsoft refused a token for this tenant: {e} The app needs consent in the customer's tenant (User.Read.All, GroupMember.Read.All)."
        ),
        other => other.to_string(),
    }
}

/// Runs (or previews) the sync of `st` with `settings`. Never fails: a refusal by Microsoft or
/// the store is the report's error (and is kept, unless previewing).
#[tracing::instrument(skip_all, fields(%account, syncro_tenant = %st.id, preview = req.preview))]
pub async fn run(
    store: &dyn Store,
    directories: &dyn Directories,
    account: &AccountId,
    st: &SyncroTenant,
    settings: &UserSyncSettings,
    req: &RunRequest,
) -> RunResult {
    let Some(tenant) = st.microsoft_tenant else {
        return failed(
            &req.trigger,
            "Map this Syncro Tenant to a Microsoft Tenant first.".into(),
        );
    };
    let state = match store.user_sync_state(account, st.id).await {
        Ok(s) => s.filter(|s| s.tenant == tenant),
        Err(e) => return failed(&req.trigger, e.to_string()),
    };
    let mut result = match plan_run(
        store,
        directories,
        account,
        tenant,
        settings,
        state.as_ref(),
        req,
    )
    .await
    {
        Ok(r) => r,
        Err(why) => (failed(&req.trigger, why), None),
    };
    if req.preview {
        return result.0;
    }
    let (plan, delta_link) = match result.1.take() {
        Some(x) => x,
        None => {
            keep(store, account, st.id, tenant, state, &result.0.report).await;
            return result.0;
        }
    };
    let report = &mut result.0.report;
    let base = if report.full {
        plan.linked_active
    } else {
        state
            .as_ref()
            .map_or(plan.linked_active, |s| s.synced_active)
    };
    if !req.past_the_brake
        && let Some(why) = plan.brake(settings.brake_percent, base)
    {
        report.braked = Some(why);
        keep(store, account, st.id, tenant, state, report).await;
        return result.0;
    }
    let ctx = Ctx {
        actor: req.actor.clone(),
        now: report.at,
        audit_id: uuid::Uuid::new_v4().to_string(),
    };
    for change in plan::changes(&ctx, &plan, st) {
        if let Err(e) = store.apply(account, change).await {
            tracing::warn!(%account, syncro_tenant = %st.id, error = %e, "a user sync stopped part-way");
            report.error = Some(format!(
                "The sync stopped part-way ({e}); what it wrote stays, and the next sync finishes it."
            ));
            keep(store, account, st.id, tenant, state, report).await;
            return result.0;
        }
    }
    let active = base + report.created + report.linked + report.reactivated;
    let next = UserSyncState {
        syncro_tenant: st.id,
        tenant,
        delta_link: Some(delta_link),
        synced_active: active.saturating_sub(report.deactivated),
        last_report: Some(report.clone()),
    };
    if let Err(e) = store.apply(account, state_change(next)).await {
        report.error = Some(format!(
            "The sync ran, but its place could not be kept ({e}): the next sync reads the same changes again."
        ));
    }
    result.0
}

fn state_change(state: UserSyncState) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(Write::PutUserSyncState(state));
    c
}

/// Keeps the report of a run that wrote nothing (error, brake), and the old delta link.
async fn keep(
    store: &dyn Store,
    account: &AccountId,
    st: SyncroTenantId,
    tenant: MicrosoftTenantId,
    state: Option<UserSyncState>,
    report: &UserSyncReport,
) {
    let next = UserSyncState {
        last_report: Some(report.clone()),
        ..state.unwrap_or(UserSyncState {
            syncro_tenant: st,
            tenant,
            delta_link: None,
            synced_active: 0,
            last_report: None,
        })
    };
    if let Err(e) = store.apply(account, state_change(next)).await {
        tracing::warn!(%account, syncro_tenant = %st, error = %e, "a user sync report was not kept");
    }
}

type Planned = (RunResult, Option<(Plan, String)>);

async fn plan_run(
    store: &dyn Store,
    directories: &dyn Directories,
    account: &AccountId,
    tenant: MicrosoftTenantId,
    settings: &UserSyncSettings,
    state: Option<&UserSyncState>,
    req: &RunRequest,
) -> Result<Planned, String> {
    let dir = directories.directory(store, account, tenant).await?;
    let from = if req.preview || req.full {
        None
    } else {
        state.and_then(|s| s.delta_link.as_deref())
    };
    let read = dir.users(from).await.map_err(|e| graph_refusal(&e))?;
    let object_ids: Vec<String> = read.users.iter().map(|u| u.object_id.clone()).collect();
    let linked = if read.full {
        store.end_users_linked(account, tenant, None).await
    } else {
        store
            .end_users_linked(account, tenant, Some(&object_ids))
            .await
    }
    .map_err(|e| e.to_string())?;
    let mut known = Known {
        linked: linked
            .into_iter()
            .filter_map(|eu| match &eu.source {
                end_users::EndUserSource::Entra { object_id, .. } => {
                    Some((object_id.clone(), eu.clone()))
                }
                end_users::EndUserSource::Manual => None,
            })
            .collect(),
        ..Known::default()
    };
    // A change that left out what a new End User needs: read that user whole.
    let mut users = Vec::with_capacity(read.users.len());
    for u in read.users {
        if !u.is_complete() && !known.linked.contains_key(&u.object_id) {
            users.push(
                dir.user(&u.object_id)
                    .await
                    .map_err(|e| graph_refusal(&e))?,
            );
        } else {
            users.push(u);
        }
    }
    let mut notes = Vec::new();
    if settings.filters.exclude_non_people {
        purposes(&*dir, &mut users, &known, &mut notes).await;
    }
    let mut addresses: Vec<String> = users
        .iter()
        .filter(|u| !u.removed)
        .flat_map(|u| u.addresses())
        .map(|e| e.as_str().to_string())
        .collect();
    addresses.sort();
    addresses.dedup();
    for eu in store
        .end_users_by_emails(account, &addresses)
        .await
        .map_err(|e| e.to_string())?
    {
        if let Some(e) = &eu.email {
            known.by_email.insert(e.as_str().to_string(), eu.clone());
        }
    }
    let groups: Vec<&String> = settings
        .filters
        .groups
        .iter()
        .chain(
            settings
                .rules
                .iter()
                .filter(|r| r.field == RuleField::Group)
                .map(|r| &r.value),
        )
        .collect();
    for g in groups {
        let members = dir.group_members(g).await.map_err(|e| graph_refusal(&e))?;
        known.groups.insert(g.to_lowercase(), members);
    }
    let mut plan = plan::plan(
        settings,
        tenant,
        users,
        read.full,
        &known,
        now(),
        &mut || EndUserId::from_uuid(uuid::Uuid::new_v4()),
    );
    plan.report.trigger = req.trigger.clone();
    plan.report.notes.splice(0..0, notes);
    if read.resynced {
        plan.report.notes.push(
            "Microsoft no longer knew where the last sync ended, so every user was read again (links kept)."
                .into(),
        );
    }
    let people = plan
        .people
        .iter()
        .map(|(before, after, outcome)| PreviewRow {
            changes: before
                .as_ref()
                .map(|before| {
                    crate::domain::end_users::EndUserField::ALL
                        .iter()
                        .filter_map(|f| {
                            let (was, is) = (before.value(*f), after.value(*f));
                            (was != is).then(|| {
                                let shown = |v: &str| {
                                    if v.is_empty() {
                                        "(empty)".to_string()
                                    } else {
                                        v.to_string()
                                    }
                                };
                                format!("{}: {} → {}", f.label(), shown(&was), shown(&is))
                            })
                        })
                        .collect()
                })
                .unwrap_or_default(),
            name: after.name.clone(),
            email: after
                .email
                .as_ref()
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
            what: match outcome {
                Outcome::Created => "Create",
                Outcome::Linked => "Match",
                Outcome::Updated => "Update",
                Outcome::Moved => "Move",
                Outcome::Deactivated => "Deactivate",
                Outcome::Reactivated => "Reactivate",
            }
            .to_string(),
            organization: Some(after.organization),
        })
        .collect();
    let report = plan.report.clone();
    Ok((RunResult { report, people }, Some((plan, read.delta_link))))
}

/// Asks Microsoft whose mailbox is a person's, for the users who would be brought in for the
/// first time (linked people were asked before). Stops asking at the first refusal: without
/// `MailboxSettings.Read`, shared mailboxes cannot be told apart, and the report says so.
async fn purposes(
    dir: &dyn Directory,
    users: &mut [EntraUser],
    known: &Known,
    notes: &mut Vec<String>,
) {
    let ask: Vec<usize> = users
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            !u.removed && u.purpose.is_none() && !known.linked.contains_key(&u.object_id)
        })
        .map(|(i, _)| i)
        .collect();
    let answers: HashMap<usize, Result<Option<String>, GraphError>> = futures::stream::iter(ask)
        .map(|i| {
            let id = users[i].object_id.clone();
            async move { (i, dir.mailbox_purpose(&id).await) }
        })
        .buffer_unordered(dir.concurrency())
        .collect()
        .await;
    let mut refused = false;
    for (i, answer) in answers {
        match answer {
            Ok(p) => users[i].purpose = p,
            Err(_) => refused = true,
        }
    }
    if refused {
        notes.push(
            "Shared, room and equipment mailboxes could not be told apart from people: grant the app MailboxSettings.Read in this tenant to leave them out."
                .into(),
        );
    }
}

/// Microsoft Graph, signed in to a customer's tenant with the account's integration.
#[async_trait::async_trait]
impl Directories for Microsoft {
    async fn directory<'a>(
        &'a self,
        store: &dyn Store,
        account: &AccountId,
        tenant: MicrosoftTenantId,
    ) -> Result<Box<dyn Directory + 'a>, String> {
        let integration = store
            .integration(account)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("Connect the Microsoft integration first.")?;
        let secret = self.key().map_err(|e| e.to_string())?.open(
            account,
            integration.client_id,
            &integration.secret,
        )?;
        let token = self
            .token(tenant, integration.client_id, &secret)
            .await
            .map_err(|e| graph_refusal(&e))?;
        Ok(Box::new(Graph { ms: self, token }))
    }
}
