//! End Users: kept per Organization, listed a page at a time in name order, active and
//! inactive apart; emails unique per account ignoring case; stale edits refused.

use super::*;
use app::domain::end_users::{
    self, EndUserCursor, EndUserDraft, EndUserField, EndUserFilter, EndUserForm, EndUserPage,
};

pub async fn add_end_user(
    store: &dyn Store,
    a: &AccountId,
    org: &Organization,
    name: &str,
    email: &str,
) -> StoreResult<EndUser> {
    let id = EndUserId::from_uuid(Uuid::new_v4());
    let draft = EndUserDraft::parse(&EndUserForm {
        job_title: "Engineer".into(),
        ..form(name, email)
    })
    .unwrap();
    store
        .apply(a, end_users::add(&ctx(), id, org, draft))
        .await?;
    Ok(store.end_user(a, id).await?.expect("added"))
}

/// A form with a name and an email, the other fields empty.
fn form(name: &str, email: &str) -> EndUserForm {
    EndUserForm {
        name: name.into(),
        email: email.into(),
        ..EndUserForm::default()
    }
}

/// The draft of a name and an email.
fn named(name: &str, email: &str) -> EndUserDraft {
    EndUserDraft::parse(&form(name, email)).unwrap()
}

async fn page(
    store: &dyn Store,
    a: &AccountId,
    org: &Organization,
    filter: &EndUserFilter,
    after: Option<EndUserCursor>,
    per_page: usize,
) -> EndUserPage {
    store
        .end_users(a, org.id, filter, after, per_page)
        .await
        .unwrap()
}

/// Every name a filter lists, page after page.
async fn every_name(
    store: &dyn Store,
    a: &AccountId,
    org: &Organization,
    filter: &EndUserFilter,
    per_page: usize,
) -> Vec<String> {
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let p = page(store, a, org, filter, after, per_page).await;
        assert!(p.rows.len() <= per_page);
        names.extend(p.rows.iter().map(|r| r.name.clone()));
        match p.next {
            Some(c) => after = Some(c),
            None => return names,
        }
    }
}

pub async fn end_users_are_listed_by_organization_in_name_order(store: &dyn Store) {
    let a = &acct();
    let (boston, _) = create_org(store, a, "Foggy IT Services - Boston")
        .await
        .unwrap();
    let (waltham, _) = create_org(store, a, "Foggy IT Services - Waltham")
        .await
        .unwrap();
    // Names whose keys share prefixes and spaces: "Ann" before "Ann Lee" before "Anna".
    let mut expected = Vec::new();
    for (n, name) in ["Anna", "Ann Lee", "ann", "Bob", "Zoë", "Émile"]
        .iter()
        .enumerate()
    {
        add_end_user(store, a, &boston, name, &format!("p{n}@boston.example"))
            .await
            .unwrap();
        expected.push(name.to_string());
    }
    for n in 0..53 {
        let name = format!("Person {n:02}");
        add_end_user(
            store,
            a,
            &boston,
            &name,
            &format!("person{n}@boston.example"),
        )
        .await
        .unwrap();
        expected.push(name);
    }
    let other = add_end_user(store, a, &waltham, "Walt Ham", "walt@waltham.example")
        .await
        .unwrap();
    expected.sort_by_key(|n| sort_key(n));
    let all = EndUserFilter::default();
    for per_page in [1, 7, 25, 59, 100] {
        assert_eq!(
            every_name(store, a, &boston, &all, per_page).await,
            expected,
            "{per_page} per page"
        );
    }
    assert_eq!(every_name(store, a, &waltham, &all, 25).await, ["Walt Ham"]);

    // Search: words in any order, across name, email and job title; paged the same way.
    let persons = EndUserFilter {
        inactive: false,
        words: "boston.example PERSON 1".into(),
    };
    let found = every_name(store, a, &boston, &persons, 3).await;
    assert_eq!(
        found,
        [
            "Person 01",
            "Person 10",
            "Person 11",
            "Person 12",
            "Person 13",
            "Person 14",
            "Person 15",
            "Person 16",
            "Person 17",
            "Person 18",
            "Person 19",
            "Person 21",
            "Person 31",
            "Person 41",
            "Person 51"
        ]
    );

    // Deactivated: gone from the active list, in the inactive one; active again, back.
    let bob = store
        .end_users(
            a,
            boston.id,
            &EndUserFilter {
                inactive: false,
                words: "bob".into(),
            },
            None,
            25,
        )
        .await
        .unwrap()
        .rows[0]
        .clone();
    let bob = store.end_user(a, bob.id).await.unwrap().unwrap();
    store
        .apply(a, end_users::set_active(&ctx(), &bob, false).unwrap())
        .await
        .unwrap();
    let inactive = EndUserFilter {
        inactive: true,
        words: String::new(),
    };
    assert_eq!(every_name(store, a, &boston, &inactive, 25).await, ["Bob"]);
    assert!(
        !every_name(store, a, &boston, &all, 100)
            .await
            .contains(&"Bob".to_string())
    );
    let bob = store.end_user(a, bob.id).await.unwrap().unwrap();
    assert!(!bob.active);
    store
        .apply(a, end_users::set_active(&ctx(), &bob, true).unwrap())
        .await
        .unwrap();
    assert!(
        every_name(store, a, &boston, &inactive, 25)
            .await
            .is_empty()
    );

    // A rename moves the row to its new place.
    let cur = store.end_user(a, other.id).await.unwrap().unwrap();
    let draft = named("Aaron Walt", "walt@waltham.example");
    store
        .apply(a, end_users::edit(&ctx(), &cur, draft, vec![], false))
        .await
        .unwrap();
    let w = add_end_user(store, a, &waltham, "Zed", "zed@waltham.example")
        .await
        .unwrap();
    assert_eq!(
        every_name(store, a, &waltham, &all, 1).await,
        ["Aaron Walt", "Zed"]
    );
    assert_eq!(
        store.end_user(a, w.id).await.unwrap().unwrap().organization,
        waltham.id
    );

    // Another account sees none of them.
    let b = AccountId::parse("other-msp").unwrap();
    assert!(
        page(store, &b, &boston, &all, None, 25)
            .await
            .rows
            .is_empty()
    );
    assert!(store.end_user(&b, w.id).await.unwrap().is_none());
}

