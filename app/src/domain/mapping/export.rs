//! The mapping as a spreadsheet: one row per Microsoft Tenant with its Syncro Tenant and that
//! Syncro Tenant's Organizations. Opened in Excel as it is: fields are quoted when they must
//! be, and a field a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage
//! return first) gets a leading `'` (CSV injection).

use crate::domain::{MicrosoftTenant, Organization, SyncroTenant, SyncroTenantId};
use std::collections::HashMap;

pub const HEADER: [&str; 7] = [
    "Microsoft Tenant ID",
    "Microsoft Tenant",
    "Default domain",
    "Syncro Tenant",
    "Organizations",
    "Last sync",
    "Sync problem",
];

/// A value a spreadsheet would run as a formula, with a `'` before it.
fn defused(raw: &str) -> String {
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    }
}

/// One field, quoted and defused as needed.
pub fn field(raw: &str) -> String {
    let defused = defused(raw);
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// The file: the header, then the tenants by name (then ID); Organizations by name, joined with
/// "; ". Lines end in CRLF (RFC 4180); a byte-order mark lets Excel read UTF-8.
pub fn mapping_csv(
    tenants: &[MicrosoftTenant],
    syncro: &[SyncroTenant],
    orgs: &[Organization],
) -> String {
    let syncro: HashMap<SyncroTenantId, &SyncroTenant> = syncro.iter().map(|s| (s.id, s)).collect();
    let mut children: HashMap<SyncroTenantId, Vec<&str>> = HashMap::new();
    for o in orgs {
        children
            .entry(o.syncro_tenant)
            .or_default()
            .push(o.name.as_str());
    }
    for names in children.values_mut() {
        names.sort_by_key(|n| n.to_lowercase());
    }
    let mut rows: Vec<&MicrosoftTenant> = tenants.iter().collect();
    rows.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then(a.tenant_id.cmp(&b.tenant_id))
    });
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADER.map(field).join(","));
    out.push_str("\r\n");
    for t in rows {
        let st = t.syncro_tenant.and_then(|id| syncro.get(&id));
        let problem = match (&t.removed_at, &t.sync_error) {
            (Some(at), _) => format!("Removed by Microsoft {}", at.display()),
            (None, Some(f)) => f.label().to_string(),
            (None, None) => String::new(),
        };
        let fields = [
            t.tenant_id.to_string(),
            t.display_name.clone(),
            t.default_domain.clone(),
            st.map(|s| s.name.to_string()).unwrap_or_default(),
            // Each name defused, not only the cell's first: a spreadsheet's "text to
            // columns" splits the cell into cells of their own.
            st.and_then(|s| children.get(&s.id))
                .map(|n| n.iter().map(|n| defused(n)).collect::<Vec<_>>().join("; "))
                .unwrap_or_default(),
            if t.last_sync.0 > 0 {
                t.last_sync.display()
            } else {
                String::new()
            },
            problem,
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("Contoso"), "Contoso");
        assert_eq!(field("Smith, Sons"), "\"Smith, Sons\"");
        assert_eq!(field("The \"Best\" Co"), "\"The \"\"Best\"\" Co\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+1 555"), "'+1 555");
        assert_eq!(field("-Boston"), "'-Boston");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("Foggy IT - Boston"), "Foggy IT - Boston");
    }

    #[test]
    fn every_organization_in_a_joined_cell_is_defused() {
        let st = SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(1)),
            name: SyncroTenantName::parse("Acme").unwrap(),
            microsoft_tenant: None,
            organization_count: 2,
            version: Version(1),
            updated_at: Timestamp(0),
        };
        let org = |n: u128, name: &str| Organization {
            id: OrganizationId::from_uuid(uuid::Uuid::from_u128(n)),
            name: OrganizationName::parse(name).unwrap(),
            syncro_tenant: st.id,
            contact: ContactDetails::default(),
            version: Version(1),
            updated_at: Timestamp(0),
        };
        let tenant = MicrosoftTenant {
            tenant_id: MicrosoftTenantId::from_uuid(uuid::Uuid::from_u128(2)),
            display_name: "Acme".into(),
            default_domain: "acme.onmicrosoft.com".into(),
            verified_domains: Vec::new(),
            syncro_tenant: Some(st.id),
            last_sync: Timestamp(0),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        };
        let csv = mapping_csv(
            &[tenant],
            std::slice::from_ref(&st),
            &[org(10, "Acme Boston"), org(11, "=cmd|' /C calc'!A0")],
            // (names in order: "=" sorts before letters; the cell's own first character and
            // the name after "; " are both defused)
        );
        assert!(csv.contains(",'=cmd|' /C calc'!A0; Acme Boston,"), "{csv}");
    }

    #[test]
    fn one_row_per_tenant_with_its_syncro_tenant_and_organizations() {
        let st = SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(1)),
            name: SyncroTenantName::parse("Foggy IT Services").unwrap(),
            microsoft_tenant: None,
            organization_count: 2,
            version: Version(1),
            updated_at: Timestamp(0),
        };
        let org = |n: u128, name: &str| Organization {
            id: OrganizationId::from_uuid(uuid::Uuid::from_u128(n)),
            name: OrganizationName::parse(name).unwrap(),
            syncro_tenant: st.id,
            contact: ContactDetails::default(),
            version: Version(1),
            updated_at: Timestamp(0),
        };
        let tenant = |n: u128, name: &str, mapped: bool| MicrosoftTenant {
            tenant_id: MicrosoftTenantId::from_uuid(uuid::Uuid::from_u128(n)),
            display_name: name.into(),
            default_domain: format!("t{n}.onmicrosoft.com"),
            verified_domains: Vec::new(),
            syncro_tenant: mapped.then_some(st.id),
            last_sync: Timestamp(951_782_400_000),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        };
        let mut gone = tenant(3, "Tailspin", false);
        gone.removed_at = Some(Timestamp(951_782_400_000));
        let csv = mapping_csv(
            &[tenant(2, "Foggy IT", true), gone],
            std::slice::from_ref(&st),
            &[
                org(11, "Foggy IT Services - Waltham"),
                org(10, "Foggy IT Services - Boston"),
            ],
        );
        assert_eq!(
            csv,
            "\u{feff}Microsoft Tenant ID,Microsoft Tenant,Default domain,Syncro Tenant,Organizations,Last sync,Sync problem\r\n\
             00000000-0000-0000-0000-000000000002,Foggy IT,t2.onmicrosoft.com,Foggy IT Services,Foggy IT Services - Boston; Foggy IT Services - Waltham,2000-02-29 00:00 UTC,\r\n\
             00000000-0000-0000-0000-000000000003,Tailspin,t3.onmicrosoft.com,,,2000-02-29 00:00 UTC,Removed by Microsoft 2000-02-29 00:00 UTC\r\n"
        );
    }
}
