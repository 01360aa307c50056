//! The record kinds the DynamoDB store keeps as whole items, each in one place ([`Entity`],
//! after modyne's): where its item lives in the account's partition, and the item (the
//! record's fields with its key and `kind`). How a write of the kind is conditioned stays with
//! the write (`writes.rs`); the table's layout with the keys (`keys.rs`).

use super::*;
use app::domain::end_users::sync::{UserSyncSettings, UserSyncState};
use app::domain::integration::sync_job::SyncJob;
use serde::{Serialize, de::DeserializeOwned};

/// A record kind kept as one item.
pub(super) trait Entity: Serialize + DeserializeOwned {
    type Id;
    /// The key of the record with this id in `account`.
    fn key(account: &AccountId, id: Self::Id) -> Key;
    fn id(&self) -> Self::Id;

    /// This record's key in `account`.
    fn key_in(&self, account: &AccountId) -> Key {
        Self::key(account, self.id())
    }

    /// The item this record is stored as (absent fields are left out, not written as null).
    fn item(&self, account: &AccountId) -> StoreResult<Item> {
        let mut item = keys::to_item(&self.key_in(account), self).map_err(unavailable)?;
        item.retain(|_, v| !matches!(v, AttributeValue::Null(_)));
        Ok(item)
    }
}

/// A kind with an id field `$field` under the account, at `Key::$key`.
macro_rules! entity {
    ($t:ty, $id:ty, $field:ident, $key:ident) => {
        impl Entity for $t {
            type Id = $id;
            fn key(account: &AccountId, id: $id) -> Key {
                Key::$key(account.clone(), id)
            }
            fn id(&self) -> $id {
                self.$field
            }
        }
    };
    // An account has at most one.
    ($t:ty, $key:ident) => {
        impl Entity for $t {
            type Id = ();
            fn key(account: &AccountId, _: ()) -> Key {
                Key::$key(account.clone())
            }
            fn id(&self) {}
        }
    };
}

entity!(SyncroTenant, SyncroTenantId, id, SyncroTenant);
entity!(Organization, OrganizationId, id, Organization);
entity!(
    MicrosoftTenant,
    MicrosoftTenantId,
    tenant_id,
    MicrosoftTenant
);
entity!(EndUser, EndUserId, id, EndUser);
entity!(User, UserId, id, User);
entity!(UserSyncSettings, SyncroTenantId, syncro_tenant, UserSync);
entity!(UserSyncState, SyncroTenantId, syncro_tenant, UserSyncState);
entity!(Account, Account);
entity!(Integration, Integration);
entity!(SyncReport, SyncReport);
entity!(SyncJob, SyncJob);

impl Entity for AuditEntry {
    type Id = (Timestamp, String);
    fn key(account: &AccountId, (at, id): (Timestamp, String)) -> Key {
        Key::Audit(account.clone(), at, id)
    }
    fn id(&self) -> (Timestamp, String) {
        (self.at, self.id.clone())
    }
}

impl DynamoStore {
    /// The record of kind `T` with this id (strongly consistent).
    pub(super) async fn entity<T: Entity>(
        &self,
        account: &AccountId,
        id: T::Id,
    ) -> StoreResult<Option<T>> {
        self.get_record(&T::key(account, id)).await
    }

    /// Puts the whole record, on `cond`.
    pub(super) fn put_entity<T: Entity>(
        &self,
        account: &AccountId,
        record: &T,
        cond: Option<Cond>,
    ) -> StoreResult<TransactWriteItem> {
        self.put(record.item(account)?, cond)
    }
}
