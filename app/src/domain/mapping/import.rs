//! *Import mappings*: the mapping export ([`crate::domain::mapping::export`]) read back — each row's
//! Microsoft Tenant ID mapped to the Syncro Tenant its row names, creating it when asked.
//! [`read`] parses the file; [`plan`] decides every row on the records as they are (the dry
//! run's report is exactly what applying does) and groups the writes into atomic parts, like
//! accepting suggestions.

use crate::domain::mapping::rules;
use crate::domain::{
    ChangeSet, Ctx, DomainError, MicrosoftTenant, MicrosoftTenantId, NameKind, QUOTED_CHARS,
    SyncroTenant, SyncroTenantId, SyncroTenantName, Version, Write, quote,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// One row of the file: the line it starts on, the tenant and the Syncro Tenant it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub line: usize,
    pub tenant: MicrosoftTenantId,
    /// Empty: the row names no Syncro Tenant (left as it is).
    pub syncro_tenant: String,
}

/// The file read: its rows, and the lines refused with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    pub rows: Vec<Row>,
    pub refused: Vec<(usize, String)>,
}

/// A field as the export wrote it: a `'` put before a formula character is taken off again.
fn undefused(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => field,
    }
}

/// Reads the export's format: the columns "Microsoft Tenant ID" and "Syncro Tenant" (found by
/// their header, so other columns may be left out or moved); at most
/// [`crate::domain::integration::tenant_import::MAX_ROWS`] rows.
pub fn read(text: &str) -> Result<Rows, DomainError> {
    use crate::domain::integration::tenant_import::{MAX_FIELDS, Refusal};
    let file_error =
        |r: Refusal| DomainError::invalid("csv", format!("line {}: {}", r.line, r.why));
    let mut records = crate::domain::integration::tenant_import::records(text);
    let missing = || {
        DomainError::invalid(
            "csv",
            "The first line must name the columns \"Microsoft Tenant ID\" and \"Syncro Tenant\" (as the export does)",
        )
    };
    let header = match records.next() {
        None => return Err(missing()),
        Some(Err(r)) if r.fatal => return Err(file_error(r)),
        Some(Err(_)) => return Err(missing()),
        Some(Ok((_, header))) => header,
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(id_at), Some(st_at)) = (column("Microsoft Tenant ID"), column("Syncro Tenant"))
    else {
        return Err(missing());
    };
    let mut out = Rows::default();
    let mut seen: HashMap<MicrosoftTenantId, usize> = HashMap::new();
    for record in records {
        let (line, fields) = match record {
            Ok(record) => record,
            Err(r) if r.fatal => return Err(file_error(r)),
            Err(r) => (r.line, Vec::new()),
        };
        if out.rows.len() + out.refused.len() >= crate::domain::integration::tenant_import::MAX_ROWS
        {
            out.refused.push((
                line,
                "the file has too many rows; the rest was not read".into(),
            ));
            break;
        }
        if fields.is_empty() {
            out.refused
                .push((line, format!("more than {MAX_FIELDS} fields")));
            continue;
        }
        let (Some(id), Some(st)) = (fields.get(id_at), fields.get(st_at)) else {
            out.refused.push((
                line,
                format!("expected {} fields, found {}", header.len(), fields.len()),
            ));
            continue;
        };
        let tenant = match MicrosoftTenantId::parse(id.trim()) {
            Ok(t) => t,
            Err(_) => {
                out.refused.push((
                    line,
                    format!("\"{}\" is not a tenant ID", quote(id.trim(), QUOTED_CHARS)),
                ));
                continue;
            }
        };
        if let Some(first) = seen.insert(tenant, line) {
            out.refused.push((
                line,
                format!("tenant ID {tenant} already appears on line {first}"),
            ));
            continue;
        }
        out.rows.push(Row {
            line,
            tenant,
            syncro_tenant: undefused(st.trim()).trim().to_string(),
        });
    }
    Ok(out)
}

/// What importing does with one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Already mapped as the row says, or the row names no Syncro Tenant.
    Unchanged,
    Map,
    /// Mapped elsewhere now: moved to the row's Syncro Tenant.
    Change,
    /// The Syncro Tenant is created, then mapped.
    Create,
    Refused,
}

/// One row's result, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub line: usize,
    pub tenant: String,
    pub syncro_tenant: String,
    pub outcome: Outcome,
    /// What it does (or why not), in words.
    pub note: String,
}

