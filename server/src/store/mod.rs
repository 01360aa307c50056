//! The store implementations. The trait itself lives in `app::store` so server functions can
//! call it; the implementations live here so no store code can reach the WASM build.

/// The contract suite, and `assert_invariants` for the crash, fault and load checks.
#[cfg(any(test, feature = "testkit"))]
pub mod contract;
pub mod dynamo;
pub mod embedded;
pub use app::store::listing;

pub use dynamo::DynamoStore;
pub use embedded::EmbeddedStore;
