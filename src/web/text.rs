//! The pages' words, as fields checked by the compiler: each key of [`Texts`] is a message
//! of the one catalog (`crate::i18n`, `locales/*/pages.ftl`), looked up once per language.
//! The catalog tests check that every key exists in both languages.

use std::sync::LazyLock;

use crate::domain::appraisal::{AppealState, AppraisalState};
use crate::domain::cycle::CycleState;
use crate::domain::department::DepartmentKind;
use crate::domain::user::Role;
use crate::i18n::{self, Locale};

macro_rules! texts {
    ($($key:ident),* $(,)?) => {
        pub struct Texts {
            pub lang: Locale,
            $(pub $key: &'static str,)*
        }

        impl Texts {
            fn load(lang: Locale) -> Texts {
                // Looked up once per process and language; kept for its lifetime.
                let word = |key: &str| -> &'static str { Box::leak(i18n::text(lang, key).into_boxed_str()) };
                Texts { lang, $($key: word(stringify!($key)),)* }
            }

            /// Every key, for the catalog tests.
            #[cfg(test)]
            pub const KEYS: &'static [&'static str] = &[$(stringify!($key)),*];
        }
    };
}

pub fn texts(lang: Locale) -> &'static Texts {
    static EN: LazyLock<Texts> = LazyLock::new(|| Texts::load(Locale::En));
    static ZH: LazyLock<Texts> = LazyLock::new(|| Texts::load(Locale::ZhCn));
    match lang {
        Locale::En => &EN,
        Locale::ZhCn => &ZH,
    }
}

impl Texts {
    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Hr => self.role_hr,
            Role::Supervisor => self.role_supervisor,
            Role::Staff => self.role_staff,
        }
    }

    /// The message of a success named by a redirect's `ok` parameter.
    pub fn done(&self, key: &str) -> Option<&'static str> {
        Some(match key {
            "acknowledged" => self.done_acknowledged,
            "appealed" => self.done_appealed,
            "rated" => self.done_rated,
            "inspection_recorded" => self.done_inspection,
            "reviewed" => self.done_reviewed,
            "created" => self.done_created,
            "scheme_saved" => self.done_scheme,
            "state_changed" => self.done_state,
            "decided" => self.done_decided,
            "requeued" => self.done_requeued,
            "saved" => self.done_saved,
            "password_set" => self.done_password_set,
            "password_changed" => self.done_password_changed,
            "link_sent" => self.done_link_sent,
            "retired" => self.done_retired,
            "removed" => self.done_removed,
            _ => return None,
        })
    }

    /// The label of the button that moves a cycle to `state`.
    pub fn move_to(&self, state: CycleState) -> &'static str {
        match state {
            CycleState::Draft | CycleState::Open => self.open_cycle,
            CycleState::Review => self.start_review,
            CycleState::Published => self.publish,
            CycleState::Archived => self.archive,
        }
    }

    /// A cycle's series: the default one in the reader's words, any other as HR named it.
    pub fn series_name<'a>(&self, series: &'a str) -> &'a str {
        if series == crate::domain::cycle::DEFAULT_SERIES {
            self.series_main
        } else {
            series
        }
    }

    pub fn cycle_state(&self, state: CycleState) -> &'static str {
        match state {
            CycleState::Draft => self.state_draft,
            CycleState::Open => self.state_open,
            CycleState::Review => self.state_review,
            CycleState::Published => self.state_published,
            CycleState::Archived => self.state_archived,
        }
    }

    pub fn appraisal_state(&self, state: AppraisalState) -> &'static str {
        match state {
            AppraisalState::Draft => self.appraisal_draft,
            AppraisalState::Reviewed => self.appraisal_reviewed,
            AppraisalState::Published => self.appraisal_published,
            AppraisalState::Acknowledged => self.appraisal_acknowledged,
            AppraisalState::Appealed => self.appraisal_appealed,
        }
    }

    pub fn appeal_state(&self, state: AppealState) -> &'static str {
        match state {
            AppealState::Open => self.appeal_open,
            AppealState::Upheld => self.appeal_upheld,
            AppealState::Rejected => self.appeal_rejected,
        }
    }

    pub fn department_kind(&self, kind: DepartmentKind) -> &'static str {
        match kind {
            DepartmentKind::FrontLine => self.front_line,
            DepartmentKind::BackOffice => self.back_office,
        }
    }
}

