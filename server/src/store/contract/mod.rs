//! The store contract: one suite written against `&dyn Store`, instantiated for every store
//! with [`contract_tests!`]. Each test gets a fresh, empty store. The cases are split like the
//! port: [`records`] (the rules R1–R5, R7, R8 through changes), [`lists`], [`integrations`]
//! (discovery and the Microsoft integration) and [`identity`]; this file holds the helpers they
//! share and the invariants checked after every case.

mod activity;
mod changes;
mod end_users;
mod group;
mod identity;
mod integrations;
mod lists;
mod records;
mod suggestions;

pub use activity::*;
pub use changes::*;
pub use end_users::*;
pub use group::*;
pub use identity::*;
pub use integrations::*;
pub use lists::*;
pub use records::*;
pub use suggestions::*;

use app::domain::integration::discovery::{DiscoveryAudit, TENANTS_PER_CHANGE};
use app::domain::lists::ListQuery;
use app::domain::mapping::rules::{self, Parent};
use app::domain::*;
use app::services::discovery;
use app::store::prelude::*;
use app::store::{MappingFilter, ParentFilter};
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

static CLOCK: AtomicU64 = AtomicU64::new(1);

pub fn ctx() -> Ctx {
    let t = CLOCK.fetch_add(1, Ordering::SeqCst) as i64;
    Ctx {
        actor: "admin@msp.example".into(),
        now: Timestamp(1_790_000_000_000 + t),
        audit_id: Uuid::new_v4().to_string(),
    }
}

pub fn acct() -> AccountId {
    AccountId::parse("acme-msp").unwrap()
}

pub async fn create_org(
    store: &dyn Store,
    a: &AccountId,
    name: &str,
) -> StoreResult<(Organization, SyncroTenant)> {
    let id = OrganizationId::from_uuid(Uuid::new_v4());
    let st_id = SyncroTenantId::from_uuid(Uuid::new_v4());
    let c = rules::create_organization(
        &ctx(),
        id,
        OrganizationName::parse(name).unwrap(),
        Default::default(),
        Parent::Automatic(st_id),
    );
    store.apply(a, c).await?;
    Ok((
        store.organization(a, id).await?.unwrap(),
        store.syncro_tenant(a, st_id).await?.unwrap(),
    ))
}

pub async fn discover(store: &dyn Store, a: &AccountId, n: u128, name: &str) -> MicrosoftTenant {
    let id = MicrosoftTenantId::from_uuid(Uuid::from_u128(0x7000_0000 + n));
    let t =
        DiscoveredTenant::parse(&id.to_string(), name, &format!("t{n}.onmicrosoft.com")).unwrap();
    record(store, a, vec![t], Coverage::Partial).await;
    store.microsoft_tenant(a, id).await.unwrap().unwrap()
}

async fn st(store: &dyn Store, a: &AccountId, id: SyncroTenantId) -> SyncroTenant {
    store
        .syncro_tenant(a, id)
        .await
        .unwrap()
        .expect("syncro tenant exists")
}

async fn mt(store: &dyn Store, a: &AccountId, id: MicrosoftTenantId) -> MicrosoftTenant {
    store
        .microsoft_tenant(a, id)
        .await
        .unwrap()
        .expect("microsoft tenant exists")
}

fn everything() -> ListQuery {
    ListQuery {
        per_page: 100_000,
        ..ListQuery::default()
    }
}

/// Every Syncro Tenant, Organization and Microsoft Tenant of an account, from the lists.
/// Every Syncro Tenant, Organization and Microsoft Tenant of the account.
pub async fn everything_in(
    store: &dyn Store,
    a: &AccountId,
) -> (Vec<SyncroTenant>, Vec<Organization>, Vec<MicrosoftTenant>) {
    let q = everything();
    let sts = store.list_syncro_tenants(a, &q, false).await.unwrap().items;
    let orgs = store
        .list_organizations(a, &q, ParentFilter::Any)
        .await
        .unwrap()
        .items;
    let mts = store
        .list_microsoft_tenants(a, &q, MappingFilter::All)
        .await
        .unwrap()
        .items;
    (sts, orgs, mts)
}

