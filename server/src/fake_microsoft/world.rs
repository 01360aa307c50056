//! The world the fake Microsoft serves: the partner, its customers and their relationships,
//! each customer's users and groups, and what was asked of it.

use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct FakeRelationship {
    /// "active", "expired", "terminated", "approvalPending", …
    pub status: String,
    pub end: String,
    pub auto_extend: String,
}

#[derive(Debug, Clone)]
pub struct FakeCustomer {
    pub tenant_id: String,
    /// The name in the partner's contract (a frozen copy).
    pub contract_name: String,
    /// Its default domain.
    pub domain: String,
    /// Its initial domain (`….onmicrosoft.com`; the default's first label unless set).
    pub initial: String,
    /// The customer's own current name (`GET /organization` in its tenant).
    pub name: String,
    pub in_contracts: bool,
    pub relationships: Vec<FakeRelationship>,
    /// The customer consented to the app (a customer token can be had).
    pub consent: bool,
    /// Its `/organization` always answers 429.
    pub throttled: bool,
    /// More verified domains than its initial and default ones.
    pub other_domains: Vec<String>,
    /// Its directory's users and groups (Entra ID User Sync).
    pub users: Vec<FakeUser>,
    pub groups: Vec<FakeGroup>,
    /// Counts changes to users: a delta token is a value of it.
    pub clock: u64,
    /// Delta tokens older than this are refused as expired (410 `syncStateNotFound`).
    pub delta_floor: u64,
    /// `User.Read.All` granted (else 403 on users).
    pub users_granted: bool,
    /// `MailboxSettings.Read` granted (else 403 on mailbox settings).
    pub mailbox_granted: bool,
}

/// A user in a fake customer's directory.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: String,
    pub display_name: String,
    pub mail: String,
    pub upn: String,
    /// Aliases (`smtp:`), besides the primary address.
    pub aliases: Vec<String>,
    pub job_title: String,
    pub department: String,
    pub office: String,
    pub phone: String,
    pub enabled: bool,
    pub guest: bool,
    pub licensed: bool,
    /// `mailboxSettings.userPurpose`; `None`: no mailbox.
    pub purpose: Option<String>,
    pub deleted: bool,
    /// The clock value of its last change.
    pub changed_at: u64,
}

impl FakeUser {
    pub fn new(n: u32, name: &str, upn: &str, department: &str) -> Self {
        FakeUser {
            id: format!("{n:08x}-5555-4000-8000-000000000000"),
            display_name: name.into(),
            mail: upn.into(),
            upn: upn.into(),
            aliases: Vec::new(),
            job_title: String::new(),
            department: department.into(),
            office: String::new(),
            phone: String::new(),
            enabled: true,
            guest: false,
            licensed: true,
            purpose: Some("user".into()),
            deleted: false,
            changed_at: 0,
        }
    }

    pub(super) fn json(&self) -> Value {
        if self.deleted {
            return json!({"id": self.id, "@removed": {"reason": "changed"}});
        }
        let mut proxies = vec![format!("SMTP:{}", self.mail)];
        proxies.extend(self.aliases.iter().map(|a| format!("smtp:{a}")));
        json!({
            "id": self.id,
            "displayName": self.display_name,
            "mail": if self.mail.is_empty() { Value::Null } else { json!(self.mail) },
            "userPrincipalName": self.upn,
            "proxyAddresses": proxies,
            "jobTitle": if self.job_title.is_empty() { Value::Null } else { json!(self.job_title) },
            "department": if self.department.is_empty() { Value::Null } else { json!(self.department) },
            "officeLocation": if self.office.is_empty() { Value::Null } else { json!(self.office) },
            "businessPhones": if self.phone.is_empty() { json!([]) } else { json!([self.phone]) },
            "mobilePhone": Value::Null,
            "accountEnabled": self.enabled,
            "userType": if self.guest { "Guest" } else { "Member" },
            "assignedLicenses": if self.licensed { json!([{"disabledPlans": [], "skuId": "c7df2760-2c81-4ef7-b578-5b5392b571df"}]) } else { json!([]) },
        })
    }
}

/// A group: its members are users' or other groups' ids (nested).
#[derive(Debug, Clone)]
pub struct FakeGroup {
    pub id: String,
    pub members: Vec<String>,
}

impl FakeCustomer {
    pub fn new(n: u32, name: &str, domain: &str) -> Self {
        FakeCustomer {
            tenant_id: format!("{n:08x}-0000-4000-8000-00000000c0de"),
            contract_name: name.into(),
            domain: domain.into(),
            initial: domain.split('.').next().unwrap_or("x").to_string() + ".onmicrosoft.com",
            name: name.into(),
            in_contracts: true,
            relationships: vec![FakeRelationship::active("2027-06-30T00:00:00Z", "P180D")],
            consent: true,
            throttled: false,
            other_domains: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            clock: 1,
            delta_floor: 0,
            users_granted: true,
            mailbox_granted: true,
        }
    }

