//! Gradient checks: the analytic gradient of every objective term against central finite differences
//! in f64, on small random networks with negative weights. A weight is checked only where the
//! perturbation keeps every neuron's causal set (and firing) unchanged and the two one-sided
//! differences agree (no kink between them), so the loss is smooth across the stencil.

use golden::exact::SortedInputs;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use trainer::backprop::{forward_backward, LayerRef, Objective, Workspace};
use trainer::RegKind;

struct Case {
    sizes: Vec<usize>,
    weights: Vec<Vec<f64>>,
    input: Vec<Option<f64>>,
}

fn random_case(seed: u64, sizes: &[usize], mu: &[f64], sigma: f64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weights = (1..sizes.len())
        .map(|l| {
            let n_in = sizes[l - 1] as f64;
            (0..sizes[l] * sizes[l - 1])
                .map(|_| {
                    // Sum of uniforms: roughly normal, mean mu/n_in, spread sigma/sqrt(n_in).
                    let u: f64 = (0..4).map(|_| rng.gen::<f64>() - 0.5).sum::<f64>();
                    mu[l - 1] / n_in + sigma * u * 1.7 / n_in.sqrt()
                })
                .collect()
        })
        .collect();
    let input = (0..sizes[0])
        .map(|_| {
            if rng.gen::<f64>() < 0.2 {
                None
            } else {
                Some(rng.gen::<f64>())
            }
        })
        .collect();
    Case {
        sizes: sizes.to_vec(),
        weights,
        input,
    }
}

fn refs<'a>(sizes: &[usize], w: &'a [Vec<f64>]) -> Vec<LayerRef<'a, f64>> {
    (1..sizes.len())
        .map(|l| LayerRef {
            w: &w[l - 1],
            n_out: sizes[l],
            n_in: sizes[l - 1],
        })
        .collect()
}

/// `(fired, n_causal)` of every neuron: the piece of the piecewise-smooth loss we are on.
fn signature(ws: &Workspace, n_layers: usize) -> Vec<Option<usize>> {
    (0..n_layers)
        .flat_map(|l| ws.layer_crossings(l).iter().map(|c| c.map(|c| c.n_causal)))
        .collect()
}

fn loss(case: &Case, w: &[Vec<f64>], label: usize, obj: &Objective) -> (f64, Vec<Option<usize>>) {
    let mut ws = Workspace::default();
    ws.set_input_times(&case.input);
    let mut grads: Vec<Vec<f64>> = w.iter().map(|x| vec![0.0; x.len()]).collect();
    let st = forward_backward(&refs(&case.sizes, w), label, obj, 1.0, &mut ws, &mut grads);
    (st.total, signature(&ws, w.len()))
}

/// Returns (checked weights with a gradient above 1e-6, checked weights).
fn check(case: &Case, label: usize, obj: &Objective) -> (usize, usize) {
    let mut ws = Workspace::default();
    ws.set_input_times(&case.input);
    let mut grads: Vec<Vec<f64>> = case.weights.iter().map(|x| vec![0.0; x.len()]).collect();
    forward_backward(
        &refs(&case.sizes, &case.weights),
        label,
        obj,
        1.0,
        &mut ws,
        &mut grads,
    );
    let (f0, sig0) = loss(case, &case.weights, label, obj);
    let eps = 1e-6;
    let (mut nonzero, mut checked) = (0, 0);
    for l in 0..case.weights.len() {
        for k in 0..case.weights[l].len() {
            let mut wp = case.weights.clone();
            wp[l][k] += eps;
            let (fp, sp) = loss(case, &wp, label, obj);
            let mut wm = case.weights.clone();
            wm[l][k] -= eps;
            let (fm, sm) = loss(case, &wm, label, obj);
            if sp != sig0 || sm != sig0 {
                continue;
            }
            let (right, left) = ((fp - f0) / eps, (f0 - fm) / eps);
            if (right - left).abs() > 1e-3 * (1.0 + right.abs()) {
                continue; // a kink (hinge switching) inside the stencil
            }
            let fd = (fp - fm) / (2.0 * eps);
            let g = grads[l][k];
            assert!(
                (fd - g).abs() <= 1e-6 + 1e-4 * g.abs().max(fd.abs()),
                "layer {} weight {k}: analytic {g:e}, finite difference {fd:e} (label {label}, {obj:?})",
                l + 1
            );
            checked += 1;
            if g.abs() > 1e-6 {
                nonzero += 1;
            }
        }
    }
    (nonzero, checked)
}

fn objective(reg: RegKind, ce: f64, hinge: f64, gammas: Vec<f64>, v_ref: f64) -> Objective {
    Objective {
        t_max: 3.0,
        tau: 0.1,
        min_slope: 0.0,
        ce_weight: ce,
        silent_target_weight: hinge,
        reg,
        gammas,
        v_ref,
    }
}

fn run_cases(obj: &Objective, min_nonzero: usize) {
    let (mut nonzero, mut checked) = (0, 0);
    for seed in 0..6 {
        let case = random_case(seed, &[10, 8, 6, 4], &[4.0, 3.0, 3.0], 1.5);
        let negative = case.weights.iter().flatten().filter(|&&w| w < 0.0).count();
        assert!(
            negative > 10,
            "the test networks must have negative weights"
        );
        for label in 0..4 {
            let (n, c) = check(&case, label, obj);
            nonzero += n;
            checked += c;
        }
    }
    assert!(
        nonzero >= min_nonzero,
        "only {nonzero} of {checked} checked weights had a gradient; the check is too weak"
    );
}

