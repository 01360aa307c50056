//! Crashes (issue 13): the real `server` binary is killed with SIGKILL while 8 clients write —
//! create Organizations (and their Syncro Tenants), rename Syncro Tenants, move Organizations,
//! map and unmap Microsoft Tenants, import CSV — then started again, 20 times at random
//! moments, on both stores. After every kill the store must hold R1–R3 (and each Syncro
//! Tenant's Organization count), every acknowledged change, and each change that was in
//! flight either whole or not at all.
//!
//! Each client changes only records it created, so what it saw acknowledged is exactly what
//! must be there; its one request in flight at the kill may have gone either way.

mod common;

use app::domain::{AccountId, name_key};
use app::error::AppError;
use app::store::prelude::*;
use app::store::{MappingFilter, ParentFilter};
use app::wire::ListQuery;
use common::{PASSWORD, multipart_form};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

const CLIENTS: usize = 8;
const KILLS: usize = 20;
const ADMIN: &str = "admin@crash.example";

/// What one client has been told is done: Syncro Tenant names, each Organization's parent (by
/// name), each Microsoft Tenant's mapping (by name).
#[derive(Debug, Clone, Default, PartialEq)]
struct Model {
    sts: BTreeSet<String>,
    parent: BTreeMap<String, String>,
    mapping: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone)]
enum Op {
    Create(String),
    Rename(String, String),
    Move(String, String),
    Map(String, String),
    Unmap(String),
    Import(Vec<String>),
}

impl Model {
    fn after(&self, op: &Op) -> Model {
        let mut m = self.clone();
        match op {
            Op::Create(name) => {
                m.sts.insert(name.clone());
                m.parent.insert(name.clone(), name.clone());
            }
            Op::Rename(from, to) => {
                m.sts.remove(from);
                m.sts.insert(to.clone());
                for st in m
                    .parent
                    .values_mut()
                    .chain(m.mapping.values_mut().flatten())
                {
                    if st == from {
                        *st = to.clone();
                    }
                }
            }
            Op::Move(org, st) => {
                m.parent.insert(org.clone(), st.clone());
            }
            Op::Map(t, st) => {
                m.mapping.insert(t.clone(), Some(st.clone()));
            }
            Op::Unmap(t) => {
                m.mapping.insert(t.clone(), None);
            }
            Op::Import(ts) => m.mapping.extend(ts.iter().map(|t| (t.clone(), None))),
        }
        m
    }

    /// Whether the store's state shows exactly this model's facts.
    fn holds_in(&self, s: &State) -> bool {
        self.sts.iter().all(|n| s.st_by_name.contains_key(n))
            && self
                .parent
                .iter()
                .all(|(org, st)| s.parent_of.get(org) == Some(st))
            && self
                .mapping
                .iter()
                .all(|(t, st)| s.mapping_of.get(t) == Some(st))
    }
}

/// The store's state, by name.
struct State {
    st_by_name: HashMap<String, String>,
    parent_of: HashMap<String, String>,
    mapping_of: HashMap<String, Option<String>>,
}

