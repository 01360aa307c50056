//! Microsoft Tenant Management › Import mappings: the mapping export (or any CSV with the
//! columns "Microsoft Tenant ID" and "Syncro Tenant") read back. *Check* is a dry run that
//! lists what would change; *Import* applies it. A plain multipart form, with or without
//! JavaScript: the report comes back in the page's link.

use crate::api::*;
use crate::components::*;
use crate::domain::mapping_import::Outcome;
use crate::wire::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

#[component]
pub fn ImportMappingsPage() -> impl IntoView {
    let from_url = query_param("report");
    let report = move || {
        form_error::<ImportMappings>()
            .map(Err)
            .or_else(|| mapping_report_in_link(&from_url.get()).map(Ok))
    };
    view! {
        <Title text="Import mappings - Microsoft Tenant Management"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › "<a href="/admin/microsoft-tenants">"RMM Settings - Microsoft Tenant Management"</a></p>
        <h1>"Import mappings"</h1>
        <AdminOnly fallback=|| view! { <p class="note" role="status">"Only Administrators can import mappings."</p> }>
            <p class="hint">"Read back the mapping export ("<a href="/admin/microsoft-tenants/export.csv" download="" rel="external">"Export CSV"</a>"), edited in a spreadsheet: each row's Microsoft Tenant ID is mapped to the Syncro Tenant the row names. An empty Syncro Tenant leaves the row as it is. Check first: nothing is changed until you import."</p>
            <form method="post" action=ImportMappings::PATH enctype="multipart/form-data" class="form">
                <label for="map-file">"CSV file"</label>
                <input id="map-file" name="file" type="file" accept=".csv,text/csv"/>
                <label for="map-csv">"CSV"</label>
                <textarea id="map-csv" name="csv" rows="5" placeholder="Microsoft Tenant ID,Microsoft Tenant,Default domain,Syncro Tenant"></textarea>
                <p class="hint">"A chosen file is read; otherwise the pasted text."</p>
                <label class="check" for="map-create">
                    <input type="checkbox" id="map-create" name="create" value="true"/>
                    "Create the Syncro Tenants that do not exist"
                </label>
                <div class="buttons">
                    <button type="submit" name="apply" value="false" data-pending="Checking…">"Check (dry run)"</button>
                    <button type="submit" name="apply" value="true" class="primary" data-pending="Importing…">"Import"</button>
                </div>
            </form>
            {move || report().map(|r| match r {
                Ok(r) => view! { <MappingReport r/> }.into_any(),
                Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </AdminOnly>
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
        <section class="panel" aria-labelledby="report-heading">
            <h2 id="report-heading">{if r.applied { "Import" } else { "Dry run" }}</h2>
            <p role="status">{headline}</p>
            {(r.not_applied > 0).then(|| view! {
                <p class="note stale">{format!("{} rows were not applied: their records changed meanwhile. Import the file again to finish (rows already applied read as unchanged).", r.not_applied)}</p>
            })}
            {(!r.applied && r.changes > 0).then(|| view! { <p class="hint">"To apply these changes, choose the same file again and press Import."</p> })}
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
