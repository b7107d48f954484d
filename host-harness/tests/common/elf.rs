//! Small synthetic ELF64 files, written byte by byte, for the library-format checks: a
//! minimal shared object of this machine and knobs to break each field the host checks.
//! Shared by the unit tests (`src/library_file.rs` includes this file) and the integration
//! tests.
#![allow(dead_code)] // each user needs a different subset

/// `e_machine` of this host (x86_64 62, aarch64 183).
pub const HOST_MACHINE: u16 = if cfg!(target_arch = "aarch64") {
    183
} else {
    62
};

pub const PT_LOAD: u32 = 1;
pub const PT_DYNAMIC: u32 = 2;
pub const PT_NOTE: u32 = 4;
pub const SHT_PROGBITS: u32 = 1;
pub const SHT_NOBITS: u32 = 8;

/// One program header: type, offset, file size.
#[derive(Clone, Copy, Debug)]
pub struct Segment {
    pub p_type: u32,
    pub offset: u64,
    pub filesz: u64,
}

/// One section header: type, offset, size.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    pub sh_type: u32,
    pub offset: u64,
    pub size: u64,
}

/// An ELF64 file description; [`SyntheticElf::bytes`] lays it out as
/// `[header][program headers][zero body up to body_len][section headers]`.
#[derive(Clone, Debug)]
pub struct SyntheticElf {
    pub magic: [u8; 4],
    pub class: u8,
    pub data: u8,
    pub ident_version: u8,
    pub e_type: u16,
    pub machine: u16,
    pub version: u32,
    pub ehsize: u16,
    pub phentsize: u16,
    pub shentsize: u16,
    pub segments: Vec<Segment>,
    /// `None`: no section-header table (`e_shoff` 0).
    pub sections: Option<Vec<Section>>,
    /// Bytes before the section-header table (at least header + program headers).
    pub body_len: u64,
    /// Overrides `e_phoff` (default 64).
    pub phoff: Option<u64>,
    /// Overrides `e_shoff` (default `body_len`).
    pub shoff: Option<u64>,
    /// Overrides `e_phnum` (default `segments.len()`).
    pub phnum: Option<u16>,
}

pub const BODY_LEN: u64 = 4096;
/// Header (64) + 2 program headers (2 × 56).
pub const PHDR_TABLE_END: u64 = 64 + 2 * 56;
/// 3 section headers of 64 bytes after the body.
pub const FILE_LEN: u64 = BODY_LEN + 3 * 64;

impl SyntheticElf {
    /// A minimal shared object of this machine that passes every check: one PT_LOAD
    /// covering the body, one PT_DYNAMIC inside it, and a NULL, a PROGBITS and a NOBITS
    /// section.
    pub fn shared_object() -> Self {
        SyntheticElf {
            magic: *b"\x7fELF",
            class: 2,
            data: 1,
            ident_version: 1,
            e_type: 3,
            machine: HOST_MACHINE,
            version: 1,
            ehsize: 64,
            phentsize: 56,
            shentsize: 64,
            segments: vec![
                Segment {
                    p_type: PT_LOAD,
                    offset: 0,
                    filesz: BODY_LEN,
                },
                Segment {
                    p_type: PT_DYNAMIC,
                    offset: 0x200,
                    filesz: 0x100,
                },
            ],
            sections: Some(vec![
                Section {
                    sh_type: 0,
                    offset: 0,
                    size: 0,
                },
                Section {
                    sh_type: SHT_PROGBITS,
                    offset: 0x200,
                    size: 0x100,
                },
                Section {
                    sh_type: SHT_NOBITS,
                    offset: BODY_LEN,
                    size: 0x10000,
                },
            ]),
            body_len: BODY_LEN,
            phoff: None,
            shoff: None,
            phnum: None,
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&self.magic);
        out.extend_from_slice(&[self.class, self.data, self.ident_version, 0, 0]);
        out.resize(16, 0);
        let shoff = match (&self.sections, self.shoff) {
            (_, Some(shoff)) => shoff,
            (Some(_), None) => self.body_len,
            (None, None) => 0,
        };
        let shnum = self.sections.as_ref().map_or(0, Vec::len) as u16;
        out.extend_from_slice(&self.e_type.to_le_bytes());
        out.extend_from_slice(&self.machine.to_le_bytes());
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&0x1000u64.to_le_bytes()); // e_entry
        out.extend_from_slice(&self.phoff.unwrap_or(64).to_le_bytes());
        out.extend_from_slice(&shoff.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        out.extend_from_slice(&self.ehsize.to_le_bytes());
        out.extend_from_slice(&self.phentsize.to_le_bytes());
        out.extend_from_slice(
            &self
                .phnum
                .unwrap_or(self.segments.len() as u16)
                .to_le_bytes(),
        );
        out.extend_from_slice(&self.shentsize.to_le_bytes());
        out.extend_from_slice(&shnum.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
        assert_eq!(out.len(), 64);
        for segment in &self.segments {
            out.extend_from_slice(&segment.p_type.to_le_bytes());
            out.extend_from_slice(&5u32.to_le_bytes()); // p_flags R+X
            out.extend_from_slice(&segment.offset.to_le_bytes());
            out.extend_from_slice(&segment.offset.to_le_bytes()); // p_vaddr
            out.extend_from_slice(&segment.offset.to_le_bytes()); // p_paddr
            out.extend_from_slice(&segment.filesz.to_le_bytes());
            out.extend_from_slice(&segment.filesz.to_le_bytes()); // p_memsz
            out.extend_from_slice(&0x1000u64.to_le_bytes()); // p_align
        }
        let body_len = usize::try_from(self.body_len).unwrap();
        if out.len() < body_len {
            out.resize(body_len, 0);
        }
        if let Some(sections) = &self.sections {
            for section in sections {
                out.extend_from_slice(&0u32.to_le_bytes()); // sh_name
                out.extend_from_slice(&section.sh_type.to_le_bytes());
                out.extend_from_slice(&0u64.to_le_bytes()); // sh_flags
                out.extend_from_slice(&0u64.to_le_bytes()); // sh_addr
                out.extend_from_slice(&section.offset.to_le_bytes());
                out.extend_from_slice(&section.size.to_le_bytes());
                out.extend_from_slice(&[0u8; 24]); // link, info, addralign, entsize
            }
        }
        out
    }
}

/// The minimal shared object's bytes.
pub fn shared_object() -> Vec<u8> {
    SyntheticElf::shared_object().bytes()
}
