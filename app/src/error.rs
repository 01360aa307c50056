//! The one error type every server function returns. Each variant is something a user can act
//! on; unexpected failures become `Internal` with a reference id whose detail is only logged.

use crate::domain::DomainError;
use serde::{Deserialize, Serialize};
use server_fn_error::*;

/// One account a sign-in may open (see [`AppError::ChooseAccount`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountChoice {
    pub id: String,
    pub name: String,
}

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("{message}")]
    Validation { field: String, message: String },
    /// Several fields of a form refused at once: each is shown beside its field, and all of
    /// them in the summary at the top of the form.
    #[error("{}", .errors.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join(" "))]
    Invalid {
        errors: Vec<crate::domain::FieldProblem>,
    },
    #[error("{what} was not found. It may have been deleted; reload the page.")]
    NotFound { what: String },
    /// R8: the record changed since the page was loaded.
    #[error("This was changed by someone else — reload the page and try again.")]
    Stale,
    #[error("The {kind} name \"{name}\" is already taken by \"{existing}\".")]
    NameTaken {
        kind: String,
        name: String,
        existing: String,
        existing_id: Option<String>,
    },
    #[error("{message}")]
    AlreadyMapped { message: String },
    #[error("{message}")]
    InUse { message: String },
    #[error("You are not allowed to do that. Only Administrators can change things.")]
    NotAllowed,
    #[error("You are not signed in, or your session has ended. Sign in again.")]
    NotSignedIn,
    /// Sign-in refused. Says nothing about whether the email exists.
    #[error("The email or password is not right.")]
    SignInFailed,
    #[error("Too many failed sign-ins for this email. Wait {wait_seconds} seconds and try again.")]
    TooManyAttempts { wait_seconds: u64 },
    #[error("{email} is already a user of this account.")]
    EmailTaken { email: String },
    /// The email and password are right for users of several accounts: which one?
    #[error(
        "This email and password open more than one account: choose the account to sign in to."
    )]
    ChooseAccount { accounts: Vec<AccountChoice> },
    #[error("An account needs an active Administrator: make someone else an Administrator first.")]
    LastAdministrator,
    #[error("tenantmap is already set up. Sign in instead.")]
    AlreadySetUp,
    /// The first-run page, asked from another machine without the setup token.
    #[error(
        "This installation is not set up yet. Open the first-run link tenantmap printed when it started (the link carries a setup token), or create the first Administrator with `server admin create`."
    )]
    SetupTokenNeeded,
    /// The Microsoft integration could not do what was asked (Microsoft's answer, explained).
    #[error("{message}")]
    Integration { message: String },
    /// A large import or sync stopped part-way because the store failed: what was recorded
    /// stays (in whole, audited parts) and running it again finishes it.
    #[error(
        "Stopped after {written} of {total} Microsoft Tenants (reference {reference}); the rest were not recorded. Run it again to finish: tenants already recorded are updated, not duplicated."
    )]
    Interrupted {
        written: usize,
        total: usize,
        reference: String,
    },
    /// Too many password checks at once (`state::Hashing`).
    #[error("tenantmap is busy checking passwords. Try again in a few seconds.")]
    Busy,
    /// Too many CSV uploads at once (`state::Uploads`).
    #[error("tenantmap is reading other imports just now. Try again in a minute.")]
    ImportsBusy,
    /// The database was busy or out of reach for this request (after retries).
    #[error(
        "tenantmap's database is busy or out of reach just now (reference {reference}). Try again in a moment: a change that was not saved can be made again, and one that was is refused as already done."
    )]
    StoreBusy { reference: String },
    #[error(
        "Something went wrong on our side (reference {reference}). Try again; if it keeps happening, quote the reference."
    )]
    Internal { reference: String },
}

impl AppError {
    /// Input refused, with why (bounded: `domain::bounded_message`).
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation {
            field: field.to_string(),
            message: crate::domain::bounded_message(message.into()),
        }
    }

    /// The HTTP status a server function answers with when it fails this way (the client reads
    /// the typed error from the body whatever the status; the status tells proxies, logs and
    /// other API callers what kind of failure it was).
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } | AppError::Invalid { .. } => 422,
            AppError::NotFound { .. } => 404,
            AppError::Stale
            | AppError::NameTaken { .. }
            | AppError::AlreadyMapped { .. }
            | AppError::InUse { .. }
            | AppError::EmailTaken { .. }
            | AppError::ChooseAccount { .. }
            | AppError::LastAdministrator
            | AppError::AlreadySetUp => 409,
            AppError::NotAllowed | AppError::SetupTokenNeeded => 403,
            AppError::NotSignedIn | AppError::SignInFailed => 401,
            AppError::TooManyAttempts { .. } => 429,
            AppError::Integration { .. } => 502,
            AppError::Interrupted { .. }
            | AppError::Busy
            | AppError::ImportsBusy
            | AppError::StoreBusy { .. } => 503,
            AppError::Internal { .. } => 500,
        }
    }

    /// Every field this error refuses, with why: what a form shows beside its fields and in
    /// its summary. Empty for an error that is the whole form's.
    pub fn field_problems(&self) -> Vec<crate::domain::FieldProblem> {
        use crate::domain::FieldProblem;
        match self {
            AppError::Invalid { errors } => errors.clone(),
            other => other
                .field()
                .map(|field| {
                    vec![FieldProblem {
                        field: field.to_string(),
                        message: other.to_string(),
                    }]
                })
                .unwrap_or_default(),
        }
    }

    /// The form field this error belongs to, if any (the first, when it refuses several).
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            AppError::Invalid { errors } => errors.first().map(|p| p.field.as_str()),
            AppError::NameTaken { .. } => Some("name"),
            AppError::EmailTaken { .. } => Some("email"),
            AppError::ChooseAccount { .. } => Some("account"),
            _ => None,
        }
    }

    /// Logs why the store was out of reach and returns the retryable error for the user.
    #[cfg(feature = "ssr")]
    pub fn store_busy(detail: impl std::fmt::Display) -> Self {
        AppError::StoreBusy {
            reference: logged(detail),
        }
    }

    /// Logs the full detail of an unexpected failure and returns an opaque error for the user.
    #[cfg(feature = "ssr")]
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError::Internal {
            reference: logged(detail),
        }
    }
}

