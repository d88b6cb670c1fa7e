//! The pages' words in English and Chinese (zh-CN). Every key exists in both languages
//! (the compiler checks: each table is one struct literal). Messages that come from the
//! domain's validation (field reasons, conflicts) are English in both; see docs/DECISIONS.md.

use crate::notify::templates::Lang;

macro_rules! texts {
    ($($key:ident: $en:expr, $zh:expr;)*) => {
        pub struct Texts {
            $(pub $key: &'static str,)*
        }
        pub const EN: Texts = Texts { $($key: $en,)* };
        pub const ZH: Texts = Texts { $($key: $zh,)* };
    };
}

pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

impl Texts {
    pub fn role(&self, role: &str) -> &'static str {
        match role {
            "hr" => self.role_hr,
            "supervisor" => self.role_supervisor,
            _ => self.role_staff,
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
            _ => return None,
        })
    }

    /// The label of the button that moves a cycle to `state`.
    pub fn move_to(&self, state: &str) -> &'static str {
        match state {
            "open" => self.open_cycle,
            "review" => self.start_review,
            "published" => self.publish,
            _ => self.archive,
        }
    }
}

texts! {
    lang_code: "en", "zh-CN";
    product: "Service Appraisal", "服务考评";
    role_hr: "HR", "人力资源";
    role_supervisor: "Supervisor", "主管";
    role_staff: "Staff", "员工";
    sign_in: "Sign in", "登录";
    sign_out: "Sign out", "退出";
    email: "Email", "邮箱";
    password: "Password", "密码";
    bad_credentials: "Invalid email or password.", "邮箱或密码不正确。";
    locked_out: "Too many failed attempts. Try again in", "失败次数过多，请稍后再试：";
    busy: "Too many sign-ins at this moment; try again in a second.", "当前登录请求过多，请稍后再试。";
    too_large: "The upload is larger than allowed.", "上传内容超过大小限制。";
    invalid_form: "Some fields need attention:", "以下字段需要修改：";
    rows_refused: "Nothing was imported; these rows have problems:", "未导入任何数据，以下行有问题：";
    row: "Row", "行";
    column: "Column", "列";
    problem: "Problem", "问题";
    nav_my_rating: "My service rating", "我的服务评分";
    nav_team: "My team", "我的团队";
    nav_cycles: "Cycles", "考评周期";
    nav_people: "People", "人员";
    nav_checklists: "Checklists", "检查表";
    nav_appeals: "Appeals", "申诉";
    nav_notices: "Notices", "通知";
    forbidden_title: "Not allowed", "无权访问";
    forbidden_text: "Your role may not use this page, or the form did not come from this site. Reload the page and try again.", "您的角色不能使用此页面，或表单并非来自本站。请刷新页面后重试。";
    not_found_title: "Not found", "未找到";
    not_found_text: "This page does not exist, or it is not yours to see.", "页面不存在，或您无权查看。";
    refused_title: "Not done", "未能完成";
    error_title: "Something went wrong", "出错了";
    error_text: "The service could not finish this request. Please try again later.", "服务暂时无法完成此请求，请稍后再试。";
    back_home: "Back to my start page", "返回首页";
    done_acknowledged: "You acknowledged your appraisal.", "您已确认考评结果。";
    done_appealed: "Your appeal was filed; HR has been notified.", "申诉已提交，已通知人力资源部。";
    done_rated: "Rating saved.", "评分已保存。";
    done_inspection: "Inspection recorded; the employee will be notified.", "检查已记录，将通知该员工。";
    done_reviewed: "Marked reviewed.", "已标记为已审阅。";
    done_created: "Created.", "已创建。";
    done_scheme: "Scheme saved.", "考评方案已保存。";
    done_state: "Cycle state changed.", "周期状态已更新。";
    done_decided: "Decision recorded; the employee will be notified.", "决定已记录，将通知该员工。";
    done_requeued: "The notice is queued again.", "通知已重新排队发送。";
    done_saved: "Saved.", "已保存。";
    deactivate: "Deactivate", "停用";
    reactivate: "Reactivate", "恢复";
    my_rating: "My service rating", "我的服务评分";
    no_published_appraisal: "No appraisal of yours has been published yet.", "您还没有已发布的考评。";
    total: "Total", "总分";
    grade: "Grade", "等级";
    rank: "Rank in department", "部门排名";
    cycle: "Cycle", "周期";
    cycles: "Appraisal cycles", "考评周期";
    status: "Status", "状态";
    insufficient_evidence: "Insufficient evidence", "证据不足";
    component: "Component", "考评项";
    score: "Score", "得分";
    weight: "Weight", "权重";
    evidence: "Evidence", "依据";
    missing_because: "Missing because", "缺失原因";
    sales: "Sales", "销售业绩";
    satisfaction: "Customer satisfaction", "客户满意度";
    etiquette: "Etiquette", "服务礼仪";
    collaboration: "Collaboration", "跨部门协作";
    sold: "Sold", "销售额";
    target: "target", "目标";
    records: "records", "记录数";
    responses: "responses", "回访评价数";
    inspections_n: "inspections", "检查次数";
    raters: "raters", "评价人数";
    at_least: "at least", "至少";
    missing_sales: "No sales target for this cycle", "本周期没有销售目标";
    missing_of: "Not enough evidence:", "依据不足：";
    pro_rata_note: "A missing component's weight is spread over the others in proportion to their weights.", "缺失项的权重按比例分配给其他考评项。";
    critical_rule: "An inspection in which a critical item scored 0 counts as 0.", "任一关键项得 0 分的检查，整次检查计为 0 分。";
    supervisor_comment: "Supervisor's comment", "主管评语";
    inspections: "Inspections", "礼仪检查";
    inspection: "Inspection", "礼仪检查";
    no_inspections: "No inspections in this cycle.", "本周期没有检查记录。";
    inspector: "Inspector", "检查人";
    critical_failed: "A critical item scored 0: this inspection counts as 0.", "有关键项得 0 分：本次检查计为 0 分。";
    item: "Item", "检查项";
    points: "Points", "得分";
    note: "Note", "备注";
    critical: "critical", "关键项";
    comment: "Comment", "评语";
    comment_optional: "Comment (optional)", "评语（可选）";
    trend: "Trend across cycles", "历次周期趋势";
    history: "All my appraisals", "我的全部考评";
    acknowledge: "Acknowledge", "确认结果";
    appeal: "Appeal", "申诉";
    appeal_reason: "Reason for the appeal", "申诉理由";
    appeal_until: "You may appeal until", "申诉截止日期：";
    your_appeal: "Your appeal", "您的申诉";
    decision_note: "Decision note", "处理说明";
    appeal_open: "Open", "待处理";
    appeal_upheld: "Upheld", "已支持";
    appeal_rejected: "Rejected", "已驳回";
    appraisal: "Appraisal", "考评";
    appraisal_draft: "Draft", "草稿";
    appraisal_reviewed: "Reviewed", "已审阅";
    appraisal_published: "Published", "已发布";
    appraisal_acknowledged: "Acknowledged", "已确认";
    appraisal_appealed: "Appealed", "申诉中";
    state_draft: "Draft", "草稿";
    state_open: "Open", "进行中";
    state_review: "In review", "审核中";
    state_published: "Published", "已发布";
    state_archived: "Archived", "已归档";
    employee: "Employee", "员工";
    decide_appeal: "Decide this appeal", "处理此申诉";
    review_comment: "Review comment", "审阅意见";
    mark_reviewed: "Mark reviewed", "标记为已审阅";
    audit_trail: "Audit trail", "审计记录";
    when: "When", "时间";
    who: "Who", "操作人";
    action: "Action", "操作";
    change: "Change", "变更";
    show: "Show", "查看";
    system: "System", "系统";
    rate_colleagues: "Rate colleagues of other departments", "评价其他部门的同事";
    rate_intro: "How well did these colleagues support your work? 5 is best. You may change a rating while the cycle is open; people see only the average, never who rated what.", "这些同事对您工作的支持如何？5 分最高。周期进行中可以修改评分；被评价人只能看到平均分，看不到谁打了多少分。";
    rating_closed: "This cycle is not open: ratings are closed.", "本周期未在进行中，评分已关闭。";
    nobody_to_rate: "Nobody in this department to rate.", "该部门没有可评价的同事。";
    colleague: "Colleague", "同事";
    your_rating: "Your rating", "您的评分";
    rate: "Rate", "评分";
    rating: "Rating", "评分";
    my_team: "My team", "我的团队";
    no_cycles: "There is no appraisal cycle yet.", "还没有考评周期。";
    no_reports: "Nobody reports to you.", "您没有直属下属。";
    need_inspection: "team members still need an inspection", "名团队成员尚需检查";
    days_left: "days until the cycle ends:", "距周期结束天数：";
    record_inspection: "Record inspection", "记录检查";
    review_drafts: "Draft appraisals to review", "待审阅的考评草稿";
    occurred_on: "Date", "日期";
    no_checklists: "There is no checklist yet; HR creates them.", "还没有检查表，由人力资源部创建。";
    save_inspection: "Save inspection", "保存检查";
    name: "Name", "名称";
    period: "Period", "期间";
    period_start: "Starts", "开始日期";
    period_end: "Ends", "结束日期";
    appeal_window_days: "Appeal window (days)", "申诉期（天）";
    scheme: "Weights and grades", "权重与等级";
    new_cycle: "New cycle", "新建周期";
    create: "Create", "创建";
    weights: "Weights", "权重";
    weight_sum: "Sum of weights", "权重合计";
    weights_must_sum: "The weights must sum to 100.", "权重合计必须为 100。";
    evidence_rules: "Evidence", "依据要求";
    full_marks_at: "Sales attainment for full marks (%)", "满分所需销售达成率（%）";
    min_satisfaction: "Minimum satisfaction responses", "最少回访评价数";
    min_etiquette: "Minimum inspections", "最少检查次数";
    min_collaboration: "Minimum collaboration raters", "最少协作评价人数";
    grade_bands: "Grade bands", "等级划分";
    min_total: "Lowest total", "最低总分";
    bands_note: "Highest first, strictly decreasing; the last band starts at 0. Leave rows empty that you do not need.", "从高到低、严格递减；最后一档从 0 开始。不需要的行请留空。";
    department_overrides: "Weights per department (optional)", "按部门设置权重（可选）";
    overrides_note: "Leave a department's row empty to use the cycle's weights.", "某部门留空则使用周期权重。";
    save_scheme: "Save weights and grades", "保存权重与等级";
    open_cycle: "Open the cycle", "开启周期";
    start_review: "Close data entry and start review", "截止录入并开始审核";
    publish: "Publish appraisals", "发布考评";
    archive: "Archive", "归档";
    compute: "Compute appraisals", "计算考评";
    report: "Report", "报表";
    computed_count: "Computed", "已计算";
    uncomputed_count: "Not yet computed", "未计算";
    stale_count: "Out of date", "已过期";
    stale_note: "These appraisals were computed before the latest change of the weights, the evidence or the people. Compute again before publishing.", "这些考评是在权重、依据或人员最近一次变动之前计算的，发布前请重新计算。";
    changed: "Changed", "有变化";
    upload_evidence: "Upload evidence (CSV)", "上传依据（CSV）";
    kind: "Kind", "类型";
    sales_targets: "Sales targets", "销售目标";
    sales_records: "Sales records", "销售记录";
    satisfaction_responses: "Satisfaction responses", "回访评价";
    csv_file: "CSV file", "CSV 文件";
    upload_note: "The first row names the columns. Amounts are in minor units (cents / fen). Every row is checked; if any row has a problem, nothing is imported.", "第一行为列名。金额以最小货币单位（分）表示。逐行校验；任一行有问题则全部不导入。";
    this_cycle_id: "This cycle's id", "本周期编号";
    upload: "Upload", "上传";
    imported: "Imported", "已导入";
    received: "rows", "行数";
    inserted: "new", "新增";
    updated: "updated", "更新";
    unchanged: "unchanged", "未变";
    grade_distribution: "Grade distribution", "等级分布";
    by_department: "By department", "按部门";
    department: "Department", "部门";
    departments: "Departments", "部门";
    count: "Count", "人数";
    mean: "Mean", "平均";
    min: "Lowest", "最低";
    max: "Highest", "最高";
    grades: "Grades", "等级";
    no_total: "no total", "无总分";
    people: "People", "人员";
    front_line: "Front line", "一线";
    back_office: "Back office", "后台";
    add_department: "Add department", "添加部门";
    role_label: "Role", "角色";
    manager: "Supervisor", "主管";
    active: "Active", "在职";
    more: "More", "更多";
    add_person: "Add a person", "添加人员";
    language: "Language", "语言";
    initial_password: "Initial password", "初始密码";
    new_checklist: "New checklist", "新建检查表";
    max_points: "Max points", "满分";
    checklist_note: "Fill as many rows as the checklist has items. A critical item scored 0 makes the whole inspection count as 0. Editing a checklist that has been used makes a new version.", "按检查项数量填写。关键项得 0 分则整次检查计为 0 分。已使用的检查表修改后会生成新版本。";
    all: "All", "全部";
    no_appeals: "No appeals here.", "没有申诉。";
    reason: "Reason", "理由";
    decision: "Decision", "决定";
    uphold: "Uphold (correct the inputs first; the appraisal is recomputed)", "支持（请先更正依据；考评将重新计算）";
    reject: "Reject (a note is required)", "驳回（须填写说明）";
    uphold_note: "Upholding recomputes this one appraisal from the current evidence; the employee is notified either way.", "支持申诉会按当前依据重新计算该考评；无论结果如何都会通知员工。";
    decide: "Record decision", "提交决定";
    notice_failed: "Failed", "发送失败";
    notice_pending: "Pending", "待发送";
    notice_sent: "Sent", "已发送";
    recipient: "Recipient", "收件人";
    attempts: "Attempts", "尝试次数";
    last_error: "Last error", "最后错误";
    retry: "Send again", "重新发送";
}
