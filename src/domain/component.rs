//! The components an appraisal is made of. Everything that lists components (the scheme's
//! weights and minimums, scoring, the breakdown, the export, the mails, the pages and the
//! API) goes through [`Component`], so adding one is adding a variant and following the
//! compiler to the matches below (and the catalog's `component-…` words).

use serde::{Deserialize, Serialize};

use super::appraisal::{ComponentInput, Inputs};
use super::scheme::{MinEvidence, Weights, WeightsInput};

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
}

impl Component {
    /// Every component, in the order they are shown.
    pub const ALL: [Component; 4] = [
        Component::Sales,
        Component::Satisfaction,
        Component::Etiquette,
        Component::Collaboration,
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
        }
    }
}

impl Weights {
    pub fn of(&self, c: Component) -> i32 {
        match c {
            Component::Sales => self.sales,
            Component::Satisfaction => self.satisfaction,
            Component::Etiquette => self.etiquette,
            Component::Collaboration => self.collaboration,
        }
    }
}

impl WeightsInput {
    pub fn of(&self, c: Component) -> i64 {
        match c {
            Component::Sales => self.sales,
            Component::Satisfaction => self.satisfaction,
            Component::Etiquette => self.etiquette,
            Component::Collaboration => self.collaboration,
        }
    }
}

impl MinEvidence {
    /// The least evidence that scores `c` (sales needs a target, not a count: 1 record).
    pub fn of(&self, c: Component) -> i32 {
        match c {
            Component::Sales => 1,
            Component::Satisfaction => self.satisfaction,
            Component::Etiquette => self.etiquette,
            Component::Collaboration => self.collaboration,
        }
    }
}

/// A component's input and what it adds to the total: the weight really used and the
/// points (None when it is missing).
pub type Contribution<'a> = (Component, &'a ComponentInput, Option<(f64, f64)>);

impl Inputs {
    pub fn component(&self, c: Component) -> &ComponentInput {
        match c {
            Component::Sales => &self.sales,
            Component::Satisfaction => &self.satisfaction,
            Component::Etiquette => &self.etiquette,
            Component::Collaboration => &self.collaboration,
        }
    }

    /// Every component with its input, in order.
    pub fn components(&self) -> [(Component, &ComponentInput); 4] {
        Component::ALL.map(|c| (c, self.component(c)))
    }

    /// Every component with its input and what it adds to the total (the weight really
    /// used and the points, `scoring::contributions`; None when it is missing).
    pub fn contributions(&self) -> Vec<Contribution<'_>> {
        let parts = self.components();
        let used = super::scoring::contributions(&parts.map(|(_, c)| (c.weight, c.score)));
        parts
            .into_iter()
            .zip(used)
            .map(|((c, input), used)| (c, input, used))
            .collect()
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