/// Every row decided, and the changes that apply the changing ones.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub results: Vec<RowResult>,
    /// Atomic parts, in order; each holds whole rows (every row's writes, with its own audit
    /// entry).
    pub changes: Vec<ChangeSet>,
}

/// Decides every row on the records as they are: the account's Microsoft Tenants named by the
/// rows, and its Syncro Tenants (`syncro`: each Syncro Tenant a row names, by name key).
/// `create`: a Syncro Tenant no one has is created. `new_id` gives a new one its id.
pub fn plan(
    ctx: &Ctx,
    rows: &Rows,
    tenants: &HashMap<MicrosoftTenantId, MicrosoftTenant>,
    syncro: &HashMap<String, SyncroTenant>,
    create: bool,
    mut new_id: impl FnMut() -> SyncroTenantId,
) -> Plan {
    let mut plan = Plan::default();
    let mut taken: HashSet<String> = HashSet::new();
    let mut part = ChangeSet::default();
    for (n, row) in rows.rows.iter().enumerate() {
        let one = Ctx {
            audit_id: format!("{}-{n:05}", ctx.audit_id),
            ..ctx.clone()
        };
        let (outcome, note, change) =
            decide(&one, row, tenants, syncro, create, &mut taken, &mut new_id);
        plan.results.push(RowResult {
            line: row.line,
            tenant: tenants
                .get(&row.tenant)
                .map_or_else(|| row.tenant.to_string(), |t| t.display_name.clone()),
            // Echoed to the page (and, without JavaScript, in its link): a short prefix.
            syncro_tenant: quote(&row.syncro_tenant, QUOTED_CHARS),
            outcome,
            note,
        });
        if let Some(change) = change {
            let change = change.noted(" (import)");
            if part.len() + change.len() > ChangeSet::MAX_WRITES {
                plan.changes.push(std::mem::take(&mut part));
            }
            for w in change.writes() {
                part.push(w.clone());
            }
        }
    }
    if !part.is_empty() {
        plan.changes.push(part);
    }
    for (line, why) in &rows.refused {
        plan.results.push(RowResult {
            line: *line,
            tenant: String::new(),
            syncro_tenant: String::new(),
            outcome: Outcome::Refused,
            note: why.clone(),
        });
    }
    plan.results.sort_by_key(|r| r.line);
    plan
}

type Decision = (Outcome, String, Option<ChangeSet>);

/// A row's note once it is applied: what it did, in the past tense ("Map …" → "Mapped …").
pub fn done(outcome: &Outcome, note: &str) -> String {
    if matches!(outcome, Outcome::Refused | Outcome::Unchanged) {
        return note.to_string();
    }
    let note = note
        .replacen("Create the Syncro Tenant", "Created the Syncro Tenant", 1)
        .replacen(" and map ", " and mapped ", 1)
        .replacen(" and move ", " and moved ", 1);
    match note.split_once(' ') {
        Some(("Map", rest)) => format!("Mapped {rest}"),
        Some(("Move", rest)) => format!("Moved {rest}"),
        _ => note,
    }
}

