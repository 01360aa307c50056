//! Keys for reviewing a long list of rows (Suggestions): `j` and `k` move to the next and the
//! previous row's choice, `x` ticks it (or, on a row with a choice of Syncro Tenants, picks
//! the suggested one or none again), `a` presses the form's main button (Accept selected).
//! Not while typing in a box. Without JavaScript the same form works by Tab and Space.

use leptos::prelude::*;

#[island]
pub fn RowKeys(children: Children) -> impl IntoView {
    let rows = NodeRef::<leptos::html::Div>::new();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            use leptos::web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let key = ev.key();
            if !matches!(key.as_str(), "j" | "k" | "x" | "a") {
                return;
            }
            let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
            let typing = target.as_ref().is_some_and(|t| {
                t.tag_name() == "TEXTAREA"
                    || (t.tag_name() == "INPUT"
                        && !matches!(
                            t.get_attribute("type").as_deref(),
                            Some("checkbox" | "radio")
                        ))
            });
            let Some(container) = rows.get() else { return };
            if typing {
                return;
            }
            let Ok(controls) =
                container.query_selector_all("tbody tr input[type=checkbox], tbody tr select")
            else {
                return;
            };
            let n = controls.length();
            let active = document().active_element();
            let current = (0..n).find(|&i| {
                matches!((controls.item(i), active.as_ref()), (Some(c), Some(a)) if a.is_same_node(Some(&c)))
            });
            ev.prevent_default();
            match key.as_str() {
                "j" | "k" => {
                    let next = match (current, key.as_str()) {
                        (None, _) => 0,
                        (Some(i), "j") => (i + 1).min(n.saturating_sub(1)),
                        (Some(i), _) => i.saturating_sub(1),
                    };
                    if let Some(el) = controls
                        .item(next)
                        .and_then(|c| c.dyn_into::<HtmlElement>().ok())
                    {
                        let _ = el.focus();
                        el.scroll_into_view_with_bool(false);
                    }
                }
                "x" => {
                    let Some(el) = current.and_then(|i| controls.item(i)) else {
                        return;
                    };
                    if let Ok(select) = el.clone().dyn_into::<HtmlSelectElement>() {
                        select.set_selected_index(if select.selected_index() == 0 { 1 } else { 0 });
                    } else if let Ok(input) = el.dyn_into::<HtmlInputElement>() {
                        input.set_checked(!input.checked());
                    }
                }
                _ => {
                    if let Ok(Some(button)) = container
                        .closest("form")
                        .and_then(|f| f.map(|f| f.query_selector("button.primary")).transpose())
                        .map(|b| b.flatten())
                        && let Ok(button) = button.dyn_into::<HtmlElement>()
                    {
                        button.click();
                    }
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, rows);
    };
    view! { <div class="row-keys" node_ref=rows on:keydown=on_key>{children()}</div> }
}
