//! Model files and settings files: what `golden` writes to disk and reads back.
//!
//! Model files are safetensors with string metadata (the `__metadata__` map):
//!
//! * float model: tensors `layerK.weight` (F32, `[n_out, n_in]`, K = 1..=L); metadata
//!   `format = "ttfs-float"`, `format_version`, `t_in`, `t_max`;
//! * quantized model: `layerK.weight` (I32, `[n_out, n_in]`), `layerK.threshold` (I64, `[1]`),
//!   `layerK.scale` (F64, `[1]`); metadata `format = "ttfs-quant"`, `format_version`, `n_steps`,
//!   `n_in_steps`, `t_in`, `t_max`, `layerK.weight_bits`.
//!
//! Floats in the metadata are printed with `{:?}` (shortest form that parses back to the same bits),
//! tensors are little-endian, so a save/load round trip is bit-exact. Extra metadata keys are allowed
//! (provenance such as a seed or a config); extra tensors are not.
//!
//! Promises: loading never panics on any byte string; every rejection is a [`GoldenError`] that names
//! the file and the tensor, key or element at fault. Every file is written through [`write_atomic`]
//! (temporary file in the same folder, fsync, rename), so a crash never leaves half a file.

use crate::error::{GoldenError, Result};
use crate::network::{FloatNetwork, QuantLayer, QuantNetwork, TimeParams, FORMAT_VERSION};
use ndarray::Array2;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// `format` metadata value of a float model file.
pub const FLOAT_FORMAT: &str = "ttfs-float";
/// `format` metadata value of a quantized model file.
pub const QUANT_FORMAT: &str = "ttfs-quant";

/// Metadata keys written by this module (extra keys passed by callers may not use these names).
const RESERVED_KEYS: &[&str] = &[
    "format",
    "format_version",
    "t_in",
    "t_max",
    "n_steps",
    "n_in_steps",
];

