use shipping::config::Config;

fn fast() -> Config {
    Config {
        name: "fast".into(),
        speed: 2,
    }
}

fn slow() -> Config {
    Config {
        name: "slow".into(),
        speed: 1,
    }
}
