//! Accounts (SPEC R6, R7): an MSP's account, its users and their roles, sessions, and how fast
//! wrong passwords may be tried. Hashing passwords and making tokens needs the server
//! (`crate::auth`); everything here is deterministic and unit-tested.

mod credentials;
mod sessions;
pub mod throttle;
mod users;

pub use credentials::{AccountName, Email, Password, Role};
pub use sessions::{
    ABSOLUTE_LIFETIME_MS, IDLE_TIMEOUT_MS, Session, SessionCheck, SessionEvent, SignInCheck,
    TOUCH_EVERY_MS, check_session, refusals_to_record, session_event,
};
pub use users::{Account, NewUser, User, UserChange, add_user, change_user, create_account};
