//! Command-line tasks: the first Administrator, importing tenants from CSV, the demo account.

use app::auth::Caller;
use app::domain::Role;
use app::domain::integration::discovery::DiscoveryAudit;
use app::domain::mapping::rules::{self, Parent};
use app::domain::*;
use app::services::discovery::import_csv;
use app::store::prelude::*;
use app::wire::ImportReport;
use uuid::Uuid;

/// A command-line task acts as a named Administrator; the audit log records it as `actor`.
pub fn cli_caller(user: &User, actor: &str) -> Caller {
    Caller {
        account: user.account.clone(),
        user: user.id,
        actor: actor.to_string(),
        role: Role::Administrator,
        session: String::new(),
    }
}

/// `server admin create`: a new account and its first Administrator.
pub async fn create_account(
    store: &dyn Store,
    name: &str,
    email: &str,
    password: &str,
) -> Result<(AccountId, Email), String> {
    let name = AccountName::parse(name).map_err(|e| e.to_string())?;
    let email = Email::parse(email).map_err(|e| e.to_string())?;
    let password = Password::new(password).map_err(|e| e.to_string())?;
    let user = app::services::accounts::create_account(store, name, email, password, false)
        .await
        .map_err(|e| e.to_string())?;
    Ok((user.account, user.email))
}

/// The active Administrator a command-line task acts as.
async fn administrator(store: &dyn Store, email: &str) -> Result<User, String> {
    let email = Email::parse(email).map_err(|e| e.to_string())?;
    let users = store
        .users_by_email(&email)
        .await
        .map_err(|e| e.to_string())?;
    let mut admins = users
        .into_iter()
        .filter(|u| u.active && u.role == Role::Administrator);
    match (admins.next(), admins.next()) {
        (Some(u), None) => Ok(u),
        (Some(_), Some(_)) => Err(format!(
            "{email} is an Administrator of several accounts: act as another of its Administrators"
        )),
        (None, _) => Err(format!("{email} is not an active Administrator")),
    }
}

/// `server import-tenants --as EMAIL FILE`.
pub async fn import_tenants_file(
    store: &dyn Store,
    email: &str,
    path: &std::path::Path,
) -> Result<ImportReport, String> {
    let admin = administrator(store, email).await?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let actor = format!("{} (command line import)", admin.email);
    import_csv(store, &cli_caller(&admin, &actor), &text)
        .await
        .map_err(|e| e.to_string())
}

pub const DEMO_ADMIN: &str = "admin@foggy-it.example";
pub const DEMO_TECHNICIAN: &str = "tech@foggy-it.example";

/// `server demo`: the demo account with an Administrator and a Technician, both with
/// `password` (the configuration's demo password), filled by [`load_demo`]. Returns how to
/// sign in.
pub async fn create_demo(
    store: &dyn Store,
    orgs: usize,
    tenants: usize,
    password: &str,
) -> Result<String, String> {
    let how = format!(
        "Sign in as the Administrator {DEMO_ADMIN} or the Technician {DEMO_TECHNICIAN}, password \"{password}\"."
    );
    let admin_email = Email::parse(DEMO_ADMIN).map_err(|e| e.to_string())?;
    if !store
        .users_by_email(&admin_email)
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(format!("The demo account exists already. {how}"));
    }
    let (account, _) =
        create_account(store, "Foggy IT Services (demo)", DEMO_ADMIN, password).await?;
    let admin = administrator(store, DEMO_ADMIN).await?;
    let caller = cli_caller(&admin, "demo loader");
    let hash = app::auth::hash_new_password(Password::new(password).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| e.to_string())?;
    let tech = NewUser {
        id: UserId::from_uuid(Uuid::new_v4()),
        email: Email::parse(DEMO_TECHNICIAN).map_err(|e| e.to_string())?,
        role: Role::Technician,
        password_hash: hash,
    };
    store
        .apply(&account, add_user(&caller.ctx(), &account, tech))
        .await
        .map_err(|e| e.to_string())?;
    load_demo(store, &caller, orgs, tenants).await?;
    Ok(format!("Demo data loaded. {how}"))
}

/// A deterministic tenant id for demo and benchmark data.
pub fn demo_tenant_id(n: u64) -> MicrosoftTenantId {
    MicrosoftTenantId::from_uuid(Uuid::from_u128(
        0x5e5e_0000_0000_4000_8000_0000_0000_0000u128 | n as u128,
    ))
}

const PLACES: [&str; 12] = [
    "Boston",
    "Waltham",
    "Burlington",
    "Cambridge",
    "Quincy",
    "Salem",
    "Lowell",
    "Newton",
    "Medford",
    "Lexington",
    "Concord",
    "Dedham",
];
const TRADES: [&str; 12] = [
    "Dental",
    "Law",
    "Accounting",
    "Architects",
    "Veterinary",
    "Realty",
    "Insurance",
    "Pediatrics",
    "Logistics",
    "Brewing",
    "Engineering",
    "Consulting",
];
const OWNERS: [&str; 12] = [
    "Acme",
    "Harbor",
    "Beacon",
    "Granite",
    "Summit",
    "Riverside",
    "Northgate",
    "Bluefin",
    "Cedar",
    "Maple",
    "Ironwood",
    "Lighthouse",
];

/// The name of the n-th generated customer, unique for n < 12³·k.
pub fn demo_name(n: usize) -> String {
    let owner = OWNERS[n % 12];
    let trade = TRADES[(n / 12) % 12];
    let place = PLACES[(n / 144) % 12];
    let round = n / 1728;
    if round == 0 {
        format!("{owner} {trade} - {place}")
    } else {
        format!("{owner} {trade} - {place} {}", round + 1)
    }
}

