//! Strict reading and writing of events as JSON Lines.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::wire::{WireEvent, WireOut};
use super::{Event, EventHead, EventKind, Portion};
use crate::money::Currency;

/// What is wrong with one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventProblem {
    /// The line is not valid JSON, has an unknown field, or a field of the wrong type.
    Malformed {
        message: String,
    },
    UnknownKind {
        kind: String,
    },
    BadDate {
        value: String,
    },
    BadCurrency {
        value: String,
    },
    NegativeAmount {
        amount: Decimal,
    },
    PortionSign {
        portion: Portion,
        value: Decimal,
        amount: Decimal,
    },
    PortionsMismatch {
        amount: Decimal,
        sum: Decimal,
    },
    PortionsRequired {
        kind: EventKind,
    },
    ReversalWithoutTarget,
    ReversesOnNonReversal {
        kind: EventKind,
    },
    ReversesItself,
    EmptyField,
}

impl fmt::Display for EventProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventProblem::Malformed { message } => write!(f, "{message}"),
            EventProblem::UnknownKind { kind } => write!(
                f,
                "unknown kind '{kind}': use one of the kinds listed in docs/events.md (e.g. repayment, disbursement)"
            ),
            EventProblem::BadDate { value } => {
                write!(f, "'{value}' is not a date: write the value date as YYYY-MM-DD")
            }
            EventProblem::BadCurrency { value } => {
                write!(f, "'{value}' is not an ISO 4217 currency code: use three upper-case letters such as USD")
            }
            EventProblem::NegativeAmount { amount } => write!(
                f,
                "amount {amount} is negative: amounts are positive and the kind says the direction (use a reversal to undo an event)"
            ),
            EventProblem::PortionSign { portion, value, amount } => write!(
                f,
                "portion {portion} is {value} but the amount is {amount}: portions must have the amount's sign"
            ),
            EventProblem::PortionsMismatch { amount, sum } => {
                write!(f, "amount {amount} is not the sum of the portions ({sum}): correct the amount or the portions")
            }
            EventProblem::PortionsRequired { kind } => write!(
                f,
                "{} event must say how its amount splits: add \"portions\" with principal, interest, fee, penalty and overpayment",
                kind.with_article()
            ),
            EventProblem::ReversalWithoutTarget => {
                write!(f, "a reversal must name the event it reverses in \"reverses\"")
            }
            EventProblem::ReversesOnNonReversal { kind } => write!(
                f,
                "only a reversal may set \"reverses\", but this event is {}: set kind to \"reversal\" or remove \"reverses\"",
                kind.with_article()
            ),
            EventProblem::ReversesItself => write!(f, "an event cannot reverse itself"),
            EventProblem::EmptyField => write!(f, "must not be empty"),
        }
    }
}

impl EventProblem {
    /// The field the problem is about, where there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            EventProblem::Malformed { .. } => None,
            EventProblem::UnknownKind { .. } => Some("kind"),
            EventProblem::BadDate { .. } => Some("date"),
            EventProblem::BadCurrency { .. } => Some("currency"),
            EventProblem::NegativeAmount { .. } => Some("amount"),
            EventProblem::PortionSign { .. }
            | EventProblem::PortionsMismatch { .. }
            | EventProblem::PortionsRequired { .. } => Some("portions"),
            EventProblem::ReversalWithoutTarget
            | EventProblem::ReversesOnNonReversal { .. }
            | EventProblem::ReversesItself => Some("reverses"),
            EventProblem::EmptyField => None,
        }
    }
}

/// A bad event, located by line, event id and field so that a person can find and fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct EventError {
    /// 1-based line in the input, when the event came from a file.
    pub line: Option<usize>,
    pub event_id: Option<String>,
    pub field: Option<String>,
    pub problem: EventProblem,
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(id) = &self.event_id {
            parts.push(format!("event {id}"));
        }
        if let Some(field) = &self.field {
            parts.push(format!("field {field}"));
        }
        if parts.is_empty() {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "{}: {}", parts.join(", "), self.problem)
        }
    }
}

