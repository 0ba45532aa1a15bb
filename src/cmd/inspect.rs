//! `ttfs inspect FILE [--json]`: what a file holds, in a few lines: a float or integer model
//! (shapes, time parameters, bits, provenance, training data set), a checkpoint (position, shapes,
//! its training config), a design folder or its `manifest.json` (engine, sizes, lanes, widths,
//! cycle bound), or a VCD (timescale, scopes, signals, time span). The kind is read from the file
//! itself, never from its name alone; every error names the file.
//!
//! Text and JSON come from one ordered list of (field, value) pairs, so they cannot disagree; the
//! JSON is `{"schema": "ttfs.inspect/1", "file": ..., "kind": ..., <fields>}` (docs/json.md).

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A model (.safetensors: float, integer or a training checkpoint), a design folder (or its
    /// manifest.json) or a VCD.
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The `schema` value of `ttfs inspect --json`.
pub const INSPECT_SCHEMA: &str = "ttfs.inspect/1";

/// What a file holds: its kind and ordered fields.
struct Inspection {
    kind: &'static str,
    fields: Vec<(&'static str, Value)>,
}

pub fn run(args: &Args) -> Result<()> {
    let path = &args.file;
    let ins = inspect(path).with_context(|| format!("inspecting {}", path.display()))?;
    if args.json {
        let mut obj = serde_json::Map::new();
        obj.insert("schema".into(), json!(INSPECT_SCHEMA));
        obj.insert("file".into(), json!(path.display().to_string()));
        obj.insert("kind".into(), json!(ins.kind));
        for (k, v) in ins.fields {
            obj.insert(k.into(), v);
        }
        outln!("{}", serde_json::to_string_pretty(&Value::Object(obj))?);
    } else {
        outln!("{}: {}", path.display(), ins.kind);
        for (k, v) in &ins.fields {
            let mut text = match v {
                Value::String(s) => s.clone(),
                Value::Null => "none".into(),
                v => v.to_string(),
            };
            // A few lines: long texts (the cycle bound) are whole in --json.
            if text.chars().count() > 110 {
                text = text.chars().take(100).collect::<String>() + "... (--json: all)";
            }
            outln!("  {k:<18} {text}");
        }
    }
    Ok(())
}

fn inspect(path: &Path) -> Result<Inspection> {
    if path.is_dir() {
        return design(&path.join("manifest.json"));
    }
    let mut head = [0u8; 64];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).context("opening the file")?;
        f.read(&mut head).context("reading the file")?
    };
    let head = &head[..n];
    if path.extension().is_some_and(|e| e == "json") || head.first() == Some(&b'{') {
        return design(path);
    }
    if starts_vcd(head) {
        return vcd(path);
    }
    model(path)
}

/// A VCD starts with a `$keyword` (after whitespace).
fn starts_vcd(head: &[u8]) -> bool {
    head.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'$')
}

/// The training data set recorded in a model's metadata.
fn data_field(path: &Path) -> Result<Value> {
    Ok(match super::data::trained_on(path)? {
        Some(t) => json!(format!(
            "{} at {:?}{}",
            t.kind,
            t.recorded,
            match &t.found {
                Some(d) => format!(" (found: {})", d.display()),
                None => " (not on this machine)".into(),
            }
        )),
        None => Value::Null,
    })
}

fn model(path: &Path) -> Result<Inspection> {
    let bytes = std::fs::read(path).context("reading the file")?;
    let meta = golden::io::read_metadata(&bytes, path)?;
    if let Some(state) = meta.get("ttfs_checkpoint") {
        return checkpoint(state);
    }
    let sizes = |s: Vec<usize>| json!(s);
    let mut fields = Vec::new();
    let kind = match golden::io::model_from_bytes(&bytes, path)? {
        golden::io::Model::Float(f) => {
            fields.push(("sizes", sizes(f.sizes())));
            fields.push(("t_in", json!(f.time.t_in)));
            fields.push(("t_max", json!(f.time.t_max)));
            "float model (ttfs-float)"
        }
        golden::io::Model::Quant(q) => {
            fields.push(("sizes", sizes(q.sizes())));
            fields.push(("t_in", json!(q.time.t_in)));
            fields.push(("t_max", json!(q.time.t_max)));
            fields.push(("n_steps", json!(q.n_steps)));
            fields.push(("n_in_steps", json!(q.n_in_steps)));
            let bits: Vec<u32> = q.layers().iter().map(|l| l.weight_bits).collect();
            fields.push(("weight_bits", json!(bits)));
            let th: Vec<i64> = q.layers().iter().map(|l| l.threshold_q).collect();
            fields.push(("thresholds", json!(th)));
            "integer model (ttfs-quant)"
        }
    };
    fields.push(("data", data_field(path)?));
    if let Some(e) = meta.get("trainer.epochs_done") {
        fields.push(("epochs", json!(e)));
    }
    // Provenance: what `ttfs quantize` records (the float file, relative to this one, and the
    // settings); files quantized before it recorded them say nothing here.
    if let Some(from) = meta.get("quantized.from") {
        fields.push(("quantized_from", json!(from)));
    }
    if let Some(s) = meta.get("quantized.settings") {
        fields.push(("quantized_with", json!(s)));
    }
    if let Some(cfg) = meta.get("trainer.config") {
        fields.push(("trained_with", json!(config_summary(cfg))));
    }
    Ok(Inspection { kind, fields })
}

