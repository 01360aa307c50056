//! Edit forms that never lose a write (R8 without surprises).
//!
//! An edit form carries the record as its reader first opened it — the version and each
//! field's value (`version` and `base`, hidden) — and keeps both through every refused post,
//! since the draft holds what was posted. So a save after a refused one is still checked against
//! what the reader saw, never against what is stored by then.
//!
//! When the save comes back stale (someone else saved the record since), the form is merged
//! field by field, three ways ([`merge`]): a field the reader did not change shows what is
//! stored now (theirs, never written back over); a field only the reader changed keeps what was
//! typed; a field both changed, differently, is a [`Field::Conflict`] the reader settles ("Stored
//! now: … — keep it / use yours"). The form then carries the current version and values, so the
//! next Save writes exactly what the reader chose.

use super::FormState;
use crate::error::AppError;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The hidden field that carries the values the form was opened with.
pub const BASE: &str = "base";

/// What one field of a stale form shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The reader's value (typed, or the stored one where they changed nothing).
    Value(String),
    /// Both changed it, differently: what the reader typed, and what is stored now.
    Conflict { yours: String, stored: String },
}

/// The three-way merge of one field: what the form was opened with (`base`, if known), what
/// the reader posted (`typed`) and what is stored now.
pub fn merge(base: Option<&str>, typed: Option<&str>, stored: &str) -> Field {
    let same = |a: &str, b: &str| a.trim() == b.trim();
    match (base, typed) {
        // Not posted (an unticked box is a value "" here), or not changed by the reader.
        (_, None) => Field::Value(stored.to_string()),
        (Some(base), Some(typed)) if same(base, typed) => Field::Value(stored.to_string()),
        (Some(base), Some(typed)) if same(base, stored) || same(typed, stored) => {
            Field::Value(typed.to_string())
        }
        // Without what the form was opened with (a post from an older page): every typed
        // value that differs is the reader's to confirm.
        (None, Some(typed)) if same(typed, stored) => Field::Value(typed.to_string()),
        (_, Some(typed)) => Field::Conflict {
            yours: typed.to_string(),
            stored: stored.to_string(),
        },
    }
}

/// An edit form of one record on its page.
#[derive(Clone)]
pub struct Edit {
    pub form: FormState,
    /// The save came back stale: fields are merged, conflicts shown.
    pub stale: bool,
    /// The version the form carries.
    version: String,
    /// The values the form carries as its `base`.
    base: BTreeMap<String, String>,
    /// Each field as it shows.
    fields: BTreeMap<String, Field>,
}

/// A stored field's value: a checkbox is "true" or "".
pub fn flag(on: bool) -> String {
    if on { "true".into() } else { String::new() }
}

fn is_on(v: &str) -> bool {
    !v.is_empty() && v != "false"
}

