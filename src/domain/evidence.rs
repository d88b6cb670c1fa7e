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

/// An amount in yuan as a spreadsheet writes it (`1234.5`, `-80`, `12.05`), read exactly
/// into fen, never through floating point: at most two decimals.
pub fn parse_yuan(text: &str) -> Result<i64, Problem> {
    let text = text.trim();
    // As Excel writes money: a sign, then ￥ or ¥, or the sign after the symbol; 元 after;
    // thousands separated by commas.
    let text = text.strip_suffix('元').map(str::trim_end).unwrap_or(text);
    let unsigned = |t: &str| -> Option<(bool, String)> {
        let (negative, rest) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let rest = rest
            .strip_prefix('￥')
            .or_else(|| rest.strip_prefix('¥'))
            .unwrap_or(rest)
            .trim_start();
        let (negative, rest) = match rest.strip_prefix('-') {
            Some(inner) if !negative => (true, inner),
            _ => (negative, rest),
        };
        Some((negative, without_thousands(rest)?))
    };
    let (negative, digits) = unsigned(text).ok_or(Problem::NotYuan)?;
    let digits = digits.as_str();
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty()
        || !all_digits(whole)
        || !all_digits(fraction)
        || fraction.len() > 2
        || whole.len() > 15
    {
        return Err(Problem::NotYuan);
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| Problem::NotYuan)?
    };
    let cents: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| Problem::NotYuan)? * 10,
        _ => fraction.parse().map_err(|_| Problem::NotYuan)?,
    };
    let fen = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or(Problem::NotYuan)?;
    parse_amount(if negative { -fen } else { fen })
}

/// `12,345.60` as `12345.60`: commas only between groups of three digits of the whole
/// part; None when they stand anywhere else.
fn without_thousands(text: &str) -> Option<String> {
    if !text.contains(',') {
        return Some(text.to_owned());
    }
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let groups: Vec<&str> = whole.split(',').collect();
    let well_grouped =
        (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
    if !well_grouped {
        return None;
    }
    let mut plain = groups.concat();
    if let Some(fraction) = fraction {
        plain.push('.');
        plain.push_str(fraction);
    }
    Some(plain)
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

    #[test]
    fn yuan_are_read_exactly_into_fen() {
        assert_eq!(parse_yuan("1234.5"), Ok(123_450));
        assert_eq!(parse_yuan("0.07"), Ok(7));
        assert_eq!(parse_yuan("-80"), Ok(-8_000));
        assert_eq!(parse_yuan(" 12.05 "), Ok(1_205));
        assert_eq!(parse_yuan(".5"), Ok(50));
        // 0.1 + 0.2 in floating point is 0.30000000000000004; here it is 30 fen.
        assert_eq!(parse_yuan("0.30"), Ok(30));
        // As Excel writes money.
        assert_eq!(parse_yuan("12,345.60"), Ok(1_234_560));
        assert_eq!(parse_yuan("￥1,200.00"), Ok(120_000));
        assert_eq!(parse_yuan("¥5"), Ok(500));
        assert_eq!(parse_yuan("-￥1,200"), Ok(-120_000));
        assert_eq!(parse_yuan("￥-1,200"), Ok(-120_000));
        assert_eq!(parse_yuan("1,234,567 元"), Ok(123_456_700));
        assert_eq!(parse_yuan("88元"), Ok(8_800));
        for bad in [
            "",
            "-",
            "1.234",
            "1,00",
            "12,3456",
            ",100",
            "1e3",
            "12.3.4",
            "￥",
            "元",
            "--5",
            "9999999999999999",
        ] {
            assert_eq!(parse_yuan(bad), Err(Problem::NotYuan), "{bad}");
        }
        assert!(
            parse_yuan("10000000000.01").is_err(),
            "beyond the largest amount"
        );
    }
}
