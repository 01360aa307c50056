//! The items the DynamoDB store keeps beside its records so that a page reads a page: an End
//! User's row in its Organization's list (in name order, active or inactive), its link from an
//! Entra ID user (the sync finds linked people by object id), and the installation-wide list of
//! connected accounts (the scheduled sync reads it). Derived here from a change's writes: the
//! domain knows nothing of them, and the embedded store indexes its records in memory.

use super::*;
use app::domain::EndUser;
use app::domain::end_users::EndUserSource;
use std::collections::BTreeMap;

/// What one change does to the index items: per key, the item put (`Some`) or deleted.
pub(super) type Indexes = Vec<(Key, Option<Item>)>;

/// The index items `writes` need, one per key. A change that takes a link from one End User
/// and gives it to another deletes and puts one key: the put stands.
pub(super) fn index_items(account: &AccountId, writes: &[Write]) -> StoreResult<Indexes> {
    let mut out: BTreeMap<(String, String), (Key, Option<Item>)> = BTreeMap::new();
    let mut note = |key: Key, item: Option<Item>| -> StoreResult<()> {
        let slot = (key.pk(), key.sk());
        match (out.get(&slot), &item) {
            (Some((_, Some(_))), Some(_)) => Err(StoreError::Malformed(MalformedChange(format!(
                "{} is indexed twice",
                key.sk()
            )))),
            (Some((_, Some(_))), None) => Ok(()),
            _ => {
                out.insert(slot, (key, item));
                Ok(())
            }
        }
    };
    for w in writes {
        match w {
            Write::PutEndUser { record, before } => {
                end_user(account, before.as_deref(), record, &mut note)?
            }
            Write::PutIntegration {
                expect: Expect::Absent,
                ..
            } => {
                let key = Key::IntegrationIndex(account.clone());
                let mut item = key.item_key();
                item.insert(keys::KIND.into(), s(key.kind()));
                item.insert("account".into(), s(account.to_string()));
                note(key, Some(item))?;
            }
            Write::DeleteIntegration { .. } => note(Key::IntegrationIndex(account.clone()), None)?,
            _ => {}
        }
    }
    Ok(out.into_values().collect())
}

fn end_user(
    account: &AccountId,
    before: Option<&EndUser>,
    after: &EndUser,
    note: &mut impl FnMut(Key, Option<Item>) -> StoreResult<()>,
) -> StoreResult<()> {
    let row = |place| Key::EndUserRow(account.clone(), place);
    if let Some(b) = before
        && b.place() != after.place()
    {
        note(row(b.place()), None)?;
    }
    if before.map(EndUser::row).as_ref() != Some(&after.row()) {
        let key = row(after.place());
        let item = item_of(&key, &after.row())?;
        note(key, Some(item))?;
    }
    let link = |eu: &EndUser| match &eu.source {
        EndUserSource::Entra { tenant, object_id } => Some((*tenant, object_id.clone())),
        EndUserSource::Manual => None,
    };
    let (old, new) = (before.and_then(link), link(after));
    if old != new {
        if let Some((tenant, object_id)) = old {
            note(Key::EndUserLink(account.clone(), tenant, object_id), None)?;
        }
        if let Some((tenant, object_id)) = new {
            let key = Key::EndUserLink(account.clone(), tenant, object_id);
            let mut item = key.item_key();
            item.insert(keys::KIND.into(), s(key.kind()));
            item.insert("end_user".into(), s(after.id.to_string()));
            note(key, Some(item))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{EndUserId, OrganizationId};

    fn person(id: u128, name: &str, active: bool, object_id: Option<&str>) -> EndUser {
        EndUser {
            id: EndUserId::from_uuid(uuid::Uuid::from_u128(id)),
            organization: OrganizationId::from_uuid(uuid::Uuid::from_u128(7)),
            name: name.into(),
            email: None,
            other_emails: vec![],
            job_title: String::new(),
            department: String::new(),
            office_location: String::new(),
            phone: String::new(),
            active,
            source: match object_id {
                Some(o) => EndUserSource::Entra {
                    tenant: MicrosoftTenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47")
                        .unwrap(),
                    object_id: o.into(),
                },
                None => EndUserSource::Manual,
            },
            pinned: vec![],
            pinned_person: false,
            origins: vec![],
            entra: None,
            version: Version(1),
            updated_at: Timestamp(0),
        }
    }

    fn put(before: Option<&EndUser>, after: &EndUser) -> Write {
        Write::PutEndUser {
            record: Box::new(after.clone()),
            before: before.map(|b| Box::new(b.clone())),
        }
    }

    /// Each index key with whether it is put, by its sort key.
    fn summary(writes: &[Write]) -> Vec<(String, bool)> {
        let a = AccountId::parse("acct").unwrap();
        index_items(&a, writes)
            .unwrap()
            .into_iter()
            .map(|(k, item)| (k.kind().to_string() + " " + &k.sk(), item.is_some()))
            .collect()
    }

    #[test]
    fn a_new_person_gets_a_row_and_a_link() {
        let ann = person(1, "Ann Lee", true, Some("oid-1"));
        let got = summary(&[put(None, &ann)]);
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|(_, put)| *put));
        assert!(got.iter().any(|(k, _)| k.starts_with("eurow ")));
        assert!(
            got.iter()
                .any(|(k, _)| k.starts_with("eulink ") && k.ends_with("#oid-1"))
        );
    }

    #[test]
    fn moving_a_person_moves_the_row_and_unchanged_people_write_nothing() {
        let ann = person(1, "Ann Lee", true, None);
        let away = EndUser {
            active: false,
            ..ann.clone()
        };
        let got = summary(&[put(Some(&ann), &away)]);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got.iter().filter(|(_, put)| *put).count(), 1);
        // A field no list shows changes no index item.
        let phoned = EndUser {
            phone: "555".into(),
            ..ann.clone()
        };
        assert!(summary(&[put(Some(&ann), &phoned)]).is_empty());
    }

    #[test]
    fn a_link_handed_from_one_person_to_another_is_one_put() {
        let old = person(1, "Ann Lee", true, Some("oid-1"));
        let unlinked = EndUser {
            source: EndUserSource::Manual,
            ..old.clone()
        };
        let new = person(2, "Ann Lee", true, Some("oid-1"));
        let got = summary(&[put(Some(&old), &unlinked), put(None, &new)]);
        let links: Vec<_> = got
            .iter()
            .filter(|(k, _)| k.starts_with("eulink "))
            .collect();
        assert_eq!(links.len(), 1);
        assert!(links[0].1, "the put stands");
        // Two people given one link in one change is refused.
        let twice = person(3, "Ann Lee", true, Some("oid-1"));
        let a = AccountId::parse("acct").unwrap();
        assert!(matches!(
            index_items(&a, &[put(None, &new), put(None, &twice)]),
            Err(StoreError::Malformed(_))
        ));
    }

    #[test]
    fn connecting_indexes_the_account_and_disconnecting_removes_it() {
        let got = summary(&[Write::DeleteIntegration { expect: Version(3) }]);
        assert_eq!(got.len(), 1);
        assert!(got[0].0.starts_with("connected ") && !got[0].1);
    }
}