/// Fills an account as a believable MSP's: the Foggy IT starting state of S4 (three offices'
/// Organizations with automatic Syncro Tenants, waiting to be grouped, and an unmapped
/// "Foggy IT" Microsoft Tenant), plus `orgs` generated Organizations and `tenants` Microsoft
/// Tenants named after them — a third mapped already, the rest for Suggestions (mostly High:
/// the same name with "(M365)"; some Medium: the customer's name without its office).
pub async fn load_demo(
    store: &dyn Store,
    caller: &Caller,
    orgs: usize,
    tenants: usize,
) -> Result<(), String> {
    let account = &caller.account;
    let err = |e: app::store::StoreError| e.to_string();
    for name in [
        "Foggy IT Services - Boston",
        "Foggy IT Services - Waltham",
        "Foggy IT Services - Burlington",
    ] {
        create_org(store, caller, name).await.map_err(err)?;
    }
    let mut discovered = vec![
        DiscoveredTenant::parse(
            &demo_tenant_id(0).to_string(),
            "Foggy IT",
            "foggyit.onmicrosoft.com",
        )
        .map_err(|e| e.to_string())?,
    ];
    // Tenant t belongs to the generated Organization t - 1 and is named as Microsoft would
    // show it: the customer's name, "(M365)" after it. A few carry only the customer's name
    // and trade (no office): an honest Medium, since several offices could be theirs.
    for n in 1..=tenants as u64 {
        let org = demo_name(n as usize - 1);
        let name = if n % 9 == 5 {
            format!("{} Group", org.split(" - ").next().unwrap_or(&org))
        } else {
            format!("{org} (M365)")
        };
        let domain = format!(
            "{}{n}.onmicrosoft.com",
            org.split(' ').take(2).collect::<String>().to_lowercase()
        );
        discovered.push(
            DiscoveredTenant::parse(&demo_tenant_id(n).to_string(), &name, &domain)
                .map_err(|e| e.to_string())?,
        );
    }
    let audit = DiscoveryAudit {
        action: "microsoft_tenant.import",
        summary: format!(
            "Demo loader recorded {} Microsoft Tenants",
            discovered.len()
        ),
    };
    app::services::discovery::record(
        store,
        account,
        &caller.ctx(),
        audit,
        discovered,
        Coverage::Partial,
    )
    .await
    .map_err(|e| e.to_string())?;
    for n in 0..orgs {
        let st = create_org(store, caller, &demo_name(n))
            .await
            .map_err(err)?;
        // A third are mapped already, each to its own tenant (the names agree); the rest wait
        // for Suggestions.
        let t = (n + 1) as u64;
        if n % 3 != 0 || t > tenants as u64 {
            continue;
        }
        let mt = store
            .microsoft_tenant(account, demo_tenant_id(t))
            .await
            .map_err(err)?;
        if let Some(change) =
            mt.and_then(|mt| rules::map_tenant(&caller.ctx(), &mt, mt.version, &st).ok())
        {
            store.apply(account, change).await.map_err(err)?;
        }
    }
    Ok(())
}

async fn create_org(
    store: &dyn Store,
    caller: &Caller,
    name: &str,
) -> Result<SyncroTenant, app::store::StoreError> {
    let st_id = SyncroTenantId::from_uuid(Uuid::new_v4());
    let name = OrganizationName::parse(name).expect("demo names are valid");
    let change = rules::create_organization(
        &caller.ctx(),
        OrganizationId::from_uuid(Uuid::new_v4()),
        name,
        ContactDetails::default(),
        Parent::Automatic(st_id),
    );
    store.apply(&caller.account, change).await?;
    Ok(store
        .syncro_tenant(&caller.account, st_id)
        .await?
        .expect("just created"))
}

/// Writes `.br` (quality 11) and `.gz` (level 9) beside every compressible file in `dir`, so
/// the server sends precompressed assets instead of compressing on each request.
/// Returns (file, raw, gzip, brotli) sizes.
pub fn precompress(dir: &std::path::Path) -> std::io::Result<Vec<(String, usize, usize, usize)>> {
    use std::io::Write as _;
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if !(name.ends_with(".wasm") || name.ends_with(".js") || name.ends_with(".css")) {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        let gz = gz.finish()?;
        let mut br = Vec::new();
        let params = brotli::enc::BrotliEncoderParams {
            quality: 11,
            lgwin: 22,
            ..Default::default()
        };
        brotli::BrotliCompress(&mut &bytes[..], &mut br, &params)?;
        std::fs::write(path.with_file_name(format!("{name}.gz")), &gz)?;
        std::fs::write(path.with_file_name(format!("{name}.br")), &br)?;
        out.push((name, bytes.len(), gz.len(), br.len()));
    }
    Ok(out)
}

/// The key that seals client secrets on a server with the embedded store and no configured
/// key: `secret.key` beside the data (whose secrets it protects), created owner-only on first
/// start.
pub fn local_key(data: &std::path::Path) -> Result<app::microsoft::SealingKey, String> {
    use app::microsoft::SealingKey;
    let path = data.join("secret.key");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::private::dir(data).map_err(|e| format!("{}: {e}", data.display()))?;
            let text = SealingKey::generate();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            std::io::Write::write_all(&mut file, text.as_bytes())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "created the key that encrypts Microsoft client secrets");
            text
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    SealingKey::from_base64(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_names_are_unique() {
        let names: std::collections::HashSet<String> =
            (0..12_000).map(|n| name_key(&demo_name(n))).collect();
        assert_eq!(names.len(), 12_000);
    }
}
