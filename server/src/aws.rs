//! The AWS SDK's configuration: every AWS client here (DynamoDB, Lambda, Secrets Manager) is
//! made from a configuration loaded through this module, with the one HTTPS client it builds
//! (rustls on ring, the system's trusted certificates). The SDK's own default client is not
//! compiled in (`Cargo.toml` says why).

use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

/// The SDK's defaults (region, credentials and endpoint from the environment) with this
/// module's HTTPS client; its credential providers use the same client.
pub fn defaults() -> ConfigLoader {
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(https)
}

/// The configuration the environment gives (`aws_config::load_from_env`).
pub async fn load_from_env() -> SdkConfig {
    defaults().load().await
}
