//! Reading config files, with errors that say what to do.

use std::path::Path;

use crate::error::ConfigError;

/// Reads a UTF-8 file; `fix` is the advice for a file that does not exist.
pub(crate) fn read_text(path: &Path, fix: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
        let fix = match e.kind() {
            std::io::ErrorKind::NotFound => fix.to_owned(),
            std::io::ErrorKind::PermissionDenied => "let the user running Tieout read it".to_owned(),
            std::io::ErrorKind::InvalidData => "save it as UTF-8 text".to_owned(),
            _ => "check the file and try again".to_owned(),
        };
        ConfigError::read(path, &e, fix)
    })
}
