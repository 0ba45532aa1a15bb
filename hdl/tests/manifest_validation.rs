//! A manifest is validated before it is trusted (issue 13): every field bounded and consistent,
//! every name a plain identifier, and the files it names present with the right length and format.
//! Each finding of the issue has its case here: `lanes = 0` (a division by zero in cosim),
//! `groups = 2^62` (a hang), a `top` of `../../x` (a build folder outside the cache), a missing or
//! truncated weight file (reported as "N samples differ").

use hdl::{generate, write_design, HdlConfig, Manifest};
use std::path::Path;
use testkit::nets::{quantized_init, FIRING};

fn manifest() -> Manifest {
    let net = quantized_init(&[8, 5, 3], 6, 20, FIRING, 12);
    generate(&net, &HdlConfig::default()).unwrap().manifest
}

/// The manifest's JSON with `edit` applied to its value, parsed back: the error text.
fn rejected(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&manifest().to_json()).unwrap();
    edit(&mut v);
    let err = Manifest::from_json(&v.to_string(), Path::new("d/manifest.json")).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("d/manifest.json: "), "{msg}");
    msg
}

#[test]
fn the_generated_manifest_is_valid() {
    manifest().validate().unwrap();
}

#[test]
fn zero_lanes_and_huge_groups_are_refused_by_name() {
    let msg = rejected(|v| v["layers"][0]["lanes"] = 0.into());
    assert!(
        msg.contains("layers[0].lanes = 0, expected 1..=1024"),
        "{msg}"
    );
    let msg = rejected(|v| v["layers"][1]["groups"] = (1u64 << 62).into());
    assert!(
        msg.contains("layers[1].groups = 4611686018427387904, expected ceil(n_out / lanes) = 1"),
        "{msg}"
    );
}

#[test]
fn widths_beyond_the_menu_and_out_of_order_are_refused() {
    let msg = rejected(|v| v["layers"][0]["potential_bits"] = 63.into());
    assert!(
        msg.contains("layers[0].potential_bits = 63, expected 2..=62"),
        "{msg}"
    );
    let msg = rejected(|v| v["layers"][0]["weight_bits"] = 40.into());
    assert!(msg.contains("layers[0].weight_bits = 40"), "{msg}");
    let msg = rejected(|v| v["layers"][0]["derived_slope_bits"] = 61.into());
    assert!(msg.contains("layers[0].derived_slope_bits = 61"), "{msg}");
    let msg = rejected(|v| v["layers"][0]["threshold_q"] = i64::MAX.into());
    assert!(msg.contains("layers[0].threshold_q"), "{msg}");
}

#[test]
fn sizes_that_disagree_with_each_other_are_refused() {
    let msg = rejected(|v| v["sizes"][1] = 6.into());
    assert!(msg.contains("sizes"), "{msg}");
    let msg = rejected(|v| v["layers"][0]["n_out"] = 4.into());
    assert!(
        msg.contains("layers[0].n_out = 4, expected sizes[1] = 5"),
        "{msg}"
    );
    let msg = rejected(|v| v["layers"][0]["memory_depth"] = 7.into());
    assert!(
        msg.contains("layers[0].memory_depth = 7, expected n_in * groups = 8"),
        "{msg}"
    );
    let msg = rejected(|v| v["layers"][1]["state_width_bits"] = 1.into());
    assert!(msg.contains("layers[1].state_width_bits = 1"), "{msg}");
    let msg = rejected(|v| v["sizes"][0] = (1u64 << 40).into());
    assert!(msg.contains("sizes[0] = 1099511627776"), "{msg}");
    let msg = rejected(|v| v["n_steps"] = 0.into());
    assert!(msg.contains("n_steps = 0"), "{msg}");
    let msg = rejected(|v| v["ports"]["in_neuron"] = 40.into());
    assert!(msg.contains("ports = "), "{msg}");
    let msg = rejected(|v| v["debug_signals"][0]["layer"] = 9.into());
    assert!(msg.contains("debug_signals[0].layer = 9"), "{msg}");
}

#[test]
fn names_with_a_path_are_refused() {
    for top in ["../../x", "/tmp/x", "a/b", "", ".x"] {
        let msg = rejected(|v| v["top"] = top.into());
        assert!(msg.contains("not a Verilog module name"), "{top}: {msg}");
    }
    for file in ["../l1.hex", "/etc/passwd", "sub/l1.hex", "..", ".hidden"] {
        let msg = rejected(|v| v["layers"][0]["memory_file"] = file.into());
        assert!(
            msg.contains("layers[0].memory_file") && msg.contains("plain file name"),
            "{file}: {msg}"
        );
    }
    let msg = rejected(|v| v["debug_signals"][0]["path"] = "u_layer1/../x".into());
    assert!(msg.contains("debug_signals[0].path"), "{msg}");
}

/// A written design folder and its first weight file.
fn design_folder() -> (tempfile::TempDir, Manifest, std::path::PathBuf) {
    let net = quantized_init(&[8, 5, 3], 6, 20, FIRING, 12);
    let d = generate(&net, &HdlConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    write_design(&d, dir.path()).unwrap();
    let hex = dir.path().join(&d.manifest.layers[0].memory_file);
    (dir, d.manifest, hex)
}

#[test]
fn a_missing_or_truncated_weight_file_is_named_with_its_line() {
    let (dir, m, hex) = design_folder();
    m.check_folder(dir.path()).unwrap();
    let good = std::fs::read_to_string(&hex).unwrap();
    assert_eq!(good.lines().count(), 8);

    let lines: Vec<&str> = good.lines().collect();
    std::fs::write(&hex, lines[..5].join("\n") + "\n").unwrap();
    let msg = m.check_folder(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("l1_weights.hex: line 6: the file ends after 5 of 8 words (truncated)"),
        "{msg}"
    );

    std::fs::write(
        &hex,
        good.replacen(lines[2], &"g".repeat(lines[2].len()), 1),
    )
    .unwrap();
    let msg = m.check_folder(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("l1_weights.hex: line 3: ") && msg.contains("hex digits"),
        "{msg}"
    );

    std::fs::write(&hex, good.clone() + &good).unwrap();
    let msg = m.check_folder(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("l1_weights.hex") && msg.contains("bytes, expected"),
        "{msg}"
    );

    std::fs::remove_file(&hex).unwrap();
    let msg = m.check_folder(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("l1_weights.hex") && msg.contains("No such file"),
        "{msg}"
    );

    std::fs::create_dir(&hex).unwrap();
    let msg = m.check_folder(dir.path()).unwrap_err().to_string();
    assert!(msg.contains("l1_weights.hex: is not a file"), "{msg}");
}
