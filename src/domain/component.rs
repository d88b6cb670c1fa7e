//! The components an appraisal is made of. Everything that lists components (the scheme's
//! weights and minimums, scoring, the breakdown, the export, the mails, the pages and the
//! API) goes through [`Component`], so adding one is adding a variant and following the
//! compiler to the matches on it (`Weights::of`, `MinEvidence::of` in `scheme`,
//! `Inputs::component` in `appraisal`, …) and the catalog's `component-…` words. It imports
//! nothing of its neighbours: they import it.

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Component {
    Sales,
    Satisfaction,
    Etiquette,
    Collaboration,
    /// Responsiveness to complaints (weight 0 unless HR gives it one).
    Responsiveness,
}

impl Component {
    /// Every component, in the order they are shown.
    pub const ALL: [Component; 5] = [
        Component::Sales,
        Component::Satisfaction,
        Component::Etiquette,
        Component::Collaboration,
        Component::Responsiveness,
    ];

    /// The name in JSON fields, form fields and the catalog (`sales`, …).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The field of a missing reason in the catalog (`missing-sales`, …).
    pub fn missing_key(self) -> &'static str {
        match self {
            Component::Sales => "missing-sales",
            Component::Satisfaction => "missing-satisfaction",
            Component::Etiquette => "missing-etiquette",
            Component::Collaboration => "missing-collaboration",
            Component::Responsiveness => "missing-responsiveness",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn the_list_and_the_names_agree() {
        assert_eq!(Component::iter().collect::<Vec<_>>(), Component::ALL);
        for c in Component::ALL {
            assert_eq!(c.as_str().parse::<Component>(), Ok(c));
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.as_str())
            );
            assert_eq!(c.missing_key(), format!("missing-{}", c.as_str()));
        }
    }
}
