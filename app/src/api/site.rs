//! Where the installation is served from and who is asking: the public origins browsers reach
//! it at (`TENANTMAP_PUBLIC_ORIGIN`), the client's address, and the first-run page's setup
//! token. Read once at start-up (`server::config`) into [`Site`], kept in `AppState`.

use std::net::IpAddr;

/// What the configuration says about how the installation is reached.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// The origins (`https://tenantmap.example.com`) browsers reach the app at, besides the
    /// `Host` it is asked for: behind CloudFront the browser's `Origin` names the custom
    /// domain while the function sees its own. Lowercase, without a trailing slash.
    pub public_origins: Vec<String>,
    /// The header a trusted proxy writes the browser's address into (`CloudFront-Viewer-Address`,
    /// `X-Forwarded-For`); without it, the address the connection comes from. Believed only
    /// from a request that carries [`Site::proxy_secret`].
    pub client_address_header: Option<http::HeaderName>,
    /// The secret the trusted proxy adds to every request it forwards, in
    /// [`PROXY_SECRET_HEADER`] (`TENANTMAP_PROXY_SECRET`; CloudFront: a custom origin header).
    /// When set, a request without it did not come through the proxy and is refused: anyone
    /// can write an address header, only the proxy knows the secret.
    pub proxy_secret: Option<String>,
    /// The token that opens the first-run page from anywhere but this machine (printed by
    /// `server serve` at start, or `TENANTMAP_SETUP_TOKEN`). Without one, only loopback may set
    /// up a fresh installation.
    pub setup_token: Option<String>,
    /// `TENANTMAP_LOCAL_SETUP=1`: the first-run page also opens without its token for a
    /// browser on this machine. Off by default: a forwarder on this machine that adds no header
    /// (`socat`, an SSH tunnel) makes every visitor look local, so by default only the token
    /// `server serve` prints opens it.
    pub local_setup: bool,
}

impl Site {
    /// Whether a request for `host` (its `Host` header) is for this installation: an address
    /// (no DNS name to rebind), `localhost`, an AWS endpoint's own name (Function URL, API
    /// Gateway), or a configured public origin's host. Anything else is a DNS name someone
    /// pointed here — DNS rebinding, from a web page, of a local install.
    pub fn knows_host(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name = host_name(&host);
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if name.ends_with(".on.aws") || name.ends_with(".amazonaws.com") {
            return true;
        }
        self.public_origins
            .iter()
            .filter_map(|o| o.split_once("://").map(|(_, authority)| authority))
            .any(|authority| authority == host || host_name(authority) == host)
    }

    /// Whether a browser's `Origin` header is this installation's: the host it asked for, or
    /// a configured public origin.
    pub fn is_own_origin(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
        let authority = origin.split_once("://").map(|(_, a)| a);
        if authority.is_some() && authority == host.map(str::to_ascii_lowercase).as_deref() {
            return true;
        }
        self.public_origins.contains(&origin)
    }

    /// Whether `token` is the setup token (compared by digest: no timing to learn it from).
    pub fn is_setup_token(&self, token: &str) -> bool {
        same_secret(self.setup_token.as_deref(), token.trim())
    }

    /// Who is asking, from what the platform saw (`peer`: the connection's address, or the
    /// Lambda event's source) and the request's headers: `Ok(None)` when nothing is known,
    /// `Err` when a proxy is configured and this request did not come through it.
    ///
    /// The proxy's address header is believed only from a request carrying the proxy's
    /// secret; otherwise the address is the peer's, whatever headers say. "This machine"
    /// (which may use the first-run page) is decided from the peer alone, and never for a
    /// request that went through a proxy: one configured, or any forwarding header present
    /// (a reverse proxy on this machine makes every visitor's peer a loopback address).
    pub fn client_of(
        &self,
        peer: Option<IpAddr>,
        headers: &http::HeaderMap,
    ) -> Result<Option<ClientAddress>, NotThroughProxy> {
        let proxied = match &self.proxy_secret {
            Some(secret) => {
                let sent = headers
                    .get(PROXY_SECRET_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !same_secret(Some(secret), sent) {
                    return Err(NotThroughProxy);
                }
                true
            }
            None => false,
        };
        let from_header = self
            .client_address_header
            .as_ref()
            .filter(|_| proxied)
            .and_then(|name| headers.get(name))
            .and_then(|v| v.to_str().ok())
            .and_then(address_in_header);
        let forwarded = proxied
            || self.client_address_header.is_some()
            || FORWARDING_HEADERS.iter().any(|h| headers.contains_key(*h));
        let this_machine = !forwarded && peer.is_some_and(is_loopback);
        Ok(from_header
            .or(peer)
            .map(|ip| ClientAddress { ip, this_machine }))
    }
}

/// The header a trusted proxy carries [`Site::proxy_secret`] in.
pub const PROXY_SECRET_HEADER: &str = "x-tenantmap-proxy-secret";

/// Headers that say a proxy forwarded the request (whoever wrote them).
const FORWARDING_HEADERS: [&str; 4] = [
    "forwarded",
    "x-forwarded-for",
    "x-real-ip",
    "cloudfront-viewer-address",
];

/// A request that did not come through the configured proxy (it lacks the proxy's secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotThroughProxy;

/// Compares a secret by digest: no timing to learn it from.
fn same_secret(expected: Option<&str>, given: &str) -> bool {
    use sha2::{Digest, Sha256};
    match expected {
        Some(t) => Sha256::digest(t.as_bytes()) == Sha256::digest(given.as_bytes()),
        None => false,
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map_or(v6.is_loopback(), |v4| v4.is_loopback()),
        ip => ip.is_loopback(),
    }
}

/// A `Host` without its port (`[::1]:3000` → `::1`, `example.com:443` → `example.com`).
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

/// The browser's address, as the router found it ([`Site::client_of`]), in the request's
/// extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress {
    /// The address sign-in throttling and the activity log know the browser by.
    pub ip: IpAddr,
    /// The request came from the machine tenantmap runs on, not through a proxy.
    pub this_machine: bool,
}

