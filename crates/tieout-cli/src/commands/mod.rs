pub mod journalize;
pub mod rules;
