//! Validated names (R3) and contact details.

use super::DomainError;
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 120;

/// A character a name may not hold because it cannot be seen or changes how the text around it
/// is shown: control characters; Unicode's format characters (category Cf) — zero-width
/// spaces and joiners, bidirectional marks, embeddings, overrides and isolates (which can make
/// "Contoso" display as something else), the byte order mark, the soft hyphen, tag characters;
/// every other Default_Ignorable_Code_Point (the combining grapheme joiner U+034F, variation
/// selectors, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, Khmer and Mongolian invisibles);
/// and the blank Braille pattern U+2800, which shows as a space but is not one.
pub fn is_hidden(c: char) -> bool {
    is_format(c)
        || matches!(c as u32,
            0x034F | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F | 0x2800 | 0x3164
            | 0xFE00..=0xFE0F | 0xFFA0 | 0xFFF0..=0xFFF8 | 0xE0000..=0xE0FFF)
}

/// The hidden characters as they were before [`is_hidden`] took in every default-ignorable
/// code point: control and format (Cf) characters. [`legacy_name_key`] is defined with it.
pub(super) fn is_format(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2
            | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
            | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// The key under which a name must be unique in an account (R3: "ignoring case and surrounding
/// spaces"): hidden characters dropped, compatibility forms folded (Unicode NFKC: "Ａｃｍｅ",
/// "ﬁ" and "e" + combining acute are "Acme", "fi" and "é"), inner whitespace collapsed,
/// lowercased — so two names a reader cannot tell apart are the same name.
///
/// Stored keys stay valid: for a name without compatibility forms and without the hidden
/// characters added to [`is_hidden`] — every ASCII name, and any name typed in NFC — the key
/// is the one [`legacy_name_key`] gave before. A name stored earlier whose key has changed
/// gives up both keys when it is renamed or deleted ([`name_keys`]); the embedded store
/// derives its claims from the records at start-up.
///
/// One pass and one allocation for the usual ASCII name: list views compute it for every
/// record of a kind on each request.
pub fn name_key(name: &str) -> String {
    if name.is_ascii() {
        return legacy_name_key(name);
    }
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name.chars().filter(|c| !is_hidden(*c)).nfkc().collect();
    collapse_and_lower(&folded, |_| false)
}

/// The key as it was defined before NFKC and the wider [`is_hidden`]: kept for what was stored
/// under it — a name claimed under it is released under it too ([`name_keys`]), and End User
/// list rows are still ordered by it ([`sort_key`]).
pub fn legacy_name_key(name: &str) -> String {
    collapse_and_lower(name, is_format)
}

/// The key a list of people is ordered by (and, on DynamoDB, stored under): the
/// [`legacy_name_key`], so rows written before keep their place.
pub fn sort_key(name: &str) -> String {
    legacy_name_key(name)
}

/// Every key a stored name may be claimed under: its key, and its legacy key where that
/// differs — what a rename or a delete releases.
pub fn name_keys(name: &str) -> Vec<String> {
    let key = name_key(name);
    let legacy = legacy_name_key(name);
    if legacy == key {
        vec![key]
    } else {
        vec![key, legacy]
    }
}

fn collapse_and_lower(name: &str, skip: impl Fn(char) -> bool) -> String {
    let mut key = String::with_capacity(name.len());
    let mut gap = false;
    for c in name.chars() {
        if c.is_whitespace() {
            gap = !key.is_empty();
        } else if !skip(c) {
            if gap {
                key.push(' ');
                gap = false;
            }
            key.push(c);
        }
    }
    if key.is_ascii() {
        key.make_ascii_lowercase();
        key
    } else {
        // Whole-string lowercasing (a final sigma depends on its neighbours).
        key.to_lowercase()
    }
}

/// The refusal of a name with a hidden character.
pub const HIDDEN: &str =
    "Name must not contain invisible characters (zero-width, text-direction or control characters)";

pub(super) fn parse_name(field: &str, raw: &str) -> Result<String, DomainError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(DomainError::invalid(field, "Name is required"));
    }
    if trimmed.chars().any(is_hidden) {
        return Err(DomainError::invalid(field, HIDDEN));
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
    /// An End User's email: unique per account, ignoring case.
    EndUserEmail,
}

impl NameKind {
    pub fn label(self) -> &'static str {
        match self {
            NameKind::SyncroTenant => "Syncro Tenant",
            NameKind::Organization => "Organization",
            NameKind::EndUserEmail => "End User",
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
            /// The uniqueness key (R3).
            pub fn key(&self) -> String {
                name_key(&self.0)
            }
        }
        text_type!($name);
    };
}

