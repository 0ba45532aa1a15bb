//! Verilog text of a design: the rust-hdl blocks' modules (see the crate docs: first-set finder, queue
//! control, one slope and one neuron unit per distinct width, the decision comparator), one
//! `ttfs_layer<L>` module per layer (from `layer_template.v`) and the top `ttfs_top` (ports as in
//! `docs/hw-contract.md`).
//!
//! What stays text, and why: the layer engine around the lanes and the top. They hold the memories
//! (rust-hdl has no `$readmemh`: its ROMs emit `initial` blocks with the data inline, while BRAM
//! inference wants a hex file), the generate loop over `lanes` (rust-hdl cannot declare runtime-sized
//! arrays of instances) and registers with many network-dependent widths at once (event, neuron and
//! group indices, addresses, steps, `lanes x width` memory words: a const-generic menu would need one
//! monomorphization per combination). This is the role of rust-hdl's `Verilog::Custom` escape, emitted
//! as text with every width and constant baked in as a sized literal, which keeps Verilator's WIDTH
//! check clean. The arithmetic (adders, the threshold compare, firing, the decision compare) and the
//! fixed-width serializer control are rust-hdl blocks, each a single-width module picked from the
//! menu at the register's exact width; the sign extensions to a unit's width happen in the text,
//! before its ports. Promises: every compare of a signed quantity is signed-vs-signed at equal widths,
//! every sign extension widens, no combinational loop, no latch.

use super::plan::{LayerPlan, Plan};
use crate::contract::PortWidths;
use crate::error::HdlError;
use std::collections::BTreeSet;

const LAYER_TEMPLATE: &str = include_str!("layer_template.v");

/// `expr` (width `from`) zero-extended or truncated to `to` bits.
fn resize_unsigned(expr: &str, from: u32, to: u32) -> String {
    use std::cmp::Ordering::*;
    match from.cmp(&to) {
        Less => format!("{{{}'d0, {expr}}}", to - from),
        Equal => expr.to_string(),
        Greater => format!("{expr}[{}:0]", to - 1),
    }
}

/// `expr` (signed, width `from`) sign-extended to `to >= from` bits.
fn sign_extend(expr: &str, from: u32, to: u32) -> String {
    if to > from {
        format!("{{{{{}{{{expr}[{}]}}}}, {expr}}}", to - from, from - 1)
    } else {
        expr.to_string()
    }
}

