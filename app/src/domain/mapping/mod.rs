//! Mapping (SPEC R1–R5, S1–S4): Syncro Tenants, their Organizations and the Microsoft Tenant
//! each is mapped to — the records, the rules that change them, *Group under one Syncro
//! Tenant*, Suggestions, and the mapping as a CSV (export, import, a checked file kept).

pub mod export;
pub mod group;
pub mod import;
pub mod parked;
mod records;
pub mod rules;
pub mod suggest;

pub use records::{
    DiscoveredTenant, GDAP_WARNING_DAYS, MicrosoftTenant, Organization, OrganizationForm,
    SyncroTenant, VERIFIED_DOMAINS_KEPT,
};
