//! The Microsoft integration's client (server only): client-credentials tokens from the
//! Microsoft identity platform, cached until shortly before they expire, and Graph reads that
//! follow `@odata.nextLink` and honour `Retry-After` when throttled. `sync` turns what Graph
//! lists into discovered tenants; `seal` keeps the client secret encrypted at rest.
//!
//! Base URLs come from configuration, so a national cloud (or a test's fake Microsoft) is a
//! setting, not a code change.

mod error;
pub mod seal;
pub mod tenants;
pub mod users;

pub use error::GraphError;
pub use seal::SealingKey;

use crate::domain::{ClientId, ClientSecret, MicrosoftTenantId};
use crate::error::AppError;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const DEFAULT_IDENTITY_URL: &str = "https://login.microsoftonline.com";
pub const DEFAULT_GRAPH_URL: &str = "https://graph.microsoft.com";
pub const DEFAULT_SCOPE: &str = "https://graph.microsoft.com/.default";

/// Where Microsoft is, and how patient to be with it.
#[derive(Debug, Clone)]
pub struct MicrosoftConfig {
    /// The identity platform, e.g. `https://login.microsoftonline.com`.
    pub identity_url: String,
    /// Microsoft Graph, e.g. `https://graph.microsoft.com`.
    pub graph_url: String,
    pub scope: String,
    /// Retries of one request answered 429 or 503.
    pub max_retries: u32,
    /// The longest one `Retry-After` wait (a longer one is cut to this).
    pub max_wait: Duration,
    /// Customers read at the same time in a CSP sync (each is a request to its own tenant, so
    /// Graph's per-tenant throttling does not add up across them).
    pub concurrency: usize,
}

impl Default for MicrosoftConfig {
    fn default() -> Self {
        MicrosoftConfig {
            identity_url: DEFAULT_IDENTITY_URL.into(),
            graph_url: DEFAULT_GRAPH_URL.into(),
            scope: DEFAULT_SCOPE.into(),
            max_retries: 4,
            max_wait: Duration::from_secs(30),
            concurrency: 32,
        }
    }
}

