use super::*;

fn message(result: Result<impl std::fmt::Debug, PluginError>) -> String {
    result.expect_err("error").message.to_string()
}

#[test]
fn msg_10_image_mime_mapping() {
    for (mime, format) in [
        ("image/jpeg", ImageFormat::Jpeg),
        ("image/jpg", ImageFormat::Jpeg),
        ("IMAGE/PNG; charset=binary", ImageFormat::Png),
        ("image/gif", ImageFormat::Gif),
        ("image/webp", ImageFormat::Webp),
    ] {
        assert_eq!(image_format(mime).expect(mime), format);
    }
    assert_eq!(
        message(image_format("image/bmp")),
        "Unknown image type: image/bmp"
    );
    assert_eq!(
        message(image_block("not base64!!", "image/png")),
        "Amazon Bedrock image content has malformed base64"
    );
    let block = image_block("aGk=", "image/png").expect("valid");
    assert_eq!(
        block.source(),
        Some(&ImageSource::Bytes(Blob::new(b"hi".to_vec())))
    );
    // Padding is optional.
    assert!(image_block("aGk", "image/png").is_ok());
}

#[test]
fn vid_01_ex_v01_mime_mapping_and_bytes() {
    for (mime, format) in [
        ("video/mp4", "mp4"),
        ("video/quicktime", "mov"),
        ("video/x-matroska", "mkv"),
        ("video/webm", "webm"),
        ("video/x-flv", "flv"),
        ("video/mpeg", "mpeg"),
        ("video/mpg", "mpg"),
        ("video/wmv", "wmv"),
        ("video/x-ms-wmv", "wmv"),
        ("video/3gpp", "three_gp"),
        ("VIDEO/MP4; codecs=avc1", "mp4"),
    ] {
        assert_eq!(video_format(mime).expect(mime).as_str(), format, "{mime}");
    }
    let block = video_block("dmlkZW8=", "video/mp4").expect("valid");
    assert_eq!(
        block.source(),
        Some(&VideoSource::Bytes(Blob::new(vec![
            118, 105, 100, 101, 111
        ])))
    );
}

#[test]
fn vid_01_ex_v03_errors() {
    assert_eq!(
        message(video_block("dmlkZW8=", "video/avi")),
        "Unsupported Amazon Bedrock video type: video/avi"
    );
    assert_eq!(
        message(video_block("%%%", "video/mp4")),
        "Amazon Bedrock video content has malformed base64"
    );
}

#[test]
fn vid_02_ex_v04_too_large_video_fails() {
    let data = "A".repeat(MAX_VIDEO_BASE64_LEN);
    assert_eq!(
        message(video_block(&data, "video/mp4")),
        "Amazon Bedrock inline video must be smaller than 25 MB after base64 encoding."
    );
    assert!(video_block(&"A".repeat(MAX_VIDEO_BASE64_LEN - 4), "video/mp4").is_ok());
}

#[test]
fn msg_12_document_formats_and_names() {
    for (mime, format) in [
        ("application/pdf", DocumentFormat::Pdf),
        ("text/csv", DocumentFormat::Csv),
        ("application/msword", DocumentFormat::Doc),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DocumentFormat::Docx,
        ),
        ("application/vnd.ms-excel", DocumentFormat::Xls),
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            DocumentFormat::Xlsx,
        ),
        ("text/html", DocumentFormat::Html),
        ("text/plain; charset=utf-8", DocumentFormat::Txt),
        ("text/markdown", DocumentFormat::Md),
    ] {
        assert_eq!(document_format(mime), Some(format), "{mime}");
    }
    assert_eq!(document_format("application/zip"), None);

    assert_eq!(base_document_name(Some(".pdf")), "document");
    assert_eq!(base_document_name(None), "document");
    assert_eq!(
        base_document_name(Some("Q1 report_final  (v2).pdf")),
        "Q1 report-final (v2)"
    );
    assert_eq!(base_document_name(Some("a\tb.txt")), "a-b");
    let long = "x".repeat(250);
    assert_eq!(base_document_name(Some(&long)), "x".repeat(200));

    let mut names = DocumentNames::default();
    assert_eq!(names.unique(Some("report.pdf")), "report");
    assert_eq!(names.unique(Some("report.docx")), "report (2)");
    assert_eq!(names.unique(Some("report.csv")), "report (3)");
    assert_eq!(names.unique(Some(&long)), "x".repeat(200));
    let second = names.unique(Some(&long));
    assert_eq!(second, format!("{} (2)", "x".repeat(196)));
    assert_eq!(second.chars().count(), 200);
}

