//! How reply text is cut into deltas. One rule serves planning (token counts) and rendering (events),
//! so the counted tokens always equal the deltas sent.

/// Tool input JSON goes out in chunks of at most this many characters.
const TOOL_INPUT_CHUNK: usize = 8;

/// Whitespace-separated words; one word is one token.
pub(super) fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Deltas for the plain text rule: one per word, a space after every word but the last.
pub(super) fn word_deltas(text: &str) -> Vec<String> {
    let ws: Vec<&str> = text.split_whitespace().collect();
    let last = ws.len().saturating_sub(1);
    ws.iter()
        .enumerate()
        .map(|(i, w)| {
            if i == last {
                w.to_string()
            } else {
                format!("{w} ")
            }
        })
        .collect()
}

/// `s` in pieces of at most `max` characters.
pub(super) fn chunk_str(s: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if cur.chars().count() == max {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The `toolUse.input` deltas of a tool call.
pub(super) fn tool_input_chunks(input: &str) -> Vec<String> {
    chunk_str(input, TOOL_INPUT_CHUNK)
}

/// Word `i` (0-based) of the `n`-word long reply `w1 w2 … wN`, with its trailing space.
pub(super) fn long_word(i: usize, n: usize) -> String {
    if i + 1 == n {
        format!("w{}", i + 1)
    } else {
        format!("w{} ", i + 1)
    }
}
