//! Training-loop behaviour: the loss falls on a small problem, results are bit-identical for 1 and 2
//! threads and after a checkpoint/resume, and bad configs are rejected with errors naming the field.

use golden::idx::{load_split, Dataset, Split};
use std::path::{Path, PathBuf};
use trainer::{EpochOutcome, TrainConfig, TrainError, Trainer};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/mnist-small")
}

fn data(n_train: usize, n_test: usize) -> (Dataset, Dataset) {
    let train = load_split(&data_dir(), Split::Train).unwrap().take(n_train);
    let test = load_split(&data_dir(), Split::Test).unwrap().take(n_test);
    (train, test)
}

fn config(extra: &str) -> TrainConfig {
    let text = format!(
        r#"
[data]
kind = "mnist"
path = "data/mnist-small"
[network]
sizes = [784, 32, 10]
init_mu = [4.0, 4.0]
[train]
epochs = 3
batch = 32
lr = 3e-3
seed = 11
{extra}
"#
    );
    let cfg = TrainConfig::from_toml_str(&text, Path::new("test.toml")).unwrap();
    cfg.validate().unwrap();
    cfg
}

fn finish(tr: &mut Trainer, train: &Dataset, test: &Dataset) -> trainer::EpochMetrics {
    match tr.train_epoch(train, test, &mut |_| true).unwrap() {
        EpochOutcome::Finished(m) => m,
        EpochOutcome::Stopped => panic!("not asked to stop"),
    }
}

fn weight_bits(tr: &Trainer) -> Vec<u32> {
    tr.network()
        .layers()
        .iter()
        .flat_map(|w| w.iter().map(|x| x.to_bits()))
        .collect()
}

#[test]
fn loss_falls_and_accuracy_rises_on_a_small_problem() {
    let (train, test) = data(600, 200);
    let mut tr = Trainer::new(config("")).unwrap();
    let before = trainer::evaluate(tr.network(), &test).accuracy;
    let m: Vec<_> = (0..3).map(|_| finish(&mut tr, &train, &test)).collect();
    assert!(m[2].loss < m[0].loss, "loss {} -> {}", m[0].loss, m[2].loss);
    assert!(
        m[2].test_accuracy > before + 0.3 && m[2].test_accuracy > 0.6,
        "test accuracy {before} -> {}",
        m[2].test_accuracy
    );
    // The reported accuracy is golden's exact forward pass on the final weights.
    assert_eq!(
        trainer::evaluate(tr.network(), &test).accuracy,
        m[2].test_accuracy
    );
    assert!(tr.is_done());
}

#[test]
fn same_seed_same_weights_for_one_and_two_threads() {
    let (train, test) = data(300, 50);
    let run = |threads: usize, reg: &str| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut cfg = config(reg);
            cfg.train.epochs = 2;
            let mut tr = Trainer::new(cfg).unwrap();
            let m1 = finish(&mut tr, &train, &test);
            let m2 = finish(&mut tr, &train, &test);
            (weight_bits(&tr), m1.loss.to_bits(), m2.loss.to_bits())
        })
    };
    for reg in ["", "[regularizer]\nkind = \"fssr\"\ngamma = [1e-3]"] {
        let one = run(1, reg);
        let two = run(2, reg);
        assert!(one == two, "1 and 2 threads differ ({reg:?})");
    }
    // A different seed really changes the run (the comparison above is not vacuous).
    let mut other = config("");
    other.train.seed = 12;
    other.train.epochs = 1;
    let mut tr = Trainer::new(other).unwrap();
    finish(&mut tr, &train, &test);
    assert_ne!(weight_bits(&tr), run(2, "").0);
}

