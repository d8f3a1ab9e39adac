//! Why a report could not be rendered.

/// A rendering failure. None is transient: rendering the same reconciliation again fails the
/// same way ([`ReportError::is_retryable`] is false).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The XLSX writer refused the workbook (a sheet over Excel's limits, for example).
    #[error("the XLSX report could not be written: {0}; use --format csv or html for this reconciliation")]
    Xlsx(String),
    /// The JSON writer refused the document (a bug: it is plain data).
    #[error("the JSON report could not be written: {0}; please report this as a bug")]
    Json(String),
    /// A stored run's document is not a reconciliation.
    #[error("not a reconciliation document: {0}; it must be the JSON `tieout reconcile --format json` writes")]
    NotAReconciliation(String),
}

impl ReportError {
    pub fn is_retryable(&self) -> bool {
        false
    }
}
