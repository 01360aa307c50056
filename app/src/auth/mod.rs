//! Who is calling and how they prove it (server only): the caller and the Administrator check
//! (`caller`), sign-in as a use case (`sign_in`), values sealed for a session (`seal`), and
//! here passwords, session tokens and the session cookie.
//!
//! A session token is 32 random bytes from the operating system, sent only in an `HttpOnly`
//! cookie. The store keeps the SHA-256 of it, so a copy of the store cannot be replayed as a
//! cookie. Passwords are hashed with argon2id (the crate's defaults: 19 MiB, 2 passes).

mod caller;
mod seal;
pub mod sign_in;

pub use caller::{Caller, admin, caller, client_address, may_set_up};
pub use seal::{open_for_session, seal_for_session, sealed_purpose, value_key};

use crate::domain::{Password, Session, SessionCheck, check_session, now};
use crate::error::AppError;
use crate::store::prelude::*;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use http::HeaderMap;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The cookie over plain HTTP (local use).
pub const COOKIE: &str = "tenantmap_session";
/// The cookie over HTTPS: `__Host-` binds it to this host, path `/`, `Secure`.
pub const SECURE_COOKIE: &str = "__Host-tenantmap_session";

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// An argon2id PHC string with a fresh random salt. CPU-heavy (tens of ms): call it off the
/// async workers (`spawn_blocking`).
pub fn hash_password(password: &Password) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    hasher()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// True when `password` matches the stored hash. A malformed hash never matches.
pub fn verify_password(password: &Password, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends the same work as a real check, for an email with no user: the answer's timing must
/// not tell whether the email exists.
pub fn verify_nothing(password: &Password) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let phc = DUMMY.get_or_init(|| {
        hash_password(&Password::typed("not a real password").expect("valid")).unwrap_or_default()
    });
    let _ = verify_password(password, phc);
}

/// A new session token: 256 random bits, hex.
pub fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| e.to_string())?;
    Ok(hex(&bytes))
}

/// What the store keys a session by.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

static FORCED_HTTPS: OnceLock<bool> = OnceLock::new();

/// Treat every request as HTTPS (the configuration's `TENANTMAP_SECURE_COOKIES=1`); set once at
/// start-up, before the first request.
pub fn force_https(on: bool) {
    let _ = FORCED_HTTPS.set(on);
}

/// True when the browser reached us over HTTPS (directly or through a proxy/Function URL that
/// says so), or when [`force_https`] said so.
pub fn is_https(headers: &HeaderMap, uri: &http::Uri) -> bool {
    FORCED_HTTPS.get().copied().unwrap_or(false)
        || uri.scheme_str() == Some("https")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The `Set-Cookie` value that starts a session. No `Max-Age`: the server ends it.
pub fn session_cookie(token: &str, https: bool) -> String {
    if https {
        format!("{SECURE_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Secure")
    } else {
        format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax")
    }
}

/// The `Set-Cookie` value that makes the browser forget the session.
pub fn clear_cookie(https: bool) -> String {
    if https {
        format!("{SECURE_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0")
    } else {
        format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
    }
}

/// The values of the request's cookies named `name`, in the order the browser sent them.
pub fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(n, _)| *n == name)
        .map(|(_, value)| value.trim())
}

/// The name of the session cookie for the scheme the browser used.
fn session_cookie_name(https: bool) -> &'static str {
    if https { SECURE_COOKIE } else { COOKIE }
}

/// How many session cookies the request carries. More than one means one was planted (a cookie
/// set with a narrower `Path`, e.g. from another port of the same host over plain HTTP, is sent
/// first and would decide the account); such a request is refused.
pub fn session_cookie_count(headers: &HeaderMap, https: bool) -> usize {
    cookie_values(headers, session_cookie_name(https)).count()
}

/// The `Set-Cookie` values that make the browser forget every session cookie this request
/// could have carried: a cookie is sent only where its `Path` is a prefix of the request's
/// path, so clearing it at each prefix reaches them all.
pub fn clear_cookies_along(path: &str, https: bool) -> Vec<String> {
    let mut prefixes = vec!["/".to_string()];
    let mut at = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        at.push('/');
        at.push_str(part);
        prefixes.push(at.clone());
    }
    prefixes
        .into_iter()
        .map(|p| {
            let cookie = clear_cookie(https);
            cookie.replacen("Path=/;", &format!("Path={p};"), 1)
        })
        .collect()
}

