# 拒绝的原因：domain::problem::Problem 的每个值一条，名为 problem-<code>。

problem-required = 必填
problem-empty = 不能为空
problem-too_long = 最多 { $max } 个字符
problem-too_short = 至少 { $min } 个字符
problem-control_characters = 不能包含控制字符
problem-control_characters_in_text = 除制表符和换行外，不能包含控制字符
problem-nothing_visible = 须包含可见字符：现在只有空格或不可见字符
problem-bidi_control = 不能包含改变文字方向的控制字符（U+202A–U+202E、U+2066–U+2069）
problem-nul_character = 不能包含 U+0000 字符
problem-only_spaces = 不能只有空格
problem-not_email = 不是有效的邮箱地址
problem-not_date = 必须是日期，格式为 YYYY-MM-DD、YYYY/M/D 或 YYYY年M月D日
problem-no_such_date = 日历上没有 { $date } 这一天
problem-not_whole_number = 必须是整数
problem-not_positive_id = 必须是正整数编号
problem-not_text = 必须是文本
problem-not_boolean = 必须是 true 或 false
problem-not_yes_no = 须为 是 或 否（也可写 在职 / 离职、true / false、1 / 0）
problem-not_role = 须为 员工、主管 或 人事（也可写 staff、supervisor、hr）
problem-not_language = 须为 中文 或 英文（也可写 zh-CN、en）
problem-out_of_range = 必须在 { $min } 到 { $max } 之间
problem-one_of = 必须是以下之一：{ $options }
problem-twice = 重复出现
problem-choose = 请选择
problem-unknown_field = 不是可识别的字段
problem-unknown_parameter = 不是可识别的参数
problem-unknown_column = 不是可识别的列
problem-unknown_value = 不是此字段可取的值
problem-not_list = 必须是列表
problem-wrong_shape = 值的类型不对

problem-malformed_json = 请求内容不是有效的 JSON（第 { $line } 行，第 { $column } 列）
problem-body_unreadable = 无法读取请求内容
problem-query_unreadable = 无法读取查询参数
problem-form_unreadable = 无法读取表单
problem-upload_unreadable = 无法读取上传的文件
problem-not_utf8_or_gb18030 = 既不是 UTF-8 也不是 GBK/GB18030 文本；请在 Excel 中另存为“CSV UTF-8”或“CSV”
problem-not_json_object = 必须是 JSON 对象
problem-not_json_array = 必须是由各行组成的 JSON 数组
problem-row_not_object = 必须是 JSON 对象
problem-row_too_many_fields = 字段过多
problem-no_rows = 没有数据行
problem-too_many_rows = 超过 { $max } 行，请拆分为多个文件
problem-too_many_columns = 超过 { $max } 列
problem-no_header = 第一行须为列名
problem-missing_column = 表头缺少此列，可用列名：{ $accepted }
problem-name_mismatch = 此员工是 { $name }，所填姓名不符
problem-header_unreadable = 无法读取第一行（列名）
problem-row_unreadable = 无法读取此行（引号不配对，或单元格数与第一行不一致）
problem-column_twice = 列 { $column } 出现了两次
problem-media_type = 请以 { $expected } 格式发送
problem-too_large = 超过允许的大小
problem-too_slow = 请求未能及时送达
problem-too_many_parts = 不是 Excel 所写的工作簿：其中部件多于 { $max } 个
problem-unpacks_too_large = 不是 Excel 所写的工作簿：其中部件 { $part } 解压后超过 { $max_mib } MiB
problem-cell_beyond_sheet = 在 { $cell } 处有单元格，超出了 Excel 的最后一个单元格 XFD1048576
problem-row_beyond_sheet = 有编号为 { $row } 的行，超出了 Excel 的最后一行 1048576
problem-cell_beyond_columns = 在 { $cell } 处有内容；上传文件只能使用前 { $max } 列
problem-too_many_shared_strings = 包含的不同文本多于 { $max } 条
problem-shared_strings_too_large = 包含的不同文本超过 { $max_mib } MiB
problem-upload_too_many_cells = 已填写的单元格超过 { $max } 个，请拆分为多个文件
problem-upload_text_too_large = 单元格文本合计超过 { $max_mib } MiB，请拆分为多个文件