/// The address the platform saw a request come from: the Lambda event's source (put in the
/// request's extensions by the Lambda entry point); elsewhere the connection's peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer(pub IpAddr);

/// The address in a proxy header's value: the last entry of a list (`X-Forwarded-For`: the
/// one the trusted proxy itself added), with or without a port (`CloudFront-Viewer-Address`
/// is `address:port`).
pub fn address_in_header(value: &str) -> Option<IpAddr> {
    let last = value.rsplit(',').next()?.trim();
    if let Ok(ip) = last.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = last.parse::<std::net::SocketAddr>() {
        return Some(sa.ip());
    }
    let (ip, port) = last.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.trim_matches(|c| c == '[' || c == ']').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(origins: &[&str]) -> Site {
        Site {
            public_origins: origins.iter().map(|o| o.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn hosts_that_no_one_can_rebind_are_known_and_other_names_only_when_configured() {
        let local = site(&[]);
        for host in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:3000",
            "10.0.0.5",
            "abc123.lambda-url.us-east-1.on.aws",
            "x.execute-api.eu-west-1.amazonaws.com",
        ] {
            assert!(local.knows_host(host), "{host}");
        }
        for host in [
            "attacker.example",
            "attacker.example:3000",
            "127.0.0.1.nip.io",
        ] {
            assert!(!local.knows_host(host), "{host}");
        }
        let public = site(&["https://tenantmap.msp.example", "http://intranet:8080"]);
        assert!(public.knows_host("tenantmap.msp.example"));
        assert!(public.knows_host("intranet:8080"));
        assert!(!public.knows_host("other.msp.example"));
    }

    #[test]
    fn an_origin_is_own_when_it_is_the_host_or_configured() {
        let s = site(&["https://tenantmap.msp.example"]);
        assert!(s.is_own_origin("http://127.0.0.1:3000", Some("127.0.0.1:3000")));
        assert!(s.is_own_origin(
            "https://tenantmap.msp.example",
            Some("abc.lambda-url.us-east-1.on.aws")
        ));
        assert!(!s.is_own_origin("https://evil.example", Some("127.0.0.1:3000")));
        assert!(!s.is_own_origin("null", None));
    }

    #[test]
    fn proxy_headers_give_the_last_address() {
        let ip = |s: &str| address_in_header(s).map(|a| a.to_string());
        assert_eq!(ip("203.0.113.7").as_deref(), Some("203.0.113.7"));
        assert_eq!(
            ip("198.51.100.1, 203.0.113.7").as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(ip("203.0.113.7:46532").as_deref(), Some("203.0.113.7"));
        // CloudFront writes an IPv6 viewer as `address:port`, brackets or not.
        assert_eq!(ip("2001:db8::1:46532").as_deref(), Some("2001:db8::1"));
        assert_eq!(ip("[2001:db8::1]:46532").as_deref(), Some("2001:db8::1"));
        assert_eq!(ip("not an address"), None);
    }

    #[test]
    fn an_address_header_is_believed_only_from_the_proxy() {
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = http::HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.9")]);
        // Nothing configured: the peer, whatever a header says; loopback is this machine.
        let plain = site(&[]);
        let c = plain.client_of(Some(peer), &spoofed).unwrap().unwrap();
        assert_eq!((c.ip, c.this_machine), (peer, false));
        let c = plain
            .client_of(Some(local), &headers(&[]))
            .unwrap()
            .unwrap();
        assert_eq!((c.ip, c.this_machine), (local, true));
        // A same-host reverse proxy: loopback, but forwarded — not this machine.
        let c = plain.client_of(Some(local), &spoofed).unwrap().unwrap();
        assert_eq!((c.ip, c.this_machine), (local, false));
        // A header configured without a request proving it came through the proxy.
        let mut proxied = site(&[]);
        proxied.client_address_header = Some(http::HeaderName::from_static("x-forwarded-for"));
        proxied.proxy_secret = Some("s3cret".into());
        assert_eq!(
            proxied.client_of(Some(peer), &spoofed),
            Err(NotThroughProxy)
        );
        assert_eq!(
            proxied.client_of(
                Some(peer),
                &headers(&[
                    ("x-forwarded-for", "203.0.113.9"),
                    (PROXY_SECRET_HEADER, "wrong")
                ])
            ),
            Err(NotThroughProxy)
        );
        // Through the proxy: its header, and never this machine (even from loopback).
        let through = headers(&[
            ("x-forwarded-for", "198.51.100.1, 203.0.113.9"),
            (PROXY_SECRET_HEADER, "s3cret"),
        ]);
        let c = proxied.client_of(Some(local), &through).unwrap().unwrap();
        assert_eq!(c.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
        assert!(!c.this_machine);
        let c = proxied
            .client_of(Some(local), &headers(&[(PROXY_SECRET_HEADER, "s3cret")]))
            .unwrap()
            .unwrap();
        assert_eq!((c.ip, c.this_machine), (local, false));
    }

    #[test]
    fn only_the_setup_token_opens_the_first_run_page() {
        let mut s = site(&[]);
        assert!(!s.is_setup_token(""));
        s.setup_token = Some("abc123".into());
        assert!(s.is_setup_token("abc123") && !s.is_setup_token("abc124"));
    }
}
