//! `fake-microsoft [ADDR]`: the fake Microsoft identity platform and Graph of the tests, on its
//! own (the browser tests point the app at it). Serves `World::sample()`; never for production.

use server::fake_microsoft::{CLIENT_ID, CLIENT_SECRET, FakeMicrosoft, PARTNER_TENANT, World};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3999".into());
    let fake = FakeMicrosoft::start_on(&addr, World::sample()).await;
    println!(
        "fake Microsoft on {} — partner tenant {PARTNER_TENANT}, client {CLIENT_ID}, secret {CLIENT_SECRET}",
        fake.base
    );
    fake.wait().await;
}