problem-weights_sum = 权重合计必须为 100（当前为 { $sum }）
problem-band_count = 须有 1 到 { $max } 个等级
problem-bands_not_decreasing = 各等级的最低总分须从高到低严格递减
problem-last_band_not_zero = 最后一个等级须从 0 开始，使每个总分都有等级
problem-too_many_overrides = 最多 { $max } 个部门
problem-override_twice = 有多于一行的权重
problem-no_such_department = 没有这个部门

problem-not_time_of_day = 必须是时刻，写作 时:分，如 09:00（一天结束写 24:00）
problem-ends_not_after_start = 必须晚于开始时间
problem-break_outside_hours = 必须在工作时间之内，且不与其他休息时间重叠
problem-resolution_before_response = 不能短于首次响应时限
problem-period_ends_before_start = 结束日期不能早于开始日期
problem-period_too_long = 期间最长 { $max_days } 天
problem-period_overlaps = 期间与系列“{ $series }”中的周期“{ $cycle }”（{ $start } 至 { $end }）重叠；同一系列中每个日期只能属于一个周期（不同系列可以重叠）
problem-cycle_name_taken = 已有名为“{ $name }”的周期
problem-next_state_only = 周期只能逐步推进：“{ $from }”之后只能是“{ $next }”，不能是“{ $to }”
problem-final_state = { $state }的周期不再改变状态
problem-scheme_needed = 开启周期前请先设置权重与等级
problem-uncomputed = 有 { $count } 名在职员工尚未计算考评，请先计算
problem-stale = 有 { $count } 份考评是在权重、依据或人员最近一次变动之前计算的，请先重新计算
problem-period_frozen = { $state }的周期不能再修改期间
problem-appeal_window_frozen = { $state }的周期不能再修改申诉期
problem-cycle_archived = 已归档的周期不能再修改
problem-scheme_frozen = { $state }的周期不能再修改权重与等级
problem-compute_in_review_only = 考评在周期审核中时计算；当前为{ $state }
problem-review_in_review_only = 考评在周期审核中时审阅；当前为{ $state }
problem-no_scheme = 该周期没有权重与等级
problem-no_such_cycle = 没有这个周期
problem-no_cycle_for_date = 没有覆盖此日期的考评周期
problem-cycle_not_open = 周期“{ $cycle }”当前为{ $state }：依据计入期间包含其日期的每个周期，只有这些周期都未结束录入时才接受
problem-targets_frozen = 周期“{ $cycle }”当前为{ $state }：销售目标不能再修改
problem-ratings_closed = 周期“{ $cycle }”当前为{ $state }：只有周期进行中才接受评价

