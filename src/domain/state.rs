//! A cycle's state: it only moves forward, one step at a time (docs/PRODUCT.md §4). Stored
//! as text; reading it (`CycleState::parse`) and the reasons a move is refused are in
//! `cycle`, beside the other rules of cycles.

use std::fmt;

use serde::Serialize;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum CycleState {
    Draft,
    Open,
    Review,
    Published,
    Archived,
}

impl CycleState {
    pub const ALL: [CycleState; 5] = [
        CycleState::Draft,
        CycleState::Open,
        CycleState::Review,
        CycleState::Published,
        CycleState::Archived,
    ];

    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn next(self) -> Option<CycleState> {
        match self {
            CycleState::Draft => Some(CycleState::Open),
            CycleState::Open => Some(CycleState::Review),
            CycleState::Review => Some(CycleState::Published),
            CycleState::Published => Some(CycleState::Archived),
            CycleState::Archived => None,
        }
    }

    /// The scheme may change until the results are published.
    pub fn scheme_editable(self) -> bool {
        self < CycleState::Published
    }
}

impl fmt::Display for CycleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
