//! Accounts and their users: creating an account, adding and changing a user.

use crate::domain::{
    AccountId, AccountName, ChangeSet, Ctx, DomainError, Email, Expect, Role, Timestamp, UserId,
    Version, Write,
};
use serde::{Deserialize, Serialize};

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

record_kind!(User, "user");

impl User {
    fn counts_as_admin(&self) -> bool {
        self.active && self.role == Role::Administrator
    }
}

/// The record of a new user, before it is written.
pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub role: Role,
    pub password_hash: String,
}

fn new_user_record(ctx: &Ctx, account: &AccountId, u: NewUser) -> User {
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
    ctx: &Ctx,
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

/// Admin > Users: *Add user*.
pub fn add_user(ctx: &Ctx, account: &AccountId, new: NewUser) -> ChangeSet {
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
    ctx: &Ctx,
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
        use crate::domain::{SignInCheck, refusals_to_record};
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
    use crate::domain::accounts::*;
    use crate::domain::*;

    fn ctx() -> Ctx {
        Ctx {
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