impl EventError {
    fn at(line: Option<usize>, event_id: Option<&str>, field: Option<String>, problem: EventProblem) -> Self {
        EventError { line, event_id: event_id.map(str::to_owned), field, problem }
    }
}

/// Parses one JSON object into an [`Event`]. `line` is only used in errors.
pub fn parse_event_line(text: &str, line: Option<usize>) -> Result<Event, EventError> {
    let mut json = serde_json::Deserializer::from_str(text);
    let parsed: Result<WireEvent, _> = serde_path_to_error::deserialize(&mut json);
    let wire = match parsed {
        Ok(wire) => wire,
        Err(err) => {
            // Segments serde could not name (after a syntax error) show as `?`: drop them.
            let path = err.path().to_string();
            let path = path.split('.').take_while(|seg| *seg != "?").collect::<Vec<_>>().join(".");
            let field = (!path.is_empty()).then_some(path);
            let message = strip_position(&err.inner().to_string());
            return Err(EventError::at(
                line,
                best_effort_id(text).as_deref(),
                field,
                EventProblem::Malformed { message },
            ));
        }
    };
    if let Err(err) = json.end() {
        let message = format!("{}: put one event per line", strip_position(&err.to_string()));
        return Err(EventError::at(line, Some(&wire.id), None, EventProblem::Malformed { message }));
    }
    let id = wire.id.as_str();
    let fail = |problem: EventProblem| {
        let field = problem.field().map(str::to_owned);
        EventError::at(line, Some(id), field, problem)
    };
    for (name, value) in [("id", &wire.id), ("loan_id", &wire.loan_id), ("product", &wire.product)] {
        if value.trim().is_empty() {
            return Err(EventError::at(line, Some(id), Some(name.to_owned()), EventProblem::EmptyField));
        }
    }
    let kind: EventKind = wire.kind.parse().map_err(|_| fail(EventProblem::UnknownKind { kind: wire.kind.clone() }))?;
    let date = NaiveDate::parse_from_str(&wire.date, "%Y-%m-%d")
        .map_err(|_| fail(EventProblem::BadDate { value: wire.date.clone() }))?;
    let currency =
        Currency::new(&wire.currency).map_err(|_| fail(EventProblem::BadCurrency { value: wire.currency.clone() }))?;
    let head = EventHead {
        id: wire.id.as_str().into(),
        loan_id: wire.loan_id.as_str().into(),
        product: wire.product.as_str().into(),
        kind,
        date,
        currency,
    };
    let mut event = Event::new(head, wire.amount.0, wire.portions.map(Into::into)).map_err(fail)?;
    event.payment_type = wire.payment_type.map(Into::into);
    event.charge = wire.charge.map(Into::into);
    event.office = wire.office.map(Into::into);
    event.reverses = wire.reverses.map(Into::into);
    event.external_ref = wire.external_ref;
    event.charged_off = wire.charged_off;
    event.fraud = wire.fraud;
    event.check().map_err(fail)?;
    Ok(event)
}

/// Parses JSON Lines, skipping blank lines. Each item is one event or the error of its line.
pub fn parse_events(text: &str) -> impl Iterator<Item = Result<Event, EventError>> + '_ {
    text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).map(|(i, l)| parse_event_line(l, Some(i + 1)))
}

/// Writes an event as one JSON line (no trailing newline), amounts as decimal strings.
pub fn write_event_line(event: &Event) -> String {
    // Serializing plain strings and booleans cannot fail.
    serde_json::to_string(&WireOut::from(event)).unwrap_or_default()
}

/// serde_json appends "at line 1 column 57"; the caller's line number is the useful one.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(pos) => message[..pos].to_owned(),
        None => message.to_owned(),
    }
}

