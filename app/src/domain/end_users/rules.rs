//! Adding, editing and deactivating End Users by hand: a form parsed into a draft, and the
//! writes it makes (the email claimed per account, the list rows kept in order).

use super::{
    DETAIL_MAX_CHARS, EndUser, EndUserField, EndUserSource, FieldOrigin, OTHER_EMAILS_KEPT,
};
use crate::domain::{
    ChangeSet, Ctx, DomainError, Email, EndUserId, NameKind, Organization, Write, names,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// An End User's fields as typed in a form, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUserDraft {
    pub name: String,
    pub email: Option<Email>,
    pub other_emails: Vec<Email>,
    pub job_title: String,
    pub department: String,
    pub office_location: String,
    pub phone: String,
}

fn detail(field: &str, label: &str, raw: &str) -> Result<String, DomainError> {
    let t = raw.trim();
    if t.chars().any(names::is_hidden) {
        return Err(DomainError::invalid(
            field,
            format!("{label} must not contain invisible characters"),
        ));
    }
    if t.chars().count() > DETAIL_MAX_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("{label} is longer than {DETAIL_MAX_CHARS} characters"),
        ));
    }
    Ok(t.to_string())
}

/// The other emails as typed (commas, semicolons or spaces between), without the primary one
/// and without repeats; at most [`OTHER_EMAILS_KEPT`].
fn other_emails_of(typed: &str, primary: Option<&Email>) -> Result<Vec<Email>, DomainError> {
    let mut others = Vec::new();
    for raw in typed.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        if raw.is_empty() {
            continue;
        }
        let e = Email::parse(raw).map_err(|_| {
            DomainError::invalid(
                "other_emails",
                format!(
                    "“{}” is not an address such as name@example.com",
                    crate::domain::quote(raw, crate::domain::QUOTED_CHARS)
                ),
            )
        })?;
        if Some(&e) != primary && !others.contains(&e) {
            others.push(e);
        }
    }
    if others.len() > OTHER_EMAILS_KEPT {
        return Err(DomainError::invalid(
            "other_emails",
            format!("At most {OTHER_EMAILS_KEPT} other emails"),
        ));
    }
    Ok(others)
}

/// An End User's fields as typed in *Add End User* or *Edit End User* (the form's field names):
/// text from outside, parsed into an [`EndUserDraft`]. A field the form leaves out is empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EndUserForm {
    pub name: String,
    pub email: String,
    pub other_emails: String,
    pub job_title: String,
    pub department: String,
    pub office_location: String,
    pub phone: String,
}

impl EndUserDraft {
    pub fn parse(form: &EndUserForm) -> Result<Self, DomainError> {
        // Every field is checked; all that are refused are reported at once.
        let mut p = crate::domain::Problems::default();
        let name = p.check(names::parse_name("name", &form.name));
        let email = p.check(match form.email.trim() {
            "" => Ok(None),
            e => Email::parse(e).map(Some),
        });
        let others = p.check(other_emails_of(
            &form.other_emails,
            email.as_ref().and_then(|e| e.as_ref()),
        ));
        let job_title = p.check(detail("job_title", "Job title", &form.job_title));
        let department = p.check(detail("department", "Department", &form.department));
        let office_location = p.check(detail(
            "office_location",
            "Office location",
            &form.office_location,
        ));
        let phone = p.check(detail("phone", "Phone", &form.phone));
        let parts = name
            .zip(email)
            .zip(others)
            .zip(job_title.zip(department))
            .zip(office_location.zip(phone));
        p.finish_with(parts).map(
            |(
                (((name, email), other_emails), (job_title, department)),
                (office_location, phone),
            )| {
                EndUserDraft {
                    name,
                    email,
                    other_emails,
                    job_title,
                    department,
                    office_location,
                    phone,
                }
            },
        )
    }

    /// The fields that differ from `other`.
    fn changed(&self, other: &EndUserDraft) -> Vec<EndUserField> {
        use crate::domain::end_users::EndUserField::*;
        let mut f = Vec::new();
        let mut check = |field, differs: bool| {
            if differs {
                f.push(field);
            }
        };
        check(Name, self.name != other.name);
        check(Email, self.email != other.email);
        check(OtherEmails, self.other_emails != other.other_emails);
        check(JobTitle, self.job_title != other.job_title);
        check(Department, self.department != other.department);
        check(
            OfficeLocation,
            self.office_location != other.office_location,
        );
        check(Phone, self.phone != other.phone);
        f
    }

