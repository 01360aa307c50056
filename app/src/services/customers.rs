//! The tenants an integration reaches, as a use case over the [`Customers`] port: a Single
//! Tenant's own organization, or a CSP partner's customers (its contracts and GDAP
//! relationships, then each customer's own organization for its current name and domains).
//! Each tenant carries its GDAP access, or the reason it could not be read fully. Recording
//! them is `services::discovery`; the job around both is `services::sync_job`.

use crate::domain::integration::sync_job::SyncJob;
use crate::domain::{
    DiscoveredTenant, GdapAccess, IntegrationMode, MicrosoftTenantId, SyncFailure, Timestamp,
};
use crate::microsoft::GraphError;
use crate::microsoft::tenants::{Customers, TenantOrganization};
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a running sync has done so far, shared with the job's heartbeat.
#[derive(Debug, Default)]
pub struct Progress {
    pub done: AtomicUsize,
    pub total: AtomicUsize,
    pub failures: AtomicUsize,
}

impl Progress {
    fn customer(&self, failed: bool) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The job with these counts.
    pub fn applied_to(&self, job: &SyncJob) -> SyncJob {
        SyncJob {
            customers_done: self.done.load(Ordering::Relaxed),
            customers_total: self.total.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            ..job.clone()
        }
    }
}

/// A CSP customer as the partner's lists describe it.
#[derive(Default)]
struct Customer {
    name: String,
    domain: String,
    active: Option<GdapAccess>,
    ended: bool,
}

fn discovered(id: MicrosoftTenantId, org: &TenantOrganization, name: &str) -> DiscoveredTenant {
    DiscoveredTenant::from_graph(
        id,
        org.display_name.as_deref().unwrap_or(name),
        org.default_domain(),
    )
    .with_verified_domains(org.domain_names())
}

/// Every tenant the integration lists, each with its failure if it could not be read fully.
/// An error means the listing itself failed (nothing may be marked removed).
#[tracing::instrument(skip_all, fields(mode = ?mode))]
pub async fn list(
    customers: &dyn Customers,
    mode: IntegrationMode,
    progress: &Progress,
) -> Result<Vec<DiscoveredTenant>, GraphError> {
    match mode {
        IntegrationMode::SingleTenant => {
            let orgs = customers.own_organization().await?;
            // A tenant always has its organization: an empty answer must not read as "every
            // tenant is gone".
            if orgs.is_empty() {
                return Err(GraphError::Invalid("organization: an empty list".into()));
            }
            progress.total.store(orgs.len(), Ordering::Relaxed);
            orgs.iter()
                .map(|o| {
                    let id = MicrosoftTenantId::parse(&o.id)
                        .map_err(|_| GraphError::Invalid(format!("organization id {}", o.id)))?;
                    progress.customer(false);
                    Ok(discovered(id, o, ""))
                })
                .collect()
        }
        IntegrationMode::Csp => csp(customers, progress).await,
    }
}

/// The partner's customers from its contracts and relationships: the name a contract gives
/// wins over a relationship's; the active relationship that ends last gives the access.
async fn partner_book(
    customers: &dyn Customers,
) -> Result<BTreeMap<MicrosoftTenantId, Customer>, GraphError> {
    let relationships = customers.relationships().await?;
    let contracts = customers.contracts().await?;
    let mut book: BTreeMap<MicrosoftTenantId, Customer> = BTreeMap::new();
    for c in contracts {
        let Ok(id) = MicrosoftTenantId::parse(&c.customer_id) else {
            tracing::warn!(customer = %c.customer_id, "a contract without a valid customerId");
            continue;
        };
        let entry = book.entry(id).or_default();
        entry.name = c.display_name.unwrap_or_default();
        entry.domain = c.default_domain_name.unwrap_or_default();
    }
    for r in relationships {
        let Some(customer) = r.customer else { continue };
        let Ok(id) = MicrosoftTenantId::parse(&customer.tenant_id) else {
            tracing::warn!(customer = %customer.tenant_id, "a GDAP relationship without a valid customer tenantId");
            continue;
        };
        let entry = book.entry(id).or_default();
        if entry.name.is_empty() {
            entry.name = customer.display_name.unwrap_or_default();
        }
        match r.status.as_str() {
            "active" => {
                let ends_at = r
                    .end_date_time
                    .as_deref()
                    .and_then(Timestamp::parse_iso8601)
                    .unwrap_or_default();
                let auto_extends = r
                    .auto_extend_duration
                    .as_deref()
                    .is_some_and(|d| !matches!(d, "" | "PT0S" | "P0D"));
                if entry.active.is_none_or(|a| ends_at > a.ends_at) {
                    entry.active = Some(GdapAccess {
                        ends_at,
                        auto_extends,
                    });
                }
            }
            "expired" | "terminated" => entry.ended = true,
            _ => {} // pending, approving, terminating: no access yet, or not for long
        }
    }
    Ok(book)
}

