//! The journal file: opening (and creating) it, locking, reading what changed since the last
//! read, cutting off a torn tail, and appending with fsync.
//!
//! Every operation runs under an advisory lock on the file (`flock`): shared to read, exclusive
//! to write, so Tieout processes sharing a journal never interleave. A read first compares the
//! file with what was read last (device, inode, length, modification and change times):
//! unchanged, nothing is read; grown behind an unchanged end, only the new bytes are read;
//! anything else (a file replaced by an editor, shortened, edited in place) is read again from
//! the start. So transactions added by hand or by another process always show.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::book::Book;
use crate::error::JournalError;
use crate::read::{self, Ending};
use crate::{render, tail};

/// Bytes before the end of what was read that must be unchanged for new bytes to be read on
/// their own.
const TAIL_CHECK: usize = 64;

/// How to open the journal.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) path: PathBuf,
    pub(crate) create: bool,
    /// Accounts declared when the journal is opened, if it lacks them.
    pub(crate) declare_accounts: Vec<String>,
    /// Commodities declared in the header of a new journal.
    pub(crate) commodities: Vec<tieout_core::money::Currency>,
}

/// What identifies the file's state as last read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    fn of(meta: &std::fs::Metadata) -> Self {
        Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            len: meta.len(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// Holds a lock on the journal; releases it when dropped.
pub(crate) struct FileLock(File);

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the handle releases the lock too; an unlock error leaves nothing to do.
        let _ = self.0.unlock();
    }
}

/// An open journal and what has been read from it.
pub(crate) struct Journal {
    options: Options,
    file: File,
    book: Book,
    /// Bytes read into `book`: the file's length, less a torn tail left for a writer to cut.
    offset: u64,
    /// Line breaks in the bytes read.
    lines: usize,
    /// The last bytes read (at most `TAIL_CHECK`).
    tail: Vec<u8>,
    ending: Ending,
    /// The file as last read; `None` forces a full read.
    seen: Option<Stamp>,
    span: tracing::Span,
}

impl Journal {
    /// Opens the journal, creating it with a header when allowed and missing, reads it under
    /// an exclusive lock (cutting off a torn tail) and declares the configured accounts it lacks.
    pub(crate) fn open(options: Options, span: tracing::Span) -> Result<Journal, JournalError> {
        let file = open_file(&options.path, options.create)?;
        let mut journal = Journal {
            options,
            file,
            book: Book::default(),
            offset: 0,
            lines: 0,
            tail: Vec::new(),
            ending: Ending::Closed,
            seen: None,
            span,
        };
        let _lock = journal.lock(true)?;
        let len = journal.file.metadata().map_err(|e| journal.io("reading the size of", &e))?.len();
        if len == 0 {
            journal.write_header()?;
        }
        journal.catch_up(true)?;
        let missing: Vec<String> =
            journal.options.declare_accounts.iter().filter(|a| journal.book.declared(a).is_none()).cloned().collect();
        if !missing.is_empty() {
            let mut text = String::new();
            for account in &missing {
                render::account(&mut text, account);
            }
            text.push('\n');
            journal.append(&text)?;
            journal.catch_up(true)?;
            tracing::info!(parent: &journal.span, file = %journal.path().display(), accounts = ?missing,
                "Ledger sink declared the configured accounts the journal lacked.");
        }
        Ok(journal)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.options.path
    }

    pub(crate) fn book(&self) -> &Book {
        &self.book
    }

    fn io(&self, what: &str, e: &io::Error) -> JournalError {
        JournalError::io(&self.options.path, what, e)
    }

    /// Locks the journal (reopening it first if the file at the path was replaced or removed).
    pub(crate) fn lock(&mut self, exclusive: bool) -> Result<FileLock, JournalError> {
        self.reopen_if_replaced()?;
        let handle = self.file.try_clone().map_err(|e| self.io("opening a second handle to", &e))?;
        let locked = if exclusive { handle.lock() } else { handle.lock_shared() };
        locked.map_err(|e| self.io("locking", &e))?;
        Ok(FileLock(handle))
    }

