//! End Users: an Organization's list, a person's page, and adding, editing and deactivating by
//! hand (Administrators; Technicians read).

// A server function's arguments are its form's fields (a post without JavaScript names them);
// the End User form's seven fields are one flattened `EndUserForm`, and it has eight pins.
#![allow(clippy::too_many_arguments)]

use crate::domain::end_users::EndUserForm;
use crate::error::AppError;
use crate::wire::*;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    crate::auth::admin,
    crate::auth::caller,
    crate::domain::end_users::{
        self, END_USERS_PER_PAGE, EndUserCursor, EndUserDraft, EndUserField, EndUserFilter,
        EndUserSource,
    },
    crate::domain::{EndUserId, OrganizationId, Version},
    crate::error::ResultExt,
    crate::services::changes::apply,
};

/// One page of an Organization's End Users: active (or `inactive=1`), searched by `q`, from
/// `after` (a link's place in the list).
#[server(prefix = "/api", endpoint = "end-users")]
pub async fn list_end_users(
    organization: String,
    q: String,
    inactive: String,
    after: String,
) -> Result<EndUsersView, AppError> {
    let (caller, store) = caller().await?;
    let org_id = OrganizationId::parse(&organization)?;
    let filter = EndUserFilter {
        inactive: !inactive.is_empty(),
        words: q.chars().take(200).collect(),
    };
    let after = match after.trim() {
        "" => None,
        a => Some(EndUserCursor::parse(a)?),
    };
    let acct = &caller.account;
    let org = store.organization(acct, org_id).await.found()?;
    let page = store
        .end_users(acct, org_id, &filter, after, END_USERS_PER_PAGE)
        .await?;
    Ok(EndUsersView {
        organization: NamedRef {
            id: org.id.to_string(),
            name: org.name.to_string(),
        },
        inactive: filter.inactive,
        searched_far: page.next.is_some() && page.rows.len() < END_USERS_PER_PAGE,
        next: page.next.map(|c| c.encode()),
        rows: page
            .rows
            .into_iter()
            .map(|r| EndUserListRow {
                id: r.id.to_string(),
                name: r.name,
                email: r.email.map(|e| e.as_str().to_string()).unwrap_or_default(),
                job_title: r.job_title,
                department: r.department,
                synced: r.synced,
            })
            .collect(),
    })
}

/// A person's page: every field, where its value came from, and what is pinned.
#[server(prefix = "/api", endpoint = "end-user")]
pub async fn end_user_details(id: String) -> Result<EndUserView, AppError> {
    let (caller, store) = caller().await?;
    let id = EndUserId::parse(&id)?;
    let acct = &caller.account;
    let eu = store.end_user(acct, id).await.found()?;
    let org = store
        .organization(acct, eu.organization)
        .await
        .found_as("The End User's Organization")?;
    let source = match &eu.source {
        EndUserSource::Manual => "Added by hand".to_string(),
        EndUserSource::Entra { tenant, object_id } => {
            format!("Synced from Entra ID (tenant {tenant}, object {object_id})")
        }
    };
    let fields = EndUserField::ALL
        .iter()
        .map(|f| EndUserFieldView {
            key: f.key().to_string(),
            label: f.label().to_string(),
            value: eu.value(*f),
            origin: eu
                .origin(*f)
                .map(|o| {
                    let who = o.by.as_deref().unwrap_or("Entra ID");
                    format!("{who}, {}", o.at.display())
                })
                .unwrap_or_default(),
            pinned: eu.pinned.contains(f),
        })
        .collect();
    Ok(EndUserView {
        id: eu.id.to_string(),
        version: eu.version.0,
        organization: NamedRef {
            id: org.id.to_string(),
            name: org.name.to_string(),
        },
        name: eu.name.clone(),
        active: eu.active,
        source,
        fields,
        pinned_person: eu.pinned_person,
    })
}

/// *Add End User* to an Organization. Redirects to the person's page.
#[server(prefix = "/api", endpoint = "create-end-user")]
pub async fn create_end_user(
    organization: String,
    #[server(flatten)] fields: EndUserForm,
) -> Result<String, AppError> {
    let (caller, store) = admin().await?;
    let org_id = OrganizationId::parse(&organization)?;
    let draft = EndUserDraft::parse(&fields)?;
    let acct = &caller.account;
    let org = store.organization(acct, org_id).await.found()?;
    let id = EndUserId::from_uuid(uuid::Uuid::new_v4());
    let who = draft.name.clone();
    apply(
        &*store,
        acct,
        end_users::add(&caller.ctx(), id, &org, draft),
        &who,
    )
    .await?;
    crate::status::say(format!("Added {who} to {}.", org.name));
    leptos_axum::redirect(&format!("/end-users/{id}"));
    Ok(id.to_string())
}

/// *Edit End User*: the fields, and the pins a sync respects (`pin_<field>`, `pin_person`: a
/// checkbox each).
#[server(prefix = "/api", endpoint = "update-end-user")]
pub async fn update_end_user(
    id: String,
    version: String,
    #[server(flatten)] fields: EndUserForm,
    #[server(default)] pin_name: String,
    #[server(default)] pin_email: String,
    #[server(default)] pin_other_emails: String,
    #[server(default)] pin_job_title: String,
    #[server(default)] pin_department: String,
    #[server(default)] pin_office_location: String,
    #[server(default)] pin_phone: String,
    #[server(default)] pin_person: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = EndUserId::parse(&id)?;
    let expected = Version::parse(&version)?;
    let draft = EndUserDraft::parse(&fields)?;
    let pins = [
        (EndUserField::Name, pin_name),
        (EndUserField::Email, pin_email),
        (EndUserField::OtherEmails, pin_other_emails),
        (EndUserField::JobTitle, pin_job_title),
        (EndUserField::Department, pin_department),
        (EndUserField::OfficeLocation, pin_office_location),
        (EndUserField::Phone, pin_phone),
    ];
    let pinned = pins
        .into_iter()
        .filter(|(_, on)| !on.is_empty())
        .map(|(f, _)| f)
        .collect();
    let acct = &caller.account;
    let eu = store.end_user(acct, id).await.found_at(expected)?;
    let who = draft.name.clone();
    let change = end_users::edit(&caller.ctx(), &eu, draft, pinned, !pin_person.is_empty());
    if change.is_empty() {
        crate::status::say("Nothing changed.");
    } else {
        apply(&*store, acct, change, &who).await?;
        crate::status::say(format!("Saved {who}."));
    }
    leptos_axum::redirect(&format!("/end-users/{id}"));
    Ok(())
}

/// *Deactivate* (`active` empty) or *Reactivate* (`active=1`) a person by hand.
#[server(prefix = "/api", endpoint = "set-end-user-active")]
pub async fn set_end_user_active(
    id: String,
    version: String,
    #[server(default)] active: String,
) -> Result<(), AppError> {
    let (caller, store) = admin().await?;
    let id = EndUserId::parse(&id)?;
    let expected = Version::parse(&version)?;
    let acct = &caller.account;
    let eu = store.end_user(acct, id).await.found_at(expected)?;
    let active = !active.is_empty();
    let change = end_users::set_active(&caller.ctx(), &eu, active)?;
    apply(&*store, acct, change, &eu.name).await?;
    crate::status::say(if active {
        format!("{} is active again.", eu.name)
    } else {
        format!("{} is inactive: kept, with their history.", eu.name)
    });
    leptos_axum::redirect(&format!("/end-users/{id}"));
    Ok(())
}
