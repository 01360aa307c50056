//! Search, filter, sort and page: the list semantics every store shares, over the records of one
//! account and one kind.

use crate::domain::lists::{ListQuery, Page, SortKey, TenantCounts};
use crate::domain::*;

/// Which Microsoft Tenants a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum MappingFilter {
    #[default]
    All,
    Unmapped,
    Mapped,
    /// [`MicrosoftTenant::needs_attention`] at this moment.
    NeedsAttention(Timestamp),
}

/// Which Organizations a list shows, by parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParentFilter {
    Any,
    Only(SyncroTenantId),
    Not(SyncroTenantId),
}

/// Each item once, in the order first given: a batch lookup answers every asked record once
/// however often it was named.
pub fn first_of_each<T, K: Eq + std::hash::Hash>(items: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().filter(|i| seen.insert(key(i))).collect()
}

/// The records with these ids, each once, in the order first asked; unknown ids left out.
pub fn by_ids<K: Copy + Eq + std::hash::Hash, V: Clone>(
    records: &std::collections::HashMap<K, V>,
    ids: &[K],
) -> Vec<V> {
    first_of_each(ids.to_vec(), |id| *id)
        .iter()
        .filter_map(|id| records.get(id).cloned())
        .collect()
}

fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || name_key(haystack).contains(needle)
}

/// Sorts hits by (sort key, id) and cuts the requested page out of them. Only the hits up to
/// the page's end are sorted: the rest is partitioned off in linear time (a first page of 25
/// out of 10,000 sorts 25).
fn sorted_page<T: Clone, I: Ord>(mut hits: Vec<(String, I, &T)>, query: &ListQuery) -> Page<T> {
    let total = hits.len();
    let start = query.offset().min(total);
    let end = (query.offset() + query.per_page as usize).min(total);
    let order = |a: &(String, I, &T), b: &(String, I, &T)| {
        let o = (&a.0, &a.1).cmp(&(&b.0, &b.1));
        if query.descending { o.reverse() } else { o }
    };
    if end < total && end > 0 {
        hits.select_nth_unstable_by(end - 1, order);
    }
    let shown = &mut hits[..end];
    shown.sort_unstable_by(order);
    Page {
        items: shown[start..].iter().map(|h| h.2.clone()).collect(),
        total,
        page: query.page,
        per_page: query.per_page,
    }
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
            (needle.is_empty() || key.contains(&needle)).then_some((key, s.id, s))
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
            (needle.is_empty() || key.contains(&needle)).then_some((key, o.id, o))
        })
        .collect();
    sorted_page(hits, query)
}

/// How many tenants each filter shows.
pub fn tenant_counts<'a>(
    all: impl Iterator<Item = &'a MicrosoftTenant>,
    now: Timestamp,
) -> TenantCounts {
    let mut counts = TenantCounts::default();
    for t in all {
        counts.all += 1;
        if t.syncro_tenant.is_some() {
            counts.mapped += 1;
        } else {
            counts.unmapped += 1;
        }
        if t.needs_attention(now) {
            counts.attention += 1;
        }
    }
    counts
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
            MappingFilter::NeedsAttention(now) => t.needs_attention(now),
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
            (sort, t.tenant_id, t)
        })
        .collect();
    sorted_page(hits, query)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial sort cuts the same pages as sorting everything: every page, both
    /// directions, with many equal keys (ties go by id), and past the end.
    #[test]
    fn pages_are_those_of_the_full_sort() {
        let mut rng = 7u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let records: Vec<(String, u64)> = (0..237)
            .map(|_| (format!("name {}", next() % 40), next()))
            .collect();
        for descending in [false, true] {
            let mut all: Vec<&(String, u64)> = records.iter().collect();
            all.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
            if descending {
                all.reverse();
            }
            for per_page in [1, 10, 25, 100, 500] {
                for page in 1..=(237 / per_page + 2) {
                    let query = ListQuery {
                        page: page as u32,
                        per_page: per_page as u32,
                        descending,
                        ..ListQuery::default()
                    };
                    let hits = records.iter().map(|r| (r.0.clone(), r.1, r)).collect();
                    let cut = sorted_page(hits, &query);
                    let expected: Vec<_> = all
                        .iter()
                        .skip((page - 1) * per_page)
                        .take(per_page)
                        .map(|r| (*r).clone())
                        .collect();
                    assert_eq!(
                        cut.items, expected,
                        "page {page} of {per_page}, {descending}"
                    );
                    assert_eq!(cut.total, 237);
                }
            }
        }
    }
}
