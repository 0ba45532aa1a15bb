//! Integer (hardware-semantics) inference throughput: 784-400-10, 8-bit weights, default `n_steps`,
//! SPEC-style random initialisation, inputs = the real MNIST test digits of `data/mnist-small`.
//!
//! Run: `cargo bench -p golden --bench integer_inference`. Prints the spike statistics of the
//! benchmark inputs (mean spikes per layer, SOPs per image) before measuring images per second
//! single-threaded and with rayon on 2 threads. Then the exact pass: `golden::eval::eval_exact`
//! (the layer-wide `ExactRunner`, dispatched and forced portable) against the same evaluation through
//! `exact::forward` (the per-neuron pass it used before), on the committed model and on a random
//! 784-400-10 float net, on one thread.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use golden::idx::{self, Split};
use golden::integer::IntegerRunner;
use golden::quantize::{quantize, QuantConfig};
use golden::simd::{self, Level};
use golden::{encode, eval, exact, io, FloatNetwork, SpikeStats, TimeParams};
use rayon::prelude::*;
use std::path::Path;

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/mnist-small")
}

fn setup() -> (IntegerRunner, Vec<Vec<Option<u32>>>) {
    let net =
        FloatNetwork::random_init(&[784, 400, 10], TimeParams::default(), &[4.0, 4.0], 1.0, 1)
            .expect("valid sizes");
    let cfg = QuantConfig::default();
    let q = quantize(&net, &cfg).expect("quantizable");
    let data = idx::load_split(&data_dir(), Split::Test).unwrap_or_else(|e| panic!("{e}"));
    let inputs = (0..data.len())
        .map(|i| encode::encode_steps(data.image(i), q.n_in_steps))
        .collect();
    eprintln!(
        "network 784-400-10, {} weight bits, n_steps = {}, n_in_steps = {}, {} test images",
        cfg.weight_bits,
        q.n_steps,
        q.n_in_steps,
        data.len()
    );
    eprintln!("CPU: {}", simd::cpu_features());
    (IntegerRunner::new(&q), inputs)
}

fn bench(c: &mut Criterion) {
    let (runner, inputs) = setup();
    let mut stats = SpikeStats::default();
    for x in &inputs {
        stats.merge(&runner.run(x).stats);
    }
    let n = stats.samples as f64;
    let per_layer: Vec<String> = stats
        .spikes
        .iter()
        .map(|&s| format!("{:.1}", s as f64 / n))
        .collect();
    eprintln!(
        "mean spikes per layer (input, hidden, output): [{}]; hidden firing rate {:.3}; SOPs per image {:.0}",
        per_layer.join(", "),
        stats.mean_hidden_rate(),
        stats.sops_per_sample()
    );

    type X = Vec<Option<u32>>;
    cpu_time_throughput("integer", &|x: &X| runner.run(x).decision, &inputs);

    let mut g = c.benchmark_group("integer_inference_784_400_10");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.sample_size(30);
    g.bench_function("single_thread", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|x| runner.run(x).decision.map_or(0, |d| d + 1))
                .sum::<usize>()
        })
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("thread pool");
    g.bench_function("rayon_2_threads", |b| {
        b.iter(|| {
            pool.install(|| {
                inputs
                    .par_iter()
                    .map(|x| runner.run(x).decision.map_or(0, |d| d + 1))
                    .sum::<usize>()
            })
        })
    });
    g.finish();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    exact_bench(c, &one);
}

/// The exact pass over the 500 test digits: today's `eval::eval_exact` against the evaluation it
/// replaced (the same parallel map over samples through `exact::forward`).
fn exact_bench(c: &mut Criterion, pool: &rayon::ThreadPool) {
    let data = idx::load_split(&data_dir(), Split::Test).unwrap_or_else(|e| panic!("{e}"));
    let model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../models/mnist-small-784-100-10/model.safetensors");
    let model = io::load_float(&model).unwrap_or_else(|e| panic!("{e}"));
    let wide =
        FloatNetwork::random_init(&[784, 400, 10], TimeParams::default(), &[4.0, 4.0], 1.0, 1)
            .expect("valid sizes");
    let mut g = c.benchmark_group("exact_eval");
    g.throughput(Throughput::Elements(data.len() as u64));
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(4));
    for (name, net) in [
        ("mnist_small_784_100_10", &model),
        ("random_784_400_10", &wide),
    ] {
        let old = || -> Vec<Option<usize>> {
            (0..data.len())
                .into_par_iter()
                .map(|i| {
                    let x = encode::encode_exact(data.image(i), net.time.t_in);
                    let out = exact::forward(net, &x);
                    out.spikes.stats();
                    out.decision
                })
                .collect()
        };
        let new = eval::eval_exact(net, &data);
        let runner = exact::ExactRunner::new(net);
        let xs: Vec<_> = (0..data.len())
            .map(|i| encode::encode_exact(data.image(i), net.time.t_in))
            .collect();
        type X = Vec<Option<f64>>;
        cpu_time_throughput(
            &format!("exact {name} baseline"),
            &|x: &X| exact::forward(net, x).decision,
            &xs,
        );
        cpu_time_throughput(
            &format!("exact {name} dispatched"),
            &|x: &X| runner.run(x).decision,
            &xs,
        );
        cpu_time_throughput(
            &format!("exact {name} portable"),
            &|x: &X| runner.run_at(x, Level::Portable).decision,
            &xs,
        );
        assert_eq!(
            old(),
            new.predictions,
            "the exact pass changed a prediction"
        );
        g.bench_function(format!("{name}/baseline_1_thread"), |b| {
            b.iter(|| pool.install(old))
        });
        g.bench_function(format!("{name}/dispatched_1_thread"), |b| {
            b.iter(|| pool.install(|| eval::eval_exact(net, &data).accuracy))
        });
        g.bench_function(format!("{name}/portable_1_thread"), |b| {
            b.iter(|| {
                pool.install(|| {
                    (0..data.len())
                        .into_par_iter()
                        .map(|i| {
                            let x = encode::encode_exact(data.image(i), net.time.t_in);
                            let out = runner.run_at(&x, Level::Portable);
                            out.spikes.stats();
                            out.decision
                        })
                        .collect::<Vec<_>>()
                })
            })
        });
    }
    g.finish();
}

/// On-CPU time of the calling thread in nanoseconds (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Images per second of CPU time actually given to this thread: unlike the wall-clock figures
/// below, this does not drop when other processes share the cores.
fn cpu_time_throughput<X>(name: &str, pass: &dyn Fn(&X) -> Option<usize>, inputs: &[X]) {
    let passes = 4;
    let (Some(t0), w0) = (thread_cpu_ns(), std::time::Instant::now()) else {
        return;
    };
    let mut sink = 0usize;
    for _ in 0..passes {
        for x in inputs {
            sink += pass(x).map_or(0, |d| d + 1);
        }
    }
    let (Some(t1), wall) = (thread_cpu_ns(), w0.elapsed()) else {
        return;
    };
    let n = (passes * inputs.len()) as f64;
    eprintln!(
        "{name}, single thread: {:.0} images per CPU-second ({:.2} us CPU per image), {:.0} images per \
         wall-second (checksum {sink})",
        n / ((t1 - t0) as f64 * 1e-9),
        (t1 - t0) as f64 * 1e-3 / n,
        n / wall.as_secs_f64(),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
