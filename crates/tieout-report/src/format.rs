//! The report formats.

use std::fmt;
use std::str::FromStr;

/// A report format.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    Html,
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Html, Format::Csv, Format::Xlsx, Format::Json];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }

    /// The file extension, which is the name.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }

    /// Whether the format is text that can go to a terminal (XLSX is a zip).
    pub fn is_text(self) -> bool {
        self != Format::Xlsx
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name Tieout does not know.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("unknown report format '{0}': use html, csv, xlsx or json")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL.into_iter().find(|f| f.as_str() == s).ok_or_else(|| UnknownFormat(s.to_owned()))
    }
}
