//! Admin > RMM Settings - Microsoft Tenant Integrations: connect as Single Tenant or as a CSP
//! partner, *Sync Now*, the last sync and the tenants it could not read; replace the client
//! secret; disconnect. Administrators only (the server checks again on every call).

use crate::api::*;
use crate::components::*;
use crate::forms::{ErrorSummary, FormState, TextInput};
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IntegrationPage() -> impl IntoView {
    let connect = ServerAction::<ConnectMicrosoft>::new();
    let replace = ServerAction::<ReplaceMicrosoftSecret>::new();
    let disconnect = ServerAction::<DisconnectMicrosoft>::new();
    let sync = ServerAction::<SyncMicrosoft>::new();
    // A running sync's progress is an island that looks again until its report arrives.
    let state = Resource::new(|| (), |_| microsoft_integration());
    view! {
        <Title text="RMM Settings - Microsoft Tenant Integrations"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › RMM Settings"</p>
        <h1>"RMM Settings - Microsoft Tenant Integrations"</h1>
        <AdminOnly fallback=|| view! { <p class="note error" role="alert">"You are not allowed to do that. Only Administrators manage the Microsoft integration."</p> }>
        <Loaded data=state page={move |v, _| match v {
                IntegrationView { connection: None, last_sync, .. } => view! {
                    <ConnectForm action=connect/>
                    {last_sync.map(|r| view! { <LastSync report=r high=0 other=0/> })}
                }.into_any(),
                IntegrationView { connection: Some(c), last_sync, running, suggestions_high: high, suggestions_other: other } => view! {
                    <Connected c=c.clone() sync=sync running=running/>
                    {last_sync.map(|r| view! { <LastSync report=r high other/> })}
                    <ReplaceSecret c=c.clone() action=replace/>
                    <Disconnect c=c action=disconnect/>
                }.into_any(),
            }}/>
        </AdminOnly>
    }
}

#[component]
fn ConnectForm(action: ServerAction<ConnectMicrosoft>) -> impl IntoView {
    let form = FormState::of(action);
    let single = form.value("mode", "csp") == "single";
    view! {
        <section class="panel" aria-labelledby="connect-heading">
            <h2 id="connect-heading">"Connect to Microsoft"</h2>
            <p class="hint">"tenantmap reads your customers' Microsoft 365 tenants through an app you register in your Entra ID. An account connects one way at a time."</p>
            <details class="guide" open=!form.is_draft()>
                <summary>"How to register the app (about five minutes)"</summary>
                <ol>
                    <li>"In the Microsoft Entra admin center, open "<strong>"App registrations › New registration"</strong>". Name it \"tenantmap\". For a CSP partner choose "<em>"Accounts in any organizational directory"</em>" (customers consent to it); for a Single Tenant, "<em>"this organizational directory only"</em>"."</li>
                    <li>"Open "<strong>"API permissions › Add a permission › Microsoft Graph › Application permissions"</strong>" and add:"
                        <ul>
                            <li><code>"Organization.Read.All"</code>" — each tenant's name and domains."</li>
                            <li><code>"DelegatedAdminRelationship.Read.All"</code>" (CSP) — your GDAP relationships: which customers you manage and until when."</li>
                            <li><code>"Directory.Read.All"</code>" (CSP) — your contracts: every customer's tenant ID, name and domain."</li>
                            <li><code>"User.Read.All"</code>", "<code>"GroupMember.Read.All"</code>", optionally "<code>"MailboxSettings.Read"</code>" — only for Entra ID User Sync (customers' users as End Users)."</li>
                        </ul>
                        "Then "<strong>"Grant admin consent"</strong>"."</li>
                    <li>"Open "<strong>"Certificates & secrets › New client secret"</strong>" and copy its "<strong>"Value"</strong>" at once (Entra shows it only once; the Secret ID is not it)."</li>
                    <li>"On the app's "<strong>"Overview"</strong>", copy the "<strong>"Directory (tenant) ID"</strong>" and the "<strong>"Application (client) ID"</strong>", and paste the three values below."</li>
                </ol>
            </details>
            <ErrorSummary form=form/>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <fieldset id="f-mode">
                    <legend>"Integrate as"</legend>
                    <label class="check"><input type="radio" name="mode" value="csp" checked=!single/>" Cloud Solution Provider (CSP) — your partner tenant; its customers become Microsoft Tenants"</label>
                    <label class="check"><input type="radio" name="mode" value="single" checked=single/>" Single Tenant — one customer tenant that consented to the app"</label>
                </fieldset>
                {form.error("mode")}
                <TextInput form=form name="directory_tenant" label="Directory (tenant) ID" autocomplete="off"
                    placeholder="00000000-0000-0000-0000-000000000000" required=true/>
                <TextInput form=form name="client_id" label="Application (client) ID" autocomplete="off"
                    placeholder="00000000-0000-0000-0000-000000000000" required=true/>
                <TextInput form=form name="client_secret" label="Client secret (its Value)" kind="password" autocomplete="off"
                    required=true hint="Stored encrypted and never shown again. tenantmap checks it with Microsoft before saving; type it again if the form comes back."/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Connecting…">"Connect"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Connected(
    c: ConnectionView,
    sync: ServerAction<SyncMicrosoft>,
    running: Option<SyncJobView>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="status-heading">
            <h2 id="status-heading">{format!("Connected as {}", c.mode_label)}</h2>
            <dl class="facts">
                <dt>"Directory (tenant) ID"</dt><dd><code>{c.directory_tenant}</code></dd>
                <dt>"Application (client) ID"</dt><dd><code>{c.client_id}</code></dd>
                <dt>"Client secret"</dt><dd>{format!("Set {} (hidden)", c.secret_set_at)}</dd>
                <dt>"Connected"</dt><dd>{format!("{} by {}", c.connected_at, c.connected_by)}</dd>
            </dl>
            {match running {
                Some(job) => view! { <crate::islands::SyncProgress job=job/> }.into_any(),
                None => view! { <SyncNowForm action=sync back="/admin/microsoft-integration"/> }.into_any(),
            }}
            <ErrorNote error=action_error(sync.value())/>
        </section>
    }
}

