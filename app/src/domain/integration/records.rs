//! The Microsoft integration's records and rules: how an account is connected (Single Tenant or
//! CSP), what a sync found and what went wrong per tenant. The client that talks to Microsoft
//! lives in `crate::microsoft` (server only); everything here is plain data and functions.

use crate::domain::{
    ChangeSet, ClientId, Ctx, DomainError, Expect, MicrosoftTenantId, Timestamp, Version, Write,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// How an account reads its Microsoft tenants. An account has one mode at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntegrationMode {
    /// The MSP's customer tenant consented to the app registration; the integration reads it.
    SingleTenant,
    /// The MSP's partner tenant; the integration lists its customers (GDAP and contracts).
    Csp,
}

impl IntegrationMode {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "single" => Ok(IntegrationMode::SingleTenant),
            "csp" => Ok(IntegrationMode::Csp),
            _ => Err(DomainError::invalid(
                "mode",
                "Choose Single Tenant or Cloud Solution Provider (CSP)",
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            IntegrationMode::SingleTenant => "single",
            IntegrationMode::Csp => "csp",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            IntegrationMode::SingleTenant => "Single Tenant",
            IntegrationMode::Csp => "Cloud Solution Provider (CSP)",
        }
    }
}

/// An app registration's client secret, as typed. Never printed, never stored in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let t = raw.trim();
        if t.is_empty() || t.len() > 1024 || t.chars().any(char::is_control) {
            return Err(DomainError::invalid(
                "client_secret",
                "Paste the client secret's Value (not its Secret ID) from the app registration",
            ));
        }
        Ok(ClientSecret(t.to_string()))
    }
    /// The secret itself: only for sealing it and for the token request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(<hidden>)")
    }
}

/// A client secret encrypted at rest (AES-256-GCM; base64 nonce and ciphertext). Only the
/// server's key opens it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedSecret {
    pub nonce: String,
    pub ciphertext: String,
}

impl std::fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedSecret(<sealed>)")
    }
}

/// An account's connection to Microsoft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    pub mode: IntegrationMode,
    /// The tenant whose app registration signs in: the customer's (Single Tenant) or the
    /// partner's own (CSP).
    pub directory_tenant: MicrosoftTenantId,
    pub client_id: ClientId,
    pub secret: SealedSecret,
    pub secret_set_at: Timestamp,
    pub connected_at: Timestamp,
    pub connected_by: String,
    pub version: Version,
}

record_kind!(Integration, "Microsoft integration");

/// Why one tenant could not be read in a sync. Recorded on the tenant; never stops the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncFailure {
    /// The customer has not consented to the app (or the consent lacks a permission).
    NoConsent,
    /// The partner has no GDAP relationship with this customer.
    NoGdapRelationship,
    /// Every GDAP relationship with this customer has ended.
    ExpiredRelationship,
    /// Microsoft kept answering "too many requests" after the retries.
    Throttled,
    Other(String),
}

impl SyncFailure {
    pub fn label(&self) -> &'static str {
        match self {
            SyncFailure::NoConsent => "No consent",
            SyncFailure::NoGdapRelationship => "No GDAP relationship",
            SyncFailure::ExpiredRelationship => "GDAP relationship expired",
            SyncFailure::Throttled => "Throttled by Microsoft",
            SyncFailure::Other(_) => "Error",
        }
    }
    /// What it means and what to do about it.
    pub fn message(&self) -> String {
        match self {
            SyncFailure::NoConsent => "The customer has not consented to the app registration (or it lacks Organization.Read.All). Ask the customer's Global Administrator to grant consent.".into(),
            SyncFailure::NoGdapRelationship => "There is no GDAP relationship with this customer. Request one in Partner Center.".into(),
            SyncFailure::ExpiredRelationship => "The GDAP relationship with this customer has expired. Request a new one in Partner Center.".into(),
            SyncFailure::Throttled => "Microsoft is throttling requests; the next sync will try again.".into(),
            SyncFailure::Other(detail) => detail.clone(),
        }
    }
}

/// The latest active GDAP relationship with a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GdapAccess {
    pub ends_at: Timestamp,
    pub auto_extends: bool,
}

/// Whether a sync saw every tenant (so those it did not see are gone) or only some.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// A CSV import or a partial read: tenants not listed are left as they are.
    Partial,
    /// A complete listing from Microsoft: tenants not listed are marked removed by Microsoft.
    Complete,
}

/// One tenant a sync could not read fully, for the integration page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantFailure {
    pub tenant_id: MicrosoftTenantId,
    pub display_name: String,
    pub failure: SyncFailure,
}

