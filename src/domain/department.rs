use std::fmt;

use serde::Serialize;

use super::problem::Problem;

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    utoipa::ToSchema,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DepartmentKind {
    FrontLine,
    BackOffice,
}

impl DepartmentKind {
    pub const VALUES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    pub fn parse(value: &str) -> Result<Self, Problem> {
        value.parse().map_err(|_| Problem::OneOf {
            options: Self::VALUES,
        })
    }
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl TryFrom<String> for DepartmentKind {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        DepartmentKind::parse(&value).map_err(|_| format!("unknown department kind {value:?}"))
    }
}

impl fmt::Display for DepartmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub const DEPARTMENT_NAME_MAX: usize = 100;

pub fn parse_department_name(value: &str) -> Result<String, Problem> {
    super::text::name(value, DEPARTMENT_NAME_MAX)
}

/// How a file's department name is matched to a department: the same after Unicode's
/// compatibility folding (full-width Ｌｅｔｔｅｒｓ and digits as ASCII, the ideographic
/// space as a space), in lower case, with runs of white space as one space. So
/// "旗舰店 Flagship", "旗舰店　ＦＬＡＧＳＨＩＰ" and " 旗舰店  flagship " name one department.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name.nfkc().collect::<String>().to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn names_match_across_case_width_and_spacing() {
        let key = name_key("旗舰店 Flagship");
        assert_eq!(name_key("旗舰店\u{3000}ＦＬＡＧＳＨＩＰ"), key);
        assert_eq!(name_key("  旗舰店   flagship "), key);
        assert_ne!(name_key("旗舰店二部"), name_key("旗舰店"));
        assert_eq!(name_key("客服２部"), name_key("客服2部"));
    }
}
