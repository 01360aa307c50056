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
                operation: if e.is_operation() {
                    e.id.clone()
                } else {
                    String::new()
                },
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

/// The records undoing `what` reads, added to `ids`.
#[cfg(feature = "ssr")]
fn undo_needs(what: &Undoable, ids: &mut RecordIds) {
    match what {
        Undoable::Mapping {
            tenant,
            before,
            after,
        } => {
            ids.microsoft_tenants.push(*tenant);
            ids.syncro_tenants.extend(before.iter().chain(after.iter()));
        }
        Undoable::Rename { after, .. } => ids.syncro_tenants.push(after.id),
        Undoable::Organization { before, after } => {
            ids.organizations.push(after.id);
            ids.syncro_tenants.push(before.syncro_tenant);
        }
        Undoable::Moves { target, moves } => {
            ids.organizations.extend(moves.iter().map(|(o, _)| *o));
            ids.syncro_tenants.push(*target);
            ids.syncro_tenants
                .extend(moves.iter().map(|(_, from)| *from));
        }
        Undoable::Group {
            after,
            moves,
            mapping,
            ..
        } => {
            ids.organizations.extend(moves.iter().map(|(o, _)| *o));
            ids.microsoft_tenants
                .extend(mapping.iter().map(|(t, _)| *t));
            ids.syncro_tenants.push(after.id);
            ids.syncro_tenants
                .extend(moves.iter().map(|(_, from)| *from));
        }
    }
}

/// Each kind's ids once (a batch read names each key once).
#[cfg(feature = "ssr")]
fn dedup(mut ids: RecordIds) -> RecordIds {
    ids.syncro_tenants.sort_unstable();
    ids.syncro_tenants.dedup();
    ids.organizations.sort_unstable();
    ids.organizations.dedup();
    ids.microsoft_tenants.sort_unstable();
    ids.microsoft_tenants.dedup();
    ids
}

/// Decides undoing `what` with the ordinary rules on the records as `found` (one batch read
/// that holds at least what [`undo_needs`] named): the change, and the name it may claim (for a
/// "name taken" refusal).
#[cfg(feature = "ssr")]
fn decide_with(
    ctx: &Ctx,
    what: &Undoable,
    found: &RecordSet,
) -> Result<(ChangeSet, String), AppError> {
    let mut ids = RecordIds::default();
    undo_needs(what, &mut ids);
    let now = Now {
        tenant: found
            .microsoft_tenants
            .iter()
            .find(|t| ids.microsoft_tenants.contains(&t.tenant_id))
            .cloned(),
        syncro_tenants: found
            .syncro_tenants
            .iter()
            .filter(|s| ids.syncro_tenants.contains(&s.id))
            .cloned()
            .collect(),
        organizations: found
            .organizations
            .iter()
            .filter(|o| ids.organizations.contains(&o.id))
            .cloned()
            .collect(),
    };
    let change = undo::undo(ctx, what, &now)?;
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

/// Reads what undoing `what` needs (one batch read) and decides it.
#[cfg(feature = "ssr")]
async fn decide_undo(
    store: &dyn Store,
    caller: &crate::auth::Caller,
    what: &Undoable,
) -> Result<(ChangeSet, String), AppError> {
    let mut ids = RecordIds::default();
    undo_needs(what, &mut ids);
    let found = store.records(&caller.account, dedup(ids)).await?;
    decide_with(&caller.ctx(), what, &found)
}

/// One part's undo, decided: its entry, its change and the name it may claim.
#[cfg(feature = "ssr")]
type Planned<'a> = (&'a AuditEntry, ChangeSet, String);

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
        .activity(
            acct,
            &filter,
            Some(ActivityCursor::of(entry)),
            entry.parts().max(1),
        )
        .await?
        .entries;
    // Every part's records in one batch read, each part decided on them.
    let whats: Vec<(&AuditEntry, Result<Undoable, AppError>)> = parts
        .iter()
        .filter(|p| undo::can_undo(&p.action) && !p.is_operation())
        .map(|p| (p, undo::what_to_undo(p).map_err(AppError::from)))
        .collect();
    let mut ids = RecordIds::default();
    for (_, what) in &whats {
        if let Ok(what) = what {
            undo_needs(what, &mut ids);
        }
    }
    let found = store.records(acct, dedup(ids)).await?;
    let mut plans = Vec::new();
    let mut changed = Vec::new();
    for (part, what) in whats {
        match what.and_then(|w| decide_with(&caller.ctx(), &w, &found)) {
            Ok((change, requested)) => plans.push((part, change, requested)),
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
    // Applied as few atomic changes as fit (parts that share no record), newest first; a
    // joined change refused as a whole is applied part by part, to name what changed.
    let op = Operation::start(&caller.ctx(), "undo");
    let (mut undone, mut entries) = (0, 0);
    let mut batches: Vec<(ChangeSet, Vec<Planned>)> = Vec::new();
    for (part, change, requested) in plans {
        let change = op.part(change);
        let joined = match batches.last_mut() {
            Some((batch, members)) => match batch.join(change.clone()) {
                Ok(()) => {
                    members.push((part, change, requested));
                    None
                }
                Err(change) => Some((part, change, requested)),
            },
            None => Some((part, change, requested)),
        };
        if let Some((part, change, requested)) = joined {
            let mut batch = ChangeSet::default();
            let _ = batch.join(change.clone());
            batches.push((batch, vec![(part, change, requested)]));
        }
    }
    for (batch, members) in batches {
        let n: usize = members.iter().map(|(_, c, _)| entries_in(c)).sum();
        if store.apply(acct, batch).await.is_ok() {
            undone += members.len();
            entries += n;
            continue;
        }
        for (part, change, requested) in members {
            let n = entries_in(&change);
            match apply(store, acct, change, &requested).await {
                Ok(()) => {
                    undone += 1;
                    entries += n;
                }
                Err(
                    e @ (AppError::Internal { .. } | AppError::NotSignedIn | AppError::NotAllowed),
                ) => {
                    return Err(e);
                }
                Err(e) => changed.push(format!("{} ({e})", part.summary)),
            }
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
        format!(
            "{summary}. Kept, as they changed since: {}.",
            changed.join("; ")
        )
    })
}
