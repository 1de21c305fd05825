pub mod config;

pub fn shipping_cost(weight_kg: f64) -> f64 {
    let base = 4.0;
    base + weight_kg * 1.5
}

pub fn describe(weight_kg: f64) -> String {
    format!("{weight_kg} kg")
}
