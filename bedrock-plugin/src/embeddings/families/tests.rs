use super::*;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn body(family: Family, texts: &[&str], dims: Option<u32>, purpose: Purpose) -> Value {
    request_body(family, &strings(texts), dims, purpose)
}

#[test]
fn emb_10_normalisation() {
    assert_eq!(normalize_model_id(""), DEFAULT_MODEL);
    assert_eq!(normalize_model_id("   "), DEFAULT_MODEL);
    assert_eq!(normalize_model_id("bedrock/"), DEFAULT_MODEL);
    assert_eq!(
        normalize_model_id("  bedrock/cohere.embed-v4:0 "),
        "cohere.embed-v4:0"
    );
    assert_eq!(
        normalize_model_id("amazon-bedrock/amazon.titan-embed-text-v1"),
        "amazon.titan-embed-text-v1"
    );
    assert_eq!(
        normalize_model_id("aws/us.cohere.embed-v4:0"),
        "us.cohere.embed-v4:0"
    );
    // Only one prefix is stripped.
    assert_eq!(normalize_model_id("aws/bedrock/x"), "bedrock/x");
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emb1";
    assert_eq!(normalize_model_id(arn), arn);
}

#[test]
fn emb_11_lookup_keys() {
    assert_eq!(
        lookup_key("amazon.titan-embed-text-v1:2:8k"),
        "amazon.titan-embed-text-v1"
    );
    assert_eq!(
        lookup_key("amazon.titan-embed-text-v2:0:8k"),
        "amazon.titan-embed-text-v2:0"
    );
    assert_eq!(lookup_key("global.cohere.embed-v4:0"), "cohere.embed-v4:0");
    assert_eq!(
        lookup_key("amazon.titan-embed-text-v2:0"),
        "amazon.titan-embed-text-v2:0"
    );
    assert_eq!(
        lookup_key("us-gov.cohere.embed-english-v3"),
        "cohere.embed-english-v3"
    );
    assert_eq!(lookup_key("apac.cohere.embed-v4:0"), "cohere.embed-v4:0");
    for prefix in ["us.", "eu.", "ap.", "au.", "jp.", "ca."] {
        assert_eq!(
            lookup_key(&format!("{prefix}cohere.embed-v4:0")),
            "cohere.embed-v4:0"
        );
    }
    assert_eq!(
        lookup_key("cohere.embed-english-v3:0:512k"),
        "cohere.embed-english-v3"
    );
    // ARN fallback (EMB-13): the trailing segment.
    assert_eq!(
        lookup_key("arn:aws:bedrock:us-east-1::foundation-model/cohere.embed-v4:0"),
        "cohere.embed-v4:0"
    );
    assert_eq!(
        lookup_key("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emb1"),
        "emb1"
    );
}

#[test]
fn emb_12_model_table() {
    let rows = [
        ("amazon.titan-embed-text-v2:0", Family::TitanV2, 8192, 1024),
        ("amazon.titan-embed-text-v1", Family::TitanV1, 8000, 1536),
        ("amazon.titan-embed-g1-text-02", Family::TitanV1, 8000, 1536),
        ("amazon.titan-embed-image-v1", Family::TitanV1, 128, 1024),
        ("cohere.embed-english-v3", Family::CohereV3, 512, 1024),
        ("cohere.embed-multilingual-v3", Family::CohereV3, 512, 1024),
        ("cohere.embed-v4:0", Family::CohereV4, 128_000, 1536),
        (
            "amazon.nova-2-multimodal-embeddings-v1:0",
            Family::Nova,
            8192,
            1024,
        ),
        (
            "twelvelabs.marengo-embed-2-7-v1:0",
            Family::Marengo27,
            77,
            1024,
        ),
        (
            "twelvelabs.marengo-embed-3-0-v1:0",
            Family::Marengo3,
            512,
            512,
        ),
    ];
    for (id, family, max, dims) in rows {
        let resolved = resolve(id, None, None).expect(id);
        assert_eq!(resolved.family, family, "{id}");
        assert_eq!(resolved.max_input_tokens, Some(max), "{id}");
        assert_eq!(resolved.dimensions, Some(dims), "{id}");
        assert_eq!(resolved.model_id, id);
    }
    let default = resolve("", None, None).expect("default");
    assert_eq!(default.model_id, DEFAULT_MODEL);
    assert_eq!(default.dimensions, Some(1024));
    assert_eq!(
        known_spec("cohere.embed-v4:0").map(|s| s.valid_dims),
        Some(&[256, 512, 1024, 1536][..])
    );
    assert_eq!(
        known_spec("amazon.nova-2-multimodal-embeddings-v1:0").map(|s| s.valid_dims),
        Some(&[256, 384, 1024, 3072][..])
    );
    // Profiles keep their id for the request but use the base model's spec.
    let profile = resolve("global.cohere.embed-v4:0", Some(512), None).expect("profile");
    assert_eq!(profile.model_id, "global.cohere.embed-v4:0");
    assert_eq!(profile.family, Family::CohereV4);
    assert_eq!(profile.dimensions, Some(512));
}

