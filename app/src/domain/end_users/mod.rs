//! End Users: the people at an Organization (formerly "Contacts"), added by hand or brought in
//! by Entra ID User Sync. Their emails are unique per account, ignoring case (like names, R3).
//!
//! Lists show an Organization's End Users a page at a time in name order, active or inactive
//! ([`EndUserRow`], [`EndUserPlace`]): each store keeps them in that order, so a page reads a
//! page, whatever the size of the account.

mod records;
mod rules;
pub mod sync;

pub use records::{
    DETAIL_MAX_CHARS, END_USER_BATCH, END_USER_SCAN, END_USERS_PER_PAGE, EndUser, EndUserBatch,
    EndUserCursor, EndUserField, EndUserFilter, EndUserPage, EndUserPlace, EndUserRow,
    EndUserSource, FieldOrigin, OTHER_EMAILS_KEPT,
};
pub use rules::{EndUserDraft, EndUserForm, add, edit, put, set_active};