/// Reads the account and checks R1–R3 and the Organization counts.
async fn state_checked(store: &dyn Store, a: &AccountId) -> State {
    let all = ListQuery {
        per_page: 100_000,
        ..ListQuery::default()
    };
    let sts = store
        .list_syncro_tenants(a, &all, false)
        .await
        .unwrap()
        .items;
    let orgs = store
        .list_organizations(a, &all, ParentFilter::Any)
        .await
        .unwrap()
        .items;
    let mts = store
        .list_microsoft_tenants(a, &all, MappingFilter::All)
        .await
        .unwrap()
        .items;
    let st_name: HashMap<_, _> = sts.iter().map(|s| (s.id, s.name.to_string())).collect();
    // R3: names unique, ignoring case and spaces.
    let keys: BTreeSet<_> = sts.iter().map(|s| name_key(s.name.as_str())).collect();
    assert_eq!(keys.len(), sts.len(), "R3: two Syncro Tenants share a name");
    let keys: BTreeSet<_> = orgs.iter().map(|o| name_key(o.name.as_str())).collect();
    assert_eq!(keys.len(), orgs.len(), "R3: two Organizations share a name");
    // R1: one parent that exists; and each Syncro Tenant counts its Organizations right.
    let mut children: HashMap<_, u32> = HashMap::new();
    for o in &orgs {
        assert!(
            st_name.contains_key(&o.syncro_tenant),
            "R1: {} has no parent",
            o.name
        );
        *children.entry(o.syncro_tenant).or_default() += 1;
    }
    for s in &sts {
        let n = children.get(&s.id).copied().unwrap_or(0);
        assert_eq!(s.organization_count, n, "{}'s Organization count", s.name);
    }
    // R2: one-to-one, and both sides agree.
    let mut taken = BTreeSet::new();
    for t in &mts {
        if let Some(st) = t.syncro_tenant {
            assert!(
                taken.insert(st),
                "R2: two Microsoft Tenants map to one Syncro Tenant"
            );
            let s = sts
                .iter()
                .find(|s| s.id == st)
                .expect("R2: mapped to nothing");
            assert_eq!(s.microsoft_tenant, Some(t.tenant_id), "R2: sides disagree");
        }
    }
    for s in &sts {
        if let Some(t) = s.microsoft_tenant {
            let mt = mts
                .iter()
                .find(|m| m.tenant_id == t)
                .expect("R2: a lost tenant");
            assert_eq!(mt.syncro_tenant, Some(s.id), "R2: sides disagree");
        }
    }
    State {
        st_by_name: sts
            .iter()
            .map(|s| (s.name.to_string(), s.id.to_string()))
            .collect(),
        parent_of: orgs
            .iter()
            .map(|o| (o.name.to_string(), st_name[&o.syncro_tenant].clone()))
            .collect(),
        mapping_of: mts
            .iter()
            .map(|t| {
                let st = t.syncro_tenant.map(|id| st_name[&id].clone());
                (t.tenant_id.to_string(), st)
            })
            .collect(),
    }
}

/// What a request came to.
enum Outcome {
    Done(serde_json::Value),
    Refused(AppError),
    /// No answer: the server died under it.
    Lost,
}

struct Client {
    http: reqwest::Client,
    base: String,
    cookie: String,
}

impl Client {
    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Outcome {
        let req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("cookie", &self.cookie);
        let req = if endpoint == "import-tenants" {
            let (content_type, body) = multipart_form(form);
            req.header("content-type", content_type).body(body)
        } else {
            req.form(form)
        };
        let Ok(res) = req.send().await else {
            return Outcome::Lost;
        };
        let status = res.status();
        let Ok(text) = res.text().await else {
            return Outcome::Lost;
        };
        assert!(!status.is_server_error(), "{endpoint}: {status} {text}");
        if status.is_success() {
            Outcome::Done(serde_json::from_str(&text).unwrap_or_default())
        } else {
            Outcome::Refused(serde_json::from_str(&text).expect("a typed error"))
        }
    }

    /// The row of the Syncro Tenant named `name` (id, version).
    async fn st(&self, name: &str) -> Option<(String, String)> {
        let Outcome::Done(page) = self
            .call("syncro-tenants", &[("q", name), ("page", "1")])
            .await
        else {
            return None;
        };
        let row = page["items"]
            .as_array()?
            .iter()
            .find(|r| r["name"] == name)?;
        Some((row["id"].as_str()?.into(), row["version"].to_string()))
    }

    async fn org_id(&self, name: &str) -> Option<String> {
        let q = [("q", name), ("page", "1"), ("exclude", "")];
        let Outcome::Done(page) = self.call("organizations", &q).await else {
            return None;
        };
        let row = page["items"]
            .as_array()?
            .iter()
            .find(|r| r["name"] == name)?;
        Some(row["id"].as_str()?.into())
    }

    async fn tenant_version(&self, id: &str) -> Option<String> {
        let Outcome::Done(t) = self.call("microsoft-tenant", &[("tenant_id", id)]).await else {
            return None;
        };
        Some(t["version"].to_string())
    }

