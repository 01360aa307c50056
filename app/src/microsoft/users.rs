//! A tenant's users from Graph, for Entra ID User Sync: `/users/delta` from the kept delta link
//! (or from the start), group members through `transitiveMembers`, and a mailbox's purpose.
//!
//! Permissions, in the customer's tenant: `User.Read.All` (users), `GroupMember.Read.All`
//! (group filters and rules), and optionally `MailboxSettings.Read` (to tell shared, room and
//! equipment mailboxes from people).

use super::{GraphError, Microsoft};
use crate::domain::end_users::sync::EntraUser;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;

/// The properties a sync reads: what End Users hold and what filters and rules look at.
pub const USER_SELECT: &str = "id,displayName,mail,userPrincipalName,proxyAddresses,jobTitle,department,officeLocation,businessPhones,mobilePhone,accountEnabled,userType,assignedLicenses";

/// A user in a Graph answer. A property left out is `None` (unchanged, in a delta); one sent
/// as `null` is `Some(Null)` (no value) — serde alone would read both as `None`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphUser {
    id: String,
    #[serde(rename = "@removed", default, deserialize_with = "present")]
    removed: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    display_name: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    mail: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    user_principal_name: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    proxy_addresses: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    job_title: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    department: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    office_location: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    business_phones: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    mobile_phone: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    account_enabled: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    user_type: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    assigned_licenses: Option<Value>,
}

/// A property that is there, `null` included (absent ones take the `default`, `None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

fn string(v: &Option<Value>) -> Option<String> {
    v.as_ref()
        .map(|v| v.as_str().unwrap_or_default().trim().to_string())
}

fn strings(v: &Option<Value>) -> Option<Vec<String>> {
    v.as_ref().map(|v| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    })
}

impl GraphUser {
    fn into_entra(self) -> EntraUser {
        let phones = strings(&self.business_phones);
        let phone = match (
            phones.as_ref().and_then(|p| p.first()),
            string(&self.mobile_phone),
        ) {
            (Some(p), _) if !p.trim().is_empty() => Some(p.trim().to_string()),
            (_, Some(m)) if !m.is_empty() => Some(m),
            (Some(_), _) | (_, Some(_)) => Some(String::new()),
            (None, None) => None,
        };
        EntraUser {
            object_id: self.id.to_lowercase(),
            removed: self.removed.is_some(),
            display_name: string(&self.display_name),
            mail: string(&self.mail),
            user_principal_name: string(&self.user_principal_name),
            proxy_addresses: strings(&self.proxy_addresses),
            job_title: string(&self.job_title),
            department: string(&self.department),
            office_location: string(&self.office_location),
            phone,
            account_enabled: self
                .account_enabled
                .as_ref()
                .map(|v| v.as_bool().unwrap_or(true)),
            guest: self
                .user_type
                .as_ref()
                .map(|v| v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("guest"))),
            licensed: self
                .assigned_licenses
                .as_ref()
                .map(|v| v.as_array().is_some_and(|a| !a.is_empty())),
            purpose: None,
        }
    }
}

/// What one read of a tenant's users found.
#[derive(Debug)]
pub struct UsersRead {
    pub users: Vec<EntraUser>,
    /// Where the next run reads changes from.
    pub delta_link: String,
    /// Every user was read (no delta link, or it had expired).
    pub full: bool,
    /// The kept delta link was refused (expired or unknown) and every user read again.
    pub resynced: bool,
}

/// What Entra ID User Sync reads of one customer's directory, signed in to it: the port the
/// sync is written against. [`Graph`] is Microsoft Graph; the sync's tests use a directory
/// kept in memory, and the HTTP fake of Microsoft stays for the end-to-end tests.
#[async_trait::async_trait]
pub trait Directory: Send + Sync {
    /// The users changed since `delta_link`, or all of them ([`read_users`]).
    async fn users(&self, delta_link: Option<&str>) -> Result<UsersRead, GraphError>;
    /// One user, every property.
    async fn user(&self, id: &str) -> Result<EntraUser, GraphError>;
    /// The object ids of a group's users, nested groups included (lower case).
    async fn group_members(&self, group: &str) -> Result<HashSet<String>, GraphError>;
    /// A mailbox's purpose ([`mailbox_purpose`]).
    async fn mailbox_purpose(&self, id: &str) -> Result<Option<String>, GraphError>;
    /// How many requests may be in flight at once.
    fn concurrency(&self) -> usize {
        1
    }
}

/// Signs in to a customer's directory with the account's Microsoft integration.
#[async_trait::async_trait]
pub trait Directories: Send + Sync {
    /// The directory of `tenant`; `Err` says, in words, why it cannot be read.
    async fn directory<'a>(
        &'a self,
        store: &dyn crate::store::Store,
        account: &crate::domain::AccountId,
        tenant: crate::domain::MicrosoftTenantId,
    ) -> Result<Box<dyn Directory + 'a>, String>;
}

/// Microsoft Graph, with a token for one tenant.
pub struct Graph<'a> {
    pub ms: &'a Microsoft,
    pub token: String,
}

#[async_trait::async_trait]
impl Directory for Graph<'_> {
    async fn users(&self, delta_link: Option<&str>) -> Result<UsersRead, GraphError> {
        read_users(self.ms, &self.token, delta_link).await
    }
    async fn user(&self, id: &str) -> Result<EntraUser, GraphError> {
        read_user(self.ms, &self.token, id).await
    }
    async fn group_members(&self, group: &str) -> Result<HashSet<String>, GraphError> {
        group_members(self.ms, &self.token, group).await
    }
    async fn mailbox_purpose(&self, id: &str) -> Result<Option<String>, GraphError> {
        mailbox_purpose(self.ms, &self.token, id).await
    }
    fn concurrency(&self) -> usize {
        self.ms.config.concurrency.max(1)
    }
}

