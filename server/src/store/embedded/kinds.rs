//! The record kinds the embedded store keeps, each in one place ([`Kept`], after modyne's
//! `Entity`): its name in the file's keys, its id, and where the account's copy lives in
//! memory. A change's checked writes wait as [`Pending`] records of any kind until the commit
//! writes them to the file, then to memory. A new kind is one impl here, a field of
//! `AccountData`, a line in [`KINDS`] and the checks of its writes (`staged.rs`).

use super::*;
use serde::{Serialize, de::DeserializeOwned};
use std::any::Any;
use std::fmt::{self, Display};
use std::hash::Hash;

/// A record kind the embedded store keeps.
pub(super) trait Kept: Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind's part of a storage key, `{account}/{KIND}/{id}` (never changed: it is on disk).
    const KIND: &'static str;
    type Id: Copy + Eq + Hash + Display + Send + Sync + 'static;
    fn id(&self) -> Self::Id;
    /// The account's committed record with this id.
    fn committed(acct: &AccountData, id: Self::Id) -> Option<&Self>;
    /// Makes a committed record visible (`None`: deleted), with what is derived from it.
    fn commit(acct: &mut AccountData, id: Self::Id, record: Option<Self>);
}

/// The id of a kind an account has one of (its storage key ends in `-`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub(super) struct One;

impl Display for One {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("-")
    }
}

/// A staged record's address: its kind and id (its storage key without the account).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(super) struct Key {
    kind: &'static str,
    id: String,
}

impl Key {
    pub(super) fn of<T: Kept>(id: T::Id) -> Key {
        Key {
            kind: T::KIND,
            id: id.to_string(),
        }
    }

    pub(super) fn storage_key(&self, account: &AccountId) -> String {
        format!("{account}/{}/{}", self.kind, self.id)
    }
}

/// A checked record of any kind, waiting for the commit.
pub(super) trait Pending: Send + Sync {
    /// What the file gets: the record's JSON, or `None` to delete it.
    fn json(&self) -> serde_json::Result<Option<Vec<u8>>>;
    fn commit(self: Box<Self>, acct: &mut AccountData);
    fn as_any(&self) -> &dyn Any;
}

/// A record put (`Some`) or deleted.
pub(super) struct Put<T: Kept>(pub(super) T::Id, pub(super) Option<T>);

impl<T: Kept> Pending for Put<T> {
    fn json(&self) -> serde_json::Result<Option<Vec<u8>>> {
        self.1.as_ref().map(serde_json::to_vec).transpose()
    }
    fn commit(self: Box<Self>, acct: &mut AccountData) {
        T::commit(acct, self.0, self.1)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Loads one stored record into the account's data.
type Loader = fn(&mut AccountData, &[u8]) -> StoreResult<()>;

fn load<T: Kept>(acct: &mut AccountData, bytes: &[u8]) -> StoreResult<()> {
    let record: T = serde_json::from_slice(bytes).map_err(unavailable)?;
    T::commit(acct, record.id(), Some(record));
    Ok(())
}

/// Every kind the file holds, by its storage-key name.
pub(super) const KINDS: &[(&str, Loader)] = &[
    (SyncroTenant::KIND, load::<SyncroTenant>),
    (Organization::KIND, load::<Organization>),
    (MicrosoftTenant::KIND, load::<MicrosoftTenant>),
    (EndUser::KIND, load::<EndUser>),
    (UserSyncSettings::KIND, load::<UserSyncSettings>),
    (UserSyncState::KIND, load::<UserSyncState>),
    (Account::KIND, load::<Account>),
    (User::KIND, load::<User>),
    (Integration::KIND, load::<Integration>),
    (SyncReport::KIND, load::<SyncReport>),
    (SyncJob::KIND, load::<SyncJob>),
];

/// A kind kept in a map of the account's data (`$map`, a path from `$a`), by the id `$id`
/// of the record `$r`.
macro_rules! kept_in_map {
    ($t:ty, $kind:literal, $id_ty:ty, |$r:ident| $id:expr, |$a:ident| $map:expr) => {
        impl Kept for $t {
            const KIND: &'static str = $kind;
            type Id = $id_ty;
            fn id(&self) -> $id_ty {
                let $r = self;
                $id
            }
            fn committed($a: &AccountData, id: $id_ty) -> Option<&Self> {
                $map.get(&id)
            }
            fn commit($a: &mut AccountData, id: $id_ty, record: Option<Self>) {
                match record {
                    Some(r) => {
                        $map.insert(id, r);
                    }
                    None => {
                        $map.remove(&id);
                    }
                }
            }
        }
    };
}

/// A kind an account has at most one of, kept in `$field` of its data.
macro_rules! kept_once {
    ($t:ty, $kind:literal, $field:ident) => {
        impl Kept for $t {
            const KIND: &'static str = $kind;
            type Id = One;
            fn id(&self) -> One {
                One
            }
            fn committed(acct: &AccountData, _: One) -> Option<&Self> {
                acct.$field.as_ref()
            }
            fn commit(acct: &mut AccountData, _: One, record: Option<Self>) {
                acct.$field = record;
            }
        }
    };
}

kept_in_map!(SyncroTenant, "st", SyncroTenantId, |r| r.id, |a| a
    .listed
    .syncro);
kept_in_map!(Organization, "org", OrganizationId, |r| r.id, |a| a
    .listed
    .orgs);
kept_in_map!(
    MicrosoftTenant,
    "mt",
    MicrosoftTenantId,
    |r| r.tenant_id,
    |a| a.listed.tenants
);
kept_in_map!(User, "user", UserId, |r| r.id, |a| a.users);
kept_in_map!(
    UserSyncSettings,
    "usync",
    SyncroTenantId,
    |r| r.syncro_tenant,
    |a| a.user_syncs
);
kept_in_map!(
    UserSyncState,
    "usyncstate",
    SyncroTenantId,
    |r| r.syncro_tenant,
    |a| a.user_sync_states
);
kept_once!(Account, "acct", info);
kept_once!(Integration, "int", integration);
kept_once!(SyncReport, "sync", sync_report);
kept_once!(SyncJob, "job", sync_job);

/// An End User also keeps its place in its Organization's list and its Entra link in step.
impl Kept for EndUser {
    const KIND: &'static str = "eu";
    type Id = EndUserId;
    fn id(&self) -> EndUserId {
        self.id
    }
    fn committed(acct: &AccountData, id: EndUserId) -> Option<&Self> {
        acct.end_users.get(&id)
    }
    fn commit(acct: &mut AccountData, id: EndUserId, record: Option<Self>) {
        if let Some(old) = acct.end_users.remove(&id) {
            acct.end_user_places.remove(&old.place());
            if let Some(l) = link_of(&old) {
                acct.links.remove(&l);
            }
        }
        if let Some(r) = record {
            acct.end_user_places.insert(r.place());
            if let Some(l) = link_of(&r) {
                acct.links.insert(l, id);
            }
            acct.end_users.insert(id, r);
        }
    }
}
