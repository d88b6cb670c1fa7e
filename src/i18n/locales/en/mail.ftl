# The notice mails (notify::templates), in the glossary's words (docs/GLOSSARY.md).

mail-greeting = Hello { $name },
mail-footer = This message was sent by Service Appraisal.
mail-colon = {": "}

published-subject-total = Your service rating for { $cycle }: { $total } ({ $grade })
published-subject = Your service rating for { $cycle } is published
published-intro = Your appraisal for { $cycle } has been published.
published-total = Total
published-grade = Grade
published-rank = Rank in your department
published-no-total = none: not enough evidence for any component
published-component = { $component } (weight used { $used }%)
published-points = { $score }, adding { $points } to the total
published-appeal-until = Please acknowledge it. If you disagree, you can appeal until { $date }.
published-link = View your appraisal

missing-sales = missing: no sales target was set
missing-satisfaction = missing: { $have } of { $need } required satisfaction responses
missing-etiquette = missing: { $have } of { $need } required inspections
missing-collaboration = missing: { $have } of { $need } required collaboration ratings

inspection-subject = Etiquette inspection on { $date }: { $score } of 100
inspection-intro = { $inspector } recorded an etiquette inspection of your service on { $date } ({ $checklist }).
inspection-item-critical = { $item } (critical)
inspection-critical-failed = A critical item was not met, so this inspection scores 0.
inspection-comment = Your supervisor's comment:
inspection-link = View the inspection

appeal-filed-subject = Appeal filed by { $employee } ({ $cycle })
appeal-filed-intro = { $employee } ({ $department }) appealed their appraisal for { $cycle }. Their reason:
appeal-filed-correct = This employee's evidence can be corrected while the appeal is open.
appeal-filed-link = Decide the appeal

appeal-decided-subject-upheld = Your appeal for { $cycle } was upheld
appeal-decided-subject-rejected = Your appeal for { $cycle } was rejected
appeal-decided-recomputed = Your appraisal was recomputed: total { $total } ({ $grade }).
appeal-decided-stays = Your appraisal stays as published.
appeal-decided-note = HR's note:

reminder-subject = { $count ->
    [one] One of your team still needs an inspection before { $end }
   *[other] { $count } of your team still need inspections before { $end }
}
reminder-intro = { $cycle } ends on { $end }. These direct reports have fewer than { $minimum } inspections so far:
reminder-line = { $name }: { $count ->
    [one] one inspection
   *[other] { $count } inspections
}
reminder-link = Open your team

review-again-subject = { $count ->
    [one] A review to do again in { $cycle }
   *[other] { $count } reviews to do again in { $cycle }
}
review-again-intro = { $cycle } was recomputed, and the numbers of these appraisals you had reviewed changed. They are drafts again; please review them once more:
review-again-link = Open your team

collaboration-subject = Rate your colleagues in other departments ({ $cycle })
collaboration-intro = The appraisal cycle { $cycle } is open until { $end }. How colleagues of other departments worked with you counts towards their collaboration score; please rate those you worked with.
collaboration-link = Rate colleagues

password-setup-subject = Set your password for Service Appraisal
password-setup-intro = An account was made for you ({ $email }). Choose your password with the link below; then sign in with your email and that password.
password-setup-link = Set my password
password-reset-subject = Choose a new password for Service Appraisal
password-reset-intro = Someone (you, or HR for you) asked for a new password for { $email }. Choose it with the link below; your current password works until then.
password-reset-link = Choose a new password
password-link-expires = The link works once, until { $until }.
password-link-not-you = If you did not expect this mail, ignore it: nothing changes.

complaint-reminder-subject = Complaint #{ $id }: the { $limit } time limit is nearly used
complaint-reminder-intro = Complaint #{ $id } is yours to act on, and most of its { $limit } time limit has run. Please act before it passes; otherwise it is escalated to your supervisor.
complaint-escalated-subject = Complaint #{ $id } escalated (level { $level })
complaint-escalated-intro-1 = The holder of complaint #{ $id } let its time limit pass. As their supervisor, please see that the customer is answered.
complaint-escalated-intro-2 = Complaint #{ $id } was escalated to the holder's supervisor a time limit ago and is still not resolved.
complaint-limit-first_response = first-response
complaint-limit-resolution = resolution
complaint-received = Received
complaint-department = Held by
complaint-holder = Responsible
complaint-summary = Complaint
complaint-link = Open the complaint

missing-responsiveness = missing: { $have } of { $need } required complaints
robot-complaint-escalated = [Complaint escalated] Complaint #{ $id }, held by { $department } and received { $received }, passed its time limit and is escalated to level { $level }. { $link }
robot-cycle-open = [Appraisal] The cycle { $cycle } is open until { $end }: inspections, ratings of colleagues in other departments and evidence now count. { $link }
robot-cycle-review = [Appraisal] The cycle { $cycle } is in review: supervisors now review their teams' drafts. { $link }
robot-cycle-published = [Appraisal] The results of { $cycle } are published: everyone can read their own appraisal and appeal within the window. { $link }
