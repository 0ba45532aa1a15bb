//! A run folder end to end: `train_into` writes the model golden reads, the config copy and one
//! metrics row per epoch; a second fresh run into the same folder is refused; resuming with a longer
//! schedule appends exactly the new rows and ends with the weights of an uninterrupted run; a stop
//! request leaves a checkpoint to resume from.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use trainer::run_dir::{metrics_header, read_metrics, silence_warning, MetricsRow};
use trainer::{train_into, BatchProgress, EpochMetrics, RunDir, RunObserver, TrainConfig};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// configs/tiny.toml on 300 / 100 digits, two epochs; the config file lives in `dir`.
fn tiny_config(dir: &Path) -> (TrainConfig, PathBuf) {
    let mut cfg = TrainConfig::load(&root().join("configs/tiny.toml")).unwrap();
    cfg.data.path = root()
        .join("data/mnist-small")
        .to_string_lossy()
        .into_owned();
    cfg.data.train_limit = Some(300);
    cfg.data.test_limit = Some(100);
    cfg.train.epochs = 2;
    let path = dir.join("tiny.toml");
    std::fs::write(&path, cfg.to_toml_string()).unwrap();
    (cfg, path)
}

/// Counts the callbacks; asks to stop after `stop_after` batches when given.
#[derive(Default)]
struct Counter {
    starts: Vec<(usize, usize)>,
    batches: usize,
    ends: Vec<usize>,
}

impl RunObserver for Counter {
    fn epoch_start(&mut self, epoch: usize, batch: usize, _n: usize) {
        self.starts.push((epoch, batch));
    }
    fn batch(&mut self, _p: &BatchProgress) {
        self.batches += 1;
    }
    fn epoch_end(&mut self, m: &EpochMetrics) {
        self.ends.push(m.epoch);
    }
}

fn run(
    cfg: &TrainConfig,
    cfg_path: &Path,
    out: &Path,
    resume: bool,
) -> trainer::Result<trainer::RunSummary> {
    let (train, test) = cfg.load_data(cfg_path)?;
    train_into(
        cfg,
        &train,
        &test,
        &RunDir::new(out),
        resume,
        &AtomicBool::new(false),
        &mut Counter::default(),
    )
}

#[test]
fn a_run_folder_holds_model_config_metrics_and_resumes_bit_for_bit() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, cfg_path) = tiny_config(dir.path());
    let out = RunDir::new(dir.path().join("run"));
    let (train, test) = cfg.load_data(&cfg_path).unwrap();
    let mut seen = Counter::default();
    let stop = AtomicBool::new(false);
    let summary = train_into(&cfg, &train, &test, &out, false, &stop, &mut seen).unwrap();
    assert!(summary.completed);
    assert_eq!(summary.epochs.len(), 2);
    // 300 samples in batches of 64: 5 batches per epoch.
    assert_eq!(
        (seen.starts, seen.batches, seen.ends),
        (vec![(0, 0), (1, 0)], 10, vec![1, 2])
    );
    // The model file is golden's format, and golden's exact pass gives the reported accuracy.
    let net = golden::io::load_float(&out.model_path()).unwrap();
    assert_eq!(
        trainer::evaluate(&net, &test).accuracy,
        summary.epochs[1].test_accuracy
    );
    let csv = std::fs::read_to_string(out.metrics_path()).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], metrics_header(1).join(","));
    assert_eq!(
        lines[0],
        "epoch,loss,train_acc,test_acc,rate_l1,mean_rate,seconds,samples_per_s"
    );
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[2].starts_with("2,"));
    // Six decimals for rates, three for seconds, one for samples/s.
    let cols: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(
        cols[4].split('.').nth(1).map(str::len),
        Some(6),
        "{}",
        lines[2]
    );
    assert_eq!(
        cols[6].split('.').nth(1).map(str::len),
        Some(3),
        "{}",
        lines[2]
    );
    assert_eq!(
        cols[7].split('.').nth(1).map(str::len),
        Some(1),
        "{}",
        lines[2]
    );
    assert_eq!(TrainConfig::load(&out.config_path()).unwrap(), cfg);

    // A second fresh run into the same folder must be explicit.
    let err = run(&cfg, &cfg_path, out.root(), false).unwrap_err();
    assert!(err.to_string().contains("--resume"), "{err}");
    // Resuming with a longer schedule continues and appends one row, leaving the others as they were.
    let mut longer = cfg.clone();
    longer.train.epochs = 3;
    let s = run(&longer, &cfg_path, out.root(), true).unwrap();
    assert_eq!(s.epochs.len(), 1);
    assert_eq!(s.epochs[0].epoch, 3);
    let csv3 = std::fs::read_to_string(out.metrics_path()).unwrap();
    assert_eq!(csv3.lines().count(), 4, "{csv3}");
    assert!(
        csv3.starts_with(&csv),
        "earlier rows unchanged:\n{csv}\n{csv3}"
    );
    // ...and equals a straight 3-epoch run.
    let straight = dir.path().join("straight");
    run(&longer, &cfg_path, &straight, false).unwrap();
    assert_eq!(
        golden::io::load_float(&straight.join(trainer::run_dir::MODEL_FILE)).unwrap(),
        golden::io::load_float(&out.model_path()).unwrap()
    );
    // Resuming where nothing ran is refused with the checkpoint's path.
    let err = run(&cfg, &cfg_path, &dir.path().join("empty"), true).unwrap_err();
    assert!(err.to_string().contains("no checkpoint at"), "{err}");
}

