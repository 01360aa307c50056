//! Entra ID User Sync, set up per Syncro Tenant: which of its Microsoft Tenant's users become
//! End Users ([`UserFilters`]), and which Organization each goes to ([`RoutingRule`]s in order,
//! then a default or "leave unassigned"). Filters are applied here, in our code: Graph's
//! `/users/delta` filters by nothing but ids.
//!
//! What one run does is planned by [`crate::domain::end_users::sync::plan`]; this module holds the settings,
//! a user as Graph reports one ([`EntraUser`]) and the sync's state (its delta link).

use crate::domain::{
    ChangeSet, DomainError, Email, Expect, MicrosoftTenantId, OrganizationId, SyncroTenant,
    SyncroTenantId, Timestamp, Version, Write,
};
use serde::{Deserialize, Serialize};

/// A user as `/users/delta` reported it. A property Graph left out of a change is `None`: it
/// did not change, and the copy kept from the last run ([`EndUser::entra`]) still holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntraUser {
    /// The object id (a GUID, lowercase): what a linked End User follows.
    pub object_id: String,
    /// `@removed`: deleted (or out of scope) since the last run.
    #[serde(default)]
    pub removed: bool,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `SMTP:` (primary) and `smtp:` (alias) addresses, as Graph lists them.
    #[serde(default)]
    pub proxy_addresses: Option<Vec<String>>,
    #[serde(default)]
    pub job_title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub office_location: Option<String>,
    /// The first business phone, else the mobile phone.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// `userType` is "Guest".
    #[serde(default)]
    pub guest: Option<bool>,
    /// Has at least one assigned license.
    #[serde(default)]
    pub licensed: Option<bool>,
    /// `mailboxSettings.userPurpose` ("user", "shared", "room", "equipment", …) when the
    /// `MailboxSettings.Read` permission lets us read it.
    #[serde(default)]
    pub purpose: Option<String>,
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or_default().trim()
}

impl EntraUser {
    /// Who this is, as a list shows them: the display name, else the UPN or mail.
    pub fn display_name_or_upn(&self) -> String {
        [&self.display_name, &self.user_principal_name, &self.mail]
            .into_iter()
            .map(text)
            .find(|v| !v.is_empty())
            .unwrap_or(self.object_id.as_str())
            .to_string()
    }

    /// This report laid over the copy kept from an earlier one: what Graph left out stays.
    pub fn over(self, kept: &EntraUser) -> EntraUser {
        fn pick<T: Clone>(new: Option<T>, old: &Option<T>) -> Option<T> {
            new.or_else(|| old.clone())
        }
        EntraUser {
            object_id: self.object_id,
            removed: self.removed,
            display_name: pick(self.display_name, &kept.display_name),
            mail: pick(self.mail, &kept.mail),
            user_principal_name: pick(self.user_principal_name, &kept.user_principal_name),
            proxy_addresses: pick(self.proxy_addresses, &kept.proxy_addresses),
            job_title: pick(self.job_title, &kept.job_title),
            department: pick(self.department, &kept.department),
            office_location: pick(self.office_location, &kept.office_location),
            phone: pick(self.phone, &kept.phone),
            account_enabled: pick(self.account_enabled, &kept.account_enabled),
            guest: pick(self.guest, &kept.guest),
            licensed: pick(self.licensed, &kept.licensed),
            purpose: pick(self.purpose, &kept.purpose),
        }
    }

    /// True when this report holds what a new End User needs (a name or an address), so no
    /// second read of the user is needed.
    pub fn is_complete(&self) -> bool {
        self.removed
            || (self.display_name.is_some()
                && self.user_principal_name.is_some()
                && self.account_enabled.is_some())
    }

    pub fn enabled(&self) -> bool {
        self.account_enabled.unwrap_or(true)
    }

    /// The address an End User is known by: `mail`, else the UPN (lowercased, when it is one).
    pub fn primary_email(&self) -> Option<Email> {
        [text(&self.mail), text(&self.user_principal_name)]
            .into_iter()
            .filter(|a| !a.is_empty() && !a.contains("#EXT#"))
            .find_map(|a| Email::parse(a).ok())
    }

    /// Every address the user has: primary, UPN and `smtp:` proxy addresses, each once.
    pub fn addresses(&self) -> Vec<Email> {
        let mut all: Vec<Email> = self.primary_email().into_iter().collect();
        let proxies = self.proxy_addresses.iter().flatten().filter_map(|p| {
            let (kind, addr) = p.split_once(':')?;
            kind.eq_ignore_ascii_case("smtp").then_some(addr)
        });
        for a in proxies.chain([text(&self.user_principal_name)]) {
            if let Ok(e) = Email::parse(a)
                && !a.contains("#EXT#")
                && !all.contains(&e)
            {
                all.push(e);
            }
        }
        all
    }