problem-email_taken = 邮箱为 { $email } 的人员已存在
problem-not_employee_number = 只能包含字母、数字和 - _ . /
problem-employee_number_taken = 工号 { $number } 已被他人使用
problem-email_of_another = 此邮箱属于 { $name }（{ $number }），而不是本行工号对应的人员；请更正其中之一
problem-number_would_change = 会把 { $name } 的工号从 { $from } 改为 { $to }；更改工号请在该人员的页面上进行
problem-template_example_row = 是模板中的示例行（example.invalid 的邮箱），请删除此行
problem-no_department_named = 没有名为“{ $name }”的部门（导入时可一并创建：人员页上的“创建这些部门并导入”，或在接口中加 create_departments=true）
problem-department_ambiguous = “{ $name }”与多个部门相符：请按部门的名称原样填写
problem-department_name_taken = 已有名为“{ $name }”的部门
problem-has_email_and_password = 此人已设置密码且可通过邮件重置，或为人事账号：设置码只用于从未设置密码的人员，或没有邮箱的员工和主管
problem-no_way_to_sign_in = 没有邮箱的人员需要有工号才能登录
problem-no_email = 此人没有邮箱：请改为发放设置码
problem-email_stays = 此人已设置密码：邮箱不能删除（用于重置密码），可改为其他邮箱
problem-no_such_user = 没有这个人员
problem-no_such_employee = 没有这名员工
problem-own_manager = 不能成为自己的主管
problem-manager_inactive = 主管须为在职账号
problem-manager_not_supervisor = 须为主管
problem-management_loop = 这会使主管关系形成循环
problem-manages_people = 该主管还管理着 { $count } 人，请先为他们指定其他主管
problem-last_active_hr = 最后一个在职的人力资源账号不能停用或改为其他角色
problem-own_account = 不能在此修改自己的角色、停用自己或设置自己的密码：这些由其他人力资源账号处理，您的密码请在“修改密码”页面修改
problem-password_changed_meanwhile = 密码已被另一个请求修改，请用新密码重新登录
problem-password_unchanged = 须与当前密码不同
problem-password_wrong = 不正确
problem-link_invalid = 此链接已失效（已使用、已过期，或已发送了更新的链接），请重新申请
problem-passwords_differ = 两次输入的密码不一致
problem-hr_not_appraised = 人力资源账号不参与考评
problem-not_active_employee = 不是在职员工
problem-rate_self = 不能评价自己
problem-rate_own_department = 属于您自己的部门；请评价其他部门的同事

problem-not_yuan = 必须是以元为单位、最多两位小数的金额，例如 1234.50、1,234.50 或 ￥1,234.50
problem-other_cycle = 不是本次上传所属的周期
problem-both_given = { $first } 与 { $second } 只能填写其一
problem-one_person_reference = 只能用 employee_id、employee_number 或 email 其中一种指明人员
problem-no_person_reference = 请用 employee_id、employee_number 或 email 指明人员
problem-outside_cycle = 日期不在本次上传所属的周期“{ $cycle }”（{ $start } 至 { $end }）内
problem-future_date = 晚于今天（{ $today }）；依据不能填写未来的日期
problem-other_target_in_file = 第 { $row } 行为同一员工和周期设置了不同的目标
problem-other_values_in_file = 第 { $row } 行的编号相同但内容不同
problem-reference_taken = 此前已用不同的内容导入过

problem-item_count = 须有 1 到 { $max } 个检查项
problem-checklist_replaced = 已有更新的版本，请使用当前版本
problem-checklist_retired = 已被人力资源停用，请选择其他检查表
problem-old_checklist_version = 这是检查表的旧版本，请修改当前版本
problem-no_such_checklist = 没有这个检查表
problem-not_an_item = 不是此检查表的检查项
problem-scored_twice = 重复评分
problem-points_range = “{ $item }”的得分须在 0 到 { $max } 之间
problem-items_missing = 每个检查项都须评分；缺少：{ $items }
problem-too_many_scores = 最多 { $max } 项

problem-appeal_window_closed = { $days } 天的申诉期已于 { $closed }（{ $zone }）结束
problem-appeal_open = 该考评有待处理的申诉，须先由人力资源部处理（处理后在申诉期内可再次申诉）
problem-acknowledged_final = 该考评已确认，确认后不能再申诉
problem-note_required = 驳回申诉时必须填写
problem-appeal_decided = { $upheld ->
    [yes] 该申诉已被支持
   *[no] 该申诉已被驳回
}

problem-notice_sent = 该通知已发送；已发送的通知不会再次发送
problem-notice_queued = 该通知已在发送队列中

problem-bad_credentials = 邮箱或密码不正确
problem-token_required = 需要有效的访问令牌
problem-forbidden = 您的角色不能使用此功能
problem-not_found = 资源不存在
problem-locked = 失败次数过多，请 { $seconds } 秒后再试
problem-busy = 此类请求当前过多，请 { $seconds } 秒后再试
problem-contended = 服务正在处理有冲突的修改，未做任何更改，请重试
problem-storage = 服务暂时无法保存数据（存储空间已满或不可用），未做任何更改
problem-unavailable = 服务尚未就绪
problem-internal = 发生内部错误
problem-duplicate = 已存在相同唯一值的记录
problem-method_not_allowed = 此处不允许该方法

