//! The store contract: accounts, users, sessions and sign-in throttling.

use super::*;

pub fn new_user(email: &str, role: Role) -> NewUser {
    NewUser {
        id: UserId::from_uuid(Uuid::new_v4()),
        email: Email::parse(email).unwrap(),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    }
}

/// A new account with its first Administrator, through the rule the server functions use.
pub async fn new_account(
    store: &dyn Store,
    id: &str,
    email: &str,
    first_run: bool,
) -> StoreResult<(AccountId, User)> {
    let account = AccountId::parse(id).unwrap();
    let admin = new_user(email, Role::Administrator);
    let user_id = admin.id;
    let c = create_account(
        &ctx(),
        account.clone(),
        AccountName::parse(id).unwrap(),
        admin,
        first_run,
    );
    store.apply(&account, c).await?;
    let user = store.user(&account, user_id).await?.unwrap();
    Ok((account, user))
}

pub async fn accounts_and_users(store: &dyn Store) {
    assert!(!store.installed().await.unwrap());
    let (a, admin) = new_account(store, "msp-a", "Admin@MSP-A.example", true)
        .await
        .unwrap();
    assert!(store.installed().await.unwrap());
    assert_eq!(admin.email.as_str(), "admin@msp-a.example");
    assert_eq!(admin.role, Role::Administrator);
    assert_eq!(
        store
            .account(&a)
            .await
            .unwrap()
            .unwrap()
            .active_administrators,
        1
    );
    // First run happens once; a second first-run change writes nothing at all.
    assert_eq!(
        new_account(store, "msp-x", "x@msp-x.example", true)
            .await
            .unwrap_err(),
        StoreError::AlreadyInstalled
    );
    assert!(
        store
            .account(&AccountId::parse("msp-x").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .user_by_email(&Email::parse("x@msp-x.example").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // An email is unique within an account, not across accounts: another account may have a
    // user with A's Administrator's email (and saying otherwise would tell B who uses A).
    let (b, b_admin) = new_account(store, "msp-b", "ADMIN@msp-a.example", false)
        .await
        .unwrap();
    assert_eq!(b_admin.email.as_str(), "admin@msp-a.example");
    let both = store
        .users_by_email(&Email::parse("admin@msp-a.example").unwrap())
        .await
        .unwrap();
    assert_eq!(
        both.iter()
            .map(|u| (u.account.clone(), u.id))
            .collect::<Vec<_>>(),
        [(a.clone(), admin.id), (b.clone(), b_admin.id)]
    );
    assert_eq!(
        store
            .user_by_email(&Email::parse("admin@msp-a.example").unwrap())
            .await
            .unwrap(),
        None,
        "no single user"
    );
    // Within the account it is taken, whatever its case; nothing of the refused change is
    // written.
    let again = new_user("Admin@MSP-A.example", Role::Technician);
    assert!(matches!(
        store.apply(&a, add_user(&ctx(), &a, again)).await,
        Err(StoreError::EmailTaken(_))
    ));
    assert_eq!(store.list_users(&a).await.unwrap().len(), 1);
    let tech = new_user("tech@msp-a.example", Role::Technician);
    let tech_id = tech.id;
    store.apply(&a, add_user(&ctx(), &a, tech)).await.unwrap();
    let found = store
        .user_by_email(&Email::parse("TECH@msp-a.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, found.account.clone()), (tech_id, a.clone()));
    let emails: Vec<String> = store
        .list_users(&a)
        .await
        .unwrap()
        .iter()
        .map(|u| u.email.to_string())
        .collect();
    assert_eq!(emails, ["admin@msp-a.example", "tech@msp-a.example"]);
    // Account B sees none of A's users, even by id.
    assert_eq!(store.list_users(&b).await.unwrap().len(), 1);
    assert!(store.user(&b, tech_id).await.unwrap().is_none());
    // Every user change is in the audit log of its own account.
    assert_eq!(store.list_audit(&a, 10).await.unwrap().len(), 2);
    assert_eq!(store.list_audit(&b, 10).await.unwrap().len(), 1);
}

pub async fn the_last_administrator_stays(store: &dyn Store) {
    let (a, admin) = new_account(store, "msp-a", "admin@msp-a.example", false)
        .await
        .unwrap();
    let account = store.account(&a).await.unwrap().unwrap();
    // The rule refuses against what it read...
    assert_eq!(
        change_user(
            &ctx(),
            &account,
            &admin,
            admin.version,
            UserChange::Role(Role::Technician)
        ),
        Err(DomainError::LastAdministrator)
    );
    // ...and the store refuses on its own, against the current count.
    let stale_view = Account {
        active_administrators: 2,
        ..account.clone()
    };
    let c = change_user(
        &ctx(),
        &stale_view,
        &admin,
        admin.version,
        UserChange::Active(false),
    )
    .unwrap();
    assert_eq!(store.apply(&a, c).await, Err(StoreError::LastAdministrator));
    assert!(store.user(&a, admin.id).await.unwrap().unwrap().active);
    // A stale user version is refused (R8).
    let c = change_user(
        &ctx(),
        &stale_view,
        &admin,
        Version(admin.version.0 + 5),
        UserChange::Password("$argon2id$other".into()),
    )
    .unwrap();
    assert!(matches!(
        store.apply(&a, c).await,
        Err(StoreError::Conflict(_))
    ));
}

/// Two Administrators demote each other at the same moment, each having read "2 active
/// Administrators": exactly one change goes through.
pub async fn concurrent_demotions_keep_an_administrator(store: std::sync::Arc<dyn Store>) {
    for round in 0..10 {
        let (a, first) = new_account(
            &*store,
            &format!("msp-{round}"),
            &format!("first@msp-{round}.example"),
            false,
        )
        .await
        .unwrap();
        let second = new_user(&format!("second@msp-{round}.example"), Role::Administrator);
        let second_id = second.id;
        store.apply(&a, add_user(&ctx(), &a, second)).await.unwrap();
        let second = store.user(&a, second_id).await.unwrap().unwrap();
        let account = store.account(&a).await.unwrap().unwrap();
        assert_eq!(account.active_administrators, 2);
        let demote = |u: &User| {
            change_user(
                &ctx(),
                &account,
                u,
                u.version,
                UserChange::Role(Role::Technician),
            )
            .unwrap()
        };
        let (c1, c2) = (demote(&first), demote(&second));
        let (s1, s2) = (store.clone(), store.clone());
        let (a1, a2) = (a.clone(), a.clone());
        let (r1, r2) = tokio::join!(
            tokio::spawn(async move { s1.apply(&a1, c1).await }),
            tokio::spawn(async move { s2.apply(&a2, c2).await })
        );
        let results = [r1.unwrap(), r2.unwrap()];
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(results.contains(&Err(StoreError::LastAdministrator)));
        let admins = store
            .list_users(&a)
            .await
            .unwrap()
            .iter()
            .filter(|u| u.active && u.role == Role::Administrator)
            .count();
        assert_eq!(admins, 1);
        assert_eq!(
            store
                .account(&a)
                .await
                .unwrap()
                .unwrap()
                .active_administrators,
            1
        );
    }
}

pub async fn sessions_are_kept_touched_and_deleted(store: &dyn Store) {
    let (a, admin) = new_account(store, "msp-a", "admin@msp-a.example", false)
        .await
        .unwrap();
    let s = Session {
        token_hash: "ab".repeat(32),
        account: a.clone(),
        user: admin.id,
        epoch: admin.session_epoch,
        created_at: Timestamp(1_000),
        last_seen: Timestamp(1_000),
    };
    store.put_session(s.clone()).await.unwrap();
    assert_eq!(store.session(&s.token_hash).await.unwrap(), Some(s.clone()));
    store
        .touch_session(&s.token_hash, Timestamp(5_000))
        .await
        .unwrap();
    assert_eq!(
        store
            .session(&s.token_hash)
            .await
            .unwrap()
            .unwrap()
            .last_seen,
        Timestamp(5_000)
    );
    assert!(store.session(&"cd".repeat(32)).await.unwrap().is_none());
    store.delete_session(&s.token_hash).await.unwrap();
    assert!(store.session(&s.token_hash).await.unwrap().is_none());
    // Touching or deleting what is gone is harmless.
    store
        .touch_session(&s.token_hash, Timestamp(6_000))
        .await
        .unwrap();
    store.delete_session(&s.token_hash).await.unwrap();
    assert!(store.session(&s.token_hash).await.unwrap().is_none());
}

pub async fn failed_sign_ins_are_counted_by_email_and_address(store: &dyn Store) {
    use app::domain::accounts::throttle::*;
    let t = Timestamp(50_000_000);
    let attacker = SignInKeys::new("a@x.example", "203.0.113.9");
    for _ in 0..FREE_PER_EMAIL_AND_ADDRESS {
        assert_eq!(store.sign_in_attempt(&attacker, t).await.unwrap(), None);
    }
    assert_eq!(
        store.sign_in_attempt(&attacker, t).await.unwrap(),
        Some(30_000)
    );
    // The same email from another address, and another email from the same address, go on.
    let owner = SignInKeys::new("a@x.example", "198.51.100.2");
    assert_eq!(store.sign_in_attempt(&owner, t).await.unwrap(), None);
    let other = SignInKeys::new("b@x.example", "203.0.113.9");
    assert_eq!(store.sign_in_attempt(&other, t).await.unwrap(), None);
    // A success forgives its own attempt: the owner's address starts again at nothing.
    store.sign_in_succeeded(&owner).await.unwrap();
    for _ in 0..FREE_PER_EMAIL_AND_ADDRESS {
        assert_eq!(store.sign_in_attempt(&owner, t).await.unwrap(), None);
    }
    assert!(store.sign_in_attempt(&owner, t).await.unwrap().is_some());
    // Waiting out the wait lets one more through, and the count goes on (no fresh five).
    let later = Timestamp(t.0 + 30_000);
    assert_eq!(store.sign_in_attempt(&attacker, later).await.unwrap(), None);
    assert_eq!(
        store.sign_in_attempt(&attacker, later).await.unwrap(),
        Some(60_000)
    );
    // Forgiving what is not counted is harmless.
    let nobody = SignInKeys::new("c@x.example", "192.0.2.1");
    store.sign_in_succeeded(&nobody).await.unwrap();
    assert_eq!(store.sign_in_attempt(&nobody, t).await.unwrap(), None);
}

/// A checked file is kept for its account until it expires or is used; another account
/// cannot read it under the same id, and the largest one kept fits.
pub async fn checked_files_are_kept_a_few_minutes(store: &dyn Store) {
    use app::domain::mapping::parked::{MAX_PARKED_CHARS, PARKED_FOR_MS, Parked};
    let (a, _) = new_account(store, "msp-a", "admin@msp-a.example", false)
        .await
        .unwrap();
    let (b, _) = new_account(store, "msp-b", "admin@msp-b.example", false)
        .await
        .unwrap();
    let now = Timestamp(1_795_000_000_000);
    assert!(Parked::new(a.clone(), "x".into(), "s".repeat(MAX_PARKED_CHARS + 1), now).is_none());
    let p = Parked::new(a.clone(), "p1".into(), "s".repeat(MAX_PARKED_CHARS), now).unwrap();
    store.park(p.clone()).await.unwrap();
    assert_eq!(store.parked(&a, "p1", now).await.unwrap(), Some(p.clone()));
    let last = Timestamp(now.0 + PARKED_FOR_MS - 1);
    assert!(store.parked(&a, "p1", last).await.unwrap().is_some());
    let expired = Timestamp(now.0 + PARKED_FOR_MS);
    assert!(store.parked(&a, "p1", expired).await.unwrap().is_none());
    assert!(store.parked(&b, "p1", now).await.unwrap().is_none());
    assert!(store.parked(&a, "p2", now).await.unwrap().is_none());
    // Taken once: an expired one is taken as nothing, and is gone too.
    assert!(store.take_parked(&b, "p1", now).await.unwrap().is_none());
    assert_eq!(
        store.take_parked(&a, "p1", now).await.unwrap(),
        Some(p.clone())
    );
    assert!(store.parked(&a, "p1", now).await.unwrap().is_none());
    assert!(store.take_parked(&a, "p1", now).await.unwrap().is_none());
    store.park(p.clone()).await.unwrap();
    assert!(
        store
            .take_parked(&a, "p1", expired)
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.parked_file(&a, "p1").await.unwrap().is_none());
}

/// Round 4: *Import these N changes* read the check, opened it and deleted it — two imports of
/// one check at once both ran. Taking it is one atomic step: of four at once, one gets it.
/// And one account's dry runs never push another account's check out.
pub async fn a_checked_file_is_taken_once_and_kept_per_account(store: &dyn Store) {
    use app::domain::mapping::parked::Parked;
    let (a, _) = new_account(store, "msp-a", "admin@msp-a.example", false)
        .await
        .unwrap();
    let (b, _) = new_account(store, "msp-b", "admin@msp-b.example", false)
        .await
        .unwrap();
    let now = Timestamp(1_795_000_000_000);
    let p = Parked::new(a.clone(), "once".into(), "sealed".into(), now).unwrap();
    store.park(p.clone()).await.unwrap();
    let take = || store.take_parked(&a, "once", now);
    let (t1, t2, t3, t4) = tokio::join!(take(), take(), take(), take());
    let taken = [t1.unwrap(), t2.unwrap(), t3.unwrap(), t4.unwrap()];
    assert_eq!(taken.iter().filter(|t| t.is_some()).count(), 1, "{taken:?}");

    let kept = Parked::new(b.clone(), "b's".into(), "sealed".into(), now).unwrap();
    store.park(kept.clone()).await.unwrap();
    for i in 0..70 {
        let at = Timestamp(now.0 + i);
        let p = Parked::new(a.clone(), format!("dry-run-{i}"), "sealed".into(), at).unwrap();
        store.park(p).await.unwrap();
    }
    assert_eq!(store.parked(&b, "b's", now).await.unwrap(), Some(kept));
    // The account's newest check is kept.
    assert!(store.parked(&a, "dry-run-69", now).await.unwrap().is_some());
}