name_type!(
    /// A Syncro Tenant's name: 1–120 characters after trimming, none of them hidden.
    SyncroTenantName, NameKind::SyncroTenant
);
name_type!(
    /// An Organization's name: 1–120 characters after trimming, none of them hidden.
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
    /// The website's domain (`foggyit.com`), parsed from whatever was typed
    /// (`https://www.foggyit.com/contact`); empty when none.
    #[serde(default)]
    pub website: String,
}

impl ContactDetails {
    /// The details as typed, each field checked; every field refused is reported at once.
    pub fn parse(email: &str, phone: &str, address: &str) -> Result<Self, DomainError> {
        let mut p = super::Problems::default();
        let email = p.check(parse_contact_email(email));
        let phone = p.check(parse_phone(phone));
        let address = p.check(parse_address(address));
        let parts = email.zip(phone).zip(address);
        p.finish_with(parts)
            .map(|((email, phone), address)| ContactDetails {
                email,
                phone,
                address,
                website: String::new(),
            })
    }

    /// [`ContactDetails::parse`] with the website, all four fields checked at once.
    pub fn parse_with_website(
        email: &str,
        phone: &str,
        address: &str,
        website: &str,
    ) -> Result<Self, DomainError> {
        let mut p = super::Problems::default();
        let details = p.check(Self::parse(email, phone, address));
        let website = p.check(parse_website(website));
        p.finish_with(details.zip(website))
            .map(|(details, website)| ContactDetails { website, ..details })
    }

    /// The same details with a website: a domain, or an address on the web whose domain is
    /// kept (`https://www.foggyit.com/contact` → `foggyit.com`).
    pub fn with_website(self, raw: &str) -> Result<Self, DomainError> {
        Ok(ContactDetails {
            website: parse_website(raw)?,
            ..self
        })
    }
}

fn parse_contact_email(email: &str) -> Result<String, DomainError> {
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
    Ok(email.to_string())
}

fn parse_phone(phone: &str) -> Result<String, DomainError> {
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
    Ok(phone.to_string())
}

fn parse_address(address: &str) -> Result<String, DomainError> {
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
    Ok(address.replace("\r\n", "\n"))
}

