//! Accounts, users, roles and sessions: the validated types and the rules as plain functions.
//!
//! Hashing passwords and making tokens needs the server (`crate::auth`); everything here is
//! deterministic and unit-tested.

use super::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do (R6). Administrators change things; Technicians only look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Administrator,
    Technician,
}

impl Role {
    pub fn parse(s: &str) -> Result<Role, DomainError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "administrator" | "admin" => Ok(Role::Administrator),
            "technician" | "tech" => Ok(Role::Technician),
            _ => Err(DomainError::invalid(
                "role",
                "Choose Administrator or Technician",
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Technician => "technician",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Technician => "Technician",
        }
    }
}

/// A sign-in email: trimmed, lowercased, one `@` with something on both sides and a dot in the
/// domain. Unique across the whole installation (sign-in asks only for email and password).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, DomainError> {
        let e = raw.trim().to_lowercase();
        let bad = |m: &str| Err(DomainError::invalid("email", m));
        if e.is_empty() {
            return bad("Email is required");
        }
        if e.len() > 254 {
            return bad("Email is longer than 254 characters");
        }
        if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("Email must not contain spaces");
        }
        let Some((local, domain)) = e.split_once('@') else {
            return bad("Email needs an @, as in name@example.com");
        };
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
        let domain_ok = domain.contains('.')
            && domain
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if !local_ok || !domain_ok {
            return bad("Email is not an address such as name@example.com");
        }
        Ok(Email(e))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Email {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password in clear, only ever held in memory on its way to the hasher. Not `Serialize`, and
/// its `Debug` prints nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    /// A password someone chooses: 12–256 characters. Spaces count; nothing is trimmed.
    pub fn new(raw: &str) -> Result<Password, DomainError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(DomainError::invalid(
                "password",
                format!(
                    "Use at least {} characters (a few words make a good password)",
                    Self::MIN_CHARS
                ),
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(DomainError::invalid(
                "password",
                format!("Use at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Password(raw.to_string()))
    }

    /// A password typed at sign-in: not checked against the rules for new ones (an older rule
    /// may have allowed it), only bounded so hashing stays cheap.
    pub fn typed(raw: &str) -> Result<Password, DomainError> {
        if raw.is_empty() {
            return Err(DomainError::invalid("password", "Password is required"));
        }
        if raw.len() > 1024 {
            return Err(DomainError::invalid("password", "Password is too long"));
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// An MSP's name, shown in the header: 1–120 characters, none of them hidden (`names::is_hidden`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<AccountName, DomainError> {
        let t = raw.trim();
        if t.is_empty() || t.chars().count() > names::NAME_MAX_CHARS {
            return Err(DomainError::invalid(
                "account",
                "Account name needs 1–120 characters",
            ));
        }
        if t.chars().any(names::is_hidden) {
            return Err(DomainError::invalid("account", names::HIDDEN));
        }
        Ok(AccountName(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for AccountName {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        AccountName::parse(&s)
    }
}
impl From<AccountName> for String {
    fn from(n: AccountName) -> String {
        n.0
    }
}
impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One MSP. `active_administrators` is kept by the store through
/// [`Write::AdjustAdministrators`], so "the last active Administrator stays" is one condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub name: AccountName,
    pub active_administrators: u32,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub account: AccountId,
    pub email: Email,
    pub role: Role,
    pub active: bool,
    /// argon2id, PHC string format (salt and parameters included).
    pub password_hash: String,
    /// Sessions carry the epoch they were made in; raising it (disable, new password) ends
    /// every session of the user at once.
    pub session_epoch: u32,
    pub version: Version,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    fn counts_as_admin(&self) -> bool {
        self.active && self.role == Role::Administrator
    }
}

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

/// The record of a new user, before it is written.
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    pub password_hash: String,
}

fn new_user_record(ctx: &rules::Ctx, account: &AccountId, u: NewUser) -> User {
    User {
        id: u.id,
        account: account.clone(),
        email: u.email,
        role: u.role,
        active: true,
        password_hash: u.password_hash,
        session_epoch: 1,
        version: Version(1),
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}

fn user_json(u: &User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id.to_string(),
        "email": u.email.as_str(),
        "role": u.role.as_str(),
        "active": u.active,
    })
}

/// A new account and its first Administrator. `first_run` makes it refuse when any account
/// exists already (the browser's first-run page may succeed only once).
pub fn create_account(
    ctx: &rules::Ctx,
    id: AccountId,
    name: AccountName,
    admin: NewUser,
    first_run: bool,
) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(Write::Installed { first: first_run });
    c.push(Write::PutAccount {
        record: Account {
            id: id.clone(),
            name: name.clone(),
            active_administrators: 1,
            created_at: ctx.now,
        },
    });
    c.push(Write::ClaimEmail {
        key: admin.email.as_str().to_string(),
        user: admin.id,
    });
    let user = new_user_record(
        ctx,
        &id,
        NewUser {
            role: Role::Administrator,
            ..admin
        },
    );
    c.push(ctx.audit_entry(
        "account.create",
        format!(
            "Created the account \"{name}\" with Administrator {}",
            user.email
        ),
        serde_json::Value::Null,
        user_json(&user),
    ));
    c.push(Write::PutUser {
        record: user,
        expect: Expect::Absent,
    });
    c
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
    ctx: &rules::Ctx,
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

/// Admin > Users: *Add user*.
pub fn add_user(ctx: &rules::Ctx, account: &AccountId, new: NewUser) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(Write::ClaimEmail {
        key: new.email.as_str().to_string(),
        user: new.id,
    });
    let user = new_user_record(ctx, account, new);
    if user.counts_as_admin() {
        c.push(Write::AdjustAdministrators { delta: 1 });
    }
    c.push(ctx.audit_entry(
        "user.add",
        format!("Added {} as {}", user.email, user.role.label()),
        serde_json::Value::Null,
        user_json(&user),
    ));
    c.push(Write::PutUser {
        record: user,
        expect: Expect::Absent,
    });
    c
}

/// What an Administrator does to a user on Admin > Users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Role(Role),
    Active(bool),
    /// A new password hash (the caller hashed it); ends the user's sessions.
    Password(String),
}

/// Changes one user. Refuses to leave the account without an active Administrator: checked
/// here against `account` as read, and again by the store against the current count.
pub fn change_user(
    ctx: &rules::Ctx,
    account: &Account,
    user: &User,
    expected: Version,
    change: UserChange,
) -> Result<ChangeSet, DomainError> {
    let mut next = user.clone();
    let summary = match &change {
        UserChange::Role(r) => {
            next.role = *r;
            format!("Changed {} to {}", user.email, r.label())
        }
        UserChange::Active(true) => {
            next.active = true;
            format!("Enabled {}", user.email)
        }
        UserChange::Active(false) => {
            next.active = false;
            next.session_epoch = user.session_epoch.wrapping_add(1);
            format!("Disabled {}; their sessions ended", user.email)
        }
        UserChange::Password(hash) => {
            next.password_hash = hash.clone();
            next.session_epoch = user.session_epoch.wrapping_add(1);
            format!(
                "Set a new password for {}; their sessions ended",
                user.email
            )
        }
    };
    if next == *user {
        return Err(DomainError::invalid(
            "user",
            format!("{} is already {}", user.email, describe(user)),
        ));
    }
    let delta = i32::from(next.counts_as_admin()) - i32::from(user.counts_as_admin());
    if delta < 0 && account.active_administrators <= 1 {
        return Err(DomainError::LastAdministrator);
    }
    next.version = user.version.next();
    next.updated_at = ctx.now;
    let mut c = ChangeSet::default();
    if delta != 0 {
        c.push(Write::AdjustAdministrators { delta });
    }
    c.push(ctx.audit_entry("user.change", summary, user_json(user), user_json(&next)));
    c.push(Write::PutUser {
        record: next,
        expect: Expect::Version(expected),
    });
    Ok(c)
}

fn describe(u: &User) -> String {
    if u.active {
        format!("an active {}", u.role.label())
    } else {
        format!("a disabled {}", u.role.label())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refused_sign_in_is_recorded_only_for_the_user_it_was_for() {
        use super::{SignInCheck, refusals_to_record};
        let check = |account, right, active| SignInCheck {
            account,
            right,
            active,
        };
        // One account has the email: its user's wrong password is theirs.
        assert_eq!(refusals_to_record(&[check("a", false, true)], ""), vec![0]);
        // Another account added the same email: a sign-in that opened one records nothing in
        // the other (it was not for them), whichever way round.
        let b_signs_in = [check("a", false, true), check("b", true, true)];
        assert!(refusals_to_record(&b_signs_in, "").is_empty());
        // A wrong password for an email of two accounts: whose attempt? Nobody's beyond doubt.
        let wrong = [check("a", false, true), check("b", false, true)];
        assert!(refusals_to_record(&wrong, "").is_empty());
        assert!(refusals_to_record(&wrong, "c").is_empty());
        // ... unless the sign-in chose the account.
        assert_eq!(refusals_to_record(&wrong, "b"), vec![1]);
        // The right password of a disabled user: that user's attempt.
        let disabled = [check("a", false, true), check("b", true, false)];
        assert_eq!(refusals_to_record(&disabled, ""), vec![1]);
        let elsewhere = [check("a", true, true), check("b", true, false)];
        assert!(refusals_to_record(&elsewhere, "").is_empty());
        assert!(refusals_to_record(&[], "").is_empty());
    }

    use super::*;

    fn ctx() -> rules::Ctx {
        rules::Ctx {
            actor: "admin@foggy.example".into(),
            now: Timestamp(1_000_000),
            audit_id: "a1".into(),
        }
    }

    fn user(role: Role, active: bool) -> User {
        User {
            id: UserId::parse("6f1c1b58-3f1e-4d0c-9b35-7b0f4f3c8a11").unwrap(),
            account: AccountId::parse("acme").unwrap(),
            email: Email::parse("Tech@Foggy.example").unwrap(),
            role,
            active,
            password_hash: "$argon2id$…".into(),
            session_epoch: 3,
            version: Version(4),
            created_at: Timestamp(0),
            updated_at: Timestamp(0),
        }
    }

    fn account(admins: u32) -> Account {
        Account {
            id: AccountId::parse("acme").unwrap(),
            name: AccountName::parse("Acme").unwrap(),
            active_administrators: admins,
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn emails_are_parsed_and_lowercased() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@x.io",
            "a@@x.io",
            "a@x..io",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@x.io", "a".repeat(260))).is_err());
    }

    #[test]
    fn passwords_have_a_length_rule_and_never_print() {
        assert!(Password::new("short").is_err());
        assert!(Password::new(&"x".repeat(257)).is_err());
        let p = Password::new("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(…)");
        assert!(Password::typed("").is_err());
        assert!(Password::typed("short").is_ok());
    }

    #[test]
    fn roles_parse() {
        assert_eq!(Role::parse("Administrator").unwrap(), Role::Administrator);
        assert_eq!(Role::parse("technician").unwrap(), Role::Technician);
        assert!(Role::parse("owner").is_err());
    }

    #[test]
    fn sessions_end_on_idle_lifetime_disable_and_new_password() {
        let u = user(Role::Technician, true);
        let s = Session {
            token_hash: "h".into(),
            account: u.account.clone(),
            user: u.id,
            epoch: 3,
            created_at: Timestamp(0),
            last_seen: Timestamp(0),
        };
        assert_eq!(
            check_session(&s, Some(&u), Timestamp(1000)),
            SessionCheck::Live { touch: false }
        );
        assert_eq!(
            check_session(&s, Some(&u), Timestamp(TOUCH_EVERY_MS)),
            SessionCheck::Live { touch: true }
        );
        assert_eq!(
            check_session(&s, Some(&u), Timestamp(IDLE_TIMEOUT_MS)),
            SessionCheck::Expired
        );
        let recent = Session {
            last_seen: Timestamp(ABSOLUTE_LIFETIME_MS - 1),
            ..s.clone()
        };
        assert_eq!(
            check_session(&recent, Some(&u), Timestamp(ABSOLUTE_LIFETIME_MS)),
            SessionCheck::Expired
        );
        let disabled = User {
            active: false,
            ..u.clone()
        };
        assert_eq!(
            check_session(&s, Some(&disabled), Timestamp(1)),
            SessionCheck::Revoked
        );
        let new_password = User {
            session_epoch: 4,
            ..u.clone()
        };
        assert_eq!(
            check_session(&s, Some(&new_password), Timestamp(1)),
            SessionCheck::Revoked
        );
        assert_eq!(check_session(&s, None, Timestamp(1)), SessionCheck::Revoked);
    }

    #[test]
    fn the_last_active_administrator_stays() {
        let admin = user(Role::Administrator, true);
        for change in [
            UserChange::Role(Role::Technician),
            UserChange::Active(false),
        ] {
            assert_eq!(
                change_user(&ctx(), &account(1), &admin, Version(4), change.clone()),
                Err(DomainError::LastAdministrator)
            );
            let c = change_user(&ctx(), &account(2), &admin, Version(4), change).unwrap();
            assert!(
                c.writes()
                    .contains(&Write::AdjustAdministrators { delta: -1 })
            );
            assert!(c.clone().into_writes().is_ok());
        }
        // A new password does not change the count, and ends the sessions.
        let c = change_user(
            &ctx(),
            &account(1),
            &admin,
            Version(4),
            UserChange::Password("$argon2id$new".into()),
        )
        .unwrap();
        let Some(Write::PutUser { record, expect }) = c.writes().last() else {
            panic!("no user write");
        };
        assert_eq!(*expect, Expect::Version(Version(4)));
        assert_eq!(record.session_epoch, 4);
        assert_eq!(record.version, Version(5));
        assert!(
            !c.writes()
                .iter()
                .any(|w| matches!(w, Write::AdjustAdministrators { .. }))
        );
    }

    #[test]
    fn enabling_and_promoting_count_administrators() {
        let tech = user(Role::Technician, true);
        let c = change_user(
            &ctx(),
            &account(1),
            &tech,
            Version(4),
            UserChange::Role(Role::Administrator),
        )
        .unwrap();
        assert!(
            c.writes()
                .contains(&Write::AdjustAdministrators { delta: 1 })
        );
        let off = user(Role::Administrator, false);
        let c = change_user(
            &ctx(),
            &account(1),
            &off,
            Version(4),
            UserChange::Active(true),
        )
        .unwrap();
        assert!(
            c.writes()
                .contains(&Write::AdjustAdministrators { delta: 1 })
        );
        // Disabling a Technician leaves the count alone but ends the sessions.
        let c = change_user(
            &ctx(),
            &account(1),
            &tech,
            Version(4),
            UserChange::Active(false),
        )
        .unwrap();
        assert!(
            !c.writes()
                .iter()
                .any(|w| matches!(w, Write::AdjustAdministrators { .. }))
        );
        assert!(
            change_user(
                &ctx(),
                &account(1),
                &tech,
                Version(4),
                UserChange::Role(Role::Technician)
            )
            .is_err()
        );
    }

    #[test]
    fn a_new_account_is_one_change() {
        let c = create_account(
            &ctx(),
            AccountId::parse("acme").unwrap(),
            AccountName::parse("Acme IT").unwrap(),
            NewUser {
                id: UserId::parse("6f1c1b58-3f1e-4d0c-9b35-7b0f4f3c8a11").unwrap(),
                email: Email::parse("a@acme.example").unwrap(),
                role: Role::Technician,
                password_hash: "$argon2id$x".into(),
            },
            true,
        );
        assert!(c.clone().into_writes().is_ok());
        assert!(c.writes().contains(&Write::Installed { first: true }));
        let user = c.writes().iter().find_map(|w| match w {
            Write::PutUser { record, .. } => Some(record),
            _ => None,
        });
        assert_eq!(
            user.unwrap().role,
            Role::Administrator,
            "the first user administers"
        );
    }
}
