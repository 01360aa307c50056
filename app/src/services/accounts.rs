//! A new account with its first Administrator.

use crate::domain::{AccountId, Ctx, Role, UserId, now};
use crate::error::{AppError, ResultExt};
use crate::store::prelude::*;

/// A new account with its first Administrator, in one change. Used by the first-run page,
/// `server admin create` and the demo loader. `first_run` refuses when any account exists.
#[tracing::instrument(skip_all, fields(first_run))]
pub async fn create_account(
    store: &dyn Store,
    name: crate::domain::AccountName,
    email: crate::domain::Email,
    password: crate::domain::Password,
    first_run: bool,
) -> Result<crate::domain::User, AppError> {
    let hash = crate::auth::hash_new_password(password).await?;
    let account = AccountId::parse(&uuid::Uuid::new_v4().simple().to_string())?;
    let user_id = UserId::from_uuid(uuid::Uuid::new_v4());
    let ctx = Ctx {
        actor: email.to_string(),
        now: now(),
        audit_id: uuid::Uuid::new_v4().to_string(),
    };
    let new = crate::domain::NewUser {
        id: user_id,
        email: email.clone(),
        role: Role::Administrator,
        password_hash: hash,
    };
    let change = crate::domain::create_account(&ctx, account.clone(), name, new, first_run);
    super::changes::apply(store, &account, change, email.as_str()).await?;
    store.user(&account, user_id).await.found_as("The new user")
}
