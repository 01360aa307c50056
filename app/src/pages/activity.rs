//! Admin > Activity: every recorded change, newest first — who, when, what — filtered by
//! person, kind and record, searched, a page at a time; *Undo* on mappings, renames and
//! Organization edits. The filters are a GET form and *Undo* a plain form: no JavaScript needed.

use crate::api::*;
use crate::components::*;
use crate::domain::activity::ActivityKind;
use crate::wire::*;
use leptos::prelude::*;
use leptos_meta::Title;

pub const PATH: &str = "/admin/activity";

#[component]
pub fn ActivityPage() -> impl IntoView {
    let person = query_param("person");
    let kind = query_param("kind");
    let record = query_param("record");
    let q = query_param("q");
    let before = query_param("before");
    let operation = query_param("operation");
    let undo = ServerAction::<UndoChange>::new();
    let view_of = Resource::new(
        move || {
            (
                person.get(),
                kind.get(),
                record.get(),
                q.get(),
                before.get(),
                operation.get(),
                undo.version().get(),
            )
        },
        |(p, k, r, q, b, o, _)| activity(p, k, r, q, b, o),
    );
    let here = move || {
        url(
            PATH,
            &[
                ("person", &person.get_untracked()),
                ("kind", &kind.get_untracked()),
                ("record", &record.get_untracked()),
                ("q", &q.get_untracked()),
                ("before", &before.get_untracked()),
                ("operation", &operation.get_untracked()),
            ],
        )
    };
    let undo_form = crate::forms::FormState::of(undo);
    view! {
        <Title text="Activity"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › Activity"</p>
        <h1>"Activity"</h1>
        <AdminOnly fallback=|| view! { <p class="note" role="status">"Only Administrators can see the activity log."</p> }>
            <ErrorNote error=action_error(undo.value())/>
            <UndoTheRest undo=undo form=undo_form back=here()/>
            <Loaded data=view_of page={move |v, _| view! { <ActivityFilters v=v.clone()/><ActivityTable v undo back=here()/> }.into_any()}/>
        </AdminOnly>
    }
}

#[component]
fn ActivityFilters(v: ActivityView) -> impl IntoView {
    let person = query_param("person").get_untracked();
    let kind = query_param("kind").get_untracked();
    let record = query_param("record").get_untracked();
    let q = query_param("q").get_untracked();
    let operation = query_param("operation").get_untracked();
    view! {
        {(!operation.is_empty()).then(|| view! {
            <p class="note" role="status">
                "The parts of one bulk change, each applied on its own. "
                <a href=PATH>"Show every change"</a>
            </p>
        })}
        {(!v.record_name.is_empty()).then(|| view! {
            <p class="note" role="status">
                {format!("The history of {}. ", v.record_name)}
                <a href=url(PATH, &[("person", &person), ("kind", &kind), ("q", &q)])>"Show every record"</a>
            </p>
        })}
        <form method="get" action=PATH class="toolbar activity-filters">
            {(!record.is_empty()).then(|| view! { <input type="hidden" name="record" value=record.clone()/> })}
            <div>
                <label for="activity-person">"Person"</label>
                <select id="activity-person" name="person">
                    <option value="" selected=person.is_empty()>"Everyone"</option>
                    {v.people.iter().map(|p| view! { <option value=p.clone() selected=*p == person>{p.clone()}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="activity-kind">"Kind of change"</label>
                <select id="activity-kind" name="kind">
                    <option value="" selected=kind.is_empty()>"Every kind"</option>
                    {ActivityKind::ALL.into_iter().map(|k| view! { <option value=k.key() selected=k.key() == kind>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="activity-q">"Search"</label>
                <input id="activity-q" type="search" name="q" value=q placeholder="Names, emails, words"/>
            </div>
            <button type="submit" class="secondary">"Show"</button>
        </form>
    }
}

#[component]
fn ActivityTable(v: ActivityView, undo: ServerAction<UndoChange>, back: String) -> impl IntoView {
    let person = query_param("person").get_untracked();
    let kind = query_param("kind").get_untracked();
    let record = query_param("record").get_untracked();
    let q = query_param("q").get_untracked();
    let operation = query_param("operation").get_untracked();
    let first = query_param("before").get_untracked().is_empty();
    let link = |before: &str| {
        url(
            PATH,
            &[
                ("person", &person),
                ("kind", &kind),
                ("record", &record),
                ("q", &q),
                ("before", before),
                ("operation", &operation),
            ],
        )
    };
    let newest = link("");
    let older = (!v.older.is_empty()).then(|| link(&v.older));
    if v.rows.is_empty() {
        return view! {
            <p class="empty">{if first { "Nothing recorded matches these filters." } else { "No older changes match these filters." }}</p>
            {(!first).then(|| view! { <p><a href=newest.clone()>"Newest changes"</a></p> })}
        }
        .into_any();
    }
    view! {
        <table class="grid activity">
            <thead><tr>
                <th scope="col">"When"</th>
                <th scope="col">"Who"</th>
                <th scope="col">"What"</th>
                <th scope="col"><span class="visually-hidden">"Undo"</span></th>
            </tr></thead>
            <tbody>
                {v.rows.into_iter().map(|r| {
                    let label = format!("Undo: {}", r.summary);
                    let back = back.clone();
                    view! {
                        <tr>
                            <td data-label="When">{r.at}</td>
                            <td data-label="Who">{r.actor}</td>
                            <td data-label="What"><span class="hint">{r.kind}</span><br/>{r.summary}
                                {(!r.operation.is_empty()).then(|| view! {
                                    " "<a href=url(PATH, &[("operation", &r.operation)])>{format!("{} part{}", r.parts, if r.parts == 1 { "" } else { "s" })}</a>
                                })}
                            </td>
                            <td class="actions">
                                {r.can_undo.then(|| view! {
                                    <ActionForm action=undo>
                                        <input type="hidden" name="entry" value=r.entry/>
                                        <input type="hidden" name="back" value=back/>
                                        <button type="submit" class="small" aria-label=label data-pending="Undoing…">"Undo"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {(!first).then(|| view! { <a href=newest>"Newest"</a> })}
            {older.map(|href| view! { <a href=href>"Older"</a> })}
        </nav>
    }
    .into_any()
}

/// After an Undo of a bulk change refused because some of its parts changed since: the choice
/// to undo the others (they are named in the refusal above).
#[component]
fn UndoTheRest(
    undo: ServerAction<UndoChange>,
    form: crate::forms::FormState,
    back: String,
) -> impl IntoView {
    let entry = form.value("entry", "");
    move || {
        let refused = form.error.get().is_some_and(|e| {
            e.field_problems()
                .iter()
                .any(|p| p.field == crate::domain::activity::undo::UNDO_REST)
        });
        let (entry, back) = (entry.clone(), back.clone());
        (refused && !entry.is_empty()).then(move || {
            view! {
                <ActionForm action=undo attr:class="inline-form">
                    <input type="hidden" name="entry" value=entry/>
                    <input type="hidden" name="back" value=back/>
                    <input type="hidden" name="rest" value="true"/>
                    <button type="submit" class="secondary" data-pending="Undoing…">"Undo the other parts"</button>
                </ActionForm>
            }
        })
    }
}
