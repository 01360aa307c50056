//! The default store: a single redb file under `$TENANTMAP_DATA`, with the records mirrored in
//! memory for fast search and paging.
//!
//! Writers are serialized by one lock; each [`ChangeSet`] is checked against the current
//! records, written in one redb transaction (durable on commit, crash-safe), and only then made
//! visible to readers. A refused change writes nothing.

mod disk;
mod identity;
mod integrations;
mod kinds;
mod lists;
mod records;
mod staged;

pub use disk::EmbeddedStore;
use disk::unavailable;
use kinds::{Kept, Key, One};
use staged::Staged;

use crate::store::listing;
use app::domain::end_users::sync::{UserSyncSettings, UserSyncState};
use app::domain::integration::discovery;
use app::domain::integration::sync_job::{Lease, SyncJob};

use app::domain::*;
use app::store::prelude::*;

use async_trait::async_trait;
use redb::{Database, ReadableTable, TableDefinition};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use uuid::Uuid;

/// `{account}/{kind}/{id}` → JSON record.
const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");
/// `{account}/{at:020}/{id}` → JSON audit entry.
const AUDIT: TableDefinition<&str, &[u8]> = TableDefinition::new("audit");
/// SHA-256 of a session token (hex) → JSON session.
const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");

#[derive(Default, Clone)]
struct AccountData {
    info: Option<Account>,
    users: HashMap<UserId, User>,
    /// The Syncro Tenants, Organizations and Microsoft Tenants, with the Suggestions as of the
    /// last change (computed by the first view that asks; emptied by every change).
    listed: Listed,
    end_users: HashMap<EndUserId, EndUser>,
    /// Each Organization's End Users in list order; derived from the records.
    end_user_places: std::collections::BTreeSet<app::domain::end_users::EndUserPlace>,
    /// Entra ID user (tenant, object id) → the End User linked to it; derived from the records.
    links: HashMap<(MicrosoftTenantId, String), EndUserId>,
    user_syncs: HashMap<SyncroTenantId, UserSyncSettings>,
    user_sync_states: HashMap<SyncroTenantId, UserSyncState>,
    integration: Option<Integration>,
    sync_report: Option<SyncReport>,
    sync_job: Option<SyncJob>,
    /// R3: derived from the records on load, kept in step by the changes.
    names: HashMap<(NameKind, String), Uuid>,
}

/// Everything readers see. An email is unique within an account; the index is by both.
#[derive(Default)]
struct State {
    accounts: HashMap<AccountId, AccountData>,
    /// Derived from the users on load, kept in step by the changes.
    emails: HashMap<(String, AccountId), UserId>,
}

impl State {
    fn installed(&self) -> bool {
        self.accounts.values().any(|a| a.info.is_some())
    }
}

impl AccountData {
    fn index_names(&mut self) {
        self.names.clear();
        for st in self.listed.syncro.values() {
            self.names
                .insert((NameKind::SyncroTenant, st.name.key()), st.id.as_uuid());
        }
        for o in self.listed.orgs.values() {
            self.names
                .insert((NameKind::Organization, o.name.key()), o.id.as_uuid());
        }
        self.end_user_places.clear();
        for eu in self.end_users.values() {
            if let Some(e) = &eu.email {
                self.names.insert(
                    (NameKind::EndUserEmail, e.as_str().to_string()),
                    eu.id.as_uuid(),
                );
            }
            self.end_user_places.insert(eu.place());
        }
        self.links = self
            .end_users
            .values()
            .filter_map(|eu| Some((link_of(eu)?, eu.id)))
            .collect();
    }
}

