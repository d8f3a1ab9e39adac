pub mod journalize;
pub mod rules;
pub mod sink;
pub mod source;
