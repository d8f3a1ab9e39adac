//! An inline SVG bar chart of the differences per account: one bar per account that differs,
//! drawn from a zero axis (left for negative, right for positive), red when Tieout cannot explain
//! the difference, amber when the remainder is within the tolerance, grey when it is explained.
//! Lengths are whole pixels computed with decimals.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use tieout_engine::reconcile::Reconciliation;

use super::escape::escape;
use crate::table::status;

const LABEL_WIDTH: u32 = 300;
const HALF: u32 = 200;
const BAR_HEIGHT: u32 = 18;
const GAP: u32 = 8;

pub(crate) fn bar_chart(r: &Reconciliation) -> String {
    let rows: Vec<_> = r.accounts.iter().filter(|a| !a.difference.is_zero()).collect();
    if rows.is_empty() {
        return "<p class=\"none\">No account differs.</p>".to_owned();
    }
    let max = rows.iter().map(|a| a.difference.abs()).max().unwrap_or(Decimal::ONE);
    let width = LABEL_WIDTH + 2 * HALF + 120;
    let height = (BAR_HEIGHT + GAP) * rows.len() as u32 + GAP;
    let axis = LABEL_WIDTH + HALF;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title\" width=\"{width}\" \
         height=\"{height}\" viewBox=\"0 0 {width} {height}\"><title id=\"chart-title\">Differences per account</title>"
    );
    let _ = write!(svg, "<line x1=\"{axis}\" y1=\"0\" x2=\"{axis}\" y2=\"{height}\" class=\"axis\"/>");
    for (i, a) in rows.iter().enumerate() {
        let y = GAP + i as u32 * (BAR_HEIGHT + GAP);
        let length = (a.difference.abs() * Decimal::from(HALF) / max).round().to_u32().unwrap_or(HALF).clamp(1, HALF);
        let x = if a.difference.is_sign_negative() { axis - length } else { axis };
        let class = match status(a, r.tolerance) {
            "unexplained" => "bar unexplained",
            "within tolerance" => "bar tolerated",
            _ => "bar explained",
        };
        let label = format!("{} ({})", a.account, a.currency);
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}</text>\
             <rect x=\"{x}\" y=\"{y}\" width=\"{length}\" height=\"{BAR_HEIGHT}\" class=\"{class}\"><title>{}: {} {}</title></rect>\
             <text x=\"{}\" y=\"{}\" class=\"value\">{}</text>",
            LABEL_WIDTH - 8,
            y + BAR_HEIGHT - 5,
            escape(&label),
            escape(&label),
            a.difference,
            a.currency,
            axis + HALF + 8,
            y + BAR_HEIGHT - 5,
            a.difference,
        );
    }
    svg.push_str("</svg>");
    svg
}