/// Either kind of model file, as decided by its `format` metadata.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Float(FloatNetwork),
    Quant(QuantNetwork),
}

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `bytes` to `path` atomically: a temporary file in the same folder is written, flushed to
/// disk and renamed over `path`. On error the temporary file is removed and `path` is untouched;
/// temporary files of `path` left by a killed earlier writer are removed first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let file_name = path
        .file_name()
        .ok_or_else(|| GoldenError::format(path, "cannot write: the path does not name a file"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!(".{}.tmp.", file_name.to_string_lossy());
    remove_stale_temps(&dir, &prefix);
    let tmp = dir.join(format!(
        "{prefix}{}.{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable where the platform allows opening a folder.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(GoldenError::io(path, e));
    }
    Ok(())
}

/// Removes the temporary files `<prefix><pid>.<n>` that a killed writer of the same file left in
/// `dir` (SIGKILL runs no clean-up): those whose process no longer exists. Files of a live process
/// (this one, or another writer working now) are kept. Best effort: a file that cannot be removed
/// stays. Liveness is read from `/proc`, so elsewhere than Linux nothing is removed.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('.') else {
            continue;
        };
        let (Ok(pid), true) = (pid.parse::<u32>(), n.bytes().all(|b| b.is_ascii_digit())) else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new("/proc").join(pid.to_string()).exists();
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn check_extra(extra: &BTreeMap<String, String>) -> Result<()> {
    for k in extra.keys() {
        let reserved = RESERVED_KEYS.contains(&k.as_str())
            || (k.starts_with("layer") && k.ends_with(".weight_bits"));
        if reserved {
            return Err(GoldenError::Invalid(format!(
                "metadata key {k:?} is written by golden::io and cannot be set by the caller"
            )));
        }
    }
    Ok(())
}

/// Writes the safetensors layout directly (8-byte little-endian header length, JSON header padded
/// with spaces to a multiple of 8, then the tensor data) so that the output is deterministic: the
/// `safetensors` crate writes its metadata from a `HashMap`, in an order that changes from run to
/// run. Tensors are laid out 8-byte types first, then by name, so every tensor is aligned.
fn serialize(
    mut tensors: Vec<(String, Dtype, Vec<usize>, Vec<u8>)>,
    meta: BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    tensors.sort_by(|a, b| b.1.size().cmp(&a.1.size()).then(a.0.cmp(&b.0)));
    let mut header = serde_json::Map::new();
    header.insert(
        "__metadata__".into(),
        serde_json::Value::Object(
            meta.into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect(),
        ),
    );
    let mut offset = 0usize;
    for (name, dtype, shape, data) in &tensors {
        let n: usize = shape.iter().product();
        if n * dtype.size() != data.len() {
            return Err(GoldenError::Invalid(format!(
                "{name}: {} bytes of data for shape {shape:?} of {dtype:?}",
                data.len()
            )));
        }
        let dtype_json = serde_json::to_value(dtype)
            .map_err(|e| GoldenError::Invalid(format!("{name}: dtype {dtype:?}: {e}")))?;
        header.insert(
            name.clone(),
            serde_json::json!({
                "dtype": dtype_json,
                "shape": shape,
                "data_offsets": [offset, offset + data.len()],
            }),
        );
        offset += data.len();
    }
    let mut header = serde_json::to_vec(&serde_json::Value::Object(header))
        .map_err(|e| GoldenError::Invalid(format!("model header: {e}")))?;
    while header.len() % 8 != 0 {
        header.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + header.len() + offset);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    for (_, _, _, data) in &tensors {
        out.extend_from_slice(data);
    }
    Ok(out)
}

fn time_meta(time: &TimeParams, meta: &mut BTreeMap<String, String>) {
    meta.insert("t_in".into(), format!("{:?}", time.t_in));
    meta.insert("t_max".into(), format!("{:?}", time.t_max));
}

/// Serializes a float network (see the module header for the layout).
pub fn float_to_bytes(net: &FloatNetwork) -> Result<Vec<u8>> {
    float_to_bytes_with(net, &BTreeMap::new())
}

/// As [`float_to_bytes`], plus caller metadata (provenance: seed, config, ...), read back with
/// [`read_metadata`]. Keys written by this module are refused.
pub fn float_to_bytes_with(
    net: &FloatNetwork,
    extra: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    check_extra(extra)?;
    let mut meta = extra.clone();
    meta.insert("format".into(), FLOAT_FORMAT.into());
    meta.insert("format_version".into(), FORMAT_VERSION.to_string());
    time_meta(&net.time, &mut meta);
    let tensors = net
        .layers()
        .iter()
        .enumerate()
        .map(|(l, w)| {
            let data = w.iter().flat_map(|x| x.to_le_bytes()).collect();
            (
                format!("layer{}.weight", l + 1),
                Dtype::F32,
                vec![w.nrows(), w.ncols()],
                data,
            )
        })
        .collect();
    serialize(tensors, meta)
}

/// Serializes a quantized network (see the module header for the layout).
pub fn quant_to_bytes(net: &QuantNetwork) -> Result<Vec<u8>> {
    quant_to_bytes_with(net, &BTreeMap::new())
}

/// As [`quant_to_bytes`], plus caller metadata (see [`float_to_bytes_with`]).
pub fn quant_to_bytes_with(
    net: &QuantNetwork,
    extra: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    check_extra(extra)?;
    let mut meta = extra.clone();
    meta.insert("format".into(), QUANT_FORMAT.into());
    meta.insert("format_version".into(), FORMAT_VERSION.to_string());
    meta.insert("n_steps".into(), net.n_steps.to_string());
    meta.insert("n_in_steps".into(), net.n_in_steps.to_string());
    time_meta(&net.time, &mut meta);
    let mut tensors = Vec::new();
    for (l, q) in net.layers().iter().enumerate() {
        let k = l + 1;
        meta.insert(format!("layer{k}.weight_bits"), q.weight_bits.to_string());
        let (n_out, n_in) = q.weights.dim();
        tensors.push((
            format!("layer{k}.weight"),
            Dtype::I32,
            vec![n_out, n_in],
            q.weights.iter().flat_map(|x| x.to_le_bytes()).collect(),
        ));
        tensors.push((
            format!("layer{k}.threshold"),
            Dtype::I64,
            vec![1],
            q.threshold_q.to_le_bytes().to_vec(),
        ));
        tensors.push((
            format!("layer{k}.scale"),
            Dtype::F64,
            vec![1],
            q.scale.to_le_bytes().to_vec(),
        ));
    }
    serialize(tensors, meta)
}

/// Writes a float model file atomically.
pub fn save_float(path: &Path, net: &FloatNetwork) -> Result<()> {
    write_atomic(path, &float_to_bytes(net)?)
}

/// Writes a quantized model file atomically.
pub fn save_quant(path: &Path, net: &QuantNetwork) -> Result<()> {
    write_atomic(path, &quant_to_bytes(net)?)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Shape `(n_out, n_in)` and the little-endian bytes of each element.
type RawMatrix<const N: usize> = ((usize, usize), Vec<[u8; N]>);

/// A parsed file: tensors by name plus metadata, with the origin kept for error messages.
struct Parsed<'a> {
    origin: &'a Path,
    st: SafeTensors<'a>,
    meta: HashMap<String, String>,
}

fn parse<'a>(bytes: &'a [u8], origin: &'a Path) -> Result<Parsed<'a>> {
    // safetensors validates the header length, JSON, offsets and sizes against the buffer (the
    // no-panic proptests in tests/model_files.rs feed it random, truncated and mutated files).
    let (_, header) = SafeTensors::read_metadata(bytes)
        .map_err(|e| GoldenError::format(origin, format!("not a safetensors file: {e:?}")))?;
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| GoldenError::format(origin, format!("not a safetensors file: {e:?}")))?;
    let meta = header.metadata().clone().ok_or_else(|| {
        GoldenError::format(
            origin,
            "no __metadata__ in the safetensors header (not a ttfs model file)",
        )
    })?;
    Ok(Parsed { origin, st, meta })
}