/// A delta link Microsoft no longer knows: 410 Gone, or `syncStateNotFound` /
/// `resyncRequired` (the token expired, or the tenant's sync state was reset).
fn expired(e: &GraphError) -> bool {
    matches!(e, GraphError::Api { status, code, .. }
        if *status == 410 || code.eq_ignore_ascii_case("syncStateNotFound") || code.eq_ignore_ascii_case("resyncRequired"))
}

/// The tenant's users: the changes since `delta_link`, or all of them (first run, or the link
/// expired: then a full read, so no change is missed and links are kept by object id).
pub async fn read_users(
    ms: &Microsoft,
    token: &str,
    delta_link: Option<&str>,
) -> Result<UsersRead, GraphError> {
    let mut resynced = false;
    if let Some(link) = delta_link {
        match ms.get_delta::<GraphUser>(token, link).await {
            Ok((users, next)) => {
                return Ok(UsersRead {
                    users: users.into_iter().map(GraphUser::into_entra).collect(),
                    delta_link: next,
                    full: false,
                    resynced: false,
                });
            }
            Err(e) if expired(&e) => {
                tracing::info!(error = %e, "a user delta link expired; reading every user again");
                resynced = true;
            }
            Err(e) => return Err(e),
        }
    }
    let start = format!("/v1.0/users/delta?$select={USER_SELECT}");
    let (users, next) = ms.get_delta::<GraphUser>(token, &start).await?;
    Ok(UsersRead {
        users: users.into_iter().map(GraphUser::into_entra).collect(),
        delta_link: next,
        full: true,
        resynced,
    })
}

/// One user, every property (a delta change that left out what a new End User needs).
pub async fn read_user(ms: &Microsoft, token: &str, id: &str) -> Result<EntraUser, GraphError> {
    let u: GraphUser = ms
        .get_one(token, &format!("/v1.0/users/{id}?$select={USER_SELECT}"))
        .await?;
    Ok(u.into_entra())
}

/// The object ids of a group's users, nested groups included.
pub async fn group_members(
    ms: &Microsoft,
    token: &str,
    group: &str,
) -> Result<HashSet<String>, GraphError> {
    #[derive(Deserialize)]
    struct Member {
        id: String,
    }
    let group: String = group
        .chars()
        .filter(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect();
    let members: Vec<Member> = ms
        .get_all(
            token,
            &format!("/v1.0/groups/{group}/transitiveMembers/microsoft.graph.user?$select=id"),
        )
        .await?;
    Ok(members.into_iter().map(|m| m.id.to_lowercase()).collect())
}

/// A mailbox's `userPurpose` ("user", "shared", "room", "equipment", …); `Ok(None)` when the
/// user has no mailbox. Needs `MailboxSettings.Read`: a 403 is the caller's to read as "not
/// granted".
pub async fn mailbox_purpose(
    ms: &Microsoft,
    token: &str,
    id: &str,
) -> Result<Option<String>, GraphError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Settings {
        #[serde(default)]
        user_purpose: Option<String>,
    }
    match ms
        .get_one::<Settings>(
            token,
            &format!("/v1.0/users/{id}/mailboxSettings?$select=userPurpose"),
        )
        .await
    {
        Ok(s) => Ok(s.user_purpose.map(|p| p.to_lowercase())),
        Err(GraphError::Api { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_users_become_entra_users_with_left_out_and_null_apart() {
        let full: GraphUser = serde_json::from_value(serde_json::json!({
            "id": "AAAA0000-0000-4000-8000-000000000001",
            "displayName": "Ann Lee",
            "mail": null,
            "userPrincipalName": "ann@foggy.example",
            "proxyAddresses": ["SMTP:ann@foggy.example", "smtp:al@foggy.example", "X500:/o=x"],
            "businessPhones": [],
            "mobilePhone": "+1 555 0100",
            "accountEnabled": false,
            "userType": "Guest",
            "assignedLicenses": [{"skuId": "x"}]
        }))
        .unwrap();
        let u = full.into_entra();
        assert_eq!(u.object_id, "aaaa0000-0000-4000-8000-000000000001");
        assert_eq!(u.mail.as_deref(), Some(""), "null: no value");
        assert_eq!(u.department, None, "left out: unchanged");
        assert_eq!(u.phone.as_deref(), Some("+1 555 0100"));
        assert_eq!(
            (u.account_enabled, u.guest, u.licensed),
            (Some(false), Some(true), Some(true))
        );
        let addrs: Vec<String> = u
            .addresses()
            .iter()
            .map(|e| e.as_str().to_string())
            .collect();
        assert_eq!(addrs, ["ann@foggy.example", "al@foggy.example"]);
        let gone: GraphUser = serde_json::from_value(serde_json::json!({
            "id": "aaaa0000-0000-4000-8000-000000000002",
            "@removed": {"reason": "changed"}
        }))
        .unwrap();
        assert!(gone.into_entra().removed);
    }

    #[test]
    fn expired_delta_links_are_told_apart() {
        let api = |status, code: &str| GraphError::Api {
            status,
            code: code.into(),
            message: String::new(),
        };
        assert!(expired(&api(410, "")));
        assert!(expired(&api(400, "syncStateNotFound")));
        assert!(!expired(&api(403, "Authorization_RequestDenied")));
        assert!(!expired(&GraphError::Throttled));
    }
}
