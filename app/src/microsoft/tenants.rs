//! The tenants an integration lists (CSP: GDAP relationships and contracts; Single Tenant: its
//! organization), read from Graph and turned into discovered tenants. The job that records them
//! is `services::sync_job`.

use super::{GraphError, Microsoft};
use crate::domain::integration::sync_job::SyncJob;
use crate::domain::*;
use futures::StreamExt;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `GET /v1.0/organization` (one item: the tenant the token is for).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Organization {
    id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    verified_domains: Vec<VerifiedDomain>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifiedDomain {
    name: String,
    #[serde(default)]
    is_default: bool,
    #[serde(default)]
    is_initial: bool,
}

impl Organization {
    fn domain_names(&self) -> impl Iterator<Item = &str> {
        self.verified_domains.iter().map(|d| d.name.as_str())
    }

    fn default_domain(&self) -> &str {
        self.verified_domains
            .iter()
            .find(|d| d.is_default)
            .or_else(|| self.verified_domains.iter().find(|d| d.is_initial))
            .map(|d| d.name.as_str())
            .unwrap_or_default()
    }
}

/// `GET /v1.0/tenantRelationships/delegatedAdminRelationships` (GDAP).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    #[serde(default)]
    status: String,
    #[serde(default)]
    end_date_time: Option<String>,
    #[serde(default)]
    auto_extend_duration: Option<String>,
    #[serde(default)]
    customer: Option<RelationshipCustomer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelationshipCustomer {
    #[serde(default)]
    tenant_id: String,
    #[serde(default)]
    display_name: Option<String>,
}

/// `GET /v1.0/contracts`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Contract {
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    default_domain_name: Option<String>,
}

/// A CSP customer as the partner's lists describe it.
#[derive(Default)]
struct Customer {
    name: String,
    domain: String,
    active: Option<GdapAccess>,
    ended: bool,
}

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

/// Every tenant the integration lists, each with its failure if it could not be read fully.
/// An error means the listing itself failed (nothing may be marked removed).
pub async fn discover(
    ms: &Microsoft,
    integration: &Integration,
    secret: &ClientSecret,
    progress: &Progress,
) -> Result<Vec<DiscoveredTenant>, GraphError> {
    let token = ms
        .token(integration.directory_tenant, integration.client_id, secret)
        .await?;
    match integration.mode {
        IntegrationMode::SingleTenant => {
            let orgs: Vec<Organization> = ms.get_all(&token, "/v1.0/organization").await?;
            // A tenant always has its organization: an empty answer must not read as "every
            // tenant is gone".
            if orgs.is_empty() {
                return Err(GraphError::Invalid("organization: an empty list".into()));
            }
            progress.total.store(orgs.len(), Ordering::Relaxed);
            orgs.iter().for_each(|_| progress.customer(false));
            orgs.iter()
                .map(|o| {
                    let id = MicrosoftTenantId::parse(&o.id)
                        .map_err(|_| GraphError::Invalid(format!("organization id {}", o.id)))?;
                    Ok(DiscoveredTenant::from_graph(
                        id,
                        o.display_name.as_deref().unwrap_or_default(),
                        o.default_domain(),
                    )
                    .with_verified_domains(o.domain_names()))
                })
                .collect()
        }
        IntegrationMode::Csp => csp(ms, integration, secret, &token, progress).await,
    }
}

async fn csp(
    ms: &Microsoft,
    integration: &Integration,
    secret: &ClientSecret,
    token: &str,
    progress: &Progress,
) -> Result<Vec<DiscoveredTenant>, GraphError> {
    let relationships: Vec<Relationship> = ms
        .get_all(
            token,
            "/v1.0/tenantRelationships/delegatedAdminRelationships",
        )
        .await?;
    let contracts: Vec<Contract> = ms.get_all(token, "/v1.0/contracts").await?;
    let mut customers: BTreeMap<MicrosoftTenantId, Customer> = BTreeMap::new();
    for c in contracts {
        let Ok(id) = MicrosoftTenantId::parse(&c.customer_id) else {
            tracing::warn!(customer = %c.customer_id, "a contract without a valid customerId");
            continue;
        };
        let entry = customers.entry(id).or_default();
        entry.name = c.display_name.unwrap_or_default();
        entry.domain = c.default_domain_name.unwrap_or_default();
    }
    for r in relationships {
        let Some(customer) = r.customer else { continue };
        let Ok(id) = MicrosoftTenantId::parse(&customer.tenant_id) else {
            tracing::warn!(customer = %customer.tenant_id, "a GDAP relationship without a valid customer tenantId");
            continue;
        };
        let entry = customers.entry(id).or_default();
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
    // Each customer's own organization has its current name and domains (the lists hold the
    // names as they were when the contract or relationship was made).
    progress.total.store(customers.len(), Ordering::Relaxed);
    let tenants = futures::stream::iter(customers)
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
            match own_organization(ms, integration, secret, id).await {
                Ok(org) => {
                    let fresh = DiscoveredTenant::from_graph(
                        id,
                        org.display_name.as_deref().unwrap_or(&t.display_name),
                        org.default_domain(),
                    );
                    t.display_name = fresh.display_name;
                    if !fresh.default_domain.is_empty() {
                        t.default_domain = fresh.default_domain;
                    }
                    t = t.with_verified_domains(org.domain_names());
                }
                Err(e) => {
                    tracing::info!(tenant = %id, error = %e, "a customer's organization could not be read");
                    t.failure = Some(e.failure());
                }
            }
            progress.customer(t.failure.is_some());
            t
        })
        .buffer_unordered(ms.config.concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    Ok(tenants)
}

async fn own_organization(
    ms: &Microsoft,
    integration: &Integration,
    secret: &ClientSecret,
    customer: MicrosoftTenantId,
) -> Result<Organization, GraphError> {
    let token = ms.token(customer, integration.client_id, secret).await?;
    let orgs: Vec<Organization> = ms.get_all(&token, "/v1.0/organization").await?;
    orgs.into_iter()
        .next()
        .ok_or_else(|| GraphError::Invalid("organization: an empty list".into()))
}
