//! Admin > Activity: every recorded change (R9) — filtered by person, kind and record,
//! searched, paged on the server — and *Undo* of mappings, renames and Organization edits.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::domain::activity::undo::{self, Now, Undoable},
    crate::domain::activity::{ACTIVITY_PER_PAGE, ActivityCursor, ActivityFilter, ActivityKind},
    crate::domain::*,
    crate::services::changes::apply,
    crate::store::prelude::*,
};

/// A page of activity: `person` (an email), `kind` ([`ActivityKind::key`]), `record`
/// (`st:<id>`, `org:<id>` or `mt:<tenant ID>`), words `q`, older than `before` (a token from
/// the previous page). Administrators only: it shows who signed in from where.
#[server(prefix = "/api", endpoint = "activity")]
pub async fn activity(
    #[server(default)] person: String,
    #[server(default)] kind: String,
    #[server(default)] record: String,
    #[server(default)] q: String,
    #[server(default)] before: String,
    #[server(default)] operation: String,
) -> Result<ActivityView, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let record = record.trim();
    let record_name = if record.is_empty() {
        String::new()
    } else {
        record_name(&*store, acct, record).await?
    };
    let filter = ActivityFilter {
        actor: person.trim().to_string(),
        kind: ActivityKind::parse(kind.trim()),
        record: record.to_string(),
        search: q.chars().take(200).collect(),
        operation: operation.trim().chars().take(100).collect(),
    };
    let before = ActivityCursor::parse(before.trim());
    let page = store
        .activity(acct, &filter, before, ACTIVITY_PER_PAGE)
        .await?;
    let people = store
        .list_users(acct)
        .await?
        .into_iter()
        .map(|u| u.email.as_str().to_string())
        .collect();
    Ok(ActivityView {
        rows: page
            .entries
            .iter()
            .map(|e| ActivityRow {
                entry: ActivityCursor::of(e).token(),
                at: e.at.display(),
                actor: e.actor.clone(),
                kind: if e.is_operation() {
                    "Bulk change".to_string()
                } else {
                    ActivityKind::ALL
                        .into_iter()
                        .find(|k| k.covers(&e.action))
                        .map_or("Other", ActivityKind::label)
                        .to_string()
                },
                summary: e.summary.clone(),
                can_undo: undo::can_undo(&e.action),
                operation: if e.is_operation() { e.id.clone() } else { String::new() },
                parts: e.parts(),
            })
            .collect(),
        older: page.older.map(|c| c.token()).unwrap_or_default(),
        people,
        record_name,
        scanned: page.scanned,
    })
}

/// A record's name for the heading of its history; refused when it is not one of the account's.
#[cfg(feature = "ssr")]
async fn record_name(
    store: &dyn Store,
    acct: &AccountId,
    record: &str,
) -> Result<String, AppError> {
    let not_found = || AppError::NotFound {
        what: "That record".into(),
    };
    let (kind, id) = record.split_once(':').ok_or_else(not_found)?;
    let name = match kind {
        "st" => store
            .syncro_tenant(acct, SyncroTenantId::parse(id)?)
            .await?
            .map(|s| format!("Syncro Tenant \u{201c}{}\u{201d}", s.name)),
        "org" => store
            .organization(acct, OrganizationId::parse(id)?)
            .await?
            .map(|o| format!("Organization \u{201c}{}\u{201d}", o.name)),
        "mt" => store
            .microsoft_tenant(acct, MicrosoftTenantId::parse(id)?)
            .await?
            .map(|m| format!("Microsoft Tenant \u{201c}{}\u{201d}", m.display_name)),
        _ => None,
    };
    // A deleted record still has its history.
    Ok(name.unwrap_or_else(|| "a deleted record".to_string()))
}

/// *Undo*: a new change restoring what the entry replaced, refused when the record changed
/// since (R8). Says what it did on the status line, back on `back`.
#[server(prefix = "/api", endpoint = "undo")]
pub async fn undo_change(
    entry: String,
    #[server(default)] back: String,
    /// After a refusal naming the parts of a bulk change that changed since: undo the others.
    #[server(default)]
    rest: String,
) -> Result<String, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let at = ActivityCursor::parse(entry.trim())
        .ok_or_else(|| AppError::validation("entry", "Not an entry of the activity log"))?;
    let entry = store
        .audit_entry(acct, &at)
        .await?
        .ok_or_else(|| AppError::NotFound {
            what: "That activity entry".into(),
        })?;
    if entry.is_operation() {
        let said = undo_operation(&*store, &caller, &entry, rest == "true").await?;
        crate::status::say(said.clone());
        leptos_axum::redirect(&super::safe_back(&back, "/admin/activity"));
        return Ok(said);
    }
    let what = undo::what_to_undo(&entry)?;
    let (change, requested) = decide_undo(&*store, &caller, &what).await?;
    apply(&*store, acct, change, &requested).await?;
    let said = format!("Undone: {}.", entry.summary);
    crate::status::say(said.clone());
    // A grouping under a new Syncro Tenant, undone, deletes the page it was undone from.
    let back = match &what {
        Undoable::Group {
            before: None,
            after,
            ..
        } if back.contains(&after.id.to_string()) => "/syncro-tenants".to_string(),
        _ => back,
    };
    leptos_axum::redirect(&super::safe_back(&back, "/admin/activity"));
    Ok(said)
}

