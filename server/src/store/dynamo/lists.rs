//! The DynamoDB store: the searched, sorted, paged views ([`Lists`]), computed from the
//! account's list snapshot — one strongly consistent read when it is current (see `cache.rs`).

use super::*;
use app::domain::activity::ActivityCursor;
use app::domain::end_users::EndUserBatch;

#[async_trait]
impl Lists for DynamoStore {
    /// One Query of the rows `BETWEEN` where the batch starts (the place's own row,
    /// inclusive, dropped if it is there) and the end of the list's prefix.
    async fn end_user_rows(
        &self,
        account: &AccountId,
        batch: &EndUserBatch,
    ) -> StoreResult<Vec<EndUserRow>> {
        let after = &batch.after;
        let prefix = keys::end_user_rows(after.organization, after.active);
        // '$' follows '#': the first key past every row of this list.
        let end = format!("{}$", prefix.trim_end_matches('#'));
        let from = Key::EndUserRow(account.clone(), after.clone()).sk();
        let items = self
            .query_account(
                account,
                "sk BETWEEN :a AND :b",
                &[&from, &end],
                Take::First(batch.n + usize::from(!after.is_start())),
            )
            .await?;
        let mut rows = Vec::with_capacity(batch.n);
        for item in items {
            let row: EndUserRow = keys::from_item(item).map_err(unavailable)?;
            if row.id == after.id || rows.len() == batch.n {
                continue;
            }
            rows.push(row);
        }
        Ok(rows)
    }

    /// The snapshot: one strongly consistent read of the generation item when it is current
    /// (see `cache.rs`); as last read with no read at all.
    async fn read_listed(
        &self,
        account: &AccountId,
        fresh: Freshness,
        f: &mut (dyn for<'l> FnMut(&'l Listed) + Send),
    ) -> StoreResult<()> {
        let snap = match fresh {
            Freshness::Current => self.snapshot(account).await?,
            Freshness::LastRead => self.last_snapshot(account).await?,
        };
        f(&snap.listed);
        Ok(())
    }

    async fn audit_before(
        &self,
        account: &AccountId,
        before: Option<&ActivityCursor>,
        n: usize,
    ) -> StoreResult<Vec<AuditEntry>> {
        let Some(c) = before else {
            return self
                .query_records(account, keys::AUDIT_PREFIX, Some(n))
                .await;
        };
        let upper = format!("{}{}", keys::AUDIT_PREFIX, c.sort_key('#'));
        let items = self
            .query_account(
                account,
                "sk BETWEEN :a AND :b",
                &[keys::AUDIT_PREFIX, &upper],
                Take::Newest(n + 1),
            )
            .await?;
        let mut out = Vec::with_capacity(n);
        for item in items {
            let e: AuditEntry = keys::from_item(item).map_err(unavailable)?;
            if (e.at, e.id.as_str()) != (c.at, c.id.as_str()) && out.len() < n {
                out.push(e);
            }
        }
        Ok(out)
    }

    async fn audit_entry(
        &self,
        account: &AccountId,
        at: &ActivityCursor,
    ) -> StoreResult<Option<AuditEntry>> {
        self.get_record(&Key::Audit(account.clone(), at.at, at.id.clone()))
            .await
    }
}
