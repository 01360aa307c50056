//! Load (issue 13): 50 signed-in clients, each with its own session, for 60 s against one
//! store, doing what a team of Administrators does: list and page Microsoft Tenant Management,
//! search Organizations, page Syncro Tenants, map and unmap, move Organizations, import CSV.
//! Reports throughput and p50/p99 per kind of request; passes with no 5xx, R1–R3 holding at
//! the end (checked from the store), and on the embedded store page p99 within budget.
//! Conflicts (two clients choosing the same free Syncro Tenant) are expected and counted.
//!
//! Loopback only, bounded: `BENCH_LOAD_CLIENTS` and `BENCH_LOAD_SECONDS` change the defaults.

use crate::pages::{PASSWORD, percentile, sign_in};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Page p99 under load on the embedded store.
pub const PAGE_P99_BUDGET_MS: f64 = 1_000.0;

#[derive(Default)]
struct Seen {
    pages: Vec<Duration>,
    changes: Vec<Duration>,
    ok: usize,
    conflicts: usize,
    refused: usize,
    /// Uploads answered "busy, try again" (503 `ImportsBusy`): the server reads at most two at
    /// once by design (`app::state::Uploads`), so its memory stays bounded.
    shed: usize,
    server_errors: Vec<String>,
}

impl Seen {
    fn add(&mut self, other: Seen) {
        self.pages.extend(other.pages);
        self.changes.extend(other.changes);
        self.ok += other.ok;
        self.conflicts += other.conflicts;
        self.refused += other.refused;
        self.shed += other.shed;
        self.server_errors.extend(other.server_errors);
    }

    /// Times and tallies one answer; returns its JSON body when it succeeded.
    async fn note(
        &mut self,
        what: &str,
        change: bool,
        t: Instant,
        res: reqwest::Response,
    ) -> Option<serde_json::Value> {
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if change {
            self.changes.push(t.elapsed());
        } else {
            self.pages.push(t.elapsed());
        }
        if status == 503 && text.contains("ImportsBusy") {
            self.shed += 1;
            None
        } else if status.is_server_error() {
            self.server_errors
                .push(format!("{what}: {status} {}", &text[..text.len().min(200)]));
            None
        } else if status == 409 {
            self.conflicts += 1;
            None
        } else if status.is_client_error() {
            self.refused += 1;
            None
        } else {
            self.ok += 1;
            Some(serde_json::from_str(&text).unwrap_or_default())
        }
    }
}

struct Worker {
    http: reqwest::Client,
    base: String,
    me: usize,
    rng: u64,
    imported: Vec<String>,
    mapped: Vec<String>,
    n: usize,
}

impl Worker {
    fn below(&mut self, n: usize) -> usize {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng % n.max(1) as u64) as usize
    }

    async fn get(&self, seen: &mut Seen, path: &str) {
        let t = Instant::now();
        match self.http.get(format!("{}{path}", self.base)).send().await {
            Ok(res) => {
                seen.note(path, false, t, res).await;
            }
            Err(e) => seen.server_errors.push(format!("{path}: {e}")),
        }
    }

    async fn call(
        &self,
        seen: &mut Seen,
        endpoint: &str,
        change: bool,
        form: &[(&str, &str)],
    ) -> Option<serde_json::Value> {
        let t = Instant::now();
        let url = format!("{}/api/{endpoint}", self.base);
        let req = if endpoint == "import-tenants" {
            let boundary = "tenantmap-load-boundary";
            let body = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csv\"\r\n\r\n{}\r\n--{boundary}--\r\n",
                form[0].1
            );
            self.http
                .post(url)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
        } else {
            self.http.post(url).form(form)
        };
        match req.send().await {
            Ok(res) => seen.note(endpoint, change, t, res).await,
            Err(e) => {
                seen.server_errors.push(format!("{endpoint}: {e}"));
                None
            }
        }
    }

    /// An id from the first rows of a list function.
    async fn pick(
        &mut self,
        seen: &mut Seen,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Option<String> {
        let page = self.call(seen, endpoint, false, form).await?;
        let rows = page["items"].as_array().or(page.as_array())?.clone();
        let row = rows.get(self.below(rows.len()))?;
        Some(row["id"].as_str()?.to_string())
    }

    async fn step(&mut self, seen: &mut Seen) {
        const WORDS: [&str; 6] = ["harbor", "summit", "dental", "law", "clinic", "north"];
        match self.below(100) {
            0..30 => {
                let page = 1 + self.below(40);
                self.get(seen, &format!("/admin/microsoft-tenants?page={page}"))
                    .await;
            }
            30..45 => {
                let q = WORDS[self.below(WORDS.len())];
                self.get(seen, &format!("/organizations?q={q}")).await;
            }
            45..55 => {
                let page = 1 + self.below(40);
                self.get(seen, &format!("/syncro-tenants?page={page}"))
                    .await;
            }
            55..65 if !self.imported.is_empty() => {
                let i = self.below(self.imported.len());
                let tenant = self.imported.remove(i);
                let q = WORDS[self.below(WORDS.len())];
                let options = [("q", q), ("unmapped_only", "true")];
                let Some(st) = self.pick(seen, "syncro-tenant-options", &options).await else {
                    self.imported.push(tenant);
                    return;
                };
                let t = self
                    .call(seen, "microsoft-tenant", false, &[("tenant_id", &tenant)])
                    .await;
                let version = t.map(|t| t["version"].to_string()).unwrap_or_default();
                let form = [
                    ("tenant_id", tenant.as_str()),
                    ("version", &version),
                    ("syncro_tenant", &st),
                    ("change", ""),
                    ("back", "/admin/microsoft-tenants"),
                ];
                if self.call(seen, "map-tenant", true, &form).await.is_some() {
                    self.mapped.push(tenant);
                } else {
                    self.imported.push(tenant);
                }
            }
            65..75 if !self.mapped.is_empty() => {
                let i = self.below(self.mapped.len());
                let tenant = self.mapped.remove(i);
                let t = self
                    .call(seen, "microsoft-tenant", false, &[("tenant_id", &tenant)])
                    .await;
                let version = t.map(|t| t["version"].to_string()).unwrap_or_default();
                let form = [("tenant_id", tenant.as_str()), ("version", &version)];
                if self.call(seen, "unmap-tenant", true, &form).await.is_some() {
                    self.imported.push(tenant);
                } else {
                    self.mapped.push(tenant);
                }
            }
            75..90 => {
                let page = (1 + self.below(40)).to_string();
                let q = [("q", ""), ("page", page.as_str()), ("exclude", "")];
                let Some(org) = self.pick(seen, "organizations", &q).await else {
                    return;
                };
                let q = [("q", ""), ("page", page.as_str())];
                let Some(st) = self.pick(seen, "syncro-tenants", &q).await else {
                    return;
                };
                let form = [("id", st.as_str()), ("organizations[]", &org)];
                self.call(seen, "add-organizations", true, &form).await;
            }
            _ => {
                self.n += 1;
                let ids: Vec<String> = (0..3)
                    .map(|k| {
                        format!(
                            "{:08x}-{:04x}-4000-8000-{:012x}",
                            0x10ad_0000 + self.me,
                            self.n,
                            k
                        )
                    })
                    .collect();
                let mut csv = String::from("tenantId,displayName,defaultDomainName\n");
                for id in &ids {
                    csv.push_str(&format!("{id},Load {id},l{}.onmicrosoft.com\n", &id[..8]));
                }
                if self
                    .call(seen, "import-tenants", true, &[("csv", &csv)])
                    .await
                    .is_some()
                {
                    self.imported.extend(ids);
                }
            }
        }
    }
}