/// Logs the full detail of a failure under a new reference id, and returns the id.
#[cfg(feature = "ssr")]
pub(crate) fn logged(detail: impl std::fmt::Display) -> String {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    tracing::error!(%reference, %detail, "internal error");
    reference
}

/// A store failure outside the rules (a read, or a write no rule refused): retryable when the
/// store was busy or out of reach, else internal with a reference. What a rule's change is
/// refused for is turned into words by `services::changes::apply` instead.
#[cfg(feature = "ssr")]
impl From<crate::store::StoreError> for AppError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Busy(detail) => AppError::store_busy(detail),
            other => AppError::internal(other),
        }
    }
}

/// Reads of a record the request names: `store.organization(..).await.found()?` is the
/// record, or `NotFound` naming its [`Kind`] ("The Organization"); `found_as` names what
/// else was missing.
///
/// [`Kind`]: crate::domain::Kind
#[cfg(feature = "ssr")]
pub trait ResultExt<T>: Sized {
    fn found(self) -> Result<T, AppError>
    where
        T: crate::domain::Kind;
    fn found_as(self, what: &str) -> Result<T, AppError>;
    /// The record as the form that names it saw it: `NotFound`, or `Stale` (R8) when it changed
    /// since the form's `expected` version.
    fn found_at(self, expected: crate::domain::Version) -> Result<T, AppError>
    where
        T: crate::domain::Kind,
    {
        let record = self.found()?;
        if record.version() == expected {
            Ok(record)
        } else {
            Err(AppError::Stale)
        }
    }
}

#[cfg(feature = "ssr")]
impl<T> ResultExt<T> for Result<Option<T>, crate::store::StoreError> {
    fn found(self) -> Result<T, AppError>
    where
        T: crate::domain::Kind,
    {
        self.found_as(&format!("The {}", T::NAME))
    }

    fn found_as(self, what: &str) -> Result<T, AppError> {
        self?.found_as(what)
    }
}

/// A record taken from what a batch read found ([`RecordSet`](crate::store::RecordSet)).
#[cfg(feature = "ssr")]
impl<T> ResultExt<T> for Option<T> {
    fn found(self) -> Result<T, AppError>
    where
        T: crate::domain::Kind,
    {
        self.found_as(&format!("The {}", T::NAME))
    }

    fn found_as(self, what: &str) -> Result<T, AppError> {
        self.ok_or_else(|| AppError::NotFound {
            what: what.to_string(),
        })
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid { field, message } => AppError::Validation { field, message },
            DomainError::AlreadyMapped {
                microsoft_tenant,
                syncro_tenant,
            } => AppError::AlreadyMapped {
                message: format!(
                    "Already mapped: {microsoft_tenant} is mapped to {syncro_tenant}. A Microsoft Tenant and a Syncro Tenant can each have only one mapping."
                ),
            },
            DomainError::InUse(message) => AppError::InUse { message },
            DomainError::LastAdministrator => AppError::LastAdministrator,
            DomainError::Fields(errors) => AppError::Invalid { errors },
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not even decode (a missing field, a wrong type, a body that is
            // not UTF-8 or not the encoding the function takes) are bad input. The decoder's
            // words are cut short: they may quote the input.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(msg)
            | ServerFnErrorErr::MissingArg(msg)
            | ServerFnErrorErr::Deserialization(msg)
            | ServerFnErrorErr::UnsupportedRequestMethod(msg) => AppError::Validation {
                field: "form".into(),
                message: format!(
                    "The form was incomplete or malformed: {}",
                    msg.chars().take(200).collect::<String>()
                ),
            },
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Args(msg) => AppError::Validation {
                field: "form".into(),
                message: format!("The form was incomplete or malformed: {msg}"),
            },
            ServerFnErrorErr::Request(_) => AppError::Internal {
                reference: "network: the server could not be reached".into(),
            },
            other => {
                #[cfg(feature = "ssr")]
                {
                    AppError::internal(other)
                }
                #[cfg(not(feature = "ssr"))]
                {
                    AppError::Internal {
                        reference: other.to_string(),
                    }
                }
            }
        }
    }
}
