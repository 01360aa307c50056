//! The mapping's records: Syncro Tenants, Organizations and Microsoft Tenants, and a tenant as
//! discovered.

use crate::domain::{
    ContactDetails, DomainError, GdapAccess, MicrosoftTenantId, OrganizationId, OrganizationName,
    SyncFailure, SyncroTenantId, SyncroTenantName, Timestamp, Version,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncroTenant {
    pub id: SyncroTenantId,
    pub name: SyncroTenantName,
    /// R2: at most one Microsoft Tenant.
    pub microsoft_tenant: Option<MicrosoftTenantId>,
    /// Maintained by the store through [`Write::AdjustOrganizationCount`]; keeps R5 checkable in
    /// one condition. Does not bump the version: moving an Organization in does not make a page
    /// showing this Syncro Tenant stale.
    pub organization_count: u32,
    pub version: Version,
    pub updated_at: Timestamp,
}

record_kind!(SyncroTenant, "Syncro Tenant");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: OrganizationName,
    /// R1: exactly one parent, in the same account.
    pub syncro_tenant: SyncroTenantId,
    pub contact: ContactDetails,
    pub version: Version,
    pub updated_at: Timestamp,
}

record_kind!(Organization, "Organization");

/// An Organization's fields as typed in *New Organization* or *Edit Organization* (the form's
/// field names): text from outside. A field the form leaves out is empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrganizationForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub website: String,
}

impl OrganizationForm {
    /// The name and contact details, every field checked at once.
    pub fn parse(&self) -> Result<(OrganizationName, ContactDetails), DomainError> {
        let mut p = crate::domain::Problems::default();
        let name = p.check(OrganizationName::parse(&self.name));
        let contact = p.check(ContactDetails::parse_with_website(
            &self.email,
            &self.phone,
            &self.address,
            &self.website,
        ));
        p.finish_with(name.zip(contact))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftTenant {
    pub tenant_id: MicrosoftTenantId,
    pub display_name: String,
    pub default_domain: String,
    /// Every domain Microsoft reports as verified for the tenant (the default one among them),
    /// sorted; empty until a sync read them (an import does not know them).
    #[serde(default)]
    pub verified_domains: Vec<String>,
    /// R2: at most one Syncro Tenant.
    pub syncro_tenant: Option<SyncroTenantId>,
    pub last_sync: Timestamp,
    /// Guards the mapping. Refreshing the discovered name or domain does not bump it.
    pub version: Version,
    /// Why the last sync could not read this tenant fully (it was kept as it was).
    #[serde(default)]
    pub sync_error: Option<SyncFailure>,
    /// When a complete sync stopped seeing it. Never deleted; the mapping stays until an
    /// Administrator unmaps it.
    #[serde(default)]
    pub removed_at: Option<Timestamp>,
    /// The latest active GDAP relationship (CSP only).
    #[serde(default)]
    pub gdap: Option<GdapAccess>,
}

record_kind!(MicrosoftTenant, "Microsoft Tenant");

/// A GDAP relationship ending within this many days without extending itself needs attention.
pub const GDAP_WARNING_DAYS: i64 = 30;

impl MicrosoftTenant {
    /// What an MSP wants to see first: not mapped, its last sync could not read it, Microsoft
    /// no longer lists it, or its GDAP relationship ends within [`GDAP_WARNING_DAYS`] (or has
    /// ended) without extending itself.
    pub fn needs_attention(&self, now: Timestamp) -> bool {
        self.syncro_tenant.is_none()
            || self.sync_error.is_some()
            || self.removed_at.is_some()
            || self.gdap.is_some_and(|g| {
                !g.auto_extends && g.ends_at.0 - now.0 <= GDAP_WARNING_DAYS * 86_400_000
            })
    }

    /// The default domain and every verified one, each once.
    pub fn domains(&self) -> impl Iterator<Item = &str> {
        let default = (!self.default_domain.is_empty()).then_some(self.default_domain.as_str());
        default.into_iter().chain(
            self.verified_domains
                .iter()
                .map(String::as_str)
                .filter(move |d| Some(*d) != default),
        )
    }
}

/// Most verified domains kept per tenant (a tenant may verify hundreds; the item must stay
/// small).
pub const VERIFIED_DOMAINS_KEPT: usize = 100;

/// A tenant as the Microsoft integration (or a CSV import) reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredTenant {
    pub tenant_id: MicrosoftTenantId,
    pub display_name: String,
    /// Empty when Microsoft did not say (the stored domain is then kept).
    pub default_domain: String,
    /// Set when the tenant is listed but could not be read fully.
    #[serde(default)]
    pub failure: Option<SyncFailure>,
    #[serde(default)]
    pub gdap: Option<GdapAccess>,
    /// Empty when Microsoft did not say (the stored ones are then kept).
    #[serde(default)]
    pub verified_domains: Vec<String>,
}

impl DiscoveredTenant {
    pub fn parse(
        tenant_id: &str,
        display_name: &str,
        default_domain: &str,
    ) -> Result<Self, DomainError> {
        let tenant_id = MicrosoftTenantId::parse(tenant_id)?;
        let display_name = display_name.trim();
        if display_name.is_empty()
            || display_name.chars().count() > 256
            || display_name.chars().any(crate::domain::names::is_hidden)
        {
            return Err(DomainError::invalid(
                "displayName",
                "needs 1–256 characters without invisible ones (zero-width, text-direction or control characters)",
            ));
        }
        let Some(default_domain) = domain_name(default_domain) else {
            return Err(DomainError::invalid(
                "defaultDomainName",
                "is not a domain name such as contoso.onmicrosoft.com",
            ));
        };
        Ok(DiscoveredTenant {
            tenant_id,
            display_name: display_name.to_string(),
            default_domain,
            failure: None,
            gdap: None,
            verified_domains: Vec::new(),
        })
    }

    /// A tenant as Microsoft Graph reported it. Graph is trusted for the tenant ID (already
    /// parsed) but not for tidy text: hidden characters (`names::is_hidden`) are dropped, the name is cut to 256
    /// characters (falling back to the domain or the ID), and a domain that is not one is left
    /// empty.
    pub fn from_graph(tenant_id: MicrosoftTenantId, display_name: &str, domain: &str) -> Self {
        let default_domain = domain_name(domain).unwrap_or_default();
        let mut name: String = display_name
            .chars()
            .filter(|c| !crate::domain::names::is_hidden(*c))
            .take(256)
            .collect::<String>()
            .trim()
            .to_string();
        if name.is_empty() {
            name = if default_domain.is_empty() {
                tenant_id.to_string()
            } else {
                default_domain.clone()
            };
        }
        DiscoveredTenant {
            tenant_id,
            display_name: name,
            default_domain,
            failure: None,
            gdap: None,
            verified_domains: Vec::new(),
        }
    }

    /// The tenant with the verified domains Microsoft reported: lowercased, those that are not
    /// domain names dropped, sorted, each once, at most [`VERIFIED_DOMAINS_KEPT`].
    pub fn with_verified_domains<'a>(mut self, domains: impl Iterator<Item = &'a str>) -> Self {
        let mut kept: Vec<String> = domains.filter_map(domain_name).collect();
        kept.sort();
        kept.dedup();
        kept.truncate(VERIFIED_DOMAINS_KEPT);
        self.verified_domains = kept;
        self
    }
}

/// A domain name as Microsoft reports one, lowercased; `None` when it is not one.
fn domain_name(raw: &str) -> Option<String> {
    let d = raw.trim().to_lowercase();
    let ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    ok.then_some(d)
}
