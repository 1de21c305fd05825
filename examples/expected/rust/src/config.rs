#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub name: String,
    pub speed: u32,
    pub retries: u32,
}
