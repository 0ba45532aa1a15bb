//! The instruction-set dispatch of `golden::simd` changes no result: the layer-wide exact pass
//! (`ExactRunner`) at every level equals `exact::forward` (the per-neuron definition, today's
//! implementation) bit for bit, on random networks and on the committed model. On a machine without AVX2 both levels run the portable code (still checked
//! against the references).

use golden::encode::encode_exact;
use golden::exact::{self, ExactRunner};
use golden::idx::{self, Split};
use golden::simd::Level;
use golden::{io, FloatNetwork, SpikeTrain, TimeParams};
use rand::Rng;
use testkit::rng::chacha;

const LEVELS: [Level; 2] = [Level::Portable, Level::Avx2];

/// Spike times as bit patterns, so that equality is bitwise (and -0.0 differs from 0.0).
fn bits(s: &SpikeTrain<f64>) -> Vec<Vec<Option<u64>>> {
    s.layers
        .iter()
        .map(|l| l.iter().map(|t| t.map(f64::to_bits)).collect())
        .collect()
}

/// Random spike times with ties (so groups hold several events), some at or past `t_max`.
fn random_times(rng: &mut rand_chacha::ChaCha8Rng, n: usize, t_max: f64) -> Vec<Option<f64>> {
    let levels = rng.gen_range(1..20);
    (0..n)
        .map(|_| {
            if rng.gen_bool(0.3) {
                None
            } else if rng.gen_bool(0.5) {
                Some(t_max * rng.gen_range(0..=levels) as f64 / levels as f64)
            } else {
                Some(rng.gen_range(0.0..1.1 * t_max))
            }
        })
        .collect()
}

#[test]
fn exact_runner_is_bit_identical_to_forward_on_random_networks() {
    let mut rng = chacha(23);
    let mut fired = 0;
    for case in 0..150 {
        let n_layers = 1 + case % 3;
        let sizes: Vec<usize> = (0..=n_layers).map(|_| rng.gen_range(1..60)).collect();
        let mu: Vec<f64> = (0..n_layers).map(|_| rng.gen_range(-1.0..6.0)).collect();
        let sigma = rng.gen_range(0.2..3.0);
        let net = FloatNetwork::random_init(&sizes, TimeParams::default(), &mu, sigma, case as u64)
            .expect("valid sizes");
        let runner = ExactRunner::new(&net);
        for _ in 0..4 {
            let input = random_times(&mut rng, sizes[0], net.time.t_max);
            let want = exact::forward(&net, &input);
            for level in LEVELS {
                let got = runner.run_at(&input, level);
                assert_eq!(
                    bits(&got.spikes),
                    bits(&want.spikes),
                    "case {case}, {level:?}"
                );
                assert_eq!(got.decision, want.decision, "case {case}, {level:?}");
            }
            fired += want.spikes.counts()[1..].iter().sum::<usize>();
        }
    }
    assert!(
        fired > 1000,
        "the random networks must fire ({fired} spikes)"
    );
}

#[test]
fn exact_runner_is_bit_identical_on_the_committed_model_and_a_wide_net() {
    let data = idx::load_split(&testkit::cli::data_dir(), Split::Test).expect("data");
    let model = io::load_float(&testkit::cli::committed_model()).expect("committed model");
    let wide =
        FloatNetwork::random_init(&[784, 400, 10], TimeParams::default(), &[4.0, 4.0], 1.0, 1)
            .expect("valid sizes");
    for net in [&model, &wide] {
        let runner = ExactRunner::new(net);
        let mut fired = 0;
        for i in 0..60 {
            let input = encode_exact(data.image(i), net.time.t_in);
            let want = exact::forward(net, &input);
            for level in LEVELS {
                let got = runner.run_at(&input, level);
                assert_eq!(
                    bits(&got.spikes),
                    bits(&want.spikes),
                    "sample {i}, {level:?}"
                );
            }
            fired += want.spikes.counts()[1];
        }
        assert!(fired > 0, "hidden neurons fire");
    }
}
