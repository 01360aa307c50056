//! The store contract: discovered tenants and the Microsoft integration.

use super::*;

pub async fn discovery_refreshes_and_keeps_mappings(store: &dyn Store) {
    let a = acct();
    let t = discover(store, &a, 3, "Contoso").await;
    let (_, s) = create_org(store, &a, "Contoso Ltd").await.unwrap();
    store
        .apply(&a, rules::map_tenant(&ctx(), &t, t.version, &s).unwrap())
        .await
        .unwrap();
    let renamed = discover(store, &a, 3, "Contoso Holdings").await;
    assert_eq!(renamed.display_name, "Contoso Holdings");
    assert_eq!(
        renamed.syncro_tenant,
        Some(s.id),
        "a refresh never loses a mapping"
    );
    assert!(renamed.last_sync > t.last_sync);
    let all = store
        .list_microsoft_tenants(&a, &everything(), MappingFilter::All)
        .await
        .unwrap();
    assert_eq!(all.total, 1);
    // A mapping change computed before the refresh still applies: the version guards the mapping only.
    let s = st(store, &a, s.id).await;
    store
        .apply(&a, rules::unmap_tenant(&ctx(), &t, renamed.version, &s))
        .await
        .unwrap();
    let after = mt(store, &a, t.tenant_id).await;
    assert_eq!(after.display_name, "Contoso Holdings");
    assert_eq!(after.syncro_tenant, None);
}

/// Records discovered tenants as a sync or an import does (the shared service), at `c.now`.
pub async fn record_at(
    store: &dyn Store,
    a: &AccountId,
    c: &Ctx,
    tenants: Vec<DiscoveredTenant>,
    coverage: Coverage,
) -> DiscoveryOutcome {
    let audit = DiscoveryAudit {
        action: "microsoft_tenant.sync",
        summary: "sync".into(),
    };
    discovery::record(store, a, c, audit, tenants, coverage)
        .await
        .unwrap()
}

pub async fn record(
    store: &dyn Store,
    a: &AccountId,
    tenants: Vec<DiscoveredTenant>,
    coverage: Coverage,
) -> DiscoveryOutcome {
    record_at(store, a, &ctx(), tenants, coverage).await
}

fn found(n: u128, name: &str, domain: &str) -> DiscoveredTenant {
    let id = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7000_0000 + n));
    DiscoveredTenant::from_graph(id, name, domain)
}

async fn sync(
    store: &dyn Store,
    a: &AccountId,
    tenants: Vec<DiscoveredTenant>,
) -> (Timestamp, DiscoveryOutcome) {
    let c = ctx();
    let out = record_at(store, a, &c, tenants, Coverage::Complete).await;
    (c.now, out)
}

/// A complete sync marks what Microsoft no longer lists as removed (never deleted, mapping
/// kept), records per-tenant failures and GDAP access, and a tenant seen again is back.
pub async fn complete_syncs_mark_removed_tenants(store: &dyn Store) {
    let a = acct();
    let gdap = GdapAccess {
        ends_at: Timestamp(1_900_000_000_000),
        auto_extends: true,
    };
    let mut with_gdap = found(1, "Contoso", "contoso.onmicrosoft.com");
    with_gdap.gdap = Some(gdap);
    let mut failing = found(2, "Fabrikam", "fabrikam.onmicrosoft.com");
    failing.failure = Some(SyncFailure::Other("Graph said no".into()));
    let (_, out) = sync(
        store,
        &a,
        vec![with_gdap, failing, found(3, "Tailspin", "tailspin.com")],
    )
    .await;
    assert_eq!((out.added, out.updated, out.removed), (3, 0, 0));
    let contoso = mt(store, &a, found(1, "", "").tenant_id).await;
    assert_eq!(contoso.gdap, Some(gdap));
    assert_eq!(contoso.sync_error, None);
    let fabrikam = mt(store, &a, found(2, "", "").tenant_id).await;
    assert_eq!(
        fabrikam.sync_error,
        Some(SyncFailure::Other("Graph said no".into()))
    );
    // Map Tailspin, then Microsoft stops listing it and Fabrikam recovers.
    let tailspin = mt(store, &a, found(3, "", "").tenant_id).await;
    let (_, s) = create_org(store, &a, "Tailspin Toys").await.unwrap();
    store
        .apply(
            &a,
            rules::map_tenant(&ctx(), &tailspin, tailspin.version, &s).unwrap(),
        )
        .await
        .unwrap();
    let mut failing_now = found(1, "Contoso", "");
    failing_now.failure = Some(SyncFailure::NoConsent);
    let (at, out) = sync(
        store,
        &a,
        vec![
            failing_now,
            found(2, "Fabrikam Inc", "fabrikam.onmicrosoft.com"),
        ],
    )
    .await;
    assert_eq!((out.added, out.updated, out.removed), (0, 2, 1));
    let gone = mt(store, &a, tailspin.tenant_id).await;
    assert_eq!(gone.removed_at, Some(at));
    assert_eq!(gone.syncro_tenant, Some(s.id), "removal keeps the mapping");
    assert_eq!(gone.display_name, "Tailspin");
    let contoso = mt(store, &a, contoso.tenant_id).await;
    assert_eq!(contoso.sync_error, Some(SyncFailure::NoConsent));
    assert_eq!(
        contoso.default_domain, "contoso.onmicrosoft.com",
        "an unknown domain keeps the one we had"
    );
    assert_eq!(contoso.gdap, None);
    let fabrikam = mt(store, &a, fabrikam.tenant_id).await;
    assert_eq!(fabrikam.sync_error, None);
    assert_eq!(fabrikam.display_name, "Fabrikam Inc");
    // Removed once: a second sync without it does not count it again.
    let (_, out) = sync(
        store,
        &a,
        vec![found(1, "Contoso", ""), found(2, "Fabrikam Inc", "")],
    )
    .await;
    assert_eq!(out.removed, 0);
    assert_eq!(mt(store, &a, tailspin.tenant_id).await.removed_at, Some(at));
    // Seen again: back, with the mapping it kept.
    let (_, out) = sync(store, &a, vec![found(3, "Tailspin", "tailspin.com")]).await;
    assert_eq!(out.removed, 2);
    let back = mt(store, &a, tailspin.tenant_id).await;
    assert_eq!(back.removed_at, None);
    assert_eq!(back.syncro_tenant, Some(s.id));
    // A partial listing (an import) never marks anything removed.
    let out = record(
        store,
        &a,
        vec![found(4, "Northwind", "northwind.com")],
        Coverage::Partial,
    )
    .await;
    assert_eq!((out.added, out.removed), (1, 0));
    assert_eq!(mt(store, &a, tailspin.tenant_id).await.removed_at, None);
    assert_invariants(store, &a).await;
}

