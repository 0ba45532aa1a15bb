//! IDX data sets (MNIST, Fashion-MNIST): `*-images-idx3-ubyte[.gz]` and `*-labels-idx1-ubyte[.gz]`.
//!
//! Promises: a loaded [`Dataset`] has as many labels as images, every label is a class `0..=9`, every
//! image has `rows * cols` bytes, and the files were complete (a truncated or padded file is an
//! error naming it). A missing file is [`GoldenError::MissingData`] saying how to get the data.
//! Files may be raw or gzip-compressed (recognised by content, not by name).

use crate::error::{GoldenError, Result};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Magic number of an IDX file of unsigned bytes with 3 dimensions (images).
pub const IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with 1 dimension (labels).
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// Number of classes; every label is below this.
pub const N_CLASSES: usize = 10;

/// Model-file metadata key recording the input downsampling factor ([`Dataset::downsample`]) the
/// model was trained with (`"2"`: 2x2 mean pooling); absent = none.
pub const DOWNSAMPLE_KEY: &str = "data.downsample";

/// The downsampling factor a model's metadata records: 1 when absent; an unparsable or zero value
/// is an error naming the key.
pub fn downsample_of(meta: &std::collections::BTreeMap<String, String>) -> Result<usize> {
    match meta.get(DOWNSAMPLE_KEY) {
        None => Ok(1),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(f) if f >= 1 => Ok(f),
            _ => Err(GoldenError::range(
                format!("model metadata `{DOWNSAMPLE_KEY}`"),
                v,
                "an integer >= 1",
            )),
        },
    }
}

/// Largest accepted decompressed file (guards against a gzip bomb): 1 GiB.
const MAX_FILE_BYTES: u64 = 1 << 30;

/// Where to get data, appended to every missing-file error.
pub const DATA_HINT: &str = "get Fashion-MNIST with `apt-get install dataset-fashion-mnist` (installs \
/usr/share/datasets/fashion-mnist/), use the MNIST subset in ../shared/data/mnist-10k or the embedded \
data/mnist-small of this repository, or point to a folder holding the standard IDX files \
(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], \
t10k-labels-idx1-ubyte[.gz])";

