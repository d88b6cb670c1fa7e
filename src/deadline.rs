//! A deadline for request bodies. actix times out a request's head
//! (`client_request_timeout`), not its body: a client sending one byte a second would hold
//! a connection and a worker's buffers for as long as it liked. Every request's body must
//! arrive within `server.body_timeout_seconds` of its head; after that the body stream ends
//! with an error, and whatever the handler made of it is answered as 408 with the
//! connection closed.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_util::Stream;

use crate::error::AppError;

/// The body limit in time, as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyDeadline(pub Duration);

struct Timed {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: Arc<AtomicBool>,
}

impl Stream for Timed {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired.load(Ordering::Acquire) {
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired.store(true, Ordering::Release);
            let late = std::io::Error::new(std::io::ErrorKind::TimedOut, "request body too slow");
            return Poll::Ready(Some(Err(PayloadError::Io(late))));
        }
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

pub async fn limit_body_time(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
    let headers = req.headers();
    let no_body = !headers.contains_key(TRANSFER_ENCODING)
        && headers
            .get(CONTENT_LENGTH)
            .is_none_or(|length| length.as_bytes() == b"0");
    if no_body {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let limit = req
        .app_data::<actix_web::web::Data<BodyDeadline>>()
        .map_or(Duration::from_secs(60), |d| d.0);
    let expired = Arc::new(AtomicBool::new(false));
    let timed = Timed {
        inner: req.take_payload(),
        sleep: Box::pin(tokio::time::sleep(limit)),
        expired: Arc::clone(&expired),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(timed),
    });
    let response = next
        .call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body);
    if !expired.load(Ordering::Acquire) {
        return response;
    }
    tracing::info!("request body did not arrive in time");
    let late = AppError::RequestTimeout.error_response();
    match response {
        Ok(answered) => Ok(answered.into_response(late)),
        Err(error) => Err(actix_web::error::InternalError::from_response(error, late).into()),
    }
}
