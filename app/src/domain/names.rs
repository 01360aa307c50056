//! Validated names (R3) and contact details.

use super::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

pub const NAME_MAX_CHARS: usize = 120;

/// The key under which a name must be unique in an account: trimmed, inner whitespace collapsed,
/// lowercased (R3: "ignoring case and surrounding spaces").
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn parse_name(field: &str, raw: &str) -> Result<String, DomainError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "Name is required"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            field,
            "Name must not contain control characters",
        ));
    }
    let count = trimmed.chars().count();
    if count > NAME_MAX_CHARS {
        return Err(DomainError::invalid(
            field,
            format!("Name is {count} characters long; the limit is {NAME_MAX_CHARS}"),
        ));
    }
    Ok(trimmed.to_string())
}

/// What a unique name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NameKind {
    SyncroTenant,
    Organization,
}

impl NameKind {
    pub fn label(self) -> &'static str {
        match self {
            NameKind::SyncroTenant => "Syncro Tenant",
            NameKind::Organization => "Organization",
        }
    }
}

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const KIND: NameKind = $kind;
            pub fn parse(raw: &str) -> Result<Self, DomainError> {
                parse_name("name", raw).map($name)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The uniqueness key (R3).
            pub fn key(&self) -> String {
                name_key(&self.0)
            }
        }
        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, DomainError> {
                $name::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(n: $name) -> String {
                n.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

name_type!(
    /// A Syncro Tenant's name: 1–120 characters after trimming, no control characters.
    SyncroTenantName, NameKind::SyncroTenant
);
name_type!(
    /// An Organization's name: 1–120 characters after trimming, no control characters.
    OrganizationName, NameKind::Organization
);

impl From<&OrganizationName> for SyncroTenantName {
    /// R4: the automatic Syncro Tenant is named after its Organization; the rules are the same.
    fn from(n: &OrganizationName) -> Self {
        SyncroTenantName(n.0.clone())
    }
}

/// An Organization's contact details: all optional, each checked for shape.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContactDetails {
    pub email: String,
    pub phone: String,
    pub address: String,
}

impl ContactDetails {
    pub fn parse(email: &str, phone: &str, address: &str) -> Result<Self, DomainError> {
        let email = email.trim();
        if !email.is_empty() {
            let ok = email.len() <= 254
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && matches!(email.split_once('@'), Some((user, host)) if !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.') && !host.contains('@'));
            if !ok {
                return Err(DomainError::invalid(
                    "email",
                    "Enter an email address like office@example.com",
                ));
            }
        }
        let phone = phone.trim();
        if !phone.is_empty()
            && (phone.len() > 40
                || !phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().x".contains(c))
                || !phone.chars().any(|c| c.is_ascii_digit()))
        {
            return Err(DomainError::invalid(
                "phone",
                "Use digits, spaces and + - ( ) only, up to 40 characters",
            ));
        }
        let address = address.trim();
        if address.chars().count() > 500 {
            return Err(DomainError::invalid(
                "address",
                "Address is limited to 500 characters",
            ));
        }
        if address
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(DomainError::invalid(
                "address",
                "Address must not contain control characters",
            ));
        }
        Ok(ContactDetails {
            email: email.to_string(),
            phone: phone.to_string(),
            address: address.replace("\r\n", "\n"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            OrganizationName::parse("  Acme Dental ").unwrap().as_str(),
            "Acme Dental"
        );
        assert!(OrganizationName::parse("").is_err());
        assert!(OrganizationName::parse("   ").is_err());
        assert!(OrganizationName::parse("Acme\u{0007}").is_err());
        assert!(OrganizationName::parse("Acme\nDental").is_err());
        assert!(OrganizationName::parse(&"é".repeat(120)).is_ok());
        let err = OrganizationName::parse(&"é".repeat(121)).unwrap_err();
        assert_eq!(
            err,
            DomainError::invalid("name", "Name is 121 characters long; the limit is 120")
        );
    }

    #[test]
    fn name_keys_ignore_case_and_spacing() {
        let a = SyncroTenantName::parse(" Foggy IT  Services ").unwrap();
        let b = SyncroTenantName::parse("foggy it services").unwrap();
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), SyncroTenantName::parse("Foggy IT").unwrap().key());
    }

    #[test]
    fn names_refuse_bad_input_when_deserialized() {
        assert!(serde_json::from_str::<OrganizationName>("\"\"").is_err());
        assert!(serde_json::from_str::<OrganizationName>("\"Acme\"").is_ok());
    }

    #[test]
    fn contact_details_are_checked() {
        assert!(
            ContactDetails::parse("office@acme.example", "+1 (617) 555-0100", "1 Main St").is_ok()
        );
        assert!(ContactDetails::parse("", "", "").is_ok());
        assert!(ContactDetails::parse("not an email", "", "").is_err());
        assert!(ContactDetails::parse("a@b", "", "").is_err());
        assert!(ContactDetails::parse("", "call me", "").is_err());
    }
}
