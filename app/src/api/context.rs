//! What a server function reads from the request context: the store and the caller.

pub use crate::domain::Role;
use crate::domain::{
    AccountId, ChangeSet, EndUserId, NameKind, OrganizationId, SyncroTenantId, Timestamp, UserId,
    Version, rules::Ctx,
};
use crate::error::AppError;
use crate::store::prelude::*;
use leptos::prelude::*;
use std::sync::Arc;

/// The state the axum router carries and every server function can read.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Arc<dyn Store>,
    /// The Microsoft integration's client (its token cache lives as long as the server).
    pub microsoft: Arc<crate::microsoft::Microsoft>,
    /// Where Microsoft sync jobs run (this runtime, or on AWS an invocation of their own).
    pub jobs: Arc<dyn crate::microsoft::JobRunner>,
    /// Bounds the password hashes running at once.
    pub hashing: Arc<Hashing>,
    /// Bounds the CSV uploads read at once.
    pub uploads: Arc<Uploads>,
    /// Public origins, the client-address header, the setup token.
    pub site: Arc<super::site::Site>,
}

/// Password hashing is deliberately expensive (argon2id, 19 MiB and ~25 ms of a core each), so
/// unbounded it is a way to exhaust a server's memory and CPU without signing in. At most
/// `permits` hashes run at once; a request waits up to `wait` for one and is otherwise refused
/// with `AppError::Busy` (503) — never queued without end.
pub struct Hashing {
    permits: tokio::sync::Semaphore,
    wait: std::time::Duration,
}

impl Hashing {
    /// 8 at once: 152 MiB at most, within a 512 MB Lambda; more would only queue on the cores.
    pub const DEFAULT_PERMITS: usize = 8;
    /// How long a request waits for a permit before it is refused.
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

    pub fn new(permits: usize, wait: std::time::Duration) -> Self {
        Hashing {
            permits: tokio::sync::Semaphore::new(permits),
            wait,
        }
    }

    /// Takes a permit without hashing, as a busy hash would (tests use it to see what a server
    /// at its bound answers).
    pub fn try_hold(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.permits.try_acquire().ok()
    }

    /// A permit for one hash, waiting up to `wait` for it; `Busy` when none came.
    pub async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(AppError::internal)
    }

    /// Runs `f` (a hash) off the async workers once a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self.permit().await?;
        blocking(f).await
    }
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing::new(Self::DEFAULT_PERMITS, Self::WAIT)
    }
}

/// CSV uploads (the two imports) are read whole before they are checked: each holds up to
/// 5 MB while it is read and parsed. At most `permits` are read at once per instance; another
/// waits up to [`Uploads::WAIT`] for a turn and is otherwise answered `ImportsBusy` (503) with
/// its body unread — so many uploads at once cannot take a server's (or a Lambda's) memory.
pub struct Uploads {
    permits: tokio::sync::Semaphore,
    wait: std::time::Duration,
}

impl Uploads {
    /// Two at once: ~2 × 1.5 × 5 MB at most (`make bench` measures it), a fraction of a
    /// 512 MB Lambda.
    pub const DEFAULT_PERMITS: usize = 2;
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(3);

    pub fn new(permits: usize, wait: std::time::Duration) -> Self {
        Uploads {
            permits: tokio::sync::Semaphore::new(permits),
            wait,
        }
    }

    /// A turn to read one upload, waiting up to `wait`.
    pub async fn turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        tokio::time::timeout(self.wait, self.permits.acquire())
            .await
            .map_err(|_| AppError::ImportsBusy)?
            .map_err(AppError::internal)
    }
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads::new(Self::DEFAULT_PERMITS, Self::WAIT)
    }
}

