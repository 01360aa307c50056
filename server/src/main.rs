//! The `server` command: serve (the default), import-tenants, demo.

use app::api::context::AppState;
use app::domain::AccountId;
use leptos::config::get_configuration;
use server::store::EmbeddedStore;
use std::path::PathBuf;
use std::sync::Arc;

const USAGE: &str = "usage: server [serve | import-tenants FILE | demo [--organizations N] [--tenants N] | precompress DIR]

environment:
  TENANTMAP_DATA     directory of the embedded store (default ./data)
  TENANTMAP_ACCOUNT  the account to act in (default \"default\")
  LEPTOS_SITE_ADDR   address to serve on (default from Leptos.toml, 127.0.0.1:3000)";

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let data = PathBuf::from(std::env::var("TENANTMAP_DATA").unwrap_or_else(|_| "./data".into()));
    let account =
        AccountId::parse(&std::env::var("TENANTMAP_ACCOUNT").unwrap_or_else(|_| "default".into()))
            .unwrap_or_else(|e| fail(format!("TENANTMAP_ACCOUNT: {e}")));
    let open = || {
        EmbeddedStore::open(&data)
            .unwrap_or_else(|e| fail(format!("cannot open the store in {}: {e}", data.display())))
    };
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(Arc::new(open()), account).await,
        Some("import-tenants") => {
            let Some(file) = args.get(1) else { fail(USAGE) };
            let store = open();
            match server::tasks::import_tenants_file(&store, &account, file.as_ref()).await {
                Ok(report) => {
                    println!(
                        "added {}, updated {}, rejected {}",
                        report.added,
                        report.updated,
                        report.rejected.len()
                    );
                    for (line, why) in &report.rejected {
                        println!("  line {line}: {why}");
                    }
                }
                Err(e) => fail(e),
            }
        }
        Some("demo") => {
            let num = |flag: &str, default: usize| {
                args.iter()
                    .position(|a| a == flag)
                    .and_then(|i| args.get(i + 1))
                    .map(|v| v.parse().unwrap_or_else(|_| fail(USAGE)))
                    .unwrap_or(default)
            };
            let store = open();
            server::tasks::load_demo(
                &store,
                &account,
                num("--organizations", 60),
                num("--tenants", 40),
            )
            .await
            .unwrap_or_else(|e| fail(e));
            println!(
                "Demo data loaded into {} (account \"{account}\"). Start the app with `make run` and open http://127.0.0.1:3000",
                data.display()
            );
        }
        Some("precompress") => {
            let Some(dir) = args.get(1) else { fail(USAGE) };
            let sizes = server::tasks::precompress(dir.as_ref())
                .unwrap_or_else(|e| fail(format!("{dir}: {e}")));
            for (name, raw, gz, br) in sizes {
                println!("{name:<48} raw {raw:>9}  gzip {gz:>8}  brotli {br:>8}");
            }
        }
        Some(_) => fail(USAGE),
    }
}

async fn serve(store: Arc<EmbeddedStore>, account: AccountId) {
    let conf = get_configuration(Some("Leptos.toml"))
        .unwrap_or_else(|e| fail(format!("Leptos.toml: {e}")));
    let leptos_options = conf.leptos_options;
    let addr = leptos_options.site_addr;
    app::set_asset_hashes(&leptos_options);
    let state = AppState {
        leptos_options,
        store,
        account,
    };
    let router = server::router::router(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on {addr}: {e}")));
    tracing::info!(
        "tenantmap listening on http://{}",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    );
    axum::serve(listener, router.into_make_service())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .unwrap_or_else(|e| fail(e));
}