    /// Sends `op`; `None` when a read before it got no answer (nothing was sent).
    async fn send(&self, op: &Op) -> Option<Outcome> {
        Some(match op {
            Op::Create(name) => {
                let form = [
                    ("name", name.as_str()),
                    ("email", ""),
                    ("phone", ""),
                    ("address", ""),
                    ("syncro_tenant", ""),
                ];
                self.call("create-organization", &form).await
            }
            Op::Rename(from, to) => {
                let (id, version) = self.st(from).await?;
                let form = [("id", id.as_str()), ("version", &version), ("name", to)];
                self.call("rename-syncro-tenant", &form).await
            }
            Op::Move(org, st) => {
                let (st, _) = self.st(st).await?;
                let org = self.org_id(org).await?;
                let form = [("id", st.as_str()), ("organizations[]", &org)];
                self.call("add-organizations", &form).await
            }
            Op::Map(t, st) => {
                let version = self.tenant_version(t).await?;
                let (st, _) = self.st(st).await?;
                let form = [
                    ("tenant_id", t.as_str()),
                    ("version", &version),
                    ("syncro_tenant", &st),
                    ("change", ""),
                    ("back", "/"),
                ];
                self.call("map-tenant", &form).await
            }
            Op::Unmap(t) => {
                let version = self.tenant_version(t).await?;
                let form = [("tenant_id", t.as_str()), ("version", &version)];
                self.call("unmap-tenant", &form).await
            }
            Op::Import(ts) => {
                let mut csv = String::from("tenantId,displayName,defaultDomainName\n");
                for t in ts {
                    csv.push_str(&format!("{t},Crash {t},c{}.onmicrosoft.com\n", &t[..8]));
                }
                self.call("import-tenants", &[("csv", &csv)]).await
            }
        })
    }
}

/// A small deterministic generator (xorshift), seeded per client and kill.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// One client's next change, from what it knows.
fn next_op(m: &Model, me: usize, n: &mut usize, rng: &mut Rng) -> Op {
    *n += 1;
    let sts: Vec<&String> = m.sts.iter().collect();
    let orgs: Vec<&String> = m.parent.keys().collect();
    let mapped: BTreeSet<&String> = m.mapping.values().flatten().collect();
    let free_sts: Vec<&&String> = sts.iter().filter(|s| !mapped.contains(**s)).collect();
    let unmapped: Vec<&String> = m
        .mapping
        .iter()
        .filter(|(_, s)| s.is_none())
        .map(|(t, _)| t)
        .collect();
    let mapped_ts: Vec<&String> = m
        .mapping
        .iter()
        .filter(|(_, s)| s.is_some())
        .map(|(t, _)| t)
        .collect();
    match rng.below(6) {
        _ if sts.len() < 2 => Op::Create(format!("c{me}-o{n}")),
        1 => Op::Rename(sts[rng.below(sts.len())].clone(), format!("c{me}-r{n}")),
        2 => {
            let org = orgs[rng.below(orgs.len())];
            let others: Vec<&&String> = sts.iter().filter(|s| **s != &m.parent[org]).collect();
            Op::Move(org.clone(), (*others[rng.below(others.len())]).clone())
        }
        3 if !unmapped.is_empty() && !free_sts.is_empty() => Op::Map(
            unmapped[rng.below(unmapped.len())].clone(),
            (*free_sts[rng.below(free_sts.len())]).clone(),
        ),
        4 if !mapped_ts.is_empty() => Op::Unmap(mapped_ts[rng.below(mapped_ts.len())].clone()),
        5 => Op::Import(
            (0..3)
                .map(|k| format!("{:08x}-{:04x}-4000-8000-{:012x}", me, *n % 0xffff, k))
                .collect(),
        ),
        _ => Op::Create(format!("c{me}-o{n}")),
    }
}

/// Runs one client until its server dies: returns its model and the change in flight, if any.
async fn run_client(
    client: Client,
    mut model: Model,
    me: usize,
    mut n: usize,
    mut rng: Rng,
) -> (Model, Option<Op>, usize, usize) {
    let mut acked = 0;
    loop {
        let op = next_op(&model, me, &mut n, &mut rng);
        match client.send(&op).await {
            None => return (model, None, n, acked),
            Some(Outcome::Lost) => return (model, Some(op), n, acked),
            Some(Outcome::Done(_)) => {
                model = model.after(&op);
                acked += 1;
            }
            // A client changes only its own records: nothing else makes its changes stale.
            Some(Outcome::Refused(e)) => panic!("client {me}: {op:?} refused: {e}"),
        }
    }
}