#[test]
fn msg_12_unsupported_document_becomes_text() {
    let mut names = DocumentNames::default();
    match names.document("aGk=", "application/zip", Some("a.zip")) {
        Ok(Document::Omitted(text)) => {
            assert_eq!(text, "(document omitted: unsupported type application/zip)")
        }
        _ => panic!("omitted"),
    }
    match names.document("aGk=", "application/pdf", Some("a.pdf")) {
        Ok(Document::Block(block)) => {
            assert_eq!(block.name(), "a");
            assert_eq!(block.format(), &DocumentFormat::Pdf);
        }
        _ => panic!("block"),
    }
}

#[test]
fn br_93_audio_mime_mapping() {
    for (mime, format) in [
        ("audio/mpeg", AudioFormat::Mp3),
        ("audio/wav", AudioFormat::Wav),
        ("audio/x-wav", AudioFormat::Wav),
        ("audio/ogg", AudioFormat::Ogg),
        ("audio/flac", AudioFormat::Flac),
        ("audio/aac", AudioFormat::Aac),
        ("audio/mp4", AudioFormat::M4A),
        ("AUDIO/M4A", AudioFormat::M4A),
        ("audio/webm; codecs=opus", AudioFormat::Webm),
        ("audio/opus", AudioFormat::Opus),
    ] {
        assert_eq!(audio_format(mime), Some(format), "{mime}");
    }
    assert_eq!(audio_format("audio/midi"), None);
}

#[test]
fn br_93_audio_block_or_placeholder() {
    match audio("aGk=", "audio/mpeg", true).expect("audio") {
        Audio::Block(block) => {
            assert_eq!(block.format(), &AudioFormat::Mp3);
            let Some(AudioSource::Bytes(bytes)) = block.source() else {
                panic!("bytes expected");
            };
            assert_eq!(bytes.as_ref(), b"hi");
        }
        other => panic!("block expected, got {other:?}"),
    }
    match audio("aGk=", "audio/midi", true).expect("placeholder") {
        Audio::Omitted(text) => assert_eq!(text, "[audio omitted: unsupported type audio/midi]"),
        other => panic!("placeholder expected, got {other:?}"),
    }
    // Not decoded for a model without audio: nothing is sent.
    match audio("not base64!", "audio/mpeg", false).expect("placeholder") {
        Audio::Omitted(text) => assert_eq!(text, "[audio omitted: model does not support audio]"),
        other => panic!("placeholder expected, got {other:?}"),
    }
    assert_eq!(
        message(audio("not base64!", "audio/mpeg", true)),
        "Amazon Bedrock audio content has malformed base64"
    );
}

#[test]
fn br_92_cite_enables_citations_only_when_flagged() {
    let mut names = DocumentNames::default();
    let mut flagged = Extensions::new();
    flagged.set(
        keys::DOCUMENT_CITATIONS,
        plugin_api::ext::ExtValue::Bool(true),
    );
    let doc = names
        .document("aGk=", "text/plain", Some("a.txt"))
        .expect("document");
    let Document::Block(block) = cite(doc, &flagged).expect("cited") else {
        panic!("block expected");
    };
    assert_eq!(block.citations.map(|c| c.enabled), Some(true));
    let doc = names
        .document("aGk=", "text/plain", Some("b.txt"))
        .expect("document");
    let Document::Block(block) = cite(doc, &Extensions::new()).expect("plain") else {
        panic!("block expected");
    };
    assert_eq!(block.citations, None);
}