#[test]
fn stop_checkpoint_resume_gives_the_same_weights() {
    let (train, test) = data(300, 50);
    let mut cfg = config("[regularizer]\nkind = \"mssr\"\ngamma = [1e-3]");
    cfg.train.epochs = 2;
    let mut straight = Trainer::new(cfg.clone()).unwrap();
    finish(&mut straight, &train, &test);
    let last = finish(&mut straight, &train, &test);

    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("checkpoint.safetensors");
    let mut tr = Trainer::new(cfg.clone()).unwrap();
    finish(&mut tr, &train, &test);
    // Stop after 3 batches of the second epoch, save, and continue from the file.
    let mut n = 0;
    let out = tr
        .train_epoch(&train, &test, &mut |_| {
            n += 1;
            n < 3
        })
        .unwrap();
    assert_eq!(out, EpochOutcome::Stopped);
    trainer::checkpoint::save(&ckpt, &tr).unwrap();
    drop(tr);
    let mut resumed = trainer::checkpoint::load(&ckpt, &cfg).unwrap();
    assert_eq!(resumed.position().batch, 3);
    let resumed_last = finish(&mut resumed, &train, &test);
    assert_eq!(weight_bits(&resumed), weight_bits(&straight));
    assert_eq!(resumed_last.loss.to_bits(), last.loss.to_bits());

    // A checkpoint refuses a different config.
    let mut other = cfg.clone();
    other.train.lr = 1e-2;
    let err = match trainer::checkpoint::load(&ckpt, &other) {
        Ok(_) => panic!("a checkpoint of another config was accepted"),
        Err(e) => e,
    };
    assert!(err.to_string().contains("different config"), "{err}");
}