fn decide(
    ctx: &Ctx,
    row: &Row,
    tenants: &HashMap<MicrosoftTenantId, MicrosoftTenant>,
    syncro: &HashMap<String, SyncroTenant>,
    create: bool,
    taken: &mut HashSet<String>,
    new_id: &mut impl FnMut() -> SyncroTenantId,
) -> Decision {
    let refused = |why: String| (Outcome::Refused, why, None);
    let Some(mt) = tenants.get(&row.tenant) else {
        return refused(format!(
            "No Microsoft Tenant {} here (import or sync it first)",
            row.tenant
        ));
    };
    if row.syncro_tenant.is_empty() {
        return (
            Outcome::Unchanged,
            "No Syncro Tenant named: left as it is".into(),
            None,
        );
    }
    let name = match SyncroTenantName::parse(&row.syncro_tenant) {
        Ok(n) => n,
        Err(e) => return refused(format!("Syncro Tenant name: {e}")),
    };
    let current = mt.syncro_tenant;
    let Some(st) = syncro.get(&name.key()) else {
        if !create {
            return refused(format!(
                "No Syncro Tenant \"{name}\": tick \"Create the Syncro Tenants that do not exist\" and check again to create it"
            ));
        }
        if !taken.insert(name.key()) {
            return refused(format!(
                "\"{name}\" is named for another Microsoft Tenant above"
            ));
        }
        // Mapped elsewhere now: the new Syncro Tenant takes the mapping over, in one change.
        let from = match current {
            None => None,
            Some(old) => match syncro.values().find(|s| s.id == old) {
                Some(from) => Some(from),
                None => {
                    return refused(format!(
                        "\"{}\" is mapped to a Syncro Tenant not read here: change it on its page",
                        mt.display_name
                    ));
                }
            },
        };
        let note = match from {
            None => format!(
                "Create the Syncro Tenant \"{name}\" and map \"{}\" to it",
                mt.display_name
            ),
            Some(from) => format!(
                "Create the Syncro Tenant \"{name}\" and move \"{}\" to it from \"{}\"",
                mt.display_name, from.name
            ),
        };
        return (
            Outcome::Create,
            note,
            Some(create_and_map(ctx, mt, &name, new_id(), from)),
        );
    };
    if current == Some(st.id) {
        return (
            Outcome::Unchanged,
            format!("Mapped to \"{}\" already", st.name),
            None,
        );
    }
    if st.microsoft_tenant.is_some() {
        return refused(format!(
            "\"{}\" is mapped to another Microsoft Tenant",
            st.name
        ));
    }
    if !taken.insert(name.key()) {
        return refused(format!(
            "\"{}\" is named for another Microsoft Tenant above",
            st.name
        ));
    }
    match current {
        None => match rules::map_tenant(ctx, mt, mt.version, st) {
            Ok(c) => (
                Outcome::Map,
                format!("Map \"{}\" to \"{}\"", mt.display_name, st.name),
                Some(c),
            ),
            Err(e) => refused(e.to_string()),
        },
        Some(old) => {
            let Some(from) = syncro.values().find(|s| s.id == old) else {
                return refused(format!(
                    "\"{}\" is mapped to a Syncro Tenant not read here: change it on its page",
                    mt.display_name
                ));
            };
            match rules::change_mapping(ctx, mt, mt.version, from, st) {
                Ok(c) => (
                    Outcome::Change,
                    format!(
                        "Move \"{}\" from \"{}\" to \"{}\"",
                        mt.display_name, from.name, st.name
                    ),
                    Some(c),
                ),
                Err(e) => refused(e.to_string()),
            }
        }
    }
}