/// The `ttfs_layer<L>` module of one layer: `layer_template.v` rendered with the plan's widths.
pub fn layer_module(p: &LayerPlan, plan: &Plan) -> Result<String, HdlError> {
    let tw = plan.step_bits;
    let (jw, nw, aw, cw, ew) = (
        p.in_index_bits,
        p.out_index_bits,
        p.addr_bits,
        p.count_bits,
        p.event_addr_bits,
    );
    let (wb, sb, pb) = (p.weight_bits, p.slope_bits, p.potential_bits);
    let s = |x: u32| x.to_string();
    let n = |x: usize| x.to_string();
    let m1 = |x: usize| (x - 1).to_string();
    let b1 = |x: u32| (x - 1).to_string();
    let multi_chunk = p.chunks > 1;
    let values: Vec<(&str, String)> = vec![
        ("L", n(p.layer)),
        ("N_IN", n(p.n_in)),
        ("N_IN1", m1(p.n_in)),
        ("N_OUT", n(p.n_out)),
        ("LANES", n(p.lanes)),
        ("LANES1", m1(p.lanes)),
        ("GROUPS", n(p.groups)),
        ("GROUPS1", m1(p.groups)),
        ("N_STEPS", plan.n_steps.to_string()),
        ("THETA", p.threshold_q.to_string()),
        ("WB", s(wb)),
        ("WB1", b1(wb)),
        ("SB", s(sb)),
        ("SB1", b1(sb)),
        ("PB", s(pb)),
        ("PB1", b1(pb)),
        ("LW", n(p.lane_state_bits())),
        ("TW", s(tw)),
        ("TW1", b1(tw)),
        ("JW1", b1(jw)),
        ("NW", s(nw)),
        ("NW1", b1(nw)),
        ("GW", s(p.group_bits)),
        ("GW1", b1(p.group_bits)),
        ("AW", s(aw)),
        ("AW1", b1(aw)),
        ("CW", s(cw)),
        ("CW1", b1(cw)),
        ("EVW1", b1(p.event_bits)),
        ("PW", n(p.padded_bits)),
        ("PW1", m1(p.padded_bits)),
        ("KW", s(p.chunk_index_bits)),
        ("KW1", b1(p.chunk_index_bits)),
        ("KL1", b1(p.pick_lane_bits)),
        ("WW1", m1(p.memory_width_bits())),
        ("SW1", m1(p.state_width_bits())),
        ("PVW", n(p.lanes * pb as usize)),
        ("PVW1", m1(p.lanes * pb as usize)),
        ("DEPTH1", m1(p.memory_depth())),
        ("MEM_FILE", p.memory_file()),
        (
            "EV_SLICE",
            if cw > ew {
                format!("[{}:0]", ew - 1)
            } else {
                String::new()
            },
        ),
        ("HEAD_ADDR", resize_unsigned("head_neuron", jw, aw)),
        ("SEXT_WEIGHT", sign_extend("weight", wb, sb)),
        ("SLOPE_UNIT", crate::lane::slope_unit_name(sb)),
        ("NEURON_UNIT", crate::lane::neuron_unit_name(pb)),
        ("SEXT_SLOPE", sign_extend("slope", sb, pb)),
        ("SEXT_WEIGHT_P", sign_extend("weight", wb, pb)),
        // a cleared lane: slope, W, fired 0; armed = (0 >= THETA)
        (
            "CLEAR_LANE",
            format!(
                "1'b{}, {}'d0",
                u8::from(p.threshold_q <= 0),
                p.lane_state_bits() - 1
            ),
        ),
        (
            "CHUNK_BITS",
            if multi_chunk {
                "q0_bits[scan_chunk*16 +: 16]".into()
            } else {
                "q0_bits".into()
            },
        ),
        (
            "PICK_LANE",
            if multi_chunk {
                "{scan_chunk, chunk_i3, chunk_i2, chunk_i1, chunk_i0}".into()
            } else {
                "{chunk_i3, chunk_i2, chunk_i1, chunk_i0}".into()
            },
        ),
        (
            "FIRE_PAD",
            resize_unsigned("fire_vec", p.lanes as u32, p.padded_bits as u32),
        ),
        (
            "LANE_AS_NEURON",
            resize_unsigned("pick_lane", p.pick_lane_bits, nw),
        ),
    ];
    let flags = [
        ("FIRST", p.layer == 1),
        ("LAST", p.last),
        ("MULTI_GROUP", p.groups > 1),
        ("MULTI_CHUNK", multi_chunk),
    ];
    crate::template::render("layer_template.v", LAYER_TEMPLATE, &values, &flags)
}

