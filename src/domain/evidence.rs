//! Values of evidence rows: money in integer minor units, ratings 1–5, references.

use super::problem::Problem;

pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000;
pub const EXTERNAL_REF_MAX: usize = 100;
pub const CHANNEL_MAX: usize = 50;
pub const COMMENT_MAX: usize = 2000;
pub const NOTE_MAX: usize = 500;

/// A sales amount in minor units; negative amounts are returns and refunds.
pub fn parse_amount(value: i64) -> Result<i64, Problem> {
    if value.abs() <= MAX_AMOUNT_MINOR {
        Ok(value)
    } else {
        Err(Problem::OutOfRange {
            min: -MAX_AMOUNT_MINOR,
            max: MAX_AMOUNT_MINOR,
        })
    }
}

/// A sales target in minor units: positive.
pub fn parse_target(value: i64) -> Result<i64, Problem> {
    if (1..=MAX_AMOUNT_MINOR).contains(&value) {
        Ok(value)
    } else {
        Err(Problem::OutOfRange {
            min: 1,
            max: MAX_AMOUNT_MINOR,
        })
    }
}

pub fn parse_rating(value: i64) -> Result<i32, Problem> {
    if (1..=5).contains(&value) {
        Ok(value as i32)
    } else {
        Err(Problem::OutOfRange { min: 1, max: 5 })
    }
}

pub fn parse_external_ref(value: &str) -> Result<String, Problem> {
    super::text::line(value, EXTERNAL_REF_MAX)
}

pub fn parse_channel(value: &str) -> Result<String, Problem> {
    super::text::line(value, CHANNEL_MAX)
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
    }
}
