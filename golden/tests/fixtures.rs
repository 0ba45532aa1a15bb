//! One-neuron fixtures worked out by hand; the arithmetic is written next to each assert.
//! Weights are chosen exactly representable in f32 so that the expected times are exact.

use golden::exact::{self, SortedInputs};
use golden::integer;
use golden::{FloatNetwork, QuantLayer, QuantNetwork, TimeParams};
use ndarray::arr2;

const T_MAX: f64 = 3.0;

/// Spike time of one neuron with weights `w` and input times `t`, window `(0, 3]`.
fn spike(w: &[f32], t: &[Option<f64>]) -> Option<f64> {
    exact::crossing(&SortedInputs::new(t), w, T_MAX).map(|c| c.time)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

#[test]
fn two_inputs_second_one_needed() {
    // w = [0.5, 1.0], t = [0, 1]. On [0, 1): S = 0.5, v(1) = 0.5 < 1.
    // On [1, 3]: S = 1.5, sum w t = 0.5*0 + 1.0*1 = 1, v(3) = 1.5*3 - 1 = 3.5 >= 1,
    // t* = (1 + 1) / 1.5 = 4/3. Check: v(4/3) = 0.5 * 4/3 + 1.0 * 1/3 = 1.
    let t = spike(&[0.5, 1.0], &[Some(0.0), Some(1.0)]);
    assert!(close(t, 4.0 / 3.0), "{t:?}");
    let c = exact::crossing(
        &SortedInputs::new(&[Some(0.0), Some(1.0)]),
        &[0.5, 1.0],
        T_MAX,
    )
    .unwrap();
    assert_eq!((c.n_causal, c.slope), (2, 1.5)); // both inputs causal, S = 1.5
}

#[test]
fn negative_weight_dip_then_later_crossing() {
    // w = [0.75, -1.0, 1.5], t = [0, 0.5, 1].
    // [0, 0.5): S = 0.75, v(0.5) = 0.375.  [0.5, 1): S = -0.25, v(1) = 0.375 - 0.125 = 0.25 (the dip).
    // [1, 3]: S = 1.25, sum w t = 0 - 0.5 + 1.5 = 1.0, t* = (1 + 1) / 1.25 = 1.6.
    // Check: v(1.6) = 0.25 + 1.25 * 0.6 = 1.0.
    let t = spike(&[0.75, -1.0, 1.5], &[Some(0.0), Some(0.5), Some(1.0)]);
    assert!(close(t, 1.6), "{t:?}");
}

#[test]
fn crossing_before_an_inhibitory_input_is_kept() {
    // w = [2, -4], t = [0, 0.6]: on [0, 0.6) S = 2, v(0.6) = 1.2 >= 1 -> t* = 1 / 2 = 0.5,
    // even though v falls afterwards (v(3) = 2*3 - 4*2.4 = -3.6).
    assert!(close(spike(&[2.0, -4.0], &[Some(0.0), Some(0.6)]), 0.5));
}

#[test]
fn equal_input_times_form_one_group() {
    // w = [2, -1.5], both at t = 0.5: one group, S = 0.5, sum w t = (2 - 1.5) * 0.5 = 0.25,
    // t* = (1 + 0.25) / 0.5 = 2.5. Check: v(2.5) = 0.5 * (2.5 - 0.5) = 1.
    assert!(close(spike(&[2.0, -1.5], &[Some(0.5), Some(0.5)]), 2.5));
    // Four inputs of 0.25 at t = 0.5: S = 1, t* = (1 + 0.5) / 1 = 1.5.
    let t = spike(&[0.25; 4], &[Some(0.5); 4]);
    assert!(close(t, 1.5), "{t:?}");
}

#[test]
fn never_fires() {
    // w = 0.25 at t = 0: v(3) = 0.75 < 1.
    assert_eq!(spike(&[0.25], &[Some(0.0)]), None);
    // w = [1, -1] at t = [0, 0.5]: peak v(0.5) = 0.5, then flat at 0.5.
    assert_eq!(spike(&[1.0, -1.0], &[Some(0.0), Some(0.5)]), None);
    // Silent inputs contribute nothing: w = 10 on a silent input.
    assert_eq!(spike(&[10.0, 0.25], &[None, Some(0.0)]), None);
    // An input at t = t_max adds nothing inside the window.
    assert_eq!(spike(&[100.0], &[Some(3.0)]), None);
}

#[test]
fn fires_exactly_at_the_window_end() {
    // w = 0.5 at t = 1: v(3) = 0.5 * 2 = 1.0 = V_th -> fires at t = 3 (window is (0, t_max]).
    assert!(close(spike(&[0.5], &[Some(1.0)]), 3.0));
    // w = 0.5 at t = 1.25: v(3) = 0.875 < 1 -> silent.
    assert_eq!(spike(&[0.5], &[Some(1.25)]), None);
}

#[test]
fn exact_network_decision_ties_go_to_the_lower_index() {
    // Two outputs with identical weights fire at the same time: 1 / 2 = 0.5 each.
    let net =
        FloatNetwork::new(TimeParams::default(), vec![arr2(&[[2.0f32], [2.0], [1.0]])]).unwrap();
    let out = exact::forward(&net, &[Some(0.0)]);
    assert_eq!(out.spikes.layers[1], vec![Some(0.5), Some(0.5), Some(1.0)]);
    assert_eq!(out.decision, Some(0));
}

#[test]
fn integer_neuron_step_by_step() {
    // W = [3, 2], threshold 10, input steps [0, 1], n_steps = 8.
    // n = 1: inputs with k < 1: {0}    -> S = 3, V[1] = 3.
    // n = 2: inputs with k < 2: {0, 1} -> S = 5, V[2] = 8.
    // n = 3: S = 5, V[3] = 13 >= 10 -> fires at step 3 with V = 13 (= 3*3 + 2*2).
    let net = QuantNetwork::new(
        8,
        4,
        TimeParams::default(),
        vec![QuantLayer {
            weights: arr2(&[[3, 2]]),
            threshold_q: 10,
            scale: 1.0,
            weight_bits: 4,
        }],
    )
    .unwrap();
    let input = [Some(0), Some(1)];
    for out in [
        integer::forward(&net, &input),
        integer::forward_naive(&net, &input),
    ] {
        assert_eq!(out.spikes.layers[1], vec![Some(3)]);
        assert_eq!(out.output_potentials, vec![Some(13)]);
        assert_eq!(out.decision, Some(0));
        // SOPs: 2 input spikes x 1 neuron.
        assert_eq!(out.stats.sops, 2);
    }
    // Threshold 14: V[3] = 13 < 14, V[4] = 18 -> step 4.
    let mut layers = net.layers().to_vec();
    layers[0].threshold_q = 14;
    let net = QuantNetwork::new(8, 4, TimeParams::default(), layers).unwrap();
    assert_eq!(
        integer::forward(&net, &input).spikes.layers[1],
        vec![Some(4)]
    );
}

#[test]
fn nan_input_time_never_panics_or_spikes() {
    // Encoding and hidden layers never produce NaN, but `crossing` is public. A NaN time sorts last
    // (total order); once its group is in, the end potential is NaN and `>= V_TH` is false, so
    // `clamp` never sees a NaN bound. With w = [2, 1], t = [0, NaN]: the first segment alone
    // crosses at t* = 1 / 2, before the NaN group is reached.
    let t = spike(&[2.0, 1.0], &[Some(0.0), Some(f64::NAN)]);
    assert!(close(t, 0.5), "{t:?}");
    // Only a NaN input: its group time compares false with everything; whatever comes back, no panic
    // and no spike at a NaN time.
    let t = spike(&[4.0], &[Some(f64::NAN)]);
    assert!(t.is_none_or(|t| !t.is_nan()), "{t:?}");
}
