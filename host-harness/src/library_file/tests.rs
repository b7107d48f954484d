//! The ELF check on synthetic files, one broken field at a time, and the file-type checks.

use std::io::Cursor;

use super::elf::{check_elf, check_elf_for, LibraryProblem};
use super::elf_fixture::{
    self, Section, Segment, SyntheticElf, BODY_LEN, FILE_LEN, PHDR_TABLE_END, PT_DYNAMIC, PT_LOAD,
    PT_NOTE, SHT_PROGBITS,
};
use super::open_checked;

fn check(bytes: &[u8]) -> Result<super::ElfSummary, LibraryProblem> {
    check_elf(&mut Cursor::new(bytes), bytes.len() as u64)
}

fn problem(bytes: &[u8]) -> String {
    check(bytes).unwrap_err().to_string()
}

fn with(edit: impl FnOnce(&mut SyntheticElf)) -> Vec<u8> {
    let mut elf = SyntheticElf::shared_object();
    edit(&mut elf);
    elf.bytes()
}

const HINT: &str = "(a partial copy? reinstall the plugin)";

#[test]
fn minimal_shared_object_passes() {
    let bytes = elf_fixture::shared_object();
    assert_eq!(bytes.len() as u64, FILE_LEN);
    let summary = check(&bytes).unwrap();
    assert_eq!(summary.len, FILE_LEN);
    assert_eq!(summary.segments, 2);
    assert_eq!(summary.sections, 3);
}

#[test]
fn without_section_headers_passes() {
    let bytes = with(|elf| elf.sections = None);
    assert_eq!(bytes.len() as u64, BODY_LEN);
    assert_eq!(check(&bytes).unwrap().sections, 0);
}

#[test]
fn empty_and_non_elf_files() {
    assert_eq!(problem(b""), format!("is empty {HINT}"));
    for bytes in [
        &b"\x7fEL"[..],
        b"root:x:0:0:root:/root:/bin/bash\n",
        b"MZ\x90\x00",
    ] {
        assert_eq!(
            problem(bytes),
            "is not an ELF shared object: it does not start with the ELF magic bytes"
        );
    }
}

#[test]
fn truncated_inside_the_elf_header() {
    let bytes = elf_fixture::shared_object();
    assert_eq!(
        problem(&bytes[..40]),
        format!("is truncated: the file has 40 bytes, fewer than the 64-byte ELF header {HINT}")
    );
}

#[test]
fn truncated_at_every_length_is_an_error_never_a_panic() {
    let bytes = elf_fixture::shared_object();
    for len in 0..bytes.len() {
        assert!(check(&bytes[..len]).is_err(), "{len} bytes passed");
    }
}

#[test]
fn truncated_program_header_table() {
    let bytes = elf_fixture::shared_object();
    assert_eq!(
        problem(&bytes[..100]),
        format!("is truncated: the program header table ends at byte {PHDR_TABLE_END} but the file has 100 bytes {HINT}")
    );
}

#[test]
fn truncated_segment() {
    let bytes = elf_fixture::shared_object();
    assert_eq!(
        problem(&bytes[..1000]),
        format!("is truncated: segment 0 (PT_LOAD) ends at byte {BODY_LEN} but the file has 1000 bytes {HINT}")
    );
    // The dynamic segment is checked like the loadable ones (and its index is the table's).
    let bytes = with(|elf| {
        elf.segments[0].filesz = 0x100;
        elf.segments[1].offset = 0x3000;
        elf.segments[1].filesz = 0x2000;
    });
    assert_eq!(
        problem(&bytes),
        format!("is truncated: segment 1 (PT_DYNAMIC) ends at byte 20480 but the file has {FILE_LEN} bytes {HINT}")
    );
    // …and so is every other segment with file contents.
    let bytes = with(|elf| {
        elf.segments.push(Segment {
            p_type: PT_NOTE,
            offset: 0x1000,
            filesz: 0x10000,
        });
        elf.body_len = BODY_LEN;
    });
    assert!(problem(&bytes).starts_with("is truncated: segment 2 (PT_NOTE) ends at byte 69632"));
}

#[test]
fn truncated_section_header_table() {
    let bytes = elf_fixture::shared_object();
    let len = BODY_LEN + 10;
    assert_eq!(
        problem(&bytes[..len as usize]),
        format!("is truncated: the section header table ends at byte {FILE_LEN} but the file has {len} bytes {HINT}")
    );
}

