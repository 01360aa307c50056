//! The embedded store: the searched, sorted, paged views ([`Lists`]).

use super::*;
use app::domain::activity::ActivityCursor;
use app::domain::end_users::EndUserBatch;

#[async_trait]
impl Lists for EmbeddedStore {
    async fn end_user_rows(
        &self,
        account: &AccountId,
        batch: &EndUserBatch,
    ) -> StoreResult<Vec<EndUserRow>> {
        use std::ops::Bound;
        let after = &batch.after;
        Ok(self.with_account(account, |a| {
            a.end_user_places
                .range((Bound::Excluded(after), Bound::Unbounded))
                .take_while(|p| p.organization == after.organization && p.active == after.active)
                .take(batch.n)
                .filter_map(|p| a.end_users.get(&p.id).map(EndUser::row))
                .collect()
        }))
    }

    /// Always current: the records are in memory.
    async fn read_listed(
        &self,
        account: &AccountId,
        _: Freshness,
        f: &mut (dyn for<'l> FnMut(&'l Listed) + Send),
    ) -> StoreResult<()> {
        self.with_account(account, |a| f(&a.listed));
        Ok(())
    }

    async fn audit_before(
        &self,
        account: &AccountId,
        before: Option<&ActivityCursor>,
        n: usize,
    ) -> StoreResult<Vec<AuditEntry>> {
        let read = self.inner.db.begin_read().map_err(unavailable)?;
        let table = read.open_table(AUDIT).map_err(unavailable)?;
        let start = format!("{account}/");
        let end = match before {
            Some(c) => format!("{account}/{}", c.sort_key('/')),
            None => format!("{account}0"), // '0' sorts right after '/'
        };
        let mut out = Vec::new();
        for row in table
            .range(start.as_str()..end.as_str())
            .map_err(unavailable)?
            .rev()
            .take(n)
        {
            let (_, v) = row.map_err(unavailable)?;
            out.push(serde_json::from_slice(v.value()).map_err(unavailable)?);
        }
        Ok(out)
    }

    async fn audit_entry(
        &self,
        account: &AccountId,
        at: &ActivityCursor,
    ) -> StoreResult<Option<AuditEntry>> {
        let read = self.inner.db.begin_read().map_err(unavailable)?;
        let table = read.open_table(AUDIT).map_err(unavailable)?;
        let key = format!("{account}/{}", at.sort_key('/'));
        match table.get(key.as_str()).map_err(unavailable)? {
            Some(v) => Ok(Some(
                serde_json::from_slice(v.value()).map_err(unavailable)?,
            )),
            None => Ok(None),
        }
    }
}
