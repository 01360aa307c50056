//! Search, filter, sort and page: the list semantics every store shares, over the records of one
//! account and one kind.

use app::domain::*;
use app::store::{MappingFilter, ParentFilter};
use app::wire::{ListQuery, Page, SortKey};

/// Each item once, in the order first given: a batch lookup answers every asked record once
/// however often it was named.
pub fn first_of_each<T, K: Eq + std::hash::Hash>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().filter(|i| seen.insert(key(i))).collect()
}

fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || name_key(haystack).contains(needle)
}

/// Sorts hits by (sort key, id) and cuts the requested page out of them.
fn sorted_page<T: Clone>(mut hits: Vec<(String, String, &T)>, query: &ListQuery) -> Page<T> {
    hits.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    if query.descending {
        hits.reverse();
    }
    Page::cut(hits.into_iter().map(|h| h.2.clone()), query)
}

/// Name-ordered; the search is a case-insensitive substring of the name.
pub fn syncro_tenants<'a>(
    all: impl Iterator<Item = &'a SyncroTenant>,
    query: &ListQuery,
    only_unmapped: bool,
) -> Page<SyncroTenant> {
    let needle = query.needle();
    let hits = all
        .filter(|s| !only_unmapped || s.microsoft_tenant.is_none())
        .filter_map(|s| {
            let key = s.name.key();
            (needle.is_empty() || key.contains(&needle)).then(|| (key, s.id.to_string(), s))
        })
        .collect();
    sorted_page(hits, query)
}

pub fn organizations<'a>(
    all: impl Iterator<Item = &'a Organization>,
    query: &ListQuery,
    parent: ParentFilter,
) -> Page<Organization> {
    let needle = query.needle();
    let hits = all
        .filter(|o| match parent {
            ParentFilter::Any => true,
            ParentFilter::Only(p) => o.syncro_tenant == p,
            ParentFilter::Not(p) => o.syncro_tenant != p,
        })
        .filter_map(|o| {
            let key = o.name.key();
            (needle.is_empty() || key.contains(&needle)).then(|| (key, o.id.to_string(), o))
        })
        .collect();
    sorted_page(hits, query)
}

/// Searched by name, default domain or tenant ID; sorted by the query's column.
pub fn microsoft_tenants<'a>(
    all: impl Iterator<Item = &'a MicrosoftTenant>,
    query: &ListQuery,
    filter: MappingFilter,
) -> Page<MicrosoftTenant> {
    let needle = query.needle();
    let hits = all
        .filter(|t| match filter {
            MappingFilter::All => true,
            MappingFilter::Unmapped => t.syncro_tenant.is_none(),
            MappingFilter::Mapped => t.syncro_tenant.is_some(),
        })
        .filter(|t| {
            contains(&t.display_name, &needle)
                || t.default_domain.contains(&needle)
                || t.tenant_id.to_string().contains(&needle)
        })
        .map(|t| {
            let sort = match query.sort {
                SortKey::Name => name_key(&t.display_name),
                SortKey::Domain => t.default_domain.clone(),
                SortKey::LastSync => format!("{:020}", t.last_sync.0.max(0)),
            };
            (sort, t.tenant_id.to_string(), t)
        })
        .collect();
    sorted_page(hits, query)
}