/// Images and labels of one split. Image `i` is `images[i * pixels() .. (i + 1) * pixels()]`,
/// row-major, one byte per pixel (0 = background).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dataset {
    pub images: Vec<u8>,
    pub labels: Vec<u8>,
    pub rows: usize,
    pub cols: usize,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels per image (`rows * cols`).
    pub fn pixels(&self) -> usize {
        self.rows * self.cols
    }

    /// Pixels of sample `i`.
    ///
    /// # Panics
    /// If `i >= len()`.
    pub fn image(&self, i: usize) -> &[u8] {
        let p = self.pixels();
        &self.images[i * p..(i + 1) * p]
    }

    /// The first `n` samples (all of them if `n >= len()`).
    pub fn take(mut self, n: usize) -> Dataset {
        let n = n.min(self.len());
        self.labels.truncate(n);
        self.images.truncate(n * self.pixels());
        self
    }

    /// Samples per class (index = label).
    pub fn class_counts(&self) -> [usize; N_CLASSES] {
        let mut c = [0usize; N_CLASSES];
        for &l in &self.labels {
            if let Some(slot) = c.get_mut(l as usize) {
                *slot += 1;
            }
        }
        c
    }

    /// Every image mean-pooled over `factor x factor` blocks (`factor = 2`: 28x28 -> 14x14), each
    /// output pixel the block's sum divided by `factor^2`, rounded half up, so it stays a byte.
    /// `factor = 1` is the identity. This is the one downsampling of the project: the trainer applies
    /// it when a config sets `data.downsample`, and every command evaluating a model whose metadata
    /// records [`DOWNSAMPLE_KEY`] applies it to the data it loads.
    ///
    /// Errors: `factor = 0`, or a factor that does not divide both sides of the image.
    pub fn downsample(self, factor: usize) -> Result<Dataset> {
        if factor == 1 {
            return Ok(self);
        }
        if factor == 0 || !self.rows.is_multiple_of(factor) || !self.cols.is_multiple_of(factor) {
            return Err(GoldenError::range(
                "downsampling factor",
                factor,
                format!(
                    ">= 1 and dividing the image size {} x {}",
                    self.rows, self.cols
                ),
            ));
        }
        let (rows, cols) = (self.rows / factor, self.cols / factor);
        let area = (factor * factor) as u32;
        let mut images = Vec::with_capacity(self.len() * rows * cols);
        for i in 0..self.len() {
            let img = self.image(i);
            for r in 0..rows {
                for c in 0..cols {
                    let mut sum = 0u32;
                    for dr in 0..factor {
                        let row = &img[(r * factor + dr) * self.cols..][..self.cols];
                        sum += row[c * factor..(c + 1) * factor]
                            .iter()
                            .map(|&p| p as u32)
                            .sum::<u32>();
                    }
                    // At most 255: the mean of bytes, rounded half up.
                    images.push(((sum + area / 2) / area) as u8);
                }
            }
        }
        Dataset::new(images, self.labels, rows, cols)
    }

    /// Builds a data set from parts, checking the same invariants as the loader.
    pub fn new(images: Vec<u8>, labels: Vec<u8>, rows: usize, cols: usize) -> Result<Dataset> {
        if rows == 0 || cols == 0 {
            return Err(GoldenError::range(
                "image size rows x cols",
                format!("{rows} x {cols}"),
                ">= 1 x 1",
            ));
        }
        let expected = labels.len().checked_mul(rows * cols);
        if expected != Some(images.len()) {
            return Err(GoldenError::Shape {
                what: "images".into(),
                expected: format!("{} labels x {rows} x {cols} bytes", labels.len()),
                got: format!("{} bytes", images.len()),
            });
        }
        if let Some(i) = labels.iter().position(|&l| l as usize >= N_CLASSES) {
            return Err(GoldenError::range(
                format!("label of sample {i}"),
                labels[i],
                "0..=9",
            ));
        }
        Ok(Dataset {
            images,
            labels,
            rows,
            cols,
        })
    }
}

/// Which split of a data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    /// Standard file name (without `.gz`) of the images.
    pub fn images_file(self) -> &'static str {
        match self {
            Split::Train => "train-images-idx3-ubyte",
            Split::Test => "t10k-images-idx3-ubyte",
        }
    }

    /// Standard file name (without `.gz`) of the labels.
    pub fn labels_file(self) -> &'static str {
        match self {
            Split::Train => "train-labels-idx1-ubyte",
            Split::Test => "t10k-labels-idx1-ubyte",
        }
    }
}

impl std::fmt::Display for Split {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
        })
    }
}

impl std::str::FromStr for Split {
    type Err = GoldenError;
    /// `train` or `test` (also `t10k`, the test files' prefix).
    fn from_str(s: &str) -> Result<Split> {
        match s {
            "train" => Ok(Split::Train),
            "test" | "t10k" => Ok(Split::Test),
            other => Err(GoldenError::range("split", other, "train or test")),
        }
    }
}

/// The raw file or, failing that, the `.gz` file, in `dir`.
fn find(dir: &Path, stem: &str) -> Result<PathBuf> {
    let raw = dir.join(stem);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = dir.join(format!("{stem}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(GoldenError::MissingData {
        path: gz,
        hint: format!("neither {stem} nor {stem}.gz is in that folder; {DATA_HINT}"),
    })
}

/// Reads a file, gunzipping it if it starts with the gzip magic bytes.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    crate::io::check_is_file(path)?;
    let file = std::fs::File::open(path).map_err(|e| GoldenError::io(path, e))?;
    let mut head = Vec::new();
    let mut reader = std::io::BufReader::new(file);
    (&mut reader)
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut head)
        .map_err(|e| GoldenError::io(path, e))?;
    maybe_gunzip(head, path)
}

