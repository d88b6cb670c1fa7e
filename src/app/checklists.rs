//! Inspection checklists: created and edited by HR. A version that an inspection used never
//! changes: editing it makes a new version (and the old one stops being current); an unused
//! version is edited in place.

use serde::Deserialize;
use utoipa::ToSchema;

use super::App;
use crate::auth::Caller;
use crate::domain::checklist::{ChecklistDraft, ItemInput, CHECKLIST_NAME_MAX};
use crate::domain::text::name_schema;
use crate::error::AppError;
use crate::store::checklists::{self, ChecklistWithItems};

/// Item titles are unique within a checklist (ignoring case).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChecklistInput {
    #[schema(schema_with = name_schema::<CHECKLIST_NAME_MAX, false>)]
    pub name: String,
    #[schema(min_items = 1, max_items = 50)]
    pub items: Vec<ItemInput>,
}

impl App {
    pub async fn create_checklist(
        &self,
        caller: &Caller,
        input: ChecklistInput,
    ) -> Result<ChecklistWithItems, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let draft = ChecklistDraft::parse(&input.name, &input.items).map_err(AppError::from)?;
        self.write(caller, move |tx, me| checklists::create(tx, me.id, &draft))
            .await
    }

    /// Retires the checklist (its current version): no longer offered to inspectors.
    pub async fn retire_checklist(
        &self,
        caller: &Caller,
        id: i32,
    ) -> Result<ChecklistWithItems, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        self.write(caller, move |tx, me| checklists::retire(tx, me.id, id))
            .await
    }

    /// Answers the version that now holds the edit: the same id when no inspection used
    /// it, a new version otherwise.
    pub async fn edit_checklist(
        &self,
        caller: &Caller,
        id: i32,
        input: ChecklistInput,
    ) -> Result<ChecklistWithItems, AppError> {
        super::allowed(caller, &[crate::domain::user::Role::Hr])?;
        let draft = ChecklistDraft::parse(&input.name, &input.items).map_err(AppError::from)?;
        self.write(caller, move |tx, me| {
            checklists::edit(tx, me.id, id, &draft)
        })
        .await
    }
}
