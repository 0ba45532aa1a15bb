//! The training loop: mini-batches, Adam, per-epoch metrics, checkpoints.
//!
//! Determinism: a batch is cut into fixed chunks of [`SAMPLES_PER_CHUNK`] samples (independent of the
//! thread count); each chunk accumulates its samples' gradients in sample order into its own buffer, and
//! the chunk buffers are summed in chunk order. Shuffles come from ChaCha8 seeded by `train.seed` on
//! stream `epoch`. So the same config and data give the same weights bit for bit with any number of
//! rayon threads, and a resumed run continues exactly as an uninterrupted one.
//!
//! Train accuracy and loss in [`EpochMetrics`] are running values over the epoch (measured while the
//! weights change); test accuracy and firing rates are measured after the epoch with
//! `golden::exact::forward` on the test set (firing rate = fraction of a hidden layer's neurons that
//! fire, averaged over test samples).

use crate::backprop::{forward_backward_into, LayerRef, Objective, SampleStats, Workspace};
use crate::config::{RegKind, TrainConfig};
use crate::error::{Result, TrainError};
use golden::idx::Dataset;
use golden::{FloatNetwork, TimeParams};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;

/// Samples per gradient chunk (fixed so that results do not depend on the thread count).
pub const SAMPLES_PER_CHUNK: usize = 16;

const ADAM_BETA1: f64 = 0.9;
const ADAM_BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;
/// Largest Adam step counter: the bias corrections use `powi(step as i32)`.
pub const MAX_ADAM_STEP: u64 = i32::MAX as u64;

/// Adam moments per weight layer (same layout as the weights) and the number of steps taken.
#[derive(Clone, Debug, PartialEq)]
pub struct AdamState {
    pub m: Vec<Vec<f64>>,
    pub v: Vec<Vec<f64>>,
    pub step: u64,
}

/// Running sums over the part of an epoch done so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Running {
    pub loss_sum: f64,
    pub correct: u64,
    pub samples: u64,
    /// Spikes per weight layer's output (layer 1 first).
    pub spikes: Vec<u64>,
    /// Wall time spent in training steps so far (across pauses and resumes), seconds.
    pub seconds: f64,
}

impl Running {
    fn add(&mut self, other: &Running) {
        self.loss_sum += other.loss_sum;
        self.correct += other.correct;
        self.samples += other.samples;
        self.seconds += other.seconds;
        if self.spikes.len() < other.spikes.len() {
            self.spikes.resize(other.spikes.len(), 0);
        }
        for (a, b) in self.spikes.iter_mut().zip(&other.spikes) {
            *a += b;
        }
    }
    fn mean_loss(&self) -> f64 {
        self.loss_sum / self.samples.max(1) as f64
    }
    fn accuracy(&self) -> f64 {
        self.correct as f64 / self.samples.max(1) as f64
    }
}

/// Where the run is: `epoch` epochs are complete and `batch` batches of the current one are done.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Position {
    pub epoch: usize,
    pub batch: usize,
    pub running: Running,
}

/// Shown by the progress callback after each batch.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchProgress {
    /// 0-based epoch being trained.
    pub epoch: usize,
    pub batches_done: usize,
    pub batches_total: usize,
    pub samples_done: u64,
    pub running_loss: f64,
    pub running_accuracy: f64,
    /// Running firing rate per hidden layer.
    pub running_rates: Vec<f64>,
}

/// Measured after each epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochMetrics {
    /// 1-based number of the epoch just finished.
    pub epoch: usize,
    pub loss: f64,
    pub train_accuracy: f64,
    pub test_accuracy: f64,
    /// Test-set firing rate per hidden layer.
    pub rates: Vec<f64>,
    pub mean_rate: f64,
    /// Wall time of the training steps of the epoch (without the test evaluation; summed over pauses
    /// and resumes), seconds.
    pub train_seconds: f64,
    /// `train_seconds` plus the test evaluation, seconds.
    pub seconds: f64,
    pub train_samples: u64,
}

/// What [`Trainer::train_epoch`] did.
#[derive(Clone, Debug, PartialEq)]
pub enum EpochOutcome {
    Finished(EpochMetrics),
    /// The progress callback asked to stop; the position is at a batch boundary (checkpoint it).
    Stopped,
}

struct Chunk {
    ws: Workspace,
    grads: Vec<Vec<f64>>,
    running: Running,
    stats: SampleStats,
}

/// A training run in progress: the network, the optimiser state and the position.
pub struct Trainer {
    cfg: TrainConfig,
    obj: Objective,
    net: FloatNetwork,
    adam: AdamState,
    pos: Position,
    chunks: Vec<Chunk>,
    /// Set when a step diverged: the weights are then not a model, so training and checkpoints
    /// refuse with this message.
    poisoned: Option<String>,
}

