//! Input encoding (SPEC sections 1 and 4): a pixel byte becomes one input spike, earlier for brighter
//! pixels; a black pixel (0) sends no spike.

/// Exact model: `t = t_in * (1 - x / 255)`, no spike for `x = 0`.
pub fn encode_exact(pixels: &[u8], t_in: f64) -> Vec<Option<f64>> {
    pixels
        .iter()
        .map(|&x| (x > 0).then(|| t_in * (1.0 - x as f64 / 255.0)))
        .collect()
}

/// Integer model: `k = ((255 - x) * n_in_steps + 127) div 255`, no spike for `x = 0`.
pub fn encode_steps(pixels: &[u8], n_in_steps: u32) -> Vec<Option<u32>> {
    pixels
        .iter()
        .map(|&x| (x > 0).then(|| input_step(x, n_in_steps)))
        .collect()
}

/// The input step of one nonzero pixel.
pub fn input_step(x: u8, n_in_steps: u32) -> u32 {
    (((255 - x as u64) * n_in_steps as u64 + 127) / 255) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brightest_pixel_spikes_first_black_is_silent() {
        assert_eq!(encode_exact(&[255, 0], 1.0), vec![Some(0.0), None]);
        // x = 1: (254 * 21 + 127) / 255 = 5461 / 255 = 21 (integer division)
        assert_eq!(
            encode_steps(&[255, 1, 0], 21),
            vec![Some(0), Some(21), None]
        );
        // x = 128: (127 * 21 + 127) / 255 = 2794 / 255 = 10
        assert_eq!(input_step(128, 21), 10);
    }
}
