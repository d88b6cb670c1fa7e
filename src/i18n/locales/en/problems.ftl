# Why something was refused: one message per domain::problem::Problem, named problem-<code>.
# Arguments are the problem's parameters, already in the reader's language where they are
# words (states, lists) and as text where they are dates.

problem-required = is required
problem-empty = must not be empty
problem-too_long = must have at most { $max } characters
problem-too_short = must have at least { $min } characters
problem-control_characters = must not contain control characters
problem-control_characters_in_text = must not contain control characters other than tabs and line breaks
problem-nothing_visible = must show something: it holds only spaces or invisible characters
problem-bidi_control = must not contain characters that reverse the direction of text (U+202A–U+202E, U+2066–U+2069)
problem-nul_character = must not contain the character U+0000
problem-only_spaces = must not be only spaces
problem-not_email = is not a valid email address
problem-not_date = must be a date, written YYYY-MM-DD, YYYY/M/D or YYYY年M月D日
problem-no_such_date = { $date } is not a day of the calendar
problem-not_whole_number = must be a whole number
problem-not_positive_id = must be a positive id
problem-not_text = must be text
problem-not_boolean = must be true or false
problem-not_yes_no = must be yes or no: true or false, yes or no, 1 or 0 (or 是 / 否, 在职 / 离职)
problem-not_role = must be staff, supervisor or hr (or 员工, 主管, 人事)
problem-not_language = must be en or zh-CN (or 英文, 中文)
problem-out_of_range = must be from { $min } to { $max }
problem-one_of = must be one of: { $options }
problem-twice = appears twice
problem-choose = choose one
problem-unknown_field = is not a known field
problem-unknown_parameter = is not a known parameter
problem-unknown_column = is not a known column
problem-unknown_value = is not one of the values this field takes
problem-not_list = must be a list
problem-wrong_shape = has the wrong kind of value

problem-malformed_json = the body is not valid JSON (line { $line }, column { $column })
problem-body_unreadable = the request body could not be read
problem-query_unreadable = the query string could not be read
problem-form_unreadable = the form could not be read
problem-upload_unreadable = the upload could not be read
problem-not_utf8_or_gb18030 = is neither UTF-8 nor GBK/GB18030 text; save it from Excel as “CSV UTF-8” or “CSV”
problem-not_json_object = must be a JSON object
problem-not_json_array = must be a JSON array of rows
problem-row_not_object = must be a JSON object
problem-row_too_many_fields = has too many fields
problem-no_rows = contains no rows
problem-too_many_rows = has more than { $max } rows; split it into several files
problem-too_many_columns = has more than { $max } columns
problem-no_header = the first row must name the columns
problem-missing_column = the header has no such column; name one { $accepted }
problem-name_mismatch = this employee is { $name }: the name given does not match
problem-header_unreadable = the first row (the column names) cannot be read
problem-row_unreadable = this row cannot be read (a quote or a number of cells that does not match the first row)
problem-column_twice = names the column { $column } twice
problem-media_type = send the body as { $expected }
problem-too_large = is larger than this accepts
problem-too_slow = the request did not arrive in time
problem-too_many_parts = is not a workbook Excel writes: it holds more than { $max } parts
problem-unpacks_too_large = is not a workbook Excel writes: its part { $part } unpacks to more than { $max_mib } MiB
problem-cell_beyond_sheet = has a cell at { $cell }, beyond Excel's last cell XFD1048576
problem-row_beyond_sheet = has a row numbered { $row }, beyond Excel's last row 1048576
problem-cell_beyond_columns = has a value at { $cell }; an upload may use only its first { $max } columns
problem-too_many_shared_strings = holds more than { $max } different texts
problem-shared_strings_too_large = holds more than { $max_mib } MiB of different texts
problem-upload_too_many_cells = has more than { $max } filled cells; split it into several files
problem-upload_text_too_large = its cells hold more than { $max_mib } MiB of text; split it into several files

problem-weights_sum = must sum to 100 (they sum to { $sum })
problem-band_count = must have from 1 to { $max } grades
problem-bands_not_decreasing = the lowest totals must decrease from grade to grade, highest grade first
problem-last_band_not_zero = the last grade must start at 0, so that every total has a grade
problem-too_many_overrides = must have at most { $max } departments
problem-override_twice = has more than one row of weights
problem-no_such_department = no such department