#[test]
fn cross_entropy_spike_time_gradient_matches_finite_differences() {
    run_cases(
        &objective(RegKind::None, 1.0, 0.0, vec![0.0, 0.0], 0.0),
        200,
    );
}

#[test]
fn silent_target_hinge_gradient_matches_finite_differences() {
    // Output weights around zero: many outputs stay silent, so the hinge is active for many labels.
    let obj = objective(RegKind::None, 0.0, 1.0, vec![0.0, 0.0], 0.0);
    let (mut nonzero, mut hinge_cases) = (0, 0);
    for seed in 0..6 {
        let case = random_case(seed, &[10, 8, 6, 4], &[4.0, 3.0, 0.0], 1.5);
        for label in 0..4 {
            let (_, sig) = loss(&case, &case.weights, label, &obj);
            if sig[sig.len() - 4 + label].is_none() {
                hinge_cases += 1;
            }
            nonzero += check(&case, label, &obj).0;
        }
    }
    assert!(hinge_cases >= 4, "only {hinge_cases} silent-target cases");
    assert!(
        nonzero >= 50,
        "only {nonzero} nonzero hinge gradients checked"
    );
}

#[test]
fn mssr_gradient_matches_finite_differences() {
    run_cases(
        &objective(RegKind::Mssr, 0.0, 0.0, vec![1.0, 0.5], 0.0),
        100,
    );
}

#[test]
fn fssr_gradient_matches_finite_differences() {
    run_cases(
        &objective(RegKind::Fssr, 0.0, 0.0, vec![1.0, 0.5], 0.0),
        100,
    );
}

#[test]
fn membrane_potential_integral_gradient_matches_finite_differences() {
    for v_ref in [0.5, 0.9, -0.2] {
        run_cases(
            &objective(RegKind::Mp, 0.0, 0.0, vec![1.0, 0.5], v_ref),
            100,
        );
    }
}

#[test]
fn all_terms_together_with_slope_cap_off() {
    run_cases(
        &objective(RegKind::Mssr, 1.0, 1.0, vec![0.3, 0.1], 0.0),
        200,
    );
}

/// Hand-checkable R_MP: one neuron, one input at t = 0 with w = 0.5, v_ref = 0.5, T_max = 3.
/// v(t) = 0.5 t crosses v_ref at t = 1 and V_th at t = 2. Pre-spike area above v_ref:
/// int_1^2 (0.5 t - 0.5) dt = 0.25; after the spike (V_th - v_ref)(T_max - 2) = 0.5. Sum / 0.5 = 1.5.
/// Gradient wrt w: (1/0.5) int_1^2 t dt = 2 * 1.5 = 3.
#[test]
fn membrane_potential_integral_on_paper() {
    let w = [0.5f64];
    let layers = [
        LayerRef {
            w: &w[..],
            n_out: 1,
            n_in: 1,
        },
        LayerRef {
            w: &w[..],
            n_out: 1,
            n_in: 1,
        },
    ];
    let obj = objective(RegKind::Mp, 0.0, 0.0, vec![1.0], 0.5);
    let mut ws = Workspace::default();
    ws.set_input_times(&[Some(0.0)]);
    let mut grads = vec![vec![0.0], vec![0.0]];
    let st = forward_backward(&layers, 0, &obj, 1.0, &mut ws, &mut grads);
    assert!((st.reg[0] - 1.5).abs() < 1e-12, "R_MP = {}", st.reg[0]);
    assert!((grads[0][0] - 3.0).abs() < 1e-12, "dR/dw = {}", grads[0][0]);
    assert_eq!(ws.layer_times(0), &[Some(2.0)]);
}

#[test]
fn forward_matches_golden_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let net = golden::FloatNetwork::random_init(
        &[30, 12, 5],
        golden::TimeParams::default(),
        &[3.0, 2.0],
        2.0,
        3,
    )
    .unwrap();
    let layers: Vec<LayerRef<'_, f32>> = net
        .layers()
        .iter()
        .map(|w| LayerRef {
            w: w.as_slice().unwrap(),
            n_out: w.nrows(),
            n_in: w.ncols(),
        })
        .collect();
    let mut ws = Workspace::default();
    for _ in 0..200 {
        // Few grey levels, so equal input times (groups) are common.
        let pixels: Vec<u8> = (0..30)
            .map(|_| [0u8, 0, 40, 128, 128, 200, 255][rng.gen_range(0..7)])
            .collect();
        ws.set_pixels(&pixels, 1.0);
        let input = golden::encode::encode_exact(&pixels, 1.0);
        let reference = SortedInputs::new(&input);
        let decision = trainer::backprop::forward(&layers, 3.0, &mut ws);
        let gold = golden::exact::forward(&net, &input);
        assert_eq!(decision, gold.decision);
        for l in 0..2 {
            let ours: Vec<Option<u64>> = ws
                .layer_times(l)
                .iter()
                .map(|t| t.map(f64::to_bits))
                .collect();
            let theirs: Vec<Option<u64>> = gold.spikes.layers[l + 1]
                .iter()
                .map(|t| t.map(f64::to_bits))
                .collect();
            assert_eq!(ours, theirs, "layer {}", l + 1);
        }
        // The pixel fast path sorts exactly like golden's SortedInputs.
        let mut ws2 = Workspace::default();
        ws2.set_input_times(&input);
        trainer::backprop::forward(&layers, 3.0, &mut ws2);
        assert_eq!(reference.events.len(), input.iter().flatten().count());
        assert_eq!(ws2.layer_times(0), ws.layer_times(0));
    }
}