/// What the last sync of an account did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub started_at: Timestamp,
    pub finished_at: Timestamp,
    /// "Sync Now by someone@example.com" or "Scheduled".
    pub trigger: String,
    /// `None` when the sync ran; the reason when it could not list the tenants at all.
    pub error: Option<String>,
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    /// Tenants kept with a failure, at most [`SyncReport::MAX_FAILURES`] of them.
    pub failures: Vec<TenantFailure>,
    pub failure_count: usize,
}

impl SyncReport {
    pub const MAX_FAILURES: usize = 50;
}

/// *Connect*: an account has one integration at a time, in one mode.
pub fn connect(
    ctx: &Ctx,
    existing: Option<&Integration>,
    new: Integration,
) -> Result<ChangeSet, DomainError> {
    if let Some(cur) = existing {
        let message = if cur.mode == new.mode {
            format!(
                "This account is already connected as {}. Replace the client secret or disconnect first.",
                cur.mode.label()
            )
        } else {
            format!(
                "This account is connected as {}; an account uses one mode at a time. Disconnect it first to connect as {}.",
                cur.mode.label(),
                new.mode.label()
            )
        };
        return Err(DomainError::InUse(message));
    }
    let mut c = ChangeSet::default();
    c.push(ctx.audit_entry(
        "integration.connect",
        format!(
            "Connected to Microsoft as {} (directory {})",
            new.mode.label(),
            new.directory_tenant
        ),
        serde_json::Value::Null,
        public_view(&new),
    ));
    c.push(Write::PutIntegration {
        record: new,
        expect: Expect::Absent,
    });
    Ok(c)
}

/// *Replace secret* (and client ID): the old secret is overwritten, never shown.
pub fn replace_secret(
    ctx: &Ctx,
    current: &Integration,
    expected: Version,
    client_id: ClientId,
    secret: SealedSecret,
) -> ChangeSet {
    let next = Integration {
        client_id,
        secret,
        secret_set_at: ctx.now,
        version: expected.next(),
        ..current.clone()
    };
    let mut c = ChangeSet::default();
    c.push(ctx.audit_entry(
        "integration.secret",
        "Replaced the Microsoft integration's client secret".into(),
        public_view(current),
        public_view(&next),
    ));
    c.push(Write::PutIntegration {
        record: next,
        expect: Expect::Version(expected),
    });
    c
}

/// *Disconnect*: the Microsoft Tenants and their mappings stay, no longer synced.
pub fn disconnect(ctx: &Ctx, current: &Integration, expected: Version) -> ChangeSet {
    let mut c = ChangeSet::default();
    c.push(ctx.audit_entry(
        "integration.disconnect",
        format!(
            "Disconnected the Microsoft integration ({})",
            current.mode.label()
        ),
        public_view(current),
        serde_json::Value::Null,
    ));
    c.push(Write::DeleteIntegration { expect: expected });
    c
}

/// What the audit log keeps of an integration: never the secret, sealed or not.
fn public_view(i: &Integration) -> serde_json::Value {
    json!({
        "mode": i.mode.label(),
        "directory_tenant": i.directory_tenant.to_string(),
        "client_id": i.client_id.to_string(),
        "secret_set_at": i.secret_set_at.0,
    })
}