problem-not_time_of_day = must be a time of day, written HH:MM (24:00 for the end of the day)
problem-ends_not_after_start = must be after the start
problem-break_outside_hours = must lie inside the working hours and apart from the other breaks
problem-resolution_before_response = must not be shorter than the first-response limit
problem-period_ends_before_start = the end must not be before the start
problem-period_too_long = a period may last at most { $max_days } days
problem-period_overlaps = the period overlaps the cycle “{ $cycle }” ({ $start } to { $end }) of the series “{ $series }”; within a series every date belongs to one cycle (another series may overlap)
problem-cycle_name_taken = a cycle named “{ $name }” already exists
problem-next_state_only = a cycle moves one step at a time: from “{ $from }” only to “{ $next }”, not to “{ $to }”
problem-final_state = a cycle that is { $state } does not change state any more
problem-scheme_needed = set the weights and grades before opening the cycle
problem-uncomputed = { $count ->
    [one] one active employee has no computed appraisal yet; compute the cycle first
   *[other] { $count } active employees have no computed appraisal yet; compute the cycle first
}
problem-stale = { $count ->
    [one] one appraisal was computed before the latest change of the weights, the evidence or the people; compute again first
   *[other] { $count } appraisals were computed before the latest change of the weights, the evidence or the people; compute again first
}
problem-period_frozen = the period of a cycle that is { $state } cannot change any more
problem-appeal_window_frozen = the appeal window of a cycle that is { $state } cannot change any more
problem-cycle_archived = an archived cycle cannot change
problem-scheme_frozen = the weights and grades of a cycle that is { $state } cannot change any more
problem-compute_in_review_only = appraisals are computed while the cycle is in review; it is { $state }
problem-review_in_review_only = appraisals are reviewed while the cycle is in review; it is { $state }
problem-no_scheme = the cycle has no weights and grades
problem-no_such_cycle = no such cycle
problem-no_cycle_for_date = no appraisal cycle covers this date
problem-cycle_not_open = the cycle “{ $cycle }” is { $state }: evidence counts in every cycle whose period holds its date and is accepted only while none of them is past open
problem-targets_frozen = the cycle “{ $cycle }” is { $state }: its targets can no longer change
problem-ratings_closed = the cycle “{ $cycle }” is { $state }: ratings are accepted only while it is open

problem-email_taken = a person with the email { $email } already exists
problem-not_employee_number = must be letters, digits and - _ . / only
problem-employee_number_taken = the employee number { $number } already belongs to someone else
problem-email_of_another = this email belongs to { $name } ({ $number }), not to the person with this row's employee number; correct one of them
problem-number_would_change = would change the employee number of { $name } from { $from } to { $to }; change an employee number on the person's page
problem-template_example_row = is the template's example row (an address at example.invalid); delete the row
problem-no_department_named = there is no department named “{ $name }” (the import can create it: “Create the departments and import” on the people page, or create_departments=true through the API)
problem-department_ambiguous = “{ $name }” matches more than one department: write the department's name exactly as it is
problem-department_name_taken = a department named “{ $name }” already exists
problem-has_email_and_password = this person has set a password and can reset it by mail, or is an HR account: a set-up code is for someone who has never set a password, or for staff and supervisors without email
problem-no_way_to_sign_in = a person without email needs an employee number to sign in with
problem-no_email = this person has no email: give them a set-up code instead
problem-email_stays = this person has set a password: their email stays (it is how they reset it); give another address instead
problem-no_such_user = no such person
problem-no_such_employee = no such employee
problem-own_manager = a person cannot be their own supervisor
problem-manager_inactive = the supervisor must be an active account
problem-manager_not_supervisor = must be a supervisor
problem-management_loop = this would make a loop in the chain of supervisors
problem-manages_people = { $count ->
    [one] this supervisor manages one person; give them another supervisor first
   *[other] this supervisor manages { $count } people; give them another supervisor first
}
problem-last_active_hr = the last active HR account cannot be deactivated or given another role
problem-own_account = you cannot change your own role, deactivate yourself or set your own password here: another HR account does that, and your own password changes on your password page
problem-password_changed_meanwhile = the password was changed by another request meanwhile; sign in again with the new one
problem-password_unchanged = must differ from the current password
problem-password_wrong = is not correct
problem-link_invalid = this link no longer works (it was used, it expired, or a newer one was sent); ask for a new one
problem-passwords_differ = the two passwords differ
problem-hr_not_appraised = HR accounts are not appraised
problem-not_active_employee = is not an active employee
problem-rate_self = you cannot rate yourself
problem-rate_own_department = works in your own department; rate colleagues of other departments

problem-not_yuan = must be an amount in yuan with at most two decimals, such as 1234.50, 1,234.50 or ￥1,234.50
problem-other_cycle = is another cycle than the one this upload is for
problem-both_given = give { $first } or { $second }, not both
problem-one_person_reference = name the person by one of employee_id, employee_number or email, not several
problem-no_person_reference = name the person by employee_id, employee_number or email
problem-outside_cycle = the date is outside the cycle “{ $cycle }” ({ $start } to { $end }) this upload is for
problem-future_date = is after today ({ $today }); evidence cannot be dated in the future
problem-other_target_in_file = row { $row } sets another target for the same employee and cycle
problem-other_values_in_file = row { $row } has the same reference with other values
problem-reference_taken = was imported before with other values

