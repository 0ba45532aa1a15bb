//! Developer check: random small networks -> Verilog -> iverilog run -> compare with golden.
//! `cargo run -p hdl --example iverilog_check -- SIZES LANES BITS STEPS SEED SAMPLES OUTDIR`
//! e.g. `-- 784,400,10 16 8 128 11 2 /tmp/big`: writes the design, `q.safetensors` (usable with
//! `ttfs cosim`), the driver bench `driver_tb.iv` (not `.v`, so `sim` does not pick it up), runs it and
//! compares spikes, decision and cycles (== `Manifest::expected_cycles`) with golden. A dev tool: it
//! unwraps freely; the tests in `tests/hdl_exact.rs` are the checked version.
use golden::{integer, FloatNetwork, TimeParams};
use rand::{Rng, SeedableRng};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let sizes: Vec<usize> = a[1].split(',').map(|x| x.parse().unwrap()).collect();
    let lanes: Vec<usize> = a[2].split(',').map(|x| x.parse().unwrap()).collect();
    let bits: u32 = a[3].parse().unwrap();
    let steps: u32 = a[4].parse().unwrap();
    let seed: u64 = a[5].parse().unwrap();
    let n_samples: usize = a[6].parse().unwrap();
    let out = std::path::PathBuf::from(&a[7]);
    std::fs::create_dir_all(&out).unwrap();
    let mu: Vec<f64> = (1..sizes.len()).map(|_| 3.0).collect();
    let f = FloatNetwork::random_init(&sizes, TimeParams::default(), &mu, 2.0, seed).unwrap();
    let q = golden::quantize::quantize(
        &f,
        &golden::quantize::QuantConfig {
            weight_bits: bits,
            n_steps: steps,
            clip_percentile: None,
        },
    )
    .unwrap();
    golden::io::save_quant(&out.join("q.safetensors"), &q).unwrap();
    let d = hdl::generate(&q, &hdl::HdlConfig { lanes }).unwrap();
    std::fs::write(out.join("ttfs_top.v"), &d.verilog).unwrap();
    for (n, t) in &d.memories {
        std::fs::write(out.join(n), t).unwrap();
    }
    std::fs::write(out.join("manifest.json"), d.manifest.to_json()).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed + 1);
    let samples: Vec<Vec<Option<u32>>> = (0..n_samples)
        .map(|_| {
            let px: Vec<u8> = (0..sizes[0])
                .map(|_| if rng.gen_bool(0.4) { 0 } else { rng.gen() })
                .collect();
            golden::encode::encode_steps(&px, q.n_in_steps)
        })
        .collect();
    std::fs::write(
        out.join("driver_tb.iv"),
        hdl::testbench::driver(&d.manifest, &samples),
    )
    .unwrap();
    let st = std::process::Command::new("iverilog")
        .args(["-g2005", "-o", "sim.vvp", "driver_tb.iv", "ttfs_top.v"])
        .current_dir(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let o = std::process::Command::new("vvp")
        .args(["-n", "sim.vvp"])
        .current_dir(&out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string();
    let mut lines = text.lines().filter(|l| l.starts_with(['S', 'D']));
    let mut ok = true;
    for (si, s) in samples.iter().enumerate() {
        let g = integer::forward(&q, s);
        let mut got: Vec<Vec<Option<u32>>> = g.spikes.layers[1..]
            .iter()
            .map(|l| vec![None; l.len()])
            .collect();
        let mut last_step = vec![0u32; got.len()];
        let (cv, co, cyc);
        loop {
            let l = lines.next().expect("missing output");
            let f: Vec<u64> = l[2..].split(' ').map(|x| x.parse().unwrap()).collect();
            if l.starts_with('S') {
                let (ly, nn, st) = (f[0] as usize, f[1] as usize, f[2] as u32);
                assert!(got[ly - 1][nn].is_none(), "double spike");
                assert!(st >= last_step[ly - 1], "order");
                last_step[ly - 1] = st;
                got[ly - 1][nn] = Some(st);
            } else {
                cv = f[0];
                co = f[1];
                cyc = f[2];
                break;
            }
        }
        let bound = d.manifest.cycle_bound(&g.spikes);
        let same = got.iter().zip(&g.spikes.layers[1..]).all(|(a, b)| a == b);
        let dec = g.decision.map(|c| c as u64);
        let dec_ok = if cv == 1 {
            dec == Some(co)
        } else {
            dec.is_none()
        };
        let exact = d.manifest.expected_cycles(&g.spikes);
        if !same || !dec_ok || cyc < bound || cyc != exact {
            println!(
                "expected cycles {exact}; golden spikes {:?}",
                &g.spikes.layers[1..]
            );
            ok = false;
            println!("sample {si}: spikes {same} decision rtl ({cv},{co}) golden {dec:?} cycles {cyc} bound {bound}");
            for (l, (a, b)) in got.iter().zip(&g.spikes.layers[1..]).enumerate() {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    if x != y {
                        println!("  layer {} neuron {i}: rtl {x:?} golden {y:?}", l + 1);
                    }
                }
            }
        } else {
            println!(
                "sample {si}: ok, spikes {:?}, decision {dec:?}, cycles {cyc} bound {bound} (+{})",
                g.spikes.counts(),
                cyc - bound
            );
        }
    }
    println!("{}", if ok { "ALL OK" } else { "MISMATCH" });
}
