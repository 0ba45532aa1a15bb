//! Checkpoints: everything needed to continue a run bit for bit (weights, Adam moments and step,
//! position inside the schedule, running sums, config), in one safetensors file written atomically.
//!
//! Layout: tensors `layerK.weight` (F32 `[n_out, n_in]`), `layerK.adam_m` and `layerK.adam_v`
//! (F64 `[n_out, n_in]`); metadata key `ttfs_checkpoint` holds a JSON [`State`]. The shuffle RNG needs
//! no state of its own: epoch `e`'s order is derived from the seed and `e`.

use crate::config::TrainConfig;
use crate::error::{Result, TrainError};
use crate::train::{AdamState, Position, Running, Trainer};
use golden::{FloatNetwork, TimeParams};
use ndarray::Array2;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Version of the checkpoint layout.
pub const CHECKPOINT_VERSION: u32 = 1;
const STATE_KEY: &str = "ttfs_checkpoint";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct State {
    checkpoint_version: u32,
    config: TrainConfig,
    epoch: usize,
    batch: usize,
    adam_step: u64,
    /// `f64::to_bits` of the running loss sum (exact round trip).
    running_loss_bits: u64,
    running_correct: u64,
    running_samples: u64,
    running_spikes: Vec<u64>,
    /// Training seconds of the current epoch so far.
    #[serde(default)]
    running_seconds: f64,
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}
fn f64_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Serializes the trainer's state.
pub fn to_bytes(tr: &Trainer) -> Result<Vec<u8>> {
    tr.check_not_poisoned()?;
    let pos = tr.position();
    let state = State {
        checkpoint_version: CHECKPOINT_VERSION,
        config: tr.config().clone(),
        epoch: pos.epoch,
        batch: pos.batch,
        adam_step: tr.adam().step,
        running_loss_bits: pos.running.loss_sum.to_bits(),
        running_correct: pos.running.correct,
        running_samples: pos.running.samples,
        running_spikes: pos.running.spikes.clone(),
        running_seconds: pos.running.seconds,
    };
    let json = serde_json::to_string(&state)
        .map_err(|e| TrainError::Data(format!("checkpoint state: {e}")))?;
    let mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
    for (l, w) in tr.network().layers().iter().enumerate() {
        let shape = vec![w.nrows(), w.ncols()];
        let k = l + 1;
        let flat: Vec<f32> = w.iter().copied().collect();
        tensors.push((
            format!("layer{k}.weight"),
            Dtype::F32,
            shape.clone(),
            f32_bytes(&flat),
        ));
        tensors.push((
            format!("layer{k}.adam_m"),
            Dtype::F64,
            shape.clone(),
            f64_bytes(&tr.adam().m[l]),
        ));
        tensors.push((
            format!("layer{k}.adam_v"),
            Dtype::F64,
            shape,
            f64_bytes(&tr.adam().v[l]),
        ));
    }
    let views: Vec<(String, TensorView<'_>)> = tensors
        .iter()
        .map(|(n, d, s, b)| {
            TensorView::new(*d, s.clone(), b)
                .map(|v| (n.clone(), v))
                .map_err(|e| TrainError::Data(format!("checkpoint tensor {n}: {e}")))
        })
        .collect::<Result<_>>()?;
    let meta: HashMap<String, String> = [(STATE_KEY.to_string(), json)].into_iter().collect();
    safetensors::serialize(views, &Some(meta))
        .map_err(|e| TrainError::Data(format!("checkpoint serialisation: {e}")))
}

/// Writes a checkpoint atomically (temporary file + rename).
pub fn save(path: &Path, tr: &Trainer) -> Result<()> {
    golden::io::write_atomic(path, &to_bytes(tr)?)?;
    Ok(())
}

fn read_tensor<T>(
    st: &SafeTensors<'_>,
    name: &str,
    dtype: Dtype,
    shape: &[usize],
    path: &Path,
    conv: impl Fn(&[u8]) -> T,
) -> Result<Vec<T>> {
    let t = st
        .tensor(name)
        .map_err(|e| TrainError::checkpoint(path, format!("tensor {name}: {e}")))?;
    if t.dtype() != dtype || t.shape() != shape {
        return Err(TrainError::checkpoint(
            path,
            format!(
                "tensor {name}: expected {dtype:?} {shape:?}, got {:?} {:?}",
                t.dtype(),
                t.shape()
            ),
        ));
    }
    Ok(t.data().chunks_exact(dtype.size()).map(conv).collect())
}

/// Reads a checkpoint. `cfg` is the config of the run being resumed: it must equal the checkpoint's
/// except for `train.epochs` (a longer schedule may continue a shorter one).
pub fn load(path: &Path, cfg: &TrainConfig) -> Result<Trainer> {
    let bytes = std::fs::read(path).map_err(|source| TrainError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_bytes(&bytes, path, cfg)
}

/// [`load`] of a checkpoint's bytes; `path` names it in errors.
pub fn from_bytes(bytes: &[u8], path: &Path, cfg: &TrainConfig) -> Result<Trainer> {
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| TrainError::checkpoint(path, format!("not a safetensors file: {e}")))?;
    let json = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get(STATE_KEY))
        .ok_or_else(|| TrainError::checkpoint(path, format!("metadata key {STATE_KEY} missing")))?;
    let state: State = serde_json::from_str(json)
        .map_err(|e| TrainError::checkpoint(path, format!("state: {e}")))?;
    if state.checkpoint_version != CHECKPOINT_VERSION {
        return Err(TrainError::checkpoint(
            path,
            format!(
                "checkpoint_version {} (this build reads {CHECKPOINT_VERSION})",
                state.checkpoint_version
            ),
        ));
    }
    let mut same = state.config.clone();
    same.train.epochs = cfg.train.epochs;
    if &same != cfg {
        return Err(TrainError::checkpoint(
            path,
            "was written for a different config (only train.epochs may change on resume); start a new output folder or restore the config",
        ));
    }
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| TrainError::checkpoint(path, format!("tensors: {e}")))?;
    let sizes = &cfg.network.sizes;
    let (mut layers, mut m, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for k in 1..sizes.len() {
        let shape = [sizes[k], sizes[k - 1]];
        let w = read_tensor(
            &st,
            &format!("layer{k}.weight"),
            Dtype::F32,
            &shape,
            path,
            |b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        )?;
        let f64_of = |b: &[u8]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            f64::from_le_bytes(a)
        };
        m.push(read_tensor(
            &st,
            &format!("layer{k}.adam_m"),
            Dtype::F64,
            &shape,
            path,
            f64_of,
        )?);
        v.push(read_tensor(
            &st,
            &format!("layer{k}.adam_v"),
            Dtype::F64,
            &shape,
            path,
            f64_of,
        )?);
        layers.push(
            Array2::from_shape_vec((shape[0], shape[1]), w)
                .map_err(|e| TrainError::checkpoint(path, format!("layer{k}.weight: {e}")))?,
        );
    }
    let net = FloatNetwork::new(
        TimeParams {
            t_in: cfg.network.t_in,
            t_max: cfg.network.t_max,
        },
        layers,
    )?;
    let pos = Position {
        epoch: state.epoch,
        batch: state.batch,
        running: Running {
            loss_sum: f64::from_bits(state.running_loss_bits),
            correct: state.running_correct,
            samples: state.running_samples,
            spikes: state.running_spikes,
            seconds: state.running_seconds,
        },
    };
    Trainer::from_parts(
        cfg.clone(),
        net,
        AdamState {
            m,
            v,
            step: state.adam_step,
        },
        pos,
    )
}
