//! What crosses the wire between server functions and pages. Separate from the stored records
//! (joined by `From`), so the storage layout can change without changing the pages.

use crate::domain::*;
use serde::{Deserialize, Serialize};

pub const PER_PAGE: u32 = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Domain,
    LastSync,
}

impl SortKey {
    pub fn parse(s: &str) -> SortKey {
        match s {
            "domain" => SortKey::Domain,
            "last_sync" => SortKey::LastSync,
            _ => SortKey::Name,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Name => "name",
            SortKey::Domain => "domain",
            SortKey::LastSync => "last_sync",
        }
    }
}

/// Search, sort and page of a list. `page` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    pub search: String,
    pub sort: SortKey,
    pub descending: bool,
    pub page: u32,
    pub per_page: u32,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            search: String::new(),
            sort: SortKey::Name,
            descending: false,
            page: 1,
            per_page: PER_PAGE,
        }
    }
}

impl ListQuery {
    /// Builds a query from URL parameters, clamping what is out of range rather than failing:
    /// a hand-edited URL still shows a sensible page.
    pub fn from_params(search: &str, sort: &str, dir: &str, page: &str) -> Self {
        ListQuery {
            search: search.trim().chars().take(120).collect(),
            sort: SortKey::parse(sort),
            descending: dir == "desc",
            page: page.parse::<u32>().unwrap_or(1).clamp(1, 100_000),
            per_page: PER_PAGE,
        }
    }
    pub fn needle(&self) -> String {
        name_key(&self.search)
    }
    pub fn offset(&self) -> usize {
        (self.page.saturating_sub(1) as usize) * self.per_page as usize
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    /// Cuts one page out of an already filtered and sorted iterator.
    pub fn cut(all: impl Iterator<Item = T>, query: &ListQuery) -> Page<T> {
        let mut total = 0;
        let mut items = Vec::with_capacity(query.per_page as usize);
        let start = query.offset();
        let end = start + query.per_page as usize;
        for item in all {
            if total >= start && total < end {
                items.push(item);
            }
            total += 1;
        }
        Page {
            items,
            total,
            page: query.page,
            per_page: query.per_page,
        }
    }
    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(self.per_page.max(1) as usize)).max(1) as u32
    }
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// A name with its id: a link or a dropdown option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MicrosoftTenantRow {
    pub tenant_id: String,
    pub display_name: String,
    pub default_domain: String,
    pub syncro_tenant: Option<NamedRef>,
    pub last_sync: String,
    pub version: u64,
}

impl MicrosoftTenantRow {
    pub fn new(mt: &MicrosoftTenant, syncro_tenant: Option<NamedRef>) -> Self {
        MicrosoftTenantRow {
            tenant_id: mt.tenant_id.to_string(),
            display_name: mt.display_name.clone(),
            default_domain: mt.default_domain.clone(),
            syncro_tenant,
            last_sync: mt.last_sync.display(),
            version: mt.version.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncroTenantRow {
    pub id: String,
    pub name: String,
    pub version: u64,
    pub organization_count: u32,
    pub microsoft_tenant: Option<NamedRef>,
}

impl SyncroTenantRow {
    pub fn new(st: &SyncroTenant, microsoft_tenant: Option<NamedRef>) -> Self {
        SyncroTenantRow {
            id: st.id.to_string(),
            name: st.name.to_string(),
            version: st.version.0,
            organization_count: st.organization_count,
            microsoft_tenant,
        }
    }
}

impl From<&SyncroTenant> for NamedRef {
    fn from(st: &SyncroTenant) -> Self {
        NamedRef {
            id: st.id.to_string(),
            name: st.name.to_string(),
        }
    }
}
impl From<&Organization> for NamedRef {
    fn from(o: &Organization) -> Self {
        NamedRef {
            id: o.id.to_string(),
            name: o.name.to_string(),
        }
    }
}
impl From<&MicrosoftTenant> for NamedRef {
    fn from(m: &MicrosoftTenant) -> Self {
        NamedRef {
            id: m.tenant_id.to_string(),
            name: m.display_name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub syncro_tenant: Option<NamedRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationView {
    pub id: String,
    pub name: String,
    pub version: u64,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub syncro_tenant: SyncroTenantRow,
    pub microsoft_tenant: Option<MicrosoftTenantRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncroTenantView {
    pub tenant: SyncroTenantRow,
    pub microsoft_tenant: Option<MicrosoftTenantRow>,
    pub organizations: Page<NamedRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub summary: String,
}

/// What a CSV import did, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    pub added: usize,
    pub updated: usize,
    /// (line number, reason)
    pub rejected: Vec<(usize, String)>,
}

/// The signed-in user, for the header and for showing or hiding the changing actions (the
/// server checks the role again on every change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub account_name: String,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Administrator
    }
}

/// A row of Admin > Users. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub version: u64,
    pub is_you: bool,
}

impl UserRow {
    pub fn new(u: &User, you: UserId) -> Self {
        UserRow {
            id: u.id.to_string(),
            email: u.email.to_string(),
            role: u.role,
            active: u.active,
            version: u.version.0,
            is_you: u.id == you,
        }
    }
}