fn parse_website(raw: &str) -> Result<String, DomainError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let lower = raw.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|s| lower.strip_prefix(s))
        .unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("").trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let ok = raw.len() <= 2048
        && host.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_alphabetic()) && tld.len() >= 2);
    if ok {
        Ok(host.to_string())
    } else {
        Err(DomainError::invalid(
            "website",
            "Enter a website like foggyit.com or https://www.foggyit.com",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Characters that hide or reorder text: zero-width space, non-joiner, joiner, left-to-right
    /// mark, right-to-left override, isolate, pop isolate, word joiner, byte order mark, soft
    /// hyphen, a tag character.
    const HIDDEN_CHARS: [char; 11] = [
        '\u{200B}',
        '\u{200C}',
        '\u{200D}',
        '\u{200E}',
        '\u{202E}',
        '\u{2066}',
        '\u{2069}',
        '\u{2060}',
        '\u{FEFF}',
        '\u{00AD}',
        '\u{E0041}',
    ];

    #[test]
    fn names_with_hidden_characters_are_refused() {
        for c in HIDDEN_CHARS {
            let name = format!("Con{c}toso");
            let e = OrganizationName::parse(&name).unwrap_err();
            assert!(e.to_string().contains("invisible"), "{c:?}: {e}");
            assert!(SyncroTenantName::parse(&name).is_err(), "{c:?}");
            assert!(crate::domain::AccountName::parse(&name).is_err(), "{c:?}");
            assert!(
                crate::domain::DiscoveredTenant::parse(
                    "72f988bf-86f1-41af-91ab-2d7cd011db47",
                    &name,
                    "contoso.onmicrosoft.com"
                )
                .is_err(),
                "{c:?}"
            );
        }
        // Letters of every script, accents and emoji are names.
        for ok in ["Zürich Ärzte", "株式会社コントソ", "شركة", "Café ☕"] {
            assert!(OrganizationName::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn names_that_differ_only_by_hidden_characters_are_the_same_name() {
        for c in HIDDEN_CHARS {
            assert_eq!(
                name_key(&format!("Con{c}toso")),
                name_key("contoso"),
                "{c:?}"
            );
        }
        // Graph's names lose them instead of being refused.
        let t = crate::domain::DiscoveredTenant::from_graph(
            crate::domain::MicrosoftTenantId::parse("72f988bf-86f1-41af-91ab-2d7cd011db47")
                .unwrap(),
            "\u{202E}Contoso\u{200B} Ltd",
            "contoso.onmicrosoft.com",
        );
        assert_eq!(t.display_name, "Contoso Ltd");
    }

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

    /// Keys are stored (uniqueness items on DynamoDB): the one-pass key must equal, for every
    /// name, the definition it replaced — filter hidden characters, collapse whitespace, then
    /// lowercase the whole string.
    /// Look-alikes of "Acme Dental" a reader cannot tell from it: the same name.
    #[test]
    fn look_alike_names_are_one_name() {
        for c in [
            '\u{034F}', '\u{FE0F}', '\u{3164}', '\u{115F}', '\u{2800}', '\u{FFA0}',
        ] {
            let name = format!("Acme{c} Dental");
            assert!(OrganizationName::parse(&name).is_err(), "{c:?} is refused");
            assert_eq!(name_key(&name), "acme dental", "{c:?} is ignored");
        }
        for twin in [
            "Ａｃｍｅ Ｄｅｎｔａｌ",
            "Acme\u{3000}Dental",
            "ACME DENTAL",
            "Acme Dental\u{FE0F}",
        ] {
            assert_eq!(name_key(twin), "acme dental", "{twin:?}");
        }
        assert_eq!(name_key("Cafe\u{301}"), name_key("Café"));
        assert_eq!(name_key("ﬁrst"), "first");
    }

    /// Keys are stored (uniqueness items and End User rows on DynamoDB): for every name without
    /// compatibility forms or newly hidden characters the key is the one stored before, and a
    /// name whose key changed releases both.
    #[test]
    fn stored_keys_stay_valid() {
        for name in [
            "Foggy IT Services",
            "Zürich Ärzte",
            "株式会社コントソ",
            "شركة",
            "Café ☕",
            "ΟΔΥΣΣΕΥΣ Σ",
            "İstanbul ẞ Straße",
            "Con\u{200B}toso",
        ] {
            assert_eq!(name_key(name), legacy_name_key(name), "{name:?}");
            assert_eq!(name_keys(name), vec![name_key(name)]);
            assert_eq!(sort_key(name), legacy_name_key(name));
        }
        let old = "Ａｃｍｅ";
        assert_eq!(legacy_name_key(old), "ａｃｍｅ");
        assert_eq!(
            name_keys(old),
            vec!["acme".to_string(), "ａｃｍｅ".to_string()]
        );
    }

    #[test]
    fn name_keys_are_the_stored_definition() {
        fn definition(name: &str) -> String {
            name.chars()
                .filter(|c| !is_format(*c) || c.is_whitespace())
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        }
        for name in [
            "",
            "   ",
            " Foggy IT  Services ",
            "Con\u{200B}toso",
            "a\u{1}b \u{1} c",
            "\u{200B} lead",
            "tab\tnew\nline\u{b}vt\u{c}ff\r",
            "NBSP\u{a0}and\u{3000}ideographic",
            "ΟΔΥΣΣΕΥΣ Σ",
            "İstanbul ẞ Straße",
            "Ελληνικά   ΑΣ\u{200D}",
        ] {
            assert_eq!(legacy_name_key(name), definition(name), "{name:?}");
        }
    }

    #[test]
    fn websites_are_kept_as_their_domain() {
        let c = ContactDetails::default();
        for (typed, kept) in [
            ("", ""),
            ("foggyit.com", "foggyit.com"),
            (" https://www.FoggyIT.com/contact?x=1 ", "foggyit.com"),
            ("http://boston.foggyit.com:8080", "boston.foggyit.com"),
            ("www.foggyit.co.uk.", "foggyit.co.uk"),
        ] {
            assert_eq!(
                c.clone().with_website(typed).unwrap().website,
                kept,
                "{typed}"
            );
        }
        for bad in [
            "foggyit",
            "foggy it.com",
            "https://",
            "-foggy.com",
            "foggy.c0m",
            "ftp:/x",
        ] {
            assert_eq!(
                c.clone().with_website(bad).unwrap_err(),
                DomainError::invalid(
                    "website",
                    "Enter a website like foggyit.com or https://www.foggyit.com"
                ),
                "{bad}"
            );
        }
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
