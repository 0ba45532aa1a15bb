//! sim refuses a design folder it cannot trust before building anything (issue 13): the manifest is
//! validated and the weight files it names are checked, so a truncated memory is reported as that
//! file and line, not as samples that differ from golden.

use sim::{Design, SimError};
use testkit::reference::{random_net, reference_design};

#[test]
fn a_truncated_weight_file_or_a_traversing_top_is_refused_at_load() {
    let dir = tempfile::tempdir().unwrap();
    reference_design(&random_net(1), dir.path());
    let hex = dir.path().join("l2_weights.hex");
    let text = std::fs::read_to_string(&hex).unwrap();
    std::fs::write(&hex, &text[..text.len() / 2]).unwrap();
    let err = Design::load(dir.path()).unwrap_err();
    assert!(matches!(err, SimError::Format { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(
        msg.contains("l2_weights.hex: line 7: the file ends after 6 of 12 words"),
        "{msg}"
    );

    std::fs::write(&hex, &text).unwrap();
    Design::load(dir.path()).unwrap();
    let manifest = dir.path().join("manifest.json");
    let json = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, json.replace("\"ttfs_top\"", "\"../../x\"")).unwrap();
    let msg = Design::load(dir.path()).unwrap_err().to_string();
    assert!(
        msg.contains("manifest.json: top = \"../../x\": not a Verilog module name"),
        "{msg}"
    );
}