impl Parsed<'_> {
    fn key(&self, key: &str) -> Result<&str> {
        self.meta.get(key).map(String::as_str).ok_or_else(|| {
            GoldenError::format(self.origin, format!("metadata key {key:?} is missing"))
        })
    }

    fn num<T: std::str::FromStr>(&self, key: &str, kind: &str) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        let s = self.key(key)?;
        s.trim().parse::<T>().map_err(|e| {
            GoldenError::format(
                self.origin,
                format!("metadata {key} = {s:?} is not a valid {kind}: {e}"),
            )
        })
    }

    fn finite(&self, key: &str) -> Result<f64> {
        let v: f64 = self.num(key, "number")?;
        if !v.is_finite() {
            return Err(GoldenError::format(
                self.origin,
                format!("metadata {key} = {v} is not a finite number"),
            ));
        }
        Ok(v)
    }

    fn check_format(&self, expected: &str) -> Result<()> {
        let format = self.key("format")?;
        if format != expected {
            let hint = match format {
                FLOAT_FORMAT => " (a float model: load it with load_float or load_model)",
                QUANT_FORMAT => " (a quantized model: load it with load_quant or load_model)",
                _ => "",
            };
            return Err(GoldenError::format(
                self.origin,
                format!("metadata format = {format:?}, expected {expected:?}{hint}"),
            ));
        }
        let version: u32 = self.num("format_version", "integer")?;
        if version != FORMAT_VERSION {
            return Err(GoldenError::format(
                self.origin,
                format!(
                    "format_version = {version}, this build reads version {FORMAT_VERSION} only"
                ),
            ));
        }
        Ok(())
    }

    fn time(&self) -> Result<TimeParams> {
        let time = TimeParams {
            t_in: self.finite("t_in")?,
            t_max: self.finite("t_max")?,
        };
        time.validate().map_err(|e| {
            GoldenError::format(self.origin, format!("metadata time axis is invalid: {e}"))
        })?;
        Ok(time)
    }

    /// Checks that the tensor names are exactly `layer1..=layerL` with the given fields each;
    /// returns `L`.
    fn layer_count(&self, fields: &[&str]) -> Result<usize> {
        let mut max_k = 0usize;
        let mut names: Vec<String> = self.st.names().into_iter().cloned().collect();
        names.sort();
        for name in &names {
            let parsed = name
                .strip_prefix("layer")
                .and_then(|rest| rest.split_once('.'))
                .and_then(|(k, field)| {
                    let k: usize = k.parse().ok()?;
                    (k >= 1 && format!("layer{k}.{field}") == *name && fields.contains(&field))
                        .then_some(k)
                });
            match parsed {
                Some(k) => max_k = max_k.max(k),
                None => {
                    return Err(GoldenError::format(
                        self.origin,
                        format!(
                            "unexpected tensor {name:?} (expected only layerK.{{{}}} for K = 1, 2, ...)",
                            fields.join(",")
                        ),
                    ))
                }
            }
        }
        if max_k == 0 {
            return Err(GoldenError::format(
                self.origin,
                "no layer tensors (expected layer1.weight, ...)",
            ));
        }
        for k in 1..=max_k {
            for f in fields {
                let name = format!("layer{k}.{f}");
                if !names.contains(&name) {
                    return Err(GoldenError::format(
                        self.origin,
                        format!(
                            "tensor {name:?} is missing (the file has layers up to layer{max_k})"
                        ),
                    ));
                }
            }
        }
        Ok(max_k)
    }

    fn tensor(&self, name: &str, dtype: Dtype) -> Result<TensorView<'_>> {
        let t = self
            .st
            .tensor(name)
            .map_err(|e| GoldenError::format(self.origin, format!("tensor {name:?}: {e:?}")))?;
        if t.dtype() != dtype {
            return Err(GoldenError::format(
                self.origin,
                format!(
                    "tensor {name:?} has dtype {:?}, expected {dtype:?}",
                    t.dtype()
                ),
            ));
        }
        Ok(t)
    }

    /// A rank-2 tensor with both dimensions >= 1, as raw little-endian chunks of `N` bytes.
    fn matrix<const N: usize>(&self, name: &str, dtype: Dtype) -> Result<RawMatrix<N>> {
        let t = self.tensor(name, dtype)?;
        let shape = t.shape().to_vec();
        if shape.len() != 2 || shape[0] == 0 || shape[1] == 0 {
            return Err(GoldenError::Shape {
                what: format!("{}: tensor {name}", self.origin.display()),
                expected: "rank 2, [n_out >= 1, n_in >= 1]".into(),
                got: format!("{shape:?}"),
            });
        }
        let chunks = t
            .data()
            .chunks_exact(N)
            .map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                a
            })
            .collect::<Vec<_>>();
        if chunks.len() != shape[0] * shape[1] {
            return Err(GoldenError::format(
                self.origin,
                format!("tensor {name:?}: data size does not match shape {shape:?}"),
            ));
        }
        Ok(((shape[0], shape[1]), chunks))
    }

    /// A tensor of shape `[1]`, as its 8 raw bytes.
    fn scalar8(&self, name: &str, dtype: Dtype) -> Result<[u8; 8]> {
        let t = self.tensor(name, dtype)?;
        if t.shape() != [1] {
            return Err(GoldenError::Shape {
                what: format!("{}: tensor {name}", self.origin.display()),
                expected: "[1]".into(),
                got: format!("{:?}", t.shape()),
            });
        }
        t.data().try_into().map_err(|_| {
            GoldenError::format(
                self.origin,
                format!("tensor {name:?}: expected 8 bytes of data"),
            )
        })
    }

    fn check_chain(&self, dims: &[(usize, usize)]) -> Result<()> {
        for k in 1..dims.len() {
            if dims[k].1 != dims[k - 1].0 {
                return Err(GoldenError::Shape {
                    what: format!(
                        "{}: tensor layer{}.weight (layers must chain: n_in = n_out of layer{k})",
                        self.origin.display(),
                        k + 1
                    ),
                    expected: format!("[{}, {}]", dims[k].0, dims[k - 1].0),
                    got: format!("[{}, {}]", dims[k].0, dims[k].1),
                });
            }
        }
        Ok(())
    }

    fn float_network(&self) -> Result<FloatNetwork> {
        self.check_format(FLOAT_FORMAT)?;
        let time = self.time()?;
        let n_layers = self.layer_count(&["weight"])?;
        let mut layers = Vec::with_capacity(n_layers);
        let mut dims = Vec::with_capacity(n_layers);
        for k in 1..=n_layers {
            let name = format!("layer{k}.weight");
            let (dim, chunks) = self.matrix::<4>(&name, Dtype::F32)?;
            let values: Vec<f32> = chunks.into_iter().map(f32::from_le_bytes).collect();
            if let Some(idx) = values.iter().position(|v| !v.is_finite()) {
                return Err(GoldenError::NonFinite {
                    what: format!("{}: tensor {name}", self.origin.display()),
                    location: format!("[{}, {}]", idx / dim.1, idx % dim.1),
                    value: values[idx] as f64,
                });
            }
            dims.push(dim);
            layers.push(
                Array2::from_shape_vec(dim, values).map_err(|e| {
                    GoldenError::format(self.origin, format!("tensor {name:?}: {e}"))
                })?,
            );
        }
        self.check_chain(&dims)?;
        FloatNetwork::new(time, layers)
            .map_err(|e| GoldenError::format(self.origin, format!("invalid float model: {e}")))
    }

    fn quant_network(&self) -> Result<QuantNetwork> {
        self.check_format(QUANT_FORMAT)?;
        let time = self.time()?;
        let n_steps: u32 = self.num("n_steps", "integer")?;
        let n_in_steps: u32 = self.num("n_in_steps", "integer")?;
        let max_steps = crate::network::MAX_STEPS;
        if n_steps == 0 || n_steps > max_steps {
            return Err(GoldenError::range(
                format!("{}: metadata n_steps", self.origin.display()),
                n_steps,
                format!("1..={max_steps}"),
            ));
        }
        if n_in_steps == 0 || n_in_steps > n_steps {
            return Err(GoldenError::range(
                format!("{}: metadata n_in_steps", self.origin.display()),
                n_in_steps,
                format!("1..=n_steps ({n_steps})"),
            ));
        }
        let n_layers = self.layer_count(&["weight", "threshold", "scale"])?;
        let mut keys: Vec<&String> = self.meta.keys().collect();
        keys.sort();
        for key in keys {
            let layer = key
                .strip_prefix("layer")
                .and_then(|r| r.strip_suffix(".weight_bits"))
                .map(|k| k.parse::<usize>());
            if let Some(k) = layer {
                if !matches!(k, Ok(k) if (1..=n_layers).contains(&k)) {
                    return Err(GoldenError::format(
                        self.origin,
                        format!("metadata {key} names no layer of this file (it has layer1..=layer{n_layers})"),
                    ));
                }
            }
        }
        let mut layers = Vec::with_capacity(n_layers);
        let mut dims = Vec::with_capacity(n_layers);
        let max_bits = crate::network::MAX_WEIGHT_BITS;
        for k in 1..=n_layers {
            let bits_key = format!("layer{k}.weight_bits");
            let weight_bits: u32 = self.num(&bits_key, "integer")?;
            if !(2..=max_bits).contains(&weight_bits) {
                return Err(GoldenError::range(
                    format!("{}: metadata {bits_key}", self.origin.display()),
                    weight_bits,
                    format!("2..={max_bits}"),
                ));
            }
            let name = format!("layer{k}.weight");
            let (dim, chunks) = self.matrix::<4>(&name, Dtype::I32)?;
            let values: Vec<i32> = chunks.into_iter().map(i32::from_le_bytes).collect();
            let max = (1i64 << (weight_bits - 1)) - 1;
            if let Some(idx) = values.iter().position(|&v| (v as i64).abs() > max) {
                return Err(GoldenError::range(
                    format!(
                        "{}: tensor {name}[{}, {}]",
                        self.origin.display(),
                        idx / dim.1,
                        idx % dim.1
                    ),
                    values[idx],
                    format!("-{max}..={max} ({weight_bits} signed bits, symmetric)"),
                ));
            }
            let th_name = format!("layer{k}.threshold");
            let threshold_q = i64::from_le_bytes(self.scalar8(&th_name, Dtype::I64)?);
            let max_theta = 1i64 << 40;
            if threshold_q <= 0 || threshold_q > max_theta {
                return Err(GoldenError::range(
                    format!("{}: tensor {th_name}", self.origin.display()),
                    threshold_q,
                    format!("1..={max_theta}"),
                ));
            }
            let sc_name = format!("layer{k}.scale");
            let scale = f64::from_le_bytes(self.scalar8(&sc_name, Dtype::F64)?);
            if !scale.is_finite() {
                return Err(GoldenError::NonFinite {
                    what: format!("{}: tensor {sc_name}", self.origin.display()),
                    location: "[0]".into(),
                    value: scale,
                });
            }
            if scale <= 0.0 {
                return Err(GoldenError::range(
                    format!("{}: tensor {sc_name}", self.origin.display()),
                    scale,
                    "> 0",
                ));
            }
            dims.push(dim);
            let weights = Array2::from_shape_vec(dim, values)
                .map_err(|e| GoldenError::format(self.origin, format!("tensor {name:?}: {e}")))?;
            layers.push(QuantLayer {
                weights,
                threshold_q,
                scale,
                weight_bits,
            });
        }
        self.check_chain(&dims)?;
        QuantNetwork::new(n_steps, n_in_steps, time, layers)
            .map_err(|e| GoldenError::format(self.origin, format!("invalid quantized model: {e}")))
    }
}

