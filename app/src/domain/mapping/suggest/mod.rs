//! Suggestions: for each unmapped Microsoft Tenant, the unmapped Syncro Tenant it most likely
//! belongs to, with a confidence and the reason in words. Never applied by itself: an
//! Administrator accepts them (`rules::accept_mappings`).
//!
//! Evidence, strongest first:
//! - **a domain**: one of the tenant's verified domains is the email or website domain of an
//!   Organization under the Syncro Tenant — high confidence;
//! - **the same name** after normalizing (case, punctuation, "&"/"and", legal suffixes such as
//!   Inc or GmbH, "(M365)", a location suffix such as " - Boston") — the Syncro Tenant's own name
//!   or one of its Organizations' — high confidence;
//! - **the tenant's own domain spells the name** (`foggyit.onmicrosoft.com` for "Foggy IT") —
//!   medium;
//! - **similar names**: the share of their words in common, each word weighted by how rare it
//!   is among the account's names (so "Dental" in a list of dentists counts for little) —
//!   medium or low, never high.
//!
//! Each Syncro Tenant is offered to one tenant at most: the strongest pairs are taken first,
//! and a Syncro Tenant that several tenants have equally strong claims on is offered at most
//! at medium confidence. Cost: an index of names and domains, then per tenant only the
//! candidates sharing a domain, a name, or one of its heaviest words (5,000 tenants against
//! 10,000 Syncro Tenants: the whole Suggestions page p95 111 ms in `make bench`).

use crate::domain::{
    MicrosoftTenant, MicrosoftTenantId, Organization, SyncroTenant, SyncroTenantId,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::High => "High",
            Confidence::Medium => "Medium",
            Confidence::Low => "Low",
        }
    }
}

/// One proposed mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub tenant: MicrosoftTenantId,
    pub syncro_tenant: SyncroTenantId,
    pub confidence: Confidence,
    /// Why, in words: "foggyit.com is the email domain of Organization “Foggy IT Services”".
    pub reason: String,
    /// Offices of one customer kept as Syncro Tenants of their own: accepting groups their
    /// Organizations under `syncro_tenant`, renamed, then maps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<OfficeGroup>,
    /// For a Medium or Low one, the next most likely Syncro Tenants (at most
    /// [`ALTERNATIVES`]), strongest first: offered beside it to pick in place.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<SyncroTenantId>,
}

/// Most other candidates a Medium or Low suggestion offers beside its own.
pub const ALTERNATIVES: usize = 2;

mod words;
pub use words::{domain_of, full_name_words, name_words, names_in, one_edit_apart};
mod index;
mod offices;
use index::{Evidence, Index};
pub use offices::OfficeGroup;

