//! HTML: one self-contained page — inline style, inline SVG, no script, no external asset —
//! that a browser opens from disk or an email attachment. Every value is escaped. Rows whose
//! difference Tieout cannot explain are highlighted; each difference cell is marked.

mod chart;
mod escape;

use std::fmt::Write as _;

use tieout_engine::reconcile::{AccountRow, Reconciliation};

pub use escape::escape;

use crate::table::{Cell, Table, loan_table, status, unresolved_table};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem;color:#1d2433}\
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.15rem;margin-top:2rem}\
.meta{color:#5b6478;margin-top:0}\
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d8dce6;border-radius:6px;padding:.75rem 1rem}\
.card b{display:block;font-size:1.25rem}.card.bad b{color:#b42318}.card.good b{color:#067647}\
table{border-collapse:collapse;margin-top:.5rem;font-size:.9rem}\
th,td{border:1px solid #d8dce6;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
td.diff{font-weight:600;background:#fff4e5}tr.unexplained td{background:#fde8e8}tr.unexplained td.diff{color:#b42318}\
tr.tolerated td.diff{background:#fef7c3}ul.why{margin:0;padding-left:1rem}\
.axis{stroke:#5b6478;stroke-width:1}.label,.value{font-size:12px;fill:#1d2433}\
.bar.unexplained{fill:#d92d20}.bar.tolerated{fill:#f79009}.bar.explained{fill:#98a2b3}\
.none{color:#067647}";

/// The page.
pub fn render(r: &Reconciliation) -> String {
    let mut page = String::with_capacity(16 * 1024);
    let title = format!("Reconciliation of {} as of {}", r.client, r.as_of);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n\
         <p class=\"meta\">Servicing balances mapped to accounts, Tieout's ledger and the accounting package's trial \
         balance. Amounts are debits minus credits; difference = servicing − sink where the account carries \
         servicing balances, else ledger − sink.</p>\n",
        t = escape(&title),
    );
    let alerts = r.alerts();
    let card = |class: &str, label: &str, value: String| {
        format!("<div class=\"card {class}\"><span>{}</span><b>{}</b></div>", escape(label), escape(&value))
    };
    let verdict = if alerts == 0 { "good" } else { "bad" };
    let _ = writeln!(
        page,
        "<div class=\"cards\">{}{}{}{}</div>",
        card("", "Loans", r.loans.to_string()),
        card("", "Differences (sum of absolute values)", r.differences_total.to_string()),
        card(verdict, "Unexplained", r.unexplained_total.to_string()),
        card(verdict, "Alerts", alerts.to_string()),
    );
    let _ = write!(page, "<h2>Differences per account</h2>\n{}\n", chart::bar_chart(r));
    page.push_str("<h2>Accounts</h2>\n");
    accounts(&mut page, r);
    if !r.unresolved.is_empty() {
        page.push_str("<h2>Servicing balances on no account</h2>\n");
        table(&mut page, &unresolved_table(r));
    }
    if !r.drill_down.is_empty() {
        page.push_str("<h2>Loans behind the differences</h2>\n");
        for d in &r.drill_down {
            let _ = writeln!(
                page,
                "<p>{} ({}): {} loan(s) differ from what was posted, {} with a remainder nothing explains{}.</p>",
                escape(d.account.as_str()),
                d.currency,
                d.loans_differing,
                d.loans_unexplained,
                if (d.loans.len() as u64) < d.loans_differing {
                    format!("; the {} largest are listed", d.loans.len())
                } else {
                    String::new()
                },
            );
        }
        table(&mut page, &loan_table(r));
    }
    page.push_str("</body></html>\n");
    page
}

fn accounts(page: &mut String, r: &Reconciliation) {
    page.push_str(
        "<table><thead><tr><th>Account</th><th>Currency</th><th>Servicing</th><th>Ledger (posted)</th>\
         <th>Staged</th><th>Failed</th><th>Backdated</th><th>Sink</th><th>Difference</th><th>Explained</th>\
         <th>Unexplained</th><th>Why</th></tr></thead><tbody>\n",
    );
    for a in &r.accounts {
        let class = match status(a, r.tolerance) {
            "unexplained" => "unexplained",
            "within tolerance" => "tolerated",
            _ => "",
        };
        let _ = write!(page, "<tr class=\"{class}\"><td>{}</td><td>{}</td>", escape(a.account.as_str()), a.currency);
        let amount = |value: Option<rust_decimal::Decimal>| value.map(|v| v.to_string()).unwrap_or_default();
        for value in [a.servicing, Some(a.ledger), Some(a.staged), Some(a.failed), Some(a.backdated), Some(a.sink)] {
            let _ = write!(page, "<td class=\"num\">{}</td>", escape(&amount(value)));
        }
        let diff_class = if a.difference.is_zero() { "num" } else { "num diff" };
        let _ = write!(page, "<td class=\"{diff_class}\">{}</td>", a.difference);
        let _ = write!(page, "<td class=\"num\">{}</td>", a.explained);
        let rest_class = if a.unexplained.is_zero() { "num" } else { "num diff" };
        let _ = writeln!(page, "<td class=\"{rest_class}\">{}</td><td>{}</td></tr>", a.unexplained, why(a));
    }
    page.push_str("</tbody></table>\n");
}

/// The explanations as a list, each with what to do.
fn why(a: &AccountRow) -> String {
    if a.explanations.is_empty() {
        return String::new();
    }
    let mut out = String::from("<ul class=\"why\">");
    for e in &a.explanations {
        let _ = write!(out, "<li title=\"{}\">{} {}</li>", escape(e.kind.advice()), escape(e.kind.label()), e.amount);
    }
    out.push_str("</ul>");
    out
}

fn table(page: &mut String, t: &Table) {
    page.push_str("<table><thead><tr>");
    for h in &t.headers {
        let _ = write!(page, "<th>{}</th>", escape(h));
    }
    page.push_str("</tr></thead><tbody>\n");
    for row in &t.rows {
        page.push_str("<tr>");
        for cell in row {
            let class = if matches!(cell, Cell::Text(_)) { "" } else { " class=\"num\"" };
            let _ = write!(page, "<td{class}>{}</td>", escape(&cell.plain()));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    #[test]
    fn the_page_is_self_contained_escaped_and_highlights_differences() {
        let r = fixture::reconciliation();
        let page = render(&r);
        assert!(page.starts_with("<!DOCTYPE html>"));
        // Self-contained: no external reference, no script.
        for needle in ["<script", "<link", "src=", "@import", "url("] {
            assert!(!page.contains(needle), "{needle} in the page");
        }
        assert!(!page.contains("href="), "no links");
        // Escaped: the hostile account name and the account with markup in it are text.
        assert!(!page.contains(fixture::HOSTILE) && page.contains("=HYPERLINK(&quot;http://evil.example&quot;"));
        assert!(page.contains("Assets:Penalties &lt;receivable&gt; &amp; co"), "escaped");
        assert!(!page.contains("<receivable>"));
        // The unexplained row is highlighted; the manual journal is explained.
        assert!(page.contains("<tr class=\"unexplained\"><td>=HYPERLINK"), "{page}");
        assert!(page.contains("posted outside Tieout -75.00"));
        assert!(page.contains("<td class=\"num diff\">-75.00</td>"));
        // A bar per differing account: Loans, Cash, the hostile one.
        assert!(page.contains("<svg") && page.matches("<rect ").count() == 3, "{page}");
        assert!(page.contains("class=\"bar unexplained\""));
        assert!(page.contains("Loans behind the differences") && page.contains("<td>-L-2</td>"));
        assert!(page.contains("Servicing balances on no account") && page.contains("fee_receivable"));
    }

    #[test]
    fn a_tied_book_says_so() {
        let mut r = fixture::reconciliation();
        r.accounts.retain(|a| a.difference.is_zero());
        r.unresolved.clear();
        r.drill_down.clear();
        let page = render(&r);
        assert!(page.contains("No account differs."));
        assert!(!page.contains("<svg"));
    }
}
