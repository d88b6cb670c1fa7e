//! A JSON array of objects, read an item at a time: an item's fields are kept only when
//! they are plain values (a string, a number, a boolean or null), at most
//! [`super::MAX_COLUMNS`] of them; arrays and objects inside an item are skipped as they
//! are read, never built. So a body of a million tiny items, or one item holding a huge
//! array, costs no more than the rows the limits allow.

use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Cell, Collector, MAX_COLUMNS};
use crate::domain::problem::Problem;
use crate::error::AppError;

/// The rows of a JSON array into `rows`; its first item is row 2.
pub(super) fn read(bytes: &[u8], rows: &mut Collector) -> Result<(), AppError> {
    let mut stop = None;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let read = deserializer
        .deserialize_any(Items {
            rows: &mut *rows,
            stop: &mut stop,
        })
        .and_then(|()| deserializer.end());
    if let Some(stop) = stop {
        return Err(stop);
    }
    read.map_err(|e| {
        AppError::BadRequest(Problem::MalformedJson {
            line: e.line(),
            column: e.column(),
        })
    })
}

/// The array; `stop` holds the refusal that ended reading early.
struct Items<'a> {
    rows: &'a mut Collector,
    stop: &'a mut Option<AppError>,
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let mut number = 1;
        loop {
            number += 1;
            let item = Item {
                cells: Vec::new(),
                text: Ok(()),
                rows: &mut *self.rows,
            };
            match items.next_element_seed(item)? {
                None => return Ok(()),
                Some(Kept::Row(cells)) => {
                    if let Err(e) = self.rows.json_row(number, cells) {
                        *self.stop = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                }
                Some(Kept::Refused(problem)) => {
                    if let Err(e) = self.rows.unreadable_row(number, problem) {
                        *self.stop = Some(e);
                        return Err(de::Error::custom("stopped"));
                    }
                }
                Some(Kept::Stopped(e)) => {
                    *self.stop = Some(e);
                    return Err(de::Error::custom("stopped"));
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        *self.stop = Some(AppError::validation("body", Problem::NotJsonArray));
        Err(de::Error::custom("not an array"))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.not_array()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.not_array()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.not_array()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.not_array()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_array()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.not_array()
    }
}

impl Items<'_> {
    fn not_array<E: de::Error>(self) -> Result<(), E> {
        *self.stop = Some(AppError::validation("body", Problem::NotJsonArray));
        Err(E::custom("not an array"))
    }
}

/// What one item gave.
enum Kept {
    Row(Vec<(Arc<str>, Cell)>),
    Refused(Problem),
    Stopped(AppError),
}

struct Item<'a> {
    cells: Vec<(Arc<str>, Cell)>,
    text: Result<(), AppError>,
    rows: &'a mut Collector,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = Kept;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Kept, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = Kept;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut fields: A) -> Result<Kept, A::Error> {
        let mut too_many = false;
        while let Some(key) = fields.next_key::<String>()? {
            if too_many || self.cells.len() >= MAX_COLUMNS {
                too_many = true;
                fields.next_value::<IgnoredAny>()?;
                continue;
            }
            let value = fields.next_value::<Scalar>()?.0;
            let cell = match value {
                Value::String(s) => match self.rows.text(&s) {
                    Ok(Cell::Text(t)) => Cell::Json(Value::String(t)),
                    Ok(other) => other,
                    Err(e) => {
                        self.text = Err(e);
                        Cell::TooLong
                    }
                },
                other => Cell::Json(other),
            };
            let key: Arc<str> = Arc::from(key);
            // A key given twice keeps its last value, as a JSON object would.
            self.cells.retain(|(k, _)| *k != key);
            self.cells.push((key, cell));
        }
        if let Err(e) = self.text {
            return Ok(Kept::Stopped(e));
        }
        Ok(if too_many {
            Kept::Refused(Problem::RowTooManyFields)
        } else {
            Kept::Row(self.cells)
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Kept, A::Error> {
        while items.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Kept::Refused(Problem::RowNotObject))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Kept, E> {
        Ok(Kept::Refused(Problem::RowNotObject))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Kept, E> {
        Ok(Kept::Refused(Problem::RowNotObject))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Kept, E> {
        Ok(Kept::Refused(Problem::RowNotObject))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Kept, E> {
        Ok(Kept::Refused(Problem::RowNotObject))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Kept, E> {
        Ok(Kept::Refused(Problem::RowNotObject))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Kept, E> {
        Ok(Kept::Refused(Problem::RowNotObject))
    }
}

/// A field's value: kept when plain; an array or object is read past and stands as an empty
/// one.
struct Scalar(Value);

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Scalar, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(Value::String(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Scalar, A::Error> {
        while items.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar(Value::Array(Vec::new())))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Scalar, A::Error> {
        while fields.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar(Value::Object(serde_json::Map::new())))
    }
}
