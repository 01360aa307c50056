//! Microsoft Tenant Management › Map the rest: the unmapped tenants no suggestion covers, a
//! box each to type its Syncro Tenant's name in (the free ones offered as you type), and one
//! Save for every row filled in. A plain form, with or without JavaScript; what could not be
//! mapped comes back on its row, as typed, with the reason.

use crate::api::*;
use crate::components::*;
use crate::wire::*;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use std::collections::HashMap;

#[component]
pub fn MapRestPage() -> impl IntoView {
    let page = query_param("page");
    let from_url = query_param("report");
    let list = Resource::new(
        move || (page.get(), from_url.get()),
        |(page, report)| unmatched_tenants(page, report),
    );
    view! {
        <Title text="Map the rest - Microsoft Tenant Management"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › "<a href="/admin/microsoft-tenants">"RMM Settings - Microsoft Tenant Management"</a>" › Map the rest"</p>
        <h1>"Map the rest"</h1>
        <p class="hint">"The unmapped Microsoft Tenants that no suggestion covers. Type each one's Syncro Tenant (the free ones are offered as you type), leave the others empty, and save them all at once. "<a href="/admin/microsoft-tenants/suggestions">"Suggestions"</a>" has the rest."</p>
        <Loaded data=list page={move |v, _| match v {
                view if view.rows.items.is_empty() => view! {
                    {view.report.map(|r| view! { <RestOutcome r=r.report/> })}
                    <p class="empty">"Nothing left here: every unmapped Microsoft Tenant has a suggestion, or none is left unmapped. "<a href="/admin/microsoft-tenants/suggestions">"Review the suggestions"</a>"."</p>
                }.into_any(),
                view => {
                    let outcome = view.report.as_ref().map(|r| view! { <RestOutcome r=r.report.clone()/> });
                    let kept: HashMap<String, (String, String)> = view.report
                        .map(|r| r.kept.into_iter().map(|(t, typed, why)| (t, (typed, why))).collect())
                        .unwrap_or_default();
                    let (pg, pages, total) = (view.rows.page, view.rows.pages(), view.rows.total);
                    view! {
                        {outcome}
                        <form method="post" action=MapTheRest::PATH class="suggestions" novalidate=true>
                            <datalist id="free-syncro-tenants">
                                {view.syncro_tenants.into_iter().map(|n| view! { <option value=n/> }).collect_view()}
                            </datalist>
                            <table class="grid">
                                <thead><tr><th scope="col">"Microsoft Tenant"</th><th scope="col">"Syncro Tenant"</th></tr></thead>
                                <tbody>
                                    {view.rows.items.into_iter().map(|row| {
                                        let (typed, why) = kept.get(&row.tenant_id).cloned().unwrap_or_default();
                                        view! { <RestLine row typed why/> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <Pager page=pg pages=pages total=total link=move |p| url(REST_PATH, &[("page", &p.to_string())])/>
                            <div class="form-actions">
                                <button type="submit" class="primary" data-pending="Saving…">"Save"</button>
                                <span class="hint">{format!("{} free Syncro Tenants", view.free_total)}</span>
                            </div>
                        </form>
                    }.into_any()
                }
            }}/>
    }
}

#[component]
fn RestLine(row: RestRow, typed: String, why: String) -> impl IntoView {
    let id = format!("choice-{}", row.tenant_id);
    let error_id = format!("{id}-error");
    let has_error = !why.is_empty();
    view! {
        <tr>
            <td data-label="Microsoft Tenant">
                <label for=id.clone()><strong>{row.name.clone()}</strong></label><br/>
                <span class="hint">{row.domain}</span>
            </td>
            <td data-label="Syncro Tenant">
                <input type="hidden" name="tenants[]" value=row.tenant_id/>
                <input id=id name="choices[]" list="free-syncro-tenants" autocomplete="off" value=typed
                    aria-invalid=has_error.then_some("true") aria-describedby=has_error.then(|| error_id.clone())/>
                {has_error.then(|| view! { <p class="field-error" id=error_id>{why}</p> })}
            </td>
        </tr>
    }
}

#[component]
fn RestOutcome(r: MappingImportReport) -> impl IntoView {
    let mapped = r.changes - r.not_applied;
    let plural = if mapped == 1 { "" } else { "s" };
    let mut said = match (mapped, r.refused) {
        (0, n) if n > 0 => format!("Nothing mapped: {n} not mapped, see the rows below."),
        (m, 0) => format!("Mapped {m} Microsoft Tenant{plural}."),
        (m, n) => {
            format!("Mapped {m} Microsoft Tenant{plural}. {n} not mapped: see the rows below.")
        }
    };
    if r.not_applied > 0 {
        said.push_str(&format!(
            " {} changed meanwhile: save again.",
            r.not_applied
        ));
    }
    view! { <p class="note" role="status" id="problems" tabindex="-1">{said}</p> }
}
