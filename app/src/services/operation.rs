//! A bulk change as one unit of the activity log: *Accept all* / *Accept selected*, an import,
//! *Map the rest*. Its parts stay atomic changes of their own (each with its entries, each
//! applied or refused whole); their entries name the operation, and when the last part is
//! applied one entry says what the whole did. Activity shows that entry in the parts' place,
//! lists the parts inside it, and undoes them together.

use crate::domain::activity::{ActivityCursor, OPERATION};
use crate::domain::{AccountId, AuditEntry, ChangeSet, Ctx, Timestamp, Write};
use crate::store::{Store, StoreError};

/// One bulk operation under way.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Its entry's id (the request's audit id): what its parts' entries name.
    pub id: String,
    action: String,
    ctx: Ctx,
}

impl Operation {
    /// An operation of `kind` (`accept`, `import`, `map_rest`) by the caller of `ctx`.
    pub fn start(ctx: &Ctx, kind: &str) -> Self {
        Operation {
            id: ctx.audit_id.clone(),
            action: format!("{OPERATION}{kind}"),
            ctx: ctx.clone(),
        }
    }

    /// `change`, its entries marked as this operation's part.
    pub fn part(&self, change: ChangeSet) -> ChangeSet {
        change.part_of(&self.id)
    }

    /// Records the operation's own entry once its parts are applied: `summary` says what the
    /// whole did, `parts` how many entries it holds. Where the entry is (for *Undo* beside the
    /// status line); nothing when no part was applied.
    pub async fn finish(
        &self,
        store: &dyn Store,
        account: &AccountId,
        summary: String,
        parts: usize,
    ) -> Result<Option<ActivityCursor>, StoreError> {
        if parts == 0 {
            return Ok(None);
        }
        // Newer than every part (they carry the request's time), so it lists first and its
        // parts are found before it.
        let at = Timestamp(crate::domain::now().0.max(self.ctx.now.0 + 1));
        let mut c = ChangeSet::default();
        c.push(Write::Audit(AuditEntry {
            at,
            id: self.id.clone(),
            actor: self.ctx.actor.clone(),
            action: self.action.clone(),
            summary,
            before: serde_json::Value::Null,
            after: serde_json::json!({ "parts": parts }),
            records: Vec::new(),
            operation: None,
        }));
        store.apply(account, c).await?;
        Ok(Some(ActivityCursor {
            at,
            id: self.id.clone(),
        }))
    }
}

/// How many audit entries `change` holds (the parts an operation counts).
pub fn entries_in(change: &ChangeSet) -> usize {
    change
        .writes()
        .iter()
        .filter(|w| matches!(w, Write::Audit(_)))
        .count()
}
