//! sea-orm entities, one module per table. Private to the crate: repositories turn rows into the
//! domain's types. The tables themselves are made by `migration` (the schema builder), not from
//! these entities. Statuses and kinds are stored as their lower-case names; money as [`Amount`];
//! JSON as verbatim text (never re-read through a binary float).

#![allow(clippy::enum_variant_names)]

pub(crate) mod clients {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "clients")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: String,
        pub name: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod periods {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "periods")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        /// `YYYY-MM`.
        pub period: String,
        pub status: String,
        pub closed_by: Option<String>,
        pub closed_at: Option<DateTimeUtc>,
        pub sent_by: Option<String>,
        pub sent_at: Option<DateTimeUtc>,
        /// The staging whose entries are the period's current ones.
        pub staging_id: Option<i64>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod source_cursors {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "source_cursors")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub client_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub source: String,
        pub cursor: String,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod events {
    use sea_orm::entity::prelude::*;

    use crate::codec::Amount;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        pub source: String,
        pub source_id: String,
        /// The canonical JSON line, as `write_event_line` wrote it.
        pub raw: String,
        pub kind: String,
        pub loan: String,
        pub product: String,
        pub value_date: Date,
        pub amount: Amount,
        pub currency: String,
        pub received_at: DateTimeUtc,
        pub period_id: Option<i64>,
        pub booked_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod stagings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "stagings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        pub period_id: i64,
        pub detail_level: String,
        pub started_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
        pub entries: i64,
        pub lines: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod staged_entries {
    use sea_orm::entity::prelude::*;

    use crate::codec::Amount;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "staged_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub staging_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub entry_no: i32,
        pub client_id: String,
        pub period_id: i64,
        pub key: String,
        /// A loan-level entry kept for drill-down under a summarized one.
        pub is_detail: bool,
        /// For a detail entry, the `entry_no` of the entry it is summarized into.
        pub summary_no: Option<i32>,
        /// For a summarized entry, how many detail entries follow it.
        pub detail_count: i32,
        pub date: Date,
        pub kind: String,
        pub currency: String,
        pub memo: String,
        pub postable: bool,
        pub detail_level: String,
        pub total: Amount,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod staged_lines {
    use sea_orm::entity::prelude::*;

    use crate::codec::Amount;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "staged_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub staging_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub entry_no: i32,
        #[sea_orm(primary_key, auto_increment = false)]
        pub line_no: i32,
        pub side: String,
        pub role: String,
        pub account: String,
        pub amount: Amount,
        pub product: String,
        pub office: Option<String>,
        pub loan: Option<String>,
        /// JSON array of event ids.
        pub event_ids: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod postings {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "postings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        pub period_id: i64,
        pub entry_key: String,
        pub status: String,
        pub retryable: bool,
        pub external_ref: Option<String>,
        pub attempts: i32,
        /// Claims since the posting was created or put back by `retry_failed` (what
        /// `max_attempts` caps; migration 000003).
        pub tries_since_retry: i32,
        pub last_error: Option<String>,
        pub claimed_by: Option<String>,
        pub lease_until: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub posted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod problems {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "problems")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        pub period_id: i64,
        pub code: String,
        pub severity: String,
        pub sentence: String,
        pub fix: String,
        pub event_id: Option<String>,
        pub product: Option<String>,
        pub role: Option<String>,
        pub account: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod job_runs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "job_runs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        pub kind: String,
        pub business_date: Date,
        pub partition: i32,
        pub status: String,
        pub attempts: i32,
        pub owner: Option<String>,
        pub last_error: Option<String>,
        pub started_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod reconciliation_runs {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reconciliation_runs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub client_id: String,
        pub as_of: Date,
        pub created_at: DateTimeUtc,
        /// The run's JSON, verbatim.
        pub result: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod audit_log {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub at: DateTimeUtc,
        pub actor: String,
        pub action: String,
        pub client_id: Option<String>,
        pub subject: String,
        pub before: Option<String>,
        pub after: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub(crate) mod accrual_states {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "accrual_states")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub client_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub loan: String,
        pub product: String,
        pub fingerprint: String,
        pub accrued_through: Option<Date>,
        pub active: bool,
        /// The engine's `AccrualState` as JSON text.
        pub state: String,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