/// The bytes of a file as read (at most 1 GiB + 1 of them), gunzipped if they start
/// with the gzip magic bytes; `path` names the file in errors.
pub fn maybe_gunzip(head: Vec<u8>, path: &Path) -> Result<Vec<u8>> {
    let bytes = if head.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(head.as_slice())
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| GoldenError::format(path, format!("bad gzip data: {e}")))?;
        out
    } else {
        head
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(GoldenError::format(
            path,
            format!("larger than {MAX_FILE_BYTES} bytes (decompressed): not an IDX data file"),
        ));
    }
    Ok(bytes)
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn header(
    bytes: &[u8],
    origin: &Path,
    magic: u32,
    what: &str,
    n_dims: usize,
) -> Result<Vec<usize>> {
    let got = be_u32(bytes, 0).ok_or_else(|| {
        GoldenError::format(
            origin,
            format!("truncated: {} bytes, no IDX header", bytes.len()),
        )
    })?;
    if got != magic {
        return Err(GoldenError::format(
            origin,
            format!("magic number 0x{got:08x}, expected 0x{magic:08x} (IDX {what})"),
        ));
    }
    (0..n_dims)
        .map(|d| {
            be_u32(bytes, 4 + 4 * d).map(|v| v as usize).ok_or_else(|| {
                GoldenError::format(origin, "truncated inside the IDX header (dimensions)")
            })
        })
        .collect()
}

fn body<'a>(bytes: &'a [u8], origin: &Path, offset: usize, dims: &[usize]) -> Result<&'a [u8]> {
    let expected = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| GoldenError::format(origin, format!("dimensions {dims:?} overflow")))?;
    let got = bytes.len() - offset;
    if got != expected {
        let kind = if got < expected {
            "truncated"
        } else {
            "trailing bytes"
        };
        return Err(GoldenError::format(
            origin,
            format!("{kind}: header says {dims:?} = {expected} data bytes, file has {got}"),
        ));
    }
    Ok(&bytes[offset..])
}

/// Parses the bytes of an images file: `(images, count, rows, cols)`.
pub fn parse_images(bytes: &[u8], origin: &Path) -> Result<(Vec<u8>, usize, usize, usize)> {
    let dims = header(bytes, origin, IMAGES_MAGIC, "images, 3 dimensions", 3)?;
    if dims[1] == 0 || dims[2] == 0 {
        return Err(GoldenError::format(
            origin,
            format!(
                "image size {} x {} (must be at least 1 x 1)",
                dims[1], dims[2]
            ),
        ));
    }
    let data = body(bytes, origin, 16, &dims)?;
    Ok((data.to_vec(), dims[0], dims[1], dims[2]))
}

/// Parses the bytes of a labels file; every label must be `0..=9`.
pub fn parse_labels(bytes: &[u8], origin: &Path) -> Result<Vec<u8>> {
    let dims = header(bytes, origin, LABELS_MAGIC, "labels, 1 dimension", 1)?;
    let data = body(bytes, origin, 8, &dims)?;
    if let Some(i) = data.iter().position(|&l| l as usize >= N_CLASSES) {
        return Err(GoldenError::format(
            origin,
            format!("label {} of sample {i} is not a class 0..=9", data[i]),
        ));
    }
    Ok(data.to_vec())
}

/// Loads a pair of IDX files (images, labels) and checks they describe the same samples.
pub fn load_pair(images_path: &Path, labels_path: &Path) -> Result<Dataset> {
    let (images, n_images, rows, cols) = parse_images(&read_maybe_gz(images_path)?, images_path)?;
    let labels = parse_labels(&read_maybe_gz(labels_path)?, labels_path)?;
    if labels.len() != n_images {
        return Err(GoldenError::format(
            labels_path,
            format!(
                "{} labels, but {} has {n_images} images",
                labels.len(),
                images_path.display()
            ),
        ));
    }
    Ok(Dataset {
        images,
        labels,
        rows,
        cols,
    })
}

/// Loads one split from a folder holding the standard file names (raw or `.gz`).
pub fn load_split(dir: &Path, split: Split) -> Result<Dataset> {
    if !dir.is_dir() {
        return Err(GoldenError::MissingData {
            path: dir.to_path_buf(),
            hint: format!("no such folder; {DATA_HINT}"),
        });
    }
    let images = find(dir, split.images_file())?;
    let labels = find(dir, split.labels_file())?;
    load_pair(&images, &labels)
}