#[test]
fn emb_13_unknown_ids() {
    let cases = [
        ("amazon.titan-embed-text-v2:9", Family::TitanV2),
        ("amazon.titan-embed-foo", Family::TitanV1),
        ("amazon.nova-3-embeddings", Family::Nova),
        ("cohere.embed-v4:7", Family::CohereV4),
        ("cohere.embed-light-v3", Family::CohereV3),
        ("twelvelabs.marengo-embed-2-7-v2:0", Family::Marengo27),
        ("twelvelabs.something", Family::Marengo3),
        ("mistral.embed", Family::TitanV1),
        ("eu.cohere.embed-v5", Family::CohereV3),
    ];
    for (id, family) in cases {
        let resolved = resolve(id, None, None).expect(id);
        assert_eq!(resolved.family, family, "{id}");
        assert_eq!(resolved.dimensions, None, "{id}");
        assert_eq!(resolved.max_input_tokens, None, "{id}");
    }
    // Requested dimensions are taken as given for unknown ids.
    assert_eq!(
        resolve("cohere.embed-v9", Some(333), None)
            .expect("unknown")
            .dimensions,
        Some(333)
    );
    // An application-profile ARN whose lookup failed (EMB-11's fallback) is an unknown id
    // keyed by its trailing segment, unless the host names the family.
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emb1";
    let resolved = resolve(arn, None, None).expect("arn");
    assert_eq!(resolved.family, Family::TitanV1);
    assert_eq!(resolved.model_id, arn);
    let resolved = resolve(arn, Some(1536), Some("cohere-v4")).expect("arn");
    assert_eq!(resolved.family, Family::CohereV4);
    assert_eq!(resolved.dimensions, Some(1536));
}

#[test]
fn emb_11_application_profile_takes_the_spec_of_its_first_target() {
    let arn = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/emb1";
    let resolved =
        resolve_with_spec_id(arn, None, None, Some("cohere.embed-v4:0")).expect("cohere");
    assert_eq!(
        resolved,
        ResolvedModel {
            model_id: arn.to_owned(),
            family: Family::CohereV4,
            dimensions: Some(1536),
            max_input_tokens: Some(128_000),
        }
    );
    // The target's dimensions are validated, naming the id the host configured.
    let error =
        resolve_with_spec_id(arn, Some(3072), None, Some("cohere.embed-v4:0")).expect_err("3072");
    assert_eq!(
        error.message.as_str(),
        format!("Invalid dimensions 3072 for {arn}. Valid values: 256, 512, 1024, 1536")
    );
    // A target the table does not know: EMB-13 on the target's lookup key.
    let unknown = resolve_with_spec_id(arn, None, None, Some("amazon.nova-3-embeddings"))
        .expect("unknown target");
    assert_eq!(unknown.family, Family::Nova);
    assert_eq!(unknown.dimensions, None);
}