/// Suggestions for the unmapped tenants among `tenants` that Microsoft still lists, from the
/// unmapped Syncro Tenants among `syncro` and the Organizations under them (others in `orgs`
/// are ignored). Strongest first, then by tenant name.
pub fn suggest<'a>(
    tenants: impl IntoIterator<Item = &'a MicrosoftTenant>,
    syncro: impl IntoIterator<Item = &'a SyncroTenant>,
    orgs: impl IntoIterator<Item = &'a Organization>,
) -> Vec<Suggestion> {
    // Tenants Microsoft no longer lists get none.
    let tenants: Vec<&MicrosoftTenant> = tenants
        .into_iter()
        .filter(|t| t.syncro_tenant.is_none() && t.removed_at.is_none())
        .collect();
    let syncro: Vec<&SyncroTenant> = syncro
        .into_iter()
        .filter(|s| s.microsoft_tenant.is_none())
        .collect();
    let index = Index::new(&syncro, orgs);
    let mut seen = vec![usize::MAX; index.candidates.len()];
    let mut pairs: Vec<(usize, usize, Evidence)> = Vec::new();
    for (t, tenant) in tenants.iter().enumerate() {
        let best = index.evidence(tenant, &mut seen, t);
        pairs.extend(best.into_iter().map(|(c, e)| (t, c, e)));
    }

    // Strongest pairs first; each tenant and each Syncro Tenant used once. A high-confidence
    // pair is offered at medium only when its tenant or its Syncro Tenant has another
    // high-confidence pair at least as strong (two offices of one name, one domain on two).
    // Names compared once each, as ranks (equal names, equal ranks): sorting the pairs
    // compares numbers.
    let tenant_rank = ranks(tenants.iter().map(|t| t.display_name.as_str()));
    let candidate_rank = ranks(index.candidates.iter().map(|c| c.syncro.name.as_str()));
    pairs.sort_by(|a, b| {
        b.2.score
            .total_cmp(&a.2.score)
            .then_with(|| tenant_rank[a.0].cmp(&tenant_rank[b.0]))
            .then_with(|| candidate_rank[a.1].cmp(&candidate_rank[b.1]))
            .then_with(|| tenants[a.0].tenant_id.cmp(&tenants[b.0].tenant_id))
            .then_with(|| {
                index.candidates[a.1]
                    .syncro
                    .id
                    .cmp(&index.candidates[b.1].syncro.id)
            })
    });
    // Per tenant and per candidate (by index): the scores of its high-confidence pairs.
    let mut high_scores_t: Vec<Vec<f64>> = vec![Vec::new(); tenants.len()];
    let mut high_scores_c: Vec<Vec<f64>> = vec![Vec::new(); index.candidates.len()];
    for (t, c, e) in &pairs {
        if e.confidence == Confidence::High {
            high_scores_t[*t].push(e.score);
            high_scores_c[*c].push(e.score);
        }
    }
    let rivals = |scores: &[f64], score: f64| scores.iter().filter(|x| **x >= score).count() > 1;
    // Each tenant's strongest candidates, in order: the alternatives to an uncertain one.
    let mut ranked: Vec<Vec<usize>> = vec![Vec::new(); tenants.len()];
    for (t, c, _) in &pairs {
        let r = &mut ranked[*t];
        if r.len() <= ALTERNATIVES {
            r.push(*c);
        }
    }
    // Each tenant's offices (each with its score and reason), offered together.
    let mut strong: Vec<Vec<(usize, &Evidence)>> = vec![Vec::new(); tenants.len()];
    for (t, c, e) in &pairs {
        if e.confidence == Confidence::High && e.score >= index::SAME_BUT_OFFICE {
            strong[*t].push((*c, e));
        }
    }
    // Offices are at least two.
    let offices: HashMap<usize, Vec<(usize, f64, String)>> = strong
        .into_iter()
        .enumerate()
        .filter(|(_, list)| list.len() >= 2)
        .filter_map(|(t, list)| {
            let g = offices::offices_of(&index, list)?;
            Some((
                t,
                g.into_iter()
                    .map(|(c, e)| (c, e.score, e.reason.clone()))
                    .collect(),
            ))
        })
        .collect();
    let mut tenant_done = vec![false; tenants.len()];
    let mut candidate_done = vec![false; index.candidates.len()];
    let mut out = Vec::new();
    for (t, c, mut e) in pairs {
        if tenant_done[t] || candidate_done[c] {
            continue;
        }
        if let Some(g) = offices.get(&t)
            && g.iter().any(|m| m.0 == c)
            && g.iter().all(|m| !candidate_done[m.0])
        {
            tenant_done[t] = true;
            let members: Vec<usize> = g.iter().map(|m| m.0).collect();
            for m in &members {
                candidate_done[*m] = true;
            }
            let contested = g
                .iter()
                .any(|(c, score, _)| rivals(&high_scores_c[*c], *score));
            let (kept, group) = offices::group_of(&index, &members);
            let names: Vec<String> = members
                .iter()
                .map(|c| format!("“{}”", index.candidates[*c].syncro.name))
                .collect();
            let mut reason = format!("Offices of one customer: {} ({})", names.join(", "), g[0].2);
            if contested {
                reason.push_str(" — but others match as well");
            }
            out.push(Suggestion {
                tenant: tenants[t].tenant_id,
                syncro_tenant: index.candidates[kept].syncro.id,
                confidence: if contested {
                    Confidence::Medium
                } else {
                    Confidence::High
                },
                reason,
                group: Some(group),
                alternatives: Vec::new(),
            });
            continue;
        }
        tenant_done[t] = true;
        candidate_done[c] = true;
        if e.confidence == Confidence::High
            && (rivals(&high_scores_t[t], e.score) || rivals(&high_scores_c[c], e.score))
        {
            e.confidence = Confidence::Medium;
            e.reason.push_str(" — but others match as well");
        }
        out.push(Suggestion {
            tenant: tenants[t].tenant_id,
            syncro_tenant: index.candidates[c].syncro.id,
            confidence: e.confidence,
            alternatives: if e.confidence == Confidence::High {
                Vec::new()
            } else {
                ranked[t]
                    .iter()
                    .filter(|o| **o != c)
                    .take(ALTERNATIVES)
                    .map(|o| index.candidates[*o].syncro.id)
                    .collect()
            },
            reason: e.reason,
            group: None,
        });
    }
    let names: HashMap<MicrosoftTenantId, String> = tenants
        .iter()
        .map(|t| (t.tenant_id, t.display_name.to_lowercase()))
        .collect();
    out.sort_by(|a, b| {
        b.confidence
            .cmp(&a.confidence)
            .then_with(|| names[&a.tenant].cmp(&names[&b.tenant]))
            .then_with(|| a.tenant.cmp(&b.tenant))
    });
    out
}

