//! The host side of the link over a real serial port (the `serialport` crate; a pseudo-terminal's
//! path opens like a tty, which is how the simulated board is reached).
//!
//! Owns [`Link`] (one request out, one reply back, with a timeout; replies are found in the byte
//! stream by [`ReplyScanner`], so garbage on the line costs bytes, not samples), [`Expected`] (what a
//! correct board answers: golden's integer pass for the class and the spikes per layer, hdl's exact
//! cycle model [`hdl::Manifest::expected_cycles`] for the cycles), [`stream`] (every sample sent,
//! every answer compared; a checksum error, which line noise causes, is retried up to [`RETRIES`]
//! times) and [`Bound`] (what limits the inferences per second: the UART's bits against the core's
//! cycles). Requests go one at a time: the board answers a frame before it listens for the next.

use crate::error::{BoardError, Result};
use crate::protocol::{encode_request, reply_len, request_len, Reply, ReplyScanner, Status};
use golden::integer::{IntInference, IntegerRunner};
use golden::QuantNetwork;
use hdl::Manifest;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Bits on the wire per byte (8N1: start, 8 data, stop).
pub const BITS_PER_BYTE: u64 = 10;

/// How to reach the board.
#[derive(Clone, Debug)]
pub struct PortConfig {
    /// Serial device (`/dev/ttyUSB0`) or a pty's slave path.
    pub path: String,
    pub baud: u32,
    /// Longest wait for a reply.
    pub timeout: Duration,
}

/// An open link to a board running `ttfs_board_top`.
pub struct Link {
    port: Box<dyn serialport::SerialPort>,
    path: String,
    timeout: Duration,
    scanner: ReplyScanner,
    n_layers: usize,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

impl Link {
    /// Opens the port (8N1, no flow control) for a design of `n_layers` layers and drops whatever
    /// was waiting in its input buffer.
    pub fn open(cfg: &PortConfig, n_layers: usize) -> Result<Link> {
        let err = |message: String| BoardError::Port {
            port: cfg.path.clone(),
            message,
        };
        let port = serialport::new(&cfg.path, cfg.baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(Duration::from_millis(20))
            .open()
            .map_err(|e| err(format!("cannot open: {e}")))?;
        port.clear(serialport::ClearBuffer::Input)
            .map_err(|e| err(format!("cannot clear the input buffer: {e}")))?;
        Ok(Link {
            port,
            path: cfg.path.clone(),
            timeout: cfg.timeout,
            scanner: ReplyScanner::new(n_layers),
            n_layers,
            bytes_sent: 0,
            bytes_received: 0,
        })
    }

    fn port_err(&self, message: String) -> BoardError {
        BoardError::Port {
            port: self.path.clone(),
            message,
        }
    }

    /// Sends raw bytes (a request, or anything else: the tests send garbage and corrupted frames).
    pub fn send(&mut self, bytes: &[u8]) -> Result<()> {
        self.port
            .write_all(bytes)
            .and_then(|_| self.port.flush())
            .map_err(|e| self.port_err(format!("write failed: {e}")))?;
        self.bytes_sent += bytes.len() as u64;
        Ok(())
    }

    /// Waits for the next valid reply (`sample` names it in a timeout error).
    pub fn receive(&mut self, sample: usize) -> Result<Reply> {
        let t0 = Instant::now();
        let mut buf = [0u8; 256];
        let mut received = 0usize;
        loop {
            if let Some(r) = self.scanner.next_reply() {
                return Ok(r);
            }
            if t0.elapsed() > self.timeout {
                return Err(BoardError::Timeout {
                    port: self.path.clone(),
                    sample,
                    timeout_ms: self.timeout.as_millis() as u64,
                    received,
                });
            }
            match self.port.read(&mut buf) {
                Ok(0) => {}
                Ok(n) => {
                    received += n;
                    self.bytes_received += n as u64;
                    self.scanner.push(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.port_err(format!("read failed: {e}"))),
            }
        }
    }

    /// One sample: its input events `(neuron, step)` out, the reply back.
    pub fn infer(&mut self, sample: usize, events: &[(u32, u32)]) -> Result<Reply> {
        let frame = encode_request(events)?;
        self.send(&frame)?;
        self.receive(sample)
    }

    /// Layers of the design this link expects.
    pub fn n_layers(&self) -> usize {
        self.n_layers
    }

    /// Bytes skipped while hunting for replies.
    pub fn skipped_bytes(&self) -> u64 {
        self.scanner.skipped
    }
}

/// What a correct board answers for one sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub class: Option<usize>,
    /// Spikes per layer, layer 1 first.
    pub spikes: Vec<u64>,
    pub cycles: u64,
}

impl Expected {
    /// From golden's integer pass and hdl's exact cycle model.
    pub fn new(manifest: &Manifest, inference: &IntInference) -> Expected {
        Expected {
            class: inference.decision,
            spikes: inference.spikes.layers[1..]
                .iter()
                .map(|l| l.iter().flatten().count() as u64)
                .collect(),
            cycles: manifest.expected_cycles(&inference.spikes),
        }
    }