/// The Entra ID user an End User is linked to.
fn link_of(eu: &EndUser) -> Option<(MicrosoftTenantId, String)> {
    match &eu.source {
        app::domain::end_users::EndUserSource::Entra { tenant, object_id } => {
            Some((*tenant, object_id.clone()))
        }
        app::domain::end_users::EndUserSource::Manual => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn fresh() -> (Arc<dyn Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        (Arc::new(EmbeddedStore::open(dir.path()).unwrap()), dir)
    }

    crate::contract_tests!(fresh());

    #[tokio::test]
    async fn survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let a = crate::store::contract::acct();
        let (org, st, admin, session, ann) = {
            let store = EmbeddedStore::open(dir.path()).unwrap();
            let (_, admin) =
                crate::store::contract::new_account(&store, "msp-a", "admin@msp-a.example", true)
                    .await
                    .unwrap();
            let session = Session {
                token_hash: "ef".repeat(32),
                account: admin.account.clone(),
                user: admin.id,
                epoch: admin.session_epoch,
                created_at: Timestamp(1),
                last_seen: Timestamp(1),
            };
            store.put_session(session.clone()).await.unwrap();
            let (org, st) = crate::store::contract::create_org(&store, &a, "Acme Dental")
                .await
                .unwrap();
            let ann = crate::store::contract::add_end_user(
                &store,
                &a,
                &org,
                "Ann Lee",
                "ann@acme.example",
            )
            .await
            .unwrap();
            (org, st, admin, session, ann)
        };
        let store = EmbeddedStore::open(dir.path()).unwrap();
        assert!(store.installed().await.unwrap());
        assert_eq!(
            store.user_by_email(&admin.email).await.unwrap(),
            Some(admin.clone())
        );
        assert_eq!(
            store.session(&session.token_hash).await.unwrap(),
            Some(session)
        );
        // The email index is rebuilt: the same email again in the account is refused.
        let again = crate::store::contract::new_user("ADMIN@msp-a.example", Role::Technician);
        assert!(matches!(
            store
                .apply(
                    &admin.account,
                    add_user(&crate::store::contract::ctx(), &admin.account, again)
                )
                .await,
            Err(StoreError::EmailTaken(_))
        ));
        assert_eq!(
            store.organization(&a, org.id).await.unwrap(),
            Some(org.clone())
        );
        assert_eq!(store.syncro_tenant(&a, st.id).await.unwrap(), Some(st));
        assert!(matches!(
            crate::store::contract::create_org(&store, &a, "ACME DENTAL").await,
            Err(StoreError::NameTaken { .. })
        ));
        assert_eq!(store.list_audit(&a, 10).await.unwrap().len(), 2);
        // End Users: the record, its place in the list and its email are back.
        assert_eq!(store.end_user(&a, ann.id).await.unwrap(), Some(ann.clone()));
        let rows = store
            .end_user_rows(
                &a,
                &app::domain::end_users::EndUserBatch {
                    after: app::domain::end_users::EndUserPlace::start(org.id, true),
                    n: 10,
                },
            )
            .await
            .unwrap();
        assert_eq!(rows, [ann.row()]);
        assert!(matches!(
            crate::store::contract::add_end_user(&store, &a, &org, "Ann Two", "ANN@acme.example")
                .await,
            Err(StoreError::NameTaken { .. })
        ));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::store::contract::{self, Op};
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0..30usize, proptest::option::of(0..30usize)).prop_map(|(name, parent)| Op::CreateOrg { name, parent }),
            1 => (0..30usize, 0..30usize).prop_map(|(st, name)| Op::RenameSyncro { st, name }),
            2 => (0..30usize, 0..30usize).prop_map(|(org, st)| Op::EditOrgParent { org, st }),
            1 => (proptest::collection::vec(0..30usize, 1..4), 0..30usize).prop_map(|(orgs, st)| Op::MoveOrgs { orgs, st }),
            2 => (0..30usize, 0..30usize).prop_map(|(mt, st)| Op::Map { mt, st }),
            1 => (0..30usize).prop_map(|mt| Op::Unmap { mt }),
            1 => (0..30usize).prop_map(|st| Op::Delete { st }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Random sequences of operations never break R1–R3 (checked after every step).
        #[test]
        fn random_sessions_keep_the_rules(ops in proptest::collection::vec(op(), 1..40)) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                let dir = tempfile::tempdir().unwrap();
                let store = EmbeddedStore::open_with(dir.path(), false).unwrap();
                let a = contract::acct();
                for i in 0..4u128 {
                    contract::discover(&store, &a, i, &format!("Tenant {i}")).await;
                }
                for op in &ops {
                    contract::run_op(&store, &a, op).await;
                }
            });
        }
    }
}