/// Reads what undoing `what` needs and decides it with the ordinary rules: the change, and the
/// name it may claim (for a "name taken" refusal).
#[cfg(feature = "ssr")]
async fn decide_undo(
    store: &dyn Store,
    caller: &crate::auth::Caller,
    what: &Undoable,
) -> Result<(ChangeSet, String), AppError> {
    let acct = &caller.account;
    let mut now = Now::default();
    let mut syncro_ids: Vec<SyncroTenantId> = Vec::new();
    match what {
        Undoable::Mapping {
            tenant,
            before,
            after,
        } => {
            now.tenant = store.microsoft_tenant(acct, *tenant).await?;
            syncro_ids.extend(before.iter().chain(after.iter()));
        }
        Undoable::Rename { after, .. } => syncro_ids.push(after.id),
        Undoable::Organization { before, after } => {
            now.organizations = store.organizations_by_ids(acct, &[after.id]).await?;
            syncro_ids.push(before.syncro_tenant);
        }
        Undoable::Moves { target, moves } => {
            let ids: Vec<OrganizationId> = moves.iter().map(|(o, _)| *o).collect();
            now.organizations = store.organizations_by_ids(acct, &ids).await?;
            syncro_ids.push(*target);
            syncro_ids.extend(moves.iter().map(|(_, from)| *from));
        }
        Undoable::Group {
            after,
            moves,
            mapping,
            ..
        } => {
            let ids: Vec<OrganizationId> = moves.iter().map(|(o, _)| *o).collect();
            now.organizations = store.organizations_by_ids(acct, &ids).await?;
            if let Some((tenant, _)) = mapping {
                now.tenant = store.microsoft_tenant(acct, *tenant).await?;
            }
            syncro_ids.push(after.id);
            syncro_ids.extend(moves.iter().map(|(_, from)| *from));
        }
    }
    now.syncro_tenants = store.syncro_tenants_by_ids(acct, &syncro_ids).await?;
    let change = undo::undo(&caller.ctx(), what, &now)?;
    let requested = match what {
        Undoable::Rename { before, .. } => before.name.to_string(),
        Undoable::Organization { before, .. } => before.name.to_string(),
        // A Syncro Tenant it re-creates may find its name taken meanwhile.
        Undoable::Group { deleted, .. } => deleted
            .iter()
            .map(|d| d.name.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        Undoable::Mapping { .. } | Undoable::Moves { .. } => String::new(),
    };
    Ok((change, requested))
}

/// *Undo* of a bulk operation: each of its parts undone as a change of its own, newest first,
/// together one operation of the log. When some parts changed since, nothing is undone and the
/// refusal names them — unless `rest`: then the others are.
#[cfg(feature = "ssr")]
async fn undo_operation(
    store: &dyn Store,
    caller: &crate::auth::Caller,
    entry: &AuditEntry,
    rest: bool,
) -> Result<String, AppError> {
    use crate::services::operation::{Operation, entries_in};
    let acct = &caller.account;
    let filter = ActivityFilter {
        operation: entry.id.clone(),
        ..Default::default()
    };
    let parts = store
        .activity(acct, &filter, Some(ActivityCursor::of(entry)), entry.parts().max(1))
        .await?
        .entries;
    let mut plans = Vec::new();
    let mut changed = Vec::new();
    for part in parts.iter().filter(|p| undo::can_undo(&p.action)) {
        let decided = match undo::what_to_undo(part) {
            Ok(what) => decide_undo(store, caller, &what).await,
            Err(e) => Err(AppError::from(e)),
        };
        match decided {
            Ok(plan) => plans.push((part, plan)),
            Err(e @ (AppError::Internal { .. } | AppError::NotSignedIn | AppError::NotAllowed)) => {
                return Err(e);
            }
            Err(e) => changed.push(format!("{} ({e})", part.summary)),
        }
    }
    if !changed.is_empty() && !rest {
        return Err(AppError::validation(
            undo::UNDO_REST,
            format!(
                "Not undone: {} of its parts changed since — {}. Undo the other {}, or leave it as it is.",
                changed.len(),
                changed.join("; "),
                plans.len()
            ),
        ));
    }
    let op = Operation::start(&caller.ctx(), "undo");
    let (mut undone, mut entries) = (0, 0);
    for (part, (change, requested)) in plans {
        let n = entries_in(&change);
        match apply(store, acct, op.part(change), &requested).await {
            Ok(()) => {
                undone += 1;
                entries += n;
            }
            Err(e @ (AppError::Internal { .. } | AppError::NotSignedIn | AppError::NotAllowed)) => {
                return Err(e);
            }
            Err(e) => changed.push(format!("{} ({e})", part.summary)),
        }
    }
    let summary = format!(
        "Undid {undone} part{} of: {}",
        if undone == 1 { "" } else { "s" },
        entry.summary
    );
    op.finish(store, acct, summary.clone(), entries).await?;
    Ok(if changed.is_empty() {
        format!("{summary}.")
    } else {
        format!("{summary}. Kept, as they changed since: {}.", changed.join("; "))
    })
}