/// Each name's place among them in order (equal names share one).
fn ranks<'a>(names: impl Iterator<Item = &'a str>) -> Vec<usize> {
    let names: Vec<&str> = names.collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|i| names[*i]);
    let mut rank = vec![0; names.len()];
    for (place, pair) in order.windows(2).enumerate() {
        rank[pair[1]] = if names[pair[1]] == names[pair[0]] {
            rank[pair[0]]
        } else {
            place + 1
        };
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::*;

    fn words(name: &str) -> String {
        name_words(name).join(" ")
    }

    #[test]
    fn names_are_normalized_as_msps_write_them() {
        assert_eq!(words("Contoso, Inc."), "contoso");
        assert_eq!(words("Smith & Sons LLC"), "smith sons");
        assert_eq!(words("Smith and Sons"), "smith sons");
        assert_eq!(words("Smith Sons"), "smith sons");
        assert_eq!(words("Smith&Sons"), "smith sons");
        assert_eq!(words("Foggy IT Services - Boston"), "foggy it services");
        assert_eq!(
            words("Foggy IT Services – Waltham Office"),
            "foggy it services"
        );
        assert_eq!(words("Acme Dental (M365)"), "acme dental");
        assert_eq!(words("Acme Dental M365"), "acme dental");
        assert_eq!(words("The Bakery GmbH"), "bakery");
        assert_eq!(words("A.B.C. Pty Ltd"), "abc");
        assert_eq!(words("O'Brien Plumbing Co."), "obrien plumbing");
        assert_eq!(words("Müller Bau GmbH & Co. KG"), "müller bau");
        // A legal form alone is still a name.
        assert_eq!(words("Inc"), "inc");
        assert_eq!(words("- Boston"), "boston");
    }

    #[test]
    fn domains_come_from_emails_and_websites_but_not_shared_mail() {
        assert_eq!(
            domain_of("office@FoggyIT.com").as_deref(),
            Some("foggyit.com")
        );
        assert_eq!(
            domain_of("https://www.foggyit.com/contact?x=1").as_deref(),
            Some("foggyit.com")
        );
        assert_eq!(domain_of("foggyit.com:443").as_deref(), Some("foggyit.com"));
        assert_eq!(domain_of("owner@gmail.com"), None);
        assert_eq!(domain_of(""), None);
        assert_eq!(domain_of("not a site"), None);
    }

    fn id(n: u128) -> uuid::Uuid {
        uuid::Uuid::from_u128(n)
    }

    fn tenant(n: u128, name: &str, domains: &[&str]) -> MicrosoftTenant {
        MicrosoftTenant {
            tenant_id: MicrosoftTenantId::from_uuid(id(n)),
            display_name: name.into(),
            default_domain: domains.first().copied().unwrap_or("").into(),
            verified_domains: domains.iter().map(|d| d.to_string()).collect(),
            syncro_tenant: None,
            last_sync: Timestamp(0),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        }
    }

    fn syncro(n: u128, name: &str) -> SyncroTenant {
        SyncroTenant {
            id: SyncroTenantId::from_uuid(id(1000 + n)),
            name: SyncroTenantName::parse(name).unwrap(),
            microsoft_tenant: None,
            organization_count: 1,
            version: Version(1),
            updated_at: Timestamp(0),
        }
    }

    fn org(n: u128, name: &str, parent: &SyncroTenant, email: &str, website: &str) -> Organization {
        Organization {
            id: OrganizationId::from_uuid(id(2000 + n)),
            name: OrganizationName::parse(name).unwrap(),
            syncro_tenant: parent.id,
            contact: ContactDetails {
                email: email.into(),
                website: website.into(),
                ..Default::default()
            },
            version: Version(1),
            updated_at: Timestamp(0),
        }
    }

    /// (tenant name → (Syncro Tenant name, confidence)) of each suggestion.
    fn outcome(
        tenants: &[MicrosoftTenant],
        syncro: &[SyncroTenant],
        orgs: &[Organization],
    ) -> Vec<(String, String, Confidence)> {
        suggest(tenants, syncro, orgs)
            .into_iter()
            .map(|s| {
                let t = tenants.iter().find(|t| t.tenant_id == s.tenant).unwrap();
                let st = syncro.iter().find(|x| x.id == s.syncro_tenant).unwrap();
                (t.display_name.clone(), st.name.to_string(), s.confidence)
            })
            .collect()
    }

    #[test]
    fn a_verified_domain_on_an_organizations_email_or_website_is_strongest() {
        let foggy = syncro(1, "Foggy IT Services");
        let harbor = syncro(2, "Harbor Legal");
        let orgs = [
            org(
                1,
                "Foggy IT Services - Boston",
                &foggy,
                "it@foggyit.com",
                "",
            ),
            org(
                2,
                "Harbor Legal",
                &harbor,
                "",
                "https://www.harborlegal.net",
            ),
        ];
        let tenants = [
            tenant(1, "FIT Holdings", &["fit.onmicrosoft.com", "foggyit.com"]),
            tenant(2, "HL Tenant", &["hl.onmicrosoft.com", "harborlegal.net"]),
        ];
        let s = suggest(&tenants, &[foggy.clone(), harbor.clone()], &orgs);
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|x| x.confidence == Confidence::High));
        assert_eq!(
            s.iter()
                .find(|x| x.syncro_tenant == foggy.id)
                .unwrap()
                .reason,
            "foggyit.com is a domain of Organization “Foggy IT Services - Boston”"
        );
    }

    #[test]
    fn offices_of_one_customer_are_one_suggestion_to_group_and_map() {
        let boston = syncro(1, "Acme Dental - Boston");
        let salem = syncro(2, "Acme Dental - Salem");
        let main = syncro(3, "Acme Dental");
        let other = syncro(4, "Acme Dentures - Lynn");
        let orgs = [
            org(
                1,
                "Acme Dental - Boston",
                &boston,
                "billing@acmedental.com",
                "",
            ),
            org(
                2,
                "Acme Dental - Salem",
                &salem,
                "billing@acmedental.com",
                "",
            ),
            org(3, "Acme Dental", &main, "", ""),
            org(4, "Acme Dental Front Desk", &main, "", ""),
            org(5, "Acme Dentures - Lynn", &other, "", ""),
        ];
        let tenants = [tenant(1, "Acme Dental", &["acmedental.com"])];
        let all = [boston.clone(), salem.clone(), main.clone(), other.clone()];
        let s = suggest(&tenants, &all, &orgs);
        assert_eq!(s.len(), 1, "{s:?}");
        let g = s[0].group.as_ref().expect("a group");
        assert_eq!(s[0].confidence, Confidence::High, "{}", s[0].reason);
        // The one named for the customer is kept; the offices join it; Dentures is not one.
        assert_eq!(s[0].syncro_tenant, main.id);
        assert_eq!(g.name, "Acme Dental");
        assert_eq!(g.syncro_tenants, vec![boston.id, salem.id]);
        assert_eq!(
            g.organizations,
            [&orgs[2], &orgs[3], &orgs[0], &orgs[1]]
                .map(|o| o.id)
                .to_vec()
        );
        assert!(
            s[0].reason
                .starts_with("Offices of one customer: “Acme Dental”, “Acme Dental - Boston”, “Acme Dental - Salem”"),
            "{}",
            s[0].reason
        );

        // Without one named for the customer, the shortest name is kept and renamed.
        let s = suggest(&tenants, &[boston.clone(), salem.clone()], &orgs[..2]);
        let g = s[0].group.as_ref().expect("a group");
        assert_eq!(
            (s[0].syncro_tenant, g.name.as_str()),
            (boston.id, "Acme Dental")
        );

        // Another tenant with as strong a claim on an office: the group is only Medium.
        let twins = [
            tenants[0].clone(),
            tenant(2, "Acme Dental Boston", &["acmedental.com"]),
        ];
        let s = suggest(&twins, &[boston.clone(), salem.clone()], &orgs[..2]);
        let grouped = s.iter().find(|x| x.group.is_some()).expect("a group");
        assert_eq!(grouped.confidence, Confidence::Medium, "{s:?}");
    }

    #[test]
    fn the_same_name_after_normalizing_is_high_confidence() {
        let st = [
            syncro(1, "Contoso"),
            syncro(2, "Smith and Sons"),
            syncro(3, "Acme Dental"),
            syncro(4, "Foggy IT Services - Boston"),
        ];
        let tenants = [
            tenant(1, "Contoso, Inc.", &["contoso.onmicrosoft.com"]),
            tenant(2, "Smith & Sons LLC", &["smithsons.onmicrosoft.com"]),
            tenant(3, "Acme Dental (M365)", &["acmedental1.onmicrosoft.com"]),
            tenant(4, "Foggy IT Services", &["foggy.onmicrosoft.com"]),
        ];
        let got = outcome(&tenants, &st, &[]);
        for (t, s) in [
            ("Contoso, Inc.", "Contoso"),
            ("Smith & Sons LLC", "Smith and Sons"),
            ("Acme Dental (M365)", "Acme Dental"),
            ("Foggy IT Services", "Foggy IT Services - Boston"),
        ] {
            assert!(
                got.contains(&(t.into(), s.into(), Confidence::High)),
                "{t} → {s}: {got:?}"
            );
        }
    }

    #[test]
    fn look_alike_names_are_never_high_confidence() {
        let st = [
            syncro(1, "Acme Dental Lab"),
            syncro(2, "Northwind Health"),
            syncro(3, "Riverside Dental"),
            syncro(4, "Lakeside Dental"),
            syncro(5, "Hillside Dental"),
        ];
        let tenants = [
            tenant(1, "Acme Dental", &["acmedental.onmicrosoft.com"]),
            tenant(2, "Northwind Traders", &["northwind.onmicrosoft.com"]),
            tenant(3, "Parkside Dental", &["parkside.onmicrosoft.com"]),
        ];
        let got = outcome(&tenants, &st, &[]);
        assert!(
            got.iter().all(|(_, _, c)| *c != Confidence::High),
            "{got:?}"
        );
        // "Dental" is everywhere in this account: sharing it is no evidence.
        assert!(
            !got.iter().any(|(t, _, _)| t == "Parkside Dental"),
            "{got:?}"
        );
        assert!(
            !got.iter().any(|(t, _, _)| t == "Northwind Traders"),
            "{got:?}"
        );
    }

    #[test]
    fn the_onmicrosoft_domain_spelling_the_name_is_medium() {
        let st = [syncro(1, "Foggy IT")];
        let tenants = [tenant(1, "FIT Corp", &["foggyit.onmicrosoft.com"])];
        assert_eq!(
            outcome(&tenants, &st, &[]),
            [("FIT Corp".into(), "Foggy IT".into(), Confidence::Medium)]
        );
    }

    #[test]
    fn mapped_syncro_tenants_are_never_offered_and_each_is_offered_once() {
        let mut taken = syncro(1, "Contoso");
        taken.microsoft_tenant = Some(MicrosoftTenantId::from_uuid(id(99)));
        let free = syncro(2, "Fabrikam");
        let tenants = [
            tenant(1, "Contoso", &["contoso.onmicrosoft.com"]),
            tenant(2, "Fabrikam", &["fabrikam.onmicrosoft.com"]),
            tenant(3, "Fabrikam Inc", &["fabrikam2.onmicrosoft.com"]),
        ];
        let got = outcome(&tenants, &[taken, free], &[]);
        assert_eq!(got.len(), 1, "{got:?}");
        // Two tenants are equally "Fabrikam": the one offered is not offered at high
        // confidence.
        assert_eq!(got[0].1, "Fabrikam");
        assert_eq!(got[0].2, Confidence::Medium);
    }

    #[test]
    fn mapped_tenants_get_no_suggestion() {
        let st = [syncro(1, "Contoso")];
        let mut t = tenant(1, "Contoso", &["contoso.onmicrosoft.com"]);
        t.syncro_tenant = Some(SyncroTenantId::from_uuid(id(5)));
        assert!(suggest(&[t], &st, &[]).is_empty());
    }

    #[test]
    fn ampersands_trading_names_and_a_clerks_typo_are_the_same_name() {
        let keane = syncro(1, "Keane & Associates");
        let smith = syncro(2, "Smith Holdings LLC dba Smith Plumbing");
        let johnson = syncro(3, "Jonhson Electric");
        let pine = syncro(4, "Pinecrst Veterinary");
        let hollins = syncro(5, "Hollins Dental");
        let all = [keane, smith, johnson, pine, hollins];
        let tenants = [
            tenant(
                1,
                "Keane and Associates",
                &["keaneassociates.onmicrosoft.com"],
            ),
            tenant(2, "Smith Plumbing", &[]),
            tenant(3, "Johnson Electric", &[]),
            tenant(4, "Pinecrest Veterinary", &[]),
            // One letter more in the clerk's name that is no slip of typing: maybe another
            // business, so not High.
            tenant(5, "Hollis Dental", &[]),
        ];
        let got = outcome(&tenants, &all, &[]);
        let conf = |t: &str| got.iter().find(|g| g.0 == t).map(|g| (g.1.clone(), g.2));
        assert_eq!(
            conf("Keane and Associates"),
            Some(("Keane & Associates".into(), Confidence::High))
        );
        assert_eq!(
            conf("Smith Plumbing"),
            Some((
                "Smith Holdings LLC dba Smith Plumbing".into(),
                Confidence::High
            ))
        );
        assert_eq!(
            conf("Johnson Electric"),
            Some(("Jonhson Electric".into(), Confidence::High))
        );
        assert_eq!(
            conf("Pinecrest Veterinary"),
            Some(("Pinecrst Veterinary".into(), Confidence::High))
        );
        assert_eq!(conf("Hollis Dental").map(|c| c.1), Some(Confidence::Medium));
    }

    #[test]
    fn a_bookkeepers_domain_does_not_take_its_clients_away() {
        let keeper = syncro(1, "Ledger Pros Bookkeeping");
        let bakery = syncro(2, "Harbor Bakery");
        let roofing = syncro(3, "Summit Roofing");
        let orgs = [
            org(
                1,
                "Ledger Pros Bookkeeping",
                &keeper,
                "info@ledgerpros.com",
                "ledgerpros.com",
            ),
            org(2, "Harbor Bakery", &bakery, "books@ledgerpros.com", ""),
            org(3, "Summit Roofing", &roofing, "books@ledgerpros.com", ""),
        ];
        let tenants = [
            tenant(1, "Ledger Pros", &["ledgerpros.com"]),
            tenant(2, "Harbor Bakery", &["harborbakery.com"]),
            tenant(3, "Summit Roofing", &[]),
        ];
        let got = outcome(&tenants, &[keeper, bakery, roofing], &orgs);
        assert_eq!(
            got,
            [
                (
                    "Harbor Bakery".into(),
                    "Harbor Bakery".into(),
                    Confidence::High
                ),
                (
                    "Ledger Pros".into(),
                    "Ledger Pros Bookkeeping".into(),
                    Confidence::High
                ),
                (
                    "Summit Roofing".into(),
                    "Summit Roofing".into(),
                    Confidence::High
                ),
            ]
        );
    }

    #[test]
    fn ties_are_broken_by_name_not_by_id() {
        // Two offices of one name and one tenant: the same answer whatever the ids.
        for (a, b) in [(1, 2), (2, 1)] {
            let boston = syncro(a, "Harbor Dental - Boston");
            let waltham = syncro(b, "Harbor Dental - Waltham");
            let all = [waltham.clone(), boston];
            let got = outcome(&[tenant(1, "Harbor Dental", &[])], &all, &[]);
            // The other office is offered beside it, to pick in place.
            let s = suggest(&[tenant(1, "Harbor Dental", &[])], &all, &[]);
            assert_eq!(s[0].alternatives, vec![waltham.id]);
            assert_eq!(
                got,
                [(
                    "Harbor Dental".into(),
                    "Harbor Dental - Boston".into(),
                    Confidence::Medium
                )]
            );
        }
    }
}
