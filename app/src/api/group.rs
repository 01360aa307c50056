//! *Group under one Syncro Tenant* (S4 in one step): the page's choices and preview, and
//! applying exactly what was previewed as one atomic change ([`crate::domain::mapping::group`]).

// A server function's arguments are its form's fields, one each.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::{Caller, admin, caller},
    crate::domain::Ctx,
    crate::domain::mapping::group::{self, GroupPlan, GroupTarget, Grouping, MAX_GROUP},
    crate::domain::*,
    crate::services::changes::apply,
    crate::store::{MappingFilter, prelude::*},
    sha2::Digest as _,
};

/// Unmapped Microsoft Tenants offered on the page for one search.
pub const TENANT_CHOICES: u32 = 20;

/// The page: the chosen Organizations (`orgs`: ids), the Syncro Tenant to keep (`target`: an
/// id, "" for a new one, "auto" for the offered default), its `name` (offered when empty), the
/// Microsoft Tenant (`tenant`: its ID, "" to leave the mapping), Microsoft Tenants matching
/// `tenant_query`, whether to delete emptied Syncro Tenants, and with `preview` = "1" what
/// applying does.
#[server(prefix = "/api", endpoint = "plan-grouping")]
pub async fn plan_grouping(
    #[server(default)] orgs: Vec<String>,
    #[server(default)] target: String,
    #[server(default)] name: String,
    #[server(default)] tenant: String,
    #[server(default)] tenant_query: String,
    #[server(default)] keep_empty: String,
    #[server(default)] preview: String,
) -> Result<GroupView, AppError> {
    let (caller, store) = caller().await?;
    let acct = &caller.account;
    let chosen = Chosen::read(&*store, &caller, &orgs, &target, &name, &tenant).await?;
    let tenant_query: String = tenant_query.trim().chars().take(120).collect();
    let search = if tenant_query.is_empty() {
        chosen.name.split_whitespace().next().unwrap_or("")
    } else {
        &tenant_query
    };
    let mut query = ListQuery::from_params(search, "name", "asc", "1");
    query.per_page = TENANT_CHOICES;
    let mut tenants = chosen.mapped.clone();
    if let Some(t) = &chosen.tenant
        && !tenants.iter().any(|m| m.tenant_id == t.tenant_id)
    {
        tenants.push(t.clone());
    }
    let unmapped = store
        .list_microsoft_tenants(acct, &query, MappingFilter::Unmapped)
        .await?;
    for t in unmapped.items {
        if !tenants.iter().any(|m| m.tenant_id == t.tenant_id) {
            tenants.push(t);
        }
    }
    let delete_empty = keep_empty != "true";
    let (preview, digest, problem) = if preview == "1" {
        match chosen.plan(&caller.ctx(), delete_empty) {
            Ok(plan) => {
                let digest = digest_of(&plan.steps);
                (Some(plan.steps), digest, None)
            }
            Err(e) => (None, String::new(), Some(e)),
        }
    } else {
        (None, String::new(), chosen.problem.clone())
    };
    let name_of = |id| {
        chosen
            .parents
            .iter()
            .find(|p| p.id == id)
            .map(NamedRef::from)
            .unwrap_or_else(|| NamedRef {
                id: id.to_string(),
                name: String::new(),
            })
    };
    Ok(GroupView {
        organizations: chosen
            .organizations
            .iter()
            .map(|o| GroupMember {
                id: o.id.to_string(),
                name: o.name.to_string(),
                syncro_tenant: name_of(o.syncro_tenant),
            })
            .collect(),
        parents: chosen.parents.iter().map(NamedRef::from).collect(),
        target: chosen.target.map(|t| t.to_string()).unwrap_or_default(),
        name: chosen.name.clone(),
        tenants: tenants
            .iter()
            .map(|t| {
                let st = t.syncro_tenant.map(name_of);
                MicrosoftTenantRow::new(t, st)
            })
            .collect(),
        tenant: chosen
            .tenant
            .as_ref()
            .map(|t| t.tenant_id.to_string())
            .unwrap_or_default(),
        tenant_query,
        delete_empty,
        preview,
        digest,
        problem,
    })
}

/// *Apply*: the grouping planned again on the records as they are now; applied as one change
/// only when it still does exactly what the preview showed (`digest`), else refused as stale.
/// Redirects to the Syncro Tenant's page.
#[server(prefix = "/api", endpoint = "group-organizations")]
pub async fn group_organizations(
    #[server(default)] orgs: Vec<String>,
    target: String,
    name: String,
    #[server(default)] tenant: String,
    #[server(default)] keep_empty: String,
    digest: String,
) -> Result<String, AppError> {
    let (caller, store) = admin().await?;
    let acct = &caller.account;
    let chosen = Chosen::read(&*store, &caller, &orgs, &target, &name, &tenant).await?;
    let ctx = caller.ctx();
    let plan = chosen.plan(&ctx, keep_empty != "true")?;
    if digest_of(&plan.steps) != digest {
        return Err(AppError::Stale);
    }
    apply(&*store, acct, plan.change, &chosen.name).await?;
    let target = plan.target;
    crate::status::say_undoable(
        format!(
            "Grouped {} Organization{} under {}.",
            chosen.organizations.len(),
            if chosen.organizations.len() == 1 {
                ""
            } else {
                "s"
            },
            chosen.name
        ),
        super::tenants::undo_token(&ctx),
    );
    leptos_axum::redirect(&format!("/syncro-tenants/{target}"));
    Ok(target.to_string())
}

