//! A realistic book of 300 customers, with the right answer for each: the Microsoft Tenants a
//! CSP partner sees and the Syncro Tenants and Organizations its billing clerks typed over the
//! years. Made from a fixed seed, so every run is the same book.
//!
//! The kinds of difficulty are the ones seen in MSPs' books: legal suffixes and punctuation
//! written differently, "&" written as "and" or dropped, offices of one customer kept as
//! separate Syncro Tenants, "X LLC dba Y", holding companies, one-letter typos and swapped
//! letters, acronyms, rebrands, GoDaddy `NETORGFT…` tenants known only by a verified domain,
//! a bookkeeper's email on several unrelated customers, look-alike names of different
//! customers, tenants that are no customer at all (the MSP's own, trials, sandboxes), and
//! customers that have no tenant.

use app::domain::mapping::suggest::{Confidence, Suggestion, suggest};
use app::domain::{
    ContactDetails, MicrosoftTenant, MicrosoftTenantId, Organization, OrganizationId,
    OrganizationName, SyncroTenant, SyncroTenantId, SyncroTenantName, Timestamp, Version,
};
use std::collections::{BTreeMap, HashMap};

/// What a tenant should be mapped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Truth {
    /// This Syncro Tenant.
    One(SyncroTenantId),
    /// These offices of one customer, grouped under one Syncro Tenant (any of them is the right
    /// one to keep).
    Offices(Vec<SyncroTenantId>),
    /// No Syncro Tenant: not a customer.
    None,
}

impl Truth {
    /// Right: the one Syncro Tenant alone, or all the offices grouped (none left out, no other).
    fn accepts(&self, s: &Suggestion) -> bool {
        let grouped: Vec<SyncroTenantId> = s
            .group
            .iter()
            .flat_map(|g| g.syncro_tenants.clone())
            .collect();
        match self {
            Truth::One(id) => *id == s.syncro_tenant && grouped.is_empty(),
            Truth::Offices(ids) => {
                ids.contains(&s.syncro_tenant)
                    && grouped.len() + 1 == ids.len()
                    && grouped.iter().all(|g| ids.contains(g))
            }
            Truth::None => false,
        }
    }
}

pub struct Book {
    pub syncro: Vec<SyncroTenant>,
    pub orgs: Vec<Organization>,
    pub tenants: Vec<MicrosoftTenant>,
    /// Per tenant: the answer, and the kind of difficulty it was made with.
    pub truth: HashMap<MicrosoftTenantId, (Truth, &'static str)>,
}

/// xorshift64*: a small generator with a fixed seed (no dependency, the same book every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FIRST: &[&str] = &[
    "Summit",
    "Harbor",
    "Pinecrest",
    "Blue Ridge",
    "Keane",
    "Maple Street",
    "Ironwood",
    "Lakeside",
    "Northgate",
    "Cedar Point",
    "Riverbend",
    "Oakmont",
    "Silverline",
    "Granite",
    "Westfield",
    "Brightwater",
    "Redstone",
    "Copperfield",
    "Foxhall",
    "Elmhurst",
    "Stonebridge",
    "Clearview",
    "Highland",
    "Meadowbrook",
    "Bayside",
    "Kingsley",
    "Ashford",
    "Hollis",
    "Marlow",
    "Prescott",
    "Whitaker",
    "Delgado",
    "Nakamura",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Castellano",
    "Brennan",
    "Fairview",
    "Sunrise",
    "Evergreen",
    "Timberline",
    "Crescent",
    "Gateway",
    "Horizon",
    "Beacon",
    "Sterling",
    "Juniper",
    "Willow Creek",
    "Aspen",
    "Hawthorne",
    "Magnolia",
    "Sequoia",
    "Tidewater",
    "Canyon",
    "Prairie",
    "Lighthouse",
    "Falcon",
    "Orchard",
    "Windmill",
];

