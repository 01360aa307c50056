//! Microsoft Tenant Management › Suggestions: for each unmapped Microsoft Tenant, the Syncro
//! Tenant it most likely belongs to, with the confidence and the reason; accept the chosen
//! ones, or all with high confidence. A plain form with checkboxes: it works without
//! JavaScript and on a phone (the table becomes stacked rows).

use crate::api::*;
use crate::components::*;
use crate::domain::mapping::suggest::Confidence;
use crate::forms::{ErrorSummary, FormState};
use crate::islands::RowKeys;
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

const PATH: &str = "/admin/microsoft-tenants/suggestions";

#[component]
pub fn SuggestionsPage() -> impl IntoView {
    let confidence = query_param("confidence");
    let page = query_param("page");
    // "Select all on this page": the same page with every box ticked (works without JavaScript).
    let select_all = query_param("all");
    let accept = ServerAction::<MapTenants>::new();
    let form = FormState::of(accept);
    let list = Resource::new(
        move || (confidence.get(), page.get(), accept.version().get()),
        |(c, p, _)| list_suggestions(c, p),
    );
    let link = move |c: &str, p: &str| url(PATH, &[("confidence", c), ("page", p)]);
    let tab = move |value: &'static str, label: String| {
        let current = move || confidence.get() == value;
        view! { <a href=link(value, "") aria-current=move || current().then_some("page") class="tab">{label}</a> }
    };

    view! {
        <Title text="Suggested mappings - Microsoft Tenant Management"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › "<a href="/admin/microsoft-tenants">"RMM Settings - Microsoft Tenant Management"</a></p>
        <h1>"Suggested mappings"</h1>
        <p class="hint">"For each unmapped Microsoft Tenant, the free Syncro Tenant it most likely belongs to, and why: a verified domain on an Organization's email or website, the same name (ignoring case, punctuation, Inc/LLC/GmbH, \"(M365)\" and \" - Office\" suffixes), or a similar one. Nothing is mapped until you accept it."</p>
        <p class="hint">"Tenants with no suggestion: "<a href="/admin/microsoft-tenants/map-the-rest">"Map the rest"</a>", typing each one's Syncro Tenant in one form."</p>
        <ErrorSummary form=form/>
        <ConfirmAccept accept=accept form=form/>
        <Loaded data=list loading="Finding suggestions…" page={move |list, admin| {
                let all = list.high + list.medium + list.low;
                let (pg, pages, total) = (list.rows.page, list.rows.pages(), list.rows.total);
                let chosen = confidence.get_untracked();
                let back = link(&chosen, &page.get_untracked());
                view! {
                    <nav class="tabs" aria-label="Confidence">
                        {tab("", format!("All ({all})"))}
                        {tab("high", format!("High ({})", list.high))}
                        {tab("medium", format!("Medium ({})", list.medium))}
                        {tab("low", format!("Low ({})", list.low))}
                    </nav>
                    {if list.rows.items.is_empty() {
                        view! {
                            <p class="empty">{if all > 0 {
                                view! { "None of this confidence: see the other tabs." }.into_any()
                            } else if list.tenants == 0 {
                                view! { "Nothing to suggest yet: there are no Microsoft Tenants. "<a href="/admin/microsoft-integration">"Connect Microsoft"</a>" or "<a href="/admin/microsoft-tenants/import">"import them from a CSV"</a>" first." }.into_any()
                            } else if list.unmapped == 0 {
                                view! { "Nothing to suggest: every Microsoft Tenant is mapped." }.into_any()
                            } else {
                                view! { {format!("No suggestion here for the {} unmapped Microsoft Tenants: none resembles a free Syncro Tenant. Map them all at once in ", list.unmapped)}
                                    <a href="/admin/microsoft-tenants/map-the-rest">"Map the rest"</a>", or one by one on "
                                    <a href="/admin/microsoft-tenants?filter=unmapped">"Microsoft Tenant Management"</a>"." }.into_any()
                            }}</p>
                        }.into_any()
                    } else {
                        view! {
                            <ActionForm action=accept attr:class="suggestions">
                                <input type="hidden" name="back" value=back/>
                                <input type="hidden" name="picks[]" value=""/>
                                <RowKeys>
                                <table class="grid" id="f-picks">
                                    <thead>
                                        <tr>
                                            {admin.then(|| view! { <th scope="col">"Accept"</th> })}
                                            <th scope="col">"Microsoft Tenant"</th>
                                            <th scope="col">"Suggested Syncro Tenant"</th>
                                            <th scope="col">"Confidence"</th>
                                            <th scope="col">"Why"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {list.rows.items.into_iter().map(|row| view! { <SuggestionLine row admin ticked=!select_all.get_untracked().is_empty()/> }).collect_view()}
                                    </tbody>
                                </table>
                                </RowKeys>
                                <Pager page=pg pages=pages total=total link=move |p| link(&chosen, &p.to_string())/>
                                {admin.then(|| view! {
                                    <div class="form-actions">
                                        {if select_all.get_untracked().is_empty() {
                                            view! { <a href=url(PATH, &[("confidence", &confidence.get_untracked()), ("page", &page.get_untracked()), ("all", "1")])>"Select all on this page"</a> }.into_any()
                                        } else {
                                            view! { <a href=link(&confidence.get_untracked(), &page.get_untracked())>"Clear the selection"</a> }.into_any()
                                        }}
                                        <button type="submit" class="primary" data-pending="Mapping…">"Accept selected"</button>
                                        <span class="hint keys">"Keys: j and k move, x ticks, a accepts"</span>
                                        {(list.high > 0).then(|| view! {
                                            <button type="submit" name="high" value="true" data-pending="Mapping…">{format!("Accept all with high confidence ({})", list.high)}</button>
                                        })}
                                    </div>
                                })}
                            </ActionForm>
                        }.into_any()
                    }}
                }.into_any()
            }}/>
        {move || accept.value().get().and_then(|r| r.ok()).map(|r| view! {
            <div class="note" role="status">
                <p>{format!("Mapped {} Microsoft Tenant{}.", r.mapped, if r.mapped == 1 { "" } else { "s" })}</p>
                {(!r.not_mapped.is_empty()).then(|| view! {
                    <p>"Not mapped:"</p>
                    <ul>{r.not_mapped.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                })}
            </div>
        })}
    }
}

