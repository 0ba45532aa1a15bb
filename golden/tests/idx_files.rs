//! IDX loader: tiny files written to a temporary folder, raw and gzipped, and every malformed or
//! missing file rejected with an error that names it.

use golden::idx::{self, Dataset, Split};
use golden::GoldenError;
use std::path::Path;

/// Three 2x3 images with labels 7, 0, 9.
fn tiny() -> Dataset {
    Dataset::new((0..18).collect(), vec![7, 0, 9], 2, 3).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

#[test]
fn raw_and_gz_files_load_the_same_data() {
    let d = tiny();
    for gz in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (ip, lp) = idx::write_split(dir.path(), Split::Test, &d, gz).unwrap();
        assert!(ip.ends_with(if gz {
            "t10k-images-idx3-ubyte.gz"
        } else {
            "t10k-images-idx3-ubyte"
        }));
        assert!(lp.ends_with(if gz {
            "t10k-labels-idx1-ubyte.gz"
        } else {
            "t10k-labels-idx1-ubyte"
        }));
        let back = idx::load_split(dir.path(), Split::Test).unwrap();
        assert_eq!(back, d);
        assert_eq!((back.len(), back.pixels()), (3, 6));
        assert_eq!(back.image(1), &[6, 7, 8, 9, 10, 11]);
        assert_eq!(back.class_counts()[7], 1);
        let first2 = back.take(2);
        assert_eq!(
            (first2.len(), first2.labels.clone(), first2.images.len()),
            (2, vec![7, 0], 12)
        );
        assert_eq!(first2.take(10).len(), 2);
    }
    // Gzip output is deterministic.
    assert_eq!(
        idx::gzip(&idx::images_to_idx(&d)),
        idx::gzip(&idx::images_to_idx(&d))
    );
}

#[test]
fn raw_file_is_preferred_and_gz_is_recognised_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let d = tiny();
    // Gzipped content under the raw name still loads.
    write(
        dir.path(),
        "train-images-idx3-ubyte",
        &idx::gzip(&idx::images_to_idx(&d)),
    );
    write(
        dir.path(),
        "train-labels-idx1-ubyte.gz",
        &idx::labels_to_idx(&d),
    );
    assert_eq!(idx::load_split(dir.path(), Split::Train).unwrap(), d);
}

#[test]
fn missing_files_say_how_to_get_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let e = idx::load_split(dir.path(), Split::Train).unwrap_err();
    assert!(matches!(e, GoldenError::MissingData { .. }), "{e:?}");
    let s = e.to_string();
    for part in [
        "train-images-idx3-ubyte",
        "apt-get install dataset-fashion-mnist",
        "mnist-10k",
    ] {
        assert!(s.contains(part), "{part:?} not in {s}");
    }
    // Images present, labels missing: the labels file is named.
    idx::write_split(dir.path(), Split::Test, &tiny(), true).unwrap();
    std::fs::remove_file(dir.path().join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let s = idx::load_split(dir.path(), Split::Test)
        .unwrap_err()
        .to_string();
    assert!(s.contains("t10k-labels-idx1-ubyte"), "{s}");
    // No such folder.
    let e = idx::load_split(&dir.path().join("nope"), Split::Test).unwrap_err();
    assert!(
        matches!(e, GoldenError::MissingData { .. }) && e.to_string().contains("nope"),
        "{e}"
    );
}

/// Writes a test split with the given raw image and label bytes and returns the load error text.
fn load_err(images: &[u8], labels: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t10k-images-idx3-ubyte", images);
    write(dir.path(), "t10k-labels-idx1-ubyte", labels);
    let e = idx::load_split(dir.path(), Split::Test).unwrap_err();
    assert!(matches!(e, GoldenError::Format { .. }), "{e:?}");
    e.to_string()
}

fn contains(s: &str, parts: &[&str]) {
    for p in parts {
        assert!(s.contains(p), "{p:?} not in {s}");
    }
}

#[test]
fn malformed_files_are_rejected_with_the_file_named() {
    let d = tiny();
    let (img, lab) = (idx::images_to_idx(&d), idx::labels_to_idx(&d));
    // Wrong magic: labels where images belong, and vice versa.
    contains(
        &load_err(&lab, &lab),
        &[
            "t10k-images-idx3-ubyte",
            "magic number 0x00000801",
            "0x00000803",
        ],
    );
    contains(
        &load_err(&img, &img),
        &["t10k-labels-idx1-ubyte", "magic number 0x00000803"],
    );
    // Truncated data, truncated header, empty file.
    contains(
        &load_err(&img[..img.len() - 1], &lab),
        &["images", "truncated", "18 data bytes", "17"],
    );
    contains(
        &load_err(&img[..10], &lab),
        &["truncated inside the IDX header"],
    );
    contains(&load_err(&[], &lab), &["truncated: 0 bytes"]);
    contains(
        &load_err(&img, &lab[..lab.len() - 1]),
        &["labels", "truncated"],
    );
    // Trailing bytes.
    let mut long = img.clone();
    long.push(0);
    contains(&load_err(&long, &lab), &["trailing bytes"]);
    // Zero-sized images.
    let mut zero = img.clone();
    zero[8..12].copy_from_slice(&0u32.to_be_bytes());
    contains(&load_err(&zero, &lab), &["image size 0 x 3"]);
    // Header dimensions whose product overflows or is absurd.
    let mut huge = img.clone();
    huge[4..16].copy_from_slice(&[0xff; 12]);
    contains(&load_err(&huge, &lab), &["t10k-images"]);
    // Count mismatch: 3 images, 2 labels.
    let two = idx::labels_to_idx(&tiny().take(2));
    contains(&load_err(&img, &two), &["2 labels", "3 images"]);
    // A label that is not a class.
    let mut bad = lab.clone();
    bad[9] = 10;
    contains(&load_err(&img, &bad), &["label 10 of sample 1", "0..=9"]);
    // Corrupt gzip stream.
    let mut gz = idx::gzip(&img);
    let n = gz.len();
    gz.truncate(n - 12);
    contains(&load_err(&gz, &lab), &["t10k-images-idx3-ubyte", "gzip"]);
}

#[test]
fn dataset_new_checks_invariants() {
    assert!(Dataset::new(vec![0; 5], vec![1], 2, 3).is_err()); // 5 bytes for one 2x3 image
    assert!(Dataset::new(vec![0; 6], vec![10], 2, 3).is_err()); // label 10
    assert!(Dataset::new(vec![], vec![], 0, 3).is_err()); // zero rows
    assert!(Dataset::new(vec![], vec![], 28, 28).unwrap().is_empty());
}

#[test]
fn fashion_mnist_loads_when_installed() {
    let dir = Path::new("/usr/share/datasets/fashion-mnist");
    if !dir.join("t10k-labels-idx1-ubyte.gz").is_file() {
        eprintln!("skipped: Fashion-MNIST not installed");
        return;
    }
    let d = idx::load_split(dir, Split::Test).unwrap();
    assert_eq!((d.len(), d.rows, d.cols), (10_000, 28, 28));
    assert_eq!(d.class_counts(), [1000; 10]); // Fashion-MNIST's test split is exactly balanced
}
