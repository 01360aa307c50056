//! Configuration, read once: every `TENANTMAP_*` variable is read and validated at start-up into
//! a [`Config`], and `server` (serve and the command-line tasks) and the Lambda build their
//! state from it; a wrong value stops the process with what is wrong before anything runs.
//! Besides this file only the AWS SDK reads the environment (region, credentials, endpoints),
//! and the test kit (`TENANTMAP_TEST_DYNAMODB`).

use app::api::site::Site;
use app::microsoft::{Microsoft, MicrosoftConfig, SealingKey};
use std::path::PathBuf;
use std::time::Duration;

/// Which store `server` opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Embedded,
    DynamoDb,
}

/// A value that must not be printed (passwords).
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(pub String);

impl std::fmt::Debug for Hidden {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

#[derive(Debug)]
pub struct Config {
    /// `TENANTMAP_STORE`: `embedded` (default) or `dynamodb`.
    pub store: StoreKind,
    /// `TENANTMAP_DATA`: the embedded store's directory (default `./data`).
    pub data: PathBuf,
    /// `TENANTMAP_TABLE`: the DynamoDB table (required with `dynamodb`, and by the Lambda).
    pub table: Option<String>,
    /// `TENANTMAP_CREATE_TABLE=1`: create the table if missing (local servers only).
    pub create_table: bool,
    /// `TENANTMAP_DYNAMODB_TIMEOUT_SECONDS`: the longest one DynamoDB request may take before it
    /// is tried again (default 3).
    pub dynamodb_timeout: Duration,
    /// `TENANTMAP_SYNC_MINUTES` between `server serve`'s scheduled syncs (default 60; 0 = off).
    pub sync_every: Option<Duration>,
    /// `TENANTMAP_IDENTITY_URL`, `TENANTMAP_GRAPH_URL`, `TENANTMAP_GRAPH_SCOPE`.
    pub microsoft: MicrosoftConfig,
    /// `TENANTMAP_SECRET_KEY`: the root key that seals Microsoft client secrets and browser
    /// values (base64 of 32 bytes); or read at start from `secret_key_arn`.
    pub secret_key: Option<SealingKey>,
    /// `TENANTMAP_SECRET_KEY_ARN`: the AWS Secrets Manager secret that holds the root key (so
    /// it is not in the function's environment); read once by [`Config::read_secret_key`].
    pub secret_key_arn: Option<String>,
    /// `TENANTMAP_SECURE_COOKIES=1`: mark the session cookie `Secure` even when no proxy says
    /// HTTPS.
    pub secure_cookies: bool,
    /// `TENANTMAP_ADMIN_PASSWORD`: the password of `server admin create` (else read from stdin).
    pub admin_password: Option<Hidden>,
    /// `TENANTMAP_DEMO_PASSWORD`: the demo users' password.
    pub demo_password: Hidden,
    /// `TENANTMAP_PUBLIC_ORIGIN` (comma-separated origins browsers use),
    /// `TENANTMAP_CLIENT_ADDRESS_HEADER` (the header a trusted proxy writes the browser's
    /// address into) with `TENANTMAP_PROXY_SECRET` (what the proxy proves itself with),
    /// `TENANTMAP_SETUP_TOKEN` (opens the first-run page from elsewhere).
    pub site: Site,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration `var` describes (the environment, or a test's table of values).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let text = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let store = match text("TENANTMAP_STORE").as_deref() {
            None | Some("embedded") => StoreKind::Embedded,
            Some("dynamodb") => StoreKind::DynamoDb,
            Some(other) => {
                return Err(format!(
                    "TENANTMAP_STORE: {other}? Use embedded or dynamodb"
                ));
            }
        };
        let table = text("TENANTMAP_TABLE");
        if store == StoreKind::DynamoDb && table.is_none() {
            return Err("TENANTMAP_TABLE: the DynamoDB table to use".into());
        }
        let minutes = match text("TENANTMAP_SYNC_MINUTES") {
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| "TENANTMAP_SYNC_MINUTES: a whole number of minutes".to_string())?,
            None => 60,
        };
        let url = |name: &str, default: String| {
            text(name)
                .map(|v| v.trim_end_matches('/').to_string())
                .unwrap_or(default)
        };
        let defaults = MicrosoftConfig::default();
        let microsoft = MicrosoftConfig {
            identity_url: url("TENANTMAP_IDENTITY_URL", defaults.identity_url.clone()),
            graph_url: url("TENANTMAP_GRAPH_URL", defaults.graph_url.clone()),
            scope: text("TENANTMAP_GRAPH_SCOPE").unwrap_or(defaults.scope.clone()),
            ..defaults
        };
        let secret_key = text("TENANTMAP_SECRET_KEY")
            .map(|k| SealingKey::from_base64(&k).map_err(|e| format!("TENANTMAP_SECRET_KEY: {e}")))
            .transpose()?;
        let secret_key_arn = text("TENANTMAP_SECRET_KEY_ARN");
        if secret_key.is_some() && secret_key_arn.is_some() {
            return Err(
                "TENANTMAP_SECRET_KEY_ARN: set it or TENANTMAP_SECRET_KEY, not both".into(),
            );
        }
        let dynamodb_timeout = match text("TENANTMAP_DYNAMODB_TIMEOUT_SECONDS") {
            Some(v) => v.parse::<u64>().ok().filter(|s| *s > 0).ok_or_else(|| {
                "TENANTMAP_DYNAMODB_TIMEOUT_SECONDS: a whole number of seconds".to_string()
            })?,
            None => 3,
        };
        let public_origins = text("TENANTMAP_PUBLIC_ORIGIN")
            .map(|v| v.split(',').map(origin).collect::<Result<Vec<_>, _>>())
            .transpose()?
            .unwrap_or_default();
        let client_address_header = text("TENANTMAP_CLIENT_ADDRESS_HEADER")
            .map(|h| {
                http::HeaderName::try_from(h.to_ascii_lowercase()).map_err(|_| {
                    format!("TENANTMAP_CLIENT_ADDRESS_HEADER: {h} is not a header name")
                })
            })
            .transpose()?;
        let proxy_secret = text("TENANTMAP_PROXY_SECRET");
        if let Some(secret) = &proxy_secret
            && secret.len() < 16
        {
            return Err(
                "TENANTMAP_PROXY_SECRET: at least 16 characters (openssl rand -hex 32)".into(),
            );
        }
        if client_address_header.is_some() && proxy_secret.is_none() {
            return Err("TENANTMAP_CLIENT_ADDRESS_HEADER needs TENANTMAP_PROXY_SECRET: anyone can send an address header, so it is believed only from requests carrying the secret your proxy adds (X-Tenantmap-Proxy-Secret)".into());
        }
        let site = Site {
            public_origins,
            client_address_header,
            proxy_secret,
            setup_token: text("TENANTMAP_SETUP_TOKEN"),
            local_setup: text("TENANTMAP_LOCAL_SETUP").as_deref() == Some("1"),
        };
        Ok(Config {
            site,
            store,
            data: PathBuf::from(text("TENANTMAP_DATA").unwrap_or_else(|| "./data".into())),
            table,
            create_table: text("TENANTMAP_CREATE_TABLE").as_deref() == Some("1"),
            dynamodb_timeout: Duration::from_secs(dynamodb_timeout),
            sync_every: (minutes > 0).then(|| Duration::from_secs(minutes * 60)),
            microsoft,
            secret_key,
            secret_key_arn,
            secure_cookies: text("TENANTMAP_SECURE_COOKIES").as_deref() == Some("1"),
            // A password keeps its spaces.
            admin_password: var("TENANTMAP_ADMIN_PASSWORD")
                .filter(|p| !p.is_empty())
                .map(Hidden),
            demo_password: Hidden(
                var("TENANTMAP_DEMO_PASSWORD")
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "foggy-demo-password".into()),
            ),
        })
    }

    /// On AWS the root key lives in Secrets Manager (`TENANTMAP_SECRET_KEY_ARN`), not in the
    /// function's environment: read it once, at start, before the first request.
    pub async fn read_secret_key(&mut self, aws: &aws_config::SdkConfig) -> Result<(), String> {
        let Some(arn) = self.secret_key_arn.clone() else {
            return Ok(());
        };
        let answer = aws_sdk_secretsmanager::Client::new(aws)
            .get_secret_value()
            .secret_id(&arn)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "TENANTMAP_SECRET_KEY_ARN: cannot read {arn}: {}",
                    aws_smithy_types::error::display::DisplayErrorContext(e)
                )
            })?;
        let text = answer
            .secret_string()
            .ok_or_else(|| format!("TENANTMAP_SECRET_KEY_ARN: {arn} holds no text"))?;
        let key = SealingKey::from_base64(text)
            .map_err(|e| format!("TENANTMAP_SECRET_KEY_ARN: {arn}: {e}"))?;
        self.secret_key = Some(key);
        Ok(())
    }

    /// The site with a setup token for this run: the configured one, or a new random one
    /// (`server serve` prints the first-run link with it while the installation is empty).
    pub fn site_with_setup_token(&self) -> Site {
        let mut site = self.site.clone();
        if site.setup_token.is_none() {
            // 122 random bits from the system's generator, as 32 hex digits.
            site.setup_token = Some(uuid::Uuid::new_v4().simple().to_string());
        }
        site
    }

    /// The Microsoft client: with the configured key, or — with the embedded store, whose data
    /// is on this machine anyway — the key in `secret.key` beside the data, created
    /// (owner-only) on first start. Without either, connecting to Microsoft says what to set.
    pub fn microsoft_client(&self) -> Result<Microsoft, String> {
        let key = match (&self.secret_key, self.store) {
            (Some(key), _) => Some(key.clone()),
            (None, StoreKind::Embedded) => Some(crate::tasks::local_key(&self.data)?),
            (None, StoreKind::DynamoDb) => None,
        };
        Ok(Microsoft::new(self.microsoft.clone(), key))
    }
}

