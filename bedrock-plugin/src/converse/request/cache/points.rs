//! Where cache points may sit and how many (CACHE-12, CACHE-13, CACHE-14), for the three
//! lists Bedrock reads them from: `toolConfig.tools`, `system` and each message's `content`.
//!
//! Bedrock rejects a request whose points break these rules (a 400 naming the point), so
//! the plugin fixes the request instead: points the plugin adds, and any a caller supplied,
//! end up where Bedrock accepts them. The rules are written once over [`CacheSlot`], which
//! the three SDK block types implement.

use aws_sdk_bedrockruntime::types::{
    CachePointBlock, CacheTtl, ContentBlock, DocumentFormat, Message, SystemContentBlock, Tool,
};

/// CACHE-12: the most cache points Bedrock takes in one request.
pub const MAX_POINTS: usize = 4;

/// CACHE-14's warning (once per request).
pub const TTL_LOWERED: &str =
    "cache point ttl lowered to keep Bedrock's order (tools, system, messages)";

/// A block of a list that can hold cache points.
pub trait CacheSlot: Sized {
    fn point(&self) -> Option<&CachePointBlock>;
    fn point_mut(&mut self) -> Option<&mut CachePointBlock>;
    fn from_point(point: CachePointBlock) -> Self;
    /// CACHE-13: a document block whose format is not `pdf` (no point may follow it).
    fn is_non_pdf_document(&self) -> bool {
        false
    }
}

impl CacheSlot for ContentBlock {
    fn point(&self) -> Option<&CachePointBlock> {
        match self {
            ContentBlock::CachePoint(point) => Some(point),
            _ => None,
        }
    }
    fn point_mut(&mut self) -> Option<&mut CachePointBlock> {
        match self {
            ContentBlock::CachePoint(point) => Some(point),
            _ => None,
        }
    }
    fn from_point(point: CachePointBlock) -> Self {
        ContentBlock::CachePoint(point)
    }
    fn is_non_pdf_document(&self) -> bool {
        matches!(self, ContentBlock::Document(document) if *document.format() != DocumentFormat::Pdf)
    }
}

impl CacheSlot for SystemContentBlock {
    fn point(&self) -> Option<&CachePointBlock> {
        match self {
            SystemContentBlock::CachePoint(point) => Some(point),
            _ => None,
        }
    }
    fn point_mut(&mut self) -> Option<&mut CachePointBlock> {
        match self {
            SystemContentBlock::CachePoint(point) => Some(point),
            _ => None,
        }
    }
    fn from_point(point: CachePointBlock) -> Self {
        SystemContentBlock::CachePoint(point)
    }
}

impl CacheSlot for Tool {
    fn point(&self) -> Option<&CachePointBlock> {
        match self {
            Tool::CachePoint(point) => Some(point),
            _ => None,
        }
    }
    fn point_mut(&mut self) -> Option<&mut CachePointBlock> {
        match self {
            Tool::CachePoint(point) => Some(point),
            _ => None,
        }
    }
    fn from_point(point: CachePointBlock) -> Self {
        Tool::CachePoint(point)
    }
}

/// The number of cache points in `blocks`.
pub fn count<T: CacheSlot>(blocks: &[T]) -> usize {
    blocks
        .iter()
        .filter(|block| block.point().is_some())
        .count()
}

/// CACHE-13: where a point meant for index `at` of `blocks` may go: before the run of
/// non-PDF documents it would follow, and never at index 0 or directly after another point
/// (never doubled). `None` when no such place is left.
pub fn allowed_at<T: CacheSlot>(blocks: &[T], at: usize) -> Option<usize> {
    let mut at = at.min(blocks.len());
    while at > 0 && blocks[at - 1].is_non_pdf_document() {
        at -= 1;
    }
    (at > 0 && blocks[at - 1].point().is_none()).then_some(at)
}

/// CACHE-13 for points already in `blocks` (a caller's): each stays where it is unless it sits
/// at index 0 (removed) or after non-PDF documents (moved before them, removed when they start
/// the list or another point is already there).
pub fn fix_positions<T: CacheSlot>(blocks: &mut Vec<T>) {
    let mut j = 0;
    while j < blocks.len() {
        if blocks[j].point().is_none() {
            j += 1;
            continue;
        }
        let point = blocks.remove(j);
        if let Some(at) = allowed_at(blocks, j) {
            blocks.insert(at, point);
            j = at + 1;
        }
    }
}

/// Removes the first cache point of `blocks`; false when it has none.
fn remove_first<T: CacheSlot>(blocks: &mut Vec<T>) -> bool {
    match blocks.iter().position(|block| block.point().is_some()) {
        Some(j) => {
            blocks.remove(j);
            true
        }
        None => false,
    }
}

/// The three lists of one request, in Bedrock's cache order (tools, system, messages).
pub struct Lists<'a> {
    pub tools: Option<&'a mut Vec<Tool>>,
    pub system: &'a mut Vec<SystemContentBlock>,
    pub messages: &'a mut [Message],
}

impl Lists<'_> {
    /// Every cache point of the request.
    pub fn total(&self) -> usize {
        self.tools.as_deref().map_or(0, |tools| count(tools))
            + count(self.system)
            + self
                .messages
                .iter()
                .map(|message| count(&message.content))
                .sum::<usize>()
    }

    /// CACHE-12: at most [`MAX_POINTS`]; the earliest message points go first, then tool
    /// points, the system point last.
    pub fn enforce_limit(&mut self) {
        let mut total = self.total();
        while total > MAX_POINTS {
            let removed = self
                .messages
                .iter_mut()
                .any(|message| remove_first(&mut message.content))
                || self.tools.as_deref_mut().is_some_and(remove_first)
                || remove_first(self.system);
            if !removed {
                break;
            }
            total -= 1;
        }
    }

    /// CACHE-14: TTLs never increase along tools → system → messages: a one-hour point after
    /// a shorter one loses its ttl. Returns whether any was lowered (the caller warns once).
    pub fn lower_ttls(&mut self) -> bool {
        let mut seen_short = false;
        let mut lowered = false;
        let mut visit = |point: &mut CachePointBlock| {
            let long = point.ttl == Some(CacheTtl::OneHour);
            if long && seen_short {
                point.ttl = None;
                lowered = true;
            } else if !long {
                seen_short = true;
            }
        };
        if let Some(tools) = self.tools.as_deref_mut() {
            tools
                .iter_mut()
                .filter_map(CacheSlot::point_mut)
                .for_each(&mut visit);
        }
        self.system
            .iter_mut()
            .filter_map(CacheSlot::point_mut)
            .for_each(&mut visit);
        for message in self.messages.iter_mut() {
            message
                .content
                .iter_mut()
                .filter_map(CacheSlot::point_mut)
                .for_each(&mut visit);
        }
        lowered
    }
}