/// The records a grouping is decided on, read strongly, and the choices parsed.
#[cfg(feature = "ssr")]
struct Chosen {
    organizations: Vec<Organization>,
    parents: Vec<SyncroTenant>,
    /// `None`: a new Syncro Tenant.
    target: Option<SyncroTenantId>,
    name: String,
    tenant: Option<MicrosoftTenant>,
    /// The Microsoft Tenants mapped to the parents.
    mapped: Vec<MicrosoftTenant>,
    /// A choice that cannot be planned (shown before any preview).
    problem: Option<AppError>,
}

#[cfg(feature = "ssr")]
impl Chosen {
    async fn read(
        store: &dyn Store,
        caller: &Caller,
        orgs: &[String],
        target: &str,
        name: &str,
        tenant: &str,
    ) -> Result<Self, AppError> {
        let acct = &caller.account;
        let mut ids = Vec::new();
        for id in orgs.iter().filter(|s| !s.is_empty()).take(MAX_GROUP + 1) {
            ids.push(OrganizationId::parse(id)?);
        }
        let organizations = store.organizations_by_ids(acct, &ids).await?;
        let parent_ids: Vec<SyncroTenantId> =
            organizations.iter().map(|o| o.syncro_tenant).collect();
        let parents = store.syncro_tenants_by_ids(acct, &parent_ids).await?;
        let mapped_ids: Vec<MicrosoftTenantId> =
            parents.iter().filter_map(|p| p.microsoft_tenant).collect();
        let mapped = store.microsoft_tenants_by_ids(acct, &mapped_ids).await?;
        let offered = group::common_name(organizations.iter().map(|o| o.name.as_str()));
        let target = match target.trim() {
            "" => None,
            "auto" => parents
                .iter()
                .find(|p| p.name.key() == name_key(&offered))
                .map(|p| p.id),
            id => {
                let id = SyncroTenantId::parse(id)?;
                if !parents.iter().any(|p| p.id == id) {
                    return Err(AppError::validation(
                        "target",
                        "Choose one of these Organizations' Syncro Tenants, or a new one",
                    ));
                }
                Some(id)
            }
        };
        let tenant = match tenant.trim() {
            "" => None,
            id => {
                let id = MicrosoftTenantId::parse(id)?;
                Some(store.microsoft_tenant(acct, id).await?.ok_or_else(|| {
                    AppError::validation("tenant", "That Microsoft Tenant is not known here")
                })?)
            }
        };
        let problem = if organizations.is_empty() {
            Some(AppError::validation(
                "organizations",
                "Choose the Organizations to group on the Organizations list first",
            ))
        } else if ids.len() > MAX_GROUP {
            Some(AppError::validation(
                "organizations",
                format!("Group at most {MAX_GROUP} Organizations at a time"),
            ))
        } else {
            None
        };
        let name = match name.trim() {
            "" => offered,
            given => given.chars().take(200).collect(),
        };
        Ok(Chosen {
            organizations,
            parents,
            target,
            name,
            tenant,
            mapped,
            problem,
        })
    }

    fn plan(&self, ctx: &Ctx, delete_empty: bool) -> Result<GroupPlan, AppError> {
        if let Some(p) = &self.problem {
            return Err(p.clone());
        }
        let name = SyncroTenantName::parse(&self.name)?;
        let target = match self.target {
            Some(id) => GroupTarget::Existing(
                self.parents
                    .iter()
                    .find(|p| p.id == id)
                    .ok_or(AppError::Stale)?,
            ),
            None => GroupTarget::New(SyncroTenantId::from_uuid(new_id(
                &self.organizations,
                &self.name,
            ))),
        };
        Ok(group::group(
            ctx,
            &Grouping {
                organizations: &self.organizations,
                parents: &self.parents,
                target,
                name: &name,
                tenant: self.tenant.as_ref(),
                delete_empty,
            },
        )?)
    }
}

/// A new Syncro Tenant's id, the same for the preview and the apply of one choice (so the
/// preview's words name what is applied); a second grouping into a new Syncro Tenant of that
/// name is refused by R3 anyway.
#[cfg(feature = "ssr")]
fn new_id(orgs: &[Organization], name: &str) -> uuid::Uuid {
    let mut h = sha2::Sha256::new();
    for o in orgs {
        h.update(o.id.as_uuid().as_bytes());
    }
    h.update(name_key(name).as_bytes());
    let bytes: [u8; 16] = h.finalize()[..16].try_into().unwrap_or_default();
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(feature = "ssr")]
fn digest_of(steps: &[String]) -> String {
    let mut h = sha2::Sha256::new();
    for s in steps {
        h.update(s.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}