impl Timestamp {
    /// Parses an ISO 8601 / RFC 3339 UTC time as Graph writes it (`2026-05-01T12:30:00Z`,
    /// optionally with fractional seconds or an offset).
    pub fn parse_iso8601(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let (date, rest) = s.split_once('T')?;
        let mut d = date.split('-');
        let y: i64 = d.next()?.parse().ok()?;
        let m: i64 = d.next()?.parse().ok()?;
        let day: i64 = d.next()?.parse().ok()?;
        if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
            return None;
        }
        // Split the offset off the time.
        let (time, offset_min) = if let Some(t) = rest.strip_suffix('Z') {
            (t, 0)
        } else if let Some(i) = rest.rfind(['+', '-']) {
            let (t, off) = rest.split_at(i);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let (oh, om) = off[1..].split_once(':')?;
            (
                t,
                sign * (oh.parse::<i64>().ok()? * 60 + om.parse::<i64>().ok()?),
            )
        } else {
            (rest, 0)
        };
        let mut t = time.split(':');
        let hh: i64 = t.next()?.parse().ok()?;
        let mm: i64 = t.next()?.parse().ok()?;
        let sec: f64 = t.next().unwrap_or("0").parse().ok()?;
        let days = crate::domain::time::days_from_civil(y, m, day);
        let secs = days * 86_400 + hh * 3600 + mm * 60 - offset_min * 60;
        Some(Timestamp(secs * 1000 + (sec * 1000.0).round() as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    fn ctx() -> Ctx {
        Ctx {
            actor: "admin@msp.example".into(),
            now: Timestamp(1_000),
            audit_id: "a1".into(),
        }
    }

    fn integration(mode: IntegrationMode) -> Integration {
        Integration {
            mode,
            directory_tenant: MicrosoftTenantId::parse("11111111-1111-1111-1111-111111111111")
                .unwrap(),
            client_id: ClientId::parse("22222222-2222-2222-2222-222222222222").unwrap(),
            secret: SealedSecret {
                nonce: "n".into(),
                ciphertext: "c".into(),
            },
            secret_set_at: Timestamp(1),
            connected_at: Timestamp(1),
            connected_by: "admin@msp.example".into(),
            version: Version(1),
        }
    }

    #[test]
    fn one_mode_at_a_time() {
        let csp = integration(IntegrationMode::Csp);
        let single = integration(IntegrationMode::SingleTenant);
        let c = connect(&ctx(), None, csp.clone()).unwrap();
        assert!(c.clone().into_writes().is_ok());
        assert!(matches!(
            c.writes().last(),
            Some(Write::PutIntegration {
                expect: Expect::Absent,
                ..
            })
        ));
        let err = connect(&ctx(), Some(&csp), single).unwrap_err();
        assert!(err.to_string().contains("one mode at a time"), "{err}");
        assert!(err.to_string().contains("Disconnect it first"), "{err}");
        let again = connect(&ctx(), Some(&csp), csp.clone()).unwrap_err();
        assert!(again.to_string().contains("already connected"), "{again}");
    }

    #[test]
    fn the_audit_never_holds_the_secret() {
        let csp = integration(IntegrationMode::Csp);
        let changes = [
            connect(&ctx(), None, csp.clone()).unwrap(),
            replace_secret(
                &ctx(),
                &csp,
                Version(1),
                csp.client_id,
                SealedSecret {
                    nonce: "n2".into(),
                    ciphertext: "c2".into(),
                },
            ),
            disconnect(&ctx(), &csp, Version(1)),
        ];
        for c in changes {
            for w in c.writes() {
                if let Write::Audit(a) = w {
                    let text = format!("{} {} {}", a.summary, a.before, a.after);
                    assert!(!text.contains("c2") && !text.contains("\"c\""), "{text}");
                }
            }
        }
    }

    #[test]
    fn replacing_the_secret_bumps_the_version_and_keeps_the_mode() {
        let csp = integration(IntegrationMode::Csp);
        let c = replace_secret(
            &ctx(),
            &csp,
            Version(1),
            csp.client_id,
            SealedSecret {
                nonce: "n2".into(),
                ciphertext: "c2".into(),
            },
        );
        let Some(Write::PutIntegration { record, expect }) = c.writes().last() else {
            panic!("{c:?}")
        };
        assert_eq!(*expect, Expect::Version(Version(1)));
        assert_eq!(record.version, Version(2));
        assert_eq!(record.mode, IntegrationMode::Csp);
        assert_eq!(record.secret_set_at, Timestamp(1_000));
    }

    #[test]
    fn secrets_do_not_print() {
        let s = ClientSecret::parse("  abc~def  ").unwrap();
        assert_eq!(s.expose(), "abc~def");
        assert!(!format!("{s:?}").contains("abc"));
        assert!(ClientSecret::parse("").is_err());
        assert!(ClientSecret::parse("a\nb").is_err());
    }

    #[test]
    fn graph_times_parse() {
        let t = Timestamp::parse_iso8601("2026-11-27T03:49:55Z").unwrap();
        assert_eq!(t.display(), "2026-11-27 03:49 UTC");
        assert_eq!(
            Timestamp::parse_iso8601("1970-01-01T00:00:00Z"),
            Some(Timestamp(0))
        );
        assert_eq!(
            Timestamp::parse_iso8601("1970-01-01T01:00:00.5+01:00"),
            Some(Timestamp(500))
        );
        assert_eq!(
            Timestamp::parse_iso8601("2024-02-29T00:00:00Z")
                .unwrap()
                .display(),
            "2024-02-29 00:00 UTC"
        );
        for bad in ["", "2026-13-01T00:00:00Z", "yesterday", "2026-11-27"] {
            assert_eq!(Timestamp::parse_iso8601(bad), None, "{bad}");
        }
    }
}