impl MicrosoftConfig {
    /// Both base URLs at one place (a test's fake Microsoft).
    pub fn at(base: &str) -> Self {
        MicrosoftConfig {
            identity_url: base.trim_end_matches('/').into(),
            graph_url: base.trim_end_matches('/').into(),
            ..Default::default()
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct TokenKey {
    tenant: MicrosoftTenantId,
    client: ClientId,
    /// SHA-256 of the secret: a replaced secret gets a new token.
    secret: [u8; 32],
}

struct CachedToken {
    token: String,
    renew_at: Instant,
}

/// The client, shared by every request of a server (its token cache lives as long).
pub struct Microsoft {
    pub config: MicrosoftConfig,
    http: reqwest::Client,
    key: Option<SealingKey>,
    tokens: Mutex<HashMap<TokenKey, CachedToken>>,
}

impl std::fmt::Debug for Microsoft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Microsoft")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct TokenRefusal {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
    #[serde(default)]
    error_codes: Vec<u64>,
}

#[derive(Deserialize)]
struct GraphErrorBody {
    error: GraphErrorDetail,
}
#[derive(Deserialize)]
struct GraphErrorDetail {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl Microsoft {
    /// `key` seals and opens client secrets; without one the integration cannot be connected.
    pub fn new(config: MicrosoftConfig, key: Option<SealingKey>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("tenantmap/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client");
        Microsoft {
            config,
            http,
            key,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub fn key(&self) -> Result<&SealingKey, AppError> {
        self.key.as_ref().ok_or_else(|| AppError::Integration {
            message: "This server has no key to encrypt client secrets with: set TENANTMAP_SECRET_KEY (32 random bytes, base64) and restart it.".into(),
        })
    }

    /// An app-only token for Graph in `tenant` (client credentials), from the cache while it
    /// has more than five minutes left.
    pub async fn token(
        &self,
        tenant: MicrosoftTenantId,
        client: ClientId,
        secret: &ClientSecret,
    ) -> Result<String, GraphError> {
        use sha2::Digest;
        let key = TokenKey {
            tenant,
            client,
            secret: sha2::Sha256::digest(secret.expose().as_bytes()).into(),
        };
        if let Some(hit) = self
            .tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .filter(|t| Instant::now() < t.renew_at)
        {
            return Ok(hit.token.clone());
        }
        let url = format!("{}/{tenant}/oauth2/v2.0/token", self.config.identity_url);
        let client_id = client.to_string();
        let form = [
            ("client_id", client_id.as_str()),
            ("client_secret", secret.expose()),
            ("scope", self.config.scope.as_str()),
            ("grant_type", "client_credentials"),
        ];
        let resp = self.send(|| self.http.post(&url).form(&form)).await?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| GraphError::network(&e))?;
        if !(200..300).contains(&status) {
            let refusal: TokenRefusal = serde_json::from_slice(&body).unwrap_or_default();
            return Err(GraphError::Token {
                status,
                error: refusal.error,
                codes: refusal.error_codes,
                description: refusal.error_description,
            });
        }
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|e| GraphError::Invalid(format!("token answer: {e}")))?;
        // `expires_in` is a number (a string in some older answers).
        let lifetime = answer
            .expires_in
            .and_then(|v| v.as_u64().or_else(|| v.as_str()?.parse().ok()))
            .unwrap_or(3600);
        let margin = 300.min(lifetime / 2);
        self.tokens
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                key,
                CachedToken {
                    token: answer.access_token.clone(),
                    renew_at: Instant::now() + Duration::from_secs(lifetime - margin),
                },
            );
        Ok(answer.access_token)
    }

    /// Every item of a Graph collection (`value`), following `@odata.nextLink` — only to Graph
    /// itself, so a token is never sent anywhere else.
    pub async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
    ) -> Result<Vec<T>, GraphError> {
        let url = format!("{}{path}", self.config.graph_url);
        Ok(self.pages(token, url, None).await?.0)
    }

    /// A delta query from `url` (a path's first page, or a kept `@odata.deltaLink`) to its
    /// end: every item, and the `@odata.deltaLink` to read the next changes from.
    pub async fn get_delta<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        url: &str,
    ) -> Result<(Vec<T>, String), GraphError> {
        let url = if url.starts_with('/') {
            format!("{}{url}", self.config.graph_url)
        } else {
            self.on_graph(url, "a delta link")?
        };
        // Graph's largest page for a delta of users (its default is ~100-200).
        match self
            .pages(token, url, Some("odata.maxpagesize=999"))
            .await?
        {
            (items, Some(link)) => Ok((items, self.on_graph(&link, "a delta link")?)),
            (_, None) => Err(GraphError::Invalid(
                "a delta query ended without a deltaLink".into(),
            )),
        }
    }