/// The event id of a line that failed to parse, when the line is JSON enough to have one.
fn best_effort_id(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_str::<IdOnly>(text).ok().map(|v| v.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const GOOD: &str = r#"{"id":"tx-9001","loan_id":"L-1001","product":"personal","kind":"repayment","date":"2026-10-05","currency":"USD","amount":"150.00","portions":{"principal":"120.00","interest":"25.00","fee":"5.00","penalty":"0.00","overpayment":"0.00"},"payment_type":"ach","charge":"late-fee","office":"HQ","reverses":null,"external_ref":"rcpt-77"}"#;

    fn err(text: &str) -> EventError {
        parse_event_line(text, Some(7)).unwrap_err()
    }

    #[test]
    fn the_design_example_parses_and_round_trips() {
        let event = parse_event_line(GOOD, Some(1)).unwrap();
        assert_eq!(event.amount, dec!(150.00));
        assert_eq!(event.portions.interest, dec!(25.00));
        assert_eq!(event.kind, EventKind::Repayment);
        let again = parse_event_line(&write_event_line(&event), Some(1)).unwrap();
        assert_eq!(again, event);
    }

    #[test]
    fn numbers_are_read_exactly() {
        let text = GOOD
            .replace(r#""amount":"150.00""#, r#""amount":150.00"#)
            .replace(r#""interest":"25.00""#, "\"interest\":25.00");
        let event = parse_event_line(&text, None).unwrap();
        assert_eq!(event.amount.to_string(), "150.00");
        let text = r#"{"id":"a","loan_id":"L","product":"p","kind":"disbursement","date":"2026-01-01","currency":"USD","amount":0.1}"#;
        assert_eq!(parse_event_line(text, None).unwrap().amount.to_string(), "0.1");
    }

    #[test]
    fn unknown_field_names_line_event_and_field() {
        let e = err(&GOOD.replace("\"office\"", "\"ofice\""));
        let msg = e.to_string();
        assert_eq!(e.line, Some(7));
        assert_eq!(e.event_id.as_deref(), Some("tx-9001"));
        assert!(msg.contains("unknown field `ofice`"), "{msg}");
    }

    #[test]
    fn unknown_kind_is_named() {
        let e = err(&GOOD.replace("\"repayment\"", "\"repaymnet\""));
        assert_eq!(e.field.as_deref(), Some("kind"));
        assert!(e.to_string().starts_with("line 7, event tx-9001, field kind: unknown kind 'repaymnet'"), "{e}");
    }

    #[test]
    fn amount_must_equal_portions() {
        let e = err(&GOOD.replace("\"150.00\"", "\"151.00\""));
        assert_eq!(e.field.as_deref(), Some("portions"));
        assert!(e.to_string().contains("amount 151.00 is not the sum of the portions (150.00)"), "{e}");
    }

    #[test]
    fn negative_amount_is_refused() {
        let text = r#"{"id":"d1","loan_id":"L","product":"p","kind":"disbursement","date":"2026-01-01","currency":"USD","amount":"-5"}"#;
        let e = err(text);
        assert_eq!(e.field.as_deref(), Some("amount"));
    }

    #[test]
    fn a_wrongly_typed_portion_names_its_path() {
        let e = err(&GOOD.replace(r#""fee":"5.00""#, r#""fee":"five""#));
        assert_eq!(e.field.as_deref(), Some("portions.fee"), "{e}");
    }

    #[test]
    fn repayment_needs_portions_and_reversal_needs_a_target() {
        let text = r#"{"id":"r1","loan_id":"L","product":"p","kind":"repayment","date":"2026-01-01","currency":"USD","amount":"5"}"#;
        assert_eq!(err(text).problem, EventProblem::PortionsRequired { kind: EventKind::Repayment });
        let text = r#"{"id":"v1","loan_id":"L","product":"p","kind":"reversal","date":"2026-01-01","currency":"USD","amount":"5"}"#;
        assert_eq!(err(text).problem, EventProblem::ReversalWithoutTarget);
    }

    #[test]
    fn malformed_json_is_located() {
        let e = err("{\"id\": \"x\", ");
        assert_eq!(e.line, Some(7));
        assert!(matches!(e.problem, EventProblem::Malformed { .. }));
    }

    #[test]
    fn signed_accrual_adjustment_is_accepted() {
        let text = r#"{"id":"a1","loan_id":"L","product":"p","kind":"accrual_adjustment","date":"2026-01-01","currency":"USD","amount":"-1.25"}"#;
        let event = parse_event_line(text, None).unwrap();
        assert_eq!(event.portions.interest, dec!(-1.25));
    }
}