#[component]
fn SuggestionLine(row: SuggestionRow, admin: bool, ticked: bool) -> impl IntoView {
    let pick = row.pick();
    let id = format!("pick-{}", row.tenant_id);
    let label = match &row.group {
        None => format!("Map {} to {}", row.tenant_name, row.syncro_tenant.name),
        Some(g) => format!(
            "Group {} offices under {} and map {} to it",
            g.offices.len() + 1,
            g.name,
            row.tenant_name
        ),
    };
    let class = match row.confidence {
        Confidence::High => "confidence high",
        Confidence::Medium => "confidence medium",
        Confidence::Low => "confidence low",
    };
    let alternatives: Vec<(String, String)> = row
        .alternatives
        .iter()
        .map(|a| (row.pick_of(a), a.name.clone()))
        .collect();
    let or_these = (!alternatives.is_empty()).then(|| {
        let names: Vec<&str> = alternatives.iter().map(|a| a.1.as_str()).collect();
        format!("Or: {}", names.join(" · "))
    });
    let another = format!("/admin/microsoft-tenants?map={}", row.tenant_id);
    let (tenant_name, suggested) = (row.tenant_name.clone(), row.syncro_tenant.name.clone());
    let mut domains = row.domains.into_iter();
    let default_domain = domains.next().unwrap_or_default();
    let others: Vec<String> = domains.collect();
    view! {
        <tr>
            {admin.then(|| if alternatives.is_empty() {
                view! {
                    <td data-label="Accept"><input type="checkbox" id=id name="picks[]" value=pick checked=ticked aria-label=label/></td>
                }.into_any()
            } else {
                // Uncertain: pick the suggested one or another likely one in place.
                view! {
                    <td data-label="Accept">
                        <select id=id name="picks[]" aria-label=format!("Map {} to", tenant_name)>
                            <option value="">"Not now"</option>
                            <option value=pick selected=ticked>{suggested.clone()}</option>
                            {alternatives.iter().map(|(value, name)| view! { <option value=value.clone()>{name.clone()}</option> }).collect_view()}
                        </select>
                    </td>
                }.into_any()
            })}
            <td data-label="Microsoft Tenant">
                <strong>{row.tenant_name}</strong><br/>
                <span class="hint">{default_domain}</span>
                {(!others.is_empty()).then(|| view! { <span class="hint">{format!(" · {}", others.join(" · "))}</span> })}
            </td>
            <td data-label="Suggested Syncro Tenant">
                {match row.group {
                    None => view! {
                        <a href=format!("/syncro-tenants/{}", row.syncro_tenant.id)>{row.syncro_tenant.name}</a>
                        {or_these.map(|o| view! { <br/><span class="hint">{o}</span> })}
                        {(row.confidence != Confidence::High).then(|| view! { <br/><a class="hint" href=another>"Another Syncro Tenant…"</a> })}
                    }.into_any(),
                    Some(g) => view! { <OfficeGroupCell kept=row.syncro_tenant group=g/> }.into_any(),
                }}
            </td>
            <td data-label="Confidence"><span class=class>{row.confidence.label()}</span></td>
            <td data-label="Why">{row.reason}</td>
        </tr>
    }
}