async fn csp(
    customers: &dyn Customers,
    progress: &Progress,
) -> Result<Vec<DiscoveredTenant>, GraphError> {
    let book = partner_book(customers).await?;
    // Each customer's own organization has its current name and domains (the lists hold the
    // names as they were when the contract or relationship was made).
    progress.total.store(book.len(), Ordering::Relaxed);
    let tenants = futures::stream::iter(book)
        .map(|(id, c)| async move {
            let mut t = DiscoveredTenant::from_graph(id, &c.name, &c.domain);
            t.gdap = c.active;
            if c.active.is_none() {
                t.failure = Some(if c.ended {
                    SyncFailure::ExpiredRelationship
                } else {
                    SyncFailure::NoGdapRelationship
                });
                progress.customer(true);
                return t;
            }
            match customers.organization_of(id).await {
                Ok(org) => {
                    let fresh = discovered(id, &org, &t.display_name);
                    t.display_name = fresh.display_name;
                    if !fresh.default_domain.is_empty() {
                        t.default_domain = fresh.default_domain;
                    }
                    t.verified_domains = fresh.verified_domains;
                }
                Err(e) => {
                    tracing::info!(tenant = %id, error = %e, "a customer's organization could not be read");
                    t.failure = Some(e.failure());
                }
            }
            progress.customer(t.failure.is_some());
            t
        })
        .buffer_unordered(customers.concurrency().max(1))
        .collect::<Vec<_>>()
        .await;
    Ok(tenants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::microsoft::tenants::{Contract, Relationship, RelationshipCustomer, VerifiedDomain};
    use futures::executor::block_on;
    use std::collections::HashMap;

    const A: &str = "11111111-1111-4111-8111-111111111111";
    const B: &str = "22222222-2222-4222-8222-222222222222";
    const C: &str = "33333333-3333-4333-8333-333333333333";
    const D: &str = "44444444-4444-4444-8444-444444444444";

    /// A partner's book kept in memory: what Graph would answer, and which customers refuse.
    #[derive(Default)]
    struct Book {
        own: Vec<TenantOrganization>,
        relationships: Vec<Relationship>,
        contracts: Vec<Contract>,
        organizations: HashMap<String, Result<TenantOrganization, GraphError>>,
    }

    #[async_trait::async_trait]
    impl Customers for Book {
        async fn own_organization(&self) -> Result<Vec<TenantOrganization>, GraphError> {
            Ok(self.own.clone())
        }
        async fn relationships(&self) -> Result<Vec<Relationship>, GraphError> {
            Ok(self.relationships.clone())
        }
        async fn contracts(&self) -> Result<Vec<Contract>, GraphError> {
            Ok(self.contracts.clone())
        }
        async fn organization_of(
            &self,
            customer: MicrosoftTenantId,
        ) -> Result<TenantOrganization, GraphError> {
            self.organizations
                .get(&customer.to_string())
                .cloned()
                .unwrap_or_else(|| Err(GraphError::Invalid("not in the book".into())))
        }
    }

    fn org(id: &str, name: &str, domains: &[(&str, bool)]) -> TenantOrganization {
        TenantOrganization {
            id: id.into(),
            display_name: Some(name.into()),
            verified_domains: domains
                .iter()
                .map(|(d, default)| VerifiedDomain {
                    name: (*d).into(),
                    is_default: *default,
                    is_initial: d.ends_with(".onmicrosoft.com"),
                })
                .collect(),
        }
    }

    fn relationship(id: &str, status: &str, ends: &str, extends: &str) -> Relationship {
        Relationship {
            status: status.into(),
            end_date_time: Some(ends.into()),
            auto_extend_duration: Some(extends.into()),
            customer: Some(RelationshipCustomer {
                tenant_id: id.into(),
                display_name: Some(format!("{id} as related")),
            }),
        }
    }

    fn contract(id: &str, name: &str, domain: &str) -> Contract {
        Contract {
            customer_id: id.into(),
            display_name: Some(name.into()),
            default_domain_name: Some(domain.into()),
        }
    }

    fn by_id(tenants: Vec<DiscoveredTenant>) -> BTreeMap<String, DiscoveredTenant> {
        tenants
            .into_iter()
            .map(|t| (t.tenant_id.to_string(), t))
            .collect()
    }

    #[test]
    fn a_partners_customers_with_their_access_and_what_went_wrong() {
        let mut book = Book {
            contracts: vec![
                contract(A, "Contoso (contract)", "contoso.onmicrosoft.com"),
                contract(B, "Fabrikam", "fabrikam.onmicrosoft.com"),
                contract(C, "Tailspin", "tailspin.onmicrosoft.com"),
                contract("not-a-guid", "Broken", "broken.com"),
            ],
            relationships: vec![
                relationship(A, "active", "2027-01-01T00:00:00Z", "PT0S"),
                relationship(A, "active", "2027-06-01T00:00:00Z", "P180D"),
                relationship(A, "expired", "2025-01-01T00:00:00Z", ""),
                relationship(B, "terminated", "2026-01-01T00:00:00Z", ""),
                relationship(D, "active", "2027-03-01T00:00:00Z", ""),
            ],
            ..Book::default()
        };
        book.organizations.insert(
            A.into(),
            Ok(org(
                A,
                "Contoso Ltd",
                &[("contoso.onmicrosoft.com", false), ("Contoso.com", true)],
            )),
        );
        book.organizations
            .insert(D.into(), Err(GraphError::Throttled));
        let progress = Progress::default();
        let tenants = by_id(block_on(list(&book, IntegrationMode::Csp, &progress)).unwrap());

        assert_eq!(
            tenants.len(),
            4,
            "the contract without a valid id is left out"
        );
        // Read fully: the customer's own organization names it now; the active relationship
        // that ends last gives the access.
        let a = &tenants[A];
        assert_eq!(a.display_name, "Contoso Ltd");
        assert_eq!(a.default_domain, "contoso.com");
        assert_eq!(
            a.verified_domains,
            ["contoso.com", "contoso.onmicrosoft.com"]
        );
        let gdap = a.gdap.unwrap();
        assert_eq!(
            gdap.ends_at,
            Timestamp::parse_iso8601("2027-06-01T00:00:00Z").unwrap()
        );
        assert!(gdap.auto_extends);
        assert_eq!(a.failure, None);
        // Only ended relationships: listed, not read, and why.
        assert_eq!(tenants[B].display_name, "Fabrikam");
        assert_eq!(tenants[B].failure, Some(SyncFailure::ExpiredRelationship));
        // A contract and no relationship at all.
        assert_eq!(tenants[C].failure, Some(SyncFailure::NoGdapRelationship));
        assert_eq!(tenants[C].gdap, None);
        // A relationship only, whose organization could not be read: its name from the
        // relationship, and the reason.
        assert_eq!(tenants[D].display_name, format!("{D} as related"));
        assert_eq!(tenants[D].failure, Some(SyncFailure::Throttled));
        assert!(!tenants[D].gdap.unwrap().auto_extends);

        assert_eq!(progress.total.load(Ordering::Relaxed), 4);
        assert_eq!(progress.done.load(Ordering::Relaxed), 4);
        assert_eq!(progress.failures.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_single_tenant_is_its_own_organization_and_never_an_empty_list() {
        let book = Book {
            own: vec![org(A, "Foggy IT", &[("foggyit.onmicrosoft.com", false)])],
            ..Book::default()
        };
        let progress = Progress::default();
        let tenants = block_on(list(&book, IntegrationMode::SingleTenant, &progress)).unwrap();
        assert_eq!(tenants.len(), 1);
        assert_eq!(tenants[0].display_name, "Foggy IT");
        assert_eq!(tenants[0].default_domain, "foggyit.onmicrosoft.com");
        assert_eq!(progress.done.load(Ordering::Relaxed), 1);

        // An empty answer would read as "every tenant is gone": it is an error instead.
        let empty = Book::default();
        let refused = block_on(list(&empty, IntegrationMode::SingleTenant, &progress));
        assert!(matches!(refused, Err(GraphError::Invalid(_))));
        let bad_id = Book {
            own: vec![org("nope", "Foggy IT", &[])],
            ..Book::default()
        };
        let refused = block_on(list(&bad_id, IntegrationMode::SingleTenant, &progress));
        assert!(matches!(refused, Err(GraphError::Invalid(_))));
    }
}
