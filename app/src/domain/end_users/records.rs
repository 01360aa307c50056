//! An End User as stored, and the rows and pages its lists are read in.

use super::EndUserDraft;
use crate::domain::{
    DomainError, Email, EndUserId, MicrosoftTenantId, OrganizationId, Timestamp, Version, names,
    sort_key,
};
use serde::{Deserialize, Serialize};

/// The fields a person has, in the order the pages show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EndUserField {
    Name,
    Email,
    OtherEmails,
    JobTitle,
    Department,
    OfficeLocation,
    Phone,
}

impl EndUserField {
    pub const ALL: [EndUserField; 7] = [
        EndUserField::Name,
        EndUserField::Email,
        EndUserField::OtherEmails,
        EndUserField::JobTitle,
        EndUserField::Department,
        EndUserField::OfficeLocation,
        EndUserField::Phone,
    ];

    pub fn label(self) -> &'static str {
        match self {
            EndUserField::Name => "Name",
            EndUserField::Email => "Email",
            EndUserField::OtherEmails => "Other emails",
            EndUserField::JobTitle => "Job title",
            EndUserField::Department => "Department",
            EndUserField::OfficeLocation => "Office location",
            EndUserField::Phone => "Phone",
        }
    }

    /// The form field's name.
    pub fn key(self) -> &'static str {
        match self {
            EndUserField::Name => "name",
            EndUserField::Email => "email",
            EndUserField::OtherEmails => "other_emails",
            EndUserField::JobTitle => "job_title",
            EndUserField::Department => "department",
            EndUserField::OfficeLocation => "office_location",
            EndUserField::Phone => "phone",
        }
    }
}

/// Where a field's value came from: typed by an Administrator (`by`), or Entra ID (`by: None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldOrigin {
    pub field: EndUserField,
    #[serde(default)]
    pub by: Option<String>,
    pub at: Timestamp,
}

/// How the person came to be here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndUserSource {
    /// Added by hand.
    Manual,
    /// Linked to an Entra ID user (followed by its object id from then on).
    Entra {
        tenant: MicrosoftTenantId,
        object_id: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUser {
    pub id: EndUserId,
    pub organization: OrganizationId,
    pub name: String,
    /// Unique in the account, ignoring case (stored lowercased).
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub other_emails: Vec<Email>,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub office_location: String,
    #[serde(default)]
    pub phone: String,
    /// Inactive people are kept (never deleted): their tickets and history stay theirs.
    pub active: bool,
    pub source: EndUserSource,
    /// Fields a sync never overwrites.
    #[serde(default)]
    pub pinned: Vec<EndUserField>,
    /// The whole person: a sync neither overwrites nor deactivates them.
    #[serde(default)]
    pub pinned_person: bool,
    /// Where each field that has a value came from.
    #[serde(default)]
    pub origins: Vec<FieldOrigin>,
    /// What Entra ID last said of the linked user (a later change may report only what
    /// changed).
    #[serde(default)]
    pub entra: Option<crate::domain::end_users::sync::EntraUser>,
    pub version: Version,
    pub updated_at: Timestamp,
}

record_kind!(EndUser, "End User");

/// Most other emails kept per person.
pub const OTHER_EMAILS_KEPT: usize = 10;
/// Longest job title, department, office location or phone.
pub const DETAIL_MAX_CHARS: usize = 120;

impl EndUser {
    /// A new, active person with no values yet, at version 1.
    pub fn new(
        id: EndUserId,
        organization: OrganizationId,
        source: EndUserSource,
        now: Timestamp,
    ) -> Self {
        EndUser {
            id,
            organization,
            name: String::new(),
            email: None,
            other_emails: Vec::new(),
            job_title: String::new(),
            department: String::new(),
            office_location: String::new(),
            phone: String::new(),
            active: true,
            source,
            pinned: Vec::new(),
            pinned_person: false,
            origins: Vec::new(),
            entra: None,
            version: Version(1),
            updated_at: now,
        }
    }

    /// Where the person's row is listed.
    pub fn place(&self) -> EndUserPlace {
        EndUserPlace::of(self.organization, self.active, &self.name, self.id)
    }

    pub fn row(&self) -> EndUserRow {
        EndUserRow {
            id: self.id,
            organization: self.organization,
            name: self.name.clone(),
            email: self.email.clone(),
            job_title: self.job_title.clone(),
            department: self.department.clone(),
            active: self.active,
            synced: matches!(self.source, EndUserSource::Entra { .. }),
        }
    }

    /// A field's value as a form shows it (other emails separated by ", ").
    pub fn value(&self, field: EndUserField) -> String {
        let email = |e: &Email| e.as_str().to_string();
        match field {
            EndUserField::Name => self.name.clone(),
            EndUserField::Email => self.email.as_ref().map(email).unwrap_or_default(),
            EndUserField::OtherEmails => self
                .other_emails
                .iter()
                .map(email)
                .collect::<Vec<_>>()
                .join(", "),
            EndUserField::JobTitle => self.job_title.clone(),
            EndUserField::Department => self.department.clone(),
            EndUserField::OfficeLocation => self.office_location.clone(),
            EndUserField::Phone => self.phone.clone(),
        }
    }

    pub fn origin(&self, field: EndUserField) -> Option<&FieldOrigin> {
        self.origins.iter().find(|o| o.field == field)
    }

    pub(super) fn draft(&self) -> EndUserDraft {
        EndUserDraft {
            name: self.name.clone(),
            email: self.email.clone(),
            other_emails: self.other_emails.clone(),
            job_title: self.job_title.clone(),
            department: self.department.clone(),
            office_location: self.office_location.clone(),
            phone: self.phone.clone(),
        }
    }
}

/// Where an End User's row sits in its Organization's list: active or not, then name order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EndUserPlace {
    pub organization: OrganizationId,
    pub active: bool,
    pub name_key: String,
    pub id: EndUserId,
}

