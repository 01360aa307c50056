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
use std::collections::{HashMap, HashSet};

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
}

mod words;
pub use words::{domain_of, full_name_words, name_words, names_in, one_edit_apart};

/// One name a Syncro Tenant is known by (its own, or one of its Organizations').
struct Name<'a> {
    text: &'a str,
    /// Its words (office suffix dropped) as ids, sorted, each once.
    words: Vec<u32>,
    weight: f64,
}

/// What one Syncro Tenant is known by: its own name and its Organizations'.
struct Candidate<'a> {
    syncro: &'a SyncroTenant,
    names: Vec<Name<'a>>,
}

/// The evidence for one (tenant, Syncro Tenant) pair: a score that orders all pairs, and its
/// confidence and reason.
#[derive(Debug, Clone)]
struct Evidence {
    score: f64,
    confidence: Confidence,
    reason: String,
}

/// Similarity at or above which a pair is offered at medium confidence; below `LOW` not at all.
const MEDIUM: f64 = 0.75;
const LOW: f64 = 0.5;

/// Scores of the kinds of evidence (similar names score their similarity, below 1).
const DOMAIN: f64 = 3.0;
const SAME_NAME: f64 = 2.5;
const SAME_BUT_OFFICE: f64 = 2.0;
const SAME_BUT_A_TYPO: f64 = 1.9;
const SPELLED_DOMAIN: f64 = 1.5;
/// A domain on the Organizations of several Syncro Tenants (a bookkeeper's, a shared
/// provider's) counts only for those it belongs to; for the others it is weak.
const SHARED_DOMAIN: f64 = 0.55;

/// Shortest word a typo is looked for in.
const TYPO_MIN_CHARS: usize = 5;

/// One Syncro Tenant an email or website domain is seen on.
struct DomainUse<'a> {
    candidate: usize,
    /// The Organization it is seen on.
    org: &'a str,
    /// The domain is this Syncro Tenant's own: its website, or its name spelled in the domain's
    /// first label ("ledgerpros.com" for "Ledger Pros Bookkeeping").
    owner: bool,
}