problem-item_count = must have from 1 to { $max } items
problem-checklist_replaced = has been replaced by a newer version; use the current one
problem-checklist_retired = has been retired by HR; choose another checklist
problem-old_checklist_version = this is an old version of the checklist; edit its current version
problem-no_such_checklist = no such checklist
problem-not_an_item = is not an item of this checklist
problem-scored_twice = is scored twice
problem-points_range = must be from 0 to { $max } for “{ $item }”
problem-items_missing = every item must be scored; missing: { $items }
problem-too_many_scores = must have at most { $max } entries

problem-appeal_window_closed = the appeal window of { $days } days closed on { $closed } ({ $zone })
problem-appeal_open = this appraisal has an open appeal; HR decides it first (after the decision it may be appealed again within the window)
problem-acknowledged_final = this appraisal was acknowledged, which is final: it can no longer be appealed
problem-note_required = is required when an appeal is rejected
problem-appeal_decided = { $upheld ->
    [yes] this appeal was already upheld
   *[no] this appeal was already rejected
}

problem-notice_sent = this notice was sent; a sent notice is not mailed again
problem-notice_queued = this notice is already queued for delivery

problem-bad_credentials = invalid email or password
problem-token_required = a valid bearer token is required
problem-forbidden = your role may not use this function
problem-not_found = no such resource
problem-locked = too many failed attempts; try again in { $seconds } s
problem-busy = too many requests of this kind at this moment; try again in { $seconds } s
problem-contended = the service is busy with conflicting changes; nothing was changed, try again
problem-storage = the service cannot store data at the moment (its storage is full or unavailable); nothing was changed
problem-unavailable = the service is not ready
problem-internal = an internal error occurred
problem-duplicate = a record with the same unique value already exists
problem-method_not_allowed = this method is not allowed here

# Cycle states, as words inside a sentence.
series-main = main
cycle-state-draft = draft
cycle-state-open = open
cycle-state-review = in review
cycle-state-published = published
cycle-state-archived = archived

# Answers that list several problems.
problem-fields = some fields are invalid; see errors
problem-rows = { $rows ->
    [one] one row has problems; nothing was imported
   *[other] { $rows } rows have problems; nothing was imported
}{ $more ->
    [0] {""}
   *[other] {" "}({ $more } further problems not listed)
}

# What a status means (the title of an error answer).
status-400 = Bad request
status-401 = Unauthorized
status-403 = Forbidden
status-404 = Not found
status-405 = Method not allowed
status-408 = Request timeout
status-409 = Conflict
status-413 = Payload too large
status-415 = Unsupported media type
status-422 = Unprocessable content
status-429 = Too many requests
status-500 = Internal server error
status-503 = Service unavailable

# Why a component has no score (appraisal pages and the API's missing_reason).
missing-no_target = no sales target was set for this cycle
missing-too_few-sales = { $have } of { $need } required sales records
missing-too_few-satisfaction = { $have } of { $need } required satisfaction responses
missing-too_few-etiquette = { $have } of { $need } required inspections
missing-too_few-collaboration = { $have } of { $need } required collaboration raters

delivery-failure-refused = the mail server refused the mail
delivery-failure-deferred = the mail server asked to try again later
delivery-failure-unreachable = the mail server could not be reached
delivery-failure-not_written = the mail file could not be written
delivery-failure-no_address = the recipient has no address mail can go to
delivery-failure-unbuildable = the mail could not be put together
delivery-failure-subject_gone = what this notice is about no longer exists
delivery-failure-not_theirs = what this notice is about is no longer the recipient's
delivery-failure-recipient_inactive = the recipient's account is deactivated
delivery-failure-unavailable = the database was unavailable

problem-not_instant = must be a date and time with its zone (RFC 3339), e.g. 2026-03-09T09:30:00+08:00
problem-webhook_other_platform = is the address of another platform's robot: choose the platform it belongs to
problem-no_department_called = there is no department named “{ $name }” (the departments: { $known })
problem-earlier_than = is earlier than { $column }
problem-follow_up_needs_resolution = a follow-up rating needs resolved_at
problem-recorded_otherwise = differs from what this reference recorded before ({ $recorded }); nothing is overwritten
problem-before_last_step = is before the last step recorded for this complaint ({ $at })
problem-not_sheet_instant = must be a date and time, e.g. 2026-03-09 09:30 (the company's time zone) or 2026-03-09T09:30:00+08:00
problem-instant_in_future = is in the future
problem-not_in_department = is not an active member of that department
problem-already_holds = already holds this complaint
problem-priority_unchanged = is the complaint's priority already
problem-complaint_not_now = not possible while the complaint is { $state }
complaint-state-open = open
complaint-state-waiting_customer = waiting for the customer
complaint-state-resolved = resolved
complaint-state-closed = closed

missing-too_few-responsiveness = { $have } of { $need } required complaints
problem-not_url = must be a web address, such as https://…
problem-webhook_host = must point at one of the robot platforms' hosts ({ $hosts })
problem-webhook_not_https = must begin with https://
problem-webhook_key_missing = must carry the robot's key (…/send?key=…), as WeCom gives it
problem-secret_required = is needed: the robot signs its messages with it
problem-instant_too_old = is more than { $days } days ago