    fn has(&self, field: EndUserField) -> bool {
        match field {
            EndUserField::Name => true,
            EndUserField::Email => self.email.is_some(),
            EndUserField::OtherEmails => !self.other_emails.is_empty(),
            EndUserField::JobTitle => !self.job_title.is_empty(),
            EndUserField::Department => !self.department.is_empty(),
            EndUserField::OfficeLocation => !self.office_location.is_empty(),
            EndUserField::Phone => !self.phone.is_empty(),
        }
    }

    fn apply_to(self, eu: &mut EndUser) {
        eu.name = self.name;
        eu.email = self.email;
        eu.other_emails = self.other_emails;
        eu.job_title = self.job_title;
        eu.department = self.department;
        eu.office_location = self.office_location;
        eu.phone = self.phone;
    }
}

fn email_key(e: &Email) -> String {
    e.as_str().to_string()
}

/// The writes that take an End User from `before` (none: new) to `after`: its email claimed
/// and released (unique per account), and the record replacing `before` at its version. Every
/// End User change goes through here; each store keeps its lists and links to Entra ID users
/// (the sync finds linked people by object id) in step from the two records.
pub fn put(c: &mut ChangeSet, before: Option<&EndUser>, after: &EndUser) {
    let old_email = before.and_then(|b| b.email.as_ref());
    if old_email != after.email.as_ref() {
        if let Some(e) = old_email {
            c.push(Write::ReleaseName {
                kind: NameKind::EndUserEmail,
                key: email_key(e),
            });
        }
        if let Some(e) = &after.email {
            c.push(Write::ClaimName {
                kind: NameKind::EndUserEmail,
                key: email_key(e),
                owner: after.id.as_uuid(),
            });
        }
    }
    c.push(Write::PutEndUser {
        record: Box::new(after.clone()),
        before: before.map(|b| Box::new(b.clone())),
    });
}

fn origins_by_hand(ctx: &Ctx, draft: &EndUserDraft, fields: &[EndUserField]) -> Vec<FieldOrigin> {
    fields
        .iter()
        .filter(|f| draft.has(**f))
        .map(|f| FieldOrigin {
            field: *f,
            by: Some(ctx.actor.clone()),
            at: ctx.now,
        })
        .collect()
}

/// *Add End User* to an Organization, by hand.
pub fn add(ctx: &Ctx, id: EndUserId, org: &Organization, draft: EndUserDraft) -> ChangeSet {
    let mut eu = EndUser::new(id, org.id, EndUserSource::Manual, ctx.now);
    eu.origins = origins_by_hand(ctx, &draft, &EndUserField::ALL);
    draft.apply_to(&mut eu);
    let mut c = ChangeSet::default();
    put(&mut c, None, &eu);
    c.push(ctx.audit_entry(
        "end_user.create",
        format!("Added End User “{}” to “{}”", eu.name, org.name),
        serde_json::Value::Null,
        json!({ "end_user": eu }),
    ));
    c
}

/// *Edit End User*: the fields typed, and which of them a sync must leave alone. Each field
/// changed is now the Administrator's (its origin says who and when). Nothing changed: no
/// writes.
pub fn edit(
    ctx: &Ctx,
    eu: &EndUser,
    draft: EndUserDraft,
    pinned: Vec<EndUserField>,
    pinned_person: bool,
) -> ChangeSet {
    let changed = draft.changed(&eu.draft());
    let mut pinned = pinned;
    pinned.sort();
    pinned.dedup();
    let mut was_pinned = eu.pinned.clone();
    was_pinned.sort();
    if changed.is_empty() && pinned == was_pinned && pinned_person == eu.pinned_person {
        return ChangeSet::default();
    }
    let mut after = eu.clone();
    let fresh = origins_by_hand(ctx, &draft, &changed);
    after
        .origins
        .retain(|o| !changed.contains(&o.field) && draft.has(o.field));
    after.origins.extend(fresh);
    after.origins.sort_by_key(|o| o.field);
    draft.apply_to(&mut after);
    after.pinned = pinned;
    after.pinned_person = pinned_person;
    after.version = eu.version.next();
    after.updated_at = ctx.now;
    let mut what: Vec<&str> = changed.iter().map(|f| f.label()).collect();
    if after.pinned != was_pinned || after.pinned_person != eu.pinned_person {
        what.push("pins");
    }
    let mut c = ChangeSet::default();
    put(&mut c, Some(eu), &after);
    c.push(ctx.audit_entry(
        "end_user.update",
        format!("Edited End User “{}”: {}", after.name, what.join(", ")),
        json!({ "end_user": eu }),
        json!({ "end_user": after }),
    ));
    c
}

