//! The integration plan (`tieout plan`) as Markdown or as one self-contained HTML page (inline
//! CSS, no JavaScript). Every value from the config or the two systems goes through an escaping
//! function: a product called `<b>` prints as text in both formats.

use tieout_core::role::Role;
use tieout_period::{LegLine, OverrideCheck, OverrideScope, Plan, ProductPlan, RuleOrigin, TransactionLine};
use tieout_store::Severity;

/// A block of the plan: the same structure is written as Markdown or HTML.
enum Block {
    Heading(u8, String),
    Paragraph(String),
    Bullets(Vec<String>),
    /// Headers and rows; a cell may hold several values, one per line.
    Table(Vec<&'static str>, Vec<Vec<Vec<String>>>),
}

/// The plan as Markdown (GitHub flavour: tables; several values in a cell separated by `<br>`).
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    for block in blocks(plan) {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("{} {}\n\n", "#".repeat(usize::from(level)), md(&text)));
            }
            Block::Paragraph(text) => out.push_str(&format!("{}\n\n", md(&text))),
            Block::Bullets(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", md(&item)));
                }
                out.push('\n');
            }
            Block::Table(headers, rows) => {
                out.push_str(&format!("| {} |\n", headers.join(" | ")));
                out.push_str(&format!("|{}\n", " --- |".repeat(headers.len())));
                for row in rows {
                    let cells: Vec<String> =
                        row.iter().map(|cell| cell.iter().map(|v| md(v)).collect::<Vec<_>>().join("<br>")).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// The plan as one HTML page with its style inline and no script.
pub fn html(plan: &Plan) -> String {
    let mut out = Html::default();
    out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    out.text(&format!("Integration plan: {}", plan.client));
    out.raw("</title>\n<style>\n");
    out.raw(STYLE);
    out.raw("</style>\n</head>\n<body>\n");
    for block in blocks(plan) {
        match block {
            Block::Heading(level, text) => {
                let (open, close) = match level {
                    1 => ("<h1>", "</h1>\n"),
                    2 => ("<h2>", "</h2>\n"),
                    3 => ("<h3>", "</h3>\n"),
                    _ => ("<h4>", "</h4>\n"),
                };
                out.element(open, &text, close);
            }
            Block::Paragraph(text) => out.element("<p>", &text, "</p>\n"),
            Block::Bullets(items) => {
                out.raw("<ul>\n");
                for item in items {
                    out.element("<li>", &item, "</li>\n");
                }
                out.raw("</ul>\n");
            }
            Block::Table(headers, rows) => {
                out.raw("<table>\n<thead><tr>");
                for header in headers {
                    out.element("<th>", header, "</th>");
                }
                out.raw("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.raw("<tr>");
                    for cell in row {
                        // One value per line; `white-space: pre-line` shows the line breaks.
                        out.element("<td>", &cell.join("\n"), "</td>");
                    }
                    out.raw("</tr>\n");
                }
                out.raw("</tbody>\n</table>\n");
            }
        }
    }
    out.raw("</body>\n</html>\n");
    out.0
}

const STYLE: &str = "body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; \
line-height: 1.4; }
h1 { border-bottom: 2px solid #444; }
h2 { margin-top: 2rem; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; \
white-space: pre-line; }
th { background: #f0f0f0; }
tbody tr:nth-child(even) { background: #fafafa; }
";

/// HTML being written: markup only from literals ([`Html::raw`] takes `&'static str`), every
/// other value escaped.
#[derive(Default)]
struct Html(String);

impl Html {
    fn raw(&mut self, markup: &'static str) {
        self.0.push_str(markup);
    }

    fn text(&mut self, text: &str) {
        self.0.push_str(&escape_html(text));
    }

    fn element(&mut self, open: &'static str, text: &str, close: &'static str) {
        self.raw(open);
        self.text(text);
        self.raw(close);
    }
}

/// Text as HTML content or attribute value.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text as Markdown that renders as itself: no HTML, emphasis, code, link or table syntax, on one
/// line. Underscores are kept (role names are snake_case, and an underscore inside a word is no
/// emphasis).
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '*' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn blocks(plan: &Plan) -> Vec<Block> {
    let mut b = vec![
        Block::Heading(1, format!("Integration plan: {}", plan.client)),
        Block::Paragraph(format!(
            "How Tieout links the servicing system ({}) and the accounting package ({}) for {}: which transactions \
             are automated, how each product's transactions map to the chart of accounts, how often data moves, and \
             what is still missing. For review and approval before the automation goes live; written by tieout \
             plan from the client's configuration and what both systems report.",
            plan.source, plan.sink, plan.client
        )),
    ];
    if !plan.unread.is_empty() {
        b.push(Block::Paragraph("This plan is partial:".to_owned()));
        b.push(Block::Bullets(plan.unread.clone()));
    }
    b.push(Block::Heading(2, "Systems".to_owned()));
    let yes_no = |v: bool| if v { "yes" } else { "no" }.to_owned();
    b.push(Block::Table(
        vec!["item", "value"],
        vec![
            vec![vec!["Client".into()], vec![plan.client.clone()]],
            vec![vec!["Servicing system (source)".into()], vec![plan.source.clone()]],
            vec![vec!["Accounting package (sink)".into()], vec![plan.sink.clone()]],
            vec![vec!["Posting rules".into()], vec![format!("{}: {}", plan.rule_set, plan.rule_set_description)]],
            vec![vec!["Mapping file".into()], vec![plan.mapping_file.clone()]],
            vec![vec!["Time zone".into()], vec![plan.time_zone.clone()]],
            vec![vec!["Detail level".into()], vec![format!("{} ({})", plan.detail, detail_meaning(&plan.detail))]],
            vec![vec!["Separation of duties".into()], vec![yes_no(plan.separation_of_duties)]],
        ],
    ));

    b.push(Block::Heading(2, "How records link".to_owned()));
    b.push(Block::Bullets(vec![
        "Each servicing transaction is read as a canonical event: its id, loan, product, office, kind, value date, \
         currency and portions (principal, interest, fee, penalty, overpayment)."
            .to_owned(),
        "Each journal line carries a role; the mapping turns the role into an account of the chart: by charge, then \
         payment type, then product, then the client-wide accounts."
            .to_owned(),
        "Each entry carries a key derived from the client, the source, its events, the rule set and its position; \
         the accounting package stores it with the entry, so an entry is found again after a failure and is never \
         posted twice."
            .to_owned(),
        "Offices are passed to the accounting package as the dimensions listed below.".to_owned(),
    ]));

    transactions(plan, &mut b);
    for product in &plan.products {
        product_blocks(product, &plan.overrides, &mut b);
    }
    overrides_and_offices(plan, &mut b);
    frequency(plan, &mut b);
    gaps(plan, &mut b);
    b
}

fn detail_meaning(detail: &str) -> &'static str {
    match detail {
        "loan" => "one entry per event",
        "product-day" => "one entry per product, office, kind and day",
        "product-month" => "one entry per product, office, kind and month",
        _ => "see docs/month-close.md",
    }
}

fn ids(products: &[tieout_core::ids::ProductId]) -> Vec<String> {
    products.iter().map(ToString::to_string).collect()
}

fn transactions(plan: &Plan, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "Transactions".to_owned()));
    let (automated, manual): (Vec<&TransactionLine>, Vec<&TransactionLine>) =
        plan.transactions.iter().partition(|t| t.is_automated());
    b.push(Block::Heading(3, "Automated: journalized and sent to the accounting package".to_owned()));
    if automated.is_empty() {
        b.push(Block::Paragraph("None: no product has an accounting rule that posts.".to_owned()));
    } else {
        let rows = automated
            .iter()
            .map(|t| {
                let mut posted = ids(&t.posted);
                posted.extend(t.mirrored.iter().map(|p| format!("{p} (mirror of the reversed entry)")));
                vec![vec![t.kind.to_string()], posted, ids(&t.no_entry), t.notes.clone()]
            })
            .collect();
        b.push(Block::Table(vec!["event kind", "posted for", "no entry for", "notes"], rows));
    }
    b.push(Block::Heading(3, "Not journalized".to_owned()));
    if manual.is_empty() {
        b.push(Block::Paragraph("Every kind the products' rules know posts for at least one product.".to_owned()));
    } else {
        b.push(Block::Paragraph(
            "These kinds are read from the servicing system but book no entry under the products' rules (term \
             changes recompute future accruals; accounting rule none books nothing)."
                .to_owned(),
        ));
        let rows = manual.iter().map(|t| vec![vec![t.kind.to_string()], ids(&t.no_entry), t.notes.clone()]).collect();
        b.push(Block::Table(vec!["event kind", "no entry for", "notes"], rows));
    }
}

fn product_blocks(product: &ProductPlan, overrides: &[OverrideCheck], b: &mut Vec<Block>) {
    let p = &product.check;
    b.push(Block::Heading(2, format!("Product {} ({})", p.id, p.name)));
    let rule = match p.rule {
        Some(rule) => format!("{rule} (from the {})", p.rule_origin.as_str()),
        None => "none in the mapping: a gap".to_owned(),
    };
    let mut facts = vec![format!("Accounting rule: {rule}.")];
    if let Some(own) = p.source_rule {
        facts.push(format!("The servicing system's own rule: {own}."));
    }
    if p.rule_origin == RuleOrigin::Missing
        && let Some(own) = p.source_rule
    {
        facts.push(format!("The tables below are for the servicing system's rule, {own}."));
    }
    if let Some(currency) = p.currency {
        facts.push(format!("Currency: {currency}."));
    }
    facts.push(format!("Accrual activity posting: {}.", if p.accrual_activity_posting { "on" } else { "off" }));
    b.push(Block::Bullets(facts));

    b.push(Block::Heading(3, "Accounts".to_owned()));
    if p.roles.is_empty() {
        b.push(Block::Paragraph("No roles: the product has no accounting rule that posts.".to_owned()));
    } else {
        let rows = p
            .roles
            .iter()
            .map(|r| {
                let (account, from) = match (&r.account, r.product_override) {
                    (Some(a), true) => (a.to_string(), format!("[products.{}]", p.id)),
                    (Some(a), false) => (a.to_string(), "[accounts]".to_owned()),
                    (None, _) => ("MISSING".to_owned(), "not mapped".to_owned()),
                };
                vec![vec![r.role.to_string()], vec![account], vec![from], overrides_of(r.role, overrides)]
            })
            .collect();
        b.push(Block::Table(vec!["role", "account", "set in", "overridden by"], rows));
    }

    b.push(Block::Heading(3, "Rule table".to_owned()));
    if product.postings.is_empty() {
        b.push(Block::Paragraph("No rule table: the product has no accounting rule.".to_owned()));
        return;
    }
    let rows = product
        .postings
        .iter()
        .map(|l| {
            let (debits, credits) = match &l.instead {
                Some(instead) => (vec![instead.clone()], Vec::new()),
                None => (legs(&l.debits), legs(&l.credits)),
            };
            vec![vec![l.kind.clone()], vec![l.when.clone()], debits, credits, vec![l.note.clone()]]
        })
        .collect();
    b.push(Block::Table(vec!["event kind", "when", "debit", "credit", "note"], rows));
}

fn legs(legs: &[LegLine]) -> Vec<String> {
    legs.iter()
        .map(|l| {
            let account = l.account.as_ref().map_or_else(|| "MISSING".to_owned(), ToString::to_string);
            format!("{} ({}) → {account}", l.role, l.amount)
        })
        .collect()
}

/// The payment-type or charge accounts that take over a role for some events.
fn overrides_of(role: Role, overrides: &[OverrideCheck]) -> Vec<String> {
    overrides.iter().filter(|o| o.role == role).map(|o| format!("{}: {}", o.describe(), o.account)).collect()
}

fn overrides_and_offices(plan: &Plan, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "Overrides by payment type and charge".to_owned()));
    if plan.overrides.is_empty() {
        b.push(Block::Paragraph("None: every product's accounts apply to every event.".to_owned()));
    } else {
        let rows = plan
            .overrides
            .iter()
            .map(|o| {
                let (scope, key) = match &o.scope {
                    OverrideScope::PaymentType(p) => ("payment type", p.to_string()),
                    OverrideScope::Charge(c) => ("charge", c.to_string()),
                };
                vec![vec![scope.to_owned()], vec![key], vec![o.role.to_string()], vec![o.account.to_string()]]
            })
            .collect();
        b.push(Block::Table(vec!["by", "name", "role", "account"], rows));
    }
    b.push(Block::Heading(2, "Offices and dimensions".to_owned()));
    if plan.offices.is_empty() {
        b.push(Block::Paragraph("None: entries carry no dimensions.".to_owned()));
    } else {
        let rows = plan
            .offices
            .iter()
            .map(|(office, dims)| {
                vec![vec![office.clone()], dims.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>()]
            })
            .collect();
        b.push(Block::Table(vec!["office", "dimensions"], rows));
    }
}

