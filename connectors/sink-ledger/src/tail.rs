//! Torn tails. The sink writes each item (transaction or directives) in one write that ends with
//! a blank line, then fsyncs. A crash in the middle of that write leaves a prefix of it at the
//! end of the file, recognised by the last block (the text after the last blank line):
//!
//! - a transaction whose date line carries a `key:` tag, without the blank line the sink always
//!   writes after a transaction: the whole block goes;
//! - else, a last line without its line break that starts the way the sink's lines start (a
//!   date, `account `, `commodity `): that line goes.
//!
//! Anything else at the end (a transaction typed by hand without a blank line after it, a last
//! line without a line break in someone's own text) is not the sink's and is read as it is.

/// The length of the part of `text` that is complete: `text.len()`, or where a torn write
/// starts.
pub(crate) fn complete_len(text: &[u8]) -> usize {
    let mut block_start = 0;
    let mut last_line_start = 0;
    let mut last_terminated = true;
    let mut pos = 0;
    while pos < text.len() {
        let (line, next, terminated) = match text[pos..].iter().position(|&b| b == b'\n') {
            Some(i) => (&text[pos..pos + i], pos + i + 1, true),
            None => (&text[pos..], text.len(), false),
        };
        if terminated && line.iter().all(u8::is_ascii_whitespace) {
            block_start = next;
        }
        (last_line_start, last_terminated) = (pos, terminated);
        pos = next;
    }
    let block = &text[block_start..];
    if block.iter().all(u8::is_ascii_whitespace) {
        return text.len();
    }
    if let Some(i) = block.iter().position(|&b| b == b'\n')
        && is_tagged_header(&block[..i])
    {
        return block_start;
    }
    if !last_terminated && starts_like_the_sink(&text[last_line_start..]) {
        return last_line_start;
    }
    text.len()
}

/// A transaction's date line with a `key:` tag in its comment.
fn is_tagged_header(line: &[u8]) -> bool {
    let Ok(line) = std::str::from_utf8(line) else { return false };
    line.starts_with(|c: char| c.is_ascii_digit())
        && line.split_once(';').is_some_and(|(_, comment)| crate::read::has_key_tag(comment))
}

/// A prefix of a line the sink writes at the start of an item.
fn starts_like_the_sink(line: &[u8]) -> bool {
    if line.first().is_some_and(u8::is_ascii_digit) {
        return true;
    }
    [b"account ".as_slice(), b"commodity ".as_slice()]
        .iter()
        .any(|word| word.starts_with(line) || line.starts_with(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DONE: &str = "account A\n\n2026-10-05 x  ; key:t1, kind:repayment\n    A  USD 1\n    B  USD -1\n\n";

    fn cut(text: &str) -> &str {
        &text[..complete_len(text.as_bytes())]
    }

    #[test]
    fn complete_text_is_kept() {
        assert_eq!(cut(""), "");
        assert_eq!(cut(DONE), DONE);
        // Hand-written, without the blank line or the last line break: not the sink's.
        let hand = format!("{DONE}2026-10-06 by hand\n    A  USD 1\n    B");
        assert_eq!(cut(&hand), hand);
        let comment = format!("{DONE}; a note without a line break");
        assert_eq!(cut(&comment), comment);
    }

    #[test]
    fn every_prefix_of_a_write_is_cut_back_to_before_it() {
        let write = "2026-10-06 repayment  ; key:t2, kind:repayment\n    A  USD 2\n    B  USD -2\n\n";
        for end in 1..write.len() {
            let text = format!("{DONE}{}", &write[..end]);
            assert_eq!(cut(&text), DONE, "a write torn after {end} bytes");
        }
        let directives = "account New:Account\ncommodity EUR 1000.00\n\n";
        for end in 1..directives.len() {
            let text = format!("{DONE}{}", &directives[..end]);
            let kept = cut(&text);
            // A torn directive line goes; complete directive lines are harmless and stay.
            assert!(kept == DONE || (kept.len() > DONE.len() && kept.ends_with('\n')), "{end}: {kept:?}");
        }
    }

    #[test]
    fn a_write_after_a_separator_is_cut_too() {
        let hand = "2026-10-06 by hand\n    A  USD 1\n    B\n";
        let text = format!("{hand}\n2026-10-07 x  ; key:t3\n    A  US");
        assert_eq!(cut(&text), format!("{hand}\n"));
    }
}
