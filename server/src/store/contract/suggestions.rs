//! Contract: suggestions are made from the store's current records, the same on every store;
//! verified domains are kept through syncs; accepted mappings are atomic parts.

use super::*;
use app::domain::mapping::suggest::Confidence;

/// A tenant, as a sync reports it with its verified domains.
fn verified(n: u128, name: &str, domains: &[&str]) -> DiscoveredTenant {
    let id = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7100_0000 + n));
    DiscoveredTenant::from_graph(id, name, &format!("t{n}.onmicrosoft.com"))
        .with_verified_domains(domains.iter().copied())
}

async fn org_with(
    store: &dyn Store,
    a: &AccountId,
    name: &str,
    email: &str,
    website: &str,
) -> (Organization, SyncroTenant) {
    let id = OrganizationId::from_uuid(Uuid::new_v4());
    let st_id = SyncroTenantId::from_uuid(Uuid::new_v4());
    let contact = ContactDetails::parse(email, "", "")
        .unwrap()
        .with_website(website)
        .unwrap();
    let c = rules::create_organization(
        &ctx(),
        id,
        OrganizationName::parse(name).unwrap(),
        contact,
        Parent::Automatic(st_id),
    );
    store.apply(a, c).await.unwrap();
    (
        store.organization(a, id).await.unwrap().unwrap(),
        store.syncro_tenant(a, st_id).await.unwrap().unwrap(),
    )
}

pub async fn suggestions_come_from_domains_and_names(store: &dyn Store) {
    let a = acct();
    let (_, foggy) = org_with(
        store,
        &a,
        "Foggy IT Services - Boston",
        "it@foggyit.com",
        "",
    )
    .await;
    let (_, harbor) = org_with(
        store,
        &a,
        "Harbor Legal LLC",
        "",
        "https://www.harborlegal.net",
    )
    .await;
    let (_, mapped) = org_with(store, &a, "Contoso", "", "").await;
    record(
        store,
        &a,
        vec![
            verified(1, "FIT Holdings", &["fit.onmicrosoft.com", "foggyit.com"]),
            verified(2, "Harbor Legal", &[]),
            verified(3, "Contoso", &[]),
            verified(4, "Nothing Alike", &[]),
        ],
        Coverage::Partial,
    )
    .await;
    let t1 = mt(
        store,
        &a,
        MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7100_0001)),
    )
    .await;
    assert_eq!(t1.verified_domains, ["fit.onmicrosoft.com", "foggyit.com"]);
    // A sync that does not say keeps the domains.
    record(
        store,
        &a,
        vec![verified(1, "FIT Holdings", &[])],
        Coverage::Partial,
    )
    .await;
    let t1 = mt(store, &a, t1.tenant_id).await;
    assert_eq!(t1.verified_domains, ["fit.onmicrosoft.com", "foggyit.com"]);

    // Contoso is taken by another tenant first: never offered.
    let other = discover(store, &a, 9, "Contoso Old").await;
    store
        .apply(
            &a,
            rules::map_tenant(&ctx(), &other, other.version, &mapped).unwrap(),
        )
        .await
        .unwrap();

    let got = store.suggestions(&a).await.unwrap();
    let seen: Vec<(u128, SyncroTenantId, Confidence)> = got
        .iter()
        .map(|s| {
            (
                s.tenant.as_uuid().as_u128() & 0xff,
                s.syncro_tenant,
                s.confidence,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, foggy.id, Confidence::High),
            (2, harbor.id, Confidence::High),
        ],
        "{got:?}"
    );
    assert_eq!(
        got[0].reason,
        "foggyit.com is a domain of Organization “Foggy IT Services - Boston”"
    );

    // Accepted: both mapped, one change; then nothing is left to suggest.
    let pairs = vec![
        (t1.clone(), st(store, &a, foggy.id).await),
        (
            mt(store, &a, got[1].tenant).await,
            st(store, &a, harbor.id).await,
        ),
    ];
    let (changes, refused) = rules::map_tenants(&ctx(), &pairs);
    assert!(refused.is_empty());
    assert_eq!(changes.len(), 1);
    for c in changes {
        store.apply(&a, c).await.unwrap();
    }
    assert_eq!(
        st(store, &a, foggy.id).await.microsoft_tenant,
        Some(t1.tenant_id)
    );
    assert!(store.suggestions(&a).await.unwrap().is_empty());

    // The same pairs again (as read before): refused whole, nothing half-applied.
    let (changes, _) = rules::map_tenants(&ctx(), &[(t1.clone(), foggy.clone())]);
    let err = store.apply(&a, changes.into_iter().next().unwrap()).await;
    assert!(matches!(err, Err(StoreError::Conflict(_))), "{err:?}");
    assert_invariants(store, &a).await;
}
