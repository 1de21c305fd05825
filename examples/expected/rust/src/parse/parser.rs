use super::lexer::tokens;

pub fn parse_weight(s: &str) -> Option<f64> {
    tokens(s).first()?.parse().ok()
}
