//! A hand-written, read-only check that a file is an ELF shared object of this machine whose
//! every segment and section lies inside the file, so `dlopen` never maps a page past the
//! end of a partial copy (which is what made the host die with SIGBUS).
//!
//! Only the ELF header, the program-header table and the section-header table are read;
//! every offset and size is combined with checked arithmetic.

use std::fmt;
use std::io::{self, Read, Seek, SeekFrom};

/// Size of an ELF64 file header.
pub const EHDR_SIZE: usize = 64;
/// Size of one ELF64 program header.
pub const PHDR_SIZE: usize = 56;
/// Size of one ELF64 section header.
pub const SHDR_SIZE: usize = 64;

pub const ET_DYN: u16 = 3;
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;
pub const PT_NULL: u32 = 0;
pub const PT_LOAD: u32 = 1;
pub const PT_DYNAMIC: u32 = 2;
pub const SHT_NULL: u32 = 0;
pub const SHT_NOBITS: u32 = 8;
/// `e_phnum` escape value: the real count lives in section 0 (never used by a library).
const PN_XNUM: u16 = 0xffff;

/// The `e_machine` of this host's libraries, when the check knows it.
pub const HOST_MACHINE: Option<u16> = if cfg!(target_arch = "x86_64") {
    Some(EM_X86_64)
} else if cfg!(target_arch = "aarch64") {
    Some(EM_AARCH64)
} else {
    None
};

/// The ELF byte order (`EI_DATA`) of this host: 1 little-endian, 2 big-endian.
const HOST_DATA: u8 = if cfg!(target_endian = "little") { 1 } else { 2 };

/// Appended to every "truncated" problem: what usually causes it and what fixes it.
pub const PARTIAL_COPY_HINT: &str = "(a partial copy? reinstall the plugin)";

/// What is wrong with a library file. Displayed after `library <path> `, so every message
/// reads as a sentence about the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibraryProblem {
    /// It cannot be opened or read.
    Unreadable {
        message: String,
    },
    /// A directory, FIFO, socket or device.
    NotRegularFile {
        kind: &'static str,
    },
    Empty,
    /// It does not start with `\x7fELF`.
    NotElf,
    /// ELF magic, but shorter than the 64-byte header.
    HeaderTruncated {
        len: u64,
    },
    /// `EI_CLASS` is not ELFCLASS64.
    WrongClass {
        class: u8,
    },
    /// `EI_DATA` is not this host's byte order.
    WrongByteOrder {
        data: u8,
    },
    /// `EI_VERSION` / `e_version` is not 1.
    WrongVersion {
        version: u32,
    },
    /// `e_type` is not ET_DYN.
    NotSharedObject {
        e_type: u16,
    },
    /// `e_machine` is not this host's.
    WrongMachine {
        machine: u16,
        host: u16,
    },
    /// A header field that makes the file unparseable.
    Malformed {
        detail: String,
    },
    /// A table, segment or section ends past the end of the file.
    Truncated {
        what: String,
        end: u64,
        len: u64,
    },
    /// No PT_DYNAMIC: an ELF file `dlopen` cannot link.
    NoDynamicSegment,
}

/// `e_type` in words.
pub fn type_name(e_type: u16) -> String {
    match e_type {
        0 => "none (ET_NONE)".into(),
        1 => "relocatable object (ET_REL)".into(),
        2 => "executable (ET_EXEC)".into(),
        3 => "shared object (ET_DYN)".into(),
        4 => "core dump (ET_CORE)".into(),
        other => format!("unknown ({other})"),
    }
}

/// `e_machine` in words.
pub fn machine_name(machine: u16) -> String {
    let name = match machine {
        3 => "x86",
        8 => "mips",
        20 => "powerpc",
        21 => "powerpc64",
        22 => "s390x",
        40 => "arm",
        EM_X86_64 => "x86_64",
        EM_AARCH64 => "aarch64",
        243 => "riscv",
        258 => "loongarch",
        _ => return format!("e_machine {machine}"),
    };
    format!("{name} (e_machine {machine})")
}

/// `p_type` in words, for the truncation message.
pub fn segment_type_name(p_type: u32) -> String {
    match p_type {
        PT_LOAD => "PT_LOAD".into(),
        PT_DYNAMIC => "PT_DYNAMIC".into(),
        3 => "PT_INTERP".into(),
        4 => "PT_NOTE".into(),
        6 => "PT_PHDR".into(),
        7 => "PT_TLS".into(),
        0x6474_e550 => "PT_GNU_EH_FRAME".into(),
        0x6474_e551 => "PT_GNU_STACK".into(),
        0x6474_e552 => "PT_GNU_RELRO".into(),
        0x6474_e553 => "PT_GNU_PROPERTY".into(),
        other => format!("type {other:#x}"),
    }
}

