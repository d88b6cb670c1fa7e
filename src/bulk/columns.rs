//! Column names as offices write them (docs/PRODUCT.md §12, `docs/GLOSSARY.md`): the codes, or the
//! Chinese headers beside them, with brackets half- or full-width, any case and spaces.

/// The Chinese headers of each column, beside its code.
const ALIASES: &[(&str, &[&str])] = &[
    ("employee_number", &["工号", "员工编号"]),
    ("email", &["邮箱", "电子邮箱"]),
    ("display_name", &["姓名"]),
    ("role", &["角色", "岗位"]),
    ("department", &["部门", "处理部门"]),
    ("manager", &["直属上级", "上级工号", "直属上级工号"]),
    ("locale", &["语言"]),
    ("active", &["在职"]),
    ("occurred_on", &["日期"]),
    ("amount_yuan", &["金额（元）"]),
    ("amount", &["金额（分）"]),
    ("target_yuan", &["目标（元）"]),
    ("target", &["目标（分）"]),
    ("rating", &["评分"]),
    ("channel", &["渠道", "来源"]),
    ("external_ref", &["编号", "工单编号"]),
    (
        "received_at",
        &["受理时间", "投诉时间", "接收时间", "创建时间"],
    ),
    ("priority", &["优先级"]),
    ("summary", &["投诉内容", "内容", "摘要", "问题描述"]),
    ("customer_ref", &["客户编号", "订单号"]),
    ("customer_locale", &["客户语言"]),
    ("first_response_at", &["首次响应时间", "首次回复时间"]),
    ("resolved_at", &["解决时间"]),
    ("follow_up_rating", &["回访评分"]),
    ("department_id", &[]),
    ("employee_id", &[]),
    ("cycle_id", &[]),
];

/// A header as compared: trimmed, full-width brackets as half-width, no spaces, ASCII
/// letters in lower case, and a space between words of a code as `_`.
fn normalised(written: &str) -> String {
    let mut out = String::with_capacity(written.len());
    for c in written.trim().chars() {
        match c {
            '（' => out.push('('),
            '）' => out.push(')'),
            ' ' | '\u{3000}' if out.chars().last().is_some_and(|l| l.is_ascii_alphabetic()) => {
                out.push('_')
            }
            c if c.is_whitespace() => {}
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// The column a header names: its code, whether written as the code or in Chinese; any
/// other header is kept as written (trimmed), to be named as an extra column.
pub fn code_of(written: &str) -> String {
    let wanted = normalised(written);
    ALIASES
        .iter()
        .find(|(code, aliases)| *code == wanted || aliases.iter().any(|a| normalised(a) == wanted))
        .map_or_else(|| written.trim().to_owned(), |(code, _)| (*code).to_owned())
}

/// The names a column may be given: its Chinese headers, then its code.
pub fn accepted(code: &str) -> Vec<String> {
    ALIASES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, aliases)| aliases.iter().map(|a| (*a).to_owned()).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([code.to_owned()])
        .collect()
}

/// The words that mark a totals row, as Excel users label one.
pub fn is_totals_label(text: &str) -> bool {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        text.to_lowercase().trim_end_matches([':', '：']),
        "合计" | "总计" | "小计" | "共计" | "total" | "totals" | "subtotal" | "sum"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_headers_and_codes_name_the_same_columns() {
        for (written, code) in [
            ("工号", "employee_number"),
            ("员工编号", "employee_number"),
            (" 姓名 ", "display_name"),
            ("直属上级工号", "manager"),
            ("金额（元）", "amount_yuan"),
            ("金额(元)", "amount_yuan"),
            ("金额 （分）", "amount"),
            ("目标（元）", "target_yuan"),
            ("日期", "occurred_on"),
            ("Employee number", "employee_number"),
            ("EMAIL", "email"),
            ("external_ref", "external_ref"),
        ] {
            assert_eq!(code_of(written), code, "{written}");
        }
        assert_eq!(code_of(" 备注 "), "备注");
        assert_eq!(
            accepted("manager"),
            ["直属上级", "上级工号", "直属上级工号", "manager"]
        );
    }

    #[test]
    fn totals_rows_are_recognised() {
        for label in ["合计", "总 计", "小计：", "Total", "TOTALS"] {
            assert!(is_totals_label(label), "{label}");
        }
        assert!(!is_totals_label("E0101") && !is_totals_label("合计金额"));
    }
}
