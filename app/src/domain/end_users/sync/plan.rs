//! One run of Entra ID User Sync for one Syncro Tenant, planned from what Graph reported and
//! the End Users as they are — the same plan is the preview (nothing written) and the run
//! (applied in atomic parts).
//!
//! - A user linked before is followed by object id: a changed email never makes a duplicate.
//! - An unlinked user is matched by email, UPN or any `smtp:` proxy address to an End User not
//!   linked to anyone else; two candidates, or one linked elsewhere, go to the review list.
//! - Entra is the source of truth for synced fields, but a blank value never erases one, and
//!   pinned fields (or a pinned person) are left alone.
//! - Leavers (deleted, disabled, or no longer matching the filters) become inactive, never
//!   deleted; they are active again when they come back.

use super::{BRAKE_MIN_PEOPLE, EntraUser, UserSyncReport, UserSyncSettings};
use crate::domain::end_users::{self, EndUserField, EndUserSource, FieldOrigin};
use crate::domain::{
    ChangeSet, Ctx, Email, EndUser, EndUserId, MicrosoftTenantId, SyncroTenant, Timestamp, names,
};
use std::collections::{HashMap, HashSet};

/// People per change: each is at most seven items (the record with its list rows and links,
/// an email claimed and one released), with the part's audit entry within
/// [`ChangeSet::MAX_WRITES`].
pub const PEOPLE_PER_CHANGE: usize = 12;

/// What the stores know that a run needs.
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// End Users linked to the tenant, by object id (on a full run, every one of them).
    pub linked: HashMap<String, EndUser>,
    /// End Users holding an address of the users reported, by address.
    pub by_email: HashMap<String, EndUser>,
    /// The members (object ids, nested groups included) of each group the settings name.
    pub groups: HashMap<String, HashSet<String>>,
}

/// What happens to one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Linked,
    Updated,
    Moved,
    Deactivated,
    Reactivated,
}

/// A planned run: the people to write (before, after, what happens), and the report.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub people: Vec<(Option<EndUser>, EndUser, Outcome)>,
    pub report: UserSyncReport,
    /// Active End Users linked to the tenant before the run (a full run knows them all).
    pub linked_active: usize,
}

impl Plan {
    /// Whether the brake holds: more deactivations than `percent` of `base` (and more than
    /// [`BRAKE_MIN_PEOPLE`]). Says so in words.
    pub fn brake(&self, percent: u8, base: usize) -> Option<String> {
        let n = self.report.deactivated;
        let allowed = (base * usize::from(percent)) / 100;
        (n > BRAKE_MIN_PEOPLE && n > allowed).then(|| {
            format!(
                "This run would deactivate {n} of {base} synced End Users (more than {percent} %). Nothing was changed: check the tenant, then apply the run anyway from the Syncro Tenant's page."
            )
        })
    }
}

