//! The client secret at rest: AES-256-GCM under a key from configuration, bound to its account
//! and client ID (a sealed secret copied to another account or app does not open).
//!
//! One root key (`TENANTMAP_SECRET_KEY`), a key per purpose: HKDF-SHA256 derives the key that
//! seals client secrets and the one that seals what browsers carry back (reports in links,
//! the status-line cookie), so neither kind of sealed value can stand in for the other and a
//! weakness in one use does not reach the other. Client secrets sealed before the keys were
//! separated (directly under the root key) still open, and are sealed anew when next saved.

use crate::domain::{AccountId, ClientId, ClientSecret, SealedSecret};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// The keys that seal client secrets and browser values, derived from one root key. Never
/// printed.
#[derive(Clone)]
pub struct SealingKey {
    secrets: Aes256Gcm,
    values: Aes256Gcm,
    /// The root key itself: what client secrets were sealed under before the keys were
    /// separated (opened, never used to seal).
    legacy: Aes256Gcm,
}

/// The purposes keys are derived for (HKDF's `info`).
const SECRETS_INFO: &[u8] = b"tenantmap/v1/client-secrets";
const VALUES_INFO: &[u8] = b"tenantmap/v1/browser-values";

fn derive(root: &[u8], info: &[u8]) -> Aes256Gcm {
    let mut okm = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(b"tenantmap"), root)
        .expand(info, &mut okm)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    Aes256Gcm::new_from_slice(&okm).expect("a 32-byte key")
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(<hidden>)")
    }
}

impl SealingKey {
    /// A key from its base64 text (32 bytes, e.g. `openssl rand -base64 32`).
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| "the secret key is not base64".to_string())?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() != 32 {
            return Err(format!(
                "the secret key must be 32 bytes (256 bits), not {}",
                bytes.len()
            ));
        }
        let legacy = Aes256Gcm::new_from_slice(bytes).map_err(|e| e.to_string())?;
        Ok(SealingKey {
            secrets: derive(bytes, SECRETS_INFO),
            values: derive(bytes, VALUES_INFO),
            legacy,
        })
    }

    /// A fresh random key, as base64 text.
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        B64.encode(bytes)
    }

    pub fn seal(
        &self,
        account: &AccountId,
        client: ClientId,
        secret: &ClientSecret,
    ) -> SealedSecret {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the operating system's random source");
        let aad = associated(account, client);
        let ciphertext = self
            .secrets
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose().as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of a short message");
        SealedSecret {
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        }
    }

    pub fn open(
        &self,
        account: &AccountId,
        client: ClientId,
        sealed: &SealedSecret,
    ) -> Result<ClientSecret, String> {
        let nonce = B64.decode(&sealed.nonce).map_err(|e| e.to_string())?;
        let ciphertext = B64.decode(&sealed.ciphertext).map_err(|e| e.to_string())?;
        if nonce.len() != 12 {
            return Err("the sealed secret's nonce is not 12 bytes".into());
        }
        let aad = associated(account, client);
        let payload = || Payload {
            msg: &ciphertext,
            aad: aad.as_bytes(),
        };
        let nonce = Nonce::from_slice(&nonce);
        let plain = self
            .secrets
            .decrypt(nonce, payload())
            .or_else(|_| self.legacy.decrypt(nonce, payload()))
            .map_err(|_| {
                "the client secret does not open with this server's key (was TENANTMAP_SECRET_KEY changed?)".to_string()
            })?;
        let text = String::from_utf8(plain).map_err(|e| e.to_string())?;
        ClientSecret::parse(&text).map_err(|e| e.to_string())
    }
}

impl SealingKey {
    /// Seals a short value the browser carries back to this server (a report in a link, a
    /// sentence in a cookie), bound to `purpose`: URL-safe base64 of the nonce and ciphertext.
    pub fn seal_value(&self, purpose: &str, value: &[u8]) -> String {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).expect("the operating system's random source");
        let payload = Payload {
            msg: value,
            aad: purpose.as_bytes(),
        };
        let ciphertext = self
            .values
            .encrypt(Nonce::from_slice(&nonce), payload)
            .expect("AES-GCM encryption of a short message");
        URL_SAFE_NO_PAD.encode([nonce.as_slice(), &ciphertext].concat())
    }

    /// The value [`SealingKey::seal_value`] sealed for `purpose`; `None` for anything else
    /// (written by someone else, for another purpose, or under another key).
    pub fn open_value(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let bytes = URL_SAFE_NO_PAD.decode(sealed.trim()).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let payload = Payload {
            msg: ciphertext,
            aad: purpose.as_bytes(),
        };
        self.values.decrypt(Nonce::from_slice(nonce), payload).ok()
    }
}

