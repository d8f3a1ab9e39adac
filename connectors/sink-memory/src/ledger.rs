//! The sink's ledger: the posted entries, in memory and optionally in an append-only JSON Lines
//! state file shared by every process that opens it.
//!
//! The file holds one posted entry per line. A writer takes an exclusive lock on the file,
//! first reads what other processes appended since it last looked, then appends and fsyncs
//! each entry before the post returns; a reader takes a shared lock and catches up the same
//! way. A last line without its newline is a write torn by a crash (kill -9): readers skip it
//! and the next writer cuts it off before appending, so the ledger is always the entries that
//! were completely written.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tieout_core::connector::Dimensions;
use tieout_core::entry::{EntryKey, Side};
use tieout_core::ids::{AccountRef, ExternalRef};
use tieout_core::money::Currency;

/// One posted line.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct PostedLine {
    pub account: AccountRef,
    pub side: Side,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
    /// The dimensions of the line's office, as the post passed them.
    #[serde(default, skip_serializing_if = "Dimensions::is_empty")]
    pub dimensions: Dimensions,
}

/// One entry of the sink's ledger: one line of the state file.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Debug)]
#[serde(deny_unknown_fields)]
pub struct PostedEntry {
    /// 1-based position in the ledger; the external ref is derived from it.
    pub seq: u64,
    pub external_ref: ExternalRef,
    pub key: EntryKey,
    pub date: NaiveDate,
    pub currency: Currency,
    pub memo: String,
    pub lines: Vec<PostedLine>,
    /// When it was posted, by the sink's clock.
    pub posted_at: DateTime<Utc>,
}

/// The state file could not be opened, read or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("state file {path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "state file {path}, line {line}: {message}; the file is damaged before its last line, restore it or remove it"
    )]
    Corrupt { path: String, line: usize, message: String },
}

/// The posted entries and, where configured, the file they persist in.
pub(crate) struct Ledger {
    entries: Vec<PostedEntry>,
    by_key: HashMap<EntryKey, Vec<usize>>,
    file: Option<StateFile>,
}

struct StateFile {
    path: PathBuf,
    file: File,
    /// Bytes read so far: always the end of a complete line.
    offset: u64,
    /// Complete lines read so far (for error messages).
    lines: usize,
}

/// Holds a lock on the state file; releases it when dropped.
struct FileLock(File);

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file would release it too; an unlock error leaves nothing to do.
        let _ = self.0.unlock();
    }
}

impl Ledger {
    /// An empty ledger that lives in memory only.
    pub(crate) fn in_memory() -> Self {
        Ledger { entries: Vec::new(), by_key: HashMap::new(), file: None }
    }

    /// Opens (or creates) a state file and reads it.
    pub(crate) fn open(path: &Path) -> Result<(Self, bool), LedgerError> {
        let io = |e: std::io::Error| LedgerError::Io { path: path.display().to_string(), message: e.to_string() };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let file = OpenOptions::new().read(true).append(true).create(true).open(path).map_err(io)?;
        let mut ledger = Ledger {
            entries: Vec::new(),
            by_key: HashMap::new(),
            file: Some(StateFile { path: path.to_owned(), file, offset: 0, lines: 0 }),
        };
        let repaired = ledger.with_write_lock(|_| Ok(()))?;
        Ok((ledger, repaired))
    }

    pub(crate) fn entries(&self) -> &[PostedEntry] {
        &self.entries
    }

    /// Every entry posted under `key`, oldest first.
    pub(crate) fn by_key(&self, key: &EntryKey) -> impl Iterator<Item = &PostedEntry> {
        self.by_key.get(key).into_iter().flatten().map(|&i| &self.entries[i])
    }

    /// Catches up with what other processes wrote, under a shared lock.
    pub(crate) fn refresh(&mut self) -> Result<(), LedgerError> {
        let Some(_lock) = self.lock_file(false)? else { return Ok(()) };
        self.catch_up(false).map(|_| ())
    }

    /// Runs `write` with the file locked exclusively, after catching up (and cutting off a torn
    /// last line). Returns whether a torn line was cut off.
    pub(crate) fn with_write_lock(
        &mut self,
        write: impl FnOnce(&mut Ledger) -> Result<(), LedgerError>,
    ) -> Result<bool, LedgerError> {
        let lock = self.lock_file(true)?;
        let repaired = if lock.is_some() { self.catch_up(true)? } else { false };
        write(self)?;
        drop(lock);
        Ok(repaired)
    }

    /// Locks the state file, if there is one, until the returned guard is dropped. The guard
    /// holds its own handle to the file so that the ledger stays free to change.
    fn lock_file(&self, exclusive: bool) -> Result<Option<FileLock>, LedgerError> {
        let Some(state) = &self.file else { return Ok(None) };
        let handle = state.file.try_clone().map_err(|e| io_error(state, e))?;
        let result = if exclusive { handle.lock() } else { handle.lock_shared() };
        result.map_err(|e| io_error(state, e))?;
        Ok(Some(FileLock(handle)))
    }

    /// Appends an entry (to the file first, fsynced, when there is one).
    pub(crate) fn append(&mut self, entry: PostedEntry) -> Result<(), LedgerError> {
        if let Some(state) = &mut self.file {
            let mut line = serde_json::to_string(&entry)
                .map_err(|e| LedgerError::Io { path: state.path.display().to_string(), message: e.to_string() })?;
            line.push('\n');
            state.file.write_all(line.as_bytes()).map_err(|e| io_error(state, e))?;
            state.file.sync_data().map_err(|e| io_error(state, e))?;
            state.offset += line.len() as u64;
            state.lines += 1;
        }
        self.push(entry);
        Ok(())
    }

    fn push(&mut self, entry: PostedEntry) {
        self.by_key.entry(entry.key.clone()).or_default().push(self.entries.len());
        self.entries.push(entry);
    }

    /// Reads complete lines appended since the last read. With `repair`, cuts off a torn last
    /// line (the caller holds the exclusive lock).
    fn catch_up(&mut self, repair: bool) -> Result<bool, LedgerError> {
        let Some(state) = &mut self.file else { return Ok(false) };
        let mut tail = Vec::new();
        state.file.seek(SeekFrom::Start(state.offset)).map_err(|e| io_error(state, e))?;
        state.file.read_to_end(&mut tail).map_err(|e| io_error(state, e))?;
        let complete = tail.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut parsed = Vec::new();
        for raw in tail[..complete].split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            state.lines += 1;
            let entry: PostedEntry = serde_json::from_slice(raw).map_err(|e| LedgerError::Corrupt {
                path: state.path.display().to_string(),
                line: state.lines,
                message: e.to_string(),
            })?;
            parsed.push(entry);
        }
        state.offset += complete as u64;
        let torn = complete < tail.len();
        if torn && repair {
            state.file.set_len(state.offset).map_err(|e| io_error(state, e))?;
            state.file.sync_data().map_err(|e| io_error(state, e))?;
        }
        for entry in parsed {
            self.push(entry);
        }
        Ok(torn && repair)
    }
}

fn io_error(state: &StateFile, e: std::io::Error) -> LedgerError {
    LedgerError::Io { path: state.path.display().to_string(), message: e.to_string() }
}