fn clean(raw: &str, max: usize) -> String {
    raw.chars()
        .filter(|c| !names::is_hidden(*c))
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The synced fields of a user, as an End User holds them (blank: Graph has no value).
fn values(u: &EntraUser) -> Vec<(EndUserField, String)> {
    let primary = u.primary_email();
    let others: Vec<String> = u
        .addresses()
        .into_iter()
        .filter(|a| Some(a) != primary.as_ref())
        .take(end_users::OTHER_EMAILS_KEPT)
        .map(|e| e.as_str().to_string())
        .collect();
    let t = |v: &Option<String>| {
        clean(
            v.as_deref().unwrap_or_default(),
            end_users::DETAIL_MAX_CHARS,
        )
    };
    let mut name = clean(
        u.display_name.as_deref().unwrap_or_default(),
        names::NAME_MAX_CHARS,
    );
    if name.is_empty() {
        name = primary
            .as_ref()
            .map(|e| e.as_str().to_string())
            .unwrap_or_default();
    }
    vec![
        (EndUserField::Name, name),
        (
            EndUserField::Email,
            primary.map(|e| e.as_str().to_string()).unwrap_or_default(),
        ),
        (EndUserField::OtherEmails, others.join(", ")),
        (EndUserField::JobTitle, t(&u.job_title)),
        (EndUserField::Department, t(&u.department)),
        (EndUserField::OfficeLocation, t(&u.office_location)),
        (EndUserField::Phone, t(&u.phone)),
    ]
}

fn set(eu: &mut EndUser, f: EndUserField, v: &str) {
    let emails = |v: &str| v.split(',').filter_map(|a| Email::parse(a).ok()).collect();
    match f {
        EndUserField::Name => eu.name = v.to_string(),
        EndUserField::Email => eu.email = Email::parse(v).ok(),
        EndUserField::OtherEmails => eu.other_emails = emails(v),
        EndUserField::JobTitle => eu.job_title = v.to_string(),
        EndUserField::Department => eu.department = v.to_string(),
        EndUserField::OfficeLocation => eu.office_location = v.to_string(),
        EndUserField::Phone => eu.phone = v.to_string(),
    }
}

/// Entra's values over `eu`: pinned fields and blank values left alone. Returns the fields set.
fn take_fields(
    eu: &mut EndUser,
    u: &EntraUser,
    now: Timestamp,
    keep_email: bool,
) -> Vec<EndUserField> {
    let mut changed = Vec::new();
    for (f, v) in values(u) {
        if v.is_empty() || eu.pinned.contains(&f) || (keep_email && f == EndUserField::Email) {
            continue;
        }
        if eu.value(f) != v {
            set(eu, f, &v);
            changed.push(f);
            eu.origins.retain(|o| o.field != f);
            eu.origins.push(FieldOrigin {
                field: f,
                by: None,
                at: now,
            });
        }
    }
    eu.origins.sort_by_key(|o| o.field);
    changed
}

struct Planner<'a> {
    settings: &'a UserSyncSettings,
    tenant: MicrosoftTenantId,
    known: &'a Known,
    now: Timestamp,
    plan: Plan,
    /// Addresses taken by this run's new or changed emails, and by whom.
    claimed: HashMap<String, EndUserId>,
}