/// The session token in the request's cookies, if it has the shape of one. Over HTTPS only the
/// `__Host-` cookie counts: a plain-named one could have been planted by a neighbouring host.
pub fn read_token(headers: &HeaderMap, https: bool) -> Option<String> {
    cookie_values(headers, session_cookie_name(https))
        .next()
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(String::from)
}

/// What the session layer found for one request.
#[derive(Debug, Clone)]
pub enum Resolved {
    /// No cookie.
    Anonymous,
    /// A cookie that no longer stands for anyone: the response should clear it.
    Ended,
    SignedIn(Caller),
}

/// Finds the caller of a request: the session named by the cookie, still live for a user who
/// is still active, in the account the session belongs to (never one named by the request).
pub async fn resolve(store: &dyn Store, headers: &HeaderMap, https: bool) -> StoreResult<Resolved> {
    let Some(token) = read_token(headers, https) else {
        return Ok(Resolved::Anonymous);
    };
    let hash = token_hash(&token);
    let Some(session) = store.session(&hash).await? else {
        return Ok(Resolved::Ended);
    };
    let user = store.user(&session.account, session.user).await?;
    let now = now();
    match check_session(&session, user.as_ref(), now) {
        SessionCheck::Live { touch } => {
            if touch {
                store.touch_session(&hash, now).await?;
            }
            let user = user.expect("a live session has its user");
            Ok(Resolved::SignedIn(Caller {
                account: user.account,
                user: user.id,
                actor: user.email.to_string(),
                role: user.role,
                session: hash,
            }))
        }
        SessionCheck::Expired | SessionCheck::Revoked => {
            store.delete_session(&hash).await?;
            Ok(Resolved::Ended)
        }
    }
}

/// Starts a session for a user who just proved who they are; returns the token for the
/// cookie. A new token every time, so a token planted before sign-in is worthless.
pub async fn start_session(
    store: &dyn Store,
    user: &crate::domain::User,
) -> Result<String, crate::error::AppError> {
    let token = new_token().map_err(crate::error::AppError::internal)?;
    let at = now();
    store
        .put_session(Session {
            token_hash: token_hash(&token),
            account: user.account.clone(),
            user: user.id,
            epoch: user.session_epoch,
            created_at: at,
            last_seen: at,
        })
        .await
        .map_err(crate::error::AppError::internal)?;
    Ok(token)
}

/// argon2id for a new password, off the async workers, within the bound on hashes at once
/// (`state::Hashing`). Outside a request (the CLI tasks) it runs unbounded.
pub async fn hash_new_password(password: Password) -> Result<String, AppError> {
    let hash = move || hash_password(&password);
    match leptos::prelude::use_context::<crate::state::AppState>() {
        Some(state) => state.hashing.run(hash).await?,
        None => crate::state::blocking(hash).await?,
    }
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let p = Password::new("correct horse battery staple").unwrap();
        let h = hash_password(&p).unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(!h.contains("correct horse"));
        assert!(verify_password(&p, &h));
        assert!(!verify_password(&Password::typed("wrong").unwrap(), &h));
        assert!(!verify_password(&p, "not a hash"));
        assert_ne!(h, hash_password(&p).unwrap(), "each hash has its own salt");
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let t = "ab".repeat(32);
        let c = session_cookie(&t, true);
        assert!(c.starts_with("__Host-tenantmap_session="));
        for attr in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(c.contains(attr), "{c}");
        }
        let plain = session_cookie(&t, false);
        assert!(plain.starts_with("tenantmap_session=") && !plain.contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));

        let mut h = HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            format!("theme=dark; tenantmap_session={t}")
                .parse()
                .unwrap(),
        );
        assert_eq!(read_token(&h, false), Some(t.clone()));
        assert_eq!(
            read_token(&h, true),
            None,
            "over HTTPS only the __Host- cookie counts"
        );
        h.insert(
            http::header::COOKIE,
            format!("__Host-tenantmap_session={t}").parse().unwrap(),
        );
        assert_eq!(read_token(&h, true), Some(t.clone()));
        h.insert(
            http::header::COOKIE,
            "tenantmap_session=../../etc".parse().unwrap(),
        );
        assert_eq!(read_token(&h, false), None);

        let mut fwd = HeaderMap::new();
        fwd.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(is_https(&fwd, &"/x".parse().unwrap()));
        assert!(!is_https(&HeaderMap::new(), &"/x".parse().unwrap()));
    }
}