#[test]
fn section_past_the_end_is_truncation_but_nobits_is_not() {
    let bytes = with(|elf| {
        elf.sections.as_mut().unwrap().push(Section {
            sh_type: SHT_PROGBITS,
            offset: 0x800,
            size: 0x100_0000,
        })
    });
    let len = bytes.len();
    assert_eq!(
        problem(&bytes),
        format!(
            "is truncated: section 3 ends at byte 16779264 but the file has {len} bytes {HINT}"
        )
    );
}

#[test]
fn offsets_that_overflow_are_malformed_not_a_panic() {
    let bytes = with(|elf| elf.segments[0].offset = u64::MAX - 1);
    assert_eq!(
        problem(&bytes),
        format!(
            "is malformed: segment 0 (PT_LOAD) offset {} + size {BODY_LEN} overflows",
            u64::MAX - 1
        )
    );
    let bytes = with(|elf| elf.phoff = Some(u64::MAX - 8));
    assert_eq!(
        problem(&bytes),
        format!(
            "is malformed: program header table offset {} + size 112 overflows",
            u64::MAX - 8
        )
    );
    let bytes = with(|elf| elf.shoff = Some(u64::MAX));
    assert_eq!(
        problem(&bytes),
        format!(
            "is malformed: section header table offset {} + size 192 overflows",
            u64::MAX
        )
    );
    let bytes = with(|elf| elf.sections.as_mut().unwrap()[1].offset = u64::MAX);
    assert_eq!(
        problem(&bytes),
        format!(
            "is malformed: section 1 offset {} + size 256 overflows",
            u64::MAX
        )
    );
}

#[test]
fn wrong_class_byte_order_and_version() {
    assert_eq!(
        problem(&with(|elf| elf.class = 1)),
        "is a 32-bit ELF file; this host loads 64-bit libraries"
    );
    assert_eq!(
        problem(&with(|elf| elf.class = 7)),
        "is malformed: invalid ELF class 7"
    );
    assert_eq!(
        problem(&with(|elf| elf.data = 2)),
        "is a big-endian ELF file; this host is little-endian"
    );
    assert_eq!(
        problem(&with(|elf| elf.data = 0)),
        "is malformed: invalid ELF byte order 0"
    );
    assert_eq!(
        problem(&with(|elf| elf.ident_version = 0)),
        "is malformed: unsupported ELF version 0"
    );
    assert_eq!(
        problem(&with(|elf| elf.version = 2)),
        "is malformed: unsupported ELF version 2"
    );
}

#[test]
fn not_a_shared_object() {
    for (e_type, name) in [
        (0, "none (ET_NONE)"),
        (1, "relocatable object (ET_REL)"),
        (2, "executable (ET_EXEC)"),
        (4, "core dump (ET_CORE)"),
        (0xfe00, "unknown (65024)"),
    ] {
        assert_eq!(
            problem(&with(|elf| elf.e_type = e_type)),
            format!("is not an ELF shared object: its type is {name}")
        );
    }
}

#[test]
fn wrong_machine_names_both() {
    let bytes = with(|elf| elf.machine = 40);
    assert_eq!(
        check_elf_for(&mut Cursor::new(&bytes), bytes.len() as u64, Some(62))
            .unwrap_err()
            .to_string(),
        "is built for arm (e_machine 40); this host is x86_64 (e_machine 62)"
    );
    let bytes = with(|elf| elf.machine = 62);
    assert_eq!(
        check_elf_for(&mut Cursor::new(&bytes), bytes.len() as u64, Some(183))
            .unwrap_err()
            .to_string(),
        "is built for x86_64 (e_machine 62); this host is aarch64 (e_machine 183)"
    );
    let bytes = with(|elf| elf.machine = 9999);
    assert!(check_elf_for(&mut Cursor::new(&bytes), bytes.len() as u64, None).is_ok());
    // And against this host: the other of the two supported machines is refused.
    let other = if super::elf::HOST_MACHINE == Some(183) {
        62
    } else {
        183
    };
    assert!(problem(&with(|elf| elf.machine = other)).starts_with("is built for "));
}