    /// The domains of the UPN and the mail address, lowercased.
    pub fn domains(&self) -> Vec<String> {
        [text(&self.user_principal_name), text(&self.mail)]
            .iter()
            .filter_map(|a| a.rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase())
            .collect()
    }

    /// Microsoft says the mailbox is not a person's (shared, room, equipment).
    pub fn not_a_person(&self) -> bool {
        matches!(text(&self.purpose), "shared" | "room" | "equipment")
    }
}

/// Which users: Members, Guests or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum UserKinds {
    #[default]
    Members,
    Guests,
    Both,
}

/// Which users of the tenant are brought in. Empty lists mean "any".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFilters {
    pub kinds: UserKinds,
    pub enabled_only: bool,
    pub licensed_only: bool,
    /// UPN or mail domain, lowercase.
    pub domains: Vec<String>,
    pub departments: Vec<String>,
    pub offices: Vec<String>,
    /// Group object ids: members directly or through nested groups.
    pub groups: Vec<String>,
    /// Leave out shared, room and equipment mailboxes (when Microsoft says so).
    pub exclude_non_people: bool,
}

impl Default for UserFilters {
    fn default() -> Self {
        UserFilters {
            kinds: UserKinds::Members,
            enabled_only: true,
            licensed_only: false,
            domains: Vec::new(),
            departments: Vec::new(),
            offices: Vec::new(),
            groups: Vec::new(),
            exclude_non_people: true,
        }
    }
}

fn one_of(list: &[String], value: &str) -> bool {
    list.is_empty() || list.iter().any(|x| x.eq_ignore_ascii_case(value.trim()))
}

impl UserFilters {
    /// Why the user is not brought in, or `None` when they are. `groups_of`: the filter groups
    /// the user is in (directly or nested).
    pub fn refuses(&self, u: &EntraUser, in_groups: &dyn Fn(&str) -> bool) -> Option<&'static str> {
        let guest = u.guest.unwrap_or(false);
        match self.kinds {
            UserKinds::Members if guest => return Some("a guest"),
            UserKinds::Guests if !guest => return Some("not a guest"),
            _ => {}
        }
        if self.enabled_only && !u.enabled() {
            return Some("disabled");
        }
        if self.licensed_only && !u.licensed.unwrap_or(false) {
            return Some("not licensed");
        }
        if !self.domains.is_empty() && !u.domains().iter().any(|d| one_of(&self.domains, d)) {
            return Some("another domain");
        }
        if !one_of(&self.departments, text(&u.department)) {
            return Some("another department");
        }
        if !one_of(&self.offices, text(&u.office_location)) {
            return Some("another office");
        }
        if !self.groups.is_empty() && !self.groups.iter().any(|g| in_groups(g)) {
            return Some("not in the groups");
        }
        if self.exclude_non_people && u.not_a_person() {
            return Some("a shared, room or equipment mailbox");
        }
        None
    }
}

/// What a routing rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleField {
    Department,
    Domain,
    Office,
    Group,
}

impl RuleField {
    pub fn label(self) -> &'static str {
        match self {
            RuleField::Department => "department",
            RuleField::Domain => "domain",
            RuleField::Office => "office location",
            RuleField::Group => "group",
        }
    }
    pub fn parse(s: &str) -> Result<RuleField, DomainError> {
        match s {
            "department" => Ok(RuleField::Department),
            "domain" => Ok(RuleField::Domain),
            "office" => Ok(RuleField::Office),
            "group" => Ok(RuleField::Group),
            _ => Err(DomainError::invalid(
                "rule",
                "Choose department, domain, office location or group",
            )),
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            RuleField::Department => "department",
            RuleField::Domain => "domain",
            RuleField::Office => "office",
            RuleField::Group => "group",
        }
    }
}

/// "department = Boston Office → Foggy IT Services - Boston".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub field: RuleField,
    pub value: String,
    pub organization: OrganizationId,
}

impl RoutingRule {
    pub fn matches(&self, u: &EntraUser, in_groups: &dyn Fn(&str) -> bool) -> bool {
        let v = self.value.trim();
        match self.field {
            RuleField::Department => text(&u.department).eq_ignore_ascii_case(v),
            RuleField::Office => text(&u.office_location).eq_ignore_ascii_case(v),
            RuleField::Domain => u.domains().iter().any(|d| d.eq_ignore_ascii_case(v)),
            RuleField::Group => in_groups(v),
        }
    }
}

