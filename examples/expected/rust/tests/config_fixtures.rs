use shipping::config::Config;

fn fast() -> Config {
    Config {
        retries: 3,
        name: "fast".into(),
        speed: 2,
    }
}

fn slow() -> Config {
    Config {
        retries: 3,
        name: "slow".into(),
        speed: 1,
    }
}
