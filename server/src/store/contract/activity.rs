//! Admin > Activity: the account's recorded changes, filtered and paged the same on every store.

use super::*;
use app::domain::activity::{ActivityCursor, ActivityFilter, ActivityKind};

pub async fn activity_is_filtered_and_paged(store: &dyn Store, a: &AccountId) {
    // 120 changes by two people: Organizations created, every third one's Syncro Tenant renamed.
    let mut renamed = None;
    for n in 0..80 {
        let (org, st) = create_org(store, a, &format!("Org {n:03}")).await.unwrap();
        if n % 2 == 0 {
            let ctx = Ctx {
                actor: "tech-lead@msp.example".into(),
                ..ctx()
            };
            let name = SyncroTenantName::parse(&format!("Renamed {n:03}")).unwrap();
            store
                .apply(a, rules::rename_syncro_tenant(&ctx, &st, st.version, name))
                .await
                .unwrap();
            renamed.get_or_insert((org, st));
        }
    }
    let all = store.list_audit(a, 10_000).await.unwrap();
    assert_eq!(all.len(), 120);

    // Every page in turn gives every entry once, newest first.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .activity(a, &ActivityFilter::default(), before, 25)
            .await
            .unwrap();
        seen.extend(page.entries.iter().map(|e| e.id.clone()));
        match page.older {
            Some(c) => before = Some(c),
            None => break,
        }
    }
    let ids: Vec<String> = all.iter().map(|e| e.id.clone()).collect();
    assert_eq!(seen, ids);

    // By person and kind, and by words.
    let by = ActivityFilter {
        actor: "Tech-Lead@MSP.example".into(),
        kind: Some(ActivityKind::SyncroTenants),
        ..Default::default()
    };
    let page = store.activity(a, &by, None, 50).await.unwrap();
    assert_eq!(page.entries.len(), 40);
    assert!(
        page.entries
            .iter()
            .all(|e| e.action == "syncro_tenant.rename")
    );
    let words = ActivityFilter {
        search: "renamed 004".into(),
        ..Default::default()
    };
    let page = store.activity(a, &words, None, 50).await.unwrap();
    assert_eq!(page.entries.len(), 1, "{:?}", page.entries);

    // One record's history: its creation and its rename, newest first.
    let (org, st) = renamed.unwrap();
    let history = ActivityFilter {
        record: format!("st:{}", st.id),
        ..Default::default()
    };
    let page = store.activity(a, &history, None, 50).await.unwrap();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["syncro_tenant.rename", "organization.create"]);
    assert!(page.entries[1].records.contains(&format!("org:{}", org.id)));
    assert_eq!(page.older, None);

    // An entry is found by its place; an unknown place is none.
    let first = &all[0];
    let found = store
        .audit_entry(a, &ActivityCursor::of(first))
        .await
        .unwrap();
    assert_eq!(found.as_ref(), Some(first));
    let nowhere = ActivityCursor {
        at: first.at,
        id: "no-such-entry".into(),
    };
    assert_eq!(store.audit_entry(a, &nowhere).await.unwrap(), None);
}

pub async fn activity_of_an_account(store: &dyn Store) {
    activity_is_filtered_and_paged(store, &acct()).await;
    // Another account sees none of it.
    let other = AccountId::parse("other-msp").unwrap();
    let page = store
        .activity(&other, &ActivityFilter::default(), None, 50)
        .await
        .unwrap();
    assert!(page.entries.is_empty());
}
