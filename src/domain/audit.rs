//! What an audit event records having been done. Stored as text (`audit_events.action`);
//! every action has words in the catalog (`audit-action-…`), which a test checks, so the
//! audit trail never shows "other change" for something the program itself did.

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    State,
    SetScheme,
    Compute,
    Recompute,
    Review,
    Acknowledge,
    Appeal,
    AppealUpheld,
    AppealRejected,
    Retry,
    NewVersion,
    Retire,
    Replace,
    ImportSalesTargets,
    ImportSalesRecords,
    ImportPeople,
    ImportSatisfactionResponses,
    SetupCode,
    SetSlaPolicy,
    SetRobot,
    RemoveRobot,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}