fn associated(account: &AccountId, client: ClientId) -> String {
    format!("tenantmap/client-secret/{account}/{client}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_for_their_purpose_under_their_key() {
        let key = SealingKey::from_base64(&SealingKey::generate()).unwrap();
        let sealed = key.seal_value("report/session-1", b"Added 3");
        assert!(!sealed.contains('+') && !sealed.contains('/') && !sealed.contains('='));
        assert_eq!(
            key.open_value("report/session-1", &sealed).as_deref(),
            Some(b"Added 3".as_slice())
        );
        assert_eq!(key.open_value("report/session-2", &sealed), None);
        let other = SealingKey::from_base64(&SealingKey::generate()).unwrap();
        assert_eq!(other.open_value("report/session-1", &sealed), None);
        for forged in ["", "abc", "{\"added\":3}", &sealed[..sealed.len() - 2]] {
            assert_eq!(key.open_value("report/session-1", forged), None, "{forged}");
        }
    }

    #[test]
    fn sealed_secrets_open_only_where_they_were_sealed() {
        let key = SealingKey::from_base64(&SealingKey::generate()).unwrap();
        let a = AccountId::parse("msp-a").unwrap();
        let b = AccountId::parse("msp-b").unwrap();
        let client = ClientId::parse("22222222-2222-2222-2222-222222222222").unwrap();
        let other = ClientId::parse("33333333-3333-3333-3333-333333333333").unwrap();
        let secret = ClientSecret::parse("Abc8Q~not-a-real-secret").unwrap();
        let sealed = key.seal(&a, client, &secret);
        assert!(!sealed.ciphertext.contains("not-a-real-secret"));
        assert_ne!(
            key.seal(&a, client, &secret),
            sealed,
            "a fresh nonce each time"
        );
        assert_eq!(key.open(&a, client, &sealed).unwrap(), secret);
        assert!(key.open(&b, client, &sealed).is_err(), "another account");
        assert!(key.open(&a, other, &sealed).is_err(), "another app");
        let wrong = SealingKey::from_base64(&SealingKey::generate()).unwrap();
        assert!(wrong.open(&a, client, &sealed).is_err(), "another key");
        let mut tampered = sealed.clone();
        tampered.ciphertext = B64.encode(b"0123456789abcdef0123456789");
        assert!(key.open(&a, client, &tampered).is_err());
    }

    #[test]
    fn each_purpose_has_its_own_key_and_old_secrets_still_open() {
        let root = [7u8; 32];
        let key = SealingKey::from_bytes(&root).unwrap();
        let a = AccountId::parse("msp-a").unwrap();
        let client = ClientId::parse("22222222-2222-2222-2222-222222222222").unwrap();
        let secret = ClientSecret::parse("Abc8Q~not-a-real-secret").unwrap();
        // A secret sealed as before (directly under the root key) still opens.
        let nonce = [1u8; 12];
        let aad = associated(&a, client);
        let old = Aes256Gcm::new_from_slice(&root)
            .unwrap()
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.expose().as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .unwrap();
        let old = SealedSecret {
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(old),
        };
        assert_eq!(key.open(&a, client, &old).unwrap(), secret);
        // What is sealed now is not under the root key, and a browser value is under neither
        // the secrets' key nor the root key.
        let sealed = key.seal(&a, client, &secret);
        let raw = B64.decode(&sealed.ciphertext).unwrap();
        let n = B64.decode(&sealed.nonce).unwrap();
        let under = |k: &Aes256Gcm| {
            k.decrypt(
                Nonce::from_slice(&n),
                Payload {
                    msg: &raw,
                    aad: aad.as_bytes(),
                },
            )
            .is_ok()
        };
        assert!(under(&key.secrets) && !under(&key.legacy) && !under(&key.values));
        let value = key.seal_value("p", b"x");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&value)
            .unwrap();
        let (vn, vc) = bytes.split_at(12);
        let opens = |k: &Aes256Gcm| {
            k.decrypt(Nonce::from_slice(vn), Payload { msg: vc, aad: b"p" })
                .is_ok()
        };
        assert!(opens(&key.values) && !opens(&key.secrets) && !opens(&key.legacy));
    }

    #[test]
    fn keys_must_be_256_bits() {
        assert!(SealingKey::from_base64("c2hvcnQ=").is_err());
        assert!(SealingKey::from_base64("not base64!").is_err());
        assert!(
            format!(
                "{:?}",
                SealingKey::from_base64(&SealingKey::generate()).unwrap()
            )
            .contains("hidden")
        );
    }
}