/// *Deactivate* / *Reactivate* by hand. Deactivating keeps the person and their history.
pub fn set_active(ctx: &Ctx, eu: &EndUser, active: bool) -> Result<ChangeSet, DomainError> {
    if eu.active == active {
        return Err(DomainError::invalid(
            "active",
            if active {
                format!("“{}” is active already", eu.name)
            } else {
                format!("“{}” is inactive already", eu.name)
            },
        ));
    }
    let after = EndUser {
        active,
        version: eu.version.next(),
        updated_at: ctx.now,
        ..eu.clone()
    };
    let mut c = ChangeSet::default();
    put(&mut c, Some(eu), &after);
    let (action, verb) = if active {
        ("end_user.reactivate", "Reactivated")
    } else {
        ("end_user.deactivate", "Deactivated")
    };
    c.push(ctx.audit_entry(
        action,
        format!("{verb} End User “{}”", eu.name),
        json!({ "end_user": eu.id, "active": eu.active }),
        json!({ "end_user": eu.id, "active": active }),
    ));
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::end_users::*;
    use crate::domain::*;
    use uuid::Uuid;

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(1_795_000_000_000),
            audit_id: "a1".into(),
        }
    }

    fn org() -> Organization {
        Organization {
            id: OrganizationId::from_uuid(Uuid::from_u128(7)),
            name: OrganizationName::parse("Foggy IT Services - Boston").unwrap(),
            syncro_tenant: SyncroTenantId::from_uuid(Uuid::from_u128(8)),
            contact: ContactDetails::default(),
            version: Version(1),
            updated_at: Timestamp(1),
        }
    }

    fn draft(name: &str, email: &str) -> EndUserDraft {
        EndUserDraft::parse(&EndUserForm {
            name: name.into(),
            email: email.into(),
            job_title: "Engineer".into(),
            ..EndUserForm::default()
        })
        .unwrap()
    }

    fn added() -> EndUser {
        let c = add(
            &ctx(),
            EndUserId::from_uuid(Uuid::from_u128(1)),
            &org(),
            draft("Ann Lee", "Ann@Foggy.example"),
        );
        c.writes()
            .iter()
            .find_map(|w| match w {
                Write::PutEndUser { record, .. } => Some((**record).clone()),
                _ => None,
            })
            .unwrap()
    }

    #[test]
    fn drafts_are_parsed_and_refused_with_the_field() {
        let d = EndUserDraft::parse(&EndUserForm {
            name: " Ann Lee ".into(),
            email: "ANN@foggy.example".into(),
            other_emails:
                "ann.lee@foggy.example, ann@foggy.example;al@foggy.example al@foggy.example".into(),
            job_title: " Engineer ".into(),
            department: "Boston Office".into(),
            phone: "+1 617 555 0100".into(),
            ..EndUserForm::default()
        })
        .unwrap();
        assert_eq!(d.name, "Ann Lee");
        assert_eq!(d.email.as_ref().unwrap().as_str(), "ann@foggy.example");
        let others: Vec<&str> = d.other_emails.iter().map(Email::as_str).collect();
        assert_eq!(others, ["ann.lee@foggy.example", "al@foggy.example"]);
        assert_eq!(d.job_title, "Engineer");
        let ann = || EndUserForm {
            name: "Ann".into(),
            ..EndUserForm::default()
        };
        assert!(EndUserDraft::parse(&ann()).unwrap().email.is_none());
        let field = |form: EndUserForm| match EndUserDraft::parse(&form).unwrap_err() {
            DomainError::Invalid { field, .. } => field,
            e => panic!("{e}"),
        };
        assert_eq!(field(EndUserForm::default()), "name");
        let email = "nope".to_string();
        assert_eq!(field(EndUserForm { email, ..ann() }), "email");
        let other_emails = "x@".to_string();
        assert_eq!(
            field(EndUserForm {
                other_emails,
                ..ann()
            }),
            "other_emails"
        );
        let job_title = "x".repeat(121);
        assert_eq!(field(EndUserForm { job_title, ..ann() }), "job_title");
        let department = "a\u{200b}b".to_string();
        assert_eq!(
            field(EndUserForm {
                department,
                ..ann()
            }),
            "department"
        );
    }

    #[test]
    fn adding_claims_the_email() {
        let c = add(
            &ctx(),
            EndUserId::from_uuid(Uuid::from_u128(1)),
            &org(),
            draft("Ann Lee", "Ann@Foggy.example"),
        );
        let items: Vec<String> = c.writes().iter().map(Write::item).collect();
        assert!(
            items.contains(&"name:EndUserEmail:ann@foggy.example".to_string()),
            "{items:?}"
        );
        assert!(items.contains(&format!("eu:{}", Uuid::from_u128(1))));
        let eu = added();
        assert!(eu.active);
        assert_eq!(eu.source, EndUserSource::Manual);
        assert_eq!(
            eu.origin(EndUserField::Name).unwrap().by.as_deref(),
            Some("admin@msp.example")
        );
        assert!(
            eu.origin(EndUserField::Department).is_none(),
            "no value, no origin"
        );
    }

    #[test]
    fn edits_move_the_email_claim() {
        let eu = added();
        let later = Ctx {
            now: Timestamp(1_795_000_100_000),
            actor: "tech@msp.example".into(),
            ..ctx()
        };
        let c = edit(
            &later,
            &eu,
            draft("Ann Lee-Smith", "ann.smith@foggy.example"),
            vec![EndUserField::Email],
            false,
        );
        let w = c.writes();
        assert!(
            w.iter()
                .any(|w| matches!(w, Write::ReleaseName { key, .. } if key == "ann@foggy.example"))
        );
        assert!(w.iter().any(
            |w| matches!(w, Write::ClaimName { key, .. } if key == "ann.smith@foggy.example")
        ));
        let after = w
            .iter()
            .find_map(|w| match w {
                Write::PutEndUser { record, before } => {
                    assert_eq!(before.as_deref(), Some(&eu));
                    Some((**record).clone())
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(after.version, Version(2));
        assert_eq!(after.pinned, [EndUserField::Email]);
        assert_eq!(
            after.origin(EndUserField::Name).unwrap().by.as_deref(),
            Some("tech@msp.example")
        );
        assert_eq!(
            after.origin(EndUserField::JobTitle).unwrap().by.as_deref(),
            Some("admin@msp.example")
        );
        let Some(Write::Audit(a)) = w.last() else {
            panic!()
        };
        assert_eq!(
            a.summary,
            "Edited End User “Ann Lee-Smith”: Name, Email, pins"
        );
        // The same values again: nothing to write.
        assert!(
            edit(
                &later,
                &after,
                draft("Ann Lee-Smith", "ann.smith@foggy.example"),
                vec![EndUserField::Email],
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn deactivating_moves_the_person_to_the_inactive_list() {
        let eu = added();
        let c = set_active(&ctx(), &eu, false).unwrap();
        let places: Vec<(bool, bool)> = c
            .writes()
            .iter()
            .filter_map(|w| match w {
                Write::PutEndUser { record, before } => {
                    Some((before.as_ref()?.place().active, record.place().active))
                }
                _ => None,
            })
            .collect();
        assert_eq!(places, [(true, false)]);
        assert!(
            !c.writes()
                .iter()
                .any(|w| matches!(w, Write::ClaimName { .. } | Write::ReleaseName { .. }))
        );
        assert!(set_active(&ctx(), &eu, true).is_err());
    }

    #[test]
    fn cursors_and_filters() {
        let eu = added();
        let cur = EndUserCursor::of(&eu.row());
        assert_eq!(EndUserCursor::parse(&cur.encode()).unwrap(), cur);
        assert!(EndUserCursor::parse("nope").is_err());
        assert!(EndUserCursor::parse(&format!("{}:a\u{1}b", eu.id)).is_err());
        let f = |w: &str| {
            EndUserFilter {
                inactive: false,
                words: w.into(),
            }
            .matches(&eu.row())
        };
        assert!(f("") && f("ann") && f("FOGGY.example") && f("lee engineer"));
        assert!(!f("bob"));
    }
}
