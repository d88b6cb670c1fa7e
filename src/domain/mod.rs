//! Pure types and rules. Nothing here touches the database or HTTP; parse functions return
//! the reason as text so that the edge can attach it to the field it came from.

pub mod checklist;
pub mod cycle;
pub mod department;
pub mod evidence;
pub mod lockout;
pub mod scheme;
pub mod scoring;
pub mod user;

/// Trims and checks the length of a free-text field (names, titles).
pub fn bounded_text(value: &str, min: usize, max: usize) -> Result<String, String> {
    let trimmed = value.trim();
    let chars = trimmed.chars().count();
    if chars < min {
        return Err(if min <= 1 {
            "must not be empty".to_owned()
        } else {
            format!("must have at least {min} characters")
        });
    }
    if chars > max {
        return Err(format!("must have at most {max} characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    Ok(trimmed.to_owned())
}
