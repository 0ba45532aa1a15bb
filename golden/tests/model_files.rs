//! Model files: bit-exact round trips, and every malformed file rejected with an error that names
//! the problem (never a panic, even on random or mutated bytes). Also the TOML settings helper and
//! atomic writes.

use golden::io::{self, Model};
use golden::quantize::{quantize, QuantConfig};
use golden::{FloatNetwork, GoldenError, QuantLayer, QuantNetwork, TimeParams, FORMAT_VERSION};
use ndarray::{arr2, Array2};
use proptest::prelude::*;
use safetensors::tensor::{Dtype, TensorView};
use std::collections::HashMap;
use std::path::Path;

fn float_net() -> FloatNetwork {
    FloatNetwork::random_init(&[6, 4, 3], TimeParams::default(), &[4.0, 4.0], 1.5, 9).unwrap()
}

fn quant_net() -> QuantNetwork {
    quantize(&float_net(), &QuantConfig::default()).unwrap()
}

fn bits_f32(a: &Array2<f32>) -> Vec<u32> {
    a.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn float_round_trip_is_bit_exact_including_extremes() {
    let w1 = arr2(&[
        [f32::MAX, f32::MIN, f32::MIN_POSITIVE],
        [-0.0, 1e-45, -1e-45],
        [0.1, -0.1, 1.0 / 3.0],
    ]);
    let w2 = arr2(&[[-1.5f32, 2.5, -3.25]]);
    let time = TimeParams {
        t_in: 0.1,
        t_max: 1.0 / 3.0 + 0.2,
    };
    let net = FloatNetwork::new(time, vec![w1, w2]).unwrap();
    let bytes = io::float_to_bytes(&net).unwrap();
    let back = io::float_from_bytes(&bytes, Path::new("mem")).unwrap();
    for (a, b) in net.layers().iter().zip(back.layers()) {
        assert_eq!(bits_f32(a), bits_f32(b)); // bit-exact: -0.0 and subnormals included
    }
    assert_eq!(back.time.t_in.to_bits(), time.t_in.to_bits());
    assert_eq!(back.time.t_max.to_bits(), time.t_max.to_bits());
    // Serialization is deterministic.
    assert_eq!(io::float_to_bytes(&back).unwrap(), bytes);
}

#[test]
fn quant_round_trip_is_bit_exact_including_extremes() {
    let layers = vec![
        QuantLayer {
            weights: arr2(&[[1, -1, 0], [-1, 1, 1]]),
            threshold_q: 1,
            scale: 5e-324, // smallest subnormal
            weight_bits: 2,
        },
        QuantLayer {
            weights: arr2(&[[(1 << 23) - 1, -((1 << 23) - 1)]]),
            threshold_q: 1 << 40,
            scale: f64::MAX,
            weight_bits: 24,
        },
    ];
    let net = QuantNetwork::new(
        1 << 16,
        7,
        TimeParams {
            t_in: 0.7,
            t_max: 2.9,
        },
        layers,
    )
    .unwrap();
    let bytes = io::quant_to_bytes(&net).unwrap();
    let back = io::quant_from_bytes(&bytes, Path::new("mem")).unwrap();
    assert_eq!(back, net);
    for (a, b) in net.layers().iter().zip(back.layers()) {
        assert_eq!(a.scale.to_bits(), b.scale.to_bits());
    }
    let q = quant_net();
    assert_eq!(
        io::quant_from_bytes(&io::quant_to_bytes(&q).unwrap(), Path::new("m")).unwrap(),
        q
    );
}

#[test]
fn files_round_trip_and_load_model_dispatches_on_format() {
    let dir = tempfile::tempdir().unwrap();
    let (fp, qp) = (
        dir.path().join("net.safetensors"),
        dir.path().join("q.safetensors"),
    );
    let (f, q) = (float_net(), quant_net());
    io::save_float(&fp, &f).unwrap();
    io::save_quant(&qp, &q).unwrap();
    assert_eq!(io::load_float(&fp).unwrap(), f);
    assert_eq!(io::load_quant(&qp).unwrap(), q);
    assert_eq!(io::load_model(&fp).unwrap(), Model::Float(f));
    assert_eq!(io::load_model(&qp).unwrap(), Model::Quant(q));
    // Each loader refuses the other kind and says which kind it is.
    let e = io::load_float(&qp).unwrap_err().to_string();
    assert!(
        e.contains("q.safetensors") && e.contains("quantized model"),
        "{e}"
    );
    let e = io::load_quant(&fp).unwrap_err().to_string();
    assert!(e.contains("float model"), "{e}");
    // Only the two files, no temporary left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let e = io::load_model(Path::new("/nonexistent/x.safetensors")).unwrap_err();
    assert!(matches!(e, GoldenError::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("/nonexistent/x.safetensors"));
}

// ------------------------------------------------------------------------------------------
// Hand-built malformed files.

struct T {
    name: &'static str,
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

fn t_f32(name: &'static str, shape: &[usize], v: &[f32]) -> T {
    T {
        name,
        dtype: Dtype::F32,
        shape: shape.to_vec(),
        data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}
fn t_i32(name: &'static str, shape: &[usize], v: &[i32]) -> T {
    T {
        name,
        dtype: Dtype::I32,
        shape: shape.to_vec(),
        data: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}
fn t_i64(name: &'static str, v: i64) -> T {
    T {
        name,
        dtype: Dtype::I64,
        shape: vec![1],
        data: v.to_le_bytes().to_vec(),
    }
}
fn t_f64(name: &'static str, v: f64) -> T {
    T {
        name,
        dtype: Dtype::F64,
        shape: vec![1],
        data: v.to_le_bytes().to_vec(),
    }
}

fn build(tensors: &[T], meta: &[(&str, &str)]) -> Vec<u8> {
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .map(|t| {
            (
                t.name.to_string(),
                TensorView::new(t.dtype, t.shape.clone(), &t.data).unwrap(),
            )
        })
        .collect();
    let meta: HashMap<String, String> = meta
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    safetensors::serialize(views, &Some(meta)).unwrap()
}

fn float_meta() -> Vec<(&'static str, String)> {
    vec![
        ("format", "ttfs-float".into()),
        ("format_version", FORMAT_VERSION.to_string()),
        ("t_in", "1.0".into()),
        ("t_max", "3.0".into()),
    ]
}

fn quant_meta() -> Vec<(&'static str, String)> {
    vec![
        ("format", "ttfs-quant".into()),
        ("format_version", FORMAT_VERSION.to_string()),
        ("t_in", "1.0".into()),
        ("t_max", "3.0".into()),
        ("n_steps", "64".into()),
        ("n_in_steps", "21".into()),
        ("layer1.weight_bits", "4".into()),
    ]
}

/// Metadata with `key` replaced (or removed when `value` is None).
fn with(
    meta: Vec<(&'static str, String)>,
    key: &'static str,
    value: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut m: Vec<_> = meta.into_iter().filter(|(k, _)| *k != key).collect();
    if let Some(v) = value {
        m.push((key, v.to_string()));
    }
    m
}

fn load_f(tensors: &[T], meta: &[(&'static str, String)]) -> GoldenError {
    let m: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    io::float_from_bytes(&build(tensors, &m), Path::new("bad.safetensors")).unwrap_err()
}

fn load_q(tensors: &[T], meta: &[(&'static str, String)]) -> GoldenError {
    let m: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    io::quant_from_bytes(&build(tensors, &m), Path::new("bad.safetensors")).unwrap_err()
}

/// The error's message names the file and contains every `parts`.
fn says(e: &GoldenError, parts: &[&str]) {
    let s = e.to_string();
    assert!(s.contains("bad.safetensors"), "no file name in: {s}");
    for p in parts {
        assert!(s.contains(p), "{p:?} not in: {s}");
    }
}

fn good_float() -> Vec<T> {
    vec![
        t_f32("layer1.weight", &[2, 3], &[0.5; 6]),
        t_f32("layer2.weight", &[1, 2], &[1.0; 2]),
    ]
}

fn good_quant() -> Vec<T> {
    vec![
        t_i32("layer1.weight", &[2, 3], &[1, -7, 7, 0, 3, 2]),
        t_i64("layer1.threshold", 20),
        t_f64("layer1.scale", 12.5),
    ]
}

#[test]
fn the_hand_built_good_files_load() {
    let fm = float_meta();
    let m: Vec<(&str, &str)> = fm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bytes = build(&good_float(), &m);
    assert_eq!(
        io::float_from_bytes(&bytes, Path::new("x"))
            .unwrap()
            .sizes(),
        vec![3, 2, 1]
    );
    let qm = quant_meta();
    let m: Vec<(&str, &str)> = qm.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let q = io::quant_from_bytes(&build(&good_quant(), &m), Path::new("x")).unwrap();
    assert_eq!(
        (q.n_steps, q.n_in_steps, q.layers()[0].threshold_q),
        (64, 21, 20)
    );
}

#[test]
fn not_a_safetensors_file() {
    for bytes in [
        &b""[..],
        b"hello world, this is text",
        &[0xff; 64],
        &[8, 0, 0, 0, 0, 0, 0, 0, b'{', b'}'],
    ] {
        let e = io::model_from_bytes(bytes, Path::new("bad.safetensors")).unwrap_err();
        assert!(matches!(e, GoldenError::Format { .. }), "{e:?}");
        assert!(
            e.to_string().contains("not a safetensors file")
                || e.to_string().contains("__metadata__"),
            "{e}"
        );
    }
}

#[test]
fn wrong_format_or_version() {
    says(
        &load_f(&good_float(), &with(float_meta(), "format", Some("onnx"))),
        &["format", "onnx", "ttfs-float"],
    );
    says(
        &load_f(&good_float(), &with(float_meta(), "format", None)),
        &["\"format\" is missing"],
    );
    says(
        &load_f(
            &good_float(),
            &with(float_meta(), "format_version", Some("99")),
        ),
        &["format_version = 99"],
    );
    says(
        &load_f(
            &good_float(),
            &with(float_meta(), "format_version", Some("one")),
        ),
        &["format_version", "\"one\""],
    );
    let m: Vec<(&str, &str)> = vec![];
    let e =
        io::float_from_bytes(&build(&good_float(), &m), Path::new("bad.safetensors")).unwrap_err();
    says(&e, &[]);
    // A safetensors file with no metadata at all.
    let views: Vec<(String, TensorView)> = vec![];
    let bytes = safetensors::serialize(views, &None).unwrap();
    says(
        &io::model_from_bytes(&bytes, Path::new("bad.safetensors")).unwrap_err(),
        &["__metadata__"],
    );
}

#[test]
fn missing_or_extra_tensors() {
    let mut t = good_float();
    t.remove(0);
    says(&load_f(&t, &float_meta()), &["layer1.weight", "missing"]);
    let mut t = good_float();
    t.push(t_f32("layer1.bias", &[2], &[0.0; 2]));
    says(
        &load_f(&t, &float_meta()),
        &["unexpected tensor", "layer1.bias"],
    );
    let mut t = good_float();
    t.push(t_f32("layer01.weight", &[2, 3], &[0.0; 6]));
    says(
        &load_f(&t, &float_meta()),
        &["unexpected tensor", "layer01.weight"],
    );
    says(&load_f(&[], &float_meta()), &["no layer tensors"]);
    let mut t = good_quant();
    t.remove(1);
    says(&load_q(&t, &quant_meta()), &["layer1.threshold", "missing"]);
    let mut t = good_quant();
    t.remove(2);
    says(&load_q(&t, &quant_meta()), &["layer1.scale", "missing"]);
}

#[test]
fn wrong_dtype() {
    let t = vec![t_i32("layer1.weight", &[1, 1], &[1])];
    says(
        &load_f(&t, &float_meta()),
        &["layer1.weight", "dtype I32", "F32"],
    );
    let mut t = good_quant();
    t[0] = t_f32("layer1.weight", &[2, 3], &[0.0; 6]);
    says(
        &load_q(&t, &quant_meta()),
        &["layer1.weight", "dtype F32", "I32"],
    );
    let mut t = good_quant();
    t[1] = T {
        name: "layer1.threshold",
        dtype: Dtype::I32,
        shape: vec![1],
        data: 5i32.to_le_bytes().to_vec(),
    };
    says(&load_q(&t, &quant_meta()), &["layer1.threshold", "I64"]);
    let mut t = good_quant();
    t[2] = T {
        name: "layer1.scale",
        dtype: Dtype::F32,
        shape: vec![1],
        data: 5f32.to_le_bytes().to_vec(),
    };
    says(&load_q(&t, &quant_meta()), &["layer1.scale", "F64"]);
}

#[test]
fn wrong_shape_or_rank() {
    for shape in [vec![6], vec![1, 2, 3], vec![0, 6], vec![6, 0]] {
        let n: usize = shape.iter().product();
        let t = vec![t_f32("layer1.weight", &shape, &vec![0.5; n])];
        let e = load_f(&t, &float_meta());
        assert!(matches!(e, GoldenError::Shape { .. }), "{shape:?}: {e:?}");
        says(&e, &["layer1.weight", &format!("{shape:?}")]);
    }
    let mut t = good_quant();
    t[1] = T {
        name: "layer1.threshold",
        dtype: Dtype::I64,
        shape: vec![2],
        data: [5i64.to_le_bytes(), 5i64.to_le_bytes()].concat(),
    };
    says(
        &load_q(&t, &quant_meta()),
        &["layer1.threshold", "[1]", "[2]"],
    );
    let mut t = good_quant();
    t[2] = T {
        name: "layer1.scale",
        dtype: Dtype::F64,
        shape: vec![],
        data: 5f64.to_le_bytes().to_vec(),
    };
    says(&load_q(&t, &quant_meta()), &["layer1.scale", "[1]", "[]"]);
}

#[test]
fn non_chaining_layers() {
    let t = vec![
        t_f32("layer1.weight", &[2, 3], &[0.5; 6]),
        t_f32("layer2.weight", &[1, 3], &[1.0; 3]),
    ];
    let e = load_f(&t, &float_meta());
    assert!(matches!(e, GoldenError::Shape { .. }), "{e:?}");
    says(&e, &["layer2.weight", "chain", "[1, 2]", "[1, 3]"]);
}

#[test]
fn non_finite_weights() {
    for (bad, shown) in [
        (f32::NAN, "NaN"),
        (f32::INFINITY, "inf"),
        (f32::NEG_INFINITY, "-inf"),
    ] {
        let mut v = [0.5f32; 6];
        v[4] = bad; // row 1, column 1 of a [2, 3] matrix
        let t = vec![t_f32("layer1.weight", &[2, 3], &v)];
        let e = load_f(&t, &float_meta());
        assert!(matches!(e, GoldenError::NonFinite { .. }), "{e:?}");
        says(&e, &["layer1.weight", "[1, 1]", shown]);
    }
}

#[test]
fn integer_weights_out_of_range_for_the_declared_bits() {
    // 4 signed bits, symmetric: -7..=7. 8 at [1, 2] is out of range.
    let mut t = good_quant();
    t[0] = t_i32("layer1.weight", &[2, 3], &[1, -7, 7, 0, 3, 8]);
    let e = load_q(&t, &quant_meta());
    assert!(matches!(e, GoldenError::Range { .. }), "{e:?}");
    says(&e, &["layer1.weight[1, 2]", "= 8", "-7..=7"]);
    let mut t = good_quant();
    t[0] = t_i32("layer1.weight", &[2, 3], &[1, -8, 7, 0, 3, 2]);
    says(&load_q(&t, &quant_meta()), &["layer1.weight[0, 1]", "-8"]);
    t[0] = t_i32("layer1.weight", &[2, 3], &[i32::MIN, 0, 0, 0, 0, 0]);
    says(&load_q(&t, &quant_meta()), &["layer1.weight[0, 0]"]);
}

#[test]
fn bad_threshold_or_scale() {
    for th in [0i64, -5, (1 << 40) + 1, i64::MIN] {
        let mut t = good_quant();
        t[1] = t_i64("layer1.threshold", th);
        let e = load_q(&t, &quant_meta());
        assert!(matches!(e, GoldenError::Range { .. }), "{e:?}");
        says(&e, &["layer1.threshold", &th.to_string()]);
    }
    for sc in [f64::NAN, f64::INFINITY, 0.0, -1.0] {
        let mut t = good_quant();
        t[2] = t_f64("layer1.scale", sc);
        says(&load_q(&t, &quant_meta()), &["layer1.scale"]);
    }
}

#[test]
fn bad_metadata_numbers() {
    for (key, value, shown) in [
        ("t_in", "abc", "not a valid number"),
        ("t_in", "NaN", "not a finite number"),
        ("t_max", "inf", "not a finite number"),
        ("t_max", "0.5", "t_max"),
        ("t_in", "-1", "t_in"),
    ] {
        says(
            &load_f(&good_float(), &with(float_meta(), key, Some(value))),
            &[key, shown],
        );
    }
    says(
        &load_f(&good_float(), &with(float_meta(), "t_max", None)),
        &["\"t_max\" is missing"],
    );
    for (key, value, shown) in [
        ("n_steps", "0", "1..="),
        ("n_steps", "-3", "not a valid integer"),
        ("n_steps", "70000", "1..="),
        ("n_in_steps", "65", "n_steps (64)"),
        ("layer1.weight_bits", "1", "2..=24"),
        ("layer1.weight_bits", "25", "2..=24"),
        ("layer1.weight_bits", "four", "not a valid integer"),
    ] {
        says(
            &load_q(&good_quant(), &with(quant_meta(), key, Some(value))),
            &[key, shown],
        );
    }
    says(
        &load_q(
            &good_quant(),
            &with(quant_meta(), "layer1.weight_bits", None),
        ),
        &["layer1.weight_bits", "missing"],
    );
    // Bits declared for a layer the file does not have.
    says(
        &load_q(
            &good_quant(),
            &with(quant_meta(), "layer2.weight_bits", Some("8")),
        ),
        &["layer2.weight_bits", "names no layer", "layer1..=layer1"],
    );
}

// ------------------------------------------------------------------------------------------
// No panics on any bytes.

fn try_all(bytes: &[u8]) {
    let p = Path::new("fuzz.safetensors");
    let f = io::float_from_bytes(bytes, p);
    let q = io::quant_from_bytes(bytes, p);
    let m = io::model_from_bytes(bytes, p);
    let _ = io::read_metadata(bytes, p);
    // Whatever loads is a valid network that round-trips.
    if let Ok(f) = f {
        assert_eq!(
            io::float_from_bytes(&io::float_to_bytes(&f).unwrap(), p).unwrap(),
            f
        );
    }
    if let Ok(q) = q {
        assert_eq!(
            io::quant_from_bytes(&io::quant_to_bytes(&q).unwrap(), p).unwrap(),
            q
        );
    }
    let _ = m;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn prop_random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        try_all(&bytes);
        // A plausible header length in front of random bytes reaches the JSON parser.
        let mut b = (bytes.len() as u64).to_le_bytes().to_vec();
        b.extend_from_slice(&bytes);
        try_all(&b);
    }

    #[test]
    fn prop_truncated_files_never_panic_and_fail(cut in 0usize..10_000, quant in any::<bool>()) {
        let bytes = if quant { io::quant_to_bytes(&quant_net()) } else { io::float_to_bytes(&float_net()) }.unwrap();
        let cut = cut % bytes.len();
        try_all(&bytes[..cut]);
        prop_assert!(io::model_from_bytes(&bytes[..cut], Path::new("t")).is_err());
    }

    #[test]
    fn prop_mutated_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        quant in any::<bool>(),
        in_header in any::<bool>(),
    ) {
        let mut bytes = if quant { io::quant_to_bytes(&quant_net()) } else { io::float_to_bytes(&float_net()) }.unwrap();
        let header_end = 8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        for (at, value) in edits {
            let pos = if in_header { 8 + at.index(header_end - 8) } else { at.index(bytes.len()) };
            bytes[pos] = value;
        }
        try_all(&bytes);
    }
}

// ------------------------------------------------------------------------------------------
// TOML settings and atomic writes.

#[test]
fn toml_settings_load_and_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("quant.toml");
    std::fs::write(
        &p,
        "weight_bits = 6\nn_steps = 96\nclip_percentile = 99.5\n",
    )
    .unwrap();
    let cfg: QuantConfig = io::load_toml(&p).unwrap();
    assert_eq!(
        cfg,
        QuantConfig {
            weight_bits: 6,
            n_steps: 96,
            clip_percentile: Some(99.5)
        }
    );
    // Unknown field (deny_unknown_fields) on line 2.
    std::fs::write(&p, "weight_bits = 6\nn_step = 96\n").unwrap();
    let e = io::load_toml::<QuantConfig>(&p).unwrap_err().to_string();
    assert!(
        e.contains("quant.toml") && e.contains("line 2") && e.contains("n_step"),
        "{e}"
    );
    // Syntax error on line 3, column 11.
    std::fs::write(&p, "weight_bits = 6\nn_steps = 96\nbad line = \n").unwrap();
    let e = io::load_toml::<QuantConfig>(&p).unwrap_err().to_string();
    assert!(e.contains("quant.toml") && e.contains("line 3"), "{e}");
    assert!(matches!(
        io::load_toml::<QuantConfig>(&dir.path().join("none.toml")),
        Err(GoldenError::Io { .. })
    ));
}

#[test]
fn write_atomic_replaces_whole_files_and_leaves_nothing_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("out.bin");
    io::write_atomic(&p, b"first version").unwrap();
    io::write_atomic(&p, b"second").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"second");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let missing = dir.path().join("no/such/folder/out.bin");
    let e = io::write_atomic(&missing, b"x").unwrap_err();
    assert!(
        matches!(e, GoldenError::Io { .. }) && e.to_string().contains("out.bin"),
        "{e}"
    );
    // Writing onto a folder fails and leaves the folder and no temporary file.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    assert!(io::write_atomic(&sub, b"x").is_err());
    assert!(sub.is_dir());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    // A relative path with no folder part writes into the current folder's view of it.
    assert!(io::write_atomic(Path::new(""), b"x").is_err());
}