impl AppState {
    /// A state whose sync jobs run on this process's runtime (`server serve`, tests, bench).
    pub fn local(
        leptos_options: LeptosOptions,
        store: Arc<dyn Store>,
        microsoft: Arc<crate::microsoft::Microsoft>,
    ) -> Self {
        let jobs = Arc::new(crate::microsoft::LocalJobs {
            store: store.clone(),
            microsoft: microsoft.clone(),
        });
        AppState {
            leptos_options,
            store,
            microsoft,
            jobs,
            hashing: Arc::new(Hashing::default()),
            uploads: Default::default(),
            site: Default::default(),
        }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Who is calling, and in which account: found by the session layer from the session cookie
/// alone (`crate::auth::resolve`) and kept in the request's extensions. The account never comes
/// from a request parameter.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account: AccountId,
    pub user: UserId,
    /// The user's email: the "who" of the audit log.
    pub actor: String,
    pub role: Role,
    /// The SHA-256 of the session token (sign-out deletes it).
    pub session: String,
}

impl Caller {
    /// The context the rules need: who, when, and a fresh audit id.
    pub fn ctx(&self) -> Ctx {
        Ctx {
            actor: self.actor.clone(),
            now: now(),
            audit_id: uuid::Uuid::new_v4().to_string(),
        }
    }
}

pub fn now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Timestamp(ms)
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

/// The key that seals what the browser carries back for this server (links, cookies): the
/// configured one, else one made for this process (a value then opens only where it was
/// sealed — enough for a redirect to the same server).
pub fn value_key(state: Option<&AppState>) -> crate::microsoft::SealingKey {
    static PROCESS_KEY: std::sync::OnceLock<crate::microsoft::SealingKey> =
        std::sync::OnceLock::new();
    if let Some(key) = state.and_then(|s| s.microsoft.key().ok()) {
        return key.clone();
    }
    PROCESS_KEY
        .get_or_init(|| {
            crate::microsoft::SealingKey::from_base64(&crate::microsoft::SealingKey::generate())
                .expect("a fresh key")
        })
        .clone()
}

/// The purpose a value is sealed for, bound to a browser's session (its token's hash; empty
/// when signed out): a value made in another session, or by anyone else, does not open.
pub fn sealed_purpose(purpose: &str, session: &str) -> String {
    format!("tenantmap/{purpose}/{session}")
}

/// The purpose a value is sealed for, bound to this request's session.
fn session_purpose(purpose: &str) -> String {
    let session = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().map(|c| c.session.clone()))
        .unwrap_or_default();
    sealed_purpose(purpose, &session)
}

/// Seals `value` for this session to carry back (see [`open_for_session`]).
pub fn seal_for_session(purpose: &str, value: &str) -> String {
    value_key(state().ok().as_ref()).seal_value(&session_purpose(purpose), value.as_bytes())
}

/// What [`seal_for_session`] sealed for `purpose` in this session; `None` for anything else.
pub fn open_for_session(purpose: &str, sealed: &str) -> Option<String> {
    let bytes = value_key(state().ok().as_ref()).open_value(&session_purpose(purpose), sealed)?;
    String::from_utf8(bytes).ok()
}

/// The browser's address (the router puts it in every request; `None` only outside one).
pub fn client_address() -> Option<super::site::ClientAddress> {
    use_context::<http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<super::site::ClientAddress>()
            .copied()
    })
}

/// Whether this request may use the first-run page: from this machine (its own connection,
/// not through a proxy: `Site::client_of`), or with the setup token printed at start-up.
pub fn may_set_up(token: &str) -> bool {
    let from_here = client_address().is_some_and(|c| c.this_machine);
    from_here || state().is_ok_and(|s| s.site.is_setup_token(token))
}

/// The signed-in caller of this request, or "not signed in". Every server function except
/// sign-in and first-run goes through here or through [`admin`]. Fails closed: a request the
/// session layer did not see has no caller.
pub async fn caller() -> Result<(Caller, Arc<dyn Store>), AppError> {
    let state = state()?;
    let caller = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().cloned())
        .ok_or(AppError::NotSignedIn)?;
    Ok((caller, state.store))
}