texts! {
    product,
    skip_to_content,
    nav_main,
    choose_rating,
    team_cycles,
    inspections_done_needed,
    inspections_done_needed_note,
    no_drafts_left,
    reviewed_appraisals,
    update_review,
    past_inspections,
    running_total,
    running_total_critical,
    todo_hr_reviews,
    role_hr,
    role_supervisor,
    role_staff,
    sign_in,
    sign_out,
    email,
    password,
    invalid_form,
    rows_refused,
    email_or_number,
    my_notices,
    todo_who,
    and_more,
    printed_on,
    employee_signature,
    supervisor_signature,
    date_signed,
    review_several,
    review_comment_all,
    mark_selected_reviewed,
    setup_code_give,
    setup_codes_all,
    setup_codes_all_note,
    setup_codes_title,
    setup_codes_intro,
    setup_codes_none,
    setup_code_how,
    setup_code,
    valid_until,
    have_a_code,
    print,
    row,
    column,
    problem,
    nav_my_rating,
    nav_complaints,
    nav_service,
    nav_team,
    nav_cycles,
    nav_people,
    nav_checklists,
    nav_appeals,
    nav_notices,
    forbidden_title,
    forbidden_text,
    not_found_title,
    not_found_text,
    refused_title,
    error_title,
    error_text,
    back_home,
    done_acknowledged,
    done_appealed,
    done_rated,
    done_inspection,
    done_reviewed,
    done_created,
    done_scheme,
    done_state,
    done_decided,
    done_requeued,
    done_saved,
    deactivate,
    reactivate,
    my_rating,
    no_published_appraisal,
    total,
    grade,
    rank,
    cycle,
    cycles,
    status,
    insufficient_evidence,
    component,
    score,
    weight,
    weight_used,
    contribution,
    evidence,
    missing_because,
    sales,
    satisfaction,
    etiquette,
    collaboration,
    responsiveness,
    sold,
    target,
    records,
    responses,
    inspections_n,
    raters,
    complaints_n,
    at_least,
    pro_rata_note,
    critical_rule,
    supervisor_comment,
    inspections,
    inspection,
    no_inspections,
    inspector,
    critical_failed,
    item,
    points,
    note,
    critical,
    comment,
    comment_optional,
    trend,
    history,
    acknowledge,
    appeal,
    appeal_reason,
    appeal_until,
    your_appeal,
    decision_note,
    appeal_open,
    appeal_upheld,
    appeal_rejected,
    appraisal,
    appraisal_draft,
    appraisal_reviewed,
    appraisal_published,
    appraisal_acknowledged,
    appraisal_appealed,
    state_draft,
    state_open,
    state_review,
    state_published,
    state_archived,
    employee,
    decide_appeal,
    review_comment,
    mark_reviewed,
    audit_trail,
    when,
    who,
    action,
    change,
    system,
    rate_colleagues,
    rate_intro,
    rating_closed,
    nobody_to_rate,
    colleague,
    your_rating,
    rate,
    rating,
    my_team,
    no_cycles,
    no_reports,
    need_inspection,
    days_left,
    record_inspection,
    review_drafts,
    occurred_on,
    no_checklists,
    save_inspection,
    name,
    period,
    period_start,
    period_end,
    appeal_window_days,
    series,
    series_main,
    series_note,
    scheme,
    new_cycle,
    create,
    weights,
    weight_sum,
    weights_must_sum,
    evidence_rules,
    full_marks_at,
    min_satisfaction,
    min_etiquette,
    min_collaboration,
    min_responsiveness,
    grade_bands,
    min_total,
    bands_note,
    department_overrides,
    overrides_note,
    save_scheme,
    open_cycle,
    start_review,
    publish,
    archive,
    compute,
    report,
    computed_count,
    uncomputed_count,
    stale_count,
    stale_note,
    changed,
    reviews_kept,
    reviews_reset,
    upload_evidence,
    kind,
    sales_targets,
    sales_records,
    satisfaction_responses,
    upload_note,
    upload,
    imported,
    received,
    inserted,
    updated,
    unchanged,
    returns,
    ignored_columns,
    skipped_totals_rows,
    departments_missing,
    departments_missing_note,
    create_departments_and_import,
    departments_created,
    grade_distribution,
    by_department,
    department,
    departments,
    count,
    mean,
    min,
    max,
    grades,
    no_total,
    people,
    front_line,
    back_office,
    add_department,
    role_label,
    manager,
    active,
    more,
    add_person,
    language,
    initial_password,
    new_checklist,
    max_points,
    checklist_note,
    all,
    no_appeals,
    reason,
    decision,
    uphold,
    reject,
    uphold_note,
    decide,
    notice_failed,
    notice_pending,
    notice_sent,
    notice_on_page,
    recipient,
    attempts,
    last_error,
    retry,
    previous_page,
    next_page,
    forgot_password,
    forgot_intro,
    forgot_sent,
    send_link,
    new_password,
    repeat_password,
    password_rule,
    set_password,
    change_password,
    current_password,
    done_password_set,
    done_password_changed,
    nav_password,
    employee_number,
    search_people,
    search,
    initial_password_note,
    save,
    yes,
    no,
    send_reset_link,
    export_xlsx,
    export_csv,
    todo,
    todo_nothing,
    todo_open_appeals,
    todo_failed_notices,
    todo_lacking_inspections,
    todo_uncomputed,
    todo_unreviewed,
    todo_stale,
    confirm_title,
    confirm_open_mails,
    confirm_reviewed,
    confirm_publish_note,
    confirm_archive_note,
    confirm_review_note,
    confirm_lacking_inspections,
    confirm_days_left,
    confirm_uncomputed,
    confirm_acknowledge_note,
    cancel,
    edit,
    retire_checklist,
    checklist_retired,
    checklist_old_version,
    checklist_used_note,
    checklist_unused_note,
    done_retired,
    done_removed,
    edit_cycle,
    edit_cycle_note,
    import_people,
    import_people_note,
    created_count,
    correct_evidence,
    correct_evidence_note,
    appeal_target,
    appeal_target_now,
    save_target,
    target_saved,
    upheld_changed,
    upheld_unchanged,
    done_link_sent,
    upload_closed,
    upload_file,
    download_template,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::exact;
    use crate::i18n::tests::{english_words, has_chinese};

    #[test]
    fn every_page_word_exists_in_both_languages() {
        for key in Texts::KEYS {
            for locale in [Locale::En, Locale::ZhCn] {
                let words = exact(locale, key, Vec::new())
                    .unwrap_or_else(|| panic!("page word {key} is missing in {locale:?}"));
                if locale == Locale::ZhCn {
                    let english = english_words(&words, &["English", "Excel", "WPS", "PDF"]);
                    assert!(english.is_empty(), "{key} in zh-CN: {words} ({english:?})");
                } else {
                    assert!(
                        !has_chinese(&words) || *key == "language_name_zh",
                        "{key} in en: {words}"
                    );
                }
            }
        }
    }
}