impl EndUserPlace {
    /// Before the first row of an Organization's active (or inactive) list.
    pub fn start(organization: OrganizationId, active: bool) -> Self {
        EndUserPlace {
            organization,
            active,
            name_key: String::new(),
            id: EndUserId::from_uuid(uuid::Uuid::nil()),
        }
    }
    /// Whether this is a list's [`start`](Self::start), before any row.
    pub fn is_start(&self) -> bool {
        self.name_key.is_empty() && self.id == EndUserId::from_uuid(uuid::Uuid::nil())
    }
    /// Where `cursor` stands in an Organization's active (or inactive) list; its list's
    /// [`start`](Self::start) when there is none.
    pub fn at(organization: OrganizationId, active: bool, cursor: Option<&EndUserCursor>) -> Self {
        match cursor {
            Some(c) => EndUserPlace {
                name_key: c.name_key.clone(),
                id: c.id,
                ..EndUserPlace::start(organization, active)
            },
            None => EndUserPlace::start(organization, active),
        }
    }
    /// The place of a person named `name` in an Organization's active (or inactive) list.
    pub fn of(organization: OrganizationId, active: bool, name: &str, id: EndUserId) -> Self {
        EndUserPlace {
            organization,
            active,
            name_key: sort_key(name),
            id,
        }
    }
}

/// A batch of one End User list to read: at most `n` rows after the place `after` (in its
/// list: the same Organization, active or not), in name order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUserBatch {
    pub after: EndUserPlace,
    pub n: usize,
}

/// What a list shows of an End User.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserRow {
    /// Which list it is in (its [`EndUserPlace`]), then what the row shows.
    pub organization: OrganizationId,
    pub active: bool,
    pub id: EndUserId,
    pub name: String,
    #[serde(default)]
    pub email: Option<Email>,
    #[serde(default)]
    pub job_title: String,
    #[serde(default)]
    pub department: String,
    pub synced: bool,
}

impl EndUserRow {
    pub fn place(&self) -> EndUserPlace {
        EndUserPlace::of(self.organization, self.active, &self.name, self.id)
    }
}

/// A place in a list to go on from: the last row of a page (its name key and id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUserCursor {
    pub name_key: String,
    pub id: EndUserId,
}

impl EndUserCursor {
    pub fn of(row: &EndUserRow) -> Self {
        EndUserCursor {
            name_key: sort_key(&row.name),
            id: row.id,
        }
    }
    /// `{id}:{name key}` (for a link).
    pub fn encode(&self) -> String {
        format!("{}:{}", self.id, self.name_key)
    }
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::invalid("after", "not a place in the list");
        let (id, key) = raw.split_once(':').ok_or_else(bad)?;
        if key.chars().count() > NAME_MAX_KEY || key.chars().any(names::is_format) {
            return Err(bad());
        }
        Ok(EndUserCursor {
            name_key: key.to_string(),
            id: EndUserId::parse(id).map_err(|_| bad())?,
        })
    }
}

/// A name key is at most as long as a name (120 characters; lowercasing may add a few).
const NAME_MAX_KEY: usize = 4 * names::NAME_MAX_CHARS;

/// Which End Users a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndUserFilter {
    pub inactive: bool,
    /// Words that must all appear in the name, an email, the job title or the department.
    pub words: String,
}

impl EndUserFilter {
    pub fn matches(&self, row: &EndUserRow) -> bool {
        let words = self.words.to_lowercase();
        words.split_whitespace().all(|w| {
            row.name.to_lowercase().contains(w)
                || row.email.as_ref().is_some_and(|e| e.as_str().contains(w))
                || row.job_title.to_lowercase().contains(w)
                || row.department.to_lowercase().contains(w)
        })
    }
}

/// Rows read from a store per request of a list.
pub const END_USER_BATCH: usize = 100;
/// Most rows one page looks through when searching (then it ends with a link to go on).
pub const END_USER_SCAN: usize = 2_000;
pub const END_USERS_PER_PAGE: usize = 25;

/// One page of an Organization's End Users.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EndUserPage {
    pub rows: Vec<EndUserRow>,
    /// Where the next page starts, when there is one (or the search looked far enough).
    pub next: Option<EndUserCursor>,
    pub scanned: usize,
}