fn config_error(extra_network: &str, extra: &str) -> String {
    let text = format!(
        "[data]\nkind = \"mnist\"\npath = \"x\"\n[network]\nsizes = [784, 40, 40, 10]\n{extra_network}\n[train]\nepochs = 1\n{extra}\n"
    );
    match TrainConfig::from_toml_str(&text, Path::new("bad.toml")).and_then(|c| c.validate()) {
        Ok(()) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn config_errors_name_the_field() {
    let mu = "init_mu = [4.0, 4.0, 4.0]";
    let e = config_error(
        mu,
        "[regularizer]\nkind = \"mssr\"\ngamma = [1e-3, 1e-3, 1e-3]",
    );
    assert!(
        e.contains("regularizer.gamma") && e.contains("2 hidden layers"),
        "{e}"
    );
    let e = config_error("init_mu = [4.0]", "");
    assert!(
        e.contains("network.init_mu") && e.contains("3 weight layers"),
        "{e}"
    );
    let e = config_error(mu, "[regularizer]\nkind = \"mp\"\ngamma = [1e-3]");
    assert!(
        e.contains("regularizer.v_ref") && e.contains("required"),
        "{e}"
    );
    let e = config_error(mu, "[regularizer]\nkind = \"mp\"\nv_ref = 1.5");
    assert!(e.contains("regularizer.v_ref"), "{e}");
    let e = config_error(mu, "tau = -1.0");
    assert!(e.contains("train.tau"), "{e}");
    let e = config_error(mu, "learning_rate = 0.1");
    assert!(e.contains("bad.toml") && e.contains("learning_rate"), "{e}");
    let e = config_error(mu, "[regularizer]\nkind = \"lasso\"");
    assert!(e.contains("lasso"), "{e}");

    // Data that does not fit the network is refused before training.
    let cfg = config("");
    let bad = Dataset::new(vec![0; 8], vec![0, 1], 2, 2).unwrap();
    let mut tr = Trainer::new(cfg).unwrap();
    match tr.train_epoch(&bad, &bad, &mut |_| true) {
        Err(TrainError::Data(msg)) => assert!(msg.contains("784"), "{msg}"),
        Err(other) => panic!("expected a data error, got {other}"),
        Ok(_) => panic!("bad data accepted"),
    }
}

/// The model committed under models/ is what configs/tiny.toml produces (see models/README.md).
#[test]
fn committed_tiny_model_reproduces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cfg = TrainConfig::load(&root.join("configs/tiny.toml")).unwrap();
    cfg.data.path = data_dir().to_string_lossy().into_owned();
    let train = load_split(&data_dir(), Split::Train).unwrap();
    let test = load_split(&data_dir(), Split::Test).unwrap();
    let mut tr = Trainer::new(cfg).unwrap();
    while !tr.is_done() {
        finish(&mut tr, &train, &test);
    }
    let committed =
        golden::io::load_float(&root.join("models/mnist-small-784-100-10/model.safetensors"))
            .unwrap();
    assert!(
        &committed == tr.network(),
        "configs/tiny.toml no longer reproduces models/mnist-small-784-100-10 bit for bit; \
         if the change is deliberate, regenerate it as models/README.md says"
    );
}

/// `lr = 1e40` (a typo for 1e-4) used to train to -inf weights and exit 0. Now the first step stops
/// with an error naming the epoch, the batch, the weight and the setting to change, and the trainer
/// refuses to go on or to be checkpointed.
#[test]
fn an_absurd_learning_rate_stops_with_an_error_and_writes_nothing() {
    let (train, test) = data(64, 16);
    // The learning rate itself is bounded now (`lr = 1e40`, issue 13's typo, is a config error
    // naming train.lr); a step can still overflow from a finite but hostile resumed state: a first
    // moment of 1e300 over a zero second moment makes the Adam update 1e300 / eps = inf.
    let mut cfg = config("");
    cfg.train.lr = 1e40;
    let refused = Trainer::new(cfg.clone()).err().expect("lr = 1e40 accepted");
    assert!(refused.to_string().contains("train.lr"), "{refused}");
    cfg.train.lr = 1e-3;
    let fresh = Trainer::new(cfg.clone()).unwrap();
    let mut adam = fresh.adam().clone();
    for m in &mut adam.m {
        m.iter_mut().for_each(|x| *x = 1e300);
    }
    let mut tr =
        Trainer::from_parts(cfg, fresh.network().clone(), adam, fresh.position().clone()).unwrap();
    let err = match tr.train_epoch(&train, &test, &mut |_| true) {
        Ok(_) => panic!("a diverging run must fail"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("training diverged at epoch 1, batch 1"),
        "{err}"
    );
    assert!(err.contains("layer"), "{err}");
    assert!(err.contains("lower train.lr"), "{err}");
    let again = tr.train_epoch(&train, &test, &mut |_| true).err().unwrap();
    assert!(again.to_string().contains("refusing"), "{again}");
    let dir = tempfile::tempdir().unwrap();
    let ckpt = dir.path().join("c.safetensors");
    assert!(trainer::checkpoint::save(&ckpt, &tr).is_err());
    assert!(!ckpt.exists());
}

/// A resumed state whose Adam moments are NaN, whose second moment is negative or whose step counter
/// is at 2^64 - 1 is refused before training, naming the element.
#[test]
fn a_hostile_training_state_is_refused_on_resume() {
    let cfg = config("");
    let tr = Trainer::new(cfg.clone()).unwrap();
    let net = tr.network().clone();
    let pos = tr.position().clone();
    let make = |edit: &dyn Fn(&mut trainer::AdamState)| {
        let mut adam = tr.adam().clone();
        edit(&mut adam);
        Trainer::from_parts(cfg.clone(), net.clone(), adam, pos.clone())
            .err()
            .map(|e| e.to_string())
    };
    let nan = make(&|a| a.m[0][5] = f64::NAN).expect("NaN moment accepted");
    assert!(nan.contains("layer1.adam_m[5] = NaN"), "{nan}");
    let neg = make(&|a| a.v[1][0] = -1.0).expect("negative second moment accepted");
    assert!(neg.contains("layer2.adam_v[0] = -1"), "{neg}");
    let step = make(&|a| a.step = u64::MAX).expect("step 2^64-1 accepted");
    assert!(step.contains("Adam step"), "{step}");
    assert!(make(&|_| {}).is_none(), "the untouched state is valid");
}