/// A running `server serve` and how it was started.
struct Server {
    child: Child,
    base: String,
}

fn start(env: &[(&str, String)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("serve")
        .current_dir(&root)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TENANTMAP_SYNC_MINUTES", "0")
        .env("RUST_LOG", "error")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the server");
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Server { child, base };
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

async fn sign_in(http: &reqwest::Client, base: &str) -> String {
    let res = http
        .post(format!("{base}/api/sign-in"))
        .form(&[("email", ADMIN), ("password", PASSWORD), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = res.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// Kills and restarts the server `KILLS` times under 8 writing clients; `open` gives the store
/// the test checks with while the server is down (and drops it before the server starts).
async fn crash_and_check<F, Fut>(env: Vec<(&'static str, String)>, writing_ms: (u64, u64), open: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Arc<dyn Store>>,
{
    let account = {
        let store = open().await;
        server::tasks::create_account(&*store, "Crash MSP", ADMIN, PASSWORD)
            .await
            .unwrap();
        let user = store
            .user_by_email(&app::domain::Email::parse(ADMIN).unwrap())
            .await
            .unwrap()
            .unwrap();
        user.account
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut models = vec![Model::default(); CLIENTS];
    let mut counters = [0usize; CLIENTS];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let (mut acked_total, mut in_flight_total) = (0, 0);
    for kill in 0..KILLS {
        let mut server = start(&env);
        let cookie = sign_in(&http, &server.base).await;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|me| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let client = Client {
                    http: http.clone(),
                    base: server.base.clone(),
                    cookie: cookie.clone(),
                };
                tokio::spawn(run_client(
                    client,
                    models[me].clone(),
                    me,
                    counters[me],
                    Rng(seed | 1),
                ))
            })
            .collect();
        // A random moment within `writing_ms`.
        let wait = writing_ms.0 + (seed >> 33) % (writing_ms.1 - writing_ms.0);
        tokio::time::sleep(Duration::from_millis(wait)).await;
        server.child.kill().unwrap(); // SIGKILL
        server.child.wait().unwrap();
        let store = open().await;
        let state = state_checked(&*store, &account).await;
        for (me, handle) in clients.into_iter().enumerate() {
            let (model, in_flight, n, acked) = handle.await.unwrap();
            acked_total += acked;
            counters[me] = n;
            models[me] = match in_flight {
                None => model,
                Some(op) => {
                    in_flight_total += 1;
                    let done = model.after(&op);
                    if done.holds_in(&state) { done } else { model }
                }
            };
            assert!(
                models[me].holds_in(&state),
                "kill {kill}, client {me}: an acknowledged change is missing or a change is half there\nexpected {:?}",
                models[me]
            );
        }
        drop(store);
    }
    println!(
        "{KILLS} kills: {acked_total} acknowledged changes kept, {in_flight_total} in flight whole or not at all"
    );
    assert!(
        acked_total > KILLS * CLIENTS,
        "too few changes to prove anything"
    );
}

#[tokio::test]
async fn kill_9_under_load_loses_no_acknowledged_change_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let env = vec![("TENANTMAP_DATA", path.display().to_string())];
    crash_and_check(env, (150, 1_500), || {
        let path = path.clone();
        async move {
            // The killed process's lock on the file goes with it.
            Arc::new(server::store::EmbeddedStore::open(&path).unwrap()) as Arc<dyn Store>
        }
    })
    .await;
}

#[tokio::test]
async fn kill_9_under_load_loses_no_acknowledged_change_on_dynamodb() {
    let (store, _) = server::store::dynamo::testing::fresh_store().await;
    let mut env = server::store::dynamo::testing::lambda_env(store.table());
    env.push(("TENANTMAP_STORE", "dynamodb".into()));
    env.retain(|(k, _)| *k != "RUST_LOG");
    let store: Arc<dyn Store> = Arc::new(store);
    // moto answers one request at a time: longer runs for as many changes.
    crash_and_check(env, (1_000, 4_000), || {
        let store = store.clone();
        async move { store }
    })
    .await;
}
