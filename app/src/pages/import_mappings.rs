//! Microsoft Tenant Management › Import: the two CSV imports in one place, each saying what it
//! is for. *Microsoft Tenants* (`tenantId,displayName,defaultDomainName`) adds or refreshes
//! tenants without a Microsoft connection; *Mappings* (the mapping export, or any CSV with the
//! columns "Microsoft Tenant ID" and "Syncro Tenant") maps them — *Check* is a dry run that
//! lists what would change, *Import* applies it. Plain multipart forms, with or without
//! JavaScript: each report comes back in the page's link, sealed for the session.

use crate::api::*;
use crate::components::*;
use crate::domain::mapping::import::Outcome;
use crate::wire::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import CSV - Microsoft Tenant Management"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › "<a href="/admin/microsoft-tenants">"RMM Settings - Microsoft Tenant Management"</a>" › Import"</p>
        <h1>"Import CSV"</h1>
        <AdminOnly fallback=|| view! { <p class="note" role="status">"Only Administrators can import."</p> }>
            <p class="lead">"Two kinds of file: a list of Microsoft Tenants brings tenants in; a mapping file says which Syncro Tenant each belongs to."</p>
            <TenantsImport/>
            <MappingsImport/>
        </AdminOnly>
    }
}

/// Microsoft Tenants from a CSV: for an account not connected to Microsoft (or tenants it
/// cannot see).
#[component]
fn TenantsImport() -> impl IntoView {
    let from_url = query_param("import");
    let report = move || {
        form_error::<ImportTenants>()
            .map(Err)
            .or_else(|| import_report_in_link(&from_url.get()).map(Ok))
    };
    view! {
        <section class="panel import" aria-labelledby="import-heading">
            <h2 id="import-heading">"Microsoft Tenants"</h2>
            <p class="hint">"Brings tenants in without a Microsoft connection: a CSV with the header "<code>"tenantId,displayName,defaultDomainName"</code>". Known tenants get the file's name and domain; their mappings are kept. Rows with errors are reported by line; the others are imported."</p>
            {move || report().map(|r| match r {
                Ok(r) => view! {
                    <div class="note ok" role="status" id="problems" tabindex="-1">
                        <p>{format!("Added {}, updated {}, rejected {}.", r.added, r.updated, r.rejected.len())}</p>
                        <ul>{r.rejected.into_iter().map(|(line, why)| view! { <li>{format!("Line {line}: {why}")}</li> }).collect_view()}</ul>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="note error" role="alert" id="problems" tabindex="-1">{e.to_string()}</p> }.into_any(),
            })}
            <form method="post" action=ImportTenants::PATH enctype="multipart/form-data" class="form" novalidate=true>
                <CsvInput file_id="csv-file" text_id="csv" placeholder="tenantId,displayName,defaultDomainName" hint="A chosen file is imported; otherwise the pasted text."/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Importing…">"Import tenants"</button>
                </div>
            </form>
        </section>
    }
}

/// A CSV to send: a file (`file`), or text pasted (`csv`); the server reads a chosen file first.
#[component]
fn CsvInput(
    file_id: &'static str,
    text_id: &'static str,
    placeholder: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label for=file_id>"CSV file"</label>
        <input id=file_id name="file" type="file" accept=".csv,text/csv"/>
        <label for=text_id>"CSV"</label>
        <textarea id=text_id name="csv" rows="5" placeholder=placeholder></textarea>
        <p class="hint">{hint}</p>
    }
}