    /// Adds a user (a change the next delta reports).
    pub fn add_user(&mut self, mut user: FakeUser) {
        self.clock += 1;
        user.changed_at = self.clock;
        self.users.push(user);
    }

    /// Changes the user with this UPN (the next delta reports it).
    pub fn change_user(&mut self, upn: &str, f: impl FnOnce(&mut FakeUser)) {
        self.clock += 1;
        let clock = self.clock;
        let u = self
            .users
            .iter_mut()
            .find(|u| u.upn == upn)
            .unwrap_or_else(|| panic!("no fake user {upn}"));
        f(u);
        u.changed_at = clock;
    }

    /// Every delta token handed out so far is refused from now on.
    pub fn expire_delta_tokens(&mut self) {
        self.clock += 1;
        self.delta_floor = self.clock;
    }

    /// The users (by id) of a group, nested groups included.
    pub(super) fn members_of(&self, group: &str, seen: &mut Vec<String>) -> Vec<String> {
        if seen.iter().any(|g| g == group) {
            return Vec::new();
        }
        seen.push(group.to_string());
        let Some(g) = self.groups.iter().find(|g| g.id == group) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in &g.members {
            if self.groups.iter().any(|x| &x.id == m) {
                out.extend(self.members_of(m, seen));
            } else {
                out.push(m.clone());
            }
        }
        out
    }
}

impl FakeRelationship {
    pub fn active(end: &str, auto_extend: &str) -> Self {
        FakeRelationship {
            status: "active".into(),
            end: end.into(),
            auto_extend: auto_extend.into(),
        }
    }
    pub fn expired(end: &str) -> Self {
        FakeRelationship {
            status: "expired".into(),
            end: end.into(),
            auto_extend: "PT0S".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct World {
    pub partner_name: String,
    pub partner_domain: String,
    pub customers: Vec<FakeCustomer>,
    /// Items per page of every collection.
    pub page_size: usize,
    /// The next this many Graph requests answer 429 (`Retry-After: 1`).
    pub throttle_next: usize,
    /// Requests seen, by kind ("token:{tenant}", "graph:{path}", "throttled").
    pub seen: HashMap<String, usize>,
}

impl World {
    /// A partner with six customers, one of each case a sync must handle, two per page.
    pub fn sample() -> World {
        let mut contoso = FakeCustomer::new(1, "Contoso", "contoso.onmicrosoft.com");
        contoso.name = "Contoso Group".into(); // renamed since the contract
        let mut fabrikam = FakeCustomer::new(2, "Fabrikam", "fabrikam.onmicrosoft.com");
        fabrikam.other_domains = vec!["fabrikam.com".into(), "fabrikam-events.net".into()];
        fabrikam.relationships = vec![
            FakeRelationship::expired("2025-01-31T00:00:00Z"),
            FakeRelationship::active("2027-01-31T00:00:00Z", "PT0S"),
            FakeRelationship::active("2027-09-30T12:00:00Z", "P180D"),
        ];
        let mut northwind = FakeCustomer::new(3, "Northwind Traders", "northwind.onmicrosoft.com");
        northwind.consent = false;
        let mut tailspin = FakeCustomer::new(4, "Tailspin Toys", "tailspin.onmicrosoft.com");
        tailspin.relationships = vec![FakeRelationship::expired("2026-03-01T00:00:00Z")];
        let mut woodgrove = FakeCustomer::new(5, "Woodgrove Bank", "woodgrove.onmicrosoft.com");
        woodgrove.relationships.clear();
        let mut litware = FakeCustomer::new(6, "Litware", "litware.onmicrosoft.com");
        litware.throttled = true;
        World {
            partner_name: "Foggy IT Partner".into(),
            partner_domain: "foggyit.onmicrosoft.com".into(),
            customers: vec![contoso, fabrikam, northwind, tailspin, woodgrove, litware],
            page_size: 2,
            throttle_next: 0,
            seen: HashMap::new(),
        }
    }

    pub fn customer(&mut self, name: &str) -> &mut FakeCustomer {
        self.customers
            .iter_mut()
            .find(|c| c.contract_name == name)
            .unwrap_or_else(|| panic!("no fake customer {name}"))
    }

    pub fn seen(&self, what: &str) -> usize {
        self.seen.get(what).copied().unwrap_or(0)
    }
}
