//! The store contract: searched, filtered, sorted and paged lists.

use super::*;

pub async fn lists_search_filter_and_page(store: &dyn Store) {
    let a = acct();
    for i in 0..30 {
        create_org(store, &a, &format!("Org {i:02}")).await.unwrap();
    }
    create_org(store, &a, "Foggy IT Services - Boston")
        .await
        .unwrap();
    for i in 0..12u128 {
        discover(store, &a, 100 + i, &format!("Tenant {i:02}")).await;
    }
    let q = ListQuery {
        per_page: 10,
        page: 3,
        ..ListQuery::default()
    };
    let page = store
        .list_organizations(&a, &q, ParentFilter::Any)
        .await
        .unwrap();
    assert_eq!(page.total, 31);
    assert_eq!(page.items.len(), 10);
    assert_eq!(page.items[0].name.as_str(), "Org 19", "Foggy… sorts first");
    let q = ListQuery {
        search: "  FOGGY it ".into(),
        ..ListQuery::default()
    };
    let found = store.list_syncro_tenants(&a, &q, false).await.unwrap();
    assert_eq!(found.total, 1);
    let q = ListQuery {
        search: "t105.onmicrosoft".into(),
        ..ListQuery::default()
    };
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &q, MappingFilter::All)
            .await
            .unwrap()
            .items[0]
            .display_name,
        "Tenant 05"
    );
    let t0 = discover(store, &a, 100, "Tenant 00").await;
    let s = store
        .list_syncro_tenants(&a, &ListQuery::default(), true)
        .await
        .unwrap()
        .items[0]
        .clone();
    store
        .apply(&a, rules::map_tenant(&ctx(), &t0, t0.version, &s).unwrap())
        .await
        .unwrap();
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &ListQuery::default(), MappingFilter::Mapped)
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &ListQuery::default(), MappingFilter::Unmapped)
            .await
            .unwrap()
            .total,
        11
    );
    assert_eq!(
        store
            .list_syncro_tenants(
                &a,
                &ListQuery {
                    per_page: 100,
                    ..Default::default()
                },
                true
            )
            .await
            .unwrap()
            .total,
        30
    );
    let desc = ListQuery {
        descending: true,
        ..ListQuery::default()
    };
    assert_eq!(
        store
            .list_microsoft_tenants(&a, &desc, MappingFilter::All)
            .await
            .unwrap()
            .items[0]
            .display_name,
        "Tenant 11"
    );
}
