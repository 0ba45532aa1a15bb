//! A plain-Verilog driver test bench for `ttfs_top` (text only), used by this crate's own iverilog
//! bit-exactness tests: it sends each sample's input events (ascending step order, one per cycle when
//! `in_ready`), pulses `start`, waits for `done`, and prints one line per observation:
//!
//! * `S <layer> <neuron> <step>` for every `spk_valid` cycle,
//! * `O <neuron> <step>` for every `out_valid` cycle,
//! * `D <class_valid> <class_out> <cycles>` at `done` (cycles from the posedge sampling `start`).
//!
//! Stimulus is applied at negative edges, outputs are sampled at positive edges (values the flip-flops
//! see). The full co-simulation with VCD read-back lives in the `sim` crate.

use crate::manifest::Manifest;

/// Test bench text driving `samples` (each: input step per input neuron, `None` = no spike).
pub fn driver(manifest: &Manifest, samples: &[Vec<Option<u32>>]) -> String {
    let p = &manifest.ports;
    let mut v = format!(
        "`timescale 1ns/1ps
module ttfs_driver_tb;
    reg clock = 1'b0;
    reg reset = 1'b1;
    reg in_valid = 1'b0;
    reg start = 1'b0;
    reg [{in1}:0] in_neuron = 0;
    reg [{st1}:0] in_step = 0;
    wire in_ready, busy, done, class_valid, spk_valid, out_valid;
    wire [{c1}:0] class_out;
    wire [{sl1}:0] spk_layer;
    wire [{sn1}:0] spk_neuron;
    wire [{ss1}:0] spk_step;
    wire [{on1}:0] out_neuron;
    wire [{os1}:0] out_step;
    ttfs_top dut (
        .clock(clock), .reset(reset), .in_valid(in_valid), .in_ready(in_ready),
        .in_neuron(in_neuron), .in_step(in_step), .start(start), .busy(busy), .done(done),
        .class_valid(class_valid), .class_out(class_out), .spk_valid(spk_valid),
        .spk_layer(spk_layer), .spk_neuron(spk_neuron), .spk_step(spk_step),
        .out_valid(out_valid), .out_neuron(out_neuron), .out_step(out_step)
    );
    always #5 clock = ~clock;
    integer cycle = 0;
    integer start_cycle = 0;
    always @(posedge clock) begin
        if (spk_valid) $display(\"S %0d %0d %0d\", spk_layer, spk_neuron, spk_step);
        if (out_valid) $display(\"O %0d %0d\", out_neuron, out_step);
        if (start) start_cycle = cycle;
        if (done) $display(\"D %0d %0d %0d\", class_valid, class_out, cycle - start_cycle);
        cycle = cycle + 1;
    end
    task send(input integer neuron, input integer step);
        begin
            in_valid = 1'b1;
            in_neuron = neuron;
            in_step = step;
            while (!in_ready) @(negedge clock);
            @(negedge clock);
            in_valid = 1'b0;
        end
    endtask
    task run;
        begin
            start = 1'b1;
            @(negedge clock);
            start = 1'b0;
            while (!done) @(negedge clock);
            @(negedge clock);
        end
    endtask
    initial begin
        repeat (3) @(negedge clock);
        reset = 1'b0;
        @(negedge clock);
",
        in1 = p.in_neuron - 1,
        st1 = p.in_step - 1,
        c1 = p.class_out - 1,
        sl1 = p.spk_layer - 1,
        sn1 = p.spk_neuron - 1,
        ss1 = p.spk_step - 1,
        on1 = p.out_neuron - 1,
        os1 = p.out_step - 1,
    );
    for s in samples {
        let mut events: Vec<(u32, usize)> = s
            .iter()
            .enumerate()
            .filter_map(|(j, k)| k.map(|k| (k, j)))
            .collect();
        events.sort_unstable();
        for (k, j) in events {
            v += &format!("        send({j}, {k});\n");
        }
        v += "        run;\n";
    }
    v += "        $finish;\n    end\nendmodule\n";
    v
}
