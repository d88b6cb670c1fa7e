//! Password pages: "forgot password" and the page a mailed link opens (both public), and
//! changing one's own password (every role). The rules are the use cases'
//! (`app::passwords`, `app::people::change_own_password`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::layout::{answer, csrf, recoverable, see_other, Alert};
use super::session::{self, Ctx, Fields, SESSION_COOKIE};
use crate::app::passwords::{Forgotten, PasswordReset};
use crate::app::App;
use crate::domain::problem::Problem;
use crate::error::AppError;

fn forgot_markup(ctx: &Ctx, email: &str) -> maud::Markup {
    let t = ctx.t;
    html! {
        form.card.narrow #forgot method="post" action="/forgot" {
            (csrf(ctx))
            p { (t.forgot_intro) }
            label { (t.email) input #forgot-email type="email" name="email" value=(email) required autocomplete="username" autofocus; }
            button.primary #send-link type="submit" { (t.send_link) }
        }
        p { a href="/sign-in" { (t.sign_in) } }
    }
}

pub async fn forgot_page(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let body = forgot_markup(&ctx, "");
    Ok(answer(&ctx, ctx.t.forgot_password, None, body))
}

/// The same answer for every email: a link is on its way if an active account has it.
pub async fn forgot(ctx: Ctx, app: web::Data<App>, form: Fields) -> Result<HttpResponse, AppError> {
    let email = form.text("email").to_owned();
    let ctx = ctx.at("/forgot");
    match app
        .forgot_password(Forgotten {
            email: email.clone(),
        })
        .await
    {
        Ok(()) => {
            let body = html! { p.card.narrow #link-sent { (ctx.t.forgot_sent) } p { a href="/sign-in" { (ctx.t.sign_in) } } };
            Ok(answer(&ctx, ctx.t.forgot_password, None, body))
        }
        Err(error) => {
            let alert = recoverable(ctx.t, error)?;
            let body = forgot_markup(&ctx, &email);
            Ok(answer(&ctx, ctx.t.forgot_password, Some(&alert), body))
        }
    }
}

#[derive(Deserialize)]
pub struct Token {
    token: Option<String>,
}

/// The form to choose a password: for a mailed link (its token hidden), or, opened without
/// one, for a set-up code from HR (typed).
fn reset_markup(ctx: &Ctx, token: &str, typed: bool) -> maud::Markup {
    let t = ctx.t;
    html! {
        form.card.narrow #reset method="post" action="/reset" {
            (csrf(ctx))
            @if typed {
                input type="hidden" name="typed" value="true";
                label { (t.setup_code) input #setup-code type="text" name="token" value=(token) required maxlength="20"
                    autocomplete="one-time-code" autocapitalize="characters" spellcheck="false" autofocus; }
            } @else {
                input type="hidden" name="token" value=(token);
            }
            label { (t.new_password) input #new-password type="password" name="new_password" required minlength="10" autocomplete="new-password" autofocus; }
            label { (t.repeat_password) input #repeat-password type="password" name="repeat_password" required minlength="10" autocomplete="new-password"; }
            p.note { (t.password_rule) }
            button.primary #set-password type="submit" { (t.set_password) }
        }
    }
}

/// The page of a mailed link: the form while the link works, else why not.
pub async fn reset_page(
    ctx: Ctx,
    app: web::Data<App>,
    query: web::Query<Token>,
) -> Result<HttpResponse, AppError> {
    let token = query.token.clone().unwrap_or_default();
    // The token is in the address: the page is not kept, and is not sent on as a referrer.
    let ctx = ctx.at("/reset");
    let t = ctx.t;
    if token.is_empty() {
        // Opened without a link: the form for a set-up code.
        let body = reset_markup(&ctx, "", true);
        return Ok(answer(&ctx, t.set_password, None, body));
    }
    if app.reset_link_valid(token.clone()).await? {
        let body = reset_markup(&ctx, &token, false);
        Ok(answer(&ctx, t.set_password, None, body))
    } else {
        let alert = recoverable(t, AppError::validation("token", Problem::LinkInvalid))?;
        let body = html! { p { a #ask-again href="/forgot" { (t.forgot_password) } } };
        Ok(answer(&ctx, t.set_password, Some(&alert), body))
    }
}

pub async fn reset(ctx: Ctx, app: web::Data<App>, form: Fields) -> Result<HttpResponse, AppError> {
    let token = form.text("token").to_owned();
    let typed = form.get("typed") == Some("true");
    let ctx = ctx.at("/reset");
    let outcome = if form.text("new_password") != form.text("repeat_password") {
        Err(AppError::validation(
            "repeat_password",
            Problem::PasswordsDiffer,
        ))
    } else {
        app.reset_password(PasswordReset {
            token: token.clone(),
            new_password: form.text("new_password").to_owned(),
        })
        .await
    };
    match outcome {
        Ok(()) => Ok(see_other("/sign-in?ok=password_set")),
        Err(error) => {
            let alert = recoverable(ctx.t, error)?;
            let body = html! {
                (reset_markup(&ctx, &token, typed))
                p { a href="/forgot" { (ctx.t.forgot_password) } }
            };
            let mut response = answer(&ctx, ctx.t.set_password, Some(&alert), body);
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

fn change_markup(ctx: &Ctx) -> maud::Markup {
    let t = ctx.t;
    html! {
        form.card.narrow #change-password method="post" action="/me/password" {
            (csrf(ctx))
            label { (t.current_password) input #current-password type="password" name="current_password" required autocomplete="current-password"; }
            label { (t.new_password) input #new-password type="password" name="new_password" required minlength="10" autocomplete="new-password"; }
            label { (t.repeat_password) input #repeat-password type="password" name="repeat_password" required minlength="10" autocomplete="new-password"; }
            p.note { (t.password_rule) }
            button.primary #change-password-button type="submit" { (t.change_password) }
        }
    }
}

pub async fn change_page(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, AppError> {
    ctx.me()?;
    let alert = Alert::done(ctx.t, req.query_string());
    let body = change_markup(&ctx);
    Ok(answer(&ctx, ctx.t.change_password, alert.as_ref(), body))
}

/// Changes the visitor's own password; every other session ends, this one continues with
/// a fresh cookie.
pub async fn change(
    ctx: Ctx,
    req: HttpRequest,
    app: web::Data<App>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    let caller = ctx.caller()?.clone();
    let outcome = if form.text("new_password") != form.text("repeat_password") {
        Err(AppError::validation(
            "repeat_password",
            Problem::PasswordsDiffer,
        ))
    } else {
        app.change_own_password(
            &caller,
            form.text("current_password").to_owned(),
            form.text("new_password").to_owned(),
        )
        .await
    };
    match outcome {
        Ok(user) => {
            let token = app.keys.issue(&user)?;
            let mut cookie = session::cookie(SESSION_COOKIE, token, session::is_https(&req));
            cookie.set_max_age(actix_web::cookie::time::Duration::seconds(
                app.keys.ttl_seconds(),
            ));
            let mut response = see_other("/me/password?ok=password_changed");
            response.add_cookie(&cookie).map_err(AppError::internal)?;
            Ok(response)
        }
        Err(error) => {
            let ctx = ctx.at("/me/password");
            let alert = recoverable(ctx.t, error)?;
            let body = change_markup(&ctx);
            Ok(answer(&ctx, ctx.t.change_password, Some(&alert), body))
        }
    }
}