    fn reopen_if_replaced(&mut self) -> Result<(), JournalError> {
        let open = self.file.metadata().map_err(|e| self.io("reading the metadata of", &e))?;
        let on_disk = match std::fs::metadata(&self.options.path) {
            Ok(meta) => Some((meta.dev(), meta.ino())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(self.io("reading the metadata of", &e)),
        };
        if on_disk == Some((open.dev(), open.ino())) {
            return Ok(());
        }
        tracing::info!(parent: &self.span, file = %self.path().display(),
            "The journal was replaced or removed since the ledger sink last read it; reading it again.");
        self.file = open_file(&self.options.path, self.options.create)?;
        self.forget();
        Ok(())
    }

    /// Forgets what was read, so that the next catch-up reads the whole file.
    fn forget(&mut self) {
        self.book = Book::default();
        self.offset = 0;
        self.lines = 0;
        self.tail.clear();
        self.ending = Ending::Closed;
        self.seen = None;
    }

    /// Reads what changed since the last read. The caller holds the lock (`exclusive`: a write
    /// lock, under which a torn tail is cut off; under a read lock it is only left unread).
    pub(crate) fn catch_up(&mut self, exclusive: bool) -> Result<(), JournalError> {
        let meta = self.file.metadata().map_err(|e| self.io("reading the metadata of", &e))?;
        let stamp = Stamp::of(&meta);
        // Unchanged; but a writer must still cut off a torn tail that a reader left unread.
        if self.seen == Some(stamp) && (!exclusive || self.offset == stamp.len) {
            return Ok(());
        }
        let len = meta.len();
        if !self.can_read_on(len)? {
            let full = self.seen.is_some();
            self.forget();
            if full {
                tracing::debug!(parent: &self.span, file = %self.path().display(),
                    "The journal changed other than by appends; reading it again from the start.");
            }
        }
        let mut bytes = vec![0; usize::try_from(len - self.offset).unwrap_or(usize::MAX)];
        self.file.read_exact_at(&mut bytes, self.offset).map_err(|e| self.io("reading", &e))?;
        let complete = tail::complete_len(&bytes);
        if complete < bytes.len() {
            self.torn(&bytes[complete..], self.offset + complete as u64, exclusive)?;
        }
        let bytes = &bytes[..complete];
        let full_read = self.offset == 0;
        let text = std::str::from_utf8(bytes).map_err(|e| {
            let line = self.lines + 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            self.unreadable(line, "the line is not UTF-8 text".into())
        })?;
        if !text.is_empty() {
            match read::read(&mut self.book, text, self.lines + 1) {
                Ok(ending) => self.ending = ending,
                Err(e) => {
                    let error = self.unreadable(e.line, e.message);
                    self.forget();
                    return Err(error);
                }
            }
        }
        self.offset += complete as u64;
        self.lines += text.bytes().filter(|&b| b == b'\n').count();
        self.tail.extend_from_slice(bytes);
        let cut = self.tail.len().saturating_sub(TAIL_CHECK);
        self.tail.drain(..cut);
        let meta = self.file.metadata().map_err(|e| self.io("reading the metadata of", &e))?;
        self.seen = Some(Stamp::of(&meta));
        if full_read && self.book.duplicates() > 0 {
            tracing::warn!(parent: &self.span, file = %self.path().display(), duplicates = self.book.duplicates(),
                "The journal holds transactions tagged with a key that an earlier transaction already has; \
                 the first one counts as the posted entry.");
        }
        Ok(())
    }

    /// Whether the bytes after `offset` can be read on their own: the file grew and its end as
    /// last read is unchanged, and what was read ended where a new item may start.
    fn can_read_on(&self, len: u64) -> Result<bool, JournalError> {
        if self.seen.is_none() {
            return Ok(false);
        }
        if len <= self.offset {
            return Ok(false);
        }
        let start = self.offset - self.tail.len() as u64;
        let mut check = vec![0; self.tail.len() + 1];
        self.file.read_exact_at(&mut check, start).map_err(|e| self.io("reading", &e))?;
        let next = check.pop();
        if check != self.tail {
            return Ok(false);
        }
        Ok(match self.ending {
            Ending::Closed => true,
            Ending::Open => !matches!(next, Some(b' ' | b'\t')),
            Ending::MidLine | Ending::InComment => false,
        })
    }

    fn torn(&mut self, torn: &[u8], at: u64, exclusive: bool) -> Result<(), JournalError> {
        let line = self.lines + 1;
        let preview: String = String::from_utf8_lossy(&torn[..torn.len().min(80)]).escape_debug().collect();
        if !exclusive {
            tracing::debug!(parent: &self.span, file = %self.path().display(), bytes = torn.len(),
                "The journal ends with a torn write; it is not read, and the next post cuts it off.");
            return Ok(());
        }
        self.file.set_len(at).map_err(|e| self.io("cutting off the torn end of", &e))?;
        self.file.sync_all().map_err(|e| self.io("syncing", &e))?;
        tracing::warn!(parent: &self.span, file = %self.path().display(), bytes = torn.len(), after_line = line - 1,
            start = %preview,
            "Ledger sink cut off a torn write at the end of the journal (a crash while posting); the entry in it was \
             never acknowledged and is not counted as posted.");
        Ok(())
    }

    fn unreadable(&self, line: usize, message: String) -> JournalError {
        JournalError::Unreadable { path: self.path().display().to_string(), line, message }
    }

    /// Appends `text` (whole items, each ending with a blank line) in one write, then fsyncs.
    /// The caller holds the exclusive lock and has caught up, so the file ends where the last
    /// read ended. On failure the file is cut back to where it ended.
    pub(crate) fn append(&mut self, text: &str) -> Result<(), JournalError> {
        let separator = match self.ending {
            Ending::Closed => "",
            Ending::Open => "\n",
            Ending::MidLine => "\n\n",
            Ending::InComment => {
                return Err(JournalError::Unwritable {
                    path: self.path().display().to_string(),
                    message: "it ends inside a `comment` block, so new transactions would be comments: add a line \
                              `end comment` after the block"
                        .into(),
                });
            }
        };
        let mut data = String::with_capacity(separator.len() + text.len());
        data.push_str(separator);
        data.push_str(text);
        let written = (&self.file).write_all(data.as_bytes()).and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            let error = self.io("appending to", &e);
            // Leave no partial write behind; if even that fails, the next writer cuts it off.
            let _ = self.file.set_len(self.offset).and_then(|()| self.file.sync_all());
            self.seen = None;
            return Err(error);
        }
        Ok(())
    }

