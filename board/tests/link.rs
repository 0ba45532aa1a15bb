//! The simulated board through the host's serial code (library level): samples answered as golden
//! answers them; garbage, a corrupted frame, out-of-order and out-of-range events and a count above
//! the design's inputs answered with the documented errors, and the link still works after each.

mod common;

use board::host::{stream, Expected, Link, PortConfig};
use board::protocol::{encode_request, Status, REQUEST_SYNC};
use board::simboard::{SimBoard, SimOptions};
use board::verilog::LinkConfig;
use std::time::Duration;

#[test]
fn simulated_board_answers_like_golden_and_rejects_bad_frames() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("design");
    let net = common::random_net(&[16, 8, 4], 5);
    let manifest = common::write_design(&dir, &net, 4, &LinkConfig::simulation(115_200, 8));
    let sim = SimBoard::start(&dir, &tmp.path().join("work"), &SimOptions::default()).unwrap();
    let cfg = PortConfig {
        path: sim.port.to_string_lossy().into_owned(),
        baud: 115_200,
        timeout: Duration::from_secs(20),
    };
    let mut link = Link::open(&cfg, manifest.layers.len()).unwrap();
    let inputs = common::samples(16, 30, 9);
    let report = stream(&mut link, &manifest, &net, &inputs, &[]).unwrap();
    assert!(report.mismatches.is_empty(), "{:#?}", report.mismatches);
    assert!(report.total_cycles > 0);
    // the samples exercise the network: spikes in every layer, and decisions
    let runner = golden::integer::IntegerRunner::new(&net);
    let golden: Vec<_> = inputs.iter().map(|x| runner.run(x)).collect();
    assert!(golden.iter().filter(|g| g.decision.is_some()).count() >= 10);
    for l in 1..=2 {
        assert!(golden
            .iter()
            .any(|g| g.spikes.layers[l].iter().any(Option::is_some)));
    }

    let good = hdl::contract::input_events(&inputs[0]);
    let expected = Expected::new(
        &manifest,
        &golden::integer::IntegerRunner::new(&net).run(&inputs[0]),
    );
    let check_ok = |link: &mut Link, what: &str| {
        let r = link.infer(0, &good).unwrap();
        assert!(expected.differences(&r).is_empty(), "after {what}: {r:?}");
    };
    // garbage (no sync byte) is skipped
    link.send(&[0x00, 0x13, 0xFF, 0x42]).unwrap();
    check_ok(&mut link, "garbage");
    // any corrupted byte: a checksum error
    let mut bad = encode_request(&good).unwrap();
    let n = bad.len();
    bad[n - 3] ^= 0x01;
    link.send(&bad).unwrap();
    assert_eq!(link.receive(0).unwrap().status, Status::BadChecksum);
    check_ok(&mut link, "a bad checksum");
    // events out of step order (with a valid checksum)
    let frame = raw_request(&[(1, 5), (2, 3)]);
    link.send(&frame).unwrap();
    assert_eq!(link.receive(0).unwrap().status, Status::StepOrder);
    check_ok(&mut link, "events out of order");
    // a neuron the design does not have
    link.send(&raw_request(&[(16, 0)])).unwrap();
    assert_eq!(link.receive(0).unwrap().status, Status::OutOfRange);
    // a step above n_in_steps
    link.send(&raw_request(&[(0, net.n_in_steps as u16 + 1)]))
        .unwrap();
    assert_eq!(link.receive(0).unwrap().status, Status::OutOfRange);
    check_ok(&mut link, "events out of range");
    // more events than inputs: answered after the count
    link.send(&[REQUEST_SYNC, 0x01, 0x00, 17]).unwrap();
    assert_eq!(link.receive(0).unwrap().status, Status::TooManyEvents);
    check_ok(&mut link, "too many events");
    // an unknown kind
    link.send(&[REQUEST_SYNC, 0x07]).unwrap();
    assert_eq!(link.receive(0).unwrap().status, Status::UnknownKind);
    check_ok(&mut link, "an unknown kind");
    drop(link);
    let log = sim.wait(Duration::from_secs(30)).unwrap();
    assert!(log.contains("pty closed (1 of 1"), "{log}");
}

/// A request with a correct checksum for any events (no order check, unlike `encode_request`).
fn raw_request(events: &[(u16, u16)]) -> Vec<u8> {
    let mut f = vec![REQUEST_SYNC, 0x01];
    f.extend_from_slice(&(events.len() as u16).to_be_bytes());
    for (n, s) in events {
        f.extend_from_slice(&n.to_be_bytes());
        f.extend_from_slice(&s.to_be_bytes());
    }
    let crc = board::protocol::crc16(&f[1..]);
    f.extend_from_slice(&crc.to_be_bytes());
    f
}