/// A new Syncro Tenant named `name`, mapped to `mt` in the same step.
fn create_and_map(
    ctx: &Ctx,
    mt: &MicrosoftTenant,
    name: &SyncroTenantName,
    id: SyncroTenantId,
    from: Option<&SyncroTenant>,
) -> ChangeSet {
    let record = SyncroTenant {
        id,
        name: name.clone(),
        microsoft_tenant: Some(mt.tenant_id),
        organization_count: 0,
        version: Version(1),
        updated_at: ctx.now,
    };
    let mut c = ChangeSet::default();
    c.push(Write::ClaimName {
        kind: NameKind::SyncroTenant,
        key: name.key(),
        owner: id.as_uuid(),
    });
    c.push(Write::CreateSyncroTenant { record });
    if let Some(from) = from {
        rules::clear_syncro_side(&mut c, from);
    }
    c.push(Write::SetMapping {
        record: MicrosoftTenant {
            syncro_tenant: Some(id),
            version: mt.version.next(),
            ..mt.clone()
        },
        expect: mt.version,
    });
    c.push(match from {
        None => ctx.audit_entry(
            "microsoft_tenant.map",
            format!(
                "Mapped Microsoft Tenant \"{}\" to a new Syncro Tenant \"{name}\"",
                mt.display_name
            ),
            json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": null }),
            json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": id }),
        ),
        Some(from) => ctx.audit_entry(
            "microsoft_tenant.change",
            format!(
                "Changed Microsoft Tenant \"{}\" from Syncro Tenant \"{}\" to a new Syncro Tenant \"{name}\"",
                mt.display_name, from.name
            ),
            json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": from.id }),
            json!({ "microsoft_tenant": mt.tenant_id, "syncro_tenant": id }),
        ),
    });
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    #[test]
    fn applied_rows_read_in_the_past_tense() {
        assert_eq!(
            done(&Outcome::Map, "Map \"Acme\" to \"Acme Dental\""),
            "Mapped \"Acme\" to \"Acme Dental\""
        );
        assert_eq!(
            done(&Outcome::Change, "Move \"Acme\" from \"A\" to \"B\""),
            "Moved \"Acme\" from \"A\" to \"B\""
        );
        assert_eq!(
            done(
                &Outcome::Create,
                "Create the Syncro Tenant \"B\" and move \"Acme\" to it from \"A\""
            ),
            "Created the Syncro Tenant \"B\" and moved \"Acme\" to it from \"A\""
        );
        assert_eq!(
            done(&Outcome::Refused, "No Syncro Tenant"),
            "No Syncro Tenant"
        );
    }

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(3),
            audit_id: "imp".into(),
        }
    }

    fn tid(n: u32) -> MicrosoftTenantId {
        MicrosoftTenantId::parse(&format!("{n:08x}-0000-4000-8000-00000000abcd")).unwrap()
    }

    fn tenant(n: u32, name: &str, st: Option<SyncroTenantId>) -> MicrosoftTenant {
        MicrosoftTenant {
            tenant_id: tid(n),
            display_name: name.into(),
            default_domain: format!("t{n}.onmicrosoft.com"),
            verified_domains: vec![],
            syncro_tenant: st,
            last_sync: Timestamp(1),
            version: Version(1),
            sync_error: None,
            removed_at: None,
            gdap: None,
        }
    }

    fn st(n: u128, name: &str, mt: Option<MicrosoftTenantId>) -> SyncroTenant {
        SyncroTenant {
            id: SyncroTenantId::from_uuid(uuid::Uuid::from_u128(n)),
            name: SyncroTenantName::parse(name).unwrap(),
            microsoft_tenant: mt,
            organization_count: 1,
            version: Version(2),
            updated_at: Timestamp(1),
        }
    }

    #[test]
    fn the_export_reads_back_with_its_defused_fields() {
        let text = "\u{feff}Microsoft Tenant ID,Microsoft Tenant,Default domain,Syncro Tenant,Organizations,Last sync,Sync problem\r\n\
            00000001-0000-4000-8000-00000000abcd,Foggy IT,foggyit.onmicrosoft.com,Foggy IT Services,\"Boston; Waltham\",2026-11-18 11:06 UTC,\r\n\
            00000002-0000-4000-8000-00000000abcd,Formula,f.onmicrosoft.com,'=Sum Corp,,,\r\n\
            nope,Bad,,X,,,\r\n\
            00000001-0000-4000-8000-00000000abcd,Again,,Y,,,\r\n";
        let r = read(text).unwrap();
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].syncro_tenant, "Foggy IT Services");
        assert_eq!(r.rows[1].syncro_tenant, "=Sum Corp");
        assert_eq!(r.refused.len(), 2);
        assert_eq!(r.refused[0].0, 4);
        assert!(r.refused[1].1.contains("already appears on line 2"));
        // Only the two columns are needed, in any order.
        let short =
            "Syncro Tenant,Microsoft Tenant ID\n'Acme,00000003-0000-4000-8000-00000000abcd\n";
        assert_eq!(read(short).unwrap().rows[0].syncro_tenant, "'Acme");
        assert!(read("tenantId,displayName\n").is_err());
    }

    /// A row naming a Syncro Tenant that does not exist, for a tenant mapped elsewhere: with
    /// "Create" ticked, the new Syncro Tenant takes the mapping over in one change (the advice
    /// of the dry run leads to success, not to another refusal).
    #[test]
    fn creating_for_a_mapped_tenant_moves_it() {
        let old = st(3, "Old Home", Some(tid(3)));
        let tenants: HashMap<_, _> = [tenant(3, "Moved Co", Some(old.id))]
            .into_iter()
            .map(|t| (t.tenant_id, t))
            .collect();
        let syncro: HashMap<_, _> = [(old.name.key(), old.clone())].into_iter().collect();
        let rows = Rows {
            rows: vec![Row {
                line: 2,
                tenant: tid(3),
                syncro_tenant: "New Home".into(),
            }],
            refused: vec![],
        };
        let dry = plan(&ctx(), &rows, &tenants, &syncro, false, || unreachable!());
        assert!(
            dry.results[0]
                .note
                .contains("tick \"Create the Syncro Tenants")
        );
        let p = plan(&ctx(), &rows, &tenants, &syncro, true, || {
            SyncroTenantId::from_uuid(uuid::Uuid::from_u128(77))
        });
        assert_eq!(p.results[0].outcome, Outcome::Create);
        assert_eq!(
            p.results[0].note,
            "Create the Syncro Tenant \"New Home\" and move \"Moved Co\" to it from \"Old Home\""
        );
        let writes = p.changes[0].clone().into_writes().unwrap();
        assert!(writes.iter().any(|w| matches!(w,
            Write::UpdateSyncroTenant { record, .. } if record.id == old.id && record.microsoft_tenant.is_none())));
        assert!(writes.iter().any(|w| matches!(w,
            Write::SetMapping { record, .. } if record.syncro_tenant == Some(SyncroTenantId::from_uuid(uuid::Uuid::from_u128(77))))));
    }

    #[test]
    fn every_row_is_decided_by_name_and_the_changes_fit_transactions() {
        let acme = st(1, "Acme Dental", None);
        let foggy = st(2, "Foggy IT Services", Some(tid(2)));
        let old = st(3, "Old Home", Some(tid(3)));
        let tenants: HashMap<_, _> = [
            tenant(1, "Acme M365", None),
            tenant(2, "Foggy IT", Some(foggy.id)),
            tenant(3, "Moved Co", Some(old.id)),
            tenant(4, "New Co", None),
            tenant(5, "Taken Co", None),
        ]
        .into_iter()
        .map(|t| (t.tenant_id, t))
        .collect();
        let syncro: HashMap<_, _> = [
            acme.clone(),
            foggy.clone(),
            old.clone(),
            st(4, "Spare", None),
        ]
        .into_iter()
        .map(|s| (s.name.key(), s))
        .collect();
        let row = |line, n, name: &str| Row {
            line,
            tenant: tid(n),
            syncro_tenant: name.into(),
        };
        let rows = Rows {
            rows: vec![
                row(2, 1, "acme dental"),
                row(3, 2, "Foggy IT Services"),
                row(4, 3, "Spare"),
                row(5, 4, "Brand New"),
                row(6, 5, "Foggy IT Services"),
                row(7, 9, "Acme Dental"),
                row(8, 1, ""),
            ],
            refused: vec![(9, "bad".into())],
        };
        let mut n = 100;
        let p = plan(&ctx(), &rows, &tenants, &syncro, true, || {
            n += 1;
            SyncroTenantId::from_uuid(uuid::Uuid::from_u128(n))
        });
        let outcomes: Vec<(usize, Outcome)> = p
            .results
            .iter()
            .map(|r| (r.line, r.outcome.clone()))
            .collect();
        assert_eq!(
            outcomes,
            [
                (2, Outcome::Map),
                (3, Outcome::Unchanged),
                (4, Outcome::Change),
                (5, Outcome::Create),
                (6, Outcome::Refused),
                (7, Outcome::Refused),
                (8, Outcome::Unchanged),
                (9, Outcome::Refused),
            ]
        );
        assert_eq!(
            p.results[3].note,
            "Create the Syncro Tenant \"Brand New\" and map \"New Co\" to it"
        );
        assert_eq!(
            p.results[4].note,
            "\"Foggy IT Services\" is mapped to another Microsoft Tenant"
        );
        assert_eq!(p.changes.len(), 1);
        let writes = p.changes[0].clone().into_writes().unwrap();
        let audits: Vec<&AuditEntry> = writes
            .iter()
            .filter_map(|w| match w {
                Write::Audit(a) => Some(a),
                _ => None,
            })
            .collect();
        assert_eq!(audits.len(), 3);
        assert!(audits.iter().all(|a| a.summary.ends_with(" (import)")));

        // A dry run of the unchanged export: nothing to write. Many rows: parts of whole rows.
        let many: Vec<Row> = (0..100)
            .map(|i| row(i + 2, 1000 + i as u32, &format!("Free {i}")))
            .collect();
        let tenants: HashMap<_, _> = (0..100)
            .map(|i| tenant(1000 + i, &format!("T{i}"), None))
            .map(|t| (t.tenant_id, t))
            .collect();
        let syncro: HashMap<_, _> = (0..100)
            .map(|i| st(5000 + i as u128, &format!("Free {i}"), None))
            .map(|s| (s.name.key(), s))
            .collect();
        let p = plan(
            &ctx(),
            &Rows {
                rows: many,
                refused: vec![],
            },
            &tenants,
            &syncro,
            false,
            || unreachable!(),
        );
        assert_eq!(p.changes.iter().map(ChangeSet::len).sum::<usize>(), 300);
        assert!(
            p.changes
                .iter()
                .all(|c| c.len() <= ChangeSet::MAX_WRITES && c.len() % 3 == 0)
        );
        assert!(p.changes.into_iter().all(|c| c.into_writes().is_ok()));
    }
}
