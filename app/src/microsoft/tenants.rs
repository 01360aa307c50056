//! What discovery reads from Microsoft, as a port: the integration's own organization (Single
//! Tenant), the partner's GDAP relationships and contracts, and each customer's organization
//! (CSP). [`GraphCustomers`] reads them from Graph; what they add up to (the tenants, each with
//! its access and failure) is decided in `services::customers`, tested against a book of
//! customers kept in memory.

use super::{GraphError, Microsoft};
use crate::domain::{ClientSecret, Integration, MicrosoftTenantId};
use serde::Deserialize;

/// `GET /v1.0/organization` (one item: the tenant the token is for).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantOrganization {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub is_initial: bool,
}

impl TenantOrganization {
    pub fn domain_names(&self) -> impl Iterator<Item = &str> {
        self.verified_domains.iter().map(|d| d.name.as_str())
    }

    /// The default domain, else the initial (`onmicrosoft.com`) one.
    pub fn default_domain(&self) -> &str {
        self.verified_domains
            .iter()
            .find(|d| d.is_default)
            .or_else(|| self.verified_domains.iter().find(|d| d.is_initial))
            .map(|d| d.name.as_str())
            .unwrap_or_default()
    }
}

/// `GET /v1.0/tenantRelationships/delegatedAdminRelationships` (GDAP).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Relationship {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub end_date_time: Option<String>,
    #[serde(default)]
    pub auto_extend_duration: Option<String>,
    #[serde(default)]
    pub customer: Option<RelationshipCustomer>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationshipCustomer {
    #[serde(default)]
    pub tenant_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// `GET /v1.0/contracts`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    #[serde(default)]
    pub customer_id: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub default_domain_name: Option<String>,
}

/// What discovery reads of the integration's tenants, signed in as the integration.
#[async_trait::async_trait]
pub trait Customers: Send + Sync {
    /// The organization the integration's own token is for (Single Tenant: the one tenant).
    async fn own_organization(&self) -> Result<Vec<TenantOrganization>, GraphError>;
    /// The partner's GDAP relationships, every status.
    async fn relationships(&self) -> Result<Vec<Relationship>, GraphError>;
    /// The partner's contracts (one per CSP customer).
    async fn contracts(&self) -> Result<Vec<Contract>, GraphError>;
    /// A customer's own organization, read with a token for that customer.
    async fn organization_of(
        &self,
        customer: MicrosoftTenantId,
    ) -> Result<TenantOrganization, GraphError>;
    /// How many customers may be read at once.
    fn concurrency(&self) -> usize {
        1
    }
}

/// Microsoft Graph, signed in as the integration.
pub struct GraphCustomers<'a> {
    ms: &'a Microsoft,
    integration: &'a Integration,
    secret: &'a ClientSecret,
    token: String,
}

impl Microsoft {
    /// Signs in as `integration`, for [`Customers`].
    pub async fn customers<'a>(
        &'a self,
        integration: &'a Integration,
        secret: &'a ClientSecret,
    ) -> Result<GraphCustomers<'a>, GraphError> {
        let token = self
            .token(integration.directory_tenant, integration.client_id, secret)
            .await?;
        Ok(GraphCustomers {
            ms: self,
            integration,
            secret,
            token,
        })
    }
}

#[async_trait::async_trait]
impl Customers for GraphCustomers<'_> {
    async fn own_organization(&self) -> Result<Vec<TenantOrganization>, GraphError> {
        self.ms.get_all(&self.token, "/v1.0/organization").await
    }
    async fn relationships(&self) -> Result<Vec<Relationship>, GraphError> {
        self.ms
            .get_all(
                &self.token,
                "/v1.0/tenantRelationships/delegatedAdminRelationships",
            )
            .await
    }
    async fn contracts(&self) -> Result<Vec<Contract>, GraphError> {
        self.ms.get_all(&self.token, "/v1.0/contracts").await
    }
    async fn organization_of(
        &self,
        customer: MicrosoftTenantId,
    ) -> Result<TenantOrganization, GraphError> {
        let token = self
            .ms
            .token(customer, self.integration.client_id, self.secret)
            .await?;
        let orgs: Vec<TenantOrganization> = self.ms.get_all(&token, "/v1.0/organization").await?;
        orgs.into_iter()
            .next()
            .ok_or_else(|| GraphError::Invalid("organization: an empty list".into()))
    }
    fn concurrency(&self) -> usize {
        self.ms.config.concurrency.max(1)
    }
}
