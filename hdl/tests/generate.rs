//! Generator unit behaviour without external tools: plan and validation, widths against golden,
//! weight memory layout (decoded back), manifest round trip and errors, cycle formulas on paper.

use golden::{QuantLayer, QuantNetwork, SpikeTrain, TimeParams};
use hdl::{generate, HdlConfig, HdlError, Manifest};
use ndarray::Array2;
use std::collections::BTreeSet;
use std::path::Path;
use testkit::nets::{quantized_init, FIRING};

fn lanes(v: &[usize]) -> HdlConfig {
    HdlConfig { lanes: v.to_vec() }
}

#[test]
fn lanes_are_capped_and_groups_cover_every_neuron() {
    let net = quantized_init(&[20, 40, 5], 8, 32, FIRING, 1);
    let m = generate(&net, &HdlConfig::default()).unwrap().manifest;
    // default 16 lanes: 40 neurons -> 3 groups; 5 neurons -> 5 lanes, 1 group
    assert_eq!((m.layers[0].lanes, m.layers[0].groups), (16, 3));
    assert_eq!((m.layers[1].lanes, m.layers[1].groups), (5, 1));
    let m = generate(&net, &lanes(&[7, 2])).unwrap().manifest;
    assert_eq!((m.layers[0].lanes, m.layers[0].groups), (7, 6));
    assert_eq!((m.layers[1].lanes, m.layers[1].groups), (2, 3));
    assert_eq!(m.layers[0].memory_depth, 20 * 6);
    assert_eq!(m.layers[0].memory_width_bits, 7 * 8);
}

#[test]
fn bad_configurations_are_errors_not_panics() {
    let net = quantized_init(&[6, 4, 3], 8, 16, FIRING, 2);
    assert!(matches!(
        generate(&net, &lanes(&[1, 2, 3])),
        Err(HdlError::Config(_))
    ));
    assert!(matches!(
        generate(&net, &lanes(&[0])),
        Err(HdlError::Unsupported { .. })
    ));
    assert!(matches!(
        generate(&net, &lanes(&[4096])),
        Err(HdlError::Unsupported { .. })
    ));
    // 1024 lanes of (slope + potential + 2) > 32 bits exceed the state word limit.
    let wide = quantized_init(&[4, 1024], 8, 65536, FIRING, 3);
    let err = generate(&wide, &lanes(&[1024])).unwrap_err();
    assert!(err.to_string().contains("state width"), "{err}");
}

#[test]
fn register_widths_come_from_golden_and_only_widen() {
    for (seed, bits) in [(4u64, 2u32), (5, 4), (6, 8), (7, 12)] {
        let net = quantized_init(&[30, 12, 4], bits, 64, FIRING, seed);
        let m = generate(&net, &HdlConfig::default()).unwrap().manifest;
        for (l, w) in m.layers.iter().zip(net.widths()) {
            assert_eq!(l.derived_slope_bits, w.slope_bits);
            assert_eq!(l.derived_potential_bits, w.potential_bits);
            assert_eq!(l.slope_bits, w.slope_bits.max(bits));
            assert_eq!(l.potential_bits, w.potential_bits.max(l.slope_bits));
            assert_eq!(
                l.state_width_bits,
                l.lanes * (l.slope_bits + l.potential_bits + 2) as usize
            );
        }
    }
}

/// Decodes a hex memory back into `[n_out, n_in]` weights.
fn decode(text: &str, l: &hdl::LayerManifest) -> Array2<i32> {
    let wb = l.weight_bits as usize;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), l.memory_depth);
    let mut w = Array2::zeros((l.n_out, l.n_in));
    for (addr, line) in lines.iter().enumerate() {
        assert_eq!(line.len(), l.memory_width_bits.div_ceil(4));
        let bits: Vec<bool> = line
            .chars()
            .rev()
            .flat_map(|c| {
                let d = c.to_digit(16).unwrap();
                (0..4).map(move |b| (d >> b) & 1 == 1)
            })
            .collect();
        let (g, j) = (addr / l.n_in, addr % l.n_in);
        for lane in 0..l.lanes {
            let mut v: i64 = 0;
            for b in 0..wb {
                if bits[lane * wb + b] {
                    v |= 1 << b;
                }
            }
            if v >= 1 << (wb - 1) {
                v -= 1 << wb; // two's complement
            }
            let neuron = g * l.lanes + lane;
            if neuron < l.n_out {
                w[[neuron, j]] = v as i32;
            } else {
                assert_eq!(v, 0, "padding lane {lane} of word {addr} must be zero");
            }
        }
    }
    w
}

