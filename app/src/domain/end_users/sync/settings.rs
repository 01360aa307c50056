//! The sync's settings form parsed and saved, and a held run approved.

use super::{
    ChangeSet, DEFAULT_BRAKE_PERCENT, DomainError, Expect, MAX_RULES, OrganizationId, RoutingRule,
    RuleField, SyncroTenant, UserFilters, UserKinds, UserSyncSettings, Version, Write,
};
use crate::domain::names;

/// Splits a typed list ("Boston Office, Waltham" or one per line) into its items, trimmed,
/// each once; at most 50 of at most 120 characters.
fn list(field: &str, raw: &str, lowercase: bool) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = Vec::new();
    for item in raw.split([',', ';', '\n']) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        if item.chars().count() > 120 || item.chars().any(names::is_hidden) {
            return Err(DomainError::invalid(
                field,
                format!(
                    "“{}” is not a value Entra ID holds",
                    crate::domain::quote(item, crate::domain::QUOTED_CHARS)
                ),
            ));
        }
        let item = if lowercase {
            item.to_lowercase()
        } else {
            item.to_string()
        };
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    }
    if out.len() > 50 {
        return Err(DomainError::invalid(field, "At most 50 values"));
    }
    Ok(out)
}

/// The setup form, parsed: `organizations` are the Syncro Tenant's own (a rule or the default
/// naming another is refused).
#[allow(clippy::too_many_arguments)]
pub fn parse_settings(
    organizations: &[OrganizationId],
    kinds: &str,
    enabled_only: bool,
    licensed_only: bool,
    exclude_non_people: bool,
    domains: &str,
    departments: &str,
    offices: &str,
    groups: &str,
    rules: &[(String, String, String)],
    default_organization: &str,
    brake_percent: &str,
) -> Result<(UserFilters, Vec<RoutingRule>, Option<OrganizationId>, u8), DomainError> {
    let org = |field: &str, raw: &str| -> Result<OrganizationId, DomainError> {
        OrganizationId::parse(raw)
            .ok()
            .filter(|o| organizations.contains(o))
            .ok_or_else(|| {
                DomainError::invalid(field, "Choose one of this Syncro Tenant's Organizations")
            })
    };
    // Every field is checked; all that are refused are reported at once.
    let mut p = crate::domain::Problems::default();
    let kinds = p.check(match kinds {
        "guests" => Ok(UserKinds::Guests),
        "both" => Ok(UserKinds::Both),
        "members" | "" => Ok(UserKinds::Members),
        _ => Err(DomainError::invalid(
            "kinds",
            "Choose members, guests or both",
        )),
    });
    let groups = p.check(list("groups", groups, true).and_then(|groups| {
        match groups.iter().find(|g| uuid::Uuid::try_parse(g).is_err()) {
            Some(bad) => Err(DomainError::invalid(
                "groups",
                format!(
                    "“{}” is not a group's object ID (a GUID, from Entra ID > Groups)",
                    crate::domain::quote(bad, crate::domain::QUOTED_CHARS)
                ),
            )),
            None => Ok(groups),
        }
    }));
    let domains = p.check(list("domains", domains, true));
    let departments = p.check(list("departments", departments, false));
    let offices = p.check(list("offices", offices, false));
    let rules = p.check(parse_rules(rules, &org));
    let default = p.check(match default_organization.trim() {
        "" => Ok(None),
        raw => org("default_organization", raw).map(Some),
    });
    let brake = p.check(match brake_percent.trim() {
        "" => Ok(DEFAULT_BRAKE_PERCENT),
        raw => raw
            .trim_end_matches('%')
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .ok_or_else(|| DomainError::invalid("brake_percent", "A share from 1 to 100 %")),
    });
    let parts = kinds
        .zip(groups)
        .zip(domains.zip(departments.zip(offices)))
        .zip(rules.zip(default.zip(brake)));
    let (((kinds, groups), (domains, (departments, offices))), (rules, (default, brake))) =
        p.finish_with(parts)?;
    let filters = UserFilters {
        kinds,
        enabled_only,
        licensed_only,
        domains,
        departments,
        offices,
        groups,
        exclude_non_people,
    };
    Ok((filters, rules, default, brake))
}

/// The routing rules as posted (field, value, Organization), blank rows left out; at most
/// [`MAX_RULES`].
fn parse_rules(
    rules: &[(String, String, String)],
    org: &impl Fn(&str, &str) -> Result<OrganizationId, DomainError>,
) -> Result<Vec<RoutingRule>, DomainError> {
    let mut parsed = Vec::new();
    for (field, value, organization) in rules {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let field = RuleField::parse(field)?;
        let value = list(
            "rules",
            value,
            field == RuleField::Domain || field == RuleField::Group,
        )?
        .into_iter()
        .next()
        .unwrap_or_default();
        if field == RuleField::Group && uuid::Uuid::try_parse(&value).is_err() {
            return Err(DomainError::invalid(
                "rules",
                format!(
                    "“{}” is not a group's object ID",
                    crate::domain::quote(&value, crate::domain::QUOTED_CHARS)
                ),
            ));
        }
        parsed.push(RoutingRule {
            field,
            value,
            organization: org("rules", organization)?,
        });
    }
    if parsed.len() > MAX_RULES {
        return Err(DomainError::invalid(
            "rules",
            format!("At most {MAX_RULES} rules"),
        ));
    }
    Ok(parsed)
}

/// *Save* the setup: the settings at their next version, waiting for a preview to be applied
/// (a change of filters or rules is never synced unseen).
pub fn save(
    ctx: &crate::domain::Ctx,
    st: &SyncroTenant,
    existing: Option<&UserSyncSettings>,
    (filters, rules, default_organization, brake_percent): (
        UserFilters,
        Vec<RoutingRule>,
        Option<OrganizationId>,
        u8,
    ),
) -> ChangeSet {
    let record = UserSyncSettings {
        syncro_tenant: st.id,
        filters,
        rules,
        default_organization,
        brake_percent,
        approved_at: None,
        version: existing.map_or(Version(1), |e| e.version.next()),
        updated_at: ctx.now,
        updated_by: ctx.actor.clone(),
    };
    let mut c = ChangeSet::default();
    let verb = if existing.is_some() {
        "Changed"
    } else {
        "Set up"
    };
    c.push(ctx.audit_entry(
        "user_sync.save",
        format!(
            "{verb} Entra ID User Sync of “{}” ({} routing rules)",
            st.name,
            record.rules.len()
        ),
        existing.map_or(serde_json::Value::Null, |e| serde_json::json!(e)),
        serde_json::json!(record),
    ));
    c.push(Write::PutUserSync {
        record,
        expect: existing.map_or(Expect::Absent, |e| Expect::Version(e.version)),
    });
    c
}

/// *Apply* a preview: the settings as they were previewed (at `expected`) may now sync.
pub fn approve(
    ctx: &crate::domain::Ctx,
    st: &SyncroTenant,
    settings: &UserSyncSettings,
) -> ChangeSet {
    let record = UserSyncSettings {
        approved_at: Some(ctx.now),
        version: settings.version.next(),
        ..settings.clone()
    };
    let mut c = ChangeSet::default();
    c.push(ctx.audit_entry(
        "user_sync.approve",
        format!("Applied the preview of Entra ID User Sync of “{}”", st.name),
        serde_json::Value::Null,
        serde_json::Value::Null,
    ));
    c.push(Write::PutUserSync {
        record,
        expect: Expect::Version(settings.version),
    });
    c
}
