//! Collaboration ratings: an adapter over `app::collaboration`.

use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use crate::app::collaboration::NewRating;
use crate::app::App;
use crate::auth::Caller;
use crate::error::{AppError, ProblemBody};

#[derive(Serialize, ToSchema)]
pub struct RatingView {
    id: i32,
    ratee_id: i32,
    cycle_id: i32,
    rating: i32,
    comment: Option<String>,
    replaced_earlier_rating: bool,
}

/// Any role rates a colleague of another department during an open cycle; a second
/// rating of the same colleague in the same cycle replaces the first.
#[utoipa::path(
post, path = "/api/v1/collaboration-ratings", tag = "collaboration", security(("bearer" = ["staff", "supervisor", "hr"])),
request_body = NewRating,
responses(
    (status = 200, description = "Replaced the caller's earlier rating of this colleague in this cycle", body = RatingView),
    (status = 201, description = "Recorded", body = RatingView),
    (status = 409, description = "The cycle is not open (`ratings_closed`)", body = ProblemBody, content_type = "application/problem+json"),
)
)]
pub async fn rate(
    caller: Caller,
    app: web::Data<App>,
    body: JsonBody<NewRating>,
) -> Result<HttpResponse, AppError> {
    let (stored, replaced) = app.rate(&caller, body.0).await?;
    let view = RatingView {
        id: stored.id,
        ratee_id: stored.ratee_id,
        cycle_id: stored.cycle_id,
        rating: stored.rating,
        comment: stored.comment,
        replaced_earlier_rating: replaced,
    };
    Ok(if replaced {
        HttpResponse::Ok().json(view)
    } else {
        HttpResponse::Created().json(view)
    })
}