    fn write_header(&mut self) -> Result<(), JournalError> {
        let mut text = String::new();
        render::header(&mut text);
        for currency in &self.options.commodities {
            render::commodity(&mut text, *currency);
        }
        if !self.options.commodities.is_empty() {
            text.push('\n');
        }
        (&self.file)
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| self.io("writing", &e))?;
        // The new file's name must survive a crash too.
        if let Some(dir) = self.options.path.parent().filter(|p| !p.as_os_str().is_empty())
            && let Err(e) = File::open(dir).and_then(|d| d.sync_all())
        {
            tracing::debug!(parent: &self.span, dir = %dir.display(), error = %e, "Could not sync the journal's folder.");
        }
        tracing::info!(parent: &self.span, file = %self.path().display(), "Ledger sink started a new journal.");
        Ok(())
    }
}

fn open_file(path: &Path, create: bool) -> Result<File, JournalError> {
    if create
        && let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !dir.exists()
    {
        std::fs::create_dir_all(dir).map_err(|e| JournalError::io(path, "creating the folder of", &e))?;
    }
    match OpenOptions::new().read(true).append(true).create(create).open(path) {
        Ok(file) => Ok(file),
        Err(e) if e.kind() == io::ErrorKind::NotFound && !create => {
            Err(JournalError::Missing { path: path.display().to_string() })
        }
        Err(e) => Err(JournalError::io(path, "opening", &e)),
    }
}
