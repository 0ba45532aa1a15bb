//! Weights that carry no usable scale are reported as the weights' fault (issue 13): denormal
//! weights used to be blamed on the threshold ("layer1.threshold = 9223372036854775807").

use golden::quantize::{quantize, QuantConfig};
use golden::{FloatNetwork, TimeParams};
use ndarray::Array2;

#[test]
fn denormal_weights_are_named_as_such_not_as_a_bad_threshold() {
    let tiny = f32::from_bits(1); // the smallest denormal, 1.4e-45
    let w1 = Array2::from_elem((2, 3), tiny);
    let w2 = Array2::from_elem((2, 2), 0.5f32);
    let net = FloatNetwork::new(TimeParams::default(), vec![w1, w2]).unwrap();
    let err = quantize(&net, &QuantConfig::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("layer1: the largest |weight| is 1.401e-45 (denormal)"),
        "{err}"
    );
    assert!(!err.contains("threshold ="), "{err}");
    let small = Array2::from_elem((2, 3), 1e-30f32);
    let net = FloatNetwork::new(
        TimeParams::default(),
        vec![small, Array2::from_elem((2, 2), 0.5)],
    )
    .unwrap();
    let err = quantize(&net, &QuantConfig::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("(too small)"), "{err}");
    // Ordinary weights still quantize.
    let ok = Array2::from_elem((2, 3), 0.3f32);
    let net = FloatNetwork::new(
        TimeParams::default(),
        vec![ok, Array2::from_elem((2, 2), 0.5)],
    )
    .unwrap();
    quantize(&net, &QuantConfig::default()).unwrap();
}

/// A writer killed between creating its temporary file and the rename (SIGKILL of `quantize` or
/// `hdl`) leaves `.<name>.tmp.<pid>.<n>`; the next write of the same file removes it. A live
/// process's temporary file (this test's own pid) is kept.
#[cfg(target_os = "linux")]
#[test]
fn stale_temporary_files_of_a_killed_writer_are_removed_on_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.safetensors");
    let stale = dir.path().join(".model.safetensors.tmp.4194305.0");
    let live = dir
        .path()
        .join(format!(".model.safetensors.tmp.{}.99", std::process::id()));
    let other = dir.path().join(".other.tmp.4194305.0");
    for f in [&stale, &live, &other] {
        std::fs::write(f, b"half a file").unwrap();
    }
    golden::io::write_atomic(&out, b"whole").unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"whole");
    assert!(!stale.exists(), "the dead writer's temporary file is left");
    assert!(live.exists() && other.exists());
}