/// Parses a float model file's bytes; `origin` names the file in error messages.
pub fn float_from_bytes(bytes: &[u8], origin: &Path) -> Result<FloatNetwork> {
    parse(bytes, origin)?.float_network()
}

/// Parses a quantized model file's bytes; `origin` names the file in error messages.
pub fn quant_from_bytes(bytes: &[u8], origin: &Path) -> Result<QuantNetwork> {
    parse(bytes, origin)?.quant_network()
}

/// Parses either kind of model, deciding by the `format` metadata.
pub fn model_from_bytes(bytes: &[u8], origin: &Path) -> Result<Model> {
    let parsed = parse(bytes, origin)?;
    match parsed.key("format")? {
        FLOAT_FORMAT => parsed.float_network().map(Model::Float),
        QUANT_FORMAT => parsed.quant_network().map(Model::Quant),
        other => Err(GoldenError::format(
            origin,
            format!("metadata format = {other:?}, expected {FLOAT_FORMAT:?} or {QUANT_FORMAT:?}"),
        )),
    }
}

/// All metadata of a model file's bytes (the keys this module writes plus any caller provenance).
pub fn read_metadata(bytes: &[u8], origin: &Path) -> Result<BTreeMap<String, String>> {
    Ok(parse(bytes, origin)?.meta.into_iter().collect())
}