/// `784-100-10, 3 epochs, lr 0.001, regularizer ...` from a `trainer.config` TOML copy.
fn config_summary(cfg: &str) -> String {
    let Ok(t) = cfg.parse::<toml::Table>() else {
        return "a training config (unreadable)".into();
    };
    let get = |sec: &str, key: &str| {
        t.get(sec)
            .and_then(|s| s.get(key))
            .map(|v| v.to_string().trim_matches('"').to_string())
    };
    let sizes = t
        .get("network")
        .and_then(|n| n.get("sizes"))
        .and_then(|s| s.as_array())
        .map(|a| {
            a.iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join("-")
        });
    let mut parts = Vec::new();
    if let Some(s) = sizes {
        parts.push(s);
    }
    for (sec, key, name) in [
        ("train", "epochs", "epochs"),
        ("train", "lr", "lr"),
        ("train", "seed", "seed"),
    ] {
        if let Some(v) = get(sec, key) {
            parts.push(format!("{name} {v}"));
        }
    }
    parts.join(", ")
}

fn checkpoint(state: &str) -> Result<Inspection> {
    let s: Value = serde_json::from_str(state).context("the checkpoint state is not JSON")?;
    let cfg = &s["config"];
    let mut fields = vec![
        (
            "position",
            json!(format!(
                "epoch {} (0-based), batch {}, Adam step {}",
                s["epoch"], s["batch"], s["adam_step"]
            )),
        ),
        ("sizes", cfg["network"]["sizes"].clone()),
        ("epochs_planned", cfg["train"]["epochs"].clone()),
    ];
    if let (Some(k), Some(p)) = (cfg["data"]["kind"].as_str(), cfg["data"]["path"].as_str()) {
        fields.push(("data", json!(format!("{k} at {p:?}"))));
    }
    fields.push(("version", s["checkpoint_version"].clone()));
    Ok(Inspection {
        kind: "training checkpoint (resume with ttfs train --resume)",
        fields,
    })
}

fn design(manifest: &Path) -> Result<Inspection> {
    if !manifest.is_file() {
        bail!("no manifest.json: not a design folder written by ttfs hdl");
    }
    let m = hdl::Manifest::load(manifest)?;
    let lanes: Vec<usize> = m.layers.iter().map(|l| l.lanes).collect();
    let widths: Vec<String> = m
        .layers
        .iter()
        .map(|l| {
            format!(
                "l{}: weight {} / slope {} / potential {} bits",
                l.layer, l.weight_bits, l.slope_bits, l.potential_bits
            )
        })
        .collect();
    Ok(Inspection {
        kind: "design (ttfs hdl)",
        fields: vec![
            ("manifest", json!(manifest.display().to_string())),
            ("engine", json!(m.engine)),
            ("sizes", json!(m.sizes)),
            ("n_steps", json!(m.n_steps)),
            ("n_in_steps", json!(m.n_in_steps)),
            ("lanes", json!(lanes)),
            ("widths", json!(widths.join("; "))),
            ("cycles", json!(m.cycle_bound)),
            ("debug_signals", json!(m.debug_signals.len())),
        ],
    })
}

fn vcd(path: &Path) -> Result<Inspection> {
    let f = std::fs::File::open(path).context("opening the file")?;
    let mut p = vcd::Parser::new(std::io::BufReader::new(f));
    let header = p.parse_header().context("reading the VCD header")?;
    let scopes = sim::vcd_read::scopes(&header.items);
    let vars: usize = scopes
        .iter()
        .map(|(_, _, s)| {
            s.items
                .iter()
                .filter(|i| matches!(i, vcd::ScopeItem::Var(_)))
                .count()
        })
        .sum();
    let (mut first, mut last, mut changes) = (None, 0u64, 0u64);
    for cmd in p {
        match cmd.context("reading the VCD body")? {
            vcd::Command::Timestamp(t) => {
                first.get_or_insert(t);
                last = t;
            }
            vcd::Command::ChangeScalar(..) | vcd::Command::ChangeVector(..) => changes += 1,
            _ => {}
        }
    }
    let timescale = header
        .timescale
        .map(|(n, u)| format!("{n} {u}"))
        .unwrap_or_else(|| "not declared".into());
    let top: Vec<String> = scopes
        .iter()
        .filter(|(d, _, _)| *d <= 1)
        .map(|(_, p, _)| p.clone())
        .collect();
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    Ok(Inspection {
        kind: "waveform (VCD)",
        fields: vec![
            ("size", json!(format!("{:.1} MB", bytes as f64 / 1e6))),
            ("timescale", json!(timescale)),
            (
                "scopes",
                json!(format!("{} ({})", scopes.len(), top.join(", "))),
            ),
            ("signals", json!(vars)),
            (
                "time_span",
                json!(format!("{} to {}", first.unwrap_or(0), last)),
            ),
            ("value_changes", json!(changes)),
        ],
    })
}