/// Checks a run's state before it is trusted (a resumed checkpoint): Adam moments of the weights'
/// shapes, finite, second moments non-negative, a step counter the bias corrections can use, finite
/// running sums.
fn check_state(net: &FloatNetwork, adam: &AdamState, pos: &Position) -> Result<()> {
    let bad = |msg: String| Err(TrainError::Data(format!("training state: {msg}")));
    if adam.m.len() != net.layers().len() || adam.v.len() != net.layers().len() {
        return bad(format!(
            "{} / {} Adam moment layers for {} weight layers",
            adam.m.len(),
            adam.v.len(),
            net.layers().len()
        ));
    }
    for (l, w) in net.layers().iter().enumerate() {
        for (name, moment) in [("adam_m", &adam.m[l]), ("adam_v", &adam.v[l])] {
            if moment.len() != w.len() {
                return bad(format!(
                    "layer{}.{name} has {} values for {} weights",
                    l + 1,
                    moment.len(),
                    w.len()
                ));
            }
            let invalid = |x: f64| !x.is_finite() || (name == "adam_v" && x < 0.0);
            if let Some(k) = moment.iter().position(|&x| invalid(x)) {
                return bad(format!(
                    "layer{}.{name}[{k}] = {} (must be finite{})",
                    l + 1,
                    moment[k],
                    if name == "adam_v" { " and >= 0" } else { "" }
                ));
            }
        }
    }
    if adam.step > MAX_ADAM_STEP {
        return bad(format!("Adam step {} exceeds {MAX_ADAM_STEP}", adam.step));
    }
    if !(pos.running.loss_sum.is_finite() && pos.running.seconds.is_finite()) {
        return bad(format!(
            "running loss {} / seconds {} must be finite",
            pos.running.loss_sum, pos.running.seconds
        ));
    }
    Ok(())
}

/// Checks that a data set fits the network (pixels = inputs, labels < outputs).
pub fn check_data(cfg: &TrainConfig, data: &Dataset, what: &str) -> Result<()> {
    let sizes = &cfg.network.sizes;
    if data.is_empty() {
        return Err(TrainError::Data(format!("{what} set is empty")));
    }
    if data.pixels() != sizes[0] {
        return Err(TrainError::Data(format!(
            "{what} images have {} pixels ({}x{}) but network.sizes[0] = {}",
            data.pixels(),
            data.rows,
            data.cols,
            sizes[0]
        )));
    }
    let n_out = *sizes.last().unwrap_or(&0);
    if let Some((i, &y)) = data
        .labels
        .iter()
        .enumerate()
        .find(|(_, &y)| y as usize >= n_out)
    {
        return Err(TrainError::Data(format!(
            "{what} sample {i} has label {y} but the network has {n_out} outputs"
        )));
    }
    Ok(())
}

impl Trainer {
    /// A fresh run: validates the config and draws the initial weights from `train.seed`.
    pub fn new(cfg: TrainConfig) -> Result<Self> {
        cfg.validate()?;
        let n = &cfg.network;
        let net = FloatNetwork::random_init(
            &n.sizes,
            TimeParams {
                t_in: n.t_in,
                t_max: n.t_max,
            },
            &n.init_mu,
            n.init_sigma,
            cfg.train.seed,
        )?;
        let adam = AdamState {
            m: net.layers().iter().map(|w| vec![0.0; w.len()]).collect(),
            v: net.layers().iter().map(|w| vec![0.0; w.len()]).collect(),
            step: 0,
        };
        Self::from_parts(cfg, net, adam, Position::default())
    }

    /// Rebuilds a run from its parts (used by checkpoint loading).
    pub fn from_parts(
        cfg: TrainConfig,
        net: FloatNetwork,
        adam: AdamState,
        pos: Position,
    ) -> Result<Self> {
        cfg.validate()?;
        if net.sizes() != cfg.network.sizes {
            return Err(TrainError::config(
                "network.sizes",
                format!(
                    "{:?} differs from the network's {:?}",
                    cfg.network.sizes,
                    net.sizes()
                ),
            ));
        }
        let obj = Objective {
            t_max: cfg.network.t_max,
            tau: cfg.train.tau,
            min_slope: cfg.train.min_slope,
            ce_weight: 1.0,
            silent_target_weight: cfg.train.silent_target_weight,
            reg: cfg.regularizer.kind,
            gammas: cfg.gammas(),
            v_ref: if cfg.regularizer.kind == RegKind::Mp {
                cfg.regularizer.v_ref.unwrap_or(0.0)
            } else {
                0.0
            },
        };
        check_state(&net, &adam, &pos)?;
        Ok(Trainer {
            cfg,
            obj,
            net,
            adam,
            pos,
            chunks: Vec::new(),
            poisoned: None,
        })
    }

