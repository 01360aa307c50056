//! Sign-in, sign-out, the first-run page, and Admin > Users.
//!
//! Sign-in and first-run are the only server functions a signed-out browser may call; every
//! other one starts with `caller()` or `admin()`.

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::http::accepts_html,
    super::http::set_cookie,
    crate::auth,
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::{
        Email, Password, Role, SessionEvent, UserChange, UserId, Version, session_event,
    },
    crate::error::ResultExt,
    crate::services::changes::apply,
    crate::state::state,
};

/// Who is signed in (the header, and whether to show the changing actions).
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Me, AppError> {
    let (caller, store) = caller().await?;
    let account = store
        .account(&caller.account)
        .await
        .found_as("Your account")?;
    Ok(Me {
        email: caller.actor,
        role: caller.role,
        account_name: account.name.to_string(),
    })
}

/// Signs in with email and password. Every refusal reads the same whether or not the email
/// exists, and takes as long; repeated failures are slowed down by email and address
/// (`domain::accounts::throttle`), so nobody elsewhere can lock a user out.
#[server(prefix = "/api", endpoint = "sign-in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: String,
    #[server(default)] account: String,
) -> Result<(), AppError> {
    let attempt = auth::sign_in::Attempt {
        email: Email::parse(&email)?,
        password: Password::typed(&password)?,
        account: account.trim().to_string(),
        address: address_key(),
    };
    let state = state()?;
    let (user, token) = auth::sign_in::sign_in(&state, attempt).await?;
    // This browser's earlier session, if any, ends.
    if let Ok((old, _)) = caller().await {
        state.store.delete_session(&old.session).await?;
    }
    set_cookie(|https| auth::session_cookie(&token, https));
    tracing::info!(user = %user.id, account = %user.account, "signed in");
    if accepts_html().await {
        leptos_axum::redirect(&super::safe_back(&next, "/"));
    }
    Ok(())
}

/// Ends this browser's session on the server and forgets the cookie.
#[server(prefix = "/api", endpoint = "sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (caller, store) = caller().await?;
    store.delete_session(&caller.session).await?;
    // Who signed out is the session's user: no read of the user record needed.
    let address = address_key();
    let entry = session_event(
        &caller.ctx(),
        caller.user,
        &caller.actor,
        SessionEvent::SignedOut,
        &address,
    );
    store.apply(&caller.account, entry).await?;
    set_cookie(auth::clear_cookie);
    if accepts_html().await {
        leptos_axum::redirect("/sign-in");
    }
    Ok(())
}

/// Whether the first-run page may be used from here: on this machine, or with the setup
/// token printed at start-up (`token` from the page's link).
#[server(prefix = "/api", endpoint = "may-set-up")]
pub async fn may_set_up(token: String) -> Result<bool, AppError> {
    Ok(crate::auth::may_set_up(&token))
}

/// The first-run page: creates the installation's first account and its Administrator, and
/// signs them in. Refused for good once any account exists; from another machine, refused
/// without the setup token.
#[server(prefix = "/api", endpoint = "set-up")]
pub async fn set_up(
    account: String,
    email: String,
    password: String,
    confirm: String,
    #[server(default)] token: String,
) -> Result<(), AppError> {
    let store = state()?.store;
    if !crate::auth::may_set_up(&token) {
        return Err(AppError::SetupTokenNeeded);
    }
    if store.installed().await? {
        return Err(AppError::AlreadySetUp);
    }
    let mut p = crate::domain::Problems::default();
    let name = p.check(crate::domain::AccountName::parse(&account));
    let email = p.check(Email::parse(&email));
    let password = p.check(Password::new(&password));
    if password.as_ref().is_some_and(|p| p.expose() != confirm) {
        p.add("confirm", "The two passwords are not the same");
    }
    let (name, (email, password)) = p.finish_with(name.zip(email.zip(password)))?;
    let user =
        crate::services::accounts::create_account(&*store, name, email, password, true).await?;
    let token = auth::start_session(&*store, &user).await?;
    set_cookie(|https| auth::session_cookie(&token, https));
    if accepts_html().await {
        leptos_axum::redirect("/");
    }
    Ok(())
}

