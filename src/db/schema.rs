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
        email -> Text,
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
diesel::allow_tables_to_appear_in_same_query!(departments, users, login_throttle, audit_events);