    /// An error when a step diverged (the weights are then not a model and must not be written).
    pub fn check_not_poisoned(&self) -> Result<()> {
        match &self.poisoned {
            Some(msg) => Err(TrainError::Data(format!(
                "refusing to continue or save after divergence: {msg}"
            ))),
            None => Ok(()),
        }
    }

    pub fn config(&self) -> &TrainConfig {
        &self.cfg
    }
    pub fn network(&self) -> &FloatNetwork {
        &self.net
    }
    pub fn adam(&self) -> &AdamState {
        &self.adam
    }
    pub fn position(&self) -> &Position {
        &self.pos
    }
    /// Epochs completed.
    pub fn epochs_done(&self) -> usize {
        self.pos.epoch
    }
    /// True when every configured epoch is complete.
    pub fn is_done(&self) -> bool {
        self.pos.epoch >= self.cfg.train.epochs
    }
    /// Learning rate of 0-based epoch `epoch`.
    pub fn learning_rate(&self, epoch: usize) -> f64 {
        self.cfg.train.lr * self.cfg.train.lr_decay.powi(epoch as i32)
    }

    /// Allows more epochs than configured (resume with a longer schedule); everything else must match.
    pub fn set_epochs(&mut self, epochs: usize) {
        self.cfg.train.epochs = epochs;
    }