/// A discovery larger than one transaction: whole parts, each with its own audit entry;
/// running it again updates (never duplicates); a complete sync marks the unseen across parts.
pub async fn large_discoveries_are_audited_parts(store: &dyn Store) {
    let a = acct();
    let n = 2 * TENANTS_PER_CHANGE as u128 + 52; // three parts
    let tenants: Vec<DiscoveredTenant> = (0..n)
        .map(|i| found(1000 + i, &format!("Customer {i}"), &format!("c{i}.com")))
        .collect();
    let out = record(store, &a, tenants.clone(), Coverage::Partial).await;
    assert_eq!((out.added, out.updated), (n as usize, 0));
    assert_eq!(
        store.all_microsoft_tenants(&a).await.unwrap().len(),
        n as usize
    );
    let audit = store.list_audit(&a, 10).await.unwrap();
    assert_eq!(audit.len(), 3, "one entry per part");
    let mut parts: Vec<&str> = audit.iter().map(|e| e.summary.as_str()).collect();
    parts.sort();
    assert_eq!(
        parts,
        [
            "sync — part 1 of 3: 97 added",
            "sync — part 2 of 3: 97 added",
            "sync — part 3 of 3: 52 added"
        ]
    );
    let listed: usize = audit
        .iter()
        .map(|e| e.records.iter().filter(|r| r.starts_with("mt:")).count())
        .sum();
    assert_eq!(
        listed, n as usize,
        "every tenant is named in its part's entry"
    );

    // Again (as after an interruption): the same records, updated.
    let out = record(store, &a, tenants.clone(), Coverage::Partial).await;
    assert_eq!((out.added, out.updated), (0, n as usize));
    assert_eq!(
        store.all_microsoft_tenants(&a).await.unwrap().len(),
        n as usize
    );

    // A complete sync that sees the first 100: the other 150 are marked removed, in parts.
    let (at, out) = sync(store, &a, tenants[..100].to_vec()).await;
    assert_eq!((out.updated, out.removed), (100, n as usize - 100));
    let all = store.all_microsoft_tenants(&a).await.unwrap();
    assert_eq!(
        all.iter().filter(|t| t.removed_at == Some(at)).count(),
        n as usize - 100
    );
    assert_invariants(store, &a).await;
}