/// *Sync Now*: a button that posts to the sync server function (also on the Syncro Tenant
/// details page).
#[component]
pub fn SyncNowForm(
    action: ServerAction<SyncMicrosoft>,
    #[prop(into)] back: String,
) -> impl IntoView {
    view! {
        <ActionForm action=action attr:class="inline-form">
            <input type="hidden" name="back" value=back/>
            <button type="submit" class="primary" data-pending="Syncing…">"Sync Now"</button>
        </ActionForm>
    }
}

/// The last sync's report, and what is waiting after it: the suggestions to review.
#[component]
fn LastSync(report: SyncReportView, high: usize, other: usize) -> impl IntoView {
    let more = report.failure_count.saturating_sub(report.failures.len());
    view! {
        <section class="panel" aria-labelledby="last-sync-heading">
            <h2 id="last-sync-heading">"Last sync"</h2>
            <p>{format!("{} — {}", report.finished_at, report.trigger)}</p>
            {match report.error.clone() {
                Some(e) => view! { <p class="note error" role="alert">{format!("The sync could not list the tenants: {e}")}</p> }.into_any(),
                None => view! {
                    <p>{format!("{} added, {} updated, {} removed by Microsoft.", report.added, report.updated, report.removed)}</p>
                }.into_any(),
            }}
            {(high + other > 0).then(|| view! { <SuggestionsReady high other/> })}
            {(!report.failures.is_empty()).then(|| view! {
                <h3>{format!("Tenants that could not be read fully ({})", report.failure_count)}</h3>
                <p class="hint">"They are kept as they were; the next sync tries again."</p>
                <table class="grid">
                    <thead><tr><th scope="col">"Microsoft Tenant"</th><th scope="col">"Problem"</th><th scope="col">"What to do"</th></tr></thead>
                    <tbody>
                        {report.failures.into_iter().map(|f| view! {
                            <tr>
                                <td data-label="Microsoft Tenant"><a href=url("/admin/microsoft-tenants", &[("q", &f.tenant_id)])>{f.display_name}</a></td>
                                <td data-label="Problem">{f.label}</td>
                                <td data-label="What to do">{f.detail}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(more > 0).then(|| view! { <p class="hint">{format!("…and {more} more: see Microsoft Tenant Management.")}</p> })}
            })}
        </section>
    }
}

/// "265 high-confidence suggestions ready (12 more to review)" and the way to them.
#[component]
fn SuggestionsReady(high: usize, other: usize) -> impl IntoView {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let (said, href) = match (high, other) {
        (0, n) => (
            format!("{n} suggested mapping{} to review.", plural(n)),
            "/admin/microsoft-tenants/suggestions",
        ),
        (h, 0) => (
            format!("{h} high-confidence suggestion{} ready.", plural(h)),
            "/admin/microsoft-tenants/suggestions?confidence=high",
        ),
        (h, n) => (
            format!(
                "{h} high-confidence suggestion{} ready, {n} more to review.",
                plural(h)
            ),
            "/admin/microsoft-tenants/suggestions?confidence=high",
        ),
    };
    view! {
        <p class="note">{said}" "<a href=href>"Review the suggestions"</a></p>
    }
}

#[component]
fn ReplaceSecret(c: ConnectionView, action: ServerAction<ReplaceMicrosoftSecret>) -> impl IntoView {
    let error = action_error(action.value());
    view! {
        <section class="panel" aria-labelledby="replace-heading">
            <h2 id="replace-heading">"Replace the client secret"</h2>
            <p class="hint">"When the secret expires or is rotated. The old one is overwritten."</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="version" value=c.version.to_string()/>
                <label for="new_client_id">"Application (client) ID"</label>
                <input id="new_client_id" name="client_id" required=true autocomplete="off" value=c.client_id/>
                <FieldError error=error field="client_id"/>
                <label for="new_client_secret">"New client secret (its Value)"</label>
                <input id="new_client_secret" name="client_secret" type="password" required=true autocomplete="off"/>
                <FieldError error=error field="client_secret"/>
                <ErrorNote error=Signal::derive(move || error.get().filter(|e| e.field().is_none()))/>
                <div class="buttons"><button type="submit">"Replace secret"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Disconnect(c: ConnectionView, action: ServerAction<DisconnectMicrosoft>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="disconnect-heading">
            <h2 id="disconnect-heading">"Disconnect"</h2>
            <p class="hint">"Stops syncing. The Microsoft Tenants and their mappings stay, shown as no longer synced. To switch between Single Tenant and CSP, disconnect first."</p>
            <Confirm label="Disconnect" class="danger"
                question="Disconnect from Microsoft? Syncing stops; the Microsoft Tenants and their mappings stay. Connecting again needs the client secret.">
                <ActionForm action=action>
                    <input type="hidden" name="version" value=c.version.to_string()/>
                    <button type="submit" class="danger" data-pending="Disconnecting…">"Yes, disconnect"</button>
                </ActionForm>
            </Confirm>
            <ErrorNote error=action_error(action.value())/>
        </section>
    }
}