fn read(path: &Path) -> Result<Vec<u8>> {
    check_is_file(path)?;
    std::fs::read(path).map_err(|e| GoldenError::io(path, e))
}

/// A path that exists but is a folder where a file is expected is named as such (the OS says
/// only "Is a directory" on read, or nothing useful on some platforms); a missing path is left to
/// the read that follows, whose error says "No such file or directory".
pub fn check_is_file(path: &Path) -> Result<()> {
    if path.is_dir() {
        return Err(GoldenError::format(path, "is a folder, expected a file"));
    }
    Ok(())
}

/// Reads a float model file.
pub fn load_float(path: &Path) -> Result<FloatNetwork> {
    float_from_bytes(&read(path)?, path)
}

/// Reads a quantized model file.
pub fn load_quant(path: &Path) -> Result<QuantNetwork> {
    quant_from_bytes(&read(path)?, path)
}

/// Reads either kind of model file, deciding by its `format` metadata.
pub fn load_model(path: &Path) -> Result<Model> {
    model_from_bytes(&read(path)?, path)
}

/// Reads a human-edited TOML settings file into `T` (use `#[serde(deny_unknown_fields)]` on `T`).
/// A syntax or schema error names the file and the toml error with its line and column.
pub fn load_toml<T: DeserializeOwned>(path: &Path) -> Result<T> {
    check_is_file(path)?;
    let text = std::fs::read_to_string(path).map_err(|e| GoldenError::io(path, e))?;
    toml::from_str(&text).map_err(|e| GoldenError::format(path, format!("invalid TOML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_float() -> FloatNetwork {
        FloatNetwork::random_init(&[5, 4, 3], TimeParams::default(), &[4.0, 4.0], 1.0, 3).unwrap()
    }

    #[test]
    fn float_round_trip_is_bit_exact() {
        let net = small_float();
        let bytes = float_to_bytes(&net).unwrap();
        let back = float_from_bytes(&bytes, Path::new("mem")).unwrap();
        assert_eq!(back, net);
    }

    #[test]
    fn extra_metadata_is_kept_and_reserved_keys_refused() {
        let net = small_float();
        let mut extra = BTreeMap::new();
        extra.insert("seed".to_string(), "7".to_string());
        let bytes = float_to_bytes_with(&net, &extra).unwrap();
        let meta = read_metadata(&bytes, Path::new("mem")).unwrap();
        assert_eq!(meta["seed"], "7");
        assert_eq!(meta["format"], FLOAT_FORMAT);
        extra.insert("t_max".to_string(), "9".to_string());
        assert!(float_to_bytes_with(&net, &extra).is_err());
    }
}