/// R1–R3 over the whole account, checked from the lists.
pub async fn assert_invariants(store: &dyn Store, a: &AccountId) {
    let (sts, orgs, mts) = everything_in(store, a).await;
    for o in &orgs {
        assert!(
            sts.iter().any(|s| s.id == o.syncro_tenant),
            "R1: {} has no parent",
            o.name
        );
    }
    for s in &sts {
        let n = orgs.iter().filter(|o| o.syncro_tenant == s.id).count() as u32;
        assert_eq!(s.organization_count, n, "count of {}", s.name);
        if let Some(m) = s.microsoft_tenant {
            let m = mts
                .iter()
                .find(|t| t.tenant_id == m)
                .expect("R2: mapped tenant exists");
            assert_eq!(m.syncro_tenant, Some(s.id), "R2: both sides agree");
        }
    }
    for m in &mts {
        if let Some(s) = m.syncro_tenant {
            let s = sts
                .iter()
                .find(|x| x.id == s)
                .expect("R2: mapped syncro tenant exists");
            assert_eq!(
                s.microsoft_tenant,
                Some(m.tenant_id),
                "R2: both sides agree"
            );
        }
    }
    let mut keys: Vec<String> = sts.iter().map(|s| s.name.key()).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "R3: syncro tenant names unique");
    let mut keys: Vec<String> = orgs.iter().map(|o| o.name.key()).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(before, keys.len(), "R3: organization names unique");
}