#[test]
fn weight_memories_decode_back_to_the_weights() {
    for (sizes, bits, lane_cfg) in [
        (vec![9, 7, 3], 5u32, vec![3usize]),
        (vec![5, 33, 2], 8, vec![16, 2]),
        (vec![4, 6], 2, vec![6]),
    ] {
        let net = quantized_init(&sizes, bits, 16, FIRING, 9);
        let d = generate(&net, &lanes(&lane_cfg)).unwrap();
        for ((name, text), (l, q)) in d
            .memories
            .iter()
            .zip(d.manifest.layers.iter().zip(net.layers()))
        {
            assert_eq!(name, &l.memory_file);
            assert_eq!(decode(text, l), q.weights, "layer {}", l.layer);
            assert!(d.verilog.contains(&format!("$readmemh(\"{name}\"")));
        }
    }
}

#[test]
fn verilog_declares_contract_ports_with_manifest_widths() {
    let net = quantized_init(&[50, 20, 10], 8, 100, FIRING, 11);
    let d = generate(&net, &HdlConfig::default()).unwrap();
    let p = &d.manifest.ports;
    // 50 inputs -> 6 bits; steps 0..=100 -> 7 bits; 10 classes -> 4 bits; 2 layers -> 2 bits;
    // largest layer 20 -> 5 bits.
    assert_eq!(
        (
            p.in_neuron,
            p.in_step,
            p.class_out,
            p.spk_layer,
            p.spk_neuron
        ),
        (6, 7, 4, 2, 5)
    );
    let port = |dir: &str, name: &str, w: u32| {
        let decl = format!("{dir} [{}:0]", w - 1);
        let line = d
            .verilog
            .lines()
            .skip_while(|l| !l.starts_with("module ttfs_top"))
            .find(|l| l.trim_end().ends_with(&format!("{name},")) || l.trim_end().ends_with(name))
            .unwrap_or_else(|| panic!("port {name} missing"));
        assert!(line.contains(&decl), "{name}: {line:?} lacks {decl:?}");
    };
    port("wire", "in_neuron", p.in_neuron);
    port("wire", "in_step", p.in_step);
    port("reg ", "class_out", p.class_out);
    port("wire", "spk_layer", p.spk_layer);
    port("wire", "spk_neuron", p.spk_neuron);
    port("wire", "spk_step", p.spk_step);
    port("wire", "out_neuron", p.out_neuron);
    port("wire", "out_step", p.out_step);
    // Thresholds are signed literals compared against signed potentials.
    for l in &d.manifest.layers {
        assert!(d.verilog.contains(&format!(
            "localparam signed [{}:0] THETA = {}'sd{};",
            l.potential_bits - 1,
            l.potential_bits,
            l.threshold_q
        )));
    }
}

#[test]
fn manifest_round_trips_and_rejects_bad_files() {
    let net = quantized_init(&[8, 5, 3], 6, 20, FIRING, 12);
    let m = generate(&net, &HdlConfig::default()).unwrap().manifest;
    let back = Manifest::from_json(&m.to_json(), Path::new("mem")).unwrap();
    assert_eq!(back, m);
    let err = Manifest::load(Path::new("/nonexistent/manifest.json")).unwrap_err();
    assert!(matches!(err, HdlError::Io { .. }), "{err}");
    let version = format!("\"format_version\": {}", hdl::MANIFEST_VERSION);
    assert!(m.to_json().contains(&version));
    let future = m.to_json().replace(&version, "\"format_version\": 99");
    let err = Manifest::from_json(&future, Path::new("m.json")).unwrap_err();
    assert!(err.to_string().contains("format_version"), "{err}");
    // A version-1 manifest (no debug signals yet): the error says to regenerate, not which field.
    let v1 = m
        .to_json()
        .replace(&version, "\"format_version\": 1")
        .replace("\"debug_signals\"", "\"old_field\"");
    let err = Manifest::from_json(&v1, Path::new("m.json")).unwrap_err();
    assert!(err.to_string().contains("re-run `ttfs hdl`"), "{err}");
    let other = m.to_json().replace(
        "\"engine\": \"layer-sequential\"",
        "\"engine\": \"warp-drive\"",
    );
    let err = Manifest::from_json(&other, Path::new("m.json")).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("warp-drive") && msg.contains("known engines: layer-sequential"),
        "{msg}"
    );
    let err = Manifest::from_json("{", Path::new("m.json")).unwrap_err();
    assert!(err.to_string().starts_with("m.json:"), "{err}");
}

