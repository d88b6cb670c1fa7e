//! Evidence in bulk: sales targets, sales records and satisfaction responses, each row
//! naming its person by id, employee number or email (with a 姓名 to check), read like every
//! other bulk body and checked cell by cell; `app::evidence` applies them.

use super::{parse_rows, Parsed, RowReader, Spec, Upload, PERSON_COLUMNS};
use crate::domain::evidence::{
    parse_channel, parse_external_ref, parse_rating, parse_target, parse_yuan,
};
use crate::domain::problem::Problem;
use crate::domain::user::PersonRef;
use crate::store::evidence::{DatedRow, Response, Sale, TargetRow};

/// The person columns, the name to check them against, and `extra`.
fn known(extra: &[&'static str]) -> Vec<&'static str> {
    PERSON_COLUMNS
        .iter()
        .chain(&["display_name"])
        .chain(extra)
        .copied()
        .collect()
}

/// Sales targets: a person, `cycle_id` (which an upload made on a cycle's page may leave
/// out: `cycle`), and `target` in fen or `target_yuan`.
pub fn targets(upload: &Upload, cycle: Option<i32>) -> Parsed<TargetRow> {
    let known = known(&["cycle_id", "target", "target_yuan"]);
    let spec = Spec {
        known: &known,
        required: &[&PERSON_COLUMNS, &["target_yuan", "target"]],
        person: &PERSON_COLUMNS,
    };
    parse_rows(upload, &spec, |r| {
        let person = r.person();
        let name = name_to_check(r);
        let cycle_id = match (cycle, r.has("cycle_id")) {
            (Some(c), false) => Some(c),
            _ => r.id("cycle_id"),
        };
        let target = if r.has("target_yuan") && r.has("target") {
            r.fail(
                "target_yuan",
                Problem::BothGiven {
                    first: "target",
                    second: "target_yuan",
                },
            );
            None
        } else if r.has("target_yuan") {
            r.text("target_yuan")
                .and_then(|y| r.check("target_yuan", parse_yuan(&y)))
                .and_then(|t| r.check("target_yuan", parse_target(t)))
        } else {
            r.int("target")
                .and_then(|t| r.check("target", parse_target(t)))
        };
        let person = person?;
        Some(TargetRow {
            row: r.number(),
            employee_id: match person {
                PersonRef::Id(id) => id,
                _ => 0,
            },
            person,
            name,
            cycle_id: cycle_id?,
            target: target?,
        })
    })
}

/// A person's name given beside their number or email, for checking (`姓名`).
fn name_to_check(r: &mut RowReader) -> Option<String> {
    if r.has("display_name") {
        r.text("display_name").map(|n| n.trim().to_owned())
    } else {
        None
    }
}

/// The columns every dated evidence row has, around the values particular to its kind.
fn dated<V>(
    r: &mut RowReader,
    values: impl FnOnce(&mut RowReader) -> Option<V>,
) -> Option<DatedRow<V>> {
    let person = r.person();
    let name = name_to_check(r);
    let occurred_on = r.date("occurred_on");
    let values = values(r);
    let external_ref = r
        .text("external_ref")
        .and_then(|x| r.check("external_ref", parse_external_ref(&x)));
    let person = person?;
    Some(DatedRow {
        row: r.number(),
        employee_id: match person {
            PersonRef::Id(id) => id,
            _ => 0,
        },
        person,
        name,
        occurred_on: occurred_on?,
        external_ref: external_ref?,
        values: values?,
    })
}

/// Sales records: `employee_id, occurred_on, amount, external_ref`.
pub fn sales(upload: &Upload) -> Parsed<DatedRow<Sale>> {
    let known = known(&["occurred_on", "amount", "amount_yuan", "external_ref"]);
    let spec = Spec {
        known: &known,
        required: &[
            &PERSON_COLUMNS,
            &["occurred_on"],
            &["amount_yuan", "amount"],
            &["external_ref"],
        ],
        person: &PERSON_COLUMNS,
    };
    parse_rows(upload, &spec, |r| {
        dated(r, |r| {
            let amount = r.amount();
            Some(Sale { amount: amount? })
        })
    })
}

/// Satisfaction responses: `employee_id, occurred_on, rating, channel, external_ref`.
pub fn satisfaction(upload: &Upload) -> Parsed<DatedRow<Response>> {
    let known = known(&["occurred_on", "rating", "channel", "external_ref"]);
    let spec = Spec {
        known: &known,
        required: &[
            &PERSON_COLUMNS,
            &["occurred_on"],
            &["rating"],
            &["channel"],
            &["external_ref"],
        ],
        person: &PERSON_COLUMNS,
    };
    parse_rows(upload, &spec, |r| {
        dated(r, |r| {
            let rating = r
                .int("rating")
                .and_then(|v| r.check("rating", parse_rating(v)));
            let channel = r
                .text("channel")
                .and_then(|c| r.check("channel", parse_channel(&c)));
            Some(Response {
                rating: rating?,
                channel: channel?,
            })
        })
    })
}