/// Instantiates the whole suite for one store. `$make` is an async block returning a fresh,
/// empty `Arc<dyn Store>` and a guard that keeps its resources (a directory, a table) alive.
#[macro_export]
macro_rules! contract_tests {
    ($make:expr) => {
        mod contract {
            #[allow(unused_imports)]
            use super::*;
            use $crate::store::contract as c;
            macro_rules! case {
                ($name:ident) => {
                    #[tokio::test]
                    async fn $name() {
                        let (store, _guard): (std::sync::Arc<dyn app::store::Store>, _) =
                            $make.await;
                        c::$name(&*store).await;
                    }
                };
            }
            case!(automatic_syncro_tenant);
            case!(taken_automatic_name_creates_nothing);
            case!(names_are_unique_ignoring_case);
            case!(look_alike_names_are_one_name);
            case!(mapping_is_one_to_one);
            case!(stale_changes_are_refused);
            case!(delete_only_when_empty_and_unmapped);
            case!(organizations_cannot_join_a_deleted_syncro_tenant);
            case!(foggy_it_scenario);
            case!(discovery_refreshes_and_keeps_mappings);
            case!(complete_syncs_mark_removed_tenants);
            case!(large_discoveries_are_audited_parts);
            case!(interrupted_discoveries_finish_when_run_again);
            case!(integrations_connect_and_disconnect);
            case!(lists_search_filter_and_page);
            case!(accounts_are_isolated);
            case!(lookups_by_ids);
            case!(malformed_changes_are_refused_alike);
            case!(accounts_and_users);
            case!(the_last_administrator_stays);
            case!(sessions_are_kept_touched_and_deleted);
            case!(checked_files_are_kept_a_few_minutes);
            case!(a_checked_file_is_taken_once_and_kept_per_account);
            case!(failed_sign_ins_are_counted_by_email_and_address);
            case!(suggestions_come_from_domains_and_names);
            case!(needs_attention_is_filtered_and_counted);
            case!(foggy_it_in_one_step);
            case!(stale_groupings_change_nothing);
            case!(activity_of_an_account);
            case!(end_users_are_listed_by_organization_in_name_order);
            case!(end_user_emails_are_unique_per_account);
            case!(stale_end_user_edits_are_refused);
            case!(links_settings_and_state);

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_demotions_keep_an_administrator() {
                let (store, _guard): (std::sync::Arc<dyn app::store::Store>, _) = $make.await;
                c::concurrent_demotions_keep_an_administrator(store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_mapping_keeps_the_rules() {
                let (store, _guard): (std::sync::Arc<dyn app::store::Store>, _) = $make.await;
                c::concurrent_mapping_keeps_the_rules(store).await;
            }
        }
    };
}

/// One step of a random session, by index into what exists at that moment.
#[derive(Debug, Clone)]
pub enum Op {
    CreateOrg { name: usize, parent: Option<usize> },
    RenameSyncro { st: usize, name: usize },
    EditOrgParent { org: usize, st: usize },
    MoveOrgs { orgs: Vec<usize>, st: usize },
    Map { mt: usize, st: usize },
    Unmap { mt: usize },
    Delete { st: usize },
}

/// Names that collide by case and spacing, so R3 is exercised.
pub const NAMES: [&str; 6] = [
    "Acme",
    " acme ",
    "Foggy IT",
    "FOGGY  IT",
    "Harbor",
    "Summit",
];

/// Applies one random step through the rules (refusals are fine), then checks R1–R3.
pub async fn run_op(store: &dyn Store, a: &AccountId, op: &Op) {
    let (sts, orgs, mts) = everything_in(store, a).await;
    let pick = |v: usize, len: usize| if len == 0 { None } else { Some(v % len) };
    let change: Option<Result<ChangeSet, DomainError>> = match op {
        Op::CreateOrg { name, parent } => {
            let n = OrganizationName::parse(&format!(
                "{} {}",
                NAMES[name % NAMES.len()],
                name / NAMES.len() % 3
            ))
            .unwrap();
            let id = OrganizationId::from_uuid(Uuid::new_v4());
            Some(Ok(match parent.and_then(|p| pick(p, sts.len())) {
                Some(i) => rules::create_organization(
                    &ctx(),
                    id,
                    n,
                    Default::default(),
                    Parent::Existing(&sts[i]),
                ),
                None => rules::create_organization(
                    &ctx(),
                    id,
                    n,
                    Default::default(),
                    Parent::Automatic(SyncroTenantId::from_uuid(Uuid::new_v4())),
                ),
            }))
        }
        Op::RenameSyncro { st, name } => pick(*st, sts.len()).map(|i| {
            Ok(rules::rename_syncro_tenant(
                &ctx(),
                &sts[i],
                sts[i].version,
                SyncroTenantName::parse(NAMES[name % NAMES.len()]).unwrap(),
            ))
        }),
        Op::EditOrgParent { org, st } => match (pick(*org, orgs.len()), pick(*st, sts.len())) {
            (Some(o), Some(s)) => Some(Ok(rules::update_organization(
                &ctx(),
                &orgs[o],
                orgs[o].version,
                orgs[o].name.clone(),
                Default::default(),
                &sts[s],
            ))),
            _ => None,
        },
        Op::MoveOrgs { orgs: chosen, st } => pick(*st, sts.len()).and_then(|s| {
            let chosen: Vec<Organization> = chosen
                .iter()
                .filter_map(|o| pick(*o, orgs.len()).map(|i| orgs[i].clone()))
                .collect();
            (!chosen.is_empty()).then(|| rules::move_organizations(&ctx(), &sts[s], &chosen))
        }),
        Op::Map { mt, st } => match (pick(*mt, mts.len()), pick(*st, sts.len())) {
            (Some(m), Some(s)) => Some(rules::map_tenant(&ctx(), &mts[m], mts[m].version, &sts[s])),
            _ => None,
        },
        Op::Unmap { mt } => pick(*mt, mts.len()).and_then(|m| {
            let t = &mts[m];
            let s = t
                .syncro_tenant
                .and_then(|id| sts.iter().find(|s| s.id == id))?;
            Some(Ok(rules::unmap_tenant(&ctx(), t, t.version, s)))
        }),
        Op::Delete { st } => pick(*st, sts.len())
            .map(|i| rules::delete_syncro_tenant(&ctx(), &sts[i], sts[i].version)),
    };
    if let Some(Ok(change)) = change {
        assert!(
            change.clone().into_writes().is_ok(),
            "{op:?} produced a malformed change"
        );
        let _ = store.apply(a, change).await;
    }
    assert_invariants(store, a).await;
}