pub async fn end_user_emails_are_unique_per_account(store: &dyn Store) {
    let a = &acct();
    let (org, _) = create_org(store, a, "Acme Dental").await.unwrap();
    let ann = add_end_user(store, a, &org, "Ann Lee", "ann@acme.example")
        .await
        .unwrap();
    let taken = add_end_user(store, a, &org, "Ann Other", " ANN@Acme.example ").await;
    match taken {
        Err(StoreError::NameTaken {
            kind: NameKind::EndUserEmail,
            owner,
            ..
        }) => {
            assert_eq!(owner, ann.id.as_uuid())
        }
        other => panic!("expected the email to be taken, got {other:?}"),
    }
    // Nothing of the refused change was written.
    assert_eq!(
        every_name(store, a, &org, &EndUserFilter::default(), 25).await,
        ["Ann Lee"]
    );
    // Without an email, any number of people.
    add_end_user(store, a, &org, "Front Desk", "")
        .await
        .unwrap();
    add_end_user(store, a, &org, "Back Office", "")
        .await
        .unwrap();

    // A changed email frees the old one for someone else.
    let draft = named("Ann Lee", "ann.lee@acme.example");
    store
        .apply(a, end_users::edit(&ctx(), &ann, draft, vec![], false))
        .await
        .unwrap();
    let newcomer = add_end_user(store, a, &org, "Ann Newcomer", "ann@acme.example")
        .await
        .unwrap();
    assert_eq!(newcomer.email.unwrap().as_str(), "ann@acme.example");

    // Another account may have the same address.
    let b = AccountId::parse("other-msp").unwrap();
    let (org_b, _) = create_org(store, &b, "Acme Dental").await.unwrap();
    add_end_user(store, &b, &org_b, "Ann Lee", "ann.lee@acme.example")
        .await
        .unwrap();
}

pub async fn stale_end_user_edits_are_refused(store: &dyn Store) {
    let a = &acct();
    let (org, _) = create_org(store, a, "Acme Dental").await.unwrap();
    let ann = add_end_user(store, a, &org, "Ann Lee", "ann@acme.example")
        .await
        .unwrap();
    let draft = |name: &str| named(name, "ann@acme.example");
    store
        .apply(
            a,
            end_users::edit(
                &ctx(),
                &ann,
                draft("Ann Lee-Smith"),
                vec![EndUserField::JobTitle],
                true,
            ),
        )
        .await
        .unwrap();
    // The page read before that edit: refused, nothing written.
    let stale = end_users::edit(&ctx(), &ann, draft("Ann Stale"), vec![], false);
    assert!(matches!(
        store.apply(a, stale).await,
        Err(StoreError::Conflict(_))
    ));
    let now = store.end_user(a, ann.id).await.unwrap().unwrap();
    assert_eq!(now.name, "Ann Lee-Smith");
    assert!(now.pinned_person);
    assert_eq!(now.pinned, [EndUserField::JobTitle]);
    assert_eq!(now.version, Version(2));
    assert_eq!(
        every_name(store, a, &org, &EndUserFilter::default(), 25).await,
        ["Ann Lee-Smith"]
    );
    // Each change is in the person's history.
    let history = store.list_audit(a, 10).await.unwrap();
    let mine: Vec<&str> = history
        .iter()
        .filter(|e| e.records.contains(&format!("eu:{}", ann.id)))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(mine, ["end_user.update", "end_user.create"]);
}

