# 通知邮件（notify::templates），用语以术语表为准（docs/GLOSSARY.md）。

mail-greeting = { $name }，您好：
mail-footer = 此邮件由服务考评系统发送。
mail-colon = ：

published-subject-total = { $cycle } 服务考评结果：{ $total } 分（{ $grade }）
published-subject = { $cycle } 服务考评结果已发布
published-intro = 您在 { $cycle } 的服务考评已发布。
published-total = 总分
published-grade = 等级
published-rank = 部门排名
published-no-total = 无：各考评项的依据均不足
published-component = { $component }（实际权重 { $used }%）
published-points = { $score }，计入总分 { $points }
published-appeal-until = 请确认考评结果。如有异议，可在 { $date } 前提出申诉。
published-link = 查看考评详情

missing-sales = 缺失：未设定销售目标
missing-satisfaction = 缺失：顾客满意度评价 { $have } 条，至少需要 { $need } 条
missing-etiquette = 缺失：礼仪检查 { $have } 次，至少需要 { $need } 次
missing-collaboration = 缺失：协作评价 { $have } 条，至少需要 { $need } 条

inspection-subject = { $date } 礼仪检查结果：{ $score } 分（满分 100）
inspection-intro = { $inspector } 于 { $date } 对您的服务进行了礼仪检查（{ $checklist }）。
inspection-item-critical = { $item }（关键项）
inspection-critical-failed = 有关键项未达标，本次检查计 0 分。
inspection-comment = 主管评语：
inspection-link = 查看检查详情

appeal-filed-subject = { $employee } 对 { $cycle } 的考评提出申诉
appeal-filed-intro = { $employee }（{ $department }）对 { $cycle } 的考评提出申诉，理由如下：
appeal-filed-correct = 申诉处理期间可更正该员工的考评依据。
appeal-filed-link = 处理申诉

appeal-decided-subject-upheld = 您对 { $cycle } 考评的申诉已被支持
appeal-decided-subject-rejected = 您对 { $cycle } 考评的申诉已被驳回
appeal-decided-recomputed = 您的考评已重新计算：总分 { $total }（{ $grade }）。
appeal-decided-stays = 您的考评维持已发布的结果。
appeal-decided-note = 人力资源部说明：

reminder-subject = { $end } 前还有 { $count } 名下属需要礼仪检查
reminder-intro = { $cycle } 将于 { $end } 结束。以下直属员工的礼仪检查仍少于 { $minimum } 次：
reminder-line = { $name }：{ $count } 次
reminder-link = 查看我的团队

review-again-subject = { $cycle } 有 { $count } 份考评需要重新审阅
review-again-intro = { $cycle } 已重新计算，您审阅过的以下考评数值有变化，已退回草稿，请重新审阅：
review-again-link = 查看我的团队

collaboration-subject = 请评价其他部门同事的协作（{ $cycle }）
collaboration-intro = 考评周期 { $cycle } 开放至 { $end }。您对合作过的其他部门同事的评价将计入他们的协作得分，请为他们评分。
collaboration-link = 去评价

password-setup-subject = 设置您的服务考评密码
password-setup-intro = 已为您创建账号（{ $email }）。请通过下面的链接设置密码，然后用邮箱和该密码登录。
password-setup-link = 设置密码
password-reset-subject = 为服务考评设置新密码
password-reset-intro = 有人（您本人，或人力资源替您）为 { $email } 申请了新密码。请通过下面的链接设置；在此之前当前密码仍然有效。
password-reset-link = 设置新密码
password-link-expires = 链接仅可使用一次，有效期至 { $until }。
password-link-not-you = 如果您没有预期收到此邮件，请忽略：不会有任何变化。

complaint-reminder-subject = 投诉 #{ $id }：{ $limit }时限即将用完
complaint-reminder-intro = 投诉 #{ $id } 由您处理，其{ $limit }时限已大部分用完。请在超时前处理，否则将升级给您的主管。
complaint-escalated-subject = 投诉 #{ $id } 已升级（第 { $level } 级）
complaint-escalated-intro-1 = 投诉 #{ $id } 的处理人已超过时限。作为其主管，请督促尽快答复客户。
complaint-escalated-intro-2 = 投诉 #{ $id } 已升级给处理人的主管，又过了一个时限仍未解决。
complaint-limit-first_response = 首次响应
complaint-limit-resolution = 解决
complaint-received = 受理时间
complaint-department = 处理部门
complaint-holder = 责任人
complaint-summary = 投诉内容
complaint-link = 查看投诉

missing-responsiveness = 缺失：计入的投诉 { $have } 件，至少需要 { $need } 件
robot-complaint-escalated = 【投诉升级】投诉 #{ $id }（{ $department }处理，受理于 { $received }）已超过处理时限，升级至第 { $level } 级。{ $link }
robot-cycle-open = 【考评】考评周期「{ $cycle }」已开放至 { $end }：礼仪检查、跨部门协作评价和各项依据开始计入。{ $link }
robot-cycle-review = 【考评】考评周期「{ $cycle }」进入复核：请主管复核本组的考评草稿。{ $link }
robot-cycle-published = 【考评】「{ $cycle }」考评结果已发布：每人可查看自己的考评，并在申诉期内提出申诉。{ $link }