/// One origin of `TENANTMAP_PUBLIC_ORIGIN`: `scheme://host[:port]`, nothing after.
fn origin(v: &str) -> Result<String, String> {
    let v = v.trim().trim_end_matches('/').to_ascii_lowercase();
    let ok = match v.split_once("://") {
        Some(("https" | "http", authority)) => {
            !authority.is_empty() && !authority.contains(['/', '?', '#', '@', ' '])
        }
        _ => false,
    };
    if ok {
        Ok(v)
    } else {
        Err(format!(
            "TENANTMAP_PUBLIC_ORIGIN: {v}? Give origins like https://tenantmap.example.com, separated by commas"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_serve_the_embedded_store_and_sync_hourly() {
        let c = config(&[]).unwrap();
        assert_eq!(c.store, StoreKind::Embedded);
        assert_eq!(c.data, PathBuf::from("./data"));
        assert_eq!(c.sync_every, Some(Duration::from_secs(3600)));
        assert_eq!(c.dynamodb_timeout, Duration::from_secs(3));
        assert_eq!(c.microsoft.graph_url, "https://graph.microsoft.com");
        assert!(c.secret_key.is_none() && !c.secure_cookies && c.admin_password.is_none());
        assert_eq!(format!("{:?}", c.demo_password), "<hidden>");
    }

    #[test]
    fn every_value_is_read_and_checked() {
        let key = SealingKey::generate();
        let c = config(&[
            ("TENANTMAP_STORE", "dynamodb"),
            ("TENANTMAP_TABLE", "tenantmap"),
            ("TENANTMAP_CREATE_TABLE", "1"),
            ("TENANTMAP_SYNC_MINUTES", "0"),
            ("TENANTMAP_GRAPH_URL", "https://graph.microsoft.us/"),
            ("TENANTMAP_SECRET_KEY", &key),
            ("TENANTMAP_SECURE_COOKIES", "1"),
            ("TENANTMAP_ADMIN_PASSWORD", " spaced password "),
            (
                "TENANTMAP_PUBLIC_ORIGIN",
                "https://TenantMap.msp.example/, http://intranet:8080",
            ),
            (
                "TENANTMAP_CLIENT_ADDRESS_HEADER",
                "CloudFront-Viewer-Address",
            ),
            ("TENANTMAP_PROXY_SECRET", "a secret of the proxy"),
            ("TENANTMAP_SETUP_TOKEN", "s3cret"),
        ])
        .unwrap();
        assert_eq!(
            (c.store, c.table.as_deref()),
            (StoreKind::DynamoDb, Some("tenantmap"))
        );
        assert!(c.create_table && c.secure_cookies && c.secret_key.is_some());
        assert_eq!(c.sync_every, None, "0 turns the schedule off");
        assert_eq!(c.microsoft.graph_url, "https://graph.microsoft.us");
        assert_eq!(c.admin_password, Some(Hidden(" spaced password ".into())));
        assert_eq!(
            c.site.public_origins,
            ["https://tenantmap.msp.example", "http://intranet:8080"]
        );
        assert_eq!(
            c.site.client_address_header.as_ref().map(|h| h.as_str()),
            Some("cloudfront-viewer-address")
        );
        assert_eq!(
            c.site.proxy_secret.as_deref(),
            Some("a secret of the proxy")
        );
        assert_eq!(
            c.site_with_setup_token().setup_token.as_deref(),
            Some("s3cret")
        );
        let fresh = config(&[]).unwrap().site_with_setup_token();
        assert_eq!(fresh.setup_token.map(|t| t.len()), Some(32));
        for (vars, says) in [
            (vec![("TENANTMAP_STORE", "postgres")], "TENANTMAP_STORE"),
            (vec![("TENANTMAP_STORE", "dynamodb")], "TENANTMAP_TABLE"),
            (
                vec![("TENANTMAP_SYNC_MINUTES", "hourly")],
                "TENANTMAP_SYNC_MINUTES",
            ),
            (
                vec![("TENANTMAP_SECRET_KEY", "not base64")],
                "TENANTMAP_SECRET_KEY",
            ),
            (
                vec![("TENANTMAP_DYNAMODB_TIMEOUT_SECONDS", "0")],
                "TENANTMAP_DYNAMODB_TIMEOUT_SECONDS",
            ),
            (
                vec![("TENANTMAP_PUBLIC_ORIGIN", "tenantmap.msp.example/app")],
                "TENANTMAP_PUBLIC_ORIGIN",
            ),
            (
                vec![("TENANTMAP_CLIENT_ADDRESS_HEADER", "no spaces")],
                "TENANTMAP_CLIENT_ADDRESS_HEADER",
            ),
            (
                vec![("TENANTMAP_CLIENT_ADDRESS_HEADER", "X-Forwarded-For")],
                "TENANTMAP_CLIENT_ADDRESS_HEADER needs TENANTMAP_PROXY_SECRET",
            ),
            (
                vec![("TENANTMAP_PROXY_SECRET", "short")],
                "TENANTMAP_PROXY_SECRET",
            ),
            (
                vec![
                    ("TENANTMAP_SECRET_KEY", key.as_str()),
                    ("TENANTMAP_SECRET_KEY_ARN", "arn:aws:secretsmanager:x"),
                ],
                "TENANTMAP_SECRET_KEY_ARN",
            ),
        ] {
            let err = config(&vars).unwrap_err();
            assert!(err.starts_with(says), "{err}");
        }
    }
}