#[test]
fn cycle_formulas_on_paper() {
    // 3 inputs -> 4 neurons (2 lanes, 2 groups) -> 2 outputs (1 lane, 2 groups), 10 steps.
    let layer = |w: Vec<i32>, r: usize, c: usize| QuantLayer {
        weights: Array2::from_shape_vec((r, c), w).unwrap(),
        threshold_q: 5,
        scale: 1.0,
        weight_bits: 4,
    };
    let net = QuantNetwork::new(
        10,
        3,
        TimeParams::default(),
        vec![layer(vec![1; 12], 4, 3), layer(vec![1; 8], 2, 4)],
    )
    .unwrap();
    let m = generate(&net, &lanes(&[2, 1])).unwrap().manifest;
    // Input events at steps 0, 3 and 10 (10 is never absorbed: it would count from step 11).
    // Layer 1 spikes: neurons 0 and 1 (group 0) at step 4, neuron 3 (group 1) at step 10.
    // Layer 2 spikes: neurons 0 (group 0) and 1 (group 1) at step 10.
    let spikes = SpikeTrain::new(vec![
        vec![Some(0), Some(3), Some(10)],
        vec![Some(4), Some(4), None, Some(10)],
        vec![Some(10), Some(10)],
    ]);
    // bound: layer 1: 2 * (1 + 2 + 10) + 3 = 29; layer 2: 2 * (1 + 2 + 10) + 2 = 28 (events at
    // 4, 4, 10: two below 10).
    assert_eq!(m.cycle_bound(&spikes), 29 + 28);
    // The same bound by what drives it: events 2 * 2 (layer 1) + 2 * 2 (layer 2, from hidden spikes),
    // steps 2 * 11 per layer, spikes 3 + 2.
    let parts = m.cycle_bound_parts(&spikes);
    assert_eq!(
        (
            parts.event_cycles,
            parts.hidden_event_cycles,
            parts.step_cycles,
            parts.spike_cycles
        ),
        (8, 4, 44, 5)
    );
    assert_eq!(parts.total(), 57);
    // exact: layer 1: 3 + 26 + 3 = 32 (no 16-lane chunk skipped; the update of group 0 at step 10,
    // issued just before the last op, does not fire); layer 2: 3 + 26 + 2 = 31, minus 1: group 0
    // fires at step 10 right before the last op (group 1 at step 10), so its spike leaves while that
    // op computes; plus 1 for the top's done register -> 1 + 32 + 30 = 63.
    assert_eq!(m.expected_cycles(&spikes), 63);
}

/// The rust-hdl lane units: one module per distinct width used, at exactly the manifest's widths (no
/// rounding), instantiated inside each layer's `lanes`-wide generate loop; the decision comparator at
/// the output layer's potential width.
#[test]
fn one_unit_module_per_distinct_width_instantiated_in_each_lane_loop() {
    // 200 inputs vs 3 inputs: the two layers get different slope and potential widths.
    let net = quantized_init(&[200, 3, 2], 6, 64, FIRING, 12);
    let d = generate(&net, &lanes(&[2, 2])).unwrap();
    let m = &d.manifest;
    let slopes: BTreeSet<u32> = m.layers.iter().map(|l| l.slope_bits).collect();
    let pots: BTreeSet<u32> = m.layers.iter().map(|l| l.potential_bits).collect();
    assert!(slopes.len() == 2 && pots.len() == 2, "{slopes:?} {pots:?}");
    for b in &slopes {
        assert_eq!(
            d.verilog
                .matches(&format!("module ttfs_slope_s{b}("))
                .count(),
            1
        );
    }
    for b in &pots {
        assert_eq!(
            d.verilog
                .matches(&format!("module ttfs_neuron_p{b}("))
                .count(),
            1
        );
    }
    for l in &m.layers {
        let start = d
            .verilog
            .find(&format!("module ttfs_layer{} (", l.layer))
            .unwrap();
        let text = &d.verilog[start..];
        let text = &text[..text.find("endmodule").unwrap()];
        assert!(text.contains(&format!(
            "for (lane = 0; lane < {}; lane = lane + 1) begin : g_lane",
            l.lanes
        )));
        assert_eq!(
            text.matches(&format!("ttfs_slope_s{} u_slope (", l.slope_bits))
                .count(),
            1
        );
        assert_eq!(
            text.matches(&format!("ttfs_neuron_p{} u_neuron (", l.potential_bits))
                .count(),
            1
        );
        assert!(text.contains("neuron /* verilator public_flat_rd */ = op_base + LANE;"));
    }
    let last = m.layers.last().unwrap();
    assert!(d.verilog.contains(&format!(
        "ttfs_decision_p{} u_decision (",
        last.potential_bits
    )));
}

