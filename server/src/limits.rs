//! The largest body a server function takes: the CSV import's upload (a 5 MB file and the
//! form around it), and every other form (a few fields). A leaf: the router enforces them,
//! and the drafts of refused forms read a body within them.

pub const IMPORT_BODY_LIMIT: usize = 5_000_000 + 64 * 1024;
pub const FORM_BODY_LIMIT: usize = 64 * 1024;