/// The caller, who must be an Administrator (R6).
pub async fn admin() -> Result<(Caller, Arc<dyn Store>), AppError> {
    let (caller, store) = caller().await?;
    if caller.role != Role::Administrator {
        return Err(AppError::NotAllowed);
    }
    Ok((caller, store))
}

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
            let existing = match kind {
                NameKind::SyncroTenant => store
                    .syncro_tenant(account, SyncroTenantId::from_uuid(owner))
                    .await
                    .ok()
                    .flatten()
                    .map(|s| s.name.to_string()),
                NameKind::Organization => store
                    .organization(account, OrganizationId::from_uuid(owner))
                    .await
                    .ok()
                    .flatten()
                    .map(|o| o.name.to_string()),
                NameKind::EndUserEmail => None,
            };
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

/// A record the request names: it must exist.
pub fn found<T>(r: Result<Option<T>, StoreError>, what: &str) -> Result<T, AppError> {
    read(r)?.ok_or_else(|| AppError::NotFound {
        what: what.to_string(),
    })
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

/// Reads through the store, turning an outage into an error with a reference: retryable when
/// the store was busy or out of reach, else internal.
pub fn read<T>(r: Result<T, StoreError>) -> Result<T, AppError> {
    r.map_err(outage)
}

/// What the user is told about a store failure outside the rules (see [`read`]).
pub fn outage(e: StoreError) -> AppError {
    match e {
        StoreError::Busy(detail) => AppError::store_busy(detail),
        other => AppError::internal(other),
    }
}

/// The CSV import both the management page and `server import-tenants` use.
pub async fn import_csv(
    store: &dyn Store,
    caller: &Caller,
    csv: &str,
) -> Result<crate::wire::ImportReport, AppError> {
    let parsed = crate::domain::csv_import::parse(csv)?;
    let mut report = crate::wire::ImportReport {
        rejected: parsed.rejected,
        ..Default::default()
    };
    if !parsed.tenants.is_empty() {
        let audit = crate::domain::discovery::DiscoveryAudit {
            action: "microsoft_tenant.import",
            summary: format!(
                "Imported {} Microsoft Tenants from CSV",
                parsed.tenants.len()
            ),
        };
        let outcome = crate::services::discovery::record(
            store,
            &caller.account,
            &caller.ctx(),
            audit,
            parsed.tenants,
            crate::domain::Coverage::Partial,
        )
        .await?;
        report.added = outcome.added;
        report.updated = outcome.updated;
    }
    Ok(report)
}

/// True for a plain HTML form post (JavaScript off): it asks for HTML, not a server fn reply.
pub async fn accepts_html() -> bool {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| {
            h.get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Adds a `Set-Cookie` header to this response; `cookie(https)` builds it for the scheme the
/// browser used.
pub fn set_cookie(cookie: impl FnOnce(bool) -> String) {
    let https = use_context::<http::request::Parts>()
        .map(|p| crate::auth::is_https(&p.headers, &p.uri))
        .unwrap_or(false);
    if let (Some(resp), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&cookie(https)),
    ) {
        resp.append_header(http::header::SET_COOKIE, value);
    }
}

/// Runs CPU-heavy work (password hashing) off the async workers.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(AppError::internal)
}

/// argon2id, off the async workers, within the bound on hashes at once (`Hashing`). Outside a
/// request (the CLI tasks) it runs unbounded.
pub async fn hash_password(password: crate::domain::Password) -> Result<String, AppError> {
    let hash = move || crate::auth::hash_password(&password);
    match use_context::<AppState>() {
        Some(state) => state.hashing.run(hash).await?,
        None => blocking(hash).await?,
    }
    .map_err(AppError::internal)
}

/// A new account with its first Administrator, in one change. Used by the first-run page,
/// `server admin create` and the demo loader. `first_run` refuses when any account exists.
pub async fn create_account(
    store: &dyn Store,
    name: crate::domain::AccountName,
    email: crate::domain::Email,
    password: crate::domain::Password,
    first_run: bool,
) -> Result<crate::domain::User, AppError> {
    let hash = hash_password(password).await?;
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
    apply(store, &account, change, email.as_str()).await?;
    found(store.user(&account, user_id).await, "The new user")
}
