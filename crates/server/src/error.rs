//! The one error type of the handlers: a [`Problem`], sent as `application/problem+json` with
//! its status, so that handlers can use `?`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use samtalebank_pxweb::Problem;

/// A request that cannot be answered.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl From<Problem> for ApiError {
    fn from(p: Problem) -> ApiError {
        ApiError(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            self.0.body(),
        )
            .into_response()
    }
}

/// What a handler returns.
pub type ApiResult = Result<Response, ApiError>;

/// A query string parsed into `T`; a malformed one is a problem+json 400, like every other
/// error of the API.
pub struct Q<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Q<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Q(q.0))
            .map_err(|e| ApiError(Problem::bad_request(e.body_text())))
    }
}