impl Planner<'_> {
    fn in_groups<'b>(&'b self, u: &'b EntraUser) -> impl Fn(&str) -> bool + 'b {
        move |g: &str| {
            self.known
                .groups
                .get(&g.to_lowercase())
                .is_some_and(|m| m.contains(&u.object_id))
        }
    }

    fn review(&mut self, who: &EntraUser, why: String) {
        let name = who
            .display_name
            .clone()
            .or_else(|| who.user_principal_name.clone())
            .unwrap_or_else(|| who.object_id.clone());
        self.plan.report.review_count += 1;
        if self.plan.report.review.len() < UserSyncReport::MAX_REVIEW {
            self.plan.report.review.push((name, why));
        }
    }

    /// The address `eu` would take is free (or already theirs).
    fn email_free(&self, eu: &EndUser) -> Option<String> {
        let e = eu.email.as_ref()?.as_str();
        let held = self
            .known
            .by_email
            .get(e)
            .map(|h| h.id)
            .filter(|h| *h != eu.id);
        let taken = self.claimed.get(e).filter(|h| **h != eu.id);
        match (held, taken) {
            (None, None) => None,
            _ => Some(e.to_string()),
        }
    }

    fn keep(&mut self, before: Option<EndUser>, after: EndUser, outcome: Outcome) {
        if let Some(e) = &after.email {
            self.claimed.insert(e.as_str().to_string(), after.id);
        }
        self.plan.people.push((before, after, outcome));
    }

    fn leave(&mut self, eu: &EndUser, u: Option<&EntraUser>) {
        if eu.pinned_person || !eu.active {
            return;
        }
        let mut after = eu.clone();
        after.active = false;
        if let Some(u) = u.filter(|u| !u.removed) {
            after.entra = Some(u.clone());
        }
        after.version = eu.version.next();
        after.updated_at = self.now;
        self.plan.report.deactivated += 1;
        self.keep(Some(eu.clone()), after, Outcome::Deactivated);
    }

    fn follow(&mut self, eu: &EndUser, u: EntraUser) {
        if eu.pinned_person {
            return;
        }
        let groups = self.in_groups(&u);
        let refused = self.settings.filters.refuses(&u, &groups).is_some();
        let route = self.settings.route(&u, &groups);
        drop(groups);
        if u.removed || !u.enabled() || refused {
            return self.leave(eu, Some(&u));
        }
        let mut after = eu.clone();
        let mut fields = take_fields(&mut after, &u, self.now, false);
        if let Some(held) = self.email_free(&after) {
            after = eu.clone();
            fields = take_fields(&mut after, &u, self.now, true);
            self.review(
                &u,
                format!(
                    "their email changed to {held}, which another End User has; kept {}",
                    eu.email.as_ref().map(Email::as_str).unwrap_or("none")
                ),
            );
        }
        let org = route.unwrap_or(eu.organization);
        let moved = org != eu.organization;
        after.organization = org;
        let reactivated = !eu.active;
        after.active = true;
        after.entra = Some(u);
        let outcome = if reactivated {
            self.plan.report.reactivated += 1;
            Outcome::Reactivated
        } else if moved {
            self.plan.report.moved += 1;
            Outcome::Moved
        } else if !fields.is_empty() {
            self.plan.report.updated += 1;
            Outcome::Updated
        } else if after.entra == eu.entra {
            return;
        } else {
            // Only the kept copy of what Entra said changed (a property we do not show).
            Outcome::Updated
        };
        after.version = eu.version.next();
        after.updated_at = self.now;
        self.keep(Some(eu.clone()), after, outcome);
    }

    fn newcomer(&mut self, u: EntraUser, new_id: &mut dyn FnMut() -> EndUserId) {
        if u.removed {
            return;
        }
        let groups = self.in_groups(&u);
        let refused = self.settings.filters.refuses(&u, &groups);
        let route = self.settings.route(&u, &groups);
        drop(groups);
        let Some(org) = route.filter(|_| refused.is_none()) else {
            self.plan.report.skipped += 1;
            let why = refused.unwrap_or("no rule routes them and everyone else is left unassigned");
            if self.plan.report.not_brought_in.len() < UserSyncReport::MAX_REVIEW {
                self.plan
                    .report
                    .not_brought_in
                    .push((clean(&u.display_name_or_upn(), 120), why.to_string()));
            }
            return;
        };
        let mut candidates: Vec<&EndUser> = Vec::new();
        for a in u.addresses() {
            if let Some(eu) = self.known.by_email.get(a.as_str())
                && !candidates.iter().any(|c| c.id == eu.id)
            {
                candidates.push(eu);
            }
        }
        let source = EndUserSource::Entra {
            tenant: self.tenant,
            object_id: u.object_id.clone(),
        };
        match candidates.as_slice() {
            [] => {
                let mut eu = EndUser::new(new_id(), org, source, self.now);
                eu.active = u.enabled();
                take_fields(&mut eu, &u, self.now, false);
                if let Some(held) = self.email_free(&eu) {
                    return self.review(&u, format!("{held} is claimed twice in this run"));
                }
                eu.entra = Some(u);
                self.plan.report.created += 1;
                self.keep(None, eu, Outcome::Created);
            }
            [one] if matches!(one.source, EndUserSource::Manual) => {
                let one = (*one).clone();
                let mut after = one.clone();
                take_fields(&mut after, &u, self.now, false);
                if self.email_free(&after).is_some() {
                    after = one.clone();
                    take_fields(&mut after, &u, self.now, true);
                }
                after.source = source;
                after.organization = org;
                after.active = u.enabled();
                after.entra = Some(u);
                after.version = one.version.next();
                after.updated_at = self.now;
                self.plan.report.linked += 1;
                self.keep(Some(one), after, Outcome::Linked);
            }
            [one] => {
                let why = format!(
                    "their email matches End User “{}”, who is linked to another Entra ID user",
                    one.name
                );
                self.review(&u, why);
            }
            many => {
                let names: Vec<String> = many.iter().map(|c| format!("“{}”", c.name)).collect();
                let why = format!(
                    "their addresses match {} End Users: {}",
                    many.len(),
                    names.join(", ")
                );
                self.review(&u, why);
            }
        }
    }
}