/// An office suggestion: the offices' Syncro Tenants grouped under one, renamed, then mapped.
#[component]
fn OfficeGroupCell(kept: NamedRef, group: SuggestedGroup) -> impl IntoView {
    let n = group.organizations.len();
    let kept_as = if kept.name == group.name {
        " — kept"
    } else {
        " — kept, and renamed"
    };
    view! {
        <span class="group-offer">
            {format!("Group {n} Organization{} under one Syncro Tenant named ", if n == 1 { "" } else { "s" })}
            <strong>{group.name}</strong>
            ", and map it:"
        </span>
        <ul class="offices">
            <li><a href=format!("/syncro-tenants/{}", kept.id)>{kept.name}</a>{kept_as}</li>
            {group.offices.into_iter().map(|o| view! {
                <li><a href=format!("/syncro-tenants/{}", o.id)>{o.name}</a>" — its Organizations move, then it is deleted"</li>
            }).collect_view()}
        </ul>
    }
}

/// Accepting office groups renames and deletes Syncro Tenants: the server asks first, with its
/// counts (a refusal whose field is `confirmed`), and this asks the person — the same choice
/// posted again with `confirmed`, or Cancel. Works without JavaScript: the choice comes back in
/// the refused post's draft.
#[component]
fn ConfirmAccept(accept: ServerAction<MapTenants>, form: FormState) -> impl IntoView {
    let picks: Vec<String> = form
        .values("picks[]", Vec::new())
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    let high = form.value("high", "");
    let back = form.value("back", PATH);
    move || {
        let message = form.error.get().and_then(|e| {
            e.field_problems()
                .into_iter()
                .find(|p| p.field == crate::forms::CONFIRM)
                .map(|p| p.message)
        })?;
        let carried = high == "true" || !picks.is_empty();
        let (picks, high, back) = (picks.clone(), high.clone(), back.clone());
        Some(view! {
            <section class="panel confirm" id="problems" tabindex="-1" autofocus=true role="alert" aria-labelledby="confirm-title">
                <h2 id="confirm-title">"Group these offices and map them?"</h2>
                <p>{message}</p>
                {if carried { view! {
                    <ActionForm action=accept attr:class="inline-form">
                        {picks.into_iter().map(|p| view! { <input type="hidden" name="picks[]" value=p/> }).collect_view()}
                        <input type="hidden" name="high" value=high/>
                        <input type="hidden" name="back" value=back.clone()/>
                        <input type="hidden" name="confirmed" value="true"/>
                        <div class="buttons">
                            <button type="submit" class="primary" data-pending="Mapping…">"Yes, map and group"</button>
                            <a class="button secondary" href=back>"Cancel"</a>
                        </div>
                    </ActionForm>
                }.into_any() } else { view! {
                    <p class="hint">"Too many choices to carry back: tick fewer and accept again."</p>
                }.into_any() }}
            </section>
        })
    }
}
