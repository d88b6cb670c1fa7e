//! Values of evidence rows: money in integer minor units, ratings 1–5, references.

pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;
pub const EXTERNAL_REF_MAX: usize = 100;
pub const CHANNEL_MAX: usize = 50;
pub const COMMENT_MAX: usize = 2000;
pub const NOTE_MAX: usize = 500;

/// A sales amount in minor units; negative amounts are returns and refunds.
pub fn parse_amount(value: i64) -> Result<i64, String> {
    if value.abs() <= MAX_AMOUNT_MINOR {
        Ok(value)
    } else {
        Err(format!("must be within ±{MAX_AMOUNT_MINOR} minor units"))
    }
}

/// A sales target in minor units: positive.
pub fn parse_target(value: i64) -> Result<i64, String> {
    if (1..=MAX_AMOUNT_MINOR).contains(&value) {
        Ok(value)
    } else {
        Err(format!("must be from 1 to {MAX_AMOUNT_MINOR} minor units"))
    }
}

pub fn parse_rating(value: i64) -> Result<i32, String> {
    if (1..=5).contains(&value) {
        Ok(value as i32)
    } else {
        Err("must be a whole number from 1 to 5".to_owned())
    }
}

pub fn parse_external_ref(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > EXTERNAL_REF_MAX {
        return Err(format!("must have 1 to {EXTERNAL_REF_MAX} characters"));
    }
    if value.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(value.to_owned())
}

pub fn parse_channel(value: &str) -> Result<String, String> {
    super::bounded_text(value, 1, CHANNEL_MAX)
}

/// Optional free text (comments, notes): trimmed, bounded; empty becomes None.
pub fn parse_optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.chars().count() > max => {
            Err(format!("must have at most {max} characters"))
        }
        Some(text) => Ok(Some(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_values_are_bounded() {
        assert_eq!(parse_amount(-500), Ok(-500));
        assert!(parse_amount(MAX_AMOUNT_MINOR + 1).is_err());
        assert!(parse_target(0).is_err());
        assert!(parse_rating(0).is_err() && parse_rating(6).is_err());
        assert_eq!(parse_rating(5), Ok(5));
        assert!(parse_external_ref("  ").is_err());
        assert_eq!(parse_external_ref(" POS-1 "), Ok("POS-1".into()));
        assert_eq!(parse_optional_text(Some("  "), 10), Ok(None));
        assert!(parse_optional_text(Some("x".repeat(11).as_str()), 10).is_err());
    }
}