/// Plans a run over `users` (every user of the tenant when `full`, else the changes since the
/// delta link). `new_id` names new End Users.
pub fn plan(
    settings: &UserSyncSettings,
    tenant: MicrosoftTenantId,
    users: Vec<EntraUser>,
    full: bool,
    known: &Known,
    now: Timestamp,
    new_id: &mut dyn FnMut() -> EndUserId,
) -> Plan {
    let mut p = Planner {
        settings,
        tenant,
        known,
        now,
        plan: Plan::default(),
        claimed: HashMap::new(),
    };
    p.plan.linked_active = known.linked.values().filter(|e| e.active).count();
    p.plan.report.at = now;
    p.plan.report.full = full;
    let mut seen = HashSet::new();
    let mut overlaps = 0;
    for u in users {
        seen.insert(u.object_id.clone());
        let in_groups = |g: &str| {
            known
                .groups
                .get(&g.to_lowercase())
                .is_some_and(|m| m.contains(&u.object_id))
        };
        if !u.removed
            && settings
                .rules
                .iter()
                .filter(|r| r.matches(&u, &in_groups))
                .count()
                > 1
        {
            overlaps += 1;
        }
        match known.linked.get(&u.object_id) {
            Some(eu) => {
                let u = match &eu.entra {
                    Some(kept) => u.over(kept),
                    None => u,
                };
                p.follow(eu, u);
            }
            None => p.newcomer(u, new_id),
        }
    }
    if overlaps > 0 {
        p.plan.report.notes.push(format!(
            "{overlaps} {} more than one routing rule; the first rule in order decides.",
            if overlaps == 1 {
                "user matches"
            } else {
                "users match"
            }
        ));
    }
    if full {
        // Linked End Users Microsoft no longer lists: gone from the tenant.
        let mut gone: Vec<&EndUser> = known
            .linked
            .iter()
            .filter(|(oid, _)| !seen.contains(*oid))
            .map(|(_, eu)| eu)
            .collect();
        gone.sort_by_key(|e| e.id);
        for eu in gone {
            p.leave(eu, None);
        }
    }
    p.plan
}

