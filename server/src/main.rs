//! The `server` command: serve (the default), admin create, import-tenants, demo, precompress.

use app::store::prelude::*;
use leptos::config::get_configuration;
use server::config::{Config, StoreKind};
use server::store::EmbeddedStore;
use std::sync::Arc;

const USAGE: &str = "usage: server [COMMAND]

commands:
  serve                                      serve the app (the default)
  admin create --account NAME --email EMAIL  create an account and its first Administrator;
                                             the password comes from TENANTMAP_ADMIN_PASSWORD
                                             or, without it, from standard input
  import-tenants --as EMAIL FILE             import Microsoft Tenants from CSV into the account
                                             of that Administrator
  demo [--organizations N] [--tenants N]     create the demo account (prints how to sign in)
  precompress DIR                            write .br and .gz beside the site's assets

environment:
  TENANTMAP_STORE    embedded (the default) or dynamodb
  TENANTMAP_DATA     directory of the embedded store (default ./data)
  TENANTMAP_TABLE    the DynamoDB table (with TENANTMAP_STORE=dynamodb); AWS_REGION and
                     AWS_ENDPOINT_URL_DYNAMODB as the AWS SDK reads them
  TENANTMAP_CREATE_TABLE=1  create the DynamoDB table if it is missing (local servers)
  LEPTOS_SITE_ADDR   address to serve on (default from Leptos.toml, 127.0.0.1:3000)
  TENANTMAP_SECRET_KEY   32 random bytes, base64: encrypts Microsoft client secrets at rest
                     (embedded store without it: a key file beside the data, created once)
  TENANTMAP_SYNC_MINUTES minutes between scheduled Microsoft syncs (default 60, 0 = off)
  TENANTMAP_IDENTITY_URL, TENANTMAP_GRAPH_URL, TENANTMAP_GRAPH_SCOPE
                     the Microsoft identity platform and Graph (national clouds)";

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2)
}

/// The value after `flag`, if given.
fn flag<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut config = Config::from_env().unwrap_or_else(|e| fail(e));
    if config.secret_key_arn.is_some() {
        let aws = server::aws::load_from_env().await;
        config
            .read_secret_key(&aws)
            .await
            .unwrap_or_else(|e| fail(e));
    }
    let data = config.data.clone();
    let open = async || -> Arc<dyn Store> {
        match config.store {
            StoreKind::Embedded => {
                let store = EmbeddedStore::open(&data).unwrap_or_else(|e| {
                    fail(format!("cannot open the store in {}: {e}", data.display()))
                });
                Arc::new(store) as Arc<dyn Store>
            }
            StoreKind::DynamoDb => {
                let table = config.table.as_deref().unwrap_or_default();
                let conf = server::aws::load_from_env().await;
                let store = server::store::dynamo::connect(
                    &conf,
                    table,
                    config.create_table,
                    config.dynamodb_timeout,
                )
                .await
                .unwrap_or_else(|e| fail(e));
                Arc::new(store)
            }
        }
    };
    match args.first().map(String::as_str) {
        None | Some("serve") => serve(&config, open().await).await,
        Some("admin") if args.get(1).map(String::as_str) == Some("create") => {
            let (Some(name), Some(email)) = (flag(&args, "--account"), flag(&args, "--email"))
            else {
                fail(USAGE)
            };
            let password = match &config.admin_password {
                Some(p) => p.0.clone(),
                None => {
                    eprintln!("Password for {email} (at least 12 characters), then Enter:");
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .unwrap_or_else(|e| fail(e));
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let store = open().await;
            let (account, user) = server::tasks::create_account(&*store, name, email, &password)
                .await
                .unwrap_or_else(|e| fail(e));
            println!(
                "Created the account \"{name}\" ({account}) with Administrator {user}. Sign in at /sign-in."
            );
        }
        Some("import-tenants") => {
            let (Some(email), Some(file)) = (flag(&args, "--as"), args.last()) else {
                fail(USAGE)
            };
            let store = open().await;
            match server::tasks::import_tenants_file(&*store, email, file.as_ref()).await {
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
            let num = |name: &str, default: usize| {
                flag(&args, name)
                    .map(|v| v.parse().unwrap_or_else(|_| fail(USAGE)))
                    .unwrap_or(default)
            };
            let store = open().await;
            let how = server::tasks::create_demo(
                &*store,
                num("--organizations", 60),
                num("--tenants", 40),
                &config.demo_password.0,
            )
            .await
            .unwrap_or_else(|e| fail(e));
            println!("{how}");
            println!(
                "Data: {}. Start the app with `make run` and open http://127.0.0.1:3000",
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

async fn serve(config: &Config, store: Arc<dyn Store>) {
    let conf = get_configuration(Some("Leptos.toml"))
        .unwrap_or_else(|e| fail(format!("Leptos.toml: {e}")));
    let leptos_options = conf.leptos_options;
    let addr = leptos_options.site_addr;
    let microsoft = Arc::new(config.microsoft_client().unwrap_or_else(|e| fail(e)));
    let state = server::startup::build(
        config,
        server::startup::Deps {
            leptos_options,
            store: store.clone(),
            microsoft,
            jobs: None,
        },
    );
    let first_run = !store.installed().await.unwrap_or(true);
    let token = state.site.setup_token.clone().unwrap_or_default();
    server::jobs::schedule_syncs(store, state.jobs.clone(), config.sync_every);
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
    if first_run {
        // Only whoever can read this can create the first account (or, with
        // TENANTMAP_LOCAL_SETUP=1, whoever sits at this machine).
        tracing::info!("not set up yet: open http://{addr}/first-run?token={token}");
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .unwrap_or_else(|e| fail(e));
}