#[test]
fn malformed_header_fields() {
    assert_eq!(
        problem(&with(|elf| elf.ehsize = 52)),
        "is malformed: ELF header size is 52, expected 64"
    );
    assert_eq!(
        problem(&with(|elf| elf.phentsize = 32)),
        "is malformed: program header entry size is 32, expected 56"
    );
    assert_eq!(
        problem(&with(|elf| elf.shentsize = 40)),
        "is malformed: section header entry size is 40, expected 64"
    );
    assert_eq!(
        problem(&with(|elf| elf.phnum = Some(0))),
        "is malformed: it has no program headers"
    );
    assert_eq!(
        problem(&with(|elf| elf.phnum = Some(0xffff))),
        "is malformed: program header count 65535 (PN_XNUM) is not supported"
    );
}

#[test]
fn no_dynamic_segment_is_not_a_shared_library() {
    let bytes = with(|elf| elf.segments[1].p_type = PT_NOTE);
    assert_eq!(
        problem(&bytes),
        "is not a shared library: it has no PT_DYNAMIC segment"
    );
    let _ = (PT_LOAD, PT_DYNAMIC);
}

#[test]
fn open_checked_refuses_non_regular_files() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        open_checked(dir.path()).unwrap_err().to_string(),
        "is not a regular file (it is a directory)"
    );
    let missing = dir.path().join("missing.so");
    assert_eq!(
        open_checked(&missing).unwrap_err().to_string(),
        "cannot be read: No such file or directory (os error 2)"
    );
    let good = dir.path().join("good.so");
    std::fs::write(&good, elf_fixture::shared_object()).unwrap();
    assert_eq!(open_checked(&good).unwrap().summary.len, FILE_LEN);
}

#[cfg(unix)]
#[test]
fn open_checked_does_not_block_on_a_fifo() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("lib.so");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(status.success());
    assert_eq!(
        open_checked(&fifo).unwrap_err().to_string(),
        "is not a regular file (it is a FIFO)"
    );
}

#[test]
fn install_record_round_trips_and_rejects_unknown_fields() {
    let record = super::InstallRecord {
        plugin_id: "amazon-bedrock".into(),
        version: "0.1.0".into(),
        library: "libbedrock_plugin.so".into(),
        size: 12,
        sha256: "ab".repeat(32),
    };
    let json = record.to_json();
    assert_eq!(
        json,
        format!(
            "{{\n  \"pluginId\": \"amazon-bedrock\",\n  \"version\": \"0.1.0\",\n  \"library\": \"libbedrock_plugin.so\",\n  \"size\": 12,\n  \"sha256\": \"{}\"\n}}\n",
            "ab".repeat(32)
        )
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("install.json");
    assert_eq!(super::record::read_record(&path), Ok(None));
    std::fs::write(&path, &json).unwrap();
    assert_eq!(super::record::read_record(&path), Ok(Some(record)));
    std::fs::write(&path, json.replace("\"size\"", "\"bytes\"")).unwrap();
    assert!(matches!(
        super::record::read_record(&path),
        Err(super::record::RecordProblem::Invalid(message)) if message.starts_with("unknown field `bytes`")
    ));
}

#[test]
fn sha256_of_known_input() {
    let (digest, len) = super::record::sha256_of(&mut Cursor::new(b"abc")).unwrap();
    assert_eq!(
        digest,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(len, 3);
}

#[test]
fn built_beside_finds_the_library_next_to_the_binary_in_deps_or_one_level_up() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("debug");
    let deps = profile.join("deps");
    std::fs::create_dir_all(&deps).unwrap();
    let test_exe = deps.join("some-test-1234");
    let bin_exe = profile.join("host-harness");
    // Nothing built yet.
    assert_eq!(super::built_beside(&bin_exe, "lib.so"), None);
    // A test binary in deps/ finds the library cargo put in the profile folder…
    std::fs::write(profile.join("lib.so"), b"x").unwrap();
    assert_eq!(
        super::built_beside(&test_exe, "lib.so"),
        Some(deps.join("..").join("lib.so"))
    );
    // …and prefers the copy beside it; a binary finds the one in deps/ (a dependency's cdylib).
    std::fs::write(deps.join("lib.so"), b"x").unwrap();
    assert_eq!(
        super::built_beside(&test_exe, "lib.so"),
        Some(deps.join("lib.so"))
    );
    std::fs::remove_file(profile.join("lib.so")).unwrap();
    assert_eq!(
        super::built_beside(&bin_exe, "lib.so"),
        Some(deps.join("lib.so"))
    );
    // A directory of that name is not a library.
    std::fs::remove_file(deps.join("lib.so")).unwrap();
    std::fs::create_dir(deps.join("lib.so")).unwrap();
    assert_eq!(super::built_beside(&test_exe, "lib.so"), None);
}
