//! A writing workload over HTTP for the crash and store-fault tests: clients that each change
//! only records they created, so what a client was told is done is exactly what must be in the
//! store; a [`Model`] of those facts, and [`state_checked`], which reads the account and checks
//! R1–R3 and each Syncro Tenant's Organization count.

use super::multipart_form;
use app::domain::AccountId;
use app::error::AppError;
use app::store::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What one client has been told is done: Syncro Tenant names, each Organization's parent (by
/// name), each Microsoft Tenant's mapping (by name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub sts: BTreeSet<String>,
    pub parent: BTreeMap<String, String>,
    pub mapping: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Clone)]
pub enum Op {
    Create(String),
    Rename(String, String),
    Move(String, String),
    Map(String, String),
    Unmap(String),
    Import(Vec<String>),
}

impl Model {
    pub fn after(&self, op: &Op) -> Model {
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
    pub fn holds_in(&self, s: &State) -> bool {
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
pub struct State {
    pub st_by_name: HashMap<String, String>,
    pub parent_of: HashMap<String, String>,
    pub mapping_of: HashMap<String, Option<String>>,
}

/// Reads the account and checks R1–R3 and the Organization counts (a consistent read only
/// while nothing writes: with writers about, use [`own_state`]).
pub async fn state_checked(store: &dyn Store, a: &AccountId) -> State {
    read_state(store, a, true).await
}

/// Reads the account without checking the rules across records: its lists are read one after
/// another, so a change between two reads may show half — but a client's own records, which
/// only it changes, read true while it waits.
pub async fn own_state(store: &dyn Store, a: &AccountId) -> State {
    read_state(store, a, false).await
}

async fn read_state(store: &dyn Store, a: &AccountId, check: bool) -> State {
    let (sts, orgs, mts) = server::store::contract::everything_in(store, a).await;
    let st_name: HashMap<_, _> = sts.iter().map(|s| (s.id, s.name.to_string())).collect();
    if check {
        server::store::contract::assert_invariants(store, a).await;
    }
    State {
        st_by_name: sts
            .iter()
            .map(|s| (s.name.to_string(), s.id.to_string()))
            .collect(),
        parent_of: orgs
            .iter()
            .map(|o| {
                let st = st_name.get(&o.syncro_tenant).cloned().unwrap_or_default();
                (o.name.to_string(), st)
            })
            .collect(),
        mapping_of: mts
            .iter()
            .map(|t| {
                let st = t
                    .syncro_tenant
                    .map(|id| st_name.get(&id).cloned().unwrap_or_default());
                (t.tenant_id.to_string(), st)
            })
            .collect(),
    }
}

/// What a request came to.
pub enum Outcome {
    Done(serde_json::Value),
    Refused(AppError),
    /// The server answered 5xx.
    Failed(u16, AppError),
    /// No answer: the server died under it.
    Lost,
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
}

impl Client {
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Outcome {
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
        let typed = || -> AppError {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{endpoint}: {status} without a typed error: {text}"))
        };
        if status.is_success() {
            Outcome::Done(serde_json::from_str(&text).unwrap_or_default())
        } else if status.is_server_error() {
            // The 5xx a store fault may cause: retryable, with a reference (an import says how
            // far it got, and that running it again finishes it).
            let e = typed();
            assert!(
                status == 503
                    && matches!(e, AppError::StoreBusy { .. } | AppError::Interrupted { .. }),
                "{endpoint}: {status} {e}"
            );
            Outcome::Failed(status.as_u16(), e)
        } else {
            Outcome::Refused(typed())
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
    pub async fn send(&self, op: &Op) -> Option<Outcome> {
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
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// One client's next change, from what it knows.
pub fn next_op(m: &Model, me: usize, n: &mut usize, rng: &mut Rng) -> Op {
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
pub async fn run_client(
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
            Some(Outcome::Failed(status, e)) => {
                panic!("client {me}: {op:?} answered {status}: {e}")
            }
        }
    }
}
