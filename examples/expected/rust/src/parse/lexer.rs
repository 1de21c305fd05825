pub fn tokens(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}