    /// The differences of `reply` from this (empty = the board is right).
    pub fn differences(&self, reply: &Reply) -> Vec<String> {
        let mut d = Vec::new();
        if reply.status != Status::Ok {
            d.push(format!("status: {} (expected ok)", reply.status));
            return d;
        }
        let got = reply.class.map(|c| c as usize);
        if got != self.class {
            d.push(format!(
                "class: {} (expected {})",
                show_class(got),
                show_class(self.class)
            ));
        }
        let spikes: Vec<u64> = reply.spikes.iter().map(|&s| s as u64).collect();
        if spikes != self.spikes {
            d.push(format!(
                "spikes per layer: {spikes:?} (expected {:?})",
                self.spikes
            ));
        }
        if reply.cycles as u64 != self.cycles {
            d.push(format!(
                "cycles: {} (expected {})",
                reply.cycles, self.cycles
            ));
        }
        d
    }
}

fn show_class(c: Option<usize>) -> String {
    c.map_or("none".into(), |c| c.to_string())
}

/// One sample whose answer differs from golden.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub sample: usize,
    pub differences: Vec<String>,
}

/// What [`stream`] measured.
#[derive(Clone, Debug)]
pub struct StreamReport {
    pub samples: usize,
    /// The board's class equals the label.
    pub correct: usize,
    /// Golden's class equals the label.
    pub golden_correct: usize,
    pub mismatches: Vec<Mismatch>,
    pub wall_seconds: f64,
    /// Request and reply bytes of all samples (frames only).
    pub request_bytes: u64,
    pub reply_bytes: u64,
    /// Sum of the cycles the board reported.
    pub total_cycles: u64,
    /// Bytes skipped while hunting for replies.
    pub skipped_bytes: u64,
    /// Requests sent again after a checksum error (line noise), at most [`RETRIES`] per sample.
    pub retries: u64,
}

/// Times a request is sent again when the board reports a bad checksum.
pub const RETRIES: usize = 2;

/// What bounds the link's inferences per second at a clock and baud rate (per sample, on average
/// over the samples streamed).
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// Request + reply bits / baud.
    pub link_seconds: f64,
    /// Cycles / clock.
    pub compute_seconds: f64,
    /// 1 / (link + compute): requests go one at a time, so the two add up.
    pub inferences_per_second: f64,
    /// `"UART"` or `"compute"`: the larger part.
    pub limit: &'static str,
}

impl StreamReport {
    /// Inferences per second measured on the wall clock.
    pub fn inferences_per_second(&self) -> f64 {
        if self.wall_seconds > 0.0 {
            self.samples as f64 / self.wall_seconds
        } else {
            0.0
        }
    }

    /// The bound at `clock_hz` and `baud`.
    pub fn bound(&self, clock_hz: f64, baud: f64) -> Bound {
        let n = self.samples.max(1) as f64;
        let link_seconds =
            (self.request_bytes + self.reply_bytes) as f64 * BITS_PER_BYTE as f64 / baud / n;
        let compute_seconds = self.total_cycles as f64 / clock_hz / n;
        Bound {
            link_seconds,
            compute_seconds,
            inferences_per_second: 1.0 / (link_seconds + compute_seconds),
            limit: if link_seconds >= compute_seconds {
                "UART"
            } else {
                "compute"
            },
        }
    }
}