impl fmt::Display for LibraryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LibraryProblem::Unreadable { message } => write!(f, "cannot be read: {message}"),
            LibraryProblem::NotRegularFile { kind } => {
                write!(f, "is not a regular file (it is {kind})")
            }
            LibraryProblem::Empty => write!(f, "is empty {PARTIAL_COPY_HINT}"),
            LibraryProblem::NotElf => write!(
                f,
                "is not an ELF shared object: it does not start with the ELF magic bytes"
            ),
            LibraryProblem::HeaderTruncated { len } => write!(
                f,
                "is truncated: the file has {len} bytes, fewer than the {EHDR_SIZE}-byte ELF header {PARTIAL_COPY_HINT}"
            ),
            LibraryProblem::WrongClass { class: 1 } => {
                write!(f, "is a 32-bit ELF file; this host loads 64-bit libraries")
            }
            LibraryProblem::WrongClass { class } => {
                write!(f, "is malformed: invalid ELF class {class}")
            }
            LibraryProblem::WrongByteOrder { data } => match data {
                1 | 2 => write!(
                    f,
                    "is a {}-endian ELF file; this host is {}-endian",
                    if *data == 1 { "little" } else { "big" },
                    if HOST_DATA == 1 { "little" } else { "big" }
                ),
                other => write!(f, "is malformed: invalid ELF byte order {other}"),
            },
            LibraryProblem::WrongVersion { version } => {
                write!(f, "is malformed: unsupported ELF version {version}")
            }
            LibraryProblem::NotSharedObject { e_type } => write!(
                f,
                "is not an ELF shared object: its type is {}",
                type_name(*e_type)
            ),
            LibraryProblem::WrongMachine { machine, host } => write!(
                f,
                "is built for {}; this host is {}",
                machine_name(*machine),
                machine_name(*host)
            ),
            LibraryProblem::Malformed { detail } => write!(f, "is malformed: {detail}"),
            LibraryProblem::Truncated { what, end, len } => write!(
                f,
                "is truncated: {what} ends at byte {end} but the file has {len} bytes {PARTIAL_COPY_HINT}"
            ),
            LibraryProblem::NoDynamicSegment => write!(
                f,
                "is not a shared library: it has no PT_DYNAMIC segment"
            ),
        }
    }
}

impl LibraryProblem {
    pub fn unreadable(err: &io::Error) -> Self {
        LibraryProblem::Unreadable {
            message: err.to_string(),
        }
    }
}

/// What the check found in a file that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElfSummary {
    /// File size in bytes.
    pub len: u64,
    /// Program headers checked.
    pub segments: u16,
    /// Section headers checked (0 when the file has no section-header table).
    pub sections: u16,
}

/// Little/big-endian field readers over a header buffer whose length was checked.
#[derive(Clone, Copy)]
struct Fields {
    little: bool,
}

impl Fields {
    fn u16(self, b: &[u8], at: usize) -> u16 {
        let raw = [b[at], b[at + 1]];
        if self.little {
            u16::from_le_bytes(raw)
        } else {
            u16::from_be_bytes(raw)
        }
    }

    fn u32(self, b: &[u8], at: usize) -> u32 {
        let mut raw = [0u8; 4];
        raw.copy_from_slice(&b[at..at + 4]);
        if self.little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        }
    }

    fn u64(self, b: &[u8], at: usize) -> u64 {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&b[at..at + 8]);
        if self.little {
            u64::from_le_bytes(raw)
        } else {
            u64::from_be_bytes(raw)
        }
    }
}

/// `offset + size`, or a "malformed" problem naming `what` when it overflows.
fn end_of(what: &str, offset: u64, size: u64) -> Result<u64, LibraryProblem> {
    offset
        .checked_add(size)
        .ok_or_else(|| LibraryProblem::Malformed {
            detail: format!("{what} offset {offset} + size {size} overflows"),
        })
}

/// `count * entry_size` as a table size (cannot overflow u64: both are u16).
fn table_size(count: u16, entry_size: usize) -> u64 {
    u64::from(count) * entry_size as u64
}

fn read_at<R: Read + Seek>(
    reader: &mut R,
    offset: u64,
    buf: &mut [u8],
) -> Result<(), LibraryProblem> {
    reader
        .seek(SeekFrom::Start(offset))
        .and_then(|_| reader.read_exact(buf))
        .map_err(|err| LibraryProblem::unreadable(&err))
}

/// Checks that `reader` (a file of `len` bytes) is an ELF shared object of this machine
/// with every program-header table entry, segment, section-header table and section inside
/// the file. Reads only the headers.
pub fn check_elf<R: Read + Seek>(reader: &mut R, len: u64) -> Result<ElfSummary, LibraryProblem> {
    check_elf_for(reader, len, HOST_MACHINE)
}