#[test]
fn emb_14_invalid_dimensions() {
    let error = resolve("amazon.titan-embed-text-v2:0", Some(300), None).expect_err("300");
    assert_eq!(
        error.message.as_str(),
        "Invalid dimensions 300 for amazon.titan-embed-text-v2:0. Valid values: 256, 512, 1024"
    );
    let error = resolve("amazon.titan-embed-text-v1", Some(512), None).expect_err("512");
    assert_eq!(
        error.message.as_str(),
        "Invalid dimensions 512 for amazon.titan-embed-text-v1. Valid values: 1536"
    );
    let error = resolve("cohere.embed-v4:0", Some(3072), None).expect_err("3072");
    assert_eq!(
        error.message.as_str(),
        "Invalid dimensions 3072 for cohere.embed-v4:0. Valid values: 256, 512, 1024, 1536"
    );
    assert_eq!(
        resolve("amazon.titan-embed-text-v2:0", Some(256), None)
            .expect("valid")
            .dimensions,
        Some(256)
    );
    assert_eq!(
        resolve("amazon.titan-embed-text-v1", Some(1536), None)
            .expect("fixed")
            .dimensions,
        Some(1536)
    );
}

#[test]
fn emb_20_request_bodies() {
    assert_eq!(
        body(Family::TitanV2, &["hi"], Some(512), Purpose::Document),
        json!({"inputText": "hi", "dimensions": 512, "normalize": true})
    );
    assert_eq!(
        body(Family::TitanV1, &["hi"], Some(1536), Purpose::Query),
        json!({"inputText": "hi"})
    );
    assert_eq!(
        body(Family::Nova, &["hi"], Some(384), Purpose::Document),
        json!({"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_INDEX","embeddingDimension":384,"text":{"truncationMode":"END","value":"hi"}}})
    );
    assert_eq!(
        body(Family::Nova, &["q"], None, Purpose::Query),
        json!({"taskType":"SINGLE_EMBEDDING","singleEmbeddingParams":{"embeddingPurpose":"GENERIC_RETRIEVAL","embeddingDimension":1024,"text":{"truncationMode":"END","value":"q"}}})
    );
    assert_eq!(
        body(Family::Marengo27, &["hi"], Some(1024), Purpose::Document),
        json!({"inputType":"text","inputText":"hi","textTruncate":"end"})
    );
    assert_eq!(
        body(Family::Marengo3, &["hi"], Some(512), Purpose::Query),
        json!({"inputType":"text","text":{"inputText":"hi"}})
    );
    assert_eq!(
        body(Family::CohereV3, &["a", "b"], Some(1024), Purpose::Document),
        json!({"texts":["a","b"],"input_type":"search_document","truncate":"END"})
    );
    assert_eq!(
        body(Family::CohereV3, &["q"], Some(1024), Purpose::Query),
        json!({"texts":["q"],"input_type":"search_query","truncate":"END"})
    );
    assert_eq!(
        body(Family::CohereV4, &["a"], Some(256), Purpose::Document),
        json!({"texts":["a"],"input_type":"search_document","truncate":"END","embedding_types":["float"],"output_dimension":256})
    );
    // Key order follows the spec's table too.
    assert_eq!(
        body(Family::TitanV2, &["hi"], Some(256), Purpose::Query).to_string(),
        r#"{"inputText":"hi","dimensions":256,"normalize":true}"#
    );
}