    /// One Graph object (`GET {path}`).
    pub async fn get_one<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        path: &str,
    ) -> Result<T, GraphError> {
        let url = format!("{}{path}", self.config.graph_url);
        let body = self.get_ok(token, &url, path, None).await?;
        serde_json::from_slice(&body).map_err(|e| GraphError::Invalid(format!("{path}: {e}")))
    }

    /// `url` when it is on Graph (a token is never sent anywhere else).
    fn on_graph(&self, url: &str, what: &str) -> Result<String, GraphError> {
        if url.starts_with(&format!("{}/", self.config.graph_url)) {
            Ok(url.to_string())
        } else {
            Err(GraphError::Invalid(format!("{what} outside Graph ({url})")))
        }
    }

    /// The body of a 2xx answer to `GET url`, else the typed error.
    async fn get_ok(
        &self,
        token: &str,
        url: &str,
        what: &str,
        prefer: Option<&str>,
    ) -> Result<Vec<u8>, GraphError> {
        let resp = self
            .send(|| {
                let req = self.http.get(url).bearer_auth(token);
                match prefer {
                    Some(p) => req.header("Prefer", p),
                    None => req,
                }
            })
            .await?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| GraphError::network(&e))?;
        if (200..300).contains(&status) {
            return Ok(body.to_vec());
        }
        let (code, message) = match serde_json::from_slice::<GraphErrorBody>(&body) {
            Ok(b) => (b.error.code, b.error.message),
            Err(_) => (
                String::new(),
                String::from_utf8_lossy(&body).chars().take(200).collect(),
            ),
        };
        tracing::debug!(%what, status, %code, "Graph refused");
        Err(GraphError::Api {
            status,
            code,
            message,
        })
    }

    /// Every page from `url` on: the items, and the last page's `@odata.deltaLink` if any.
    async fn pages<T: serde::de::DeserializeOwned>(
        &self,
        token: &str,
        mut url: String,
        prefer: Option<&str>,
    ) -> Result<(Vec<T>, Option<String>), GraphError> {
        #[derive(Deserialize)]
        struct Collection<T> {
            value: Vec<T>,
            #[serde(rename = "@odata.nextLink", default)]
            next_link: Option<String>,
            #[serde(rename = "@odata.deltaLink", default)]
            delta_link: Option<String>,
        }
        let what = url
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_start_matches(&self.config.graph_url)
            .to_string();
        let mut items = Vec::new();
        for _ in 0..10_000 {
            let body = self.get_ok(token, &url, &what, prefer).await?;
            let page: Collection<T> = serde_json::from_slice(&body)
                .map_err(|e| GraphError::Invalid(format!("{what}: {e}")))?;
            items.extend(page.value);
            match page.next_link {
                Some(next) => url = self.on_graph(&next, &format!("{what}: a next page"))?,
                None => return Ok((items, page.delta_link)),
            }
        }
        Err(GraphError::Invalid(format!(
            "{what}: more than 10,000 pages"
        )))
    }

    /// Sends a request, waiting out 429 and 503 answers (`Retry-After` seconds, else 1, 2, 4 …
    /// seconds) at most `max_retries` times.
    async fn send(
        &self,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, GraphError> {
        let mut attempt = 0;
        loop {
            let resp = request()
                .send()
                .await
                .map_err(|e| GraphError::network(&e))?;
            let status = resp.status().as_u16();
            if status != 429 && status != 503 {
                return Ok(resp);
            }
            if attempt >= self.config.max_retries {
                return Err(GraphError::Throttled);
            }
            let wait = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
                .unwrap_or(Duration::from_secs(1 << attempt.min(5)))
                .min(self.config.max_wait);
            tracing::info!(
                status,
                wait_ms = wait.as_millis() as u64,
                "Microsoft is throttling; waiting"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::SyncFailure;

    fn refusal(code: u64, error: &str) -> GraphError {
        GraphError::Token {
            status: 400,
            error: error.into(),
            codes: vec![code],
            description: format!("AADSTS{code}: …\r\nTrace ID: x"),
        }
    }

    #[test]
    fn refusals_name_the_field_to_fix_or_the_failure_to_record() {
        assert_eq!(
            refusal(7_000_215, "invalid_client").field(),
            Some("client_secret")
        );
        assert_eq!(
            refusal(7_000_222, "invalid_client").field(),
            Some("client_secret")
        );
        assert_eq!(
            refusal(700_016, "unauthorized_client").field(),
            Some("client_id")
        );
        assert_eq!(
            refusal(90_002, "invalid_request").field(),
            Some("directory_tenant")
        );
        assert_eq!(refusal(50_000, "server_error").field(), None);
        assert_eq!(GraphError::Throttled.field(), None);
        // For a customer, the same refusals are a typed failure on that tenant.
        assert_eq!(
            refusal(700_016, "unauthorized_client").failure(),
            SyncFailure::NoConsent
        );
        assert_eq!(
            refusal(65_001, "invalid_grant").failure(),
            SyncFailure::NoConsent
        );
        assert_eq!(GraphError::Throttled.failure(), SyncFailure::Throttled);
        let api = GraphError::Api {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            message: "Insufficient privileges".into(),
        };
        assert_eq!(api.failure(), SyncFailure::NoConsent);
        // Microsoft's trace ids stay out of what the user reads.
        let text = refusal(50_000, "server_error").to_string();
        assert!(!text.contains("Trace ID"), "{text}");
    }
}
