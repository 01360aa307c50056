//! tenantmap: map Microsoft 365 tenants to Syncro Tenants and Organizations.
//!
//! This crate is the whole app: domain rules, server functions and pages. It compiles to WASM
//! with `hydrate` and natively with `ssr`; never both in one build.

pub mod api;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod forms;
pub mod islands;
#[cfg(feature = "ssr")]
pub mod microsoft;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod state;
pub mod status;
#[cfg(feature = "ssr")]
pub mod store;
pub mod wire;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{A, Route, Router, Routes},
    path,
};

/// The stylesheet's URL, with its content hash when the site's files are hashed.
static CSS_HREF: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Reads the site's hash file (hash.txt beside the binary) once at start-up so every page links
/// the hashed stylesheet.
#[cfg(feature = "ssr")]
pub fn set_asset_hashes(options: &LeptosOptions) {
    let mut href = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    if options.hash_files {
        let hash_file = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(|d| d.join(options.hash_file.as_ref())));
        let text = hash_file
            .and_then(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        if let Some(hash) = text.lines().find_map(|l| l.trim().strip_prefix("css:")) {
            href = format!(
                "/{}/{}.{}.css",
                options.site_pkg_dir,
                options.output_name,
                hash.trim()
            );
        }
    }
    let _ = CSS_HREF.set(href);
}

/// The page's Content-Security-Policy: scripts only from this site and the one inline script
/// of this response (Leptos' island loader, which carries `nonce`); WebAssembly compiled from
/// them; nothing framed, embedded or posted elsewhere.
pub fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(resp)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = http::HeaderValue::from_str(&content_security_policy(&nonce))
    {
        resp.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
    let css = CSS_HREF
        .get()
        .cloned()
        .unwrap_or_else(|| format!("/pkg/{}.css", options.output_name));
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <meta name="theme-color" content="#16233a"/>
                <meta name="description" content="Map your customers' Microsoft 365 tenants to Syncro Tenants and Organizations."/>
                <link rel="stylesheet" href=css/>
                // public/: the icons and the manifest that let an Administrator add it to a
                // phone's home screen.
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="apple-touch-icon" href="/apple-touch-icon.png"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Who is signed in: read once per page load (blocking, so it is in the first HTML), shared
    // by the header and by every page that shows or hides the changing actions.
    let me: components::MeResource = Resource::new_blocking(|| (), |_| api::whoami());
    provide_context(me);
    view! {
        <Title formatter=page_title/>
        <Router>
            <a class="skip" href="#main">"Skip to content"</a>
            <header class="top">
                <a class="brand" href="/">"tenantmap"</a>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.await.is_ok().then(|| view! {
                            <nav aria-label="Main">
                                <A href="/organizations">"Organizations"</A>
                                <A href="/syncro-tenants">"Syncro Tenants"</A>
                                <A href="/admin">"Admin"</A>
                            </nav>
                        })
                    })}
                </Suspense>
                <pages::users::UserBox/>
            </header>
            // Async: each page is rendered whole before it is sent, so everything — data, forms,
            // errors — is in the HTML and works with JavaScript off; islands only add to it.
            <islands::Main>
                <status::StatusLine/>
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=path!("/") view=pages::Home ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=pages::users::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/first-run") view=pages::users::FirstRunPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=pages::AdminIndex ssr=SsrMode::Async/>
                    <Route path=path!("/admin/activity") view=pages::activity::ActivityPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=pages::users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/microsoft-integration") view=pages::integration::IntegrationPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/microsoft-tenants") view=pages::tenants::TenantManagement ssr=SsrMode::Async/>
                    <Route path=path!("/admin/microsoft-tenants/import") view=pages::import_mappings::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/microsoft-tenants/import-mappings") view=pages::import_mappings::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/microsoft-tenants/suggestions") view=pages::suggestions::SuggestionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/microsoft-tenants/map-the-rest") view=pages::map_rest::MapRestPage ssr=SsrMode::Async/>
                    <Route path=path!("/syncro-tenants") view=pages::syncro_tenants::SyncroTenantList ssr=SsrMode::Async/>
                    <Route path=path!("/syncro-tenants/:id") view=pages::syncro_tenants::SyncroTenantDetailsPage ssr=SsrMode::Async/>
                    <Route path=path!("/syncro-tenants/:id/user-sync") view=pages::user_sync::UserSyncSetupPage ssr=SsrMode::Async/>
                    <Route path=path!("/syncro-tenants/:id/user-sync/preview") view=pages::user_sync::UserSyncPreviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/organizations") view=pages::organizations::OrganizationList ssr=SsrMode::Async/>
                    <Route path=path!("/organizations/group") view=pages::group::GroupPage ssr=SsrMode::Async/>
                    <Route path=path!("/organizations/new") view=pages::organizations::NewOrganization ssr=SsrMode::Async/>
                    <Route path=path!("/organizations/:id") view=pages::organizations::OrganizationPage ssr=SsrMode::Async/>
                    <Route path=path!("/organizations/:id/edit") view=pages::organizations::EditOrganization ssr=SsrMode::Async/>
                    <Route path=path!("/organizations/:id/end-users") view=pages::end_users::EndUsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/organizations/:id/end-users/new") view=pages::end_users::NewEndUser ssr=SsrMode::Async/>
                    <Route path=path!("/end-users/:id") view=pages::end_users::EndUserPage ssr=SsrMode::Async/>
                    <Route path=path!("/end-users/:id/edit") view=pages::end_users::EditEndUser ssr=SsrMode::Async/>
                </Routes>
            </islands::Main>
        </Router>
    }
}

/// The text of every page's `<title>`: the page's own title, then the app's name — escaped,
/// because leptos_meta writes the formatted title into the head as it is, and a title often
/// holds a record's name (an End User's comes from a customer's directory): a name with
/// `</title><meta http-equiv="refresh" …>` must read as text, not end the title.
pub fn page_title(text: String) -> String {
    let title = if text.is_empty() {
        "tenantmap".to_string()
    } else {
        format!("{text} · tenantmap")
    };
    escape_html(&title)
}

/// Text made safe for HTML text and attribute values: `&`, `<`, `>`, `"` and `'` as references.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_are_text_whatever_a_name_holds() {
        let hostile =
            r#"</title><meta http-equiv="refresh" content="0;url=https://evil.example/">"#;
        let title = super::page_title(hostile.to_string());
        assert!(!title.contains('<') && !title.contains('"'), "{title}");
        assert_eq!(
            title,
            "&lt;/title&gt;&lt;meta http-equiv=&quot;refresh&quot; content=&quot;0;url=https://evil.example/&quot;&gt; · tenantmap"
        );
        assert_eq!(super::page_title(String::new()), "tenantmap");
        assert_eq!(super::page_title("A & B".into()), "A &amp; B · tenantmap");
    }
}

/// Called by Leptos' island script once the WASM has loaded; it then hydrates each
/// `<leptos-island>` of the page (`islands.rs`), nothing else.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic's message goes to the console (the WASM aborts on panic).
    std::panic::set_hook(Box::new(|info| leptos::logging::error!("{info}")));
    leptos::mount::hydrate_islands();
}
