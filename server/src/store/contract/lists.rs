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

/// "Needs attention": unmapped, a sync problem, removed by Microsoft, or GDAP ending within 30
/// days without extending itself — filtered and counted the same on every store.
pub async fn needs_attention_is_filtered_and_counted(store: &dyn Store) {
    let a = acct();
    let now = ctx().now;
    let day = 86_400_000;
    let tenant = |n: u128, name: &str| {
        let id = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7200_0000 + n));
        DiscoveredTenant::from_graph(id, name, &format!("t{n}.onmicrosoft.com"))
    };
    let gdap = |days: i64, auto_extends: bool| GdapAccess {
        ends_at: Timestamp(now.0 + days * day),
        auto_extends,
    };
    let mut failed = tenant(2, "Failed Mapped");
    failed.failure = Some(SyncFailure::NoConsent);
    let mut ending = tenant(3, "Ending Mapped");
    ending.gdap = Some(gdap(10, false));
    let mut extends = tenant(4, "Extends Mapped");
    extends.gdap = Some(gdap(10, true));
    let mut later = tenant(5, "Later Mapped");
    later.gdap = Some(gdap(90, false));
    let tenants = vec![
        tenant(1, "Fine Mapped"),
        failed,
        ending,
        extends,
        later,
        tenant(6, "Unmapped"),
        tenant(7, "Removed Mapped"),
    ];
    record(store, &a, tenants.clone(), Coverage::Partial).await;
    for t in tenants
        .iter()
        .filter(|t| t.display_name.ends_with("Mapped"))
    {
        let (_, st) = create_org(store, &a, &format!("Customer of {}", t.display_name))
            .await
            .unwrap();
        let t = mt(store, &a, t.tenant_id).await;
        store
            .apply(&a, rules::map_tenant(&ctx(), &t, t.version, &st).unwrap())
            .await
            .unwrap();
    }
    // A complete sync without tenant 7: removed by Microsoft.
    record(
        store,
        &a,
        tenants
            .into_iter()
            .filter(|t| t.display_name != "Removed Mapped")
            .collect(),
        Coverage::Complete,
    )
    .await;
    let page = store
        .list_microsoft_tenants(&a, &everything(), MappingFilter::NeedsAttention(now))
        .await
        .unwrap();
    let names: Vec<&str> = page.items.iter().map(|t| t.display_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Ending Mapped",
            "Failed Mapped",
            "Removed Mapped",
            "Unmapped"
        ]
    );
    let counts = store.microsoft_tenant_counts(&a, now).await.unwrap();
    assert_eq!(
        counts,
        app::domain::lists::TenantCounts {
            all: 7,
            unmapped: 1,
            mapped: 6,
            attention: 4
        }
    );
}
