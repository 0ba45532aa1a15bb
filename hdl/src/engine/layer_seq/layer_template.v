// ttfs_layer$L$: layer $L$ of the network, $N_IN$ inputs -> $N_OUT$ neurons.
// $LANES$ lanes x $GROUPS$ groups; weights $WB$ bits, slope $SB$ bits, potential $PB$ bits, threshold $THETA$.
// One run = one sample's whole window (steps 1..$N_STEPS$) of this layer (layer-sequential engine):
//   CLEAR  zero the neuron state memory ($GROUPS$ cycles);
//   RUN    for each step n: absorb every buffered input event with step < n (one weight word per
//          group per cycle: slope += row), then update every group (potential += slope, fire at the
//          first potential >= threshold); a group that fires is queued and issue waits until its
//          spikes have left, one per cycle, ascending neuron index, 16 lanes scanned per cycle;
//   DRAIN  wait for the pipeline and the serializer, pulse done.
// Pipeline: issue (memory reads registered) -> compute and write back; a one-entry forward register
// covers a read of the group written in the cycle before (its select registered at issue). The state
// holds the look-ahead potential W = V + S and armed = (W >= THETA), so the spike path (state ->
// fire -> spike queue) has no adder; see ttfs_neuron_p$PB$ and ARCHITECTURE.md.
module ttfs_layer$L$ (
    input  wire              clock,
    input  wire              reset,
    input  wire              go,
    output reg               done,
    input  wire              ev_wr_en,
    input  wire [$JW1$:0]    ev_wr_neuron,
    input  wire [$TW1$:0]    ev_wr_step,
$if FIRST$
    output wire              ev_full,
    output reg               ev_order_err,
$end$
    output reg               spk_valid,
    output reg  [$NW1$:0]    spk_neuron,
$if LAST$
    output reg  [$TW1$:0]    spk_step,
    output reg  signed [$PB1$:0] spk_potential
$else$
    output reg  [$TW1$:0]    spk_step
$end$
);
    localparam [1:0] PHASE_IDLE = 2'd0, PHASE_CLEAR = 2'd1, PHASE_RUN = 2'd2, PHASE_DRAIN = 2'd3;
    localparam signed [$PB1$:0] THETA = $PB$'sd$THETA$;

    // ---- input events {neuron, step}, at most one per presynaptic neuron, in ascending step order
    reg  [$EVW1$:0] event_mem [0:$N_IN1$];
    reg  [$CW1$:0]  event_count;
    reg  [$CW1$:0]  event_rd;
    reg  [$EVW1$:0] event_head;
    wire            event_full = (event_count == $CW$'d$N_IN$);
    wire            consume;
    wire [$CW1$:0]  event_rd_next = consume ? event_rd + $CW$'d1 : event_rd;
    always @(posedge clock) begin
        if (ev_wr_en && !event_full) event_mem[event_count$EV_SLICE$] <= {ev_wr_neuron, ev_wr_step};
        event_head <= event_mem[event_rd_next$EV_SLICE$];
    end
$if FIRST$
    assign ev_full = event_full;
    // Protocol check (contract: events in ascending step order): set when an event's step is lower
    // than the previous event's of the same sample; cleared by reset and when the run starts (`go`,
    // where the top latches it as the sample's `err`).
    reg  [$TW1$:0]  last_step;
    always @(posedge clock) begin
        if (reset || go) begin
            ev_order_err <= 1'b0;
        end else if (ev_wr_en && !event_full) begin
            if (event_count != $CW$'d0 && ev_wr_step < last_step) ev_order_err <= 1'b1;
        end
        if (ev_wr_en && !event_full) last_step <= ev_wr_step;
    end
$end$

    // ---- control
    reg  [1:0]      phase;
    reg  [$TW1$:0]  step_n;
    reg  [$GW1$:0]  group;
    reg  [$NW1$:0]  group_base;
    reg  [$AW1$:0]  weight_addr;
    reg             absorbing;
    reg             stepping;

    wire            head_valid  = (event_rd != event_count);
    wire [$JW1$:0]  head_neuron = event_head[$EVW1$:$TW$];
    wire [$TW1$:0]  head_step   = event_head[$TW1$:0];
    wire            head_due    = head_valid && (head_step < step_n);

    // ---- pipeline stage 1 registers (declared here, driven below)
    reg             op_valid;
    reg             op_absorb;
    reg  [$GW1$:0]  op_group;
    reg  [$NW1$:0]  op_base;
    reg  [$TW1$:0]  op_step;
    wire            fire_any;
    reg  [1:0]      queue_count;
    wire            queue_empty;    // driven by u_queue below
    // Issue waits while fired groups are queued: a registered condition, so no path runs from the
    // adders through the compare into the memory addresses.
    wire            can_issue = (phase == PHASE_RUN) && queue_empty;

    reg             iss_valid;
    reg             iss_absorb;
    reg  [$GW1$:0]  iss_group;
    reg  [$NW1$:0]  iss_base;
    reg  [$AW1$:0]  iss_addr;
    always @(*) begin
        iss_valid  = 1'b0;
        iss_absorb = 1'b0;
        iss_group  = group;
        iss_base   = group_base;
        iss_addr   = weight_addr;
        if (can_issue) begin
            iss_valid = 1'b1;
            if (absorbing) begin
                iss_absorb = 1'b1;
            end else if (!stepping && head_due) begin
                iss_absorb = 1'b1;
                iss_group  = $GW$'d0;
                iss_base   = $NW$'d0;
                iss_addr   = $HEAD_ADDR$;
            end else if (!stepping) begin
                iss_group  = $GW$'d0;
                iss_base   = $NW$'d0;
            end
        end
    end
    wire iss_last_group = (iss_group == $GW$'d$GROUPS1$);
    assign consume = iss_valid && iss_absorb && iss_last_group;

    always @(posedge clock) begin
        done <= 1'b0;
        if (reset) begin
            phase       <= PHASE_IDLE;
            step_n      <= $TW$'d1;
            group       <= $GW$'d0;
            group_base  <= $NW$'d0;
            weight_addr <= $AW$'d0;
            absorbing   <= 1'b0;
            stepping    <= 1'b0;
            event_rd    <= $CW$'d0;
            event_count <= $CW$'d0;
        end else begin
            if (ev_wr_en && !event_full) event_count <= event_count + $CW$'d1;
            case (phase)
                PHASE_IDLE: if (go) begin
                    phase     <= PHASE_CLEAR;
                    group     <= $GW$'d0;
                    event_rd  <= $CW$'d0;
                    step_n    <= $TW$'d1;
                    absorbing <= 1'b0;
                    stepping  <= 1'b0;
                end
                PHASE_CLEAR: begin
                    if (group == $GW$'d$GROUPS1$) begin
                        phase      <= PHASE_RUN;
                        group      <= $GW$'d0;
                        group_base <= $NW$'d0;
                    end else begin
                        group <= group + $GW$'d1;
                    end
                end
                PHASE_RUN: if (iss_valid) begin
                    event_rd <= event_rd_next;
                    if (iss_last_group) begin
                        group      <= $GW$'d0;
                        group_base <= $NW$'d0;
                        absorbing  <= 1'b0;
                        stepping   <= 1'b0;
                        if (!iss_absorb) begin
                            if (step_n == $TW$'d$N_STEPS$) phase <= PHASE_DRAIN;
                            else step_n <= step_n + $TW$'d1;
                        end
                    end else begin
$if MULTI_GROUP$
                        group       <= iss_group + $GW$'d1;
                        group_base  <= iss_base + $NW$'d$LANES$;
                        weight_addr <= iss_addr + $AW$'d$N_IN$;
$end$
                        absorbing <= iss_absorb;
                        stepping  <= !iss_absorb;
                    end
                end
                default: if (!op_valid && queue_empty) begin
                    phase       <= PHASE_IDLE;
                    done        <= 1'b1;
                    event_count <= $CW$'d0;
                end
            endcase
        end
    end

    // ---- memories: weights (ROM, $readmemh) and neuron state {armed, fired, W, slope} per lane, where
    // W = V + S is the look-ahead potential and armed = (W >= THETA), both kept by the write-back
    reg  [$WW1$:0] weight_mem [0:$DEPTH1$];
    initial $readmemh("$MEM_FILE$", weight_mem);
    reg  [$SW1$:0] state_mem [0:$GROUPS1$];
    reg  [$WW1$:0] weight_word;
    reg  [$SW1$:0] state_word;
    reg            fwd_hit;
    reg  [$SW1$:0] fwd_word;
    wire [$SW1$:0] next_word;
    always @(posedge clock) begin
        weight_word <= weight_mem[iss_addr];
        state_word  <= state_mem[iss_group];
    end
    // one write port: zeros while clearing, else the stage-1 result
    wire           state_we    = (phase == PHASE_CLEAR) || op_valid;
    wire [$GW1$:0] state_waddr = (phase == PHASE_CLEAR) ? group : op_group;
    wire [$SW1$:0] state_wdata = (phase == PHASE_CLEAR) ? {$LANES${$CLEAR_LANE$}} : next_word;
    always @(posedge clock) begin
        if (state_we) state_mem[state_waddr] <= state_wdata;
    end
    always @(posedge clock) begin
        if (reset) begin
            op_valid <= 1'b0;
            fwd_hit  <= 1'b0;
        end else begin
            op_valid <= iss_valid;
            // the op issued now reads the group the op in stage 1 writes in this cycle
            fwd_hit  <= iss_valid && op_valid && (iss_group == op_group);
        end
        op_absorb <= iss_absorb;
        op_group  <= iss_group;
        op_base   <= iss_base;
        op_step   <= step_n;
        fwd_word  <= next_word;
    end

    // ---- stage 1: per lane one slope unit and one neuron unit (rust-hdl blocks: ttfs_slope_s$SB$ adds the
    // weight on an absorb; ttfs_neuron_p$PB$ fires when armed, at most once, freezes W after firing,
    // adds the weight (absorb) or the slope (step) to W and compares the sum with THETA for the next
    // step). The spike path is state read -> armed -> fire: the adders only feed the write-back.
    // Sign extensions to the unit widths happen here.
    wire [$SW1$:0] cur_word = fwd_hit ? fwd_word : state_word;
    wire [$LANES1$:0] fire_vec;
$if LAST$
    wire [$PVW1$:0] pot_vec;
$end$
    genvar lane;
    generate
        for (lane = 0; lane < $LANES$; lane = lane + 1) begin : g_lane
            // neuron: this lane's neuron index in the current operation, for people in a waveform
            // viewer (read by no logic; lanes past n_out in the last group hold no neuron).
            localparam [$NW1$:0] LANE = lane[$NW1$:0];
            wire [$NW1$:0]        neuron /* verilator public_flat_rd */ = op_base + LANE;
            wire signed [$WB1$:0] weight    = weight_word[lane*$WB$ +: $WB$];
            wire signed [$SB1$:0] slope     = cur_word[lane*$LW$ +: $SB$];
            wire signed [$PB1$:0] potential = cur_word[lane*$LW$ + $SB$ +: $PB$];
            wire                  fired     = cur_word[lane*$LW$ + $SB$ + $PB$];
            wire                  armed     = cur_word[lane*$LW$ + $SB$ + $PB$ + 1];
            // pot_sum: V[n] on a step (W is the potential this step reaches), for pot_vec and viewers
            wire signed [$PB1$:0] pot_sum /* verilator public_flat_rd */ = potential;
            wire signed [$SB1$:0] next_slope;
            wire signed [$PB1$:0] next_potential;
            wire                  fire;
            wire                  next_fired;
            wire                  next_armed;
            $SLOPE_UNIT$ u_slope (
                .absorb(op_absorb), .weight($SEXT_WEIGHT$), .slope(slope), .next_slope(next_slope)
            );
            $NEURON_UNIT$ u_neuron (
                .absorb(op_absorb), .weight($SEXT_WEIGHT_P$), .slope($SEXT_SLOPE$),
                .potential(potential), .fired(fired), .armed(armed), .threshold(THETA),
                .next_potential(next_potential), .fire(fire), .next_fired(next_fired),
                .next_armed(next_armed)
            );
            assign fire_vec[lane] = fire;
$if LAST$
            assign pot_vec[lane*$PB$ +: $PB$] = pot_sum;
$end$
            assign next_word[lane*$LW$ +: $LW$] = {next_armed, next_fired, next_potential, next_slope};
        end
    endgenerate
    assign fire_any = |fire_vec;

    // ---- spike queue and serializer. A group that fires is queued (its fire vector, neuron base and
    // step); issue stops while the queue is not empty, so at most one more group (already in flight)
    // can join it: two entries suffice. The head entry's spikes leave one per cycle, ascending lane,
    // 16 lanes examined per cycle; the entry is popped with its last spike.
    wire            push = op_valid && !op_absorb && fire_any;
    // An entry {potentials (output layer), step, neuron base, fire bits padded to whole chunks}.
$if LAST$
    localparam integer QW = $PW$ + $NW$ + $TW$ + $PVW$;
    wire [QW-1:0]   pushed = {pot_vec, op_step, op_base, $FIRE_PAD$};
$else$
    localparam integer QW = $PW$ + $NW$ + $TW$;
    wire [QW-1:0]   pushed = {op_step, op_base, $FIRE_PAD$};
$end$
    reg  [QW-1:0]   q0;
    reg  [QW-1:0]   q1;
    wire [$PW1$:0]  q0_bits = q0[$PW1$:0];
    wire [$NW1$:0]  q0_base = q0[$PW$ +: $NW$];
    wire [$TW1$:0]  q0_step = q0[$PW$ + $NW$ +: $TW$];
$if LAST$
    wire [$PVW1$:0] q0_pot  = q0[$PW$ + $NW$ + $TW$ +: $PVW$];
$end$
$if MULTI_CHUNK$
    reg  [$KW1$:0]  scan_chunk;
$end$
    wire [15:0]     chunk_bits = $CHUNK_BITS$;
    wire            chunk_any;
    wire            chunk_i0, chunk_i1, chunk_i2, chunk_i3;
    ttfs_first_set16 u_first_set (
        .bits(chunk_bits), .index0(chunk_i0), .index1(chunk_i1), .index2(chunk_i2), .index3(chunk_i3),
        .any(chunk_any)
    );
    wire [$KL1$:0]  pick_lane = $PICK_LANE$;
    wire [$PW1$:0]  rest_bits = q0_bits & ~({$PW1$'d0, 1'b1} << pick_lane);
    wire            rest_empty = (rest_bits == $PW$'d0);
    wire            emit;
    wire            pop;
    wire [1:0]      queue_next;
    wire            push_head = push && (queue_empty || pop);
    // rust-hdl block: occupancy, emit (a spike leaves) and pop (with the entry's last spike)
    ttfs_queue_control u_queue (
        .count(queue_count), .push(push), .chunk_any(chunk_any), .rest_empty(rest_empty),
        .empty(queue_empty), .emit(emit), .pop(pop), .next_count(queue_next)
    );
    always @(posedge clock) begin
        spk_valid <= 1'b0;
        if (reset) begin
            queue_count <= 2'd0;
            spk_neuron  <= $NW$'d0;
            spk_step    <= $TW$'d0;
$if MULTI_CHUNK$
            scan_chunk  <= $KW$'d0;
$end$
        end else begin
            if (emit) begin
                spk_valid  <= 1'b1;
                spk_neuron <= q0_base + $LANE_AS_NEURON$;
                spk_step   <= q0_step;
$if LAST$
                spk_potential <= q0_pot[pick_lane*$PB$ +: $PB$];
$end$
            end
$if MULTI_CHUNK$
            if (pop) begin
                scan_chunk <= $KW$'d0;
            end else if (!queue_empty && !chunk_any) begin
                scan_chunk <= scan_chunk + $KW$'d1;
            end
$end$
            // a push writes the head when the queue is empty or its head leaves now, else q1
            if (push_head) q0 <= pushed;
            else if (pop) q0 <= q1;
            else if (emit) q0[$PW1$:0] <= rest_bits;
            if (push && !push_head) q1 <= pushed;
            queue_count <= queue_next;
        end
    end
endmodule
