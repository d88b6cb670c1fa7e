// Written by hand to match both migration sets (migrations/sqlite and migrations/postgres).

diesel::table! {
    departments (id) {
        id -> Integer,
        name -> Text,
        kind -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Nullable<Text>,
        display_name -> Text,
        role -> Text,
        department_id -> Integer,
        manager_id -> Nullable<Integer>,
        locale -> Text,
        password_hash -> Text,
        active -> Bool,
        token_version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        employee_number -> Nullable<Text>,
    }
}

diesel::table! {
    login_throttle (email) {
        email -> Text,
        failed_count -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_failed_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        actor_id -> Nullable<Integer>,
        action -> Text,
        entity -> Text,
        entity_id -> Integer,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        at -> Timestamp,
    }
}

diesel::joinable!(users -> departments (department_id));
diesel::joinable!(audit_events -> users (actor_id));
diesel::joinable!(password_tokens -> users (user_id));

diesel::table! {
    cycles (id) {
        id -> Integer,
        name -> Text,
        period_start -> Date,
        period_end -> Date,
        state -> Text,
        appeal_window_days -> Integer,
        scheme_json -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        inputs_revision -> BigInt,
        computed_at -> Nullable<Timestamp>,
        series -> Text,
    }
}

diesel::table! {
    checklists (id) {
        id -> Integer,
        name -> Text,
        version -> Integer,
        previous_id -> Nullable<Integer>,
        current -> Bool,
        created_at -> Timestamp,
        retired -> Bool,
    }
}

diesel::table! {
    password_tokens (id) {
        id -> BigInt,
        user_id -> Integer,
        token_hash -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    checklist_items (id) {
        id -> Integer,
        checklist_id -> Integer,
        position -> Integer,
        title -> Text,
        max_points -> Integer,
        critical -> Bool,
    }
}

diesel::table! {
    inspections (id) {
        id -> Integer,
        cycle_id -> Integer,
        employee_id -> Integer,
        inspector_id -> Integer,
        checklist_id -> Integer,
        occurred_on -> Date,
        comment -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    inspection_scores (inspection_id, item_id) {
        inspection_id -> Integer,
        item_id -> Integer,
        points -> Integer,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    sales_targets (cycle_id, employee_id) {
        cycle_id -> Integer,
        employee_id -> Integer,
        target_minor -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sales_records (id) {
        id -> BigInt,
        cycle_id -> Integer,
        employee_id -> Integer,
        occurred_on -> Date,
        amount_minor -> BigInt,
        external_ref -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    satisfaction_responses (id) {
        id -> BigInt,
        cycle_id -> Integer,
        employee_id -> Integer,
        occurred_on -> Date,
        rating -> Integer,
        channel -> Text,
        external_ref -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    collaboration_ratings (id) {
        id -> Integer,
        cycle_id -> Integer,
        rater_id -> Integer,
        ratee_id -> Integer,
        rating -> Integer,
        comment -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(checklist_items -> checklists (checklist_id));
diesel::joinable!(inspection_scores -> inspections (inspection_id));
diesel::joinable!(inspection_scores -> checklist_items (item_id));
diesel::joinable!(inspections -> cycles (cycle_id));
diesel::joinable!(inspections -> checklists (checklist_id));
diesel::allow_tables_to_appear_in_same_query!(
    department_robots,
    robot_posts,
    complaints,
    complaint_events,
    complaint_charges,
    password_tokens,
    appeals,
    appraisals,
    audit_events,
    login_throttle,
    cycles,
    checklists,
    checklist_items,
    inspections,
    inspection_scores,
    sales_targets,
    sales_records,
    satisfaction_responses,
    collaboration_ratings,
    users,
    departments,
);

diesel::table! {
    appraisals (id) {
        id -> Integer,
        cycle_id -> Integer,
        employee_id -> Integer,
        department_id -> Integer,
        sales_centi -> Nullable<Integer>,
        satisfaction_centi -> Nullable<Integer>,
        etiquette_centi -> Nullable<Integer>,
        collaboration_centi -> Nullable<Integer>,
        total_centi -> Nullable<Integer>,
        grade -> Nullable<Text>,
        department_rank -> Nullable<Integer>,
        inputs_json -> Text,
        state -> Text,
        supervisor_comment -> Nullable<Text>,
        reviewed_by -> Nullable<Integer>,
        computed_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        version -> Integer,
        basis_revision -> BigInt,
        responsiveness_centi -> Nullable<Integer>,
    }
}
diesel::joinable!(appraisals -> cycles (cycle_id));

diesel::table! {
    appeals (id) {
        id -> Integer,
        appraisal_id -> Integer,
        reason -> Text,
        state -> Text,
        decision_note -> Nullable<Text>,
        decided_by -> Nullable<Integer>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(appeals -> appraisals (appraisal_id));

diesel::table! {
    notice_batches (id) {
        id -> BigInt,
        kind -> Text,
        recipients_json -> Text,
        dedupe_prefix -> Text,
        payload_json -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        kind -> Text,
        recipient_id -> Integer,
        dedupe_key -> Text,
        payload_json -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sla_policies (id) {
        id -> BigInt,
        policy_json -> Text,
        effective_from -> Timestamp,
        set_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> BigInt,
        kind -> Text,
        dedupe_key -> Text,
        payload_json -> Text,
        status -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        last_failure -> Nullable<Text>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    reset_requests (id) {
        id -> BigInt,
        email -> Text,
        requested_at -> Timestamp,
    }
}

diesel::table! {
    complaints (id) {
        id -> Integer,
        external_ref -> Nullable<Text>,
        received_at -> Timestamp,
        received_on -> Date,
        channel -> Text,
        priority -> Text,
        summary -> Text,
        customer_ref -> Nullable<Text>,
        customer_locale -> Text,
        department_id -> Integer,
        employee_id -> Nullable<Integer>,
        logged_by -> Nullable<Integer>,
        state -> Text,
        first_response_at -> Nullable<Timestamp>,
        resolved_at -> Nullable<Timestamp>,
        escalation_level -> Integer,
        escalated_at -> Nullable<Timestamp>,
        follow_up_rating -> Nullable<Integer>,
        status_token_hash -> Text,
        next_check_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    complaint_events (id) {
        id -> BigInt,
        complaint_id -> Integer,
        kind -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Integer>,
        to_department_id -> Nullable<Integer>,
        to_employee_id -> Nullable<Integer>,
        priority -> Nullable<Text>,
        rating -> Nullable<Integer>,
        level -> Nullable<Integer>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    complaint_charges (complaint_id, employee_id, item) {
        complaint_id -> Integer,
        employee_id -> Integer,
        item -> Text,
        earned -> Bool,
    }
}

diesel::joinable!(complaint_events -> complaints (complaint_id));
diesel::joinable!(complaint_charges -> complaints (complaint_id));
diesel::joinable!(complaints -> departments (department_id));

diesel::table! {
    department_robots (department_id) {
        department_id -> Integer,
        platform -> Text,
        webhook_url -> Text,
        secret -> Nullable<Text>,
        updated_by -> Nullable<Integer>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    robot_posts (id) {
        id -> BigInt,
        department_id -> Integer,
        kind -> Text,
        dedupe_key -> Text,
        payload_json -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}