/// The run's writes in atomic parts of [`PEOPLE_PER_CHANGE`] people, each with its audit entry
/// ("Entra ID User Sync of “Foggy IT” — part 1 of 2: 3 created, 1 moved").
pub fn changes(ctx: &Ctx, plan: &Plan, syncro_tenant: &SyncroTenant) -> Vec<ChangeSet> {
    let parts: Vec<_> = plan.people.chunks(PEOPLE_PER_CHANGE).collect();
    let total = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut c = ChangeSet::default();
            let mut r = UserSyncReport::default();
            for (before, after, outcome) in chunk {
                end_users::put(&mut c, before.as_ref(), after);
                match outcome {
                    Outcome::Created => r.created += 1,
                    Outcome::Linked => r.linked += 1,
                    Outcome::Updated => r.updated += 1,
                    Outcome::Moved => r.moved += 1,
                    Outcome::Deactivated => r.deactivated += 1,
                    Outcome::Reactivated => r.reactivated += 1,
                }
            }
            let part = if total > 1 {
                format!(" — part {} of {total}", i + 1)
            } else {
                String::new()
            };
            let one = Ctx {
                audit_id: format!("{}-{i:05}", ctx.audit_id),
                ..ctx.clone()
            };
            c.push(one.audit_entry(
                "end_user.sync",
                format!(
                    "Entra ID User Sync of “{}”{part}: {}",
                    syncro_tenant.name,
                    r.summary()
                ),
                serde_json::Value::Null,
                serde_json::json!({ "people": chunk.len() }),
            ));
            c
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::end_users::sync::*;
    use crate::domain::end_users::*;
    use crate::domain::*;
    use uuid::Uuid;

    const TENANT: u128 = 0xf0f0;
    fn tenant() -> MicrosoftTenantId {
        MicrosoftTenantId::from_uuid(Uuid::from_u128(TENANT))
    }
    fn org(n: u128) -> OrganizationId {
        OrganizationId::from_uuid(Uuid::from_u128(n))
    }
    const BOSTON: u128 = 1;
    const WALTHAM: u128 = 2;

    fn settings() -> UserSyncSettings {
        UserSyncSettings {
            syncro_tenant: SyncroTenantId::from_uuid(Uuid::from_u128(9)),
            filters: UserFilters::default(),
            rules: vec![
                RoutingRule {
                    field: RuleField::Department,
                    value: "Boston Office".into(),
                    organization: org(BOSTON),
                },
                RoutingRule {
                    field: RuleField::Domain,
                    value: "waltham.foggy.example".into(),
                    organization: org(WALTHAM),
                },
            ],
            default_organization: None,
            brake_percent: DEFAULT_BRAKE_PERCENT,
            approved_at: Some(Timestamp(1)),
            version: Version(1),
            updated_at: Timestamp(1),
            updated_by: "admin@msp.example".into(),
        }
    }

    fn user(n: u32, name: &str, upn: &str, dept: &str) -> EntraUser {
        EntraUser {
            object_id: format!("{n:08x}-0000-4000-8000-000000000000"),
            display_name: Some(name.into()),
            mail: Some(upn.into()),
            user_principal_name: Some(upn.into()),
            proxy_addresses: Some(vec![format!("SMTP:{upn}")]),
            department: Some(dept.into()),
            job_title: Some("Engineer".into()),
            account_enabled: Some(true),
            guest: Some(false),
            licensed: Some(true),
            ..Default::default()
        }
    }

    fn manual(n: u128, name: &str, email: &str) -> EndUser {
        EndUser {
            id: EndUserId::from_uuid(Uuid::from_u128(0xe000 + n)),
            organization: org(BOSTON),
            name: name.into(),
            email: Some(Email::parse(email).unwrap()),
            other_emails: vec![],
            job_title: String::new(),
            department: String::new(),
            office_location: String::new(),
            phone: String::new(),
            active: true,
            source: EndUserSource::Manual,
            pinned: vec![],
            pinned_person: false,
            origins: vec![],
            entra: None,
            version: Version(1),
            updated_at: Timestamp(1),
        }
    }

    /// The Syncro Tenant the runs are for, and the sync's context.
    fn foggy_it() -> (SyncroTenant, Ctx) {
        let st = SyncroTenant {
            id: settings().syncro_tenant,
            name: SyncroTenantName::parse("Foggy IT").unwrap(),
            microsoft_tenant: Some(tenant()),
            organization_count: 2,
            version: Version(1),
            updated_at: Timestamp(1),
        };
        let ctx = Ctx {
            actor: "sync".into(),
            now: Timestamp(1_000),
            audit_id: "r".into(),
        };
        (st, ctx)
    }

    fn run(users: Vec<EntraUser>, full: bool, known: &Known) -> Plan {
        let mut n = 0u128;
        plan(
            &settings(),
            tenant(),
            users,
            full,
            known,
            Timestamp(1_000),
            &mut || {
                n += 1;
                EndUserId::from_uuid(Uuid::from_u128(0xa000 + n))
            },
        )
    }

    /// The End Users after a plan, as a store would hold them (linked by object id).
    fn linked_after(p: &Plan) -> Known {
        let mut k = Known::default();
        for (_, after, _) in &p.people {
            if let EndUserSource::Entra { object_id, .. } = &after.source {
                k.linked.insert(object_id.clone(), after.clone());
            }
            if let Some(e) = &after.email {
                k.by_email.insert(e.as_str().to_string(), after.clone());
            }
        }
        k
    }

    #[test]
    fn a_first_run_routes_creates_links_and_skips() {
        let ann = user(1, "Ann Lee", "ann@foggy.example", "Boston Office");
        let walt = user(2, "Walt Ham", "walt@waltham.foggy.example", "Sales");
        let mut guest = user(3, "Gus Guest", "gus@partner.example", "Boston Office");
        guest.guest = Some(true);
        let mut shared = user(4, "Reception", "reception@foggy.example", "Boston Office");
        shared.purpose = Some("shared".into());
        let nowhere = user(5, "Nora", "nora@foggy.example", "Finance");
        // Bob was added by hand under his alias; Entra lists it as a proxy address.
        let mut bob = user(6, "Bob Stone", "robert@foggy.example", "Boston Office");
        bob.proxy_addresses = Some(vec![
            "SMTP:robert@foggy.example".into(),
            "smtp:bob@foggy.example".into(),
        ]);
        let mut known = Known::default();
        let hand = manual(1, "Bob", "bob@foggy.example");
        known
            .by_email
            .insert("bob@foggy.example".into(), hand.clone());

        let p = run(vec![ann, walt, guest, shared, nowhere, bob], true, &known);
        let r = &p.report;
        assert_eq!(
            (r.created, r.linked, r.skipped, r.review_count),
            (2, 1, 3, 0),
            "{r:?}"
        );
        let by_name = |n: &str| {
            p.people
                .iter()
                .find(|(_, a, _)| a.name == n)
                .map(|(_, a, _)| a.clone())
                .unwrap()
        };
        assert_eq!(by_name("Ann Lee").organization, org(BOSTON));
        assert_eq!(by_name("Walt Ham").organization, org(WALTHAM));
        let bob = by_name("Bob Stone");
        assert_eq!(bob.id, hand.id, "linked, not duplicated");
        assert_eq!(bob.email.as_ref().unwrap().as_str(), "robert@foggy.example");
        assert_eq!(bob.other_emails[0].as_str(), "bob@foggy.example");
        assert!(matches!(bob.source, EndUserSource::Entra { .. }));
        assert_eq!(
            bob.origin(EndUserField::Name).unwrap().by,
            None,
            "from Entra ID"
        );
        // Every part fits one transaction.
        let (st, ctx) = foggy_it();
        let parts = changes(&ctx, &p, &st);
        assert_eq!(parts.len(), 1);
        assert!(parts.iter().all(|c| c.clone().into_writes().is_ok()));
        let Some(Write::Audit(a)) = parts[0].writes().last() else {
            panic!()
        };
        assert_eq!(
            a.summary,
            "Entra ID User Sync of “Foggy IT”: 2 created, 1 matched"
        );
    }

    #[test]
    fn ambiguous_matches_go_to_review() {
        let mut u = user(1, "Ann Lee", "ann@foggy.example", "Boston Office");
        u.proxy_addresses = Some(vec![
            "SMTP:ann@foggy.example".into(),
            "smtp:al@foggy.example".into(),
        ]);
        let mut known = Known::default();
        known.by_email.insert(
            "ann@foggy.example".into(),
            manual(1, "Ann Lee", "ann@foggy.example"),
        );
        known.by_email.insert(
            "al@foggy.example".into(),
            manual(2, "A. Lee", "al@foggy.example"),
        );
        let p = run(vec![u], true, &known);
        assert!(p.people.is_empty());
        assert_eq!(p.report.review_count, 1);
        assert!(
            p.report.review[0]
                .1
                .contains("match 2 End Users: “Ann Lee”, “A. Lee”"),
            "{:?}",
            p.report.review
        );
    }

    #[test]
    fn linked_people_are_followed_by_object_id_with_pins_and_blanks_kept() {
        let first = run(
            vec![user(1, "Ann Lee", "ann@foggy.example", "Boston Office")],
            true,
            &Known::default(),
        );
        let mut known = linked_after(&first);
        // An Administrator pinned the job title.
        for eu in known.linked.values_mut() {
            eu.pinned = vec![EndUserField::JobTitle];
        }
        // Renamed email, new job title, and (a partial change) no department sent at all.
        let mut changed = user(1, "Ann Lee-Smith", "ann.smith@foggy.example", "");
        changed.department = None;
        changed.job_title = Some("Director".into());
        changed.phone = Some(String::new());
        let p = run(vec![changed], false, &known);
        assert_eq!(p.report.created, 0, "no duplicate");
        let (_, after, outcome) = &p.people[0];
        assert_eq!(*outcome, Outcome::Updated);
        assert_eq!(
            after.email.as_ref().unwrap().as_str(),
            "ann.smith@foggy.example"
        );
        assert_eq!(after.name, "Ann Lee-Smith");
        assert_eq!(after.job_title, "Engineer", "pinned");
        assert_eq!(
            after.department, "Boston Office",
            "kept from the last report: still routed to Boston"
        );
        assert_eq!(after.organization, org(BOSTON));
    }

    #[test]
    fn leavers_become_inactive_and_come_back() {
        let users: Vec<EntraUser> = (1..=3)
            .map(|n| {
                user(
                    n,
                    &format!("P{n}"),
                    &format!("p{n}@foggy.example"),
                    "Boston Office",
                )
            })
            .collect();
        let first = run(users.clone(), true, &Known::default());
        let mut known = linked_after(&first);
        known
            .linked
            .values_mut()
            .find(|e| e.name == "P3")
            .unwrap()
            .pinned_person = true;
        // P1 deleted, P2 disabled, P3 (pinned) deleted.
        let mut gone = user(1, "", "", "");
        gone.removed = true;
        let mut disabled = users[1].clone();
        disabled.account_enabled = Some(false);
        let mut gone3 = user(3, "", "", "");
        gone3.removed = true;
        let p = run(vec![gone, disabled, gone3], false, &known);
        assert_eq!(p.report.deactivated, 2);
        assert!(p.people.iter().all(|(_, a, _)| !a.active && a.name != "P3"));
        // A full run that no longer lists P1 deactivates them too.
        let p = run(vec![users[1].clone(), users[2].clone()], true, &known);
        assert_eq!(p.report.deactivated, 1);
        // P1 comes back.
        let mut known = known.clone();
        known
            .linked
            .values_mut()
            .for_each(|e| e.active = e.name != "P1");
        let p = run(vec![users[0].clone()], false, &known);
        assert_eq!(p.report.reactivated, 1);
        assert!(p.people[0].1.active);
    }

    #[test]
    fn the_brake_holds_past_its_share() {
        let users: Vec<EntraUser> = (1..=50)
            .map(|n| {
                user(
                    n,
                    &format!("P{n}"),
                    &format!("p{n}@foggy.example"),
                    "Boston Office",
                )
            })
            .collect();
        let known = linked_after(&run(users.clone(), true, &Known::default()));
        let p = run(users[..44].to_vec(), true, &known);
        assert_eq!(p.report.deactivated, 6);
        assert_eq!(p.linked_active, 50);
        let why = p.brake(10, p.linked_active).expect("6 of 50 is 12 %");
        assert!(why.contains("deactivate 6 of 50"), "{why}");
        assert!(
            run(users[..46].to_vec(), true, &known)
                .brake(10, 50)
                .is_none(),
            "4 of 50 is 8 %"
        );
        // A small office losing a few people does not brake.
        let small = linked_after(&run(users[..5].to_vec(), true, &Known::default()));
        assert!(
            run(users[..2].to_vec(), true, &small)
                .brake(10, 5)
                .is_none()
        );
    }

    #[test]
    fn large_runs_are_parts_that_each_fit() {
        let users: Vec<EntraUser> = (1..=40)
            .map(|n| {
                user(
                    n,
                    &format!("P{n}"),
                    &format!("p{n}@foggy.example"),
                    "Boston Office",
                )
            })
            .collect();
        let p = run(users, true, &Known::default());
        let (st, ctx) = foggy_it();
        let parts = changes(&ctx, &p, &st);
        assert_eq!(parts.len(), 4);
        for c in parts {
            assert!(c.len() <= ChangeSet::MAX_WRITES);
            c.into_writes().unwrap();
        }
    }
}