/// The account's names, indexed: words and their weights, names by their words, by their
/// compact form (words run together) with and without the office suffix, and by domain.
struct Index<'a> {
    candidates: Vec<Candidate<'a>>,
    word_ids: HashMap<String, u32>,
    /// Per word id: the candidates with a name using it, each once.
    by_word: Vec<Vec<usize>>,
    /// Per word id: its weight, ln(1 + N / (1 + candidates using it)).
    weight: Vec<f64>,
    /// Weight of a word no candidate uses.
    unknown_weight: f64,
    by_full: HashMap<String, Vec<(usize, &'a str)>>,
    by_core: HashMap<String, Vec<(usize, &'a str)>>,
    by_domain: HashMap<String, Vec<DomainUse<'a>>>,
    /// Each word of 5 letters or more, and each of it with one letter dropped: the words it
    /// stands for (typos are looked up here).
    near: HashMap<String, Vec<u32>>,
    /// Per word id: the word.
    word_of: Vec<String>,
}

/// Whether `domain` spells the name: its first label is the start of the name run together.
fn spells(domain: &str, name: &str) -> bool {
    let label = domain.split('.').next().unwrap_or("");
    label.len() >= 4 && name_words(name).concat().starts_with(label)
}

/// How a billing clerk's word differs from the tenant's, when by one letter: `Some(true)` for
/// the slips of typing (two letters swapped, one dropped from a long word, one doubled),
/// `Some(false)` for another letter (which may as well be another name: Hollis, Hollins).
fn slip(tenant_word: &str, clerk_word: &str) -> Option<bool> {
    if !one_edit_apart(tenant_word, clerk_word) {
        return None;
    }
    let (t, c): (Vec<char>, Vec<char>) =
        (tenant_word.chars().collect(), clerk_word.chars().collect());
    Some(if t.len() == c.len() {
        let diff: Vec<usize> = (0..t.len()).filter(|&i| t[i] != c[i]).collect();
        diff.len() == 2 && diff[1] == diff[0] + 1
    } else if c.len() + 1 == t.len() {
        t.len() >= 6
    } else {
        // One letter more: a doubled one.
        let at = t.iter().zip(c.iter()).take_while(|(x, y)| x == y).count();
        at > 0 && c[at] == c[at - 1]
    })
}

impl<'a> Index<'a> {
    fn new(syncro: &[&'a SyncroTenant], orgs: impl IntoIterator<Item = &'a Organization>) -> Self {
        let free: HashMap<SyncroTenantId, usize> =
            syncro.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut texts: Vec<Vec<&'a str>> =
            syncro.iter().map(|s| names_in(s.name.as_str())).collect();
        let mut by_domain: HashMap<String, Vec<DomainUse<'a>>> = HashMap::new();
        for o in orgs {
            let Some(&i) = free.get(&o.syncro_tenant) else {
                continue;
            };
            texts[i].extend(names_in(o.name.as_str()));
            for (source, website) in [(&o.contact.email, false), (&o.contact.website, true)] {
                if let Some(d) = domain_of(source) {
                    let owner = website
                        || spells(&d, syncro[i].name.as_str())
                        || spells(&d, o.name.as_str());
                    let entry = by_domain.entry(d).or_default();
                    match entry.iter_mut().find(|u| u.candidate == i) {
                        Some(u) => u.owner |= owner,
                        None => entry.push(DomainUse {
                            candidate: i,
                            org: o.name.as_str(),
                            owner,
                        }),
                    }
                }
            }
        }
        let mut index = Index {
            candidates: Vec::with_capacity(syncro.len()),
            word_ids: HashMap::new(),
            by_word: Vec::new(),
            weight: Vec::new(),
            unknown_weight: 0.0,
            by_full: HashMap::new(),
            by_core: HashMap::new(),
            by_domain,
            near: HashMap::new(),
            word_of: Vec::new(),
        };
        for (i, (st, texts)) in syncro.iter().zip(texts).enumerate() {
            let mut names = Vec::with_capacity(texts.len());
            for text in texts {
                let full = full_name_words(text).concat();
                let words = name_words(text);
                let core = words.concat();
                for (map, key) in [(&mut index.by_full, full), (&mut index.by_core, core)] {
                    if key.is_empty() {
                        continue;
                    }
                    let e = map.entry(key).or_default();
                    if e.last().is_none_or(|(c, _)| *c != i) {
                        e.push((i, text));
                    }
                }
                let mut ids: Vec<u32> = words
                    .into_iter()
                    .map(|w| {
                        let next = index.word_ids.len() as u32;
                        *index.word_ids.entry(w).or_insert(next)
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                for &w in &ids {
                    if index.by_word.len() <= w as usize {
                        index.by_word.resize(w as usize + 1, Vec::new());
                    }
                    let users = &mut index.by_word[w as usize];
                    if users.last() != Some(&i) {
                        users.push(i);
                    }
                }
                names.push(Name {
                    text,
                    words: ids,
                    weight: 0.0,
                });
            }
            index.candidates.push(Candidate { syncro: st, names });
        }
        let n = index.candidates.len().max(1) as f64;
        index.weight = index
            .by_word
            .iter()
            .map(|users| (1.0 + n / (1.0 + users.len() as f64)).ln())
            .collect();
        index.unknown_weight = (1.0 + n).ln();
        index.word_of = vec![String::new(); index.word_ids.len()];
        for (word, &id) in &index.word_ids {
            index.word_of[id as usize] = word.clone();
            if word.chars().count() < TYPO_MIN_CHARS {
                continue;
            }
            index.near.entry(word.clone()).or_default().push(id);
            for (at, _) in word.char_indices() {
                let mut dropped = word.clone();
                dropped.remove(at);
                index.near.entry(dropped).or_default().push(id);
            }
        }
        for c in &mut index.candidates {
            for name in &mut c.names {
                name.weight = name.words.iter().map(|w| index.weight[*w as usize]).sum();
            }
        }
        index
    }

    /// Every candidate with evidence for this tenant, with the strongest evidence for each.
    fn evidence(
        &self,
        tenant: &MicrosoftTenant,
        seen: &mut [usize],
        stamp: usize,
    ) -> HashMap<usize, Evidence> {
        let mut best: HashMap<usize, Evidence> = HashMap::new();
        for d in tenant.domains() {
            let uses = self.by_domain.get(d).map_or(&[][..], Vec::as_slice);
            for u in uses {
                let evidence = if uses.len() == 1 || u.owner {
                    Evidence {
                        score: DOMAIN,
                        confidence: Confidence::High,
                        reason: format!("{d} is a domain of Organization “{}”", u.org),
                    }
                } else {
                    Evidence {
                        score: SHARED_DOMAIN,
                        confidence: Confidence::Low,
                        reason: format!(
                            "{d} is a domain of Organization “{}”, and of {} other Syncro Tenants' Organizations",
                            u.org,
                            uses.len() - 1
                        ),
                    }
                };
                offer(&mut best, u.candidate, evidence);
            }
        }
        for name in names_in(&tenant.display_name) {
            let full = full_name_words(name).concat();
            for (c, text) in self.by_full.get(&full).into_iter().flatten() {
                offer(
                    &mut best,
                    *c,
                    Evidence {
                        score: SAME_NAME,
                        confidence: Confidence::High,
                        reason: format!("Same name as “{text}”"),
                    },
                );
            }
            let core = name_words(name).concat();
            for (c, text) in self.by_core.get(&core).into_iter().flatten() {
                offer(
                    &mut best,
                    *c,
                    Evidence {
                        score: SAME_BUT_OFFICE,
                        confidence: Confidence::High,
                        reason: format!("Same name as “{text}” apart from the office"),
                    },
                );
            }
        }
        let words = name_words(&tenant.display_name);
        if !best.values().any(|e| e.score >= SAME_BUT_OFFICE) {
            self.typos(&words, &mut best);
        }
        // The first label of the tenant's `.onmicrosoft.com` domain, which its admin chose.
        if let Some(label) = tenant
            .domains()
            .find_map(|d| d.strip_suffix(".onmicrosoft.com"))
            .filter(|l| l.len() >= 4)
        {
            for (c, _) in self.by_core.get(label).into_iter().flatten() {
                offer(
                    &mut best,
                    *c,
                    Evidence {
                        score: SPELLED_DOMAIN,
                        confidence: Confidence::Medium,
                        reason: format!(
                            "The tenant's domain {label}.onmicrosoft.com spells “{}”",
                            self.candidates[*c].syncro.name
                        ),
                    },
                );
            }
        }
        // Similar names only where nothing stronger was found.
        if best.values().any(|e| e.score >= SAME_BUT_OFFICE) || words.is_empty() {
            return best;
        }
        // The tenant's words, heaviest (rarest) first; a word no candidate uses is heaviest.
        let mut mine: Vec<(Option<u32>, f64)> = words
            .iter()
            .map(|w| match self.word_ids.get(w) {
                Some(&id) => (Some(id), self.weight[id as usize]),
                None => (None, self.unknown_weight),
            })
            .collect();
        mine.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        mine.dedup_by_key(|w| w.0.map_or(u64::MAX, u64::from));
        let total: f64 = mine.iter().map(|w| w.1).sum();
        // A candidate sharing none of the heaviest words that make up more than (1 − LOW) of
        // the weight shares less than LOW of it: it cannot reach LOW. Only the candidates using
        // one of those words are scored.
        let mut prefix = 0.0;
        let mut gathered = Vec::new();
        for (id, w) in &mine {
            if prefix > (1.0 - LOW) * total {
                break;
            }
            prefix += w;
            if let Some(id) = id {
                for &c in &self.by_word[*id as usize] {
                    if seen[c] != stamp {
                        seen[c] = stamp;
                        gathered.push(c);
                    }
                }
            }
        }
        for c in gathered {
            let mut top: Option<(f64, &str)> = None;
            for name in &self.candidates[c].names {
                let common: f64 = mine
                    .iter()
                    .filter_map(|(id, w)| {
                        id.filter(|i| name.words.binary_search(i).is_ok())
                            .map(|_| *w)
                    })
                    .sum();
                let s = common / (total + name.weight - common);
                if top.is_none_or(|(b, _)| s > b) {
                    top = Some((s, name.text));
                }
            }
            if let Some((s, text)) = top
                && s >= LOW
            {
                offer(
                    &mut best,
                    c,
                    Evidence {
                        score: s,
                        confidence: if s >= MEDIUM {
                            Confidence::Medium
                        } else {
                            Confidence::Low
                        },
                        reason: format!("Similar name: “{text}” ({:.0} % alike)", s * 100.0),
                    },
                );
            }
        }
        best
    }
}

impl Index<'_> {
    /// The names that are the tenant's but for one word a billing clerk mistyped by a letter
    /// ("Jonhson Electric" for "Johnson Electric").
    fn typos(&self, words: &[String], best: &mut HashMap<usize, Evidence>) {
        for (i, word) in words.iter().enumerate() {
            if word.chars().count() < TYPO_MIN_CHARS {
                continue;
            }
            let mut near: Vec<u32> = self.near.get(word).cloned().unwrap_or_default();
            for (at, _) in word.char_indices() {
                let mut dropped = word.clone();
                dropped.remove(at);
                near.extend(self.near.get(&dropped).into_iter().flatten());
                near.extend(self.word_ids.get(&dropped));
            }
            near.sort_unstable();
            near.dedup();
            for other in near.iter().map(|id| self.word_of[*id as usize].as_str()) {
                let Some(slip) = slip(word, other) else {
                    continue;
                };
                let mut fixed = words.to_vec();
                fixed[i] = other.to_string();
                for (c, text) in self.by_core.get(&fixed.concat()).into_iter().flatten() {
                    offer(
                        best,
                        *c,
                        Evidence {
                            score: if slip {
                                SAME_BUT_A_TYPO
                            } else {
                                SPELLED_DOMAIN
                            },
                            confidence: if slip {
                                Confidence::High
                            } else {
                                Confidence::Medium
                            },
                            reason: format!("Same name as “{text}” but for one letter"),
                        },
                    );
                }
            }
        }
    }
}

/// Keeps the strongest evidence for each candidate (the first of equals).
fn offer(best: &mut HashMap<usize, Evidence>, c: usize, e: Evidence) {
    match best.get_mut(&c) {
        Some(slot) if e.score > slot.score => *slot = e,
        Some(_) => {}
        None => {
            best.insert(c, e);
        }
    }
}

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
    pairs.sort_by(|a, b| {
        b.2.score
            .total_cmp(&a.2.score)
            .then_with(|| tenants[a.0].display_name.cmp(&tenants[b.0].display_name))
            .then_with(|| {
                let name = |c: usize| index.candidates[c].syncro.name.as_str();
                name(a.1).cmp(name(b.1))
            })
            .then_with(|| tenants[a.0].tenant_id.cmp(&tenants[b.0].tenant_id))
            .then_with(|| {
                index.candidates[a.1]
                    .syncro
                    .id
                    .cmp(&index.candidates[b.1].syncro.id)
            })
    });
    let mut high_scores_t: HashMap<usize, Vec<f64>> = HashMap::new();
    let mut high_scores_c: HashMap<usize, Vec<f64>> = HashMap::new();
    for (t, c, e) in &pairs {
        if e.confidence == Confidence::High {
            high_scores_t.entry(*t).or_default().push(e.score);
            high_scores_c.entry(*c).or_default().push(e.score);
        }
    }
    let rivals = |scores: Option<&Vec<f64>>, score: f64| {
        scores.map_or(0, |s| s.iter().filter(|x| **x >= score).count()) > 1
    };
    let mut tenant_done = HashSet::new();
    let mut candidate_done = HashSet::new();
    let mut out = Vec::new();
    for (t, c, mut e) in pairs {
        if tenant_done.contains(&t) || candidate_done.contains(&c) {
            continue;
        }
        tenant_done.insert(t);
        candidate_done.insert(c);
        if e.confidence == Confidence::High
            && (rivals(high_scores_t.get(&t), e.score) || rivals(high_scores_c.get(&c), e.score))
        {
            e.confidence = Confidence::Medium;
            e.reason.push_str(" — but others match as well");
        }
        out.push(Suggestion {
            tenant: tenants[t].tenant_id,
            syncro_tenant: index.candidates[c].syncro.id,
            confidence: e.confidence,
            reason: e.reason,
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
            let got = outcome(&[tenant(1, "Harbor Dental", &[])], &[waltham, boston], &[]);
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