/// Mappings from a CSV: the mapping export read back.
#[component]
fn MappingsImport() -> impl IntoView {
    let from_url = query_param("report");
    let report = move || {
        form_error::<ImportMappings>()
            .or_else(form_error::<ImportCheckedMappings>)
            .map(Err)
            .or_else(|| mapping_report_in_link(&from_url.get()).map(Ok))
    };
    view! {
        <section class="panel import" aria-labelledby="mappings-heading">
            <h2 id="mappings-heading">"Mappings"</h2>
            <p class="hint">"Maps tenants already here to Syncro Tenants: the mapping export ("<a href="/admin/microsoft-tenants/export.csv" download="" rel="external">"Export CSV"</a>"), edited in a spreadsheet, or any CSV with the columns \"Microsoft Tenant ID\" and \"Syncro Tenant\". Each row's tenant is mapped to the Syncro Tenant it names; an empty Syncro Tenant leaves the row as it is. Check first: nothing is changed until you import."</p>
            {move || report().map(|r| match r {
                Ok(r) => view! { <MappingReport r/> }.into_any(),
                Err(e) => view! { <p class="note error" role="alert" id="problems" tabindex="-1">{e.to_string()}</p> }.into_any(),
            })}
            <form method="post" action=ImportMappings::PATH enctype="multipart/form-data" class="form" novalidate=true>
                <CsvInput file_id="map-file" text_id="map-csv" placeholder="Microsoft Tenant ID,Microsoft Tenant,Default domain,Syncro Tenant" hint="A chosen file is read; otherwise the pasted text."/>
                <label class="check" for="map-create">
                    <input type="checkbox" id="map-create" name="create" value="true"/>
                    "Create the Syncro Tenants that do not exist"
                </label>
                <div class="buttons">
                    <button type="submit" name="apply" value="false" data-pending="Checking…">"Check (dry run)"</button>
                    <button type="submit" name="apply" value="true" class="primary" data-pending="Importing…">"Import"</button>
                </div>
            </form>
        </section>
    }
}

#[component]
fn MappingReport(r: MappingImportReport) -> impl IntoView {
    let headline = if r.applied {
        format!(
            "Imported: {} changed, {} unchanged, {} refused.",
            r.changes - r.not_applied,
            r.unchanged,
            r.refused
        )
    } else {
        format!(
            "Dry run: {} change{}, {} unchanged, {} refused. Nothing was changed.",
            r.changes,
            if r.changes == 1 { "" } else { "s" },
            r.unchanged,
            r.refused
        )
    };
    let shown = r.rows.len();
    let listed = r.changes + r.refused;
    view! {
        <section class="report" aria-labelledby="report-heading" id="problems" tabindex="-1">
            <h3 id="report-heading">{if r.applied { "Imported" } else { "Dry run" }}</h3>
            <p role="status">{headline}</p>
            {(r.not_applied > 0).then(|| view! {
                <p class="note stale">{format!("{} rows were not applied: their records changed meanwhile. Import the file again to finish (rows already applied read as unchanged).", r.not_applied)}</p>
            })}
            {match (&r.checked, r.applied || r.changes == 0) {
                (_, true) => None,
                (Some(id), false) => Some(view! {
                    <form method="post" action=ImportCheckedMappings::PATH class="inline-form">
                        <input type="hidden" name="checked" value=id.clone()/>
                        <button type="submit" class="primary" data-pending="Importing…">
                            {if r.changes == 1 { "Import this change".to_string() } else { format!("Import these {} changes", r.changes) }}
                        </button>
                        <span class="hint">" The file you checked is kept for 10 minutes: no need to choose it again."</span>
                    </form>
                }.into_any()),
                (None, false) => Some(view! { <p class="hint">"To apply these changes, choose the same file again below and press Import."</p> }.into_any()),
            }}
            {(shown > 0).then(|| view! {
                <table class="grid">
                    <thead><tr><th scope="col">"Line"</th><th scope="col">"Microsoft Tenant"</th><th scope="col">"Syncro Tenant"</th><th scope="col">"Result"</th></tr></thead>
                    <tbody>
                        {r.rows.into_iter().map(|row| {
                            let class = if row.outcome == Outcome::Refused { "field-error" } else { "" };
                            view! {
                                <tr>
                                    <td data-label="Line">{row.line}</td>
                                    <td data-label="Microsoft Tenant">{row.tenant}</td>
                                    <td data-label="Syncro Tenant">{row.syncro_tenant}</td>
                                    <td data-label="Result" class=class>{row.note}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                {(listed > shown).then(|| view! { <p class="hint">{format!("The first {shown} of {listed} rows that change or are refused.")}</p> })}
            })}
        </section>
    }
}