    /// Sample order of 0-based epoch `epoch`.
    pub fn epoch_order(&self, epoch: usize, n: usize) -> Vec<usize> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(self.cfg.train.seed);
        rng.set_stream(epoch as u64 + 1);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        order
    }

    /// Trains the rest of the current epoch, calling `on_batch` after every batch; if it returns
    /// `false` the epoch stops at that batch boundary (resumable). Evaluates on `test` at the end.
    pub fn train_epoch(
        &mut self,
        train: &Dataset,
        test: &Dataset,
        on_batch: &mut dyn FnMut(&BatchProgress) -> bool,
    ) -> Result<EpochOutcome> {
        self.check_not_poisoned()?;
        check_data(&self.cfg, train, "training")?;
        check_data(&self.cfg, test, "test")?;
        let epoch = self.pos.epoch;
        let order = self.epoch_order(epoch, train.len());
        let batch = self.cfg.train.batch;
        let n_batches = order.len().div_ceil(batch);
        let lr = self.learning_rate(epoch);
        let n_hidden = self.cfg.n_hidden();
        let sizes = self.net.sizes();
        while self.pos.batch < n_batches {
            let b = self.pos.batch;
            let idx = &order[b * batch..((b + 1) * batch).min(order.len())];
            let step_started = std::time::Instant::now();
            let mut r = self.step(train, idx, lr)?;
            r.seconds = step_started.elapsed().as_secs_f64();
            self.pos.running.add(&r);
            self.pos.batch += 1;
            let run = &self.pos.running;
            let progress = BatchProgress {
                epoch,
                batches_done: self.pos.batch,
                batches_total: n_batches,
                samples_done: run.samples,
                running_loss: run.mean_loss(),
                running_accuracy: run.accuracy(),
                running_rates: (0..n_hidden)
                    .map(|l| run.spikes[l] as f64 / (run.samples as f64 * sizes[l + 1] as f64))
                    .collect(),
            };
            if !on_batch(&progress) && self.pos.batch < n_batches {
                return Ok(EpochOutcome::Stopped);
            }
        }
        let train_seconds = self.pos.running.seconds;
        let eval_started = std::time::Instant::now();
        let eval = golden::eval::eval_exact(&self.net, test);
        let rates = eval.stats.hidden_rates();
        let metrics = EpochMetrics {
            epoch: epoch + 1,
            loss: self.pos.running.mean_loss(),
            train_accuracy: self.pos.running.accuracy(),
            test_accuracy: eval.accuracy,
            mean_rate: eval.stats.mean_hidden_rate(),
            rates,
            train_seconds,
            seconds: train_seconds + eval_started.elapsed().as_secs_f64(),
            train_samples: self.pos.running.samples,
        };
        self.pos = Position {
            epoch: epoch + 1,
            batch: 0,
            running: Running::default(),
        };
        Ok(EpochOutcome::Finished(metrics))
    }

    /// One Adam step on the samples `idx` of `train`.
    fn step(&mut self, train: &Dataset, idx: &[usize], lr: f64) -> Result<Running> {
        let n_chunks = idx.len().div_ceil(SAMPLES_PER_CHUNK);
        let shapes: Vec<(usize, usize)> = self.net.layers().iter().map(|w| w.dim()).collect();
        while self.chunks.len() < n_chunks {
            self.chunks.push(Chunk {
                ws: Workspace::default(),
                grads: shapes.iter().map(|&(o, i)| vec![0.0; o * i]).collect(),
                running: Running::default(),
                stats: SampleStats::default(),
            });
        }
        let scale = 1.0 / idx.len() as f64;
        let t_in = self.net.time.t_in;
        {
            let layers: Vec<LayerRef<'_, f32>> = self
                .net
                .layers()
                .iter()
                .map(|w| LayerRef {
                    w: w.as_slice().unwrap_or(&[]),
                    n_out: w.nrows(),
                    n_in: w.ncols(),
                })
                .collect();
            let obj = &self.obj;
            self.chunks[..n_chunks]
                .par_iter_mut()
                .zip(idx.par_chunks(SAMPLES_PER_CHUNK))
                .for_each(|(chunk, samples)| {
                    for g in chunk.grads.iter_mut() {
                        g.fill(0.0);
                    }
                    chunk.running = Running {
                        spikes: vec![0; layers.len()],
                        ..Default::default()
                    };
                    for &s in samples {
                        chunk.ws.set_pixels(train.image(s), t_in);
                        forward_backward_into(
                            &layers,
                            train.labels[s] as usize,
                            obj,
                            scale,
                            &mut chunk.ws,
                            &mut chunk.grads,
                            &mut chunk.stats,
                        );
                        let st = &chunk.stats;
                        chunk.running.loss_sum += st.total;
                        chunk.running.correct += st.correct as u64;
                        chunk.running.samples += 1;
                        for (a, &b) in chunk.running.spikes.iter_mut().zip(&st.spikes) {
                            *a += b as u64;
                        }
                    }
                });
        }
        let mut running = Running::default();
        for c in &self.chunks[..n_chunks] {
            running.add(&c.running);
        }
        let diverged = |what: String| TrainError::Diverged {
            epoch: self.pos.epoch + 1,
            batch: self.pos.batch + 1,
            what,
            lr,
        };
        if !running.loss_sum.is_finite() {
            return Err(diverged(format!("the loss is {}", running.loss_sum)));
        }
        // Adam, element-wise; the chunk gradients are summed in chunk order. A non-finite weight or
        // moment stops training with an error naming it (the trainer is then poisoned: it refuses
        // to train on or to be checkpointed, so nothing non-finite is ever written).
        let step = self
            .adam
            .step
            .checked_add(1)
            .filter(|&s| s <= MAX_ADAM_STEP)
            .ok_or_else(|| {
                diverged(format!("Adam step counter {} at its limit", self.adam.step))
            })?;
        self.adam.step = step;
        let t = step as i32;
        let bc1 = 1.0 - ADAM_BETA1.powi(t);
        let bc2 = 1.0 - ADAM_BETA2.powi(t);
        let chunks = &self.chunks[..n_chunks];
        const BLOCK: usize = 4096;
        let mut bad: Option<String> = None;
        for (l, w) in self.net.layers_mut().iter_mut().enumerate() {
            let n_in = w.ncols();
            let w = w
                .as_slice_mut()
                .ok_or_else(|| TrainError::Data("weights not in standard layout".into()))?;
            // first non-finite element of the layer (index, which array, value)
            let first_bad = w
                .par_chunks_mut(BLOCK)
                .zip(self.adam.m[l].par_chunks_mut(BLOCK))
                .zip(self.adam.v[l].par_chunks_mut(BLOCK))
                .enumerate()
                .map(|(blk, ((w, m), v))| {
                    let base = blk * BLOCK;
                    let mut first = None;
                    for k in 0..w.len() {
                        let mut g = 0.0;
                        for c in chunks {
                            g += c.grads[l][base + k];
                        }
                        m[k] = ADAM_BETA1 * m[k] + (1.0 - ADAM_BETA1) * g;
                        v[k] = ADAM_BETA2 * v[k] + (1.0 - ADAM_BETA2) * g * g;
                        let upd = lr * (m[k] / bc1) / ((v[k] / bc2).sqrt() + ADAM_EPS);
                        w[k] = (w[k] as f64 - upd) as f32;
                        if first.is_none()
                            && !(w[k].is_finite() && m[k].is_finite() && v[k].is_finite())
                        {
                            first = Some((base + k, w[k] as f64, m[k], v[k]));
                        }
                    }
                    first
                })
                .reduce(
                    || None,
                    |a, b| match (a, b) {
                        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
                        (a, b) => a.or(b),
                    },
                );
            if let (None, Some((k, w, m, v))) = (&bad, first_bad) {
                bad = Some(format!(
                    "layer{}.weight[{}, {}] became {w} (Adam m = {m}, v = {v})",
                    l + 1,
                    k / n_in,
                    k % n_in
                ));
            }
        }
        if let Some(what) = bad {
            let err = diverged(what);
            self.poisoned = Some(err.to_string());
            return Err(err);
        }
        Ok(running)
    }
}
