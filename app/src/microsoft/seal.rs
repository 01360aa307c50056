//! The client secret at rest: AES-256-GCM under a key from configuration, bound to its account
//! and client ID (a sealed secret copied to another account or app does not open).

use crate::domain::{AccountId, ClientId, ClientSecret, SealedSecret};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

/// The key that seals client secrets. Never printed.
#[derive(Clone)]
pub struct SealingKey(Aes256Gcm);

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
        Aes256Gcm::new_from_slice(bytes)
            .map(SealingKey)
            .map_err(|e| e.to_string())
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
            .0
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
        let plain = self
            .0
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: aad.as_bytes(),
                },
            )
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
            .0
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
        self.0.decrypt(Nonce::from_slice(nonce), payload).ok()
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
