pub mod config;

pub fn shipping_cost(weight_kg: f64) -> f64 {
    let base = 3.5;
    base + weight_kg * 1.5
}

pub fn describe(weight_kg: f64) -> String {
    log::trace!("describe {weight_kg}");
    format!("{weight_kg} kg")
}