/// Admin > Users: everyone in the caller's account.
#[server(prefix = "/api", endpoint = "users")]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    let (caller, store) = admin().await?;
    let users = store.list_users(&caller.account).await?;
    Ok(users.iter().map(|u| UserRow::new(u, caller.user)).collect())
}

/// Admin > Users: *Add user* with a role and a first password (tell it to them; they sign in
/// with it).
#[server(prefix = "/api", endpoint = "add-user")]
pub async fn add_user(email: String, role: String, password: String) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let mut p = crate::domain::Problems::default();
    let email = p.check(Email::parse(&email));
    let role = p.check(Role::parse(&role));
    let password = p.check(Password::new(&password));
    let (email, (role, password)) = p.finish_with(email.zip(role.zip(password)))?;
    let hash = auth::hash_new_password(password).await?;
    let new = crate::domain::NewUser {
        id: UserId::from_uuid(uuid::Uuid::new_v4()),
        email,
        role,
        password_hash: hash,
    };
    let said = format!("Added {} as {}.", new.email, new.role.label());
    let change = crate::domain::add_user(&caller.ctx(), &caller.account, new);
    apply(&*store, &caller.account, change, "").await?;
    crate::status::say(said);
    Ok(())
}

/// Admin > Users: change a user's role.
#[server(prefix = "/api", endpoint = "set-user-role")]
pub async fn set_user_role(id: String, version: String, role: String) -> Result<(), AppError> {
    let role = Role::parse(&role)?;
    change_user(&id, &version, UserChange::Role(role)).await
}

/// Admin > Users: disable (ends their sessions at once) or enable a user.
#[server(prefix = "/api", endpoint = "set-user-active")]
pub async fn set_user_active(id: String, version: String, active: String) -> Result<(), AppError> {
    let active = match active.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(AppError::validation("active", "Expected true or false")),
    };
    change_user(&id, &version, UserChange::Active(active)).await
}

/// Admin > Users: set a new password for a user (ends their sessions at once; your own
/// browser gets a new session when it is yours).
#[server(prefix = "/api", endpoint = "set-user-password")]
pub async fn set_user_password(
    id: String,
    version: String,
    password: String,
) -> Result<(), AppError> {
    // Who is calling comes first: a hash costs 19 MiB, and no one signed out may cause one.
    admin().await?;
    let password = Password::new(&password)?;
    let hash = auth::hash_new_password(password).await?;
    change_user(&id, &version, UserChange::Password(hash)).await
}

#[cfg(feature = "ssr")]
async fn change_user(id: &str, version: &str, change: UserChange) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = UserId::parse(id)?;
    let expected = Version::parse(version)?;
    let acct = &caller.account;
    let user = store.user(acct, id).await.found_at(expected)?;
    if id == caller.user && change == UserChange::Active(false) {
        return Err(AppError::validation(
            "active",
            "You cannot disable yourself; ask another Administrator",
        ));
    }
    let account = store.account(acct).await.found_as("Your account")?;
    let new_password = matches!(change, UserChange::Password(_));
    let said = match &change {
        UserChange::Role(role) => format!("{} is now {}.", user.email, role.label()),
        UserChange::Active(true) => format!("Enabled {}.", user.email),
        UserChange::Active(false) => format!("Disabled {}; their sessions have ended.", user.email),
        UserChange::Password(_) => format!("Set a new password for {}.", user.email),
    };
    let set = crate::domain::change_user(&caller.ctx(), &account, &user, expected, change)?;
    apply(&*store, acct, set, "").await?;
    crate::status::say(said);
    if new_password && id == caller.user {
        // Your own sessions ended with the new password; this browser continues in a new one.
        let user = store.user(acct, id).await.found()?;
        store.delete_session(&caller.session).await?;
        let token = auth::start_session(&*store, &user).await?;
        set_cookie(|https| auth::session_cookie(&token, https));
    }
    Ok(())
}

/// The caller's address as sign-ins are counted and recorded by (an IPv6 address by its /64).
#[cfg(feature = "ssr")]
fn address_key() -> String {
    crate::auth::client_address()
        .map(|c| crate::domain::accounts::throttle::client_address_key(c.ip))
        .unwrap_or_else(|| "unknown".into())
}
