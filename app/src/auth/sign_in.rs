//! Signing in, as a use case: the server function parses the form and sets the cookie; this
//! counts the attempt, checks the password against every user with the email (as long as one
//! check), records refusals only where they belong, and starts the session.

use crate::domain::{
    Ctx, Email, Password, SessionEvent, SignInCheck, User, now, refusals_to_record, session_event,
};
use crate::error::{AccountChoice, AppError};
use crate::state::{AppState, blocking};

/// One sign-in as typed: who, the password, the account chosen when the email and password
/// open several ("" before the choice), and the address it came from (its throttle key).
pub struct Attempt {
    pub email: Email,
    pub password: Password,
    pub account: String,
    pub address: String,
}

/// Signs in: the user and their new session's token, or why not. Every refusal reads the same
/// whether or not the email exists, and takes as long; repeated failures are slowed down by
/// email and by address (`domain::accounts::throttle`), so nobody elsewhere can lock a user out.
#[tracing::instrument(skip_all, fields(address = %attempt.address))]
pub async fn sign_in(state: &AppState, attempt: Attempt) -> Result<(User, String), AppError> {
    let Attempt {
        email,
        password,
        account,
        address,
    } = attempt;
    let store = state.store.clone();
    // The permit first: a sign-in refused for being busy is not counted as a failed one.
    let permit = state.hashing.permit().await?;
    // Counted by email and address before the password is checked (see domain::accounts::throttle).
    let keys = crate::domain::accounts::throttle::SignInKeys::new(email.as_str(), &address);
    let attempt = match store.sign_in_attempt(&keys, now()).await {
        // Attempts at the same moment can outrun the store's counting: slow down.
        Err(crate::store::StoreError::Conflict(_)) => {
            Err(AppError::TooManyAttempts { wait_seconds: 1 })
        }
        other => other.map_err(AppError::from),
    };
    if let Some(wait_ms) = attempt? {
        return Err(AppError::TooManyAttempts {
            wait_seconds: (wait_ms.max(0) as u64).div_ceil(1000),
        });
    }
    // An email may be a user of several accounts: its password is checked against each at
    // once (as long as one check, so the time says nothing of how many there are).
    let candidates = store.users_by_email(&email).await?;
    // An unknown email costs one hash too, so the time tells nothing of whether it exists.
    let unknown = candidates.is_empty();
    let checks = candidates.into_iter().map(|u| {
        let password = password.clone();
        blocking(move || {
            let right = super::verify_password(&password, &u.password_hash);
            (u, right)
        })
    });
    let checked: Vec<(User, bool)> = futures::future::try_join_all(checks).await?;
    if unknown {
        blocking(move || super::verify_nothing(&password)).await?;
    }
    drop(permit);
    // A refusal is recorded only in the account whose user it was beyond doubt (see
    // domain::refusals_to_record): never one account's user's sign-in in another's log.
    let accounts: Vec<String> = checked.iter().map(|(u, _)| u.account.to_string()).collect();
    let facts: Vec<SignInCheck> = checked
        .iter()
        .zip(&accounts)
        .map(|((u, right), account)| SignInCheck {
            account,
            right: *right,
            active: u.active,
        })
        .collect();
    let record = refusals_to_record(&facts, &account);
    // Written aside, so the answer takes as long whether or not the email exists.
    for i in record {
        let user = checked[i].0.clone();
        let (store, address) = (store.clone(), address.clone());
        let ctx = session_ctx(&user);
        tokio::spawn(async move {
            let event = SessionEvent::Refused {
                disabled: !user.active,
            };
            let entry = session_event(&ctx, user.id, user.email.as_str(), event, &address);
            if let Err(e) = store.apply(&user.account, entry).await {
                tracing::warn!(error = %e, "a refused sign-in was not recorded");
            }
        });
    }
    let mut verified: Vec<User> = checked
        .into_iter()
        .filter(|(u, right)| *right && u.active)
        .map(|(u, _)| u)
        .collect();
    if verified.is_empty() {
        tracing::info!(email = %email, "sign-in refused");
        return Err(AppError::SignInFailed);
    }
    // The right password: this attempt is forgiven (see domain::accounts::throttle).
    store.sign_in_succeeded(&keys).await?;
    // The same email and password open several accounts: the person says which.
    if verified.len() > 1 {
        match verified.iter().position(|u| u.account.as_str() == account) {
            Some(i) => verified = vec![verified.swap_remove(i)],
            None => {
                let mut accounts = Vec::new();
                for u in &verified {
                    if let Some(a) = store.account(&u.account).await? {
                        accounts.push(AccountChoice {
                            id: a.id.to_string(),
                            name: a.name.to_string(),
                        });
                    }
                }
                accounts.sort_by_key(|a| a.name.to_lowercase());
                return Err(AppError::ChooseAccount { accounts });
            }
        }
    }
    let user = verified.remove(0);
    let token = super::start_session(&*store, &user).await?;
    let entry = session_event(
        &session_ctx(&user),
        user.id,
        user.email.as_str(),
        SessionEvent::SignedIn,
        &address,
    );
    store.apply(&user.account, entry).await?;
    Ok((user, token))
}

/// Who a sign-in entry is by: the person signing in.
pub(crate) fn session_ctx(user: &User) -> Ctx {
    Ctx {
        actor: user.email.as_str().to_string(),
        now: now(),
        audit_id: uuid::Uuid::new_v4().to_string(),
    }
}
