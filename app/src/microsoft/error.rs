//! Why a call to Microsoft failed, and what the pages say about it.

use crate::domain::SyncFailure;

/// Why a call to Microsoft failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphError {
    /// The identity platform refused the token request (`error`, its AADSTS codes).
    Token {
        status: u16,
        error: String,
        codes: Vec<u64>,
        description: String,
    },
    /// Graph answered with an error (`error.code`, `error.message`).
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// Still 429/503 after the bounded retries.
    Throttled,
    Network(String),
    /// An answer that is not what Microsoft documents.
    Invalid(String),
}

/// AADSTS codes that mean the app is not (or not fully) consented in that tenant.
const NO_CONSENT_CODES: [u64; 5] = [65001, 700016, 7000229, 500011, 50020];

impl GraphError {
    /// The form field a token refusal is about, when it is one the administrator typed wrong:
    /// the secret (wrong value, expired), the client ID (no such app there) or the directory.
    pub fn field(&self) -> Option<&'static str> {
        let GraphError::Token { codes, .. } = self else {
            return None;
        };
        if codes.iter().any(|c| [7_000_215, 7_000_222].contains(c)) {
            Some("client_secret")
        } else if codes.contains(&700_016) {
            Some("client_id")
        } else if codes.contains(&90_002) {
            Some("directory_tenant")
        } else {
            None
        }
    }

    /// The per-tenant failure this is, when it happens while reading one customer.
    pub fn failure(&self) -> SyncFailure {
        match self {
            GraphError::Token { codes, error, .. }
                if error == "unauthorized_client"
                    || codes.iter().any(|c| NO_CONSENT_CODES.contains(c)) =>
            {
                SyncFailure::NoConsent
            }
            GraphError::Api {
                status: 401 | 403, ..
            } => SyncFailure::NoConsent,
            GraphError::Throttled => SyncFailure::Throttled,
            other => SyncFailure::Other(other.to_string()),
        }
    }
}

impl GraphError {
    /// A request that got no answer from Microsoft, in words an administrator can act on (the
    /// library's own words go to the log).
    pub(super) fn network(e: &reqwest::Error) -> GraphError {
        tracing::warn!(error = %e, "a request to Microsoft failed");
        let host = e
            .url()
            .and_then(|u| u.host_str())
            .unwrap_or("Microsoft")
            .to_string();
        GraphError::Network(if e.is_timeout() {
            format!(
                "Microsoft ({host}) did not answer in time. Try again; if it keeps happening, check this server's connection to it."
            )
        } else if e.is_connect() {
            format!(
                "Microsoft ({host}) could not be reached from this server. Check its internet access, DNS, proxy and firewall, then try again."
            )
        } else {
            format!("The connection to Microsoft ({host}) broke off before it answered. Try again.")
        })
    }
}

impl std::fmt::Display for GraphError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GraphError::Token { codes, .. } if codes.contains(&7_000_215) => f.write_str(
                "Microsoft refused the client secret (AADSTS7000215): paste the secret's Value, not its Secret ID, or create a new secret and replace it here.",
            ),
            GraphError::Token { codes, .. } if codes.contains(&7_000_222) => f.write_str(
                "The client secret has expired (AADSTS7000222): create a new one in the app registration and replace it here.",
            ),
            GraphError::Token { codes, .. } if codes.contains(&700_016) => f.write_str(
                "The app registration was not found in that directory (AADSTS700016): check the directory (tenant) ID and client ID, and that the app is consented there.",
            ),
            GraphError::Token { codes, .. } if codes.contains(&90_002) => f.write_str(
                "Microsoft does not know that directory (tenant) ID (AADSTS90002).",
            ),
            GraphError::Token {
                status,
                error,
                description,
                ..
            } => {
                // Microsoft's description ends in trace and correlation ids: keep the first line.
                let first = description.lines().next().unwrap_or_default();
                write!(f, "Microsoft sign-in refused the app ({status} {error}): {first}")
            }
            GraphError::Api {
                status,
                code,
                message,
            } => write!(f, "Microsoft Graph answered {status} {code}: {message}"),
            GraphError::Throttled => f.write_str(
                "Microsoft kept throttling the requests (429/503) after several retries; try again later.",
            ),
            GraphError::Network(e) => f.write_str(e),
            GraphError::Invalid(e) => write!(f, "Microsoft's answer could not be read: {e}"),
        }
    }
}
