//! JSON: DESIGN.md section 12's document, pretty-printed, amounts as decimal strings. It is the
//! reconciliation's own serde form, so the document the store keeps per run reads back with
//! [`parse`] and renders again in any format.

use tieout_engine::reconcile::Reconciliation;

use crate::ReportError;

pub fn render(reconciliation: &Reconciliation) -> Result<String, ReportError> {
    // Plain data with string keys: serializing does not fail in practice, but if it ever did the
    // caller hears of it rather than getting an empty document.
    let mut text = serde_json::to_string_pretty(reconciliation).map_err(|e| ReportError::Json(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// Reads a document [`render`] (or the store) wrote.
pub fn parse(text: &str) -> Result<Reconciliation, ReportError> {
    serde_json::from_str(text).map_err(|e| ReportError::NotAReconciliation(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn the_document_has_designs_shape_and_reads_back() {
        let r = fixture::reconciliation();
        let text = render(&r).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        for key in ["as_of", "client", "accounts", "differences_total"] {
            assert!(value.get(key).is_some(), "{key} missing: {text}");
        }
        assert_eq!(value["differences_total"], "1145.00");
        for account in value["accounts"].as_array().unwrap() {
            for key in ["account", "servicing", "ledger", "sink", "difference", "explained"] {
                assert!(account.get(key).is_some(), "{key} missing in {account}");
            }
            for key in ["ledger", "sink", "difference", "explained"] {
                assert!(account[key].is_string(), "{key} is a decimal string: {account}");
            }
        }
        assert_eq!(parse(&text).unwrap(), r);
        assert!(matches!(parse("{\"as_of\": 3}"), Err(ReportError::NotAReconciliation(_))));
    }
}
