//! Applying a rule's change: the version check before any work (R8) and a store refusal
//! turned into what the user can act on.

use crate::domain::{
    AccountId, ChangeSet, EndUserId, NameKind, OrganizationId, SyncroTenantId, Version,
};
use crate::error::AppError;
use crate::store::prelude::*;

/// Turns a store refusal into what the user can act on. `requested` is the name the user asked
/// for, used when a name is taken.
pub async fn store_error(
    store: &dyn Store,
    account: &AccountId,
    e: StoreError,
    requested: &str,
) -> AppError {
    match e {
        StoreError::Conflict(detail) => {
            tracing::info!(%detail, "refused a stale change");
            AppError::Stale
        }
        StoreError::NotEmpty(message) => AppError::InUse { message },
        StoreError::NameTaken {
            kind: NameKind::EndUserEmail,
            key,
            owner,
        } => {
            let holder = store
                .end_user(account, EndUserId::from_uuid(owner))
                .await
                .ok()
                .flatten();
            AppError::Validation {
                field: "email".into(),
                message: match holder {
                    Some(h) => format!("{key} is already the email of End User “{}”.", h.name),
                    None => format!("{key} is already the email of another End User."),
                },
            }
        }
        StoreError::NameTaken { kind, owner, .. } => {
            let mut ids = RecordIds::default();
            match kind {
                NameKind::SyncroTenant => ids.syncro_tenants.push(SyncroTenantId::from_uuid(owner)),
                NameKind::Organization => ids.organizations.push(OrganizationId::from_uuid(owner)),
                NameKind::EndUserEmail => {}
            }
            // Whose name it is, when it can be read (the refusal stands either way).
            let existing = store.records(account, ids).await.ok().and_then(|found| {
                let syncro = found.syncro_tenants.first().map(|s| s.name.to_string());
                syncro.or_else(|| found.organizations.first().map(|o| o.name.to_string()))
            });
            AppError::NameTaken {
                kind: kind.label().to_string(),
                name: requested.trim().to_string(),
                existing: existing.unwrap_or_else(|| requested.trim().to_string()),
                existing_id: Some(owner.to_string()),
            }
        }
        StoreError::LastAdministrator => AppError::LastAdministrator,
        StoreError::EmailTaken(email) => AppError::EmailTaken { email },
        StoreError::AlreadyInstalled => AppError::AlreadySetUp,
        StoreError::Unavailable(detail) => AppError::internal(detail),
        StoreError::Busy(detail) => AppError::store_busy(detail),
        StoreError::Malformed(e) => AppError::internal(e),
    }
}

/// R8, checked before any work: the page's version must still be the current one. The store
/// checks it again atomically with the change.
pub fn current(expected: Version, actual: Version) -> Result<(), AppError> {
    if expected == actual {
        Ok(())
    } else {
        Err(AppError::Stale)
    }
}

/// Applies a change, turning a refusal into what the user can act on.
#[tracing::instrument(skip_all, fields(%account, writes = change.len()))]
pub async fn apply(
    store: &dyn Store,
    account: &AccountId,
    change: ChangeSet,
    requested: &str,
) -> Result<(), AppError> {
    match store.apply(account, change).await {
        Ok(()) => Ok(()),
        Err(e) => Err(store_error(store, account, e, requested).await),
    }
}
