//! What a person signs in with, parsed: an email, a password, an account's name and a role.

use crate::domain::{DomainError, names};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a user may do (R6). Administrators change things; Technicians only look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Administrator,
    Technician,
}

impl Role {
    pub fn parse(s: &str) -> Result<Role, DomainError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "administrator" | "admin" => Ok(Role::Administrator),
            "technician" | "tech" => Ok(Role::Technician),
            _ => Err(DomainError::invalid(
                "role",
                "Choose Administrator or Technician",
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Technician => "technician",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Technician => "Technician",
        }
    }
}

/// A sign-in email: trimmed, lowercased, one `@` with something on both sides and a dot in the
/// domain. Unique across the whole installation (sign-in asks only for email and password).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, DomainError> {
        let e = raw.trim().to_lowercase();
        let bad = |m: &str| Err(DomainError::invalid("email", m));
        if e.is_empty() {
            return bad("Email is required");
        }
        if e.len() > 254 {
            return bad("Email is longer than 254 characters");
        }
        if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return bad("Email must not contain spaces");
        }
        let Some((local, domain)) = e.split_once('@') else {
            return bad("Email needs an @, as in name@example.com");
        };
        let local_ok = !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
        let domain_ok = domain.contains('.')
            && domain
                .split('.')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if !local_ok || !domain_ok {
            return bad("Email is not an address such as name@example.com");
        }
        Ok(Email(e))
    }
}
text_type!(Email);

/// A password in clear, only ever held in memory on its way to the hasher. Not `Serialize`, and
/// its `Debug` prints nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    /// A password someone chooses: 12–256 characters. Spaces count; nothing is trimmed.
    pub fn new(raw: &str) -> Result<Password, DomainError> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            return Err(DomainError::invalid(
                "password",
                format!(
                    "Use at least {} characters (a few words make a good password)",
                    Self::MIN_CHARS
                ),
            ));
        }
        if n > Self::MAX_CHARS {
            return Err(DomainError::invalid(
                "password",
                format!("Use at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Password(raw.to_string()))
    }

    /// A password typed at sign-in: not checked against the rules for new ones (an older rule
    /// may have allowed it), only bounded so hashing stays cheap.
    pub fn typed(raw: &str) -> Result<Password, DomainError> {
        if raw.is_empty() {
            return Err(DomainError::invalid("password", "Password is required"));
        }
        if raw.len() > 1024 {
            return Err(DomainError::invalid("password", "Password is too long"));
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// An MSP's name, shown in the header: 1–120 characters, none of them hidden (`names::is_hidden`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountName(String);

impl AccountName {
    pub fn parse(raw: &str) -> Result<AccountName, DomainError> {
        let t = raw.trim();
        if t.is_empty() || t.chars().count() > names::NAME_MAX_CHARS {
            return Err(DomainError::invalid(
                "account",
                "Account name needs 1–120 characters",
            ));
        }
        if t.chars().any(names::is_hidden) {
            return Err(DomainError::invalid("account", names::HIDDEN));
        }
        Ok(AccountName(t.to_string()))
    }
}
text_type!(AccountName);