#[test]
fn a_stop_request_leaves_a_checkpoint_at_a_batch_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let (cfg, cfg_path) = tiny_config(dir.path());
    let (train, test) = cfg.load_data(&cfg_path).unwrap();
    let out = RunDir::new(dir.path().join("stopped"));
    let s = train_into(
        &cfg,
        &train,
        &test,
        &out,
        false,
        &AtomicBool::new(true),
        &mut Counter::default(),
    )
    .unwrap();
    // The flag is read after the first batch.
    assert_eq!(
        (s.completed, s.position, s.epochs.len()),
        (false, (0, 1), 0)
    );
    assert!(out.has_checkpoint() && !out.metrics_path().exists());
    let s = run(&cfg, &cfg_path, out.root(), true).unwrap();
    assert!(s.completed);
    assert_eq!(read_metrics(&out.metrics_path(), 1).unwrap().len(), 2);
}

#[test]
fn metrics_rows_round_trip_and_old_files_read() {
    let dir = tempfile::tempdir().unwrap();
    let run = RunDir::new(dir.path());
    // A file as the format!-based writer wrote it.
    let old = "epoch,loss,train_acc,test_acc,rate_l1,rate_l2,mean_rate,seconds,samples_per_s\n\
               1,0.912345,0.700000,0.750000,0.250000,0.125000,0.187500,1.500,2000.0\n";
    std::fs::write(run.metrics_path(), old).unwrap();
    let rows = read_metrics(&run.metrics_path(), 2).unwrap();
    let want = MetricsRow {
        epoch: 1,
        loss: 0.912345,
        train_acc: 0.7,
        test_acc: 0.75,
        rates: vec![0.25, 0.125],
        mean_rate: 0.1875,
        seconds: 1.5,
        samples_per_s: 2000.0,
    };
    assert_eq!(rows, vec![want.clone()]);
    // Rewriting it (a second epoch appended) keeps the first row's text exactly.
    let second = MetricsRow {
        epoch: 2,
        ..want.clone()
    };
    run.append_metrics(&second).unwrap();
    let text = std::fs::read_to_string(run.metrics_path()).unwrap();
    assert_eq!(
        text,
        format!("{old}2,0.912345,0.700000,0.750000,0.250000,0.125000,0.187500,1.500,2000.0\n")
    );
    assert_eq!(run.finished(2, 2).unwrap(), Some(second));
    assert_eq!(run.finished(3, 2).unwrap(), None);
    // A missing column is named.
    let err = read_metrics(&run.metrics_path(), 3).unwrap_err();
    assert!(err.to_string().contains("no column rate_l3"), "{err}");
}

#[test]
fn a_regularizer_that_silences_a_layer_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, cfg_path) = tiny_config(dir.path());
    cfg.train.epochs = 1;
    cfg.regularizer.kind = trainer::RegKind::Mp;
    cfg.regularizer.v_ref = Some(0.0);
    cfg.regularizer.gamma = vec![1.0];
    cfg.train.lr = 0.05; // few batches here: large Adam steps reach the collapse in one epoch
    let s = run(&cfg, &cfg_path, &dir.path().join("dead"), false).unwrap();
    let m = &s.epochs[0];
    assert_eq!(
        m.rates,
        vec![0.0],
        "R_MP(0) at strength 1 silences the hidden layer"
    );
    let w = silence_warning(m).expect("warned");
    assert!(
        w.contains("hidden layer(s) 1 ") && w.contains("regularizer.gamma"),
        "{w}"
    );
    // An ordinary run is not warned about.
    let (cfg, cfg_path) = tiny_config(dir.path());
    let s = run(&cfg, &cfg_path, &dir.path().join("alive"), false).unwrap();
    assert!(s.epochs.iter().all(|m| silence_warning(m).is_none()));
}

#[test]
fn missing_data_names_the_config_field() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, cfg_path) = tiny_config(dir.path());
    cfg.data.path = "no/such/folder".into();
    let err = cfg.load_data(&cfg_path).unwrap_err();
    assert!(
        err.to_string().contains("data.path = \"no/such/folder\""),
        "{err}"
    );
}

/// `[data] downsample = 2`: the splits are pooled to 14x14, the model file records the factor
/// (what every command evaluating it reads), and 0 is rejected naming the field.
#[test]
fn downsampling_pools_the_data_and_is_recorded_in_the_model() {
    let dir = tempfile::tempdir().unwrap();
    let (mut cfg, _) = tiny_config(dir.path());
    cfg.data.downsample = Some(2);
    cfg.network.sizes[0] = 196;
    cfg.train.epochs = 1;
    let cfg_path = dir.path().join("pooled.toml");
    std::fs::write(&cfg_path, cfg.to_toml_string()).unwrap();
    assert!(cfg.to_toml_string().contains("downsample = 2"));
    let back = TrainConfig::load(&cfg_path).unwrap();
    assert_eq!(back.downsample(), 2);
    let (train, test) = cfg.load_data(&cfg_path).unwrap();
    assert_eq!((train.rows, train.cols, test.pixels()), (14, 14, 196));
    let out = dir.path().join("run");
    run(&cfg, &cfg_path, &out, false).unwrap();
    let bytes = std::fs::read(out.join("model.safetensors")).unwrap();
    let meta = golden::io::read_metadata(&bytes, &out).unwrap();
    assert_eq!(golden::idx::downsample_of(&meta).unwrap(), 2);

    cfg.data.downsample = Some(0);
    let e = cfg.validate().unwrap_err().to_string();
    assert!(e.contains("data.downsample"), "{e}");
    // Without the key, nothing is recorded: such a model behaves as before.
    let (plain, _) = tiny_config(dir.path());
    assert!(!plain.to_toml_string().contains("downsample"));
}
