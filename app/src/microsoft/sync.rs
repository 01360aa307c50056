//! Discovery: what the integration lists, turned into discovered tenants, and a whole sync of
//! an account recorded through the store's "record discovered tenants" operation.

use super::{GraphError, Microsoft};
use crate::domain::discovery::DiscoveryAudit;
use crate::domain::rules::Ctx;
use crate::domain::*;
use crate::error::AppError;
use crate::services::discovery;
use crate::store::prelude::*;
use futures::StreamExt;
use serde::Deserialize;
use std::collections::BTreeMap;

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

/// Every tenant the integration lists, each with its failure if it could not be read fully.
/// An error means the listing itself failed (nothing may be marked removed).
pub async fn discover(
    ms: &Microsoft,
    integration: &Integration,
    secret: &ClientSecret,
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
            orgs.iter()
                .map(|o| {
                    let id = MicrosoftTenantId::parse(&o.id)
                        .map_err(|_| GraphError::Invalid(format!("organization id {}", o.id)))?;
                    Ok(DiscoveredTenant::from_graph(
                        id,
                        o.display_name.as_deref().unwrap_or_default(),
                        o.default_domain(),
                    ))
                })
                .collect()
        }
        IntegrationMode::Csp => csp(ms, integration, secret, &token).await,
    }
}

async fn csp(
    ms: &Microsoft,
    integration: &Integration,
    secret: &ClientSecret,
    token: &str,
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
                }
                Err(e) => {
                    tracing::info!(tenant = %id, error = %e, "a customer's organization could not be read");
                    t.failure = Some(e.failure());
                }
            }
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

/// Syncs one account now: lists its tenants from Microsoft and records them (complete, so
/// tenants Microsoft no longer lists are marked removed), then keeps the report. A failure to
/// list at all changes no tenant and is kept in the report as its error.
pub async fn sync_account(
    store: &dyn Store,
    ms: &Microsoft,
    account: &AccountId,
    trigger: &str,
    actor: &str,
) -> Result<SyncReport, AppError> {
    use crate::api::context::{now, read};
    let started_at = now();
    let integration = read(store.integration(account).await)?.ok_or_else(|| {
        AppError::validation("integration", "Connect the Microsoft integration first")
    })?;
    let secret = ms
        .key()?
        .open(account, integration.client_id, &integration.secret)
        .map_err(|e| AppError::Integration { message: e })?;
    let mut report = SyncReport {
        started_at,
        finished_at: started_at,
        trigger: trigger.to_string(),
        error: None,
        added: 0,
        updated: 0,
        removed: 0,
        failures: Vec::new(),
        failure_count: 0,
    };
    match discover(ms, &integration, &secret).await {
        Ok(tenants) => {
            let at = now();
            report.failures = tenants
                .iter()
                .filter_map(|t| {
                    Some(TenantFailure {
                        tenant_id: t.tenant_id,
                        display_name: t.display_name.clone(),
                        failure: t.failure.clone()?,
                    })
                })
                .collect();
            report.failure_count = report.failures.len();
            report.failures.truncate(SyncReport::MAX_FAILURES);
            let audit = DiscoveryAudit {
                action: "microsoft_tenant.sync",
                summary: format!(
                    "Synced {} Microsoft Tenants from Microsoft ({}); {} could not be read fully",
                    tenants.len(),
                    integration.mode.label(),
                    report.failure_count
                ),
            };
            let ctx = Ctx {
                actor: actor.to_string(),
                now: at,
                audit_id: uuid::Uuid::new_v4().to_string(),
            };
            // A store failure part-way is reported like a Microsoft one: the parts recorded
            // stay, and the next sync finishes the rest.
            match discovery::record(store, account, &ctx, audit, tenants, Coverage::Complete).await
            {
                Ok(outcome) => {
                    report.added = outcome.added;
                    report.updated = outcome.updated;
                    report.removed = outcome.removed;
                }
                Err(stopped) => report.error = Some(AppError::from(stopped).to_string()),
            }
        }
        Err(e) => {
            tracing::warn!(%account, error = %e, "a Microsoft sync could not list the tenants");
            report.error = Some(e.to_string());
        }
    }
    report.finished_at = now();
    let mut change = ChangeSet::default();
    change.push(Write::PutSyncReport(report.clone()));
    read(store.apply(account, change).await)?;
    Ok(report)
}

/// The scheduled sync: every connected account, one after another; one account's failure is
/// logged and never stops the others. Returns how many accounts synced without an error.
pub async fn sync_all(store: &dyn Store, ms: &Microsoft) -> Result<usize, AppError> {
    let accounts = crate::api::context::read(store.connected_accounts().await)?;
    let mut ok = 0;
    for account in &accounts {
        match sync_account(store, ms, account, "Scheduled", "Scheduled sync").await {
            Ok(r) if r.error.is_none() => ok += 1,
            Ok(r) => tracing::warn!(%account, error = ?r.error, "scheduled sync failed"),
            Err(e) => tracing::warn!(%account, error = %e, "scheduled sync failed"),
        }
    }
    tracing::info!(
        accounts = accounts.len(),
        ok,
        "scheduled Microsoft sync done"
    );
    Ok(ok)
}
