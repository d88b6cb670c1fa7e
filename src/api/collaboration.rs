use crate::domain::text::free_text_schema;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use crate::auth::AuthUser;
use crate::db::Db;
use crate::domain::evidence::{parse_rating, COMMENT_MAX};
use crate::domain::text::free_text;
use crate::error::{AppError, FieldErrors};
use crate::store::collaboration::{self, NewRating};

/// The colleague works in another department; the cycle is open.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    #[schema(minimum = 1)]
    ratee_id: i32,
    #[schema(minimum = 1)]
    cycle_id: i32,
    #[schema(minimum = 1, maximum = 5)]
    rating: i64,
    #[serde(default)]
    #[schema(schema_with = free_text_schema::<COMMENT_MAX>)]
    comment: Option<String>,
}

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
request_body = RatingBody,
responses(
    (status = 200, description = "Replaced the caller's earlier rating of this colleague in this cycle", body = RatingView),
    (status = 201, description = "Recorded", body = RatingView),
    (status = 404, description = "No such colleague or cycle", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
    (status = 409, description = "The cycle is not open", body = crate::api::openapi::Problem, content_type = "application/problem+json"),
)
)]
pub async fn rate(
    user: AuthUser,
    db: web::Data<Db>,
    body: JsonBody<RatingBody>,
) -> Result<HttpResponse, AppError> {
    let input = body.0;
    let mut errors = FieldErrors::new();
    let rating = errors.take("rating", parse_rating(input.rating));
    let comment = errors
        .take("comment", free_text(input.comment.as_deref(), COMMENT_MAX))
        .flatten();
    errors.into_result()?;
    let new = NewRating {
        ratee_id: input.ratee_id,
        cycle_id: input.cycle_id,
        rating: rating.expect("checked"),
        comment,
    };
    let rater = user.0;
    let (stored, replaced) = db
        .run(move |conn| collaboration::rate(conn, &rater, new))
        .await?;
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