/// The `ttfs_top` module.
pub fn top_module(plan: &Plan) -> String {
    let tw = plan.step_bits;
    let n_layers = plan.layers.len();
    let last = &plan.layers[n_layers - 1];
    let ports = PortWidths::for_network(&plan.sizes, plan.n_steps);
    let w_in = ports.in_neuron;
    let w_layer = ports.spk_layer;
    let w_neuron = ports.spk_neuron;
    let w_class = ports.class_out;
    let pb = last.potential_bits;
    let mut v = String::new();
    v += &format!(
        "// ttfs_top: network {sizes:?}, {n_steps} steps (input steps 0..={n_in_steps}), layer-sequential engine.
// Ports and protocol: docs/hw-contract.md. Layer l starts when layer l-1 is done; the output layer's
// spikes drive the decision (first step; tie: larger potential, then lower index).
module ttfs_top (
    input  wire              clock,
    input  wire              reset,
    input  wire              in_valid,
    output wire              in_ready,
    input  wire [{in1}:0]    in_neuron,
    input  wire [{tw1}:0]    in_step,
    input  wire              start,
    output reg               busy,
    output reg               done,
    output reg               class_valid,
    output reg  [{c1}:0]     class_out,
    output wire              spk_valid,
    output wire [{wl1}:0]    spk_layer,
    output wire [{wn1}:0]    spk_neuron,
    output wire [{tw1}:0]    spk_step,
    output wire              out_valid,
    output wire [{c1}:0]     out_neuron,
    output wire [{tw1}:0]    out_step,
    output reg               err
);
    wire launch = start && !busy;
",
        sizes = plan.sizes,
        n_steps = plan.n_steps,
        n_in_steps = plan.n_in_steps,
        in1 = w_in - 1,
        tw1 = tw - 1,
        c1 = w_class - 1,
        wl1 = w_layer - 1,
        wn1 = w_neuron - 1,
    );
    for p in &plan.layers {
        let l = p.layer;
        v += &format!(
            "\n    wire              l{l}_done;\n    wire              l{l}_spk_valid;\n    wire [{}:0]    l{l}_spk_neuron;\n    wire [{}:0]    l{l}_spk_step;\n",
            p.out_index_bits - 1,
            tw - 1
        );
        if l == 1 {
            v += "    wire              l1_ev_full;\n    wire              l1_ev_order_err;\n";
        }
        if p.last {
            v += &format!("    wire signed [{}:0] l{l}_spk_potential;\n", pb - 1);
        }
        let (go, wr_en, wr_neuron, wr_step) = if l == 1 {
            (
                "launch".to_string(),
                "in_valid && in_ready".to_string(),
                "in_neuron".to_string(),
                "in_step".to_string(),
            )
        } else {
            (
                format!("l{}_done", l - 1),
                format!("l{}_spk_valid", l - 1),
                format!("l{}_spk_neuron", l - 1),
                format!("l{}_spk_step", l - 1),
            )
        };
        v += &format!(
            "    ttfs_layer{l} u_layer{l} (\n        .clock(clock), .reset(reset), .go({go}), .done(l{l}_done),\n        .ev_wr_en({wr_en}), .ev_wr_neuron({wr_neuron}), .ev_wr_step({wr_step}),{full}\n        .spk_valid(l{l}_spk_valid), .spk_neuron(l{l}_spk_neuron), .spk_step(l{l}_spk_step){pot}\n    );\n",
            full = if l == 1 {
                " .ev_full(l1_ev_full), .ev_order_err(l1_ev_order_err),"
            } else {
                ""
            },
            pot = if p.last {
                format!(", .spk_potential(l{l}_spk_potential)")
            } else {
                String::new()
            },
        );
    }
    let ll = last.layer;
    v += "\n    assign in_ready = !busy && !l1_ev_full;\n";
    // Spike monitor: only one layer runs at a time, so the layers' streams are OR-ed.
    let valids: Vec<String> = plan
        .layers
        .iter()
        .map(|p| format!("l{}_spk_valid", p.layer))
        .collect();
    v += &format!("    assign spk_valid  = {};\n", valids.join(" | "));
    let mut layer_expr = format!("{w_layer}'d0");
    for p in plan.layers.iter().rev() {
        layer_expr = format!(
            "l{l}_spk_valid ? {w_layer}'d{l} : {layer_expr}",
            l = p.layer
        );
    }
    v += &format!("    assign spk_layer  = {layer_expr};\n");
    let neurons: Vec<String> = plan
        .layers
        .iter()
        .map(|p| {
            format!(
                "(l{l}_spk_valid ? {} : {w_neuron}'d0)",
                resize_unsigned(
                    &format!("l{}_spk_neuron", p.layer),
                    p.out_index_bits,
                    w_neuron
                ),
                l = p.layer
            )
        })
        .collect();
    v += &format!(
        "    assign spk_neuron = {};\n",
        neurons.join("\n                      | ")
    );
    let steps: Vec<String> = plan
        .layers
        .iter()
        .map(|p| format!("(l{l}_spk_valid ? l{l}_spk_step : {tw}'d0)", l = p.layer))
        .collect();
    v += &format!(
        "    assign spk_step   = {};\n",
        steps.join("\n                      | ")
    );
    v += &format!(
        "    assign out_valid  = l{ll}_spk_valid;\n    assign out_neuron = l{ll}_spk_neuron;\n    assign out_step   = l{ll}_spk_step;\n"
    );
    v += &format!(
        "
    // ---- decision: spikes arrive in ascending step order, ascending neuron index within a step, so
    // the first spike wins unless a later one at the same step has a strictly larger potential.
    reg                best_valid;
    reg  [{c1}:0]      best_neuron;
    reg  [{tw1}:0]     best_step;
    reg  signed [{pb1}:0] best_potential;
    wire               better;
    {decision} u_decision (
        .best_valid(best_valid), .step({step_ext}), .best_step({best_step_ext}),
        .potential(l{ll}_spk_potential), .best_potential(best_potential), .better(better)
    );
    always @(posedge clock) begin
        done <= 1'b0;
        if (reset) begin
            busy        <= 1'b0;
            best_valid  <= 1'b0;
            class_valid <= 1'b0;
            class_out   <= {w_class}'d0;
            err         <= 1'b0;
        end else begin
            if (launch) begin
                busy       <= 1'b1;
                best_valid <= 1'b0;
                // the sample's protocol status: its input events broke the step order
                err        <= l1_ev_order_err;
            end else if (l{ll}_spk_valid && better) begin
                best_valid <= 1'b1;
            end
            if (l{ll}_done) begin
                busy        <= 1'b0;
                done        <= 1'b1;
                class_valid <= best_valid;
                class_out   <= best_valid ? best_neuron : {w_class}'d0;
            end
        end
    end
    always @(posedge clock) begin
        if (l{ll}_spk_valid && better) begin
            best_neuron    <= l{ll}_spk_neuron;
            best_step      <= l{ll}_spk_step;
            best_potential <= l{ll}_spk_potential;
        end
    end
endmodule
",
        c1 = w_class - 1,
        tw1 = tw - 1,
        pb1 = pb - 1,
        decision = crate::lane::decision_name(pb),
        step_ext = resize_unsigned(&format!("l{ll}_spk_step"), tw, DECISION_STEP_BITS),
        best_step_ext = resize_unsigned("best_step", tw, DECISION_STEP_BITS),
    );
    v
}

