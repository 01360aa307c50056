//! Sign-in throttling: how many wrong passwords may be tried, by whom, and how fast.
//!
//! A lock per email alone is a weapon: anyone who knows an Administrator's email could keep
//! them out by typing wrong passwords. So failures are counted three ways, each remembered for
//! a day after its last failure (a wait reaching its cap never resets a count):
//! - **this email from this address** — 5 free, then 30 s doubling per failure up to 15
//!   minutes: one address guessing one password slows to 4 tries an hour;
//! - **this address, every email** — 50 free, then the same: one address spraying passwords
//!   across many emails;
//! - **this email, every address** — 100 free, then the same: many addresses (a botnet)
//!   guessing one password. An address that has failed fewer than 3 times for this email
//!   still gets through: the Administrator, from their own address, keeps 3 tries a day for
//!   their right password while the email is under attack, and each attacking address gets 3.
//!
//! A sign-in is counted as a failure before its password is checked (so attempts at the same
//! moment cannot outrun the count), and forgiven when it succeeds: this email from this
//! address starts again at nothing, and the two other counts drop by the one attempt.

use crate::domain::Timestamp;
use serde::{Deserialize, Serialize};

/// Failed sign-ins under one key, kept by the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SignInFailures {
    pub count: u32,
    pub last: Timestamp,
}

/// Failures are remembered this long after the last one.
pub const FAILURE_MEMORY_MS: i64 = 24 * 60 * 60 * 1000;
/// The longest a next attempt waits.
pub const MAX_WAIT_MS: i64 = 15 * 60 * 1000;
/// Free failures for one email from one address.
pub const FREE_PER_EMAIL_AND_ADDRESS: u32 = 5;
/// Free failures from one address, over every email.
pub const FREE_PER_ADDRESS: u32 = 50;
/// Free failures for one email, over every address.
pub const FREE_PER_EMAIL: u32 = 100;
/// Tries an address keeps for an email that is under attack from elsewhere.
pub const NEW_ADDRESS_BUDGET: u32 = 3;

/// The three keys one sign-in attempt is counted under. They are store keys: an email cannot
/// contain a space, so no email-from-address key equals an address or email one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInKeys {
    pub email_from_address: String,
    pub address: String,
    pub email: String,
}

impl SignInKeys {
    /// `email` as the store keeps it (lowercase), `address` as [`client_address_key`] made it.
    pub fn new(email: &str, address: &str) -> Self {
        SignInKeys {
            email_from_address: format!("{email} from {address}"),
            address: format!("address {address}"),
            email: email.to_string(),
        }
    }

    /// The keys in a fixed order (the store reads and writes them as one).
    pub fn all(&self) -> [&str; 3] {
        [&self.email_from_address, &self.address, &self.email]
    }
}

/// The failures counted so far under each of [`SignInKeys`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInCounts {
    pub email_from_address: SignInFailures,
    pub address: SignInFailures,
    pub email: SignInFailures,
}

impl SignInCounts {
    /// From the records in [`SignInKeys::all`]'s order.
    pub fn from_records(records: [Option<SignInFailures>; 3]) -> Self {
        let [email_from_address, address, email] = records.map(Option::unwrap_or_default);
        SignInCounts {
            email_from_address,
            address,
            email,
        }
    }

    /// Each count with one more failure at `now`, in [`SignInKeys::all`]'s order.
    pub fn with_failure(&self, now: Timestamp) -> [SignInFailures; 3] {
        [self.email_from_address, self.address, self.email].map(|f| note_failure(f, now))
    }
}

/// Failures still remembered at `now`.
fn live(f: SignInFailures, now: Timestamp) -> u32 {
    if now.0 - f.last.0 >= FAILURE_MEMORY_MS {
        0
    } else {
        f.count
    }
}

/// The wait (ms) one count asks for: nothing for `free` failures, then 30 s doubling per
/// failure up to [`MAX_WAIT_MS`], counted from the last failure.
fn wait_for(f: SignInFailures, free: u32, now: Timestamp) -> Option<i64> {
    let count = live(f, now);
    if count < free {
        return None;
    }
    let steps = (count - free).min(10);
    let wait = (30_000i64 << steps).min(MAX_WAIT_MS);
    let since = now.0 - f.last.0;
    (since < wait).then_some(wait - since)
}

/// How long (ms) this attempt must wait first, or `None` to let it through.
pub fn sign_in_wait(c: &SignInCounts, now: Timestamp) -> Option<i64> {
    let pair = wait_for(c.email_from_address, FREE_PER_EMAIL_AND_ADDRESS, now);
    let address = wait_for(c.address, FREE_PER_ADDRESS, now);
    // An email under attack from elsewhere still lets a fresh address try a few times.
    let email = wait_for(c.email, FREE_PER_EMAIL, now)
        .filter(|_| live(c.email_from_address, now) >= NEW_ADDRESS_BUDGET);
    [pair, address, email].into_iter().flatten().max()
}

/// The record after one more failure at `now`.
pub fn note_failure(f: SignInFailures, now: Timestamp) -> SignInFailures {
    SignInFailures {
        count: live(f, now).saturating_add(1),
        last: now,
    }
}