#[test]
fn check_network_names_the_first_mismatching_field() {
    let net = quantized_init(&[8, 5, 3], 6, 20, FIRING, 12);
    let m = generate(&net, &HdlConfig::default()).unwrap().manifest;
    m.check_network(&net).unwrap();
    let field = |other: &QuantNetwork| match m.check_network(other) {
        Err(HdlError::ModelMismatch { field, .. }) => field,
        other => panic!("expected a mismatch, got {other:?}"),
    };
    assert_eq!(
        field(&quantized_init(&[8, 6, 3], 6, 20, FIRING, 12)),
        "sizes"
    );
    assert_eq!(
        field(&quantized_init(&[8, 5, 3], 6, 24, FIRING, 12)),
        "n_steps"
    );
    let mut layers = net.layers().to_vec();
    layers[1].threshold_q += 1;
    let t = QuantNetwork::new(net.n_steps, net.n_in_steps, TimeParams::default(), layers).unwrap();
    assert_eq!(field(&t), "layer2.threshold_q");
}

#[test]
fn debug_signals_cover_every_lane_and_map_lanes_to_neurons() {
    let net = quantized_init(&[20, 40, 5], 8, 32, FIRING, 1);
    let m = generate(&net, &lanes(&[7, 2])).unwrap().manifest;
    for (l, lm) in m.layers.iter().enumerate() {
        let layer = l + 1;
        let sigs: Vec<&hdl::DebugSignal> = m
            .debug_signals
            .iter()
            .filter(|s| s.layer == layer)
            .collect();
        for meaning in [
            hdl::Meaning::OpValid,
            hdl::Meaning::OpAbsorb,
            hdl::Meaning::OpStep,
        ] {
            assert_eq!(
                sigs.iter().filter(|s| s.meaning == meaning).count(),
                1,
                "layer {layer} {meaning:?}"
            );
        }
        let pot: Vec<&&hdl::DebugSignal> = sigs
            .iter()
            .filter(|s| s.meaning == hdl::Meaning::PotSum)
            .collect();
        assert_eq!(pot.len(), lm.lanes);
        for (k, s) in pot.iter().enumerate() {
            let map = s.neuron.as_ref().unwrap();
            assert_eq!(map.lane, k);
            assert_eq!(map.base, format!("u_layer{layer}.op_base"));
            assert_eq!(s.path, format!("u_layer{layer}.g_lane[{k}].pot_sum"));
            assert_eq!((s.width, s.signed), (lm.potential_bits, true));
        }
    }
    // The output layer alone carries the potential of its spikes.
    assert!(m
        .debug_signals
        .iter()
        .filter(|s| s.meaning == hdl::Meaning::SpikePotential)
        .all(|s| s.layer == 2));
}

#[test]
fn the_top_module_declares_exactly_the_contract_ports() {
    use hdl::contract::{Direction, PORTS};
    for (sizes, lanes) in [
        (&[8usize, 5, 3][..], vec![2]),
        (&[20, 40, 33, 4][..], vec![]),
    ] {
        let net = quantized_init(sizes, 6, 20, FIRING, 3);
        let d = generate(&net, &HdlConfig { lanes }).unwrap();
        let header = d.verilog.split("module ttfs_top (\n").nth(1).unwrap();
        let header = &header[..header.find(");").unwrap()];
        let declared: Vec<(String, String, u32)> = header
            .lines()
            .map(|l| {
                let t: Vec<&str> = l.trim().trim_end_matches(',').split_whitespace().collect();
                let width = match t.get(2) {
                    Some(r) if r.starts_with('[') => {
                        let msb: u32 = r[1..r.find(':').unwrap()].parse().unwrap();
                        msb + 1
                    }
                    _ => 1,
                };
                (t[0].to_string(), t.last().unwrap().to_string(), width)
            })
            .collect();
        let expected: Vec<(String, String, u32)> = PORTS
            .iter()
            .map(|p| {
                let dir = match p.direction {
                    Direction::Input => "input",
                    Direction::Output => "output",
                };
                (
                    dir.to_string(),
                    p.name.to_string(),
                    p.width(&d.manifest.ports),
                )
            })
            .collect();
        assert_eq!(declared, expected, "{sizes:?}");
    }
}
