//! Sessions: when one ends, and what a sign-in or sign-out records.

use crate::domain::{AccountId, ChangeSet, Ctx, Timestamp, User, UserId};
use serde::{Deserialize, Serialize};

/// A signed-in browser. The store keys it by the SHA-256 of the token; the token itself is only
/// ever in the cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub token_hash: String,
    pub account: AccountId,
    pub user: UserId,
    pub epoch: u32,
    pub created_at: Timestamp,
    pub last_seen: Timestamp,
}

impl Session {
    /// When the session ends if nothing touches it: idle timeout or absolute lifetime,
    /// whichever comes first.
    pub fn ends_at(&self) -> Timestamp {
        Timestamp(
            (self.last_seen.0 + IDLE_TIMEOUT_MS).min(self.created_at.0 + ABSOLUTE_LIFETIME_MS),
        )
    }
}

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT_MS: i64 = 8 * 60 * 60 * 1000;
/// …and this long after sign-in, whatever happens.
pub const ABSOLUTE_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// `last_seen` is written at most this often (a write per request would be wasteful).
pub const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCheck {
    /// Good; `touch` when `last_seen` should be written.
    Live { touch: bool },
    /// Timed out (idle or absolute).
    Expired,
    /// The user was disabled, changed password, or no longer exists.
    Revoked,
}

/// Whether a session still stands for its user at `now`.
pub fn check_session(session: &Session, user: Option<&User>, now: Timestamp) -> SessionCheck {
    let Some(user) = user else {
        return SessionCheck::Revoked;
    };
    if !user.active
        || user.session_epoch != session.epoch
        || user.id != session.user
        || user.account != session.account
    {
        return SessionCheck::Revoked;
    }
    if now >= session.ends_at() {
        return SessionCheck::Expired;
    }
    SessionCheck::Live {
        touch: now.0 - session.last_seen.0 >= TOUCH_EVERY_MS,
    }
}

/// What happened to a sign-in, for the account's activity (R9: who, when, from where).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    SignedIn,
    SignedOut,
    /// The email is a user of the account, but the password was wrong or the user disabled.
    Refused {
        disabled: bool,
    },
}

/// The activity entry of a sign-in, sign-out or refused sign-in of the user `id` (`email`)
/// from `address`.
pub fn session_event(
    ctx: &Ctx,
    id: UserId,
    email: &str,
    event: SessionEvent,
    address: &str,
) -> ChangeSet {
    let (action, what) = match event {
        SessionEvent::SignedIn => ("session.sign_in", "Signed in"),
        SessionEvent::SignedOut => ("session.sign_out", "Signed out"),
        SessionEvent::Refused { disabled: true } => {
            ("session.refused", "Refused a sign-in (user disabled)")
        }
        SessionEvent::Refused { disabled: false } => {
            ("session.refused", "Refused a sign-in (wrong password)")
        }
    };
    let mut c = ChangeSet::default();
    c.push(ctx.audit_entry(
        action,
        format!("{what}: {email} from {address}"),
        serde_json::Value::Null,
        serde_json::json!({ "user": id, "address": address }),
    ));
    c
}

/// One user a sign-in checked its password against: its account, whether the password was
/// right, whether the user is active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInCheck<'a> {
    pub account: &'a str,
    pub right: bool,
    pub active: bool,
}

/// Which of the checked users a refused sign-in is recorded for — only those whose attempt it
/// was beyond doubt. An email may be a user of several accounts, and any Administrator can add
/// any email to their own: recording a refusal in every account that has the email would let
/// one account watch when and from where another's user signs in, and fill another's log with
/// refusals by signing in to its own. So a refusal is recorded:
/// - when no account opened: where the password was right but the user is disabled (knowing
///   it proves the target); otherwise where the attempt named one account — the email is a
///   user of that account alone, or the sign-in chose it (`chosen`, the account picked on the
///   sign-in page).
///
/// An attempt that opened an account, or that could be for any of several, is recorded in none
/// (the throttle still counts it).
pub fn refusals_to_record(checks: &[SignInCheck<'_>], chosen: &str) -> Vec<usize> {
    if checks.iter().any(|c| c.right && c.active) {
        return Vec::new();
    }
    let disabled: Vec<usize> = (0..checks.len())
        .filter(|&i| checks[i].right && !checks[i].active)
        .collect();
    if !disabled.is_empty() {
        return disabled;
    }
    match checks {
        [_] => vec![0],
        _ => checks
            .iter()
            .position(|c| !chosen.is_empty() && c.account == chosen)
            .into_iter()
            .collect(),
    }
}