/// The record after a successful sign-in forgives its own attempt (counted before the
/// password was checked). `None`: nothing left to remember.
pub fn forgive_one(f: SignInFailures) -> Option<SignInFailures> {
    (f.count > 1).then_some(SignInFailures {
        count: f.count - 1,
        ..f
    })
}

/// The throttling key of a client address: an IPv4 address as is; an IPv6 address by its /64
/// (one home or office network gets a whole /64, so single addresses are free to an attacker).
pub fn client_address_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::*;

    const T0: i64 = 10_000_000_000;
    fn t(ms: i64) -> Timestamp {
        Timestamp(T0 + ms)
    }

    /// `n` failures counted under every key at `at`, starting from `c`.
    fn fail(mut c: SignInCounts, n: u32, at: Timestamp) -> SignInCounts {
        for _ in 0..n {
            let [a, b, e] = c.with_failure(at);
            c = SignInCounts {
                email_from_address: a,
                address: b,
                email: e,
            };
        }
        c
    }

    #[test]
    fn one_address_guessing_one_email_slows_down_and_the_cap_never_resets_the_count() {
        let mut c = SignInCounts::default();
        for i in 0..FREE_PER_EMAIL_AND_ADDRESS {
            assert_eq!(sign_in_wait(&c, t(i as i64)), None);
            c = fail(c, 1, t(i as i64));
        }
        assert_eq!(sign_in_wait(&c, t(4)), Some(30_000));
        assert_eq!(sign_in_wait(&c, t(4 + 30_000)), None);
        c = fail(c, 1, t(40_000));
        assert_eq!(sign_in_wait(&c, t(40_000)), Some(60_000));
        c = fail(c, 20, t(50_000));
        assert_eq!(sign_in_wait(&c, t(50_000)), Some(MAX_WAIT_MS));
        // Waiting out the cap lets one more try through, and the count goes on from 26: no
        // fresh five free tries every quarter of an hour.
        let after_cap = t(50_000 + MAX_WAIT_MS);
        assert_eq!(sign_in_wait(&c, after_cap), None);
        c = fail(c, 1, after_cap);
        assert_eq!(c.email_from_address.count, 27);
        assert_eq!(sign_in_wait(&c, after_cap), Some(MAX_WAIT_MS));
        // A day without failures forgets them.
        let next_day = Timestamp(after_cap.0 + FAILURE_MEMORY_MS);
        assert_eq!(sign_in_wait(&c, next_day), None);
        assert_eq!(note_failure(c.email_from_address, next_day).count, 1);
    }

    #[test]
    fn an_attacker_elsewhere_does_not_lock_the_administrator_out() {
        // An attacker's address has failed for the Administrator's email until it must wait.
        let attacker = fail(SignInCounts::default(), 30, t(0));
        assert!(sign_in_wait(&attacker, t(1)).is_some());
        // The Administrator, at another address, shares only the email's count.
        let admin = SignInCounts {
            email: attacker.email,
            ..Default::default()
        };
        assert_eq!(sign_in_wait(&admin, t(1)), None);
    }

    #[test]
    fn an_email_attacked_from_many_addresses_keeps_a_budget_for_each_new_address() {
        let email = SignInFailures {
            count: FREE_PER_EMAIL + 40,
            last: t(0),
        };
        // A fresh address: three tries, then the email's wait applies to it too.
        let mut c = SignInCounts {
            email,
            ..Default::default()
        };
        for _ in 0..NEW_ADDRESS_BUDGET {
            assert_eq!(sign_in_wait(&c, t(1)), None);
            c = fail(c, 1, t(1));
        }
        assert_eq!(sign_in_wait(&c, t(1)), Some(MAX_WAIT_MS));
        // Below its threshold the email's count holds nobody back.
        let quiet = SignInCounts {
            email_from_address: SignInFailures {
                count: 4,
                last: t(0),
            },
            email: SignInFailures {
                count: FREE_PER_EMAIL - 1,
                last: t(0),
            },
            ..Default::default()
        };
        assert_eq!(sign_in_wait(&quiet, t(1)), None);
    }

    #[test]
    fn one_address_spraying_many_emails_slows_down() {
        let c = SignInCounts {
            address: SignInFailures {
                count: FREE_PER_ADDRESS,
                last: t(0),
            },
            ..Default::default()
        };
        assert_eq!(sign_in_wait(&c, t(0)), Some(30_000));
    }

    #[test]
    fn a_success_forgives_its_own_attempt() {
        let f = SignInFailures {
            count: 3,
            last: t(0),
        };
        assert_eq!(forgive_one(f).map(|f| f.count), Some(2));
        assert_eq!(forgive_one(SignInFailures { count: 1, ..f }), None);
    }

    #[test]
    fn addresses_are_keyed_by_ipv4_or_ipv6_network() {
        let key = |s: &str| client_address_key(s.parse().unwrap());
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:bbbb::7"), "2001:db8:1:2::/64");
        let keys = SignInKeys::new("a@x.example", "203.0.113.9");
        assert_eq!(keys.all().len(), 3);
        assert_ne!(keys.email_from_address, keys.email);
    }
}
