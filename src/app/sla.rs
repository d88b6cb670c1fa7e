//! The time-limit policy for complaints: anyone signed in reads it (the desk shows time
//! left), HR sets it. A change applies from the moment it is set on.

use super::{allowed, App};
use crate::auth::Caller;
use crate::domain::sla::SlaPolicy;
use crate::domain::user::Role;
use crate::error::{AppError, FieldErrors};
use crate::store::sla;

impl App {
    /// The policy in force, or the default while HR has set none (anyone).
    pub async fn sla_policy(&self, caller: &Caller) -> Result<SlaPolicy, AppError> {
        self.read(caller, |conn, _| {
            Ok(sla::current(conn)?.unwrap_or_else(SlaPolicy::default_policy))
        })
        .await
    }

    /// Sets the policy from now on (HR); every problem of it in one answer.
    pub async fn set_sla_policy(
        &self,
        caller: &Caller,
        input: SlaPolicy,
    ) -> Result<SlaPolicy, AppError> {
        allowed(caller, &[Role::Hr])?;
        let policy = input.parse().map_err(|problems| {
            let mut errors = FieldErrors::new();
            for (field, problem) in problems {
                errors.add(field, problem);
            }
            AppError::Validation(errors)
        })?;
        self.write(caller, move |tx, me| {
            let before = sla::current(tx)?.unwrap_or_else(SlaPolicy::default_policy);
            sla::set(tx, me.id, &before, &policy)?;
            // Every running complaint is looked at again under the new limits.
            crate::store::complaints::check_all_running(tx)?;
            Ok(policy.clone())
        })
        .await
    }
}