/// The brake's default share: a run that would deactivate more than this share of a tenant's
/// synced End Users stops and asks.
pub const DEFAULT_BRAKE_PERCENT: u8 = 10;
/// A run never brakes for this many deactivations or fewer (a five-person office losing one
/// person is 20 %, and ordinary).
pub const BRAKE_MIN_PEOPLE: usize = 3;
/// Most routing rules per Syncro Tenant.
pub const MAX_RULES: usize = 20;

/// The sync of one Syncro Tenant, as an Administrator set it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncSettings {
    pub syncro_tenant: SyncroTenantId,
    pub filters: UserFilters,
    pub rules: Vec<RoutingRule>,
    /// Where a user no rule routes goes; `None`: left unassigned (not brought in).
    pub default_organization: Option<OrganizationId>,
    pub brake_percent: u8,
    /// When an Administrator applied a preview of these settings; `None` until then (a
    /// change of filters or rules needs a preview again before the sync runs).
    #[serde(default)]
    pub approved_at: Option<Timestamp>,
    pub version: Version,
    pub updated_at: Timestamp,
    pub updated_by: String,
}

record_kind!(UserSyncSettings, "user sync settings");

impl UserSyncSettings {
    /// The Organization a user goes to: the first rule that matches, else the default.
    pub fn route(&self, u: &EntraUser, in_groups: &dyn Fn(&str) -> bool) -> Option<OrganizationId> {
        self.rules
            .iter()
            .find(|r| r.matches(u, in_groups))
            .map(|r| r.organization)
            .or(self.default_organization)
    }

    /// Rules that can never route anyone: an earlier rule has the same field and value.
    pub fn shadowed_rules(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, r) in self.rules.iter().enumerate() {
            if let Some(j) = self.rules[..i].iter().position(|e| {
                e.field == r.field && e.value.trim().eq_ignore_ascii_case(r.value.trim())
            }) {
                out.push((j, i));
            }
        }
        out
    }
}

/// What a sync of one Syncro Tenant keeps between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSyncState {
    pub syncro_tenant: SyncroTenantId,
    /// The tenant the delta link belongs to (a new mapping starts over).
    pub tenant: MicrosoftTenantId,
    /// Where the next run reads changes from; `None`: the next run reads every user.
    #[serde(default)]
    pub delta_link: Option<String>,
    /// Active End Users linked to the tenant after the last run (the brake's base).
    #[serde(default)]
    pub synced_active: usize,
    #[serde(default)]
    pub last_report: Option<UserSyncReport>,
}

/// What one run did (or, braked, would have done).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UserSyncReport {
    pub at: Timestamp,
    pub trigger: String,
    /// Every user was read (first run, expired delta link), not only changes.
    pub full: bool,
    pub created: usize,
    pub linked: usize,
    pub updated: usize,
    pub moved: usize,
    pub deactivated: usize,
    pub reactivated: usize,
    /// Users not brought in (filters, or no rule and no default).
    pub skipped: usize,
    /// Who was not brought in, and why ("a guest", "disabled", …): at most
    /// [`UserSyncReport::MAX_REVIEW`].
    #[serde(default)]
    pub not_brought_in: Vec<(String, String)>,
    /// People the sync would not guess about: (name, why), at most [`UserSyncReport::MAX_REVIEW`].
    pub review: Vec<(String, String)>,
    pub review_count: usize,
    /// The brake held this run: nothing was written.
    #[serde(default)]
    pub braked: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    /// What the run could not know or did differently (a permission not granted, a resync).
    #[serde(default)]
    pub notes: Vec<String>,
}

impl UserSyncReport {
    pub const MAX_REVIEW: usize = 100;

    /// "3 created, 1 moved, 1 deactivated, 2 to review".
    pub fn summary(&self) -> String {
        // When the brake held, nothing was done: say what would have been, and that it held.
        if self.braked.is_some() {
            return format!(
                "would deactivate {} — held, nothing changed",
                self.deactivated
            );
        }
        let parts: Vec<String> = [
            (self.created, "created"),
            (self.linked, "matched"),
            (self.updated, "updated"),
            (self.moved, "moved"),
            (self.deactivated, "deactivated"),
            (self.reactivated, "reactivated"),
            (self.review_count, "to review"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        if parts.is_empty() {
            "no changes".to_string()
        } else {
            parts.join(", ")
        }
    }
}

pub mod plan;
mod settings;
pub use settings::{approve, parse_settings, save};
