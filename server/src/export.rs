//! `GET /admin/microsoft-tenants/export.csv`: the account's mapping as a spreadsheet
//! (`app::domain::mapping::export`), for anyone signed in to the account (a Technician may look).
//! A download, not a server function: the browser saves the answer as a file.

use app::auth::Caller;
use app::domain::lists::ListQuery;
use app::state::AppState;
use app::store::ParentFilter;
use app::store::prelude::*;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{StatusCode, header};

pub const PATH: &str = "/admin/microsoft-tenants/export.csv";

pub async fn mapping_csv(State(state): State<AppState>, req: Request) -> Response {
    // The session layer has sent a signed-out browser to sign in already.
    let Some(caller) = req.extensions().get::<Caller>().cloned() else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let store = &*state.store;
    let a = &caller.account;
    let everything = ListQuery {
        per_page: u32::MAX,
        ..ListQuery::default()
    };
    let read = async {
        let tenants = store.all_microsoft_tenants(a).await?;
        let syncro = store.list_syncro_tenants(a, &everything, false).await?;
        let orgs = store
            .list_organizations(a, &everything, ParentFilter::Any)
            .await?;
        Ok::<_, StoreError>((tenants, syncro.items, orgs.items))
    };
    match read.await {
        Ok((tenants, syncro, orgs)) => {
            let body = app::domain::mapping::export::mapping_csv(&tenants, &syncro, &orgs);
            let day = app::domain::now().display();
            let file = format!(
                "attachment; filename=\"tenantmap-mapping-{}.csv\"",
                &day[..10]
            );
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, file),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => {
            let err = app::error::AppError::from(e);
            let status =
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, err.to_string()).into_response()
        }
    }
}