/// Links (tenant, object id) and emails find End Users on every store; settings are guarded by
/// their version; the state keeps the delta link.
pub async fn links_settings_and_state(store: &dyn Store) {
    use app::domain::end_users::sync::*;
    let a = &acct();
    let (org, st) = create_org(store, a, "Foggy IT Services - Boston")
        .await
        .unwrap();
    let tenant = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7777));
    let other_tenant = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x8888));
    let mut linked = Vec::new();
    for n in 0..3u32 {
        let eu = add_end_user(
            store,
            a,
            &org,
            &format!("P{n}"),
            &format!("p{n}@foggy.example"),
        )
        .await
        .unwrap();
        let mut after = eu.clone();
        after.source = end_users::EndUserSource::Entra {
            tenant: if n == 2 { other_tenant } else { tenant },
            object_id: format!("oid-{n}"),
        };
        after.version = eu.version.next();
        let mut c = ChangeSet::default();
        end_users::put(&mut c, Some(&eu), &after);
        store.apply(a, c).await.unwrap();
        linked.push(after);
    }
    let names = |v: Vec<EndUser>| v.into_iter().map(|e| e.name).collect::<Vec<_>>();
    let mut all = names(store.end_users_linked(a, tenant, None).await.unwrap());
    all.sort();
    assert_eq!(all, ["P0", "P1"]);
    let some = store
        .end_users_linked(
            a,
            tenant,
            Some(&["oid-1".into(), "oid-9".into(), "oid-2".into()]),
        )
        .await
        .unwrap();
    assert_eq!(names(some), ["P1"], "oid-2 is another tenant's");
    // Unlinked again (back to manual): no longer found by its link.
    let mut manual = linked[0].clone();
    manual.source = end_users::EndUserSource::Manual;
    manual.version = linked[0].version.next();
    let mut c = ChangeSet::default();
    end_users::put(&mut c, Some(&linked[0]), &manual);
    store.apply(a, c).await.unwrap();
    assert_eq!(
        names(store.end_users_linked(a, tenant, None).await.unwrap()),
        ["P1"]
    );
    let found = store
        .end_users_by_emails(
            a,
            &[
                "p2@foggy.example".into(),
                "nobody@x.example".into(),
                "p0@foggy.example".into(),
            ],
        )
        .await
        .unwrap();
    assert_eq!(names(found), ["P2", "P0"]);
    assert!(
        store
            .end_users_linked(&AccountId::parse("other-msp").unwrap(), tenant, None)
            .await
            .unwrap()
            .is_empty()
    );

    // Settings: saved once, then only at their version.
    let parsed = (
        UserFilters::default(),
        Vec::new(),
        Some(org.id),
        DEFAULT_BRAKE_PERCENT,
    );
    store
        .apply(a, save(&ctx(), &st, None, parsed.clone()))
        .await
        .unwrap();
    let saved = store.user_sync(a, st.id).await.unwrap().unwrap();
    assert_eq!((saved.version, saved.approved_at), (Version(1), None));
    assert!(matches!(
        store
            .apply(a, save(&ctx(), &st, None, parsed.clone()))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store.apply(a, approve(&ctx(), &st, &saved)).await.unwrap();
    assert!(matches!(
        store.apply(a, approve(&ctx(), &st, &saved)).await,
        Err(StoreError::Conflict(_))
    ));
    let approved = store.user_sync(a, st.id).await.unwrap().unwrap();
    assert!(approved.approved_at.is_some());
    assert_eq!(store.user_syncs(a).await.unwrap(), [approved]);
    let history = store.list_audit(a, 5).await.unwrap();
    assert!(
        history[0].records.contains(&format!("st:{}", st.id)),
        "in the Syncro Tenant's history"
    );

    let state = UserSyncState {
        syncro_tenant: st.id,
        tenant,
        delta_link: Some("https://graph.example/v1.0/users/delta?$deltatoken=9".into()),
        synced_active: 2,
        last_report: Some(UserSyncReport {
            created: 2,
            ..Default::default()
        }),
    };
    let mut c = ChangeSet::default();
    c.push(Write::PutUserSyncState(state.clone()));
    store.apply(a, c).await.unwrap();
    assert_eq!(store.user_sync_state(a, st.id).await.unwrap(), Some(state));
}
