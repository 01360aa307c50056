//! An Organization's End Users: the list, one person's page.

use super::NamedRef;
use serde::{Deserialize, Serialize};

/// An End User in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserListRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub department: String,
    pub synced: bool,
}

/// A page of an Organization's End Users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUsersView {
    pub organization: NamedRef,
    pub inactive: bool,
    pub rows: Vec<EndUserListRow>,
    /// The `after` of the next page, when there is one.
    pub next: Option<String>,
    /// True when a search looked through its most rows before filling the page.
    pub searched_far: bool,
}

/// One field of a person, with where its value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserFieldView {
    /// The form field's name (`name`, `job_title`, …).
    pub key: String,
    pub label: String,
    pub value: String,
    /// "Entra ID, 2026-11-28 06:00 UTC" or "admin@msp.example, …"; empty without a value.
    pub origin: String,
    pub pinned: bool,
}

/// A person's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndUserView {
    pub id: String,
    pub version: u64,
    pub organization: NamedRef,
    pub name: String,
    pub active: bool,
    /// "Added by hand" or "Synced from Entra ID (…)".
    pub source: String,
    pub fields: Vec<EndUserFieldView>,
    pub pinned_person: bool,
}