/// Streams `inputs` (golden's encoded inputs, one per sample) over `link` one sample at a time and
/// compares every reply with golden's integer pass of `net` and the exact cycle model of `manifest`.
/// `labels` (one per sample) give the accuracy.
pub fn stream(
    link: &mut Link,
    manifest: &Manifest,
    net: &QuantNetwork,
    inputs: &[Vec<Option<u32>>],
    labels: &[u8],
) -> Result<StreamReport> {
    if link.n_layers() != manifest.layers.len() {
        return Err(BoardError::Design {
            field: "layers",
            message: format!(
                "the link expects {} layers, the design has {}",
                link.n_layers(),
                manifest.layers.len()
            ),
        });
    }
    let runner = IntegerRunner::new(net);
    let mut report = StreamReport {
        samples: inputs.len(),
        correct: 0,
        golden_correct: 0,
        mismatches: Vec::new(),
        wall_seconds: 0.0,
        request_bytes: 0,
        reply_bytes: 0,
        total_cycles: 0,
        skipped_bytes: 0,
        retries: 0,
    };
    let t0 = Instant::now();
    for (i, input) in inputs.iter().enumerate() {
        if input.len() != manifest.sizes[0] {
            return Err(BoardError::Input {
                sample: i,
                message: format!(
                    "{} inputs, the design has {}",
                    input.len(),
                    manifest.sizes[0]
                ),
            });
        }
        let events = hdl::contract::input_events(input);
        if let Some(&(j, k)) = events.iter().find(|&&(_, k)| k > manifest.n_in_steps) {
            return Err(BoardError::Input {
                sample: i,
                message: format!("input {j} at step {k} > n_in_steps {}", manifest.n_in_steps),
            });
        }
        let expected = Expected::new(manifest, &runner.run(input));
        let mut reply = link.infer(i, &events)?;
        for _ in 0..RETRIES {
            if reply.status != Status::BadChecksum {
                break;
            }
            report.retries += 1;
            report.request_bytes += request_len(events.len()) as u64;
            report.reply_bytes += reply_len(manifest.layers.len()) as u64;
            reply = link.infer(i, &events)?;
        }
        report.request_bytes += request_len(events.len()) as u64;
        report.reply_bytes += reply_len(manifest.layers.len()) as u64;
        report.total_cycles += reply.cycles as u64;
        let label = labels.get(i).map(|&l| l as usize);
        if label.is_some() && reply.class.map(|c| c as usize) == label {
            report.correct += 1;
        }
        if label.is_some() && expected.class == label {
            report.golden_correct += 1;
        }
        let differences = expected.differences(&reply);
        if !differences.is_empty() {
            report.mismatches.push(Mismatch {
                sample: i,
                differences,
            });
        }
    }
    report.wall_seconds = t0.elapsed().as_secs_f64();
    report.skipped_bytes = link.skipped_bytes();
    Ok(report)
}

/// Checks that `net` is the network `manifest`'s design was generated from (sizes, steps, and each
/// layer's threshold and weight width), naming the first difference.
pub fn check_model(manifest: &Manifest, net: &QuantNetwork) -> Result<()> {
    let design = (&manifest.sizes, manifest.n_steps, manifest.n_in_steps);
    let model = (&net.sizes(), net.n_steps, net.n_in_steps);
    let mut problem = (model != design)
        .then(|| format!("sizes, n_steps, n_in_steps: model {model:?}, design {design:?}"));
    for (q, lm) in net.layers().iter().zip(&manifest.layers) {
        if problem.is_none() && (q.threshold_q, q.weight_bits) != (lm.threshold_q, lm.weight_bits) {
            problem = Some(format!(
                "layer {}: model threshold {} with {}-bit weights, design {} with {}",
                lm.layer, q.threshold_q, q.weight_bits, lm.threshold_q, lm.weight_bits
            ));
        }
    }
    match problem {
        None => Ok(()),
        Some(message) => Err(BoardError::Design {
            field: "model",
            message: format!("the model is not the design's network: {message}"),
        }),
    }
}