const TRADE: &[&str] = &[
    "Dental",
    "Law Group",
    "Plumbing",
    "Veterinary Clinic",
    "Accounting",
    "Orthopedics",
    "Insurance Agency",
    "Realty",
    "Construction",
    "Electric",
    "Family Practice",
    "Chiropractic",
    "Engineering",
    "Architects",
    "Bakery",
    "Auto Repair",
    "Landscaping",
    "Logistics",
    "Counseling",
    "Pharmacy",
    "Roofing",
    "Title Company",
    "Credit Union",
    "Montessori School",
    "Physical Therapy",
    "Dermatology",
    "Marine Supply",
    "Printing",
    "Staffing",
    "Wealth Advisors",
];

const SUFFIXES: &[&str] = &[
    "", " Inc", " Inc.", ", Inc.", " LLC", " LLP", " Ltd", " PLLC", " P.C.", " Co.",
];
const OFFICES: &[&str] = &[
    "Boston",
    "Waltham",
    "Downtown",
    "North",
    "Main Office",
    "Annex",
];

fn compact(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

fn acronym(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .collect::<String>()
        .to_uppercase()
}

/// One letter dropped, doubled or two swapped: how a billing clerk mistypes a name.
fn typo(rng: &mut Rng, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    // Not the first letter, and only between two letters.
    let spots: Vec<usize> = (2..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_alphabetic() && chars[i + 1].is_alphabetic())
        .collect();
    let i = spots[rng.below(spots.len())];
    let mut out = chars.clone();
    match rng.below(3) {
        0 => out.swap(i, i + 1),
        1 => {
            out.remove(i);
        }
        _ => out.insert(i, chars[i]),
    }
    out.into_iter().collect()
}

struct Maker {
    rng: Rng,
    n: u128,
    book: Book,
    /// The name keys used: Syncro Tenant and Organization names are unique (R3), in a book too.
    names: std::collections::HashSet<String>,
}

impl Maker {
    fn id(&mut self) -> uuid::Uuid {
        self.n += 1;
        uuid::Uuid::from_u128(0x7e57_0000_0000_4000_8000_0000_0000_0000 | self.n)
    }

    fn free_syncro_name(&self, name: &str) -> bool {
        let key = SyncroTenantName::parse(name).expect("a valid name").key();
        !self.names.contains(&format!("st:{key}"))
    }

    /// A Syncro Tenant with one Organization (or with `orgs`), billing at `email`, `website`.
    fn syncro(&mut self, name: &str, orgs: &[(&str, &str, &str)]) -> SyncroTenantId {
        let id = SyncroTenantId::from_uuid(self.id());
        let name = SyncroTenantName::parse(name).expect("a valid name");
        assert!(
            self.names.insert(format!("st:{}", name.key())),
            "two Syncro Tenants named {name}"
        );
        self.book.syncro.push(SyncroTenant {
            id,
            name,
            microsoft_tenant: None,
            organization_count: orgs.len() as u32,
            version: Version(1),
            updated_at: Timestamp(0),
        });
        for (org, email, website) in orgs {
            let oid = OrganizationId::from_uuid(self.id());
            let name = OrganizationName::parse(org).expect("a valid name");
            assert!(
                self.names.insert(format!("org:{}", name.key())),
                "two Organizations named {name}"
            );
            self.book.orgs.push(Organization {
                id: oid,
                name,
                syncro_tenant: id,
                contact: ContactDetails {
                    email: email.to_string(),
                    phone: String::new(),
                    address: String::new(),
                    website: website.to_string(),
                },
                version: Version(1),
                updated_at: Timestamp(0),
            });
        }
        id
    }

    fn tenant(
        &mut self,
        name: &str,
        label: &str,
        domains: &[&str],
        truth: Truth,
        kind: &'static str,
    ) {
        let id = MicrosoftTenantId::from_uuid(self.id());
        let initial = format!("{label}.onmicrosoft.com");
        let mut verified: Vec<String> = domains.iter().map(|d| d.to_string()).collect();
        verified.push(initial.clone());
        verified.sort();
        self.book.tenants.push(MicrosoftTenant {
            tenant_id: id,
            display_name: name.to_string(),
            default_domain: domains.first().map_or(initial, |d| d.to_string()),
            verified_domains: verified,
            syncro_tenant: None,
            last_sync: Timestamp(0),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        });
        self.book.truth.insert(id, (truth, kind));
    }
}

/// The book: 300 Microsoft Tenants (a few of them no customer), the Syncro side with offices
/// and customers that have no tenant.
pub fn book() -> Book {
    let mut m = Maker {
        rng: Rng(0x5eed_2026_1203),
        n: 0,
        book: Book {
            syncro: Vec::new(),
            orgs: Vec::new(),
            tenants: Vec::new(),
            truth: HashMap::new(),
        },
        names: Default::default(),
    };
    // Distinct base names, in a shuffled order.
    let mut bases: Vec<String> = FIRST
        .iter()
        .flat_map(|f| TRADE.iter().map(move |t| format!("{f} {t}")))
        .collect();
    for i in (1..bases.len()).rev() {
        let j = m.rng.below(i + 1);
        bases.swap(i, j);
    }
    let mut bases = bases.into_iter();
    let mut next = || bases.next().expect("enough names");

    // A bookkeeper billing for several customers: its domain is on all their Organizations.
    let keeper = "ledgerpros.com";
    let keeper_st = m.syncro(
        "Ledger Pros Bookkeeping",
        &[(
            "Ledger Pros Bookkeeping",
            "info@ledgerpros.com",
            "ledgerpros.com",
        )],
    );
    m.tenant(
        "Ledger Pros",
        "ledgerpros",
        &[keeper],
        Truth::One(keeper_st),
        "bookkeeper itself",
    );

    let kinds: &[(&'static str, usize)] = &[
        ("plain", 120),
        ("suffix and case", 30),
        ("parenthetical", 8),
        ("ampersand", 12),
        ("offices", 10),
        ("dba", 8),
        ("holding company", 8),
        ("typo", 20),
        ("acronym with a domain", 8),
        ("netorgft", 14),
        ("rebrand", 8),
        ("bookkeeper's clients", 6),
        ("look-alike", 10),
        ("only onmicrosoft", 21),
    ];
    for (kind, count) in kinds {
        for _ in 0..*count {
            let base = next();
            let domain = format!("{}.com", compact(&base));
            let label = compact(&base).chars().take(20).collect::<String>();
            let billing = format!("billing@{domain}");
            let suffix = m.rng.pick(SUFFIXES);
            match *kind {
                "plain" => {
                    let email = if m.rng.chance(60) {
                        billing.clone()
                    } else {
                        String::new()
                    };
                    let site = if m.rng.chance(40) {
                        domain.clone()
                    } else {
                        String::new()
                    };
                    let st = m.syncro(
                        &format!("{base}{suffix}"),
                        &[(&format!("{base}{suffix}"), &email, &site)],
                    );
                    let other = m.rng.pick(SUFFIXES);
                    let domains: Vec<&str> = if m.rng.chance(70) {
                        vec![&domain]
                    } else {
                        vec![]
                    };
                    m.tenant(
                        &format!("{base}{other}"),
                        &label,
                        &domains,
                        Truth::One(st),
                        kind,
                    );
                }
                "suffix and case" => {
                    let st = m.syncro(
                        &format!("{base}{suffix}"),
                        &[(&format!("{base}{suffix}"), "", "")],
                    );
                    m.tenant(
                        &format!("{}, INC.", base.to_uppercase()),
                        &label,
                        &[],
                        Truth::One(st),
                        kind,
                    );
                }
                "parenthetical" => {
                    let st = m.syncro(&base, &[(&base, &billing, "")]);
                    m.tenant(&format!("{base} (M365)"), &label, &[], Truth::One(st), kind);
                }
                "ampersand" => {
                    let first = base.split(' ').next().unwrap_or("Keane");
                    let name = format!("{first} & Associates");
                    if m.book.syncro.iter().any(|s| s.name.as_str() == name) {
                        continue;
                    }
                    let st = m.syncro(&name, &[(&name, "", "")]);
                    let spelled = match m.rng.below(3) {
                        0 => format!("{first} and Associates"),
                        1 => format!("{first} Associates"),
                        _ => format!("{first}&Associates"),
                    };
                    let label = compact(&format!("{first}associates"));
                    m.tenant(&spelled, &label, &[], Truth::One(st), kind);
                }
                "offices" => {
                    let n = 2 + m.rng.below(3);
                    let mut ids = Vec::new();
                    for office in OFFICES.iter().take(n) {
                        let name = format!("{base} - {office}");
                        ids.push(m.syncro(&name, &[(&name, &billing, "")]));
                    }
                    m.tenant(&base, &label, &[&domain], Truth::Offices(ids), kind);
                }
                "dba" => {
                    let owner = base.split(' ').next().unwrap_or("Smith");
                    let name = format!("{owner} Holdings LLC dba {base}");
                    let st = m.syncro(&name, &[(&name, "", "")]);
                    m.tenant(&base, &label, &[], Truth::One(st), kind);
                }
                "holding company" => {
                    let owner = base.split(' ').next().unwrap_or("Maple");
                    // Two customers of one family name are held by two companies.
                    let holding = ["Holdings", "Family Holdings", "Capital Holdings"]
                        .iter()
                        .map(|h| format!("{owner} {h} Inc"))
                        .find(|n| m.free_syncro_name(n))
                        .expect("a free name");
                    let st = m.syncro(&holding, &[(&base, "", "")]);
                    m.tenant(
                        &format!("{base}{suffix}"),
                        &label,
                        &[],
                        Truth::One(st),
                        kind,
                    );
                }
                "typo" => {
                    let typed = typo(&mut m.rng, &base);
                    let st = m.syncro(&typed, &[(&typed, &billing, "")]);
                    m.tenant(&base, &label, &[], Truth::One(st), kind);
                }
                "acronym with a domain" => {
                    let short = acronym(&base);
                    let short_domain = format!("{}.com", short.to_lowercase());
                    let st = m.syncro(&base, &[(&base, &format!("office@{short_domain}"), "")]);
                    m.tenant(
                        &short,
                        &short.to_lowercase(),
                        &[&short_domain],
                        Truth::One(st),
                        kind,
                    );
                }
                "netorgft" => {
                    let label = format!("NETORGFT{}", 1_000_000 + m.rng.below(9_000_000));
                    let st = m.syncro(&base, &[(&base, &billing, "")]);
                    m.tenant(&label, &label, &[&domain], Truth::One(st), kind);
                }
                "rebrand" => {
                    let first = base.split(' ').next().unwrap_or("Bright");
                    let new_name = format!(
                        "{first} {}",
                        m.rng.pick(&["Partners", "Group", "Wellness", "Collective"])
                    );
                    let st = m.syncro(&base, &[(&base, "", &domain)]);
                    m.tenant(
                        &new_name,
                        &compact(&new_name),
                        &[&domain],
                        Truth::One(st),
                        kind,
                    );
                }
                "bookkeeper's clients" => {
                    let st = m.syncro(&base, &[(&base, &format!("books@{keeper}"), "")]);
                    m.tenant(&base, &label, &[&domain], Truth::One(st), kind);
                }
                "look-alike" => {
                    // Two customers, one name inside the other's: each must find its own.
                    let longer = format!(
                        "{base} {}",
                        m.rng.pick(&["Lab", "Supply", "Group", "Partners"])
                    );
                    let a = m.syncro(&base, &[(&base, "", "")]);
                    let b = m.syncro(&longer, &[(&longer, "", "")]);
                    m.tenant(&base, &label, &[], Truth::One(a), kind);
                    m.tenant(
                        &longer,
                        &compact(&longer).chars().take(20).collect::<String>(),
                        &[],
                        Truth::One(b),
                        kind,
                    );
                }
                "only onmicrosoft" => {
                    let st = m.syncro(&base, &[(&base, "", "")]);
                    m.tenant(&base, &label, &[], Truth::One(st), kind);
                }
                _ => unreachable!(),
            }
        }
    }
    // Customers without a tenant (on Google Workspace, or not yet moved).
    for _ in 0..24 {
        let base = next();
        m.syncro(&base, &[(&base, "", "")]);
    }
    // Tenants that are no customer: the MSP's own, trials, sandboxes.
    for (name, label) in [
        ("Foggy IT", "foggyit"),
        ("Foggy IT Sandbox", "foggyitdev"),
        ("Contoso (Trial)", "contosotrial"),
        ("M365x41720391", "M365x41720391"),
        ("Test Tenant", "testtenant0042"),
        ("Fabrikam Demo", "fabrikamdemo"),
    ] {
        m.tenant(name, label, &[], Truth::None, "no customer");
    }
    m.book
}

/// How the suggestions compare with the answers, per confidence.
#[derive(Debug, Default)]
pub struct Score {
    /// Per confidence: (suggested, right).
    pub by_confidence: BTreeMap<Confidence, (usize, usize)>,
    /// Tenants that have a right answer.
    pub mappable: usize,
    /// Per kind: (tenants, right High).
    pub by_kind: BTreeMap<&'static str, (usize, usize)>,
    /// The wrong ones, with the reason given.
    pub wrong: Vec<(Confidence, String, String, String)>,
}

impl Score {
    pub fn high_recall(&self) -> f64 {
        let right = self.by_confidence.get(&Confidence::High).map_or(0, |c| c.1);
        right as f64 / self.mappable.max(1) as f64
    }
    pub fn wrong(&self, c: Confidence) -> usize {
        self.by_confidence.get(&c).map_or(0, |(n, r)| n - r)
    }
}

pub fn score(book: &Book, suggestions: &[Suggestion]) -> Score {
    let mut s = Score::default();
    let names: HashMap<SyncroTenantId, &str> = book
        .syncro
        .iter()
        .map(|st| (st.id, st.name.as_str()))
        .collect();
    let tenant_names: HashMap<MicrosoftTenantId, &str> = book
        .tenants
        .iter()
        .map(|t| (t.tenant_id, t.display_name.as_str()))
        .collect();
    for (truth, kind) in book.truth.values() {
        let e = s.by_kind.entry(kind).or_default();
        e.0 += 1;
        if *truth != Truth::None {
            s.mappable += 1;
        }
    }
    for sug in suggestions {
        let (truth, kind) = &book.truth[&sug.tenant];
        let right = truth.accepts(sug);
        let e = s.by_confidence.entry(sug.confidence).or_default();
        e.0 += 1;
        if right {
            e.1 += 1;
            if sug.confidence == Confidence::High {
                s.by_kind.entry(kind).or_default().1 += 1;
            }
        } else {
            s.wrong.push((
                sug.confidence,
                tenant_names[&sug.tenant].to_string(),
                names[&sug.syncro_tenant].to_string(),
                sug.reason.clone(),
            ));
        }
    }
    s.wrong.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    s
}

/// Suggestions on the book, scored and printed; returns whether the budget holds (no wrong
/// High; High recall ≥ 97 %).
pub fn report() -> bool {
    let book = book();
    let started = std::time::Instant::now();
    let suggestions = suggest(&book.tenants, &book.syncro, &book.orgs);
    let took = started.elapsed();
    let s = score(&book, &suggestions);
    println!(
        "\n## Suggestions on a book of {} tenants ({} mappable), {} Syncro Tenants, {} Organizations ({:.1} ms)",
        book.tenants.len(),
        s.mappable,
        book.syncro.len(),
        book.orgs.len(),
        took.as_secs_f64() * 1000.0
    );
    for c in [Confidence::High, Confidence::Medium, Confidence::Low] {
        let (n, right) = s.by_confidence.get(&c).copied().unwrap_or_default();
        println!(
            "{:<6} {n:>3} suggested, {right:>3} right, {:>3} wrong (precision {:.1} %), recall {:.1} %",
            c.label(),
            n - right,
            100.0 * right as f64 / n.max(1) as f64,
            100.0 * right as f64 / s.mappable.max(1) as f64,
        );
    }
    println!("High per kind (right / tenants):");
    for (kind, (n, right)) in &s.by_kind {
        println!("  {kind:<24} {right:>3} / {n}");
    }
    for (c, tenant, st, reason) in s.wrong.iter().take(15) {
        println!("  wrong {}: “{tenant}” → “{st}” ({reason})", c.label());
    }
    let wrong_high = s.wrong(Confidence::High);
    let ok = wrong_high == 0 && s.high_recall() >= 0.97;
    println!(
        "budget: 0 wrong High (is {wrong_high}), High recall ≥ 97 % (is {:.1} %): {}",
        100.0 * s.high_recall(),
        if ok { "ok" } else { "OVER" }
    );
    ok
}
