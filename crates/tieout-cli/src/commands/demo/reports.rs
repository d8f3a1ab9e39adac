//! The demo's reports: one set per month under `DIR/reports/YYYY-MM/`, in every format.

use std::fs;
use std::path::Path;

use anyhow::Context;
use tieout_engine::reconcile::Reconciliation;
use tieout_report::Format;
use tieout_store::YearMonth;

/// Writes `reconciliation.<format>` for every format, and `loans.csv` (the drill-down).
pub fn write(reports: &Path, period: YearMonth, reconciliation: &Reconciliation) -> anyhow::Result<()> {
    let dir = reports.join(period.to_string());
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for format in Format::ALL {
        let bytes = tieout_report::render(reconciliation, format)
            .with_context(|| format!("rendering the {format} reconciliation of {period}"))?;
        let path = dir.join(format!("reconciliation.{}", format.extension()));
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let path = dir.join("loans.csv");
    fs::write(&path, tieout_report::csv::loans(reconciliation)).with_context(|| format!("writing {}", path.display()))
}