/// A discovery that fails part-way keeps its whole, audited parts and nothing of the failed
/// one; running it again finishes it. (The failure: an audit entry already holds the key of
/// part 2's entry, so that part's transaction is refused as a conflict.)
pub async fn interrupted_discoveries_finish_when_run_again(store: &dyn Store) {
    let a = acct();
    let n = 2 * TENANTS_PER_CHANGE + 10;
    let tenants: Vec<DiscoveredTenant> = (0..n as u128)
        .map(|i| found(5000 + i, &format!("Customer {i}"), &format!("c{i}.com")))
        .collect();
    let c = ctx();
    let mut blocker = ChangeSet::default();
    blocker.push(Write::Audit(AuditEntry {
        at: c.now,
        id: format!("{}-00002", c.audit_id),
        actor: "someone".into(),
        action: "test".into(),
        summary: "holds part 2's key".into(),
        before: serde_json::Value::Null,
        after: serde_json::Value::Null,
        records: Vec::new(),
        operation: None,
    }));
    store.apply(&a, blocker).await.unwrap();
    let audit = DiscoveryAudit {
        action: "microsoft_tenant.import",
        summary: "import".into(),
    };
    let stopped = discovery::record(store, &a, &c, audit, tenants.clone(), Coverage::Partial)
        .await
        .unwrap_err();
    assert_eq!((stopped.written, stopped.total), (TENANTS_PER_CHANGE, n));
    assert!(
        matches!(stopped.cause, StoreError::Conflict(_)),
        "{:?}",
        stopped.cause
    );
    let known = store.all_microsoft_tenants(&a).await.unwrap();
    assert_eq!(known.len(), TENANTS_PER_CHANGE, "part 1 only, whole");
    assert_eq!(
        store.list_audit(&a, 10).await.unwrap().len(),
        2,
        "part 1's entry and the blocker"
    );

    let out = record(store, &a, tenants, Coverage::Partial).await;
    assert_eq!(
        (out.added, out.updated),
        (n - TENANTS_PER_CHANGE, TENANTS_PER_CHANGE)
    );
    assert_eq!(store.all_microsoft_tenants(&a).await.unwrap().len(), n);
}

fn sample_integration(mode: IntegrationMode, v: u64) -> Integration {
    Integration {
        mode,
        directory_tenant: MicrosoftTenantId::from_uuid(Uuid::from_u128(42)),
        client_id: ClientId::from_uuid(Uuid::from_u128(43)),
        secret: SealedSecret {
            nonce: format!("nonce-{v}"),
            ciphertext: format!("sealed-{v}"),
        },
        secret_set_at: Timestamp(v as i64),
        connected_at: Timestamp(1),
        connected_by: "admin@msp.example".into(),
        version: Version(v),
    }
}

/// Connect, replace the secret, report a sync, disconnect: with conditions, per account, and
/// the installation-wide list of connected accounts in step.
pub async fn integrations_connect_and_disconnect(store: &dyn Store) {
    use app::domain::integration;
    let a = acct();
    let b = AccountId::parse("other-msp").unwrap();
    assert_eq!(store.integration(&a).await.unwrap(), None);
    assert!(store.connected_accounts().await.unwrap().is_empty());
    let csp = sample_integration(IntegrationMode::Csp, 1);
    store
        .apply(&a, integration::connect(&ctx(), None, csp.clone()).unwrap())
        .await
        .unwrap();
    assert_eq!(store.integration(&a).await.unwrap(), Some(csp.clone()));
    assert_eq!(store.integration(&b).await.unwrap(), None);
    assert_eq!(store.connected_accounts().await.unwrap(), vec![a.clone()]);
    // A second connect computed from a stale read is refused by the store, not only the rule.
    let single = sample_integration(IntegrationMode::SingleTenant, 1);
    let err = store
        .apply(&a, integration::connect(&ctx(), None, single).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let next = sample_integration(IntegrationMode::Csp, 2).secret;
    let c = integration::replace_secret(&ctx(), &csp, Version(1), csp.client_id, next.clone());
    store.apply(&a, c.clone()).await.unwrap();
    let now = store.integration(&a).await.unwrap().unwrap();
    assert_eq!((&now.secret, now.version), (&next, Version(2)));
    assert!(matches!(
        store.apply(&a, c).await,
        Err(StoreError::Conflict(_))
    ));
    let report = SyncReport {
        started_at: Timestamp(10),
        finished_at: Timestamp(20),
        trigger: "Scheduled".into(),
        error: None,
        added: 1,
        updated: 2,
        removed: 3,
        failures: vec![TenantFailure {
            tenant_id: MicrosoftTenantId::from_uuid(Uuid::from_u128(7)),
            display_name: "Contoso".into(),
            failure: SyncFailure::ExpiredRelationship,
        }],
        failure_count: 1,
    };
    let mut c = ChangeSet::default();
    c.push(Write::PutSyncReport(report.clone()));
    store.apply(&a, c).await.unwrap();
    assert_eq!(store.sync_report(&a).await.unwrap(), Some(report));
    assert_eq!(store.sync_report(&b).await.unwrap(), None);
    assert!(matches!(
        store
            .apply(&a, integration::disconnect(&ctx(), &now, Version(1)))
            .await,
        Err(StoreError::Conflict(_))
    ));
    store
        .apply(&a, integration::disconnect(&ctx(), &now, Version(2)))
        .await
        .unwrap();
    assert_eq!(store.integration(&a).await.unwrap(), None);
    assert!(store.connected_accounts().await.unwrap().is_empty());
    let actions: Vec<String> = store
        .list_audit(&a, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions[..3],
        [
            "integration.disconnect",
            "integration.secret",
            "integration.connect"
        ]
    );
}