# 周期状态（用在句中）
series-main = 主系列
cycle-state-draft = 草稿
cycle-state-open = 进行中
cycle-state-review = 审核中
cycle-state-published = 已发布
cycle-state-archived = 已归档

# 列出多个问题的回答。
problem-fields = 部分字段无效，详见 errors
problem-rows = 有 { $rows } 行存在问题，未导入任何数据{ $more ->
    [0] {""}
   *[other] （另有 { $more } 个问题未列出）
}

# 状态码的含义（错误回答的标题）。
status-400 = 请求有误
status-401 = 未登录
status-403 = 无权访问
status-404 = 未找到
status-405 = 不允许的方法
status-408 = 请求超时
status-409 = 冲突
status-413 = 内容过大
status-415 = 不支持的格式
status-422 = 无法处理的内容
status-429 = 请求过多
status-500 = 服务器内部错误
status-503 = 服务不可用

# 考评项缺失的原因（考评页面与 API 的 missing_reason）。
missing-no_target = 本周期未设定销售目标
missing-too_few-sales = 销售记录 { $have } 条，至少需要 { $need } 条
missing-too_few-satisfaction = 顾客满意度评价 { $have } 条，至少需要 { $need } 条
missing-too_few-etiquette = 礼仪检查 { $have } 次，至少需要 { $need } 次
missing-too_few-collaboration = 协作评价人 { $have } 位，至少需要 { $need } 位

delivery-failure-refused = 邮件服务器拒收
delivery-failure-deferred = 邮件服务器要求稍后重试
delivery-failure-unreachable = 无法连接邮件服务器
delivery-failure-not_written = 无法写入邮件文件
delivery-failure-no_address = 收件人没有可用的邮箱地址
delivery-failure-unbuildable = 无法生成邮件
delivery-failure-subject_gone = 通知所涉及的内容已不存在
delivery-failure-not_theirs = 通知所涉及的内容已不属于该收件人
delivery-failure-recipient_inactive = 收件人账号已停用
delivery-failure-unavailable = 数据库暂不可用

problem-not_instant = 必须是带时区的日期时间，如 2026-03-09T09:30:00+08:00
problem-webhook_other_platform = 是另一个平台的机器人地址，请选择它所属的平台
problem-no_department_called = 没有名为“{ $name }”的部门（现有部门：{ $known }）
problem-earlier_than = 早于 { $column }
problem-follow_up_needs_resolution = 有回访评分时必须有解决时间（resolved_at）
problem-recorded_otherwise = 与此编号此前记录的内容不同（已记录：{ $recorded }），不会覆盖
problem-before_last_step = 早于此投诉已记录的最后一步（{ $at }）
problem-not_sheet_instant = 必须是日期和时间，如 2026-03-09 09:30（公司所在时区）或 2026-03-09T09:30:00+08:00
problem-instant_in_future = 不能晚于现在
problem-not_in_department = 不是该部门的在职人员
problem-already_holds = 已经是该投诉的处理方
problem-priority_unchanged = 与投诉当前的优先级相同
problem-complaint_not_now = 投诉{ $state }时不能这样操作
complaint-state-open = 处理中
complaint-state-waiting_customer = 等待客户回复
complaint-state-resolved = 已解决
complaint-state-closed = 已回访结案

missing-too_few-responsiveness = 计入的投诉 { $have } 件，至少需要 { $need } 件
problem-not_url = 必须是完整的网址
problem-webhook_host = 必须指向机器人平台的地址（{ $hosts }）
problem-webhook_not_https = 必须使用加密连接的网址
problem-webhook_key_missing = 必须带有企业微信给出的机器人密钥参数
problem-secret_required = 必须填写：机器人用它为消息签名
problem-instant_too_old = 早于 { $days } 天前
