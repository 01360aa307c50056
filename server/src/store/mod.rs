//! The store implementations. The trait itself lives in `app::store` so server functions can
//! call it; the implementations live here so no store code can reach the WASM build.

#[cfg(test)]
pub mod contract;
pub mod dynamo;
pub mod embedded;
pub mod listing;

pub use dynamo::DynamoStore;
pub use embedded::EmbeddedStore;