/// IDX bytes of a data set's images (uncompressed).
pub fn images_to_idx(data: &Dataset) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + data.images.len());
    for v in [
        IMAGES_MAGIC,
        data.len() as u32,
        data.rows as u32,
        data.cols as u32,
    ] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&data.images);
    out
}

/// IDX bytes of a data set's labels (uncompressed).
pub fn labels_to_idx(data: &Dataset) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + data.labels.len());
    out.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&data.labels);
    out
}

/// Gzip bytes (best compression, no file name, mtime 0: the same input gives the same output).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    enc.write_all(bytes)
        .and_then(|_| enc.finish())
        .unwrap_or_default()
}

/// Writes a split with the standard file names into `dir` (created if absent), gzipped (`.gz`
/// names) or raw, each file atomically. Returns the two paths (images, labels).
pub fn write_split(
    dir: &Path,
    split: Split,
    data: &Dataset,
    gz: bool,
) -> Result<(PathBuf, PathBuf)> {
    if data.len() > u32::MAX as usize
        || data.rows > u32::MAX as usize
        || data.cols > u32::MAX as usize
    {
        return Err(GoldenError::range(
            "data set size",
            data.len(),
            "dimensions must fit in u32 (IDX header)",
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| GoldenError::io(dir, e))?;
    let suffix = if gz { ".gz" } else { "" };
    let ip = dir.join(format!("{}{suffix}", split.images_file()));
    let lp = dir.join(format!("{}{suffix}", split.labels_file()));
    let (ib, lb) = (images_to_idx(data), labels_to_idx(data));
    let (ib, lb) = if gz { (gzip(&ib), gzip(&lb)) } else { (ib, lb) };
    crate::io::write_atomic(&ip, &ib)?;
    crate::io::write_atomic(&lp, &lb)?;
    Ok((ip, lp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_names_parse() {
        assert_eq!("train".parse::<Split>().unwrap(), Split::Train);
        assert_eq!("t10k".parse::<Split>().unwrap(), Split::Test);
        assert!("val".parse::<Split>().is_err());
        assert_eq!(Split::Test.to_string(), "test");
    }

    #[test]
    fn downsample_mean_pools_blocks_rounding_half_up() {
        // Two 4x2 images; 2x2 blocks.
        let img0 = vec![0, 1, 10, 20, 255, 255, 7, 8];
        let img1 = vec![1, 1, 1, 2, 0, 0, 0, 0];
        let d = Dataset::new([img0, img1].concat(), vec![3, 4], 4, 2).unwrap();
        let p = d.clone().downsample(2).unwrap();
        assert_eq!((p.rows, p.cols, p.labels.clone()), (2, 1, vec![3, 4]));
        // (0+1+10+20)/4 = 7.75 -> 8; (255+255+7+8)/4 = 131.25 -> 131; 5/4 -> 1; 0.
        assert_eq!(p.images, vec![8, 131, 1, 0]);
        assert_eq!(d.clone().downsample(1).unwrap(), d);
        assert!(d.clone().downsample(0).is_err());
        let e = d.downsample(3).unwrap_err().to_string();
        assert!(e.contains("4 x 2"), "{e}");
        let mut meta = std::collections::BTreeMap::new();
        assert_eq!(downsample_of(&meta).unwrap(), 1);
        meta.insert(DOWNSAMPLE_KEY.to_string(), "2".to_string());
        assert_eq!(downsample_of(&meta).unwrap(), 2);
        meta.insert(DOWNSAMPLE_KEY.to_string(), "0".to_string());
        assert!(downsample_of(&meta).is_err());
    }

    #[test]
    fn header_rejects_wrong_magic_and_truncation() {
        let d = Dataset::new(vec![1, 2, 3, 4], vec![3], 2, 2).unwrap();
        let mut b = images_to_idx(&d);
        assert_eq!(
            parse_images(&b, Path::new("x")).unwrap().0,
            vec![1, 2, 3, 4]
        );
        b.pop();
        let e = parse_images(&b, Path::new("x")).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
        let l = labels_to_idx(&d);
        let e = parse_images(&l, Path::new("x")).unwrap_err().to_string();
        assert!(e.contains("magic number 0x00000801"), "{e}");
    }
}
