//! Lists: what a page asks for (search, sort, page) and what it gets back — the same for the
//! pages and the stores.

use super::name_key;
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

/// How many Microsoft Tenants each tab of Microsoft Tenant Management shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TenantCounts {
    pub all: usize,
    pub unmapped: usize,
    pub mapped: usize,
    pub attention: usize,
}