/// Runs the load against the server at `base` over `store` (the bench account's); prints the
/// figures and returns whether it passed.
pub async fn run(
    label: &str,
    base: &str,
    store: Arc<dyn app::store::Store>,
    latency_budget: bool,
) -> bool {
    // The account, read while the store is idle.
    let admin = store
        .user_by_email(&app::domain::Email::parse(crate::pages::EMAIL).unwrap())
        .await
        .unwrap()
        .unwrap();
    let clients = crate::scale("BENCH_LOAD_CLIENTS", 50);
    let seconds = crate::scale("BENCH_LOAD_SECONDS", 60) as u64;
    let mut workers = Vec::new();
    for me in 0..clients {
        let cookie = sign_in(base, crate::pages::EMAIL, PASSWORD).await;
        workers.push(Worker {
            http: crate::pages::client(&cookie),
            base: base.to_string(),
            me,
            rng: 0x9e37_79b9_7f4a_7c15 ^ ((me as u64 + 1) << 17),
            imported: Vec::new(),
            mapped: Vec::new(),
            n: 0,
        });
    }
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut w| {
            tokio::spawn(async move {
                let mut seen = Seen::default();
                while Instant::now() < until {
                    w.step(&mut seen).await;
                }
                seen
            })
        })
        .collect();
    let mut seen = Seen::default();
    for t in tasks {
        seen.add(t.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    // Panics with the rule that broke.
    server::store::contract::assert_invariants(&*store, &admin.account).await;
    seen.pages.sort();
    seen.changes.sort();
    if seen.pages.is_empty() || seen.changes.is_empty() {
        println!("\nLoad, {label}: no requests were made  FAIL");
        return false;
    }
    let requests = seen.pages.len() + seen.changes.len();
    let (pp50, pp99) = (percentile(&seen.pages, 0.5), percentile(&seen.pages, 0.99));
    let (cp50, cp99) = (
        percentile(&seen.changes, 0.5),
        percentile(&seen.changes, 0.99),
    );
    let pass = seen.server_errors.is_empty() && (!latency_budget || pp99 < PAGE_P99_BUDGET_MS);
    println!(
        "\nLoad, {label}: {clients} clients for {seconds} s — {requests} requests, {:.0}/s; pages and reads p50 {pp50:.1} ms p99 {pp99:.1} ms{}; changes p50 {cp50:.1} ms p99 {cp99:.1} ms ({} changes); {} answered, {} conflicts, {} other refusals, {} uploads shed (busy), {} 5xx; R1–R3 hold  {}",
        requests as f64 / elapsed,
        if latency_budget {
            format!(" (budget p99 < {PAGE_P99_BUDGET_MS} ms)")
        } else {
            String::new()
        },
        seen.changes.len(),
        seen.ok,
        seen.conflicts,
        seen.refused,
        seen.shed,
        seen.server_errors.len(),
        crate::verdict(pass)
    );
    for e in seen.server_errors.iter().take(5) {
        println!("  {e}");
    }
    pass
}