fn frequency(plan: &Plan, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "How often data moves".to_owned()));
    let approver = if plan.separation_of_duties {
        "by a different user than the one who closed it (separation of duties)"
    } else {
        "by any user allowed to send, also the one who closed it"
    };
    b.push(Block::Bullets(vec![
        "Month close is started by a user: Close month syncs both systems and proposes the month's entries with \
         every problem and its fix; nothing reaches the accounting package until Send."
            .to_owned(),
        format!("Send posts a proposed month with no problems, exactly once, {approver}."),
        format!("Entries are summarized at detail level {} ({}).", plan.detail, detail_meaning(&plan.detail)),
    ]));
    if plan.schedules.is_empty() {
        b.push(Block::Paragraph("No scheduled jobs: every job runs only when started by hand.".to_owned()));
    } else {
        let rows = plan
            .schedules
            .iter()
            .map(|s| vec![vec![s.job.clone()], vec![s.cron.clone()], vec![s.time_zone.clone()]])
            .collect();
        b.push(Block::Paragraph(
            "Scheduled jobs (cron with six fields, seconds first, read in the time zone given):".to_owned(),
        ));
        b.push(Block::Table(vec!["job", "cron", "time zone"], rows));
    }
}

fn gaps(plan: &Plan, b: &mut Vec<Block>) {
    b.push(Block::Heading(2, "Open gaps".to_owned()));
    let mut notes = Vec::new();
    if !plan.products_from_source {
        notes.push("The products are the mapping's, not the servicing system's: it could not be read.".to_owned());
    }
    if !plan.accounts_checked {
        notes.push("Accounts were not checked against the chart: the accounting package could not be read.".to_owned());
    }
    if plan.gaps.is_empty() {
        b.push(Block::Paragraph("None: every product has a rule and every role an account the chart has.".to_owned()));
    } else {
        let rows = plan
            .gaps
            .iter()
            .map(|g| {
                let severity = if g.severity == Severity::Error { "error" } else { "warning" };
                vec![vec![severity.to_owned()], vec![g.code.clone()], vec![g.sentence.clone()], vec![g.fix.clone()]]
            })
            .collect();
        b.push(Block::Table(vec!["severity", "code", "gap", "fix"], rows));
    }
    if !notes.is_empty() {
        b.push(Block::Bullets(notes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_markdown_escape_markup() {
        assert_eq!(
            escape_html(r#"<b>"Tom" & 'Jerry'</b>"#),
            "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;"
        );
        assert_eq!(md("a|b <i>*x*</i> [l](u) `c`\nd"), r"a\|b &lt;i&gt;\*x\*&lt;/i&gt; \[l\](u) \`c\` d");
        assert_eq!(md("fund_source"), "fund_source");
    }
}
