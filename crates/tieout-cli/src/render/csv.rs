//! RFC 4180 CSV records.

use std::io::{self, Write};

/// Writes one record: fields with a comma, quote or line break are quoted, quotes doubled.
pub fn record(out: &mut dyn Write, cells: &[&str]) -> io::Result<()> {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { (*c).to_owned() }
        })
        .collect();
    write!(out, "{}\r\n", quoted.join(","))
}
