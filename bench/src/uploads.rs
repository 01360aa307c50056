//! Uploads cost their size: the peak resident memory of the real `server` binary (release) while
//! it reads a worst-case 5 MB CSV upload — blank lines, one endless field, a row of commas, on
//! both imports — one at a time and four at once. The peak is the kernel's high-water mark
//! (`VmHWM`), reset before each upload (`/proc/PID/clear_refs`), less the resident size before.
//! Budget: one upload ≤ 3× its size; four at once ≤ 4 × 3× (two are read at a time, the others
//! wait their turn).

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

/// An upload's size: just under the 5 MB limit.
const SIZE: usize = 4_990_000;
const BUDGET_FACTOR: f64 = 3.0;

/// A kilobyte figure of `/proc/PID/status` (`VmRSS`, `VmHWM`), in bytes.
fn status_bytes(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}

/// Resets the process's high-water mark to its resident size now; returns that size.
fn reset_peak(pid: u32) -> u64 {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").expect("clear_refs (Linux)");
    status_bytes(pid, "VmRSS")
}

/// The worst cases: (label, import, the file).
fn cases() -> Vec<(&'static str, &'static str, String)> {
    let blank = "\n".repeat(SIZE);
    let field = format!(
        "tenantId,displayName,defaultDomainName\n{}",
        "x".repeat(SIZE - 40)
    );
    let commas = format!(
        "Microsoft Tenant ID,Syncro Tenant\n{}",
        ",".repeat(SIZE - 34)
    );
    vec![
        ("blank lines", "import-tenants", blank.clone()),
        ("blank lines", "import-mappings", blank),
        ("one 5 MB field", "import-tenants", field.clone()),
        ("one 5 MB field", "import-mappings", field),
        ("a row of commas", "import-tenants", commas.clone()),
        ("a row of commas", "import-mappings", commas),
    ]
}

/// Posts `csv` as the file of an import, as a browser's form does.
async fn upload(client: &reqwest::Client, base: &str, endpoint: &str, csv: &str) -> u16 {
    let boundary = "----tenantmap-bench-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"worst.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(csv.as_bytes());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    client
        .post(format!("{base}/api/{endpoint}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real server on a fresh data directory with an Administrator signed in: (the process,
/// its base URL, a client with the session).
async fn start(root: &Path, data: &Path) -> (Server, String, reqwest::Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let (email, password) = (crate::pages::EMAIL, crate::pages::PASSWORD);
    let env = |c: &mut Command| {
        c.current_dir(root)
            .env("TENANTMAP_DATA", data)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("TENANTMAP_ADMIN_PASSWORD", password)
            .env("TENANTMAP_SYNC_MINUTES", "0")
            .env("RUST_LOG", "warn");
    };
    if !data.join("tenantmap.redb").exists() {
        let mut create = Command::new(root.join("target/release/server"));
        create.args([
            "admin",
            "create",
            "--account",
            "Bench MSP",
            "--email",
            email,
        ]);
        env(&mut create);
        assert!(create.output().unwrap().status.success(), "admin create");
    }
    let mut serve = Command::new(root.join("target/release/server"));
    serve.arg("serve");
    env(&mut serve);
    let server = Server(serve.spawn().unwrap());
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cookie = crate::pages::sign_in(&base, email, password).await;
    (server, base, crate::pages::client(&cookie))
}

pub async fn measure(root: &Path) -> bool {
    println!(
        "\nUploads: peak resident memory of target/release/server (a fresh process each) while it reads a worst-case {:.2} MB CSV (budget ≤ {BUDGET_FACTOR}× the upload each):",
        SIZE as f64 / 1e6
    );
    let data = tempfile::tempdir().unwrap();
    let budget = (SIZE as f64 * BUDGET_FACTOR) as u64;
    let mut ok = true;
    for (label, endpoint, csv) in cases() {
        let (server, base, client) = start(root, data.path()).await;
        let pid = server.0.id();
        let before = reset_peak(pid);
        let status = upload(&client, &base, endpoint, &csv).await;
        let peak = status_bytes(pid, "VmHWM").saturating_sub(before);
        let pass = peak <= budget && status < 500 && status != 0;
        ok &= pass;
        println!(
            "  {label:<16} {endpoint:<16} answered {status}  peak +{:>5.1} MB ({:.1}× the upload)  {}",
            peak as f64 / 1e6,
            peak as f64 / SIZE as f64,
            crate::verdict(pass)
        );
    }
    let (server, base, client) = start(root, data.path()).await;
    let pid = server.0.id();
    let csv = "\n".repeat(SIZE);
    let before = reset_peak(pid);
    let mut handles = Vec::new();
    for i in 0..4 {
        let (client, base, csv) = (client.clone(), base.clone(), csv.clone());
        let endpoint = if i % 2 == 0 {
            "import-tenants"
        } else {
            "import-mappings"
        };
        handles.push(tokio::spawn(async move {
            upload(&client, &base, endpoint, &csv).await
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.push(h.await.unwrap_or(0));
    }
    let peak = status_bytes(pid, "VmHWM").saturating_sub(before);
    // A fifth would wait for a turn, or be told the server is busy (503): never a failure.
    let pass = peak <= 4 * budget && all.iter().all(|s| *s != 0 && (*s < 500 || *s == 503));
    ok &= pass;
    println!(
        "  four blank-line uploads at once (two read at a time): answered {all:?}  peak +{:.1} MB ({:.1}× one upload)  {}",
        peak as f64 / 1e6,
        peak as f64 / SIZE as f64,
        crate::verdict(pass)
    );
    drop(server);
    ok
}
