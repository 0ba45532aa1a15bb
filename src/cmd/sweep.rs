//! `ttfs sweep` (being built).

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(_args: &Args) -> anyhow::Result<()> {
    anyhow::bail!("`ttfs sweep` is not available yet")
}
