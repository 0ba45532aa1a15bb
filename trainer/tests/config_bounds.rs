//! Every setting of a training or sweep file is bounded (issue 13): layer sizes of 10^8 or 10^18
//! used to abort on allocation or panic inside ndarray, `lr = 1e40` trained to -inf, a huge
//! `init_sigma` gave a non-finite initial weight reported without the file. Each error names the
//! file and the field; a folder where a file is expected says so.

use std::path::Path;
use trainer::sweep::Sweep;
use trainer::TrainConfig;

const BASE: &str = "[data]\nkind = \"mnist\"\npath = \"x\"\n[network]\nsizes = [784, 40, 10]\n\
                    init_mu = [4.0, 4.0]\n[train]\nepochs = 1\n";

/// `BASE` with the line starting with `key =` replaced by `line` (or `line` appended to its
/// section), loaded from a file: the error text.
fn refused(dir: &Path, line: &str) -> String {
    let key = line.split(" =").next().unwrap();
    let mut text: String = BASE
        .lines()
        .filter(|l| !l.starts_with(&format!("{key} =")))
        .map(|l| format!("{l}\n"))
        .collect();
    let section = if ["sizes", "init_mu", "init_sigma", "t_in", "t_max"].contains(&key) {
        "[network]\n"
    } else {
        "[train]\n"
    };
    let at = text.find(section).unwrap() + section.len();
    text.insert_str(at, &format!("{line}\n"));
    let path = dir.join("bad.toml");
    std::fs::write(&path, &text).unwrap();
    match TrainConfig::load(&path) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_setting_has_an_upper_bound_named_with_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("bad.toml").display().to_string();
    for (line, field, shown) in [
        (
            "sizes = [100000000, 40, 10]",
            "network.sizes[0]",
            "100000000 is more than 1048576",
        ),
        (
            "sizes = [784, 1000000000000000000, 10]",
            "network.sizes[1]",
            "is more than 1048576",
        ),
        (
            "sizes = [784, 100000, 1000]",
            "network.sizes (total weights)",
            "is more than 67108864",
        ),
        (
            "epochs = 1000000000000",
            "train.epochs",
            "is more than 1000000",
        ),
        ("batch = 1000000000", "train.batch", "is more than 1048576"),
        ("lr = 1e40", "train.lr", "is more than 1"),
        ("lr_decay = 3.0", "train.lr_decay", "is more than 1"),
        ("tau = 1e300", "train.tau", "is more than 1000000"),
        (
            "init_sigma = 1e200",
            "network.init_sigma",
            "is more than 1000000",
        ),
        (
            "init_mu = [1e300, 4.0]",
            "network.init_mu[0]",
            "is more than 1000000",
        ),
        ("t_max = 1e300", "network.t_max", "is more than 1000000"),
        (
            "min_slope = 1e300",
            "train.min_slope",
            "is more than 1000000",
        ),
    ] {
        let msg = refused(d, line);
        assert!(
            msg.starts_with(&format!("{file}: {field}: ")),
            "{line}: {msg}"
        );
        assert!(msg.contains(shown), "{line}: {msg}");
    }
}

#[test]
fn a_folder_where_a_file_is_expected_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let msg = TrainConfig::load(dir.path()).unwrap_err().to_string();
    assert!(msg.contains("is a folder, expected a file"), "{msg}");
    let msg = golden::io::load_model(dir.path()).unwrap_err().to_string();
    assert!(msg.contains("is a folder, expected a file"), "{msg}");
    // data.path naming a file: the candidate is shown as a file, not as missing.
    std::fs::write(dir.path().join("x"), "not a folder").unwrap();
    let path = dir.path().join("ok.toml");
    std::fs::write(&path, BASE).unwrap();
    let cfg = TrainConfig::load(&path).unwrap();
    let msg = cfg.load_data(&path).unwrap_err().to_string();
    assert!(msg.contains("(a file, not a folder)"), "{msg}");
}

#[test]
fn sweep_values_are_bounded_and_name_the_sweep_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("base.toml"), BASE).unwrap();
    for (body, field) in [
        ("epochs = 100000000000\n", "epochs"),
        (
            "[[curve]]\nkind = \"mssr\"\nstrengths = [1e300]\n",
            "curve[0].strengths[0]",
        ),
        ("layer_factors = [1e12]\n", "layer_factors[0]"),
    ] {
        let path = dir.path().join("sweep.toml");
        std::fs::write(&path, format!("base = \"base.toml\"\nseeds = [1]\n{body}")).unwrap();
        let msg = Sweep::load(&path).unwrap_err().to_string();
        let want = format!("{}: {field}: ", path.display());
        assert!(msg.starts_with(&want), "{body}: {msg}");
    }
}