#[test]
fn emb_21_response_fields_per_family() {
    let one = |family, body: &str| {
        parse_response(family, body.as_bytes(), 1)
            .expect(body)
            .vectors
    };
    assert_eq!(
        one(Family::TitanV2, r#"{"embedding":[1,2]}"#),
        vec![vec![1.0, 2.0]]
    );
    assert_eq!(
        one(Family::TitanV1, r#"{"embedding":[0.5]}"#),
        vec![vec![0.5]]
    );
    assert_eq!(
        one(
            Family::Nova,
            r#"{"embeddings":[{"embeddingType":"TEXT","embedding":[3]}]}"#
        ),
        vec![vec![3.0]]
    );
    assert_eq!(
        one(Family::Marengo27, r#"{"data":[{"embedding":[1]}]}"#),
        vec![vec![1.0]]
    );
    assert_eq!(
        one(Family::Marengo3, r#"{"data":{"embedding":[2]}}"#),
        vec![vec![2.0]]
    );
    assert_eq!(
        one(Family::Marengo3, r#"{"embedding":[4]}"#),
        vec![vec![4.0]]
    );
    assert_eq!(
        parse_response(Family::CohereV3, br#"{"embeddings":[[1],[2]]}"#, 2)
            .expect("v3")
            .vectors,
        vec![vec![1.0], vec![2.0]]
    );
    assert_eq!(
        parse_response(
            Family::CohereV4,
            br#"{"embeddings":{"float":[[1],[2]]}}"#,
            2
        )
        .expect("v4")
        .vectors,
        vec![vec![1.0], vec![2.0]]
    );
    assert_eq!(
        parse_response(Family::CohereV4, br#"{"embeddings":[[1]]}"#, 1)
            .expect("v4 array")
            .vectors,
        vec![vec![1.0]]
    );
    assert_eq!(
        parse_response(
            Family::TitanV1,
            br#"{"embedding":[1],"inputTextTokenCount":7}"#,
            1
        )
        .expect("tokens")
        .input_tokens,
        Some(7)
    );
}

#[test]
fn emb_21_malformed_responses_fail() {
    let single = [
        "{not json",
        "[]",
        "{}",
        r#"{"embedding":[1,"bad"]}"#,
        r#"{"embedding":"x"}"#,
        r#"{"embedding":[1,null]}"#,
        r#"{"embedding":[true]}"#,
        "\"text\"",
    ];
    for family in [
        Family::TitanV1,
        Family::TitanV2,
        Family::Nova,
        Family::Marengo27,
        Family::Marengo3,
    ] {
        for body in single {
            let error = parse_response(family, body.as_bytes(), 1).expect_err(body);
            assert_eq!(
                error.message.as_str(),
                MALFORMED_RESPONSE,
                "{family:?} {body}"
            );
        }
    }
    let batch = [
        "{}",
        r#"{"embeddings":[[1],{"bad":true}]}"#,
        r#"{"embeddings":[[1]]}"#,
        r#"{"embeddings":[[1],[2],[3]]}"#,
        r#"{"embeddings":{"int8":[[1],[2]]}}"#,
        r#"{"embeddings":[[1],["x"]]}"#,
        "[]",
        "{not json",
    ];
    for family in [Family::CohereV3, Family::CohereV4] {
        for body in batch {
            let error = parse_response(family, body.as_bytes(), 2).expect_err(body);
            assert_eq!(
                error.message.as_str(),
                MALFORMED_RESPONSE,
                "{family:?} {body}"
            );
        }
    }
    // A v3 response never has the by-type object.
    assert!(parse_response(Family::CohereV3, br#"{"embeddings":{"float":[[1]]}}"#, 1).is_err());
}

#[test]
fn emb_22_normalisation_and_dimension_check() {
    let unit = finish_vector(vec![3.0, 4.0], Some(2)).expect("unit");
    assert_eq!(unit, vec![0.6, 0.8]);
    assert_eq!(
        finish_vector(vec![0.0, 0.0], None).expect("zero"),
        vec![0.0, 0.0]
    );
    let error = finish_vector(vec![1.0, 2.0, 3.0], Some(1024)).expect_err("dims");
    assert_eq!(
        error.message.as_str(),
        "Amazon Bedrock embedding returned 3 dimensions, expected 1024"
    );
    let long = finish_vector(vec![1.0; 100], None).expect("unknown dims");
    let norm: f32 = long.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5);
}

#[test]
fn family_names_round_trip() {
    for name in [
        "titan-v2",
        "titan-v1",
        "cohere-v3",
        "cohere-v4",
        "nova",
        "marengo-2.7",
        "marengo-3",
    ] {
        assert_eq!(Family::parse(name).map(Family::as_str), Some(name));
    }
    assert_eq!(Family::parse("TITAN-V2"), Some(Family::TitanV2));
    assert_eq!(Family::parse("other"), None);
}

/// The direct parse of Titan and Cohere bodies skips what it does not read and keeps the rules
/// of a parsed `Value`: the last of a repeated key wins, a token count that is not an
/// unsigned integer is absent, and a number out of `f64` range is malformed.
#[test]
fn emb_21_titan_and_cohere_parse_skips_unread_fields_and_keeps_value_rules() {
    let titan = parse_response(
        Family::TitanV2,
        br#"{"embeddingsByType":{"float":["skipped",{}]},"embedding":[9],"inputTextTokenCount":"3","embedding":[1.5,-2]}"#,
        1,
    )
    .expect("titan");
    assert_eq!(titan.vectors, vec![vec![1.5, -2.0]]);
    assert_eq!(titan.input_tokens, None);
    let cohere = parse_response(
        Family::CohereV4,
        br#"{"id":"x","embeddings":{"int8":[["skipped"]],"float":[[1],[2e-3]]},"texts":["a","b"],"inputTextTokenCount":4}"#,
        2,
    )
    .expect("cohere");
    assert_eq!(cohere.vectors, vec![vec![1.0], vec![0.002]]);
    assert_eq!(cohere.input_tokens, Some(4));
    for (family, body) in [
        (Family::TitanV2, r#"{"embedding":[1e400]}"#),
        (Family::CohereV3, r#"{"embeddings":[[-1e400]]}"#),
        (Family::CohereV4, r#"{"embeddings":{"float":{"0":[1]}}}"#),
        (Family::CohereV4, r#"{"embeddings":5}"#),
        (Family::TitanV1, r#"{"embedding":[1]} trailing"#),
    ] {
        let error = parse_response(family, body.as_bytes(), 1).expect_err(body);
        assert_eq!(error.message.as_str(), MALFORMED_RESPONSE, "{body}");
    }
}

/// The byte scanner either gives exactly what the serde parse gives or defers to it.
fn scan_agrees(shape: super::body::Shape, body: &str, expected: usize) -> bool {
    let scanned = super::scan::parse(shape, body.as_bytes(), expected);
    if let Some(scanned) = &scanned {
        let parsed = super::body::parse(shape, body.as_bytes(), expected);
        assert_eq!(parsed.ok().as_ref(), Some(scanned), "{body}");
    }
    scanned.is_some()
}

/// Bodies as Titan and Cohere send them take the scanner; everything outside its subset
/// (escapes, literals, long numbers, odd token counts, broken JSON) is left to serde, which
/// then gives the same vectors or the same EMB-21 error as before.
#[test]
fn emb_21_scanner_reads_plain_bodies_and_defers_everything_else_to_serde() {
    use super::body::Shape;
    let fast = [
        (
            Shape::CohereV4,
            r#"{"embeddings":{"float":[[0.012345679,-0.5,1e-5],[3,-0,1.5E+2]]},"id":"a-b","response_type":"embeddings_by_type","texts":["note number 1","ünïcode"]}"#,
            2,
        ),
        (
            Shape::CohereV3,
            " {\"embeddings\" : [ [1 , 2.25] ,[ -3e2 ] ] , \"inputTextTokenCount\":12}\n",
            2,
        ),
        (
            Shape::Titan,
            r#"{"embedding":[0.25,-0.125],"embeddingsByType":{"float":[0.25,-0.125]},"inputTextTokenCount":2}"#,
            1,
        ),
        (Shape::Titan, r#"{"embedding":[1],"embedding":[2,3]}"#, 1),
        (Shape::Titan, "{}", 1),
    ];
    for (shape, body, expected) in fast {
        assert!(scan_agrees(shape, body, expected), "scanned: {body}");
    }
    let deferred = [
        (
            Shape::CohereV4,
            r#"{"embeddings":[[1]],"texts":["a \"quoted\" text"]}"#,
        ),
        (Shape::Titan, r#"{"embedding":[1],"normalized":true}"#),
        (
            Shape::Titan,
            r#"{"embedding":[1],"inputTextTokenCount":"3"}"#,
        ),
        (
            Shape::Titan,
            r#"{"embedding":[1],"inputTextTokenCount":3.0}"#,
        ),
        (Shape::Titan, r#"{"embedding":[12345678901234567890]}"#),
        (Shape::Titan, r#"{"embedding":[1e23]}"#),
        (Shape::Titan, r#"{"embedding":[1e400]}"#),
        (Shape::Titan, r#"{"embedding":[01]}"#),
        (Shape::Titan, r#"{"embedding":[1.]}"#),
        (Shape::Titan, r#"{"embedding":[-]}"#),
        (Shape::Titan, r#"{"embedding":[1,]}"#),
        (Shape::Titan, r#"{"embedding":[1]} trailing"#),
        (Shape::Titan, r#"{"embed\u0064ing":[1]}"#),
        (Shape::Titan, "[[1]]"),
        (Shape::CohereV3, r#"{"embeddings":{"float":[[1]]}}"#),
        (Shape::CohereV4, r#"{"embeddings":{"int8":[[1]]}}"#),
        (Shape::CohereV4, r#"{"embeddings":{"float":{"0":[1]}}}"#),
        (
            Shape::CohereV4,
            r#"{"embeddings":[[1]],"texts":["tab	inside"]}"#,
        ),
    ];
    for (shape, body) in deferred {
        assert!(!scan_agrees(shape, body, 1), "deferred: {body}");
    }
    // Deferred bodies still parse (or fail) through serde.
    assert_eq!(
        parse_response(
            Family::CohereV4,
            br#"{"embeddings":[[1]],"texts":["a \"quoted\" text"]}"#,
            1
        )
        .expect("serde parse")
        .vectors,
        vec![vec![1.0]]
    );
}

/// At most 19 significant digits, and a decimal exponent within ±22 once they are read as an
/// integer.
fn in_scanner_subset(text: &str) -> bool {
    let (mantissa, written) = text.split_once(['e', 'E']).unwrap_or((text, "0"));
    let written: i32 = written.parse().expect("exponent");
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{}{fraction}", whole.trim_start_matches('-'));
    let significant = digits.trim_start_matches('0').len();
    significant <= 19 && (written - fraction.len() as i32).abs() <= 22
}

/// Every number the scanner reads is the correctly rounded `f64`, bit for bit: the shortest f32
/// forms Cohere sends, the 17-digit forms Titan sends, fixed and exponent notation, over a
/// deterministic spread of magnitudes; all of them within 19 digits and 10^±22 take the
/// scanner.
#[test]
fn emb_21_scanner_numbers_are_correctly_rounded() {
    use super::body::Shape;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..4_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let unit = (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        let value = unit * 10f64.powi((state % 13) as i32 - 8);
        let short = value as f32;
        for text in [
            format!("{short}"),
            format!("{short:e}"),
            format!("{}", f64::from(short)),
            format!("{value}"),
            format!("{value:e}"),
        ] {
            let body = format!(r#"{{"embedding":[{text}]}}"#);
            let scanned = super::scan::parse(Shape::Titan, body.as_bytes(), 1)
                .and_then(|parsed| parsed.vectors);
            let correct = text.parse::<f64>().expect("number").to_bits();
            if let Some(vectors) = &scanned {
                assert_eq!(vectors[0][0].to_bits(), correct, "{text}");
            }
            assert_eq!(scanned.is_some(), in_scanner_subset(&text), "{text}");
        }
    }
}