impl Edit {
    /// The form of a record stored now at `version` with these editable fields (`checkboxes`
    /// among them hold [`flag`] values).
    pub fn new(
        form: FormState,
        version: u64,
        stored: Vec<(&'static str, String)>,
        checkboxes: &[&str],
    ) -> Self {
        let stored: BTreeMap<String, String> = stored
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let draft = form.draft.get_value();
        let stale = draft.is_some() && form.error.get_untracked() == Some(AppError::Stale);
        let posted_base = draft
            .as_ref()
            .and_then(|d| d.value(BASE))
            .and_then(|b| serde_json::from_str::<BTreeMap<String, String>>(&b).ok());
        let posted = |name: &str| -> Option<String> {
            let d = draft.as_ref()?;
            if checkboxes.contains(&name) {
                Some(flag(d.value(name).is_some_and(|v| is_on(&v))))
            } else {
                d.value(name)
            }
        };
        let (version, base, fields) = match &draft {
            // Refused for another reason: still the record as first opened.
            Some(d) if !stale => (
                d.value("version").unwrap_or_else(|| version.to_string()),
                posted_base.clone().unwrap_or_else(|| stored.clone()),
                stored
                    .iter()
                    .map(|(k, v)| (k.clone(), Field::Value(posted(k).unwrap_or(v.clone()))))
                    .collect(),
            ),
            // Stale: merged onto what is stored now, which the form now carries.
            Some(_) => (
                version.to_string(),
                stored.clone(),
                stored
                    .iter()
                    .map(|(k, v)| {
                        let base = posted_base
                            .as_ref()
                            .and_then(|b| b.get(k))
                            .map(String::as_str);
                        (k.clone(), merge(base, posted(k).as_deref(), v))
                    })
                    .collect(),
            ),
            None => (
                version.to_string(),
                stored.clone(),
                stored
                    .iter()
                    .map(|(k, v)| (k.clone(), Field::Value(v.clone())))
                    .collect(),
            ),
        };
        Edit {
            form,
            stale,
            version,
            base,
            fields,
        }
    }

    /// What `name` shows (the reader's value where it is a conflict).
    pub fn value(&self, name: &str) -> String {
        match self.fields.get(name) {
            Some(Field::Value(v)) | Some(Field::Conflict { yours: v, .. }) => v.clone(),
            None => self.form.value(name, ""),
        }
    }

    /// Whether a checkbox shows ticked.
    pub fn checked(&self, name: &str) -> bool {
        is_on(&self.value(name))
    }

    /// What is stored now in `name`, when the reader changed it to something else too.
    pub fn conflict(&self, name: &str) -> Option<String> {
        match self.fields.get(name) {
            Some(Field::Conflict { stored, .. }) => Some(stored.clone()),
            _ => None,
        }
    }

    /// The number of fields both people changed.
    pub fn conflicts(&self) -> usize {
        self.fields
            .values()
            .filter(|f| matches!(f, Field::Conflict { .. }))
            .count()
    }

    /// The hidden `version` and `base` the form posts.
    pub fn carried(&self) -> impl IntoView + use<> {
        let base = serde_json::to_string(&self.base).unwrap_or_default();
        view! {
            <input type="hidden" name="version" value=self.version.clone()/>
            <input type="hidden" name=BASE value=base/>
        }
    }

    /// The note above a stale form.
    pub fn stale_note(&self, what: &'static str) -> impl IntoView + use<> {
        let conflicts = self.conflicts();
        self.stale.then(|| {
            let choose = match conflicts {
                0 => " No field was changed by both of you.".to_string(),
                1 => " One field was changed by both of you: choose which to keep.".to_string(),
                n => format!(" {n} fields were changed by both of you: choose which to keep."),
            };
            view! {
                <p class="note" role="status">
                    {format!("Someone else saved this {what} after you opened it. The form shows what they saved with your changes on it.{choose} Nothing is saved until you press Save.")}
                </p>
            }
        })
    }

    /// A text field in conflict: a choice between what the reader typed and what is stored now,
    /// posted under the field's own name (no JavaScript needed). `None` when not in conflict.
    pub fn choice(&self, name: &'static str, label: &str) -> Option<AnyView> {
        let stored = self.conflict(name)?;
        let yours = self.value(name);
        let shown = |v: &str| {
            if v.trim().is_empty() {
                "(empty)".to_string()
            } else {
                v.to_string()
            }
        };
        let (yours_shown, stored_shown) = (shown(&yours), shown(&stored));
        Some(
            view! {
                <fieldset class="conflict" id=format!("f-{name}") aria-describedby=format!("{name}-error")>
                    <legend>{format!("{label}: changed by you and by someone else")}</legend>
                    <label class="check"><input type="radio" name=name value=yours checked=true/><span>"Use yours: "<span class="pre">{yours_shown}</span></span></label>
                    <label class="check stored-now"><input type="radio" name=name value=stored/><span>"Keep what is stored now: "<span class="pre">{stored_shown}</span></span></label>
                </fieldset>
            }
            .into_any(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Field {
        Field::Value(s.into())
    }

    #[test]
    fn a_field_the_reader_did_not_change_shows_what_is_stored_now() {
        // B saved a phone; A never touched it: B's stays.
        assert_eq!(
            merge(Some(""), Some(""), "+1 617 555 0100"),
            v("+1 617 555 0100")
        );
        assert_eq!(merge(Some("a"), Some(" a "), "b"), v("b"));
    }

    #[test]
    fn a_field_only_the_reader_changed_keeps_what_was_typed() {
        assert_eq!(
            merge(Some("1 Main St"), Some("2 Elm St"), "1 Main St"),
            v("2 Elm St")
        );
        // Both typed the same: no conflict.
        assert_eq!(merge(Some("x"), Some("y"), "y"), v("y"));
    }

    #[test]
    fn a_field_both_changed_differently_is_theirs_to_settle() {
        assert_eq!(
            merge(Some(""), Some("+1 617 555 0199"), "+1 617 555 0100"),
            Field::Conflict {
                yours: "+1 617 555 0199".into(),
                stored: "+1 617 555 0100".into()
            }
        );
        // An older page posted no base: a typed value that differs is confirmed, not taken.
        assert!(matches!(
            merge(None, Some("a"), "b"),
            Field::Conflict { .. }
        ));
        assert_eq!(merge(None, Some("b"), "b"), v("b"));
        assert_eq!(merge(None, None, "b"), v("b"));
    }
}
