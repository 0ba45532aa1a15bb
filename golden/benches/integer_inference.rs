//! Integer (hardware-semantics) inference throughput: 784-400-10, 8-bit weights, default `n_steps`,
//! SPEC-style random initialisation, inputs = the real MNIST test digits of `data/mnist-small`.
//!
//! Run: `cargo bench -p golden --bench integer_inference`. Prints the spike statistics of the
//! benchmark inputs (mean spikes per layer, SOPs per image) before measuring images per second
//! single-threaded and with rayon on 2 threads.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use golden::idx::{self, Split};
use golden::integer::IntegerRunner;
use golden::quantize::{quantize, QuantConfig};
use golden::{encode, FloatNetwork, SpikeStats, TimeParams};
use rayon::prelude::*;
use std::path::Path;

fn setup() -> (IntegerRunner, Vec<Vec<Option<u32>>>) {
    let net =
        FloatNetwork::random_init(&[784, 400, 10], TimeParams::default(), &[4.0, 4.0], 1.0, 1)
            .expect("valid sizes");
    let cfg = QuantConfig::default();
    let q = quantize(&net, &cfg).expect("quantizable");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/mnist-small");
    let data = idx::load_split(&dir, Split::Test).unwrap_or_else(|e| panic!("{e}"));
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

    cpu_time_throughput(&runner, &inputs);

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
}

/// On-CPU time of the calling thread in nanoseconds (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Images per second of CPU time actually given to this thread: unlike the wall-clock figures
/// below, this does not drop when other processes share the cores.
fn cpu_time_throughput(runner: &IntegerRunner, inputs: &[Vec<Option<u32>>]) {
    let passes = 20;
    let (Some(t0), w0) = (thread_cpu_ns(), std::time::Instant::now()) else {
        return;
    };
    let mut sink = 0usize;
    for _ in 0..passes {
        for x in inputs {
            sink += runner.run(x).decision.map_or(0, |d| d + 1);
        }
    }
    let (Some(t1), wall) = (thread_cpu_ns(), w0.elapsed()) else {
        return;
    };
    let n = (passes * inputs.len()) as f64;
    eprintln!(
        "single thread: {:.0} images per CPU-second ({:.1} us CPU per image), {:.0} images per wall-second \
         ({} accumulators, checksum {sink})",
        n / ((t1 - t0) as f64 * 1e-9),
        (t1 - t0) as f64 * 1e-3 / n,
        n / wall.as_secs_f64(),
        if runner.accumulator_bits() == 32 { "i32" } else { "i64" },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