/// [`check_elf`] against an explicit machine (`None`: any machine), for tests.
pub fn check_elf_for<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    machine: Option<u16>,
) -> Result<ElfSummary, LibraryProblem> {
    if len == 0 {
        return Err(LibraryProblem::Empty);
    }
    let mut header = [0u8; EHDR_SIZE];
    let head_len = usize::try_from(len.min(EHDR_SIZE as u64)).unwrap_or(EHDR_SIZE);
    read_at(reader, 0, &mut header[..head_len])?;
    if head_len < 4 || header[..4] != *b"\x7fELF" {
        return Err(LibraryProblem::NotElf);
    }
    if head_len < EHDR_SIZE {
        return Err(LibraryProblem::HeaderTruncated { len });
    }
    if header[4] != 2 {
        return Err(LibraryProblem::WrongClass { class: header[4] });
    }
    if header[5] != HOST_DATA {
        return Err(LibraryProblem::WrongByteOrder { data: header[5] });
    }
    if header[6] != 1 {
        return Err(LibraryProblem::WrongVersion {
            version: u32::from(header[6]),
        });
    }
    let f = Fields {
        little: header[5] == 1,
    };
    let e_type = f.u16(&header, 16);
    if e_type != ET_DYN {
        return Err(LibraryProblem::NotSharedObject { e_type });
    }
    let e_machine = f.u16(&header, 18);
    if let Some(host) = machine {
        if e_machine != host {
            return Err(LibraryProblem::WrongMachine {
                machine: e_machine,
                host,
            });
        }
    }
    let e_version = f.u32(&header, 20);
    if e_version != 1 {
        return Err(LibraryProblem::WrongVersion { version: e_version });
    }
    let e_phoff = f.u64(&header, 32);
    let e_shoff = f.u64(&header, 40);
    let e_ehsize = f.u16(&header, 52);
    let e_phentsize = f.u16(&header, 54);
    let e_phnum = f.u16(&header, 56);
    let e_shentsize = f.u16(&header, 58);
    let e_shnum = f.u16(&header, 60);

    if usize::from(e_ehsize) != EHDR_SIZE {
        return Err(LibraryProblem::Malformed {
            detail: format!("ELF header size is {e_ehsize}, expected {EHDR_SIZE}"),
        });
    }

    // Program headers: what the dynamic loader maps.
    if e_phnum == 0 || e_phoff == 0 {
        return Err(LibraryProblem::Malformed {
            detail: "it has no program headers".into(),
        });
    }
    if e_phnum == PN_XNUM {
        return Err(LibraryProblem::Malformed {
            detail: format!("program header count {PN_XNUM} (PN_XNUM) is not supported"),
        });
    }
    if usize::from(e_phentsize) != PHDR_SIZE {
        return Err(LibraryProblem::Malformed {
            detail: format!("program header entry size is {e_phentsize}, expected {PHDR_SIZE}"),
        });
    }
    let ph_end = end_of(
        "program header table",
        e_phoff,
        table_size(e_phnum, PHDR_SIZE),
    )?;
    if ph_end > len {
        return Err(LibraryProblem::Truncated {
            what: "the program header table".into(),
            end: ph_end,
            len,
        });
    }
    let mut table = vec![0u8; usize::from(e_phnum) * PHDR_SIZE];
    read_at(reader, e_phoff, &mut table)?;
    let mut has_dynamic = false;
    for (index, entry) in table.chunks_exact(PHDR_SIZE).enumerate() {
        let p_type = f.u32(entry, 0);
        if p_type == PT_NULL {
            continue;
        }
        has_dynamic |= p_type == PT_DYNAMIC;
        let p_offset = f.u64(entry, 8);
        let p_filesz = f.u64(entry, 32);
        if p_filesz == 0 {
            continue;
        }
        let what = format!("segment {index} ({})", segment_type_name(p_type));
        let end = end_of(&what, p_offset, p_filesz)?;
        if end > len {
            return Err(LibraryProblem::Truncated { what, end, len });
        }
    }
    if !has_dynamic {
        return Err(LibraryProblem::NoDynamicSegment);
    }

    // Section headers: not mapped by the loader, but read by debuggers and by the backtrace
    // symbolizer from a mapping of the file, where a section past the end faults too.
    let mut sections = 0;
    if e_shoff != 0 {
        if usize::from(e_shentsize) != SHDR_SIZE {
            return Err(LibraryProblem::Malformed {
                detail: format!("section header entry size is {e_shentsize}, expected {SHDR_SIZE}"),
            });
        }
        // e_shnum 0 with a table: the real count is in section 0's sh_size; checking
        // section 0 alone still proves the table starts inside the file.
        let count = e_shnum.max(1);
        let sh_end = end_of(
            "section header table",
            e_shoff,
            table_size(count, SHDR_SIZE),
        )?;
        if sh_end > len {
            return Err(LibraryProblem::Truncated {
                what: "the section header table".into(),
                end: sh_end,
                len,
            });
        }
        let mut table = vec![0u8; usize::from(count) * SHDR_SIZE];
        read_at(reader, e_shoff, &mut table)?;
        for (index, entry) in table.chunks_exact(SHDR_SIZE).enumerate() {
            let sh_type = f.u32(entry, 4);
            if sh_type == SHT_NULL || sh_type == SHT_NOBITS {
                continue;
            }
            let sh_offset = f.u64(entry, 24);
            let sh_size = f.u64(entry, 32);
            let what = format!("section {index}");
            let end = end_of(&what, sh_offset, sh_size)?;
            if end > len {
                return Err(LibraryProblem::Truncated { what, end, len });
            }
        }
        sections = e_shnum;
    }
    Ok(ElfSummary {
        len,
        segments: e_phnum,
        sections,
    })
}