/// Step width of the decision comparator's ports (`n_steps` is a `u32`).
const DECISION_STEP_BITS: u32 = 32;

/// The whole Verilog file: header, the rust-hdl blocks (first-set finder, one slope and one neuron
/// unit per distinct width, the decision comparator), the layers, the top. Errors if a width lies
/// outside the rust-hdl blocks' menu ([`crate::lane::MIN_BITS`]`..=`[`crate::lane::MAX_BITS`]).
pub fn design_text(plan: &Plan) -> Result<String, HdlError> {
    let menu = || format!("{}..={}", crate::lane::MIN_BITS, crate::lane::MAX_BITS);
    let mut v = String::new();
    v += "// Generated by `ttfs hdl` (hdl crate). Do not edit: regenerate from the model.\n";
    v += "// All modules in one file by design (contract: ttfs_top.v); hence DECLFILENAME is waived.\n";
    v += "// Modules ttfs_first_set16, ttfs_queue_control, ttfs_slope_s*, ttfs_neuron_p* and ttfs_decision_p*\n";
    v += "// are rust-hdl LogicBlocks (hdl/src/first_set.rs, queue.rs, lane.rs); the layers and the top are\n";
    v += "// generated text (hdl/src/engine/layer_seq/layer_template.v, verilog.rs).\n";
    v += "/* verilator lint_off DECLFILENAME */\n";
    v += "`default_nettype none\n\n";
    v += &crate::first_set::verilog();
    v += "\n";
    v += &crate::queue::verilog();
    v += "\n";
    let slope_widths: BTreeSet<u32> = plan.layers.iter().map(|p| p.slope_bits).collect();
    for &b in &slope_widths {
        v += &crate::lane::slope_unit_verilog(b)
            .ok_or_else(|| HdlError::unsupported("slope register width (bits)", b, menu()))?;
        v += "\n";
    }
    let potential_widths: BTreeSet<u32> = plan.layers.iter().map(|p| p.potential_bits).collect();
    for &b in &potential_widths {
        v += &crate::lane::neuron_unit_verilog(b)
            .ok_or_else(|| HdlError::unsupported("potential register width (bits)", b, menu()))?;
        v += "\n";
    }
    let pb = plan.layers[plan.layers.len() - 1].potential_bits;
    v += &crate::lane::decision_verilog(pb)
        .ok_or_else(|| HdlError::unsupported("output potential width (bits)", pb, menu()))?;
    v += "\n";
    for p in &plan.layers {
        v += &layer_module(p, plan)?;
        v += "\n";
    }
    v += &top_module(plan);
    v += "\n`default_nettype wire\n";
    Ok(v)
}
