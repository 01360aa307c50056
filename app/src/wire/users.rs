//! Who is signed in, and Admin › Users.

use crate::domain::{Role, User, UserId};
use serde::{Deserialize, Serialize};

/// The signed-in user, for the header and for showing or hiding the changing actions (the
/// server checks the role again on every change).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub role: Role,
    pub account_name: String,
}

impl Me {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Administrator
    }
}

/// A row of Admin > Users. Never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub active: bool,
    pub version: u64,
    pub is_you: bool,
}

impl UserRow {
    pub fn new(u: &User, you: UserId) -> Self {
        UserRow {
            id: u.id.to_string(),
            email: u.email.to_string(),
            role: u.role,
            active: u.active,
            version: u.version.0,
            is_you: u.id == you,
        }
    }
}
