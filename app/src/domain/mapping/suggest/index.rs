//! The account's names and domains, indexed, and the evidence each Syncro Tenant has for a
//! tenant: a domain, the same name (with or without the office, or but for a billing clerk's
//! slip), the tenant's own domain spelling it, or similar words.

use super::{Confidence, domain_of, full_name_words, name_words, names_in, one_edit_apart};
use crate::domain::{MicrosoftTenant, Organization, SyncroTenant, SyncroTenantId};
use std::collections::HashMap;

/// One name a Syncro Tenant is known by (its own, or one of its Organizations').
pub(super) struct Name<'a> {
    text: &'a str,
    /// Its words (office suffix dropped) as ids, sorted, each once.
    words: Vec<u32>,
    weight: f64,
}

/// What one Syncro Tenant is known by: its own name and its Organizations'.
pub(super) struct Candidate<'a> {
    pub(super) syncro: &'a SyncroTenant,
    /// Its own name's words run together, the office left out ("acmedental"): offices of
    /// one customer share it.
    pub(super) core: String,
    names: Vec<Name<'a>>,
    /// The Organizations under it.
    pub(super) orgs: Vec<&'a Organization>,
}

/// The evidence for one (tenant, Syncro Tenant) pair: a score that orders all pairs, and its
/// confidence and reason.
#[derive(Debug, Clone)]
pub(super) struct Evidence {
    pub(super) score: f64,
    pub(super) confidence: Confidence,
    pub(super) reason: String,
}

/// Similarity at or above which a pair is offered at medium confidence; below `LOW` not at all.
const MEDIUM: f64 = 0.75;
const LOW: f64 = 0.5;

/// Scores of the kinds of evidence (similar names score their similarity, below 1).
const DOMAIN: f64 = 3.0;
const SAME_NAME: f64 = 2.5;
pub(super) const SAME_BUT_OFFICE: f64 = 2.0;
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
pub(super) struct Index<'a> {
    pub(super) candidates: Vec<Candidate<'a>>,
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
pub(super) fn slip(tenant_word: &str, clerk_word: &str) -> Option<bool> {
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
    pub(super) fn new(
        syncro: &[&'a SyncroTenant],
        orgs: impl IntoIterator<Item = &'a Organization>,
    ) -> Self {
        let free: HashMap<SyncroTenantId, usize> =
            syncro.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let mut under: Vec<Vec<&'a Organization>> = vec![Vec::new(); syncro.len()];
        let mut texts: Vec<Vec<&'a str>> =
            syncro.iter().map(|s| names_in(s.name.as_str())).collect();
        let mut by_domain: HashMap<String, Vec<DomainUse<'a>>> = HashMap::new();
        for o in orgs {
            let Some(&i) = free.get(&o.syncro_tenant) else {
                continue;
            };
            texts[i].extend(names_in(o.name.as_str()));
            under[i].push(o);
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
        for (i, ((st, texts), orgs)) in syncro.iter().zip(texts).zip(under).enumerate() {
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
            index.candidates.push(Candidate {
                syncro: st,
                core: name_words(st.name.as_str()).concat(),
                names,
                orgs,
            });
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
    pub(super) fn evidence(
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
